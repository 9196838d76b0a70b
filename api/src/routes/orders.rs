//! What was synced, and why not: `/connections/{id}/orders`, one order with its events, and
//! resending an order.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};
use shared::db::{
    self,
    order_views::{OrderQuery, OrderView, ResendOutcome, ORDER_STATUSES},
};
use shared::ids::OrderId;
use shared::jobs::OrderPushV1;

use crate::error::{ApiError, ApiResult};
use crate::extract::AuthedUser;
use crate::routes::connections::{load, parse_id};
use crate::state::AppState;

/// Orders per page unless `per_page` says otherwise.
pub const DEFAULT_PER_PAGE: i64 = 50;
/// The largest `per_page`.
pub const MAX_PER_PAGE: i64 = 200;
/// The longest search text.
const MAX_Q_LEN: usize = 200;

/// Query of the list; all text so that a bad value is a 422 naming it, not a bare 400.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    status: Option<String>,
    q: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
}

fn whole(field: &str, raw: Option<&str>, default: i64, min: i64, max: i64) -> ApiResult<i64> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(default);
    };
    // Out of range is clamped (and echoed back as used); only a non-number is refused.
    raw.parse::<i64>()
        .map(|n| n.clamp(min, max))
        .map_err(|_| ApiError::validation(field, "must be a whole number"))
}

/// Checks the query; empty values mean "not given".
fn query(params: &ListParams) -> ApiResult<OrderQuery<'_>> {
    let status = params
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if let Some(s) = status.filter(|s| !ORDER_STATUSES.contains(s)) {
        return Err(ApiError::validation(
            "status",
            &format!(
                "unknown status \"{s}\" (expected one of: {})",
                ORDER_STATUSES.join(", ")
            ),
        ));
    }
    let q = params.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if q.is_some_and(|q| q.chars().count() > MAX_Q_LEN) {
        return Err(ApiError::validation(
            "q",
            &format!("must be at most {MAX_Q_LEN} characters"),
        ));
    }
    Ok(OrderQuery {
        status,
        q,
        page: whole("page", params.page.as_deref(), 1, 1, 1_000_000)?,
        per_page: whole(
            "per_page",
            params.per_page.as_deref(),
            DEFAULT_PER_PAGE,
            1,
            MAX_PER_PAGE,
        )?,
    })
}

/// The contract's order object (plus `skip_reason`).
pub fn order_out(o: &OrderView) -> Value {
    // Money as a JSON number with its two decimals, like ShipStation's own amounts.
    let shipping_cost = o.shipping_cost.map(|d| {
        d.to_string()
            .parse::<serde_json::Number>()
            .map_or_else(|_| Value::String(d.to_string()), Value::Number)
    });
    json!({
        "id": o.id,
        "txn_type": o.txn_type,
        "txn_id": o.txn_id,
        "ref_number": o.ref_number,
        "txn_date": o.txn_date,
        "customer_name": o.customer_name,
        "status": o.status,
        "shipstation_order_id": o.shipstation_order_id,
        "order_key": o.order_key,
        "store_id": o.store_id,
        "tracking_numbers": o.tracking_numbers,
        "shipping_cost": shipping_cost,
        "last_error": o.last_error,
        "skip_reason": o.skip_reason,
        "updated_at": o.updated_at,
    })
}

fn parse_order_id(raw: &str) -> ApiResult<OrderId> {
    OrderId::parse(raw).ok_or_else(|| ApiError::not_found("order"))
}

#[utoipa::path(
    get,
    path = "/api/v1/connections/{id}/orders",
    tag = "orders",
    params(("id" = uuid::Uuid, Path, description = "Connection id"), crate::openapi::schemas::OrderListQuery),
    responses(
        (status = 200, description = "A page of orders, newest first", body = crate::openapi::schemas::OrderList),
        (status = 422, description = "A bad status, q, page or per_page (named)"),
    )
)]
pub async fn list_orders(
    state: web::Data<AppState>,
    user: AuthedUser,
    path: web::Path<String>,
    params: web::Query<ListParams>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let mut tx = db::tenant_tx(&state.db, user.tenant_id).await?;
    // A foreign id is 404 whatever the query says (a 422 would tell it exists).
    load(&mut tx, id).await?;
    let q = query(&params)?;
    let (orders, total) = db::order_views::list(&mut tx, id, &q).await?;
    tx.commit().await?;
    let out: Vec<Value> = orders.iter().map(order_out).collect();
    Ok(HttpResponse::Ok().json(json!({
        "orders": out, "page": q.page, "per_page": q.per_page, "total": total,
    })))
}

