//! Issue 3: the Web Connector endpoint, driven by the simulated Web Connector against the real
//! api, with the simulated QuickBooks company answering.

use std::time::Duration;

use quayside_tests::harness::{EnvOptions, Tenant, TestEnv};
use quayside_tests::qb_company::{Company, Hresult, StatusFault};
use quayside_tests::web_connector::{SessionOptions, SessionReport, WebConnector};
use serde_json::json;
use uuid::Uuid;

/// A tenant with a connection, Web Connector credentials, and sync settings that reach back
/// far enough for the simulated company's dates.
async fn paired(env: &TestEnv) -> (Tenant, Uuid, String, String) {
    let t = env.signup().await;
    let (conn, _) = env.create_connection(&t).await;
    let settings = env
        .put_json(
            Some(&t),
            &format!("/api/v1/connections/{conn}/settings"),
            &json!({"sync_from": "2020-01-01", "transaction_types": ["invoice", "sales_receipt", "sales_order"]}),
        )
        .await;
    assert_eq!(settings.status, 200, "settings: {}", settings.body);
    let (user, pass) = env.pair_web_connector(&t, conn).await;
    (t, conn, user, pass)
}

async fn run(env: &TestEnv, company: &Company, user: &str, pass: &str) -> SessionReport {
    WebConnector::new(&env.qbwc_url(0))
        .run_session(company, &SessionOptions::new(user, pass))
        .await
}

async fn count(env: &TestEnv, sql: &str, conn: Uuid) -> i64 {
    let db = env.db().await;
    let (n,): (i64,) = sqlx::query_as(sql)
        .bind(conn)
        .fetch_one(&db)
        .await
        .expect("count");
    n
}

/// The connection's sync run statuses, oldest first.
async fn run_statuses(env: &TestEnv, conn: Uuid) -> Vec<String> {
    let db = env.db().await;
    let runs: Vec<(String,)> =
        sqlx::query_as("SELECT status FROM sync_runs WHERE connection_id = $1 ORDER BY started_at")
            .bind(conn)
            .fetch_all(&db)
            .await
            .expect("runs");
    runs.into_iter().map(|r| r.0).collect()
}

fn assert_monotonic_to_100(report: &SessionReport) {
    assert!(
        report.percents.windows(2).all(|w| w[0] <= w[1]),
        "{:?}",
        report.percents
    );
    assert_eq!(report.percents.last(), Some(&100), "{:?}", report.percents);
}

#[tokio::test]
async fn a_250_invoice_company_syncs_completely_across_iterator_pages() {
    let env = TestEnv::start().await;
    let (_t, conn, user, pass) = paired(&env).await;
    let company = Company::new();
    company.generate_invoices(250);

    let report = run(&env, &company, &user, &pass).await;
    assert_eq!(report.auth_status, "", "{report:?}");
    assert!(report.failure.is_none(), "{:?}", report.failure);
    assert_monotonic_to_100(&report);
    let continues = report
        .requests
        .iter()
        .filter(|r| r.contains("iterator=\"Continue\""))
        .count();
    assert_eq!(continues, 2, "250 invoices in pages of 100");
    assert!(report
        .requests
        .iter()
        .any(|r| r.contains("CustomerQueryRq")));
    assert!(report
        .close_message
        .as_deref()
        .unwrap_or_default()
        .contains("250"));

    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM qb_sales WHERE connection_id = $1",
            conn
        )
        .await,
        250
    );
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM orders WHERE connection_id = $1 AND status = 'pending'",
            conn
        )
        .await,
        250
    );
    assert!(
        count(
            &env,
            "SELECT count(*) FROM qb_customers WHERE connection_id = $1",
            conn
        )
        .await
            > 0
    );
    let db = env.db().await;
    let row: (String, i32, i32, Option<String>) = sqlx::query_as(
        "SELECT status, sales_received, requests_sent, error FROM sync_runs WHERE connection_id = $1",
    )
    .bind(conn)
    .fetch_one(&db)
    .await
    .expect("run");
    assert_eq!(row.0, "completed");
    assert_eq!(row.1, 250);
    assert!(row.2 >= 4);
    assert_eq!(row.3, None);

    // A second run finds nothing new: the same revisions change nothing.
    let again = run(&env, &company, &user, &pass).await;
    assert_monotonic_to_100(&again);
    assert_eq!(
        count(&env, "SELECT count(*) FROM events e JOIN orders o ON o.id = e.order_id WHERE o.connection_id = $1", conn).await,
        250,
        "one 'received' event per order and nothing more"
    );
}

#[tokio::test]
async fn edits_in_quickbooks_arrive_as_new_revisions_and_nothing_else_does() {
    let env = TestEnv::start().await;
    let (_t, conn, user, pass) = paired(&env).await;
    let company = Company::new();
    let ids = company.generate_invoices(20);
    run(&env, &company, &user, &pass).await;

    company.advance_clock(3600);
    assert!(company.edit(&ids[3], |t| t.memo = Some("Leave at the back door".into())));
    assert!(company.edit(&ids[7], |t| t.po_number = Some("PO-778".into())));
    let report = run(&env, &company, &user, &pass).await;
    assert_monotonic_to_100(&report);

    let db = env.db().await;
    let revised: Vec<(String, i32)> = sqlx::query_as(
        "SELECT txn_id, revision FROM qb_sales WHERE connection_id = $1 AND revision > 1 ORDER BY txn_id",
    )
    .bind(conn)
    .fetch_all(&db)
    .await
    .expect("rows");
    let mut expected = vec![ids[3].as_str().to_string(), ids[7].as_str().to_string()];
    expected.sort();
    assert_eq!(
        revised.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
        expected
    );
    assert!(revised.iter().all(|r| r.1 == 2));
    let changed_events = count(
        &env,
        "SELECT count(*) FROM events e JOIN orders o ON o.id = e.order_id WHERE o.connection_id = $1 AND e.message LIKE '%changed in QuickBooks%'",
        conn,
    )
    .await;
    assert_eq!(changed_events, 2);
    let memo: (serde_json::Value,) =
        sqlx::query_as("SELECT snapshot FROM qb_sales WHERE txn_id = $1")
            .bind(ids[3].as_str())
            .fetch_one(&db)
            .await
            .expect("sale");
    assert_eq!(memo.0["memo"], "Leave at the back door");
}

