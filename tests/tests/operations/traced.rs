//! An extra api process with OpenTelemetry switched on (the harness turns it off for its own
//! processes): `OTEL_EXPORTER_OTLP_ENDPOINT` points at a port nobody listens on, so spans are
//! made, the W3C propagator is installed, and export fails quietly.

use std::process::Stdio;
use std::time::Duration;

use quayside_tests::harness::{redis_url, TestEnv};

/// The running api; killed when dropped.
pub struct TracedApi {
    pub base_url: String,
    _child: tokio::process::Child,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Starts the `api` binary on `env`'s database and Redis namespace.
pub async fn start(env: &TestEnv) -> TracedApi {
    let mut dir = std::env::current_exe().expect("test executable");
    dir.pop();
    if dir.ends_with("deps") {
        dir.pop();
    }
    let port = free_port();
    let base_url = format!("http://127.0.0.1:{port}");
    let child = tokio::process::Command::new(dir.join("api"))
        .env("DATABASE_URL", &env.database_url)
        .env("REDIS_URL", redis_url())
        .env("REDIS_NAMESPACE", &env.redis_namespace)
        .env("APP_ENV", "development")
        .env("HTTP_WORKERS", "1")
        .env("RUST_LOG", "info")
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("PUBLIC_BASE_URL", &base_url)
        .env(
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            format!("http://127.0.0.1:{}", free_port()),
        )
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn api");
    let api = TracedApi {
        base_url,
        _child: child,
    };
    let url = format!("{}/healthz", api.base_url);
    env.eventually(
        "the traced api answers",
        Duration::from_secs(60),
        || async {
            let ok = env
                .http
                .get(&url)
                .send()
                .await
                .is_ok_and(|r| r.status() == 200);
            ok.then_some(())
        },
    )
    .await;
    api
}

/// Whether `v` is a W3C `traceparent` (`00-<32 hex>-<16 hex>-<2 hex>`, ids not all zero).
pub fn is_traceparent(v: &str) -> bool {
    let parts: Vec<&str> = v.split('-').collect();
    let hex = |s: &str, n: usize| s.len() == n && s.chars().all(|c| c.is_ascii_hexdigit());
    parts.len() == 4
        && parts[0] == "00"
        && hex(parts[1], 32)
        && hex(parts[2], 16)
        && hex(parts[3], 2)
        && parts[1].chars().any(|c| c != '0')
        && parts[2].chars().any(|c| c != '0')
}
