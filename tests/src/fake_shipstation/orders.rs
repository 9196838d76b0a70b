//! Orders endpoints (§3): createorder, createorders, list, get, delete.

use serde_json::{json, Value};

use super::dispatch::Ctx;
use super::model::{is_open, Order, ORDER_STATUSES};
use super::query::DateRange;
use super::reply::{shape_mismatch, Reply};
use super::state::{LockedOrderPolicy, StoredOrder};
use super::time;
use super::upsert::{upsert, UpsertError};

/// Largest `createorders` batch.
pub const MAX_BATCH: usize = 100;

/// Parses the body as JSON or answers ASP.NET's 400 under `param`.
fn parse_body(ctx: &Ctx<'_>, param: &str) -> Result<Value, Reply> {
    if ctx.body.iter().all(u8::is_ascii_whitespace) {
        return Err(Reply::model_state(
            param,
            &format!("The {param} field is required."),
        ));
    }
    serde_json::from_slice(ctx.body).map_err(|e| {
        Reply::model_state(
            param,
            &format!("Unexpected character encountered while parsing value: {e}."),
        )
    })
}

fn to_order(v: Value, key: &str) -> Result<Order, Reply> {
    serde_json::from_value(v).map_err(|e| {
        Reply::model_state(
            key,
            &format!("Error converting value to type 'Order': {e}."),
        )
    })
}

/// First property name of a JSON object text (for the mirror-case ModelState key).
fn first_key(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let after = text
        .split_once('{')
        .map_or("", |(_, rest)| rest)
        .trim_start();
    after
        .strip_prefix('"')
        .and_then(|r| r.split_once('"'))
        .map_or(String::new(), |(k, _)| k.to_owned())
}

/// `POST /orders/createorder` → `200` + the full order.
pub fn create_one(ctx: &Ctx<'_>) -> Reply {
    let value = match parse_body(ctx, "apiOrder") {
        Ok(v) => v,
        Err(r) => return r,
    };
    if value.is_array() {
        return Reply::model_state("apiOrder", &shape_mismatch(false, ""));
    }
    let order = match to_order(value, "apiOrder") {
        Ok(o) => o,
        Err(r) => return r,
    };
    let batch = uuid::Uuid::new_v4().to_string();
    ctx.with_account(|acc, env| match upsert(acc, env, order, &batch) {
        Ok(o) => Reply::ok(serde_json::to_value(o).unwrap_or(Value::Null)),
        Err(UpsertError::Invalid(errs)) => {
            let mut state = serde_json::Map::new();
            for (k, m) in errs {
                let entry = state
                    .entry(format!("apiOrder.{k}"))
                    .or_insert_with(|| json!([]));
                if let Some(list) = entry.as_array_mut() {
                    list.push(Value::String(m));
                }
            }
            Reply::json(
                400,
                json!({"Message": "The request is invalid.", "ModelState": state}),
            )
        }
        Err(UpsertError::Locked(m)) => Reply::model_state("apiOrder", &m),
    })
}

