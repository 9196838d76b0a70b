//! Shipment, fulfillment and webhook tests.

use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpResponse, HttpServer};
use reqwest::Method;
use serde_json::{json, Value};

use super::order_tests::order;
use super::{call, fake_with, send};
use crate::fake_shipstation::{FakeConfig, ShipSpec};

#[tokio::test]
async fn shipments_page_and_include_voided_rows() {
    let (fake, _) = fake_with(FakeConfig::default()).await;
    send(
        call(&fake, Method::POST, "/orders/createorders")
            .json(&json!([order("A", Some("ka")), order("B", Some("kb"))])),
    )
    .await;
    let spec = ShipSpec {
        tracking_number: Some("1Z999".into()),
        shipment_cost: 7.5,
        insurance_cost: 1.0,
        packages: 2,
        ..ShipSpec::default()
    };
    let ids = fake.ship_order("key", "ka", spec).await.expect("ship");
    assert_eq!(ids.len(), 2);
    fake.ship_order("key", "kb", ShipSpec::default())
        .await
        .expect("ship b");
    fake.void_shipment("key", ids[1]).expect("void");

    let (_, _, all) = send(call(&fake, Method::GET, "/shipments?pageSize=2")).await;
    assert_eq!(
        (all["total"].clone(), all["pages"].clone()),
        (json!(3), json!(2))
    );
    let rows = all["shipments"].as_array().cloned().unwrap_or_default();
    assert_eq!(rows[0]["trackingNumber"], "1Z999");
    assert_eq!(rows[1]["trackingNumber"], "1Z999-2");
    assert_eq!(rows[1]["voided"], true);
    assert!(rows[1]["voidDate"].is_string());
    assert_eq!(rows[0]["shipmentItems"], Value::Null);
    assert_eq!(rows[0]["shipmentCost"], json!(7.5));
    assert_eq!(rows[0]["orderKey"], "ka");
    for key in [
        "labelData",
        "formData",
        "notifyErrorMessage",
        "batchNumber",
        "isReturnLabel",
        "shipTo",
        "weight",
    ] {
        assert!(rows[0].get(key).is_some(), "{key}");
    }
    let (_, _, p2) = send(call(&fake, Method::GET, "/shipments?pageSize=2&page=2")).await;
    assert_eq!(p2["shipments"].as_array().map(Vec::len), Some(1));

    let order_id = rows[0]["orderId"].as_i64().unwrap_or_default();
    let (_, _, by_order) = send(call(
        &fake,
        Method::GET,
        &format!("/shipments?orderId={order_id}&includeShipmentItems=true"),
    ))
    .await;
    assert_eq!(by_order["total"], 2);
    assert_eq!(by_order["shipments"][0]["shipmentItems"][0]["sku"], "W-1");
    assert_eq!(
        by_order["shipments"][0]["shipmentItems"]
            .as_array()
            .map(Vec::len),
        Some(1),
        "adjustments are not shipped"
    );
    let (_, _, voided) = send(call(
        &fake,
        Method::GET,
        "/shipments?voidDateStart=2000-01-01",
    ))
    .await;
    assert_eq!(voided["total"], 1);
    let (_, _, order_b) = send(call(&fake, Method::GET, "/shipments?orderNumber=B")).await;
    assert_eq!(order_b["total"], 1);
    let (_, _, got) = send(call(&fake, Method::GET, &format!("/orders/{order_id}"))).await;
    assert_eq!(got["orderStatus"], "shipped");
}

#[tokio::test]
async fn mark_as_shipped_creates_a_fulfillment_not_a_shipment() {
    let (fake, _) = fake_with(FakeConfig::default()).await;
    let (_, _, o) =
        send(call(&fake, Method::POST, "/orders/createorder").json(&order("M-1", Some("m1"))))
            .await;
    let body = json!({"orderId": o["orderId"], "carrierCode": "usps", "trackingNumber": "9400", "shipDate": "2024-03-02"});
    let (status, _, res) =
        send(call(&fake, Method::POST, "/orders/markasshipped").json(&body)).await;
    assert_eq!(status, 200);
    assert_eq!(res, json!({"orderId": o["orderId"], "orderNumber": "M-1"}));
    let (_, _, ships) = send(call(&fake, Method::GET, "/shipments")).await;
    assert_eq!(ships["total"], 0);
    let (_, _, fuls) = send(call(
        &fake,
        Method::GET,
        &format!("/fulfillments?orderId={}", o["orderId"]),
    ))
    .await;
    assert_eq!(fuls["total"], 1);
    assert_eq!(fuls["fulfillments"][0]["trackingNumber"], "9400");
    assert_eq!(fuls["fulfillments"][0]["shipDate"], "2024-03-02");
}

