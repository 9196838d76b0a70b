//! Web Connector runs of a connection: `GET /connections/{id}/sync-runs` (newest first, the
//! last 100).

use actix_web::{web, HttpResponse};
use serde_json::{json, Value};
use shared::db::{self, sync_runs::LIST_LIMIT};

use crate::error::ApiResult;
use crate::extract::AuthedUser;
use crate::routes::connections::{load, parse_id};
use crate::state::AppState;

#[utoipa::path(
    get,
    path = "/api/v1/connections/{id}/sync-runs",
    tag = "sync-runs",
    params(("id" = uuid::Uuid, Path, description = "Connection id")),
    responses(
        (status = 200, description = "The last 100 runs, newest first", body = crate::openapi::schemas::SyncRunList),
    )
)]
pub async fn list_sync_runs(
    state: web::Data<AppState>,
    user: AuthedUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let mut tx = db::tenant_tx(&state.db, user.tenant_id).await?;
    load(&mut tx, id).await?;
    let runs = db::sync_runs::list(&mut tx, id, LIST_LIMIT).await?;
    tx.commit().await?;
    let out: Vec<Value> = runs
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "started_at": r.started_at,
                "ended_at": r.ended_at,
                "status": r.status,
                "sales_received": r.sales_received,
                "requests_sent": r.requests_sent,
                "error": r.error,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "runs": out })))
}
