//! Request-processor tests: message sets, queries, iterators, faults.

use super::*;

/// Wrap request elements in a qbXML 13.0 message set.
pub fn msg(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<?qbxml version=\"13.0\"?>\n<QBXML>\n<QBXMLMsgsRq onError=\"stopOnError\">\n{body}\n</QBXMLMsgsRq>\n</QBXML>\n"
    )
}

/// Pull one attribute value off the first element called `el` in `xml` (test helper).
pub fn attr_of(xml: &str, el: &str, attr: &str) -> Option<String> {
    let doc = super::xml::parse(xml).ok()?;
    fn find<'a>(e: &'a super::xml::Element, name: &str) -> Option<&'a super::xml::Element> {
        if e.name == name {
            return Some(e);
        }
        e.children.iter().find_map(|c| find(c, name))
    }
    find(&doc.root, el)
        .and_then(|e| e.attr(attr))
        .map(str::to_string)
}

/// Count elements called `el` anywhere in `xml`.
pub fn count_of(xml: &str, el: &str) -> usize {
    xml.matches(&format!("<{el}>")).count()
}

fn ok(company: &Company, body: &str) -> String {
    company
        .process_request(&msg(body))
        .unwrap_or_else(|h| panic!("hresult {h}"))
}

#[test]
fn iterator_pages_250_invoices_100_at_a_time() {
    let c = Company::new();
    c.generate_invoices(250);
    let start = ok(
        &c,
        "<InvoiceQueryRq requestID=\"q1\" iterator=\"Start\"><MaxReturned>100</MaxReturned><IncludeLineItems>true</IncludeLineItems></InvoiceQueryRq>",
    );
    assert!(start.starts_with("<?xml version=\"1.0\" ?>\n<QBXML>\n<QBXMLMsgsRs>\n<InvoiceQueryRs requestID=\"q1\" statusCode=\"0\" statusSeverity=\"Info\" statusMessage=\"Status OK\" iteratorRemainingCount=\"150\" iteratorID=\"{"));
    assert_eq!(count_of(&start, "InvoiceRet"), 100);
    let id = attr_of(&start, "InvoiceQueryRs", "iteratorID").expect("iteratorID");
    let cont = |c: &Company| {
        ok(
            c,
            &format!("<InvoiceQueryRq requestID=\"q1\" iterator=\"Continue\" iteratorID=\"{id}\"><MaxReturned>100</MaxReturned></InvoiceQueryRq>"),
        )
    };
    let second = cont(&c);
    assert_eq!(
        attr_of(&second, "InvoiceQueryRs", "iteratorRemainingCount").as_deref(),
        Some("50")
    );
    assert_eq!(count_of(&second, "InvoiceRet"), 100);
    let third = cont(&c);
    assert_eq!(
        attr_of(&third, "InvoiceQueryRs", "iteratorRemainingCount").as_deref(),
        Some("0")
    );
    assert_eq!(count_of(&third, "InvoiceRet"), 50);
    // Every invoice exactly once, in TimeModified order.
    let all = [start, second, third].join("");
    let mut times: Vec<&str> = all
        .split("<TimeModified>")
        .skip(1)
        .filter_map(|s| s.split('<').next())
        .collect();
    assert_eq!(times.len(), 250);
    let sorted = {
        let mut t = times.clone();
        t.sort();
        t
    };
    assert_eq!(times, sorted);
    times.dedup();
    assert_eq!(times.len(), 250);
    // The exhausted iterator is gone.
    let after = cont(&c);
    assert_eq!(
        attr_of(&after, "InvoiceQueryRs", "statusCode").as_deref(),
        Some("3391")
    );
}

#[test]
fn unknown_iterator_id_is_3391() {
    let c = Company::sample(3);
    let rs = ok(&c, "<InvoiceQueryRq iterator=\"Continue\" iteratorID=\"{nope}\"><MaxReturned>5</MaxReturned></InvoiceQueryRq>");
    assert!(rs.contains("<InvoiceQueryRs statusCode=\"3391\" statusSeverity=\"Error\" statusMessage=\"The iteratorID &quot;{nope}&quot; is not valid.\" />"), "{rs}");
}

