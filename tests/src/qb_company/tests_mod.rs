//! Mod tests: EditSequence, the line rule, element order, data extensions.

use super::tests::{attr_of, count_of, msg};
use super::*;

fn setup() -> (Company, TxnId) {
    let c = Company::new();
    let id = c.add_invoice(
        TxnSpec::new("Acme & Co")
            .ref_number("10077")
            .line(LineSpec::item("Widget").qty(2))
            .line(LineSpec::item("Cable Kit").qty(1))
            .line(LineSpec::item("Installation").qty(1)),
    );
    (c, id)
}

fn mod_rq(t: &Txn, inner: &str) -> String {
    msg(&format!(
        "<InvoiceModRq requestID=\"m1\"><InvoiceMod><TxnID>{}</TxnID><EditSequence>{}</EditSequence>{inner}</InvoiceMod></InvoiceModRq>",
        t.txn_id, t.edit_sequence
    ))
}

#[test]
fn header_mod_bumps_edit_sequence_and_time_and_keeps_lines() {
    let (c, id) = setup();
    let before = c.get(&id).expect("txn");
    let rs = c
        .process_request(&mod_rq(&before, "<ShipDate>2026-11-30</ShipDate><ShipMethodRef><FullName>UPS</FullName></ShipMethodRef><Memo>Shipped UPS 1Z999AA10123456784</Memo><Other>1Z999AA10123456784</Other>"))
        .expect("no hresult");
    assert!(rs.contains("<InvoiceModRs requestID=\"m1\" statusCode=\"0\" statusSeverity=\"Info\" statusMessage=\"Status OK\">\n<InvoiceRet>\n"), "{rs}");
    let after = c.get(&id).expect("txn");
    assert_ne!(after.edit_sequence, before.edit_sequence);
    assert!(after.time_modified > before.time_modified);
    assert_eq!(after.time_created, before.time_created);
    assert_eq!(after.other.as_deref(), Some("1Z999AA10123456784"));
    assert_eq!(
        after.ship_method.map(|m| m.full_name).as_deref(),
        Some("UPS")
    );
    assert_eq!(after.lines, before.lines);
    assert!(rs.contains(&format!(
        "<EditSequence>{}</EditSequence>",
        after.edit_sequence
    )));
    assert_eq!(count_of(&rs, "InvoiceLineRet"), 3);
}

#[test]
fn stale_edit_sequence_is_3200() {
    let (c, id) = setup();
    let stale = c.get(&id).expect("txn");
    c.edit(&id, |t| t.memo = Some("user edit".into()));
    let rs = c
        .process_request(&mod_rq(&stale, "<Memo>x</Memo>"))
        .expect("no hresult");
    assert_eq!(
        attr_of(&rs, "InvoiceModRs", "statusCode").as_deref(),
        Some("3200")
    );
    assert_eq!(
        attr_of(&rs, "InvoiceModRs", "statusSeverity").as_deref(),
        Some("Error")
    );
    assert!(rs.contains(&format!(
        "The provided edit sequence &quot;{}&quot; is out-of-date.",
        stale.edit_sequence
    )));
    assert_eq!(
        c.get(&id).and_then(|t| t.memo).as_deref(),
        Some("user edit")
    );
}

#[test]
fn line_rule_deletes_unlisted_lines_and_adds_new_ones() {
    let (c, id) = setup();
    let t = c.get(&id).expect("txn");
    let ids: Vec<String> = t
        .plain_lines()
        .iter()
        .map(|l| l.txn_line_id.clone())
        .collect();
    let inner = format!(
        "<InvoiceLineMod><TxnLineID>{}</TxnLineID></InvoiceLineMod><InvoiceLineMod><TxnLineID>{}</TxnLineID></InvoiceLineMod><InvoiceLineMod><TxnLineID>-1</TxnLineID><ItemRef><FullName>Shipping</FullName></ItemRef><Desc>UPS Ground</Desc><Amount>12.34</Amount></InvoiceLineMod>",
        ids[0], ids[2]
    );
    let rs = c.process_request(&mod_rq(&t, &inner)).expect("no hresult");
    assert_eq!(
        attr_of(&rs, "InvoiceModRs", "statusCode").as_deref(),
        Some("0"),
        "{rs}"
    );
    let after = c.get(&id).expect("txn");
    let kept: Vec<&str> = after
        .plain_lines()
        .iter()
        .map(|l| l.txn_line_id.as_str())
        .collect();
    assert_eq!(kept.len(), 3);
    assert_eq!(kept[0], ids[0]);
    assert_eq!(kept[1], ids[2]);
    assert!(!kept.contains(&ids[1].as_str()), "Cable Kit line deleted");
    let shipping = after.plain_lines()[2].clone();
    assert_eq!(
        shipping.item.map(|i| i.full_name).as_deref(),
        Some("Shipping")
    );
    assert_eq!(shipping.amount.to_string(), "12.34");
    assert_eq!(
        after.subtotal(),
        t.subtotal() - t.plain_lines()[1].amount + shipping.amount
    );
}

