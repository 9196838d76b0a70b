//! Storing QuickBooks sales and customers idempotently, and turning each new or changed sale
//! into an order intent (`pending`, or `skipped` with the reason).

use std::collections::{HashMap, HashSet};

use sha2::{Digest, Sha256};
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
    let modified = sale
        .time_modified
        .get(..10)
        .and_then(|d| d.parse::<chrono::NaiveDate>().ok());
    if let Some(day) = modified {
        if day < settings.sync_from {
            return Some(format!(
                "Last modified {day}, before the sync start date {}.",
                settings.sync_from
            ));
        }
    }
    None
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

/// Stores `sales` (one qbXML response) and their order intents, one outcome per sale in
/// order, together with `writes`. A new sale, or a new revision (content changed under a new
/// EditSequence), makes its order pending (or skipped, with the reason) with events; the same
/// revision again only refreshes EditSequence and TimeModified. `forced` marks test sales the
/// user asked for: they bypass the filters. Two statements (a locking read and one write)
/// however many sales there are; a TxnID repeated within `sales` starts a new batch, so its
/// later copy sees the earlier one as stored.
pub async fn store_response(
    tx: &mut Tx,
    tenant: TenantId,
    connection: ConnectionId,
    sales: &[Sale],
    settings: &SyncSettings,
    forced: bool,
    writes: &ResponseWrites<'_>,
) -> Result<Vec<StoreOutcome>, sqlx::Error> {
    let mut outcomes = Vec::with_capacity(sales.len());
    let batches = distinct_batches(sales);
    let none = ResponseWrites::default();
    if batches.is_empty() {
        write_extras(tx, tenant, connection, writes).await?;
        return Ok(outcomes);
    }
    let last = batches.len() - 1;
    for (i, batch) in batches.into_iter().enumerate() {
        let extras = if i == last { writes } else { &none };
        outcomes
            .extend(store_batch(tx, tenant, connection, batch, settings, forced, extras).await?);
    }
    Ok(outcomes)
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

/// A stored sale: type, TxnID, content hash, revision, EditSequence.
type ExistingRow = (String, String, Vec<u8>, i32, String);

/// A sale whose order must be (re)made pending or skipped.
struct Intent {
    index: usize,
    new: bool,
    revision: i32,
    reason: Option<String>,
}

/// A sale row to write.
struct SaleRow {
    id: Uuid,
    hash: Vec<u8>,
    snapshot: String,
    revision: i32,
}

async fn store_batch(
    tx: &mut Tx,
    tenant: TenantId,
    connection: ConnectionId,
    sales: &[Sale],
    settings: &SyncSettings,
    forced: bool,
    writes: &ResponseWrites<'_>,
) -> Result<Vec<StoreOutcome>, sqlx::Error> {
    let types: Vec<&str> = sales.iter().map(|s| s.txn_type.as_str()).collect();
    let txn_ids: Vec<&str> = sales.iter().map(|s| s.txn_id.as_str()).collect();
    // Locks the stored revisions, so deciding "changed" and writing it are one step.
    let rows: Vec<ExistingRow> = sqlx::query_as(
        "SELECT s.txn_type, s.txn_id, s.content_hash, s.revision, s.edit_sequence FROM qb_sales s
         JOIN unnest($2::text[], $3::text[]) AS k(txn_type, txn_id)
           ON s.txn_type = k.txn_type AND s.txn_id = k.txn_id
         WHERE s.connection_id = $1 FOR UPDATE OF s",
    )
    .bind(connection)
    .bind(&types)
    .bind(&txn_ids)
    .fetch_all(&mut **tx)
    .await?;
    let existing: HashMap<(String, String), ExistingRow> = rows
        .into_iter()
        .map(|row| ((row.0.clone(), row.1.clone()), row))
        .collect();

    // Every sale's row is written (a same-revision re-read refreshes EditSequence and
    // TimeModified); `intents` are those whose order changes.
    let mut rows = Vec::with_capacity(sales.len());
    let mut intents = Vec::new();
    for (index, sale) in sales.iter().enumerate() {
        let hash = content_hash(sale);
        let snapshot = serde_json::to_string(sale).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        let key = (sale.txn_type.as_str().to_string(), sale.txn_id.clone());
        let (new, changed, revision) = match existing.get(&key) {
            Some((_, _, old_hash, revision, old_sequence)) => {
                // The same EditSequence is the same revision: the one our own write-back made
                // (stored from its Mod response) or one already seen.
                let changed = *old_hash != hash && *old_sequence != sale.edit_sequence;
                (
                    false,
                    changed,
                    if changed { revision + 1 } else { *revision },
                )
            }
            None => (true, true, 1),
        };
        if new || changed || forced {
            let reason = if forced {
                None
            } else {
                skip_reason(sale, settings)
            };
            intents.push(Intent {
                index,
                new,
                revision,
                reason,
            });
        }
        rows.push(SaleRow {
            id: Uuid::new_v4(),
            hash,
            snapshot,
            revision,
        });
    }

    // The events of an order that is not locked (a locked one gets its own below).
    let mut events: Vec<(usize, &'static str, String)> = Vec::new();
    for intent in &intents {
        let sale = &sales[intent.index];
        let what = describe(sale);
        let received = if forced {
            format!("{what} fetched from QuickBooks as a test sale.")
        } else if intent.new {
            format!("{what} received from QuickBooks.")
        } else {
            format!(
                "{what} changed in QuickBooks (revision {}).",
                intent.revision
            )
        };
        events.push((intent.index, "received", received));
        if let Some(reason) = &intent.reason {
            events.push((
                intent.index,
                "skipped",
                format!("Not sent to ShipStation: {reason}"),
            ));
        }
    }

    let written = write_batch(
        tx,
        tenant,
        connection,
        sales,
        &rows,
        &intents_of(sales, connection, &intents, &events),
        writes,
    )
    .await?;

    let mut outcomes = vec![StoreOutcome::Unchanged; sales.len()];
    let mut locked_sales = Vec::new();
    for (intent, (sale_id, order)) in intents.iter().zip(written) {
        outcomes[intent.index] = match (order, &intent.reason) {
            (None, _) => {
                locked_sales.push((intent.index, sale_id));
                continue;
            }
            (Some(order), Some(reason)) => StoreOutcome::Skipped {
                order,
                reason: reason.clone(),
            },
            (Some(order), None) => StoreOutcome::Queued {
                order,
                new: intent.new,
            },
        };
    }
    if !locked_sales.is_empty() {
        // Shipped (or written back): ShipStation keeps the shipped order as it is.
        let ids: Vec<Uuid> = locked_sales.iter().map(|(_, s)| s.0).collect();
        let found: Vec<(OrderId, SaleId)> =
            sqlx::query_as("SELECT id, sale_id FROM orders WHERE sale_id = ANY($1)")
                .bind(&ids)
                .fetch_all(&mut **tx)
                .await?;
        let by_sale: HashMap<SaleId, OrderId> = found.into_iter().map(|(o, s)| (s, o)).collect();
        for (index, sale_id) in locked_sales {
            let order = *by_sale.get(&sale_id).ok_or(sqlx::Error::RowNotFound)?;
            let message = format!(
                "{} changed in QuickBooks after it shipped; ShipStation keeps the shipped order as it is.",
                describe(&sales[index])
            );
            super::orders::add_event(tx, tenant, order, "locked", &message).await?;
            outcomes[index] = StoreOutcome::Locked { order };
        }
    }
    Ok(outcomes)
}

/// The order intents and their events, as the columns [`write_batch`] binds.
#[derive(Default)]
struct IntentColumns<'a> {
    keys: Vec<usize>,
    order_ids: Vec<Uuid>,
    statuses: Vec<&'static str>,
    order_keys: Vec<String>,
    reasons: Vec<Option<&'a str>>,
    event_sales: Vec<usize>,
    event_kinds: Vec<&'static str>,
    event_messages: Vec<&'a str>,
}

fn intents_of<'a>(
    sales: &[Sale],
    connection: ConnectionId,
    intents: &'a [Intent],
    events: &'a [(usize, &'static str, String)],
) -> IntentColumns<'a> {
    IntentColumns {
        keys: intents.iter().map(|i| i.index).collect(),
        order_ids: intents.iter().map(|_| Uuid::new_v4()).collect(),
        statuses: intents
            .iter()
            .map(|i| {
                if i.reason.is_some() {
                    "skipped"
                } else {
                    "pending"
                }
            })
            .collect(),
        order_keys: intents
            .iter()
            .map(|i| order_key(connection.0, &sales[i.index].txn_id))
            .collect(),
        reasons: intents.iter().map(|i| i.reason.as_deref()).collect(),
        event_sales: events.iter().map(|e| e.0).collect(),
        event_kinds: events.iter().map(|e| e.1).collect(),
        event_messages: events.iter().map(|e| e.2.as_str()).collect(),
    }
}