#[tokio::test]
async fn a_web_connector_that_drops_mid_iterator_loses_nothing() {
    // The default busy window: a session that has taken in a response and then goes quiet is
    // taken over by the next authenticate at once.
    let env = TestEnv::start().await;
    let (_t, conn, user, pass) = paired(&env).await;
    let company = Company::new();
    company.generate_invoices(250);
    let wc = WebConnector::new(&env.qbwc_url(0));
    let mut opts = SessionOptions::new(&user, &pass);
    opts.drop_after_requests = Some(2);
    let dropped = wc.run_session(&company, &opts).await;
    assert!(dropped.dropped);
    assert!(dropped.close_message.is_none());
    let stored = count(
        &env,
        "SELECT count(*) FROM qb_sales WHERE connection_id = $1",
        conn,
    )
    .await;
    assert_eq!(stored, 100, "only the first page arrived");
    company.end_session();

    // At once: no busy window to wait out.
    let next = run(&env, &company, &user, &pass).await;
    assert_eq!(next.auth_status, "");
    assert_monotonic_to_100(&next);
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM qb_sales WHERE connection_id = $1",
            conn
        )
        .await,
        250
    );
    assert_eq!(run_statuses(&env, conn).await, ["abandoned", "completed"]);
}

#[tokio::test]
async fn a_second_web_connector_gets_busy_while_a_session_is_live() {
    // A busy window no loaded machine outlasts between these calls (its expiry has its own test).
    let env =
        TestEnv::start_with(EnvOptions::default().with_env("QBWC_BUSY_WINDOW_SECS", "60")).await;
    let (_t, conn, user, pass) = paired(&env).await;
    let company = Company::new();
    company.generate_invoices(150);
    let wc = WebConnector::new(&env.qbwc_url(0));
    let mut opts = SessionOptions::new(&user, &pass);
    opts.drop_after_requests = Some(1);
    wc.run_session(&company, &opts).await;
    let second = run(&env, &company, &user, &pass).await;
    assert_eq!(second.auth_status, "busy");
    assert!(second.requests.is_empty());
    // `busy` opens no run and leaves the live session's run running.
    assert_eq!(run_statuses(&env, conn).await, ["running"]);
}

#[tokio::test]
async fn of_web_connectors_authenticating_at_once_for_one_connection_exactly_one_gets_a_session() {
    let env = TestEnv::start().await;
    let (_t, conn, user, pass) = paired(&env).await;
    let params = [
        ("strUserName", user.as_str()),
        ("strPassword", pass.as_str()),
    ];
    let statuses = futures::future::join_all((0..8).map(|_| call(&env, "authenticate", &params)))
        .await
        .into_iter()
        .map(|r| r.strings[1].clone().unwrap_or_default())
        .collect::<Vec<_>>();
    let mut sorted = statuses.clone();
    sorted.sort();
    let mut want = vec!["busy".to_string(); 7];
    want.insert(0, String::new());
    assert_eq!(sorted, want, "{statuses:?}");
    assert_eq!(run_statuses(&env, conn).await, ["running"]);
}

