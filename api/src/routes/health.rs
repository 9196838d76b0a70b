//! Liveness, readiness and metrics.

use std::time::Duration;

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::state::AppState;

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// How long readiness waits for each of Postgres and Redis: a probe must get an answer, not
/// hang on a store that went silent.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// 200 only when Postgres and Redis both answer (asked at once, each within two seconds).
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let mut conn = state.redis.clone();
    let ping = redis::cmd("PING");
    let (postgres, redis) = tokio::join!(
        tokio::time::timeout(READY_TIMEOUT, shared::db::ping(&state.db)),
        tokio::time::timeout(READY_TIMEOUT, ping.query_async::<String>(&mut conn)),
    );
    let postgres = postgres.unwrap_or(false);
    let redis = redis.is_ok_and(|r| r.is_ok());
    let body = json!({
        "status": if postgres && redis { "ready" } else { "unavailable" },
        "postgres": postgres,
        "redis": redis,
    });
    if postgres && redis {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render())
}
