//! The Web Connector side of write-backs: which are due for a connection, and what happened
//! to each (sent, done, failed), with the order's status and a readable event.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::orders::add_event;
use super::sales::content_hash;
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

/// Stores the sale as QuickBooks returned it after our Mod, so the next iterator does not
/// take our own change for a user's edit.
pub async fn refresh_sale(
    tx: &mut Tx,
    connection: ConnectionId,
    sale: &Sale,
) -> Result<(), sqlx::Error> {
    let snapshot = serde_json::to_value(sale).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query(
        "UPDATE qb_sales SET edit_sequence = $4, time_modified = $5, snapshot = $6, content_hash = $7, updated_at = now()
         WHERE connection_id = $1 AND txn_type = $2 AND txn_id = $3",
    )
    .bind(connection)
    .bind(sale.txn_type.as_str())
    .bind(&sale.txn_id)
    .bind(&sale.edit_sequence)
    .bind(&sale.time_modified)
    .bind(snapshot)
    .bind(content_hash(sale))
    .execute(&mut **tx)
    .await?;
    Ok(())
}
