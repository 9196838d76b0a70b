//! Shared set-up of the order-flow tests: a fast environment, and a "shop" (tenant,
//! connection to its own fake ShipStation account, paired Web Connector, simulated QuickBooks
//! company) with the look-ups the tests assert with.

use std::collections::HashMap;
use std::time::Duration;

use quayside_tests::fake_shipstation::AccountHandle;
use quayside_tests::harness::{EnvOptions, Tenant, TestEnv};
use quayside_tests::qb_company::{Company, TxnId};
use quayside_tests::web_connector::{SessionOptions, SessionReport, WebConnector};
use serde_json::{json, Value};
use uuid::Uuid;

/// How long a test waits for orders to settle before failing.
pub const SETTLE: Duration = Duration::from_secs(90);

/// Worker and api knobs shrunk for tests: 1 s heartbeats (a dead worker's jobs come back
/// after 3 s), a sweeper every second for orders pending over 5 s, 1 s retry base, 100 ms
/// polling.
pub fn fast(workers: usize) -> EnvOptions {
    EnvOptions::default()
        .workers(workers)
        .with_env("WORKER_HEARTBEAT_SECS", "1")
        .with_env("SWEEPER_INTERVAL_SECS", "1")
        .with_env("SWEEPER_STALE_AFTER_SECS", "5")
        .with_env("ORDER_PUSH_RETRY_BASE_SECS", "1")
        .with_env("WORKER_POLL_INTERVAL_MS", "100")
        .with_env("SHUTDOWN_TIMEOUT_SECS", "2")
        .with_env("QBWC_BUSY_WINDOW_SECS", "0")
}

/// One tenant's whole set-up.
pub struct Shop {
    pub tenant: Tenant,
    pub conn: Uuid,
    pub account: AccountHandle,
    pub company: Company,
    user: String,
    pass: String,
}

impl Shop {
    /// Signs up, connects a new fake ShipStation account, PUTs `settings` over
    /// `{"sync_from": "2020-01-01"}` and pairs the Web Connector.
    pub async fn open(env: &TestEnv, settings: Value) -> Shop {
        let tenant = env.signup().await;
        let (conn, account) = env.create_connection(&tenant).await;
        let mut body = json!({"sync_from": "2020-01-01"});
        if let (Some(b), Some(extra)) = (body.as_object_mut(), settings.as_object()) {
            b.extend(extra.clone());
        }
        let shop = Shop {
            tenant,
            conn,
            account,
            company: Company::new(),
            user: String::new(),
            pass: String::new(),
        };
        shop.put_settings(env, body).await;
        let (user, pass) = env.pair_web_connector(&shop.tenant, conn).await;
        Shop { user, pass, ..shop }
    }

    /// PUTs (merges) sync settings.
    pub async fn put_settings(&self, env: &TestEnv, body: Value) {
        let reply = env
            .put_json(Some(&self.tenant), &self.path("/settings"), &body)
            .await;
        assert_eq!(reply.status, 200, "settings: {}", reply.body);
    }

    /// `/api/v1/connections/{conn}{rest}`.
    pub fn path(&self, rest: &str) -> String {
        format!("/api/v1/connections/{}{rest}", self.conn)
    }

    /// One Web Connector run over the company; it must complete.
    pub async fn sync(&self, env: &TestEnv) -> SessionReport {
        let report = WebConnector::new(&env.qbwc_url(0))
            .run_session(&self.company, &SessionOptions::new(&self.user, &self.pass))
            .await;
        assert_eq!(report.auth_status, "", "{report:?}");
        assert!(report.failure.is_none(), "{:?}", report.failure);
        assert_eq!(report.percents.last(), Some(&100), "{:?}", report.percents);
        report
    }

    /// The API key of the shop's fake ShipStation account.
    pub fn key(&self) -> &str {
        &self.account.api_key
    }

    /// The order key the sale `txn` must have: `qb-<connection prefix>-<TxnID>`.
    pub fn order_key(&self, txn: &TxnId) -> String {
        format!(
            "qb-{}-{}",
            &self.conn.simple().to_string()[..8],
            txn.as_str()
        )
    }

