use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::*;
use crate::qbwc::soap::{parse_call, QbwcCall};
use crate::sale::{DataExt, QbAddress, SaleLine};

macro_rules! fixture {
    ($dir:literal, $name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/golden/",
            $dir,
            "/",
            $name
        ))
    };
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// The qbXML inside a captured `receiveResponseXML` / `sendRequestXML` request.
fn embedded_qbxml(soap: &str) -> String {
    match parse_call(soap.as_bytes()).expect("soap parses") {
        QbwcCall::ReceiveResponseXml { response, .. } => response,
        QbwcCall::SendRequestXml { hcp_response, .. } => hcp_response,
        other => panic!("unexpected call {other:?}"),
    }
}

#[test]
fn iterator_invoice_query_carries_status_and_iterator_attributes() {
    let parsed =
        parse_response(fixture!("qbxml-responses", "invoice_query_iterator.xml")).expect("parses");
    assert_eq!(parsed.responses.len(), 1);
    let rs = &parsed.responses[0];
    assert_eq!(rs.kind, "InvoiceQueryRs");
    assert_eq!(rs.request_id.as_deref(), Some("inv-q-1"));
    assert_eq!(
        (
            rs.status_code,
            rs.status_severity.as_str(),
            rs.status_message.as_str()
        ),
        (0, "Info", "Status OK")
    );
    assert_eq!(
        rs.iterator_id.as_deref(),
        Some("{4ee3b29c-33a4-4d4a-b1a0-c2ad8f7e1b49}")
    );
    assert_eq!(rs.iterator_remaining_count, Some(3));
    assert!(rs.is_ok() && rs.has_more() && !rs.is_error());
    assert_eq!(rs.sales.len(), 2);
    assert!(rs.customers.is_empty());
    assert_eq!(parsed.by_request_id("inv-q-1"), Some(rs));
}

#[test]
fn invoice_header_fields_addresses_and_totals_are_read() {
    let parsed =
        parse_response(fixture!("qbxml-responses", "invoice_query_iterator.xml")).expect("parses");
    let inv = &parsed.responses[0].sales[0];
    assert_eq!(inv.txn_type, TxnType::Invoice);
    assert_eq!(inv.txn_id, "1A2B-1716400000");
    assert_eq!(inv.edit_sequence, "1716400123");
    assert_eq!(inv.time_modified, "2024-05-21T08:01:44-05:00");
    assert_eq!(
        inv.time_created.as_deref(),
        Some("2024-05-20T10:15:02-05:00")
    );
    assert_eq!(inv.ref_number.as_deref(), Some("10231"));
    assert_eq!(inv.txn_date, ymd(2024, 5, 20));
    assert_eq!(inv.customer_list_id.as_deref(), Some("80000001-1446673838"));
    assert_eq!(
        inv.customer_full_name.as_deref(),
        Some("Acme Widgets:Warehouse 2")
    );
    assert_eq!(inv.class_name.as_deref(), Some("Retail"));
    assert_eq!(inv.po_number.as_deref(), Some("PO-7781"));
    assert_eq!(inv.ship_via.as_deref(), Some("UPS"));
    assert_eq!(inv.ship_date, ymd(2024, 5, 21));
    assert_eq!(inv.memo.as_deref(), Some("Rush order \"A\" <fragile>"));
    assert_eq!(inv.other.as_deref(), Some("web-4471"));
    assert_eq!(inv.subtotal, Some(dec("135.00")));
    assert_eq!(inv.sales_tax_total, Some(dec("8.57")));
    assert_eq!(inv.total, Some(dec("143.57")));
    assert_eq!(inv.is_pending, Some(false));
    assert_eq!(
        inv.ship_address,
        Some(QbAddress {
            addr1: Some("Acme Widgets".into()),
            addr2: Some("Dock 4 & 5".into()),
            addr3: Some("56 Cowles Road".into()),
            city: Some("Willington".into()),
            state: Some("CT".into()),
            postal_code: Some("06279".into()),
            note: Some("Call ahead".into()),
            ..QbAddress::default()
        })
    );
    let bill = inv.bill_address.as_ref().expect("bill address");
    assert_eq!(
        bill.lines(),
        ["Acme Widgets", "Attn: Payables", "PO Box 12"]
    );
    assert_eq!(bill.country.as_deref(), Some("US"));
    // Only the transaction's own DataExtRet, not the line's.
    assert_eq!(
        inv.data_ext,
        vec![
            DataExt {
                owner_id: "0".into(),
                name: "Tracking".into(),
                value: "1Z999AA10123456784".into()
            },
            DataExt {
                owner_id: "0".into(),
                name: "Channel".into(),
                value: "Web".into()
            },
        ]
    );
}

