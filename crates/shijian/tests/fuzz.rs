//! API fuzzing: `scripts/fuzz-api.sh` runs Schemathesis (from PyPI, in a virtual env under
//! target/) against the OpenAPI document of demo servers of the binary under test, and
//! fails on any 5xx, undocumented status code or Content-Type, or body that does not match
//! the documented schema. See docs/FUZZING.md.
//!
//! Needs python3 with venv (and PyPI the first time). Without them the test prints
//! SKIPPED, unless SHIJIAN_TEST_STRICT=1, where it fails instead.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// The script's exit status for "prerequisites missing".
const PREREQUISITES_MISSING: i32 = 3;

fn strict() -> bool {
    std::env::var("SHIJIAN_TEST_STRICT").is_ok_and(|v| v == "1")
}

fn skip_or_fail(why: &str) {
    assert!(
        !strict(),
        "API fuzzing is required with SHIJIAN_TEST_STRICT=1, but {why}"
    );
    println!("SKIPPED: API fuzzing: {why}");
}

/// Whether `python3 -m venv` can work here: Debian ships `venv` without `ensurepip`
/// unless python3-venv is installed.
fn python_venv_missing() -> Option<String> {
    match Command::new("python3")
        .args(["-c", "import venv, ensurepip"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
    {
        Ok(s) if s.success() => None,
        Ok(_) => Some("python3 has no venv/ensurepip (install python3-venv)".into()),
        Err(e) => Some(format!("python3 not found ({e})")),
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn schemathesis_finds_no_failures() {
    if let Some(why) = python_venv_missing() {
        skip_or_fail(&why);
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let script = root.join("scripts/fuzz-api.sh");
    let output = Command::new("bash")
        .arg(&script)
        .current_dir(&root)
        .env("SHIJIAN_FUZZ_BIN", env!("CARGO_BIN_EXE_shijian"))
        .stdin(Stdio::null())
        .output()
        .expect("run scripts/fuzz-api.sh");
    let out = text(&output);
    match output.status.code() {
        Some(0) => {
            // The summary, for the log of a passing run.
            if let Some(at) = out.find("== fuzz-api summary") {
                println!("{}", &out[at..]);
            }
        }
        Some(PREREQUISITES_MISSING) => {
            println!("{out}");
            skip_or_fail("the prerequisites of scripts/fuzz-api.sh are missing (see above)");
        }
        other => {
            // Everything Schemathesis said, then the summary again where it is easy to find.
            println!("{out}");
            let summary = out
                .find("== fuzz-api summary")
                .map_or("(no summary: see the output above)", |at| &out[at..]);
            panic!(
                "scripts/fuzz-api.sh failed ({other:?}); reports in target/fuzz-report/, \
                 findings.txt there has a reproducing curl for each failure\n{summary}"
            );
        }
    }
}
