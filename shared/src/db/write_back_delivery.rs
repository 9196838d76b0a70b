//! The Web Connector side of write-backs: which are due for a connection, and what happened
//! to each (sent, done, failed), with the order's status and a readable event.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::orders::add_event;
use super::Tx;
use crate::ids::{ConnectionId, OrderId, TenantId};
use crate::sale::{Sale, TxnType};

/// A write-back waiting for the next Web Connector session.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueWriteBack {
    pub id: Uuid,
    pub order_id: OrderId,
    pub txn_type: String,
    pub txn_id: String,
    pub ref_number: Option<String>,
    pub add_tracking: Vec<String>,
    pub remove_tracking: Vec<String>,
    pub ship_date: Option<NaiveDate>,
    pub shipping_cost: Option<Decimal>,
}

impl DueWriteBack {
    pub fn txn_type(&self) -> Option<TxnType> {
        TxnType::parse(&self.txn_type)
    }
}

pub async fn mark_sent(tx: &mut Tx, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE write_backs SET status = 'sent', attempts = attempts + 1, updated_at = now()
         WHERE id = $1 AND status IN ('pending', 'sent')",
    )
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// QuickBooks confirmed: the write-back is done and the order `written_back`.
pub async fn mark_done(
    tx: &mut Tx,
    tenant: TenantId,
    id: Uuid,
    order: OrderId,
    message: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE write_backs SET status = 'done', last_error = NULL, updated_at = now() WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE orders SET status = 'written_back', last_error = NULL, updated_at = now() WHERE id = $1")
        .bind(order)
        .execute(&mut **tx)
        .await?;
    add_event(tx, tenant, order, "written_back", message).await
}

/// QuickBooks refused: the write-back and the order show QuickBooks' message.
pub async fn mark_failed(
    tx: &mut Tx,
    tenant: TenantId,
    id: Uuid,
    order: OrderId,
    message: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE write_backs SET status = 'failed', last_error = $2, updated_at = now() WHERE id = $1")
        .bind(id)
        .bind(message)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE orders SET status = 'write_back_failed', last_error = $2, updated_at = now() WHERE id = $1")
        .bind(order)
        .bind(message)
        .execute(&mut **tx)
        .await?;
    add_event(tx, tenant, order, "write_back_failed", message).await
}

/// Attempts (sends and deferrals together) after which a write-back QuickBooks keeps
/// deferring is given up: about ten sessions.
pub const MAX_WRITE_BACK_ATTEMPTS: i32 = 20;

/// QuickBooks could not apply the write-back just now (the sale open on someone's screen, a
/// lock, an internal error): it stays due for the next session, with the reason on the order.
/// Returns `true` when it had been tried too often and is now failed instead.
pub async fn defer(
    tx: &mut Tx,
    tenant: TenantId,
    id: Uuid,
    order: OrderId,
    message: &str,
) -> Result<bool, sqlx::Error> {
    let attempts: Option<i32> = sqlx::query_scalar(
        "UPDATE write_backs SET status = 'pending', attempts = attempts + 1, last_error = $2, updated_at = now()
         WHERE id = $1 AND status IN ('pending', 'sent') RETURNING attempts",
    )
    .bind(id)
    .bind(message)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(attempts) = attempts else {
        return Ok(false); // already done or failed meanwhile: nothing to defer
    };
    if attempts >= MAX_WRITE_BACK_ATTEMPTS {
        let text = format!("{message} Given up after {MAX_WRITE_BACK_ATTEMPTS} attempts.");
        mark_failed(tx, tenant, id, order, &text).await?;
        return Ok(true);
    }
    sqlx::query("UPDATE orders SET last_error = $2, updated_at = now() WHERE id = $1")
        .bind(order)
        .bind(message)
        .execute(&mut **tx)
        .await?;
    add_event(tx, tenant, order, "write_back_retry", message).await?;
    Ok(false)
}

/// Records the EditSequence and TimeModified QuickBooks gave the sale after our Mod, so the
/// next iterator does not take our own change for a user's edit. The Mod's reply names only
/// those (`IncludeRetElement`), so the stored snapshot and hash stay as they are; the next read
/// of the same EditSequence refreshes them without making a revision.
pub async fn refresh_sale(
    tx: &mut Tx,
    connection: ConnectionId,
    sale: &Sale,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        // A reply without one of them (a terse Mod echo) keeps what is stored for it.
        "UPDATE qb_sales SET edit_sequence = COALESCE(NULLIF($4, ''), edit_sequence),
                time_modified = COALESCE(NULLIF($5, ''), time_modified), updated_at = now()
         WHERE connection_id = $1 AND txn_type = $2 AND txn_id = $3",
    )
    .bind(connection)
    .bind(sale.txn_type.as_str())
    .bind(&sale.txn_id)
    .bind(&sale.edit_sequence)
    .bind(&sale.time_modified)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
