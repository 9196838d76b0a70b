//! The seed's rule examples, applied on the way to ShipStation; the rule preview shows what
//! was sent; a sale ShipStation itself rejects is `failed` with ShipStation's reason.

use quayside_tests::harness::TestEnv;
use quayside_tests::qb_company::{Address, CustomerSpec, LineSpec, TxnSpec};
use serde_json::{json, Value};

use super::common::*;

fn addr() -> Address {
    Address::new(&["Pat Lee", "77 Elm St"], "Denver", "CO", "80202")
}

fn sale(customer: &str, reference: &str) -> TxnSpec {
    TxnSpec::new(customer)
        .ref_number(reference)
        .ship_to(addr())
        .line(LineSpec::item("Widget").qty(3).rate_str("5.00"))
}

#[tokio::test]
async fn status_store_and_third_party_billing_rules_shape_the_orders() {
    let env = TestEnv::start_with(fast(1)).await;
    let shop = Shop::open(&env, json!({})).await;
    let target_store = shop
        .account
        .stores
        .iter()
        .find(|s| s.store_name == "Target Store")
        .map(|s| s.store_id)
        .expect("the fake seeds a Target store");
    for rule in [
        json!({"name": "Hold wholesale", "priority": 0,
               "conditions": [{"field": "class", "op": "equals", "value": "Wholesale"}],
               "actions": [{"field": "orderStatus", "value": "on_hold"}]}),
        json!({"name": "Target store",
               "conditions": [{"field": "company", "op": "equals", "value": "Target"}],
               "actions": [{"field": "advancedOptions.storeId", "value": target_store}]}),
        json!({"name": "Bill UPS to Acme",
               "conditions": [{"field": "ship_via", "op": "starts_with", "value": "UPS"}],
               "actions": [{"field": "advancedOptions.billToParty", "value": "third_party"},
                           {"field": "advancedOptions.billToAccount", "value": "A1B2C3"},
                           {"field": "advancedOptions.billToPostalCode", "value": "78701"},
                           {"field": "advancedOptions.billToCountryCode", "value": "United States"}]}),
    ] {
        let r = env
            .post_json(Some(&shop.tenant), &shop.path("/rules"), &rule)
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let c = &shop.company;
    c.add_customer(CustomerSpec {
        name: "Target Corp".into(),
        company_name: Some("Target".into()),
        ..CustomerSpec::default()
    });
    let mut wholesale = sale("Bulk Buyer", "3001");
    wholesale.class = Some("Wholesale".into());
    let wholesale = c.add_invoice(wholesale);
    let target = c.add_invoice(sale("Target Corp", "3002"));
    let mut ups = sale("Pat Lee", "3003");
    ups.ship_method = Some("UPS Ground".into());
    let ups = c.add_invoice(ups);
    let plain = c.add_invoice(sale("Pat Lee", "3004"));
    shop.sync(&env).await;
    let orders = shop.settled(&env, 4).await;
    assert_eq!(with_status(&orders, "pushed").len(), 4, "{orders:?}");
    let manual = shop.account.manual_store_id();

    let o = shop.fake_order(&env, &wholesale);
    assert_eq!(o["orderStatus"], "on_hold");
    assert_eq!(o["advancedOptions"]["storeId"], manual);

    let o = shop.fake_order(&env, &target);
    assert_eq!(o["orderStatus"], "awaiting_shipment");
    assert_eq!(o["advancedOptions"]["storeId"], target_store);
    assert_eq!(shop.order(&env, &target).await["store_id"], target_store);

    let o = shop.fake_order(&env, &ups);
    let adv = &o["advancedOptions"];
    assert_eq!(
        [
            &adv["billToParty"],
            &adv["billToAccount"],
            &adv["billToPostalCode"],
            &adv["billToCountryCode"]
        ],
        [
            &json!("third_party"),
            &json!("A1B2C3"),
            &json!("78701"),
            &json!("US")
        ]
    );
    assert_eq!(adv["storeId"], manual);

    let o = shop.fake_order(&env, &plain);
    assert_eq!(o["orderStatus"], "awaiting_shipment");
    assert_eq!(o["advancedOptions"]["storeId"], manual);
    assert_eq!(o["advancedOptions"]["billToParty"], Value::Null);

    // The order's events name the rules that applied.
    let detail = shop.detail(&env, &shop.order(&env, &wholesale).await).await;
    assert!(
        detail["events"].to_string().contains("Hold wholesale"),
        "{}",
        detail["events"]
    );
    // The preview shows the same order the worker sent.
    let preview = env
        .post_json(
            Some(&shop.tenant),
            &shop.path("/rules/preview"),
            &json!({"ref_number": "3002"}),
        )
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    let text = preview.body.to_string();
    assert!(text.contains(&target_store.to_string()), "{text}");
    assert!(text.contains(&shop.order_key(&target)), "{text}");
}

#[tokio::test]
async fn a_sale_shipstation_rejects_is_failed_with_shipstations_reason() {
    let env = TestEnv::start_with(fast(1)).await;
    let shop = Shop::open(&env, json!({})).await;
    let c = &shop.company;
    let no_zip = c.add_invoice(sale("Pat Lee", "4001").ship_to(Address::new(
        &["Pat Lee", "77 Elm St"],
        "Denver",
        "CO",
        "",
    )));
    let good = c.add_invoice(sale("Pat Lee", "4002"));
    shop.sync(&env).await;
    let orders = shop.settled(&env, 2).await;
    let failed = with_status(&orders, "failed");
    assert_eq!(failed.len(), 1, "{orders:?}");
    assert_eq!(failed[0]["txn_id"], no_zip.as_str());
    assert_eq!(failed[0]["last_error"], "The postalCode field is required.");
    assert_eq!(failed[0]["shipstation_order_id"], Value::Null);
    let detail = shop.detail(&env, failed[0]).await;
    assert!(
        detail["events"]
            .to_string()
            .contains("The postalCode field is required."),
        "{}",
        detail["events"]
    );
    let pushed = shop.order(&env, &good).await;
    assert_eq!(pushed["status"], "pushed");
    assert_eq!(shop.fake_orders(&env).len(), 1);
    shop.fake_order(&env, &good);
}
