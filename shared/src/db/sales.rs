//! Storing QuickBooks sales and customers idempotently, and turning each new or changed sale
//! into an order intent (`pending`, or `skipped` with the reason).

use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::orders::add_event;
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
    let modified = sale.time_modified.get(..10).and_then(|d| d.parse::<chrono::NaiveDate>().ok());
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
    let hash = content_hash(sale);
    let snapshot = serde_json::to_value(sale).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let existing: Option<(SaleId, Vec<u8>, i32, String)> = sqlx::query_as(
        "SELECT id, content_hash, revision, edit_sequence FROM qb_sales
         WHERE connection_id = $1 AND txn_type = $2 AND txn_id = $3 FOR UPDATE",
    )
    .bind(connection)
    .bind(sale.txn_type.as_str())
    .bind(&sale.txn_id)
    .fetch_optional(&mut **tx)
    .await?;

    let (sale_id, new, revision) = match existing {
        Some((id, old_hash, revision, old_sequence)) => {
            // The same EditSequence is the same revision: the one our own write-back made
            // (stored from its Mod response) or one already seen.
            let changed = old_hash != hash && old_sequence != sale.edit_sequence;
            let revision = if changed { revision + 1 } else { revision };
            sqlx::query(
                "UPDATE qb_sales SET edit_sequence = $2, time_modified = $3, ref_number = $4, txn_date = $5,
                     customer_name = $6, customer_list_id = $7, snapshot = $8, content_hash = $9,
                     revision = $10, updated_at = now()
                 WHERE id = $1",
            )
            .bind(id)
            .bind(&sale.edit_sequence)
            .bind(&sale.time_modified)
            .bind(&sale.ref_number)
            .bind(sale.txn_date)
            .bind(&sale.customer_full_name)
            .bind(&sale.customer_list_id)
            .bind(&snapshot)
            .bind(&hash)
            .bind(revision)
            .execute(&mut **tx)
            .await?;
            if !changed && !forced {
                return Ok(StoreOutcome::Unchanged);
            }
            (id, false, revision)
        }
        None => {
            let id = SaleId(Uuid::new_v4());
            sqlx::query(
                "INSERT INTO qb_sales (id, tenant_id, connection_id, txn_type, txn_id, edit_sequence, ref_number,
                     txn_date, time_modified, customer_name, customer_list_id, snapshot, content_hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(id)
            .bind(tenant)
            .bind(connection)
            .bind(sale.txn_type.as_str())
            .bind(&sale.txn_id)
            .bind(&sale.edit_sequence)
            .bind(&sale.ref_number)
            .bind(sale.txn_date)
            .bind(&sale.time_modified)
            .bind(&sale.customer_full_name)
            .bind(&sale.customer_list_id)
            .bind(&snapshot)
            .bind(&hash)
            .execute(&mut **tx)
            .await?;
            (id, true, 1)
        }
    };

    let reason = if forced { None } else { skip_reason(sale, settings) };
    let status = if reason.is_some() { "skipped" } else { "pending" };
    let key = order_key(connection.0, &sale.txn_id);
    let row: Option<(OrderId,)> = sqlx::query_as(
        "INSERT INTO orders (id, tenant_id, connection_id, sale_id, status, order_key, push_requested_at, skip_reason)
         VALUES ($1, $2, $3, $4, $5, $6, now(), $7)
         ON CONFLICT (sale_id) DO UPDATE SET
             status = EXCLUDED.status, skip_reason = EXCLUDED.skip_reason,
             push_requested_at = now(), last_error = NULL, attempts = 0, updated_at = now()
         WHERE orders.status NOT IN ('shipped', 'written_back', 'write_back_failed')
         RETURNING id",
    )
    .bind(OrderId(Uuid::new_v4()))
    .bind(tenant)
    .bind(connection)
    .bind(sale_id)
    .bind(status)
    .bind(&key)
    .bind(&reason)
    .fetch_optional(&mut **tx)
    .await?;

    let what = describe(sale);
    let Some((order,)) = row else {
        let (order,): (OrderId,) = sqlx::query_as("SELECT id FROM orders WHERE sale_id = $1")
            .bind(sale_id)
            .fetch_one(&mut **tx)
            .await?;
        add_event(
            tx,
            tenant,
            order,
            "locked",
            &format!("{what} changed in QuickBooks after it shipped; ShipStation keeps the shipped order as it is."),
        )
        .await?;
        return Ok(StoreOutcome::Locked { order });
    };

    let received = if forced {
        format!("{what} fetched from QuickBooks as a test sale.")
    } else if new {
        format!("{what} received from QuickBooks.")
    } else {
        format!("{what} changed in QuickBooks (revision {revision}).")
    };
    add_event(tx, tenant, order, "received", &received).await?;
    Ok(match reason {
        Some(reason) => {
            add_event(tx, tenant, order, "skipped", &format!("Not sent to ShipStation: {reason}")).await?;
            StoreOutcome::Skipped { order, reason }
        }
        None => StoreOutcome::Queued { order, new },
    })
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
