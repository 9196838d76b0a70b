use std::str::FromStr;

use super::*;
use crate::qbxml::golden::assert_golden;
use crate::qbxml::response::parse_response;
use crate::qbxml::tree::{parse_document, XmlElement};

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

fn shipping_line() -> NewLine {
    NewLine {
        item_full_name: "Shipping".into(),
        description: Some("UPS Ground \u{2013} 1Z999AA10123456784 & co".into()),
        quantity: None,
        rate: None,
        amount: Some(dec("12.3")),
        sales_tax_code: Some("Non".into()),
    }
}

fn existing() -> Vec<ExistingLine> {
    vec![
        ExistingLine::Line {
            txn_line_id: "1A2D-1716400000".into(),
        },
        ExistingLine::Group {
            txn_line_id: "1A2E-1716400000".into(),
            line_ids: vec!["1A2F-1716400000".into(), "1A30-1716400000".into()],
        },
        ExistingLine::Line {
            txn_line_id: "1A31-1716400000".into(),
        },
    ]
}

/// The `*Mod` aggregate of a single-request document.
fn mod_aggregate(xml: &str) -> XmlElement<'_> {
    let root = parse_document(xml).expect("well-formed");
    let rq = root.children[0].children[0].clone();
    rq.children[0].clone()
}

fn child_names<'a>(e: &'a XmlElement<'_>) -> Vec<&'a str> {
    e.children.iter().map(|c| c.name.as_ref()).collect()
}

fn full(txn_type: TxnType, existing: &[ExistingLine], new_line: &NewLine) -> String {
    txn_mod(&TxnModParams {
        existing_lines: existing,
        new_line: Some(new_line),
        ship_date: NaiveDate::from_ymd_opt(2024, 5, 22),
        ship_method: Some("UPS"),
        fob: Some("Origin warehouse 7"),
        memo: Some("Shipped UPS Ground 1Z999AA10123456784"),
        other: Some("1Z999AA10123456784 plus a long tail"),
        ..TxnModParams::new(txn_type, "mod-1", "1A2B-1716400000", "1716400123")
    })
}

#[test]
fn invoice_mod_relists_every_line_in_order_and_matches_golden() {
    let line = shipping_line();
    let xml = full(TxnType::Invoice, &existing(), &line);
    assert_golden("qbxml/invoice_mod_add_shipping_line.xml", &xml);
    let m = mod_aggregate(&xml);
    assert_eq!(m.name, "InvoiceMod");
    assert_eq!(
        child_names(&m),
        [
            "TxnID",
            "EditSequence",
            "FOB",
            "ShipDate",
            "ShipMethodRef",
            "Memo",
            "Other",
            "InvoiceLineMod",
            "InvoiceLineGroupMod",
            "InvoiceLineMod",
            "InvoiceLineMod",
        ]
    );
    assert_eq!(m.child_text("FOB"), Some("Origin wareho"));
    assert_eq!(m.child_text("Other"), Some("1Z999AA10123456784 plus a lon"));
    let new = m.children.last().expect("new line");
    assert_eq!(
        child_names(new),
        ["TxnLineID", "ItemRef", "Desc", "Amount", "SalesTaxCodeRef"]
    );
    assert_eq!(new.child_text("TxnLineID"), Some("-1"));
    assert_eq!(
        new.child_text("Desc"),
        Some("UPS Ground - 1Z999AA10123456784 & co")
    );
    assert_eq!(new.child_text("Amount"), Some("12.30"));
    let group = &m.children[8];
    assert_eq!(
        child_names(group),
        ["TxnLineID", "InvoiceLineMod", "InvoiceLineMod"]
    );
}

#[test]
fn sales_receipt_mod_puts_fob_after_ship_method() {
    let line = shipping_line();
    let xml = full(TxnType::SalesReceipt, &existing()[..1], &line);
    assert_golden("qbxml/sales_receipt_mod_add_shipping_line.xml", &xml);
    let m = mod_aggregate(&xml);
    assert_eq!(
        child_names(&m),
        [
            "TxnID",
            "EditSequence",
            "ShipDate",
            "ShipMethodRef",
            "FOB",
            "Memo",
            "Other",
            "SalesReceiptLineMod",
            "SalesReceiptLineMod",
        ]
    );
}

