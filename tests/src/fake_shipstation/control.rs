//! The unauthenticated JSON control surface under `/__control/...` (for the demo binary and
//! out-of-process tests). Routes:
//!
//! | Method + path | Body → answer |
//! | --- | --- |
//! | `POST /__control/accounts` | `{"apiKey","apiSecret"}` → `201 {"apiKey","stores"}` |
//! | `GET /__control/accounts/{key}/orders` | → array of orders (deleted ones included, `active` flag added) |
//! | `GET /__control/accounts/{key}/shipments` / `fulfillments` | → arrays |
//! | `GET /__control/accounts/{key}/requests` | → `[{"method","path","query","status"}]` |
//! | `GET /__control/accounts/{key}/webhooks` | → webhook delivery attempts |
//! | `POST /__control/accounts/{key}/webhooks/fire` | `{"event","resourceUrl","storeId"?}` → attempts |
//! | `POST /__control/accounts/{key}/orders/{idOrKey}/ship` | ShipSpec (camelCase) → `{"shipmentIds"}` |
//! | `POST /__control/accounts/{key}/orders/{idOrKey}/status` | `{"orderStatus"}` → `{}` |
//! | `POST /__control/accounts/{key}/shipments/{id}/void` | → `{}` |
//! | `POST /__control/accounts/{key}/force` | `{"status","times"}` → `{}` |
//! | `GET`/`POST /__control/settings` | `{"rateLimit","rateWindowSecs","faultRate","latencyMs","lockedOrders","strictShipTo"}` (all optional) → current settings |

use std::time::Duration;

use actix_web::HttpRequest;
use serde::Deserialize;
use serde_json::{json, Value};

use super::actions::{self, ShipSpec};
use super::dispatch::with_account;
use super::reply::Reply;
use super::state::{LockedOrderPolicy, Shared};
use super::webhooks;

/// Serves one control request.
pub async fn handle(req: &HttpRequest, body: &[u8], shared: &Shared) -> Reply {
    let segs: Vec<&str> = req
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .skip(1)
        .collect();
    let method = req.method().as_str();
    match (method, segs.as_slice()) {
        ("POST", ["accounts"]) => create_account(shared, body),
        ("GET", ["settings"]) => settings(shared, b"{}"),
        ("POST", ["settings"]) => settings(shared, body),
        ("GET", ["accounts", key, what]) => inspect(shared, key, what),
        ("POST", ["accounts", key, "force"]) => force(shared, key, body),
        ("POST", ["accounts", key, "webhooks", "fire"]) => fire(shared, key, body).await,
        ("POST", ["accounts", key, "orders", reference, "ship"]) => {
            let spec: ShipSpec = match parse(body) {
                Ok(s) => s,
                Err(r) => return r,
            };
            match actions::ship_order(shared, key, reference, &spec).await {
                Ok(ids) => Reply::ok(json!({ "shipmentIds": ids })),
                Err(e) => Reply::bad_request(&e.to_string()),
            }
        }
        ("POST", ["accounts", key, "orders", reference, "status"]) => {
            #[derive(Deserialize)]
            #[serde(rename_all = "camelCase")]
            struct In {
                order_status: String,
            }
            match parse::<In>(body) {
                Ok(i) => done(actions::set_order_status(
                    shared,
                    key,
                    reference,
                    &i.order_status,
                )),
                Err(r) => r,
            }
        }
        ("POST", ["accounts", key, "shipments", id, "void"]) => match id.parse::<i64>() {
            Ok(id) => done(actions::void_shipment(shared, key, id)),
            Err(_) => Reply::bad_request("shipment id must be a number"),
        },
        _ => Reply::no_route(&req.uri().to_string()),
    }
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Reply> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}" as &[u8]
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| Reply::bad_request(&format!("invalid JSON: {e}")))
}

fn done(r: anyhow::Result<()>) -> Reply {
    match r {
        Ok(()) => Reply::ok(json!({})),
        Err(e) => Reply::bad_request(&e.to_string()),
    }
}

