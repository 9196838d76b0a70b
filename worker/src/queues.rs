//! The worker's side of the job queues: apalis-redis storages named by
//! [`shared::jobs::queue_name`], used to re-schedule deferred jobs and by the sweeper.
//!
//! The api has its own small equivalent (`api::jobs::JobQueues`): the api must not depend on
//! the worker and `shared` must not depend on apalis, and the only thing both need to agree on
//! is the queue name, which `shared::jobs` owns.

use std::time::Duration;

use apalis::prelude::{TaskBuilder, TaskSink};
use apalis_core::backend::Vacuum;
use apalis_redis::{ConnectionManager, RedisStorage};
use shared::jobs::{
    queue_name, OrderPushV1, TrackingPullV1, ORDER_PUSH_QUEUE, TRACKING_PULL_QUEUE,
};

use crate::config::{WorkerConfig, MISSED_HEARTBEATS};

/// apalis-redis configuration of `queue` in `namespace`, with the worker's liveness settings.
pub fn storage_config(namespace: &str, queue: &str, config: &WorkerConfig) -> apalis_redis::Config {
    apalis_redis::Config::default()
        .queue(queue_name(namespace, queue))
        .heartbeat_interval(config.heartbeat)
        .missed_heartbeats(MISSED_HEARTBEATS)
        // Fetch no more than we run at once, so idle replicas get the rest.
        .batch_size(config.concurrency.max(1))
}

/// Producer handles on the worker's queues. Cheap to clone.
#[derive(Clone)]
pub struct Queues {
    order_push: RedisStorage<OrderPushV1>,
    tracking_pull: RedisStorage<TrackingPullV1>,
    redis: ConnectionManager,
}

impl std::fmt::Debug for Queues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queues")
            .field("order_push", &self.order_push.get_config().queue.as_ref())
            .field(
                "tracking_pull",
                &self.tracking_pull.get_config().queue.as_ref(),
            )
            .finish_non_exhaustive()
    }
}

impl Queues {
    /// Queues of `namespace` over `redis`.
    pub fn new(redis: ConnectionManager, namespace: &str, config: &WorkerConfig) -> Queues {
        let order_push = RedisStorage::new(redis.clone()).with_config(storage_config(
            namespace,
            ORDER_PUSH_QUEUE,
            config,
        ));
        let tracking_pull = RedisStorage::new(redis.clone()).with_config(storage_config(
            namespace,
            TRACKING_PULL_QUEUE,
            config,
        ));
        Queues {
            order_push,
            tracking_pull,
            redis,
        }
    }

    /// A storage for an order-push consumer (same queue and settings).
    pub fn order_push_storage(&self) -> RedisStorage<OrderPushV1> {
        self.order_push.clone()
    }

    /// A storage for a tracking-pull consumer (same queue and settings).
    pub fn tracking_pull_storage(&self) -> RedisStorage<TrackingPullV1> {
        self.tracking_pull.clone()
    }

    /// Enqueues a tracking pull, to run after `delay` when given.
    pub async fn push_tracking(
        &self,
        job: TrackingPullV1,
        delay: Option<Duration>,
    ) -> anyhow::Result<()> {
        let mut storage = self.tracking_pull.clone();
        let mut task = TaskBuilder::new(job);
        if let Some(d) = delay.filter(|d| !d.is_zero()) {
            task = task.run_after(schedule_delay(d));
        }
        storage
            .push_task(task.build())
            .await
            .map_err(|e| anyhow::anyhow!("enqueue tracking-pull: {e}"))
    }

    /// Enqueues `job`, to run after `delay` when given (apalis-redis' scheduled set; the
    /// resolution is one second).
    pub async fn push_orders(
        &self,
        job: OrderPushV1,
        delay: Option<Duration>,
    ) -> anyhow::Result<()> {
        let mut storage = self.order_push.clone();
        let mut task = TaskBuilder::new(job);
        if let Some(d) = delay.filter(|d| !d.is_zero()) {
            task = task.run_after(schedule_delay(d));
        }
        storage
            .push_task(task.build())
            .await
            .map_err(|e| anyhow::anyhow!("enqueue order-push: {e}"))
    }

    /// Deletes the data of finished order-push and tracking-pull jobs (apalis keeps it
    /// forever otherwise) and forgets the ids of done ones. Returns the number of jobs cleared.
    pub async fn vacuum(&self) -> anyhow::Result<usize> {
        let mut storage = self.order_push.clone();
        let mut cleared = storage
            .vacuum()
            .await
            .map_err(|e| anyhow::anyhow!("vacuum order-push: {e}"))?;
        let mut pulls = self.tracking_pull.clone();
        cleared += pulls
            .vacuum()
            .await
            .map_err(|e| anyhow::anyhow!("vacuum tracking-pull: {e}"))?;
        let mut conn = self.redis.clone();
        redis::cmd("DEL")
            .arg(self.order_push.get_config().done_jobs_set())
            .arg(self.tracking_pull.get_config().done_jobs_set())
            .query_async::<()>(&mut conn)
            .await?;
        Ok(cleared)
    }

    /// Jobs waiting in the order-push queue: ready now plus scheduled for later.
    pub async fn order_push_depth(&self) -> redis::RedisResult<i64> {
        let cfg = self.order_push.get_config();
        let mut conn = self.redis.clone();
        let (ready, scheduled): (i64, i64) = redis::pipe()
            .cmd("LLEN")
            .arg(cfg.active_jobs_list())
            .cmd("ZCARD")
            .arg(cfg.scheduled_jobs_set())
            .query_async(&mut conn)
            .await?;
        Ok(ready + scheduled)
    }
}

/// apalis-redis stores whole seconds (`floor(now + delay)`) and promotes a job once that
/// second has begun, so up to a second could be lost: round up and add one, so a job never
/// runs before `delay` has passed.
pub fn schedule_delay(delay: Duration) -> Duration {
    Duration::from_secs(delay.as_secs() + u64::from(delay.subsec_nanos() > 0) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheduled_delays_never_run_early() {
        assert_eq!(
            schedule_delay(Duration::from_millis(1)),
            Duration::from_secs(2)
        );
        assert_eq!(
            schedule_delay(Duration::from_secs(3)),
            Duration::from_secs(4)
        );
        assert_eq!(
            schedule_delay(Duration::from_millis(3500)),
            Duration::from_secs(5)
        );
    }
}
