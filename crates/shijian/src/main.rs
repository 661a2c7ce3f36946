//! Entry point of the `shijian` binary; see `shijian --help`.

fn main() -> std::process::ExitCode {
    shijian::cli::main()
}
