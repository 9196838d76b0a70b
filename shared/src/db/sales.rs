//! Storing QuickBooks sales and customers idempotently, and turning each new or changed sale
//! into an order intent (`pending`, or `skipped` with the reason).

use std::collections::{HashMap, HashSet};

use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::Tx;
use crate::ids::{ConnectionId, OrderId, SaleId, TenantId};
use crate::mapping::order_key;
use crate::sale::{QbCustomer, Sale};
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

/// Stores `sale` and its order intent. `forced` marks a test sale the user asked for.
pub async fn store_sale(
    tx: &mut Tx,
    tenant: TenantId,
    connection: ConnectionId,
    sale: &Sale,
    settings: &SyncSettings,
    forced: bool,
) -> Result<StoreOutcome, sqlx::Error> {
    let mut outcomes = store_sales(
        tx,
        tenant,
        connection,
        std::slice::from_ref(sale),
        settings,
        forced,
    )
    .await?;
    Ok(outcomes.pop().unwrap_or(StoreOutcome::Unchanged))
}

/// Stores `sales` (one qbXML response) and their order intents, one outcome per sale in
/// order: exactly what [`store_sale`] does for each in turn, in four statements (five when an
/// order is locked) however many sales there are. A TxnID repeated within `sales` starts a
/// new batch, so its later copy sees the earlier one as stored.
pub async fn store_sales(
    tx: &mut Tx,
    tenant: TenantId,
    connection: ConnectionId,
    sales: &[Sale],
    settings: &SyncSettings,
    forced: bool,
) -> Result<Vec<StoreOutcome>, sqlx::Error> {
    let mut outcomes = Vec::with_capacity(sales.len());
    for batch in distinct_batches(sales) {
        outcomes.extend(store_batch(tx, tenant, connection, batch, settings, forced).await?);
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

/// A stored sale: id, type, TxnID, content hash, revision, EditSequence.
type ExistingRow = (SaleId, String, String, Vec<u8>, i32, String);

/// A sale whose order must be (re)made pending or skipped.
struct Intent {
    index: usize,
    sale_id: SaleId,
    new: bool,
    revision: i32,
    reason: Option<String>,
}

async fn store_batch(
    tx: &mut Tx,
    tenant: TenantId,
    connection: ConnectionId,
    sales: &[Sale],
    settings: &SyncSettings,
    forced: bool,
) -> Result<Vec<StoreOutcome>, sqlx::Error> {
    let types: Vec<&str> = sales.iter().map(|s| s.txn_type.as_str()).collect();
    let txn_ids: Vec<&str> = sales.iter().map(|s| s.txn_id.as_str()).collect();
    let rows: Vec<ExistingRow> = sqlx::query_as(
        "SELECT s.id, s.txn_type, s.txn_id, s.content_hash, s.revision, s.edit_sequence FROM qb_sales s
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
        .map(|row| ((row.1.clone(), row.2.clone()), row))
        .collect();

    // Every sale's row is written (a same-revision re-read refreshes EditSequence and
    // TimeModified); `intents` are those whose order changes.
    let mut ids = Vec::with_capacity(sales.len());
    let mut hashes = Vec::with_capacity(sales.len());
    let mut snapshots = Vec::with_capacity(sales.len());
    let mut revisions = Vec::with_capacity(sales.len());
    let mut intents = Vec::new();
    for (index, sale) in sales.iter().enumerate() {
        let hash = content_hash(sale);
        let snapshot = serde_json::to_string(sale).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        let key = (sale.txn_type.as_str().to_string(), sale.txn_id.clone());
        let (id, new, changed, revision) = match existing.get(&key) {
            Some((id, _, _, old_hash, revision, old_sequence)) => {
                // The same EditSequence is the same revision: the one our own write-back made
                // (stored from its Mod response) or one already seen.
                let changed = *old_hash != hash && *old_sequence != sale.edit_sequence;
                (
                    *id,
                    false,
                    changed,
                    if changed { revision + 1 } else { *revision },
                )
            }
            None => (SaleId(Uuid::new_v4()), true, true, 1),
        };
        if new || changed || forced {
            let reason = if forced {
                None
            } else {
                skip_reason(sale, settings)
            };
            intents.push(Intent {
                index,
                sale_id: id,
                new,
                revision,
                reason,
            });
        }
        ids.push(id.0);
        hashes.push(hash);
        snapshots.push(snapshot);
        revisions.push(revision);
    }
    let stored: Vec<(SaleId, String, String)> = sqlx::query_as(
        "INSERT INTO qb_sales (id, tenant_id, connection_id, txn_type, txn_id, edit_sequence, ref_number,
             txn_date, time_modified, customer_name, customer_list_id, snapshot, content_hash, revision)
         SELECT u.id, $1, $2, u.txn_type, u.txn_id, u.edit_sequence, u.ref_number, u.txn_date, u.time_modified,
             u.customer_name, u.customer_list_id, u.snapshot::jsonb, u.content_hash, u.revision
         FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::date[], $9::text[],
             $10::text[], $11::text[], $12::text[], $13::bytea[], $14::int4[])
             AS u(id, txn_type, txn_id, edit_sequence, ref_number, txn_date, time_modified, customer_name,
                  customer_list_id, snapshot, content_hash, revision)
         ON CONFLICT (connection_id, txn_type, txn_id) DO UPDATE SET
             edit_sequence = EXCLUDED.edit_sequence, time_modified = EXCLUDED.time_modified,
             ref_number = EXCLUDED.ref_number, txn_date = EXCLUDED.txn_date,
             customer_name = EXCLUDED.customer_name, customer_list_id = EXCLUDED.customer_list_id,
             snapshot = EXCLUDED.snapshot, content_hash = EXCLUDED.content_hash,
             revision = EXCLUDED.revision, updated_at = now()
         RETURNING id, txn_type, txn_id",
    )
    .bind(tenant)
    .bind(connection)
    .bind(&ids)
    .bind(&types)
    .bind(&txn_ids)
    .bind(sales.iter().map(|s| s.edit_sequence.as_str()).collect::<Vec<_>>())
    .bind(sales.iter().map(|s| s.ref_number.as_deref()).collect::<Vec<_>>())
    .bind(sales.iter().map(|s| s.txn_date).collect::<Vec<_>>())
    .bind(sales.iter().map(|s| s.time_modified.as_str()).collect::<Vec<_>>())
    .bind(sales.iter().map(|s| s.customer_full_name.as_deref()).collect::<Vec<_>>())
    .bind(sales.iter().map(|s| s.customer_list_id.as_deref()).collect::<Vec<_>>())
    .bind(&snapshots)
    .bind(&hashes)
    .bind(&revisions)
    .fetch_all(&mut **tx)
    .await?;
    // A row another transaction inserted meanwhile keeps its id: use what was stored.
    let stored: HashMap<(String, String), SaleId> = stored
        .into_iter()
        .map(|(id, t, txn)| ((t, txn), id))
        .collect();
    for intent in &mut intents {
        let sale = &sales[intent.index];
        if let Some(id) = stored.get(&(sale.txn_type.as_str().to_string(), sale.txn_id.clone())) {
            intent.sale_id = *id;
        }
    }
    let orders = upsert_orders(tx, tenant, connection, sales, &intents).await?;

    let mut outcomes = vec![StoreOutcome::Unchanged; sales.len()];
    let mut events: Vec<(OrderId, &'static str, String)> = Vec::new();
    for (intent, (order, locked)) in intents.into_iter().zip(orders) {
        let sale = &sales[intent.index];
        let what = describe(sale);
        if locked {
            events.push((order, "locked", format!("{what} changed in QuickBooks after it shipped; ShipStation keeps the shipped order as it is.")));
            outcomes[intent.index] = StoreOutcome::Locked { order };
            continue;
        }
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
        events.push((order, "received", received));
        outcomes[intent.index] = match intent.reason {
            Some(reason) => {
                events.push((
                    order,
                    "skipped",
                    format!("Not sent to ShipStation: {reason}"),
                ));
                StoreOutcome::Skipped { order, reason }
            }
            None => StoreOutcome::Queued {
                order,
                new: intent.new,
            },
        };
    }
    add_events(tx, tenant, &events).await?;
    Ok(outcomes)
}

/// Makes each intent's order pending (or skipped); returns (order, locked) per intent, where
/// locked orders (shipped, written back) were left as they are.
async fn upsert_orders(
    tx: &mut Tx,
    tenant: TenantId,
    connection: ConnectionId,
    sales: &[Sale],
    intents: &[Intent],
) -> Result<Vec<(OrderId, bool)>, sqlx::Error> {
    if intents.is_empty() {
        return Ok(Vec::new());
    }
    let sale_ids: Vec<Uuid> = intents.iter().map(|i| i.sale_id.0).collect();
    let rows: Vec<(OrderId, SaleId)> = sqlx::query_as(
        "INSERT INTO orders (id, tenant_id, connection_id, sale_id, status, order_key, push_requested_at, skip_reason)
         SELECT u.id, $1, $2, u.sale_id, u.status, u.order_key, now(), u.skip_reason
         FROM unnest($3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[])
             AS u(id, sale_id, status, order_key, skip_reason)
         ON CONFLICT (sale_id) DO UPDATE SET
             status = EXCLUDED.status, skip_reason = EXCLUDED.skip_reason,
             push_requested_at = now(), last_error = NULL, attempts = 0, updated_at = now()
         WHERE orders.status NOT IN ('shipped', 'written_back', 'write_back_failed')
         RETURNING id, sale_id",
    )
    .bind(tenant)
    .bind(connection)
    .bind(intents.iter().map(|_| Uuid::new_v4()).collect::<Vec<_>>())
    .bind(&sale_ids)
    .bind(intents.iter().map(|i| if i.reason.is_some() { "skipped" } else { "pending" }).collect::<Vec<_>>())
    .bind(intents.iter().map(|i| order_key(connection.0, &sales[i.index].txn_id)).collect::<Vec<_>>())
    .bind(intents.iter().map(|i| i.reason.as_deref()).collect::<Vec<_>>())
    .fetch_all(&mut **tx)
    .await?;
    let mut by_sale: HashMap<SaleId, (OrderId, bool)> =
        rows.into_iter().map(|(o, s)| (s, (o, false))).collect();
    if by_sale.len() < intents.len() {
        let locked: Vec<(OrderId, SaleId)> =
            sqlx::query_as("SELECT id, sale_id FROM orders WHERE sale_id = ANY($1)")
                .bind(&sale_ids)
                .fetch_all(&mut **tx)
                .await?;
        for (order, sale) in locked {
            by_sale.entry(sale).or_insert((order, true));
        }
    }
    intents
        .iter()
        .map(|i| {
            by_sale
                .get(&i.sale_id)
                .copied()
                .ok_or(sqlx::Error::RowNotFound)
        })
        .collect()
}

/// Inserts events (order, kind, message) in the given order, in one statement.
async fn add_events(
    tx: &mut Tx,
    tenant: TenantId,
    events: &[(OrderId, &'static str, String)],
) -> Result<(), sqlx::Error> {
    if events.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO events (tenant_id, order_id, kind, message)
         SELECT $1, u.order_id, u.kind, u.message
         FROM unnest($2::uuid[], $3::text[], $4::text[]) WITH ORDINALITY AS u(order_id, kind, message, n)
         ORDER BY u.n",
    )
    .bind(tenant)
    .bind(events.iter().map(|e| e.0 .0).collect::<Vec<_>>())
    .bind(events.iter().map(|e| e.1).collect::<Vec<_>>())
    .bind(events.iter().map(|e| e.2.as_str()).collect::<Vec<_>>())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Stores (or refreshes) a customer's contact details.
pub async fn store_customer(
    tx: &mut Tx,
    tenant: TenantId,
    connection: ConnectionId,
    customer: &QbCustomer,
) -> Result<(), sqlx::Error> {
    let snapshot = serde_json::to_value(customer).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query(
        "INSERT INTO qb_customers (connection_id, tenant_id, list_id, snapshot) VALUES ($1, $2, $3, $4)
         ON CONFLICT (connection_id, list_id) DO UPDATE SET snapshot = EXCLUDED.snapshot, updated_at = now()",
    )
    .bind(connection)
    .bind(tenant)
    .bind(&customer.list_id)
    .bind(snapshot)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Stores (or refreshes) customers in one statement; a ListID given twice keeps the last.
pub async fn store_customers(
    tx: &mut Tx,
    tenant: TenantId,
    connection: ConnectionId,
    customers: &[QbCustomer],
) -> Result<(), sqlx::Error> {
    let mut last: HashMap<&str, &QbCustomer> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for c in customers {
        if last.insert(c.list_id.as_str(), c).is_none() {
            order.push(c.list_id.as_str());
        }
    }
    if order.is_empty() {
        return Ok(());
    }
    let mut snapshots = Vec::with_capacity(order.len());
    for id in &order {
        let c = last[id];
        snapshots.push(serde_json::to_string(c).map_err(|e| sqlx::Error::Encode(Box::new(e)))?);
    }
    sqlx::query(
        "INSERT INTO qb_customers (connection_id, tenant_id, list_id, snapshot)
         SELECT $1, $2, u.list_id, u.snapshot::jsonb FROM unnest($3::text[], $4::text[]) AS u(list_id, snapshot)
         ON CONFLICT (connection_id, list_id) DO UPDATE SET snapshot = EXCLUDED.snapshot, updated_at = now()",
    )
    .bind(connection)
    .bind(tenant)
    .bind(&order)
    .bind(&snapshots)
    .execute(&mut **tx)
    .await?;
    Ok(())
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
