//! Every mapping rule, as the fake ShipStation received it, plus fractional quantities and
//! the resend of a failed order once its cause is fixed.

use chrono::NaiveDate;
use quayside_tests::qb_company::{Address, CustomerSpec, LineSpec, TxnSpec};
use rust_decimal::prelude::ToPrimitive;
use serde_json::{json, Value};

use super::common::*;
use quayside_tests::harness::TestEnv;

fn doe() -> CustomerSpec {
    CustomerSpec {
        name: "Doe Enterprises".into(),
        company_name: Some("Doe Enterprises LLC".into()),
        first_name: Some("Jane".into()),
        last_name: Some("Doe".into()),
        bill_address: Some(Address::new(
            &["Doe Enterprises LLC", "Jane Doe", "PO Box 9"],
            "Austin",
            "TX",
            "78701",
        )),
        ship_address: None,
        phone: Some("512-555-0100".into()),
        email: Some("jane@doe.example".into()),
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn simple(customer: &str, reference: &str, ship_to: Address) -> TxnSpec {
    TxnSpec::new(customer)
        .ref_number(reference)
        .ship_to(ship_to)
        .line(LineSpec::item("Widget").qty(1).rate_str("10.00"))
}

#[tokio::test]
async fn every_mapping_rule_reaches_the_shipstation_order() {
    let env = TestEnv::start_with(fast(1)).await;
    let shop = Shop::open(&env, json!({})).await;
    let c = &shop.company;
    c.add_customer(doe());
    let mut full = TxnSpec::new("Doe Enterprises")
        .ref_number("1001")
        .date(date(2024, 3, 5))
        .memo("Leave at the back door")
        .ship_to(Address::new(
            &[
                "Doe Enterprises LLC",
                "Attn: Receiving",
                "500 Dock Rd",
                "Bay 3",
            ],
            "Austin",
            "TX",
            "78702",
        ))
        .line(
            LineSpec::item("Widget")
                .qty(2)
                .rate_str("12.50")
                .desc("Blue widget, large"),
        )
        .line(LineSpec::item("Shipping").amount_str("8.95"))
        .line(
            LineSpec::item("Discount")
                .amount_str("-5.00")
                .desc("Loyalty discount"),
        );
    full.class = Some("Wholesale".into());
    full.po_number = Some("PO-77".into());
    full.ship_method = Some("UPS Ground".into());
    let full = c.add_invoice(full);
    let name_line = c.add_invoice(simple(
        "Doe Enterprises",
        "1002",
        Address::new(
            &["Jane Doe", "1 Main St", "Suite 200", "Floor 3"],
            "Springfield",
            "IL",
            "62701",
        )
        .with_country("United States of America"),
    ));
    // Country by name or code, or from the state/province (and the postal code's shape).
    let places = [
        ("1003", "Ottawa", "ON", "K1A 0B6", Some("Canada"), "CA"),
        ("1004", "Dallas", "TX", "75201", Some("U.S.A."), "US"),
        ("1005", "London", "", "SW1A 1AA", Some("GBR"), "GB"),
        ("1006", "Puebla", "PUE", "72000", Some("MX"), "MX"),
        ("1007", "Montréal", "QC", "H3B 1A7", None, "CA"),
        ("1008", "Sydney", "NSW", "2000", None, "AU"),
        ("1009", "Seattle", "WA", "98101", None, "US"),
        ("1010", "Perth", "WA", "6000", None, "AU"),
        ("1011", "San Juan", "PR", "00901", None, "US"),
    ];
    let mut by_country = Vec::new();
    for (reference, city, state, zip, country, iso) in places {
        let mut a = Address::new(&["Warehouse Manager", "88 Harbour Rd"], city, state, zip);
        a.country = country.map(str::to_string);
        by_country.push((c.add_invoice(simple("Doe Enterprises", reference, a)), iso));
    }
    shop.sync(&env).await;
    let api = shop.settled(&env, 2 + places.len()).await;
    assert!(api.iter().all(|o| o["status"] == "pushed"), "{api:?}");

    let manual = shop.account.manual_store_id();
    let o = shop.fake_order(&env, &full);
    let txn = c.get(&full).expect("invoice");
    let tax = txn.sales_tax_total().to_f64().unwrap_or_default();
    assert!(tax > 0.0);
    for (field, want) in [
        ("orderNumber", json!("1001")),
        ("orderKey", json!(shop.order_key(&full))),
        ("orderStatus", json!("awaiting_shipment")),
        ("customerUsername", json!("Doe Enterprises")),
        ("customerEmail", json!("jane@doe.example")),
        ("shippingAmount", json!(8.95)),
        ("taxAmount", json!(tax)),
        ("customerNotes", json!("Leave at the back door")),
        ("requestedShippingService", json!("UPS Ground")),
    ] {
        assert_eq!(o[field], want, "{field} of {o}");
    }
    assert!(
        o["orderDate"]
            .as_str()
            .unwrap_or_default()
            .starts_with("2024-03-05T00:00:00"),
        "{}",
        o["orderDate"]
    );
    let ship = &o["shipTo"];
    for (field, want) in [
        ("name", "Receiving"),
        ("company", "Doe Enterprises LLC"),
        ("street1", "500 Dock Rd"),
        ("street2", "Bay 3"),
        ("city", "Austin"),
        ("state", "TX"),
        ("postalCode", "78702"),
        ("country", "US"),
        ("phone", "512-555-0100"),
    ] {
        assert_eq!(ship[field], want, "shipTo.{field} of {ship}");
    }
    let bill = &o["billTo"];
    for (field, want) in [
        ("name", "Jane Doe"),
        ("company", "Doe Enterprises LLC"),
        ("street1", "PO Box 9"),
        ("country", "US"),
    ] {
        assert_eq!(bill[field], want, "billTo.{field} of {bill}");
    }
    let items = o["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        items.len(),
        2,
        "widget and the discount; shipping is not an item: {items:?}"
    );
    let item = |i: usize, f: &str| items[i][f].clone();
    assert_eq!(
        [
            item(0, "sku"),
            item(0, "name"),
            item(0, "unitPrice"),
            item(0, "quantity"),
            item(0, "adjustment")
        ],
        [
            json!("Widget"),
            json!("Blue widget, large"),
            json!(12.5),
            json!(2),
            json!(false)
        ]
    );
    assert_eq!(
        [
            item(1, "sku"),
            item(1, "unitPrice"),
            item(1, "quantity"),
            item(1, "adjustment")
        ],
        [json!("Discount"), json!(-5), json!(1), json!(true)]
    );
    let adv = &o["advancedOptions"];
    assert_eq!(
        [
            adv["customField1"].clone(),
            adv["customField2"].clone(),
            adv["storeId"].clone()
        ],
        [json!("Wholesale"), json!("PO-77"), json!(manual)]
    );

    let n = shop.fake_order(&env, &name_line);
    for (field, want) in [
        ("name", "Jane Doe"),
        ("street1", "1 Main St"),
        ("street2", "Suite 200"),
        ("street3", "Floor 3"),
        ("city", "Springfield"),
        ("country", "US"),
        ("phone", "512-555-0100"),
    ] {
        assert_eq!(
            n["shipTo"][field], want,
            "shipTo.{field} of {}",
            n["shipTo"]
        );
    }
    assert_eq!(n["advancedOptions"]["storeId"], manual);
    for (txn, iso) in &by_country {
        let o = shop.fake_order(&env, txn);
        assert_eq!(o["shipTo"]["country"], *iso, "{}", o["shipTo"]);
        assert_eq!(o["shipTo"]["name"], "Warehouse Manager", "{}", o["shipTo"]);
    }

    // The orders API agrees with what ShipStation holds.
    let listed = shop.order(&env, &full).await;
    assert_eq!(listed["shipstation_order_id"], o["orderId"]);
    assert_eq!(listed["order_key"], shop.order_key(&full));
    assert_eq!(listed["store_id"], manual);
    assert_eq!(listed["ref_number"], "1001");
    assert_eq!(shop.fake_orders(&env).len(), 2 + places.len());
}

#[tokio::test]
async fn a_fractional_quantity_fails_until_round_up_is_chosen_and_the_order_is_resent() {
    let env = TestEnv::start_with(fast(1)).await;
    let shop = Shop::open(&env, json!({})).await;
    let rope = shop.company.add_invoice(
        TxnSpec::new("Harbor Marine")
            .ref_number("2001")
            .ship_to(Address::new(
                &["Sam Ortiz", "9 Pier Way"],
                "Oakland",
                "CA",
                "94607",
            ))
            .line(LineSpec::item("Rope (ft)").qty_str("1.5").rate_str("0.85"))
            .line(LineSpec::item("Widget").qty(1)),
    );
    let whole = shop.company.add_invoice(simple(
        "Harbor Marine",
        "2002",
        Address::new(&["Sam Ortiz", "9 Pier Way"], "Oakland", "CA", "94607"),
    ));
    shop.sync(&env).await;
    let orders = shop.settled(&env, 2).await;
    let failed = with_status(&orders, "failed");
    assert_eq!(failed.len(), 1, "{orders:?}");
    assert_eq!(failed[0]["txn_id"], rope.as_str());
    let message = failed[0]["last_error"].as_str().unwrap_or_default();
    assert!(
        message.contains("fractional quantity 1.5") && message.contains("round_up"),
        "{message}"
    );
    assert_eq!(
        shop.fake_orders(&env).len(),
        1,
        "only the whole-number sale was sent"
    );
    shop.fake_order(&env, &whole);

    shop.put_settings(&env, json!({"fractional_quantities": "round_up"}))
        .await;
    let id = failed[0]["id"].as_str().unwrap_or_default().to_string();
    let resend = env
        .post_json(
            Some(&shop.tenant),
            &shop.path(&format!("/orders/{id}/resend")),
            &json!({}),
        )
        .await;
    assert_eq!(resend.status, 202, "{}", resend.body);
    let orders = shop.settled(&env, 2).await;
    assert_eq!(with_status(&orders, "pushed").len(), 2, "{orders:?}");
    let o = shop.fake_order(&env, &rope);
    let line = &o["items"][0];
    assert_eq!(
        (line["sku"].clone(), line["quantity"].clone()),
        (json!("Rope (ft)"), json!(2))
    );
    let options = line["options"].as_array().cloned().unwrap_or_default();
    assert!(
        options.contains(&json!({"name": "QuickBooks quantity", "value": "1.5"})),
        "{options:?}"
    );
    let detail = shop.detail(&env, &shop.order(&env, &rope).await).await;
    let events: Vec<&Value> = detail["events"]
        .as_array()
        .map(|e| e.iter().collect())
        .unwrap_or_default();
    assert!(
        events
            .iter()
            .any(|e| e["message"].as_str().is_some_and(|m| m.contains("1.5"))
                && e["kind"] != "failed"),
        "a note about the rounding: {events:?}"
    );
    assert_eq!(shop.fake_orders(&env).len(), 2);
}

#[tokio::test]
async fn a_test_sale_reaches_shipstation_while_sending_is_switched_off() {
    let env = TestEnv::start_with(fast(1)).await;
    let shop = Shop::open(&env, json!({"sync_orders_to_shipstation": false})).await;
    let c = &shop.company;
    c.add_customer(doe());
    let to = || {
        Address::new(
            &["Doe Enterprises LLC", "500 Dock Rd"],
            "Austin",
            "TX",
            "78702",
        )
    };
    let tried = c.add_invoice(simple("Doe Enterprises", "T-2001", to()));
    let other = c.add_invoice(simple("Doe Enterprises", "T-2002", to()));
    shop.sync(&env).await;
    let orders = shop.settled(&env, 2).await;
    assert_eq!(with_status(&orders, "skipped").len(), 2, "{orders:?}");
    c.end_session();

    let asked = env
        .post_json(
            Some(&shop.tenant),
            &shop.path("/test-sales"),
            &json!({"order_numbers": "T-2001"}),
        )
        .await;
    assert_eq!(asked.status, 202, "{}", asked.text);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    shop.sync(&env).await;
    let orders = env
        .eventually("the test sale pushed", SETTLE, || async {
            let orders = shop.orders(&env).await;
            (orders
                .iter()
                .any(|o| o["txn_id"] == tried.as_str() && o["status"] == "pushed"))
            .then_some(orders)
        })
        .await;
    let fake = shop.fake_orders(&env);
    assert_eq!(fake.len(), 1, "only the test sale is sent: {fake:?}");
    assert_eq!(fake[0]["orderKey"], shop.order_key(&tried).as_str());
    let left = orders
        .iter()
        .find(|o| o["txn_id"] == other.as_str())
        .cloned()
        .unwrap_or_default();
    assert_eq!(left["status"], "skipped", "{left}");

    // A later edit of the tested sale is an ordinary revision: the switch applies again.
    c.end_session();
    c.advance_clock(3600);
    assert!(c.edit(&tried, |t| t.memo = Some("Second thoughts".into())));
    shop.sync(&env).await;
    let orders = shop.settled(&env, 2).await;
    assert_eq!(with_status(&orders, "skipped").len(), 2, "{orders:?}");
    assert_eq!(shop.fake_orders(&env).len(), 1);
}
