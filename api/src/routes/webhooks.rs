//! ShipStation's `SHIP_NOTIFY` webhook: `POST /webhooks/shipstation/{connection_id}/{token}`.
//!
//! The token in the path is the only proof the call comes from ShipStation (V1 signs nothing):
//! an unknown connection and a wrong token are the same 404, compared in constant time on
//! keyed hashes. A valid call notes the `resource_url` for the next pull and enqueues one,
//! answering at once. The worker fetches a noted URL only on the connection's own ShipStation
//! host and `/shipments` path (anything else would let whoever holds the URL make us send the
//! credentials elsewhere), and reads `/shipments` by the connection's watermark as well.
//!
//! Also here: subscribing and unsubscribing the webhook when a connection is created and
//! deleted.

use std::time::Duration;

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;
use shared::crypto::{constant_time_eq, random_token};
use shared::db::connections::ConnectionRow;
use shared::db::tracking::{self, keys, WEBHOOK_TOKEN_PURPOSE};
use shared::ids::ConnectionId;
use shared::jobs::{PullReason, TrackingPullV1};
use shared::shipstation::client::ShipStationClient;

use crate::error::{ApiError, ApiResult};
use crate::shipstation_budget::within_budget;
use crate::state::AppState;

/// Largest webhook body accepted (ShipStation sends about 200 bytes).
pub const MAX_BODY: usize = 64 * 1024;
/// How long ShipStation calls made while creating or deleting a connection may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// At most one pull per connection waits in the queue; this flag says one does.
const QUEUED_TTL_MS: u64 = 600_000;

/// ShipStation's delivery body.
#[derive(Debug, Deserialize)]
pub struct Notification {
    /// Where ShipStation says the new labels are (`…/shipments?batchId=…`).
    pub resource_url: String,
    /// `SHIP_NOTIFY`, `ITEM_SHIP_NOTIFY`, ...
    pub resource_type: String,
}

/// A fresh webhook token and its keyed hash (the hash is what is stored).
pub fn new_token(state: &AppState) -> (String, Vec<u8>) {
    let token = random_token(32);
    let hash = state
        .settings
        .secret_keys
        .keyed_hash(WEBHOOK_TOKEN_PURPOSE, token.as_bytes());
    (token, hash)
}

/// The URL ShipStation calls for `connection`.
pub fn webhook_url(state: &AppState, connection: ConnectionId, token: &str) -> String {
    format!(
        "{}/webhooks/shipstation/{connection}/{token}",
        state.settings.public_base_url
    )
}

/// Whether to subscribe SHIP_NOTIFY: always for an https base URL; outside production also
/// for plain http, so a local or mock ShipStation can deliver to a local api.
pub fn publicly_reachable(state: &AppState) -> bool {
    state.settings.public_base_url.starts_with("https://") || !state.settings.is_production()
}

/// Subscribes `SHIP_NOTIFY` for a new connection and stores the webhook id. Failure is logged
/// and otherwise ignored: the scheduled pulls still find every shipment.
pub async fn subscribe(
    state: &AppState,
    row: &ConnectionRow,
    client: &ShipStationClient,
    url: &str,
) {
    if !publicly_reachable(state) {
        tracing::info!(connection_id = %row.id, "PUBLIC_BASE_URL is not https in production; no ShipStation webhook, polling only");
        return;
    }
    let name = format!("Quayside: {}", row.name);
    let call = within_budget(state, client, client.subscribe_ship_notify(url, &name));
    let id = match tokio::time::timeout(CALL_TIMEOUT, call).await {
        Ok(Ok(id)) => id,
        Ok(Err(e)) => {
            tracing::warn!(connection_id = %row.id, error = %e, "SHIP_NOTIFY subscription failed; polling only");
            return;
        }
        Err(_) => {
            tracing::warn!(connection_id = %row.id, "SHIP_NOTIFY subscription timed out; polling only");
            return;
        }
    };
    let stored = async {
        let mut tx = shared::db::tenant_tx(&state.db, row.tenant_id).await?;
        tracking::set_webhook_id(&mut tx, row.id, Some(id)).await?;
        tx.commit().await
    };
    match stored.await {
        Ok(()) => {
            tracing::info!(connection_id = %row.id, webhook_id = id, "SHIP_NOTIFY subscribed")
        }
        Err(e) => {
            tracing::warn!(connection_id = %row.id, error = %e, "could not store the webhook id")
        }
    }
}

/// Removes a deleted connection's webhook from ShipStation, best effort.
pub async fn unsubscribe(state: &AppState, row: &ConnectionRow, client: &ShipStationClient) {
    let Some(id) = row.webhook_id else { return };
    let call = within_budget(state, client, client.unsubscribe_webhook(id));
    match tokio::time::timeout(CALL_TIMEOUT, call).await {
        Ok(Ok(())) => {
            tracing::info!(connection_id = %row.id, webhook_id = id, "webhook unsubscribed")
        }
        Ok(Err(e)) => {
            tracing::warn!(connection_id = %row.id, webhook_id = id, error = %e, "webhook unsubscribe failed")
        }
        Err(_) => {
            tracing::warn!(connection_id = %row.id, webhook_id = id, "webhook unsubscribe timed out")
        }
    }
}

