//! Sending prepared orders: one `createorders` call per batch, bisected on a whole-request
//! 400, with every ShipStation outcome turned into order states or a re-scheduled job.

use std::time::Duration;

use rand::Rng;
use shared::ids::OrderId;
use shared::jobs::{OrderPushV1, ORDER_PUSH_QUEUE};
use shared::mapping::shipstation_edits::keep_shipstation_edits;
use shared::shipstation::client::{RateInfo, ShipStationClient};
use shared::shipstation::error::ShipStationError;
use shared::shipstation::model::{CreateOrderResult, CreateOrdersResponse};

use super::prepare::{is_locked_error, Event, Prepared, VOIDED_CANCELLED};
use super::record::{self, Pushed};
use super::PushReport;
use crate::context::JobContext;
use crate::limiter::Permit;

/// `last_error` when ShipStation refuses the key and secret.
pub const UNAUTHORIZED_MESSAGE: &str =
    "ShipStation refused the connection's API key and secret; update them in Quayside";

/// Longest wait between two transient retries.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// One job's conversation with ShipStation.
pub struct Session<'a> {
    pub ctx: &'a JobContext,
    pub job: &'a OrderPushV1,
    pub client: ShipStationClient,
    /// The limiter bucket of the connection's API key.
    pub bucket: String,
    pub report: PushReport,
}

/// `delay` plus up to a quarter of it (at least 250 ms) of random jitter.
pub fn with_jitter(delay: Duration) -> Duration {
    let spread = (delay / 4).max(Duration::from_millis(250));
    let ms = u64::try_from(spread.as_millis()).unwrap_or(u64::MAX);
    delay + Duration::from_millis(rand::thread_rng().gen_range(0..=ms))
}

/// Exponential backoff for the `attempt`-th transient failure (1-based), before jitter.
pub fn backoff(base: Duration, attempt: u32) -> Duration {
    let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(16));
    base.saturating_mul(factor).min(MAX_BACKOFF)
}

