//! The sweeper: the backstop that makes a stored order's push intent durable. Every period it
//! re-enqueues orders left `pending` longer than `SWEEPER_STALE_AFTER_SECS` (a crash between
//! storing a sale and enqueuing, a job lost with its worker, retries given up by apalis), in
//! jobs of at most 100 orders of one connection. A Redis lock lets one replica sweep per period.

use std::collections::BTreeMap;
use std::time::Duration;

use shared::db::orders::{request_push, stale_pending, StalePending};
use shared::ids::{ConnectionId, OrderId, TenantId};
use shared::jobs::{OrderPushV1, MAX_ORDERS_PER_PUSH, ORDER_PUSH_QUEUE};
use tokio_util::sync::CancellationToken;

use crate::context::JobContext;

/// Orders looked at per sweep.
pub const SWEEP_LIMIT: i32 = 500;

/// Groups stale orders into jobs of ≤ 100 orders of one connection, oldest first.
pub fn group_jobs(stale: &[StalePending]) -> Vec<OrderPushV1> {
    let mut by_conn: BTreeMap<(TenantId, ConnectionId), Vec<OrderId>> = BTreeMap::new();
    for s in stale {
        by_conn
            .entry((s.tenant_id, s.connection_id))
            .or_default()
            .push(s.order_id);
    }
    by_conn
        .into_iter()
        .flat_map(|((tenant_id, connection_id), ids)| {
            ids.chunks(MAX_ORDERS_PER_PUSH)
                .map(|chunk| OrderPushV1 {
                    tenant_id,
                    connection_id,
                    order_ids: chunk.to_vec(),
                    trace: Default::default(),
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Takes the sweep lock for `period` if no replica holds it. It is not released: it expires,
/// so at most one sweep runs per period whatever the number of replicas.
async fn take_lock(ctx: &JobContext, period: Duration) -> redis::RedisResult<bool> {
    let key = format!("{}:sweeper-lock", ctx.namespace);
    let ms = u64::try_from(period.as_millis()).unwrap_or(u64::MAX).max(1);
    let mut redis = ctx.redis.clone();
    let set: Option<String> = redis::cmd("SET")
        .arg(&key)
        .arg(uuid::Uuid::new_v4().to_string())
        .arg("NX")
        .arg("PX")
        .arg(ms.saturating_sub(200).max(1))
        .query_async(&mut redis)
        .await?;
    Ok(set.is_some())
}

/// One sweep, without the lock. Returns the number of orders re-enqueued.
pub async fn sweep_once(ctx: &JobContext, stale_after: Duration) -> anyhow::Result<usize> {
    let stale = stale_pending(&ctx.db, stale_after, SWEEP_LIMIT).await?;
    let mut count = 0;
    for job in group_jobs(&stale) {
        let mut tx = shared::db::tenant_tx(&ctx.db, job.tenant_id).await?;
        request_push(&mut tx, &job.order_ids, Duration::ZERO).await?;
        tx.commit().await?;
        count += job.order_ids.len();
        tracing::info!(
            tenant_id = %job.tenant_id,
            connection_id = %job.connection_id,
            orders = job.order_ids.len(),
            "sweeper re-enqueued stale pending orders"
        );
        ctx.queues.push_orders(job, None).await?;
    }
    Ok(count)
}

/// Samples the queue depth gauge.
async fn sample_depth(ctx: &JobContext) -> anyhow::Result<()> {
    let depth = ctx.queues.order_push_depth().await?;
    ctx.metrics
        .queue_depth
        .with_label_values(&[ORDER_PUSH_QUEUE])
        .set(depth);
    Ok(())
}

/// Sweeps every `period` until `stop` is cancelled.
pub async fn run(
    ctx: JobContext,
    period: Duration,
    stale_after: Duration,
    stop: CancellationToken,
) {
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        if let Err(e) = sample_depth(&ctx).await {
            tracing::warn!(error = format!("{e:#}"), "queue depth unavailable");
        }
        match take_lock(&ctx, period).await {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => {
                tracing::warn!(error = %e, "sweeper lock unavailable");
                continue;
            }
        }
        if let Err(e) = sweep_once(&ctx, stale_after).await {
            tracing::warn!(error = format!("{e:#}"), "sweep failed");
        }
        if let Err(e) = ctx.queues.vacuum().await {
            tracing::warn!(error = format!("{e:#}"), "clearing finished jobs failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_orders_become_jobs_of_at_most_100_per_connection() {
        let (t, a, b) = (TenantId::new(), ConnectionId::new(), ConnectionId::new());
        let mut stale: Vec<StalePending> = (0..150)
            .map(|_| StalePending {
                tenant_id: t,
                connection_id: a,
                order_id: OrderId::new(),
            })
            .collect();
        stale.push(StalePending {
            tenant_id: t,
            connection_id: b,
            order_id: OrderId::new(),
        });
        let jobs = group_jobs(&stale);
        assert_eq!(jobs.len(), 3);
        let mut sizes: Vec<usize> = jobs.iter().map(|j| j.order_ids.len()).collect();
        sizes.sort_unstable();
        assert_eq!(sizes, vec![1, 50, 100]);
        assert!(jobs.iter().all(|j| j.order_ids.iter().all(|id| stale
            .iter()
            .any(|s| s.order_id == *id && s.connection_id == j.connection_id))));
    }
}
