//! QuickBooks sale → ShipStation order mapping. Pure: no I/O, no clock.
//!
//! [`map_sale`] builds the whole order every time (ShipStation replaces an order on update,
//! see [`crate::shipstation::model::Order`]). The rules engine ([`crate::rules`]) runs on the
//! result afterwards. `docs/mapping.md` has the field-by-field table and worked examples.

pub mod address;
pub mod country;
mod country_data;
mod error;
pub mod items;
pub mod order_key;
pub mod region;
pub mod shipstation_edits;
#[cfg(test)]
pub(crate) mod test_support;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::sale::{QbAddress, QbCustomer, Sale, TxnType};
use crate::shipstation::model::{Address, AdvancedOptions, Order, OrderStatus};

use address::{clean, contact_name, map_address};
use country::CountrySource;

pub use error::MappingError;
pub use order_key::order_key;

/// `advancedOptions.source` on every order Quayside sends.
pub const ORDER_SOURCE: &str = "QuickBooks";

/// ShipStation's limit for `orderNumber`.
pub const ORDER_NUMBER_MAX_LEN: usize = 50;

/// What to do with a fractional quantity (the `fractional_quantities` sync setting).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FractionalPolicy {
    /// Fail the sale with [`MappingError::FractionalQuantity`] (the default).
    #[default]
    Reject,
    /// Round up; keep the exact quantity as an item option and add a note.
    RoundUp,
}

/// Per-connection settings the mapping needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingContext {
    /// The connection; part of the order key.
    pub connection_id: Uuid,
    /// `advancedOptions.storeId`; `None` leaves it unset (the caller fills in the
    /// "Manual Orders" store, or ShipStation uses its first manual store).
    pub store_id: Option<i64>,
    /// The QuickBooks item whose lines are the shipping charge (`shipping_item_name`).
    pub shipping_item_name: String,
    /// The `fractional_quantities` setting.
    pub fractional_quantities: FractionalPolicy,
}

impl MappingContext {
    /// The contract's defaults: no store, shipping item "Shipping", reject fractions.
    pub fn new(connection_id: Uuid) -> Self {
        MappingContext {
            connection_id,
            store_id: None,
            shipping_item_name: "Shipping".to_owned(),
            fractional_quantities: FractionalPolicy::Reject,
        }
    }
}

/// A mapped order and what the user should be told about it.
#[derive(Debug, Clone, PartialEq)]
pub struct MappedOrder {
    /// The order to send (before rules).
    pub order: Order,
    /// Notes for the order's events: rounding, skipped lines, assumed country ...
    pub notes: Vec<String>,
}

/// ShipStation's order-level datetime form for a date: `2024-03-05T00:00:00.0000000`.
pub fn format_order_date(date: NaiveDate) -> String {
    format!("{}T00:00:00.0000000", date.format("%Y-%m-%d"))
}

