//! Tracking back from ShipStation: recorded label shipments, the order's tracking state, the
//! pending write-backs the next Web Connector session delivers, the connection's shipments
//! watermark and its webhook token.
//!
//! ## The `write_backs` contract (producer: the tracking pull; consumer: the Web Connector)
//!
//! * At most one `pending` row per order. The tracking pull never edits a row in place: when
//!   the desired content changes it deletes the `pending` row and inserts a new one (keeping
//!   the old `created_at`), so a session that already read the old row can never mark the new
//!   content `done`. Rows in `sent`, `done` or `failed` are never touched by the pull.
//! * `add_tracking`: every tracking number that must be on the sale (the full list of the
//!   order's live labels, oldest first), not only the new ones. Applying it twice is harmless.
//! * `remove_tracking`: numbers Quayside wrote earlier whose label has since been voided; they
//!   must be absent afterwards.
//! * `ship_date`: the earliest ship date of the live labels.
//! * `shipping_cost`: the amount the shipping line must have (`null` = leave the cost alone).

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::connections::ConnectionRow;
use super::Tx;
use crate::ids::{ConnectionId, OrderId, TenantId};
use crate::settings::SyncSettings;

/// Redis key names the api and the worker agree on for tracking pulls.
pub mod keys {
    use crate::ids::ConnectionId;

    /// Set (NX, with a TTL) by whoever enqueues a tracking pull and deleted by the job when it
    /// starts, so at most one pull per connection waits in the queue however many webhooks
    /// and schedules arrive.
    pub fn pull_queued(namespace: &str, connection: ConnectionId) -> String {
        format!("{namespace}:tracking-queued:{connection}")
    }

    /// A list of the `resource_url`s SHIP_NOTIFY delivered for the connection, newest first,
    /// which the next pull reads (and empties).
    pub fn notified_resources(namespace: &str, connection: ConnectionId) -> String {
        format!("{namespace}:tracking-resources:{connection}")
    }
}

/// Most `resource_url`s kept per connection between pulls (the watermark pass finds the rest).
pub const MAX_NOTIFIED_RESOURCES: isize = 50;

/// The keyed-hash purpose of webhook tokens (`SecretKeys::keyed_hash`).
pub const WEBHOOK_TOKEN_PURPOSE: &str = "webhook-token";

/// What a tracking pull needs to know about its connection.
#[derive(Debug, Clone)]
pub struct PullTarget {
    pub connection: ConnectionRow,
    pub settings: SyncSettings,
    /// The largest shipment `createDate` stored so far.
    pub watermark: Option<DateTime<Utc>>,
    /// Orders that exist in ShipStation (nothing to match without them).
    pub linked_orders: i64,
    /// Recorded labels not voided (a void query is pointless without them).
    pub live_shipments: i64,
    /// When the last catch-up pass finished (`None`: never).
    pub caught_up_at: Option<DateTime<Utc>>,
    /// When the oldest order in ShipStation still waiting to ship reached Quayside.
    pub oldest_waiting: Option<DateTime<Utc>>,
}

/// Loads the connection, its settings and its pull state, or `None` when it is gone.
pub async fn pull_target(
    tx: &mut Tx,
    connection: ConnectionId,
) -> Result<Option<PullTarget>, sqlx::Error> {
    let Some(row) = super::connections::get(tx, connection).await? else {
        return Ok(None);
    };
    let settings = super::sync_settings::load(tx, connection, row.created_at).await?;
    type Row = (
        Option<DateTime<Utc>>,
        i64,
        i64,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
    );
    let (watermark, linked_orders, live_shipments, caught_up_at, oldest_waiting): Row =
        sqlx::query_as(
            "SELECT c.shipments_watermark,
                (SELECT count(*) FROM orders o
                  WHERE o.connection_id = c.id AND o.shipstation_order_id IS NOT NULL),
                (SELECT count(*) FROM shipments s WHERE s.connection_id = c.id AND NOT s.voided),
                c.shipments_caught_up_at,
                (SELECT min(o.created_at) FROM orders o
                  WHERE o.connection_id = c.id AND o.shipstation_order_id IS NOT NULL
                    AND o.status = 'pushed')
             FROM connections c WHERE c.id = $1",
        )
        .bind(connection)
        .fetch_one(&mut **tx)
        .await?;
    Ok(Some(PullTarget {
        connection: row,
        settings,
        watermark,
        linked_orders,
        live_shipments,
        caught_up_at,
        oldest_waiting,
    }))
}

