//! The order-push job function against real Postgres and Redis and the fake ShipStation.

mod common;

use std::time::Duration;

use common::{sale, sales, test_config, TestEnv, CREATE_ORDERS};
use quayside_tests::fake_shipstation::FakeConfig;
use worker::push::{push_orders, UNAUTHORIZED_MESSAGE};

#[tokio::test]
async fn a_batch_of_sales_is_one_createorders_call_and_every_order_is_pushed() {
    let env = TestEnv::start(FakeConfig::default()).await;
    let ctx = env.context(test_config());
    let ids = sales(&env, 5).await;
    let report = push_orders(&ctx, &env.job(&ids)).await.expect("push");
    assert_eq!((report.pushed, report.failed, report.calls), (5, 0, 1));
    assert_eq!(env.calls(CREATE_ORDERS, 200), 1);
    assert_eq!(env.calls("GET /stores", 200), 1);
    let manual = env.account.manual_store_id();
    for id in &ids {
        let (status, ss_id, store, err, _) = env.order(*id).await;
        assert_eq!(status, "pushed");
        assert!(ss_id.is_some_and(|v| v > 0));
        assert_eq!(store, Some(manual));
        assert_eq!(err, None);
        let events = env.events(*id).await;
        let (kind, msg) = events.last().expect("an event");
        assert_eq!(kind, "pushed");
        assert!(msg.starts_with("Sent to ShipStation as order 10"), "{msg}");
        assert!(
            msg.ends_with(&format!("(#{})", ss_id.unwrap_or_default())),
            "{msg}"
        );
    }
    assert_eq!(env.fake.orders(&env.account.api_key).len(), 5);

    // At-least-once: running the same job again changes nothing and calls nobody.
    let again = push_orders(&ctx, &env.job(&ids)).await.expect("again");
    assert_eq!(again.calls, 0);
    assert_eq!(env.calls(CREATE_ORDERS, 200), 1);

    // The manual store is cached: a second batch does not list stores again.
    let more = vec![env.add_sale(&sale("TXN-X", "2000")).await];
    push_orders(&ctx, &env.job(&more)).await.expect("push");
    assert_eq!(env.calls("GET /stores", 200), 1);
}

#[tokio::test]
async fn a_rejected_order_fails_with_shipstations_own_message() {
    let env = TestEnv::start(FakeConfig::default()).await;
    let ctx = env.context(test_config());
    let good = env.add_sale(&sale("TXN-1", "1001")).await;
    let mut bad_sale = sale("TXN-2", "1002");
    if let Some(a) = bad_sale.ship_address.as_mut() {
        a.postal_code = None;
    }
    let bad = env.add_sale(&bad_sale).await;
    let report = push_orders(&ctx, &env.job(&[good, bad]))
        .await
        .expect("push");
    assert_eq!((report.pushed, report.failed), (1, 1));
    assert_eq!(env.order(good).await.0, "pushed");
    let (status, _, _, err, _) = env.order(bad).await;
    assert_eq!(status, "failed");
    let err = err.expect("last_error");
    assert!(err.to_lowercase().contains("postalcode"), "{err}");
    assert!(env
        .events(bad)
        .await
        .iter()
        .any(|(k, m)| k == "failed" && *m == err));
}

#[tokio::test]
async fn a_mapping_error_fails_without_calling_shipstation() {
    let env = TestEnv::start(FakeConfig::default()).await;
    let ctx = env.context(test_config());
    let mut s = sale("TXN-1", "1001");
    s.lines.clear();
    let id = env.add_sale(&s).await;
    let report = push_orders(&ctx, &env.job(&[id])).await.expect("push");
    assert_eq!((report.failed, report.calls), (1, 0));
    let (status, _, _, err, _) = env.order(id).await;
    assert_eq!(status, "failed");
    assert!(err.expect("last_error").contains("no item lines"));
}

