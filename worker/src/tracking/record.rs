//! Recording one page of shipments: match them to the connection's orders, upsert the labels,
//! then bring each touched order up to date (status, tracking numbers, cost, pending
//! write-back) with events a user can read. One transaction per page.

use std::collections::{BTreeMap, HashMap};

use shared::db::orders::add_event;
use shared::db::tracking::{self, OrderRef, OrderTracking, PendingChange, StoredShipment};
use shared::db::Tx;
use shared::ids::{ConnectionId, OrderId, TenantId};
use shared::sale::TxnType;
use shared::settings::SyncSettings;
use shared::shipstation::model::Shipment;

use super::query::{carrier_name, to_stored};
use super::reconcile::{decide, Decision};

/// What recording a page did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PageOutcome {
    /// Shipments of this connection's orders.
    pub matched: usize,
    /// Shipments of orders Quayside does not know (ignored).
    pub unmatched: usize,
    /// Write-backs created or replaced.
    pub write_backs: usize,
}

/// Finds the order of each shipment: by `orderKey` first, else by ShipStation `orderId`.
pub fn assign<'a>(
    shipments: &'a [Shipment],
    orders: &[OrderRef],
) -> (Vec<(OrderId, &'a Shipment)>, usize) {
    let by_key: HashMap<&str, OrderId> = orders
        .iter()
        .map(|o| (o.order_key.as_str(), o.id))
        .collect();
    let by_id: HashMap<i64, OrderId> = orders
        .iter()
        .filter_map(|o| o.shipstation_order_id.map(|id| (id, o.id)))
        .collect();
    let mut matched = Vec::new();
    let mut unmatched = 0;
    for s in shipments {
        let order = s
            .order_key
            .as_deref()
            .and_then(|k| by_key.get(k))
            .or_else(|| s.order_id.and_then(|id| by_id.get(&id)));
        match order {
            Some(o) => matched.push((*o, s)),
            None => unmatched += 1,
        }
    }
    (matched, unmatched)
}

/// "Invoice 1042", "Sales Receipt (no number)".
pub fn sale_label(order: &OrderTracking) -> String {
    let kind = TxnType::parse(&order.txn_type).map_or("Sale", TxnType::label);
    match order.ref_number.as_deref().filter(|r| !r.trim().is_empty()) {
        Some(n) => format!("{kind} {n}"),
        None => format!("{kind} (no number)"),
    }
}

/// Events for one label compared with what was recorded before.
pub fn label_events(
    before: Option<&StoredShipment>,
    now: &StoredShipment,
    decision: &Decision,
    sale: &str,
) -> Vec<(&'static str, String)> {
    let number = now
        .tracking_number
        .as_deref()
        .unwrap_or("(no tracking number)");
    let was_live = before.is_some_and(|b| !b.voided);
    match (before, now.voided) {
        (None, false) => vec![(
            "shipped",
            format!(
                "Shipped via {}: tracking {number}",
                carrier_name(now.carrier_code.as_deref())
            ),
        )],
        (None, true) => vec![(
            "voided",
            format!("Label {number} was voided; it will not be written to QuickBooks"),
        )],
        (Some(_), true) if was_live => {
            let written = now
                .tracking_number
                .as_ref()
                .is_some_and(|t| decision.written.contains(t));
            let message = if written {
                format!("Label {number} voided; its tracking number will be removed from {sale}")
            } else {
                format!("Label {number} voided; it will not be written to QuickBooks")
            };
            vec![("voided", message)]
        }
        _ => Vec::new(),
    }
}

fn queued_message(decision: &Decision, sale: &str) -> Option<String> {
    let wb = decision.write_back.as_ref()?;
    let mut parts = Vec::new();
    let new: Vec<&str> = wb
        .add_tracking
        .iter()
        .filter(|t| !decision.written.contains(*t))
        .map(String::as_str)
        .collect();
    if !new.is_empty() {
        parts.push(format!("tracking {}", new.join(", ")));
    }
    if let Some(c) = wb.shipping_cost {
        parts.push(format!("a shipping cost of {c:.2}"));
    }
    if !wb.remove_tracking.is_empty() {
        parts.push(format!("removal of {}", wb.remove_tracking.join(", ")));
    }
    (!parts.is_empty()).then(|| {
        format!(
            "Queued for {sale} at the next Web Connector run: {}",
            parts.join("; ")
        )
    })
}

/// Records `shipments` (one page) for the connection.
pub async fn record_page(
    tx: &mut Tx,
    tenant: TenantId,
    connection: ConnectionId,
    settings: &SyncSettings,
    shipments: &[Shipment],
    fulfillments: bool,
) -> Result<PageOutcome, sqlx::Error> {
    let keys: Vec<String> = shipments
        .iter()
        .filter_map(|s| s.order_key.clone())
        .collect();
    let ids: Vec<i64> = shipments.iter().filter_map(|s| s.order_id).collect();
    let orders = tracking::match_orders(tx, connection, &keys, &ids).await?;
    let (matched, unmatched) = assign(shipments, &orders);
    let mut outcome = PageOutcome {
        matched: matched.len(),
        unmatched,
        write_backs: 0,
    };
    // Per order: each label as recorded before and now, in page order.
    type Change = (Option<StoredShipment>, StoredShipment);
    let mut touched: BTreeMap<OrderId, Vec<Change>> = BTreeMap::new();
    for (order, s) in matched {
        let mut row = to_stored(s);
        if fulfillments {
            // Marked shipped without a label: tracking only, no postage.
            row.fulfillment = true;
            row.cost = None;
        }
        let before = tracking::upsert_shipment(tx, tenant, connection, order, &row).await?;
        if before.as_ref() != Some(&row) {
            touched.entry(order).or_default().push((before, row));
        }
    }
    for (order, changes) in touched {
        let Some(current) = tracking::order_tracking(tx, order).await? else {
            continue;
        };
        let labels = tracking::order_shipments(tx, order).await?;
        let history = tracking::order_write_backs(tx, order).await?;
        let decision = decide(&current, &labels, &history, settings);
        let sale = sale_label(&current);
        for (before, now) in &changes {
            for (kind, message) in label_events(before.as_ref(), now, &decision, &sale) {
                add_event(tx, tenant, order, kind, &message).await?;
            }
        }
        tracking::update_order_tracking(tx, &decision.order).await?;
        let change = tracking::set_pending_write_back(
            tx,
            tenant,
            connection,
            order,
            decision.write_back.as_ref(),
        )
        .await?;
        match change {
            PendingChange::Created | PendingChange::Replaced => {
                outcome.write_backs += 1;
                if let Some(m) = queued_message(&decision, &sale) {
                    add_event(tx, tenant, order, "write_back_queued", &m).await?;
                }
            }
            PendingChange::Withdrawn => {
                add_event(
                    tx,
                    tenant,
                    order,
                    "write_back_withdrawn",
                    "The queued write-back is no longer needed: its label was voided",
                )
                .await?;
            }
            PendingChange::Unchanged => {}
        }
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::db::tracking::WriteBackContent;
    use uuid::Uuid;

    fn shipment(id: i64, key: Option<&str>, order_id: Option<i64>) -> Shipment {
        Shipment {
            shipment_id: id,
            order_key: key.map(str::to_owned),
            order_id,
            ..Shipment::default()
        }
    }

    #[test]
    fn shipments_match_by_key_then_by_order_id_and_strangers_are_ignored() {
        let a = OrderRef {
            id: OrderId(Uuid::from_u128(1)),
            order_key: "qb-aaaa-1".into(),
            shipstation_order_id: Some(10),
        };
        let b = OrderRef {
            id: OrderId(Uuid::from_u128(2)),
            order_key: "qb-aaaa-2".into(),
            shipstation_order_id: Some(20),
        };
        let page = [
            shipment(1, Some("qb-aaaa-1"), Some(999)),
            shipment(2, Some("someone-else"), Some(20)),
            shipment(3, None, Some(777)),
            shipment(4, Some("manual-order"), None),
        ];
        let (matched, unmatched) = assign(&page, &[a.clone(), b.clone()]);
        let got: Vec<(OrderId, i64)> = matched.iter().map(|(o, s)| (*o, s.shipment_id)).collect();
        assert_eq!(got, vec![(a.id, 1), (b.id, 2)]);
        assert_eq!(unmatched, 2);
    }

    fn order() -> OrderTracking {
        OrderTracking {
            id: OrderId(Uuid::nil()),
            status: "shipped".into(),
            shipstation_status: Some("shipped".into()),
            tracking_numbers: vec![],
            shipping_cost: None,
            txn_type: "invoice".into(),
            ref_number: Some("1042".into()),
        }
    }

    fn label(voided: bool) -> StoredShipment {
        StoredShipment {
            shipstation_shipment_id: 1,
            fulfillment: false,
            tracking_number: Some("1Z999".into()),
            carrier_code: Some("ups".into()),
            service_code: None,
            ship_date: None,
            cost: None,
            voided,
            void_date: None,
        }
    }

    #[test]
    fn events_read_well() {
        let o = order();
        assert_eq!(sale_label(&o), "Invoice 1042");
        let mut written = Decision {
            order: o.clone(),
            write_back: None,
            written: Default::default(),
        };
        let shipped = label_events(None, &label(false), &written, "Invoice 1042");
        assert_eq!(
            shipped,
            vec![("shipped", "Shipped via UPS: tracking 1Z999".to_owned())]
        );
        written.written.insert("1Z999".into());
        let voided = label_events(Some(&label(false)), &label(true), &written, "Invoice 1042");
        assert_eq!(
            voided[0].1,
            "Label 1Z999 voided; its tracking number will be removed from Invoice 1042"
        );
        assert!(label_events(Some(&label(true)), &label(true), &written, "x").is_empty());
        written.written.clear();
        written.write_back = Some(WriteBackContent {
            add_tracking: vec!["1Z999".into()],
            shipping_cost: Some("8.5".parse().expect("decimal")),
            ..WriteBackContent::default()
        });
        assert_eq!(
            queued_message(&written, "Invoice 1042").as_deref(),
            Some("Queued for Invoice 1042 at the next Web Connector run: tracking 1Z999; a shipping cost of 8.50")
        );
    }
}