#[tokio::test]
async fn close_connection_frees_the_connection_and_a_forged_ticket_frees_nothing() {
    // A busy window no loaded machine outlasts between these calls (its expiry has its own test).
    let env =
        TestEnv::start_with(EnvOptions::default().with_env("QBWC_BUSY_WINDOW_SECS", "60")).await;
    let (_t, conn, user, pass) = paired(&env).await;
    let company = Company::new();
    company.generate_invoices(3);
    // closeConnection releases the connection at once: the next run is not `busy`.
    assert_eq!(run(&env, &company, &user, &pass).await.auth_status, "");
    assert_eq!(run(&env, &company, &user, &pass).await.auth_status, "");

    // A live session (its Web Connector went quiet mid-run).
    let wc = WebConnector::new(&env.qbwc_url(0));
    let mut opts = SessionOptions::new(&user, &pass);
    opts.drop_after_requests = Some(1);
    let live = wc.run_session(&company, &opts).await;
    let ticket = live.ticket.expect("ticket");
    assert_eq!(ticket.len(), 64, "{ticket}");
    assert_eq!(&ticket[..32], conn.simple().to_string());
    // A ticket that names the connection but not the session closes nothing.
    let forged = format!("{}{}", &ticket[..32], "0".repeat(32));
    let close = |t: String| {
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><closeConnection xmlns=\"http://developer.intuit.com/\"><ticket>{t}</ticket></closeConnection></soap:Body></soap:Envelope>"
        )
        .into_bytes()
    };
    let (status, body) = post_soap(&env, "closeConnection", close(forged)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(run(&env, &company, &user, &pass).await.auth_status, "busy");
    assert_eq!(
        run_statuses(&env, conn).await,
        ["completed", "completed", "running"]
    );
    // The session's own ticket closes it, and its run ends.
    let (status, body) = post_soap(&env, "closeConnection", close(ticket)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(run(&env, &company, &user, &pass).await.auth_status, "");
    assert_eq!(
        run_statuses(&env, conn).await,
        ["completed", "completed", "completed", "completed"]
    );
}

/// One SOAP call by hand; the method's result.
async fn call(
    env: &TestEnv,
    method: &str,
    params: &[(&str, &str)],
) -> quayside_tests::web_connector::SoapResult {
    let (status, body) = post_soap(
        env,
        method,
        quayside_tests::web_connector::envelope(method, params).into_bytes(),
    )
    .await;
    assert_eq!(status, 200, "{method}: {body}");
    quayside_tests::web_connector::parse_result(&body, method).expect("result")
}

#[tokio::test]
async fn a_response_listing_one_invoice_twice_stores_both_revisions_in_order() {
    let env = TestEnv::start().await;
    let (_t, conn, user, pass) = paired(&env).await;
    let auth = call(
        &env,
        "authenticate",
        &[("strUserName", &user), ("strPassword", &pass)],
    )
    .await;
    let ticket = auth.strings[0].clone().expect("ticket");
    assert_eq!(auth.strings[1].as_deref(), Some(""));
    let request = call(
        &env,
        "sendRequestXML",
        &[
            ("ticket", &ticket),
            ("strHCPResponse", ""),
            ("strCompanyFileName", "C:\\Company.QBW"),
            ("qbXMLCountry", "US"),
            ("qbXMLMajorVers", "13"),
            ("qbXMLMinorVers", "0"),
        ],
    )
    .await;
    assert!(request.text.contains("InvoiceQueryRq"), "{}", request.text);
    // QuickBooks never does this, but a response may: the later copy is the newer revision.
    let invoice = |sequence: &str, memo: &str| {
        format!(
            "<InvoiceRet><TxnID>DUP-1</TxnID><TimeCreated>2026-11-02T10:00:00-08:00</TimeCreated><TimeModified>2026-11-02T1{sequence}:00:00-08:00</TimeModified><EditSequence>{sequence}</EditSequence><TxnNumber>1</TxnNumber><CustomerRef><ListID>80000001-1</ListID><FullName>Acme</FullName></CustomerRef><TxnDate>2026-11-02</TxnDate><RefNumber>7001</RefNumber><Memo>{memo}</Memo></InvoiceRet>"
        )
    };
    let response = format!(
        "<?xml version=\"1.0\" ?><QBXML><QBXMLMsgsRs><InvoiceQueryRs requestID=\"1\" statusCode=\"0\" statusSeverity=\"Info\" statusMessage=\"Status OK\" iteratorRemainingCount=\"0\" iteratorID=\"{{it-1}}\">{}{}</InvoiceQueryRs></QBXMLMsgsRs></QBXML>",
        invoice("1", "first"),
        invoice("2", "second")
    );
    let percent = call(
        &env,
        "receiveResponseXML",
        &[
            ("ticket", &ticket),
            ("response", &response),
            ("hresult", ""),
            ("message", ""),
        ],
    )
    .await;
    let percent: i32 = percent.text.parse().expect("percent");
    assert!((0..100).contains(&percent), "{percent}");
    let db = env.db().await;
    let (revision, memo): (i32, serde_json::Value) = sqlx::query_as(
        "SELECT revision, snapshot FROM qb_sales WHERE connection_id = $1 AND txn_id = 'DUP-1'",
    )
    .bind(conn)
    .fetch_one(&db)
    .await
    .expect("one sale");
    assert_eq!((revision, memo["memo"].as_str()), (2, Some("second")));
    let events: Vec<(String,)> = sqlx::query_as(
        "SELECT e.message FROM events e JOIN orders o ON o.id = e.order_id
         WHERE o.connection_id = $1 ORDER BY e.id",
    )
    .bind(conn)
    .fetch_all(&db)
    .await
    .expect("events");
    let events: Vec<&str> = events.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        events,
        [
            "Invoice 7001 received from QuickBooks.",
            "Invoice 7001 changed in QuickBooks (revision 2)."
        ]
    );
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM orders WHERE connection_id = $1",
            conn
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_run_that_reached_100_percent_is_complete_without_close_connection() {
    let env =
        TestEnv::start_with(EnvOptions::default().with_env("QBWC_BUSY_WINDOW_SECS", "0")).await;
    let (t, conn, user, pass) = paired(&env).await;
    let company = Company::new();
    company.generate_invoices(12);
    let wc = WebConnector::new(&env.qbwc_url(0));
    let mut opts = SessionOptions::new(&user, &pass);
    opts.skip_close = true;
    let first = wc.run_session(&company, &opts).await;
    assert_eq!(first.percents.last(), Some(&100), "{:?}", first.percents);
    assert!(first.close_message.is_none());
    company.end_session();

    // Everything was stored with the last response, so the run already reads completed.
    let runs = env
        .get(Some(&t), &format!("/api/v1/connections/{conn}/sync-runs"))
        .await;
    assert_eq!(runs.status, 200, "{}", runs.text);
    let list = runs.body["runs"].as_array().expect("runs").clone();
    assert_eq!(list.len(), 1, "{}", runs.text);
    assert_eq!(list[0]["status"], "completed", "{}", runs.text);
    assert_eq!(list[0]["sales_received"], 12, "{}", runs.text);
    assert!(list[0]["ended_at"].is_string(), "{}", runs.text);

    // The next run is not held up and does not rewrite the first as abandoned.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let next = run(&env, &company, &user, &pass).await;
    assert_eq!(next.auth_status, "");
    assert!(next.close_message.is_some());
    assert_eq!(run_statuses(&env, conn).await, ["completed", "completed"]);
}

#[tokio::test]
async fn hresult_and_qbxml_status_errors_are_recorded() {
    let env = TestEnv::start().await;
    let (t, conn, user, pass) = paired(&env).await;
    let company = Company::new();
    company.generate_invoices(5);
    company.fail_next_requests(1, Hresult::parse_error());
    let report = run(&env, &company, &user, &pass).await;
    assert!(
        report.percents.first().is_some_and(|p| *p < 0),
        "{:?}",
        report.percents
    );
    assert!(report
        .last_error
        .as_deref()
        .unwrap_or_default()
        .contains("0x80040400"));
    let runs = env
        .get(Some(&t), &format!("/api/v1/connections/{conn}/sync-runs"))
        .await;
    assert_eq!(runs.status, 200, "{}", runs.body);
    assert_eq!(runs.body["runs"][0]["status"], "failed");
    assert!(runs.body["runs"][0]["error"]
        .as_str()
        .unwrap_or_default()
        .contains("0x80040400"));
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM qb_sales WHERE connection_id = $1",
            conn
        )
        .await,
        0
    );

    company.fail_with_status(StatusFault {
        request: Some("InvoiceQueryRq".into()),
        code: 3120,
        severity: "Error".into(),
        message: "Object \"X\" specified in the request cannot be found.".into(),
        times: 1,
    });
    let report = run(&env, &company, &user, &pass).await;
    assert_eq!(report.percents.last(), Some(&100));
    let runs = env
        .get(Some(&t), &format!("/api/v1/connections/{conn}/sync-runs"))
        .await;
    let newest = &runs.body["runs"][0];
    assert!(
        newest["error"]
            .as_str()
            .unwrap_or_default()
            .contains("3120"),
        "{newest}"
    );

    // And QuickBooks that cannot be opened at all.
    let wc = WebConnector::new(&env.qbwc_url(0));
    let mut opts = SessionOptions::new(&user, &pass);
    opts.connection_error = Some(Hresult {
        code: "0x80040408".into(),
        message: "Could not start QuickBooks.".into(),
    });
    let report = wc.run_session(&company, &opts).await;
    assert_eq!(report.connection_error_reply.as_deref(), Some("done"));
    let runs = env
        .get(Some(&t), &format!("/api/v1/connections/{conn}/sync-runs"))
        .await;
    assert!(runs.body["runs"][0]["error"]
        .as_str()
        .unwrap_or_default()
        .contains("Could not start QuickBooks"));

    // The next clean run still reads everything.
    let report = run(&env, &company, &user, &pass).await;
    assert_monotonic_to_100(&report);
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM qb_sales WHERE connection_id = $1",
            conn
        )
        .await,
        5
    );
}

