//! `map_sale` end to end: the golden invoice, and one case per rule.

use serde_json::json;

use super::test_support::{amount_line, ctx, customer, dec, invoice, line, s};
use super::*;
use crate::sale::QbAddress;

#[test]
fn an_invoice_maps_to_the_documented_order_json() {
    let mapped = map_sale(&invoice(), Some(&customer()), &ctx()).expect("map");
    assert!(mapped.notes.is_empty(), "{:?}", mapped.notes);
    let got = serde_json::to_value(&mapped.order).expect("json");
    let want = json!({
        "orderNumber": "1001",
        "orderKey": "qb-6f1c2a9e-1A2B-1700000000",
        "orderDate": "2024-03-05T00:00:00.0000000",
        "shipByDate": "2024-03-07T00:00:00.0000000",
        "orderStatus": "awaiting_shipment",
        "customerUsername": "Doe Enterprises",
        "customerEmail": "jane@doe.example",
        "billTo": {
            "name": "Jane Doe", "company": "Doe Enterprises LLC", "street1": "PO Box 9",
            "city": "Austin", "state": "TX", "postalCode": "78701", "country": "US",
            "phone": "512-555-0100"
        },
        "shipTo": {
            "name": "Receiving", "company": "Doe Enterprises LLC", "street1": "500 Dock Rd",
            "street2": "Bay 3", "city": "Austin", "state": "TX", "postalCode": "78702",
            "country": "US", "phone": "512-555-0100"
        },
        "items": [{
            "lineItemKey": "L-1", "sku": "Widget", "name": "Blue widget, large",
            "quantity": 2, "unitPrice": 12.5, "options": [], "adjustment": false
        }],
        "taxAmount": 2.06,
        "shippingAmount": 8.95,
        "customerNotes": "Leave at the back door",
        "requestedShippingService": "UPS Ground",
        "advancedOptions": {
            "customField1": "Wholesale", "customField2": "PO-77", "source": "QuickBooks"
        }
    });
    assert_eq!(got, want);
}

#[test]
fn a_sales_receipt_is_paid() {
    let mut sale = invoice();
    sale.txn_type = TxnType::SalesReceipt;
    let order = map_sale(&sale, Some(&customer()), &ctx())
        .expect("map")
        .order;
    assert_eq!(order.amount_paid, Some(dec("36.01")));
    assert_eq!(
        order.payment_date.as_deref(),
        Some("2024-03-05T00:00:00.0000000")
    );

    let invoice = map_sale(&invoice(), Some(&customer()), &ctx())
        .expect("map")
        .order;
    assert_eq!((invoice.amount_paid, invoice.payment_date), (None, None));
}

#[test]
fn ship_to_falls_back_to_bill_to_then_the_customer_record() {
    let mut sale = invoice();
    sale.ship_address = Some(QbAddress::default());
    let order = map_sale(&sale, Some(&customer()), &ctx())
        .expect("map")
        .order;
    assert_eq!(order.ship_to, order.bill_to);
    assert_eq!(order.ship_to.street1, s("PO Box 9"));

    sale.bill_address = None;
    let mut cust = customer();
    cust.ship_address = Some(QbAddress {
        addr1: s("Jane Doe"),
        addr2: s("7 Side St"),
        city: s("Toronto"),
        state: s("ON"),
        postal_code: s("M5V 2T6"),
        ..QbAddress::default()
    });
    let order = map_sale(&sale, Some(&cust), &ctx()).expect("map").order;
    assert_eq!(order.ship_to.street1, s("7 Side St"));
    assert_eq!(order.ship_to.country, s("CA"));
    assert_eq!(
        order.bill_to.name,
        s("Jane Doe"),
        "bill-to is the customer's name"
    );

    let err = map_sale(&sale, Some(&customer()), &ctx()).expect_err("no address");
    assert_eq!(err, MappingError::MissingShipTo);
}

#[test]
fn countries_are_given_derived_defaulted_or_rejected() {
    type Case<'a> = (
        Option<&'a str>,
        Option<&'a str>,
        Result<&'a str, &'a str>,
        usize,
    );
    let cases: &[Case] = &[
        (Some("United States"), Some("TX"), Ok("US"), 0),
        (Some("Canada"), Some("ON"), Ok("CA"), 0),
        (None, Some("NSW"), Ok("AU"), 0),
        (None, Some("WA"), Ok("US"), 0),
        (None, None, Ok("US"), 1),
        (Some("Narnia"), Some("TX"), Err("unknown_country"), 0),
    ];
    for (country, state, want, notes) in cases {
        let mut sale = invoice();
        if let Some(a) = sale.ship_address.as_mut() {
            a.country = country.map(str::to_owned);
            a.state = state.map(str::to_owned);
            a.postal_code = None;
        }
        match (map_sale(&sale, Some(&customer()), &ctx()), want) {
            (Ok(m), Ok(code)) => {
                assert_eq!(
                    m.order.ship_to.country.as_deref(),
                    Some(*code),
                    "{country:?}"
                );
                assert_eq!(m.notes.len(), *notes, "{country:?} {:?}", m.notes);
            }
            (Err(e), Err(code)) => assert_eq!(e.code(), *code),
            (got, _) => panic!("{country:?} {state:?}: {got:?}"),
        }
    }
}

