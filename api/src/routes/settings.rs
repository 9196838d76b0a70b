//! A connection's sync settings: `GET`/`PUT /connections/{id}/settings`.
//!
//! `PUT` merges: the fields present in the body replace the stored (or default) values and the
//! others are kept, so both a full object (what the contract shows) and a partial one (a form
//! that sends only what changed) work. The answer is always the whole saved object. Unknown
//! fields, wrong types and invalid values are 422 naming the field.

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde_json::{Map, Value};
use shared::db;
use shared::sale::TxnType;
use shared::settings::{FractionalQuantities, SyncSettings};

use crate::error::{ApiError, ApiResult};
use crate::extract::AuthedUser;
use crate::routes::connections::{load, parse_id};
use crate::state::AppState;

/// QuickBooks' longest class full name.
const CLASS_NAME_MAX_LEN: usize = 159;

#[utoipa::path(
    get,
    path = "/api/v1/connections/{id}/settings",
    tag = "settings",
    params(("id" = uuid::Uuid, Path, description = "Connection id")),
    responses(
        (status = 200, description = "The saved settings (defaults until saved)", body = crate::openapi::schemas::SyncSettings),
    )
)]
pub async fn get_settings(
    state: web::Data<AppState>,
    user: AuthedUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let mut tx = db::tenant_tx(&state.db, user.tenant_id).await?;
    let conn = load(&mut tx, id).await?;
    let settings = db::sync_settings::load(&mut tx, id, conn.created_at).await?;
    tx.commit().await?;
    Ok(HttpResponse::Ok().json(settings))
}

#[utoipa::path(
    put,
    path = "/api/v1/connections/{id}/settings",
    tag = "settings",
    request_body = crate::openapi::schemas::SyncSettingsUpdate,
    params(("id" = uuid::Uuid, Path, description = "Connection id")),
    responses(
        (status = 200, description = "The whole saved settings", body = crate::openapi::schemas::SyncSettings),
        (status = 422, description = "Unknown field, wrong type or invalid value (named)"),
    )
)]
pub async fn put_settings(
    state: web::Data<AppState>,
    user: AuthedUser,
    path: web::Path<String>,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let mut tx = db::tenant_tx(&state.db, user.tenant_id).await?;
    // A foreign id is 404 whatever the body says.
    let conn = load(&mut tx, id).await?;
    let patch = body
        .as_object()
        .ok_or_else(|| ApiError::validation("body", "must be a JSON object of settings"))?;
    let current = db::sync_settings::load(&mut tx, id, conn.created_at).await?;
    let next = merge(current, patch)?;
    db::sync_settings::save(&mut tx, user.tenant_id, id, &next).await?;
    tx.commit().await?;
    tracing::info!(tenant_id = %user.tenant_id, connection_id = %id, "sync settings saved");
    Ok(HttpResponse::Ok().json(next))
}

fn invalid(field: &str, problem: impl AsRef<str>) -> ApiError {
    ApiError::validation(field, problem.as_ref())
}

fn boolean(field: &str, v: &Value) -> ApiResult<bool> {
    v.as_bool()
        .ok_or_else(|| invalid(field, "must be true or false"))
}

fn text<'a>(field: &str, v: &'a Value) -> ApiResult<&'a str> {
    v.as_str()
        .map(str::trim)
        .ok_or_else(|| invalid(field, "must be text"))
}

fn texts<'a>(field: &str, v: &'a Value) -> ApiResult<Vec<&'a str>> {
    let items = v
        .as_array()
        .ok_or_else(|| invalid(field, "must be an array of text"))?;
    let mut out: Vec<&str> = Vec::with_capacity(items.len());
    for item in items {
        let s = item
            .as_str()
            .map(str::trim)
            .ok_or_else(|| invalid(field, "must be an array of text"))?;
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Ok(out)
}