/// An order a shipment can belong to.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OrderRef {
    pub id: OrderId,
    pub order_key: String,
    pub shipstation_order_id: Option<i64>,
}

/// The connection's orders whose key is in `keys` or whose ShipStation id is in `ids`.
pub async fn match_orders(
    tx: &mut Tx,
    connection: ConnectionId,
    keys: &[String],
    ids: &[i64],
) -> Result<Vec<OrderRef>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, order_key, shipstation_order_id FROM orders
         WHERE connection_id = $1 AND (order_key = ANY($2) OR shipstation_order_id = ANY($3))",
    )
    .bind(connection)
    .bind(keys)
    .bind(ids)
    .fetch_all(&mut **tx)
    .await
}

/// A label as recorded in `shipments`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredShipment {
    /// The label's `shipmentId`, or the fulfillment's `fulfillmentId` when `fulfillment`.
    pub shipstation_shipment_id: i64,
    /// Marked shipped without a label (from `/fulfillments`): tracking, no postage cost.
    pub fulfillment: bool,
    pub tracking_number: Option<String>,
    pub carrier_code: Option<String>,
    pub service_code: Option<String>,
    pub ship_date: Option<NaiveDate>,
    pub cost: Option<Decimal>,
    pub voided: bool,
    pub void_date: Option<DateTime<Utc>>,
}

const SHIPMENT_COLUMNS: &str = "shipstation_shipment_id, fulfillment, tracking_number, \
    carrier_code, service_code, ship_date, cost, voided, void_date";

/// Inserts or updates one label of `order`; returns the row as it was before, if any.
pub async fn upsert_shipment(
    tx: &mut Tx,
    tenant: TenantId,
    connection: ConnectionId,
    order: OrderId,
    s: &StoredShipment,
) -> Result<Option<StoredShipment>, sqlx::Error> {
    let before: Option<StoredShipment> = sqlx::query_as(&format!(
        "SELECT {SHIPMENT_COLUMNS} FROM shipments
         WHERE connection_id = $1 AND fulfillment = $2 AND shipstation_shipment_id = $3 FOR UPDATE"
    ))
    .bind(connection)
    .bind(s.fulfillment)
    .bind(s.shipstation_shipment_id)
    .fetch_optional(&mut **tx)
    .await?;
    if before.as_ref() == Some(s) {
        return Ok(before);
    }
    sqlx::query(
        "INSERT INTO shipments (id, tenant_id, connection_id, order_id, shipstation_shipment_id,
            tracking_number, carrier_code, service_code, ship_date, cost, voided, void_date, fulfillment)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (connection_id, fulfillment, shipstation_shipment_id) DO UPDATE SET
            order_id = EXCLUDED.order_id, tracking_number = EXCLUDED.tracking_number,
            carrier_code = EXCLUDED.carrier_code, service_code = EXCLUDED.service_code,
            ship_date = EXCLUDED.ship_date, cost = EXCLUDED.cost,
            voided = shipments.voided OR EXCLUDED.voided,
            void_date = COALESCE(EXCLUDED.void_date, shipments.void_date), updated_at = now()",
    )
    .bind(Uuid::new_v4())
    .bind(tenant)
    .bind(connection)
    .bind(order)
    .bind(s.shipstation_shipment_id)
    .bind(&s.tracking_number)
    .bind(&s.carrier_code)
    .bind(&s.service_code)
    .bind(s.ship_date)
    .bind(s.cost)
    .bind(s.voided)
    .bind(s.void_date)
    .bind(s.fulfillment)
    .execute(&mut **tx)
    .await?;
    Ok(before)
}