#[test]
fn sales_order_mod_uses_its_own_aggregate_names() {
    let line = NewLine {
        quantity: Some(dec("2.000")),
        rate: Some(dec("4.5")),
        description: None,
        sales_tax_code: None,
        amount: None,
        ..shipping_line()
    };
    let xml = full(TxnType::SalesOrder, &existing(), &line);
    assert_golden("qbxml/sales_order_mod_add_line.xml", &xml);
    let m = mod_aggregate(&xml);
    assert_eq!(m.name, "SalesOrderMod");
    assert_eq!(
        &child_names(&m)[..7],
        [
            "TxnID",
            "EditSequence",
            "FOB",
            "ShipDate",
            "ShipMethodRef",
            "Memo",
            "Other"
        ]
    );
    assert_eq!(
        child_names(&m.children[8]),
        ["TxnLineID", "SalesOrderLineMod", "SalesOrderLineMod"]
    );
    let new = m.children.last().expect("new line");
    assert_eq!(
        child_names(new),
        ["TxnLineID", "ItemRef", "Quantity", "Rate"]
    );
    assert_eq!(new.child_text("Quantity"), Some("2"));
}

#[test]
fn header_only_mod_lists_no_lines_and_asks_for_a_small_reply() {
    let xml = txn_mod(&TxnModParams {
        other: Some("1Z999AA10123456784"),
        existing_lines: &existing(),
        ..TxnModParams::new(TxnType::Invoice, "mod-2", "1A2B-1716400000", "1716400123")
    });
    assert_golden("qbxml/invoice_mod_header_only.xml", &xml);
    assert_eq!(
        child_names(&mod_aggregate(&xml)),
        ["TxnID", "EditSequence", "Other"]
    );
    let root = parse_document(&xml).expect("well-formed");
    let rq = &root.children[0].children[0];
    assert_eq!(
        child_names(rq),
        [
            "InvoiceMod",
            "IncludeRetElement",
            "IncludeRetElement",
            "IncludeRetElement"
        ]
    );
}

#[test]
fn queried_line_order_feeds_the_mod() {
    let response = parse_response(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/qbxml-responses/invoice_query_iterator.xml"
    )))
    .expect("parses");
    let rs = &response.responses[0];
    let sale = &rs.sales[0];
    let line = shipping_line();
    let xml = txn_mod(&TxnModParams {
        existing_lines: &rs.line_orders[0],
        new_line: Some(&line),
        ..TxnModParams::new(sale.txn_type, "mod-3", &sale.txn_id, &sale.edit_sequence)
    });
    let m = mod_aggregate(&xml);
    let ids: Vec<&str> = m
        .children
        .iter()
        .filter_map(|c| c.child_text("TxnLineID"))
        .collect();
    assert_eq!(
        ids,
        [
            "1A2D-1716400000",
            "1A2E-1716400000",
            "1A31-1716400000",
            "1A32-1716400000",
            "-1"
        ]
    );
}

#[test]
fn data_ext_mod_and_add_match_golden() {
    let xml = data_ext_mod(
        "dx-mod-1",
        TxnType::Invoice,
        "1A2B-1716400000",
        "0",
        "Tracking",
        "1Z999AA10123456784",
    );
    assert_golden("qbxml/data_ext_mod.xml", &xml);
    let root = parse_document(&xml).expect("well-formed");
    let m = &root.children[0].children[0].children[0];
    assert_eq!(m.name, "DataExtMod");
    assert_eq!(
        child_names(m),
        [
            "OwnerID",
            "DataExtName",
            "TxnDataExtType",
            "TxnID",
            "DataExtValue"
        ]
    );
    let add = data_ext_add(
        "dx-add-1",
        TxnType::SalesOrder,
        "9-1",
        "0",
        "Tracking",
        "x".repeat(300).as_str(),
    );
    let root = parse_document(&add).expect("well-formed");
    let a = &root.children[0].children[0].children[0];
    assert_eq!(a.name, "DataExtAdd");
    assert_eq!(a.child_text("TxnDataExtType"), Some("SalesOrder"));
    assert_eq!(a.child_text("DataExtValue").map(str::len), Some(255));
}