#[test]
fn lines_listed_out_of_order_are_3290() {
    let (c, id) = setup();
    let t = c.get(&id).expect("txn");
    let ids: Vec<String> = t
        .plain_lines()
        .iter()
        .map(|l| l.txn_line_id.clone())
        .collect();
    let inner = format!(
        "<InvoiceLineMod><TxnLineID>{}</TxnLineID></InvoiceLineMod><InvoiceLineMod><TxnLineID>{}</TxnLineID></InvoiceLineMod>",
        ids[1], ids[0]
    );
    let rs = c.process_request(&mod_rq(&t, &inner)).expect("no hresult");
    assert_eq!(
        attr_of(&rs, "InvoiceModRs", "statusCode").as_deref(),
        Some("3290")
    );
    assert_eq!(c.get(&id), Some(t));
}

#[test]
fn wrong_element_order_in_a_mod_is_a_parse_error() {
    let (c, id) = setup();
    let t = c.get(&id).expect("txn");
    // Memo belongs after ShipMethodRef; Other after Memo.
    let bad = mod_rq(&t, "<Memo>x</Memo><ShipDate>2026-11-30</ShipDate>");
    assert_eq!(c.process_request(&bad), Err(Hresult::parse_error()));
    let bad_line = mod_rq(&t, "<InvoiceLineMod><TxnLineID>-1</TxnLineID><Amount>1.00</Amount><ItemRef><FullName>Shipping</FullName></ItemRef></InvoiceLineMod>");
    assert_eq!(c.process_request(&bad_line), Err(Hresult::parse_error()));
    let line_before_header = mod_rq(
        &t,
        "<InvoiceLineMod><TxnLineID>-1</TxnLineID></InvoiceLineMod><Memo>x</Memo>",
    );
    assert_eq!(
        c.process_request(&line_before_header),
        Err(Hresult::parse_error())
    );
    // FOB is after ShipMethodRef in SalesReceiptMod but before ShipDate in InvoiceMod.
    let fob_sr_style = mod_rq(
        &t,
        "<ShipMethodRef><FullName>UPS</FullName></ShipMethodRef><FOB>Origin</FOB>",
    );
    assert_eq!(
        c.process_request(&fob_sr_style),
        Err(Hresult::parse_error())
    );
    assert_eq!(c.get(&id), Some(t));
}

#[test]
fn mod_errors_are_statuses() {
    let (c, id) = setup();
    let t = c.get(&id).expect("txn");
    let long = c
        .process_request(&mod_rq(&t, "<Other>123456789012345678901234567890</Other>"))
        .expect("ok");
    assert_eq!(
        attr_of(&long, "InvoiceModRs", "statusCode").as_deref(),
        Some("3070")
    );
    let bad_ship = c
        .process_request(&mod_rq(
            &t,
            "<ShipMethodRef><FullName>Pony Express</FullName></ShipMethodRef>",
        ))
        .expect("ok");
    assert_eq!(
        attr_of(&bad_ship, "InvoiceModRs", "statusCode").as_deref(),
        Some("3140")
    );
    let mut gone = t.clone();
    gone.txn_id = "FFFF-1".into();
    let missing = c
        .process_request(&mod_rq(&gone, "<Memo>x</Memo>"))
        .expect("ok");
    assert_eq!(
        attr_of(&missing, "InvoiceModRs", "statusCode").as_deref(),
        Some("3120")
    );
    assert_eq!(c.get(&id), Some(t));
}

