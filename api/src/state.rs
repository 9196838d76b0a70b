//! What every handler shares.

use redis::aio::ConnectionManager;
use shared::auth::jwt::JwtKeys;
use shared::config::Settings;
use shared::metrics::Metrics;
use sqlx::PgPool;

pub struct AppState {
    pub settings: Settings,
    pub db: PgPool,
    pub redis: ConnectionManager,
    pub jwt: JwtKeys,
    pub http: reqwest::Client,
    pub metrics: Metrics,
    pub sessions: crate::qbwc::session::SessionStore,
    pub jobs: crate::jobs::JobQueues,
    /// ShipStation's budget per API key, shared with the workers.
    pub limiter: shared::shipstation::limiter::Limiter,
}

impl AppState {
    /// A Redis key in this deployment's namespace.
    pub fn key(&self, suffix: &str) -> String {
        format!("{}:{}", self.settings.redis_namespace, suffix)
    }
}
