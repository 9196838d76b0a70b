//! A faithful fake of the ShipStation V1 API (`ssapi.shipstation.com`), built from
//! `specs/shipstation.md`: Basic auth per key pair, fixed-window rate limiting with
//! `X-Rate-Limit-*` on every response, orders (upsert by `orderKey`), label shipments,
//! fulfillments, stores, carriers, webhooks with `SHIP_NOTIFY` delivery, and fault injection.
//!
//! In-process use:
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use quayside_tests::fake_shipstation::{FakeConfig, FakeShipStation, ShipSpec};
//! let fake = FakeShipStation::start(FakeConfig::default()).await?;
//! let account = fake.add_account("key", "secret");
//! // ... point the client at fake.base_url(), push orders ...
//! let ids = fake.ship_order("key", "order-key-1", ShipSpec::default()).await?;
//! # let _ = (account, ids); Ok(()) }
//! ```
//! Out of process, the `fake-shipstation` binary serves the same thing plus the JSON control
//! surface documented in [`control`].

pub mod actions;
pub mod auth;
pub mod control;
pub mod dispatch;
pub mod model;
pub mod orders;
pub mod query;
pub mod rate_limit;
pub mod reply;
pub mod shipments;
pub mod state;
pub mod stores;
pub mod time;
pub mod upsert;
pub mod validate;
pub mod webhooks;

#[cfg(test)]
mod tests;

use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use serde_json::Value;

pub use actions::ShipSpec;
pub use state::{FakeConfig, LockedOrderPolicy, LoggedRequest};
pub use stores::Store;
pub use webhooks::WebhookDelivery;

use state::Shared;

/// Largest request body accepted (100 full orders fit easily).
const MAX_BODY: usize = 32 * 1024 * 1024;

/// A running fake ShipStation. The server runs in the background until [`stop`](Self::stop),
/// until the handle is dropped, or until the runtime it was started on shuts down.
pub struct FakeShipStation {
    shared: web::Data<Shared>,
    base_url: String,
    server: ServerHandle,
}

/// Credentials and seeded stores of an account created with [`FakeShipStation::add_account`].
#[derive(Debug, Clone, PartialEq)]
pub struct AccountHandle {
    /// API Key (Basic auth user name).
    pub api_key: String,
    /// API Secret (Basic auth password).
    pub api_secret: String,
    /// Seeded stores: "Manual Orders" (default, marketplaceId 0), "Target Store", "MyDemoStore".
    pub stores: Vec<Store>,
}

impl AccountHandle {
    /// Id of the default manual store ("Manual Orders").
    pub fn manual_store_id(&self) -> i64 {
        self.stores.first().map_or(0, |s| s.store_id)
    }

    /// The `Authorization` header value for this key pair.
    pub fn authorization(&self) -> String {
        auth::basic_header(&self.api_key, &self.api_secret)
    }
}

