//! ShipStation connections. Key and secret are stored sealed; only the last four characters of
//! the key are kept in clear, for display.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::Tx;
use crate::ids::{ConnectionId, TenantId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConnectionRow {
    pub id: ConnectionId,
    pub tenant_id: TenantId,
    pub name: String,
    pub base_url: String,
    pub api_key_sealed: Vec<u8>,
    pub api_secret_sealed: Vec<u8>,
    pub api_key_last4: String,
    pub status: String,
    pub webhook_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, tenant_id, name, base_url, api_key_sealed, api_secret_sealed, \
    api_key_last4, status, webhook_id, created_at, updated_at";

pub struct NewConnection<'a> {
    pub id: ConnectionId,
    pub name: &'a str,
    pub base_url: &'a str,
    pub api_key_sealed: Vec<u8>,
    pub api_secret_sealed: Vec<u8>,
    pub api_key_last4: String,
}

pub async fn insert(
    tx: &mut Tx,
    tenant: TenantId,
    new: NewConnection<'_>,
) -> Result<ConnectionRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO connections (id, tenant_id, name, base_url, api_key_sealed, api_secret_sealed, api_key_last4)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
    ))
    .bind(new.id)
    .bind(tenant)
    .bind(new.name)
    .bind(new.base_url)
    .bind(new.api_key_sealed)
    .bind(new.api_secret_sealed)
    .bind(new.api_key_last4)
    .fetch_one(&mut **tx)
    .await
}

pub async fn list(tx: &mut Tx) -> Result<Vec<ConnectionRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM connections ORDER BY created_at, id"
    ))
    .fetch_all(&mut **tx)
    .await
}

pub async fn get(tx: &mut Tx, id: ConnectionId) -> Result<Option<ConnectionRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM connections WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

pub async fn update(tx: &mut Tx, row: &ConnectionRow) -> Result<ConnectionRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE connections SET name = $2, base_url = $3, api_key_sealed = $4, api_secret_sealed = $5,
            api_key_last4 = $6, status = $7, webhook_id = $8, updated_at = now()
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(row.id)
    .bind(&row.name)
    .bind(&row.base_url)
    .bind(&row.api_key_sealed)
    .bind(&row.api_secret_sealed)
    .bind(&row.api_key_last4)
    .bind(&row.status)
    .bind(row.webhook_id)
    .fetch_one(&mut **tx)
    .await
}

pub async fn delete(tx: &mut Tx, id: ConnectionId) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM connections WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The tenant owning a connection, across tenants (webhooks, jobs).
pub async fn tenant_of(pool: &PgPool, id: ConnectionId) -> Result<Option<TenantId>, sqlx::Error> {
    let row: Option<(Option<uuid::Uuid>,)> = sqlx::query_as("SELECT connection_tenant($1)")
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(row.and_then(|(id,)| id).map(TenantId))
}

/// Every active connection with its tenant, across tenants (schedulers).
pub async fn active(pool: &PgPool) -> Result<Vec<(ConnectionId, TenantId)>, sqlx::Error> {
    sqlx::query_as("SELECT connection_id, tenant_id FROM active_connections()")
        .fetch_all(pool)
        .await
}