/// One statement: the sales, their orders (left alone when shipped or written back), the
/// orders' events in order, the customers, the watermark and the run's progress. Returns,
/// per intent in order, the stored sale's id and its order's id (`None`: locked).
async fn write_batch(
    tx: &mut Tx,
    tenant: TenantId,
    connection: ConnectionId,
    sales: &[Sale],
    rows: &[SaleRow],
    intents: &IntentColumns<'_>,
    writes: &ResponseWrites<'_>,
) -> Result<Vec<(SaleId, Option<OrderId>)>, sqlx::Error> {
    // Sales are addressed by their position in this batch (1-based, as WITH ORDINALITY counts).
    let position = |i: &usize| *i as i64 + 1;
    let (customer_ids, customer_snapshots) = customer_columns(writes.customers)?;
    let run = writes.run;
    let result: Vec<(i64, SaleId, Option<OrderId>)> = sqlx::query_as(
        "WITH sales_in AS (
             SELECT * FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::date[],
                 $9::text[], $10::text[], $11::text[], $12::text[], $13::bytea[], $14::int4[])
                 WITH ORDINALITY AS u(id, txn_type, txn_id, edit_sequence, ref_number, txn_date,
                     time_modified, customer_name, customer_list_id, snapshot, content_hash, revision, n)
         ),
         s AS (
             INSERT INTO qb_sales (id, tenant_id, connection_id, txn_type, txn_id, edit_sequence, ref_number,
                 txn_date, time_modified, customer_name, customer_list_id, snapshot, content_hash, revision)
             SELECT u.id, $1, $2, u.txn_type, u.txn_id, u.edit_sequence, u.ref_number, u.txn_date,
                 u.time_modified, u.customer_name, u.customer_list_id, u.snapshot::jsonb, u.content_hash, u.revision
             FROM sales_in u
             ON CONFLICT (connection_id, txn_type, txn_id) DO UPDATE SET
                 edit_sequence = EXCLUDED.edit_sequence, time_modified = EXCLUDED.time_modified,
                 ref_number = EXCLUDED.ref_number, txn_date = EXCLUDED.txn_date,
                 customer_name = EXCLUDED.customer_name, customer_list_id = EXCLUDED.customer_list_id,
                 snapshot = EXCLUDED.snapshot, content_hash = EXCLUDED.content_hash,
                 revision = EXCLUDED.revision, updated_at = now()
             -- The same revision read again (the watermark overlap) writes nothing.
             WHERE (qb_sales.edit_sequence, qb_sales.time_modified, qb_sales.content_hash, qb_sales.revision)
                 IS DISTINCT FROM (EXCLUDED.edit_sequence, EXCLUDED.time_modified, EXCLUDED.content_hash, EXCLUDED.revision)
             RETURNING id, txn_type, txn_id
         ),
         stored AS (
             SELECT u.n, coalesce(s.id, q.id) AS id FROM sales_in u
             LEFT JOIN s ON s.txn_type = u.txn_type AND s.txn_id = u.txn_id
             LEFT JOIN qb_sales q ON q.connection_id = $2 AND q.txn_type = u.txn_type AND q.txn_id = u.txn_id
         ),
         intents AS (
             SELECT i.*, stored.id AS sale_id
             FROM unnest($15::int8[], $16::uuid[], $17::text[], $18::text[], $19::text[])
                 WITH ORDINALITY AS i(sale_n, order_id, status, order_key, skip_reason, n)
             JOIN stored ON stored.n = i.sale_n
         ),
         o AS (
             INSERT INTO orders (id, tenant_id, connection_id, sale_id, status, order_key, push_requested_at, skip_reason)
             SELECT i.order_id, $1, $2, i.sale_id, i.status, i.order_key, now(), i.skip_reason FROM intents i
             ON CONFLICT (sale_id) DO UPDATE SET
                 status = EXCLUDED.status, skip_reason = EXCLUDED.skip_reason,
                 push_requested_at = now(), last_error = NULL, attempts = 0, updated_at = now()
             WHERE orders.status NOT IN ('shipped', 'written_back', 'write_back_failed')
             RETURNING id, sale_id
         ),
         ev AS (
             INSERT INTO events (tenant_id, order_id, kind, message)
             SELECT $1, o.id, e.kind, e.message
             FROM unnest($20::int8[], $21::text[], $22::text[]) WITH ORDINALITY AS e(sale_n, kind, message, n)
             JOIN stored ON stored.n = e.sale_n
             JOIN o ON o.sale_id = stored.id
             ORDER BY e.n
         ),
         customers AS (
             INSERT INTO qb_customers (connection_id, tenant_id, list_id, snapshot)
             SELECT $2, $1, c.list_id, c.snapshot::jsonb FROM unnest($23::text[], $24::text[]) AS c(list_id, snapshot)
             ON CONFLICT (connection_id, list_id) DO UPDATE SET snapshot = EXCLUDED.snapshot, updated_at = now()
             WHERE qb_customers.snapshot IS DISTINCT FROM EXCLUDED.snapshot
         ),
         watermark AS (
             INSERT INTO sync_watermarks (connection_id, tenant_id, txn_type, modified_from)
             SELECT $2, $1, $25, $26 WHERE $25::text IS NOT NULL
             ON CONFLICT (connection_id, txn_type) DO UPDATE SET modified_from = EXCLUDED.modified_from, updated_at = now()
         ),
         run AS (
             UPDATE sync_runs SET
                 sales_received = $28, requests_sent = $29,
                 error = coalesce($30, error),
                 status = coalesce($31, status),
                 ended_at = CASE WHEN $31::text IS NULL THEN ended_at ELSE now() END
             WHERE id = $27
         )
         SELECT i.n, i.sale_id, o.id FROM intents i LEFT JOIN o ON o.sale_id = i.sale_id ORDER BY i.n",
    )
    .bind(tenant)
    .bind(connection)
    .bind(rows.iter().map(|r| r.id).collect::<Vec<_>>())
    .bind(sales.iter().map(|s| s.txn_type.as_str()).collect::<Vec<_>>())
    .bind(sales.iter().map(|s| s.txn_id.as_str()).collect::<Vec<_>>())
    .bind(sales.iter().map(|s| s.edit_sequence.as_str()).collect::<Vec<_>>())
    .bind(sales.iter().map(|s| s.ref_number.as_deref()).collect::<Vec<_>>())
    .bind(sales.iter().map(|s| s.txn_date).collect::<Vec<_>>())
    .bind(sales.iter().map(|s| s.time_modified.as_str()).collect::<Vec<_>>())
    .bind(sales.iter().map(|s| s.customer_full_name.as_deref()).collect::<Vec<_>>())
    .bind(sales.iter().map(|s| s.customer_list_id.as_deref()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.snapshot.as_str()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.hash.as_slice()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.revision).collect::<Vec<_>>())
    .bind(intents.keys.iter().map(position).collect::<Vec<_>>())
    .bind(&intents.order_ids)
    .bind(&intents.statuses)
    .bind(&intents.order_keys)
    .bind(&intents.reasons)
    .bind(intents.event_sales.iter().map(position).collect::<Vec<_>>())
    .bind(&intents.event_kinds)
    .bind(&intents.event_messages)
    .bind(&customer_ids)
    .bind(&customer_snapshots)
    .bind(writes.watermark.map(|(t, _)| t.as_str()))
    .bind(writes.watermark.map(|(_, m)| m))
    .bind(run.map(|r| r.run_id))
    .bind(run.map(|r| r.sales_received as i32))
    .bind(run.map(|r| r.requests_sent as i32))
    .bind(run.and_then(|r| r.error))
    .bind(run.and_then(|r| r.status))
    .fetch_all(&mut **tx)
    .await?;
    if result.len() != intents.keys.len() {
        return Err(sqlx::Error::RowNotFound);
    }
    Ok(result.into_iter().map(|(_, s, o)| (s, o)).collect())
}

