//! Set-up and look-ups of the tracking tests: a fast environment, and a "shop" (tenant,
//! connection to its own fake ShipStation account created through the API so its one-time
//! webhook URL is known, paired Web Connector, simulated QuickBooks company).

use std::time::Duration;

use quayside_tests::fake_shipstation::AccountHandle;
use quayside_tests::harness::{EnvOptions, Tenant, TestEnv};
use quayside_tests::qb_company::{Company, TxnId};
use quayside_tests::web_connector::{SessionOptions, WebConnector};
use serde_json::{json, Value};
use uuid::Uuid;

/// How long a test waits for something before failing.
pub const SETTLE: Duration = Duration::from_secs(60);

/// `workers` worker processes with short timings, tracking pulls every `poll_secs`, and a
/// rate budget that tests do not exhaust.
pub fn fast(workers: usize, poll_secs: u64) -> EnvOptions {
    EnvOptions::default()
        .workers(workers)
        .with_env("TRACKING_POLL_INTERVAL_SECS", &poll_secs.to_string())
        .with_env("SHIPSTATION_RATE_LIMIT", "1000")
        .with_env("WORKER_HEARTBEAT_SECS", "1")
        .with_env("WORKER_POLL_INTERVAL_MS", "100")
        .with_env("SHUTDOWN_TIMEOUT_SECS", "2")
        .with_env("QBWC_BUSY_WINDOW_SECS", "0")
}

/// `GET /shipments` calls by creation date (one per scheduled or webhook pull) of an account.
pub fn shipment_pulls(env: &TestEnv, key: &str) -> usize {
    env.fake
        .request_log(key)
        .iter()
        .filter(|r| {
            r.path.eq_ignore_ascii_case("/shipments") && r.query.contains("createDateStart")
        })
        .count()
}

/// A `write_backs` row as the tests read it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct WriteBack {
    pub id: Uuid,
    pub order_id: String,
    pub status: String,
    pub add_tracking: Vec<String>,
    pub remove_tracking: Vec<String>,
    pub ship_date: Option<String>,
    pub shipping_cost: Option<String>,
}

/// One tenant's whole set-up.
pub struct Shop {
    pub tenant: Tenant,
    pub conn: Uuid,
    pub account: AccountHandle,
    pub company: Company,
    /// The webhook URL, shown once in the create response.
    pub webhook_url: String,
    user: String,
    pass: String,
}

impl Shop {
    /// Signs up, connects a new fake account (through the API), PUTs `settings` over
    /// `{"sync_from": "2020-01-01"}` and pairs the Web Connector.
    pub async fn open(env: &TestEnv, settings: Value) -> Shop {
        env.fake.set_rate_limit(1000);
        let tenant = env.signup().await;
        let key = format!("key-{}", Uuid::new_v4().simple());
        let account = env.fake.add_account(&key, "secret");
        let created = env
            .post_json(
                Some(&tenant),
                "/api/v1/connections",
                &json!({"name": "Main", "api_key": key, "api_secret": "secret", "base_url": env.fake.base_url()}),
            )
            .await;
        assert_eq!(created.status, 201, "create connection: {}", created.body);
        let conn = created.body["id"]
            .as_str()
            .and_then(|s| Uuid::parse_str(s).ok())
            .expect("connection id");
        let webhook_url = created.body["webhook_url"]
            .as_str()
            .expect("webhook_url in the create response")
            .to_owned();
        let mut body = json!({"sync_from": "2020-01-01"});
        if let (Some(b), Some(extra)) = (body.as_object_mut(), settings.as_object()) {
            b.extend(extra.clone());
        }
        let reply = env
            .put_json(
                Some(&tenant),
                &format!("/api/v1/connections/{conn}/settings"),
                &body,
            )
            .await;
        assert_eq!(reply.status, 200, "settings: {}", reply.body);
        let (user, pass) = env.pair_web_connector(&tenant, conn).await;
        Shop {
            tenant,
            conn,
            account,
            company: Company::new(),
            webhook_url,
            user,
            pass,
        }
    }

    /// `/api/v1/connections/{conn}{rest}`.
    pub fn path(&self, rest: &str) -> String {
        format!("/api/v1/connections/{}{rest}", self.conn)
    }

    /// The API key of the shop's fake account.
    pub fn key(&self) -> &str {
        &self.account.api_key
    }

