use super::*;
use crate::qbxml::golden::assert_golden;
use crate::qbxml::tree::parse_document;

fn names(xml: &str) -> Vec<String> {
    let root = parse_document(xml).expect("well-formed");
    assert_eq!(root.name, "QBXML");
    let set = &root.children[0];
    assert_eq!(set.name, "QBXMLMsgsRq");
    assert_eq!(set.attr("onError"), Some("stopOnError"));
    set.children[0]
        .children
        .iter()
        .map(|c| c.name.to_string())
        .collect()
}

#[test]
fn documents_start_with_the_declaration_and_qbxml_version() {
    let xml = txn_query_by_txn_id(TxnType::Invoice, "r1", "1A2B-1716400000");
    assert!(xml.starts_with(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<?qbxml version=\"13.0\"?>\n<QBXML>\n<QBXMLMsgsRq onError=\"stopOnError\">\n"
    ));
}

#[test]
fn query_by_ref_numbers_matches_golden_and_xsd_order() {
    let refs = vec!["10231".to_string(), "A&B<1>".to_string()];
    let xml = txn_query_by_ref_numbers(TxnType::SalesReceipt, "sr-q-1", &refs).expect("builds");
    assert_eq!(
        names(&xml),
        ["RefNumber", "RefNumber", "IncludeLineItems", "OwnerID"]
    );
    assert_golden("qbxml/sales_receipt_query_by_ref_numbers.xml", &xml);
    assert_eq!(
        txn_query_by_ref_numbers(TxnType::Invoice, "x", &[]),
        Err(RequestError::EmptyList("RefNumber"))
    );
}

#[test]
fn query_by_txn_id_matches_golden() {
    let xml = txn_query_by_txn_id(TxnType::SalesOrder, "so-1", "1A2B-1716400000");
    assert_eq!(names(&xml), ["TxnID", "IncludeLineItems", "OwnerID"]);
    assert_golden("qbxml/sales_order_query_by_txn_id.xml", &xml);
}

#[test]
fn iterator_start_and_continue_match_golden() {
    let start = txn_query_iterator_start(TxnType::Invoice, "inv-q-1", "2024-05-01T00:00:00", 50);
    assert_eq!(
        names(&start),
        [
            "MaxReturned",
            "ModifiedDateRangeFilter",
            "IncludeLineItems",
            "IncludeLinkedTxns",
            "OwnerID"
        ]
    );
    assert_golden("qbxml/invoice_query_iterator_start.xml", &start);
    let root = parse_document(&start).expect("well-formed");
    let rq = &root.children[0].children[0];
    assert_eq!(rq.name, "InvoiceQueryRq");
    assert_eq!(rq.attr("iterator"), Some("Start"));
    assert_eq!(rq.attr("requestID"), Some("inv-q-1"));

    let next = txn_query_iterator_continue(
        TxnType::Invoice,
        "inv-q-1",
        "{4ee3b29c-33a4-4d4a-b1a0-c2ad8f7e1b49}",
        "2024-05-01T00:00:00",
        50,
    );
    // Every page repeats the first page's criteria.
    assert_eq!(
        names(&next),
        [
            "MaxReturned",
            "ModifiedDateRangeFilter",
            "IncludeLineItems",
            "IncludeLinkedTxns",
            "OwnerID"
        ]
    );
    assert_golden("qbxml/invoice_query_iterator_continue.xml", &next);
    let root = parse_document(&next).expect("well-formed");
    let rq = &root.children[0].children[0];
    assert_eq!(rq.attr("iterator"), Some("Continue"));
    assert_eq!(
        rq.attr("iteratorID"),
        Some("{4ee3b29c-33a4-4d4a-b1a0-c2ad8f7e1b49}")
    );
}

#[test]
fn customer_query_matches_golden() {
    let ids = vec![
        "80000001-1446673838".to_string(),
        "80000002-1446673839".to_string(),
    ];
    let xml = customer_query_by_list_ids("cust-q-1", &ids).expect("builds");
    assert_eq!(
        names(&xml)[..3],
        ["ListID", "ListID", "IncludeRetElement"],
        "the ListIDs, then the elements asked for"
    );
    assert_golden("qbxml/customer_query_by_list_ids.xml", &xml);
    assert_eq!(
        customer_query_by_list_ids("x", &[]),
        Err(RequestError::EmptyList("ListID"))
    );
}

#[test]
fn request_ids_are_escaped_as_attributes() {
    let xml = txn_query_by_txn_id(TxnType::Invoice, "a\"b&c", "1");
    assert!(xml.contains("requestID=\"a&quot;b&amp;c\""));
    let root = parse_document(&xml).expect("well-formed");
    assert_eq!(
        root.children[0].children[0].attr("requestID"),
        Some("a\"b&c")
    );
}