/// A response without sales (customers, an empty page): the customers, watermark and run
/// parts of [`write_batch`] alone, a much smaller plan for Postgres to set up.
async fn write_extras(
    tx: &mut Tx,
    tenant: TenantId,
    connection: ConnectionId,
    writes: &ResponseWrites<'_>,
) -> Result<(), sqlx::Error> {
    let (customer_ids, customer_snapshots) = customer_columns(writes.customers)?;
    let run = writes.run;
    sqlx::query(
        "WITH customers AS (
             INSERT INTO qb_customers (connection_id, tenant_id, list_id, snapshot)
             SELECT $2, $1, c.list_id, c.snapshot::jsonb FROM unnest($3::text[], $4::text[]) AS c(list_id, snapshot)
             ON CONFLICT (connection_id, list_id) DO UPDATE SET snapshot = EXCLUDED.snapshot, updated_at = now()
             WHERE qb_customers.snapshot IS DISTINCT FROM EXCLUDED.snapshot
         ),
         watermark AS (
             INSERT INTO sync_watermarks (connection_id, tenant_id, txn_type, modified_from)
             SELECT $2, $1, $5, $6 WHERE $5::text IS NOT NULL
             ON CONFLICT (connection_id, txn_type) DO UPDATE SET modified_from = EXCLUDED.modified_from, updated_at = now()
         )
         UPDATE sync_runs SET
             sales_received = $8, requests_sent = $9,
             error = coalesce($10, error),
             status = coalesce($11, status),
             ended_at = CASE WHEN $11::text IS NULL THEN ended_at ELSE now() END
         WHERE id = $7",
    )
    .bind(tenant)
    .bind(connection)
    .bind(&customer_ids)
    .bind(&customer_snapshots)
    .bind(writes.watermark.map(|(t, _)| t.as_str()))
    .bind(writes.watermark.map(|(_, m)| m))
    .bind(run.map(|r| r.run_id))
    .bind(run.map(|r| r.sales_received as i32))
    .bind(run.map(|r| r.requests_sent as i32))
    .bind(run.and_then(|r| r.error))
    .bind(run.and_then(|r| r.status))
    .execute(&mut **tx)
    .await?;
    Ok(())
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
}
