//! The end-to-end harness: each test gets its own Postgres database, its own Redis namespace,
//! an in-process fake ShipStation, and the real `api` (and `worker`) binaries started as child
//! processes against them. Everything is torn down when the [`TestEnv`] is dropped.

mod client;
pub mod process;
pub mod proxy;

use std::time::Duration;

use anyhow::Context;
use serde_json::{json, Value};
use uuid::Uuid;

pub use client::{Reply, Tenant};
pub use process::ChildProcess;

use crate::fake_shipstation::{AccountHandle, FakeConfig, FakeShipStation};

/// Base Postgres URL (server, no database) for test databases.
pub fn postgres_base() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// Options for [`TestEnv::start_with`].
#[derive(Debug, Clone, Default)]
pub struct EnvOptions {
    /// Extra environment for the api and worker processes.
    pub env: Vec<(String, String)>,
    /// How many worker processes to start (0 = none).
    pub workers: usize,
    /// How many api processes to start (default 1).
    pub apis: usize,
}

impl EnvOptions {
    pub fn with_env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn workers(mut self, n: usize) -> Self {
        self.workers = n;
        self
    }

    pub fn apis(mut self, n: usize) -> Self {
        self.apis = n;
        self
    }
}

/// One isolated Quayside system.
pub struct TestEnv {
    pub id: String,
    pub database_url: String,
    pub redis_namespace: String,
    pub fake: FakeShipStation,
    pub apis: Vec<ChildProcess>,
    pub workers: Vec<ChildProcess>,
    pub http: reqwest::Client,
    options: EnvOptions,
}

impl TestEnv {
    /// An api and no worker.
    pub async fn start() -> TestEnv {
        TestEnv::start_with(EnvOptions::default()).await
    }

    pub async fn start_with(options: EnvOptions) -> TestEnv {
        TestEnv::try_start(options)
            .await
            .expect("test environment starts")
    }