#[test]
fn end_session_invalidates_iterators() {
    let c = Company::sample(10);
    let rs = ok(
        &c,
        "<InvoiceQueryRq iterator=\"Start\"><MaxReturned>2</MaxReturned></InvoiceQueryRq>",
    );
    let id = attr_of(&rs, "InvoiceQueryRs", "iteratorID").expect("id");
    c.end_session();
    let rs = ok(&c, &format!("<InvoiceQueryRq iterator=\"Continue\" iteratorID=\"{id}\"><MaxReturned>2</MaxReturned></InvoiceQueryRq>"));
    assert_eq!(
        attr_of(&rs, "InvoiceQueryRs", "statusCode").as_deref(),
        Some("3391")
    );
}

#[test]
fn modified_date_filter_compares_times() {
    let c = Company::new();
    let early = c.generate_invoices(3);
    c.advance_clock(3600);
    let cutoff = c.now();
    let late = c.generate_invoices(2);
    let rs = ok(
        &c,
        &format!("<InvoiceQueryRq><ModifiedDateRangeFilter><FromModifiedDate>{cutoff}</FromModifiedDate></ModifiedDateRangeFilter></InvoiceQueryRq>"),
    );
    assert_eq!(count_of(&rs, "InvoiceRet"), 2);
    for id in &late {
        assert!(rs.contains(id.as_str()));
    }
    // Same instant given without offset (company local time) and in UTC.
    let naive = &cutoff[..19];
    let rs2 = ok(&c, &format!("<InvoiceQueryRq><ModifiedDateRangeFilter><FromModifiedDate>{naive}</FromModifiedDate></ModifiedDateRangeFilter></InvoiceQueryRq>"));
    assert_eq!(count_of(&rs2, "InvoiceRet"), 2);
    let rs3 = ok(&c, &format!("<InvoiceQueryRq><ModifiedDateRangeFilter><ToModifiedDate>{naive}</ToModifiedDate></ModifiedDateRangeFilter></InvoiceQueryRq>"));
    assert_eq!(count_of(&rs3, "InvoiceRet"), 3);
    // Editing an early invoice brings it into the window.
    assert!(c.edit(&early[0], |t| t.memo = Some("changed".into())));
    let rs4 = ok(&c, &format!("<InvoiceQueryRq><ModifiedDateRangeFilter><FromModifiedDate>{cutoff}</FromModifiedDate></ModifiedDateRangeFilter></InvoiceQueryRq>"));
    assert_eq!(count_of(&rs4, "InvoiceRet"), 3);
    // Nothing after now: statusCode 1, Info.
    c.advance_clock(60);
    let later = c.now();
    let none = ok(&c, &format!("<InvoiceQueryRq requestID=\"x\"><ModifiedDateRangeFilter><FromModifiedDate>{later}</FromModifiedDate></ModifiedDateRangeFilter></InvoiceQueryRq>"));
    assert!(none.contains("<InvoiceQueryRs requestID=\"x\" statusCode=\"1\" statusSeverity=\"Info\" statusMessage=\"A query request did not find a matching object in QuickBooks\" />"), "{none}");
}

#[test]
fn txn_id_and_ref_number_lists_and_owner_id() {
    let c = Company::new();
    let a = c.add_invoice(
        TxnSpec::new("Zed")
            .ref_number("A-1")
            .custom_field("Tracking", "1Z999")
            .line(LineSpec::item("Widget").qty(2)),
    );
    let b = c.add_sales_receipt(
        TxnSpec::new("Zed")
            .ref_number("A-2")
            .line(LineSpec::item("Widget").qty(1)),
    );
    let rs = ok(&c, &format!("<InvoiceQueryRq><TxnID>{a}</TxnID><IncludeLineItems>true</IncludeLineItems><OwnerID>0</OwnerID></InvoiceQueryRq>"));
    assert_eq!(count_of(&rs, "InvoiceLineRet"), 1);
    assert!(rs.contains("<DataExtRet>\n<OwnerID>0</OwnerID>\n<DataExtName>Tracking</DataExtName>\n<DataExtType>STR255TYPE</DataExtType>\n<DataExtValue>1Z999</DataExtValue>\n</DataExtRet>"), "{rs}");
    let no_lines = ok(
        &c,
        &format!("<InvoiceQueryRq><TxnID>{a}</TxnID></InvoiceQueryRq>"),
    );
    assert_eq!(count_of(&no_lines, "InvoiceLineRet"), 0);
    assert_eq!(count_of(&no_lines, "DataExtRet"), 0);
    // The sales receipt's TxnID is not an invoice: 500 Warn.
    let rs = ok(
        &c,
        &format!("<InvoiceQueryRq><TxnID>{b}</TxnID></InvoiceQueryRq>"),
    );
    assert_eq!(
        attr_of(&rs, "InvoiceQueryRs", "statusCode").as_deref(),
        Some("500")
    );
    let rs = ok(
        &c,
        "<SalesReceiptQueryRq><RefNumber>a-2</RefNumber></SalesReceiptQueryRq>",
    );
    assert!(rs.contains(b.as_str()));
    assert!(rs.contains("<TotalAmount>27.01</TotalAmount>"), "{rs}");
}

