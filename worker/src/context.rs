//! What every job needs, built once per process and shared by all job runs.

use redis::aio::ConnectionManager;
use shared::config::Settings;
use shared::crypto::SecretKeys;
use shared::metrics::Metrics;
use sqlx::PgPool;

use crate::config::WorkerConfig;
use crate::limiter::Limiter;
use crate::queues::Queues;

/// The job functions' dependencies. Cheap to clone (pools and handles).
#[derive(Clone)]
pub struct JobContext {
    pub db: PgPool,
    pub redis: ConnectionManager,
    pub queues: Queues,
    pub limiter: Limiter,
    pub http: reqwest::Client,
    pub secret_keys: SecretKeys,
    pub metrics: Metrics,
    /// Prefix of this deployment's Redis keys.
    pub namespace: String,
    pub config: WorkerConfig,
}

impl std::fmt::Debug for JobContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobContext")
            .field("namespace", &self.namespace)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl JobContext {
    /// Builds the context from already-connected Postgres and Redis.
    pub fn new(
        settings: &Settings,
        config: WorkerConfig,
        db: PgPool,
        redis: ConnectionManager,
        metrics: Metrics,
    ) -> JobContext {
        let namespace = settings.redis_namespace.clone();
        JobContext {
            queues: Queues::new(redis.clone(), &namespace, &config),
            limiter: Limiter::new(
                redis.clone(),
                &namespace,
                config.rate_limit,
                config.rate_window,
            ),
            http: shared::shipstation::client::http_client(),
            secret_keys: settings.secret_keys.clone(),
            db,
            redis,
            metrics,
            namespace,
            config,
        }
    }
}
