//! The order-push job: send a connection's pending orders (≤ 100) to ShipStation in one
//! `POST /orders/createorders` and record what happened to each.
//!
//! At-least-once and idempotent: only orders still `pending` are read, and ShipStation upserts
//! on the order key, so a job run twice updates the same orders. Out of rate budget, the job is
//! re-scheduled for when the budget returns instead of sleeping on a worker slot.

mod load;
mod prepare;
mod record;
mod send;
mod store;

use std::time::Duration;

use secrecy::SecretString;
use serde::Serialize;
use shared::ids::OrderId;
use shared::jobs::{OrderPushV1, ORDER_PUSH_QUEUE};
use shared::shipstation::client::ShipStationClient;

pub use prepare::{is_locked_error, is_locked_status};
pub use send::{backoff, with_jitter, UNAUTHORIZED_MESSAGE};

use crate::context::JobContext;
use crate::limiter::bucket_for_key;
use prepare::{mapping_context, plan, Plan};
use send::Session;
use store::StoreWait;

/// What one run of the job did.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct PushReport {
    /// Orders now `pushed`.
    pub pushed: usize,
    /// Orders now `failed`.
    pub failed: usize,
    /// Shipped or cancelled orders that ShipStation kept unchanged.
    pub locked: usize,
    /// Orders of voided sales cancelled in ShipStation (now `skipped`).
    pub cancelled: usize,
    /// Orders `skipped`: sync to ShipStation is off, or the sale was voided before it was sent.
    pub skipped: usize,
    /// `createorders` calls made.
    pub calls: usize,
    /// Out of budget: the rest was re-scheduled after this long.
    pub deferred_for: Option<Duration>,
    /// ShipStation unavailable: the rest was re-scheduled after this long.
    pub retry_in: Option<Duration>,
}

/// Message for orders whose connection's credentials cannot be opened.
const UNREADABLE_CREDENTIALS: &str =
    "Quayside could not read the stored ShipStation API key and secret; enter them again";

