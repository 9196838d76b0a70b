//! Benchmark of the order push: QuickBooks sales (seeded by playing the simulated Web
//! Connector into the real `api`) pushed by two real `worker` processes into the in-process
//! fake ShipStation. Three scenarios:
//!
//! * `a`: one tenant, the fake at 40 requests per window: orders per window against the
//!   ceiling of 40 × 100, and the 429s ShipStation answered;
//! * `b`: 20 tenants at once: total orders per minute and fairness between tenants;
//! * `c`: the fake unlimited: orders per second per worker.
//!
//! ```text
//! cargo build --release -p quayside-tests --bin bench-orders --bin api --bin worker   # or --bins
//! target/release/bench-orders [--window-secs 60] [--windows 3] [--tenants 20]
//!     [--per-tenant 500] [--unlimited-orders 10000] [--only a,b,c]
//! ```
//! Needs Postgres and Redis (`TEST_POSTGRES_URL`, `TEST_REDIS_URL`, as the tests); every run
//! uses a database and Redis namespace of its own and drops them at the end.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use quayside_tests::harness::{postgres_base, redis_url, EnvOptions, TestEnv};
use quayside_tests::qb_company::Company;
use quayside_tests::web_connector::{SessionOptions, WebConnector};
use serde_json::json;
use sqlx::migrate::MigrateDatabase;
use uuid::Uuid;

/// ShipStation's real budget per API key: 40 requests per 60 s, 100 orders per request.
const REQUESTS_PER_WINDOW: u32 = 40;
const ORDERS_PER_CALL: usize = 100;

struct Args {
    window_secs: u64,
    windows: usize,
    tenants: usize,
    per_tenant: usize,
    unlimited_orders: usize,
    only: String,
}

const USAGE: &str = "usage: bench-orders [--window-secs S] [--windows N] [--tenants N] \
                     [--per-tenant N] [--unlimited-orders N] [--only a,b,c]";

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut a = Args {
        window_secs: 60,
        windows: 3,
        tenants: 20,
        per_tenant: 500,
        unlimited_orders: 10_000,
        only: "a,b,c".into(),
    };
    while let Some(flag) = it.next() {
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let num = |v: &str| {
            v.parse::<usize>()
                .map_err(|_| format!("{flag}: not a number"))
        };
        match flag.as_str() {
            "--window-secs" => a.window_secs = num(&value)?.max(1) as u64,
            "--windows" => a.windows = num(&value)?.max(2),
            "--tenants" => a.tenants = num(&value)?.max(1),
            "--per-tenant" => a.per_tenant = num(&value)?.max(1),
            "--unlimited-orders" => a.unlimited_orders = num(&value)?.max(1),
            "--only" => a.only = value,
            _ => return Err(USAGE.into()),
        }
    }
    Ok(a)
}

/// A tenant with a connection, round-up settings and a company of `orders` invoices, already
/// delivered to the api by one Web Connector run.
struct Shop {
    conn: Uuid,
    key: String,
}

async fn seed_shop(env: &TestEnv, orders: usize) -> anyhow::Result<Shop> {
    let tenant = env.signup().await;
    let (conn, account) = env.create_connection(&tenant).await;
    let settings = json!({"sync_from": "2020-01-01", "fractional_quantities": "round_up"});
    let reply = env
        .put_json(
            Some(&tenant),
            &format!("/api/v1/connections/{conn}/settings"),
            &settings,
        )
        .await;
    anyhow::ensure!(reply.status == 200, "settings: {}", reply.body);
    let (user, pass) = env.pair_web_connector(&tenant, conn).await;
    let company = Company::new();
    company.generate_invoices(orders);
    let mut opts = SessionOptions::new(&user, &pass);
    opts.max_rounds = 100_000;
    let report = WebConnector::new(&env.qbwc_url(0))
        .run_session(&company, &opts)
        .await;
    anyhow::ensure!(
        report.failure.is_none(),
        "web connector: {:?}",
        report.failure
    );
    Ok(Shop {
        conn,
        key: account.api_key,
    })
}

/// Pushed-order counts per shop, sampled every 100 ms from worker start until every order is
/// settled or `limit` passes.
struct Samples {
    /// (time since the workers started, pushed per shop).
    points: Vec<(Duration, Vec<i64>)>,
    failed: i64,
}

