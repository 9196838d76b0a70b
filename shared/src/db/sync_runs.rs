//! Web Connector runs (`sync_runs`), read side: the history the api lists.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::Tx;
use crate::ids::ConnectionId;

/// The most runs [`list`] returns.
pub const LIST_LIMIT: i64 = 100;

/// One Web Connector session of a connection.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SyncRunRow {
    pub id: Uuid,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub status: String,
    pub sales_received: i32,
    pub requests_sent: i32,
    pub error: Option<String>,
}

/// The connection's latest runs, newest first, at most `limit` (capped at [`LIST_LIMIT`]).
pub async fn list(
    tx: &mut Tx,
    connection: ConnectionId,
    limit: i64,
) -> Result<Vec<SyncRunRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, started_at, ended_at, status, sales_received, requests_sent, error
         FROM sync_runs WHERE connection_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2",
    )
    .bind(connection)
    .bind(limit.clamp(0, LIST_LIMIT))
    .fetch_all(&mut **tx)
    .await
}
