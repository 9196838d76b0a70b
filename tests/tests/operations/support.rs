//! Set-up and look-ups shared by the operations tests.

use std::time::Duration;

use quayside_tests::fake_shipstation::AccountHandle;
use quayside_tests::harness::{EnvOptions, Tenant, TestEnv};
use quayside_tests::qb_company::Company;
use serde_json::json;
use uuid::Uuid;

/// ShipStation's bulk create call, as the fake logs it.
pub const CREATE_ORDERS: (&str, &str) = ("POST", "/orders/createorders");

/// Worker knobs shrunk for tests (1 s heartbeats, fast polling, a sweeper that looks every
/// second but only at orders pending for over a minute, so it never hides a lost job).
pub fn fast(workers: usize) -> EnvOptions {
    EnvOptions::default()
        .workers(workers)
        .with_env("WORKER_HEARTBEAT_SECS", "1")
        .with_env("WORKER_POLL_INTERVAL_MS", "100")
        .with_env("SWEEPER_INTERVAL_SECS", "1")
        .with_env("SWEEPER_STALE_AFTER_SECS", "60")
        .with_env("ORDER_PUSH_RETRY_BASE_SECS", "1")
        .with_env("QBWC_BUSY_WINDOW_SECS", "0")
}

/// A tenant with a connection to its own fake ShipStation account, a paired Web Connector and
/// a simulated QuickBooks company holding `invoices` invoices.
pub struct Shop {
    pub tenant: Tenant,
    pub conn: Uuid,
    pub account: AccountHandle,
    pub company: Company,
    pub user: String,
    pub pass: String,
}

impl Shop {
    pub async fn open(env: &TestEnv, invoices: usize) -> Shop {
        let tenant = env.signup().await;
        let (conn, account) = env.create_connection(&tenant).await;
        let reply = env
            .put_json(
                Some(&tenant),
                &format!("/api/v1/connections/{conn}/settings"),
                &json!({"sync_from": "2020-01-01", "fractional_quantities": "round_up"}),
            )
            .await;
        assert_eq!(reply.status, 200, "settings: {}", reply.body);
        let (user, pass) = env.pair_web_connector(&tenant, conn).await;
        let company = Company::new();
        company.generate_invoices(invoices);
        Shop {
            tenant,
            conn,
            account,
            company,
            user,
            pass,
        }
    }

    /// Waits until `n` orders of the connection are `pushed`.
    pub async fn wait_pushed(&self, env: &TestEnv, n: usize, timeout: Duration) {
        env.eventually(
            &format!("{n} orders pushed for {}", self.conn),
            timeout,
            || async {
                let orders = env.orders(&self.tenant, self.conn).await;
                let pushed = orders.iter().filter(|o| o["status"] == "pushed").count();
                (orders.len() == n && pushed == n).then_some(())
            },
        )
        .await;
    }

    /// Requests the fake received from this account for `method path`, with status 200.
    pub fn calls(&self, env: &TestEnv, (method, path): (&str, &str)) -> usize {
        env.fake
            .request_log(&self.account.api_key)
            .iter()
            .filter(|r| r.method == method && r.path == path && r.status == 200)
            .count()
    }

    /// Distinct order keys the fake holds for this account, and the number of orders.
    pub fn fake_orders(&self, env: &TestEnv) -> (usize, usize) {
        let orders = env.fake.orders(&self.account.api_key);
        let mut keys: Vec<String> = orders
            .iter()
            .filter_map(|o| o["orderKey"].as_str().map(str::to_owned))
            .collect();
        let total = keys.len();
        keys.sort();
        keys.dedup();
        (keys.len(), total)
    }

    /// `pushed` events per order of the connection (one row per order).
    pub async fn pushed_events(&self, env: &TestEnv) -> Vec<i64> {
        let db = env.db().await;
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT count(e.*) FILTER (WHERE e.kind = 'pushed') FROM orders o
             LEFT JOIN events e ON e.order_id = o.id WHERE o.connection_id = $1 GROUP BY o.id",
        )
        .bind(self.conn)
        .fetch_all(&db)
        .await
        .expect("events");
        rows.into_iter().map(|r| r.0).collect()
    }
}

/// `GET {base}/metrics`.
pub async fn scrape(env: &TestEnv, base: &str) -> String {
    let resp = env
        .http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("metrics");
    assert_eq!(resp.status(), 200);
    resp.text().await.expect("metrics text")
}

/// Sum of the samples of `name` whose labels contain every `label="value"` of `labels`.
pub fn metric(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            let (metric, rest) = series.split_once('{').unwrap_or((series, ""));
            (metric == name
                && labels
                    .iter()
                    .all(|(k, v)| rest.contains(&format!("{k}=\"{v}\""))))
            .then(|| value.parse::<f64>().ok())
            .flatten()
        })
        .sum()
}

/// Whether `text` has any sample of `name`.
pub fn has_metric(text: &str, name: &str) -> bool {
    text.lines()
        .any(|l| l.starts_with(name) && l[name.len()..].starts_with(['{', ' ']))
}