/// Every recorded label of `order`, in ShipStation's (creation) order.
pub async fn order_shipments(
    tx: &mut Tx,
    order: OrderId,
) -> Result<Vec<StoredShipment>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {SHIPMENT_COLUMNS} FROM shipments WHERE order_id = $1
         ORDER BY fulfillment, shipstation_shipment_id"
    ))
    .bind(order)
    .fetch_all(&mut **tx)
    .await
}

/// An order's tracking state and the sale it came from.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OrderTracking {
    pub id: OrderId,
    pub status: String,
    pub shipstation_status: Option<String>,
    pub tracking_numbers: Vec<String>,
    pub shipping_cost: Option<Decimal>,
    /// `invoice`, `sales_receipt` or `sales_order`.
    pub txn_type: String,
    pub ref_number: Option<String>,
}

/// Loads an order's tracking state (locked for update), or `None`.
pub async fn order_tracking(
    tx: &mut Tx,
    order: OrderId,
) -> Result<Option<OrderTracking>, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.id, o.status, o.shipstation_status, o.tracking_numbers, o.shipping_cost,
                s.txn_type, s.ref_number
         FROM orders o JOIN qb_sales s ON s.id = o.sale_id
         WHERE o.id = $1 FOR UPDATE OF o",
    )
    .bind(order)
    .fetch_optional(&mut **tx)
    .await
}

/// Writes an order's new tracking state; `updated_at` moves only when something changed.
pub async fn update_order_tracking(tx: &mut Tx, order: &OrderTracking) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE orders SET status = $2, shipstation_status = $3, tracking_numbers = $4,
            shipping_cost = $5, updated_at = now()
         WHERE id = $1 AND (status, shipstation_status, tracking_numbers, shipping_cost)
            IS DISTINCT FROM ($2, $3, $4, $5)",
    )
    .bind(order.id)
    .bind(&order.status)
    .bind(&order.shipstation_status)
    .bind(&order.tracking_numbers)
    .bind(order.shipping_cost)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What a write-back asks QuickBooks for (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteBackContent {
    pub add_tracking: Vec<String>,
    pub remove_tracking: Vec<String>,
    pub ship_date: Option<NaiveDate>,
    pub shipping_cost: Option<Decimal>,
}

/// A row of `write_backs`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WriteBackRow {
    pub id: Uuid,
    pub order_id: OrderId,
    /// `pending`, `sent`, `done` or `failed`.
    pub status: String,
    pub add_tracking: Vec<String>,
    pub remove_tracking: Vec<String>,
    pub ship_date: Option<NaiveDate>,
    pub shipping_cost: Option<Decimal>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl WriteBackRow {
    /// The row's content.
    pub fn content(&self) -> WriteBackContent {
        WriteBackContent {
            add_tracking: self.add_tracking.clone(),
            remove_tracking: self.remove_tracking.clone(),
            ship_date: self.ship_date,
            shipping_cost: self.shipping_cost,
        }
    }
}

const WRITE_BACK_COLUMNS: &str = "id, order_id, status, add_tracking, remove_tracking, ship_date, \
    shipping_cost, last_error, created_at";

/// Every write-back of `order`, oldest first.
pub async fn order_write_backs(
    tx: &mut Tx,
    order: OrderId,
) -> Result<Vec<WriteBackRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {WRITE_BACK_COLUMNS} FROM write_backs WHERE order_id = $1 ORDER BY created_at, id"
    ))
    .bind(order)
    .fetch_all(&mut **tx)
    .await
}

/// The connection's pending write-backs, oldest first.
pub async fn pending_write_backs(
    tx: &mut Tx,
    connection: ConnectionId,
) -> Result<Vec<WriteBackRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {WRITE_BACK_COLUMNS} FROM write_backs
         WHERE connection_id = $1 AND status = 'pending' ORDER BY created_at, id"
    ))
    .bind(connection)
    .fetch_all(&mut **tx)
    .await
}