fn not_found() -> ApiError {
    ApiError::not_found("webhook")
}

/// Checks the path's connection and token; the connection's tenant and status when valid.
async fn authenticate(
    state: &AppState,
    raw_id: &str,
    token: &str,
) -> ApiResult<(shared::ids::TenantId, ConnectionId, String)> {
    let id = ConnectionId::parse(raw_id).ok_or_else(not_found)?;
    // Hash before any lookup, so every wrong call costs the same.
    let keys = &state.settings.secret_keys;
    let presented = keys.keyed_hashes(WEBHOOK_TOKEN_PURPOSE, token.as_bytes());
    let tenant = shared::db::connections::tenant_of(&state.db, id)
        .await?
        .ok_or_else(not_found)?;
    let mut tx = shared::db::tenant_tx(&state.db, tenant).await?;
    let found = tracking::webhook_check(&mut tx, id).await?;
    tx.commit().await?;
    match found {
        Some((status, Some(stored)))
            if presented
                .iter()
                .fold(false, |ok, h| ok | constant_time_eq(&stored, h)) =>
        {
            Ok((tenant, id, status))
        }
        _ => Err(not_found()),
    }
}

/// `POST /webhooks/shipstation/{connection_id}/{token}`.
pub async fn ship_notify(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let (raw_id, token) = path.into_inner();
    let (tenant, connection, status) = authenticate(&state, &raw_id, &token).await?;
    let note: Notification = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            actix_web::http::StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("Expected ShipStation's {{resource_url, resource_type}}: {e}"),
        )
    })?;
    let kind = note.resource_type.trim().to_ascii_uppercase();
    if !matches!(kind.as_str(), "SHIP_NOTIFY" | "ITEM_SHIP_NOTIFY") || status != "active" {
        tracing::info!(connection_id = %connection, resource_type = %kind, %status, "webhook ignored");
        return Ok(HttpResponse::Ok().json(json!({"queued": false})));
    }
    note_resource(&state, connection, &note.resource_url).await?;
    let queued = enqueue_pull(&state, tenant, connection).await?;
    tracing::info!(connection_id = %connection, queued, "SHIP_NOTIFY received");
    Ok(HttpResponse::Ok().json(json!({"queued": queued})))
}

/// Keeps `resource_url` for the next pull (bounded; the worker checks it before fetching).
async fn note_resource(state: &AppState, connection: ConnectionId, url: &str) -> ApiResult<()> {
    let url = url.trim();
    if url.is_empty() || url.len() > 2048 {
        return Ok(());
    }
    let key = keys::notified_resources(&state.settings.redis_namespace, connection);
    let mut redis = state.redis.clone();
    redis::pipe()
        .lpush(&key, url)
        .ignore()
        .ltrim(&key, 0, tracking::MAX_NOTIFIED_RESOURCES - 1)
        .ignore()
        .expire(&key, 86_400)
        .ignore()
        .query_async::<()>(&mut redis)
        .await
        .map_err(unavailable)
}

/// Enqueues a tracking pull unless one already waits; `false` when one did.
async fn enqueue_pull(
    state: &AppState,
    tenant: shared::ids::TenantId,
    connection: ConnectionId,
) -> ApiResult<bool> {
    let flag = keys::pull_queued(&state.settings.redis_namespace, connection);
    let mut redis = state.redis.clone();
    let set: Option<String> = redis::cmd("SET")
        .arg(&flag)
        .arg("1")
        .arg("NX")
        .arg("PX")
        .arg(QUEUED_TTL_MS)
        .query_async(&mut redis)
        .await
        .map_err(unavailable)?;
    if set.is_none() {
        return Ok(false);
    }
    let job = TrackingPullV1 {
        tenant_id: tenant,
        connection_id: connection,
        reason: PullReason::Webhook,
        trace: crate::jobs::current_trace_context(),
    };
    if let Err(e) = state.jobs.pull_tracking(job).await {
        let _: Result<(), _> = redis::cmd("DEL").arg(&flag).query_async(&mut redis).await;
        return Err(unavailable(e));
    }
    Ok(true)
}

/// 503: ShipStation retries a delivery that did not get a 2xx.
fn unavailable(cause: impl std::fmt::Display) -> ApiError {
    tracing::error!(error = %cause, "could not queue a tracking pull");
    ApiError::new(
        actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        "Try again later.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notifications_parse_as_shipstation_sends_them() {
        let n: Notification = serde_json::from_str(
            r#"{"resource_url": "https://ssapi.shipstation.com/shipments?batchId=144015674&includeShipmentItems=False", "resource_type": "SHIP_NOTIFY"}"#,
        )
        .expect("parsed");
        assert_eq!(n.resource_type, "SHIP_NOTIFY");
        assert!(serde_json::from_str::<Notification>(r#"{"resource_type": 3}"#).is_err());
    }
}
