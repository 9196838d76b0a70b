use crate::mapping::test_support::{amount_line, ctx, dec, group, line, s};
use crate::sale::{Sale, SaleLine};
use crate::shipstation::model::{ItemOption, OrderItem};

use super::*;

fn sale_with(lines: Vec<SaleLine>) -> Sale {
    Sale {
        lines,
        ..crate::mapping::test_support::invoice()
    }
}

fn item(key: &str, sku: &str, name: &str, qty: i64, price: &str) -> OrderItem {
    OrderItem {
        line_item_key: s(key),
        sku: s(sku),
        name: name.to_owned(),
        quantity: qty,
        unit_price: Some(dec(price)),
        ..OrderItem::default()
    }
}

fn adjustment(key: &str, sku: &str, name: &str, price: &str) -> OrderItem {
    OrderItem {
        adjustment: true,
        ..item(key, sku, name, 1, price)
    }
}

#[test]
fn lines_map_to_items_shipping_and_adjustments() {
    let desc_only = SaleLine {
        txn_line_id: "D".into(),
        description: s("Thank you for your order"),
        ..SaleLine::default()
    };
    let pct_discount = SaleLine {
        txn_line_id: "P".into(),
        item_full_name: s("Discount 10%"),
        rate_percent: Some(dec("-10")),
        amount: Some(dec("-2.50")),
        ..SaleLine::default()
    };
    let no_rate = SaleLine {
        rate: None,
        ..line("R", "Bolt", None, "4", "0")
    };
    let no_rate = SaleLine {
        amount: Some(dec("3.00")),
        ..no_rate
    };
    let no_qty = SaleLine {
        quantity: None,
        ..line("Q", "Setup", Some("Setup fee"), "1", "40")
    };
    type Case = (
        &'static str,
        Vec<SaleLine>,
        Vec<OrderItem>,
        Option<&'static str>,
    );
    let cases: Vec<Case> = vec![
        (
            "item: sku = full name, name = description, price = rate",
            vec![line(
                "L1",
                "Parts:Widget",
                Some("Blue widget"),
                "2",
                "12.50",
            )],
            vec![item("L1", "Parts:Widget", "Blue widget", 2, "12.50")],
            None,
        ),
        (
            "no description: name = item name",
            vec![line("L1", "Widget", None, "3", "1")],
            vec![item("L1", "Widget", "Widget", 3, "1")],
            None,
        ),
        (
            "shipping lines are summed, any case, not items",
            vec![
                line("L1", "Widget", None, "1", "5"),
                amount_line("S1", "shipping", "8.95"),
                amount_line("S2", "SHIPPING", "1.05"),
            ],
            vec![item("L1", "Widget", "Widget", 1, "5")],
            Some("10.00"),
        ),
        (
            "negative amount is an adjustment",
            vec![amount_line("X", "Coupon", "-5.00")],
            vec![adjustment("X", "Coupon", "Coupon", "-5.00")],
            None,
        ),
        (
            "RatePercent discount is an adjustment",
            vec![pct_discount],
            vec![adjustment("P", "Discount 10%", "Discount 10%", "-2.50")],
            None,
        ),
        (
            "description-only line is skipped",
            vec![desc_only],
            vec![],
            None,
        ),
        (
            "no rate: unit price = amount / quantity",
            vec![no_rate],
            vec![item("R", "Bolt", "Bolt", 4, "0.75")],
            None,
        ),
        (
            "no quantity: one unit",
            vec![no_qty],
            vec![item("Q", "Setup", "Setup fee", 1, "40")],
            None,
        ),
    ];
    for (what, lines, want, shipping) in cases {
        let got = map_items(&sale_with(lines), &ctx()).expect(what);
        assert_eq!(got.items, want, "{what}");
        assert_eq!(got.shipping_amount, shipping.map(dec), "{what}");
    }
}

#[test]
fn group_lines_are_expanded() {
    let mut sale = sale_with(vec![line("L1", "Widget", None, "1", "5")]);
    sale.line_groups = vec![group(
        "Starter Kit",
        vec![
            line("G1", "Kit:Base", None, "1", "20"),
            line("G2", "Kit:Cable", Some("Cable"), "2", "3"),
        ],
    )];
    let got = map_items(&sale, &ctx()).expect("map");
    let skus: Vec<_> = got
        .items
        .iter()
        .map(|i| i.sku.clone().unwrap_or_default())
        .collect();
    assert_eq!(skus, ["Widget", "Kit:Base", "Kit:Cable"]);
    assert_eq!(got.items[2].quantity, 2);
}

#[test]
fn fractional_quantity_is_rejected_with_a_clear_message() {
    let sale = sale_with(vec![
        line("L1", "Gadget", None, "1", "5"),
        line("L2", "Widget", None, "1.5", "10"),
    ]);
    let err = map_items(&sale, &ctx()).expect_err("fractional");
    assert_eq!(
        err.to_string(),
        "Line 2 (item \"Widget\") has a fractional quantity 1.5; ShipStation needs whole \
         numbers. Change the quantity or set fractional_quantities to round_up."
    );
    assert_eq!(err.code(), "fractional_quantity");

    let mut in_group = sale_with(vec![]);
    in_group.line_groups = vec![group("Kit", vec![line("G1", "Rope", None, "2.25", "1")])];
    let err = map_items(&in_group, &ctx()).expect_err("fractional in group");
    assert!(
        err.to_string()
            .starts_with("Line 1 of group \"Kit\" (item \"Rope\")"),
        "{err}"
    );
}

#[test]
fn fractional_quantity_rounds_up_when_allowed() {
    let mut c = ctx();
    c.fractional_quantities = FractionalPolicy::RoundUp;
    let got = map_items(
        &sale_with(vec![line("L1", "Widget", None, "1.5", "10")]),
        &c,
    )
    .expect("round up");
    assert_eq!(got.items[0].quantity, 2);
    assert_eq!(got.items[0].unit_price, Some(dec("10")));
    assert_eq!(
        got.items[0].options,
        vec![ItemOption {
            name: "QuickBooks quantity".into(),
            value: "1.5".into()
        }]
    );
    assert_eq!(
        got.notes,
        vec![
            "Line 1 (item \"Widget\"): quantity 1.5 was rounded up to 2; the exact quantity is \
             kept as the item option \"QuickBooks quantity\"."
                .to_owned()
        ]
    );
}

#[test]
fn zero_quantity_lines_are_left_out_with_a_note() {
    let got = map_items(
        &sale_with(vec![line("L1", "Widget", None, "0", "10")]),
        &ctx(),
    )
    .expect("map");
    assert!(got.items.is_empty());
    assert_eq!(got.notes.len(), 1);
}
