//! Renders a document from the command line, to try a template out:
//!
//! ```text
//! cargo run -p shijian-documents --example render -- [--dir DIR] TEMPLATE             # lists its fields
//! cargo run -p shijian-documents --example render -- [--dir DIR] TEMPLATE OUT.pdf name=value ...
//! ```
//!
//! `--dir` loads edited or added templates from a directory over the embedded ones.

use std::path::PathBuf;
use std::process::ExitCode;

use shijian_documents::{Engine, Fields};

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let engine = if args.first().is_some_and(|a| a == "--dir") && args.len() >= 2 {
        let dir = PathBuf::from(args.remove(1));
        args.remove(0);
        match Engine::with_dir(&dir) {
            Ok(engine) => engine,
            Err(e) => {
                eprintln!("{}: {e}", e.code());
                return ExitCode::FAILURE;
            }
        }
    } else {
        Engine::embedded()
    };
    let Some(template) = args.first() else {
        eprintln!("模板：{}", engine.template_names().join("、"));
        return ExitCode::FAILURE;
    };
    if args.len() == 1 {
        match engine.fields_of(template) {
            Ok(fields) => {
                for f in fields {
                    let kind = if f.is_date {
                        "（日期 YYYY-MM-DD）"
                    } else {
                        ""
                    };
                    println!("{}\t{}{kind}", f.name, f.label);
                }
                return ExitCode::SUCCESS;
            }
            Err(e) => {
                eprintln!("{}: {e}", e.code());
                return ExitCode::FAILURE;
            }
        }
    }
    let out = PathBuf::from(&args[1]);
    let fields: Fields = args[2..]
        .iter()
        .filter_map(|a| a.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.replace("\\n", "\n")))
        .collect();
    let started = std::time::Instant::now();
    match engine.render(template, &fields) {
        Ok(doc) => {
            if let Err(e) = std::fs::write(&out, &doc.pdf) {
                eprintln!("{}: {e}", out.display());
                return ExitCode::FAILURE;
            }
            for w in &doc.warnings {
                eprintln!("注意：{w}");
            }
            eprintln!(
                "{}：{} 页，{} 字节，{:?}",
                out.display(),
                doc.pages,
                doc.pdf.len(),
                started.elapsed()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}: {e}", e.code());
            ExitCode::FAILURE
        }
    }
}