#[test]
fn include_ret_element_trims_the_ret() {
    let c = Company::sample(2);
    let rs = ok(&c, "<InvoiceQueryRq><MaxReturned>1</MaxReturned><IncludeRetElement>TxnID</IncludeRetElement><IncludeRetElement>EditSequence</IncludeRetElement></InvoiceQueryRq>");
    let ret = rs.split("<InvoiceRet>\n").nth(1).unwrap_or_default();
    let names: Vec<&str> = ret
        .lines()
        .filter_map(|l| l.strip_prefix('<'))
        .map(|l| l.split('>').next().unwrap_or(""))
        .collect();
    assert_eq!(names[..3], ["TxnID", "EditSequence", "/InvoiceRet"]);
}

#[test]
fn malformed_or_unversioned_documents_are_parse_errors() {
    let c = Company::sample(1);
    assert_eq!(
        c.process_request("<QBXML><QBXMLMsgsRq"),
        Err(Hresult::parse_error())
    );
    let no_pi = "<?xml version=\"1.0\"?><QBXML><QBXMLMsgsRq onError=\"stopOnError\"><InvoiceQueryRq/></QBXMLMsgsRq></QBXML>";
    assert_eq!(c.process_request(no_pi), Err(Hresult::parse_error()));
    let bad_order = msg("<InvoiceQueryRq><IncludeLineItems>true</IncludeLineItems><MaxReturned>1</MaxReturned></InvoiceQueryRq>");
    assert_eq!(c.process_request(&bad_order), Err(Hresult::parse_error()));
    let list_and_filter =
        msg("<InvoiceQueryRq><TxnID>1</TxnID><MaxReturned>1</MaxReturned></InvoiceQueryRq>");
    assert_eq!(
        c.process_request(&list_and_filter),
        Err(Hresult::parse_error())
    );
    let unescaped =
        msg("<CustomerQueryRq><FullName>Acme Hardware & Supply</FullName></CustomerQueryRq>");
    assert_eq!(c.process_request(&unescaped), Err(Hresult::parse_error()));
}

#[test]
fn ampersand_names_round_trip_escaped() {
    let c = Company::sample(1);
    let rs = ok(&c, "<CustomerQueryRq requestID=\"c\"><FullName>Acme Hardware &amp; Supply</FullName></CustomerQueryRq>");
    assert!(
        rs.contains("<FullName>Acme Hardware &amp; Supply</FullName>"),
        "{rs}"
    );
    assert!(rs.contains("<Addr2>ATTN: Receiving Dept</Addr2>"));
    let parsed = super::xml::parse(&rs).expect("response is well-formed");
    let ret = &parsed.root.children[0].children[0].children[0];
    assert_eq!(ret.child_text("FullName"), Some("Acme Hardware & Supply"));
    let list_id = ret.child_text("ListID").unwrap_or_default().to_string();
    let by_id = ok(&c, &format!("<CustomerQueryRq><ListID>{list_id}</ListID><IncludeRetElement>Email</IncludeRetElement></CustomerQueryRq>"));
    assert!(by_id.contains("<Email>orders@acmehardware.example.com</Email>"));
}

#[test]
fn faults_inject_hresults_and_statuses() {
    let c = Company::sample(1);
    c.fail_next_requests(2, Hresult::unexpected());
    let q = msg("<InvoiceQueryRq><MaxReturned>1</MaxReturned></InvoiceQueryRq>");
    assert_eq!(c.process_request(&q), Err(Hresult::unexpected()));
    assert_eq!(c.process_request(&q), Err(Hresult::unexpected()));
    assert!(c.process_request(&q).is_ok());
    c.fail_with_status(StatusFault::error(
        "InvoiceQueryRq",
        3175,
        "The record is in use.",
    ));
    let rs = c.process_request(&q).unwrap_or_default();
    assert!(rs.contains("statusCode=\"3175\" statusSeverity=\"Error\""));
    assert_eq!(c.request_log().len(), 4);
}

