//! The tracking-pull job: read a connection's new (and newly voided) label shipments from
//! ShipStation, record them against its orders, and queue the write-backs the next Web
//! Connector session delivers to QuickBooks.
//!
//! At most one pull runs per connection ([`lock`]); a pull that finds its connection busy asks
//! the running one to go again when it finishes, so a webhook is never lost. At most one pull
//! per connection waits in the queue (the queued flag of [`enqueue`]). Every request goes
//! through the per-API-key limiter; out of budget, the pull is re-scheduled. Idempotent: the
//! same shipments seen twice change nothing.

pub mod lock;
pub mod pull;
pub mod query;
pub mod reconcile;
pub mod record;
pub mod scheduler;

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::ids::{ConnectionId, TenantId};
use shared::jobs::{PullReason, TrackingPullV1, TRACKING_PULL_QUEUE};

use crate::context::JobContext;

/// What one run of the job did.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct PullReport {
    /// `GET /shipments` pages read.
    pub pages: usize,
    /// Shipments of this connection's orders.
    pub matched: usize,
    /// Shipments of orders Quayside does not know (ignored).
    pub unmatched: usize,
    /// Write-backs created or replaced.
    pub write_backs: usize,
    /// The watermark after the run, when it moved.
    pub watermark: Option<DateTime<Utc>>,
    /// A catch-up pass re-read the labels created since this time.
    pub caught_up_from: Option<DateTime<Utc>>,
    /// Another pull held the connection; it will run again when done.
    pub busy: bool,
    /// Nothing to do (connection gone or inactive, or no order in ShipStation yet).
    pub skipped: bool,
    /// Out of budget: re-scheduled after this long.
    pub deferred_for: Option<Duration>,
    /// ShipStation's error that ended the run (the next scheduled pull tries again).
    pub error: Option<String>,
}

impl PullReport {
    /// The `jobs_total` outcome label.
    pub fn outcome(&self) -> &'static str {
        if self.deferred_for.is_some() {
            "deferred"
        } else if self.error.is_some() {
            "failed"
        } else if self.busy || self.skipped {
            "skipped"
        } else {
            "ok"
        }
    }
}

/// Enqueues a pull of `connection` unless one is already waiting; `Ok(false)` when one was.
pub async fn enqueue(
    ctx: &JobContext,
    tenant: TenantId,
    connection: ConnectionId,
    reason: PullReason,
    delay: Option<Duration>,
) -> anyhow::Result<bool> {
    let ttl = lock::QUEUED_TTL + delay.unwrap_or_default();
    if !lock::mark_queued(&ctx.redis, &ctx.namespace, connection, ttl).await? {
        return Ok(false);
    }
    let job = TrackingPullV1 {
        tenant_id: tenant,
        connection_id: connection,
        reason,
        trace: shared::telemetry::current_trace_context(),
    };
    if let Err(e) = ctx.queues.push_tracking(job, delay).await {
        let _ = lock::clear_queued(&ctx.redis, &ctx.namespace, connection).await;
        return Err(e);
    }
    Ok(true)
}

/// Runs one tracking-pull job. Errors are infrastructure failures (Postgres, Redis);
/// ShipStation's own answers are in the report.
pub async fn pull_tracking(ctx: &JobContext, job: &TrackingPullV1) -> anyhow::Result<PullReport> {
    // This job is the queued one: from now on a new request must queue another.
    lock::clear_queued(&ctx.redis, &ctx.namespace, job.connection_id).await?;
    let Some(held) = lock::acquire(&ctx.redis, &ctx.namespace, job.connection_id).await? else {
        lock::request_rerun(&ctx.redis, &ctx.namespace, job.connection_id).await?;
        tracing::info!("another tracking pull is running for the connection; it will run again");
        return Ok(PullReport {
            busy: true,
            ..PullReport::default()
        });
    };
    let result = pull::run(ctx, job, &held).await;
    if let Err(e) = held.release(&ctx.redis).await {
        tracing::warn!(error = %e, "could not release the tracking-pull lock; it will expire");
    }
    if lock::take_rerun(&ctx.redis, &ctx.namespace, job.connection_id).await? {
        enqueue(ctx, job.tenant_id, job.connection_id, job.reason, None).await?;
    }
    result
}

/// Counts a finished job run in the metrics.
pub fn count_job(ctx: &JobContext, result: &anyhow::Result<PullReport>) {
    let outcome = match result {
        Err(_) => "retry",
        Ok(r) => r.outcome(),
    };
    ctx.metrics
        .jobs
        .with_label_values(&[TRACKING_PULL_QUEUE, outcome])
        .inc();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_name_what_happened() {
        assert_eq!(PullReport::default().outcome(), "ok");
        let busy = PullReport {
            busy: true,
            ..PullReport::default()
        };
        assert_eq!(busy.outcome(), "skipped");
        let deferred = PullReport {
            deferred_for: Some(Duration::from_secs(3)),
            ..PullReport::default()
        };
        assert_eq!(deferred.outcome(), "deferred");
        let failed = PullReport {
            error: Some("500".into()),
            ..PullReport::default()
        };
        assert_eq!(failed.outcome(), "failed");
    }
}