    /// Every order the fake account holds.
    pub fn fake_orders(&self, env: &TestEnv) -> Vec<Value> {
        env.fake.orders(self.key())
    }

    /// The fake account's order for `txn` (exactly one must exist).
    pub fn fake_order(&self, env: &TestEnv, txn: &TxnId) -> Value {
        let key = self.order_key(txn);
        let found: Vec<Value> = self
            .fake_orders(env)
            .into_iter()
            .filter(|o| o["orderKey"] == key.as_str())
            .collect();
        assert_eq!(found.len(), 1, "orders with key {key}: {found:?}");
        found.into_iter().next().unwrap_or_default()
    }

    /// `createorders` calls the fake answered, by status.
    pub fn create_calls(&self, env: &TestEnv) -> HashMap<u16, usize> {
        let mut by_status = HashMap::new();
        for r in env.fake.request_log(self.key()) {
            if r.path.eq_ignore_ascii_case("/orders/createorders") {
                *by_status.entry(r.status).or_insert(0) += 1;
            }
        }
        by_status
    }

    /// The orders API list (all pages).
    pub async fn orders(&self, env: &TestEnv) -> Vec<Value> {
        env.orders(&self.tenant, self.conn).await
    }

    /// The orders API's order for `txn`.
    pub async fn order(&self, env: &TestEnv, txn: &TxnId) -> Value {
        self.orders(env)
            .await
            .into_iter()
            .find(|o| o["txn_id"] == txn.as_str())
            .unwrap_or_else(|| panic!("no order for {txn}"))
    }

    /// The order detail (with events).
    pub async fn detail(&self, env: &TestEnv, order: &Value) -> Value {
        let id = order["id"].as_str().unwrap_or_default();
        let reply = env
            .get(Some(&self.tenant), &self.path(&format!("/orders/{id}")))
            .await;
        assert_eq!(reply.status, 200, "detail: {}", reply.body);
        reply.body
    }

    /// Waits until the orders API lists `n` orders and none is `pending`; returns them.
    pub async fn settled(&self, env: &TestEnv, n: usize) -> Vec<Value> {
        self.settled_within(env, n, SETTLE).await
    }

    /// [`Shop::settled`] with its own time limit.
    pub async fn settled_within(&self, env: &TestEnv, n: usize, limit: Duration) -> Vec<Value> {
        let what = format!("{n} orders of {} settled", self.conn);
        env.eventually(&what, limit, || async {
            let orders = self.orders(env).await;
            (orders.len() == n && orders.iter().all(|o| o["status"] != "pending")).then_some(orders)
        })
        .await
    }
}

/// The orders with `status`.
pub fn with_status<'a>(orders: &'a [Value], status: &str) -> Vec<&'a Value> {
    orders.iter().filter(|o| o["status"] == status).collect()
}

/// Asserts the fake account holds exactly one order per expected key and nothing else, and
/// that the orders API shows every one `pushed` with the fake's orderId.
pub fn assert_delivered_once(fake: &[Value], api: &[Value], keys: &[String]) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for o in fake {
        *seen
            .entry(o["orderKey"].as_str().unwrap_or_default())
            .or_insert(0) += 1;
    }
    let dupes: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(dupes.is_empty(), "duplicated order keys: {dupes:?}");
    assert_eq!(fake.len(), keys.len(), "orders in the fake account");
    for k in keys {
        assert!(
            seen.contains_key(k.as_str()),
            "{k} never reached ShipStation"
        );
    }
    let ids: HashMap<&str, &Value> = fake
        .iter()
        .map(|o| (o["orderKey"].as_str().unwrap_or_default(), &o["orderId"]))
        .collect();
    assert_eq!(api.len(), keys.len(), "orders in the orders API");
    for o in api {
        assert_eq!(o["status"], "pushed", "{o}");
        let key = o["order_key"].as_str().unwrap_or_default();
        assert_eq!(Some(&&o["shipstation_order_id"]), ids.get(key), "{o}");
    }
}
