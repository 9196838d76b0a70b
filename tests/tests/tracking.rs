//! Issue 5, ShipStation side, end to end: sales synced by the simulated Web Connector and
//! pushed by real workers; labels "bought" and voided in the fake ShipStation; tracking pulled
//! by the scheduler and by the SHIP_NOTIFY webhook into orders, shipments and pending
//! write-backs.

#[path = "tracking/support.rs"]
mod support;

use std::time::Duration;

use quayside_tests::fake_shipstation::ShipSpec;
use quayside_tests::harness::TestEnv;
use serde_json::json;
use support::{fast, shipment_pulls, Shop, WriteBack, SETTLE};

fn label(tracking: &str, cost: f64, packages: usize) -> ShipSpec {
    ShipSpec {
        tracking_number: Some(tracking.into()),
        carrier_code: "ups".into(),
        service_code: Some("ups_ground".into()),
        shipment_cost: cost,
        insurance_cost: 1.25,
        packages,
        notify: false,
        ..ShipSpec::default()
    }
}

#[tokio::test]
async fn scheduled_pulls_record_every_package_and_queue_one_write_back_per_order() {
    let env = TestEnv::start_with(fast(1, 1)).await;
    let shop = Shop::open(&env, json!({"write_shipping_cost_to_quickbooks": true})).await;
    let txns = shop.company.generate_invoices(3);
    shop.sync_and_push(&env, 3).await;

    env.fake
        .ship_order(
            shop.key(),
            &shop.order_key(&txns[0]),
            label("1ZSINGLE01", 8.5, 1),
        )
        .await
        .expect("ship");
    env.fake
        .ship_order(
            shop.key(),
            &shop.order_key(&txns[1]),
            label("1ZMULTI", 5.0, 3),
        )
        .await
        .expect("ship");

    let single = shop
        .wait_order(&env, &txns[0], |o| o["status"] == "shipped")
        .await;
    assert_eq!(single["tracking_numbers"], json!(["1ZSINGLE01"]));
    assert_eq!(
        single["shipping_cost"].to_string().trim_matches('"'),
        "9.75"
    );
    let multi = shop
        .wait_order(&env, &txns[1], |o| o["status"] == "shipped")
        .await;
    assert_eq!(
        multi["tracking_numbers"],
        json!(["1ZMULTI", "1ZMULTI-2", "1ZMULTI-3"]),
        "several packages keep every tracking number, in order"
    );
    assert_eq!(
        multi["shipping_cost"].to_string().trim_matches('"'),
        "18.75"
    );
    let untouched = shop.order(&env, &txns[2]).await;
    assert_eq!(untouched["status"], "pushed");
    assert_eq!(untouched["tracking_numbers"], json!([]));

    // Several more scheduled pulls change nothing: one write-back per order, no new events.
    let events_before = shop.events(&env, &single).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let wbs = shop.write_backs(&env).await;
    assert_eq!(wbs.len(), 2, "{wbs:?}");
    let w0 = wbs
        .iter()
        .find(|w| w.order_id == single["id"])
        .expect("write-back of the single");
    assert_eq!(w0.status, "pending");
    assert_eq!(w0.add_tracking, vec!["1ZSINGLE01"]);
    assert!(w0.remove_tracking.is_empty());
    assert_eq!(w0.shipping_cost.as_deref(), Some("9.75"));
    assert!(w0.ship_date.is_some());
    let w1 = wbs
        .iter()
        .find(|w| w.order_id == multi["id"])
        .expect("write-back of the multi");
    assert_eq!(w1.add_tracking, vec!["1ZMULTI", "1ZMULTI-2", "1ZMULTI-3"]);
    assert_eq!(w1.shipping_cost.as_deref(), Some("18.75"));
    assert_eq!(shop.events(&env, &single).await, events_before);
    assert!(
        events_before
            .iter()
            .any(|e| e == "Shipped via UPS: tracking 1ZSINGLE01"),
        "{events_before:?}"
    );
    assert_eq!(shop.shipment_rows(&env).await, 4);
}

