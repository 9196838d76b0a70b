//! ShipStation connections: created only with credentials ShipStation accepts, stored sealed,
//! never returned.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::json;
use shared::db::{self, connections::ConnectionRow};
use shared::ids::ConnectionId;
use shared::shipstation::client::ShipStationClient;
use shared::shipstation::error::ShipStationError;
use shared::shipstation::model::Store;

use crate::error::{ApiError, ApiResult};
use crate::extract::{AuthedUser, Body};
use crate::routes::webhooks;
use crate::shipstation_budget::within_budget;
use crate::state::AppState;

pub const DEFAULT_BASE_URL: &str = "https://ssapi.shipstation.com";

#[derive(Deserialize)]
pub struct ConnectionIn {
    name: Option<String>,
    api_key: Option<String>,
    api_secret: Option<String>,
    base_url: Option<String>,
}

pub fn connection_out(row: &ConnectionRow) -> serde_json::Value {
    json!({
        "id": row.id,
        "name": row.name,
        "base_url": row.base_url,
        "api_key_last4": row.api_key_last4,
        "status": row.status,
        "created_at": row.created_at,
    })
}

fn last4(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

fn non_empty<'a>(value: Option<&'a str>, field: &str, max: usize) -> ApiResult<&'a str> {
    let v = value.map(str::trim).unwrap_or_default();
    if v.is_empty() {
        return Err(ApiError::validation(field, "is required"));
    }
    if v.chars().count() > max {
        return Err(ApiError::validation(
            field,
            &format!("must be at most {max} characters"),
        ));
    }
    Ok(v)
}

/// Normalises and checks `base_url` against `SHIPSTATION_ALLOWED_HOSTS`.
fn checked_base_url(state: &AppState, raw: &str) -> ApiResult<String> {
    let parsed = url::Url::parse(raw.trim())
        .map_err(|_| ApiError::validation("base_url", "is not a valid URL"))?;
    if !state.settings.shipstation_url_allowed(&parsed) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "base_url_not_allowed",
            format!(
                "base_url: host {:?} is not an allowed ShipStation host",
                parsed.host_str().unwrap_or_default()
            ),
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(ApiError::validation(
            "base_url",
            "must not have a query or fragment",
        ));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_string())
}

pub fn client_for(state: &AppState, base_url: &str, key: &str, secret: &str) -> ShipStationClient {
    ShipStationClient::new(
        state.http.clone(),
        base_url,
        SecretString::from(key.to_string()),
        SecretString::from(secret.to_string()),
    )
}

/// Opens a stored connection's credentials into a client.
pub fn client_for_row(state: &AppState, row: &ConnectionRow) -> ApiResult<ShipStationClient> {
    let keys = &state.settings.secret_keys;
    let key = keys
        .open_string(&row.api_key_sealed)
        .map_err(ApiError::internal)?;
    let secret = keys
        .open_string(&row.api_secret_sealed)
        .map_err(ApiError::internal)?;
    Ok(client_for(state, &row.base_url, &key, &secret))
}

fn shipstation_failure(e: ShipStationError) -> ApiError {
    match e {
        ShipStationError::Unauthorized => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_shipstation_credentials",
            "ShipStation did not accept this API key and secret.",
        ),
        ShipStationError::Rejected {
            status: 404,
            message,
        } => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_shipstation_credentials",
            format!("base_url does not look like the ShipStation API: {message}"),
        ),
        ShipStationError::RateLimited { reset } => {
            let secs = reset.as_secs().max(1);
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "shipstation_rate_limited",
                format!(
                    "ShipStation's rate limit for this API key is reached; try again in {secs} seconds."
                ),
            )
            .with_retry_after(secs)
        }
        other => ApiError::new(
            StatusCode::BAD_GATEWAY,
            "shipstation_unavailable",
            format!("Could not reach ShipStation to check the credentials: {other}"),
        ),
    }
}

