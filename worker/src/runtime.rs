//! The worker process: metrics server, sweeper, tracking-pull scheduler, and the apalis
//! order-push and tracking-pull workers, with a graceful shutdown on SIGTERM/SIGINT.
//!
//! Liveness of jobs: apalis-redis keeps each fetched job in the fetching worker's in-flight
//! set and the worker's heartbeat in a sorted set. Every heartbeat (`WORKER_HEARTBEAT_SECS`,
//! 5 s) each worker also re-enqueues the in-flight jobs of workers silent for more than
//! heartbeat × [`MISSED_HEARTBEATS`](crate::config::MISSED_HEARTBEATS) (15 s). So the job of a
//! worker killed with SIGKILL mid-push runs again on another replica 15–20 s later; the
//! sweeper re-enqueues anything still pending after `SWEEPER_STALE_AFTER_SECS` as a backstop.

use std::future::Future;
use std::time::Duration;

use apalis::layers::WorkerBuilderExt;
use apalis::prelude::{BackendExt, Monitor, WorkerBuilder};
use shared::config::Settings;
use shared::metrics::Metrics;
use tokio_util::sync::CancellationToken;

use crate::config::WorkerConfig;
use crate::context::JobContext;
use crate::queue_metrics::{self, QueueGauges};
use crate::server::MetricsServer;
use crate::sweeper;
use crate::tasks::{order_push_task, tracking_pull_task};
use crate::tracking::scheduler;

/// Restarts of a worker whose backend failed (Redis gone) before the process gives up.
const MAX_RESTARTS: usize = 20;

/// Runs the order-push and tracking-pull workers until `shutdown` completes, then stops fetching and lets the
/// jobs in flight finish for up to `timeout`. Jobs still running after that are abandoned in
/// Redis and re-enqueued by another replica once this one's heartbeat has expired.
pub async fn run_workers(
    ctx: JobContext,
    shutdown: impl Future<Output = ()> + Send + 'static,
    timeout: Duration,
) -> anyhow::Result<()> {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let c = ctx.clone();
    let monitor = Monitor::new()
        .register(move |run| {
            WorkerBuilder::new(format!("order-push-{id}-{run}"))
                .backend(c.queues.order_push_storage().poll_with_interval(c.config.poll_interval))
                .data(c.clone())
                .concurrency(c.config.concurrency.max(1))
                .build(order_push_task)
        })
        .register({
            let c = ctx.clone();
            let id = uuid::Uuid::new_v4().simple().to_string();
            move |run| {
                WorkerBuilder::new(format!("tracking-pull-{id}-{run}"))
                    .backend(
                        c.queues
                            .tracking_pull_storage()
                            .poll_with_interval(c.config.poll_interval),
                    )
                    .data(c.clone())
                    .concurrency(c.config.concurrency.max(1))
                    .build(tracking_pull_task)
            }
        })
        .should_restart(|worker, error| {
            tracing::warn!(worker = worker.name(), %error, restarts = worker.restarts(), "worker stopped; restarting");
            worker.restarts() < MAX_RESTARTS
        });
    let (signalled_tx, signalled_rx) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        shutdown.await;
        tracing::info!("shutting down: no new jobs; waiting for the running ones");
        let _ = signalled_tx.send(());
        Ok(())
    };
    tokio::select! {
        res = monitor.run_with_signal(signal) => {
            res.map_err(|e| anyhow::anyhow!("workers failed: {e}"))?;
            tracing::info!("workers stopped");
            Ok(())
        }
        _ = async {
            if signalled_rx.await.is_ok() {
                tokio::time::sleep(timeout).await;
            } else {
                std::future::pending::<()>().await;
            }
        } => {
            tracing::warn!(timeout_secs = timeout.as_secs(), "shutdown timeout; abandoning running jobs to other replicas");
            Ok(())
        }
    }
}

/// Completes on SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

/// The whole worker process: connects, serves metrics, sweeps, and runs jobs until
/// `shutdown` completes.
pub async fn run_with(
    settings: Settings,
    config: WorkerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let pool_size = u32::try_from(config.concurrency + 4).unwrap_or(16);
    let db = shared::db::connect(settings.database_url(), pool_size).await?;
    let redis = apalis_redis::connect(settings.redis_url()).await?;
    let metrics = Metrics::new();
    let gauges = QueueGauges::new()?;
    let server = MetricsServer::start_with(
        settings.metrics_addr,
        metrics.clone(),
        vec![gauges.registry().clone()],
        db.clone(),
        redis.clone(),
    )?;
    let ctx = JobContext::new(&settings, config.clone(), db, redis, metrics);
    tracing::info!(
        namespace = %settings.redis_namespace,
        concurrency = config.concurrency,
        rate_limit = config.rate_limit,
        "worker started"
    );
    let stop = CancellationToken::new();
    let sweeper = tokio::spawn(sweeper::run(
        ctx.clone(),
        config.sweeper_interval,
        settings.sweeper_stale_after,
        stop.clone(),
    ));
    let scheduler = tokio::spawn(scheduler::run(
        ctx.clone(),
        settings.tracking_poll_interval,
        stop.clone(),
    ));
    let sampler = tokio::spawn(queue_metrics::run(
        ctx.redis.clone(),
        ctx.namespace.clone(),
        config.clone(),
        ctx.metrics.clone(),
        gauges,
        stop.clone(),
    ));
    let result = run_workers(ctx, shutdown, settings.shutdown_timeout).await;
    stop.cancel();
    let _ = sampler.await;
    let _ = sweeper.await;
    let _ = scheduler.await;
    server.stop().await;
    result
}

/// [`run_with`] the worker's environment configuration until SIGTERM/SIGINT.
pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let config = WorkerConfig::from_env()?;
    run_with(settings, config, shutdown_signal()).await
}
