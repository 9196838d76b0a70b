//! The pure part of a tracking pull: from an order's recorded labels, its earlier write-backs
//! and the sync settings, decide the order's tracking state and the one write-back (if any)
//! that must be pending.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use shared::db::tracking::{OrderTracking, StoredShipment, WriteBackContent, WriteBackRow};
use shared::settings::SyncSettings;

/// The ShipStation status an order with a live label has.
pub const SHIPPED: &str = "shipped";

/// What the order should look like after the pull.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The order's new state (same id and sale).
    pub order: OrderTracking,
    /// The write-back that must be pending, or `None` for no pending write-back.
    pub write_back: Option<WriteBackContent>,
    /// Tracking numbers Quayside has written to the sale so far (sent or done write-backs).
    pub written: BTreeSet<String>,
}

/// Tracking numbers of the labels that are not voided, oldest first, without repeats.
pub fn live_tracking(shipments: &[StoredShipment]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in shipments.iter().filter(|s| !s.voided) {
        if let Some(t) = s.tracking_number.as_deref().map(str::trim) {
            if !t.is_empty() && !out.iter().any(|o| o == t) {
                out.push(t.to_owned());
            }
        }
    }
    out
}

/// The cost of the live labels, rounded to cents (`None` when there is none). Fulfillments
/// (marked shipped without a label) carry no postage cost and do not count.
pub fn live_cost(shipments: &[StoredShipment]) -> Option<Decimal> {
    let live: Vec<&StoredShipment> = shipments
        .iter()
        .filter(|s| !s.voided && !s.fulfillment)
        .collect();
    if live.is_empty() {
        return None;
    }
    Some(
        live.iter()
            .map(|s| s.cost.unwrap_or_default())
            .sum::<Decimal>()
            .round_dp(2),
    )
}

/// The tracking numbers QuickBooks has from Quayside: write-backs sent or done, applied in
/// order (each adds its `add_tracking` and takes away its `remove_tracking`).
pub fn written_tracking(write_backs: &[WriteBackRow]) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    for w in write_backs.iter().filter(|w| is_applied(&w.status)) {
        set.extend(w.add_tracking.iter().cloned());
        for r in &w.remove_tracking {
            set.remove(r);
        }
    }
    set
}

fn is_applied(status: &str) -> bool {
    matches!(status, "sent" | "done")
}

/// The shipping cost last written (or being written), if any.
fn written_cost(write_backs: &[WriteBackRow]) -> Option<Decimal> {
    write_backs
        .iter()
        .filter(|w| is_applied(&w.status))
        .filter_map(|w| w.shipping_cost)
        .next_back()
}

fn same_content(a: &WriteBackContent, b: &WriteBackContent) -> bool {
    let set = |v: &[String]| v.iter().cloned().collect::<BTreeSet<_>>();
    set(&a.add_tracking) == set(&b.add_tracking)
        && set(&a.remove_tracking) == set(&b.remove_tracking)
        && a.shipping_cost == b.shipping_cost
}

/// Decides the order's state and pending write-back.
///
/// * Tracking numbers are the live labels'; the cost is their sum (`shipmentCost +
///   insuranceCost` each). A live label means ShipStation's status is `shipped`.
/// * A write-back is due when the settings ask for it, `shipped` is among
///   `export_order_statuses`, and QuickBooks lacks a live number or has a different cost —
///   or, whatever the settings, when a number Quayside wrote belongs to a label now voided.
/// * A write-back that failed is not queued again with the same content (the order shows
///   `write_back_failed` with QuickBooks' message until something changes).
pub fn decide(
    order: &OrderTracking,
    shipments: &[StoredShipment],
    write_backs: &[WriteBackRow],
    settings: &SyncSettings,
) -> Decision {
    let live = live_tracking(shipments);
    let has_live = shipments.iter().any(|s| !s.voided);
    let voided: Vec<String> = shipments
        .iter()
        .filter(|s| s.voided)
        .filter_map(|s| s.tracking_number.as_deref().map(str::trim))
        .filter(|t| !t.is_empty() && !live.iter().any(|l| l == t))
        .map(str::to_owned)
        .collect();
    let cost = live_cost(shipments);
    let written = written_tracking(write_backs);
    let last_cost = written_cost(write_backs);
    let exportable = has_live && settings.export_order_statuses.iter().any(|s| s == SHIPPED);

    let add = if settings.write_tracking_to_quickbooks && exportable {
        live.clone()
    } else {
        Vec::new()
    };
    let mut remove: Vec<String> = Vec::new();
    for t in voided.iter().filter(|t| written.contains(*t)) {
        if !remove.contains(t) {
            remove.push(t.clone());
        }
    }
    let want_cost = match (settings.write_shipping_cost_to_quickbooks, exportable) {
        // Only labels have postage: an order marked shipped without one adds no cost line.
        (true, true) => cost,
        // Every label voided after a cost was written: the line goes to zero.
        (true, false) if last_cost.is_some() => Some(cost.unwrap_or_default()),
        _ => None,
    };
    let due = add.iter().any(|t| !written.contains(t))
        || !remove.is_empty()
        || want_cost.is_some_and(|c| Some(c) != last_cost);
    let ship_date = shipments
        .iter()
        .filter(|s| !s.voided)
        .filter_map(|s| s.ship_date)
        .min();
    let mut write_back = due.then_some(WriteBackContent {
        add_tracking: add,
        remove_tracking: remove,
        ship_date,
        shipping_cost: want_cost,
    });
    let last_settled = write_backs.iter().rev().find(|w| w.status != "pending");
    if let (Some(w), Some(last)) = (&write_back, last_settled) {
        if last.status == "failed" && same_content(w, &last.content()) {
            write_back = None;
        }
    }

    let shipstation_status = if has_live {
        Some(SHIPPED.to_owned())
    } else if !shipments.is_empty() && order.shipstation_status.as_deref() == Some(SHIPPED) {
        // Voiding the last label puts a ShipStation order back to awaiting shipment.
        Some("awaiting_shipment".to_owned())
    } else {
        order.shipstation_status.clone()
    };
    let status = next_status(&order.status, has_live, write_back.is_some());
    Decision {
        order: OrderTracking {
            status,
            shipstation_status,
            tracking_numbers: live,
            shipping_cost: cost,
            ..order.clone()
        },
        write_back,
        written,
    }
}

/// The order status after a pull. `pending` (a newer revision waits to be pushed) and
/// `skipped` are left alone; a confirmed write-back stays `written_back` until a new one is due.
fn next_status(current: &str, has_live: bool, write_back_due: bool) -> String {
    let next = match current {
        "pending" | "skipped" => current,
        _ if write_back_due => {
            if has_live {
                "shipped"
            } else {
                "pushed"
            }
        }
        "written_back" | "write_back_failed" => current,
        _ if has_live => "shipped",
        "shipped" => "pushed",
        _ => current,
    };
    next.to_owned()
}

#[cfg(test)]
#[path = "reconcile_tests.rs"]
mod tests;
