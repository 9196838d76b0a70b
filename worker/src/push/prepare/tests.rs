use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::json;
use shared::ids::OrderId;
use shared::rules::{Action, Rule};
use shared::sale::{QbAddress, Sale, SaleLine, TxnType};

use super::*;

fn sale(txn: &str) -> Sale {
    Sale {
        txn_type: TxnType::Invoice,
        txn_id: txn.into(),
        edit_sequence: "1".into(),
        time_modified: "2026-11-29T10:00:00-08:00".into(),
        time_created: None,
        ref_number: Some("1001".into()),
        txn_date: NaiveDate::from_ymd_opt(2026, 11, 29),
        customer_list_id: None,
        customer_full_name: Some("Ada Lovelace".into()),
        class_name: None,
        bill_address: None,
        ship_address: Some(QbAddress {
            addr1: Some("Ada Lovelace".into()),
            addr2: Some("1 Main St".into()),
            city: Some("Austin".into()),
            state: Some("TX".into()),
            postal_code: Some("78701".into()),
            country: Some("US".into()),
            ..QbAddress::default()
        }),
        po_number: None,
        ship_via: None,
        ship_date: None,
        memo: None,
        other: None,
        subtotal: None,
        sales_tax_total: None,
        total: None,
        is_pending: None,
        lines: vec![SaleLine {
            txn_line_id: "1".into(),
            item_full_name: Some("Widget".into()),
            quantity: Decimal::from_str("2").ok(),
            rate: Decimal::from_str("5").ok(),
            amount: Decimal::from_str("10").ok(),
            ..SaleLine::default()
        }],
        line_groups: vec![],
        data_ext: vec![],
        from_sales_orders: vec![],
    }
}

fn pending(sale: Result<Sale, String>) -> PendingOrder {
    PendingOrder {
        id: OrderId::new(),
        order_key: "qb-key-1".into(),
        shipstation_order_id: None,
        shipstation_status: None,
        store_id: None,
        sale,
        content_hash: vec![1, 2, 3],
        customer: None,
        test_sale: false,
    }
}

fn ctx(store: Option<i64>) -> MappingContext {
    let settings = SyncSettings::defaults(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default());
    mapping_context(ConnectionId::new(), &settings, store)
}

#[test]
fn a_good_sale_is_sent_with_the_stored_key_and_store() {
    match plan(pending(Ok(sale("T-1"))), &ctx(Some(77)), &[]) {
        Plan::Send(p) => {
            assert_eq!(p.order.order_key.as_deref(), Some("qb-key-1"));
            assert_eq!(p.order.advanced_options.store_id, Some(77));
            assert_eq!(p.order.order_number, "1001");
        }
        other => panic!("expected Send, got {other:?}"),
    }
}

#[test]
fn a_mapping_error_fails_with_its_message() {
    let mut s = sale("T-2");
    s.txn_date = None;
    match plan(pending(Ok(s)), &ctx(None), &[]) {
        Plan::Fail { message, .. } => assert_eq!(message, "The sale has no transaction date."),
        other => panic!("expected Fail, got {other:?}"),
    }
}

#[test]
fn an_existing_order_keeps_its_store_and_says_why() {
    let mut p = pending(Ok(sale("T-3")));
    p.shipstation_order_id = Some(123);
    p.store_id = Some(10);
    match plan(p, &ctx(Some(20)), &[]) {
        Plan::Send(p) => {
            assert_eq!(p.order.advanced_options.store_id, Some(10));
            assert!(p
                .events
                .iter()
                .any(|(k, m)| *k == "store" && m.contains("it stays in store 10")));
        }
        other => panic!("expected Send, got {other:?}"),
    }
}

#[test]
fn shipped_orders_are_not_sent_again() {
    let mut p = pending(Ok(sale("T-4")));
    p.shipstation_status = Some("shipped".into());
    assert!(matches!(plan(p, &ctx(None), &[]), Plan::Locked { .. }));
}

