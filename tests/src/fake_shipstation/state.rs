//! In-memory state of the fake: accounts (one per API key pair) and what they hold.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::NaiveDateTime;
use serde::Serialize;

use super::model::Order;
use super::rate_limit::RateWindow;
use super::shipments::{Fulfillment, Shipment};
use super::stores::Store;
use super::webhooks::{Webhook, WebhookDelivery};

/// What the fake does when a `shipped`/`cancelled` order is re-posted (§3.2: unconfirmed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LockedOrderPolicy {
    /// Refuse: `400` on `createorder`, `success:false` in `createorders` (default).
    #[default]
    Reject,
    /// Refuse with `400` for the whole request, `createorders` too (nothing in it applied).
    RejectRequest,
    /// Answer `200` with the stored order unchanged.
    Ignore,
    /// Apply the update as if the order were open.
    Allow,
}

/// Start-up configuration of the fake.
#[derive(Debug, Clone)]
pub struct FakeConfig {
    /// Address to bind; `None` = `127.0.0.1:0`.
    pub bind: Option<String>,
    /// Base URL to put in webhook `resource_url`s; `None` = `http://<bound addr>`.
    pub public_url: Option<String>,
    /// Requests per window per key pair (ShipStation: 40).
    pub rate_limit: u32,
    /// Length of the fixed rate-limit window (ShipStation: 60 s).
    pub rate_window: Duration,
    /// Probability (0.0–1.0) that an API request fails with an injected `500`.
    pub fault_rate: f64,
    /// Delay added before answering every API request.
    pub latency: Duration,
    /// Behaviour for updates of shipped/cancelled orders.
    pub locked_orders: LockedOrderPolicy,
    /// Require `shipTo` name, street1, city, postalCode and a 2-letter country (state for US).
    pub strict_ship_to: bool,
    /// Number of actix worker threads.
    pub workers: usize,
    /// Print one line per request (and per webhook delivery) to stdout.
    pub log_requests: bool,
}

impl Default for FakeConfig {
    fn default() -> Self {
        Self {
            bind: None,
            public_url: None,
            rate_limit: 40,
            rate_window: Duration::from_secs(60),
            fault_rate: 0.0,
            latency: Duration::ZERO,
            locked_orders: LockedOrderPolicy::Reject,
            strict_ship_to: true,
            workers: 2,
            log_requests: false,
        }
    }
}

/// One request as the fake saw it (API routes only, not `/__control`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoggedRequest {
    /// HTTP method.
    pub method: String,
    /// Path without the query string.
    pub path: String,
    /// Raw query string (may be empty).
    pub query: String,
    /// Status the fake answered.
    pub status: u16,
}

/// A stored order plus the bookkeeping that is not part of the model.
#[derive(Debug, Clone)]
pub struct StoredOrder {
    /// The order as `GET /orders/{id}` returns it.
    pub order: Order,
    /// Internal ordering/filtering fields.
    pub id: i64,
    /// Store the order belongs to.
    pub store_id: i64,
    /// Creation time (Pacific).
    pub created: NaiveDateTime,
    /// Last modification (Pacific).
    pub modified: NaiveDateTime,
    /// False once deleted (soft delete).
    pub active: bool,
    /// Id of the createorder(s) call that last wrote it (`importBatch` filter).
    pub import_batch: String,
}

/// Everything one API key pair owns.
#[derive(Debug, Default)]
pub struct Account {
    /// API secret (Basic auth password).
    pub secret: String,
    /// Stores, first is the default manual store.
    pub stores: Vec<Store>,
    /// Orders by creation order.
    pub orders: Vec<StoredOrder>,
    /// Label shipments.
    pub shipments: Vec<Shipment>,
    /// Fulfillments (mark-as-shipped).
    pub fulfillments: Vec<Fulfillment>,
    /// Webhook subscriptions.
    pub webhooks: Vec<Webhook>,
    /// Webhook delivery attempts.
    pub deliveries: Vec<WebhookDelivery>,
    /// Request log.
    pub requests: Vec<LoggedRequest>,
    /// Rate-limit window of this key pair.
    pub window: RateWindow,
    /// Statuses to force on the next requests.
    pub forced: VecDeque<u16>,
    /// Paths (prefixes) that always answer a status, e.g. an API without `/fulfillments`.
    pub forced_paths: Vec<(String, u16)>,
    /// customerUsername/email → customerId.
    pub customers: HashMap<String, i64>,
}

