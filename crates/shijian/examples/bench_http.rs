//! The benchmark harness's HTTP and SQL client (`bench/run` drives it), and the ceiling
//! server for the lookup baseline. Not part of the product.
//!
//! ```text
//! bench_http ceiling ADDR                      a minimal axum handler returning a constant
//! bench_http login BASE USER PASSWORD          prints an API token
//! bench_http search BASE TOKEN REPS            the search classes through the HTTP API
//! bench_http pgsearch PGURL REPS               the same classes as ILIKE/LIKE on PostgreSQL
//! bench_http load URL TOKEN CONC SECONDS       closed-loop GET load: requests/s, p50, p99
//! bench_http latency URL TOKEN REPS [JSON]     sequential GET (or POST JSON): p50, p99
//! ```
//! Output lines are tab-separated for the script: `name<TAB>total<TAB>p50_ms<TAB>p99_ms`
//! (search), `rps<TAB>p50_ms<TAB>p99_ms<TAB>errors` (load), `status<TAB>p50_ms<TAB>p99_ms`
//! (latency).

use std::time::{Duration, Instant};

/// The query classes: label, query text, whether PostgreSQL can answer it with ILIKE
/// (pinyin initials it cannot), and whether it is a credit-code prefix.
const CLASSES: &[(&str, &str, bool, bool)] = &[
    ("1字 店", "店", true, false),
    ("1字 荆", "荆", true, false),
    ("2字 餐饮", "餐饮", true, false),
    ("2字 化工", "化工", true, false),
    ("4字 商贸有限", "商贸有限", true, false),
    ("4字 有限公司", "有限公司", true, false),
    ("拼音首字母 cy", "cy", false, false),
    ("拼音首字母 smyx", "smyx", false, false),
    ("信用代码前缀 91420881", "91420881", true, true),
    ("信用代码前缀 9242", "9242", true, true),
];

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let k = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[k.min(sorted.len() - 1)]
}

fn summarise(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    (percentile(&ms, 0.5), percentile(&ms, 0.99))
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .timeout(Duration::from_secs(60))
        .build()
        .expect("http client")
}

