//! Storing QuickBooks sales and customers idempotently, and turning each new or changed sale
//! into an order intent (`pending`, or `skipped` with the reason).

use std::collections::{HashMap, HashSet};

use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

use super::Tx;
use crate::ids::{ConnectionId, OrderId, SaleId, TenantId};
use crate::mapping::order_key;
use crate::sale::{QbCustomer, Sale, TxnType};
use crate::settings::SyncSettings;

/// What storing one sale did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreOutcome {
    /// New or changed, and now waiting to be pushed.
    Queued { order: OrderId, new: bool },
    /// New or changed, but left out by the settings.
    Skipped { order: OrderId, reason: String },
    /// Already shipped: QuickBooks changes are not sent any more.
    Locked { order: OrderId },
    /// The same revision again: nothing changed.
    Unchanged,
}

/// SHA-256 of the sale's content, leaving out `EditSequence` and `TimeModified`, which change
/// on every save in QuickBooks (our own write-backs included) without changing the order.
pub fn content_hash(sale: &Sale) -> Vec<u8> {
    let mut normalised = sale.clone();
    normalised.edit_sequence.clear();
    normalised.time_modified.clear();
    let json = serde_json::to_vec(&normalised).unwrap_or_default();
    Sha256::digest(json).to_vec()
}

/// Why the settings leave this sale out, if they do. `forced` (a test sale) bypasses them.
pub fn skip_reason(sale: &Sale, settings: &SyncSettings) -> Option<String> {
    if !settings.sync_orders_to_shipstation {
        return Some("Sync to ShipStation is switched off in the sync settings.".into());
    }
    if !settings.syncs(sale.txn_type) {
        return Some(format!(
            "{} sales are not selected in the sync settings.",
            sale.txn_type.label()
        ));
    }
    // The sales order went to ShipStation as its own order: the invoice made from it is the
    // same shipment, and sending both would ship it twice.
    if sale.txn_type == TxnType::Invoice && settings.syncs(TxnType::SalesOrder) {
        if let Some(source) = sale.from_sales_orders.first() {
            let name = source.ref_number.as_deref().unwrap_or(&source.txn_id);
            return Some(format!(
                "Created from sales order {name}, which is sent to ShipStation as its own order."
            ));
        }
    }
    if let Some(filter) = settings.class_filter.as_deref() {
        let class = sale.class_name.as_deref().unwrap_or("");
        if !class.eq_ignore_ascii_case(filter.trim()) {
            return Some(if class.is_empty() {
                format!("The sale has no class; only class \"{filter}\" is sent.")
            } else {
                format!("Class \"{class}\" does not match the class filter \"{filter}\".")
            });
        }
    }
    if let Some(modified) = modified_utc(&sale.time_modified) {
        let start = settings
            .sync_from
            .and_time(chrono::NaiveTime::MIN)
            .and_utc();
        if modified < start {
            return Some(format!(
                "Last modified {}, before the sync start date {} (UTC).",
                modified.format("%Y-%m-%d %H:%M UTC"),
                settings.sync_from
            ));
        }
    }
    None
}

/// A qbXML `TimeModified` as a UTC instant: with its offset when it has one (QuickBooks
/// always sends one), otherwise read as UTC; a bare date is its midnight.
fn modified_utc(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let text = text.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(t.to_utc());
    }
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S") {
        return Some(t.and_utc());
    }
    text.get(..10)?
        .parse::<chrono::NaiveDate>()
        .ok()
        .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
}

fn describe(sale: &Sale) -> String {
    match sale.ref_number.as_deref() {
        Some(r) => format!("{} {r}", sale.txn_type.label()),
        None => sale.txn_type.label().to_string(),
    }
}

/// What a response writes besides its sales, in the same statement as its (last) sales:
/// the customers it returned, a finished iterator's watermark and the run's progress. One
/// statement per response instead of one per kind keeps a Web Connector session to a handful
/// of round trips.
#[derive(Debug, Default)]
pub struct ResponseWrites<'a> {
    pub customers: &'a [QbCustomer],
    /// The iterator of this type finished: its watermark moves to this `TimeModified`.
    pub watermark: Option<(TxnType, &'a str)>,
    pub run: Option<RunProgress<'a>>,
}

