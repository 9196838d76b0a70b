//! Web Connector load benchmark: complete QBWC sessions per second against a real `api`.
//!
//! ```text
//! cargo build --release -p api -p quayside-tests --bins
//! target/release/bench-qbwc [--tenants 1000] [--clients 32] [--duration 30] [--invoices 10]
//!                           [--mode edit|resync] [--http-workers 2] [--db-pool 20]
//!                           [--setup-concurrency 16]
//!                           [--pg-sslmode prefer|disable] [--keep]
//! ```
//!
//! Starts the release `api` next to this binary with its own database and Redis namespace
//! (`RUST_LOG=warn`, log in `target/test-logs/`), signs up `--tenants` tenants (connection to an
//! in-process fake ShipStation, `sync_from` 2020-01-01, Web Connector pairing), gives each a
//! simulated QuickBooks company with `--invoices` invoices, then runs complete sessions with
//! `--clients` concurrent Web Connectors for `--duration` seconds. A tenant is only ever used
//! by one client at a time. In `edit` mode every invoice is edited in QuickBooks before each
//! of its tenant's later sessions, so every session stores `--invoices` new revisions; in
//! `resync` mode later sessions re-read the same revisions (the watermark overlap).
//!
//! Prints sessions/s, SOAP calls/s, p50/p95/p99 per method, errors, CPU use, and checks that
//! every invoice (and in edit mode every revision) is in Postgres.

// Keeps the load generator's share of the machine small (~10 % less CPU than glibc malloc).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "bench_qbwc/client.rs"]
mod client;
#[path = "bench_qbwc/report.rs"]
mod report;
#[path = "bench_qbwc/setup.rs"]
mod setup;
#[path = "bench_qbwc/stats.rs"]
mod stats;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use quayside_tests::harness::{EnvOptions, TestEnv};

use client::{edit_all, BenchTenant, Outcome, Player};
use stats::Stats;

/// Command-line options.
#[derive(Debug, Clone)]
pub struct Args {
    pub tenants: usize,
    pub clients: usize,
    pub duration: Duration,
    pub invoices: usize,
    pub edit: bool,
    pub http_workers: String,
    /// The api's Postgres pool size (`DATABASE_MAX_CONNECTIONS`).
    pub db_pool: String,
    pub setup_concurrency: usize,
    pub keep: bool,
    /// `PGSSLMODE` for the api; empty (the default) leaves it unset, so the api decides (no TLS
    /// to a database on this machine).
    pub pg_sslmode: String,
}

const USAGE: &str =
    "usage: bench-qbwc [--tenants N] [--clients N] [--duration SECS] [--invoices N] \
                     [--mode edit|resync] [--http-workers N] [--db-pool N] [--setup-concurrency N] [--pg-sslmode prefer|disable] [--keep]";

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut a = Args {
        tenants: 1000,
        clients: 32,
        duration: Duration::from_secs(30),
        invoices: 10,
        edit: true,
        // The api's own default: two workers per core.
        http_workers: std::thread::available_parallelism()
            .map_or(2, |n| n.get() * 2)
            .to_string(),
        db_pool: "20".into(),
        setup_concurrency: 16,
        keep: false,
        pg_sslmode: String::new(),
    };
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let number = |v: String| {
            v.parse::<usize>()
                .map_err(|_| format!("{flag} needs a number"))
        };
        match flag.as_str() {
            "--tenants" => a.tenants = number(value()?)?.max(1),
            "--clients" => a.clients = number(value()?)?.max(1),
            "--duration" => a.duration = Duration::from_secs(number(value()?)? as u64),
            "--invoices" => a.invoices = number(value()?)?.max(1),
            "--http-workers" => a.http_workers = number(value()?)?.max(1).to_string(),
            "--db-pool" => a.db_pool = number(value()?)?.max(1).to_string(),
            "--setup-concurrency" => a.setup_concurrency = number(value()?)?.max(1),
            "--mode" => {
                a.edit = match value()?.as_str() {
                    "edit" => true,
                    "resync" => false,
                    other => return Err(format!("--mode is edit or resync, not {other}")),
                }
            }
            "--pg-sslmode" => a.pg_sslmode = value()?,
            "--keep" => a.keep = true,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(a)
}

/// What one client did, and which tenants completed at least one session.
struct ClientResult {
    stats: Stats,
    tenants_ran: Vec<usize>,
}