#[test]
fn invoice_lines_and_groups_are_read() {
    let parsed =
        parse_response(fixture!("qbxml-responses", "invoice_query_iterator.xml")).expect("parses");
    let inv = &parsed.responses[0].sales[0];
    let ids: Vec<&str> = inv.lines.iter().map(|l| l.txn_line_id.as_str()).collect();
    assert_eq!(
        ids,
        ["1A2D-1716400000", "1A31-1716400000", "1A32-1716400000"]
    );
    assert_eq!(
        inv.lines[0],
        SaleLine {
            txn_line_id: "1A2D-1716400000".into(),
            item_full_name: Some("Widgets:Blue Widget".into()),
            description: Some("Blue widget, large".into()),
            quantity: Some(dec("3")),
            unit_of_measure: Some("Each".into()),
            rate: Some(dec("25.00")),
            rate_percent: None,
            amount: Some(dec("75.00")),
            class_name: Some("Retail".into()),
            sales_tax_code: Some("Tax".into()),
        }
    );
    assert_eq!(inv.lines[1].rate_percent, Some(dec("-10.0")));
    assert_eq!(inv.lines[1].amount, Some(dec("-10.00")));
    assert_eq!(inv.lines[2].item_full_name, None);
    assert_eq!(
        inv.lines[2].description.as_deref(),
        Some("Thank you for your business!")
    );

    assert_eq!(inv.line_groups.len(), 1);
    let g = &inv.line_groups[0];
    assert_eq!(g.txn_line_id, "1A2E-1716400000");
    assert_eq!(g.item_group_full_name.as_deref(), Some("Starter Kit"));
    assert_eq!(g.description.as_deref(), Some("Starter kit (2 parts)"));
    assert_eq!(g.quantity, Some(dec("1")));
    assert_eq!(g.total_amount, Some(dec("50.00")));
    let inner: Vec<_> = g
        .lines
        .iter()
        .map(|l| (l.txn_line_id.as_str(), l.amount))
        .collect();
    assert_eq!(
        inner,
        [
            ("1A2F-1716400000", Some(dec("30.00"))),
            ("1A30-1716400000", Some(dec("20.00")))
        ]
    );
    assert_eq!(g.lines[1].sales_tax_code.as_deref(), Some("Non"));
}

#[test]
fn second_invoice_with_latin1_name_and_no_tax_total_is_read() {
    let parsed =
        parse_response(fixture!("qbxml-responses", "invoice_query_iterator.xml")).expect("parses");
    let inv = &parsed.responses[0].sales[1];
    assert_eq!(inv.customer_full_name.as_deref(), Some("Zoë Müller"));
    assert_eq!(inv.is_pending, Some(true));
    assert_eq!(inv.total, Some(dec("19.99")));
    assert_eq!(
        (inv.bill_address.as_ref(), inv.ship_address.as_ref()),
        (None, None)
    );
    assert!(inv.line_groups.is_empty() && inv.data_ext.is_empty());
}

#[test]
fn sales_receipt_no_match_mod_and_customer_responses_are_read() {
    let parsed =
        parse_response(fixture!("qbxml-responses", "mixed_responses.xml")).expect("parses");
    let kinds: Vec<&str> = parsed.responses.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "SalesReceiptQueryRs",
            "SalesOrderQueryRs",
            "InvoiceModRs",
            "CustomerQueryRs"
        ]
    );

    let sr = &parsed.responses[0].sales[0];
    assert_eq!(sr.txn_type, TxnType::SalesReceipt);
    assert_eq!(sr.total, Some(dec("40.00")));
    assert_eq!(sr.ship_via.as_deref(), Some("FedEx"));
    assert_eq!(sr.ship_date, ymd(2024, 5, 24));
    assert_eq!(sr.po_number, None);
    assert_eq!(sr.lines.len(), 1);
    assert_eq!(sr.lines[0].quantity, Some(dec("1.5")));
    assert_eq!(sr.lines[0].rate, Some(dec("26.6666")));
    assert_eq!(sr.line_groups.len(), 1);
    assert!(sr.line_groups[0].lines.is_empty());
    assert_eq!(
        sr.ship_address.as_ref().and_then(|a| a.city.as_deref()),
        Some("Boston")
    );

    let none = &parsed.responses[1];
    assert!(none.is_no_match() && !none.is_error() && none.sales.is_empty());
    assert_eq!(
        none.status_message,
        "A query request did not find a matching object in QuickBooks"
    );
    assert_eq!(
        (none.iterator_id.as_ref(), none.iterator_remaining_count),
        (None, None)
    );

    let modded = &parsed.responses[2].sales[0];
    assert_eq!(modded.txn_type, TxnType::Invoice);
    assert_eq!(
        (
            modded.txn_id.as_str(),
            modded.edit_sequence.as_str(),
            modded.time_modified.as_str()
        ),
        ("1A2B-1716400000", "1716410410", "2024-05-22T15:40:10-05:00")
    );
    assert_eq!(modded.total, None);

    let c = &parsed.responses[3].customers[0];
    assert_eq!(c.list_id, "80000001-1446673838");
    assert_eq!(c.full_name, "Acme Widgets:Warehouse 2");
    assert_eq!(c.company_name.as_deref(), Some("Acme Widgets Inc."));
    assert_eq!(c.first_name.as_deref(), Some("Dana"));
    assert_eq!(c.last_name.as_deref(), Some("O'Neil"));
    assert_eq!(c.phone.as_deref(), Some("860-555-0100"));
    assert_eq!(c.email.as_deref(), Some("dana@acme.example"));
    assert_eq!(
        c.ship_address.as_ref().and_then(|a| a.addr2.as_deref()),
        Some("56 Cowles Road")
    );
    assert_eq!(
        c.bill_address
            .as_ref()
            .and_then(|a| a.postal_code.as_deref()),
        Some("06101")
    );
}