#[tokio::test]
async fn a_whole_request_400_is_bisected_to_the_bad_part() {
    let env = TestEnv::start(FakeConfig::default()).await;
    let ctx = env.context(test_config());
    // A store in the settings: no GET /stores, so the forced 400 hits createorders.
    env.set_store(env.account.manual_store_id()).await;
    let ids = sales(&env, 4).await;
    env.fake.force_status(&env.account.api_key, 400, 1);
    let report = push_orders(&ctx, &env.job(&ids)).await.expect("push");
    assert_eq!((report.pushed, report.calls), (4, 3));
    assert_eq!(env.calls(CREATE_ORDERS, 400), 1);
    assert_eq!(env.calls(CREATE_ORDERS, 200), 2, "{:?}", env.requests());
    assert_eq!(env.calls("GET /stores", 200), 0);
}

#[tokio::test]
async fn ship_station_errors_are_retried_with_backoff_then_delivered() {
    let env = TestEnv::start(FakeConfig::default()).await;
    let ctx = env.context(test_config());
    let ids = sales(&env, 2).await;
    env.fake.force_status(&env.account.api_key, 500, 2);
    // 1st: GET /stores gets a 500.
    let r1 = push_orders(&ctx, &env.job(&ids)).await.expect("first");
    assert!(r1.retry_in.is_some());
    assert_eq!(env.order(ids[0]).await.4, 1);
    // 2nd: createorders gets a 500.
    let r2 = push_orders(&ctx, &env.job(&ids)).await.expect("second");
    let wait = r2.retry_in.expect("retry");
    assert!(wait >= Duration::from_secs(2), "backoff doubles: {wait:?}");
    assert_eq!(env.order(ids[0]).await.4, 2);
    // 3rd: delivered.
    let r3 = push_orders(&ctx, &env.job(&ids)).await.expect("third");
    assert_eq!(r3.pushed, 2);
    let (status, _, _, _, attempts) = env.order(ids[1]).await;
    assert_eq!((status.as_str(), attempts), ("pushed", 0));
}

#[tokio::test]
async fn an_endless_outage_marks_the_orders_failed_after_the_last_attempt() {
    let env = TestEnv::start(FakeConfig::default()).await;
    let ctx = env.context(worker::WorkerConfig {
        max_attempts: 2,
        ..test_config()
    });
    let ids = sales(&env, 1).await;
    env.fake.force_status(&env.account.api_key, 503, 5);
    push_orders(&ctx, &env.job(&ids)).await.expect("first");
    let r = push_orders(&ctx, &env.job(&ids)).await.expect("second");
    assert_eq!(r.failed, 1);
    let (status, _, _, err, _) = env.order(ids[0]).await;
    assert_eq!(status, "failed");
    assert!(err
        .expect("last_error")
        .starts_with("ShipStation was unavailable: 503"));
}

#[tokio::test]
async fn refused_credentials_fail_the_batch_and_flag_the_connection() {
    let env = TestEnv::start(FakeConfig::default()).await;
    let ctx = env.context(test_config());
    let ids = sales(&env, 2).await;
    env.fake.add_account(&env.account.api_key, "rotated-secret");
    let report = push_orders(&ctx, &env.job(&ids)).await.expect("push");
    assert_eq!(report.failed, 2);
    assert_eq!(
        env.order(ids[0]).await.3.as_deref(),
        Some(UNAUTHORIZED_MESSAGE)
    );
    let mut tx = shared::db::tenant_tx(&env.db, env.tenant)
        .await
        .expect("tx");
    let status: String = sqlx::query_scalar("SELECT status FROM connections WHERE id = $1")
        .bind(env.connection)
        .fetch_one(&mut *tx)
        .await
        .expect("status");
    assert_eq!(status, "invalid_credentials");
}

