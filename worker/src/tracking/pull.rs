//! One pull under the connection's lock: page through the labels created since the watermark
//! (then those voided since, when the connection has live labels), record each page, and move
//! the watermark once every page is stored.

use std::time::Duration;

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use shared::db::tracking::{self, PullTarget};
use shared::jobs::TrackingPullV1;
use shared::shipstation::client::{Answer, RateInfo, ShipStationClient};
use shared::shipstation::error::ShipStationError;
use shared::shipstation::model::{Shipment, ShipmentsPage};

use super::lock::PullLock;
use super::query::{
    catch_up, fulfillment_as_shipment, fulfillments_query, parse_pacific, resource_query,
    shipments_query, start_from, CatchUp, Filter, PAGE_SIZE,
};
use super::record::record_page;
use super::{enqueue, PullReport};
use crate::context::JobContext;
use crate::limiter::{bucket_for_key, Permit};
use crate::push::with_jitter;

/// A pass never reads more pages than this (500 000 labels); the rest waits for the next run.
const MAX_PAGES: u32 = 1000;

/// Why a pass stopped before its last page.
enum Stop {
    /// Out of rate budget for this long.
    Budget(Duration),
    /// ShipStation answered with an error.
    Call(ShipStationError),
}

struct Pull<'a> {
    ctx: &'a JobContext,
    job: &'a TrackingPullV1,
    lock: &'a PullLock,
    target: PullTarget,
    client: ShipStationClient,
    bucket: String,
    report: PullReport,
}

/// Whether another page follows page `page` that returned `rows` rows.
pub fn has_more(page: u32, rows: usize, pages: i64) -> bool {
    if pages > 0 {
        // The server's count wins, whatever page size it actually used.
        return rows > 0 && i64::from(page) < pages;
    }
    // `pages` can be 0 even with results: then only a full page says there may be more.
    rows >= PAGE_SIZE as usize
}

/// Runs a pull (the caller holds the connection's lock).
pub async fn run(
    ctx: &JobContext,
    job: &TrackingPullV1,
    lock: &PullLock,
) -> anyhow::Result<PullReport> {
    let mut tx = shared::db::tenant_tx(&ctx.db, job.tenant_id).await?;
    let target = tracking::pull_target(&mut tx, job.connection_id).await?;
    tx.commit().await?;
    let skipped = PullReport {
        skipped: true,
        ..PullReport::default()
    };
    let Some(target) = target else {
        tracing::info!("connection is gone; nothing to pull");
        return Ok(skipped);
    };
    if target.connection.status != "active" || target.linked_orders == 0 {
        return Ok(skipped);
    }
    let keys = &ctx.secret_keys;
    let creds = (
        keys.open_string(&target.connection.api_key_sealed),
        keys.open_string(&target.connection.api_secret_sealed),
    );
    let (Ok(key), Ok(secret)) = creds else {
        tracing::error!("the connection's ShipStation credentials cannot be opened");
        return Ok(PullReport {
            error: Some("stored credentials unreadable".into()),
            ..PullReport::default()
        });
    };
    let client = ShipStationClient::new(
        ctx.http.clone(),
        &target.connection.base_url,
        SecretString::from(key.clone()),
        SecretString::from(secret),
    );
    let mut pull = Pull {
        ctx,
        job,
        lock,
        target,
        client,
        bucket: bucket_for_key(&key),
        report: PullReport::default(),
    };
    pull.run().await?;
    Ok(pull.report)
}

/// What a pass reads, page by page.
enum Source<'a> {
    /// Labels created (or voided) since a time.
    Shipments(Filter, DateTime<Utc>),
    /// The labels a SHIP_NOTIFY `resource_url` names (its checked query, without paging).
    Resource(&'a str),
    /// Orders marked shipped without a label, created since a time.
    Fulfillments(DateTime<Utc>),
}

/// One page as recorded: rows in the shape of labels, and the server's page count.
struct Page {
    rate: RateInfo,
    rows: Vec<Shipment>,
    pages: i64,
}