/// Checks the credentials with `GET /stores`; returns the stores.
async fn verify(state: &AppState, client: &ShipStationClient) -> ApiResult<Vec<Store>> {
    within_budget(state, client, client.list_stores())
        .await
        .map(|a| a.body)
        .map_err(shipstation_failure)
}

#[utoipa::path(
    post,
    path = "/api/v1/connections",
    tag = "connections",
    request_body = crate::openapi::schemas::ConnectionCreate,
    responses(
        (status = 201, description = "Created, after ShipStation accepted the credentials; the webhook URL is shown this once", body = crate::openapi::schemas::ConnectionCreated),
        (status = 422, description = "Invalid field, `invalid_shipstation_credentials`, or `base_url_not_allowed`"),
        (status = 502, description = "ShipStation could not be reached (`shipstation_unavailable`)"),
        (status = 503, description = "ShipStation's rate limit for the key is reached (`shipstation_rate_limited`); see Retry-After"),
    )
)]
pub async fn create(
    state: web::Data<AppState>,
    user: AuthedUser,
    body: Body<ConnectionIn>,
) -> ApiResult<HttpResponse> {
    let name = non_empty(body.name.as_deref(), "name", 200)?;
    let key = non_empty(body.api_key.as_deref(), "api_key", 200)?;
    let secret = non_empty(body.api_secret.as_deref(), "api_secret", 200)?;
    let base_url = checked_base_url(&state, body.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
    verify(&state, &client_for(&state, &base_url, key, secret)).await?;

    let keys = &state.settings.secret_keys;
    let (token, token_hash) = webhooks::new_token(&state);
    let mut tx = db::tenant_tx(&state.db, user.tenant_id).await?;
    let row = db::connections::insert(
        &mut tx,
        user.tenant_id,
        db::connections::NewConnection {
            id: ConnectionId::new(),
            name,
            base_url: &base_url,
            api_key_sealed: keys.seal(key.as_bytes()),
            api_secret_sealed: keys.seal(secret.as_bytes()),
            api_key_last4: last4(key),
        },
    )
    .await?;
    db::tracking::set_webhook_token_hash(&mut tx, row.id, &token_hash).await?;
    tx.commit().await?;
    tracing::info!(tenant_id = %user.tenant_id, connection_id = %row.id, "connection created");
    // The token is stored only as a keyed hash: this is the one time the URL can be built.
    let url = webhooks::webhook_url(&state, row.id, &token);
    webhooks::subscribe(
        &state,
        &row,
        &client_for(&state, &base_url, key, secret),
        &url,
    )
    .await;
    let mut out = connection_out(&row);
    out["webhook_url"] = json!(url);
    Ok(HttpResponse::Created().json(out))
}

#[utoipa::path(
    get,
    path = "/api/v1/connections",
    tag = "connections",
    responses(
        (status = 200, description = "The tenant's connections", body = crate::openapi::schemas::ConnectionList),
    )
)]
pub async fn list(state: web::Data<AppState>, user: AuthedUser) -> ApiResult<HttpResponse> {
    let mut tx = db::tenant_tx(&state.db, user.tenant_id).await?;
    let rows = db::connections::list(&mut tx).await?;
    tx.commit().await?;
    let out: Vec<_> = rows.iter().map(connection_out).collect();
    Ok(HttpResponse::Ok().json(json!({ "connections": out })))
}

/// Parses a path id; a malformed id is the same 404 as an unknown one.
pub fn parse_id(raw: &str) -> ApiResult<ConnectionId> {
    ConnectionId::parse(raw).ok_or_else(|| ApiError::not_found("connection"))
}

/// Loads a connection of the caller's tenant, or 404.
pub async fn load(tx: &mut db::Tx, id: ConnectionId) -> ApiResult<ConnectionRow> {
    db::connections::get(tx, id)
        .await?
        .ok_or_else(|| ApiError::not_found("connection"))
}