/// A sync run's counters, and its end when `status` is given.
#[derive(Debug, Clone, Copy)]
pub struct RunProgress<'a> {
    pub run_id: Uuid,
    pub sales_received: u32,
    pub requests_sent: u32,
    /// Replaces the run's recorded error when given; `None` keeps it.
    pub error: Option<&'a str>,
    /// `completed`, `failed`: ends the run.
    pub status: Option<&'a str>,
}

/// One qbXML response to store: its sales, and what it writes besides them.
#[derive(Debug)]
pub struct SalesResponse<'a> {
    pub tenant: TenantId,
    pub connection: ConnectionId,
    pub sales: &'a [Sale],
    pub settings: &'a SyncSettings,
    /// Test sales the user asked for: they bypass the filters.
    pub forced: bool,
    pub writes: ResponseWrites<'a>,
}

/// Stores the response's sales and their order intents, one outcome per sale in order,
/// together with its writes, in the caller's transaction. A new sale, or a new revision
/// (content changed under a new EditSequence), makes its order pending (or skipped, with the
/// reason) with events; the same revision again only refreshes EditSequence and TimeModified.
/// One call of `qbwc_store_response` per batch of distinct sales; a TxnID repeated within the
/// response starts a new batch, so its later copy sees the earlier one as stored.
pub async fn store_response(
    tx: &mut Tx,
    response: &SalesResponse<'_>,
) -> Result<Vec<StoreOutcome>, sqlx::Error> {
    let batches = distinct_batches(response.sales);
    let none = ResponseWrites::default();
    if batches.is_empty() {
        Store::new(response, &[], &response.writes, false)?
            .run(&mut **tx)
            .await?;
        return Ok(Vec::new());
    }
    let mut outcomes = Vec::with_capacity(response.sales.len());
    let last = batches.len() - 1;
    for (i, batch) in batches.into_iter().enumerate() {
        let extras = if i == last { &response.writes } else { &none };
        let store = Store::new(response, batch, extras, false)?;
        outcomes.extend(store.run(&mut **tx).await?);
    }
    Ok(outcomes)
}

/// Like [`store_response`], as a transaction of its own whose commit does not wait for the WAL
/// flush: for a response that only records what QuickBooks sent, which can be read again (the
/// watermark moves in the same transaction). One round trip when the response's sales are
/// distinct, as QuickBooks returns them.
pub async fn store_replayable_response(
    pool: &PgPool,
    response: &SalesResponse<'_>,
) -> Result<Vec<StoreOutcome>, sqlx::Error> {
    if distinct_batches(response.sales).len() > 1 {
        let mut tx = super::replayable_tenant_tx(pool, response.tenant).await?;
        let outcomes = store_response(&mut tx, response).await?;
        tx.commit().await?;
        return Ok(outcomes);
    }
    Store::new(response, response.sales, &response.writes, true)?
        .run(pool)
        .await
}

/// Splits `sales` into consecutive runs in which no (type, TxnID) repeats.
fn distinct_batches(sales: &[Sale]) -> Vec<&[Sale]> {
    let mut batches = Vec::new();
    let mut start = 0;
    let mut seen = HashSet::new();
    for (i, sale) in sales.iter().enumerate() {
        if !seen.insert((sale.txn_type, sale.txn_id.as_str())) {
            batches.push(&sales[start..i]);
            start = i;
            seen.clear();
            seen.insert((sale.txn_type, sale.txn_id.as_str()));
        }
    }
    if start < sales.len() {
        batches.push(&sales[start..]);
    }
    batches
}

/// One call of `qbwc_store_response`: a batch of distinct sales with what Rust decides about
/// each of them alone (snapshot, content hash, label, skip reason, new ids and order key);
/// the function compares them with the stored revisions under a lock and writes.
struct Store<'a> {
    tenant: TenantId,
    connection: ConnectionId,
    sales: &'a [Sale],
    forced: bool,
    replayable: bool,
    snapshots: Vec<String>,
    hashes: Vec<Vec<u8>>,
    labels: Vec<String>,
    skip_reasons: Vec<Option<String>>,
    order_keys: Vec<String>,
    customer_ids: Vec<&'a str>,
    customer_snapshots: Vec<String>,
    writes: &'a ResponseWrites<'a>,
}

type StoredRow = (i64, SaleId, Option<OrderId>, String);