impl Pull<'_> {
    async fn run(&mut self) -> anyhow::Result<()> {
        let start = start_from(self.target.watermark, self.target.connection.created_at);
        if let Some(stop) = self.notified_pass().await? {
            return self.stop(stop).await;
        }
        let mut newest: Option<DateTime<Utc>> = None;
        let created = Source::Shipments(Filter::Created, start);
        if let Some(stop) = self.pass(created, Some(&mut newest)).await? {
            return self.stop(stop).await;
        }
        // Orders marked shipped without a label; an unfinished pass keeps the watermark, so
        // both passes read again from the same start next time.
        if let Some(stop) = self
            .pass(Source::Fulfillments(start), Some(&mut newest))
            .await?
        {
            return self.stop(stop).await;
        }
        if self.target.live_shipments > 0 {
            let voided = Source::Shipments(Filter::Voided, start);
            if let Some(stop) = self.pass(voided, None).await? {
                // The void pass starts where the created ones do: moving the watermark now
                // would skip the voids this pass did not reach. The created pages read again
                // next time change nothing.
                return self.stop(stop).await;
            }
        }
        self.advance(newest).await?;
        self.catch_up(start).await
    }

    /// Once a day, re-reads the labels (and mark-as-shipped fulfillments) created since the
    /// oldest order still waiting to ship reached ShipStation: one listed later than the
    /// watermark's overlap allowed is found here. Moves no watermark; cut short, it is due
    /// again on the next pull.
    async fn catch_up(&mut self, regular_start: DateTime<Utc>) -> anyhow::Result<()> {
        let now = Utc::now();
        let plan = catch_up(
            now,
            self.target.caught_up_at,
            self.target.oldest_waiting,
            regular_start,
            self.ctx.config.catch_up_interval,
        );
        let start = match plan {
            CatchUp::NotDue => return Ok(()),
            CatchUp::Nothing => None,
            CatchUp::From(start) => Some(start),
        };
        if let Some(start) = start {
            let created = Source::Shipments(Filter::Created, start);
            if let Some(stop) = self.pass(created, None).await? {
                return self.stop(stop).await;
            }
            if let Some(stop) = self.pass(Source::Fulfillments(start), None).await? {
                return self.stop(stop).await;
            }
            self.report.caught_up_from = Some(start);
        }
        let mut tx = shared::db::tenant_tx(&self.ctx.db, self.job.tenant_id).await?;
        tracking::mark_caught_up(&mut tx, self.job.connection_id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn advance(&mut self, newest: Option<DateTime<Utc>>) -> anyhow::Result<()> {
        let Some(seen) = newest else { return Ok(()) };
        let mut tx = shared::db::tenant_tx(&self.ctx.db, self.job.tenant_id).await?;
        tracking::advance_watermark(&mut tx, self.job.connection_id, seen).await?;
        tx.commit().await?;
        self.report.watermark = Some(seen);
        Ok(())
    }

    /// Page `page` of `source`.
    async fn fetch(&self, source: &Source<'_>, page: u32) -> Result<Page, ShipStationError> {
        let labels = |a: Answer<ShipmentsPage>| Page {
            rate: a.rate,
            pages: a.body.pages,
            rows: a.body.shipments,
        };
        match source {
            Source::Shipments(filter, start) => self
                .client
                .list_shipments(&shipments_query(*filter, *start, page))
                .await
                .map(labels),
            Source::Resource(query) => self
                .client
                .list_shipments(&format!("{query}&pageSize={PAGE_SIZE}&page={page}"))
                .await
                .map(labels),
            Source::Fulfillments(start) => {
                let a = self
                    .client
                    .list_fulfillments(&fulfillments_query(*start, page))
                    .await?;
                Ok(Page {
                    rate: a.rate,
                    pages: a.body.pages,
                    rows: a
                        .body
                        .fulfillments
                        .iter()
                        .map(fulfillment_as_shipment)
                        .collect(),
                })
            }
        }
    }

    /// Reads and records every page of `source`; `Some(stop)` when it could not finish.
    /// `newest` collects the latest creation time seen (for the watermark).
    async fn pass(
        &mut self,
        source: Source<'_>,
        mut newest: Option<&mut Option<DateTime<Utc>>>,
    ) -> anyhow::Result<Option<Stop>> {
        let fulfillments = matches!(source, Source::Fulfillments(_));
        for page in 1..=MAX_PAGES {
            if !self.lock.renew(&self.ctx.redis).await? {
                anyhow::bail!("lost the tracking-pull lock of the connection");
            }
            if let Permit::Wait(wait) = self.ctx.limiter.acquire(&self.bucket).await? {
                return Ok(Some(Stop::Budget(wait)));
            }
            let fetched = self.fetch(&source, page).await;
            if let (Err(_), Some(rate)) = (&fetched, self.client.last_rate()) {
                // An error's headers count too: it still spent a request.
                if let Err(e) = self.ctx.limiter.observe(&self.bucket, &rate).await {
                    tracing::warn!(error = %e, "could not record ShipStation's rate-limit headers");
                }
            }
            let answer = match fetched {
                Ok(a) => a,
                // An account (or API host) without fulfillments must not stop the labels'
                // pulls: skip them this time.
                Err(e @ ShipStationError::Rejected { .. }) if fulfillments => {
                    self.count_call(Some(&e));
                    tracing::warn!(error = %e, "fulfillments could not be listed; labels only this pull");
                    return Ok(None);
                }
                Err(e) => {
                    self.count_call(Some(&e));
                    return Ok(Some(Stop::Call(e)));
                }
            };
            self.count_call(None);
            if let Err(e) = self.ctx.limiter.observe(&self.bucket, &answer.rate).await {
                tracing::warn!(error = %e, "could not record ShipStation's rate-limit headers");
            }
            self.report.pages += 1;
            if let Some(newest) = newest.as_deref_mut() {
                let page_newest = answer
                    .rows
                    .iter()
                    .filter_map(|s| s.create_date.as_deref().and_then(parse_pacific))
                    .max();
                *newest = (*newest).max(page_newest);
            }
            self.record(&answer.rows, fulfillments).await?;
            if !has_more(page, answer.rows.len(), answer.pages) {
                return Ok(None);
            }
        }
        tracing::warn!(
            max_pages = MAX_PAGES,
            "page limit reached; the rest waits for the next pull"
        );
        Ok(None)
    }

    /// Reads the labels SHIP_NOTIFY pointed at (`resource_url`, e.g. one batch), whatever
    /// their dates; they do not move the watermark. URLs it could not read are kept for the
    /// next pull.
    async fn notified_pass(&mut self) -> anyhow::Result<Option<Stop>> {
        let key = tracking::keys::notified_resources(&self.ctx.namespace, self.job.connection_id);
        let mut redis = self.ctx.redis.clone();
        let (mut urls,): (Vec<String>,) = redis::pipe()
            .atomic()
            .lrange(&key, 0, -1)
            .del(&key)
            .ignore()
            .query_async(&mut redis)
            .await?;
        urls.sort();
        urls.dedup();
        while let Some(url) = urls.pop() {
            let Some(query) = resource_query(&url) else {
                tracing::warn!(
                    "SHIP_NOTIFY resource_url is not a filtered /shipments list; not fetched"
                );
                continue;
            };
            if let Some(stop) = self.pass(Source::Resource(&query), None).await? {
                urls.push(url);
                let _: () = redis::pipe()
                    .rpush(&key, &urls)
                    .ignore()
                    .expire(&key, 86_400)
                    .ignore()
                    .query_async(&mut redis)
                    .await?;
                return Ok(Some(stop));
            }
        }
        Ok(None)
    }

    /// Records a page of labels (or of fulfillments, when `fulfillments`).
    async fn record(&mut self, rows: &[Shipment], fulfillments: bool) -> anyhow::Result<()> {
        // A return label brings the parcel back: its tracking and cost are not the sale's.
        let outbound: Vec<Shipment> = rows
            .iter()
            .filter(|s| !s.is_return_label)
            .cloned()
            .collect();
        if outbound.is_empty() {
            return Ok(());
        }
        let mut tx = shared::db::tenant_tx(&self.ctx.db, self.job.tenant_id).await?;
        let outcome = record_page(
            &mut tx,
            self.job.tenant_id,
            self.job.connection_id,
            &self.target.settings,
            &outbound,
            fulfillments,
        )
        .await?;
        tx.commit().await?;
        self.report.matched += outcome.matched;
        self.report.unmatched += outcome.unmatched;
        self.report.write_backs += outcome.write_backs;
        self.ctx
            .metrics
            .write_backs
            .with_label_values(&["queued"])
            .inc_by(outcome.write_backs as u64);
        Ok(())
    }

    async fn stop(&mut self, stop: Stop) -> anyhow::Result<()> {
        match stop {
            Stop::Budget(wait) => self.defer(wait).await,
            Stop::Call(ShipStationError::RateLimited { reset }) => {
                self.ctx.limiter.block_for(&self.bucket, reset).await?;
                self.defer(reset).await
            }
            Stop::Call(ShipStationError::Unauthorized) => {
                let mut tx = shared::db::tenant_tx(&self.ctx.db, self.job.tenant_id).await?;
                tracking::mark_invalid_credentials(&mut tx, self.job.connection_id).await?;
                tx.commit().await?;
                self.report.error = Some(crate::push::UNAUTHORIZED_MESSAGE.to_owned());
                Ok(())
            }
            Stop::Call(e) => {
                tracing::warn!(error = %e, "ShipStation error; the next scheduled pull retries");
                self.report.error = Some(e.to_string());
                Ok(())
            }
        }
    }

    async fn defer(&mut self, wait: Duration) -> anyhow::Result<()> {
        let delay = with_jitter(wait);
        let job = self.job;
        enqueue(
            self.ctx,
            job.tenant_id,
            job.connection_id,
            job.reason,
            Some(delay),
        )
        .await?;
        self.report.deferred_for = Some(delay);
        Ok(())
    }

    fn count_call(&self, err: Option<&ShipStationError>) {
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
            .with_label_values(&["shipments", &status])
            .inc();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_stops_on_a_short_page_or_the_last_one() {
        assert!(!has_more(1, 3, 1));
        assert!(has_more(1, 500, 2));
        assert!(!has_more(2, 500, 2));
        assert!(has_more(1, 500, 0), "pages can be 0 with results");
        assert!(!has_more(4, 0, 0));
        assert!(has_more(1, 100, 3), "a server that caps pages below 500");
    }
}
