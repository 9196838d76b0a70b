//! Issue 6: graceful shutdown of the api and the worker, two apis and two workers on one
//! Postgres and Redis, and the Prometheus metrics both binaries expose after a run.

#[path = "operations/qbwc.rs"]
mod qbwc;
#[path = "operations/support.rs"]
mod support;
#[path = "operations/traced.rs"]
mod traced;

use std::time::Duration;

use quayside_tests::fake_shipstation::ShipSpec;
use quayside_tests::harness::TestEnv;
use support::{fast, has_metric, metric, scrape, Shop, CREATE_ORDERS};

fn sigterm(pid: Option<u32>) {
    let pid = pid.expect("process is running");
    let status = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status()
        .expect("kill");
    assert!(status.success());
}

/// Jobs waiting in the order-push queue's Redis keys (ready list plus scheduled set).
async fn waiting_jobs(env: &TestEnv) -> i64 {
    let client = redis::Client::open(quayside_tests::harness::redis_url()).expect("redis url");
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .expect("redis");
    let queue = format!("{}:order-push", env.redis_namespace);
    let (active, scheduled): (i64, i64) = redis::pipe()
        .cmd("LLEN")
        .arg(format!("{queue}:active"))
        .cmd("ZCARD")
        .arg(format!("{queue}:scheduled"))
        .query_async(&mut conn)
        .await
        .expect("queue lengths");
    active + scheduled
}

/// One Web Connector session of `shop` against api 0.
async fn sync(env: &TestEnv, shop: &Shop) {
    let spread = qbwc::session(
        &env.http,
        &[env.qbwc_url(0)],
        0,
        &shop.company,
        &shop.user,
        &shop.pass,
    )
    .await
    .expect("session");
    assert_eq!(spread.percents.last(), Some(&100), "{spread:?}");
}

#[tokio::test]
async fn the_api_finishes_in_flight_requests_on_sigterm_and_exits_0() {
    let mut env = TestEnv::start().await;
    let tenant = env.signup().await;
    let (conn, account) = env.create_connection(&tenant).await;
    let key = account.api_key;
    let stores_calls = |env: &TestEnv| {
        env.fake
            .request_log(&key)
            .iter()
            .filter(|r| r.path == "/stores")
            .count()
    };
    let before = stores_calls(&env);
    env.fake.set_reply_delay(Duration::from_secs(3));

    // A slow request: listing stores waits 3 s for ShipStation's answer. SIGTERM comes once
    // ShipStation has the call, so the api is surely mid-request.
    let url = format!("{}/api/v1/connections/{conn}/stores", env.api_url());
    let slow = tokio::spawn(env.http.get(url).bearer_auth(&tenant.access_token).send());
    env.eventually(
        "the api is waiting on ShipStation",
        Duration::from_secs(20),
        || async { (stores_calls(&env) > before).then_some(()) },
    )
    .await;
    sigterm(env.apis[0].pid());
    tokio::time::sleep(Duration::from_millis(500)).await;

    // New connections are no longer taken...
    let fresh = reqwest::Client::new();
    let refused = fresh
        .get(format!("{}/healthz", env.api_url()))
        .timeout(Duration::from_secs(2))
        .send()
        .await;
    assert!(
        refused.is_err(),
        "a new connection was served after SIGTERM: {refused:?}"
    );

    // ...but the one in flight completes.
    let reply = slow
        .await
        .expect("join")
        .expect("the in-flight request completes");
    assert_eq!(reply.status(), 200);
    let body: serde_json::Value = reply.json().await.expect("json");
    assert!(
        body["stores"].as_array().is_some_and(|s| !s.is_empty()),
        "{body}"
    );

    let exit = env.apis[0].terminate(Duration::from_secs(15)).await;
    assert!(
        exit.is_some_and(|s| s.success()),
        "api exit: {exit:?}\n{}",
        env.apis[0].log_tail(20)
    );
    assert!(env.apis[0].log().contains("api stopped"));
}