impl<'a> Store<'a> {
    fn new(
        response: &SalesResponse<'_>,
        sales: &'a [Sale],
        writes: &'a ResponseWrites<'a>,
        replayable: bool,
    ) -> Result<Store<'a>, sqlx::Error> {
        let (tenant, connection, forced) = (response.tenant, response.connection, response.forced);
        let settings = response.settings;
        let mut snapshots = Vec::with_capacity(sales.len());
        for sale in sales {
            snapshots
                .push(serde_json::to_string(sale).map_err(|e| sqlx::Error::Encode(Box::new(e)))?);
        }
        let (customer_ids, customer_snapshots) = customer_columns(writes.customers)?;
        Ok(Store {
            tenant,
            connection,
            sales,
            forced,
            replayable,
            snapshots,
            hashes: sales.iter().map(content_hash).collect(),
            labels: sales.iter().map(describe).collect(),
            // Used only for a sale that is new or changed (or forced, which bypasses them).
            skip_reasons: sales
                .iter()
                .map(|s| (!forced).then(|| skip_reason(s, settings)).flatten())
                .collect(),
            order_keys: sales
                .iter()
                .map(|s| order_key(connection.0, &s.txn_id))
                .collect(),
            customer_ids,
            customer_snapshots,
            writes,
        })
    }

    async fn run<'c>(
        self,
        executor: impl sqlx::PgExecutor<'c>,
    ) -> Result<Vec<StoreOutcome>, sqlx::Error> {
        let sales = self.sales;
        let run = self.writes.run;
        let watermark = self.writes.watermark;
        let rows: Vec<StoredRow> = sqlx::query_as(
            "SELECT out_n, out_sale_id, out_order_id, out_outcome FROM qbwc_store_response(
                 $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
                 $20, $21, $22, $23, $24, $25, $26, $27, $28)",
        )
        .bind(self.tenant)
        .bind(self.connection)
        .bind(self.replayable)
        .bind(self.forced)
        .bind(sales.iter().map(|_| Uuid::new_v4()).collect::<Vec<_>>())
        .bind(sales.iter().map(|s| s.txn_type.as_str()).collect::<Vec<_>>())
        .bind(sales.iter().map(|s| s.txn_id.as_str()).collect::<Vec<_>>())
        .bind(sales.iter().map(|s| s.edit_sequence.as_str()).collect::<Vec<_>>())
        .bind(sales.iter().map(|s| s.ref_number.as_deref()).collect::<Vec<_>>())
        .bind(sales.iter().map(|s| s.txn_date).collect::<Vec<_>>())
        .bind(sales.iter().map(|s| s.time_modified.as_str()).collect::<Vec<_>>())
        .bind(sales.iter().map(|s| s.customer_full_name.as_deref()).collect::<Vec<_>>())
        .bind(sales.iter().map(|s| s.customer_list_id.as_deref()).collect::<Vec<_>>())
        .bind(&self.snapshots)
        .bind(&self.hashes)
        .bind(&self.labels)
        .bind(&self.skip_reasons)
        .bind(sales.iter().map(|_| Uuid::new_v4()).collect::<Vec<_>>())
        .bind(&self.order_keys)
        .bind(&self.customer_ids)
        .bind(&self.customer_snapshots)
        .bind(watermark.map(|(t, _)| t.as_str()))
        .bind(watermark.map(|(_, m)| m))
        .bind(run.map(|r| r.run_id))
        .bind(run.map(|r| r.sales_received as i32))
        .bind(run.map(|r| r.requests_sent as i32))
        .bind(run.and_then(|r| r.error))
        .bind(run.and_then(|r| r.status))
        .fetch_all(executor)
        .await?;
        if rows.len() != sales.len() {
            return Err(sqlx::Error::RowNotFound);
        }
        rows.into_iter()
            .enumerate()
            .map(|(i, (_, _, order, outcome))| {
                let order = || order.ok_or(sqlx::Error::RowNotFound);
                Ok(match outcome.as_str() {
                    "unchanged" => StoreOutcome::Unchanged,
                    "locked" => StoreOutcome::Locked { order: order()? },
                    "skipped" => StoreOutcome::Skipped {
                        order: order()?,
                        reason: self.skip_reasons[i].clone().unwrap_or_default(),
                    },
                    "new" | "changed" => StoreOutcome::Queued {
                        order: order()?,
                        new: outcome == "new",
                    },
                    other => {
                        return Err(sqlx::Error::Protocol(format!(
                            "qbwc_store_response returned outcome {other}"
                        )))
                    }
                })
            })
            .collect()
    }
}

