//! Test environment: a fresh Postgres database, a private Redis namespace, an in-process fake
//! ShipStation, and helpers to seed tenants, connections, sales and pending orders.

#![allow(dead_code)]

use std::str::FromStr;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use quayside_tests::fake_shipstation::{AccountHandle, FakeConfig, FakeShipStation};
use redis::aio::ConnectionManager;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use shared::config::Settings;
use shared::ids::{ConnectionId, OrderId, TenantId};
use shared::jobs::OrderPushV1;
use shared::metrics::Metrics;
use shared::sale::{QbAddress, Sale, SaleLine, TxnType};
use sqlx::PgPool;
use uuid::Uuid;
use worker::{JobContext, WorkerConfig};

pub struct TestEnv {
    pub settings: Settings,
    pub db: PgPool,
    pub redis: ConnectionManager,
    pub fake: FakeShipStation,
    pub account: AccountHandle,
    pub tenant: TenantId,
    pub connection: ConnectionId,
    pub namespace: String,
}

/// Fast timings for tests.
pub fn test_config() -> WorkerConfig {
    WorkerConfig {
        poll_interval: Duration::from_millis(100),
        heartbeat: Duration::from_secs(2),
        retry_base: Duration::from_secs(1),
        ..WorkerConfig::default()
    }
}