#[tokio::test]
async fn wrong_password_gets_nvu_and_rotation_invalidates_the_old_one() {
    let env = TestEnv::start().await;
    let (t, conn, user, pass) = paired(&env).await;
    let company = Company::new();
    let wrong = run(&env, &company, &user, "not-the-password").await;
    assert_eq!(wrong.auth_status, "nvu");
    assert_eq!(
        wrong
            .auth_reply
            .first()
            .cloned()
            .flatten()
            .unwrap_or_default(),
        "",
        "a refused login gets no ticket"
    );
    let nobody = run(&env, &company, "nobody", &pass).await;
    assert_eq!(nobody.auth_status, "nvu");

    let (user2, pass2) = env.pair_web_connector(&t, conn).await;
    assert_eq!(user2, user, "rotation keeps the username");
    assert_ne!(pass2, pass);
    assert_eq!(run(&env, &company, &user, &pass).await.auth_status, "nvu");
    assert_eq!(run(&env, &company, &user2, &pass2).await.auth_status, "");
}

#[tokio::test]
async fn one_tenants_ticket_never_reaches_another_tenants_data() {
    let env = TestEnv::start().await;
    let (a, conn_a, user_a, pass_a) = paired(&env).await;
    let (b, conn_b, user_b, pass_b) = paired(&env).await;
    let company_a = Company::new();
    company_a.generate_invoices(3);
    let company_b = Company::new();
    company_b.generate_invoices(4);
    let (ra, rb) = tokio::join!(
        run(&env, &company_a, &user_a, &pass_a),
        run(&env, &company_b, &user_b, &pass_b)
    );
    assert_ne!(ra.ticket, rb.ticket);
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM qb_sales WHERE connection_id = $1",
            conn_a
        )
        .await,
        3
    );
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM qb_sales WHERE connection_id = $1",
            conn_b
        )
        .await,
        4
    );
    let db = env.db().await;
    let wrong_tenant: (i64,) = sqlx::query_as(
        "SELECT count(*) FROM qb_sales s JOIN connections c ON c.id = s.connection_id WHERE s.tenant_id <> c.tenant_id",
    )
    .fetch_one(&db)
    .await
    .expect("count");
    assert_eq!(wrong_tenant.0, 0);
    let a_sees_b = env
        .get(Some(&a), &format!("/api/v1/connections/{conn_b}/sync-runs"))
        .await;
    assert_eq!(a_sees_b.status, 404);
    let b_runs = env
        .get(Some(&b), &format!("/api/v1/connections/{conn_b}/sync-runs"))
        .await;
    assert_eq!(b_runs.body["runs"].as_array().map(Vec::len), Some(1));
}

async fn post_soap(env: &TestEnv, action: &str, body: Vec<u8>) -> (u16, String) {
    let r = env
        .http
        .post(env.qbwc_url(0))
        .header("content-type", "text/xml; charset=utf-8")
        .header(
            "soapaction",
            format!("\"http://developer.intuit.com/{action}\""),
        )
        .body(body)
        .send()
        .await
        .expect("post");
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

#[tokio::test]
async fn the_captured_real_requests_are_answered_in_band() {
    let env = TestEnv::start().await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/tests/golden/qbwc-samples");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("samples dir") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("xml") {
            continue;
        }
        seen += 1;
        let body = std::fs::read(&path).expect("sample");
        let (status, text) = post_soap(&env, "x", body).await;
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        assert_eq!(status, 200, "{name}: {text}");
        assert!(!text.contains("Fault"), "{name}: {text}");
        if name.contains("authenticate") {
            assert!(text.contains("<string>nvu</string>"), "{text}");
        }
        if name.contains("receiveResponseXML") {
            assert!(
                text.contains("<receiveResponseXMLResult>-"),
                "unknown ticket is an in-band error: {text}"
            );
        }
    }
    assert_eq!(seen, 6);
}