async fn sample(
    env: &TestEnv,
    shops: &[Shop],
    total: usize,
    limit: Duration,
) -> anyhow::Result<Samples> {
    let db = env.db().await;
    let start = Instant::now();
    let mut points = Vec::new();
    loop {
        let rows: Vec<(Uuid, i64, i64)> = sqlx::query_as(
            "SELECT connection_id, count(*) FILTER (WHERE status = 'pushed'),
                    count(*) FILTER (WHERE status = 'failed')
             FROM orders GROUP BY connection_id",
        )
        .fetch_all(&db)
        .await?;
        let pushed: Vec<i64> = shops
            .iter()
            .map(|s| rows.iter().find(|r| r.0 == s.conn).map_or(0, |r| r.1))
            .collect();
        let failed: i64 = rows.iter().map(|r| r.2).sum();
        points.push((start.elapsed(), pushed.clone()));
        let done = pushed.iter().sum::<i64>() + failed;
        if done >= total as i64 || start.elapsed() > limit {
            return Ok(Samples { points, failed });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

impl Samples {
    fn total_at(&self, i: usize) -> i64 {
        self.points[i].1.iter().sum()
    }
    /// Time of the first push.
    fn first(&self) -> Duration {
        self.points
            .iter()
            .position(|p| p.1.iter().sum::<i64>() > 0)
            .map_or(Duration::ZERO, |i| self.points[i].0)
    }
    fn last(&self) -> Duration {
        self.points.last().map_or(Duration::ZERO, |p| p.0)
    }
    /// Orders pushed up to `t` (the last sample at or before it).
    fn pushed_by(&self, t: Duration) -> i64 {
        self.points
            .iter()
            .rposition(|p| p.0 <= t)
            .map_or(0, |i| self.total_at(i))
    }
}

fn count_status(env: &TestEnv, key: &str, status: u16) -> usize {
    env.fake
        .request_log(key)
        .iter()
        .filter(|r| r.status == status)
        .count()
}

/// Every order key once in the fake, as many orders as sales.
fn check_exactly_once(env: &TestEnv, shop: &Shop, expected: usize) -> String {
    let orders = env.fake.orders(&shop.key);
    let mut keys: Vec<&str> = orders
        .iter()
        .filter_map(|o| o["orderKey"].as_str())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    format!(
        "{} orders in ShipStation, {} distinct keys, {} sales",
        orders.len(),
        keys.len(),
        expected
    )
}

fn env_options(rate_limit: u32, window_secs: u64) -> EnvOptions {
    EnvOptions::default()
        .with_env("SHIPSTATION_RATE_LIMIT", &rate_limit.to_string())
        .with_env("SHIPSTATION_RATE_WINDOW_SECS", &window_secs.to_string())
        .with_env("RUST_LOG", "warn")
}

async fn start_workers(env: &mut TestEnv) -> anyhow::Result<()> {
    env.start_worker().await?;
    env.start_worker().await
}

/// (a) One tenant at ShipStation's budget.
async fn one_tenant(args: &Args) -> anyhow::Result<()> {
    let window = Duration::from_secs(args.window_secs);
    let mut env = TestEnv::start_with(env_options(REQUESTS_PER_WINDOW, args.window_secs)).await;
    env.fake.set_rate_limit(REQUESTS_PER_WINDOW);
    env.fake.set_rate_window(window);
    let ceiling = REQUESTS_PER_WINDOW as usize * ORDERS_PER_CALL;
    let n = ceiling * args.windows;
    let seeded = Instant::now();
    let shop = seed_shop(&env, n).await?;
    println!(
        "(a) seeded {n} sales in {:.1} s",
        seeded.elapsed().as_secs_f64()
    );
    // Let the window of the api's credential check pass, so both sides start fresh.
    tokio::time::sleep(window).await;
    start_workers(&mut env).await?;
    let s = sample(
        &env,
        std::slice::from_ref(&shop),
        n,
        window * (args.windows as u32 + 3),
    )
    .await?;
    let t0 = s.first();
    let k = args.windows - 1;
    let measured = t0 + window * k as u32;
    let in_k = s.pushed_by(measured.saturating_sub(Duration::from_millis(250)));
    let per_window = in_k as f64 / k as f64;
    let scale = 60.0 / args.window_secs as f64;
    let all = s.total_at(s.points.len() - 1);
    println!(
        "(a) one tenant, 2 workers, fake at {REQUESTS_PER_WINDOW} req / {} s: {in_k} orders in the first \
         {k} windows = {per_window:.0} per window = {:.1}% of the {ceiling} ceiling \
         ({:.0} orders/min at this window length); all {all} pushed ({} failed) {:.1} s after \
         the first; 429s: {}; createorders calls: {}; {}",
        args.window_secs,
        per_window * 100.0 / ceiling as f64,
        per_window * scale,
        s.failed,
        (s.last() - t0).as_secs_f64(),
        count_status(&env, &shop.key, 429),
        env.fake
            .request_log(&shop.key)
            .iter()
            .filter(|r| r.path.eq_ignore_ascii_case("/orders/createorders"))
            .count(),
        check_exactly_once(&env, &shop, n),
    );
    cleanup(env).await
}

/// (b) Many tenants at once.
async fn many_tenants(args: &Args) -> anyhow::Result<()> {
    let window = Duration::from_secs(args.window_secs);
    let mut env = TestEnv::start_with(env_options(REQUESTS_PER_WINDOW, args.window_secs)).await;
    env.fake.set_rate_limit(REQUESTS_PER_WINDOW);
    env.fake.set_rate_window(window);
    let seeded = Instant::now();
    // All tenants' Web Connectors run at once, so their push jobs interleave in the queue.
    let shops: Vec<Shop> =
        futures::future::join_all((0..args.tenants).map(|_| seed_shop(&env, args.per_tenant)))
            .await
            .into_iter()
            .collect::<anyhow::Result<_>>()?;
    let total = args.tenants * args.per_tenant;
    println!(
        "(b) seeded {total} sales in {:.1} s",
        seeded.elapsed().as_secs_f64()
    );
    start_workers(&mut env).await?;
    let s = sample(&env, &shops, total, Duration::from_secs(900)).await?;
    let t0 = s.first();
    let elapsed = (s.last() - t0).as_secs_f64().max(0.001);
    let half = s
        .points
        .iter()
        .find(|p| p.1.iter().sum::<i64>() * 2 >= total as i64)
        .map(|p| p.1.clone())
        .unwrap_or_default();
    let finish: Vec<f64> = (0..shops.len())
        .map(|i| {
            s.points
                .iter()
                .find(|p| p.1[i] >= args.per_tenant as i64)
                .map_or(f64::NAN, |p| (p.0 - t0).as_secs_f64())
        })
        .collect();
    let minmax = |v: &[f64]| {
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lo, hi)
    };
    let (fmin, fmax) = minmax(&finish);
    let halves: Vec<f64> = half.iter().map(|&h| h as f64).collect();
    let (hmin, hmax) = minmax(&halves);
    let refused: usize = shops
        .iter()
        .map(|sh| count_status(&env, &sh.key, 429))
        .sum();
    let dupes = shops
        .iter()
        .filter(|sh| env.fake.orders(&sh.key).len() != args.per_tenant)
        .count();
    println!(
        "(b) {} tenants x {} orders, 2 workers: all {total} pushed ({} failed) in {elapsed:.1} s = \
         {:.0} orders/min; at half-way each tenant had {hmin:.0}..{hmax:.0} pushed; tenants \
         finished {fmin:.1}..{fmax:.1} s after the first push; 429s: {refused}; tenants whose \
         ShipStation count differs from their sales: {dupes}",
        args.tenants,
        args.per_tenant,
        s.failed,
        total as f64 / elapsed * 60.0,
    );
    cleanup(env).await
}

/// (c) No rate limit: raw worker throughput.
async fn unlimited(args: &Args) -> anyhow::Result<()> {
    let mut env = TestEnv::start_with(env_options(1_000_000, 1)).await;
    env.fake.set_rate_limit(u32::MAX);
    env.fake.set_rate_window(Duration::from_secs(1));
    let n = args.unlimited_orders;
    let shop = seed_shop(&env, n).await?;
    start_workers(&mut env).await?;
    let s = sample(
        &env,
        std::slice::from_ref(&shop),
        n,
        Duration::from_secs(600),
    )
    .await?;
    let elapsed = (s.last() - s.first()).as_secs_f64().max(0.001);
    let rate = n as f64 / elapsed;
    println!(
        "(c) fake unlimited, 2 workers: {n} orders ({} failed) in {elapsed:.1} s = {rate:.0} \
         orders/s = {:.0} orders/s per worker; {}",
        s.failed,
        rate / 2.0,
        check_exactly_once(&env, &shop, n),
    );
    cleanup(env).await
}

/// Stops the processes, drops the database and deletes the Redis namespace.
async fn cleanup(mut env: TestEnv) -> anyhow::Result<()> {
    for mut p in env.workers.drain(..).chain(env.apis.drain(..)) {
        p.terminate(Duration::from_secs(5)).await;
    }
    let url = env.database_url.clone();
    let _ = sqlx::Postgres::force_drop_database(&url).await;
    let client = redis::Client::open(redis_url())?;
    let mut conn = client.get_multiplexed_async_connection().await?;
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{}:*", env.redis_namespace))
        .query_async(&mut conn)
        .await?;
    if !keys.is_empty() {
        redis::cmd("DEL")
            .arg(keys)
            .query_async::<()>(&mut conn)
            .await?;
    }
    drop(env);
    Ok(())
}

async fn run(args: Args) -> anyhow::Result<()> {
    println!(
        "bench-orders: Postgres {}, Redis {}, {} CPUs",
        postgres_base(),
        redis_url(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let only: Vec<&str> = args.only.split(',').map(str::trim).collect();
    if only.contains(&"a") {
        one_tenant(&args).await.context("scenario a")?;
    }
    if only.contains(&"b") {
        many_tenants(&args).await.context("scenario b")?;
    }
    if only.contains(&"c") {
        unlimited(&args).await.context("scenario c")?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("tokio: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-orders failed: {e:#}");
            ExitCode::FAILURE
        }
    }
}
