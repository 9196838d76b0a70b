//! Web Connector credentials, sync runs, watermarks and test-sale requests.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sqlx::PgPool;
use uuid::Uuid;

use super::write_back_delivery::DueWriteBack;
use super::Tx;
use crate::ids::{ConnectionId, OrderId, TenantId};
use crate::sale::TxnType;
use crate::settings::SyncSettings;

/// The OwnerID of Quayside's .qwc: one for the application (the Web Connector keys its private
/// FileID data extension in the company file by it), while the FileID is per connection.
/// Credentials paired before it kept their own OwnerID: a .qwc already installed must not change.
pub const QBWC_OWNER_ID: Uuid = uuid::uuid!("7c1d3a52-5e0b-4d8e-9a51-2f6b0c4e8d17");

#[derive(Clone, sqlx::FromRow)]
pub struct Credential {
    pub connection_id: ConnectionId,
    pub tenant_id: TenantId,
    pub username: String,
    pub password_hash: Vec<u8>,
    pub owner_id: Uuid,
    pub file_id: Uuid,
    pub rotated_at: DateTime<Utc>,
}

/// Leaves out the password hash.
impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("connection_id", &self.connection_id)
            .field("tenant_id", &self.tenant_id)
            .field("username", &self.username)
            .field("owner_id", &self.owner_id)
            .field("file_id", &self.file_id)
            .field("rotated_at", &self.rotated_at)
            .finish_non_exhaustive()
    }
}

/// What `authenticate` needs, found by username across tenants.
#[derive(Clone, sqlx::FromRow)]
pub struct CredentialMatch {
    pub tenant_id: TenantId,
    pub connection_id: ConnectionId,
    pub password_hash: Vec<u8>,
}

/// Leaves out the password hash.
impl std::fmt::Debug for CredentialMatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialMatch")
            .field("tenant_id", &self.tenant_id)
            .field("connection_id", &self.connection_id)
            .finish_non_exhaustive()
    }
}

pub async fn find_by_username(
    pool: &PgPool,
    username: &str,
) -> Result<Option<CredentialMatch>, sqlx::Error> {
    sqlx::query_as("SELECT tenant_id, connection_id, password_hash FROM qbwc_find_credential($1)")
        .bind(username)
        .fetch_optional(pool)
        .await
}

/// The connection (of any tenant) whose .qwc carries `file_id`, if it still exists.
pub async fn file_connection(
    pool: &PgPool,
    file_id: Uuid,
) -> Result<Option<ConnectionId>, sqlx::Error> {
    sqlx::query_scalar("SELECT qbwc_file_connection($1)")
        .bind(file_id)
        .fetch_one(pool)
        .await
}

pub async fn get(tx: &mut Tx, connection: ConnectionId) -> Result<Option<Credential>, sqlx::Error> {
    sqlx::query_as(
        "SELECT connection_id, tenant_id, username, password_hash, owner_id, file_id, rotated_at
         FROM qbwc_credentials WHERE connection_id = $1",
    )
    .bind(connection)
    .fetch_optional(&mut **tx)
    .await
}

/// Creates the credential, or rotates its password (username, OwnerID and FileID stay).
pub async fn upsert(
    tx: &mut Tx,
    tenant: TenantId,
    connection: ConnectionId,
    username: &str,
    password_hash: &[u8],
) -> Result<Credential, sqlx::Error> {
    sqlx::query_as(
        "INSERT INTO qbwc_credentials (connection_id, tenant_id, username, password_hash, owner_id, file_id)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (connection_id) DO UPDATE
             SET password_hash = EXCLUDED.password_hash, rotated_at = now()
         RETURNING connection_id, tenant_id, username, password_hash, owner_id, file_id, rotated_at",
    )
    .bind(connection)
    .bind(tenant)
    .bind(username)
    .bind(password_hash)
    .bind(QBWC_OWNER_ID)
    .bind(Uuid::new_v4())
    .fetch_one(&mut **tx)
    .await
}