#[tokio::test]
async fn orders_marked_shipped_without_a_label_get_their_tracking_from_fulfillments() {
    let env = TestEnv::start_with(fast(1, 1)).await;
    let shop = Shop::open(&env, json!({"write_shipping_cost_to_quickbooks": true})).await;
    let txns = shop.company.generate_invoices(1);
    shop.sync_and_push(&env, 1).await;
    let pushed = shop.order(&env, &txns[0]).await;
    let order_id = pushed["shipstation_order_id"]
        .as_i64()
        .expect("ShipStation order id");

    // Marked shipped through ShipStation's API, as a merchant shipping by other means would.
    let marked = reqwest::Client::new()
        .post(format!("{}/orders/markasshipped", env.fake.base_url()))
        .basic_auth(shop.key(), Some("secret"))
        .json(
            &json!({"orderId": order_id, "carrierCode": "usps", "trackingNumber": "9400FULFIL1",
            "notifyCustomer": false, "notifyMarketplace": false}),
        )
        .send()
        .await
        .expect("markasshipped");
    assert!(marked.status().is_success(), "{}", marked.status());

    let shipped = shop
        .wait_order(&env, &txns[0], |o| o["status"] == "shipped")
        .await;
    assert_eq!(shipped["tracking_numbers"], json!(["9400FULFIL1"]));
    assert!(shipped["shipping_cost"].is_null(), "no postage: {shipped}");
    let wbs = shop.wait_write_backs(&env, |w| !w.is_empty()).await;
    assert_eq!(wbs[0].add_tracking, vec!["9400FULFIL1"]);
    assert_eq!(wbs[0].shipping_cost, None, "no postage, no cost line");

    // Later pulls read it again and change nothing.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(shop.write_backs(&env).await.len(), 1);
    assert_eq!(shop.shipment_rows(&env).await, 1);
}

#[tokio::test]
async fn an_api_without_fulfillments_still_completes_its_pulls() {
    let env = TestEnv::start_with(fast(1, 1)).await;
    let shop = Shop::open(&env, json!({})).await;
    env.fake.force_status_on(shop.key(), "/fulfillments", 404);
    let txns = shop.company.generate_invoices(1);
    shop.sync_and_push(&env, 1).await;
    let ids = env
        .fake
        .ship_order(
            shop.key(),
            &shop.order_key(&txns[0]),
            label("1ZNOFUL", 3.0, 1),
        )
        .await
        .expect("ship");
    shop.wait_order(&env, &txns[0], |o| o["status"] == "shipped")
        .await;
    // The pull completes: its watermark moves past the label.
    env.eventually("the shipments watermark moves", support::SETTLE, || async {
        let (mark,): (Option<chrono::DateTime<chrono::Utc>>,) =
            sqlx::query_as("SELECT shipments_watermark FROM connections WHERE id = $1")
                .bind(shop.conn)
                .fetch_one(&env.db().await)
                .await
                .expect("watermark");
        mark.map(|_| ())
    })
    .await;
    env.fake.void_shipment(shop.key(), ids[0]).expect("void");
    let back = shop
        .wait_order(&env, &txns[0], |o| o["status"] == "pushed")
        .await;
    assert_eq!(back["tracking_numbers"], json!([]));
}

#[tokio::test]
async fn voided_labels_are_never_written_and_written_ones_are_reconciled() {
    let env = TestEnv::start_with(fast(1, 1)).await;
    let shop = Shop::open(&env, json!({})).await;
    let txns = shop.company.generate_invoices(2);
    shop.sync_and_push(&env, 2).await;

    // Order 0: two packages, written back, then the first label is voided.
    let ids = env
        .fake
        .ship_order(
            shop.key(),
            &shop.order_key(&txns[0]),
            label("1ZVOIDA", 7.0, 2),
        )
        .await
        .expect("ship");
    let first = shop
        .wait_order(&env, &txns[0], |o| o["status"] == "shipped")
        .await;
    let written = shop.wait_write_backs(&env, |w| w.len() == 1).await;
    shop.deliver(&env, &written[0]).await;
    env.fake.void_shipment(shop.key(), ids[0]).expect("void");
    let after = shop
        .wait_order(&env, &txns[0], |o| {
            o["tracking_numbers"] == json!(["1ZVOIDA-2"])
        })
        .await;
    assert_eq!(after["status"], "shipped", "a new write-back is due");
    let due = shop
        .wait_write_backs(&env, |w| w.iter().any(|w| w.status == "pending"))
        .await;
    let pending: Vec<&WriteBack> = due.iter().filter(|w| w.status == "pending").collect();
    assert_eq!(pending.len(), 1, "{due:?}");
    assert_eq!(pending[0].order_id, first["id"]);
    assert_eq!(pending[0].add_tracking, vec!["1ZVOIDA-2"]);
    assert_eq!(pending[0].remove_tracking, vec!["1ZVOIDA"]);
    let ref_number = first["ref_number"].as_str().unwrap_or_default().to_owned();
    let events = shop.events(&env, &first).await;
    let expected = format!(
        "Label 1ZVOIDA voided; its tracking number will be removed from Invoice {ref_number}"
    );
    assert!(events.contains(&expected), "{events:?}");

    // Order 1: a label voided before its write-back went out is simply withdrawn.
    let ids = env
        .fake
        .ship_order(
            shop.key(),
            &shop.order_key(&txns[1]),
            label("1ZGONE", 3.0, 1),
        )
        .await
        .expect("ship");
    let second = shop
        .wait_order(&env, &txns[1], |o| o["status"] == "shipped")
        .await;
    env.fake.void_shipment(shop.key(), ids[0]).expect("void");
    let back = shop
        .wait_order(&env, &txns[1], |o| o["status"] == "pushed")
        .await;
    assert_eq!(back["tracking_numbers"], json!([]));
    let all = shop.write_backs(&env).await;
    assert!(
        all.iter().all(|w| w.order_id != second["id"]),
        "nothing is written for a voided label: {all:?}"
    );
    let events = shop.events(&env, &second).await;
    assert!(
        events
            .iter()
            .any(|e| e.contains("1ZGONE") && e.contains("voided")),
        "{events:?}"
    );
}