/// Applies the fields of `patch` onto `settings` and validates the result.
pub fn merge(mut settings: SyncSettings, patch: &Map<String, Value>) -> ApiResult<SyncSettings> {
    for (field, v) in patch {
        let f = field.as_str();
        match f {
            "sync_orders_to_shipstation" => settings.sync_orders_to_shipstation = boolean(f, v)?,
            "write_tracking_to_quickbooks" => {
                settings.write_tracking_to_quickbooks = boolean(f, v)?
            }
            "write_shipping_cost_to_quickbooks" => {
                settings.write_shipping_cost_to_quickbooks = boolean(f, v)?
            }
            "transaction_types" => {
                settings.transaction_types = texts(f, v)?
                    .into_iter()
                    .map(|t| {
                        TxnType::parse(t).ok_or_else(|| {
                            invalid(
                                f,
                                format!(
                                    "unknown type \"{t}\" (expected invoice, sales_receipt or \
                                     sales_order)"
                                ),
                            )
                        })
                    })
                    .collect::<ApiResult<_>>()?;
            }
            "class_filter" => {
                settings.class_filter = match v {
                    Value::Null => None,
                    other => Some(text(f, other)?.to_owned()).filter(|c| !c.is_empty()),
                };
                if settings
                    .class_filter
                    .as_ref()
                    .is_some_and(|c| c.chars().count() > CLASS_NAME_MAX_LEN)
                {
                    return Err(invalid(
                        f,
                        format!("must be at most {CLASS_NAME_MAX_LEN} characters"),
                    ));
                }
            }
            "store_id" => {
                settings.store_id = match v {
                    Value::Null => None,
                    other => Some(
                        other
                            .as_i64()
                            .filter(|i| *i > 0)
                            .ok_or_else(|| invalid(f, "must be null or a ShipStation store id"))?,
                    ),
                };
            }
            "export_order_statuses" => {
                settings.export_order_statuses =
                    texts(f, v)?.into_iter().map(str::to_owned).collect();
            }
            "shipping_item_name" => settings.shipping_item_name = text(f, v)?.to_owned(),
            "sync_from" => {
                settings.sync_from = NaiveDate::parse_from_str(text(f, v)?, "%Y-%m-%d")
                    .map_err(|_| invalid(f, "must be a date like 2026-01-31"))?;
            }
            "fractional_quantities" => {
                settings.fractional_quantities = match text(f, v)? {
                    "reject" => FractionalQuantities::Reject,
                    "round_up" => FractionalQuantities::RoundUp,
                    other => {
                        return Err(invalid(
                            f,
                            format!("unknown policy \"{other}\" (expected reject or round_up)"),
                        ))
                    }
                };
            }
            "tracking_field" => settings.tracking_field = text(f, v)?.to_owned(),
            _ => return Err(invalid(f, "unknown field")),
        }
    }
    settings
        .validate()
        .map_err(|(field, problem)| invalid(field, problem))?;
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn defaults() -> SyncSettings {
        SyncSettings::defaults(NaiveDate::from_ymd_opt(2026, 1, 2).unwrap_or_default())
    }

    fn apply(body: Value) -> Result<SyncSettings, String> {
        let map = body.as_object().cloned().unwrap_or_default();
        merge(defaults(), &map).map_err(|e| e.message)
    }

    #[test]
    fn a_partial_body_keeps_the_other_fields() {
        let s = apply(json!({"store_id": 42, "class_filter": "  "})).expect("valid");
        assert_eq!(s.store_id, Some(42));
        assert_eq!(s.class_filter, None);
        assert_eq!(s.transaction_types, defaults().transaction_types);
    }

    #[test]
    fn a_full_body_round_trips() {
        let mut full = serde_json::to_value(defaults()).expect("json");
        full["transaction_types"] = json!(["sales_order", "invoice", "invoice"]);
        full["fractional_quantities"] = json!("round_up");
        full["tracking_field"] = json!("custom:Tracking");
        let s = apply(full).expect("valid");
        assert_eq!(s.transaction_types, [TxnType::SalesOrder, TxnType::Invoice]);
        assert_eq!(s.fractional_quantities, FractionalQuantities::RoundUp);
        assert_eq!(s.tracking_field, "custom:Tracking");
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            (
                json!({"transaction_types": ["estimate"]}),
                "transaction_types: unknown type \"estimate\"",
            ),
            (json!({"colour": "blue"}), "colour: unknown field"),
            (json!({"store_id": "12"}), "store_id: must be null"),
            (
                json!({"sync_orders_to_shipstation": 1}),
                "sync_orders_to_shipstation: must be true",
            ),
            (
                json!({"sync_from": "31/01/2026"}),
                "sync_from: must be a date",
            ),
            (
                json!({"fractional_quantities": "floor"}),
                "fractional_quantities: unknown policy",
            ),
            (
                json!({"export_order_statuses": ["lost"]}),
                "export_order_statuses: unknown",
            ),
            (
                json!({"tracking_field": "notes"}),
                "tracking_field: must be",
            ),
        ];
        for (body, want) in cases {
            let got = apply(body.clone()).expect_err("invalid");
            assert!(got.starts_with(want), "{body}: {got}");
        }
        // No types at all is allowed: nothing is read (write-backs still run).
        let none = apply(json!({"transaction_types": []})).expect("no types");
        assert!(none.transaction_types.is_empty());
    }
}