/// Forgets a run opened for a session that then had nothing to do.
pub async fn delete_run(tx: &mut Tx, run: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sync_runs WHERE id = $1")
        .bind(run)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Records progress (counts) and, when `status` is given, ends the run.
pub async fn update_run(
    tx: &mut Tx,
    run: Uuid,
    status: Option<&str>,
    sales_received: u32,
    requests_sent: u32,
    error: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE sync_runs SET
             sales_received = $2, requests_sent = $3,
             error = coalesce($4, error),
             status = coalesce($5, status),
             ended_at = CASE WHEN $5 IS NULL THEN ended_at ELSE now() END
         WHERE id = $1",
    )
    .bind(run)
    .bind(sales_received as i32)
    .bind(requests_sent as i32)
    .bind(error)
    .bind(status)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn mark_test_sales_fetched(tx: &mut Tx, ids: &[Uuid]) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE test_sale_requests SET fetched_at = now() WHERE id = ANY($1)")
        .bind(ids)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Everything `authenticate` needs about a connection, read as its run opens.
#[derive(Debug, Clone)]
pub struct SessionContext {
    /// When the connection was made (the default `sync_from`).
    pub created_at: DateTime<Utc>,
    /// The stored sync settings JSON, if ever saved.
    pub settings: Option<serde_json::Value>,
    /// Each transaction type's watermark: (type, `modified_from`).
    pub watermarks: Vec<(String, String)>,
    /// Open test-sale requests, oldest first (at most 200): (request id, RefNumber).
    pub test_sales: Vec<(Uuid, String)>,
    /// Write-backs due, oldest first.
    pub write_backs: Vec<DueWriteBack>,
    /// The .qwc's OwnerID and FileID, to recognise the paired company file.
    pub owner_id: Option<Uuid>,
    pub file_id: Option<Uuid>,
}

impl SessionContext {
    /// The stored settings, or the contract's defaults when never saved (or unreadable),
    /// exactly as [`super::sync_settings::load`] reads them.
    pub fn sync_settings(&self, connection: ConnectionId) -> SyncSettings {
        let defaults =
            SyncSettings::defaults(super::sync_settings::default_sync_from(self.created_at));
        match &self.settings {
            Some(json) => serde_json::from_value(json.clone()).unwrap_or_else(|e| {
                tracing::error!(connection_id = %connection, error = %e, "stored sync settings unreadable; using defaults");
                defaults
            }),
            None => defaults,
        }
    }

    /// The watermark of `t`, if one was recorded.
    pub fn watermark(&self, t: TxnType) -> Option<&str> {
        self.watermarks
            .iter()
            .find(|(k, _)| k == t.as_str())
            .map(|(_, v)| v.as_str())
    }
}

type ContextRow = (
    DateTime<Utc>,
    Option<serde_json::Value>,
    Vec<String>,
    Vec<String>,
    Vec<Uuid>,
    Vec<String>,
    serde_json::Value,
    Option<Uuid>,
    Option<Uuid>,
);

/// A due write-back as the session query returns it (the cost as text: exact decimals).
#[derive(Debug, serde::Deserialize)]
struct DueRow {
    id: Uuid,
    order_id: OrderId,
    txn_type: String,
    txn_id: String,
    ref_number: Option<String>,
    add_tracking: Vec<String>,
    remove_tracking: Vec<String>,
    ship_date: Option<NaiveDate>,
    shipping_cost: Option<String>,
}

/// Opens run `run` for the connection and reads what its session needs, in one statement
/// (`qbwc_open_run`, which sets the tenant itself: outside a transaction this is one round
/// trip): creation time, settings, watermarks, open test sales and up to `write_back_limit`
/// due write-backs (pending, or sent in a session that never answered: the re-query and the
/// already-applied check make a second attempt safe). Earlier runs still marked running are
/// closed as abandoned (their Web Connector stopped without `closeConnection`). `None` when the
/// connection does not exist (or is not this tenant's).
pub async fn open_session<'c>(
    executor: impl sqlx::PgExecutor<'c>,
    tenant: TenantId,
    connection: ConnectionId,
    run: Uuid,
    write_back_limit: i64,
) -> Result<Option<SessionContext>, sqlx::Error> {
    let row: Option<ContextRow> = sqlx::query_as(
        "SELECT created_at, settings, watermark_types, watermarks, test_ids, test_refs,
             due_write_backs, owner_id, file_id
         FROM qbwc_open_run($1, $2, $3, $4)",
    )
    .bind(tenant)
    .bind(connection)
    .bind(run)
    .bind(write_back_limit)
    .fetch_optional(executor)
    .await?;
    let Some((created_at, settings, types, marks, test_ids, test_refs, due, owner_id, file_id)) =
        row
    else {
        return Ok(None);
    };
    let due: Vec<DueRow> =
        serde_json::from_value(due).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    let write_backs = due
        .into_iter()
        .map(|d| {
            let shipping_cost = d
                .shipping_cost
                .map(|c| c.parse::<Decimal>())
                .transpose()
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
            Ok(DueWriteBack {
                id: d.id,
                order_id: d.order_id,
                txn_type: d.txn_type,
                txn_id: d.txn_id,
                ref_number: d.ref_number,
                add_tracking: d.add_tracking,
                remove_tracking: d.remove_tracking,
                ship_date: d.ship_date,
                shipping_cost,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Some(SessionContext {
        created_at,
        settings,
        watermarks: types.into_iter().zip(marks).collect(),
        test_sales: test_ids.into_iter().zip(test_refs).collect(),
        write_backs,
        owner_id,
        file_id,
    }))
}