/// `POST /orders/createorders` → `200 {"hasErrors", "results": [...]}`.
pub fn create_many(ctx: &Ctx<'_>) -> Reply {
    let value = match parse_body(ctx, "apiOrders") {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Value::Array(elements) = value else {
        let k = first_key(ctx.body);
        return Reply::model_state(&format!("apiOrders.{k}"), &shape_mismatch(true, &k));
    };
    if elements.len() > MAX_BATCH {
        return Reply::model_state(
            "apiOrders",
            &format!("A maximum of {MAX_BATCH} orders can be created or updated per request."),
        );
    }
    let mut orders = Vec::with_capacity(elements.len());
    for (i, v) in elements.into_iter().enumerate() {
        match to_order(v, &format!("apiOrders[{i}]")) {
            Ok(o) => orders.push(o),
            Err(r) => return r,
        }
    }
    let batch = uuid::Uuid::new_v4().to_string();
    ctx.with_account(|acc, env| {
        if env.settings.locked_orders == LockedOrderPolicy::RejectRequest {
            for (i, o) in orders.iter().enumerate() {
                let key = o.order_key.as_deref().filter(|k| !k.is_empty());
                let status = |s: &StoredOrder| s.order.order_status.clone().unwrap_or_default();
                let locked = acc.orders.iter().find(|s| {
                    key.is_some() && s.order.order_key.as_deref() == key && !is_open(&status(s))
                });
                if let Some(s) = locked {
                    return Reply::model_state(
                        &format!("apiOrders[{i}]"),
                        &format!(
                            "Order {} cannot be updated because its status is '{}'.",
                            s.id,
                            status(s)
                        ),
                    );
                }
            }
        }
        let results: Vec<Value> = orders
            .into_iter()
            .map(|o| {
                let (number, key) = (o.order_number.clone(), o.order_key.clone());
                match upsert(acc, env, o, &batch) {
                    Ok(s) => json!({"orderId": s.order_id, "orderNumber": s.order_number,
                                    "orderKey": s.order_key, "success": true, "errorMessage": null}),
                    Err(e) => json!({"orderId": 0, "orderNumber": number, "orderKey": key,
                                     "success": false, "errorMessage": e.message()}),
                }
            })
            .collect();
        let has_errors = results.iter().any(|r| r["success"] == false);
        Reply::ok(json!({"hasErrors": has_errors, "results": results}))
    })
}

struct Filters {
    customer: Option<String>,
    keyword: Option<String>,
    number: Option<String>,
    status: Option<String>,
    store: Option<i64>,
    batch: Option<String>,
    created: DateRange,
    modified: DateRange,
    ordered: DateRange,
    paid: DateRange,
}

impl Filters {
    fn matches(&self, s: &StoredOrder) -> bool {
        let o = &s.order;
        let contains = |hay: &Option<String>, needle: &str| {
            hay.as_deref()
                .is_some_and(|h| h.to_lowercase().contains(needle))
        };
        let parse = |v: &Option<String>| v.as_deref().and_then(time::parse_datetime);
        s.active
            && self.customer.as_deref().is_none_or(|c| {
                [&o.bill_to, &o.ship_to]
                    .iter()
                    .any(|a| a.as_ref().is_some_and(|a| contains(&a.name, c)))
            })
            && self.keyword.as_deref().is_none_or(|k| {
                o.items.iter().flatten().any(|i| {
                    contains(&i.sku, k)
                        || contains(&i.name, k)
                        || i.options
                            .iter()
                            .flatten()
                            .any(|op| contains(&op.value, k) || contains(&op.name, k))
                })
            })
            && self.number.as_deref().is_none_or(|n| {
                o.order_number
                    .as_deref()
                    .is_some_and(|on| on.to_lowercase().starts_with(n))
            })
            && self
                .status
                .as_deref()
                .is_none_or(|st| o.order_status.as_deref() == Some(st))
            && self.store.is_none_or(|id| s.store_id == id)
            && self
                .batch
                .as_deref()
                .is_none_or(|b| s.import_batch.eq_ignore_ascii_case(b))
            && self.created.contains(Some(s.created))
            && self.modified.contains(Some(s.modified))
            && self.ordered.contains(parse(&o.order_date))
            && self.paid.contains(parse(&o.payment_date))
    }
}

fn filters(ctx: &Ctx<'_>) -> Result<Filters, Reply> {
    let q = &ctx.query;
    let lower = |n: &str| q.get(n).map(str::to_lowercase);
    let status = q.get("orderStatus").map(str::to_owned);
    if let Some(s) = status.as_deref().filter(|s| !ORDER_STATUSES.contains(s)) {
        return Err(Reply::model_state(
            "orderStatus",
            &format!("The value '{s}' is not valid for orderStatus."),
        ));
    }
    Ok(Filters {
        customer: lower("customerName"),
        keyword: lower("itemKeyword"),
        number: lower("orderNumber"),
        status,
        store: q.get_i64("storeId")?,
        batch: q.get("importBatch").map(str::to_owned),
        created: q.range("createDate")?,
        modified: q.range("modifyDate")?,
        ordered: q.range("orderDate")?,
        paid: q.range("paymentDate")?,
    })
}

/// `GET /orders` with the §3.3 filters → `{orders, total, page, pages}`.
pub fn list(ctx: &Ctx<'_>) -> Reply {
    let (f, paging) = match (filters(ctx), ctx.query.paging()) {
        (Ok(f), Ok(p)) => (f, p),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let sort_by = ctx.query.get("sortBy").map(str::to_ascii_lowercase);
    let desc = ctx.query.descending();
    ctx.with_account(|acc, _| {
        let mut rows: Vec<&StoredOrder> = acc.orders.iter().filter(|o| f.matches(o)).collect();
        match sort_by.as_deref() {
            Some("orderdate") => {
                rows.sort_by_key(|o| o.order.order_date.as_deref().and_then(time::parse_datetime))
            }
            Some("modifydate") => rows.sort_by_key(|o| o.modified),
            Some("createdate") => rows.sort_by_key(|o| o.created),
            _ => rows.sort_by_key(|o| o.id),
        }
        if desc {
            rows.reverse();
        }
        let json = rows
            .iter()
            .map(|o| serde_json::to_value(&o.order).unwrap_or(Value::Null))
            .collect();
        Reply::ok(paging.envelope("orders", json))
    })
}

fn not_found(id: i64) -> Reply {
    Reply::json(
        404,
        json!({"Message": format!("The requested order ({id}) was not found.")}),
    )
}

/// `GET /orders/{orderId}`.
pub fn get(ctx: &Ctx<'_>, id: &str) -> Reply {
    let Ok(id) = id.parse::<i64>() else {
        return ctx.no_route();
    };
    ctx.with_account(|acc, _| match acc.orders.iter().find(|o| o.id == id) {
        Some(o) => Reply::ok(serde_json::to_value(&o.order).unwrap_or(Value::Null)),
        None => not_found(id),
    })
}

/// `DELETE /orders/{orderId}`: soft delete.
pub fn delete(ctx: &Ctx<'_>, id: &str) -> Reply {
    let Ok(id) = id.parse::<i64>() else {
        return ctx.no_route();
    };
    ctx.with_account(
        |acc, _| match acc.orders.iter_mut().find(|o| o.id == id && o.active) {
            Some(o) => {
                o.active = false;
                Reply::ok(
                    json!({"success": true, "message": "The requested order has been deleted."}),
                )
            }
            None => not_found(id),
        },
    )
}
