//! A connection's rules (`/connections/{id}/rules[/{rule_id}]`) and the preview of what a
//! stored sale would be sent as (`POST /connections/{id}/rules/preview`).

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};
use shared::db::{self, connections::ConnectionRow};
use shared::ids::ConnectionId;
use shared::pipeline;
use shared::rules::{self, Rule, RuleIn};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::extract::AuthedUser;
use crate::routes::connections::{client_for_row, load, parse_id};
use crate::state::AppState;

/// How long the preview waits for ShipStation's store list before answering without it.
const STORES_TIMEOUT: Duration = Duration::from_secs(5);

fn parse_rule_id(raw: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(raw).map_err(|_| ApiError::not_found("rule"))
}

fn checked(input: RuleIn) -> ApiResult<RuleIn> {
    rules::validate(&input).map_err(|e| ApiError::validation(&e.path, &e.message))?;
    Ok(RuleIn {
        name: input.name.trim().to_owned(),
        ..input
    })
}

pub async fn list_rules(
    state: web::Data<AppState>,
    user: AuthedUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let mut tx = db::tenant_tx(&state.db, user.tenant_id).await?;
    load(&mut tx, id).await?;
    let rules = db::rules::list(&mut tx, id).await?;
    tx.commit().await?;
    Ok(HttpResponse::Ok().json(json!({ "rules": rules })))
}

pub async fn create_rule(
    state: web::Data<AppState>,
    user: AuthedUser,
    path: web::Path<String>,
    body: web::Json<RuleIn>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let mut tx = db::tenant_tx(&state.db, user.tenant_id).await?;
    load(&mut tx, id).await?;
    let rule = Rule::from_input(Uuid::new_v4(), checked(body.into_inner())?);
    db::rules::insert(&mut tx, user.tenant_id, id, &rule).await?;
    tx.commit().await?;
    Ok(HttpResponse::Created().json(rule))
}

pub async fn get_rule(
    state: web::Data<AppState>,
    user: AuthedUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path.0)?;
    let rule_id = parse_rule_id(&path.1)?;
    let mut tx = db::tenant_tx(&state.db, user.tenant_id).await?;
    load(&mut tx, id).await?;
    let rule = db::rules::get(&mut tx, id, rule_id)
        .await?
        .ok_or_else(|| ApiError::not_found("rule"))?;
    tx.commit().await?;
    Ok(HttpResponse::Ok().json(rule))
}

/// Replaces the rule (a full object, as on create; omitted optional fields take their defaults).
pub async fn put_rule(
    state: web::Data<AppState>,
    user: AuthedUser,
    path: web::Path<(String, String)>,
    body: web::Json<RuleIn>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path.0)?;
    let rule_id = parse_rule_id(&path.1)?;
    let mut tx = db::tenant_tx(&state.db, user.tenant_id).await?;
    load(&mut tx, id).await?;
    let rule = Rule::from_input(rule_id, checked(body.into_inner())?);
    if !db::rules::update(&mut tx, id, &rule).await? {
        return Err(ApiError::not_found("rule"));
    }
    tx.commit().await?;
    Ok(HttpResponse::Ok().json(rule))
}

pub async fn delete_rule(
    state: web::Data<AppState>,
    user: AuthedUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path.0)?;
    let rule_id = parse_rule_id(&path.1)?;
    let mut tx = db::tenant_tx(&state.db, user.tenant_id).await?;
    load(&mut tx, id).await?;
    if !db::rules::delete(&mut tx, id, rule_id).await? {
        return Err(ApiError::not_found("rule"));
    }
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The account's manual store, or `None` (logged) when ShipStation cannot say in time.
async fn manual_store(state: &AppState, conn: &ConnectionRow) -> Option<i64> {
    let client = client_for_row(state, conn).ok()?;
    match tokio::time::timeout(STORES_TIMEOUT, client.list_stores()).await {
        Ok(Ok(answer)) => pipeline::manual_store_id(&answer.body),
        Ok(Err(e)) => {
            tracing::warn!(connection_id = %conn.id, error = %e, "preview: could not list stores");
            None
        }
        Err(_) => {
            tracing::warn!(connection_id = %conn.id, "preview: listing stores timed out");
            None
        }
    }
}

/// `{ref_number}` → the ShipStation order JSON the stored sale would be sent as now.
pub async fn preview_rules(
    state: web::Data<AppState>,
    user: AuthedUser,
    path: web::Path<String>,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    let id: ConnectionId = parse_id(&path)?;
    let ref_number = match body.get("ref_number") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(ApiError::validation("ref_number", "is required")),
    };
    let mut tx = db::tenant_tx(&state.db, user.tenant_id).await?;
    let conn = load(&mut tx, id).await?;
    let settings = db::sync_settings::load(&mut tx, id, conn.created_at).await?;
    let rules = db::rules::list(&mut tx, id).await?;
    let found =
        db::order_views::sale_by_ref(&mut tx, id, &ref_number, &settings.transaction_types).await?;
    tx.commit().await?;
    let (sale, customer) = found.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("No QuickBooks sale numbered \"{ref_number}\" has been received yet."),
        )
    })?;

    // Only ask ShipStation when neither the settings nor a rule may pick the store.
    let manual = match settings.store_id {
        Some(_) => None,
        None => manual_store(&state, &conn).await,
    };
    let built = pipeline::build_order(&sale, customer.as_ref(), &settings, &rules, id, manual)
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.code(), e.to_string()))?;
    let mut order = serde_json::to_value(&built.order).map_err(ApiError::internal)?;
    // Show an unresolved store as null rather than leaving the field out.
    if let Some(adv) = order
        .get_mut("advancedOptions")
        .and_then(Value::as_object_mut)
    {
        adv.entry("storeId").or_insert(Value::Null);
    }
    Ok(HttpResponse::Ok().json(order))
}