impl Session<'_> {
    async fn tx(&self) -> anyhow::Result<shared::db::Tx> {
        Ok(shared::db::tenant_tx(&self.ctx.db, self.job.tenant_id).await?)
    }

    pub(super) fn count_call(&self, endpoint: &str, err: Option<&ShipStationError>) {
        let status = match err {
            None => "200".to_owned(),
            Some(ShipStationError::RateLimited { .. }) => "429".to_owned(),
            Some(ShipStationError::Unauthorized) => "401".to_owned(),
            Some(ShipStationError::Rejected { status, .. }) => status.to_string(),
            Some(ShipStationError::Transient(_)) => "error".to_owned(),
        };
        self.ctx
            .metrics
            .shipstation_requests
            .with_label_values(&[endpoint, &status])
            .inc();
    }

    pub(super) async fn observe(&self, rate: &RateInfo) {
        if let Some(r) = rate.remaining {
            self.ctx
                .metrics
                .shipstation_budget_remaining
                .with_label_values(&[&self.job.connection_id.to_string()])
                .set(i64::from(r));
        }
        if let Err(e) = self.ctx.limiter.observe(&self.bucket, rate).await {
            tracing::warn!(error = %e, "could not record ShipStation's rate-limit headers");
        }
    }

    /// Re-enqueues `orders` to run after `delay` (jittered), moving their push intent so the
    /// sweeper does not count them stale meanwhile.
    pub async fn requeue(
        &mut self,
        orders: Vec<OrderId>,
        delay: Duration,
    ) -> anyhow::Result<Duration> {
        let delay = with_jitter(delay);
        let mut tx = self.tx().await?;
        shared::db::orders::request_push(&mut tx, &orders, delay).await?;
        tx.commit().await?;
        let job = OrderPushV1 {
            tenant_id: self.job.tenant_id,
            connection_id: self.job.connection_id,
            order_ids: orders,
            trace: self.job.trace.clone(),
        };
        self.ctx.queues.push_orders(job, Some(delay)).await?;
        Ok(delay)
    }

    /// Marks each order failed with `message`.
    pub async fn fail_all(
        &mut self,
        orders: Vec<(OrderId, Vec<Event>)>,
        message: &str,
    ) -> anyhow::Result<()> {
        let mut tx = self.tx().await?;
        for (id, notes) in &orders {
            record::failed(&mut tx, self.job.tenant_id, *id, message, notes).await?;
        }
        tx.commit().await?;
        self.report.failed += orders.len();
        self.ctx
            .metrics
            .orders_pushed
            .with_label_values(&["failed"])
            .inc_by(orders.len() as u64);
        Ok(())
    }

    /// Handles a ShipStation error that stops the whole job; `rest` is every order not yet
    /// settled. Returns `true` when the job is over.
    pub async fn stop_on(
        &mut self,
        err: ShipStationError,
        rest: Vec<(OrderId, Vec<Event>)>,
    ) -> anyhow::Result<()> {
        let ids: Vec<OrderId> = rest.iter().map(|(id, _)| *id).collect();
        match err {
            ShipStationError::RateLimited { reset } => {
                self.ctx.limiter.block_for(&self.bucket, reset).await?;
                self.report.deferred_for = Some(self.requeue(ids, reset).await?);
            }
            ShipStationError::Transient(message) => {
                let mut tx = self.tx().await?;
                let attempts = record::bump_attempts(&mut tx, &ids).await?;
                tx.commit().await?;
                let attempts = u32::try_from(attempts.max(1)).unwrap_or(1);
                if attempts >= self.ctx.config.max_attempts {
                    let msg = format!("ShipStation was unavailable: {message}");
                    self.fail_all(rest, &msg).await?;
                } else {
                    let wait = backoff(self.ctx.config.retry_base, attempts);
                    tracing::warn!(%message, attempts, "ShipStation unavailable; retrying later");
                    if attempts >= 2 && ids.len() > 1 {
                        // A 500 that persists can be one order's data rather than an outage
                        // (ShipStation answers some bad carrier data that way): from the second
                        // attempt the orders go on in halves, so a bad one is isolated and the
                        // others delivered.
                        let mut first = ids;
                        let second = first.split_off(first.len() / 2);
                        self.requeue(second, wait).await?;
                        self.report.retry_in = Some(self.requeue(first, wait).await?);
                    } else {
                        self.report.retry_in = Some(self.requeue(ids, wait).await?);
                    }
                }
            }
            ShipStationError::Unauthorized => {
                self.fail_all(rest, UNAUTHORIZED_MESSAGE).await?;
                let mut tx = self.tx().await?;
                record::invalid_credentials(&mut tx, self.job.connection_id).await?;
                tx.commit().await?;
            }
            ShipStationError::Rejected { message, .. } => self.fail_all(rest, &message).await?,
        }
        Ok(())
    }

    /// Out of budget: `orders` go again once the key has requests left.
    async fn defer(&mut self, orders: Vec<OrderId>, wait: Duration) -> anyhow::Result<()> {
        self.report.deferred_for = Some(self.requeue(orders, wait).await?);
        self.ctx
            .metrics
            .jobs
            .with_label_values(&[ORDER_PUSH_QUEUE, "deferred"])
            .inc();
        Ok(())
    }

    /// Reads the ShipStation order behind every update in `orders` and keeps what staff set
    /// there (see `shared::mapping::shipstation_edits`). `false` when the job was re-scheduled
    /// or stopped instead (out of budget, a 429, credentials refused).
    pub async fn keep_shipstation_edits(
        &mut self,
        orders: &mut [Prepared],
    ) -> anyhow::Result<bool> {
        for i in 0..orders.len() {
            let Some(id) = orders[i]
                .pending
                .shipstation_order_id
                .filter(|_| !orders[i].cancels)
            else {
                continue;
            };
            if let Permit::Wait(wait) = self.ctx.limiter.acquire(&self.bucket).await? {
                let ids = orders.iter().map(|p| p.pending.id).collect();
                self.defer(ids, wait).await?;
                return Ok(false);
            }
            self.report.calls += 1;
            let fetched = self.client.get_order(id).await;
            if let (Err(_), Some(rate)) = (&fetched, self.client.last_rate()) {
                self.observe(&rate).await;
            }
            match fetched {
                Ok(answer) => {
                    self.count_call("orders", None);
                    self.observe(&answer.rate).await;
                    let p = &mut orders[i];
                    let kept = keep_shipstation_edits(&mut p.order, &answer.body);
                    if !kept.is_empty() {
                        p.events.push((
                            "note",
                            format!("Kept from ShipStation: {}.", kept.join(", ")),
                        ));
                    }
                }
                // Gone (deleted in ShipStation), unreadable, or the read failed: the sale's
                // order goes as it is. A failed read must not hold the update back: the
                // update is what the user asked for, and the createorders call that follows
                // meets any real outage itself.
                Err(e @ (ShipStationError::Rejected { .. } | ShipStationError::Transient(_))) => {
                    self.count_call("orders", Some(&e));
                    tracing::info!(error = %e, "ShipStation order not readable; sent from the sale alone");
                }
                Err(e) => {
                    self.count_call("orders", Some(&e));
                    let rest = orders
                        .iter()
                        .map(|p| (p.pending.id, p.events.clone()))
                        .collect();
                    self.stop_on(e, rest).await?;
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    /// Sends `orders` in one `createorders` call, bisecting on a whole-request 400.
    pub async fn send(&mut self, orders: Vec<Prepared>) -> anyhow::Result<()> {
        let mut stack = vec![orders];
        while let Some(batch) = stack.pop() {
            if batch.is_empty() {
                continue;
            }
            if let Permit::Wait(wait) = self.ctx.limiter.acquire(&self.bucket).await? {
                let ids = stack
                    .iter()
                    .flatten()
                    .chain(&batch)
                    .map(|p| p.pending.id)
                    .collect();
                self.defer(ids, wait).await?;
                return Ok(());
            }
            let body: Vec<_> = batch.iter().map(|p| p.order.clone()).collect();
            self.report.calls += 1;
            let answer = self.client.create_orders(&body).await;
            if let (Err(_), Some(rate)) = (&answer, self.client.last_rate()) {
                // An error's headers count too: a 400 or 500 still spent a request.
                self.observe(&rate).await;
            }
            match answer {
                Ok(answer) => {
                    self.count_call("createorders", None);
                    self.observe(&answer.rate).await;
                    self.record_results(batch, answer.body).await?;
                }
                Err(ShipStationError::Rejected {
                    status: 400,
                    message,
                }) if batch.len() > 1 => {
                    self.count_call(
                        "createorders",
                        Some(&ShipStationError::Rejected {
                            status: 400,
                            message: message.clone(),
                        }),
                    );
                    tracing::info!(size = batch.len(), %message, "createorders refused the batch; bisecting");
                    let mut first = batch;
                    let second = first.split_off(first.len() / 2);
                    stack.push(second);
                    stack.push(first);
                }
                Err(ShipStationError::Rejected {
                    status: 400,
                    message,
                }) => {
                    self.count_call(
                        "createorders",
                        Some(&ShipStationError::Rejected {
                            status: 400,
                            message: message.clone(),
                        }),
                    );
                    // One order refused by the whole request is judged like a refused element:
                    // an update of an order ShipStation has locked (shipped or cancelled there)
                    // is `locked`, a void's cancel of an order cancelled already is done, the
                    // rest failed. Which of the two ways ShipStation refuses a locked update is
                    // unconfirmed (shipstation.md 3.2), so both are read the same way.
                    let refused = CreateOrdersResponse {
                        has_errors: true,
                        results: batch
                            .iter()
                            .map(|p| CreateOrderResult {
                                order_id: None,
                                order_number: None,
                                order_key: Some(p.pending.order_key.clone()),
                                success: false,
                                error_message: Some(message.clone()),
                            })
                            .collect(),
                    };
                    self.record_results(batch, refused).await?;
                }
                Err(e) => {
                    self.count_call("createorders", Some(&e));
                    let per_batch = matches!(e, ShipStationError::Rejected { .. });
                    let rest = if per_batch {
                        // Only this batch is at fault; the others still go.
                        batch
                            .into_iter()
                            .map(|p| (p.pending.id, p.events))
                            .collect()
                    } else {
                        stack
                            .drain(..)
                            .flatten()
                            .chain(batch)
                            .map(|p| (p.pending.id, p.events))
                            .collect()
                    };
                    self.stop_on(e, rest).await?;
                    if !per_batch {
                        return Ok(());
                    }
                }
            }
        }
        Ok(())
    }

    async fn record_results(
        &mut self,
        batch: Vec<Prepared>,
        resp: CreateOrdersResponse,
    ) -> anyhow::Result<()> {
        let tenant = self.job.tenant_id;
        let mut tx = self.tx().await?;
        let (mut pushed, mut failed, mut locked, mut cancelled) = (0u64, 0u64, 0u64, 0u64);
        for (i, p) in batch.iter().enumerate() {
            let result = result_for(&resp, &p.pending.order_key, i, batch.len());
            match result {
                Some(r) if r.success && r.order_id.is_some_and(|id| id > 0) => {
                    let number = r.order_number.as_deref().unwrap_or(&p.order.order_number);
                    let done = Pushed {
                        order: p.pending.id,
                        shipstation_order_id: r.order_id.unwrap_or_default(),
                        order_number: number,
                        store_id: p.pending.store_id.or(p.order.advanced_options.store_id),
                        pushed_hash: &p.pending.content_hash,
                    };
                    if p.cancels {
                        record::cancelled(&mut tx, tenant, &done, VOIDED_CANCELLED).await?;
                        cancelled += 1;
                    } else {
                        record::pushed(&mut tx, tenant, &done, &p.events).await?;
                        pushed += 1;
                    }
                }
                Some(r) => {
                    let message = r
                        .error_message
                        .clone()
                        .filter(|m| !m.trim().is_empty())
                        .unwrap_or_else(|| {
                            "ShipStation did not accept the order and gave no reason.".into()
                        });
                    let updating = p.pending.shipstation_order_id.is_some();
                    let lowered = message.to_lowercase();
                    let already_cancelled =
                        lowered.contains("cancelled") || lowered.contains("canceled");
                    if p.cancels && already_cancelled && is_locked_error(&message, updating) {
                        // Cancelled in ShipStation already: what the void asked for.
                        let done = Pushed {
                            order: p.pending.id,
                            shipstation_order_id: p
                                .pending
                                .shipstation_order_id
                                .unwrap_or_default(),
                            order_number: &p.order.order_number,
                            store_id: p.pending.store_id,
                            pushed_hash: &p.pending.content_hash,
                        };
                        record::cancelled(&mut tx, tenant, &done, VOIDED_CANCELLED).await?;
                        cancelled += 1;
                    } else if is_locked_error(&message, updating) {
                        let note = format!("ShipStation kept its own copy of the order: {message}");
                        record::locked(&mut tx, tenant, p.pending.id, &note).await?;
                        locked += 1;
                    } else {
                        record::failed(&mut tx, tenant, p.pending.id, &message, &p.events).await?;
                        failed += 1;
                    }
                }
                None => {
                    let message = "ShipStation's answer did not mention the order.";
                    record::failed(&mut tx, tenant, p.pending.id, message, &p.events).await?;
                    failed += 1;
                }
            }
        }
        tx.commit().await?;
        let m = &self.ctx.metrics.orders_pushed;
        m.with_label_values(&["pushed"]).inc_by(pushed);
        m.with_label_values(&["failed"]).inc_by(failed);
        m.with_label_values(&["locked"]).inc_by(locked);
        m.with_label_values(&["cancelled"]).inc_by(cancelled);
        self.report.pushed += pushed as usize;
        self.report.failed += failed as usize;
        self.report.locked += locked as usize;
        self.report.cancelled += cancelled as usize;
        Ok(())
    }
}

/// The result of the order with `key`, sent at `position` of `sent`: the one naming its key;
/// else the one at the same position of an answer as long as the batch, if that one names no
/// key (a failed element may come back without it). A keyed answer that leaves an order out
/// never lends it another order's result.
fn result_for<'r>(
    resp: &'r CreateOrdersResponse,
    key: &str,
    position: usize,
    sent: usize,
) -> Option<&'r CreateOrderResult> {
    let unkeyed = |r: &CreateOrderResult| r.order_key.as_deref().is_none_or(str::is_empty);
    resp.results
        .iter()
        .find(|r| r.order_key.as_deref() == Some(key))
        .or_else(|| {
            (resp.results.len() == sent)
                .then(|| resp.results.get(position))
                .flatten()
                .filter(|r| unkeyed(r))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(results: serde_json::Value) -> CreateOrdersResponse {
        serde_json::from_value(serde_json::json!({"hasErrors": true, "results": results}))
            .expect("answer")
    }

    #[test]
    fn results_are_matched_by_key_then_by_position_when_unkeyed() {
        let resp = answer(serde_json::json!([
            {"orderKey": "k1", "success": true, "orderId": 11},
            {"orderKey": null, "success": false, "errorMessage": "Bad carrier"},
            {"orderKey": "k3", "success": true, "orderId": 13}
        ]));
        assert_eq!(
            result_for(&resp, "k3", 2, 3).and_then(|r| r.order_id),
            Some(13)
        );
        let failed = result_for(&resp, "k2", 1, 3).expect("by position");
        assert_eq!(failed.error_message.as_deref(), Some("Bad carrier"));
        // Another order's keyed result is never lent, nor a position of a shorter answer.
        assert!(result_for(&resp, "k9", 0, 3).is_none());
        assert!(result_for(&resp, "k2", 1, 4).is_none());
        // No keys at all: by position.
        let bare = answer(serde_json::json!([{"success": true, "orderId": 5}]));
        assert_eq!(
            result_for(&bare, "k1", 0, 1).and_then(|r| r.order_id),
            Some(5)
        );
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let base = Duration::from_secs(2);
        assert_eq!(backoff(base, 1), Duration::from_secs(2));
        assert_eq!(backoff(base, 2), Duration::from_secs(4));
        assert_eq!(backoff(base, 4), Duration::from_secs(16));
        assert_eq!(backoff(base, 30), MAX_BACKOFF);
    }

    #[test]
    fn jitter_only_adds_a_little() {
        for _ in 0..100 {
            let d = with_jitter(Duration::from_secs(8));
            assert!(d >= Duration::from_secs(8) && d <= Duration::from_secs(10));
        }
    }
}