#[tokio::test]
async fn a_shipped_order_is_not_overwritten() {
    let env = TestEnv::start(FakeConfig::default()).await;
    let ctx = env.context(test_config());
    let id = env.add_sale(&sale("TXN-1", "1001")).await;
    push_orders(&ctx, &env.job(&[id])).await.expect("push");
    let key = shared::mapping::order_key(env.connection.0, "TXN-1");
    env.fake
        .set_order_status(&env.account.api_key, &key, "shipped")
        .expect("ship");
    // The sale changed in QuickBooks: the api asks for a resend.
    env.exec("UPDATE orders SET status = 'pending' WHERE id = $1", id)
        .await;
    let report = push_orders(&ctx, &env.job(&[id])).await.expect("resend");
    assert_eq!(report.locked, 1);
    assert_eq!(env.order(id).await.0, "pushed");
    assert!(env.events(id).await.iter().any(|(k, _)| k == "locked"));
}

#[tokio::test]
async fn out_of_budget_jobs_are_rescheduled_not_slept_on() {
    let env = TestEnv::start(FakeConfig::default()).await;
    let ctx = env.context(worker::WorkerConfig {
        rate_limit: 1,
        ..test_config()
    });
    let ids = sales(&env, 1).await;
    // The one request of the window goes to GET /stores; createorders must wait.
    let started = std::time::Instant::now();
    let report = push_orders(&ctx, &env.job(&ids)).await.expect("push");
    assert!(started.elapsed() < Duration::from_secs(5));
    let wait = report.deferred_for.expect("deferred");
    assert!(wait > Duration::from_secs(50), "{wait:?}");
    assert_eq!(env.order(ids[0]).await.0, "pending");
    assert_eq!(ctx.queues.order_push_depth().await.expect("depth"), 1);
}

#[tokio::test]
async fn the_rate_headers_of_an_error_count_so_the_retry_waits_instead_of_meeting_a_429() {
    // Another app shares the key: ShipStation's window holds 2 requests, ours thinks 40.
    let env = TestEnv::start(FakeConfig {
        rate_limit: 2,
        ..FakeConfig::default()
    })
    .await;
    let ctx = env.context(test_config());
    let ids = sales(&env, 1).await;
    // GET /stores spends one, the createorders that meets a 500 the last one.
    env.fake
        .force_status_on(&env.account.api_key, "/orders/createorders", 500);
    let first = push_orders(&ctx, &env.job(&ids)).await.expect("first");
    assert!(first.retry_in.is_some(), "{first:?}");
    let retry = push_orders(&ctx, &env.job(&ids)).await.expect("retry");
    assert!(
        retry.deferred_for.is_some(),
        "the 500's Remaining: 0 is known: {retry:?}"
    );
    assert_eq!(env.calls(CREATE_ORDERS, 429), 0, "{:?}", env.requests());
    assert_eq!(env.order(ids[0]).await.0, "pending");
}

#[tokio::test]
async fn a_batch_that_keeps_meeting_500s_goes_on_in_halves() {
    let env = TestEnv::start(FakeConfig::default()).await;
    let ctx = env.context(test_config());
    env.set_store(env.account.manual_store_id()).await;
    let ids = sales(&env, 4).await;
    env.fake.force_status(&env.account.api_key, 500, 2);
    let depth = || async { ctx.queues.order_push_depth().await.expect("depth") };
    let before = depth().await;
    let first = push_orders(&ctx, &env.job(&ids)).await.expect("first");
    assert!(first.retry_in.is_some(), "{first:?}");
    assert_eq!(
        depth().await,
        before + 1,
        "the first 500 retries the batch whole"
    );
    let second = push_orders(&ctx, &env.job(&ids)).await.expect("second");
    assert!(second.retry_in.is_some(), "{second:?}");
    assert_eq!(depth().await, before + 3, "the second goes on as two jobs");
    // Each half on its own: both delivered.
    let (a, b) = ids.split_at(2);
    assert_eq!(push_orders(&ctx, &env.job(a)).await.expect("a").pushed, 2);
    assert_eq!(push_orders(&ctx, &env.job(b)).await.expect("b").pushed, 2);
}
