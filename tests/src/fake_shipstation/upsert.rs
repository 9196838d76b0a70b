//! Create-or-update of one order (§3.2): upsert by `orderKey`, full replace, locked
//! shipped/cancelled orders, server-assigned ids, computed `orderTotal`, echoed defaults.

use std::str::FromStr;

use chrono::NaiveDateTime;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::dispatch::Env;
use super::model::{
    is_open, weight_units_code, AdvancedOptions, InsuranceOptions, Order, OrderItem, Weight,
};
use super::state::{Account, LockedOrderPolicy, StoredOrder};
use super::time;
use super::validate::{self, FieldError};

/// Why an order was not written.
#[derive(Debug, Clone, PartialEq)]
pub enum UpsertError {
    /// Validation failures.
    Invalid(Vec<FieldError>),
    /// The order exists and is shipped/cancelled (policy `Reject`).
    Locked(String),
}

impl UpsertError {
    /// One-line text for `createorders`' `errorMessage`.
    pub fn message(&self) -> String {
        match self {
            Self::Invalid(errs) => errs
                .iter()
                .map(|(_, m)| m.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            Self::Locked(m) => m.clone(),
        }
    }
}

fn dec(x: Option<f64>) -> Decimal {
    x.and_then(|v| Decimal::from_str(&v.to_string()).ok())
        .unwrap_or_default()
}

/// Σ(quantity × unitPrice) + taxAmount + shippingAmount.
pub fn order_total(o: &Order) -> f64 {
    let items: Decimal = o
        .items
        .iter()
        .flatten()
        .map(|i| dec(i.quantity) * dec(i.unit_price))
        .sum();
    let total = items + dec(o.tax_amount) + dec(o.shipping_amount);
    total.round_dp(2).to_f64().unwrap_or(0.0)
}

fn weight_or_default(w: Option<Weight>) -> Weight {
    let mut w = w.unwrap_or_default();
    w.value = Some(w.value.unwrap_or(0.0));
    w.units = Some(w.units.unwrap_or_else(|| "ounces".into()));
    w.weight_units = weight_units_code(w.units.as_deref());
    w
}

fn customer_id(acc: &mut Account, env: &mut Env<'_>, o: &Order) -> Option<i64> {
    let who = o
        .customer_username
        .clone()
        .or_else(|| o.customer_email.clone())?
        .to_ascii_lowercase();
    Some(
        *acc.customers
            .entry(who)
            .or_insert_with(|| env.ids.next("customer")),
    )
}

/// Server-assigned identity of an order being written.
struct Identity {
    id: i64,
    key: String,
    store_id: i64,
    created: String,
}

/// Fills server-side fields; `previous` is the stored version when updating.
fn finish(
    mut o: Order,
    ident: Identity,
    previous: Option<&Order>,
    now: NaiveDateTime,
    env: &mut Env<'_>,
) -> Order {
    let item_now = time::fmt_ms(now);
    let old_items: Vec<OrderItem> = previous.and_then(|p| p.items.clone()).unwrap_or_default();
    let items: Vec<OrderItem> = o
        .items
        .take()
        .unwrap_or_default()
        .into_iter()
        .map(|mut i| {
            let kept = i.line_item_key.as_ref().and_then(|k| {
                old_items
                    .iter()
                    .find(|x| x.line_item_key.as_ref() == Some(k))
            });
            i.order_item_id = Some(
                kept.and_then(|k| k.order_item_id)
                    .unwrap_or_else(|| env.ids.next("item")),
            );
            i.create_date = Some(
                kept.and_then(|k| k.create_date.clone())
                    .unwrap_or_else(|| item_now.clone()),
            );
            i.modify_date = Some(item_now.clone());
            i.product_id = None;
            i.weight = Some(weight_or_default(i.weight));
            i.options = Some(i.options.unwrap_or_default());
            i.adjustment = Some(i.adjustment.unwrap_or(false));
            i.quantity = Some(i.quantity.unwrap_or(0.0));
            i
        })
        .collect();
    o.items = Some(items);
    o.order_id = Some(ident.id);
    o.order_key = Some(ident.key);
    o.create_date = Some(ident.created);
    o.modify_date = Some(time::fmt7(now));
    o.order_total = Some(order_total(&o));
    if let Some(b) = o.bill_to.as_mut() {
        b.address_verified = None;
    }
    if let Some(s) = o.ship_to.as_mut() {
        s.address_verified = Some("Address validated successfully".into());
    }
    o.gift = Some(o.gift.unwrap_or(false));
    o.weight = Some(weight_or_default(o.weight));
    let ins = o.insurance_options.take().unwrap_or_default();
    o.insurance_options = Some(InsuranceOptions {
        provider: ins.provider,
        insure_shipment: Some(ins.insure_shipment.unwrap_or(false)),
        insured_value: Some(ins.insured_value.unwrap_or(0.0)),
    });
    o.international_options = Some(o.international_options.take().unwrap_or_default());
    let adv = o.advanced_options.take().unwrap_or_default();
    o.advanced_options = Some(AdvancedOptions {
        warehouse_id: adv.warehouse_id.filter(|w| *w != 0),
        non_machinable: Some(adv.non_machinable.unwrap_or(false)),
        saturday_delivery: Some(adv.saturday_delivery.unwrap_or(false)),
        contains_alcohol: Some(adv.contains_alcohol.unwrap_or(false)),
        merged_or_split: Some(false),
        merged_ids: Some(Vec::new()),
        parent_id: None,
        store_id: Some(ident.store_id),
        ..adv
    });
    o.tag_ids = None;
    o.user_id = None;
    o.externally_fulfilled = Some(false);
    o.externally_fulfilled_by = None;
    o.label_messages = None;
    o
}

/// Validates and writes one order; returns the stored order as rendered.
pub fn upsert(
    acc: &mut Account,
    env: &mut Env<'_>,
    mut input: Order,
    batch: &str,
) -> Result<Order, UpsertError> {
    let errs = validate::check(&mut input, env.settings.strict_ship_to);
    if !errs.is_empty() {
        return Err(UpsertError::Invalid(errs));
    }
    let now = time::now_pacific();
    let key = input.order_key.clone().filter(|k| !k.is_empty());
    let existing = key.as_ref().and_then(|k| {
        acc.orders
            .iter()
            .position(|o| o.order.order_key.as_ref() == Some(k))
    });
    input.customer_id = customer_id(acc, env, &input);
    match existing {
        Some(idx) => {
            let stored = &acc.orders[idx];
            let status = stored.order.order_status.clone().unwrap_or_default();
            if !is_open(&status) {
                match env.settings.locked_orders {
                    LockedOrderPolicy::Reject | LockedOrderPolicy::RejectRequest => {
                        return Err(UpsertError::Locked(format!(
                            "Order {} ({}) cannot be updated because its status is '{status}'. Only orders \
                             in awaiting_payment, awaiting_shipment, pending_fulfillment or on_hold can be updated.",
                            stored.id,
                            stored.order.order_number.as_deref().unwrap_or("")
                        )))
                    }
                    LockedOrderPolicy::Ignore => return Ok(stored.order.clone()),
                    LockedOrderPolicy::Allow => {}
                }
            }
            let (id, store_id) = (stored.id, stored.store_id);
            let created = stored.order.create_date.clone().unwrap_or_default();
            let previous = stored.order.clone();
            let ident = Identity {
                id,
                key: key.unwrap_or_default(),
                store_id,
                created,
            };
            let order = finish(input, ident, Some(&previous), now, env);
            let stored = &mut acc.orders[idx];
            stored.order = order.clone();
            stored.modified = now;
            stored.active = true;
            stored.import_batch = batch.to_owned();
            Ok(order)
        }
        None => {
            let wanted = input.advanced_options.as_ref().and_then(|a| a.store_id);
            let store_id = match wanted {
                Some(s) if acc.stores.iter().any(|st| st.store_id == s) => s,
                Some(s) => {
                    let msg = format!("The storeId {s} is not a store of this account.");
                    return Err(UpsertError::Invalid(vec![(
                        "advancedOptions.storeId".into(),
                        msg,
                    )]));
                }
                None => acc
                    .stores
                    .iter()
                    .find(|s| s.marketplace_id == 0)
                    .map_or(0, |s| s.store_id),
            };
            let id = env.ids.next("order");
            let key = key.unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
            let order = finish(
                input,
                Identity {
                    id,
                    key,
                    store_id,
                    created: time::fmt7(now),
                },
                None,
                now,
                env,
            );
            acc.orders.push(StoredOrder {
                order: order.clone(),
                id,
                store_id,
                created: now,
                modified: now,
                active: true,
                import_batch: batch.to_owned(),
            });
            Ok(order)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_total_matches_both_docs_examples() {
        let sample: Order =
            serde_json::from_str(include_str!("fixtures/order-create-request.json"))
                .expect("sample");
        assert_eq!(order_total(&sample), 194.43);
        let o = Order {
            items: Some(vec![OrderItem {
                quantity: Some(2.0),
                unit_price: Some(49.99),
                ..OrderItem::default()
            }]),
            tax_amount: Some(225.0 + 27.99),
            shipping_amount: Some(35.0),
            ..Order::default()
        };
        assert_eq!(order_total(&o), 387.97);
    }
}