#[tokio::test]
async fn malformed_doctype_and_oversize_bodies_are_refused_and_the_server_keeps_serving() {
    let env = TestEnv::start_with(EnvOptions::default().with_env("MAX_SOAP_BYTES", "200000")).await;
    let (_t, conn, user, pass) = paired(&env).await;

    let (status, text) =
        post_soap(&env, "authenticate", b"<soap:Envelope><unclosed>".to_vec()).await;
    assert_eq!(status, 500);
    assert!(
        text.contains("soap:Fault") || text.contains(":Fault>"),
        "{text}"
    );

    let bomb = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><authenticate xmlns="http://developer.intuit.com/"><strUserName>&lol2;</strUserName><strPassword>x</strPassword></authenticate></soap:Body></soap:Envelope>"#;
    let (status, text) = post_soap(&env, "authenticate", bomb.as_bytes().to_vec()).await;
    assert_eq!(status, 500);
    assert!(text.contains("Fault"), "{text}");

    let big = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><authenticate xmlns="http://developer.intuit.com/"><strUserName>{}</strUserName><strPassword>x</strPassword></authenticate></soap:Body></soap:Envelope>"#,
        "a".repeat(300_000)
    );
    let (status, _) = post_soap(&env, "authenticate", big.into_bytes()).await;
    assert_eq!(status, 413);

    let (status, text) = post_soap(&env, "nothing", br#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><launchMissiles xmlns="http://developer.intuit.com/"/></soap:Body></soap:Envelope>"#.to_vec()).await;
    assert_eq!(status, 500);
    assert!(text.contains("Fault"));

    // Still serving: a full session works.
    let company = Company::new();
    company.generate_invoices(3);
    let report = run(&env, &company, &user, &pass).await;
    assert_monotonic_to_100(&report);
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM qb_sales WHERE connection_id = $1",
            conn
        )
        .await,
        3
    );
}

#[tokio::test]
async fn the_qwc_file_and_wsdl_describe_the_endpoint() {
    let env = TestEnv::start().await;
    let t = env.signup().await;
    let (conn, _) = env.create_connection(&t).await;
    // The file is there before any password was issued, and its identity stays.
    let before = env
        .get(Some(&t), &format!("/api/v1/connections/{conn}/qbwc/qwc"))
        .await;
    assert_eq!(before.status, 200);
    let pair = env
        .post_json(
            Some(&t),
            &format!("/api/v1/connections/{conn}/qbwc"),
            &json!({}),
        )
        .await;
    assert_eq!(pair.status, 201);
    assert_eq!(pair.body["app_url"], format!("{}/qbwc", env.api_url()));
    assert!(pair.body["password"].as_str().unwrap_or_default().len() >= 40);

    let qwc = env
        .get(Some(&t), &format!("/api/v1/connections/{conn}/qbwc/qwc"))
        .await;
    assert_eq!(qwc.status, 200);
    assert!(qwc.headers["content-type"]
        .to_str()
        .unwrap_or_default()
        .starts_with("application/xml"));
    assert!(qwc.headers["content-disposition"]
        .to_str()
        .unwrap_or_default()
        .starts_with("attachment"));
    let text = qwc.text.clone();
    assert!(
        text.contains(&format!("<AppURL>{}/qbwc</AppURL>", env.api_url())),
        "{text}"
    );
    assert!(text.contains(&format!(
        "<UserName>{}</UserName>",
        pair.body["username"].as_str().unwrap_or_default()
    )));
    assert!(!text.contains(pair.body["password"].as_str().unwrap_or("x")));
    let owner = text
        .split("<OwnerID>")
        .nth(1)
        .and_then(|s| s.split("</OwnerID>").next())
        .expect("owner")
        .to_string();
    assert!(
        owner.starts_with('{') && owner.ends_with('}') && owner.len() == 38,
        "{owner}"
    );
    // Stable across downloads and rotations.
    env.post_json(
        Some(&t),
        &format!("/api/v1/connections/{conn}/qbwc"),
        &json!({}),
    )
    .await;
    let again = env
        .get(Some(&t), &format!("/api/v1/connections/{conn}/qbwc/qwc"))
        .await;
    assert!(again.text.contains(&owner));
    assert!(before.text.contains(&owner), "the OwnerID never changes");

    let wsdl = env.get(None, "/qbwc?wsdl").await;
    assert_eq!(wsdl.status, 200);
    assert!(
        wsdl.text.contains("http://developer.intuit.com/")
            && wsdl.text.contains("receiveResponseXML")
    );
    assert_eq!(env.get(None, "/qbwc").await.status, 200);
    assert_eq!(env.get(None, "/qbwc/support").await.status, 200);
}

#[tokio::test]
async fn authenticate_says_none_when_there_is_nothing_to_do() {
    let env = TestEnv::start().await;
    let t = env.signup().await;
    let (conn, _) = env.create_connection(&t).await;
    let off = env
        .put_json(
            Some(&t),
            &format!("/api/v1/connections/{conn}/settings"),
            &json!({"sync_orders_to_shipstation": false, "transaction_types": []}),
        )
        .await;
    assert_eq!(off.status, 200, "{}", off.body);
    let (user, pass) = env.pair_web_connector(&t, conn).await;
    let company = Company::new();
    company.generate_invoices(2);
    let report = run(&env, &company, &user, &pass).await;
    assert_eq!(report.auth_status, "none");
    assert!(report.requests.is_empty());
    // `none` leaves the connection free: the next run is `none` again, not `busy`.
    assert_eq!(run(&env, &company, &user, &pass).await.auth_status, "none");
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM sync_runs WHERE connection_id = $1",
            conn
        )
        .await,
        0
    );
}