fn non_empty(addr: Option<&QbAddress>) -> Option<&QbAddress> {
    addr.filter(|a| !a.is_empty())
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// Whether QuickBooks voided the sale: voiding zeroes every amount and puts `VOID:` before
/// the memo. Both must hold, so a live sale whose memo happens to begin with "Void:" still
/// ships.
pub fn is_voided(sale: &Sale) -> bool {
    let memo_says = sale
        .memo
        .as_deref()
        .map(str::trim_start)
        .and_then(|m| m.get(..5))
        .is_some_and(|m| m.eq_ignore_ascii_case("VOID:"));
    let zero = |d: Option<rust_decimal::Decimal>| d.is_none_or(|d| d.is_zero());
    let lines_zero = sale
        .lines
        .iter()
        .chain(sale.line_groups.iter().flat_map(|g| g.lines.iter()))
        .all(|l| zero(l.amount));
    memo_says && zero(sale.total) && zero(sale.subtotal) && lines_zero
}

/// Maps a QuickBooks sale (and its customer record, when known) to a ShipStation order.
pub fn map_sale(
    sale: &Sale,
    customer: Option<&QbCustomer>,
    ctx: &MappingContext,
) -> Result<MappedOrder, MappingError> {
    map_order(sale, customer, ctx, false)
}

/// The ShipStation order that cancels the order of a voided sale: the same order (key,
/// number, addresses) with `orderStatus` `cancelled` and no items to ship.
pub fn map_cancellation(
    sale: &Sale,
    customer: Option<&QbCustomer>,
    ctx: &MappingContext,
) -> Result<MappedOrder, MappingError> {
    map_order(sale, customer, ctx, true)
}

fn map_order(
    sale: &Sale,
    customer: Option<&QbCustomer>,
    ctx: &MappingContext,
    cancel: bool,
) -> Result<MappedOrder, MappingError> {
    let mut notes = Vec::new();
    let txn_date = sale.txn_date.ok_or(MappingError::MissingTxnDate)?;
    let order_date = format_order_date(txn_date);

    let order_number = match clean(sale.ref_number.as_deref()) {
        Some(r) => truncate(&r, ORDER_NUMBER_MAX_LEN),
        None => {
            notes.push(format!(
                "The {} has no number; it was sent with its QuickBooks TxnID as the order number.",
                sale.txn_type.label()
            ));
            truncate(sale.txn_id.trim(), ORDER_NUMBER_MAX_LEN)
        }
    };

    let ship_src = non_empty(sale.ship_address.as_ref())
        .or_else(|| non_empty(sale.bill_address.as_ref()))
        .or_else(|| non_empty(customer.and_then(|c| c.ship_address.as_ref())))
        .or_else(|| non_empty(customer.and_then(|c| c.bill_address.as_ref())))
        .ok_or(MappingError::MissingShipTo)?;
    let ship = map_address(ship_src, customer);
    if let Some(bad) = ship.unknown_country {
        return Err(MappingError::UnknownShipToCountry(bad));
    }
    if ship.country_source == Some(CountrySource::Default) {
        notes.push(
            "The ship-to address has no country and no state or postal code that names one; \
             it was sent as US."
                .to_owned(),
        );
    }

    let customer_name = customer
        .and_then(|c| clean(Some(&c.full_name)))
        .or_else(|| clean(sale.customer_full_name.as_deref()));
    let bill_to = match non_empty(sale.bill_address.as_ref())
        .or_else(|| non_empty(customer.and_then(|c| c.bill_address.as_ref())))
    {
        Some(a) => {
            let bill = map_address(a, customer);
            if let Some(bad) = bill.unknown_country {
                notes.push(format!(
                    "The bill-to country \"{bad}\" is not recognised; it was left out."
                ));
            }
            bill.address
        }
        None => Address {
            name: contact_name(customer).or_else(|| customer_name.clone()),
            phone: customer.and_then(|c| clean(c.phone.as_deref())),
            ..Address::default()
        },
    };

    let mapped_items = if cancel {
        items::MappedItems::default()
    } else {
        items::map_items(sale, ctx)?
    };
    notes.extend(mapped_items.notes);
    if mapped_items.items.is_empty() && !cancel {
        return Err(MappingError::NoItems);
    }

    let is_receipt = sale.txn_type == TxnType::SalesReceipt;
    let order = Order {
        order_number,
        order_key: Some(order_key(ctx.connection_id, &sale.txn_id)),
        order_date: order_date.clone(),
        payment_date: is_receipt.then_some(order_date),
        ship_by_date: sale.ship_date.map(format_order_date),
        order_status: if cancel {
            OrderStatus::Cancelled
        } else {
            OrderStatus::AwaitingShipment
        },
        customer_username: customer_name,
        customer_email: customer.and_then(|c| clean(c.email.as_deref())),
        bill_to,
        ship_to: ship.address,
        items: mapped_items.items,
        amount_paid: if is_receipt { sale.total } else { None },
        tax_amount: sale.sales_tax_total,
        shipping_amount: mapped_items.shipping_amount,
        customer_notes: clean(sale.memo.as_deref()),
        requested_shipping_service: clean(sale.ship_via.as_deref()),
        advanced_options: AdvancedOptions {
            store_id: ctx.store_id,
            custom_field1: clean(sale.class_name.as_deref()),
            custom_field2: clean(sale.po_number.as_deref()),
            source: Some(ORDER_SOURCE.to_owned()),
            ..AdvancedOptions::default()
        },
        ..Order::default()
    };
    Ok(MappedOrder { order, notes })
}

#[cfg(test)]
mod tests;
