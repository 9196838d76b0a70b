//! Refresh tokens: stored as keyed hashes, rotated on use, revoked by family on reuse.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::Tx;
use crate::ids::{TenantId, UserId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RefreshToken {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub family_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub spent_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub async fn insert(
    tx: &mut Tx,
    tenant_id: TenantId,
    user_id: UserId,
    family_id: Uuid,
    token_hash: &[u8],
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO refresh_tokens (id, tenant_id, user_id, family_id, token_hash, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Uuid::new_v4())
    .bind(tenant_id)
    .bind(user_id)
    .bind(family_id)
    .bind(token_hash)
    .bind(expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The tenant a token hash belongs to, across tenants.
pub async fn tenant_of(pool: &PgPool, token_hash: &[u8]) -> Result<Option<TenantId>, sqlx::Error> {
    let row: Option<(Option<uuid::Uuid>,)> = sqlx::query_as("SELECT auth_refresh_token_tenant($1)")
        .bind(token_hash)
        .fetch_optional(pool)
        .await?;
    Ok(row.and_then(|(id,)| id).map(TenantId))
}

/// Locks and returns the token row inside the tenant's transaction.
pub async fn find_for_update(
    tx: &mut Tx,
    token_hash: &[u8],
) -> Result<Option<RefreshToken>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, tenant_id, user_id, family_id, expires_at, spent_at, revoked_at
         FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE",
    )
    .bind(token_hash)
    .fetch_optional(&mut **tx)
    .await
}

pub async fn mark_spent(tx: &mut Tx, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE refresh_tokens SET spent_at = now() WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn revoke_family(tx: &mut Tx, family_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL",
    )
    .bind(family_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