    /// The order key of the sale `txn`.
    pub fn order_key(&self, txn: &TxnId) -> String {
        format!(
            "qb-{}-{}",
            &self.conn.simple().to_string()[..8],
            txn.as_str()
        )
    }

    /// Runs one Web Connector session against api 0.
    #[allow(dead_code)]
    pub async fn run_web_connector(
        &self,
        env: &TestEnv,
    ) -> quayside_tests::web_connector::SessionReport {
        let report = WebConnector::new(&env.qbwc_url(0))
            .run_session(&self.company, &SessionOptions::new(&self.user, &self.pass))
            .await;
        assert!(report.failure.is_none(), "{:?}", report.failure);
        report
    }

    /// Runs the Web Connector once and waits until `n` orders are `pushed`.
    pub async fn sync_and_push(&self, env: &TestEnv, n: usize) {
        let report = WebConnector::new(&env.qbwc_url(0))
            .run_session(&self.company, &SessionOptions::new(&self.user, &self.pass))
            .await;
        assert!(report.failure.is_none(), "{:?}", report.failure);
        env.eventually(&format!("{n} orders pushed"), SETTLE, || async {
            let orders = env.orders(&self.tenant, self.conn).await;
            (orders.len() == n && orders.iter().all(|o| o["status"] == "pushed")).then_some(())
        })
        .await;
    }

    /// The orders API's order for `txn`.
    pub async fn order(&self, env: &TestEnv, txn: &TxnId) -> Value {
        env.orders(&self.tenant, self.conn)
            .await
            .into_iter()
            .find(|o| o["txn_id"] == txn.as_str())
            .unwrap_or_else(|| panic!("no order for {txn}"))
    }

    /// Waits until the order of `txn` satisfies `ok`; returns it.
    pub async fn wait_order(
        &self,
        env: &TestEnv,
        txn: &TxnId,
        ok: impl Fn(&Value) -> bool,
    ) -> Value {
        env.eventually(&format!("order {txn}"), SETTLE, || async {
            let o = self.order(env, txn).await;
            ok(&o).then_some(o)
        })
        .await
    }

    /// The messages of an order's events, oldest first.
    pub async fn events(&self, env: &TestEnv, order: &Value) -> Vec<String> {
        let id = order["id"].as_str().unwrap_or_default();
        let reply = env
            .get(Some(&self.tenant), &self.path(&format!("/orders/{id}")))
            .await;
        assert_eq!(reply.status, 200, "detail: {}", reply.body);
        reply.body["events"]
            .as_array()
            .map(|e| {
                e.iter()
                    .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every write-back of the connection, oldest first.
    pub async fn write_backs(&self, env: &TestEnv) -> Vec<WriteBack> {
        sqlx::query_as(
            "SELECT id, order_id::text AS order_id, status, add_tracking, remove_tracking,
                    ship_date::text AS ship_date, shipping_cost::text AS shipping_cost
             FROM write_backs WHERE connection_id = $1 ORDER BY created_at, id",
        )
        .bind(self.conn)
        .fetch_all(&env.db().await)
        .await
        .expect("write-backs")
    }

    /// Waits until the write-backs satisfy `ok`; returns them.
    pub async fn wait_write_backs(
        &self,
        env: &TestEnv,
        ok: impl Fn(&[WriteBack]) -> bool,
    ) -> Vec<WriteBack> {
        env.eventually("write-backs", SETTLE, || async {
            let all = self.write_backs(env).await;
            ok(&all).then_some(all)
        })
        .await
    }

    /// Does what the Web Connector session does once QuickBooks confirmed a write-back.
    pub async fn deliver(&self, env: &TestEnv, wb: &WriteBack) {
        let db = env.db().await;
        sqlx::query("UPDATE write_backs SET status = 'done' WHERE id = $1")
            .bind(wb.id)
            .execute(&db)
            .await
            .expect("done");
        sqlx::query("UPDATE orders SET status = 'written_back' WHERE id = $1::uuid")
            .bind(&wb.order_id)
            .execute(&db)
            .await
            .expect("written back");
    }

    /// Rows in `shipments` for the connection.
    pub async fn shipment_rows(&self, env: &TestEnv) -> i64 {
        let (n,): (i64,) =
            sqlx::query_as("SELECT count(*) FROM shipments WHERE connection_id = $1")
                .bind(self.conn)
                .fetch_one(&env.db().await)
                .await
                .expect("count");
        n
    }
}
