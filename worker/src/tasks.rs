//! The apalis task functions: thin wrappers that open the job's span (child of the trace
//! carried in the payload), run the plain job function and count the outcome.

use apalis::prelude::{BoxDynError, Data, TaskId};
use shared::jobs::{OrderPushV1, TrackingPullV1};
use tracing::Instrument;

use crate::context::JobContext;
use crate::push::{count_job, push_orders};
use crate::tracking::{count_job as count_pull, pull_tracking};

/// apalis entry of the order-push queue.
pub async fn order_push_task(
    job: OrderPushV1,
    ctx: Data<JobContext>,
    task_id: TaskId,
) -> Result<(), BoxDynError> {
    let span = tracing::info_span!(
        "order_push",
        tenant_id = %job.tenant_id,
        connection_id = %job.connection_id,
        job_id = %task_id,
        orders = job.order_ids.len(),
    );
    // One trace from the api through this job to ShipStation.
    shared::telemetry::attach_parent(&span, &job.trace);
    let result = push_orders(&ctx, &job).instrument(span.clone()).await;
    count_job(&ctx, &result);
    let _enter = span.enter();
    match result {
        Ok(report) => {
            tracing::info!(
                pushed = report.pushed,
                failed = report.failed,
                locked = report.locked,
                calls = report.calls,
                deferred_secs = report.deferred_for.map(|d| d.as_secs()),
                retry_secs = report.retry_in.map(|d| d.as_secs()),
                "order push finished"
            );
            Ok(())
        }
        Err(e) => {
            // apalis re-schedules failed tasks (a few seconds later, bounded); the sweeper
            // is the backstop after that.
            tracing::error!(
                error = format!("{e:#}"),
                "order push failed; apalis will retry"
            );
            Err(e.into())
        }
    }
}

/// apalis entry of the tracking-pull queue.
pub async fn tracking_pull_task(
    job: TrackingPullV1,
    ctx: Data<JobContext>,
    task_id: TaskId,
) -> Result<(), BoxDynError> {
    let span = tracing::info_span!(
        "tracking_pull",
        tenant_id = %job.tenant_id,
        connection_id = %job.connection_id,
        job_id = %task_id,
        reason = ?job.reason,
    );
    shared::telemetry::attach_parent(&span, &job.trace);
    let result = pull_tracking(&ctx, &job).instrument(span.clone()).await;
    count_pull(&ctx, &result);
    let _enter = span.enter();
    match result {
        Ok(report) => {
            tracing::info!(
                pages = report.pages,
                matched = report.matched,
                unmatched = report.unmatched,
                write_backs = report.write_backs,
                busy = report.busy,
                skipped = report.skipped,
                deferred_secs = report.deferred_for.map(|d| d.as_secs()),
                error = report.error.as_deref(),
                "tracking pull finished"
            );
            Ok(())
        }
        Err(e) => {
            tracing::error!(
                error = format!("{e:#}"),
                "tracking pull failed; apalis will retry"
            );
            Err(e.into())
        }
    }
}