    async fn try_start(options: EnvOptions) -> anyhow::Result<TestEnv> {
        let id = format!("qs_t_{}", &Uuid::new_v4().simple().to_string()[..12]);
        let database_url = format!("{}/{}", postgres_base(), id);
        let fake = FakeShipStation::start(FakeConfig::default()).await?;
        let mut env = TestEnv {
            redis_namespace: id.clone(),
            id,
            database_url,
            fake,
            apis: Vec::new(),
            workers: Vec::new(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()?,
            options: options.clone(),
        };
        // The first api creates the database and applies migrations before the others start.
        for _ in 0..options.apis.max(1) {
            env.start_api().await?;
        }
        for _ in 0..options.workers {
            env.start_worker().await?;
        }
        Ok(env)
    }

    fn process_env(&self) -> Vec<(String, String)> {
        let mut env = vec![
            ("DATABASE_URL".to_string(), self.database_url.clone()),
            ("REDIS_URL".to_string(), redis_url()),
            ("REDIS_NAMESPACE".to_string(), self.redis_namespace.clone()),
            ("RUST_LOG".to_string(), "info,sqlx=warn".to_string()),
            ("APP_ENV".to_string(), "development".to_string()),
            ("HTTP_WORKERS".to_string(), "2".to_string()),
        ];
        env.extend(self.options.env.iter().cloned());
        env
    }

    /// Starts one more api process and waits until it answers `/healthz`.
    pub async fn start_api(&mut self) -> anyhow::Result<()> {
        self.start_api_with(&[]).await
    }

    /// Starts one more api process with extra environment (e.g. a rotated key).
    pub async fn start_api_with(&mut self, extra: &[(&str, &str)]) -> anyhow::Result<()> {
        let port = process::free_port()?;
        let mut env = self.process_env();
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        env.push(("BIND_ADDR".into(), format!("127.0.0.1:{port}")));
        if !env.iter().any(|(k, _)| k == "PUBLIC_BASE_URL") {
            env.push(("PUBLIC_BASE_URL".into(), format!("http://127.0.0.1:{port}")));
        }
        let name = format!("{}-api{}", self.id, self.apis.len());
        let child = ChildProcess::spawn("api", &[], &env, &name, port)?;
        child
            .wait_healthy(&self.http, Duration::from_secs(60))
            .await?;
        self.apis.push(child);
        Ok(())
    }

    /// Starts one more worker process and waits until it answers `/healthz`.
    pub async fn start_worker(&mut self) -> anyhow::Result<()> {
        let port = process::free_port()?;
        let mut env = self.process_env();
        env.push(("METRICS_ADDR".into(), format!("127.0.0.1:{port}")));
        let name = format!("{}-worker{}", self.id, self.workers.len());
        let child = ChildProcess::spawn("worker", &[], &env, &name, port)?;
        child
            .wait_healthy(&self.http, Duration::from_secs(60))
            .await?;
        self.workers.push(child);
        Ok(())
    }

    /// Base URL of the first api.
    pub fn api_url(&self) -> String {
        self.apis[0].base_url()
    }

    /// The Web Connector endpoint of api `n`.
    pub fn qbwc_url(&self, n: usize) -> String {
        format!("{}/qbwc", self.apis[n].base_url())
    }

    /// Signs up a fresh tenant with a unique email.
    pub async fn signup(&self) -> Tenant {
        let email = format!("owner-{}@example.test", Uuid::new_v4().simple());
        let reply = self
            .post_json(
                None,
                "/api/v1/auth/signup",
                &json!({"company_name": "Test Co", "email": email, "password": "a-long-enough-password"}),
            )
            .await;
        assert_eq!(reply.status, 201, "signup: {}", reply.body);
        Tenant::from_signup(&email, "a-long-enough-password", &reply.body)
    }

    /// Creates a fake ShipStation account and a connection to it; returns (connection id, account).
    pub async fn create_connection(&self, tenant: &Tenant) -> (Uuid, AccountHandle) {
        let key = format!("key-{}", Uuid::new_v4().simple());
        let secret = format!("secret-{}", Uuid::new_v4().simple());
        let account = self.fake.add_account(&key, &secret);
        let reply = self
            .post_json(
                Some(tenant),
                "/api/v1/connections",
                &json!({"name": "Main", "api_key": key, "api_secret": secret, "base_url": self.fake.base_url()}),
            )
            .await;
        assert_eq!(reply.status, 201, "create connection: {}", reply.body);
        let id = reply.body["id"]
            .as_str()
            .and_then(|s| Uuid::parse_str(s).ok())
            .expect("connection id");
        (id, account)
    }

    /// Issues Web Connector credentials for a connection; returns (username, password).
    pub async fn pair_web_connector(&self, tenant: &Tenant, connection: Uuid) -> (String, String) {
        let reply = self
            .post_json(
                Some(tenant),
                &format!("/api/v1/connections/{connection}/qbwc"),
                &json!({}),
            )
            .await;
        assert_eq!(reply.status, 201, "pair: {}", reply.body);
        (
            reply.body["username"]
                .as_str()
                .expect("username")
                .to_string(),
            reply.body["password"]
                .as_str()
                .expect("password")
                .to_string(),
        )
    }

    /// Reads a connection's orders list (all pages of up to 500).
    pub async fn orders(&self, tenant: &Tenant, connection: Uuid) -> Vec<Value> {
        let mut all = Vec::new();
        for page in 1.. {
            let reply = self
                .get(
                    Some(tenant),
                    &format!("/api/v1/connections/{connection}/orders?per_page=100&page={page}"),
                )
                .await;
            assert_eq!(reply.status, 200, "orders: {}", reply.body);
            let batch = reply.body["orders"].as_array().cloned().unwrap_or_default();
            let done = batch.len() < 100;
            all.extend(batch);
            if done {
                break;
            }
        }
        all
    }

    /// Polls `check` every 100 ms until it returns Some, or panics after `timeout`.
    pub async fn eventually<T, F, Fut>(&self, what: &str, timeout: Duration, mut check: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Option<T>>,
    {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(v) = check().await {
                return v;
            }
            if tokio::time::Instant::now() > deadline {
                panic!("timed out after {timeout:?} waiting for: {what}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A direct connection to this test's database as the owner (for asserting on rows).
    pub async fn db(&self) -> sqlx::PgPool {
        sqlx::postgres::PgPoolOptions::new()
            .max_connections(2)
            .connect(&self.database_url)
            .await
            .context("connect to test database")
            .expect("test database")
    }
}