/// Customers by ListID (a ListID given twice keeps the last), as (ids, JSON snapshots).
fn customer_columns(customers: &[QbCustomer]) -> Result<(Vec<&str>, Vec<String>), sqlx::Error> {
    let mut last: HashMap<&str, &QbCustomer> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for c in customers {
        if last.insert(c.list_id.as_str(), c).is_none() {
            order.push(c.list_id.as_str());
        }
    }
    let mut snapshots = Vec::with_capacity(order.len());
    for id in &order {
        snapshots
            .push(serde_json::to_string(last[id]).map_err(|e| sqlx::Error::Encode(Box::new(e)))?);
    }
    Ok((order, snapshots))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sale::TxnType;

    fn sale(id: &str) -> Sale {
        serde_json::from_value(serde_json::json!({
            "txn_type": "invoice", "txn_id": id, "edit_sequence": "1", "time_modified": "2026-11-01T10:00:00-08:00",
            "lines": [], "line_groups": [], "data_ext": []
        }))
        .expect("sale")
    }

    #[test]
    fn a_repeated_txn_id_starts_a_new_batch() {
        let sales = vec![sale("A"), sale("B"), sale("A"), sale("C")];
        let batches = distinct_batches(&sales);
        let ids: Vec<Vec<&str>> = batches
            .iter()
            .map(|b| b.iter().map(|s| s.txn_id.as_str()).collect())
            .collect();
        assert_eq!(ids, vec![vec!["A", "B"], vec!["A", "C"]]);
        assert!(distinct_batches(&[]).is_empty());
    }

    #[test]
    fn the_same_id_in_another_type_is_another_sale() {
        let mut receipt = sale("A");
        receipt.txn_type = TxnType::SalesReceipt;
        assert_eq!(distinct_batches(&[sale("A"), receipt]).len(), 1);
    }

    #[test]
    fn the_content_hash_ignores_edit_sequence_and_time_modified() {
        let a = sale("A");
        let mut b = a.clone();
        b.edit_sequence = "2".into();
        b.time_modified = "2026-11-02T10:00:00-08:00".into();
        assert_eq!(content_hash(&a), content_hash(&b));
        b.memo = Some("changed".into());
        assert_ne!(content_hash(&a), content_hash(&b));
    }

    #[test]
    fn an_invoice_made_from_a_sales_order_is_skipped_only_when_sales_orders_are_sent() {
        let mut settings = SyncSettings::defaults("2026-01-01".parse().expect("date"));
        let mut invoice = sale("A");
        let plain_hash = content_hash(&invoice);
        invoice.from_sales_orders = vec![crate::sale::SourceSalesOrder {
            txn_id: "SO-1".into(),
            ref_number: Some("5001".into()),
        }];
        assert_ne!(content_hash(&invoice), plain_hash);
        // Invoices only: the sales order never reaches ShipStation, so the invoice is sent.
        settings.transaction_types = vec![TxnType::Invoice];
        assert_eq!(skip_reason(&invoice, &settings), None);
        settings.transaction_types = vec![TxnType::Invoice, TxnType::SalesOrder];
        let why = skip_reason(&invoice, &settings).expect("skipped");
        assert!(why.contains("sales order 5001"), "{why}");
        // An invoice of its own still goes.
        assert_eq!(skip_reason(&sale("B"), &settings), None);
        // Nothing kept, nothing serialised: the snapshots (and hashes) of other sales stay.
        let json = serde_json::to_string(&sale("B")).expect("json");
        assert!(!json.contains("from_sales_orders"), "{json}");
    }

    #[test]
    fn the_sync_start_is_midnight_utc_of_its_date() {
        let mut settings = SyncSettings::defaults("2026-11-02".parse().expect("date"));
        settings.transaction_types = vec![TxnType::Invoice];
        let at = |t: &str| {
            let mut s = sale("A");
            s.time_modified = t.into();
            skip_reason(&s, &settings)
        };
        // 17:00 in California on the 1st is 01:00 UTC on the 2nd: after the start.
        assert_eq!(at("2026-11-01T17:00:00-08:00"), None);
        assert_eq!(at("2026-11-02T00:00:00"), None);
        let before = at("2026-11-01T15:59:59-08:00").expect("skipped");
        assert!(
            before.contains("before the sync start date 2026-11-02"),
            "{before}"
        );
        assert!(at("2026-11-01T23:59:59Z").is_some());
        assert!(at("2026-10-31").is_some());
        assert_eq!(at("not a time"), None);
    }
}
