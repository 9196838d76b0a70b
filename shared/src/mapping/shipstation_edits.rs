//! What staff (or ShipStation's automation rules, which run only on import) set on an order in
//! ShipStation that QuickBooks knows nothing of: a hold, weight and size, package, carrier and
//! service, confirmation, insurance, tags, internal notes, warehouse and billing options.
//!
//! ShipStation's update is a full replace (shipstation.md 3.2), so an edited sale sent as it
//! is would wipe all of that. Before the update the current order is read and these fields are
//! kept wherever the mapping and the rules left ours empty: what the sale or a rule says still
//! wins. Fields that come from the sale (addresses, items, amounts, notes to the customer, the
//! requested service, the ship-by date, custom fields 1 and 2) always follow QuickBooks.

use rust_decimal::Decimal;

use crate::shipstation::model::{Order, OrderItem, OrderOut, OrderStatus};

/// Folds `theirs` (the order as ShipStation has it now) into `ours` (about to replace it);
/// returns what was kept, for the order's events.
pub fn keep_shipstation_edits(ours: &mut Order, theirs: &OrderOut) -> Vec<&'static str> {
    let mut kept = Vec::new();
    if theirs.order_status == Some(OrderStatus::OnHold)
        && ours.order_status == OrderStatus::AwaitingShipment
    {
        ours.order_status = OrderStatus::OnHold;
        kept.push("on hold");
        if ours.hold_until_date.is_none() {
            ours.hold_until_date.clone_from(&theirs.hold_until_date);
        }
    }
    // ShipStation answers defaults for what nobody set (`confirmation: "none"`, a weight of 0,
    // `gift: false`, empty tags): only values someone chose count as edits.
    let text = |v: &String| !v.trim().is_empty();
    // Carrier and service only go as a pair (a lone one is refused).
    if ours.carrier_code.is_none()
        && ours.service_code.is_none()
        && (theirs.carrier_code.as_ref().is_some_and(text)
            || theirs.service_code.as_ref().is_some_and(text))
    {
        ours.carrier_code.clone_from(&theirs.carrier_code);
        ours.service_code.clone_from(&theirs.service_code);
        kept.push("carrier and service");
    }
    let mut keep = |name: &'static str, kept_one: bool| {
        if kept_one {
            kept.push(name);
        }
    };
    keep(
        "package",
        fill(&mut ours.package_code, &theirs.package_code, text),
    );
    keep(
        "confirmation",
        fill(&mut ours.confirmation, &theirs.confirmation, |c| {
            text(c) && c != "none"
        }),
    );
    // Weight and size describe the items: kept only while the items are the same, since a
    // stale weight would be declared silently, while a missing one is asked for at the label.
    if same_items(&ours.items, &theirs.items) {
        keep(
            "weight",
            fill(&mut ours.weight, &theirs.weight, |w| {
                w.value.is_some_and(|v| v > Decimal::ZERO)
            }),
        );
        keep(
            "dimensions",
            fill(&mut ours.dimensions, &theirs.dimensions, |d| {
                [d.length, d.width, d.height]
                    .iter()
                    .any(|v| v.is_some_and(|v| v > Decimal::ZERO))
            }),
        );
    }
    keep(
        "insurance",
        fill(
            &mut ours.insurance_options,
            &theirs.insurance_options,
            |i| i.insure_shipment,
        ),
    );
    keep(
        "internal notes",
        fill(&mut ours.internal_notes, &theirs.internal_notes, text),
    );
    keep(
        "tags",
        fill(&mut ours.tag_ids, &theirs.tag_ids, |t| !t.is_empty()),
    );
    keep("gift", fill(&mut ours.gift, &theirs.gift, |g| *g));
    keep(
        "gift message",
        fill(&mut ours.gift_message, &theirs.gift_message, text),
    );
    if let Some(adv) = &theirs.advanced_options {
        let o = &mut ours.advanced_options;
        let set = |b: &bool| *b;
        let mut options = false;
        options |= fill(&mut o.warehouse_id, &adv.warehouse_id, |w| *w > 0);
        options |= fill(&mut o.non_machinable, &adv.non_machinable, set);
        options |= fill(&mut o.saturday_delivery, &adv.saturday_delivery, set);
        options |= fill(&mut o.contains_alcohol, &adv.contains_alcohol, set);
        options |= fill(&mut o.custom_field3, &adv.custom_field3, text);
        keep("shipping options", options);
        // Third-party billing is kept whole or not at all.
        if o.bill_to_party.is_none() && adv.bill_to_party.as_ref().is_some_and(text) {
            o.bill_to_party.clone_from(&adv.bill_to_party);
            o.bill_to_account.clone_from(&adv.bill_to_account);
            o.bill_to_postal_code.clone_from(&adv.bill_to_postal_code);
            o.bill_to_country_code.clone_from(&adv.bill_to_country_code);
            kept.push("third-party billing");
        }
        // A split or merged order is only updated with its orderId (shipstation.md 3.2).
        if adv.merged_or_split == Some(true) && theirs.order_id > 0 {
            ours.order_id = Some(theirs.order_id);
        }
    }
    kept
}

