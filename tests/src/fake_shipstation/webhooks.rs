//! `POST /webhooks/subscribe`, `GET /webhooks`, `DELETE /webhooks/{id}` and delivery (§6).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::dispatch::{with_account, Ctx};
use super::reply::Reply;
use super::state::Shared;

/// Events V1 accepts on subscribe.
pub const EVENTS: [&str; 6] = [
    "ORDER_NOTIFY",
    "ITEM_ORDER_NOTIFY",
    "SHIP_NOTIFY",
    "ITEM_SHIP_NOTIFY",
    "FULFILLMENT_SHIPPED",
    "FULFILLMENT_REJECTED",
];

/// A subscription, serialised in the PascalCase of the `GET /webhooks` capture.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Webhook {
    #[serde(rename = "IsLabelAPIHook")]
    pub is_label_api_hook: bool,
    #[serde(rename = "WebHookID")]
    pub web_hook_id: i64,
    #[serde(rename = "SellerID")]
    pub seller_id: i64,
    #[serde(rename = "StoreID")]
    pub store_id: Option<i64>,
    pub hook_type: String,
    pub message_format: String,
    pub url: String,
    pub name: Option<String>,
    #[serde(rename = "BulkCopyBatchID")]
    pub bulk_copy_batch_id: Option<String>,
    #[serde(rename = "BulkCopyRecordID")]
    pub bulk_copy_record_id: Option<String>,
    pub active: bool,
    pub webhook_logs: Vec<Value>,
    pub seller: Option<Value>,
    pub store: Option<Value>,
}

/// One delivery attempt the fake made.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDelivery {
    /// Subscription id.
    pub hook_id: i64,
    /// Event (`SHIP_NOTIFY`, …).
    pub event: String,
    /// Where it was POSTed.
    pub target_url: String,
    /// The JSON body sent (`{"resource_url", "resource_type"}`).
    pub body: Value,
    /// HTTP status the receiver answered, if it answered.
    pub status: Option<u16>,
    /// Transport error, if any.
    pub error: Option<String>,
}

#[derive(Debug, Deserialize)]
struct SubscribeIn {
    target_url: Option<String>,
    event: Option<String>,
    store_id: Option<i64>,
    friendly_name: Option<String>,
}

/// `POST /webhooks/subscribe` → `201 {"id": n}`.
pub fn subscribe(ctx: &Ctx<'_>) -> Reply {
    let input: SubscribeIn = match serde_json::from_slice(ctx.body) {
        Ok(v) => v,
        Err(e) => return Reply::model_state("request", &e.to_string()),
    };
    let Some(url) = input
        .target_url
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
    else {
        return Reply::model_state("request.target_url", "The target_url field is required.");
    };
    let event = input.event.unwrap_or_default().to_ascii_uppercase();
    if !EVENTS.contains(&event.as_str()) {
        return Reply::model_state("request.event", &format!("Invalid event '{event}'."));
    }
    ctx.with_account(|acc, env| {
        let id = env.ids.next("webhook");
        acc.webhooks.push(Webhook {
            is_label_api_hook: false,
            web_hook_id: id,
            seller_id: 0,
            store_id: input.store_id,
            hook_type: event,
            message_format: "Json".into(),
            url,
            name: input.friendly_name,
            bulk_copy_batch_id: None,
            bulk_copy_record_id: None,
            active: true,
            webhook_logs: Vec::new(),
            seller: None,
            store: None,
        });
        Reply::json(201, json!({ "id": id }))
    })
}

/// `GET /webhooks` → `{"webhooks": [...]}`.
pub fn list(ctx: &Ctx<'_>) -> Reply {
    ctx.with_account(|acc, _| Reply::ok(json!({ "webhooks": acc.webhooks })))
}

/// `DELETE /webhooks/{id}` → `200` with an empty body.
pub fn unsubscribe(ctx: &Ctx<'_>, id: &str) -> Reply {
    let Ok(id) = id.parse::<i64>() else {
        return ctx.no_route();
    };
    ctx.with_account(|acc, _| {
        let before = acc.webhooks.len();
        acc.webhooks.retain(|w| w.web_hook_id != id);
        if acc.webhooks.len() == before {
            Reply::json(
                404,
                json!({"Message": format!("Webhook {id} was not found.")}),
            )
        } else {
            Reply::empty(200)
        }
    })
}

/// POSTs `{"resource_url", "resource_type": event}` to every active hook of `event` on the
/// account (limited to `store_id` when the hook has one). Returns the recorded attempts.
pub async fn deliver(
    shared: &Shared,
    key: &str,
    event: &str,
    store_id: Option<i64>,
    resource_url: &str,
) -> Vec<WebhookDelivery> {
    let targets: Vec<(i64, String)> = with_account(shared, key, |acc, _| {
        acc.webhooks
            .iter()
            .filter(|w| w.active && w.hook_type == event)
            .filter(|w| w.store_id.is_none() || store_id.is_none() || w.store_id == store_id)
            .map(|w| (w.web_hook_id, w.url.clone()))
            .collect()
    })
    .unwrap_or_default();
    let body = json!({ "resource_url": resource_url, "resource_type": event });
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build();
    let mut done = Vec::new();
    for (hook_id, url) in targets {
        let result: Result<u16, String> = match &client {
            Ok(c) => c
                .post(&url)
                .json(&body)
                .send()
                .await
                .map(|r| r.status().as_u16())
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        let (status, error) = match result {
            Ok(s) => (Some(s), None),
            Err(e) => (None, Some(e)),
        };
        tracing::info!(hook_id, %url, ?status, ?error, "fake-shipstation webhook delivery");
        if shared.lock().settings.log_requests {
            println!(
                "webhook {event} #{hook_id} -> {url}: {status:?} {}",
                error.as_deref().unwrap_or("")
            );
        }
        done.push(WebhookDelivery {
            hook_id,
            event: event.to_owned(),
            target_url: url,
            body: body.clone(),
            status,
            error,
        });
    }
    with_account(shared, key, |acc, _| {
        acc.deliveries.extend(done.iter().cloned())
    });
    done
}
