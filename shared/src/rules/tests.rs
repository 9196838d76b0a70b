//! The product's rule examples, every op, validation messages.

use serde_json::{json, Value};
use uuid::Uuid;

use super::*;
use crate::mapping::map_sale;
use crate::mapping::test_support::{ctx, customer, invoice, line};
use crate::sale::{QbCustomer, Sale};
use crate::shipstation::model::{Order, OrderStatus};

fn rule(name: &str, priority: i32, conditions: Value, actions: Value) -> Rule {
    let input: RuleIn = serde_json::from_value(json!({
        "name": name, "priority": priority, "conditions": conditions, "actions": actions
    }))
    .expect("rule json");
    assert_eq!(validate(&input), Ok(()), "{name} validates");
    Rule::from_input(Uuid::new_v4(), input)
}

fn mapped(sale: &Sale, customer: &QbCustomer) -> Order {
    map_sale(sale, Some(customer), &ctx()).expect("map").order
}

fn run(rules: &[Rule], sale: &Sale, customer: &QbCustomer) -> (Order, Vec<String>) {
    let mut order = mapped(sale, customer);
    let applied = apply_rules(rules, sale, Some(customer), &mut order);
    (order, applied)
}

#[test]
fn a_rule_puts_orders_on_hold() {
    let hold = rule(
        "Hold wholesale",
        0,
        json!([{"field": "class", "op": "equals", "value": "wholesale"}]),
        json!([{"field": "orderStatus", "value": "on_hold"}]),
    );
    let (order, applied) = run(std::slice::from_ref(&hold), &invoice(), &customer());
    assert_eq!(order.order_status, OrderStatus::OnHold);
    assert_eq!(applied, ["Hold wholesale"]);

    let mut retail = invoice();
    retail.class_name = Some("Retail".into());
    let (order, applied) = run(&[hold], &retail, &customer());
    assert_eq!(order.order_status, OrderStatus::AwaitingShipment);
    assert!(applied.is_empty());
}

#[test]
fn if_the_company_is_target_the_store_is_the_target_store() {
    let target_store = rule(
        "Target store",
        0,
        json!([{"field": "company", "op": "equals", "value": "Target"}]),
        json!([{"field": "advancedOptions.storeId", "value": 424242}]),
    );
    let target = QbCustomer {
        company_name: Some("TARGET".into()),
        ..customer()
    };
    // The store id as a form sends it (text) is the same number.
    let as_text = rule(
        "Target store",
        0,
        json!([{"field": "company", "op": "equals", "value": "Target"}]),
        json!([{"field": "advancedOptions.storeId", "value": "424242"}]),
    );
    let (order, _) = run(&[as_text], &invoice(), &target);
    assert_eq!(order.advanced_options.store_id, Some(424242));
    let cases = [(target, Some(424242)), (customer(), None)];
    for (cust, want) in cases {
        let (order, _) = run(std::slice::from_ref(&target_store), &invoice(), &cust);
        assert_eq!(
            order.advanced_options.store_id, want,
            "{:?}",
            cust.company_name
        );
    }
}

#[test]
fn third_party_billing_sets_all_four_fields() {
    let bill = rule(
        "Bill UPS to Acme",
        0,
        json!([{"field": "ship_via", "op": "starts_with", "value": "UPS"}]),
        json!([
            {"field": "advancedOptions.billToParty", "value": "third_party"},
            {"field": "advancedOptions.billToAccount", "value": "A1B2C3"},
            {"field": "advancedOptions.billToPostalCode", "value": "78701"},
            {"field": "advancedOptions.billToCountryCode", "value": "United States"}
        ]),
    );
    let (order, _) = run(&[bill], &invoice(), &customer());
    let got = serde_json::to_value(&order.advanced_options).expect("json");
    assert_eq!(got["billToParty"], "third_party");
    assert_eq!(got["billToAccount"], "A1B2C3");
    assert_eq!(got["billToPostalCode"], "78701");
    assert_eq!(got["billToCountryCode"], "US");
}