/// Client `index` of `clients`: plays sessions for tenants index, index + clients, ... in turn
/// until `deadline`.
async fn run_client(
    index: usize,
    clients: usize,
    player: Arc<Player>,
    tenants: Arc<Vec<Arc<BenchTenant>>>,
    edit: bool,
    started: Instant,
    deadline: Instant,
) -> ClientResult {
    let mine: Vec<usize> = (index..tenants.len()).step_by(clients).collect();
    let mut stats = Stats::default();
    let mut sessions_of = vec![0u64; mine.len()];
    let mut ran = vec![false; mine.len()];
    let mut turn = 0usize;
    while Instant::now() < deadline && !mine.is_empty() {
        let slot = turn % mine.len();
        turn += 1;
        let tenant = &tenants[mine[slot]];
        if edit && sessions_of[slot] > 0 {
            stats.company_time += edit_all(tenant, sessions_of[slot] + 1);
        }
        match player.session(tenant, &mut stats).await {
            Outcome::Completed { sales } => {
                sessions_of[slot] += 1;
                ran[slot] = true;
                stats.sessions_ok += 1;
                stats.sales_sent += sales as u64;
                stats.completed_at(started.elapsed().as_secs() as usize);
            }
            Outcome::Failed => {
                stats.sessions_failed += 1;
                // A failed session leaves edits unread; count it so revisions stay comparable.
                sessions_of[slot] += 1;
            }
        }
    }
    let tenants_ran = mine
        .iter()
        .zip(ran)
        .filter(|(_, r)| *r)
        .map(|(i, _)| *i)
        .collect();
    ClientResult { stats, tenants_ran }
}

async fn run(args: Args) -> anyhow::Result<bool> {
    let mut options = EnvOptions::default()
        .with_env("RUST_LOG", "warn")
        .with_env("HTTP_WORKERS", &args.http_workers)
        .with_env("DATABASE_MAX_CONNECTIONS", &args.db_pool);
    if !args.pg_sslmode.is_empty() {
        options = options.with_env("PGSSLMODE", &args.pg_sslmode);
    }
    let env = TestEnv::start_with(options).await;
    let api_pid = env.apis[0].pid().unwrap_or(0);
    println!(
        "api {} (pid {api_pid}), database {}, log {}",
        env.apis[0].base_url(),
        env.id,
        env.apis[0].log_path.display()
    );

    let t = Instant::now();
    let tenants = setup::tenants(&env, args.tenants, args.invoices, args.setup_concurrency).await?;
    println!(
        "setup: {} tenants paired, {} invoices each, in {:.1} s",
        tenants.len(),
        args.invoices,
        t.elapsed().as_secs_f64()
    );

    let player = Arc::new(Player {
        url: env.qbwc_url(0),
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(args.clients)
            .build()?,
        max_rounds: 50,
    });
    let tenants = Arc::new(tenants);
    let cpu_before = report::CpuSnapshot::take(api_pid);
    let started = Instant::now();
    let deadline = started + args.duration;
    let handles: Vec<_> = (0..args.clients)
        .map(|i| {
            tokio::spawn(run_client(
                i,
                args.clients,
                player.clone(),
                tenants.clone(),
                args.edit,
                started,
                deadline,
            ))
        })
        .collect();
    let mut total = Stats::default();
    let mut tenants_ran = 0usize;
    for h in handles {
        let r = h.await?;
        total.merge(r.stats);
        tenants_ran += r.tenants_ran.len();
    }
    let elapsed = started.elapsed();
    let cpu = report::CpuSnapshot::take(api_pid).since(&cpu_before);

    // The last receiveResponseXML committed before its reply, so the rows are all there.
    let persisted = setup::persisted(&env).await?;
    let ok = report::print(&args, &mut total, elapsed, &cpu, tenants_ran, &persisted);

    let (database, namespace) = (env.id.clone(), env.redis_namespace.clone());
    drop(env);
    if args.keep {
        println!("kept database {database} and Redis namespace {namespace}");
    } else if let Err(e) = setup::cleanup(&database, &namespace).await {
        eprintln!("cleanup failed: {e:#}");
    }
    Ok(ok)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("bench-qbwc: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Args, String> {
        parse_args(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn defaults_match_the_issue() {
        let a = args(&[]).expect("defaults");
        assert_eq!(
            (a.tenants, a.invoices, a.duration),
            (1000, 10, Duration::from_secs(30))
        );
        assert!(a.edit);
    }

    #[test]
    fn flags_are_read_and_checked() {
        let a = args(&[
            "--tenants",
            "50",
            "--clients",
            "8",
            "--mode",
            "resync",
            "--duration",
            "5",
        ])
        .expect("args");
        assert_eq!((a.tenants, a.clients, a.edit), (50, 8, false));
        assert!(args(&["--mode", "fast"]).is_err());
        assert!(args(&["--tenants"]).is_err());
        assert!(args(&["--bogus"]).is_err());
    }
}