#[test]
fn sales_receipt_mod_uses_its_own_order_and_data_ext_mod_touches_the_txn() {
    let c = Company::sample(1);
    let sr = c.txns(TxnKind::SalesReceipt).remove(0);
    let rq = msg(&format!(
        "<SalesReceiptModRq><SalesReceiptMod><TxnID>{}</TxnID><EditSequence>{}</EditSequence><ShipMethodRef><FullName>FedEx</FullName></ShipMethodRef><FOB>Origin</FOB></SalesReceiptMod><IncludeRetElement>TxnID</IncludeRetElement><IncludeRetElement>EditSequence</IncludeRetElement></SalesReceiptModRq>",
        sr.txn_id, sr.edit_sequence
    ));
    let rs = c.process_request(&rq).expect("no hresult");
    assert!(rs.contains("<SalesReceiptRet>\n<TxnID>"), "{rs}");
    assert_eq!(count_of(&rs, "SalesReceiptLineRet"), 0);
    let after = c.get(&sr.txn_id).expect("txn");
    let dx = msg(&format!(
        "<DataExtModRq requestID=\"d\"><DataExtMod><OwnerID>0</OwnerID><DataExtName>Tracking</DataExtName><TxnDataExtType>SalesReceipt</TxnDataExtType><TxnID>{}</TxnID><DataExtValue>1Z999AA10123456784</DataExtValue></DataExtMod></DataExtModRq>",
        sr.txn_id
    ));
    let rs = c.process_request(&dx).expect("no hresult");
    assert!(
        rs.contains("<DataExtModRs requestID=\"d\" statusCode=\"0\""),
        "{rs}"
    );
    let latest = c.get(&sr.txn_id).expect("txn");
    assert_eq!(
        latest.data_ext_value("0", "Tracking"),
        Some("1Z999AA10123456784")
    );
    assert_ne!(latest.edit_sequence, after.edit_sequence);
    let add_again = c
        .process_request(&dx.replace("DataExtMod", "DataExtAdd"))
        .expect("ok");
    assert_eq!(
        attr_of(&add_again, "DataExtAddRs", "statusCode").as_deref(),
        Some("3180")
    );
    let del = msg(&format!(
        "<DataExtDelRq requestID=\"e\"><DataExtDel><OwnerID>0</OwnerID><DataExtName>Tracking</DataExtName><TxnDataExtType>SalesReceipt</TxnDataExtType><TxnID>{}</TxnID></DataExtDel></DataExtDelRq>",
        sr.txn_id
    ));
    let rs = c.process_request(&del).expect("no hresult");
    assert!(
        rs.contains("<DataExtDelRs requestID=\"e\" statusCode=\"0\""),
        "{rs}"
    );
    assert_eq!(
        c.get(&sr.txn_id)
            .expect("txn")
            .data_ext_value("0", "Tracking"),
        None
    );
    let gone = c.process_request(&del).expect("no hresult");
    assert_eq!(
        attr_of(&gone, "DataExtDelRs", "statusCode").as_deref(),
        Some("3120")
    );
}

#[test]
fn rollback_on_error_undoes_earlier_mods() {
    let (c, id) = setup();
    let t = c.get(&id).expect("txn");
    let body = format!(
        "<InvoiceModRq><InvoiceMod><TxnID>{0}</TxnID><EditSequence>{1}</EditSequence><Memo>first</Memo></InvoiceMod></InvoiceModRq><InvoiceModRq><InvoiceMod><TxnID>{0}</TxnID><EditSequence>{1}</EditSequence><Memo>second</Memo></InvoiceMod></InvoiceModRq>",
        t.txn_id, t.edit_sequence
    );
    let rq = msg(&body).replace("stopOnError", "rollbackOnError");
    let rs = c.process_request(&rq).expect("no hresult");
    assert!(rs.contains("statusCode=\"3200\""));
    assert_eq!(c.get(&id).and_then(|t| t.memo), None);
}
