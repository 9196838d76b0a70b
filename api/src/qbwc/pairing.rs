//! Pairing a connection with a Web Connector: credentials (the password shown once) and the
//! .qwc file the user opens in the Web Connector.

use actix_web::{web, HttpResponse};
use serde_json::json;
use shared::db;
use shared::qbwc::qwc::{render_qwc, QbType, QwcParams};

use super::calls::{new_password, password_hash};
use crate::error::ApiResult;
use crate::extract::AuthedUser;
use crate::routes::connections::{load, parse_id};
use crate::state::AppState;

fn new_username() -> String {
    format!("qs-{}", &uuid::Uuid::new_v4().simple().to_string()[..16])
}

/// `POST /api/v1/connections/{id}/qbwc`: creates or rotates the credentials. The old
/// password stops working at once.
#[utoipa::path(
    post,
    path = "/api/v1/connections/{id}/qbwc",
    tag = "qbwc",
    params(("id" = uuid::Uuid, Path, description = "Connection id")),
    responses(
        (status = 201, description = "New Web Connector credentials; the password is shown this once", body = crate::openapi::schemas::QbwcCredentials),
    )
)]
pub async fn create_credentials(
    state: web::Data<AppState>,
    user: AuthedUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let mut tx = db::tenant_tx(&state.db, user.tenant_id).await?;
    load(&mut tx, id).await?;
    let existing = db::qbwc::get(&mut tx, id).await?;
    let username = existing.map(|c| c.username).unwrap_or_else(new_username);
    let password = new_password();
    let hash = password_hash(&state, &password);
    let cred = db::qbwc::upsert(&mut tx, user.tenant_id, id, &username, &hash).await?;
    tx.commit().await?;
    tracing::info!(connection_id = %id, "Web Connector credentials issued");
    let base = &state.settings.public_base_url;
    Ok(HttpResponse::Created().json(json!({
        "username": cred.username,
        "password": password,
        "app_url": format!("{base}/qbwc"),
        "qwc_url": format!("{base}/api/v1/connections/{id}/qbwc/qwc"),
    })))
}

/// `GET /api/v1/connections/{id}/qbwc/qwc`: the .qwc file.
#[utoipa::path(
    get,
    path = "/api/v1/connections/{id}/qbwc/qwc",
    tag = "qbwc",
    params(("id" = uuid::Uuid, Path, description = "Connection id")),
    responses(
        (status = 200, description = "The .qwc file to open in the Web Connector (Content-Disposition: attachment); available before a password is issued", body = String, content_type = "application/xml"),
    )
)]
pub async fn qwc_file(
    state: web::Data<AppState>,
    user: AuthedUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let mut tx = db::tenant_tx(&state.db, user.tenant_id).await?;
    let conn = load(&mut tx, id).await?;
    // Without credentials yet, make them now (the username, OwnerID and FileID the file
    // needs) with a password nobody knows: the user gets one from the POST above.
    let cred = match db::qbwc::get(&mut tx, id).await? {
        Some(c) => c,
        None => {
            let unknown = password_hash(&state, &new_password());
            db::qbwc::upsert(&mut tx, user.tenant_id, id, &new_username(), &unknown).await?
        }
    };
    tx.commit().await?;
    let base = &state.settings.public_base_url;
    let xml = render_qwc(&QwcParams {
        app_name: format!("Quayside - {}", conn.name),
        app_id: String::new(),
        app_url: format!("{base}/qbwc"),
        app_support_url: format!("{base}/qbwc/support"),
        app_description: "Sends QuickBooks sales to ShipStation and writes tracking back.".into(),
        username: cred.username,
        owner_id: cred.owner_id,
        file_id: cred.file_id,
        qb_type: QbType::Qbfs,
        scheduler_minutes: state.settings.qbwc_run_every_minutes,
    });
    let filename: String = conn
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    Ok(HttpResponse::Ok()
        .content_type("application/xml")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"quayside-{filename}.qwc\""),
        ))
        .body(xml))
}