#[tokio::test]
async fn a_database_failure_mid_session_is_reported_and_the_next_run_loses_nothing() {
    let env = TestEnv::start().await;
    let (t, conn, user, pass) = paired(&env).await;
    let company = Company::new();
    company.generate_invoices(5);
    let db = env.db().await;
    // Authenticate cannot open the run: the Web Connector is told "busy" (try later), not
    // "none" (nothing to do).
    sqlx::query(
        "REVOKE EXECUTE ON FUNCTION qbwc_open_run(uuid, uuid, uuid, bigint) FROM quayside_app",
    )
    .execute(&db)
    .await
    .expect("revoke");
    let refused = run(&env, &company, &user, &pass).await;
    assert_eq!(refused.auth_status, "busy", "{refused:?}");
    sqlx::query(
        "GRANT EXECUTE ON FUNCTION qbwc_open_run(uuid, uuid, uuid, bigint) TO quayside_app",
    )
    .execute(&db)
    .await
    .expect("grant");
    // Storing sales fails (the app role may not insert them) while everything else works.
    sqlx::query("REVOKE INSERT ON qb_sales FROM quayside_app")
        .execute(&db)
        .await
        .expect("revoke");
    let failed = run(&env, &company, &user, &pass).await;
    assert!(
        failed.percents.first().is_some_and(|p| *p < 0),
        "{:?}",
        failed.percents
    );
    assert!(
        failed
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("temporary problem"),
        "{:?}",
        failed.last_error
    );
    let runs = env
        .get(Some(&t), &format!("/api/v1/connections/{conn}/sync-runs"))
        .await;
    assert_eq!(runs.body["runs"][0]["status"], "failed", "{}", runs.body);

    sqlx::query("GRANT INSERT ON qb_sales TO quayside_app")
        .execute(&db)
        .await
        .expect("grant");
    company.end_session();
    let next = run(&env, &company, &user, &pass).await;
    assert_monotonic_to_100(&next);
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM qb_sales WHERE connection_id = $1",
            conn
        )
        .await,
        5
    );
}

#[tokio::test]
async fn sales_modified_before_the_sync_start_are_skipped_with_the_reason() {
    let env = TestEnv::start().await;
    let t = env.signup().await;
    let (conn, _) = env.create_connection(&t).await;
    // The company's clock reads 2026-11-29 10:15 in California (18:15 UTC).
    let company = Company::new();
    let early = company.generate_invoices(1);
    // 17:00 in California is already the 30th in UTC, the sync start date.
    company.advance_clock(6 * 3600 + 40 * 60);
    let late = company.generate_invoices(1);
    let settings = env
        .put_json(
            Some(&t),
            &format!("/api/v1/connections/{conn}/settings"),
            &json!({"sync_from": "2026-11-30"}),
        )
        .await;
    assert_eq!(settings.status, 200, "{}", settings.body);
    let (user, pass) = env.pair_web_connector(&t, conn).await;
    let report = run(&env, &company, &user, &pass).await;
    assert!(report.failure.is_none(), "{:?}", report.failure);
    assert_monotonic_to_100(&report);
    // QuickBooks reads the filter in its own zone: the query starts the day before.
    assert!(
        report
            .requests
            .iter()
            .any(|r| r.contains("<FromModifiedDate>2026-11-29T00:00:00</FromModifiedDate>")),
        "{:?}",
        report.requests
    );
    let list = |status: &'static str| {
        let (env, t) = (&env, &t);
        async move {
            env.get(
                Some(t),
                &format!("/api/v1/connections/{conn}/orders?status={status}"),
            )
            .await
        }
    };
    let skipped = list("skipped").await;
    assert_eq!(skipped.body["total"], 1, "{}", skipped.text);
    assert_eq!(skipped.body["orders"][0]["txn_id"], early[0].as_str());
    let reason = skipped.body["orders"][0]["skip_reason"].to_string();
    assert!(
        reason.contains("before the sync start date 2026-11-30"),
        "{}",
        skipped.text
    );
    let pending = list("pending").await;
    assert_eq!(pending.body["total"], 1, "{}", pending.text);
    assert_eq!(pending.body["orders"][0]["txn_id"], late[0].as_str());
}

