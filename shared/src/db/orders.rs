//! Order queries shared by the api and the worker: the event history, and the push intent
//! (`status = 'pending'`, `push_requested_at`) that the sweeper watches.

use std::time::Duration;

use sqlx::PgPool;
use uuid::Uuid;

use super::Tx;
use crate::ids::{ConnectionId, OrderId, TenantId};

/// One order the sweeper found pending for too long, across tenants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct StalePending {
    pub tenant_id: TenantId,
    pub connection_id: ConnectionId,
    pub order_id: OrderId,
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// Appends an event (`kind`: `pushed`, `failed`, `note`, `rules`, `store`, `locked`, ...) to an
/// order's history.
pub async fn add_event(
    tx: &mut Tx,
    tenant: TenantId,
    order: OrderId,
    kind: &str,
    message: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO events (tenant_id, order_id, kind, message) VALUES ($1, $2, $3, $4)")
        .bind(tenant)
        .bind(order)
        .bind(kind)
        .bind(message)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Orders left `pending` longer than `older_than` (oldest first), across tenants, through the
/// SECURITY DEFINER function `stale_pending_orders`.
pub async fn stale_pending(
    pool: &PgPool,
    older_than: Duration,
    limit: i32,
) -> Result<Vec<StalePending>, sqlx::Error> {
    sqlx::query_as(
        "SELECT tenant_id, connection_id, order_id
         FROM stale_pending_orders($1::bigint * interval '1 millisecond', $2)",
    )
    .bind(millis(older_than))
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Moves `push_requested_at` of the still-pending `orders` to `now() + after`: the moment from
/// which the sweeper starts counting them as stale. Returns how many rows changed.
pub async fn request_push(
    tx: &mut Tx,
    orders: &[OrderId],
    after: Duration,
) -> Result<u64, sqlx::Error> {
    let ids: Vec<Uuid> = orders.iter().map(|o| o.0).collect();
    let done = sqlx::query(
        "UPDATE orders SET push_requested_at = now() + $2::bigint * interval '1 millisecond'
         WHERE id = ANY($1) AND status = 'pending'",
    )
    .bind(ids)
    .bind(millis(after))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// After the connection's credentials changed: orders recorded in a store the account no longer
/// has (`stores`: the new account's store ids) belong to the old account, so their ShipStation
/// identity is forgotten; their next push creates them in the new account. Orders in a store the
/// new credentials still see (a rotated key of the same account) keep theirs. Returns how many
/// were forgotten.
pub async fn forget_foreign_identities(
    tx: &mut Tx,
    connection: ConnectionId,
    stores: &[i64],
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE orders SET shipstation_order_id = NULL, store_id = NULL, shipstation_status = NULL,
             pushed_hash = NULL, updated_at = now()
         WHERE connection_id = $1 AND store_id IS NOT NULL AND NOT (store_id = ANY($2))",
    )
    .bind(connection)
    .bind(stores)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}
