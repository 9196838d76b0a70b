use chrono::{NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;
use shared::ids::OrderId;
use uuid::Uuid;

use super::*;

fn settings() -> SyncSettings {
    SyncSettings::defaults(NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"))
}

fn order(status: &str) -> OrderTracking {
    OrderTracking {
        id: OrderId(Uuid::nil()),
        status: status.into(),
        shipstation_status: Some("awaiting_shipment".into()),
        tracking_numbers: Vec::new(),
        shipping_cost: None,
        txn_type: "invoice".into(),
        ref_number: Some("1042".into()),
    }
}

fn label(id: i64, tracking: &str, cost: &str, voided: bool) -> StoredShipment {
    StoredShipment {
        shipstation_shipment_id: id,
        fulfillment: false,
        tracking_number: Some(tracking.into()),
        carrier_code: Some("ups".into()),
        service_code: Some("ups_ground".into()),
        ship_date: NaiveDate::from_ymd_opt(2026, 3, u32::try_from(id).unwrap_or(1)),
        cost: Some(cost.parse().expect("decimal")),
        voided,
        void_date: None,
    }
}

fn done(add: &[&str], remove: &[&str], cost: Option<&str>, status: &str) -> WriteBackRow {
    WriteBackRow {
        id: Uuid::new_v4(),
        order_id: OrderId(Uuid::nil()),
        status: status.into(),
        add_tracking: add.iter().map(|s| s.to_string()).collect(),
        remove_tracking: remove.iter().map(|s| s.to_string()).collect(),
        ship_date: None,
        shipping_cost: cost.map(|c| c.parse().expect("decimal")),
        last_error: None,
        created_at: Utc.timestamp_opt(1_700_000_000, 0).single().expect("time"),
    }
}

fn dec(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

#[test]
fn a_first_label_ships_the_order_and_queues_its_tracking() {
    let d = decide(
        &order("pushed"),
        &[label(1, "1ZA", "8.50", false)],
        &[],
        &settings(),
    );
    assert_eq!(d.order.status, "shipped");
    assert_eq!(d.order.shipstation_status.as_deref(), Some("shipped"));
    assert_eq!(d.order.tracking_numbers, vec!["1ZA"]);
    assert_eq!(d.order.shipping_cost, Some(dec("8.50")));
    let wb = d.write_back.expect("due");
    assert_eq!(wb.add_tracking, vec!["1ZA"]);
    assert!(wb.remove_tracking.is_empty());
    assert_eq!(wb.shipping_cost, None, "cost write-back is off by default");
    assert_eq!(wb.ship_date, NaiveDate::from_ymd_opt(2026, 3, 1));
}

#[test]
fn several_packages_keep_every_number_and_sum_their_cost() {
    let mut s = settings();
    s.write_shipping_cost_to_quickbooks = true;
    let labels = [
        label(1, "1ZA", "8.50", false),
        label(2, "1ZB", "4.25", false),
    ];
    let d = decide(&order("pushed"), &labels, &[], &s);
    let wb = d.write_back.expect("due");
    assert_eq!(wb.add_tracking, vec!["1ZA", "1ZB"]);
    assert_eq!(wb.shipping_cost, Some(dec("12.75")));
    assert_eq!(
        wb.ship_date,
        NaiveDate::from_ymd_opt(2026, 3, 1),
        "earliest"
    );
}

#[test]
fn nothing_is_queued_again_once_written() {
    let labels = [label(1, "1ZA", "8.50", false)];
    let d = decide(
        &order("written_back"),
        &labels,
        &[done(&["1ZA"], &[], None, "done")],
        &settings(),
    );
    assert_eq!(d.write_back, None);
    assert_eq!(d.order.status, "written_back");
}

#[test]
fn a_second_package_after_a_write_back_sends_the_full_list() {
    let labels = [label(1, "1ZA", "8.50", false), label(2, "1ZB", "1", false)];
    let d = decide(
        &order("written_back"),
        &labels,
        &[done(&["1ZA"], &[], None, "done")],
        &settings(),
    );
    assert_eq!(d.write_back.expect("due").add_tracking, vec!["1ZA", "1ZB"]);
    assert_eq!(d.order.status, "shipped");
}

#[test]
fn a_voided_label_is_never_written() {
    let labels = [label(1, "1ZA", "8.50", true), label(2, "1ZB", "9", false)];
    let d = decide(&order("pushed"), &labels, &[], &settings());
    let wb = d.write_back.expect("due");
    assert_eq!(wb.add_tracking, vec!["1ZB"]);
    assert!(wb.remove_tracking.is_empty(), "1ZA was never written");
    assert_eq!(d.order.tracking_numbers, vec!["1ZB"]);
    assert_eq!(d.order.shipping_cost, Some(dec("9")));
}

#[test]
fn only_voided_labels_mean_nothing_to_write_and_back_to_awaiting_shipment() {
    let mut o = order("shipped");
    o.shipstation_status = Some("shipped".into());
    let d = decide(&o, &[label(1, "1ZA", "8.50", true)], &[], &settings());
    assert_eq!(d.write_back, None);
    assert_eq!(d.order.status, "pushed");
    assert_eq!(
        d.order.shipstation_status.as_deref(),
        Some("awaiting_shipment")
    );
    assert!(d.order.tracking_numbers.is_empty());
    assert_eq!(d.order.shipping_cost, None);
}

#[test]
fn a_label_voided_after_its_write_back_is_removed() {
    let labels = [label(1, "1ZA", "8.50", true), label(2, "1ZB", "9", false)];
    let d = decide(
        &order("written_back"),
        &labels,
        &[done(&["1ZA"], &[], None, "done")],
        &settings(),
    );
    let wb = d.write_back.expect("due");
    assert_eq!(wb.add_tracking, vec!["1ZB"]);
    assert_eq!(wb.remove_tracking, vec!["1ZA"]);
    // Once that is done, nothing more is due.
    let history = [
        done(&["1ZA"], &[], None, "done"),
        done(&["1ZB"], &["1ZA"], None, "done"),
    ];
    assert_eq!(
        decide(&order("written_back"), &labels, &history, &settings()).write_back,
        None
    );
}

#[test]
fn removal_happens_even_when_tracking_write_back_was_turned_off() {
    let mut s = settings();
    s.write_tracking_to_quickbooks = false;
    let labels = [label(1, "1ZA", "8.50", true)];
    let d = decide(
        &order("written_back"),
        &labels,
        &[done(&["1ZA"], &[], None, "done")],
        &s,
    );
    let wb = d.write_back.expect("due");
    assert!(wb.add_tracking.is_empty());
    assert_eq!(wb.remove_tracking, vec!["1ZA"]);
    assert_eq!(d.order.status, "pushed");
}

#[test]
fn the_settings_decide_whether_anything_is_written() {
    let labels = [label(1, "1ZA", "8.50", false)];
    let mut s = settings();
    s.write_tracking_to_quickbooks = false;
    assert_eq!(decide(&order("pushed"), &labels, &[], &s).write_back, None);
    let mut s = settings();
    s.export_order_statuses = vec!["on_hold".into()];
    let d = decide(&order("pushed"), &labels, &[], &s);
    assert_eq!(d.write_back, None);
    assert_eq!(d.order.status, "shipped");
    let mut s = settings();
    s.write_tracking_to_quickbooks = false;
    s.write_shipping_cost_to_quickbooks = true;
    let wb = decide(&order("pushed"), &labels, &[], &s)
        .write_back
        .expect("cost only");
    assert!(wb.add_tracking.is_empty());
    assert_eq!(wb.shipping_cost, Some(dec("8.50")));
}

#[test]
fn a_cost_change_is_due_and_a_full_void_zeroes_a_written_cost() {
    let mut s = settings();
    s.write_shipping_cost_to_quickbooks = true;
    let history = [done(&["1ZA"], &[], Some("8.50"), "done")];
    let same = decide(
        &order("written_back"),
        &[label(1, "1ZA", "8.5", false)],
        &history,
        &s,
    );
    assert_eq!(same.write_back, None, "8.5 == 8.50");
    let voided = decide(
        &order("written_back"),
        &[label(1, "1ZA", "8.50", true)],
        &history,
        &s,
    );
    let wb = voided.write_back.expect("due");
    assert_eq!(wb.shipping_cost, Some(Decimal::ZERO));
    assert_eq!(wb.remove_tracking, vec!["1ZA"]);
}

#[test]
fn a_failed_write_back_is_not_repeated_until_something_changes() {
    let labels = [label(1, "1ZA", "8.50", false)];
    let failed = [done(&["1ZA"], &[], None, "failed")];
    let d = decide(&order("write_back_failed"), &labels, &failed, &settings());
    assert_eq!(d.write_back, None);
    assert_eq!(d.order.status, "write_back_failed");
    let more = [label(1, "1ZA", "8.50", false), label(2, "1ZB", "1", false)];
    assert!(
        decide(&order("write_back_failed"), &more, &failed, &settings())
            .write_back
            .is_some()
    );
}

#[test]
fn a_sent_write_back_counts_as_written() {
    let labels = [label(1, "1ZA", "8.50", false)];
    let d = decide(
        &order("shipped"),
        &labels,
        &[done(&["1ZA"], &[], None, "sent")],
        &settings(),
    );
    assert_eq!(d.write_back, None);
    assert_eq!(d.order.status, "shipped");
}

#[test]
fn pending_orders_keep_their_status_but_learn_they_shipped() {
    let d = decide(
        &order("pending"),
        &[label(1, "1ZA", "1", false)],
        &[],
        &settings(),
    );
    assert_eq!(d.order.status, "pending");
    assert_eq!(d.order.shipstation_status.as_deref(), Some("shipped"));
}

#[test]
fn repeated_and_blank_numbers_are_ignored() {
    let mut blank = label(3, " ", "1", false);
    blank.tracking_number = Some("  ".into());
    let labels = [
        label(1, "1ZA", "1", false),
        label(2, "1ZA", "1", false),
        blank,
    ];
    assert_eq!(live_tracking(&labels), vec!["1ZA"]);
    assert_eq!(live_cost(&labels), Some(dec("3")));
}

#[test]
fn a_fulfillment_gives_tracking_but_no_cost() {
    let mut f = label(7, "9400FULFIL1", "0", false);
    f.fulfillment = true;
    f.cost = None;
    let settings = SyncSettings {
        write_shipping_cost_to_quickbooks: true,
        ..settings()
    };
    let d = decide(&order("pushed"), &[f], &[], &settings);
    assert_eq!(d.order.status, "shipped");
    assert_eq!(d.order.tracking_numbers, vec!["9400FULFIL1"]);
    assert_eq!(d.order.shipping_cost, None);
    let wb = d.write_back.expect("tracking is written back");
    assert_eq!(wb.add_tracking, vec!["9400FULFIL1"]);
    assert_eq!(wb.shipping_cost, None);
}