fn create_account(shared: &Shared, body: &[u8]) -> Reply {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct In {
        api_key: String,
        api_secret: String,
    }
    let input: In = match parse(body) {
        Ok(i) => i,
        Err(r) => return r,
    };
    if input.api_key.is_empty() || input.api_key.contains(':') {
        return Reply::bad_request("apiKey must be non-empty and must not contain ':'");
    }
    let mut guard = shared.lock();
    let acc = guard.add_account(&input.api_key, &input.api_secret);
    Reply::json(
        201,
        json!({ "apiKey": input.api_key, "stores": acc.stores }),
    )
}

/// JSON views of an account's data (`orders`, `shipments`, `fulfillments`, `requests`,
/// `webhooks` = deliveries, `subscriptions`). `None` if the account or view does not exist.
pub fn view(shared: &Shared, key: &str, what: &str) -> Option<Value> {
    with_account(shared, key, |acc, _| {
        let v = match what {
            "orders" => Value::Array(
                acc.orders
                    .iter()
                    .map(|o| {
                        let mut v = serde_json::to_value(&o.order).unwrap_or(Value::Null);
                        v["active"] = Value::Bool(o.active);
                        v
                    })
                    .collect(),
            ),
            "shipments" => serde_json::to_value(&acc.shipments).ok()?,
            "fulfillments" => serde_json::to_value(&acc.fulfillments).ok()?,
            "requests" => serde_json::to_value(&acc.requests).ok()?,
            "webhooks" => serde_json::to_value(&acc.deliveries).ok()?,
            "subscriptions" => serde_json::to_value(&acc.webhooks).ok()?,
            _ => return None,
        };
        Some(v)
    })
    .flatten()
}

fn inspect(shared: &Shared, key: &str, what: &str) -> Reply {
    match view(shared, key, what) {
        Some(v) => Reply::ok(v),
        None => Reply::json(
            404,
            json!({"Message": format!("no account '{key}' or view '{what}'")}),
        ),
    }
}

fn force(shared: &Shared, key: &str, body: &[u8]) -> Reply {
    #[derive(Deserialize)]
    struct In {
        status: u16,
        times: usize,
    }
    let input: In = match parse(body) {
        Ok(i) => i,
        Err(r) => return r,
    };
    match with_account(shared, key, |acc, _| {
        acc.forced
            .extend(std::iter::repeat_n(input.status, input.times));
    }) {
        Some(()) => Reply::ok(json!({})),
        None => Reply::bad_request(&format!("no account '{key}'")),
    }
}

async fn fire(shared: &Shared, key: &str, body: &[u8]) -> Reply {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct In {
        event: String,
        resource_url: String,
        store_id: Option<i64>,
    }
    let input: In = match parse(body) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let sent = webhooks::deliver(
        shared,
        key,
        &input.event,
        input.store_id,
        &input.resource_url,
    )
    .await;
    Reply::ok(serde_json::to_value(sent).unwrap_or(Value::Null))
}

fn settings(shared: &Shared, body: &[u8]) -> Reply {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct In {
        rate_limit: Option<u32>,
        rate_window_secs: Option<u64>,
        fault_rate: Option<f64>,
        latency_ms: Option<u64>,
        locked_orders: Option<LockedOrderPolicy>,
        strict_ship_to: Option<bool>,
    }
    let input: In = match parse(body) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let mut guard = shared.lock();
    let s = &mut guard.settings;
    if let Some(v) = input.rate_limit {
        s.rate_limit = v;
    }
    if let Some(v) = input.rate_window_secs {
        s.rate_window = Duration::from_secs(v.max(1));
    }
    if let Some(v) = input.fault_rate {
        s.fault_rate = v.clamp(0.0, 1.0);
    }
    if let Some(v) = input.latency_ms {
        s.latency = Duration::from_millis(v);
    }
    if let Some(v) = input.locked_orders {
        s.locked_orders = v;
    }
    if let Some(v) = input.strict_ship_to {
        s.strict_ship_to = v;
    }
    Reply::ok(json!({
        "rateLimit": s.rate_limit,
        "rateWindowSecs": s.rate_window.as_secs(),
        "faultRate": s.fault_rate,
        "latencyMs": s.latency.as_millis() as u64,
        "lockedOrders": s.locked_orders,
        "strictShipTo": s.strict_ship_to,
    }))
}
