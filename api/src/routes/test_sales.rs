//! `POST /connections/{id}/test-sales`: QuickBooks RefNumbers to fetch and send on the next
//! Web Connector run, whatever the filters say.
//!
//! `order_numbers` is text separated by commas, semicolons, spaces or newlines (what users
//! paste), or a JSON array of numbers/strings. A number may be up to
//! [`REF_NUMBER_MAX_LEN`] characters: QuickBooks' own limit is 11 to 21 depending on the
//! edition and transaction type, so anything longer can never match, but a tighter check here
//! would reject numbers that some edition does allow. Requests already waiting for the same
//! number are not duplicated.

use actix_web::{web, HttpResponse};
use serde_json::{json, Value};
use shared::db;
use shared::ids::{ConnectionId, TenantId};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::extract::AuthedUser;
use crate::routes::connections::{load, parse_id};
use crate::state::AppState;

/// The longest RefNumber accepted.
pub const REF_NUMBER_MAX_LEN: usize = 50;
/// The most numbers in one request.
pub const MAX_NUMBERS: usize = 100;

const FIELD: &str = "order_numbers";

/// The distinct RefNumbers of an `order_numbers` value, in the order given.
pub fn parse_order_numbers(v: &Value) -> ApiResult<Vec<String>> {
    let raw: Vec<String> = match v {
        Value::String(s) => s
            .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .map(str::to_owned)
            .collect(),
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => Ok(s.trim().to_owned()),
                Value::Number(n) => Ok(n.to_string()),
                _ => Err(ApiError::validation(
                    FIELD,
                    "array items must be text or numbers",
                )),
            })
            .collect::<ApiResult<_>>()?,
        Value::Null => Vec::new(),
        _ => {
            return Err(ApiError::validation(
                FIELD,
                "must be text like \"1001, 1002\" or an array of numbers",
            ))
        }
    };
    let mut out: Vec<String> = Vec::new();
    for n in raw.into_iter().filter(|n| !n.is_empty()) {
        if n.chars().count() > REF_NUMBER_MAX_LEN {
            return Err(ApiError::validation(
                FIELD,
                &format!("\"{n}\" is longer than {REF_NUMBER_MAX_LEN} characters"),
            ));
        }
        if n.chars().any(char::is_control) {
            return Err(ApiError::validation(
                FIELD,
                "must not contain control characters",
            ));
        }
        if !out.contains(&n) {
            out.push(n);
        }
    }
    if out.is_empty() {
        return Err(ApiError::validation(
            FIELD,
            "name at least one QuickBooks number",
        ));
    }
    if out.len() > MAX_NUMBERS {
        return Err(ApiError::validation(
            FIELD,
            &format!("at most {MAX_NUMBERS} numbers at a time"),
        ));
    }
    Ok(out)
}

/// Adds an open request for each number that has none yet.
async fn request(
    tx: &mut db::Tx,
    tenant: TenantId,
    connection: ConnectionId,
    numbers: &[String],
) -> Result<(), sqlx::Error> {
    // Serialises concurrent requests of one connection so the "no open request" check holds.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('test-sales:' || $1::text))")
        .bind(connection)
        .execute(&mut **tx)
        .await?;
    for n in numbers {
        sqlx::query(
            "INSERT INTO test_sale_requests (id, tenant_id, connection_id, ref_number)
             SELECT $1, $2, $3, $4
             WHERE NOT EXISTS (SELECT 1 FROM test_sale_requests
                 WHERE connection_id = $3 AND ref_number = $4 AND fetched_at IS NULL)",
        )
        .bind(Uuid::new_v4())
        .bind(tenant)
        .bind(connection)
        .bind(n)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

#[utoipa::path(
    post,
    path = "/api/v1/connections/{id}/test-sales",
    tag = "settings",
    request_body = crate::openapi::schemas::TestSalesRequest,
    params(("id" = uuid::Uuid, Path, description = "Connection id")),
    responses(
        (status = 202, description = "Fetched and sent on the next Web Connector run, whatever the filters say", body = crate::openapi::schemas::TestSalesAccepted),
        (status = 422, description = "No number, too many, or one too long"),
    )
)]
pub async fn create_test_sales(
    state: web::Data<AppState>,
    user: AuthedUser,
    path: web::Path<String>,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let mut tx = db::tenant_tx(&state.db, user.tenant_id).await?;
    load(&mut tx, id).await?;
    let numbers = parse_order_numbers(body.get(FIELD).unwrap_or(&Value::Null))?;
    request(&mut tx, user.tenant_id, id, &numbers).await?;
    tx.commit().await?;
    tracing::info!(tenant_id = %user.tenant_id, connection_id = %id, count = numbers.len(), "test sales requested");
    Ok(HttpResponse::Accepted().json(json!({ "order_numbers": numbers })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: Value) -> Result<Vec<String>, String> {
        parse_order_numbers(&v).map_err(|e| e.message)
    }

    #[test]
    fn text_and_arrays_are_split_and_deduplicated() {
        assert_eq!(
            parse(json!("1001, 1002\n1003;1001  ")),
            Ok(vec!["1001".into(), "1002".into(), "1003".into()])
        );
        assert_eq!(
            parse(json!(["A-7", 1002, " A-7 "])),
            Ok(vec!["A-7".into(), "1002".into()])
        );
    }

    #[test]
    fn empty_long_and_wrong_values_are_refused() {
        assert!(
            parse(json!(" , \n")).is_err_and(|m| m.starts_with("order_numbers: name at least one"))
        );
        assert!(parse(Value::Null).is_err());
        assert!(parse(json!("x".repeat(51))).is_err_and(|m| m.contains("longer than 50")));
        assert!(parse(json!({"a": 1})).is_err_and(|m| m.starts_with("order_numbers:")));
        assert!(parse(json!([true])).is_err());
        let many: Vec<String> = (0..101).map(|i| i.to_string()).collect();
        assert!(parse(json!(many)).is_err_and(|m| m.contains("at most 100")));
    }
}