#[tokio::test]
async fn ship_notify_is_delivered_to_subscribers_and_resource_url_works() {
    let received: Arc<Mutex<Vec<Value>>> = Arc::default();
    let sink = received.clone();
    let receiver = HttpServer::new(move || {
        let sink = sink.clone();
        App::new().route(
            "/hook",
            web::post().to(move |body: web::Json<Value>| {
                let sink = sink.clone();
                async move {
                    sink.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(body.into_inner());
                    HttpResponse::Ok().finish()
                }
            }),
        )
    })
    .workers(1)
    .disable_signals()
    .bind("127.0.0.1:0")
    .expect("bind receiver");
    let addr = receiver.addrs()[0];
    let receiver = receiver.run();
    let receiver_handle = receiver.handle();
    tokio::spawn(receiver);

    let (fake, _) = fake_with(FakeConfig::default()).await;
    let sub = json!({"target_url": format!("http://{addr}/hook"), "event": "SHIP_NOTIFY", "store_id": null, "friendly_name": "qs"});
    let (status, _, created) =
        send(call(&fake, Method::POST, "/webhooks/subscribe").json(&sub)).await;
    assert_eq!(status, 201);
    let hook_id = created["id"].as_i64().expect("id");
    let (_, _, list) = send(call(&fake, Method::GET, "/webhooks")).await;
    assert_eq!(list["webhooks"][0]["WebHookID"], hook_id);
    assert_eq!(list["webhooks"][0]["HookType"], "SHIP_NOTIFY");
    assert_eq!(list["webhooks"][0]["MessageFormat"], "Json");

    send(call(&fake, Method::POST, "/orders/createorder").json(&order("W-1", Some("w1")))).await;
    let ids = fake
        .ship_order("key", "w1", ShipSpec::default())
        .await
        .expect("ship");
    let got = received.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["resource_type"], "SHIP_NOTIFY");
    let url = got[0]["resource_url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        url.starts_with(&format!("{}/shipments?batchId=", fake.base_url())),
        "{url}"
    );
    let (_, _, page) = send(
        reqwest::Client::new()
            .get(&url)
            .basic_auth("key", Some("secret")),
    )
    .await;
    assert_eq!(page["shipments"][0]["shipmentId"], ids[0]);
    assert_eq!(fake.webhooks("key")[0].status, Some(200));

    let resp = call(&fake, Method::DELETE, &format!("/webhooks/{hook_id}"))
        .send()
        .await
        .expect("delete");
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.text().await.unwrap_or_default(), "");
    send(call(&fake, Method::POST, "/orders/createorder").json(&order("W-2", Some("w2")))).await;
    fake.ship_order("key", "w2", ShipSpec::default())
        .await
        .expect("ship 2");
    assert_eq!(
        received.lock().unwrap_or_else(|e| e.into_inner()).len(),
        1,
        "unsubscribed"
    );
    receiver_handle.stop(true).await;
}

#[tokio::test]
async fn control_surface_ships_and_voids() {
    let (fake, _) = fake_with(FakeConfig::default()).await;
    let (_, _, o) =
        send(call(&fake, Method::POST, "/orders/createorder").json(&order("C-1", Some("c1"))))
            .await;
    let base = fake.base_url();
    let client = reqwest::Client::new();
    let req = client
        .post(format!(
            "{base}/__control/accounts/key/orders/{}/ship",
            o["orderId"]
        ))
        .json(&json!({"trackingNumber": "T1", "shipmentCost": 3.2}));
    let (status, _, shipped) = send(req).await;
    assert_eq!(status, 200, "{shipped}");
    let sid = shipped["shipmentIds"][0].as_i64().expect("id");
    let (status, _, _) = send(client.post(format!(
        "{base}/__control/accounts/key/shipments/{sid}/void"
    )))
    .await;
    assert_eq!(status, 200);
    let (_, _, ships) = send(client.get(format!("{base}/__control/accounts/key/shipments"))).await;
    assert_eq!(ships[0]["voided"], true);
    let (_, _, orders) = send(client.get(format!("{base}/__control/accounts/key/orders"))).await;
    assert_eq!(
        orders[0]["orderStatus"], "awaiting_shipment",
        "voiding the only label reopens the order"
    );
}
