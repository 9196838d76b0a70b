//! Queue gauges, sampled from Redis every [`SAMPLE_INTERVAL`] by every worker replica (they all
//! read the same keys, so aggregate them with `max`, never `sum`).
//!
//! apalis-redis 1.0 puts every pushed job in the sorted set `{queue}:scheduled`, scored with the
//! second it is due (now, for a plain push), and a worker's fetch moves the due ids into the list
//! `{queue}:active` and at once takes up to its batch into its in-flight set. So the backlog is
//! mostly in the sorted set, and three numbers describe a queue:
//!
//! * `quayside_queue_depth{queue}`: every job waiting, due or not (`LLEN active + ZCARD scheduled`);
//! * `quayside_queue_ready{queue}`: jobs due now and not taken by a worker
//!   (`LLEN active + ZCOUNT scheduled -inf now`): work more replicas could start at once, the
//!   autoscaling signal (deploy/k8s/components/autoscaling-keda);
//! * `quayside_queue_oldest_ready_age_seconds{queue}`: how long the oldest due job has waited
//!   past its due time (0 when none): the "queue age" alert.
//!
//! Deferred jobs (a retry after a 5xx, a wait for the ShipStation rate-limit window) count in
//! the depth but not in `ready` until they are due: more workers would not run them sooner.

use std::time::Duration;

use prometheus::{IntGaugeVec, Opts, Registry};
use redis::aio::ConnectionManager;
use shared::jobs::{ORDER_PUSH_QUEUE, TRACKING_PULL_QUEUE};
use shared::metrics::Metrics;
use tokio_util::sync::CancellationToken;

use crate::config::WorkerConfig;
use crate::queues::storage_config;

/// How often the gauges are refreshed.
pub const SAMPLE_INTERVAL: Duration = Duration::from_secs(5);

/// The queues sampled.
pub const QUEUES: [&str; 2] = [ORDER_PUSH_QUEUE, TRACKING_PULL_QUEUE];

/// The worker's own queue gauges (next to [`Metrics::queue_depth`]), in their own registry.
#[derive(Clone)]
pub struct QueueGauges {
    registry: Registry,
    /// Jobs due now and not yet taken by a worker.
    pub ready: IntGaugeVec,
    /// Seconds the oldest due job has waited past its due time.
    pub oldest_ready_age: IntGaugeVec,
}

impl QueueGauges {
    /// New gauges in a fresh registry with the `quayside` prefix.
    pub fn new() -> anyhow::Result<QueueGauges> {
        let registry = Registry::new_custom(Some("quayside".into()), None)?;
        let ready = IntGaugeVec::new(
            Opts::new("queue_ready", "Jobs due now and not yet taken by a worker"),
            &["queue"],
        )?;
        let oldest_ready_age = IntGaugeVec::new(
            Opts::new(
                "queue_oldest_ready_age_seconds",
                "Seconds the oldest due job has waited past its due time (0 when none)",
            ),
            &["queue"],
        )?;
        registry.register(Box::new(ready.clone()))?;
        registry.register(Box::new(oldest_ready_age.clone()))?;
        Ok(QueueGauges {
            registry,
            ready,
            oldest_ready_age,
        })
    }

    /// The registry, for the `/metrics` endpoint.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }
}

/// One queue's numbers at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueSample {
    /// Every job waiting, due or not.
    pub depth: i64,
    /// Jobs due now and not taken.
    pub ready: i64,
    /// Seconds the oldest due job has waited past its due time.
    pub oldest_ready_age_secs: i64,
}

/// Reads one queue's keys (Redis' clock decides what is due).
pub async fn sample(
    redis: &ConnectionManager,
    namespace: &str,
    queue: &str,
    config: &WorkerConfig,
) -> redis::RedisResult<QueueSample> {
    let cfg = storage_config(namespace, queue, config);
    let mut conn = redis.clone();
    let (now, _micros): (i64, i64) = redis::cmd("TIME").query_async(&mut conn).await?;
    let scheduled = cfg.scheduled_jobs_set();
    let (active, total_scheduled, due, oldest): (i64, i64, i64, Vec<(String, f64)>) = redis::pipe()
        .cmd("LLEN")
        .arg(cfg.active_jobs_list())
        .cmd("ZCARD")
        .arg(&scheduled)
        .cmd("ZCOUNT")
        .arg(&scheduled)
        .arg("-inf")
        .arg(now)
        .cmd("ZRANGE")
        .arg(&scheduled)
        .arg(0)
        .arg(0)
        .arg("WITHSCORES")
        .query_async(&mut conn)
        .await?;
    Ok(summarise(
        now,
        active,
        total_scheduled,
        due,
        oldest.first().map(|o| o.1),
    ))
}

/// The sample from the raw counts; `oldest_score` is the lowest due time (unix seconds).
pub fn summarise(
    now: i64,
    active: i64,
    scheduled: i64,
    due: i64,
    oldest_score: Option<f64>,
) -> QueueSample {
    // Scores are whole unix seconds; the cast saturates on nonsense.
    #[allow(clippy::cast_possible_truncation)]
    let age = oldest_score
        .map(|s| now.saturating_sub(s as i64))
        .filter(|a| *a > 0)
        .unwrap_or(0);
    QueueSample {
        depth: active + scheduled,
        ready: active + due,
        oldest_ready_age_secs: if due > 0 { age } else { 0 },
    }
}

/// Samples every queue every [`SAMPLE_INTERVAL`] until `stop` is cancelled.
pub async fn run(
    redis: ConnectionManager,
    namespace: String,
    config: WorkerConfig,
    metrics: Metrics,
    gauges: QueueGauges,
    stop: CancellationToken,
) {
    let mut tick = tokio::time::interval(SAMPLE_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        for queue in QUEUES {
            match sample(&redis, &namespace, queue, &config).await {
                Ok(s) => {
                    metrics.queue_depth.with_label_values(&[queue]).set(s.depth);
                    gauges.ready.with_label_values(&[queue]).set(s.ready);
                    gauges
                        .oldest_ready_age
                        .with_label_values(&[queue])
                        .set(s.oldest_ready_age_secs);
                }
                Err(e) => tracing::warn!(queue, error = %e, "queue gauges unavailable"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_counts_due_jobs_and_age_only_when_one_is_due() {
        // 3 in the active list, 10 scheduled of which 4 are due, the oldest due 42 s ago.
        let s = summarise(1_000, 3, 10, 4, Some(958.0));
        assert_eq!((s.depth, s.ready, s.oldest_ready_age_secs), (13, 7, 42));
        // Only future jobs: nothing ready, no age.
        let s = summarise(1_000, 0, 5, 0, Some(1_030.0));
        assert_eq!((s.depth, s.ready, s.oldest_ready_age_secs), (5, 0, 0));
        assert_eq!(summarise(1_000, 0, 0, 0, None).ready, 0);
    }

    #[test]
    fn gauges_render_with_the_quayside_prefix() {
        let g = QueueGauges::new().expect("gauges");
        g.ready.with_label_values(&["order-push"]).set(7);
        let mut buf = Vec::new();
        prometheus::Encoder::encode(
            &prometheus::TextEncoder::new(),
            &g.registry().gather(),
            &mut buf,
        )
        .expect("encode");
        let text = String::from_utf8(buf).expect("utf8");
        assert!(
            text.contains("quayside_queue_ready{queue=\"order-push\"} 7"),
            "{text}"
        );
    }
}
