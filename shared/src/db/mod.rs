//! Postgres access: the pool (as the non-owner role `quayside_app`), migrations, and the one
//! way to open a tenant-scoped transaction.

pub mod connections;
pub mod order_views;
pub mod orders;
pub mod qbwc;
pub mod rules;
pub mod sales;
pub mod sync_runs;
pub mod sync_settings;
pub mod tenants;
pub mod tokens;
pub mod tracking;
pub mod write_back_delivery;

use std::time::Duration;

use sqlx::migrate::MigrateDatabase;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, Executor, PgPool, Postgres, Transaction};

use crate::ids::TenantId;

/// Embedded migrations from `migrations/`.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// The role every application query runs as; row-level security applies to it.
pub const APP_ROLE: &str = "quayside_app";

pub type Tx = Transaction<'static, Postgres>;

fn options(url: &str) -> Result<PgConnectOptions, sqlx::Error> {
    let mut options = url
        .parse::<PgConnectOptions>()?
        .log_statements(tracing::log::LevelFilter::Trace)
        .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_secs(1));
    if same_machine_without_ssl_choice(url, &options) {
        options = options.ssl_mode(sqlx::postgres::PgSslMode::Disable);
    }
    Ok(options)
}

/// A database on this machine (loopback or Unix socket) whose URL and environment name no
/// `sslmode`: TLS there protects nothing and costs a good share of each round trip, so it is
/// not negotiated (libpq's `prefer` would). An explicit `sslmode` is always followed.
fn same_machine_without_ssl_choice(url: &str, options: &PgConnectOptions) -> bool {
    let chosen =
        url.to_ascii_lowercase().contains("sslmode=") || std::env::var_os("PGSSLMODE").is_some();
    let host = options.get_host();
    let local = options.get_socket().is_some()
        || host.starts_with('/')
        || matches!(host, "localhost" | "127.0.0.1" | "::1" | "[::1]");
    local && !chosen
}

/// Creates the database if needed and applies pending migrations. Safe from several replicas
/// at once: sqlx serialises them with an advisory lock.
pub async fn migrate(url: &str) -> anyhow::Result<()> {
    if !Postgres::database_exists(url).await.unwrap_or(false) {
        // Another replica may win the race; that is fine.
        if let Err(e) = Postgres::create_database(url).await {
            if !Postgres::database_exists(url).await.unwrap_or(false) {
                return Err(e.into());
            }
        }
    }
    let mut conn = sqlx::PgConnection::connect_with(&options(url)?).await?;
    ensure_app_role(&mut conn).await;
    MIGRATOR.run(&mut conn).await?;
    conn.close().await?;
    Ok(())
}

/// Creates [`APP_ROLE`] when the cluster has none. Roles belong to the cluster, not the
/// database: the migrations of two databases of one fresh cluster (two environments, or
/// parallel test databases) race to create it, and the loser's `CREATE ROLE` fails with a
/// unique violation that the first migration's guard (written for `duplicate_object`) does not
/// catch. Failing here (no CREATEROLE right) is left to the migration to report.
async fn ensure_app_role(conn: &mut sqlx::PgConnection) {
    let create = format!(
        "DO $$ BEGIN
             IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
                 CREATE ROLE {APP_ROLE} NOLOGIN;
             END IF;
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
         END $$"
    );
    if let Err(e) = sqlx::raw_sql(&create).execute(&mut *conn).await {
        tracing::warn!(error = %e, "could not make sure the app role exists");
    }
}

/// A pool whose connections run as [`APP_ROLE`].
pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<PgPool> {
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        // A dead connection fails its first statement and is dropped; pinging every one on
        // acquire would cost a round trip per transaction.
        .test_before_acquire(false)
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                conn.execute(format!("SET ROLE {APP_ROLE}").as_str())
                    .await?;
                Ok(())
            })
        })
        .connect_with(options(url)?)
        .await?;
    Ok(pool)
}

/// Begins a transaction in which row-level security shows only `tenant`'s rows.
pub async fn tenant_tx(pool: &PgPool, tenant: TenantId) -> Result<Tx, sqlx::Error> {
    // One round trip: the tenant id is a typed UUID, so formatting it into the statement is
    // safe, and `set_config(.., true)` is local to this transaction.
    pool.begin_with(format!(
        "BEGIN; SELECT set_config('app.tenant_id', '{}', true)",
        tenant.0.hyphenated()
    ))
    .await
}

/// Like [`tenant_tx`], for a Web Connector session's reads out of QuickBooks: the commit does
/// not wait for its WAL flush (`synchronous_commit` off for this transaction only). What these
/// transactions record can be read again: the watermark moves in the same transaction as the
/// sales, so a commit lost to a database crash (at most the last few hundred milliseconds)
/// leaves the watermark where it was and the next session reads the same sales again. Postgres
/// flushes WAL in order, so a later synchronous commit (a push result, a write-back) never
/// survives without it. Write-back outcomes keep [`tenant_tx`].
pub async fn replayable_tenant_tx(pool: &PgPool, tenant: TenantId) -> Result<Tx, sqlx::Error> {
    pool.begin_with(format!(
        "BEGIN; SELECT set_config('app.tenant_id', '{}', true), set_config('synchronous_commit', 'off', true)",
        tenant.0.hyphenated()
    ))
    .await
}

/// Whether the role the pool logs in as bypasses row-level security (a superuser or
/// `BYPASSRLS`). Queries run as [`APP_ROLE`] either way, and the tables `FORCE` row-level
/// security on their owner too; but such a login could `RESET ROLE`, which only injected SQL
/// would do, so production should log in as an ordinary role (docs/operations.md).
pub async fn login_role_is_privileged(pool: &PgPool) -> Result<bool, sqlx::Error> {
    let (privileged,): (bool,) = sqlx::query_as(
        "SELECT r.rolsuper OR r.rolbypassrls FROM pg_roles r WHERE r.rolname = session_user",
    )
    .fetch_one(pool)
    .await?;
    Ok(privileged)
}

/// True when Postgres answers.
pub async fn ping(pool: &PgPool) -> bool {
    sqlx::query("SELECT 1").execute(pool).await.is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_tls(url: &str) -> bool {
        same_machine_without_ssl_choice(url, &url.parse().expect("url"))
    }

    #[test]
    fn tls_is_skipped_only_for_this_machine_without_an_explicit_sslmode() {
        if std::env::var_os("PGSSLMODE").is_some() {
            return; // the environment chose; nothing to decide
        }
        assert!(no_tls("postgres://postgres@127.0.0.1:5432/quayside"));
        assert!(no_tls("postgres://postgres@localhost/quayside"));
        assert!(no_tls(
            "postgres://postgres@%2Fvar%2Frun%2Fpostgresql/quayside"
        ));
        assert!(!no_tls("postgres://postgres@db.internal:5432/quayside"));
        assert!(!no_tls(
            "postgres://postgres@127.0.0.1:5432/quayside?sslmode=require"
        ));
    }
}