/// Mutable settings that can change at run time.
#[derive(Debug, Clone)]
pub struct Settings {
    /// See [`FakeConfig::rate_limit`].
    pub rate_limit: u32,
    /// See [`FakeConfig::rate_window`].
    pub rate_window: Duration,
    /// See [`FakeConfig::fault_rate`].
    pub fault_rate: f64,
    /// See [`FakeConfig::latency`].
    pub latency: Duration,
    /// Delay after a request has been carried out, before its answer is sent: ShipStation
    /// has done the work and the client has not heard yet.
    pub reply_delay: Duration,
    /// See [`FakeConfig::locked_orders`].
    pub locked_orders: LockedOrderPolicy,
    /// See [`FakeConfig::strict_ship_to`].
    pub strict_ship_to: bool,
    /// See [`FakeConfig::log_requests`].
    pub log_requests: bool,
}

/// Id sequences, shared by all accounts (ids are global in ShipStation too).
#[derive(Debug)]
pub struct Ids {
    next: HashMap<&'static str, i64>,
}

impl Ids {
    fn new() -> Self {
        let next = [
            ("store", 179_188),
            ("order", 21_466_104),
            ("item", 32_208_850),
            ("customer", 12_934_379),
            ("shipment", 33_974_374),
            ("fulfillment", 33_974_900),
            ("webhook", 12_345),
            ("batch", 100_300),
        ]
        .into_iter()
        .collect();
        Self { next }
    }

    /// Next id of a kind (`store`, `order`, `item`, `customer`, `shipment`, `fulfillment`,
    /// `webhook`, `batch`).
    pub fn next(&mut self, kind: &'static str) -> i64 {
        let slot = self.next.entry(kind).or_insert(1);
        let id = *slot;
        *slot += 1;
        id
    }
}

/// All state behind one lock.
#[derive(Debug)]
pub struct Inner {
    /// Runtime-adjustable settings.
    pub settings: Settings,
    /// Accounts by API key.
    pub accounts: HashMap<String, Account>,
    /// Id sequences.
    pub ids: Ids,
}

/// State shared by the server workers and the test handle.
#[derive(Debug)]
pub struct Shared {
    inner: Mutex<Inner>,
    /// Base URL used in webhook `resource_url`s.
    pub public_url: String,
}

impl Shared {
    /// Builds empty state from the configuration.
    pub fn new(config: &FakeConfig, public_url: String) -> Self {
        let settings = Settings {
            rate_limit: config.rate_limit,
            rate_window: config.rate_window,
            fault_rate: config.fault_rate,
            latency: config.latency,
            reply_delay: Duration::ZERO,
            locked_orders: config.locked_orders,
            strict_ship_to: config.strict_ship_to,
            log_requests: config.log_requests,
        };
        let inner = Inner {
            settings,
            accounts: HashMap::new(),
            ids: Ids::new(),
        };
        Self {
            inner: Mutex::new(inner),
            public_url,
        }
    }

    /// Locks the state (a poisoned lock is recovered: the data stays usable for a fake).
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Inner {
    /// Creates (or replaces the secret of) an account and seeds its stores.
    pub fn add_account(&mut self, key: &str, secret: &str) -> &Account {
        if !self.accounts.contains_key(key) {
            let stores = super::stores::seed(&mut self.ids);
            let account = Account {
                stores,
                ..Account::default()
            };
            self.accounts.insert(key.to_owned(), account);
        }
        let account = self.accounts.entry(key.to_owned()).or_default();
        account.secret = secret.to_owned();
        account
    }
}