impl TestEnv {
    pub async fn start(fake_config: FakeConfig) -> TestEnv {
        // The qs_t_ prefix lets scripts/test.sh drop the databases earlier runs left behind.
        let db_name = format!("qs_t_w{}", Uuid::new_v4().simple());
        let url = format!("postgres://postgres@127.0.0.1:5432/{db_name}");
        let namespace = format!("wtest-{}", Uuid::new_v4().simple());
        let env = [
            ("DATABASE_URL", url.clone()),
            ("REDIS_NAMESPACE", namespace.clone()),
            ("METRICS_ADDR", "127.0.0.1:0".to_owned()),
        ];
        let settings =
            Settings::from_lookup(&|k| env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()))
                .expect("settings");
        shared::db::migrate(&url).await.expect("migrate");
        let db = shared::db::connect(&url, 10).await.expect("pool");
        let redis = apalis_redis::connect("redis://127.0.0.1:6379")
            .await
            .expect("redis");
        let fake = FakeShipStation::start(fake_config).await.expect("fake");
        let key = format!("key-{}", Uuid::new_v4().simple());
        let account = fake.add_account(&key, "secret");
        let mut env = TestEnv {
            settings,
            db,
            redis,
            fake,
            account,
            tenant: TenantId::new(),
            connection: ConnectionId::new(),
            namespace,
        };
        env.seed_connection().await;
        env
    }

    pub fn context(&self, config: WorkerConfig) -> JobContext {
        JobContext::new(
            &self.settings,
            config,
            self.db.clone(),
            self.redis.clone(),
            Metrics::new(),
        )
    }

    async fn seed_connection(&mut self) {
        let mut tx = shared::db::tenant_tx(&self.db, self.tenant)
            .await
            .expect("tx");
        sqlx::query("INSERT INTO tenants (id, name) VALUES ($1, 'Acme')")
            .bind(self.tenant)
            .execute(&mut *tx)
            .await
            .expect("tenant");
        let keys = &self.settings.secret_keys;
        sqlx::query(
            "INSERT INTO connections (id, tenant_id, name, base_url, api_key_sealed,
                api_secret_sealed, api_key_last4) VALUES ($1, $2, 'Main', $3, $4, $5, 'last')",
        )
        .bind(self.connection)
        .bind(self.tenant)
        .bind(self.fake.base_url())
        .bind(keys.seal(self.account.api_key.as_bytes()))
        .bind(keys.seal(self.account.api_secret.as_bytes()))
        .execute(&mut *tx)
        .await
        .expect("connection");
        tx.commit().await.expect("commit");
    }

    /// Stores a sale and its pending order (as the api does); returns the order id.
    pub async fn add_sale(&self, sale: &Sale) -> OrderId {
        let snapshot = serde_json::to_value(sale).expect("json");
        let hash = Sha256::digest(serde_json::to_vec(sale).expect("json")).to_vec();
        let sale_id = Uuid::new_v4();
        let order_id = OrderId::new();
        let mut tx = shared::db::tenant_tx(&self.db, self.tenant)
            .await
            .expect("tx");
        sqlx::query(
            "INSERT INTO qb_sales (id, tenant_id, connection_id, txn_type, txn_id, edit_sequence,
                ref_number, txn_date, time_modified, customer_name, snapshot, content_hash)
             VALUES ($1, $2, $3, 'invoice', $4, '1', $5, $6, $7, $8, $9, $10)",
        )
        .bind(sale_id)
        .bind(self.tenant)
        .bind(self.connection)
        .bind(&sale.txn_id)
        .bind(&sale.ref_number)
        .bind(sale.txn_date)
        .bind(&sale.time_modified)
        .bind(&sale.customer_full_name)
        .bind(snapshot)
        .bind(hash)
        .execute(&mut *tx)
        .await
        .expect("sale");
        sqlx::query(
            "INSERT INTO orders (id, tenant_id, connection_id, sale_id, status, order_key,
                push_requested_at) VALUES ($1, $2, $3, $4, 'pending', $5, now())",
        )
        .bind(order_id)
        .bind(self.tenant)
        .bind(self.connection)
        .bind(sale_id)
        .bind(shared::mapping::order_key(self.connection.0, &sale.txn_id))
        .execute(&mut *tx)
        .await
        .expect("order");
        tx.commit().await.expect("commit");
        order_id
    }

    pub fn job(&self, orders: &[OrderId]) -> OrderPushV1 {
        OrderPushV1 {
            tenant_id: self.tenant,
            connection_id: self.connection,
            order_ids: orders.to_vec(),
            trace: Default::default(),
        }
    }

    /// `(status, shipstation_order_id, store_id, last_error, attempts)` of an order.
    pub async fn order(
        &self,
        id: OrderId,
    ) -> (String, Option<i64>, Option<i64>, Option<String>, i32) {
        let mut tx = shared::db::tenant_tx(&self.db, self.tenant)
            .await
            .expect("tx");
        let row = sqlx::query_as(
            "SELECT status, shipstation_order_id, store_id, last_error, attempts FROM orders WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .expect("order row");
        tx.commit().await.expect("commit");
        row
    }

    /// `(kind, message)` events of an order, oldest first.
    pub async fn events(&self, id: OrderId) -> Vec<(String, String)> {
        let mut tx = shared::db::tenant_tx(&self.db, self.tenant)
            .await
            .expect("tx");
        let rows =
            sqlx::query_as("SELECT kind, message FROM events WHERE order_id = $1 ORDER BY id")
                .bind(id)
                .fetch_all(&mut *tx)
                .await
                .expect("events");
        tx.commit().await.expect("commit");
        rows
    }

    pub async fn exec(&self, sql: &str, id: OrderId) {
        let mut tx = shared::db::tenant_tx(&self.db, self.tenant)
            .await
            .expect("tx");
        sqlx::query(sql)
            .bind(id)
            .execute(&mut *tx)
            .await
            .expect("exec");
        tx.commit().await.expect("commit");
    }

    /// Stores sync settings naming `store` for every sale.
    pub async fn set_store(&self, store: i64) {
        let mut settings = shared::settings::SyncSettings::defaults(
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
        );
        settings.store_id = Some(store);
        let mut tx = shared::db::tenant_tx(&self.db, self.tenant)
            .await
            .expect("tx");
        sqlx::query(
            "INSERT INTO sync_settings (connection_id, tenant_id, settings) VALUES ($1, $2, $3)",
        )
        .bind(self.connection)
        .bind(self.tenant)
        .bind(serde_json::to_value(&settings).expect("json"))
        .execute(&mut *tx)
        .await
        .expect("settings");
        tx.commit().await.expect("commit");
    }

    /// `(method path, status)` of every ShipStation request, oldest first.
    pub fn requests(&self) -> Vec<(String, u16)> {
        self.fake
            .request_log(&self.account.api_key)
            .into_iter()
            .map(|r| (format!("{} {}", r.method, r.path), r.status))
            .collect()
    }

    pub fn calls(&self, what: &str, status: u16) -> usize {
        self.requests()
            .iter()
            .filter(|(p, s)| p == what && *s == status)
            .count()
    }

    /// Waits until every order has left `pending` (or panics after `limit`).
    pub async fn wait_settled(&self, orders: &[OrderId], limit: Duration) {
        let start = Instant::now();
        loop {
            let mut pending = 0;
            for id in orders {
                if self.order(*id).await.0 == "pending" {
                    pending += 1;
                }
            }
            if pending == 0 {
                return;
            }
            assert!(
                start.elapsed() < limit,
                "{pending} orders still pending after {limit:?}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

pub const CREATE_ORDERS: &str = "POST /orders/createorders";

/// A shippable invoice.
pub fn sale(txn_id: &str, number: &str) -> Sale {
    Sale {
        txn_type: TxnType::Invoice,
        txn_id: txn_id.into(),
        edit_sequence: "1".into(),
        time_modified: "2026-11-29T10:00:00-08:00".into(),
        time_created: None,
        ref_number: Some(number.into()),
        txn_date: NaiveDate::from_ymd_opt(2026, 11, 29),
        customer_list_id: None,
        customer_full_name: Some("Ada Lovelace".into()),
        class_name: None,
        bill_address: None,
        ship_address: Some(QbAddress {
            addr1: Some("Ada Lovelace".into()),
            addr2: Some("1 Main St".into()),
            city: Some("Austin".into()),
            state: Some("TX".into()),
            postal_code: Some("78701".into()),
            country: Some("US".into()),
            ..QbAddress::default()
        }),
        po_number: None,
        ship_via: None,
        ship_date: None,
        memo: None,
        other: None,
        subtotal: None,
        sales_tax_total: None,
        total: None,
        is_pending: None,
        lines: vec![SaleLine {
            txn_line_id: "1".into(),
            item_full_name: Some("Widget".into()),
            quantity: Decimal::from_str("2").ok(),
            rate: Decimal::from_str("5").ok(),
            amount: Decimal::from_str("10").ok(),
            ..SaleLine::default()
        }],
        line_groups: vec![],
        data_ext: vec![],
        from_sales_orders: vec![],
    }
}

/// `n` stored sales with pending orders.
pub async fn sales(env: &TestEnv, n: usize) -> Vec<OrderId> {
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(
            env.add_sale(&sale(&format!("TXN-{i}"), &format!("{}", 1000 + i)))
                .await,
        );
    }
    ids
}