#[utoipa::path(
    get,
    path = "/api/v1/connections/{id}",
    tag = "connections",
    params(("id" = uuid::Uuid, Path, description = "Connection id")),
    responses(
        (status = 200, description = "The connection", body = crate::openapi::schemas::Connection),
    )
)]
pub async fn get(
    state: web::Data<AppState>,
    user: AuthedUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let mut tx = db::tenant_tx(&state.db, user.tenant_id).await?;
    let row = load(&mut tx, id).await?;
    tx.commit().await?;
    Ok(HttpResponse::Ok().json(connection_out(&row)))
}

#[utoipa::path(
    patch,
    path = "/api/v1/connections/{id}",
    tag = "connections",
    request_body = crate::openapi::schemas::ConnectionPatch,
    params(("id" = uuid::Uuid, Path, description = "Connection id")),
    responses(
        (status = 200, description = "The updated connection", body = crate::openapi::schemas::Connection),
        (status = 422, description = "Invalid field, `invalid_shipstation_credentials`, or `base_url_not_allowed`"),
        (status = 502, description = "ShipStation could not be reached (`shipstation_unavailable`)"),
        (status = 503, description = "ShipStation's rate limit for the key is reached (`shipstation_rate_limited`); see Retry-After"),
    )
)]
pub async fn patch(
    state: web::Data<AppState>,
    user: AuthedUser,
    path: web::Path<String>,
    body: Body<ConnectionIn>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let keys = &state.settings.secret_keys;
    let mut tx = db::tenant_tx(&state.db, user.tenant_id).await?;
    let mut row = load(&mut tx, id).await?;
    if body.name.is_some() {
        row.name = non_empty(body.name.as_deref(), "name", 200)?.to_string();
    }
    let credentials_changed =
        body.api_key.is_some() || body.api_secret.is_some() || body.base_url.is_some();
    let before = row.clone();
    let mut new_account = None;
    if credentials_changed {
        let old_key = keys
            .open_string(&row.api_key_sealed)
            .map_err(ApiError::internal)?;
        let key = match body.api_key.as_deref() {
            Some(k) => non_empty(Some(k), "api_key", 200)?.to_string(),
            None => old_key.clone(),
        };
        let secret = match body.api_secret.as_deref() {
            Some(s) => non_empty(Some(s), "api_secret", 200)?.to_string(),
            None => keys
                .open_string(&row.api_secret_sealed)
                .map_err(ApiError::internal)?,
        };
        let base_url = match body.base_url.as_deref() {
            Some(u) => checked_base_url(&state, u)?,
            None => row.base_url.clone(),
        };
        let stores = verify(&state, &client_for(&state, &base_url, &key, &secret)).await?;
        // Only another key or host can be another account; the same values sent again (or a
        // new secret for the same key) keep the webhook and its token.
        if key != old_key || base_url != row.base_url {
            new_account = Some((base_url.clone(), key.clone(), secret.clone()));
        }
        // Orders are only forgotten for another key or host: the same account's orders in a
        // store it has since deactivated (not in the active list) keep their identities.
        if new_account.is_some() {
            let ids: Vec<i64> = stores.iter().map(|s| s.store_id).collect();
            let forgotten = db::orders::forget_foreign_identities(&mut tx, id, &ids).await?;
            if forgotten > 0 {
                tracing::info!(connection_id = %id, forgotten, "another ShipStation account: orders of the old one are forgotten there");
            }
        }
        row.api_key_sealed = keys.seal(key.as_bytes());
        row.api_secret_sealed = keys.seal(secret.as_bytes());
        row.api_key_last4 = last4(&key);
        row.base_url = base_url;
        row.status = "active".into();
    }
    let row = db::connections::update(&mut tx, &row).await?;
    // Another account (or host) may mean another ShipStation account: its own webhook, a new
    // token for it, and no cached store id of the old account.
    let token = match &new_account {
        Some(_) => {
            let (token, hash) = webhooks::new_token(&state);
            db::tracking::set_webhook_token_hash(&mut tx, row.id, &hash).await?;
            db::tracking::set_webhook_id(&mut tx, row.id, None).await?;
            Some(token)
        }
        None => None,
    };
    tx.commit().await?;
    let mut out = connection_out(&row);
    if let (Some((base_url, key, secret)), Some(token)) = (new_account, token) {
        forget_store_cache(&state, row.id).await;
        if before.webhook_id.is_some() {
            if let Ok(old) = client_for_row(&state, &before) {
                webhooks::unsubscribe(&state, &before, &old).await;
            }
        }
        let url = webhooks::webhook_url(&state, row.id, &token);
        let client = client_for(&state, &base_url, &key, &secret);
        webhooks::subscribe(&state, &row, &client, &url).await;
        out["webhook_url"] = json!(url);
    }
    Ok(HttpResponse::Ok().json(out))
}

