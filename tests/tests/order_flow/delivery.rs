//! Exactly-once delivery: edits update the same orders, 429 storms and 500s end with every
//! order delivered once, two tenants never mix, a worker killed mid-batch loses and
//! duplicates nothing.

use std::time::Duration;

use chrono::NaiveDate;
use quayside_tests::harness::TestEnv;
use quayside_tests::qb_company::{Address, CustomerSpec, LineEntry, TxnId};
use serde_json::{json, Value};

use super::common::*;

/// Generated sales include fractional rope lengths; round them up so every sale is sendable.
fn round_up() -> Value {
    json!({"fractional_quantities": "round_up"})
}

fn keys(shop: &Shop, txns: &[TxnId]) -> Vec<String> {
    txns.iter().map(|t| shop.order_key(t)).collect()
}

fn order_ids(fake: &[Value]) -> Vec<(String, i64)> {
    let mut ids: Vec<(String, i64)> = fake
        .iter()
        .map(|o| {
            (
                o["orderKey"].as_str().unwrap_or_default().to_string(),
                o["orderId"].as_i64().unwrap_or_default(),
            )
        })
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn edits_in_quickbooks_update_the_same_shipstation_orders() {
    let env = TestEnv::start_with(fast(1)).await;
    let shop = Shop::open(&env, round_up()).await;
    let txns = shop.company.generate_invoices(5);
    shop.sync(&env).await;
    shop.settled(&env, 5).await;
    let before = order_ids(&shop.fake_orders(&env));
    assert_eq!(before.len(), 5);

    // A new number and date, a new memo and quantity: the same orders, updated.
    shop.company.advance_clock(3600);
    let new_date = NaiveDate::from_ymd_opt(2026, 12, 24).unwrap_or_default();
    assert!(shop.company.edit(&txns[0], |t| {
        t.ref_number = Some("R-90001".into());
        t.txn_date = new_date;
    }));
    assert!(shop.company.edit(&txns[1], |t| {
        t.memo = Some("Call before delivery".into());
        if let Some(LineEntry::Line(l)) = t.lines.first_mut() {
            l.quantity = Some(7.into());
            l.amount = l.rate.unwrap_or_default() * rust_decimal::Decimal::from(7);
        }
    }));
    shop.sync(&env).await;
    let orders = shop.settled(&env, 5).await;
    assert_eq!(with_status(&orders, "pushed").len(), 5, "{orders:?}");
    let renumbered = shop.fake_order(&env, &txns[0]);
    assert_eq!(renumbered["orderNumber"], "R-90001");
    assert!(
        renumbered["orderDate"]
            .as_str()
            .unwrap_or_default()
            .starts_with("2026-12-24"),
        "{renumbered}"
    );
    assert_eq!(shop.order(&env, &txns[0]).await["ref_number"], "R-90001");
    let noted = shop.fake_order(&env, &txns[1]);
    assert_eq!(noted["customerNotes"], "Call before delivery");
    assert_eq!(noted["items"][0]["quantity"], 7);
    let after = order_ids(&shop.fake_orders(&env));
    assert_eq!(
        after, before,
        "same order keys, same ShipStation orderIds, no duplicates"
    );
    assert_delivered_once(&shop.fake_orders(&env), &orders, &keys(&shop, &txns));

    // A run with no changes sends nothing.
    let calls = shop.create_calls(&env);
    shop.sync(&env).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(shop.create_calls(&env), calls);
}

#[tokio::test]
async fn a_429_storm_and_a_low_rate_limit_end_with_every_order_delivered_once() {
    let env = TestEnv::start_with(fast(2)).await;
    let shop = Shop::open(&env, round_up()).await;
    let txns = shop.company.generate_invoices(350);
    // ShipStation answers 429 four times, then allows only 2 requests per 2 s: the workers
    // (which believe in 40 per minute) must follow its headers.
    env.fake.force_status(shop.key(), 429, 4);
    env.fake.set_rate_limit(2);
    env.fake.set_rate_window(Duration::from_secs(2));
    shop.sync(&env).await;
    let orders = shop.settled(&env, 350).await;
    assert_delivered_once(&shop.fake_orders(&env), &orders, &keys(&shop, &txns));
    let log = env.fake.request_log(shop.key());
    let refused = log.iter().filter(|r| r.status == 429).count();
    assert!(refused >= 4, "the forced 429s were met: {log:?}");
    let calls = shop.create_calls(&env);
    assert!(calls.get(&200).copied().unwrap_or(0) >= 4, "{calls:?}");
}

#[tokio::test]
async fn server_errors_are_retried_until_every_order_is_delivered_once() {
    let env = TestEnv::start_with(fast(2)).await;
    let shop = Shop::open(&env, round_up()).await;
    let txns = shop.company.generate_invoices(300);
    env.fake.force_status(shop.key(), 500, 2);
    env.fake.set_fault_rate(0.3);
    shop.sync(&env).await;
    let orders = shop.settled(&env, 300).await;
    env.fake.set_fault_rate(0.0);
    assert_delivered_once(&shop.fake_orders(&env), &orders, &keys(&shop, &txns));
    let log = env.fake.request_log(shop.key());
    assert!(
        log.iter().filter(|r| r.status == 500).count() >= 2,
        "{log:?}"
    );
}

#[tokio::test]
async fn two_tenants_pushing_at_once_never_mix_orders() {
    let env = TestEnv::start_with(fast(2)).await;
    let a = Shop::open(&env, round_up()).await;
    let b = Shop::open(&env, round_up()).await;
    for (shop, name) in [(&a, "Alpha Buyer"), (&b, "Bravo Buyer")] {
        shop.company.add_customer(CustomerSpec {
            name: name.into(),
            ship_address: Some(Address::new(&[name, "2 Bay Rd"], "Reno", "NV", "89501")),
            ..CustomerSpec::default()
        });
    }
    // Both company files number their sales the same way: same TxnIDs in both tenants.
    let a_txns = a.company.generate_invoices(150);
    let b_txns = b.company.generate_invoices(150);
    assert_eq!(a_txns, b_txns);
    tokio::join!(a.sync(&env), b.sync(&env));
    let (a_orders, b_orders) = tokio::join!(a.settled(&env, 150), b.settled(&env, 150));
    let (a_fake, b_fake) = (a.fake_orders(&env), b.fake_orders(&env));
    assert_delivered_once(&a_fake, &a_orders, &keys(&a, &a_txns));
    assert_delivered_once(&b_fake, &b_orders, &keys(&b, &b_txns));
    assert!(a_fake
        .iter()
        .all(|o| o["customerUsername"] == "Alpha Buyer"));
    assert!(b_fake
        .iter()
        .all(|o| o["customerUsername"] == "Bravo Buyer"));
    // Each tenant sees only its own orders through the API.
    let other = env.get(Some(&a.tenant), &b.path("/orders")).await;
    assert_eq!(other.status, 404);
}

#[tokio::test]
async fn a_worker_killed_mid_batch_loses_and_duplicates_nothing() {
    let env = TestEnv::start_with(fast(1).with_env("WORKER_CONCURRENCY", "1")).await;
    let mut env = env;
    let shop = Shop::open(&env, round_up()).await;
    let txns = shop.company.generate_invoices(250);
    // ShipStation stores each batch at once and answers 5 s later.
    env.fake.set_reply_delay(Duration::from_secs(5));
    shop.sync(&env).await;
    // One batch is answered and recorded; a later one is stored, its answer still on its way
    // (for 5 s) when the worker dies.
    env.eventually(
        "a batch stored but not yet answered",
        Duration::from_secs(60),
        || async {
            let pushed = with_status(&shop.orders(&env).await, "pushed").len();
            let held = shop.fake_orders(&env).len();
            (pushed > 0 && held > pushed).then_some(())
        },
    )
    .await;
    env.workers[0].kill_hard().await;
    let pushed_at_kill = with_status(&shop.orders(&env).await, "pushed").len();
    assert!(pushed_at_kill < 250, "the kill landed after the last batch");
    let held_at_kill = shop.fake_orders(&env).len();
    // The hard case: ShipStation stored the in-flight batch, Quayside never heard back.
    assert!(
        pushed_at_kill < held_at_kill,
        "at the kill: {pushed_at_kill} recorded pushed, {held_at_kill} held by ShipStation"
    );

    env.fake.set_reply_delay(Duration::ZERO);
    env.fake.set_latency(Duration::from_millis(100));
    env.start_worker().await.expect("a new worker starts");
    let orders = shop.settled(&env, 250).await;
    assert_delivered_once(&shop.fake_orders(&env), &orders, &keys(&shop, &txns));
}

#[tokio::test]
async fn a_sale_voided_in_quickbooks_cancels_its_shipstation_order_and_ships_nothing() {
    let env = TestEnv::start_with(fast(1)).await;
    let shop = Shop::open(&env, round_up()).await;
    let txns = shop.company.generate_invoices(2);
    shop.sync(&env).await;
    shop.settled(&env, 2).await;
    let sent = shop.fake_order(&env, &txns[0]);
    assert_eq!(sent["orderStatus"], "awaiting_shipment");

    // Voided after it reached ShipStation: the same order, cancelled.
    shop.company.advance_clock(600);
    assert!(shop.company.void(&txns[0]));
    // Voided before it was ever sent: nothing to ship, nothing sent.
    let late = shop.company.generate_invoices(1);
    assert!(shop.company.void(&late[0]));
    let calls = shop.create_calls(&env);
    shop.sync(&env).await;
    let orders = shop.settled(&env, 3).await;

    let cancelled = shop.fake_order(&env, &txns[0]);
    assert_eq!(cancelled["orderStatus"], "cancelled", "{cancelled}");
    assert_eq!(
        cancelled["orderId"], sent["orderId"],
        "the same ShipStation order"
    );
    let ours = shop.order(&env, &txns[0]).await;
    assert_eq!(ours["status"], "skipped", "{ours}");
    assert!(
        ours["skip_reason"]
            .as_str()
            .unwrap_or_default()
            .contains("cancelled"),
        "{ours}"
    );
    let detail = shop.detail(&env, &ours).await;
    assert!(
        detail["events"]
            .as_array()
            .is_some_and(|e| e.iter().any(|e| e["kind"] == "cancelled")),
        "{detail}"
    );

    let never = shop.order(&env, &late[0]).await;
    assert_eq!(never["status"], "skipped", "{never}");
    assert!(never["shipstation_order_id"].is_null(), "{never}");
    let keys: Vec<String> = shop
        .fake_orders(&env)
        .iter()
        .map(|o| o["orderKey"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(!keys.contains(&shop.order_key(&late[0])), "{keys:?}");
    // The other sale is untouched; one more createorders call carried the cancellation.
    assert_eq!(with_status(&orders, "pushed").len(), 1, "{orders:?}");
    assert_eq!(
        shop.fake_order(&env, &txns[1])["orderStatus"],
        "awaiting_shipment"
    );
    let after = shop.create_calls(&env);
    assert_eq!(
        after.values().sum::<usize>(),
        calls.values().sum::<usize>() + 1,
        "{calls:?} -> {after:?}"
    );

    // Further syncs leave the cancelled order alone.
    shop.company.advance_clock(600);
    assert!(shop.company.edit(&txns[0], |t| t.other = Some("x".into())));
    shop.sync(&env).await;
    let again = shop.settled(&env, 3).await;
    let ours = again
        .iter()
        .find(|o| o["txn_id"] == txns[0].as_str())
        .cloned()
        .unwrap_or_default();
    assert_eq!(ours["status"], "skipped", "{ours}");
    assert_eq!(shop.fake_order(&env, &txns[0])["orderStatus"], "cancelled");

    // Cancelled by hand in ShipStation first, then voided: ShipStation refuses the update of
    // a cancelled order, which is what the void wanted; skipped, not pushed or failed.
    env.fake
        .set_order_status(shop.key(), &shop.order_key(&txns[1]), "cancelled")
        .expect("cancel by hand");
    shop.company.advance_clock(600);
    assert!(shop.company.void(&txns[1]));
    shop.sync(&env).await;
    shop.settled(&env, 3).await;
    let by_hand = shop.order(&env, &txns[1]).await;
    assert_eq!(by_hand["status"], "skipped", "{by_hand}");
    assert!(
        by_hand["skip_reason"]
            .as_str()
            .unwrap_or_default()
            .contains("cancelled"),
        "{by_hand}"
    );
}

#[tokio::test]
async fn an_edit_shipstation_refuses_with_a_whole_request_400_because_it_shipped_is_not_a_failure()
{
    // How ShipStation refuses an update of a shipped order is unconfirmed: here the whole
    // createorders request is a 400 naming the order.
    let env = TestEnv::start_with(fast(1)).await;
    let shop = Shop::open(&env, round_up()).await;
    let txns = shop.company.generate_invoices(2);
    shop.sync(&env).await;
    shop.settled(&env, 2).await;
    env.fake.set_locked_order_policy(
        quayside_tests::fake_shipstation::LockedOrderPolicy::RejectRequest,
    );
    env.fake
        .set_order_status(shop.key(), &shop.order_key(&txns[0]), "shipped")
        .expect("shipped in ShipStation");

    shop.company.advance_clock(600);
    for (txn, memo) in [(&txns[0], "Too late"), (&txns[1], "Leave at the back door")] {
        assert!(shop.company.edit(txn, |t| t.memo = Some(memo.to_string())));
    }
    shop.sync(&env).await;
    shop.settled(&env, 2).await;

    let shipped = shop.order(&env, &txns[0]).await;
    assert_eq!(shipped["status"], "pushed", "{shipped}");
    assert!(shipped["last_error"].is_null(), "{shipped}");
    let detail = shop.detail(&env, &shipped).await;
    assert!(
        detail["events"]
            .as_array()
            .is_some_and(|e| e.iter().any(|e| e["kind"] == "locked")),
        "{detail}"
    );
    assert_eq!(shop.fake_order(&env, &txns[0])["orderStatus"], "shipped");
    // The batch was split: the other order's edit went through.
    assert_eq!(shop.order(&env, &txns[1]).await["status"], "pushed");
    assert_eq!(
        shop.fake_order(&env, &txns[1])["customerNotes"],
        "Leave at the back door"
    );
}

#[tokio::test]
async fn an_edited_sale_keeps_what_staff_set_in_shipstation() {
    let env = TestEnv::start_with(fast(1)).await;
    let shop = Shop::open(&env, round_up()).await;
    let txns = shop.company.generate_invoices(2);
    shop.sync(&env).await;
    shop.settled(&env, 2).await;

    // In ShipStation: put on hold, weighed, given a carrier and service and a note.
    env.fake
        .edit_order(
            shop.key(),
            &shop.order_key(&txns[0]),
            &json!({
                "orderStatus": "on_hold",
                "holdUntilDate": "2030-01-15",
                "weight": {"value": 40, "units": "ounces"},
                "carrierCode": "ups",
                "serviceCode": "ups_ground",
                "internalNotes": "Fragile: double box"
            }),
        )
        .expect("staff edit");

    // In QuickBooks: a new memo, the same items.
    shop.company.advance_clock(600);
    assert!(shop
        .company
        .edit(&txns[0], |t| t.memo = Some("Call before delivery".into())));
    shop.sync(&env).await;
    shop.settled(&env, 2).await;
    let sent = shop.fake_order(&env, &txns[0]);
    assert_eq!(sent["customerNotes"], "Call before delivery", "{sent}");
    assert_eq!(sent["orderStatus"], "on_hold", "{sent}");
    assert_eq!(sent["holdUntilDate"], "2030-01-15");
    assert_eq!(sent["weight"]["value"], 40.0);
    assert_eq!(sent["carrierCode"], "ups");
    assert_eq!(sent["serviceCode"], "ups_ground");
    assert_eq!(sent["internalNotes"], "Fragile: double box");
    let ours = shop.order(&env, &txns[0]).await;
    assert_eq!(ours["status"], "pushed", "{ours}");
    let detail = shop.detail(&env, &ours).await;
    let kept: Vec<&str> = detail["events"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter_map(|e| e["message"].as_str())
                .filter(|m| m.starts_with("Kept from ShipStation"))
                .collect()
        })
        .unwrap_or_default();
    // What staff set, and nothing of ShipStation's defaults (gift false, no insurance ...).
    assert_eq!(
        kept,
        ["Kept from ShipStation: on hold, carrier and service, weight, internal notes."],
        "{detail}"
    );
    // The other order was not read back: it was not updated.
    let gets = env
        .fake
        .request_log(shop.key())
        .iter()
        .filter(|r| r.method == "GET" && r.path.starts_with("/orders/"))
        .count();
    assert_eq!(gets, 1);

    // More of an item in QuickBooks: the old weight no longer holds and goes; the rest stays.
    shop.company.advance_clock(600);
    assert!(shop.company.edit(&txns[0], |t| {
        if let Some(LineEntry::Line(l)) = t.lines.first_mut() {
            let q = l.quantity.unwrap_or_default() + rust_decimal::Decimal::ONE;
            l.quantity = Some(q);
            l.amount = l.rate.unwrap_or_default() * q;
        }
    }));
    shop.sync(&env).await;
    shop.settled(&env, 2).await;
    let sent = shop.fake_order(&env, &txns[0]);
    assert!(
        sent["weight"].is_null() || sent["weight"]["value"] != 40.0,
        "{sent}"
    );
    assert_eq!(sent["carrierCode"], "ups");
    assert_eq!(sent["orderStatus"], "on_hold");
}

#[tokio::test]
async fn an_edit_still_goes_when_its_shipstation_order_cannot_be_read() {
    let env = TestEnv::start_with(fast(1)).await;
    let shop = Shop::open(&env, round_up()).await;
    let txns = shop.company.generate_invoices(1);
    shop.sync(&env).await;
    shop.settled(&env, 1).await;
    let id = shop.fake_order(&env, &txns[0])["orderId"]
        .as_i64()
        .expect("order id");
    env.fake
        .force_status_on(shop.key(), &format!("/orders/{id}"), 500);

    shop.company.advance_clock(600);
    assert!(shop
        .company
        .edit(&txns[0], |t| t.memo = Some("Gate code 4417".into())));
    shop.sync(&env).await;
    shop.settled(&env, 1).await;
    assert_eq!(shop.order(&env, &txns[0]).await["status"], "pushed");
    assert_eq!(
        shop.fake_order(&env, &txns[0])["customerNotes"],
        "Gate code 4417"
    );
    let refused = env
        .fake
        .request_log(shop.key())
        .iter()
        .filter(|r| r.path == format!("/orders/{id}") && r.status == 500)
        .count();
    assert_eq!(refused, 1, "read once, then sent from the sale");
}
