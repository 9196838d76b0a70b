//! Tenant setup (signup, ShipStation connection, settings, pairing, company) and the final
//! check that every invoice reached Postgres.

use std::sync::Arc;

use futures::StreamExt;
use quayside_tests::harness::TestEnv;
use quayside_tests::qb_company::Company;
use serde_json::json;

use super::client::BenchTenant;

/// Creates `n` paired tenants, `concurrency` at a time, each with `invoices` invoices.
pub async fn tenants(
    env: &TestEnv,
    n: usize,
    invoices: usize,
    concurrency: usize,
) -> anyhow::Result<Vec<Arc<BenchTenant>>> {
    let results: Vec<anyhow::Result<BenchTenant>> = futures::stream::iter(0..n)
        .map(|_| one(env, invoices))
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    results.into_iter().map(|r| r.map(Arc::new)).collect()
}

async fn one(env: &TestEnv, invoices: usize) -> anyhow::Result<BenchTenant> {
    let tenant = env.signup().await;
    let (conn, _) = env.create_connection(&tenant).await;
    let settings = env
        .put_json(
            Some(&tenant),
            &format!("/api/v1/connections/{conn}/settings"),
            &json!({"sync_from": "2020-01-01"}),
        )
        .await;
    anyhow::ensure!(
        settings.status == 200,
        "settings: {} {}",
        settings.status,
        settings.body
    );
    let (username, password) = env.pair_web_connector(&tenant, conn).await;
    let company = Company::new();
    let ids = company.generate_invoices(invoices);
    Ok(BenchTenant {
        username,
        password,
        hcp: company.hcp_response(),
        company,
        invoices: ids.into_iter().map(|t| t.0).collect(),
    })
}

/// What Postgres holds after the run.
#[derive(Debug)]
pub struct Persisted {
    pub sales: i64,
    pub revisions: i64,
    pub connections_with_sales: i64,
    pub orders_pending: i64,
    pub runs_completed: i64,
}

/// Reads the counts as the database owner (row-level security does not apply).
pub async fn persisted(env: &TestEnv) -> anyhow::Result<Persisted> {
    let db = env.db().await;
    let (sales, revisions, connections_with_sales): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*), coalesce(sum(revision), 0)::bigint, count(DISTINCT connection_id) FROM qb_sales",
    )
    .fetch_one(&db)
    .await?;
    let (orders_pending,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM orders WHERE status = 'pending'")
            .fetch_one(&db)
            .await?;
    let (runs_completed,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM sync_runs WHERE status = 'completed'")
            .fetch_one(&db)
            .await?;
    db.close().await;
    Ok(Persisted {
        sales,
        revisions,
        connections_with_sales,
        orders_pending,
        runs_completed,
    })
}

/// Drops the run's database and deletes its Redis namespace (after the api has stopped).
pub async fn cleanup(database: &str, namespace: &str) -> anyhow::Result<()> {
    let admin = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(&format!(
            "{}/postgres",
            quayside_tests::harness::postgres_base()
        ))
        .await?;
    sqlx::query(&format!(
        "DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)"
    ))
    .execute(&admin)
    .await?;
    admin.close().await;
    let client = redis::Client::open(quayside_tests::harness::redis_url())?;
    let mut conn = client.get_multiplexed_async_connection().await?;
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{namespace}:*"))
        .query_async(&mut conn)
        .await?;
    for chunk in keys.chunks(500) {
        let _: () = redis::cmd("DEL").arg(chunk).query_async(&mut conn).await?;
    }
    Ok(())
}