#[utoipa::path(
    get,
    path = "/api/v1/connections/{id}/orders/{order_id}",
    tag = "orders",
    params(("id" = uuid::Uuid, Path, description = "Connection id"), ("order_id" = uuid::Uuid, Path, description = "Order id")),
    responses(
        (status = 200, description = "The order with its events", body = crate::openapi::schemas::OrderDetail),
    )
)]
pub async fn get_order(
    state: web::Data<AppState>,
    user: AuthedUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path.0)?;
    let order_id = parse_order_id(&path.1)?;
    let mut tx = db::tenant_tx(&state.db, user.tenant_id).await?;
    load(&mut tx, id).await?;
    let order = db::order_views::get(&mut tx, id, order_id)
        .await?
        .ok_or_else(|| ApiError::not_found("order"))?;
    let events = db::order_views::events(&mut tx, order_id).await?;
    tx.commit().await?;
    let mut out = order_out(&order);
    out["events"] = events
        .iter()
        .map(|e| json!({"at": e.at, "kind": e.kind, "message": e.message}))
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

/// Makes the order `pending` again and queues its push. A shipped order is a 409.
#[utoipa::path(
    post,
    path = "/api/v1/connections/{id}/orders/{order_id}/resend",
    tag = "orders",
    params(("id" = uuid::Uuid, Path, description = "Connection id"), ("order_id" = uuid::Uuid, Path, description = "Order id")),
    responses(
        (status = 202, description = "Pending again; its push is queued", body = crate::openapi::schemas::Order),
        (status = 409, description = "Already shipped in ShipStation (`order_shipped`)"),
    )
)]
pub async fn resend_order(
    state: web::Data<AppState>,
    user: AuthedUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path.0)?;
    let order_id = parse_order_id(&path.1)?;
    let mut tx = db::tenant_tx(&state.db, user.tenant_id).await?;
    load(&mut tx, id).await?;
    match db::order_views::reset_for_resend(&mut tx, id, order_id).await? {
        ResendOutcome::NotFound => return Err(ApiError::not_found("order")),
        ResendOutcome::Shipped(status) => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "order_shipped",
                format!(
                    "This order has already shipped in ShipStation (status {status}); it cannot \
                     be sent again."
                ),
            ))
        }
        ResendOutcome::Reset => {}
    }
    db::orders::add_event(
        &mut tx,
        user.tenant_id,
        order_id,
        "resend",
        "Resend requested",
    )
    .await?;
    let order = db::order_views::get(&mut tx, id, order_id)
        .await?
        .ok_or_else(|| ApiError::not_found("order"))?;
    // The intent is committed first; if the enqueue fails the sweeper re-queues it.
    tx.commit().await?;
    let job = OrderPushV1 {
        tenant_id: user.tenant_id,
        connection_id: id,
        order_ids: vec![order_id],
        trace: crate::jobs::current_trace_context(),
    };
    if let Err(e) = state.jobs.push_orders(job).await {
        tracing::warn!(order_id = %order_id, error = %e, "resend: enqueue failed; the sweeper will retry");
    }
    Ok(HttpResponse::Accepted().json(order_out(&order)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(status: &str, q: &str, page: &str, per_page: &str) -> ListParams {
        let opt = |s: &str| Some(s.to_owned());
        ListParams {
            status: opt(status),
            q: opt(q),
            page: opt(page),
            per_page: opt(per_page),
        }
    }

    #[test]
    fn empty_values_take_the_defaults() {
        let p = params("", " ", "", "");
        let q = query(&p).expect("valid");
        assert_eq!((q.status, q.q, q.page, q.per_page), (None, None, 1, 50));
        let none = ListParams::default();
        let q = query(&none).expect("valid");
        assert_eq!((q.page, q.per_page), (1, 50));
    }

    #[test]
    fn bad_values_name_the_parameter() {
        for (p, field) in [
            (params("lost", "", "", ""), "status:"),
            (params("", "", "x", ""), "page:"),
            (params("", "", "", "1.5"), "per_page:"),
            (params("", &"q".repeat(201), "", ""), "q:"),
        ] {
            let err = query(&p).expect_err("invalid");
            assert!(err.message.starts_with(field), "{}", err.message);
        }
        let out_of_range = params("", "", "0", "201");
        let clamped = query(&out_of_range).expect("clamped");
        assert_eq!((clamped.page, clamped.per_page), (1, 200));
        let ok = params("failed", "Acme", "3", "200");
        let q = query(&ok).expect("valid");
        assert_eq!(
            (q.status, q.q, q.page, q.per_page),
            (Some("failed"), Some("Acme"), 3, 200)
        );
    }
}