#[tokio::test]
async fn the_webhook_pulls_at_once_and_refuses_wrong_tokens() {
    // Scheduled pulls a period of ~30 years apart (periods count from the epoch, so an hour
    // could end mid-test): within the test only the webhook triggers pulls.
    let env = TestEnv::start_with(fast(1, 1_000_000_000)).await;
    let shop = Shop::open(&env, json!({})).await;
    let url = shop.webhook_url.clone();
    assert!(url.starts_with(&format!(
        "{}/webhooks/shipstation/{}/",
        env.api_url(),
        shop.conn
    )));
    let txns = shop.company.generate_invoices(1);
    shop.sync_and_push(&env, 1).await;
    env.fake
        .ship_order(
            shop.key(),
            &shop.order_key(&txns[0]),
            label("1ZHOOK", 4.0, 1),
        )
        .await
        .expect("ship");

    let body =
        json!({"resource_url": "http://169.254.169.254/latest", "resource_type": "SHIP_NOTIFY"});
    let (base, token) = url.rsplit_once('/').expect("token in the path");
    let other = uuid::Uuid::new_v4();
    let wrong = [
        format!("{base}/not-the-token"),
        format!("{}/webhooks/shipstation/{other}/{token}", env.api_url()),
        format!("{}/webhooks/shipstation/not-a-uuid/{token}", env.api_url()),
    ];
    for bad in &wrong {
        let r = env.http.post(bad).json(&body).send().await.expect("post");
        assert_eq!(r.status().as_u16(), 404, "{bad}");
    }
    let malformed = env
        .http
        .post(&url)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("post");
    assert_eq!(malformed.status().as_u16(), 400);
    let big = env
        .http
        .post(&url)
        .body(vec![b' '; 70 * 1024])
        .send()
        .await
        .expect("post");
    assert_eq!(big.status().as_u16(), 413);
    assert_eq!(shipment_pulls(&env, shop.key()), 0, "no pull yet");

    let ok = env.http.post(&url).json(&body).send().await.expect("post");
    assert_eq!(ok.status().as_u16(), 200);
    let order = shop
        .wait_order(&env, &txns[0], |o| o["status"] == "shipped")
        .await;
    assert_eq!(order["tracking_numbers"], json!(["1ZHOOK"]));
    assert!(shipment_pulls(&env, shop.key()) >= 1);
    let pulled: Vec<String> = env
        .fake
        .request_log(shop.key())
        .into_iter()
        .map(|r| format!("{} {}?{}", r.method, r.path, r.query))
        .filter(|r| r.contains("169.254"))
        .collect();
    assert!(
        pulled.is_empty(),
        "a resource_url on another host is never fetched: {pulled:?}"
    );
}

#[tokio::test]
async fn the_webhook_reads_the_labels_its_resource_url_names() {
    let env = TestEnv::start_with(fast(1, 1_000_000_000)).await;
    let shop = Shop::open(&env, json!({})).await;
    let txns = shop.company.generate_invoices(1);
    shop.sync_and_push(&env, 1).await;
    // The watermark pass starts tomorrow: only the notified resource can find this label.
    sqlx::query(
        "UPDATE connections SET shipments_watermark = now() + interval '1 day' WHERE id = $1",
    )
    .bind(shop.conn)
    .execute(&env.db().await)
    .await
    .expect("watermark");
    let mut spec = label("1ZBATCH", 6.0, 1);
    spec.notify = true; // the fake delivers SHIP_NOTIFY to the subscribed webhook
    env.fake
        .ship_order(shop.key(), &shop.order_key(&txns[0]), spec)
        .await
        .expect("ship");

    let order = shop
        .wait_order(&env, &txns[0], |o| o["status"] == "shipped")
        .await;
    assert_eq!(order["tracking_numbers"], json!(["1ZBATCH"]));
    let batch_reads = env
        .fake
        .request_log(shop.key())
        .into_iter()
        .filter(|r| r.path.ends_with("/shipments") && r.query.contains("batchId="))
        .count();
    assert!(batch_reads >= 1, "the resource_url was read");
}