impl FakeShipStation {
    /// Binds `config.bind` (default `127.0.0.1:0`) and serves in the background on the
    /// current tokio runtime.
    pub async fn start(config: FakeConfig) -> anyhow::Result<FakeShipStation> {
        let bind = config
            .bind
            .clone()
            .unwrap_or_else(|| "127.0.0.1:0".to_owned());
        let listener = TcpListener::bind(&bind).with_context(|| format!("binding {bind}"))?;
        let addr = listener.local_addr()?;
        let host = if addr.ip().is_unspecified() {
            "127.0.0.1".to_owned()
        } else {
            addr.ip().to_string()
        };
        let base_url = format!("http://{host}:{}", addr.port());
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| base_url.clone());
        let shared = web::Data::new(Shared::new(
            &config,
            public_url.trim_end_matches('/').to_owned(),
        ));
        let data = shared.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(web::PayloadConfig::new(MAX_BODY))
                .default_service(web::to(dispatch::entry))
        })
        .workers(config.workers.max(1))
        .disable_signals()
        .listen(listener)?
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Ok(FakeShipStation {
            shared,
            base_url,
            server: handle,
        })
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// Creates an account (or resets the secret of an existing one) with seeded stores.
    pub fn add_account(&self, api_key: &str, api_secret: &str) -> AccountHandle {
        let mut guard = self.shared.lock();
        let stores = guard.add_account(api_key, api_secret).stores.clone();
        AccountHandle {
            api_key: api_key.to_owned(),
            api_secret: api_secret.to_owned(),
            stores,
        }
    }

    fn view_vec(&self, api_key: &str, what: &str) -> Vec<Value> {
        match control::view(&self.shared, api_key, what) {
            Some(Value::Array(rows)) => rows,
            _ => Vec::new(),
        }
    }

    /// Every order of the account as `GET /orders/{id}` renders it, plus `"active": bool`
    /// (false after `DELETE`).
    pub fn orders(&self, api_key: &str) -> Vec<Value> {
        self.view_vec(api_key, "orders")
    }

    /// Every label shipment of the account (with `shipmentItems`).
    pub fn shipments(&self, api_key: &str) -> Vec<Value> {
        self.view_vec(api_key, "shipments")
    }

    /// Every fulfillment of the account.
    pub fn fulfillments(&self, api_key: &str) -> Vec<Value> {
        self.view_vec(api_key, "fulfillments")
    }

    /// Webhook subscriptions (PascalCase, as `GET /webhooks`).
    pub fn subscriptions(&self, api_key: &str) -> Vec<Value> {
        self.view_vec(api_key, "subscriptions")
    }

    /// API requests of the account, oldest first (control requests are not logged).
    pub fn request_log(&self, api_key: &str) -> Vec<LoggedRequest> {
        dispatch::with_account(&self.shared, api_key, |acc, _| acc.requests.clone())
            .unwrap_or_default()
    }

    /// Webhook deliveries attempted for the account, oldest first.
    pub fn webhooks(&self, api_key: &str) -> Vec<WebhookDelivery> {
        dispatch::with_account(&self.shared, api_key, |acc, _| acc.deliveries.clone())
            .unwrap_or_default()
    }

    /// "Buys" `spec.packages` labels for the order (by `orderKey`, or `orderId` if numeric):
    /// creates shipments, sets `orderStatus` to `shipped`, and POSTs `SHIP_NOTIFY` to the
    /// account's subscribers (awaited). Returns the new shipment ids.
    pub async fn ship_order(
        &self,
        api_key: &str,
        order: &str,
        spec: ShipSpec,
    ) -> anyhow::Result<Vec<i64>> {
        actions::ship_order(&self.shared, api_key, order, &spec).await
    }

    /// Voids a label shipment (`voided`, `voidDate`); see [`actions::void_shipment`].
    pub fn void_shipment(&self, api_key: &str, shipment_id: i64) -> anyhow::Result<()> {
        actions::void_shipment(&self.shared, api_key, shipment_id)
    }

    /// Deactivates (or reactivates) a store: `GET /stores?showInactive=false` leaves it out.
    pub fn set_store_active(&self, api_key: &str, store_id: i64, active: bool) -> bool {
        dispatch::with_account(&self.shared, api_key, |acc, _| {
            acc.stores
                .iter_mut()
                .find(|s| s.store_id == store_id)
                .map(|s| s.active = active)
                .is_some()
        })
        .unwrap_or(false)
    }

    /// Edits an order as staff would in ShipStation (by `orderKey` or `orderId`); see
    /// [`actions::edit_order`].
    pub fn edit_order(&self, api_key: &str, order: &str, patch: &Value) -> anyhow::Result<()> {
        actions::edit_order(&self.shared, api_key, order, patch)
    }

    /// Sets an order's status (by `orderKey` or `orderId`).
    pub fn set_order_status(&self, api_key: &str, order: &str, status: &str) -> anyhow::Result<()> {
        actions::set_order_status(&self.shared, api_key, order, status)
    }

    /// POSTs `{"resource_url", "resource_type": event}` to the account's `event` subscribers.
    pub async fn fire_webhook(
        &self,
        api_key: &str,
        event: &str,
        resource_url: &str,
    ) -> Vec<WebhookDelivery> {
        webhooks::deliver(&self.shared, api_key, event, None, resource_url).await
    }

    /// The next `times` API requests of the account answer `status` (429 and 500 get
    /// ShipStation's bodies; 429 also `X-Rate-Limit-Remaining: 0`).
    pub fn force_status(&self, api_key: &str, status: u16, times: usize) {
        dispatch::with_account(&self.shared, api_key, |acc, _| {
            acc.forced.extend(std::iter::repeat_n(status, times));
        });
    }

    /// Every request of the account whose path starts with `prefix` answers `status` from now on.
    pub fn force_status_on(&self, api_key: &str, prefix: &str, status: u16) {
        dispatch::with_account(&self.shared, api_key, |acc, _| {
            acc.forced_paths.push((prefix.to_owned(), status));
        });
    }

    /// Probability (0.0–1.0) of an injected `500` on any API request.
    pub fn set_fault_rate(&self, rate: f64) {
        self.shared.lock().settings.fault_rate = rate.clamp(0.0, 1.0);
    }

    /// Delay added before every API answer.
    pub fn set_latency(&self, latency: Duration) {
        self.shared.lock().settings.latency = latency;
    }

    /// Delay between carrying out a request and answering it (the work is done, the client
    /// has not heard yet).
    pub fn set_reply_delay(&self, delay: Duration) {
        self.shared.lock().settings.reply_delay = delay;
    }

    /// Requests per window per key pair.
    pub fn set_rate_limit(&self, limit: u32) {
        self.shared.lock().settings.rate_limit = limit;
    }

    /// Length of the fixed rate-limit window.
    pub fn set_rate_window(&self, window: Duration) {
        self.shared.lock().settings.rate_window = window.max(Duration::from_millis(1));
    }

    /// Behaviour for updates of shipped/cancelled orders.
    pub fn set_locked_order_policy(&self, policy: LockedOrderPolicy) {
        self.shared.lock().settings.locked_orders = policy;
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(self) {
        self.server.stop(true).await;
    }
}

impl Drop for FakeShipStation {
    /// Asks the server to stop (non-graceful); the request is sent immediately, the
    /// background server future completes it while the runtime is alive.
    fn drop(&mut self) {
        drop(self.server.stop(false));
    }
}