#[test]
fn higher_priority_numbers_apply_later_and_win() {
    let ground = rule(
        "Ground",
        1,
        json!([]),
        json!([{"field": "requestedShippingService", "value": "Ground"},
               {"field": "internalNotes", "value": "from ground"}]),
    );
    let express = rule(
        "Express over 30",
        5,
        json!([{"field": "total", "op": "gt", "value": 30}]),
        json!([{"field": "requestedShippingService", "value": "Express"}]),
    );
    let mut disabled = rule(
        "Disabled",
        9,
        json!([]),
        json!([{"field": "requestedShippingService", "value": "Never"}]),
    );
    disabled.enabled = false;
    // Given out of order on purpose.
    let rules = [disabled, express, ground];
    let (order, applied) = run(&rules, &invoice(), &customer());
    assert_eq!(applied, ["Ground", "Express over 30"]);
    assert_eq!(order.requested_shipping_service.as_deref(), Some("Express"));
    assert_eq!(order.internal_notes.as_deref(), Some("from ground"));
}

#[test]
fn every_action_field_sets_its_order_field() {
    let cases: Vec<(&str, Value, Value)> = vec![
        (
            "advancedOptions.warehouseId",
            json!(7),
            json!({"advancedOptions": {"warehouseId": 7}}),
        ),
        (
            "advancedOptions.customField3",
            json!("x"),
            json!({"advancedOptions": {"customField3": "x"}}),
        ),
        (
            "advancedOptions.customField1",
            Value::Null,
            json!({"advancedOptions": {}}),
        ),
        (
            "advancedOptions.nonMachinable",
            json!(true),
            json!({"advancedOptions": {"nonMachinable": true}}),
        ),
        (
            "advancedOptions.saturdayDelivery",
            json!(true),
            json!({"advancedOptions": {"saturdayDelivery": true}}),
        ),
        (
            "advancedOptions.containsAlcohol",
            json!(false),
            json!({"advancedOptions": {"containsAlcohol": false}}),
        ),
        (
            "carrierCode",
            json!("fedex"),
            json!({"carrierCode": "fedex"}),
        ),
        (
            "serviceCode",
            json!("fedex_2day"),
            json!({"serviceCode": "fedex_2day"}),
        ),
        (
            "packageCode",
            json!("package"),
            json!({"packageCode": "package"}),
        ),
        (
            "confirmation",
            json!("signature"),
            json!({"confirmation": "signature"}),
        ),
        ("tagIds", json!([1, 2]), json!({"tagIds": [1, 2]})),
        ("gift", json!(true), json!({"gift": true})),
        (
            "giftMessage",
            json!("Enjoy"),
            json!({"giftMessage": "Enjoy"}),
        ),
        (
            "paymentMethod",
            json!("Net 30"),
            json!({"paymentMethod": "Net 30"}),
        ),
        ("customerNotes", Value::Null, json!({"customerNotes": null})),
    ];
    for (field, value, want) in cases {
        let r = rule(
            field,
            0,
            json!([]),
            json!([{"field": field, "value": value}]),
        );
        let (order, _) = run(&[r], &invoice(), &customer());
        let got = serde_json::to_value(&order).expect("json");
        for (key, expected) in want.as_object().into_iter().flatten() {
            match expected {
                Value::Object(inner) if !inner.is_empty() => {
                    for (k, v) in inner {
                        assert_eq!(&got[key][k], v, "{field}");
                    }
                }
                Value::Object(_) => assert!(got[key].get("customField1").is_none(), "{field}"),
                Value::Null => assert!(got.get(key).is_none(), "{field} cleared"),
                v => assert_eq!(&got[key], v, "{field}"),
            }
        }
    }
}

