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
use crate::shipstation_budget::within_budget;
use crate::state::AppState;

/// How long the preview waits for ShipStation's store list before answering without it.
const STORES_TIMEOUT: Duration = Duration::from_secs(5);

/// A top-level rule part, its type check and what to say when it fails.
type PartCheck = (&'static str, fn(&Value) -> bool, &'static str);

fn parse_rule_id(raw: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(raw).map_err(|_| ApiError::not_found("rule"))
}

/// Decodes a rule body so that a missing or mistyped part is a 422 naming it (serde alone
/// would only say "invalid type" with a line and column).
pub fn rule_input(body: Value) -> ApiResult<RuleIn> {
    let obj = body
        .as_object()
        .ok_or_else(|| ApiError::validation("body", "must be a JSON object (a rule)"))?;
    let kind_ok =
        |key: &str, ok: fn(&Value) -> bool| obj.get(key).is_none_or(|v| v.is_null() || ok(v));
    let checks: [PartCheck; 5] = [
        ("name", Value::is_string, "must be text"),
        ("enabled", Value::is_boolean, "must be true or false"),
        (
            "priority",
            |v| v.as_i64().is_some_and(|p| i32::try_from(p).is_ok()),
            "must be a whole number",
        ),
        ("conditions", Value::is_array, "must be an array"),
        ("actions", Value::is_array, "must be an array"),
    ];
    for (key, ok, problem) in checks {
        if !kind_ok(key, ok) {
            return Err(ApiError::validation(key, problem));
        }
    }
    if !obj.get("name").is_some_and(Value::is_string) {
        return Err(ApiError::validation("name", "is required"));
    }
    for list in ["conditions", "actions"] {
        let items = obj
            .get(list)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for (i, item) in items.iter().enumerate() {
            let fields: &[&str] = if list == "conditions" {
                &["field", "op"]
            } else {
                &["field"]
            };
            for f in fields {
                if !item.get(f).is_some_and(Value::is_string) {
                    return Err(ApiError::validation(
                        &format!("{list}[{i}].{f}"),
                        "is required text",
                    ));
                }
            }
        }
    }
    let mut obj = obj.clone();
    // `null` means "the default" for the optional parts.
    obj.retain(|_, v| !v.is_null());
    serde_json::from_value(Value::Object(obj))
        .map_err(|e| ApiError::validation("body", &e.to_string()))
}

fn checked(input: RuleIn) -> ApiResult<RuleIn> {
    rules::validate(&input).map_err(|e| ApiError::validation(&e.path, &e.message))?;
    Ok(RuleIn {
        name: input.name.trim().to_owned(),
        ..input
    })
}

#[utoipa::path(
    get,
    path = "/api/v1/connections/{id}/rules",
    tag = "rules",
    params(("id" = uuid::Uuid, Path, description = "Connection id")),
    responses(
        (status = 200, description = "The connection's rules", body = crate::openapi::schemas::RuleList),
    )
)]
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

#[utoipa::path(
    post,
    path = "/api/v1/connections/{id}/rules",
    tag = "rules",
    request_body = crate::openapi::schemas::RuleInput,
    params(("id" = uuid::Uuid, Path, description = "Connection id")),
    responses(
        (status = 201, description = "The saved rule", body = crate::openapi::schemas::Rule),
        (status = 422, description = "Unknown field or op, or a missing part (named)"),
    )
)]
pub async fn create_rule(
    state: web::Data<AppState>,
    user: AuthedUser,
    path: web::Path<String>,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let mut tx = db::tenant_tx(&state.db, user.tenant_id).await?;
    load(&mut tx, id).await?;
    let rule = Rule::from_input(Uuid::new_v4(), checked(rule_input(body.into_inner())?)?);
    db::rules::insert(&mut tx, user.tenant_id, id, &rule).await?;
    tx.commit().await?;
    Ok(HttpResponse::Created().json(rule))
}

