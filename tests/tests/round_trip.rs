//! Issue 5 end to end: QuickBooks → ShipStation → shipped with labels → tracking pull (by
//! schedule) → the next Web Connector run writes tracking and the label cost back onto the
//! QuickBooks sales, and no original line is lost.

#[path = "tracking/support.rs"]
#[allow(dead_code)]
mod support;

use quayside_tests::fake_shipstation::ShipSpec;
use quayside_tests::harness::TestEnv;
use quayside_tests::qb_company::{Address, LineSpec, TxnSpec};
use rust_decimal::Decimal;
use serde_json::json;
use support::{fast, Shop};

fn addr() -> Address {
    Address::new(&["Jane Doe", "1 Main St"], "Austin", "TX", "78701")
}

#[tokio::test]
async fn shipped_orders_get_tracking_and_cost_written_back_in_the_next_run() {
    let env = TestEnv::start_with(fast(1, 1)).await;
    let shop = Shop::open(
        &env,
        json!({"write_shipping_cost_to_quickbooks": true, "transaction_types": ["invoice", "sales_receipt"]}),
    )
    .await;
    let invoice = shop.company.add_invoice(
        TxnSpec::new("Acme Hardware & Supply")
            .ship_to(addr())
            .memo("Dock 4")
            .line(LineSpec::item("Widget").qty(2).rate_str("9.99"))
            .line(LineSpec::item("Gadget Pro").qty(1).rate_str("99.00")),
    );
    let receipt = shop.company.add_sales_receipt(
        TxnSpec::new("Greenleaf Cafe")
            .ship_to(addr())
            .line(LineSpec::item("Cable Kit").qty(3).rate_str("4.50")),
    );
    let untouched = shop.company.add_invoice(
        TxnSpec::new("Greenleaf Cafe")
            .ship_to(addr())
            .line(LineSpec::item("Widget").qty(1).rate_str("9.99")),
    );
    shop.sync_and_push(&env, 3).await;
    let lines_before = |txn: &str| -> Vec<String> {
        shop.company
            .get(txn)
            .expect("txn")
            .all_lines()
            .iter()
            .map(|l| l.txn_line_id.clone())
            .collect()
    };
    let invoice_lines = lines_before(invoice.as_str());
    let receipt_lines = lines_before(receipt.as_str());
    let untouched_sequence = shop
        .company
        .get(untouched.as_str())
        .expect("untouched")
        .edit_sequence;

    env.fake
        .ship_order(
            shop.key(),
            &shop.order_key(&invoice),
            ShipSpec {
                tracking_number: Some("1ZROUNDTRIP".into()),
                shipment_cost: 7.25,
                insurance_cost: 1.0,
                packages: 2,
                ..ShipSpec::default()
            },
        )
        .await
        .expect("ship invoice");
    env.fake
        .ship_order(
            shop.key(),
            &shop.order_key(&receipt),
            ShipSpec {
                tracking_number: Some("9400RECEIPT".into()),
                shipment_cost: 4.10,
                ..ShipSpec::default()
            },
        )
        .await
        .expect("ship receipt");

    shop.wait_write_backs(&env, |wbs| {
        wbs.iter().filter(|w| w.status == "pending").count() == 2
    })
    .await;
    let report = shop.run_web_connector(&env).await;
    assert!(report.requests.iter().any(|r| r.contains("InvoiceModRq")));
    assert!(report
        .requests
        .iter()
        .any(|r| r.contains("SalesReceiptModRq")));

    let inv = shop.company.get(invoice.as_str()).expect("invoice");
    let memo = inv.memo.clone().unwrap_or_default();
    assert!(memo.starts_with("Dock 4 | Tracking: 1ZROUNDTRIP"), "{memo}");
    assert!(memo.contains("1ZROUNDTRIP-2"), "both packages: {memo}");
    let ids: Vec<String> = inv
        .all_lines()
        .iter()
        .map(|l| l.txn_line_id.clone())
        .collect();
    assert_eq!(
        &ids[..invoice_lines.len()],
        &invoice_lines[..],
        "every original line survives"
    );
    let cost = inv.all_lines().last().map(|l| l.amount).expect("cost line");
    assert_eq!(
        cost,
        "16.50".parse::<Decimal>().expect("decimal"),
        "2 × (7.25 + 1.00)"
    );

    let rec = shop.company.get(receipt.as_str()).expect("receipt");
    assert!(rec.memo.clone().unwrap_or_default().contains("9400RECEIPT"));
    let rec_ids: Vec<String> = rec
        .all_lines()
        .iter()
        .map(|l| l.txn_line_id.clone())
        .collect();
    assert_eq!(&rec_ids[..receipt_lines.len()], &receipt_lines[..]);

    let untouched_after = shop.company.get(untouched.as_str()).expect("untouched");
    assert_eq!(untouched_after.memo, None);
    assert_eq!(
        untouched_after.edit_sequence, untouched_sequence,
        "a sale with nothing to write is not modified"
    );

    let order = shop
        .wait_order(&env, &invoice, |o| o["status"] == "written_back")
        .await;
    let tracking: Vec<String> = order["tracking_numbers"]
        .as_array()
        .expect("tracking")
        .iter()
        .filter_map(|t| t.as_str().map(String::from))
        .collect();
    assert_eq!(tracking.len(), 2);
    let events = shop.events(&env, &order).await;
    assert!(
        events.iter().any(|e| e.contains("written to Invoice")),
        "{events:?}"
    );

    // Later runs change nothing more.
    let again = shop.run_web_connector(&env).await;
    assert!(
        !again.requests.iter().any(|r| r.contains("ModRq")),
        "{:?}",
        again.requests
    );
}