#[test]
fn captured_customer_add_response_from_sample_03_parses() {
    let qbxml = embedded_qbxml(fixture!(
        "qbwc-samples",
        "03-receiveResponseXML-CustomerAddRs-ok.request.xml"
    ));
    let parsed = parse_response(&qbxml).expect("parses");
    let rs = &parsed.responses[0];
    assert_eq!(rs.kind, "CustomerAddRs");
    assert_eq!(rs.request_id.as_deref(), Some("Q3VzdG9tZXJBZGR8MTU="));
    assert!(rs.is_ok());
    let c = &rs.customers[0];
    assert_eq!(c.list_id, "F0000-1215265593");
    assert_eq!(c.full_name, "Shannon 171 Daniels");
    assert_eq!(c.phone.as_deref(), Some("1.860.634.1602"));
    assert_eq!(c.email, None);
    assert_eq!(c.bill_address, None);
    assert_eq!(
        c.ship_address.as_ref().and_then(|a| a.state.as_deref()),
        Some("CT")
    );
}

#[test]
fn captured_3100_error_from_sample_05_is_unescaped_once_more() {
    let qbxml = embedded_qbxml(fixture!(
        "qbwc-samples",
        "05-receiveResponseXML-ItemServiceAddRs-3100-error.request.xml"
    ));
    let rs = &parse_response(&qbxml).expect("parses").responses[0];
    assert_eq!(rs.kind, "ItemServiceAddRs");
    assert_eq!(rs.status_code, 3100);
    assert!(rs.is_error());
    assert_eq!(
        rs.status_message,
        "The name \"Shipping Item - QuickBooks Inte\" of the list element is already in use."
    );
}

#[test]
fn hcp_response_from_sample_02_yields_file_id_and_versions() {
    let hcp = embedded_qbxml(fixture!(
        "qbwc-samples",
        "02-sendRequestXML-first-call-with-HCPResponse.request.xml"
    ));
    let owner = Uuid::parse_str("68b5925b-4347-4784-e58d-35a2d190962f").expect("uuid");
    assert_eq!(
        parse_hcp_company_file_id(&hcp, &owner).as_deref(),
        Some("{ee032e95-47f7-2564-096f-2d4545fcb021}")
    );
    assert_eq!(parse_hcp_company_file_id(&hcp, &Uuid::nil()), None);
    assert_eq!(parse_hcp_company_file_id("not xml", &owner), None);
    let versions = parse_hcp_supported_versions(&hcp);
    assert_eq!(versions.first().map(String::as_str), Some("1.0"));
    assert_eq!(versions.last().map(String::as_str), Some("5.0"));
    assert_eq!(versions.len(), 8);
    // The full HCP also parses as an ordinary response set.
    let kinds: Vec<String> = parse_response(&hcp)
        .expect("parses")
        .responses
        .into_iter()
        .map(|r| r.kind)
        .collect();
    assert_eq!(
        kinds,
        ["HostQueryRs", "CompanyQueryRs", "PreferencesQueryRs"]
    );
}