#[test]
fn an_unknown_ship_to_country_explains_itself() {
    let mut sale = invoice();
    if let Some(a) = sale.ship_address.as_mut() {
        a.country = s("Narnia");
    }
    let err = map_sale(&sale, Some(&customer()), &ctx()).expect_err("narnia");
    assert_eq!(
        err.to_string(),
        "The ship-to country \"Narnia\" is not a country Quayside recognises. Use the country's \
         name or its two-letter ISO code (for example US, CA or GB)."
    );

    let mut sale = invoice();
    if let Some(a) = sale.bill_address.as_mut() {
        a.country = s("Narnia");
    }
    let mapped = map_sale(&sale, Some(&customer()), &ctx()).expect("bill-to is not fatal");
    assert_eq!(mapped.order.bill_to.country, None);
    assert_eq!(mapped.notes.len(), 1);
}

#[test]
fn context_and_header_fields_are_applied() {
    let mut c = ctx();
    c.store_id = Some(179331);
    c.shipping_item_name = "Freight".into();
    let mut sale = invoice();
    sale.lines.push(amount_line("L-3", "freight", "4.00"));
    let order = map_sale(&sale, Some(&customer()), &c).expect("map").order;
    assert_eq!(order.advanced_options.store_id, Some(179331));
    assert_eq!(order.shipping_amount, Some(dec("4.00")));
    // "Shipping" is an ordinary item when it is not the configured shipping item.
    assert_eq!(order.items.len(), 2);
}

#[test]
fn the_order_number_is_the_ref_number_or_the_txn_id() {
    let mut sale = invoice();
    sale.ref_number = Some("X".repeat(60));
    let m = map_sale(&sale, Some(&customer()), &ctx()).expect("map");
    assert_eq!(m.order.order_number.len(), 50);

    sale.ref_number = Some("  ".into());
    let m = map_sale(&sale, Some(&customer()), &ctx()).expect("map");
    assert_eq!(m.order.order_number, "1A2B-1700000000");
    assert_eq!(m.notes.len(), 1);
}

#[test]
fn the_order_key_survives_date_and_number_changes() {
    let a = map_sale(&invoice(), Some(&customer()), &ctx())
        .expect("map")
        .order;
    let mut edited = invoice();
    edited.ref_number = s("1001-B");
    edited.txn_date = chrono::NaiveDate::from_ymd_opt(2024, 4, 1);
    let b = map_sale(&edited, Some(&customer()), &ctx())
        .expect("map")
        .order;
    assert_eq!(a.order_key, b.order_key);
    assert_ne!(a.order_number, b.order_number);
}

#[test]
fn without_a_customer_record_the_sale_still_maps() {
    let order = map_sale(&invoice(), None, &ctx()).expect("map").order;
    assert_eq!(order.customer_username.as_deref(), Some("Doe Enterprises"));
    assert_eq!(order.customer_email, None);
    assert_eq!(order.ship_to.phone, None);
    // Line 1 is then the name.
    assert_eq!(order.bill_to.name, s("Doe Enterprises LLC"));
}

#[test]
fn sales_that_cannot_be_sent_say_why() {
    let mut only_shipping = invoice();
    only_shipping.lines = vec![amount_line("S", "Shipping", "5")];
    let mut no_date = invoice();
    no_date.txn_date = None;
    let mut fractional = invoice();
    fractional.lines = vec![line("L", "Widget", None, "0.5", "1")];
    let cases = [
        (only_shipping, "no_items"),
        (no_date, "missing_txn_date"),
        (fractional, "fractional_quantity"),
    ];
    for (sale, code) in cases {
        let err = map_sale(&sale, Some(&customer()), &ctx()).expect_err(code);
        assert_eq!(err.code(), code);
    }
}

#[test]
fn a_voided_sale_is_recognised_and_maps_to_a_cancellation_without_items() {
    let mut sale = invoice();
    assert!(!is_voided(&sale));
    for l in &mut sale.lines {
        l.quantity = Some(dec("0"));
        l.amount = Some(dec("0"));
    }
    sale.subtotal = Some(dec("0"));
    sale.sales_tax_total = Some(dec("0"));
    sale.total = Some(dec("0"));
    // Zero amounts alone (an emptied sale) are not a void: it fails as before.
    assert!(!is_voided(&sale));
    assert!(map_sale(&sale, Some(&customer()), &ctx()).is_err());
    sale.memo = Some("VOID: call first".into());
    assert!(is_voided(&sale));
    let cancel = map_cancellation(&sale, Some(&customer()), &ctx()).expect("map");
    let got = serde_json::to_value(&cancel.order).expect("json");
    assert_eq!(got["orderStatus"], "cancelled");
    assert_eq!(got["orderNumber"], "1001");
    assert_eq!(got["orderKey"], "qb-6f1c2a9e-1A2B-1700000000");
    assert!(
        got["items"].as_array().is_none_or(|i| i.is_empty()),
        "{got}"
    );
    // A memo that begins with "void:" on a sale with amounts is an ordinary sale.
    let mut live = invoice();
    live.memo = Some("void: old address".into());
    assert!(!is_voided(&live));
}