/// Whether both hold the same quantities of the same items (by SKU, else name), in any order.
fn same_items(ours: &[OrderItem], theirs: &[OrderItem]) -> bool {
    let counted = |items: &[OrderItem]| {
        let mut v: Vec<(String, i64)> = items
            .iter()
            .map(|i| (i.sku.clone().unwrap_or_else(|| i.name.clone()), i.quantity))
            .collect();
        v.sort();
        v
    };
    counted(ours) == counted(theirs)
}

/// Sets `ours` to `theirs` when ours is empty and theirs holds a value someone chose;
/// whether it did.
fn fill<T: Clone>(ours: &mut Option<T>, theirs: &Option<T>, chosen: impl Fn(&T) -> bool) -> bool {
    match theirs {
        Some(v) if ours.is_none() && chosen(v) => {
            *ours = Some(v.clone());
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shipstation::model::{AdvancedOptions, InsuranceOptions, Weight};

    fn item(sku: &str, quantity: i64) -> OrderItem {
        OrderItem {
            sku: Some(sku.into()),
            name: format!("Item {sku}"),
            quantity,
            ..OrderItem::default()
        }
    }

    fn theirs() -> OrderOut {
        OrderOut {
            order_id: 77,
            order_status: Some(OrderStatus::OnHold),
            hold_until_date: Some("2026-12-10".into()),
            carrier_code: Some("ups".into()),
            service_code: Some("ups_ground".into()),
            package_code: Some("package".into()),
            weight: Some(Weight {
                value: Some(Decimal::new(32, 0)),
                units: Some("ounces".into()),
                ..Weight::default()
            }),
            items: vec![item("W-1", 2)],
            internal_notes: Some("Fragile: double box".into()),
            tag_ids: Some(vec![12]),
            customer_notes: Some("old memo".into()),
            advanced_options: Some(AdvancedOptions {
                warehouse_id: Some(5),
                custom_field1: Some("Old class".into()),
                bill_to_party: Some("third_party".into()),
                bill_to_account: Some("A1".into()),
                ..AdvancedOptions::default()
            }),
            ..OrderOut::default()
        }
    }

    #[test]
    fn staff_settings_are_kept_and_the_sales_own_fields_follow_quickbooks() {
        let mut ours = Order {
            items: vec![item("W-1", 2)],
            ..Order::default()
        };
        let kept = keep_shipstation_edits(&mut ours, &theirs());
        assert_eq!(ours.order_status, OrderStatus::OnHold);
        assert_eq!(ours.hold_until_date.as_deref(), Some("2026-12-10"));
        assert_eq!(ours.carrier_code.as_deref(), Some("ups"));
        assert_eq!(ours.service_code.as_deref(), Some("ups_ground"));
        assert_eq!(
            ours.weight.as_ref().and_then(|w| w.value),
            Some(Decimal::new(32, 0))
        );
        assert_eq!(ours.internal_notes.as_deref(), Some("Fragile: double box"));
        assert_eq!(ours.tag_ids, Some(vec![12]));
        assert_eq!(ours.advanced_options.warehouse_id, Some(5));
        assert_eq!(ours.advanced_options.bill_to_account.as_deref(), Some("A1"));
        // The memo was cleared in QuickBooks, and so was the class: they stay cleared.
        assert!(ours.customer_notes.is_none());
        assert!(ours.advanced_options.custom_field1.is_none());
        assert!(ours.order_id.is_none(), "not split or merged");
        assert!(
            kept.contains(&"on hold") && kept.contains(&"weight"),
            "{kept:?}"
        );
    }

    #[test]
    fn the_weight_goes_when_the_items_change() {
        let mut ours = Order {
            items: vec![item("W-1", 3)],
            ..Order::default()
        };
        let kept = keep_shipstation_edits(&mut ours, &theirs());
        assert!(ours.weight.is_none(), "a third widget weighs more");
        assert!(!kept.contains(&"weight"));
        assert_eq!(
            ours.carrier_code.as_deref(),
            Some("ups"),
            "the rest is kept"
        );
    }

    #[test]
    fn what_a_rule_or_the_sale_sets_wins() {
        let mut ours = Order {
            order_status: OrderStatus::AwaitingPayment,
            service_code: Some("fedex_ground".into()),
            carrier_code: Some("fedex".into()),
            internal_notes: Some("From the rule".into()),
            ..Order::default()
        };
        ours.advanced_options.bill_to_party = Some("my_other_account".into());
        keep_shipstation_edits(&mut ours, &theirs());
        assert_eq!(ours.order_status, OrderStatus::AwaitingPayment);
        assert_eq!(ours.carrier_code.as_deref(), Some("fedex"));
        assert_eq!(ours.service_code.as_deref(), Some("fedex_ground"));
        assert_eq!(ours.internal_notes.as_deref(), Some("From the rule"));
        assert_eq!(
            ours.advanced_options.bill_to_party.as_deref(),
            Some("my_other_account")
        );
        assert!(
            ours.advanced_options.bill_to_account.is_none(),
            "billing whole or not at all"
        );
    }

    #[test]
    fn a_split_order_is_updated_with_its_order_id() {
        let mut split = theirs();
        if let Some(a) = split.advanced_options.as_mut() {
            a.merged_or_split = Some(true);
        }
        let mut ours = Order::default();
        keep_shipstation_edits(&mut ours, &split);
        assert_eq!(ours.order_id, Some(77));
    }

    #[test]
    fn shipstations_defaults_are_not_taken_for_edits() {
        // What ShipStation answers for an order nobody touched.
        let untouched = OrderOut {
            order_id: 9,
            order_status: Some(OrderStatus::AwaitingShipment),
            confirmation: Some("none".into()),
            weight: Some(Weight {
                value: Some(Decimal::ZERO),
                units: Some("ounces".into()),
                ..Weight::default()
            }),
            insurance_options: Some(InsuranceOptions::default()),
            gift: Some(false),
            tag_ids: Some(vec![]),
            advanced_options: Some(AdvancedOptions {
                warehouse_id: Some(0),
                non_machinable: Some(false),
                saturday_delivery: Some(false),
                contains_alcohol: Some(false),
                merged_or_split: Some(false),
                ..AdvancedOptions::default()
            }),
            ..OrderOut::default()
        };
        let mut ours = Order::default();
        let before = ours.clone();
        assert!(keep_shipstation_edits(&mut ours, &untouched).is_empty());
        assert_eq!(ours, before, "nothing changed");
    }
}
