//! Name-check projection benchmark: the build of the name index from a data directory
//! (time and resident memory) and the in-process latency of checks of a few name shapes.
//! The HTTP latency is measured by `bench/name-check-latency.py` against a running server.
//!
//! ```text
//! python3 bench/gen-entities.py 300000 /tmp/e300k.csv
//! target/release/shijian --data-dir /tmp/names300k import entities /tmp/e300k.csv
//! cargo run --release -p shijian-storage --example name_check_bench -- /tmp/names300k [rounds]
//! ```
//!
//! `DATA_DIR` may also be a `postgres://` URL.

use shijian_domain::clock::SystemClock;
use shijian_domain::entity::EnterpriseType;
use shijian_storage::name_index::{NameCheckRequest, NameIndex};
use shijian_storage::{DatabaseConfig, Store};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Resident memory of this process in MiB (Linux), or 0.
fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// The shapes measured: (label, name, industry).
pub const SHAPES: &[(&str, &str, &str)] = &[
    ("新字号（无冲突）", "荆门市沃动机械制造有限公司", "3429"),
    ("与已有字号相同", "龙泉荆楚餐饮管理有限公司", "6210"),
    ("两字字号（近似最多）", "荆门市荆楚商贸有限公司", "5191"),
    ("限制用语", "荆门中国石化有限公司", "2511"),
    ("输入中（尚无组织形式）", "荆门市凤凰", ""),
];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let target = args
        .next()
        .ok_or("usage: name_check_bench DATA_DIR|postgres://… [rounds]")?;
    let rounds: usize = args.next().map_or(Ok(2_000), |s| s.parse())?;
    let config = if target.starts_with("postgres://") {
        DatabaseConfig::Postgres { url: target }
    } else {
        DatabaseConfig::Sqlite { dir: target.into() }
    };
    let store = Store::open(&config, Arc::new(SystemClock)).await?;
    // Load the pinyin table first: it is shared by the process, not part of the index.
    let _ = shijian_storage::name_index::PinyinReadings::shared();
    let before = rss_mib();
    let started = Instant::now();
    let index = NameIndex::new(&store).await?;
    index.rebuild(&store).await?;
    let built = started.elapsed();
    let after = rss_mib();
    let stats = index.stats();
    println!(
        "name index: {} names, {} keys; built in {:.2} s (load, parse, index); \
         resident memory {:.0} MiB → {:.0} MiB (+{:.0} MiB)",
        stats.base_names,
        stats.base_keys,
        built.as_secs_f64(),
        before,
        after,
        after - before
    );
    let today = store.clock().today();
    println!("{rounds} checks per shape, in process (parse, candidates, rules):");
    for (label, name, industry) in SHAPES {
        let req = NameCheckRequest {
            name: (*name).to_owned(),
            division_code: "420802".to_owned(),
            industry_code: Some((*industry).to_owned()).filter(|s| !s.is_empty()),
            enterprise_type: EnterpriseType::LlcNaturalPersonInvested.as_str().to_owned(),
        };
        let proposal = index.proposal(&req)?;
        let mut times = Vec::with_capacity(rounds);
        let mut last = None;
        for _ in 0..rounds {
            let t = Instant::now();
            last = Some(index.check_proposal(&proposal, today));
            times.push(t.elapsed());
        }
        times.sort_unstable();
        let last = last.ok_or("no rounds")?;
        println!(
            "  {label:<16} {name:<20} p50 {:>8.1} µs  p99 {:>8.1} µs  verdict {:?}, {} reasons (+{} omitted)",
            percentile(&times, 0.5).as_secs_f64() * 1e6,
            percentile(&times, 0.99).as_secs_f64() * 1e6,
            last.verdict,
            last.reasons.len(),
            last.similar_omitted
        );
    }
    Ok(())
}
