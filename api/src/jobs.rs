//! Enqueueing background jobs for the worker.
//!
//! The api and the worker agree on queue names through `shared::jobs::queue_name` and on the
//! storage format through apalis-redis; the worker has its own equivalent of this module
//! (`worker::queues::Queues`) because the api must not depend on the worker and `shared`
//! must not depend on apalis. The durable intent (an order row in `pending`) must be written
//! to Postgres before calling [`JobQueues::push_orders`]: if the enqueue fails or the process
//! dies in between, the worker's sweeper re-enqueues it.

use apalis::prelude::TaskSink;
use apalis_redis::{ConnectionManager, RedisStorage};
use shared::jobs::{
    queue_name, OrderPushV1, TraceContext, TrackingPullV1, MAX_ORDERS_PER_PUSH, ORDER_PUSH_QUEUE,
    TRACKING_PULL_QUEUE,
};

/// The W3C trace context of the current span, for a job payload's `trace` field (see
/// `shared::telemetry::current_trace_context`).
pub fn current_trace_context() -> TraceContext {
    shared::telemetry::current_trace_context()
}

/// Producer handles on the worker's queues. Cheap to clone; keep one in the app state.
#[derive(Clone)]
pub struct JobQueues {
    order_push: RedisStorage<OrderPushV1>,
    tracking_pull: RedisStorage<TrackingPullV1>,
}

impl std::fmt::Debug for JobQueues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobQueues")
            .field("order_push", &self.order_push.get_config().queue.as_ref())
            .field(
                "tracking_pull",
                &self.tracking_pull.get_config().queue.as_ref(),
            )
            .finish()
    }
}

fn storage<T>(redis: &ConnectionManager, namespace: &str, queue: &str) -> RedisStorage<T> {
    RedisStorage::new(redis.clone())
        .with_config(apalis_redis::Config::default().queue(queue_name(namespace, queue)))
}

impl JobQueues {
    /// The queues of `namespace` (`Settings::redis_namespace`) over `redis`.
    pub fn new(redis: ConnectionManager, namespace: &str) -> JobQueues {
        JobQueues {
            order_push: storage(&redis, namespace, ORDER_PUSH_QUEUE),
            tracking_pull: storage(&redis, namespace, TRACKING_PULL_QUEUE),
        }
    }

    /// Enqueues an order push. More than [`MAX_ORDERS_PER_PUSH`] orders are split into
    /// several jobs; an empty job is not enqueued.
    pub async fn push_orders(&self, job: OrderPushV1) -> anyhow::Result<()> {
        if job.order_ids.is_empty() {
            return Ok(());
        }
        let jobs: Vec<OrderPushV1> = job
            .order_ids
            .chunks(MAX_ORDERS_PER_PUSH)
            .map(|ids| OrderPushV1 {
                order_ids: ids.to_vec(),
                ..job.clone()
            })
            .collect();
        let mut storage = self.order_push.clone();
        storage
            .push_bulk(jobs)
            .await
            .map_err(|e| anyhow::anyhow!("enqueue order-push: {e}"))
    }

    /// Enqueues a tracking pull.
    pub async fn pull_tracking(&self, job: TrackingPullV1) -> anyhow::Result<()> {
        let mut storage = self.tracking_pull.clone();
        storage
            .push(job)
            .await
            .map_err(|e| anyhow::anyhow!("enqueue tracking-pull: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::ids::{ConnectionId, OrderId, TenantId};

    async fn redis() -> ConnectionManager {
        apalis_redis::connect("redis://127.0.0.1:6379")
            .await
            .expect("redis is running")
    }

    #[tokio::test]
    async fn big_pushes_are_split_into_jobs_of_100() {
        let ns = format!("api-jobs-test-{}", uuid::Uuid::new_v4().simple());
        let mut conn = redis().await;
        let queues = JobQueues::new(conn.clone(), &ns);
        let job = OrderPushV1 {
            tenant_id: TenantId::new(),
            connection_id: ConnectionId::new(),
            order_ids: (0..250).map(|_| OrderId::new()).collect(),
            trace: Default::default(),
        };
        queues.push_orders(job).await.expect("push");
        // apalis-redis puts every push in the scheduled set (due now); a worker's poll moves
        // due ids to the active list.
        let queue = queue_name(&ns, ORDER_PUSH_QUEUE);
        let (active, scheduled): (i64, i64) = redis::pipe()
            .cmd("LLEN")
            .arg(format!("{queue}:active"))
            .cmd("ZCARD")
            .arg(format!("{queue}:scheduled"))
            .query_async(&mut conn)
            .await
            .expect("lengths");
        assert_eq!(active + scheduled, 3);
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{ns}:*"))
            .query_async(&mut conn)
            .await
            .expect("keys");
        let _: () = redis::cmd("DEL")
            .arg(keys)
            .query_async(&mut conn)
            .await
            .expect("cleanup");
    }
}