#[tokio::test]
async fn connections_subscribe_ship_notify_when_public_and_unsubscribe_on_delete() {
    let public = "https://quayside.example.test";
    let env = TestEnv::start_with(fast(0, 300).with_env("PUBLIC_BASE_URL", public)).await;
    let shop = Shop::open(&env, json!({})).await;
    let subs = env.fake.subscriptions(shop.key());
    assert_eq!(subs.len(), 1, "{subs:?}");
    assert_eq!(subs[0]["HookType"], "SHIP_NOTIFY");
    assert_eq!(subs[0]["Url"], shop.webhook_url.as_str());
    assert!(shop
        .webhook_url
        .starts_with(&format!("{public}/webhooks/shipstation/{}/", shop.conn)));
    let gone = env.delete(Some(&shop.tenant), &shop.path("")).await;
    assert_eq!(gone.status, 204, "{}", gone.body);
    assert!(env.fake.subscriptions(shop.key()).is_empty());
}

#[tokio::test]
async fn outside_production_a_plain_http_base_url_is_subscribed_too() {
    let env = TestEnv::start_with(fast(0, 300)).await;
    let shop = Shop::open(&env, json!({})).await;
    let subs = env.fake.subscriptions(shop.key());
    assert_eq!(subs.len(), 1, "{subs:?}");
    assert!(subs[0]["Url"]
        .as_str()
        .is_some_and(|u| u.starts_with("http://")));

    // The same key and host sent again (here with the base URL as given at creation) are the
    // same account: the webhook, its token and its subscription stay.
    let same = env
        .patch_json(
            Some(&shop.tenant),
            &shop.path(""),
            &json!({"api_key": shop.key(), "api_secret": "secret", "base_url": env.fake.base_url()}),
        )
        .await;
    assert_eq!(same.status, 200, "{}", same.body);
    assert!(same.body.get("webhook_url").is_none(), "{}", same.body);
    assert_eq!(env.fake.subscriptions(shop.key()), subs);
    let hook = env
        .http
        .post(&shop.webhook_url)
        .json(&json!({"resource_url": format!("{}/shipments?batchId=1", env.fake.base_url()), "resource_type": "SHIP_NOTIFY"}))
        .send()
        .await
        .expect("post");
    assert_eq!(hook.status().as_u16(), 200, "the webhook URL still answers");
}