fn encode(q: &str) -> String {
    q.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| -> anyhow::Result<&str> {
        args.get(i)
            .map(String::as_str)
            .ok_or_else(|| anyhow::anyhow!("missing argument {i}; see the file's header"))
    };
    match arg(0)? {
        "ceiling" => {
            use axum::routing::get;
            let app = axum::Router::new().route(
                "/api/v1/entities/{uscc}",
                get(|| async {
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        r#"{"uscc":"91420800000000000X","name":"荆门市恒泰商贸有限公司"}"#,
                    )
                }),
            );
            let listener = tokio::net::TcpListener::bind(arg(1)?).await?;
            println!("ceiling listening on http://{}", listener.local_addr()?);
            axum::serve(listener, app).await?;
        }
        "login" => {
            let r = client()
                .post(format!("{}/api/v1/auth/login", arg(1)?))
                .json(&serde_json::json!({"username": arg(2)?, "password": arg(3)?}))
                .send()
                .await?;
            anyhow::ensure!(r.status().is_success(), "login: {}", r.status());
            let v: serde_json::Value = r.json().await?;
            println!("{}", v["token"].as_str().unwrap_or_default());
        }
        "search" => {
            let (base, token, reps) = (arg(1)?, arg(2)?, arg(3)?.parse::<usize>()?);
            let c = client();
            for (label, q, _, _) in CLASSES {
                let url = format!("{base}/api/v1/entities?q={}&limit=20", encode(q));
                let mut total = 0;
                let mut ms = Vec::with_capacity(reps);
                for k in 0..reps + 3 {
                    let t = Instant::now();
                    let r = c.get(&url).bearer_auth(token).send().await?;
                    anyhow::ensure!(r.status().is_success(), "{url}: {}", r.status());
                    let v: serde_json::Value = r.json().await?;
                    if k >= 3 {
                        ms.push(t.elapsed().as_secs_f64() * 1e3);
                    }
                    total = v["total"].as_u64().unwrap_or(0);
                }
                let (p50, p99) = summarise(ms);
                println!("{label}\t{total}\t{p50:.2}\t{p99:.2}");
            }
        }
        "pgsearch" => {
            let (url, reps) = (arg(1)?, arg(2)?.parse::<usize>()?);
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .connect(url)
                .await?;
            for (label, q, ilike, prefix) in CLASSES {
                if !ilike {
                    println!("{label}\t-\t-\t-");
                    continue;
                }
                // The same answer as the API: a ranked first page with the total count.
                let sql = if *prefix {
                    "SELECT uscc, name, count(*) OVER () FROM bench_entity WHERE uscc LIKE $1 \
                     ORDER BY (status = '存续') DESC, uscc LIMIT 20"
                } else {
                    "SELECT uscc, name, count(*) OVER () FROM bench_entity WHERE name ILIKE $1 \
                     ORDER BY (name = $2) DESC, (name LIKE $3) DESC, (status = '存续') DESC, \
                     length(name), uscc LIMIT 20"
                };
                let pattern = if *prefix {
                    format!("{q}%")
                } else {
                    format!("%{q}%")
                };
                let mut total = 0i64;
                let mut ms = Vec::with_capacity(reps);
                for k in 0..reps + 3 {
                    let t = Instant::now();
                    let rows: Vec<(String, String, i64)> = sqlx::query_as(sql)
                        .bind(&pattern)
                        .bind(*q)
                        .bind(format!("{q}%"))
                        .fetch_all(&pool)
                        .await?;
                    if k >= 3 {
                        ms.push(t.elapsed().as_secs_f64() * 1e3);
                    }
                    total = rows.first().map_or(0, |r| r.2);
                }
                let (p50, p99) = summarise(ms);
                println!("{label}\t{total}\t{p50:.2}\t{p99:.2}");
            }
        }
        "load" => {
            let (url, token) = (arg(1)?.to_owned(), arg(2)?.to_owned());
            let (conc, secs) = (arg(3)?.parse::<usize>()?, arg(4)?.parse::<f64>()?);
            let c = client();
            let deadline = Instant::now() + Duration::from_secs_f64(secs);
            let started = Instant::now();
            let tasks: Vec<_> = (0..conc)
                .map(|_| {
                    let (c, url, token) = (c.clone(), url.clone(), token.clone());
                    tokio::spawn(async move {
                        let mut ms = Vec::new();
                        let mut errors = 0u64;
                        while Instant::now() < deadline {
                            let t = Instant::now();
                            let mut req = c.get(&url);
                            if token != "-" {
                                req = req.bearer_auth(&token);
                            }
                            match req.send().await {
                                Ok(r) if r.status().is_success() => {
                                    let _ = r.bytes().await;
                                    ms.push(t.elapsed().as_secs_f64() * 1e3);
                                }
                                _ => errors += 1,
                            }
                        }
                        (ms, errors)
                    })
                })
                .collect();
            let mut all = Vec::new();
            let mut errors = 0;
            for t in tasks {
                let (ms, e) = t.await?;
                all.extend(ms);
                errors += e;
            }
            let rps = all.len() as f64 / started.elapsed().as_secs_f64();
            let (p50, p99) = summarise(all);
            println!("{rps:.0}\t{p50:.2}\t{p99:.2}\t{errors}");
        }
        "latency" => {
            let (url, token, reps) = (arg(1)?, arg(2)?, arg(3)?.parse::<usize>()?);
            let body = args.get(4);
            let c = client();
            let mut ms = Vec::with_capacity(reps);
            let mut status = 0;
            for k in 0..reps + 3 {
                let t = Instant::now();
                let req = match body {
                    Some(b) => c
                        .post(url)
                        .header("content-type", "application/json")
                        .body(b.clone()),
                    None => c.get(url),
                };
                let r = req.bearer_auth(token).send().await?;
                status = r.status().as_u16();
                let _ = r.bytes().await;
                if status == 404 || status >= 500 {
                    break;
                }
                if k >= 3 {
                    ms.push(t.elapsed().as_secs_f64() * 1e3);
                }
            }
            let (p50, p99) = summarise(ms);
            println!("{status}\t{p50:.2}\t{p99:.2}");
        }
        other => anyhow::bail!("unknown mode {other}"),
    }
    Ok(())
}