#[test]
fn stop_on_error_skips_the_rest() {
    let c = Company::sample(1);
    let body = "<InvoiceQueryRq requestID=\"1\" iterator=\"Continue\" iteratorID=\"{x}\"><MaxReturned>1</MaxReturned></InvoiceQueryRq><InvoiceQueryRq requestID=\"2\"><MaxReturned>1</MaxReturned></InvoiceQueryRq>";
    let rs = ok(&c, body);
    assert!(rs.contains("requestID=\"1\""));
    assert!(!rs.contains("requestID=\"2\""));
    let cont = msg(body).replace("stopOnError", "continueOnError");
    let rs = c.process_request(&cont).unwrap_or_default();
    assert!(rs.contains("requestID=\"2\""));
}

#[test]
fn sample_company_is_realistic_and_json_round_trips() {
    let c = Company::sample(25);
    assert_eq!(c.txns(TxnKind::Invoice).len(), 25);
    assert_eq!(c.txns(TxnKind::SalesReceipt).len(), 3);
    assert_eq!(c.txns(TxnKind::SalesOrder).len(), 3);
    let first = &c.txns(TxnKind::Invoice)[0];
    assert!(first
        .all_lines()
        .iter()
        .any(|l| l.quantity.map(|q| q.to_string()) == Some("37.5".into())));
    assert!(first.lines.iter().any(|e| matches!(e, LineEntry::Group(_))));
    let canadian = c
        .customers()
        .into_iter()
        .filter(|c| c.ship_address.as_ref().and_then(|a| a.country.as_deref()) == Some("Canada"))
        .count();
    assert!(canadian >= 2);
    let json = c.to_json().expect("json");
    let back = Company::from_json(&json).expect("parse");
    assert_eq!(back.get(&first.txn_id).as_ref(), Some(first));
    assert_eq!(back.now(), c.now());
}

#[test]
fn rets_follow_the_xsd_element_order() {
    const INVOICE_RET: &[&str] = &[
        "TxnID",
        "TimeCreated",
        "TimeModified",
        "EditSequence",
        "TxnNumber",
        "CustomerRef",
        "ClassRef",
        "ARAccountRef",
        "TemplateRef",
        "TxnDate",
        "RefNumber",
        "BillAddress",
        "BillAddressBlock",
        "ShipAddress",
        "ShipAddressBlock",
        "IsPending",
        "IsFinanceCharge",
        "PONumber",
        "TermsRef",
        "DueDate",
        "SalesRepRef",
        "FOB",
        "ShipDate",
        "ShipMethodRef",
        "Subtotal",
        "ItemSalesTaxRef",
        "SalesTaxPercentage",
        "SalesTaxTotal",
        "AppliedAmount",
        "BalanceRemaining",
        "CurrencyRef",
        "ExchangeRate",
        "BalanceRemainingInHomeCurrency",
        "Memo",
        "IsPaid",
        "CustomerMsgRef",
        "IsToBePrinted",
        "IsToBeEmailed",
        "IsTaxIncluded",
        "CustomerSalesTaxCodeRef",
        "SuggestedDiscountAmount",
        "SuggestedDiscountDate",
        "Other",
        "ExternalGUID",
        "LinkedTxn",
        "InvoiceLineRet|InvoiceLineGroupRet",
        "DiscountLineRet",
        "SalesTaxLineRet",
        "ShippingLineRet",
        "DataExtRet",
    ];
    let c = Company::sample(1);
    let id = c.txns(TxnKind::Invoice)[0].txn_id.clone();
    c.edit(&id, |t| {
        t.memo = Some("m".into());
        t.other = Some("o".into());
        t.po_number = Some("PO-1".into());
        t.data_ext.push(DataExt {
            owner_id: "0".into(),
            name: "Tracking".into(),
            value: "1Z".into(),
        });
    });
    let rs = ok(&c, &format!("<InvoiceQueryRq><TxnID>{id}</TxnID><IncludeLineItems>true</IncludeLineItems><OwnerID>0</OwnerID></InvoiceQueryRq>"));
    let doc = super::xml::parse(&rs).expect("well-formed");
    let ret = &doc.root.children[0].children[0].children[0];
    let seq: Vec<(&'static str, bool)> = INVOICE_RET.iter().map(|n| (*n, true)).collect();
    assert!(super::schema::check_order(ret, &seq).is_ok(), "{rs}");
    assert!(ret.child("InvoiceLineGroupRet").is_some());
    assert!(ret.child("DataExtRet").is_some());
}