#[tokio::test]
async fn an_invoice_made_from_a_sent_sales_order_is_skipped_so_it_ships_once() {
    let env = TestEnv::start().await;
    // `paired` syncs invoices, sales receipts and sales orders.
    let (t, conn, user, pass) = paired(&env).await;
    let company = Company::new();
    company.generate_invoices(1);
    let customer = company.customers()[0].full_name.clone();
    let line = quayside_tests::qb_company::LineSpec::item("Widget").qty(2);
    let so = company.add_sales_order(
        quayside_tests::qb_company::TxnSpec::new(&customer)
            .ref_number("5001")
            .line(line),
    );
    let first = run(&env, &company, &user, &pass).await;
    assert_monotonic_to_100(&first);
    assert!(
        first
            .requests
            .iter()
            .any(|r| r.contains("<InvoiceQueryRq") && r.contains("<IncludeLinkedTxns>true")),
        "{:?}",
        first.requests
    );

    // Invoiced from the sales order in QuickBooks: the invoice is the same shipment.
    let invoice = company.invoice_from_sales_order(&so).expect("invoiced");
    let second = run(&env, &company, &user, &pass).await;
    assert_monotonic_to_100(&second);
    let order = |txn: String| {
        let (env, t) = (&env, &t);
        async move {
            let list = env
                .get(
                    Some(t),
                    &format!("/api/v1/connections/{conn}/orders?per_page=100"),
                )
                .await;
            list.body["orders"]
                .as_array()
                .and_then(|o| o.iter().find(|o| o["txn_id"] == txn.as_str()).cloned())
                .unwrap_or_else(|| panic!("no order for {txn}: {}", list.text))
        }
    };
    let skipped = order(invoice.as_str().to_string()).await;
    assert_eq!(skipped["status"], "skipped", "{skipped}");
    let reason = skipped["skip_reason"].as_str().unwrap_or_default();
    assert!(reason.contains("sales order 5001"), "{reason}");
    // The sales order (modified by the invoicing) is still the one that goes.
    let sent = order(so.as_str().to_string()).await;
    assert_eq!(sent["status"], "pending", "{sent}");

    // Syncing invoices only, an invoice made from a sales order is the one that ships.
    let (t2, conn2) = {
        let t2 = env.signup().await;
        let (c2, _) = env.create_connection(&t2).await;
        (t2, c2)
    };
    let put = env
        .put_json(
            Some(&t2),
            &format!("/api/v1/connections/{conn2}/settings"),
            &json!({"sync_from": "2020-01-01", "transaction_types": ["invoice"]}),
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.body);
    let (user2, pass2) = env.pair_web_connector(&t2, conn2).await;
    let other = Company::new();
    other.generate_invoices(1);
    let customer = other.customers()[0].full_name.clone();
    let so2 = other.add_sales_order(
        quayside_tests::qb_company::TxnSpec::new(&customer)
            .line(quayside_tests::qb_company::LineSpec::item("Widget").qty(1)),
    );
    let invoice2 = other.invoice_from_sales_order(&so2).expect("invoiced");
    let report = run(&env, &other, &user2, &pass2).await;
    assert_monotonic_to_100(&report);
    let list = env
        .get(
            Some(&t2),
            &format!("/api/v1/connections/{conn2}/orders?status=pending"),
        )
        .await;
    assert_eq!(list.body["total"], 2, "{}", list.text);
    assert!(
        list.text.contains(invoice2.as_str()),
        "the invoice is sent: {}",
        list.text
    );
}

#[tokio::test]
async fn test_sales_are_fetched_by_ref_number_whatever_the_filters_say() {
    let env =
        TestEnv::start_with(EnvOptions::default().with_env("QBWC_BUSY_WINDOW_SECS", "0")).await;
    let t = env.signup().await;
    let (conn, _) = env.create_connection(&t).await;
    let settings = env
        .put_json(
            Some(&t),
            &format!("/api/v1/connections/{conn}/settings"),
            &json!({"sync_from": "2020-01-01", "class_filter": "Wholesale"}),
        )
        .await;
    assert_eq!(settings.status, 200, "{}", settings.body);
    let (user, pass) = env.pair_web_connector(&t, conn).await;
    let company = Company::new();
    company.add_invoice(
        quayside_tests::qb_company::TxnSpec::new("Acme Hardware & Supply")
            .ref_number("T-1001")
            .line(quayside_tests::qb_company::LineSpec::item("Widget").qty(1)),
    );
    let first = run(&env, &company, &user, &pass).await;
    assert_monotonic_to_100(&first);
    company.end_session();
    let orders = |status: &'static str| {
        let (env, t) = (&env, &t);
        async move {
            env.get(
                Some(t),
                &format!("/api/v1/connections/{conn}/orders?status={status}"),
            )
            .await
        }
    };
    let skipped = orders("skipped").await;
    assert_eq!(skipped.body["total"], 1, "{}", skipped.text);

    let asked = env
        .post_json(
            Some(&t),
            &format!("/api/v1/connections/{conn}/test-sales"),
            &json!({"order_numbers": "T-1001"}),
        )
        .await;
    assert_eq!(asked.status, 202, "{}", asked.text);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let second = run(&env, &company, &user, &pass).await;
    assert_monotonic_to_100(&second);
    assert!(
        second
            .requests
            .iter()
            .any(|r| r.contains("<RefNumber>T-1001</RefNumber>")),
        "{:?}",
        second.requests
    );
    company.end_session();
    // The same revision, unchanged in QuickBooks, is now pending despite the class filter.
    let pending = orders("pending").await;
    assert_eq!(pending.body["total"], 1, "{}", pending.text);
    let id = pending.body["orders"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let order = env
        .get(Some(&t), &format!("/api/v1/connections/{conn}/orders/{id}"))
        .await;
    assert!(
        order.body["events"]
            .to_string()
            .contains("fetched from QuickBooks as a test sale"),
        "{}",
        order.body["events"]
    );

    // A request is fetched once.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let third = run(&env, &company, &user, &pass).await;
    assert!(
        !third
            .requests
            .iter()
            .any(|r| r.contains("<RefNumber>T-1001</RefNumber>")),
        "{:?}",
        third.requests
    );
}