fn holds_on_invoice(field: &str, op: &str, value: Value) -> bool {
    let sale = Sale {
        lines: vec![
            line("L1", "Parts:Widget", None, "2", "12.50"),
            line("L2", "Parts:Gadget", None, "1", "1"),
        ],
        ..invoice()
    };
    let order = mapped(&sale, &customer());
    let facts = Facts::new(&sale, Some(&customer()), &order);
    let c = Condition {
        field: field.into(),
        op: op.into(),
        value,
    };
    holds(&c, &facts)
}

#[test]
fn conditions_compare_as_documented() {
    let cases: Vec<(&str, &str, Value, bool)> = vec![
        ("customer_name", "equals", json!("doe enterprises"), true),
        ("customer_name", "equals", json!("Doe"), false),
        ("customer_name", "not_equals", json!("Doe"), true),
        ("customer_name", "contains", json!("ENTER"), true),
        ("customer_name", "starts_with", json!(" doe "), true),
        ("customer_name", "starts_with", json!("Enter"), false),
        ("company", "equals", json!("Doe Enterprises LLC"), true),
        ("customer_email", "contains", json!("@doe.example"), true),
        ("ship_via", "in", json!(["FedEx", "ups ground"]), true),
        ("ship_via", "in", json!(["FedEx"]), false),
        ("class", "equals", json!("Wholesale"), true),
        ("ref_number", "equals", json!(1001), true),
        ("txn_type", "equals", json!("invoice"), true),
        (
            "txn_type",
            "in",
            json!(["sales_order", "sales_receipt"]),
            false,
        ),
        ("total", "gt", json!(36), true),
        ("total", "gt", json!("36.01"), false),
        ("total", "lt", json!(100), true),
        ("total", "equals", json!(36.01), true),
        ("total", "not_equals", json!(36.01), false),
        ("total", "in", json!([1, 36.01]), true),
        ("ship_to.state", "equals", json!("tx"), true),
        ("ship_to.country", "equals", json!("US"), true),
        ("ship_to.country", "equals", json!("United States"), true),
        ("ship_to.country", "not_equals", json!("CA"), true),
        ("ship_to.city", "equals", json!("Austin"), true),
        ("ship_to.postal_code", "starts_with", json!("787"), true),
        ("ship_to.name", "equals", json!("Receiving"), true),
        ("ship_to.company", "contains", json!("doe"), true),
        ("po_number", "equals", json!("PO-77"), true),
        ("memo", "contains", json!("back door"), true),
        // Missing values are empty text.
        ("other", "equals", json!(""), true),
        ("other", "not_equals", json!("x"), true),
        ("other", "contains", json!("x"), false),
        // item_sku: any line matches; not_equals means no line equals.
        ("item_sku", "equals", json!("parts:gadget"), true),
        ("item_sku", "starts_with", json!("Parts:"), true),
        ("item_sku", "contains", json!("bolt"), false),
        ("item_sku", "not_equals", json!("Parts:Widget"), false),
        ("item_sku", "not_equals", json!("Bolt"), true),
        // Unknown names never hold.
        ("colour", "equals", json!("red"), false),
        ("class", "like", json!("W"), false),
    ];
    for (field, op, value, want) in cases {
        assert_eq!(
            holds_on_invoice(field, op, value.clone()),
            want,
            "{field} {op} {value}"
        );
    }
}

fn error_of(input: Value) -> String {
    let rule: RuleIn = serde_json::from_value(input).expect("shape");
    validate(&rule).expect_err("invalid").to_string()
}

