//! `shijian serve`: start-up accounts, the HTTP server, the job loop, and a graceful stop
//! on SIGTERM or Ctrl-C that lets in-flight requests finish.

use crate::config::Config;
use crate::demo;
use anyhow::Context;
use shijian_storage::entity_index::EntityIndex;
use shijian_storage::jobs::{self, JobContext};
use shijian_storage::Store;
use shijian_web::{build_router, AppState, WebConfig};
use std::time::Duration;
use tokio::sync::watch;

/// Options of `serve` beyond the configuration file.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    pub demo: bool,
    /// Test-only routes (`SHIJIAN_TEST_HOOKS=1`).
    pub test_hooks: bool,
}

/// How often each server process applies the event log to its search index: a change
/// made through another server is searchable here within this interval (plus the read).
const INDEX_FOLLOW: Duration = Duration::from_millis(250);

/// How often each server process looks for due jobs.
const JOB_TICK: Duration = Duration::from_secs(60);

pub async fn run(store: Store, config: &Config, opts: &ServeOptions) -> anyhow::Result<()> {
    if opts.demo {
        let created = demo::ensure_demo_accounts(&store, &config.session.totp_roles).await?;
        if !created.is_empty() {
            println!(
                "已创建 {} 个演示账户（密码均为 {}；管理员与局领导的动态口令密钥为 {}，见 README）：",
                created.len(),
                demo::DEMO_PASSWORD,
                demo::DEMO_TOTP_SECRET
            );
            for chunk in created.chunks(7) {
                println!("  {}", chunk.join("  "));
            }
        }
        demo::ensure_demo_data(&store).await?;
    } else if let Some(pw) = demo::ensure_first_admin(&store, &config.password).await? {
        println!("已创建系统管理员 admin，初始密码（仅显示这一次）：{pw}");
    }
    let web = WebConfig {
        session_policy: config.session.policy(),
        password_policy: config.password.clone(),
        secure_cookies: config.secure_cookies,
        test_hooks: opts.test_hooks,
        rate_limits: config.rate_limits.limits(),
        public_base_url: config.public_base_url(),
    };
    let started = std::time::Instant::now();
    let index = EntityIndex::build(&store).await?;
    println!(
        "检索索引已就绪：{} 个市场主体，用时 {:.1} 秒",
        index.len(),
        started.elapsed().as_secs_f64()
    );
    let follower = index.spawn_follower(store.clone(), INDEX_FOLLOW);
    let state = AppState::new(store.clone(), web, index);
    let app = build_router(state.clone());
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("无法监听 {}", config.listen))?;
    let addr = listener.local_addr()?;
    println!("shijian listening on http://{addr}");
    tracing::info!(%addr, backend = store.backend_name(), "serving");

    let public = match &config.public.listen {
        Some(addr) => {
            let l = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("无法监听公示网站地址 {addr}"))?;
            println!(
                "public portal listening on http://{}/public",
                l.local_addr()?
            );
            let router = shijian_web::public_router(state.clone());
            Some(tokio::spawn(async move {
                axum::serve(
                    l,
                    router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
                )
                .with_graceful_shutdown(shutdown_signal())
                .await
            }))
        }
        None => None,
    };
    let (stop_tx, stop_rx) = watch::channel(false);
    let jobs = tokio::spawn(job_loop(store.clone(), config.job_context(), stop_rx));
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    let _ = stop_tx.send(true);
    if let Some(p) = public {
        p.abort();
    }
    let _ = jobs.await;
    follower.abort();
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn job_loop(store: Store, jc: JobContext, mut stop: watch::Receiver<bool>) {
    let holder = format!("{}-{}", std::process::id(), uuid_like());
    loop {
        let today = store.clock().today();
        match jobs::run_due(&store, today, &holder, &jc).await {
            Ok(done) => {
                for (name, day, result) in done {
                    tracing::info!(job = name, %day, result, "job ran");
                }
            }
            Err(e) => tracing::error!(error = ?e, "job tick failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(JOB_TICK) => {}
            _ = stop.changed() => return,
        }
    }
}

fn uuid_like() -> String {
    use rand::Rng;
    format!("{:016x}", rand::rngs::OsRng.gen::<u64>())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
