//! The Lua limiter against a real Redis at 127.0.0.1:6379, one key prefix per test.

use super::*;

async fn limiter(limit: u32, window: Duration) -> Limiter {
    let client = redis::Client::open("redis://127.0.0.1:6379").expect("redis url");
    let conn = client
        .get_connection_manager()
        .await
        .expect("redis is running");
    let ns = format!("limiter-test-{}", uuid::Uuid::new_v4().simple());
    Limiter::new(conn, &ns, limit, window)
}

async fn granted(l: &Limiter, bucket: &str) -> usize {
    let mut n = 0;
    for _ in 0..100 {
        match l.acquire(bucket).await.expect("acquire") {
            Permit::Granted { .. } => n += 1,
            Permit::Wait(_) => break,
        }
    }
    n
}

#[tokio::test]
async fn grants_the_limit_then_asks_to_wait_until_the_window_ends() {
    let l = limiter(40, Duration::from_secs(60)).await;
    assert_eq!(
        l.acquire("a").await.expect("first"),
        Permit::Granted { remaining: 39 }
    );
    assert_eq!(granted(&l, "a").await, 39);
    match l.acquire("a").await.expect("over") {
        Permit::Wait(d) => assert!(d > Duration::from_secs(55) && d <= Duration::from_secs(60)),
        other => panic!("expected a wait, got {other:?}"),
    }
    // Another key has its own budget.
    assert_eq!(granted(&l, "b").await, 40);
}

#[tokio::test]
async fn a_new_window_gives_a_new_budget() {
    let l = limiter(3, Duration::from_millis(400)).await;
    assert_eq!(granted(&l, "k").await, 3);
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(granted(&l, "k").await, 3);
}

#[tokio::test]
async fn concurrent_callers_never_exceed_the_limit() {
    let l = limiter(40, Duration::from_secs(60)).await;
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let l = l.clone();
            tokio::spawn(async move { l.acquire("shared").await.expect("acquire") })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        if matches!(t.await.expect("join"), Permit::Granted { .. }) {
            ok += 1;
        }
    }
    assert_eq!(ok, 40);
}

#[tokio::test]
async fn remaining_zero_from_shipstation_blocks_until_reset() {
    let l = limiter(40, Duration::from_secs(60)).await;
    assert!(matches!(
        l.acquire("z").await.expect("first"),
        Permit::Granted { .. }
    ));
    let rate = RateInfo {
        limit: Some(40),
        remaining: Some(0),
        reset: Some(Duration::from_secs(1)),
    };
    l.observe("z", &rate).await.expect("observe");
    match l.acquire("z").await.expect("blocked") {
        Permit::Wait(d) => {
            assert!(d <= Duration::from_millis(1500) && d > Duration::from_millis(900))
        }
        other => panic!("expected a wait, got {other:?}"),
    }
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert!(matches!(
        l.acquire("z").await.expect("after reset"),
        Permit::Granted { .. }
    ));
}

#[tokio::test]
async fn a_lower_remaining_than_counted_raises_the_count() {
    let l = limiter(40, Duration::from_secs(60)).await;
    assert!(matches!(
        l.acquire("r").await.expect("first"),
        Permit::Granted { remaining: 39 }
    ));
    // Someone else (another app with the same key) used 35 of ShipStation's 40.
    let rate = RateInfo {
        limit: Some(40),
        remaining: Some(5),
        reset: Some(Duration::from_secs(30)),
    };
    l.observe("r", &rate).await.expect("observe");
    assert_eq!(granted(&l, "r").await, 5);
}

#[tokio::test]
async fn a_429_blocks_the_bucket() {
    let l = limiter(40, Duration::from_secs(60)).await;
    l.block_for("b", Duration::from_secs(2))
        .await
        .expect("block");
    assert!(matches!(
        l.acquire("b").await.expect("blocked"),
        Permit::Wait(_)
    ));
}

#[test]
fn bucket_names_hide_the_key() {
    let b = bucket_for_key("my-secret-api-key");
    assert_eq!(b.len(), 64);
    assert!(!b.contains("secret"));
    assert_eq!(b, bucket_for_key("my-secret-api-key"));
    assert_ne!(b, bucket_for_key("other"));
}

#[tokio::test]
async fn spend_counts_past_our_estimate_but_obeys_shipstations_block() {
    let l = limiter(2, Duration::from_secs(60)).await;
    assert_eq!(granted(&l, "s").await, 2);
    // Our count is used up: a worker's acquire waits, a person's spend still goes.
    assert!(matches!(
        l.acquire("s").await.expect("acquire"),
        Permit::Wait(_)
    ));
    assert_eq!(
        l.spend("s").await.expect("spend"),
        Permit::Granted { remaining: 0 }
    );
    // ShipStation said the key is out: spend waits too.
    let rate = RateInfo {
        limit: Some(40),
        remaining: Some(0),
        reset: Some(Duration::from_secs(5)),
    };
    l.observe("s", &rate).await.expect("observe");
    assert!(matches!(
        l.spend("s").await.expect("spend"),
        Permit::Wait(_)
    ));
}