/// The `<Tag>value</Tag>` of the .qwc.
fn qwc_value(qwc: &str, tag: &str) -> String {
    qwc.split(&format!("<{tag}>"))
        .nth(1)
        .and_then(|s| s.split(&format!("</{tag}>")).next())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn the_company_file_of_another_connection_is_refused_and_the_owner_id_is_the_apps() {
    let env = TestEnv::start().await;
    let (t, conn, user, pass) = paired(&env).await;
    let (t2, conn2, _, _) = paired(&env).await;
    let qwc = |t: Tenant, c: Uuid| {
        let env = &env;
        async move {
            env.get(Some(&t), &format!("/api/v1/connections/{c}/qbwc/qwc"))
                .await
                .text
        }
    };
    let (mine, theirs) = (qwc(t, conn).await, qwc(t2, conn2).await);
    let owner = qwc_value(&mine, "OwnerID");
    assert_eq!(
        owner,
        qwc_value(&theirs, "OwnerID"),
        "one OwnerID for the app"
    );
    assert_ne!(qwc_value(&mine, "FileID"), qwc_value(&theirs, "FileID"));

    // A company file the Web Connector stamped for the other connection: nothing is read.
    let company = Company::new();
    company.generate_invoices(3);
    let mut opts = SessionOptions::new(&user, &pass);
    opts.owner_and_file_id = Some((owner.clone(), qwc_value(&theirs, "FileID")));
    let wrong = WebConnector::new(&env.qbwc_url(0))
        .run_session(&company, &opts)
        .await;
    assert_eq!(wrong.auth_status, "");
    assert!(wrong.requests.is_empty(), "{:?}", wrong.requests);
    let said = wrong.last_error.clone().unwrap_or_default();
    assert!(said.contains("another Quayside connection"), "{said}");
    let sql = "SELECT count(*) FROM qb_sales WHERE connection_id = $1";
    assert_eq!(count(&env, sql, conn).await, 0);
    assert_eq!(run_statuses(&env, conn).await, ["failed"]);

    // Its own company file (stamped with this connection's FileID) syncs.
    let company = Company::new();
    company.generate_invoices(3);
    opts.owner_and_file_id = Some((owner.clone(), qwc_value(&mine, "FileID")));
    let right = WebConnector::new(&env.qbwc_url(0))
        .run_session(&company, &opts)
        .await;
    assert_monotonic_to_100(&right);
    assert_eq!(count(&env, sql, conn).await, 3);

    // A company once paired with a connection since deleted (its FileID is nobody's) syncs too.
    let (_, conn3, user3, pass3) = paired(&env).await;
    let company = Company::new();
    company.generate_invoices(2);
    let mut opts = SessionOptions::new(&user3, &pass3);
    opts.owner_and_file_id = Some((owner, format!("{{{}}}", Uuid::new_v4())));
    let repaired = WebConnector::new(&env.qbwc_url(0))
        .run_session(&company, &opts)
        .await;
    assert_monotonic_to_100(&repaired);
    assert_eq!(count(&env, sql, conn3).await, 2);
}

#[tokio::test]
async fn an_older_quickbooks_is_asked_in_the_highest_qbxml_version_it_reads() {
    let env = TestEnv::start().await;
    let (_t, _conn, user, pass) = paired(&env).await;
    let company = Company::new();
    company.generate_invoices(2);
    let mut opts = SessionOptions::new(&user, &pass);
    opts.qbxml_major = 8;
    let report = WebConnector::new(&env.qbwc_url(0))
        .run_session(&company, &opts)
        .await;
    assert!(!report.requests.is_empty());
    for rq in &report.requests {
        assert!(rq.contains("<?qbxml version=\"8.0\"?>"), "{rq}");
    }

    // QuickBooks 2014 and later: 13.0.
    let report = run(&env, &company, &user, &pass).await;
    assert!(report.requests[0].contains("<?qbxml version=\"13.0\"?>"));
}

#[tokio::test]
async fn a_quickbooks_too_old_for_iterators_is_told_so_and_nothing_is_asked_of_it() {
    let env = TestEnv::start().await;
    let (_t, conn, user, pass) = paired(&env).await;
    let sql = "SELECT count(*) FROM qb_sales WHERE connection_id = $1";

    // QuickBooks 2005 reads qbXML up to 4.1, which has no iterators.
    let company = Company::new();
    company.generate_invoices(2);
    company.set_host(
        "QuickBooks Pro 2005",
        "US",
        &["1.0", "2.0", "3.0", "4.0", "4.1"],
    );
    let mut opts = SessionOptions::new(&user, &pass);
    opts.qbxml_major = 4;
    opts.qbxml_minor = 1;
    let old = WebConnector::new(&env.qbwc_url(0))
        .run_session(&company, &opts)
        .await;
    assert_eq!(old.auth_status, "");
    assert!(old.requests.is_empty(), "{:?}", old.requests);
    let said = old.last_error.clone().unwrap_or_default();
    assert!(
        said.contains("qbXML up to 4.1") && said.contains("2006"),
        "{said}"
    );
    assert!(old.close_message.is_some(), "the session closes normally");
    assert_eq!(run_statuses(&env, conn).await, ["failed"]);
    assert_eq!(count(&env, sql, conn).await, 0);

    // A Canadian edition before 2008 lists only its own SDK's versions.
    let company = Company::new();
    company.generate_invoices(2);
    company.set_host("QuickBooks Pro 2006 (Canada)", "CA", &["CA2.0", "CA3.0"]);
    opts.qbxml_country = "CA".into();
    opts.qbxml_major = 3;
    opts.qbxml_minor = 0;
    let canadian = WebConnector::new(&env.qbwc_url(0))
        .run_session(&company, &opts)
        .await;
    assert!(canadian.requests.is_empty(), "{:?}", canadian.requests);
    let said = canadian.last_error.clone().unwrap_or_default();
    assert!(said.contains("CA3.0") && said.contains("Canada"), "{said}");

    // A later Canadian edition reads the US versions and syncs.
    let company = Company::new();
    company.generate_invoices(2);
    company.set_host(
        "QuickBooks Pro 2014 (Canada)",
        "CA",
        &["CA2.0", "CA3.0", "6.0", "12.0", "13.0"],
    );
    opts.qbxml_major = 13;
    let current = WebConnector::new(&env.qbwc_url(0))
        .run_session(&company, &opts)
        .await;
    assert_monotonic_to_100(&current);
    assert!(current.requests[0].contains("<?qbxml version=\"13.0\"?>"));
    assert_eq!(count(&env, sql, conn).await, 2);
    assert_eq!(
        run_statuses(&env, conn).await,
        ["failed", "failed", "completed"]
    );
}
