//! Writing push outcomes: order status, ids, last error, and the order's events.

use shared::db::orders::add_event;
use shared::db::Tx;
use shared::ids::{ConnectionId, OrderId, TenantId};
use uuid::Uuid;

use super::prepare::Event;

async fn events(
    tx: &mut Tx,
    tenant: TenantId,
    order: OrderId,
    list: &[Event],
) -> Result<(), sqlx::Error> {
    for (kind, message) in list {
        add_event(tx, tenant, order, kind, message).await?;
    }
    Ok(())
}

/// The order is in ShipStation as `shipstation_order_id` in `store_id`.
pub struct Pushed<'a> {
    pub order: OrderId,
    pub shipstation_order_id: i64,
    pub order_number: &'a str,
    pub store_id: Option<i64>,
    pub pushed_hash: &'a [u8],
}

/// Marks an order `pushed`, with its notes and a `pushed` event.
pub async fn pushed(
    tx: &mut Tx,
    tenant: TenantId,
    p: &Pushed<'_>,
    notes: &[Event],
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE orders SET status = 'pushed', shipstation_order_id = $2,
                store_id = COALESCE($3, store_id), pushed_hash = $4, last_error = NULL,
                attempts = 0, updated_at = now()
         WHERE id = $1",
    )
    .bind(p.order)
    .bind(p.shipstation_order_id)
    .bind(p.store_id)
    .bind(p.pushed_hash)
    .execute(&mut **tx)
    .await?;
    events(tx, tenant, p.order, notes).await?;
    let message = format!(
        "Sent to ShipStation as order {} (#{})",
        p.order_number, p.shipstation_order_id
    );
    add_event(tx, tenant, p.order, "pushed", &message).await
}

/// The sale was voided and ShipStation cancelled its order: `skipped` with `reason`, with the
/// ShipStation status known to be `cancelled` (so a later revision is not sent again).
pub async fn cancelled(
    tx: &mut Tx,
    tenant: TenantId,
    p: &Pushed<'_>,
    reason: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE orders SET status = 'skipped', skip_reason = $2, shipstation_order_id = $3,
                shipstation_status = 'cancelled', pushed_hash = $4, last_error = NULL,
                attempts = 0, updated_at = now()
         WHERE id = $1",
    )
    .bind(p.order)
    .bind(reason)
    .bind(p.shipstation_order_id)
    .bind(p.pushed_hash)
    .execute(&mut **tx)
    .await?;
    let message = format!(
        "Voided in QuickBooks: ShipStation order {} (#{}) cancelled",
        p.order_number, p.shipstation_order_id
    );
    add_event(tx, tenant, p.order, "cancelled", &message).await
}

/// Marks an order `failed` with `message` as its `last_error`, with its notes and a `failed`
/// event.
pub async fn failed(
    tx: &mut Tx,
    tenant: TenantId,
    order: OrderId,
    message: &str,
    notes: &[Event],
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE orders SET status = 'failed', last_error = $2, attempts = 0, updated_at = now()
         WHERE id = $1",
    )
    .bind(order)
    .bind(message)
    .execute(&mut **tx)
    .await?;
    events(tx, tenant, order, notes).await?;
    add_event(tx, tenant, order, "failed", message).await
}

/// A shipped or cancelled order that was not changed: back to `shipped` (when ShipStation
/// says so) or `pushed`, with an event.
pub async fn locked(
    tx: &mut Tx,
    tenant: TenantId,
    order: OrderId,
    message: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE orders SET
            status = CASE WHEN shipstation_status = 'shipped' THEN 'shipped' ELSE 'pushed' END,
            last_error = NULL, attempts = 0, updated_at = now()
         WHERE id = $1",
    )
    .bind(order)
    .execute(&mut **tx)
    .await?;
    add_event(tx, tenant, order, "locked", message).await
}

/// Sync to ShipStation is off: the order is `skipped`.
pub async fn skipped(
    tx: &mut Tx,
    tenant: TenantId,
    order: OrderId,
    reason: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE orders SET status = 'skipped', skip_reason = $2, updated_at = now() WHERE id = $1",
    )
    .bind(order)
    .bind(reason)
    .execute(&mut **tx)
    .await?;
    add_event(tx, tenant, order, "skipped", reason).await
}

/// Counts one more transient failure for `orders`; returns the highest count.
pub async fn bump_attempts(tx: &mut Tx, orders: &[OrderId]) -> Result<i32, sqlx::Error> {
    let ids: Vec<Uuid> = orders.iter().map(|o| o.0).collect();
    let max: Option<i32> = sqlx::query_scalar(
        "WITH bumped AS (
            UPDATE orders SET attempts = attempts + 1, updated_at = now()
            WHERE id = ANY($1) AND status = 'pending' RETURNING attempts)
         SELECT max(attempts) FROM bumped",
    )
    .bind(ids)
    .fetch_one(&mut **tx)
    .await?;
    Ok(max.unwrap_or(0))
}

/// ShipStation refused the key and secret.
pub async fn invalid_credentials(tx: &mut Tx, connection: ConnectionId) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE connections SET status = 'invalid_credentials', updated_at = now() WHERE id = $1",
    )
    .bind(connection)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
