//! The tracking-pull job function against real Postgres and Redis and the fake ShipStation.

mod common;

use common::{sales, test_config, TestEnv};
use quayside_tests::fake_shipstation::{FakeConfig, ShipSpec};
use shared::db::tracking::keys;
use shared::jobs::{PullReason, TrackingPullV1};
use worker::push::push_orders;
use worker::tracking::{lock, pull_tracking};

fn job(env: &TestEnv) -> TrackingPullV1 {
    TrackingPullV1 {
        tenant_id: env.tenant,
        connection_id: env.connection,
        reason: PullReason::Manual,
        trace: Default::default(),
    }
}

async fn queued(env: &TestEnv) -> bool {
    let n: i64 = redis::cmd("EXISTS")
        .arg(keys::pull_queued(&env.namespace, env.connection))
        .query_async(&mut env.redis.clone())
        .await
        .expect("exists");
    n == 1
}

async fn pending_write_backs(env: &TestEnv) -> i64 {
    let mut tx = shared::db::tenant_tx(&env.db, env.tenant)
        .await
        .expect("tx");
    let rows = shared::db::tracking::pending_write_backs(&mut tx, env.connection)
        .await
        .expect("rows");
    tx.commit().await.expect("commit");
    i64::try_from(rows.len()).unwrap_or_default()
}

/// Two sales pushed to the fake; returns the order keys.
async fn pushed(env: &TestEnv) -> Vec<String> {
    let ctx = env.context(test_config());
    let ids = sales(env, 2).await;
    let report = push_orders(&ctx, &env.job(&ids)).await.expect("push");
    assert_eq!(report.pushed, 2);
    env.fake
        .orders(&env.account.api_key)
        .iter()
        .filter_map(|o| o["orderKey"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_pull_records_once_ignores_strangers_and_moves_the_watermark() {
    let env = TestEnv::start(FakeConfig::default()).await;
    let keys = pushed(&env).await;
    let key = &env.account.api_key;
    for k in &keys {
        env.fake
            .ship_order(key, k, ShipSpec::default())
            .await
            .expect("ship");
    }
    // The second order is no longer Quayside's: its label must be ignored.
    let mut tx = shared::db::tenant_tx(&env.db, env.tenant)
        .await
        .expect("tx");
    sqlx::query(
        "UPDATE orders SET order_key = 'someone-else', shipstation_order_id = NULL
         WHERE order_key = $1",
    )
    .bind(&keys[1])
    .execute(&mut *tx)
    .await
    .expect("update");
    tx.commit().await.expect("commit");
    let ctx = env.context(test_config());
    let first = pull_tracking(&ctx, &job(&env)).await.expect("pull");
    assert_eq!(
        (first.matched, first.unmatched, first.write_backs),
        (1, 1, 1)
    );
    assert!(first.watermark.is_some());
    assert_eq!(pending_write_backs(&env).await, 1);

    // The overlap reads the same label again: nothing changes.
    let again = pull_tracking(&ctx, &job(&env)).await.expect("pull");
    assert_eq!((again.matched, again.write_backs), (1, 0));
    assert_eq!(pending_write_backs(&env).await, 1);
    let queries: Vec<String> = env
        .fake
        .request_log(key)
        .into_iter()
        .filter(|r| r.path == "/shipments")
        .map(|r| r.query)
        .collect();
    assert!(queries[0].contains("createDateStart=") && queries[0].contains("pageSize=500"));
    assert!(
        queries.iter().any(|q| q.contains("voidDateStart=")),
        "the void pass runs once live labels exist: {queries:?}"
    );
}

#[tokio::test]
async fn a_busy_connection_is_pulled_again_when_the_running_pull_ends() {
    let env = TestEnv::start(FakeConfig::default()).await;
    let ctx = env.context(test_config());
    let held = lock::acquire(&env.redis, &env.namespace, env.connection)
        .await
        .expect("redis")
        .expect("free");
    let busy = pull_tracking(&ctx, &job(&env)).await.expect("pull");
    assert!(busy.busy);
    assert!(
        lock::acquire(&env.redis, &env.namespace, env.connection)
            .await
            .expect("redis")
            .is_none(),
        "still held"
    );
    held.release(&env.redis).await.expect("release");
    // The next pull to finish sees the request and queues one more.
    let done = pull_tracking(&ctx, &job(&env)).await.expect("pull");
    assert!(done.skipped, "no order in ShipStation yet");
    assert!(queued(&env).await, "a rerun was queued");
    assert!(
        !lock::take_rerun(&env.redis, &env.namespace, env.connection)
            .await
            .expect("redis")
    );
}

#[tokio::test]
async fn out_of_budget_pulls_are_rescheduled_not_slept_on() {
    let env = TestEnv::start(FakeConfig::default()).await;
    pushed(&env).await;
    // Two requests of the key's window went to the push; a budget of 1 is spent.
    let ctx = env.context(worker::WorkerConfig {
        rate_limit: 1,
        ..test_config()
    });
    let started = std::time::Instant::now();
    let report = pull_tracking(&ctx, &job(&env)).await.expect("pull");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert!(report.deferred_for.is_some(), "{report:?}");
    assert_eq!(report.pages, 0);
    assert!(report.watermark.is_none());
    assert!(queued(&env).await, "the deferred pull waits in the queue");
}

#[tokio::test]
async fn a_void_pass_cut_short_keeps_the_watermark_so_no_void_is_missed() {
    let env = TestEnv::start(FakeConfig::default()).await;
    let keys = pushed(&env).await;
    for k in &keys {
        env.fake
            .ship_order(&env.account.api_key, k, ShipSpec::default())
            .await
            .expect("ship");
    }
    // The first pull records the labels (the push's two requests and its two pages).
    let first = pull_tracking(&env.context(test_config()), &job(&env))
        .await
        .expect("first pull");
    let moved = first.watermark.expect("the first pull moves the watermark");
    // The next pull's created labels and fulfillments take the last two requests of the
    // window, and its void pass finds the budget gone.
    let ctx = env.context(worker::WorkerConfig {
        rate_limit: 6,
        ..test_config()
    });
    let cut = pull_tracking(&ctx, &job(&env)).await.expect("pull");
    assert_eq!(cut.pages, 2, "{cut:?}");
    assert!(cut.deferred_for.is_some(), "{cut:?}");
    assert!(
        cut.watermark.is_none(),
        "voids since the old start are read again next time: {cut:?}"
    );
    let mut tx = shared::db::tenant_tx(&env.db, env.tenant)
        .await
        .expect("tx");
    let target = shared::db::tracking::pull_target(&mut tx, env.connection)
        .await
        .expect("target")
        .expect("connection");
    tx.commit().await.expect("commit");
    // Postgres keeps microseconds.
    assert_eq!(
        target.watermark.map(|w| w.timestamp_micros()),
        Some(moved.timestamp_micros())
    );
}