#[test]
fn invalid_rules_name_the_offending_field() {
    let ok_action = json!([{"field": "orderStatus", "value": "on_hold"}]);
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"name": "x", "conditions": [{"field": "colour", "op": "equals", "value": "red"}], "actions": ok_action}),
            "conditions[0].field: unknown field \"colour\" (expected one of: customer_name,",
        ),
        (
            json!({"name": "x", "conditions": [
                {"field": "class", "op": "equals", "value": "A"},
                {"field": "class", "op": "like", "value": "A"}], "actions": ok_action}),
            "conditions[1].op: unknown op \"like\"",
        ),
        (
            json!({"name": "x", "conditions": [{"field": "class", "op": "gt", "value": 3}], "actions": ok_action}),
            "conditions[0].op: \"gt\" only works on numbers",
        ),
        (
            json!({"name": "x", "conditions": [{"field": "total", "op": "contains", "value": 3}], "actions": ok_action}),
            "conditions[0].op: \"contains\" only works on text",
        ),
        (
            json!({"name": "x", "conditions": [{"field": "total", "op": "gt", "value": "lots"}], "actions": ok_action}),
            "conditions[0].value: must be a number",
        ),
        (
            json!({"name": "x", "conditions": [{"field": "class", "op": "in", "value": "A"}], "actions": ok_action}),
            "conditions[0].value: \"in\" needs a non-empty array",
        ),
        (
            json!({"name": "x", "conditions": [{"field": "class", "op": "in", "value": ["A", {}]}], "actions": ok_action}),
            "conditions[0].value[1]: must be text",
        ),
        (
            json!({"name": "x", "conditions": [{"field": "txn_type", "op": "equals", "value": "quote"}], "actions": ok_action}),
            "conditions[0].value: unknown transaction type \"quote\"",
        ),
        (
            json!({"name": "x", "actions": [{"field": "colour", "value": "red"}]}),
            "actions[0].field: unknown field \"colour\"",
        ),
        (
            json!({"name": "x", "actions": [{"field": "orderStatus", "value": "shipped"}]}),
            "actions[0].value: must be one of: awaiting_payment, awaiting_shipment",
        ),
        (
            json!({"name": "x", "actions": [{"field": "advancedOptions.billToParty", "value": "me"}]}),
            "actions[0].value: \"me\" is not allowed (expected one of: my_account,",
        ),
        (
            json!({"name": "x", "actions": [{"field": "advancedOptions.storeId", "value": "twelve"}]}),
            "actions[0].value: must be a positive whole number",
        ),
        (
            json!({"name": "x", "actions": [{"field": "tagIds", "value": [1, "a"]}]}),
            "actions[0].value: must be an array of positive whole numbers",
        ),
        (
            json!({"name": "x", "actions": [{"field": "advancedOptions.billToCountryCode", "value": "Narnia"}]}),
            "actions[0].value: \"Narnia\" is not a country",
        ),
        (
            json!({"name": "x", "actions": [{"field": "gift", "value": "yes"}]}),
            "actions[0].value: must be true or false",
        ),
        (
            json!({"name": " ", "actions": ok_action}),
            "name: must not be empty",
        ),
    ];
    for (input, want) in cases {
        let got = error_of(input.clone());
        assert!(got.starts_with(want), "{input}\n got: {got}\nwant: {want}");
    }
}

#[test]
fn rules_use_the_contract_json() {
    let id = Uuid::new_v4();
    let r = rule(
        "Hold",
        3,
        json!([{"field": "class", "op": "equals", "value": "Hold"}]),
        json!([{"field": "orderStatus", "value": "on_hold"}]),
    );
    let r = Rule { id, ..r };
    let got = serde_json::to_value(&r).expect("json");
    assert_eq!(
        got,
        json!({"id": id, "name": "Hold", "enabled": true, "priority": 3,
               "conditions": [{"field": "class", "op": "equals", "value": "Hold"}],
               "actions": [{"field": "orderStatus", "value": "on_hold"}]})
    );
    let back: Rule = serde_json::from_value(got).expect("parse");
    assert_eq!(back, r);
}

#[test]
fn a_rule_without_actions_is_accepted_and_changes_nothing() {
    // A rule saved while it is being written (conditions first) is harmless.
    let draft = rule(
        "Draft",
        0,
        json!([{"field": "class", "op": "equals", "value": "Wholesale"}]),
        json!([]),
    );
    let mut sale = invoice();
    sale.class_name = Some("Wholesale".into());
    let (order, _) = run(&[draft], &sale, &customer());
    assert_eq!(order, mapped(&sale, &customer()));
}