/// What [`set_pending_write_back`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PendingChange {
    /// Nothing: the pending row already had this content (or there was none and none is due).
    Unchanged,
    /// A new pending row (none was pending).
    Created,
    /// The pending row was replaced by one with the new content.
    Replaced,
    /// The pending row was withdrawn: nothing is due any more.
    Withdrawn,
}

/// Makes `want` the order's one pending write-back (`None`: no pending write-back).
pub async fn set_pending_write_back(
    tx: &mut Tx,
    tenant: TenantId,
    connection: ConnectionId,
    order: OrderId,
    want: Option<&WriteBackContent>,
) -> Result<PendingChange, sqlx::Error> {
    let pending: Vec<WriteBackRow> = sqlx::query_as(&format!(
        "SELECT {WRITE_BACK_COLUMNS} FROM write_backs
         WHERE order_id = $1 AND status = 'pending' ORDER BY created_at, id FOR UPDATE"
    ))
    .bind(order)
    .fetch_all(&mut **tx)
    .await?;
    if let ([only], Some(w)) = (pending.as_slice(), want) {
        if only.content() == *w {
            return Ok(PendingChange::Unchanged);
        }
    }
    let ids: Vec<Uuid> = pending.iter().map(|p| p.id).collect();
    sqlx::query("DELETE FROM write_backs WHERE id = ANY($1) AND status = 'pending'")
        .bind(&ids)
        .execute(&mut **tx)
        .await?;
    let Some(w) = want else {
        return Ok(if pending.is_empty() {
            PendingChange::Unchanged
        } else {
            PendingChange::Withdrawn
        });
    };
    sqlx::query(
        "INSERT INTO write_backs (id, tenant_id, connection_id, order_id, status, add_tracking,
            remove_tracking, ship_date, shipping_cost, created_at)
         VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, COALESCE($9, now()))",
    )
    .bind(Uuid::new_v4())
    .bind(tenant)
    .bind(connection)
    .bind(order)
    .bind(&w.add_tracking)
    .bind(&w.remove_tracking)
    .bind(w.ship_date)
    .bind(w.shipping_cost)
    .bind(pending.first().map(|p| p.created_at))
    .execute(&mut **tx)
    .await?;
    Ok(if pending.is_empty() {
        PendingChange::Created
    } else {
        PendingChange::Replaced
    })
}

/// Moves the shipments watermark forward to `seen` (never back).
pub async fn advance_watermark(
    tx: &mut Tx,
    connection: ConnectionId,
    seen: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE connections SET shipments_watermark = GREATEST(shipments_watermark, $2)
         WHERE id = $1",
    )
    .bind(connection)
    .bind(seen)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records that a catch-up pass finished at `at`.
pub async fn mark_caught_up(
    tx: &mut Tx,
    connection: ConnectionId,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE connections SET shipments_caught_up_at = $2 WHERE id = $1")
        .bind(connection)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Marks the connection's credentials as refused by ShipStation.
pub async fn mark_invalid_credentials(
    tx: &mut Tx,
    connection: ConnectionId,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE connections SET status = 'invalid_credentials', updated_at = now() WHERE id = $1",
    )
    .bind(connection)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Stores the keyed hash of the connection's webhook token.
pub async fn set_webhook_token_hash(
    tx: &mut Tx,
    connection: ConnectionId,
    hash: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE connections SET webhook_token_hash = $2 WHERE id = $1")
        .bind(connection)
        .bind(hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Stores (or clears) the id of the connection's ShipStation webhook subscription.
pub async fn set_webhook_id(
    tx: &mut Tx,
    connection: ConnectionId,
    webhook_id: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE connections SET webhook_id = $2 WHERE id = $1")
        .bind(connection)
        .bind(webhook_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The connection's status and webhook token hash, or `None` when it does not exist.
pub async fn webhook_check(
    tx: &mut Tx,
    connection: ConnectionId,
) -> Result<Option<(String, Option<Vec<u8>>)>, sqlx::Error> {
    sqlx::query_as("SELECT status, webhook_token_hash FROM connections WHERE id = $1")
        .bind(connection)
        .fetch_optional(&mut **tx)
        .await
}
