//! From a pending order to the ShipStation order we send: mapping, rules, store, and the
//! cases that are decided without calling ShipStation.

use shared::mapping::{is_voided, map_cancellation, map_sale, FractionalPolicy, MappingContext};
use shared::rules::apply_rules;
use shared::settings::{FractionalQuantities, SyncSettings};
use shared::shipstation::model::Order;

use super::load::PendingOrder;
use shared::ids::ConnectionId;
use shared::rules::Rule;

/// An event to record with the order's outcome: `(kind, message)`.
pub type Event = (&'static str, String);

/// An order ready to send.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub pending: PendingOrder,
    pub order: Order,
    /// Notes to record once the outcome is known (not on deferral, to avoid repeats).
    pub events: Vec<Event>,
    /// The sale was voided in QuickBooks: this cancels its ShipStation order.
    pub cancels: bool,
}

/// Why a voided sale's order is `skipped` once ShipStation has cancelled it.
pub const VOIDED_CANCELLED: &str = "Voided in QuickBooks; the ShipStation order was cancelled.";

/// Why a voided sale that never reached ShipStation is `skipped`.
pub const VOIDED_NOT_SENT: &str = "Voided in QuickBooks; nothing to ship.";

/// What to do with one pending order.
#[derive(Debug, Clone)]
pub enum Plan {
    Send(Box<Prepared>),
    /// Cannot be sent as it is: `failed` with this message.
    Fail {
        pending: PendingOrder,
        message: String,
        events: Vec<Event>,
    },
    /// Shipped or cancelled in ShipStation: not overwritten.
    Locked {
        pending: PendingOrder,
        message: String,
    },
    /// Nothing to send (a voided sale never sent): `skipped` with this reason.
    Skip {
        pending: PendingOrder,
        reason: &'static str,
    },
}

/// The mapping settings of a connection.
pub fn mapping_context(
    connection: ConnectionId,
    settings: &SyncSettings,
    store: Option<i64>,
) -> MappingContext {
    MappingContext {
        connection_id: connection.0,
        store_id: store,
        shipping_item_name: settings.shipping_item_name.clone(),
        fractional_quantities: match settings.fractional_quantities {
            FractionalQuantities::Reject => FractionalPolicy::Reject,
            FractionalQuantities::RoundUp => FractionalPolicy::RoundUp,
        },
    }
}

/// Whether ShipStation's status for an order means it can no longer be updated.
pub fn is_locked_status(status: Option<&str>) -> bool {
    matches!(status, Some("shipped") | Some("cancelled"))
}

/// Maps, applies rules and pins the store of one order.
pub fn plan(pending: PendingOrder, ctx: &MappingContext, rules: &[Rule]) -> Plan {
    // A voided sale that has not shipped: cancelled (or never sent) instead of updated.
    if let Ok(sale) = &pending.sale {
        if is_voided(sale) && pending.shipstation_status.as_deref() != Some("shipped") {
            let sale = sale.clone();
            return plan_void(pending, &sale, ctx);
        }
    }
    if is_locked_status(pending.shipstation_status.as_deref()) {
        let status = pending.shipstation_status.clone().unwrap_or_default();
        let message = format!(
            "Not sent again: the order is {status} in ShipStation, and ShipStation does not \
             change {status} orders."
        );
        return Plan::Locked { pending, message };
    }
    let sale = match &pending.sale {
        Ok(s) => s.clone(),
        Err(message) => {
            let message = message.clone();
            return Plan::Fail {
                pending,
                message,
                events: Vec::new(),
            };
        }
    };
    let mapped = match map_sale(&sale, pending.customer.as_ref(), ctx) {
        Ok(m) => m,
        Err(e) => {
            return Plan::Fail {
                pending,
                message: e.to_string(),
                events: Vec::new(),
            }
        }
    };
    let mut order = mapped.order;
    let mut events: Vec<Event> = mapped.notes.into_iter().map(|n| ("note", n)).collect();
    let applied = apply_rules(rules, &sale, pending.customer.as_ref(), &mut order);
    if !applied.is_empty() {
        events.push(("rules", format!("Rules applied: {}.", applied.join(", "))));
    }
    // The key is the identity of the order in ShipStation; keep the stored one.
    order.order_key = Some(pending.order_key.clone());
    if let (Some(_), Some(original)) = (pending.shipstation_order_id, pending.store_id) {
        if order.advanced_options.store_id != Some(original) {
            if let Some(wanted) = order.advanced_options.store_id {
                events.push((
                    "store",
                    format!(
                        "The settings or rules now choose store {wanted}, but ShipStation cannot \
                         move an order between stores; it stays in store {original}."
                    ),
                ));
            }
            order.advanced_options.store_id = Some(original);
        }
    }
    Plan::Send(Box::new(Prepared {
        pending,
        order,
        events,
        cancels: false,
    }))
}

/// A voided sale: its ShipStation order, if it has one, is cancelled (rules are not applied:
/// nothing they set matters to a cancelled order); one never sent, or already cancelled, is
/// skipped.
fn plan_void(pending: PendingOrder, sale: &shared::sale::Sale, ctx: &MappingContext) -> Plan {
    if pending.shipstation_order_id.is_none() {
        return Plan::Skip {
            pending,
            reason: VOIDED_NOT_SENT,
        };
    }
    if pending.shipstation_status.as_deref() == Some("cancelled") {
        return Plan::Skip {
            pending,
            reason: VOIDED_CANCELLED,
        };
    }
    let mut order = match map_cancellation(sale, pending.customer.as_ref(), ctx) {
        Ok(m) => m.order,
        Err(e) => {
            return Plan::Fail {
                message: format!(
                    "Voided in QuickBooks, but its ShipStation order could not be cancelled: {e}"
                ),
                pending,
                events: Vec::new(),
            }
        }
    };
    order.order_key = Some(pending.order_key.clone());
    if let Some(original) = pending.store_id {
        order.advanced_options.store_id = Some(original);
    }
    Plan::Send(Box::new(Prepared {
        pending,
        order,
        events: Vec::new(),
        cancels: true,
    }))
}

/// Whether a per-order `errorMessage` says the order is shipped or cancelled and so locked.
/// ShipStation's wording is not documented: for an update of an order it already has
/// (`updating`), naming its shipped or cancelled state is enough; otherwise a refusal word must
/// come with it.
pub fn is_locked_error(message: &str, updating: bool) -> bool {
    let m = message.to_lowercase().replace('\u{2019}', "'");
    let state = m.contains("shipped") || m.contains("cancelled") || m.contains("canceled");
    let refusal = [
        "cannot",
        "can not",
        "can't",
        "only orders",
        "locked",
        "not allowed",
        "may not",
        "unable",
        "no longer",
        "already",
    ]
    .iter()
    .any(|w| m.contains(w));
    state && (updating || refusal)
}

#[cfg(test)]
mod tests;