#[test]
fn bad_documents_are_errors() {
    let bomb = "<?xml version=\"1.0\"?><!DOCTYPE QBXML [<!ENTITY a \"x\">]><QBXML/>";
    assert_eq!(parse_response(bomb), Err(QbxmlError::Doctype));
    assert!(matches!(
        parse_response("<QBXML><QBXMLMsgsRs>"),
        Err(QbxmlError::Malformed(_))
    ));
    assert_eq!(
        parse_response("<Other/>"),
        Err(QbxmlError::NotQbxml("Other".into()))
    );
    assert_eq!(
        parse_response(
            "<QBXML><QBXMLMsgsRs><InvoiceQueryRs statusCode=\"x\"/></QBXMLMsgsRs></QBXML>"
        ),
        Err(QbxmlError::BadStatusCode {
            kind: "InvoiceQueryRs".into()
        })
    );
    let no_id = "<QBXML><QBXMLMsgsRs><InvoiceQueryRs statusCode=\"0\"><InvoiceRet><EditSequence>1</EditSequence></InvoiceRet></InvoiceQueryRs></QBXMLMsgsRs></QBXML>";
    assert_eq!(
        parse_response(no_id),
        Err(QbxmlError::MissingElement {
            element: "TxnID",
            within: "InvoiceRet".into()
        })
    );
    assert_eq!(parse_response("<QBXML/>").map(|r| r.responses.len()), Ok(0));
    // A terse Mod echo (TxnID and EditSequence only) is still a successful Mod.
    let terse = "<QBXML><QBXMLMsgsRs><InvoiceModRs statusCode=\"0\"><InvoiceRet><TxnID>1-2</TxnID><EditSequence>9</EditSequence></InvoiceRet></InvoiceModRs></QBXMLMsgsRs></QBXML>";
    let rs = parse_response(terse).expect("terse mod");
    let sale = &rs.responses[0].sales[0];
    assert_eq!(
        (
            sale.txn_id.as_str(),
            sale.edit_sequence.as_str(),
            sale.time_modified.as_str()
        ),
        ("1-2", "9", "")
    );
    let query = terse.replace("InvoiceModRs", "InvoiceQueryRs");
    assert!(matches!(
        parse_response(&query),
        Err(QbxmlError::MissingElement {
            element: "TimeModified",
            ..
        })
    ));
}

#[test]
fn line_orders_keep_quickbooks_order_of_lines_and_groups() {
    use crate::qbxml::request::ExistingLine;
    let parsed =
        parse_response(fixture!("qbxml-responses", "invoice_query_iterator.xml")).expect("parses");
    let rs = &parsed.responses[0];
    assert_eq!(rs.line_orders.len(), rs.sales.len());
    let line = |id: &str| ExistingLine::Line {
        txn_line_id: id.into(),
    };
    assert_eq!(
        rs.line_orders[0],
        vec![
            line("1A2D-1716400000"),
            ExistingLine::Group {
                txn_line_id: "1A2E-1716400000".into(),
                line_ids: vec!["1A2F-1716400000".into(), "1A30-1716400000".into()],
            },
            line("1A31-1716400000"),
            line("1A32-1716400000"),
        ]
    );
    assert_eq!(rs.line_orders[1], vec![line("1B01-1716500000")]);
}

#[test]
fn an_invoices_source_sales_order_is_kept_and_its_payments_are_not() {
    let xml = r#"<?xml version="1.0" ?><QBXML><QBXMLMsgsRs><InvoiceQueryRs requestID="1" statusCode="0" statusSeverity="Info" statusMessage="Status OK"><InvoiceRet><TxnID>INV-1</TxnID><TimeModified>2026-11-02T10:00:00-08:00</TimeModified><EditSequence>7</EditSequence><RefNumber>1001</RefNumber><LinkedTxn><TxnID>SO-9</TxnID><TxnType>SalesOrder</TxnType><TxnDate>2026-11-01</TxnDate><RefNumber>5009</RefNumber><LinkType>QUANTYPE</LinkType><Amount>0.00</Amount></LinkedTxn><LinkedTxn><TxnID>PAY-3</TxnID><TxnType>ReceivePayment</TxnType><TxnDate>2026-11-03</TxnDate><RefNumber>88</RefNumber><LinkType>AMTTYPE</LinkType><Amount>-10.00</Amount></LinkedTxn></InvoiceRet></InvoiceQueryRs></QBXMLMsgsRs></QBXML>"#;
    let parsed = parse_response(xml).expect("parses");
    let inv = &parsed.responses[0].sales[0];
    assert_eq!(
        inv.from_sales_orders,
        vec![crate::sale::SourceSalesOrder {
            txn_id: "SO-9".into(),
            ref_number: Some("5009".into())
        }]
    );
}
