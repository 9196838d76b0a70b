//! The worker's tiny HTTP server: `GET /healthz`, `GET /readyz` and `GET /metrics`.

use std::net::{SocketAddr, TcpListener};

use actix_web::dev::ServerHandle;
use actix_web::{web, App, HttpResponse, HttpServer};
use redis::aio::ConnectionManager;
use shared::metrics::Metrics;
use sqlx::PgPool;

struct State {
    metrics: Metrics,
    /// More registries rendered after `metrics` (the worker's queue gauges).
    extra: Vec<prometheus::Registry>,
    db: PgPool,
    redis: ConnectionManager,
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

async fn readyz(state: web::Data<State>) -> HttpResponse {
    let db = shared::db::ping(&state.db).await;
    let redis = redis::cmd("PING")
        .query_async::<String>(&mut state.redis.clone())
        .await
        .is_ok();
    let body = serde_json::json!({"postgres": db, "redis": redis});
    if db && redis {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

async fn render_metrics(state: web::Data<State>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(render_all(&state.metrics, &state.extra))
}

/// `metrics` followed by the extra registries, in the Prometheus text format.
fn render_all(metrics: &Metrics, extra: &[prometheus::Registry]) -> String {
    let mut text = metrics.render();
    for registry in extra {
        let mut buf = Vec::new();
        if prometheus::Encoder::encode(
            &prometheus::TextEncoder::new(),
            &registry.gather(),
            &mut buf,
        )
        .is_ok()
        {
            text.push_str(&String::from_utf8_lossy(&buf));
        }
    }
    text
}

/// A running metrics server.
pub struct MetricsServer {
    /// The bound address (the real port when `METRICS_ADDR` ends in `:0`).
    pub addr: SocketAddr,
    handle: ServerHandle,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl MetricsServer {
    /// Binds `addr` and serves in the background; logs `worker metrics listening` with `port`.
    pub fn start(
        addr: SocketAddr,
        metrics: Metrics,
        db: PgPool,
        redis: ConnectionManager,
    ) -> anyhow::Result<MetricsServer> {
        MetricsServer::start_with(addr, metrics, Vec::new(), db, redis)
    }

    /// [`start`](Self::start), also rendering the `extra` registries at `/metrics`.
    pub fn start_with(
        addr: SocketAddr,
        metrics: Metrics,
        extra: Vec<prometheus::Registry>,
        db: PgPool,
        redis: ConnectionManager,
    ) -> anyhow::Result<MetricsServer> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let state = web::Data::new(State {
            metrics,
            extra,
            db,
            redis,
        });
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .route("/healthz", web::get().to(healthz))
                .route("/readyz", web::get().to(readyz))
                .route("/metrics", web::get().to(render_metrics))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)?
        .run();
        let handle = server.handle();
        let task = tokio::spawn(server);
        tracing::info!(port = addr.port(), address = %addr, "worker metrics listening");
        Ok(MetricsServer { addr, handle, task })
    }

    /// Stops serving and waits for the server to finish.
    pub async fn stop(self) {
        self.handle.stop(true).await;
        let _ = self.task.await;
    }
}
