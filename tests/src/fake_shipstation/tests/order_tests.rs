//! Order endpoint tests.

use reqwest::Method;
use serde_json::{json, Value};

use super::{call, fake_with, send};
use crate::fake_shipstation::{FakeConfig, LockedOrderPolicy};

/// A valid order body.
pub(crate) fn order(number: &str, key: Option<&str>) -> Value {
    let mut o = json!({
        "orderNumber": number,
        "orderDate": "2024-03-01 10:00:00",
        "orderStatus": "awaiting_shipment",
        "customerUsername": "acme",
        "customerId": 999,
        "billTo": {"name": "Acme Corp"},
        "shipTo": {"name": "Jane Doe", "street1": "1 Main St", "city": "Austin", "state": "TX",
                    "postalCode": "78701", "country": "US", "residential": true},
        "items": [
            {"lineItemKey": "L1", "sku": "W-1", "name": "Widget", "quantity": 2, "unitPrice": 10.5},
            {"sku": "DISC", "name": "Discount", "quantity": 1, "unitPrice": -1, "adjustment": true}
        ],
        "taxAmount": 1.25,
        "shippingAmount": 5
    });
    if let Some(k) = key {
        o["orderKey"] = json!(k);
    }
    o
}

#[tokio::test]
async fn createorder_echoes_the_full_model_with_server_fields() {
    let (fake, account) = fake_with(FakeConfig::default()).await;
    let (status, _, body) =
        send(call(&fake, Method::POST, "/orders/createorder").json(&order("INV-1", Some("qbd-1"))))
            .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["orderId"].as_i64().is_some());
    assert_eq!(body["orderKey"], "qbd-1");
    assert_eq!(body["orderTotal"], json!(26.25));
    assert_ne!(body["customerId"], json!(999));
    assert_eq!(
        body["advancedOptions"]["storeId"],
        account.manual_store_id()
    );
    assert_eq!(body["orderDate"], "2024-03-01T10:00:00.0000000");
    let create = body["createDate"].as_str().unwrap_or_default();
    assert_eq!(
        create.len(),
        "2021-01-23T09:09:08.4000000".len(),
        "{create}"
    );
    assert_eq!(body["createDate"], body["modifyDate"]);
    for key in [
        "labelMessages",
        "holdUntilDate",
        "tagIds",
        "userId",
        "externallyFulfilledBy",
        "dimensions",
    ] {
        assert_eq!(body.get(key), Some(&Value::Null), "{key}");
    }
    assert_eq!(body["weight"]["WeightUnits"], 1);
    assert_eq!(body["advancedOptions"]["billToMyOtherAccount"], Value::Null);
    assert_eq!(body["items"][0]["productId"], Value::Null);
    assert!(body["items"][0]["orderItemId"].is_i64());
    assert_eq!(body["billTo"]["street1"], Value::Null);

    let (_, _, again) =
        send(call(&fake, Method::POST, "/orders/createorder").json(&order("INV-2", None))).await;
    let (_, _, third) =
        send(call(&fake, Method::POST, "/orders/createorder").json(&order("INV-2", None))).await;
    assert_ne!(
        again["orderId"], third["orderId"],
        "no orderKey means a new order every time"
    );
    assert_eq!(again["orderKey"].as_str().map(str::len), Some(32));
}