#[utoipa::path(
    get,
    path = "/api/v1/connections/{id}/rules/{rule_id}",
    tag = "rules",
    params(("id" = uuid::Uuid, Path, description = "Connection id"), ("rule_id" = uuid::Uuid, Path, description = "Rule id")),
    responses(
        (status = 200, description = "The rule", body = crate::openapi::schemas::Rule),
    )
)]
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
#[utoipa::path(
    put,
    path = "/api/v1/connections/{id}/rules/{rule_id}",
    tag = "rules",
    request_body = crate::openapi::schemas::RuleInput,
    params(("id" = uuid::Uuid, Path, description = "Connection id"), ("rule_id" = uuid::Uuid, Path, description = "Rule id")),
    responses(
        (status = 200, description = "The replaced rule", body = crate::openapi::schemas::Rule),
        (status = 422, description = "Unknown field or op, or a missing part (named)"),
    )
)]
pub async fn put_rule(
    state: web::Data<AppState>,
    user: AuthedUser,
    path: web::Path<(String, String)>,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path.0)?;
    let rule_id = parse_rule_id(&path.1)?;
    let mut tx = db::tenant_tx(&state.db, user.tenant_id).await?;
    load(&mut tx, id).await?;
    let rule = Rule::from_input(rule_id, checked(rule_input(body.into_inner())?)?);
    if !db::rules::update(&mut tx, id, &rule).await? {
        return Err(ApiError::not_found("rule"));
    }
    tx.commit().await?;
    Ok(HttpResponse::Ok().json(rule))
}

#[utoipa::path(
    delete,
    path = "/api/v1/connections/{id}/rules/{rule_id}",
    tag = "rules",
    params(("id" = uuid::Uuid, Path, description = "Connection id"), ("rule_id" = uuid::Uuid, Path, description = "Rule id")),
    responses(
        (status = 204, description = "Deleted"),
    )
)]
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
    let call = within_budget(state, &client, client.list_stores());
    match tokio::time::timeout(STORES_TIMEOUT, call).await {
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
#[utoipa::path(
    post,
    path = "/api/v1/connections/{id}/rules/preview",
    tag = "rules",
    request_body = crate::openapi::schemas::PreviewRequest,
    params(("id" = uuid::Uuid, Path, description = "Connection id")),
    responses(
        (status = 200, description = "The ShipStation order the sale would be sent as now, after mapping and rules", body = crate::openapi::schemas::ShipStationOrder),
        (status = 404, description = "Unknown connection, or no sale with this RefNumber received yet"),
        (status = 422, description = "No ref_number, or the sale cannot be mapped (the code says why)"),
    )
)]
pub async fn preview_rules(
    state: web::Data<AppState>,
    user: AuthedUser,
    path: web::Path<String>,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    let id: ConnectionId = parse_id(&path)?;
    let mut tx = db::tenant_tx(&state.db, user.tenant_id).await?;
    // A foreign or unknown connection is 404 whatever the body says.
    let conn = load(&mut tx, id).await?;
    let ref_number = match body.get("ref_number") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(ApiError::validation("ref_number", "is required")),
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn err(body: Value) -> String {
        rule_input(body).map(|_| ()).expect_err("invalid").message
    }

    #[test]
    fn a_mistyped_or_missing_part_is_named() {
        assert!(err(json!([])).starts_with("body:"));
        assert!(err(json!({"actions": []})).starts_with("name: is required"));
        assert!(err(json!({"name": "x", "priority": "high"})).starts_with("priority:"));
        assert!(err(json!({"name": "x", "priority": 3_000_000_000_i64})).starts_with("priority:"));
        assert!(err(json!({"name": "x", "enabled": "yes"})).starts_with("enabled:"));
        assert!(err(json!({"name": "x", "conditions": {}})).starts_with("conditions:"));
        assert!(
            err(json!({"name": "x", "conditions": [{"field": "class"}]}))
                .starts_with("conditions[0].op:")
        );
        assert!(
            err(json!({"name": "x", "actions": [{"value": 1}]})).starts_with("actions[0].field:")
        );
    }

    #[test]
    fn optional_parts_take_their_defaults() {
        let input = rule_input(
            json!({"name": "x", "enabled": null, "actions": [{"field": "orderStatus"}]}),
        )
        .expect("decodes");
        assert!(input.enabled);
        assert_eq!(input.priority, 0);
        assert!(input.conditions.is_empty());
        assert_eq!(input.actions[0].value, Value::Null);
    }
}
