//! Builders for sales and customers used by the mapping and rules tests.

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::sale::{QbAddress, QbCustomer, Sale, SaleLine, SaleLineGroup, TxnType};

use super::MappingContext;

/// A decimal from text (0 on a typo, which the assertions then catch).
pub(crate) fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_default()
}

/// `Some(s.to_owned())`.
pub(crate) fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

/// The connection used in tests (`6f1c2a9e-...`).
pub(crate) fn ctx() -> MappingContext {
    MappingContext::new(Uuid::parse_str("6f1c2a9e-0000-4000-8000-000000000001").unwrap_or_default())
}

/// An item line: item, description, quantity, rate; amount = quantity × rate.
pub(crate) fn line(id: &str, item: &str, desc: Option<&str>, qty: &str, rate: &str) -> SaleLine {
    SaleLine {
        txn_line_id: id.to_owned(),
        item_full_name: s(item),
        description: desc.map(str::to_owned),
        quantity: Some(dec(qty)),
        rate: Some(dec(rate)),
        amount: Some(dec(qty) * dec(rate)),
        ..SaleLine::default()
    }
}

/// A line with only an amount (shipping, discount ...).
pub(crate) fn amount_line(id: &str, item: &str, amount: &str) -> SaleLine {
    SaleLine {
        txn_line_id: id.to_owned(),
        item_full_name: s(item),
        amount: Some(dec(amount)),
        ..SaleLine::default()
    }
}

/// A group line holding `lines`.
pub(crate) fn group(name: &str, lines: Vec<SaleLine>) -> SaleLineGroup {
    SaleLineGroup {
        txn_line_id: "G-1".into(),
        item_group_full_name: s(name),
        lines,
        ..SaleLineGroup::default()
    }
}

/// Jane Doe of Doe Enterprises LLC, Austin TX.
pub(crate) fn customer() -> QbCustomer {
    QbCustomer {
        list_id: "80000001-1".into(),
        full_name: "Doe Enterprises".into(),
        company_name: s("Doe Enterprises LLC"),
        first_name: s("Jane"),
        last_name: s("Doe"),
        phone: s("512-555-0100"),
        email: s("jane@doe.example"),
        ..QbCustomer::default()
    }
}

/// Invoice 1001 of 2024-03-05 to Doe Enterprises: 2 × Widget at 12.50, shipping 8.95,
/// tax 2.06, total 36.01; ship-to Austin, TX without a country.
pub(crate) fn invoice() -> Sale {
    Sale {
        txn_type: TxnType::Invoice,
        txn_id: "1A2B-1700000000".into(),
        edit_sequence: "1700000000".into(),
        time_modified: "2024-03-05T10:00:00-08:00".into(),
        time_created: None,
        ref_number: s("1001"),
        txn_date: NaiveDate::from_ymd_opt(2024, 3, 5),
        customer_list_id: s("80000001-1"),
        customer_full_name: s("Doe Enterprises"),
        class_name: s("Wholesale"),
        bill_address: Some(QbAddress {
            addr1: s("Doe Enterprises LLC"),
            addr2: s("Jane Doe"),
            addr3: s("PO Box 9"),
            city: s("Austin"),
            state: s("TX"),
            postal_code: s("78701"),
            ..QbAddress::default()
        }),
        ship_address: Some(QbAddress {
            addr1: s("Doe Enterprises LLC"),
            addr2: s("Attn: Receiving"),
            addr3: s("500 Dock Rd"),
            addr4: s("Bay 3"),
            city: s("Austin"),
            state: s("TX"),
            postal_code: s("78702"),
            ..QbAddress::default()
        }),
        po_number: s("PO-77"),
        ship_via: s("UPS Ground"),
        ship_date: NaiveDate::from_ymd_opt(2024, 3, 7),
        memo: s("Leave at the back door"),
        other: None,
        subtotal: Some(dec("33.95")),
        sales_tax_total: Some(dec("2.06")),
        total: Some(dec("36.01")),
        is_pending: None,
        lines: vec![
            line("L-1", "Widget", Some("Blue widget, large"), "2", "12.50"),
            amount_line("L-2", "Shipping", "8.95"),
        ],
        line_groups: vec![],
        data_ext: vec![],
        from_sales_orders: vec![],
    }
}