#[tokio::test]
async fn createorders_upserts_by_order_key_and_keeps_create_date() {
    let (fake, account) = fake_with(FakeConfig::default()).await;
    let batch = json!([order("INV-1", Some("k1")), order("INV-2", Some("k2"))]);
    let (status, _, first) =
        send(call(&fake, Method::POST, "/orders/createorders").json(&batch)).await;
    assert_eq!(status, 200);
    assert_eq!(first["hasErrors"], false);
    assert_eq!(first["results"][0]["success"], true);
    assert_eq!(first["results"][0]["errorMessage"], Value::Null);
    let id = first["results"][0]["orderId"].clone();

    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let mut changed = order("INV-1-B", Some("k1"));
    changed["advancedOptions"] = json!({"storeId": account.stores[1].store_id});
    changed.as_object_mut().map(|o| o.remove("taxAmount"));
    let (_, _, updated) =
        send(call(&fake, Method::POST, "/orders/createorder").json(&changed)).await;
    assert_eq!(updated["orderId"], id);
    assert_eq!(updated["orderNumber"], "INV-1-B");
    assert_eq!(updated["taxAmount"], Value::Null, "full replace, no merge");
    assert_eq!(
        updated["advancedOptions"]["storeId"],
        account.manual_store_id(),
        "storeId ignored on update"
    );
    assert_ne!(updated["modifyDate"], updated["createDate"]);
    assert_eq!(fake.orders("key").len(), 2);

    let (status, _, got) = send(call(&fake, Method::GET, &format!("/orders/{id}"))).await;
    assert_eq!(
        (status, got["orderNumber"].clone()),
        (200, json!("INV-1-B"))
    );
}

