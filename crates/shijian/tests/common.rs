//! Running the real `shijian` binary from tests.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shijian"));
    c.env_remove("SHIJIAN_DATABASE_URL")
        .env_remove("SHIJIAN_NOW")
        // `serve --demo` generates no demo city unless a test asks for one (tests/demo.rs).
        .env("SHIJIAN_DEMO_ENTITIES", "0")
        .env("RUST_LOG", "warn");
    c
}

/// A running `shijian serve`, killed on drop.
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `shijian serve` with `args` (plus a free port) and waits for it to listen.
pub fn serve(data_dir: &std::path::Path, args: &[&str], envs: &[(&str, &str)]) -> Server {
    let mut c = bin();
    c.arg("--data-dir")
        .arg(data_dir)
        .arg("serve")
        .arg("--listen")
        .arg("127.0.0.1:0")
        .args(args);
    for (k, v) in envs {
        c.env(k, v);
    }
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(addr) = line.strip_prefix("shijian listening on ") {
                let _ = tx.send(addr.to_owned());
            }
        }
    });
    let base = rx
        .recv_timeout(Duration::from_secs(120))
        .expect("server did not start");
    Server { child, base }
}

/// Polls `f` until it returns true or `secs` pass.
pub fn wait_until(secs: u64, mut f: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(secs) {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

/// A plain-SQL `pg_dump` of the database at `url` (PostgreSQL 15's, or the one on PATH).
pub fn pg_dump(url: &str) -> Vec<u8> {
    let program = ["/usr/lib/postgresql/15/bin/pg_dump", "pg_dump"]
        .into_iter()
        .find(|p| Command::new(p).arg("--version").output().is_ok())
        .expect("pg_dump is installed");
    let dump = Command::new(program).arg(url).output().unwrap();
    assert!(
        dump.status.success(),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    dump.stdout
}

/// The URL of a new empty PostgreSQL database on the test server (`SHIJIAN_TEST_PG_URL`,
/// created with `psql`), or `None` when there is no server: the test is skipped, which
/// `SHIJIAN_TEST_STRICT=1` (the test script) refuses.
pub fn fresh_pg_database() -> Option<String> {
    let Some(admin) = std::env::var("SHIJIAN_TEST_PG_URL")
        .ok()
        .filter(|s| !s.is_empty())
    else {
        assert!(
            std::env::var("SHIJIAN_TEST_STRICT").map_or(true, |v| v != "1"),
            "PostgreSQL required"
        );
        eprintln!("SKIPPED: PostgreSQL not available");
        return None;
    };
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let psql = Command::new("psql")
        .arg(&admin)
        .arg("-qc")
        .arg(format!("CREATE DATABASE {name}"))
        .output()
        .unwrap();
    assert!(
        psql.status.success(),
        "{}",
        String::from_utf8_lossy(&psql.stderr)
    );
    Some(format!("{}/{name}", admin.rsplit_once('/').unwrap().0))
}
