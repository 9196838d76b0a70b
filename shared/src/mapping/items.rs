//! Sale lines → ShipStation items and the order's shipping amount.
//!
//! * Lines without an item (description-only) are skipped.
//! * The shipping item's lines (`shipping_item_name`, any case) are summed into
//!   `shippingAmount` and are not items.
//! * Discount and other non-physical lines — a negative amount, a negative quantity, or any
//!   `RatePercent` line (a percentage discount or surcharge) — become one `adjustment: true`
//!   item with quantity 1 and the line amount as unit price.
//! * Other lines: SKU = the item's full name, name = the description (else the item name),
//!   unit price = `Rate` (else amount ÷ quantity), quantity = `Quantity` (1 when empty).
//!   A zero quantity line is left out (with a note). A fractional quantity is an error under
//!   `FractionalPolicy::Reject`; under `RoundUp` it is rounded up, the exact quantity is kept
//!   as the item option "QuickBooks quantity", and a note is added.
//! * Group lines are expanded: their child lines are mapped like ordinary lines.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::sale::{Sale, SaleLine};
use crate::shipstation::model::{ItemOption, OrderItem};

use super::address::clean;
use super::{FractionalPolicy, MappingContext, MappingError};

/// The option name that keeps a rounded quantity's exact QuickBooks value.
pub const QUICKBOOKS_QUANTITY_OPTION: &str = "QuickBooks quantity";

/// The items, shipping total and notes of a sale.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MappedItems {
    /// Items to send.
    pub items: Vec<OrderItem>,
    /// Sum of the shipping item's lines; `None` when the sale has none.
    pub shipping_amount: Option<Decimal>,
    /// Things the user should know (rounding, skipped lines).
    pub notes: Vec<String>,
}

/// The line's amount: `Amount`, else `Rate × Quantity` (quantity 1 when empty).
fn line_amount(line: &SaleLine) -> Option<Decimal> {
    line.amount
        .or_else(|| line.rate.map(|r| r * line.quantity.unwrap_or(Decimal::ONE)))
}

/// Maps every line of the sale, plain lines first, then each group's lines.
pub fn map_items(sale: &Sale, ctx: &MappingContext) -> Result<MappedItems, MappingError> {
    let mut out = MappedItems::default();
    for (i, line) in sale.lines.iter().enumerate() {
        map_line(line, format!("Line {}", i + 1), ctx, &mut out)?;
    }
    for group in &sale.line_groups {
        let group_name = group
            .item_group_full_name
            .as_deref()
            .unwrap_or("(unnamed group)");
        for (i, line) in group.lines.iter().enumerate() {
            let label = format!("Line {} of group \"{group_name}\"", i + 1);
            map_line(line, label, ctx, &mut out)?;
        }
    }
    Ok(out)
}

fn map_line(
    line: &SaleLine,
    label: String,
    ctx: &MappingContext,
    out: &mut MappedItems,
) -> Result<(), MappingError> {
    let Some(item) = clean(line.item_full_name.as_deref()) else {
        return Ok(()); // description-only line
    };
    let amount = line_amount(line);
    if item.eq_ignore_ascii_case(ctx.shipping_item_name.trim()) {
        let sum = out.shipping_amount.unwrap_or_default() + amount.unwrap_or_default();
        out.shipping_amount = Some(sum);
        return Ok(());
    }
    let base = OrderItem {
        line_item_key: clean(Some(&line.txn_line_id)),
        sku: Some(item.clone()),
        name: clean(line.description.as_deref()).unwrap_or_else(|| item.clone()),
        ..OrderItem::default()
    };
    let quantity = line.quantity.unwrap_or(Decimal::ONE);
    let adjustment = line.rate_percent.is_some()
        || amount.is_some_and(|a| a.is_sign_negative() && !a.is_zero())
        || quantity.is_sign_negative() && !quantity.is_zero();
    if adjustment {
        out.items.push(OrderItem {
            quantity: 1,
            unit_price: Some(amount.unwrap_or_default()),
            adjustment: true,
            ..base
        });
        return Ok(());
    }
    if quantity.is_zero() {
        out.notes.push(format!(
            "{label} (item \"{item}\") has quantity 0 and was not sent."
        ));
        return Ok(());
    }
    let mut options = Vec::new();
    let whole = if quantity.fract().is_zero() {
        quantity
    } else {
        match ctx.fractional_quantities {
            FractionalPolicy::Reject => {
                return Err(MappingError::FractionalQuantity {
                    line: label,
                    item,
                    quantity: quantity.normalize(),
                });
            }
            FractionalPolicy::RoundUp => {
                let up = quantity.ceil();
                let exact = quantity.normalize().to_string();
                out.notes.push(format!(
                    "{label} (item \"{item}\"): quantity {exact} was rounded up to {up}; the \
                     exact quantity is kept as the item option \"{QUICKBOOKS_QUANTITY_OPTION}\"."
                ));
                options.push(ItemOption {
                    name: QUICKBOOKS_QUANTITY_OPTION.to_owned(),
                    value: exact,
                });
                up
            }
        }
    };
    let Some(units) = whole.to_i64() else {
        return Err(MappingError::QuantityOutOfRange {
            line: label,
            item,
            quantity: quantity.normalize(),
        });
    };
    let unit_price = line.rate.or_else(|| {
        amount
            .and_then(|a| a.checked_div(quantity))
            .map(|p| p.round_dp(4).normalize())
    });
    out.items.push(OrderItem {
        quantity: units,
        unit_price,
        options,
        ..base
    });
    Ok(())
}

#[cfg(test)]
#[path = "items_tests.rs"]
mod tests;