#[test]
fn rules_apply_and_are_noted() {
    let rule = Rule {
        id: uuid::Uuid::new_v4(),
        name: "Hold everything".into(),
        enabled: true,
        priority: 0,
        conditions: vec![],
        actions: vec![Action {
            field: "internalNotes".into(),
            value: json!("from rule"),
        }],
    };
    match plan(pending(Ok(sale("T-5"))), &ctx(None), &[rule]) {
        Plan::Send(p) => {
            assert_eq!(p.order.internal_notes.as_deref(), Some("from rule"));
            assert!(p
                .events
                .iter()
                .any(|(k, m)| *k == "rules" && m.contains("Hold everything")));
        }
        other => panic!("expected Send, got {other:?}"),
    }
}

#[test]
fn locked_errors_are_recognised() {
    assert!(is_locked_error(
        "Order 5 (1001) cannot be updated because its status is 'shipped'. Only orders in \
         awaiting_payment ... can be updated.",
        false
    ));
    assert!(is_locked_error(
        "This order can\u{2019}t be modified: it was shipped.",
        false
    ));
    assert!(is_locked_error("Order is already cancelled.", false));
    // Updating an order ShipStation has: naming its state is enough.
    assert!(is_locked_error("Order status is shipped.", true));
    assert!(!is_locked_error("Order status is shipped.", false));
    assert!(!is_locked_error(
        "The shipTo.postalCode field is required.",
        true
    ));
    assert!(!is_locked_error("Invalid shippingAmount.", true));
}

fn voided(txn: &str) -> Sale {
    let mut s = sale(txn);
    s.memo = Some("VOID: rush order".into());
    s.lines[0].quantity = Some(Decimal::ZERO);
    s.lines[0].amount = Some(Decimal::ZERO);
    s.subtotal = Some(Decimal::ZERO);
    s.total = Some(Decimal::ZERO);
    s
}

#[test]
fn a_voided_sale_never_sent_is_skipped_and_one_sent_is_cancelled_in_its_store() {
    match plan(pending(Ok(voided("V-1"))), &ctx(Some(77)), &[]) {
        Plan::Skip { reason, .. } => assert_eq!(reason, VOIDED_NOT_SENT),
        other => panic!("expected skip, got {other:?}"),
    }
    let mut sent = pending(Ok(voided("V-2")));
    sent.shipstation_order_id = Some(4242);
    sent.store_id = Some(12);
    // A rule that would put the order on hold does not undo the cancellation.
    let hold = Rule {
        id: uuid::Uuid::new_v4(),
        name: "hold".into(),
        enabled: true,
        priority: 1,
        conditions: vec![],
        actions: vec![Action {
            field: "orderStatus".into(),
            value: json!("on_hold"),
        }],
    };
    match plan(sent, &ctx(Some(77)), &[hold]) {
        Plan::Send(p) => {
            assert!(p.cancels);
            let body = serde_json::to_value(&p.order).expect("json");
            assert_eq!(body["orderStatus"], "cancelled", "{body}");
            assert_eq!(body["orderKey"], "qb-key-1");
            assert_eq!(body["advancedOptions"]["storeId"], 12);
            assert!(
                body["items"].as_array().is_none_or(|i| i.is_empty()),
                "{body}"
            );
        }
        other => panic!("expected a cancellation, got {other:?}"),
    }
    // Already cancelled: nothing more to send.
    let mut done = pending(Ok(voided("V-4")));
    done.shipstation_order_id = Some(4243);
    done.shipstation_status = Some("cancelled".into());
    match plan(done, &ctx(None), &[]) {
        Plan::Skip { reason, .. } => assert_eq!(reason, VOIDED_CANCELLED),
        other => panic!("expected skip, got {other:?}"),
    }
    // Shipped before QuickBooks voided it: ShipStation keeps the shipped order.
    let mut shipped = pending(Ok(voided("V-5")));
    shipped.shipstation_order_id = Some(4244);
    shipped.shipstation_status = Some("shipped".into());
    assert!(matches!(
        plan(shipped, &ctx(None), &[]),
        Plan::Locked { .. }
    ));
    // A sale whose memo merely begins with "Void:" but still has amounts ships.
    let mut live = sale("V-3");
    live.memo = Some("Void: the old address".into());
    assert!(matches!(
        plan(pending(Ok(live)), &ctx(None), &[]),
        Plan::Send(p) if !p.cancels
    ));
}