#[tokio::test]
async fn a_worker_stopped_mid_push_finishes_the_push_and_nothing_is_sent_twice() {
    let mut env = TestEnv::start_with(fast(0).with_env("SHUTDOWN_TIMEOUT_SECS", "20")).await;
    let shop = Shop::open(&env, 5).await;
    sync(&env, &shop).await;
    assert_eq!(waiting_jobs(&env).await, 1, "one push job queued");

    // Each ShipStation call takes 2 s: the job is in flight for several seconds.
    env.fake.set_latency(Duration::from_secs(2));
    env.start_worker().await.expect("worker");
    env.eventually(
        "the worker takes the job",
        Duration::from_secs(20),
        || async { (waiting_jobs(&env).await == 0).then_some(()) },
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = env.orders(&shop.tenant, shop.conn).await;
    assert!(!before.is_empty());
    assert!(
        before.iter().all(|o| o["status"] == "pending"),
        "still mid-push"
    );

    let stopped = tokio::time::Instant::now();
    let exit = env.workers[0].terminate(Duration::from_secs(30)).await;
    assert!(
        exit.is_some_and(|s| s.success()),
        "worker exit: {exit:?}\n{}",
        env.workers[0].log_tail(20)
    );
    assert!(
        stopped.elapsed() < Duration::from_secs(20),
        "within the shutdown timeout"
    );
    // It finished the job it had before exiting.
    let after = env.orders(&shop.tenant, shop.conn).await;
    assert_eq!(after.len(), before.len());
    assert!(after.iter().all(|o| o["status"] == "pushed"), "{after:?}");

    // A new worker finds nothing left to do: every order went exactly once.
    env.fake.set_latency(Duration::ZERO);
    env.start_worker().await.expect("second worker");
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(shop.calls(&env, CREATE_ORDERS), 1);
    assert_eq!(shop.fake_orders(&env), (5, 5));
    assert_eq!(shop.pushed_events(&env).await, vec![1; 5]);
}

#[tokio::test]
async fn a_worker_stopped_past_its_timeout_mid_push_loses_nothing() {
    let mut env = TestEnv::start_with(fast(0).with_env("SHUTDOWN_TIMEOUT_SECS", "1")).await;
    let shop = Shop::open(&env, 4).await;
    sync(&env, &shop).await;
    env.fake.set_latency(Duration::from_secs(5));
    env.start_worker().await.expect("worker");
    env.eventually(
        "the worker takes the job",
        Duration::from_secs(20),
        || async { (waiting_jobs(&env).await == 0).then_some(()) },
    )
    .await;
    let exit = env.workers[0].terminate(Duration::from_secs(15)).await;
    assert!(
        exit.is_some_and(|s| s.success()),
        "worker exit: {exit:?}\n{}",
        env.workers[0].log_tail(20)
    );
    assert!(
        env.workers[0].log().contains("abandoning running jobs"),
        "{}",
        env.workers[0].log_tail(20)
    );

    // The abandoned job comes back to the next worker once the first one's heartbeat expires.
    env.fake.set_latency(Duration::ZERO);
    env.start_worker().await.expect("second worker");
    shop.wait_pushed(&env, 4, Duration::from_secs(60)).await;
    assert_eq!(
        shop.fake_orders(&env),
        (4, 4),
        "one ShipStation order per sale"
    );
    assert_eq!(shop.pushed_events(&env).await, vec![1; 4]);
}

/// Each shop's GET /shipments calls (one per tracking pull while nothing has shipped).
fn pulls(env: &TestEnv, shops: &[Shop]) -> Vec<usize> {
    shops
        .iter()
        .map(|s| s.calls(env, ("GET", "/shipments")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_apis_and_two_workers_share_sessions_orders_and_tracking_pulls() {
    const SHOPS: usize = 3;
    const INVOICES: usize = 30;
    const INTERVAL: u64 = 4;
    let env = TestEnv::start_with(
        fast(2)
            .apis(2)
            .with_env("TRACKING_POLL_INTERVAL_SECS", &INTERVAL.to_string()),
    )
    .await;
    let mut shops = Vec::new();
    for _ in 0..SHOPS {
        shops.push(Shop::open(&env, INVOICES).await);
    }

    // Every session alternates its calls between the two apis, all sessions at once.
    let urls = [env.qbwc_url(0), env.qbwc_url(1)];
    let sessions = shops
        .iter()
        .enumerate()
        .map(|(i, s)| qbwc::session(&env.http, &urls, i, &s.company, &s.user, &s.pass));
    for spread in futures::future::join_all(sessions).await {
        let spread = spread.expect("session");
        assert_eq!(spread.percents.last(), Some(&100), "{spread:?}");
        assert!(spread.calls_per_api.iter().all(|n| *n >= 3), "{spread:?}");
    }

    // Every order arrives once.
    for shop in &shops {
        shop.wait_pushed(&env, INVOICES, Duration::from_secs(90))
            .await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    for shop in &shops {
        assert_eq!(shop.fake_orders(&env), (INVOICES, INVOICES));
        assert_eq!(
            shop.calls(&env, CREATE_ORDERS),
            1,
            "one createorders call of 30 orders"
        );
        assert_eq!(shop.pushed_events(&env).await, vec![1; INVOICES]);
    }

    // Tracking pulls: once per interval per connection, whatever the number of workers.
    env.eventually(
        "a first tracking pull of every connection",
        Duration::from_secs(3 * INTERVAL),
        || async { pulls(&env, &shops).iter().all(|n| *n > 0).then_some(()) },
    )
    .await;
    let start = pulls(&env, &shops);
    let periods = 5;
    tokio::time::sleep(Duration::from_secs(INTERVAL * periods)).await;
    let end = pulls(&env, &shops);
    for (a, b) in start.iter().zip(&end) {
        let ran = (b - a) as u64;
        assert!(
            // At most one per interval (plus one across period edges); at least one, so the
            // bound stays meaningful on a loaded machine without flaking.
            (1..=periods + 1).contains(&ran),
            "{ran} pulls in {periods} intervals: {start:?} -> {end:?}"
        );
    }

    // Full loop for the write-back metrics: ship one order per shop, the next pull sees it,
    // the next Web Connector session writes tracking back.
    for shop in &shops {
        let orders = env.orders(&shop.tenant, shop.conn).await;
        let key = orders[0]["order_key"].as_str().expect("order key");
        env.fake
            .ship_order(&shop.account.api_key, key, ShipSpec::default())
            .await
            .expect("ship");
    }
    for shop in &shops {
        env.eventually(
            "the shipment is pulled",
            Duration::from_secs(30),
            || async {
                let orders = env.orders(&shop.tenant, shop.conn).await;
                orders
                    .iter()
                    .any(|o| o["status"] == "shipped")
                    .then_some(())
            },
        )
        .await;
        sync(&env, shop).await;
        let orders = env.orders(&shop.tenant, shop.conn).await;
        assert_eq!(
            orders
                .iter()
                .filter(|o| o["status"] == "written_back")
                .count(),
            1
        );
    }

    // Both binaries' metrics moved.
    let apis = [
        scrape(&env, &env.apis[0].base_url()).await,
        scrape(&env, &env.apis[1].base_url()).await,
    ];
    for text in &apis {
        let ok = metric(
            text,
            "quayside_qbwc_soap_calls_total",
            &[("method", "receiveResponseXML")],
        );
        assert!(ok > 0.0, "each api took receiveResponseXML calls:\n{text}");
    }
    let sum = |name: &str, labels: &[(&str, &str)]| {
        apis.iter().map(|t| metric(t, name, labels)).sum::<f64>()
    };
    assert!(sum("quayside_qbwc_sessions_total", &[]) >= SHOPS as f64);
    assert!(sum("quayside_write_backs_total", &[("outcome", "done")]) >= SHOPS as f64);
    let workers = [
        scrape(&env, &env.workers[0].base_url()).await,
        scrape(&env, &env.workers[1].base_url()).await,
    ];
    let wsum = |name: &str, labels: &[(&str, &str)]| {
        workers.iter().map(|t| metric(t, name, labels)).sum::<f64>()
    };
    assert!(
        wsum(
            "quayside_jobs_total",
            &[("queue", "order-push"), ("outcome", "ok")]
        ) >= SHOPS as f64
    );
    assert!(
        wsum("quayside_jobs_total", &[("queue", "tracking-pull")])
            >= (SHOPS * periods as usize) as f64
    );
    assert!(wsum("quayside_shipstation_requests_total", &[("status", "200")]) > 0.0);
    for text in &workers {
        for name in [
            "quayside_queue_depth",
            "quayside_queue_ready",
            "quayside_queue_oldest_ready_age_seconds",
        ] {
            assert!(has_metric(text, name), "{name} sampled:\n{text}");
        }
    }
    assert!(workers
        .iter()
        .any(|t| has_metric(t, "quayside_shipstation_rate_limit_remaining")));
}

#[tokio::test]
async fn receive_response_xml_puts_its_trace_context_in_the_job_payload() {
    let mut env = TestEnv::start_with(fast(0)).await;
    let shop = Shop::open(&env, 3).await;
    let api = traced::start(&env).await;
    let spread = qbwc::session(
        &env.http,
        &[format!("{}/qbwc", api.base_url)],
        0,
        &shop.company,
        &shop.user,
        &shop.pass,
    )
    .await
    .expect("session");
    assert_eq!(spread.percents.last(), Some(&100));

    // The job stored in Redis by receiveResponseXML carries the request's W3C trace context.
    let client = redis::Client::open(quayside_tests::harness::redis_url()).expect("redis url");
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .expect("redis");
    let data: std::collections::HashMap<String, Vec<u8>> = redis::cmd("HGETALL")
        .arg(format!("{}:order-push:data", env.redis_namespace))
        .query_async(&mut conn)
        .await
        .expect("job data");
    assert_eq!(data.len(), 1, "one push job");
    let payload: serde_json::Value =
        serde_json::from_slice(data.values().next().expect("job")).expect("json payload");
    let parent = payload["trace"]["traceparent"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(traced::is_traceparent(&parent), "{payload}");
    assert_eq!(payload["order_ids"].as_array().map(Vec::len), Some(3));

    // A job with a trace context runs like any other. (The worker opens its `order_push` span
    // as a child of this context: worker/src/tasks.rs, shared::telemetry::attach_parent.)
    env.start_worker().await.expect("worker");
    shop.wait_pushed(&env, 3, Duration::from_secs(30)).await;
}
