//! A connection's sync settings: the stored JSON, or the contract's defaults when none.

use chrono::{DateTime, Utc};

use super::Tx;
use crate::ids::{ConnectionId, TenantId};
use crate::settings::SyncSettings;

/// The day the connection was made: the UTC date of its `created_at`, as the API shows it.
/// Sales are held against `sync_from` as UTC instants (`db::sales::skip_reason`), so a sale
/// modified after the connection was made is never before it, whatever the merchant's zone.
pub fn default_sync_from(created_at: DateTime<Utc>) -> chrono::NaiveDate {
    created_at.date_naive()
}

/// The settings of `connection` (created at `created_at`), defaults when never saved.
pub async fn load(
    tx: &mut Tx,
    connection: ConnectionId,
    created_at: DateTime<Utc>,
) -> Result<SyncSettings, sqlx::Error> {
    let row: Option<(serde_json::Value,)> =
        sqlx::query_as("SELECT settings FROM sync_settings WHERE connection_id = $1")
            .bind(connection)
            .fetch_optional(&mut **tx)
            .await?;
    let defaults = SyncSettings::defaults(default_sync_from(created_at));
    Ok(match row {
        Some((json,)) => serde_json::from_value(json).unwrap_or_else(|e| {
            tracing::error!(connection_id = %connection, error = %e, "stored sync settings unreadable; using defaults");
            defaults
        }),
        None => defaults,
    })
}

/// Loads settings knowing only the connection id (reads its creation time).
pub async fn load_for(
    tx: &mut Tx,
    connection: ConnectionId,
) -> Result<Option<SyncSettings>, sqlx::Error> {
    let created: Option<(DateTime<Utc>,)> =
        sqlx::query_as("SELECT created_at FROM connections WHERE id = $1")
            .bind(connection)
            .fetch_optional(&mut **tx)
            .await?;
    match created {
        Some((at,)) => load(tx, connection, at).await.map(Some),
        None => Ok(None),
    }
}

pub async fn save(
    tx: &mut Tx,
    tenant: TenantId,
    connection: ConnectionId,
    settings: &SyncSettings,
) -> Result<(), sqlx::Error> {
    let json = serde_json::to_value(settings).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query(
        "INSERT INTO sync_settings (connection_id, tenant_id, settings) VALUES ($1, $2, $3)
         ON CONFLICT (connection_id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = now()",
    )
    .bind(connection)
    .bind(tenant)
    .bind(json)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