#[tokio::test]
async fn validation_errors_are_modelstate_or_per_element() {
    let (fake, _) = fake_with(FakeConfig::default()).await;
    let mut bad = order("X", None);
    bad["orderStatus"] = json!("open");
    bad["items"][0]["quantity"] = json!(1.5);
    bad.as_object_mut().map(|o| o.remove("shipTo"));
    let (status, _, body) = send(call(&fake, Method::POST, "/orders/createorder").json(&bad)).await;
    assert_eq!(status, 400);
    assert_eq!(body["Message"], "The request is invalid.");
    let state = body["ModelState"].as_object().cloned().unwrap_or_default();
    let keys: Vec<&String> = state.keys().collect();
    assert_eq!(
        keys,
        [
            "apiOrder.items[0].quantity",
            "apiOrder.orderStatus",
            "apiOrder.shipTo"
        ]
    );
    assert_eq!(state["apiOrder.shipTo"][0], "The shipTo field is required.");

    let long = order(&"N".repeat(51), Some("long"));
    let (status, _, body) = send(
        call(&fake, Method::POST, "/orders/createorders").json(&json!([long, order("OK", None)])),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["hasErrors"], true);
    assert_eq!(body["results"][0]["success"], false);
    let msg = body["results"][0]["errorMessage"]
        .as_str()
        .unwrap_or_default();
    assert!(msg.contains("maximum length of 50"), "{msg}");
    assert_eq!(body["results"][1]["success"], true);

    // Array to createorder, object to createorders, malformed JSON, booleans as numbers.
    let (status, _, body) =
        send(call(&fake, Method::POST, "/orders/createorder").json(&json!([order("A", None)])))
            .await;
    assert_eq!(status, 400);
    assert!(body["ModelState"]["apiOrder"][0]
        .as_str()
        .unwrap_or_default()
        .contains("JSON array"));
    let object = call(&fake, Method::POST, "/orders/createorders")
        .header("content-type", "application/json")
        .body(r#"{"orderNumber": "A", "orderDate": "2024-01-01"}"#);
    let (status, _, body) = send(object).await;
    assert_eq!(status, 400);
    assert!(
        body["ModelState"]["apiOrders.orderNumber"].is_array(),
        "{body}"
    );
    let garbage = call(&fake, Method::POST, "/orders/createorder")
        .header("content-type", "application/json")
        .body("{\"orderNumber\":");
    let (status, _, body) = send(garbage).await;
    assert_eq!(
        (status, body["Message"].clone()),
        (400, json!("The request is invalid."))
    );
    let mut zero = order("B", None);
    zero["gift"] = json!(0);
    assert_eq!(
        send(call(&fake, Method::POST, "/orders/createorder").json(&zero))
            .await
            .0,
        400
    );
    let too_many: Vec<Value> = (0..101).map(|i| order(&format!("N{i}"), None)).collect();
    assert_eq!(
        send(call(&fake, Method::POST, "/orders/createorders").json(&too_many))
            .await
            .0,
        400
    );
}

#[tokio::test]
async fn shipped_orders_are_locked_unless_configured_otherwise() {
    let (fake, _) = fake_with(FakeConfig::default()).await;
    let (_, _, created) =
        send(call(&fake, Method::POST, "/orders/createorder").json(&order("L-1", Some("lk"))))
            .await;
    fake.set_order_status("key", "lk", "shipped")
        .expect("status set");
    let (status, _, body) =
        send(call(&fake, Method::POST, "/orders/createorder").json(&order("L-1x", Some("lk"))))
            .await;
    assert_eq!(status, 400);
    assert!(body["ModelState"]["apiOrder"][0]
        .as_str()
        .unwrap_or_default()
        .contains("shipped"));
    let (_, _, bulk) = send(
        call(&fake, Method::POST, "/orders/createorders").json(&json!([order("L-1x", Some("lk"))])),
    )
    .await;
    assert_eq!(
        (
            bulk["hasErrors"].clone(),
            bulk["results"][0]["success"].clone()
        ),
        (json!(true), json!(false))
    );

    fake.set_locked_order_policy(LockedOrderPolicy::Ignore);
    let (status, _, body) =
        send(call(&fake, Method::POST, "/orders/createorder").json(&order("L-1x", Some("lk"))))
            .await;
    assert_eq!((status, body["orderNumber"].clone()), (200, json!("L-1")));
    fake.set_locked_order_policy(LockedOrderPolicy::Allow);
    let (_, _, body) =
        send(call(&fake, Method::POST, "/orders/createorder").json(&order("L-1x", Some("lk"))))
            .await;
    assert_eq!(
        (body["orderNumber"].clone(), body["orderId"].clone()),
        (json!("L-1x"), created["orderId"].clone())
    );
}

#[tokio::test]
async fn list_filters_pages_and_soft_deletes() {
    let (fake, account) = fake_with(FakeConfig::default()).await;
    let mut bodies: Vec<Value> = (1..=5)
        .map(|i| order(&format!("INV-{i}"), Some(&format!("k{i}"))))
        .collect();
    bodies.push(order("SO-9", Some("k9")));
    bodies[5]["advancedOptions"] = json!({"storeId": account.stores[1].store_id});
    bodies[4]["orderStatus"] = json!("on_hold");
    send(call(&fake, Method::POST, "/orders/createorders").json(&bodies)).await;

    let (_, _, page) = send(call(
        &fake,
        Method::GET,
        "/orders?orderNumber=inv&pageSize=2&page=2",
    ))
    .await;
    assert_eq!(
        (
            page["total"].clone(),
            page["page"].clone(),
            page["pages"].clone()
        ),
        (json!(5), json!(2), json!(3))
    );
    assert_eq!(page["orders"][0]["orderNumber"], "INV-3");
    let (_, _, held) = send(call(&fake, Method::GET, "/orders?orderstatus=on_hold")).await;
    assert_eq!(held["total"], 1);
    let store = account.stores[1].store_id;
    let (_, _, by_store) = send(call(
        &fake,
        Method::GET,
        &format!("/orders?storeID={store}"),
    ))
    .await;
    assert_eq!(by_store["orders"][0]["orderNumber"], "SO-9");
    let (_, _, future) = send(call(
        &fake,
        Method::GET,
        "/orders?modifyDateStart=2999-01-01%2000:00:00",
    ))
    .await;
    assert_eq!(future["total"], 0);
    let (_, _, recent) = send(call(
        &fake,
        Method::GET,
        "/orders?createDateStart=2000-01-01&sortBy=CreateDate&sortDir=DESC",
    ))
    .await;
    assert_eq!(recent["total"], 6);
    assert_eq!(
        send(call(&fake, Method::GET, "/orders?orderStatus=bogus"))
            .await
            .0,
        400
    );

    let id = page["orders"][0]["orderId"].as_i64().unwrap_or_default();
    let (status, _, body) = send(call(&fake, Method::DELETE, &format!("/orders/{id}"))).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"success": true, "message": "The requested order has been deleted."})
    );
    let (_, _, after) = send(call(&fake, Method::GET, "/orders?orderNumber=INV")).await;
    assert_eq!(after["total"], 4);
    assert_eq!(send(call(&fake, Method::GET, "/orders/1")).await.0, 404);
}
