//! The one path from a stored QuickBooks sale to the ShipStation order Quayside sends:
//! mapping ([`crate::mapping::map_sale`]) with the connection's settings, then the rules
//! ([`crate::rules::apply_rules`]), then the store fallback. The worker's push and the api's
//! rule preview both call [`build_order`], so the preview shows exactly what would be sent.

use crate::ids::ConnectionId;
use crate::mapping::{map_sale, FractionalPolicy, MappedOrder, MappingContext, MappingError};
use crate::rules::{apply_rules, Rule};
use crate::sale::{QbCustomer, Sale};
use crate::settings::{FractionalQuantities, SyncSettings};
use crate::shipstation::model::Store;

/// The mapping context a connection's settings describe: its store, shipping item and
/// fractional-quantity policy.
pub fn mapping_context(settings: &SyncSettings, connection_id: ConnectionId) -> MappingContext {
    MappingContext {
        connection_id: connection_id.0,
        store_id: settings.store_id,
        shipping_item_name: settings.shipping_item_name.clone(),
        fractional_quantities: match settings.fractional_quantities {
            FractionalQuantities::Reject => FractionalPolicy::Reject,
            FractionalQuantities::RoundUp => FractionalPolicy::RoundUp,
        },
    }
}

/// The store ShipStation files API orders without a `storeId` in: the first active manual
/// store of `GET /stores` ([`Store::is_manual`]), to pass to [`build_order`].
pub fn manual_store_id(stores: &[Store]) -> Option<i64> {
    stores
        .iter()
        .find(|s| s.is_manual() && s.active != Some(false))
        .map(|s| s.store_id)
}

/// Builds the order for `sale`: maps it with `settings`, applies `rules` (enabled ones, in
/// ascending priority), and when neither the settings nor a rule chose a store, sets
/// `advancedOptions.storeId` to `manual_store_id` (the account's "Manual Orders" store, when
/// the caller could find it; `None` leaves the choice to ShipStation).
///
/// The returned notes are the mapping's notes followed by one note naming the rules that
/// applied, if any, ready to be written as order events.
pub fn build_order(
    sale: &Sale,
    customer: Option<&QbCustomer>,
    settings: &SyncSettings,
    rules: &[Rule],
    connection_id: ConnectionId,
    manual_store_id: Option<i64>,
) -> Result<MappedOrder, MappingError> {
    let ctx = mapping_context(settings, connection_id);
    let mut mapped = map_sale(sale, customer, &ctx)?;
    let applied = apply_rules(rules, sale, customer, &mut mapped.order);
    if !applied.is_empty() {
        let names: Vec<String> = applied.iter().map(|n| format!("\"{n}\"")).collect();
        let word = if applied.len() == 1 { "Rule" } else { "Rules" };
        mapped
            .notes
            .push(format!("{word} applied: {}.", names.join(", ")));
    }
    let store = &mut mapped.order.advanced_options.store_id;
    if store.is_none() {
        *store = manual_store_id;
    }
    Ok(mapped)
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use uuid::Uuid;

    use super::*;
    use crate::mapping::test_support::{customer, invoice, line};
    use crate::rules::{validate, RuleIn};
    use crate::shipstation::model::OrderStatus;

    fn settings() -> SyncSettings {
        SyncSettings::defaults(chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default())
    }

    fn rule(value: serde_json::Value) -> Rule {
        let input: RuleIn = serde_json::from_value(value).expect("rule json");
        assert_eq!(validate(&input), Ok(()));
        Rule::from_input(Uuid::new_v4(), input)
    }

    fn conn() -> ConnectionId {
        ConnectionId(Uuid::parse_str("6f1c2a9e-0000-4000-8000-000000000001").unwrap_or_default())
    }

    #[test]
    fn the_manual_store_is_the_first_active_shipstation_store() {
        let store = |id: i64, mp: i64, active: bool| Store {
            store_id: id,
            marketplace_id: Some(mp),
            active: Some(active),
            ..Store::default()
        };
        assert_eq!(
            manual_store_id(&[store(1, 74, true), store(2, 0, false), store(3, 0, true)]),
            Some(3)
        );
        assert_eq!(manual_store_id(&[store(1, 74, true)]), None);
    }

    #[test]
    fn the_manual_store_is_used_when_nothing_else_chose_one() {
        let built = build_order(
            &invoice(),
            Some(&customer()),
            &settings(),
            &[],
            conn(),
            Some(77),
        )
        .expect("maps");
        assert_eq!(built.order.advanced_options.store_id, Some(77));
        assert_eq!(built.order.order_number, "1001");
        assert!(built
            .order
            .order_key
            .as_deref()
            .is_some_and(|k| k.starts_with("qb-6f1c2a9e-")));

        let none = build_order(
            &invoice(),
            Some(&customer()),
            &settings(),
            &[],
            conn(),
            None,
        )
        .expect("maps");
        assert_eq!(none.order.advanced_options.store_id, None);
    }

    #[test]
    fn the_settings_store_beats_the_manual_store_and_a_rule_beats_both() {
        let mut s = settings();
        s.store_id = Some(5);
        let built =
            build_order(&invoice(), Some(&customer()), &s, &[], conn(), Some(77)).expect("maps");
        assert_eq!(built.order.advanced_options.store_id, Some(5));

        let target = rule(json!({
            "name": "Target", "priority": 1,
            "conditions": [{"field": "company", "op": "equals", "value": "Doe Enterprises LLC"}],
            "actions": [{"field": "advancedOptions.storeId", "value": 9},
                        {"field": "orderStatus", "value": "on_hold"}]
        }));
        let built = build_order(
            &invoice(),
            Some(&customer()),
            &s,
            &[target],
            conn(),
            Some(77),
        )
        .expect("maps");
        assert_eq!(built.order.advanced_options.store_id, Some(9));
        assert_eq!(built.order.order_status, OrderStatus::OnHold);
        assert_eq!(
            built.notes.last().map(String::as_str),
            Some("Rule applied: \"Target\".")
        );
    }

    #[test]
    fn settings_reach_the_mapping() {
        let mut sale = invoice();
        sale.lines.push(line("L-3", "Rope", None, "1.5", "2"));
        let err = build_order(&sale, Some(&customer()), &settings(), &[], conn(), None);
        assert!(matches!(err, Err(MappingError::FractionalQuantity { .. })));

        let mut s = settings();
        s.fractional_quantities = FractionalQuantities::RoundUp;
        s.shipping_item_name = "Freight".into();
        let built = build_order(&sale, Some(&customer()), &s, &[], conn(), None).expect("maps");
        let rope = built
            .order
            .items
            .iter()
            .find(|i| i.sku.as_deref() == Some("Rope"));
        assert_eq!(rope.map(|i| i.quantity), Some(2));
        // "Shipping" is no longer the shipping item, so it is not the shipping amount.
        assert!(built.order.shipping_amount.is_none_or(|a| a.is_zero()));
    }
}
