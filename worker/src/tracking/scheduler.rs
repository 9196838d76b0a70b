//! The tracking-pull scheduler: every `TRACKING_POLL_INTERVAL_SECS` each active connection
//! gets one pull, however many worker replicas run.
//!
//! Time is cut into periods of one interval, numbered by Redis' clock (so replicas agree
//! whatever their own clocks say). Each replica looks twice per interval; the first to look in
//! a period claims `(connection, period)` with `SET NX` and enqueues, the others find the claim
//! and do nothing. So a connection is scheduled at most once per period, and — since every
//! replica looks twice per period — at least once while any replica is alive.

use std::time::Duration;

use shared::ids::{ConnectionId, TenantId};
use shared::jobs::PullReason;
use tokio_util::sync::CancellationToken;

use super::enqueue;
use crate::context::JobContext;

/// The period number of `now_ms` for `interval`.
pub fn period_of(now_ms: u64, interval: Duration) -> u64 {
    let len = u64::try_from(interval.as_millis())
        .unwrap_or(u64::MAX)
        .max(1);
    now_ms / len
}

fn claim_key(namespace: &str, connection: ConnectionId, period: u64) -> String {
    format!("{namespace}:tracking-sched:{connection}:{period}")
}

/// Redis' clock, in milliseconds since the epoch.
async fn redis_now_ms(ctx: &JobContext) -> redis::RedisResult<u64> {
    let (secs, micros): (u64, u64) = redis::cmd("TIME")
        .query_async(&mut ctx.redis.clone())
        .await?;
    Ok(secs * 1000 + micros / 1000)
}

/// Claims this period for each connection; returns the ones this replica won.
async fn claim(
    ctx: &JobContext,
    connections: &[(ConnectionId, TenantId)],
    period: u64,
    interval: Duration,
) -> redis::RedisResult<Vec<(ConnectionId, TenantId)>> {
    if connections.is_empty() {
        return Ok(Vec::new());
    }
    let ttl = u64::try_from(interval.as_millis())
        .unwrap_or(u64::MAX / 2)
        .max(1)
        * 2;
    let mut pipe = redis::pipe();
    for (connection, _) in connections {
        pipe.cmd("SET")
            .arg(claim_key(&ctx.namespace, *connection, period))
            .arg(1)
            .arg("NX")
            .arg("PX")
            .arg(ttl);
    }
    let won: Vec<Option<String>> = pipe.query_async(&mut ctx.redis.clone()).await?;
    Ok(connections
        .iter()
        .zip(won)
        .filter(|(_, w)| w.is_some())
        .map(|(c, _)| *c)
        .collect())
}

/// One look: enqueues a pull for every active connection not yet scheduled this period.
/// Returns how many pulls this replica enqueued.
pub async fn tick(ctx: &JobContext, interval: Duration) -> anyhow::Result<usize> {
    let period = period_of(redis_now_ms(ctx).await?, interval);
    let active = shared::db::connections::active(&ctx.db).await?;
    let mine = claim(ctx, &active, period, interval).await?;
    let mut queued = 0;
    for (connection, tenant) in mine {
        match enqueue(ctx, tenant, connection, PullReason::Schedule, None).await {
            Ok(true) => queued += 1,
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(connection_id = %connection, error = format!("{e:#}"), "could not schedule a tracking pull")
            }
        }
    }
    if queued > 0 {
        tracing::debug!(period, queued, "tracking pulls scheduled");
    }
    Ok(queued)
}

/// Schedules pulls until `stop` is cancelled.
pub async fn run(ctx: JobContext, interval: Duration, stop: CancellationToken) {
    let look = (interval / 2).max(Duration::from_millis(250));
    let mut ticker = tokio::time::interval(look);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = ticker.tick() => {}
        }
        if let Err(e) = tick(&ctx, interval).await {
            tracing::warn!(error = format!("{e:#}"), "tracking scheduler tick failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_whole_intervals() {
        let five = Duration::from_secs(300);
        assert_eq!(period_of(0, five), 0);
        assert_eq!(period_of(299_999, five), 0);
        assert_eq!(period_of(300_000, five), 1);
        assert_eq!(period_of(1_000, Duration::ZERO), 1_000);
    }
}
