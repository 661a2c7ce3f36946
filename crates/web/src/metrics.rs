//! Prometheus metrics in the text exposition format, kept with plain atomics: requests by
//! status class and a latency histogram.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

const BUCKETS_MS: [u64; 10] = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000];

/// Request counters.
#[derive(Debug, Default)]
pub struct Metrics {
    by_class: [AtomicU64; 5],
    buckets: [AtomicU64; BUCKETS_MS.len()],
    count: AtomicU64,
    sum_ms: AtomicU64,
    in_flight: AtomicU64,
}

impl Metrics {
    fn observe(&self, status: u16, ms: u64) {
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        self.by_class[class].fetch_add(1, Ordering::Relaxed);
        for (b, limit) in self.buckets.iter().zip(BUCKETS_MS) {
            if ms <= limit {
                b.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_ms.fetch_add(ms, Ordering::Relaxed);
    }

    /// Renders the text format.
    #[must_use]
    pub fn render(&self, backend: &str) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "# HELP shijian_http_requests_total HTTP requests answered, by status class."
        );
        let _ = writeln!(s, "# TYPE shijian_http_requests_total counter");
        for (i, c) in self.by_class.iter().enumerate() {
            let _ = writeln!(
                s,
                "shijian_http_requests_total{{class=\"{}xx\"}} {}",
                i + 1,
                c.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            s,
            "# HELP shijian_http_request_duration_seconds Request latency."
        );
        let _ = writeln!(s, "# TYPE shijian_http_request_duration_seconds histogram");
        for (b, limit) in self.buckets.iter().zip(BUCKETS_MS) {
            let _ = writeln!(
                s,
                "shijian_http_request_duration_seconds_bucket{{le=\"{}\"}} {}",
                limit as f64 / 1000.0,
                b.load(Ordering::Relaxed)
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(
            s,
            "shijian_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(
            s,
            "shijian_http_request_duration_seconds_sum {}",
            self.sum_ms.load(Ordering::Relaxed) as f64 / 1000.0
        );
        let _ = writeln!(s, "shijian_http_request_duration_seconds_count {count}");
        let _ = writeln!(
            s,
            "# HELP shijian_http_requests_in_flight Requests being served."
        );
        let _ = writeln!(s, "# TYPE shijian_http_requests_in_flight gauge");
        let _ = writeln!(
            s,
            "shijian_http_requests_in_flight {}",
            self.in_flight.load(Ordering::Relaxed)
        );
        let _ = writeln!(s, "# HELP shijian_info Build and backend.");
        let _ = writeln!(s, "# TYPE shijian_info gauge");
        let _ = writeln!(
            s,
            "shijian_info{{version=\"{}\",backend=\"{backend}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );
        s
    }
}

pub(crate) async fn track(
    State(m): State<std::sync::Arc<Metrics>>,
    req: Request,
    next: Next,
) -> Response {
    m.in_flight.fetch_add(1, Ordering::Relaxed);
    let start = Instant::now();
    let resp = next.run(req).await;
    m.in_flight.fetch_sub(1, Ordering::Relaxed);
    let ms = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
    m.observe(resp.status().as_u16(), ms);
    resp
}