#[tokio::test]
async fn new_credentials_move_the_webhook_and_the_orders_to_the_new_account() {
    let env = TestEnv::start_with(fast(1, 300)).await;
    let shop = Shop::open(&env, json!({})).await;
    let txns = shop.company.generate_invoices(1);
    shop.sync_and_push(&env, 1).await;
    assert_eq!(env.fake.subscriptions(shop.key()).len(), 1);
    let pushed_at = shop.order(&env, &txns[0]).await["updated_at"].clone();

    let other = format!("key-{}", uuid::Uuid::new_v4().simple());
    env.fake.add_account(&other, "secret2");
    let patched = env
        .patch_json(
            Some(&shop.tenant),
            &shop.path(""),
            &json!({"api_key": other, "api_secret": "secret2"}),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert!(
        env.fake.subscriptions(shop.key()).is_empty(),
        "old hook removed"
    );
    let subs = env.fake.subscriptions(&other);
    assert_eq!(subs.len(), 1, "{subs:?}");
    assert_eq!(subs[0]["Url"], patched.body["webhook_url"]);

    // An edit in QuickBooks now goes to the new account, in one of its own stores.
    shop.company
        .edit(txns[0].as_str(), |t| t.memo = Some("after the move".into()));
    let report = shop.run_web_connector(&env).await;
    assert!(report.failure.is_none(), "{:?}", report.failure);
    let order = shop
        .wait_order(&env, &txns[0], |o| {
            o["status"] != "pending" && o["updated_at"] != pushed_at
        })
        .await;
    assert_eq!(order["status"], "pushed", "{order}");
    assert!(order["last_error"].is_null(), "{order}");
    assert_eq!(env.fake.orders(&other).len(), 1);
}

#[tokio::test]
async fn credentials_entered_again_keep_orders_in_a_store_since_deactivated() {
    let env = TestEnv::start_with(fast(1, 300)).await;
    let shop = Shop::open(&env, json!({})).await;
    let txns = shop.company.generate_invoices(1);
    shop.sync_and_push(&env, 1).await;
    let before = shop.order(&env, &txns[0]).await;
    let store = before["store_id"].as_i64().expect("store id");
    assert!(env.fake.set_store_active(shop.key(), store, false));

    // The same key and secret typed again (the user's "Test connection").
    let patched = env
        .patch_json(
            Some(&shop.tenant),
            &shop.path(""),
            &json!({"api_key": shop.account.api_key, "api_secret": shop.account.api_secret}),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    let after = shop.order(&env, &txns[0]).await;
    assert_eq!(
        after["shipstation_order_id"], before["shipstation_order_id"],
        "{after}"
    );
    assert_eq!(after["store_id"], before["store_id"]);
}

#[tokio::test]
async fn two_worker_replicas_never_schedule_a_connection_twice_in_one_interval() {
    let env = TestEnv::start_with(fast(2, 2)).await;
    let shop = Shop::open(&env, json!({})).await;
    shop.company.generate_invoices(1);
    shop.sync_and_push(&env, 1).await;
    // Pulls only call ShipStation once the connection has an order there.
    env.eventually("a first scheduled pull", SETTLE, || async {
        (shipment_pulls(&env, shop.key()) > 0).then_some(())
    })
    .await;
    let before = shipment_pulls(&env, shop.key());
    tokio::time::sleep(Duration::from_secs(12)).await;
    let pulls = shipment_pulls(&env, shop.key()) - before;
    // 12 s at one pull per 2 s period: 6, maybe 7 across period edges. Two replicas each
    // looking every second would make up to 24 without the per-period claim.
    // The upper bound is the property; the lower one only proves the scheduler kept running
    // (a loaded CI machine may skip a period).
    assert!((2..=7).contains(&pulls), "{pulls} pulls in 12 s");
}

#[tokio::test]
async fn a_label_listed_behind_the_watermark_is_found_by_the_catch_up_pass() {
    let env =
        TestEnv::start_with(fast(1, 1).with_env("TRACKING_CATCH_UP_INTERVAL_SECS", "2")).await;
    let shop = Shop::open(&env, json!({})).await;
    let txns = shop.company.generate_invoices(2);
    shop.sync_and_push(&env, 2).await;
    let before_any = quayside_tests::fake_shipstation::time::now_pacific()
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();

    // A label dated twenty minutes ahead (a clock that disagrees) takes the watermark past
    // the regular pass's ten-minute overlap.
    let mut ahead = label("1ZAHEAD", 5.0, 1);
    ahead.create_date_offset_secs = 20 * 60;
    env.fake
        .ship_order(shop.key(), &shop.order_key(&txns[0]), ahead)
        .await
        .expect("ship");
    shop.wait_order(&env, &txns[0], |o| o["status"] == "shipped")
        .await;

    // A label dated now is behind the regular start from then on: only the catch-up, which
    // reads from when the oldest waiting order reached ShipStation, finds it.
    env.fake
        .ship_order(
            shop.key(),
            &shop.order_key(&txns[1]),
            label("1ZLATE", 4.0, 1),
        )
        .await
        .expect("ship");
    let late = shop
        .wait_order(&env, &txns[1], |o| o["status"] == "shipped")
        .await;
    assert_eq!(late["tracking_numbers"], json!(["1ZLATE"]));
    let starts: Vec<String> = env
        .fake
        .request_log(shop.key())
        .iter()
        .filter(|r| r.path.eq_ignore_ascii_case("/shipments"))
        .filter_map(|r| {
            r.query
                .split('&')
                .find_map(|p| p.strip_prefix("createDateStart="))
                .map(|v| v.replace("%20", " ").replace('+', " "))
        })
        .collect();
    assert!(
        starts.iter().any(|s| s.as_str() < before_any.as_str()),
        "a catch-up pass read from before the first label: {starts:?} (first label at {before_any})"
    );
    let wbs = shop.write_backs(&env).await;
    assert!(
        wbs.iter()
            .any(|w| w.order_id == late["id"] && w.add_tracking == vec!["1ZLATE"]),
        "{wbs:?}"
    );
}
