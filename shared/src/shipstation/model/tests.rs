//! The captured and documented samples in `tests/golden/shipstation-samples` (copies of
//! `specs/shipstation-samples`) parse, and what we send looks like what ShipStation was sent.

use std::path::PathBuf;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::Value;

use super::*;

fn sample(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/shipstation-samples")
        .join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read sample {}: {e}", path.display()))
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_default()
}

#[test]
fn order_create_request_sample_parses_and_round_trips() {
    let raw = sample("order-create-request.json");
    let order: Order = serde_json::from_str(&raw).expect("parse request sample");
    assert_eq!(order.order_number, "TEST-ORDER-API-DOCS");
    assert_eq!(order.order_status, OrderStatus::AwaitingShipment);
    assert_eq!(order.items.len(), 2);
    assert_eq!(order.items[0].quantity, 2);
    assert_eq!(order.items[0].unit_price, Some(dec("99.99")));
    assert!(order.items[1].adjustment);
    assert_eq!(order.items[1].unit_price, Some(dec("-20.55")));
    assert_eq!(order.advanced_options.store_id, Some(179188));
    assert_eq!(order.tag_ids, Some(vec![53974]));

    // Everything we read is written back with the same values (nulls are left out, and
    // `customerId`, read-only, is not part of the request model).
    let ours: Value = serde_json::to_value(&order).expect("serialize");
    let theirs: Value = serde_json::from_str(&raw).expect("json");
    assert_subset(&ours, &theirs, "$");
    assert_eq!(ours["items"][0]["unitPrice"], serde_json::json!(99.99));
    assert_eq!(ours["shippingAmount"], serde_json::json!(10));
    assert!(ours.get("customerId").is_none());
    assert!(ours["billTo"].get("company").is_none());
}

/// Every key of `ours` exists in `theirs` with an equal value (numbers compared as decimals).
fn assert_subset(ours: &Value, theirs: &Value, path: &str) {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let other = b
                    .get(k)
                    .unwrap_or_else(|| panic!("{path}.{k} not in sample"));
                assert_subset(v, other, &format!("{path}.{k}"));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{path} length");
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                assert_subset(x, y, &format!("{path}[{i}]"));
            }
        }
        (Value::Number(a), Value::Number(b)) => {
            assert_eq!(dec(&a.to_string()), dec(&b.to_string()), "{path}");
        }
        _ => assert_eq!(ours, theirs, "{path}"),
    }
}

#[test]
fn order_create_response_sample_parses() {
    let out: OrderOut =
        serde_json::from_str(&sample("order-create-response.json")).expect("parse response");
    assert_eq!(out.order_id, 21466104);
    assert_eq!(out.order_status, Some(OrderStatus::AwaitingShipment));
    assert_eq!(out.store_id(), Some(179188));
    assert_eq!(out.order_total, Some(dec("194.43")));
    assert_eq!(out.tag_ids, None);
    let ship_to = out.ship_to.expect("shipTo");
    assert_eq!(ship_to.postal_code.as_deref(), Some("20500-0005"));
    assert_eq!(
        ship_to.address_verified.as_deref(),
        Some("Address validated successfully")
    );
    assert_eq!(out.items[0].order_item_id, Some(32208850));
    assert_eq!(
        out.weight.and_then(|w| w.weight_units),
        Some(1),
        "WeightUnits is read"
    );
    let adv = out.advanced_options.expect("advancedOptions");
    assert_eq!(adv.warehouse_id, None);
    assert_eq!(adv.bill_to_my_other_account, None);
}

#[test]
fn createorders_response_sample_parses() {
    let r: CreateOrdersResponse =
        serde_json::from_str(&sample("orders-createorders-response.json")).expect("parse");
    assert!(!r.has_errors);
    assert_eq!(
        r.results,
        vec![CreateOrderResult {
            order_id: Some(21466104),
            order_number: Some("TEST-ORDER-API-DOCS".into()),
            order_key: Some("0f6bec18-3e89-4881-83aa-f392d84f4c74".into()),
            success: true,
            error_message: None,
        }]
    );
}

#[test]
fn stores_list_sample_parses_and_finds_the_manual_store() {
    let stores: Vec<Store> =
        serde_json::from_str(&sample("stores-list-response.json")).expect("parse");
    assert_eq!(stores.len(), 2);
    assert_eq!(stores[0].store_id, 179188);
    assert_eq!(stores[0].store_name.as_deref(), Some("Manual Orders"));
    assert!(stores.iter().all(Store::is_manual));
}

#[test]
fn shipments_list_sample_parses() {
    let page: ShipmentsPage =
        serde_json::from_str(&sample("shipments-list-response.json")).expect("parse");
    assert_eq!((page.total, page.page, page.pages), (2, 1, 0));
    let s = &page.shipments[0];
    assert_eq!(s.shipment_id, 33974374);
    assert_eq!(s.order_id, Some(43945660));
    assert_eq!(s.order_key, None);
    assert_eq!(s.tracking_number.as_deref(), Some("9400111899561704681189"));
    assert_eq!(s.shipment_cost, Some(dec("1.93")));
    assert_eq!(s.total_cost(), dec("1.93"));
    assert!(!s.voided && !s.is_return_label);
    assert_eq!(s.shipment_items.as_ref().map(Vec::len), Some(1));
}

#[test]
fn nulls_and_unknown_keys_are_tolerated() {
    let json = r#"{"shipments":[{"shipmentId":1,"orderKey":"k","voided":null,
        "isReturnLabel":null,"shipmentCost":null,"shipmentItems":null,"advancedOptions":null,
        "voidDate":"2024-01-02T03:04:05.0000000","brandNewField":{"x":1}}],
        "total":1,"page":1,"pages":null}"#;
    let page: ShipmentsPage = serde_json::from_str(json).expect("parse");
    assert_eq!(page.pages, 0);
    assert_eq!(page.shipments[0].total_cost(), Decimal::ZERO);
    assert!(!page.shipments[0].voided);

    let order: OrderOut = serde_json::from_str(
        r#"{"orderId":5,"orderStatus":"some_new_status","items":null,"billTo":null}"#,
    )
    .expect("parse");
    assert_eq!(order.order_status, Some(OrderStatus::Unknown));
    assert!(order.items.is_empty());
}

#[test]
fn order_status_names_round_trip() {
    for st in OrderStatus::ALL {
        assert_eq!(OrderStatus::parse(st.as_str()), Some(st));
        let json = serde_json::to_string(&st).expect("ser");
        assert_eq!(json, format!("\"{}\"", st.as_str()));
    }
    assert_eq!(OrderStatus::parse("unknown"), None);
    assert!(OrderStatus::OnHold.is_open() && !OrderStatus::Shipped.is_open());
}