/// Drops the worker's cached "Manual Orders" store id of the connection (best effort: it
/// expires within the hour anyway).
async fn forget_store_cache(state: &AppState, connection: ConnectionId) {
    let key =
        shared::shipstation::manual_store_cache_key(&state.settings.redis_namespace, connection);
    let mut redis = state.redis.clone();
    if let Err(e) = redis::cmd("DEL")
        .arg(key)
        .query_async::<()>(&mut redis)
        .await
    {
        tracing::warn!(connection_id = %connection, error = %e, "could not drop the cached store id");
    }
}

#[utoipa::path(
    delete,
    path = "/api/v1/connections/{id}",
    tag = "connections",
    params(("id" = uuid::Uuid, Path, description = "Connection id")),
    responses(
        (status = 204, description = "Deleted"),
    )
)]
pub async fn delete(
    state: web::Data<AppState>,
    user: AuthedUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let mut tx = db::tenant_tx(&state.db, user.tenant_id).await?;
    let row = load(&mut tx, id).await?;
    db::connections::delete(&mut tx, id).await?;
    tx.commit().await?;
    if row.webhook_id.is_some() {
        match client_for_row(&state, &row) {
            Ok(client) => webhooks::unsubscribe(&state, &row, &client).await,
            Err(_) => {
                tracing::warn!(connection_id = %id, "credentials unreadable; webhook left in ShipStation")
            }
        }
    }
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    get,
    path = "/api/v1/connections/{id}/stores",
    tag = "connections",
    params(("id" = uuid::Uuid, Path, description = "Connection id")),
    responses(
        (status = 200, description = "The ShipStation account's stores", body = crate::openapi::schemas::StoreList),
        (status = 422, description = "ShipStation no longer accepts the credentials (`invalid_shipstation_credentials`)"),
        (status = 502, description = "ShipStation could not be reached (`shipstation_unavailable`)"),
        (status = 503, description = "ShipStation's rate limit for the key is reached (`shipstation_rate_limited`); see Retry-After"),
    )
)]
pub async fn stores(
    state: web::Data<AppState>,
    user: AuthedUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let mut tx = db::tenant_tx(&state.db, user.tenant_id).await?;
    let row = load(&mut tx, id).await?;
    tx.commit().await?;
    let client = client_for_row(&state, &row)?;
    let stores = within_budget(&state, &client, client.list_stores())
        .await
        .map_err(|e| match e {
            ShipStationError::Unauthorized => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_shipstation_credentials",
                "ShipStation no longer accepts this connection's API key and secret.",
            ),
            // 503 with Retry-After, as documented.
            limited @ ShipStationError::RateLimited { .. } => shipstation_failure(limited),
            other => ApiError::new(
                StatusCode::BAD_GATEWAY,
                "shipstation_unavailable",
                format!("Could not list ShipStation stores: {other}"),
            ),
        })?
        .body;
    let out: Vec<_> = stores
        .iter()
        .map(|s| {
            json!({
                "store_id": s.store_id,
                "store_name": s.store_name,
                "marketplace_name": s.marketplace_name,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "stores": out })))
}
