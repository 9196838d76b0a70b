//! The apalis runtime end to end: jobs enqueued the way the api does, consumed by one or two
//! in-process workers, against the fake ShipStation.

mod common;

use std::time::Duration;

use common::{sales, test_config, TestEnv, CREATE_ORDERS};
use quayside_tests::fake_shipstation::FakeConfig;
use tokio_util::sync::CancellationToken;
use worker::{run_workers, JobContext, WorkerConfig};

/// Runs `run_workers` in the background until the returned token is cancelled.
fn spawn_worker(
    ctx: JobContext,
) -> (
    CancellationToken,
    tokio::task::JoinHandle<anyhow::Result<()>>,
) {
    let stop = CancellationToken::new();
    let s = stop.clone();
    let handle = tokio::spawn(async move {
        run_workers(
            ctx,
            async move { s.cancelled().await },
            Duration::from_secs(10),
        )
        .await
    });
    (stop, handle)
}

async fn stop(
    worker: (
        CancellationToken,
        tokio::task::JoinHandle<anyhow::Result<()>>,
    ),
) {
    worker.0.cancel();
    let res = tokio::time::timeout(Duration::from_secs(15), worker.1)
        .await
        .expect("worker stops within the shutdown timeout")
        .expect("join");
    res.expect("clean exit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_429_storm_is_deferred_and_every_order_is_delivered_exactly_once() {
    let env = TestEnv::start(FakeConfig {
        rate_window: Duration::from_secs(2),
        ..FakeConfig::default()
    })
    .await;
    env.set_store(env.account.manual_store_id()).await;
    let ctx = env.context(test_config());
    let ids = sales(&env, 3).await;
    env.fake.force_status(&env.account.api_key, 429, 3);
    ctx.queues
        .push_orders(env.job(&ids), None)
        .await
        .expect("enqueue");
    let worker = spawn_worker(ctx.clone());
    env.wait_settled(&ids, Duration::from_secs(40)).await;
    stop(worker).await;
    for id in &ids {
        assert_eq!(env.order(*id).await.0, "pushed");
    }
    assert_eq!(env.calls(CREATE_ORDERS, 429), 3);
    assert_eq!(env.calls(CREATE_ORDERS, 200), 1, "{:?}", env.requests());
    assert_eq!(env.fake.orders(&env.account.api_key).len(), 3);
    assert!(ctx.metrics.render().contains("outcome=\"deferred\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_together_never_exceed_the_rate_limit_of_one_key() {
    // ShipStation (the fake) allows 4 requests per 3 s window; so do our limiters.
    let env = TestEnv::start(FakeConfig {
        rate_limit: 4,
        rate_window: Duration::from_secs(3),
        ..FakeConfig::default()
    })
    .await;
    env.set_store(env.account.manual_store_id()).await;
    let config = WorkerConfig {
        rate_limit: 4,
        rate_window: Duration::from_secs(3),
        concurrency: 3,
        ..test_config()
    };
    let a = env.context(config.clone());
    let b = env.context(config);
    let ids = sales(&env, 12).await;
    for id in &ids {
        a.queues
            .push_orders(env.job(&[*id]), None)
            .await
            .expect("enqueue");
    }
    let wa = spawn_worker(a);
    let wb = spawn_worker(b);
    env.wait_settled(&ids, Duration::from_secs(60)).await;
    stop(wa).await;
    stop(wb).await;
    let requests = env.requests();
    assert!(requests.iter().all(|(_, s)| *s != 429), "{requests:?}");
    assert_eq!(env.calls(CREATE_ORDERS, 200), 12);
    for id in &ids {
        assert_eq!(env.order(*id).await.0, "pushed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_sweeper_re_enqueues_a_pending_order_whose_job_was_lost() {
    let env = TestEnv::start(FakeConfig::default()).await;
    let ctx = env.context(test_config());
    let ids = sales(&env, 2).await;
    // Stored, but the enqueue never happened (crash), ten minutes ago.
    for id in &ids {
        env.exec(
            "UPDATE orders SET push_requested_at = now() - interval '10 minutes' WHERE id = $1",
            *id,
        )
        .await;
    }
    let fresh = [env.add_sale(&common::sale("TXN-FRESH", "3000")).await];
    let swept = worker::sweeper::sweep_once(&ctx, Duration::from_secs(120))
        .await
        .expect("sweep");
    assert_eq!(swept, 2, "only the stale orders");
    assert_eq!(ctx.queues.order_push_depth().await.expect("depth"), 1);
    // Swept again at once: the intent was bumped, nothing is stale any more.
    assert_eq!(
        worker::sweeper::sweep_once(&ctx, Duration::from_secs(120))
            .await
            .expect("sweep"),
        0
    );
    let worker = spawn_worker(ctx.clone());
    env.wait_settled(&ids, Duration::from_secs(20)).await;
    stop(worker).await;
    assert_eq!(env.order(fresh[0]).await.0, "pending");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_worker_process_serves_health_and_metrics_and_stops_on_request() {
    let env = TestEnv::start(FakeConfig::default()).await;
    let ids = sales(&env, 1).await;
    let ctx = env.context(test_config());
    ctx.queues
        .push_orders(env.job(&ids), None)
        .await
        .expect("enqueue");
    let stop_token = CancellationToken::new();
    let s = stop_token.clone();
    let settings = env.settings.clone();
    let handle = tokio::spawn(async move {
        worker::run_with(settings, test_config(), async move { s.cancelled().await }).await
    });
    env.wait_settled(&ids, Duration::from_secs(20)).await;
    stop_token.cancel();
    tokio::time::timeout(Duration::from_secs(15), handle)
        .await
        .expect("stops")
        .expect("join")
        .expect("clean exit");
    assert_eq!(env.order(ids[0]).await.0, "pushed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_job_of_a_killed_worker_is_picked_up_by_another_within_seconds() {
    let env = TestEnv::start(FakeConfig::default()).await;
    let ctx = env.context(test_config());
    let ids = sales(&env, 1).await;
    ctx.queues
        .push_orders(env.job(&ids), None)
        .await
        .expect("enqueue");
    // What SIGKILL leaves behind: the job in a dead worker's in-flight set, its last
    // heartbeat long ago.
    let queue = shared::jobs::queue_name(&env.namespace, shared::jobs::ORDER_PUSH_QUEUE);
    let mut redis = env.redis.clone();
    // apalis-redis stores every push in the scheduled set (due now) until a worker fetches it.
    let (job_id,): (String,) = redis::cmd("ZPOPMIN")
        .arg(format!("{queue}:scheduled"))
        .query_async::<(String, f64)>(&mut redis)
        .await
        .map(|(id, _)| (id,))
        .expect("job id");
    let now = chrono::Utc::now().timestamp();
    let _: () = redis::pipe()
        .cmd("SADD")
        .arg(format!("{queue}:inflight:killed-worker"))
        .arg(&job_id)
        .cmd("ZADD")
        .arg(format!("{queue}:workers"))
        .arg(now - 60)
        .arg("killed-worker")
        .query_async(&mut redis)
        .await
        .expect("simulate the dead worker");
    let started = std::time::Instant::now();
    let worker = spawn_worker(ctx);
    env.wait_settled(&ids, Duration::from_secs(20)).await;
    stop(worker).await;
    assert_eq!(env.order(ids[0]).await.0, "pushed");
    // heartbeat 2 s in tests (5 s in production): picked up at the first heartbeat.
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn health_and_metrics_are_served() {
    let env = TestEnv::start(FakeConfig::default()).await;
    let metrics = shared::metrics::Metrics::new();
    metrics.jobs.with_label_values(&["order-push", "ok"]).inc();
    let server = worker::server::MetricsServer::start(
        "127.0.0.1:0".parse().expect("addr"),
        metrics,
        env.db.clone(),
        env.redis.clone(),
    )
    .expect("server");
    let base = format!("http://{}", server.addr);
    let http = reqwest::Client::new();
    let health = http
        .get(format!("{base}/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200);
    let ready = http
        .get(format!("{base}/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 200);
    let text = http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("body");
    assert!(
        text.contains("quayside_jobs_total{outcome=\"ok\",queue=\"order-push\"} 1"),
        "{text}"
    );
    server.stop().await;
}
