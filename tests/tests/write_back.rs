//! Issue 5, QuickBooks side: pending write-backs are delivered in the next Web Connector
//! session (query by TxnID for the fresh EditSequence and lines, then the Mod), every original
//! line survives, stale EditSequences are retried, and nothing is applied twice.
//! Write-backs are seeded directly here; tests/tests/tracking.rs covers how they are created.

use quayside_tests::harness::{Tenant, TestEnv};
use quayside_tests::qb_company::{Company, GroupSpec, LineSpec, StatusFault, TxnSpec};
use quayside_tests::web_connector::{SessionOptions, SessionReport, WebConnector};
use rust_decimal::Decimal;
use serde_json::json;
use uuid::Uuid;

struct Setup {
    env: TestEnv,
    tenant: Tenant,
    conn: Uuid,
    user: String,
    pass: String,
    company: Company,
}

async fn setup(settings: serde_json::Value) -> Setup {
    let env = TestEnv::start().await;
    let tenant = env.signup().await;
    let (conn, _) = env.create_connection(&tenant).await;
    let mut body = json!({"sync_from": "2020-01-01", "transaction_types": ["invoice", "sales_receipt", "sales_order"]});
    if let (Some(b), Some(extra)) = (body.as_object_mut(), settings.as_object()) {
        b.extend(extra.clone());
    }
    let r = env
        .put_json(
            Some(&tenant),
            &format!("/api/v1/connections/{conn}/settings"),
            &body,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let (user, pass) = env.pair_web_connector(&tenant, conn).await;
    Setup {
        env,
        tenant,
        conn,
        user,
        pass,
        company: Company::new(),
    }
}

impl Setup {
    async fn run(&self) -> SessionReport {
        let report = WebConnector::new(&self.env.qbwc_url(0))
            .run_session(&self.company, &SessionOptions::new(&self.user, &self.pass))
            .await;
        assert!(report.failure.is_none(), "{:?}", report.failure);
        report
    }

    /// Seeds a pending write-back for the order of `txn_id`; returns the order id.
    async fn write_back(
        &self,
        txn_id: &str,
        add: &[&str],
        remove: &[&str],
        cost: Option<&str>,
    ) -> Uuid {
        let db = self.env.db().await;
        let (order, tenant): (Uuid, Uuid) = sqlx::query_as(
            "SELECT o.id, o.tenant_id FROM orders o JOIN qb_sales s ON s.id = o.sale_id WHERE s.txn_id = $1 AND o.connection_id = $2",
        )
        .bind(txn_id)
        .bind(self.conn)
        .fetch_one(&db)
        .await
        .expect("order of the sale");
        let add: Vec<String> = add.iter().map(|s| s.to_string()).collect();
        let remove: Vec<String> = remove.iter().map(|s| s.to_string()).collect();
        let cost: Option<Decimal> = cost.map(|c| c.parse().expect("decimal"));
        sqlx::query(
            "INSERT INTO write_backs (id, tenant_id, connection_id, order_id, status, add_tracking, remove_tracking, ship_date, shipping_cost)
             VALUES ($1, $2, $3, $4, 'pending', $5, $6, DATE '2026-11-30', $7)",
        )
        .bind(Uuid::new_v4())
        .bind(tenant)
        .bind(self.conn)
        .bind(order)
        .bind(add)
        .bind(remove)
        .bind(cost)
        .execute(&db)
        .await
        .expect("seed write-back");
        order
    }

    async fn order(&self, order: Uuid) -> serde_json::Value {
        let r = self
            .env
            .get(
                Some(&self.tenant),
                &format!("/api/v1/connections/{}/orders/{order}", self.conn),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.body
    }
}

fn line_ids(company: &Company, txn: &str) -> Vec<String> {
    let t = company.get(txn).expect("txn");
    t.all_lines()
        .iter()
        .map(|l| l.txn_line_id.clone())
        .collect()
}

fn mods(report: &SessionReport) -> usize {
    report
        .requests
        .iter()
        .filter(|r| r.contains("ModRq"))
        .count()
}

#[tokio::test]
async fn tracking_goes_into_the_memo_once_and_every_line_survives() {
    let s = setup(json!({})).await;
    let txn = s.company.add_invoice(
        TxnSpec::new("Acme Hardware & Supply")
            .memo("Thanks for your order")
            .line(LineSpec::item("Widget").qty(2).rate_str("9.99"))
            .line(LineSpec::item("Cable Kit").qty(1).rate_str("4.50"))
            .group(GroupSpec {
                item_group: "Starter Bundle".into(),
                desc: Some("Bundle".into()),
                quantity: Some(Decimal::ONE),
                lines: vec![
                    LineSpec::item("Widget").qty(1),
                    LineSpec::item("Gadget Pro").qty(1),
                ],
            }),
    );
    s.run().await;
    let before = line_ids(&s.company, txn.as_str());
    let order = s
        .write_back(txn.as_str(), &["1Z999AA10123456784"], &[], None)
        .await;

    let report = s.run().await;
    assert_eq!(mods(&report), 1);
    assert!(
        report.requests[0].contains("InvoiceQueryRq") && report.requests[0].contains(txn.as_str()),
        "write-backs come first"
    );
    let after = s.company.get(txn.as_str()).expect("txn");
    assert_eq!(
        after.memo.as_deref(),
        Some("Thanks for your order | Tracking: 1Z999AA10123456784")
    );
    assert_eq!(line_ids(&s.company, txn.as_str()), before, "no line lost");
    assert_eq!(
        after.ship_date.map(|d| d.to_string()).as_deref(),
        Some("2026-11-30")
    );

    let body = s.order(order).await;
    assert_eq!(body["status"], "written_back");
    let events: Vec<String> = body["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["message"].as_str().map(String::from))
        .collect();
    assert!(
        events.iter().any(
            |m| m.contains("Tracking 1Z999AA10123456784 written to Invoice") && m.contains("memo")
        ),
        "{events:?}"
    );

    // Our own change is not taken for a user's edit, and nothing is written twice.
    let again = s.run().await;
    assert_eq!(mods(&again), 0);
    let body = s.order(order).await;
    assert_eq!(body["status"], "written_back");
    assert!(
        !body["events"].to_string().contains("after it shipped"),
        "{}",
        body["events"]
    );
    assert_eq!(
        s.company.get(txn.as_str()).expect("txn").memo.as_deref(),
        Some("Thanks for your order | Tracking: 1Z999AA10123456784")
    );

    // A user's edit after shipping is stored as a revision, but the shipped order stays.
    s.company.edit(txn.as_str(), |t| {
        t.memo = Some("Reprinted for the customer".into())
    });
    s.run().await;
    let body = s.order(order).await;
    assert_eq!(body["status"], "written_back");
    let locked: Vec<&serde_json::Value> = body["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == "locked")
        .collect();
    assert_eq!(locked.len(), 1, "{}", body["events"]);
    assert!(
        locked[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("after it shipped")),
        "{}",
        body["events"]
    );
}

#[tokio::test]
async fn the_shipping_cost_becomes_a_line_that_follows_later_labels_and_voids() {
    let s = setup(json!({"write_shipping_cost_to_quickbooks": true})).await;
    let txn = s.company.add_invoice(
        TxnSpec::new("Greenleaf Cafe")
            .line(LineSpec::item("Widget").qty(3).rate_str("10.00"))
            .line(LineSpec::item("Gadget Pro").qty(1).rate_str("99.00")),
    );
    s.run().await;
    let before = line_ids(&s.company, txn.as_str());
    s.write_back(
        txn.as_str(),
        &["9400111899223197428490"],
        &[],
        Some("12.34"),
    )
    .await;
    let report = s.run().await;
    assert_eq!(mods(&report), 1);
    let after = s.company.get(txn.as_str()).expect("txn");
    let ids = line_ids(&s.company, txn.as_str());
    assert_eq!(ids.len(), before.len() + 1);
    assert_eq!(
        &ids[..before.len()],
        &before[..],
        "originals kept, in order"
    );
    let added = after
        .all_lines()
        .last()
        .map(|l| (*l).clone())
        .expect("line");
    assert_eq!(
        added.item.as_ref().map(|i| i.full_name.as_str()),
        Some("Shipping")
    );
    assert_eq!(added.amount, "12.34".parse::<Decimal>().expect("decimal"));

    // A second label: the cost line Quayside added takes the new total; no second line, so
    // the customer is not charged the first label twice.
    s.write_back(
        txn.as_str(),
        &["9400111899223197428490"],
        &[],
        Some("24.68"),
    )
    .await;
    let report = s.run().await;
    assert_eq!(mods(&report), 1);
    let after = s.company.get(txn.as_str()).expect("txn");
    assert_eq!(line_ids(&s.company, txn.as_str()), ids, "no line added");
    let amounts: Vec<Decimal> = after.all_lines().iter().map(|l| l.amount).collect();
    let want: Vec<Decimal> = ["30.00", "99.00", "24.68"]
        .iter()
        .map(|a| a.parse().expect("decimal"))
        .collect();
    assert_eq!(amounts, want, "only the cost line changed");

    // Every label voided: the line Quayside added goes, the sale's own lines stay.
    s.write_back(txn.as_str(), &[], &["9400111899223197428490"], Some("0"))
        .await;
    let report = s.run().await;
    assert_eq!(mods(&report), 1);
    assert_eq!(line_ids(&s.company, txn.as_str()), before);
}

#[tokio::test]
async fn a_stale_edit_sequence_is_requeried_and_user_edits_are_kept() {
    let s = setup(json!({})).await;
    let txn = s.company.add_invoice(
        TxnSpec::new("Greenleaf Cafe").line(LineSpec::item("Widget").qty(1).rate_str("5")),
    );
    s.run().await;
    let order = s.write_back(txn.as_str(), &["1ZSTALE"], &[], None).await;
    // Edited in QuickBooks between runs, and once more while the session runs (3200).
    assert!(s.company.edit(txn.as_str(), |t| t.memo =
        Some("Call before delivery".into())));
    s.company.fail_with_status(StatusFault {
        request: Some("InvoiceModRq".into()),
        code: 3200,
        severity: "Error".into(),
        message: "The provided edit sequence \"1\" is out-of-date.".into(),
        times: 1,
    });
    let report = s.run().await;
    assert_eq!(mods(&report), 2, "one refused with 3200, one applied");
    let after = s.company.get(txn.as_str()).expect("txn");
    assert_eq!(
        after.memo.as_deref(),
        Some("Call before delivery | Tracking: 1ZSTALE")
    );
    assert_eq!(s.order(order).await["status"], "written_back");
}

#[tokio::test]
async fn a_sale_edited_throughout_a_session_gets_its_tracking_on_the_next_run() {
    let s = setup(json!({})).await;
    let txn = s.company.add_invoice(
        TxnSpec::new("Greenleaf Cafe").line(LineSpec::item("Widget").qty(1).rate_str("5")),
    );
    s.run().await;
    let order = s.write_back(txn.as_str(), &["1ZBUSYEDIT"], &[], None).await;
    // Every Mod of this session meets a newer EditSequence.
    s.company.fail_with_status(StatusFault {
        request: Some("InvoiceModRq".into()),
        code: 3200,
        severity: "Error".into(),
        message: "The provided edit sequence \"1\" is out-of-date.".into(),
        times: 3,
    });
    let first = s.run().await;
    assert_eq!(mods(&first), 3, "tried three times in the session");
    assert_ne!(s.order(order).await["status"], "write_back_failed");
    assert_ne!(s.order(order).await["status"], "written_back");
    let second = s.run().await;
    assert_eq!(mods(&second), 1);
    assert_eq!(s.order(order).await["status"], "written_back");
    let after = s.company.get(txn.as_str()).expect("txn");
    assert_eq!(after.memo.as_deref(), Some("Tracking: 1ZBUSYEDIT"));
}

#[tokio::test]
async fn a_sale_in_use_in_quickbooks_gets_its_tracking_on_the_next_run() {
    let s = setup(json!({})).await;
    let txn = s.company.add_invoice(
        TxnSpec::new("Greenleaf Cafe").line(LineSpec::item("Widget").qty(1).rate_str("5")),
    );
    s.run().await;
    let order = s.write_back(txn.as_str(), &["1ZBUSY"], &[], None).await;
    s.company.fail_with_status(StatusFault {
        request: Some("InvoiceModRq".into()),
        code: 3175,
        severity: "Error".into(),
        message: "Invoice is in use by another user.".into(),
        times: 1,
    });
    s.run().await;
    let body = s.order(order).await;
    assert_ne!(body["status"], "write_back_failed", "still due: {body}");
    let error = body["last_error"].as_str().unwrap_or_default();
    assert!(error.contains("in use by another user"), "{body}");
    assert!(error.contains("next run"), "{body}");
    let memo = |s: &Setup| {
        s.company
            .get(txn.as_str())
            .expect("txn")
            .memo
            .unwrap_or_default()
    };
    assert!(!memo(&s).contains("1ZBUSY"));

    // The user closed the invoice: the next run writes it.
    let report = s.run().await;
    assert_eq!(mods(&report), 1);
    assert_eq!(s.order(order).await["status"], "written_back");
    assert!(memo(&s).contains("1ZBUSY"));
    let kinds: Vec<String> = s.order(order).await["events"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter_map(|e| e["kind"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    assert!(kinds.contains(&"write_back_retry".to_string()), "{kinds:?}");
}

#[tokio::test]
async fn a_sale_in_use_run_after_run_is_given_up_after_about_ten_sessions() {
    let s = setup(json!({})).await;
    let txn = s.company.add_invoice(
        TxnSpec::new("Greenleaf Cafe").line(LineSpec::item("Widget").qty(1).rate_str("5")),
    );
    s.run().await;
    let order = s.write_back(txn.as_str(), &["1ZSTUCK"], &[], None).await;
    s.company.fail_with_status(StatusFault {
        request: Some("InvoiceModRq".into()),
        code: 3175,
        severity: "Error".into(),
        message: "Invoice is in use by another user.".into(),
        times: 100,
    });
    let mut sessions = 0;
    while s.order(order).await["status"] != "write_back_failed" {
        sessions += 1;
        assert!(sessions <= 12, "still retried after {sessions} sessions");
        s.run().await;
    }
    assert!(sessions >= 9, "given up after only {sessions} sessions");
    let body = s.order(order).await;
    assert!(
        body["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("Given up")),
        "{body}"
    );
    // Failed for good: the next session sends nothing for it.
    assert_eq!(mods(&s.run().await), 0);
}

#[tokio::test]
async fn a_memo_with_no_room_for_tracking_fails_plainly_and_is_left_as_it_is() {
    let s = setup(json!({})).await;
    let memo = "Long delivery notes. ".repeat(195);
    let txn = s.company.add_invoice(
        TxnSpec::new("Greenleaf Cafe")
            .line(LineSpec::item("Widget").qty(1).rate_str("5"))
            .memo(&memo),
    );
    s.run().await;
    let order = s.write_back(txn.as_str(), &["1ZNOROOM"], &[], None).await;
    let report = s.run().await;
    assert_eq!(mods(&report), 0, "QuickBooks would cut the number off");
    let body = s.order(order).await;
    assert_eq!(body["status"], "write_back_failed", "{body}");
    assert!(
        body["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("memo of Invoice") && e.contains("1ZNOROOM")),
        "{body}"
    );
    let after = s.company.get(txn.as_str()).expect("txn");
    assert_eq!(after.memo.as_deref(), Some(memo.as_str()));
}

#[tokio::test]
async fn other_quickbooks_errors_mark_the_write_back_failed() {
    let s = setup(json!({})).await;
    let txn = s.company.add_invoice(
        TxnSpec::new("Greenleaf Cafe").line(LineSpec::item("Widget").qty(1).rate_str("5")),
    );
    s.run().await;
    let order = s.write_back(txn.as_str(), &["1ZFAIL"], &[], None).await;
    s.company.fail_with_status(StatusFault {
        request: Some("InvoiceModRq".into()),
        code: 3210,
        severity: "Error".into(),
        message: "The \"Memo\" field has an invalid value.".into(),
        times: 1,
    });
    s.run().await;
    let body = s.order(order).await;
    assert_eq!(body["status"], "write_back_failed");
    assert!(
        body["last_error"]
            .as_str()
            .unwrap_or_default()
            .contains("invalid value"),
        "{body}"
    );
    // Failed for good: the next run does not try again.
    let report = s.run().await;
    assert_eq!(mods(&report), 0);
    assert!(!s
        .company
        .get(txn.as_str())
        .expect("txn")
        .memo
        .unwrap_or_default()
        .contains("1ZFAIL"));
}

#[tokio::test]
async fn a_write_back_quickbooks_cannot_process_does_not_stop_the_sync() {
    let s = setup(json!({})).await;
    let txn = s.company.add_invoice(
        TxnSpec::new("Greenleaf Cafe").line(LineSpec::item("Widget").qty(1).rate_str("5")),
    );
    s.run().await;
    let order = s.write_back(txn.as_str(), &["1ZHRESULT"], &[], None).await;
    let fresh = s.company.add_invoice(
        TxnSpec::new("Blue Door Books").line(LineSpec::item("Widget").qty(2).rate_str("5")),
    );
    // The write-back's query is the session's first request: QuickBooks cannot parse it.
    s.company
        .fail_next_requests(1, quayside_tests::qb_company::Hresult::parse_error());
    let report = s.run().await;
    assert_eq!(report.percents.last(), Some(&100), "{:?}", report.percents);
    let db = s.env.db().await;
    let (stored,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM qb_sales WHERE connection_id = $1 AND txn_id = $2")
            .bind(s.conn)
            .bind(fresh.as_str())
            .fetch_one(&db)
            .await
            .expect("count");
    assert_eq!(stored, 1, "the sales were still read");
    let body = s.order(order).await;
    assert_ne!(body["status"], "write_back_failed", "still due: {body}");
    assert!(body["last_error"]
        .as_str()
        .unwrap_or_default()
        .contains("HRESULT"));

    // Next run: delivered.
    s.run().await;
    assert_eq!(s.order(order).await["status"], "written_back");
}

#[tokio::test]
async fn sales_receipts_and_sales_orders_get_write_backs_too() {
    let s = setup(json!({})).await;
    let receipt = s.company.add_sales_receipt(
        TxnSpec::new("Greenleaf Cafe").line(LineSpec::item("Widget").qty(1).rate_str("5")),
    );
    let so = s.company.add_sales_order(
        TxnSpec::new("Acme Hardware & Supply")
            .line(LineSpec::item("Gadget Pro").qty(2).rate_str("99")),
    );
    s.run().await;
    let before_r = line_ids(&s.company, receipt.as_str());
    let before_s = line_ids(&s.company, so.as_str());
    s.write_back(receipt.as_str(), &["1ZRECEIPT"], &[], None)
        .await;
    s.write_back(so.as_str(), &["1ZSALESORDER"], &[], None)
        .await;
    let report = s.run().await;
    assert!(report
        .requests
        .iter()
        .any(|r| r.contains("SalesReceiptModRq")));
    assert!(report
        .requests
        .iter()
        .any(|r| r.contains("SalesOrderModRq")));
    assert!(s
        .company
        .get(receipt.as_str())
        .expect("r")
        .memo
        .unwrap_or_default()
        .contains("1ZRECEIPT"));
    assert!(s
        .company
        .get(so.as_str())
        .expect("so")
        .memo
        .unwrap_or_default()
        .contains("1ZSALESORDER"));
    assert_eq!(line_ids(&s.company, receipt.as_str()), before_r);
    assert_eq!(line_ids(&s.company, so.as_str()), before_s);
}

#[tokio::test]
async fn voided_tracking_is_removed_and_custom_fields_are_supported() {
    let s = setup(json!({"tracking_field": "custom:Tracking"})).await;
    let txn = s.company.add_invoice(
        TxnSpec::new("Greenleaf Cafe").line(LineSpec::item("Widget").qty(1).rate_str("5")),
    );
    s.run().await;
    s.write_back(txn.as_str(), &["1ZFIRST", "1ZSECOND"], &[], None)
        .await;
    let report = s.run().await;
    assert!(report
        .requests
        .iter()
        .any(|r| r.contains("DataExtAddRq") || r.contains("DataExtModRq")));
    let value = |c: &Company| {
        c.get(txn.as_str())
            .expect("txn")
            .data_ext_value("0", "Tracking")
            .map(String::from)
    };
    assert_eq!(value(&s.company).as_deref(), Some("1ZFIRST, 1ZSECOND"));
    // The first label was voided: the next write-back leaves only the second.
    s.write_back(txn.as_str(), &["1ZSECOND"], &["1ZFIRST"], None)
        .await;
    s.run().await;
    assert_eq!(value(&s.company).as_deref(), Some("1ZSECOND"));
    // Then the second: QuickBooks has no empty value, so the field is deleted.
    let order = s.write_back(txn.as_str(), &[], &["1ZSECOND"], None).await;
    let report = s.run().await;
    assert!(
        report.requests.iter().any(|r| r.contains("<DataExtDelRq")),
        "{:?}",
        report.requests
    );
    assert_eq!(value(&s.company), None);
    let events = s.order(order).await["events"].to_string();
    assert!(!events.contains("refused"), "{events}");
}

#[tokio::test]
async fn voided_tracking_leaves_the_memo() {
    let s = setup(json!({})).await;
    let txn = s.company.add_invoice(
        TxnSpec::new("Greenleaf Cafe")
            .memo("Gift")
            .line(LineSpec::item("Widget").qty(1).rate_str("5")),
    );
    s.run().await;
    s.write_back(txn.as_str(), &["1ZA", "1ZB"], &[], None).await;
    s.run().await;
    assert_eq!(
        s.company.get(txn.as_str()).expect("t").memo.as_deref(),
        Some("Gift | Tracking: 1ZA, 1ZB")
    );
    s.write_back(txn.as_str(), &["1ZB"], &["1ZA"], None).await;
    s.run().await;
    assert_eq!(
        s.company.get(txn.as_str()).expect("t").memo.as_deref(),
        Some("Gift | Tracking: 1ZB")
    );
}
