//! A small ShipStation V1 client: Basic auth, timeouts, rate-limit headers read on every
//! response, errors classified by [`ShipStationError`].

use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::error::{error_message, ShipStationError};
use super::model::{CreateOrdersResponse, FulfillmentsPage, Order, OrderOut, ShipmentsPage, Store};

/// The `X-Rate-Limit-*` headers of a response.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateInfo {
    pub limit: Option<u32>,
    pub remaining: Option<u32>,
    pub reset: Option<Duration>,
}

impl RateInfo {
    fn from_headers(headers: &reqwest::header::HeaderMap) -> RateInfo {
        let num = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        RateInfo {
            limit: num("x-rate-limit-limit").map(|v| v as u32),
            remaining: num("x-rate-limit-remaining").map(|v| v as u32),
            reset: num("x-rate-limit-reset").map(Duration::from_secs),
        }
    }
}

/// A response body with the rate-limit state it came with.
#[derive(Debug)]
pub struct Answer<T> {
    pub body: T,
    pub rate: RateInfo,
}

/// Credentials and base URL of one ShipStation account.
#[derive(Clone)]
pub struct ShipStationClient {
    http: reqwest::Client,
    base_url: String,
    api_key: SecretString,
    api_secret: SecretString,
    /// The rate-limit headers of the latest response, errors included (ShipStation sends them
    /// on every answer; an error is where the budget most often runs out).
    last_rate: Arc<Mutex<Option<RateInfo>>>,
}

impl std::fmt::Debug for ShipStationClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShipStationClient")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

/// A shared HTTP client with sane timeouts for ShipStation calls.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
        .user_agent(concat!("Quayside/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("reqwest client builds")
}

impl ShipStationClient {
    pub fn new(
        http: reqwest::Client,
        base_url: &str,
        api_key: SecretString,
        api_secret: SecretString,
    ) -> Self {
        ShipStationClient {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
            api_key,
            api_secret,
            last_rate: Arc::default(),
        }
    }

    /// The rate-limit headers of the latest response, whatever its status.
    pub fn last_rate(&self) -> Option<RateInfo> {
        *self.last_rate.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The API key (for the rate limiter's bucket name; never logged).
    pub fn api_key(&self) -> &SecretString {
        &self.api_key
    }

    /// One ShipStation request, in its own span (the path without its query: no search text or
    /// dates in traces).
    #[tracing::instrument(
        name = "shipstation",
        skip_all,
        fields(
            http.method = %method,
            http.path = path_and_query.split('?').next().unwrap_or_default(),
            http.status_code = tracing::field::Empty,
            otel.kind = "client",
        )
    )]
    async fn call<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<&B>,
    ) -> Result<Answer<T>, ShipStationError> {
        let url = format!("{}{}", self.base_url, path_and_query);
        // A call that gets no answer leaves no headers behind.
        *self.last_rate.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let mut req = self
            .http
            .request(method, &url)
            .basic_auth(
                self.api_key.expose_secret(),
                Some(self.api_secret.expose_secret()),
            )
            .header("Accept", "application/json");
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| ShipStationError::Transient(without_url(e)))?;
        let status = resp.status();
        tracing::Span::current().record("http.status_code", status.as_u16());
        let rate = RateInfo::from_headers(resp.headers());
        *self.last_rate.lock().unwrap_or_else(|e| e.into_inner()) = Some(rate);
        // V1 documents only X-Rate-Limit-Reset; a Retry-After (V2, proxies) is honoured too.
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let text = resp
            .text()
            .await
            .map_err(|e| ShipStationError::Transient(without_url(e)))?;
        match status {
            s if s.is_success() => {
                let text = if text.trim().is_empty() {
                    "null"
                } else {
                    &text
                };
                let body = serde_json::from_str(text).map_err(|e| {
                    ShipStationError::Transient(format!(
                        "unreadable response from ShipStation: {e}"
                    ))
                })?;
                Ok(Answer { body, rate })
            }
            StatusCode::TOO_MANY_REQUESTS => Err(ShipStationError::RateLimited {
                reset: match (rate.reset, retry_after) {
                    (Some(a), Some(b)) => a.max(b),
                    (a, b) => a.or(b).unwrap_or(Duration::from_secs(60)),
                },
            }),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(ShipStationError::Unauthorized),
            s if s.is_server_error() || s == StatusCode::REQUEST_TIMEOUT => Err(
                ShipStationError::Transient(format!("{}: {}", s.as_u16(), error_message(&text))),
            ),
            s => Err(ShipStationError::Rejected {
                status: s.as_u16(),
                message: error_message(&text),
            }),
        }
    }

    /// `GET /stores`.
    pub async fn list_stores(&self) -> Result<Answer<Vec<Store>>, ShipStationError> {
        self.call::<(), _>(Method::GET, "/stores?showInactive=false", None)
            .await
    }

    /// `POST /orders/createorders` with up to 100 orders.
    pub async fn create_orders(
        &self,
        orders: &[Order],
    ) -> Result<Answer<CreateOrdersResponse>, ShipStationError> {
        self.call(Method::POST, "/orders/createorders", Some(orders))
            .await
    }

    /// `GET /shipments?...` (the query string is built by the caller).
    pub async fn list_shipments(
        &self,
        query: &str,
    ) -> Result<Answer<ShipmentsPage>, ShipStationError> {
        self.call::<(), _>(Method::GET, &format!("/shipments?{query}"), None)
            .await
    }

    /// `GET /fulfillments?{query}`: orders marked shipped without a ShipStation label.
    pub async fn list_fulfillments(
        &self,
        query: &str,
    ) -> Result<Answer<FulfillmentsPage>, ShipStationError> {
        self.call::<(), _>(Method::GET, &format!("/fulfillments?{query}"), None)
            .await
    }

    /// `GET /orders/{id}`.
    pub async fn get_order(&self, order_id: i64) -> Result<Answer<OrderOut>, ShipStationError> {
        self.call::<(), _>(Method::GET, &format!("/orders/{order_id}"), None)
            .await
    }

    /// `POST /webhooks/subscribe` for `SHIP_NOTIFY`; returns the webhook id.
    pub async fn subscribe_ship_notify(
        &self,
        target_url: &str,
        friendly_name: &str,
    ) -> Result<i64, ShipStationError> {
        let body = serde_json::json!({
            "target_url": target_url,
            "event": "SHIP_NOTIFY",
            "store_id": null,
            "friendly_name": friendly_name,
        });
        let answer: Answer<serde_json::Value> = self
            .call(Method::POST, "/webhooks/subscribe", Some(&body))
            .await?;
        answer
            .body
            .get("id")
            .and_then(|v| v.as_i64())
            .ok_or_else(|| ShipStationError::Transient("webhook subscribe gave no id".into()))
    }

    /// `DELETE /webhooks/{id}`.
    pub async fn unsubscribe_webhook(&self, id: i64) -> Result<(), ShipStationError> {
        self.call::<(), serde_json::Value>(Method::DELETE, &format!("/webhooks/{id}"), None)
            .await
            .map(|_| ())
    }
}

/// reqwest errors carry the URL; ours never contains secrets, but keep messages short.
fn without_url(e: reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    format!("{kind}: {}", e.without_url())
}