/// Runs one order-push job. Errors are infrastructure failures (Postgres, Redis) and are
/// retried by the caller; every ShipStation outcome is recorded and returns `Ok`.
pub async fn push_orders(ctx: &JobContext, job: &OrderPushV1) -> anyhow::Result<PushReport> {
    let ids: Vec<OrderId> = job
        .order_ids
        .iter()
        .copied()
        .take(shared::jobs::MAX_ORDERS_PER_PUSH)
        .collect();
    if job.order_ids.len() > ids.len() {
        // A producer bug; send the rest in a job of its own rather than drop it.
        let rest = OrderPushV1 {
            order_ids: job.order_ids[ids.len()..].to_vec(),
            ..job.clone()
        };
        ctx.queues.push_orders(rest, None).await?;
    }
    let mut tx = shared::db::tenant_tx(&ctx.db, job.tenant_id).await?;
    let batch = load::load(&mut tx, job.connection_id, &ids).await?;
    tx.commit().await?;
    let Some(batch) = batch else {
        tracing::info!("connection is gone; nothing to push");
        return Ok(PushReport::default());
    };
    if batch.orders.is_empty() {
        return Ok(PushReport::default());
    }

    let creds = (
        ctx.secret_keys
            .open_string(&batch.connection.api_key_sealed),
        ctx.secret_keys
            .open_string(&batch.connection.api_secret_sealed),
    );
    let (Ok(key), Ok(secret)) = creds else {
        let mut s = session_without_client(ctx, job);
        s.fail_all(
            batch.orders.iter().map(|o| (o.id, Vec::new())).collect(),
            UNREADABLE_CREDENTIALS,
        )
        .await?;
        return Ok(s.report);
    };
    let bucket = bucket_for_key(&key);
    let client = ShipStationClient::new(
        ctx.http.clone(),
        &batch.connection.base_url,
        SecretString::from(key),
        SecretString::from(secret),
    );
    let mut s = Session {
        ctx,
        job,
        client,
        bucket,
        report: PushReport::default(),
    };

    if batch.connection.status == "invalid_credentials" {
        s.fail_all(
            batch.orders.iter().map(|o| (o.id, Vec::new())).collect(),
            UNAUTHORIZED_MESSAGE,
        )
        .await?;
        return Ok(s.report);
    }
    let mut batch = batch;
    if !batch.settings.sync_orders_to_shipstation {
        // Test sales go through the switch: trying a sale before turning the sync on is
        // what they are for.
        let (tests, off): (Vec<_>, Vec<_>) = batch.orders.into_iter().partition(|o| o.test_sale);
        let mut tx = shared::db::tenant_tx(&ctx.db, job.tenant_id).await?;
        for o in &off {
            record::skipped(
                &mut tx,
                job.tenant_id,
                o.id,
                "Sending to ShipStation is turned off in the sync settings.",
            )
            .await?;
        }
        tx.commit().await?;
        s.report.skipped = off.len();
        if tests.is_empty() {
            return Ok(s.report);
        }
        batch.orders = tests;
    }

    let store = match batch.settings.store_id {
        Some(id) => Some(id),
        None => match s.manual_store().await? {
            Ok(store) => store,
            Err(wait) => {
                let all: Vec<_> = batch.orders.iter().map(|o| (o.id, Vec::new())).collect();
                match wait {
                    StoreWait::Budget(d) => {
                        s.report.deferred_for = Some(
                            s.requeue(all.into_iter().map(|(id, _)| id).collect(), d)
                                .await?,
                        );
                    }
                    StoreWait::Call(e) => s.stop_on(e, all).await?,
                }
                return Ok(s.report);
            }
        },
    };

    let mctx = mapping_context(job.connection_id, &batch.settings, store);
    let mut to_send = Vec::new();
    let mut tx = shared::db::tenant_tx(&ctx.db, job.tenant_id).await?;
    for pending in batch.orders {
        match plan(pending, &mctx, &batch.rules) {
            Plan::Send(p) => to_send.push(*p),
            Plan::Fail {
                pending,
                message,
                events,
            } => {
                record::failed(&mut tx, job.tenant_id, pending.id, &message, &events).await?;
                s.report.failed += 1;
                ctx.metrics
                    .orders_pushed
                    .with_label_values(&["failed"])
                    .inc();
            }
            Plan::Skip { pending, reason } => {
                record::skipped(&mut tx, job.tenant_id, pending.id, reason).await?;
                s.report.skipped += 1;
                ctx.metrics
                    .orders_pushed
                    .with_label_values(&["skipped"])
                    .inc();
            }
            Plan::Locked { pending, message } => {
                record::locked(&mut tx, job.tenant_id, pending.id, &message).await?;
                s.report.locked += 1;
                ctx.metrics
                    .orders_pushed
                    .with_label_values(&["locked"])
                    .inc();
            }
        }
    }
    tx.commit().await?;
    if s.keep_shipstation_edits(&mut to_send).await? {
        s.send(to_send).await?;
    }
    Ok(s.report)
}

fn session_without_client<'a>(ctx: &'a JobContext, job: &'a OrderPushV1) -> Session<'a> {
    let client = ShipStationClient::new(
        ctx.http.clone(),
        "http://invalid.invalid",
        SecretString::from(String::new()),
        SecretString::from(String::new()),
    );
    Session {
        ctx,
        job,
        client,
        bucket: String::new(),
        report: PushReport::default(),
    }
}

/// Counts a finished job run in the metrics.
pub fn count_job(ctx: &JobContext, result: &anyhow::Result<PushReport>) {
    let outcome = match result {
        Err(_) => "retry",
        Ok(r) if r.deferred_for.is_some() => "deferred",
        Ok(r) if r.retry_in.is_some() => "retry",
        Ok(r) if r.failed > 0 => "failed",
        Ok(_) => "ok",
    };
    ctx.metrics
        .jobs
        .with_label_values(&[ORDER_PUSH_QUEUE, outcome])
        .inc();
}
