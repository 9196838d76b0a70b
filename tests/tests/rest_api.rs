//! The tenant REST routes of the contract beyond auth and connections: sync settings, test
//! sales, rules and their preview, orders (list, detail, resend) and Web Connector runs. Sales,
//! orders, events and runs are seeded with SQL, as the Web Connector would have stored them.

use std::str::FromStr;

use chrono::NaiveDate;
use quayside_tests::harness::{redis_url, Tenant, TestEnv};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use shared::sale::{QbAddress, QbCustomer, Sale, SaleLine, TxnType};
use sqlx::PgPool;
use uuid::Uuid;

fn tid(t: &Tenant) -> Uuid {
    Uuid::parse_str(&t.tenant_id).expect("tenant id")
}

fn dec(s: &str) -> Option<Decimal> {
    Decimal::from_str(s).ok()
}

fn address(line1: &str, city: &str, state: &str, zip: &str) -> QbAddress {
    QbAddress {
        addr1: Some(line1.into()),
        city: Some(city.into()),
        state: Some(state.into()),
        postal_code: Some(zip.into()),
        country: Some("US".into()),
        ..QbAddress::default()
    }
}

/// An invoice of one widget to `customer`, shipped to Minneapolis.
fn sale(ref_number: &str, customer: &str) -> Sale {
    Sale {
        txn_type: TxnType::Invoice,
        txn_id: format!("TX-{ref_number}").replace(['%', ' '], "x"),
        edit_sequence: "1".into(),
        time_modified: "2026-03-02T10:00:00-08:00".into(),
        time_created: None,
        ref_number: Some(ref_number.into()),
        txn_date: NaiveDate::from_ymd_opt(2026, 3, 2),
        customer_list_id: Some(format!("LIST-{customer}")),
        customer_full_name: Some(customer.into()),
        class_name: None,
        bill_address: None,
        ship_address: Some(address("1000 Nicollet Mall", "Minneapolis", "MN", "55403")),
        po_number: None,
        ship_via: Some("UPS Ground".into()),
        ship_date: None,
        memo: None,
        other: None,
        subtotal: dec("25.00"),
        sales_tax_total: None,
        total: dec("25.00"),
        is_pending: None,
        lines: vec![SaleLine {
            txn_line_id: "L-1".into(),
            item_full_name: Some("Widget".into()),
            quantity: dec("2"),
            rate: dec("12.50"),
            amount: dec("25.00"),
            ..SaleLine::default()
        }],
        line_groups: vec![],
        data_ext: vec![],
    }
}

async fn seed_sale(db: &PgPool, tenant: Uuid, conn: Uuid, sale: &Sale) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO qb_sales (id, tenant_id, connection_id, txn_type, txn_id, edit_sequence, ref_number,
             txn_date, time_modified, customer_name, customer_list_id, snapshot, content_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, '\\x00')",
    )
    .bind(id)
    .bind(tenant)
    .bind(conn)
    .bind(sale.txn_type.as_str())
    .bind(&sale.txn_id)
    .bind(&sale.edit_sequence)
    .bind(&sale.ref_number)
    .bind(sale.txn_date)
    .bind(&sale.time_modified)
    .bind(&sale.customer_full_name)
    .bind(&sale.customer_list_id)
    .bind(serde_json::to_value(sale).expect("sale json"))
    .execute(db)
    .await
    .expect("seed sale");
    id
}

async fn seed_customer(db: &PgPool, tenant: Uuid, conn: Uuid, customer: &QbCustomer) {
    sqlx::query("INSERT INTO qb_customers (connection_id, tenant_id, list_id, snapshot) VALUES ($1, $2, $3, $4)")
        .bind(conn)
        .bind(tenant)
        .bind(&customer.list_id)
        .bind(serde_json::to_value(customer).expect("customer json"))
        .execute(db)
        .await
        .expect("seed customer");
}

/// A sale and its order in `status`, last updated `minutes_ago`; returns the order id.
async fn seed_order(db: &PgPool, tenant: Uuid, conn: Uuid, sale: &Sale, status: &str, minutes_ago: i32) -> Uuid {
    let sale_id = seed_sale(db, tenant, conn, sale).await;
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO orders (id, tenant_id, connection_id, sale_id, status, order_key, push_requested_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, now() - interval '1 day', now() - $7 * interval '1 minute')",
    )
    .bind(id)
    .bind(tenant)
    .bind(conn)
    .bind(sale_id)
    .bind(status)
    .bind(shared::mapping::order_key(conn, &sale.txn_id))
    .bind(minutes_ago)
    .execute(db)
    .await
    .expect("seed order");
    id
}

async fn seed_event(db: &PgPool, tenant: Uuid, order: Uuid, minutes_ago: i32, kind: &str, message: &str) {
    sqlx::query(
        "INSERT INTO events (tenant_id, order_id, at, kind, message)
         VALUES ($1, $2, now() - $3 * interval '1 minute', $4, $5)",
    )
    .bind(tenant)
    .bind(order)
    .bind(minutes_ago)
    .bind(kind)
    .bind(message)
    .execute(db)
    .await
    .expect("seed event");
}

fn message(reply: &quayside_tests::harness::Reply) -> String {
    reply.body["error"]["message"].as_str().unwrap_or_default().to_string()
}

fn refs(body: &Value) -> Vec<String> {
    body["orders"]
        .as_array()
        .map(|a| a.iter().map(|o| o["ref_number"].as_str().unwrap_or_default().to_string()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn settings_start_at_the_defaults_merge_partial_puts_and_name_bad_fields() {
    let env = TestEnv::start().await;
    let t = env.signup().await;
    let (conn, _) = env.create_connection(&t).await;
    let path = format!("/api/v1/connections/{conn}/settings");

    let got = env.get(Some(&t), &path).await;
    assert_eq!(got.status, 200, "{}", got.body);
    let created = env.get(Some(&t), &format!("/api/v1/connections/{conn}")).await;
    let created_day = created.body["created_at"].as_str().unwrap_or_default().get(..10).unwrap_or_default().to_string();
    assert_eq!(
        got.body,
        json!({
            "sync_orders_to_shipstation": true, "transaction_types": ["invoice"], "class_filter": null,
            "store_id": null, "write_tracking_to_quickbooks": true, "write_shipping_cost_to_quickbooks": false,
            "export_order_statuses": ["shipped"], "shipping_item_name": "Shipping", "sync_from": created_day,
            "fractional_quantities": "reject", "tracking_field": "memo"
        })
    );

    // A partial body changes only what it names.
    let put = env
        .put_json(Some(&t), &path, &json!({"store_id": 12345, "transaction_types": ["invoice", "sales_order"]}))
        .await;
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(put.body["store_id"], 12345);
    assert_eq!(put.body["transaction_types"], json!(["invoice", "sales_order"]));
    assert_eq!(put.body["shipping_item_name"], "Shipping");

    // A full object round-trips.
    let mut full = put.body.clone();
    full["class_filter"] = json!("Wholesale");
    full["sync_from"] = json!("2026-01-15");
    full["fractional_quantities"] = json!("round_up");
    full["tracking_field"] = json!("custom:Tracking");
    full["write_shipping_cost_to_quickbooks"] = json!(true);
    let put = env.put_json(Some(&t), &path, &full).await;
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(put.body, full);
    assert_eq!(env.get(Some(&t), &path).await.body, full);

    for (body, starts) in [
        (json!({"transaction_types": ["estimate"]}), "transaction_types: unknown type \"estimate\""),
        (json!({"colour": "blue"}), "colour: unknown field"),
        (json!({"store_id": "abc"}), "store_id:"),
        (json!({"sync_from": "yesterday"}), "sync_from:"),
        (json!({"export_order_statuses": ["lost"]}), "export_order_statuses:"),
        (json!({"tracking_field": "notes"}), "tracking_field:"),
        (json!({"sync_orders_to_shipstation": "yes"}), "sync_orders_to_shipstation:"),
        (json!([1, 2]), "body:"),
    ] {
        let bad = env.put_json(Some(&t), &path, &body).await;
        assert_eq!(bad.status, 422, "{body}: {}", bad.body);
        assert_eq!(bad.error_code(), Some("validation_failed"));
        assert!(message(&bad).starts_with(starts), "{body}: {}", message(&bad));
    }
    // Nothing of the refused bodies was saved.
    assert_eq!(env.get(Some(&t), &path).await.body, full);

    let other = env.signup().await;
    assert_eq!(env.get(Some(&other), &path).await.status, 404);
    assert_eq!(env.put_json(Some(&other), &path, &json!({"store_id": 1})).await.status, 404);
    assert_eq!(env.get(Some(&t), "/api/v1/connections/not-a-uuid/settings").await.status, 404);
    assert_eq!(env.get(None, &path).await.status, 401);
    assert_eq!(env.get(Some(&t), &path).await.body, full);
}

#[tokio::test]
async fn test_sales_are_recorded_once_while_waiting_and_sync_runs_list_newest_first() {
    let env = TestEnv::start().await;
    let t = env.signup().await;
    let (conn, _) = env.create_connection(&t).await;
    let db = env.db().await;
    let path = format!("/api/v1/connections/{conn}/test-sales");

    let first = env.post_json(Some(&t), &path, &json!({"order_numbers": "1001, 1002\n1003 1001"})).await;
    assert_eq!(first.status, 202, "{}", first.body);
    assert_eq!(first.body, json!({"order_numbers": ["1001", "1002", "1003"]}));
    let second = env.post_json(Some(&t), &path, &json!({"order_numbers": ["1002", 1004]})).await;
    assert_eq!(second.status, 202, "{}", second.body);
    assert_eq!(second.body["order_numbers"], json!(["1002", "1004"]));

    let open = |db: PgPool| async move {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT ref_number FROM test_sale_requests WHERE connection_id = $1 AND fetched_at IS NULL ORDER BY ref_number",
        )
        .bind(conn)
        .fetch_all(&db)
        .await
        .expect("rows");
        rows.into_iter().map(|r| r.0).collect::<Vec<_>>()
    };
    assert_eq!(open(db.clone()).await, ["1001", "1002", "1003", "1004"]);

    // Once fetched, the same number can be asked for again.
    sqlx::query("UPDATE test_sale_requests SET fetched_at = now() WHERE ref_number = '1001'")
        .execute(&db)
        .await
        .expect("fetch");
    assert_eq!(env.post_json(Some(&t), &path, &json!({"order_numbers": "1001"})).await.status, 202);
    let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM test_sale_requests WHERE ref_number = '1001'")
        .fetch_one(&db)
        .await
        .expect("count");
    assert_eq!(n, 2);

    for body in [json!({"order_numbers": " ,\n "}), json!({}), json!({"order_numbers": "x".repeat(51)}), json!({"order_numbers": 7})] {
        let bad = env.post_json(Some(&t), &path, &body).await;
        assert_eq!(bad.status, 422, "{body}: {}", bad.body);
        assert!(message(&bad).starts_with("order_numbers:"), "{}", message(&bad));
    }

    // Runs: newest first, at most 100.
    let tenant = tid(&t);
    sqlx::query(
        "INSERT INTO sync_runs (id, tenant_id, connection_id, started_at, ended_at, status, sales_received, requests_sent, error)
         SELECT gen_random_uuid(), $1, $2, now() - g * interval '1 hour', now() - g * interval '1 hour' + interval '1 minute',
                CASE WHEN g = 1 THEN 'failed' ELSE 'succeeded' END, g, g + 1,
                CASE WHEN g = 1 THEN 'QuickBooks is not running' END
         FROM generate_series(1, 105) g",
    )
    .bind(tenant)
    .bind(conn)
    .execute(&db)
    .await
    .expect("seed runs");
    let runs_path = format!("/api/v1/connections/{conn}/sync-runs");
    let runs = env.get(Some(&t), &runs_path).await;
    assert_eq!(runs.status, 200, "{}", runs.body);
    let list = runs.body["runs"].as_array().cloned().unwrap_or_default();
    assert_eq!(list.len(), 100);
    assert_eq!(list[0]["status"], "failed");
    assert_eq!(list[0]["error"], "QuickBooks is not running");
    assert_eq!((list[0]["sales_received"].clone(), list[0]["requests_sent"].clone()), (json!(1), json!(2)));
    assert!(list[0]["ended_at"].is_string() && list[0]["id"].is_string());
    assert_eq!(list[99]["sales_received"], 100);
    assert!(list.windows(2).all(|w| w[0]["started_at"].as_str() > w[1]["started_at"].as_str()));

    let other = env.signup().await;
    assert_eq!(env.post_json(Some(&other), &path, &json!({"order_numbers": "1"})).await.status, 404);
    assert_eq!(env.get(Some(&other), &runs_path).await.status, 404);
    let (foreign,): (i64,) = sqlx::query_as("SELECT count(*) FROM test_sale_requests WHERE tenant_id <> $1")
        .bind(tenant)
        .fetch_one(&db)
        .await
        .expect("count");
    assert_eq!(foreign, 0);
}

#[tokio::test]
async fn rules_are_validated_listed_by_priority_replaced_and_deleted() {
    let env = TestEnv::start().await;
    let t = env.signup().await;
    let (conn, _) = env.create_connection(&t).await;
    let (conn2, _) = env.create_connection(&t).await;
    let path = format!("/api/v1/connections/{conn}/rules");
    let rule = |name: &str, priority: i32| {
        json!({"name": name, "priority": priority,
               "conditions": [{"field": "ship_to.state", "op": "in", "value": ["AK", "HI"]}],
               "actions": [{"field": "orderStatus", "value": "on_hold"}]})
    };

    let mut ids = Vec::new();
    for (name, p) in [("Five", 5), ("One", 1), ("Three", 3)] {
        let created = env.post_json(Some(&t), &path, &rule(name, p)).await;
        assert_eq!(created.status, 201, "{}", created.body);
        assert_eq!(created.body["enabled"], true);
        assert_eq!(created.body["conditions"][0], json!({"field": "ship_to.state", "op": "in", "value": ["AK", "HI"]}));
        let keys: Vec<&String> = created.body.as_object().map(|o| o.keys().collect()).unwrap_or_default();
        assert_eq!(keys.len(), 6, "exactly the contract's fields: {}", created.body);
        ids.push(created.body["id"].as_str().expect("id").to_string());
    }
    let names = |body: &Value| -> Vec<String> {
        body["rules"].as_array().map(|a| a.iter().map(|r| r["name"].as_str().unwrap_or_default().to_string()).collect()).unwrap_or_default()
    };
    let listed = env.get(Some(&t), &path).await;
    assert_eq!(listed.status, 200);
    assert_eq!(names(&listed.body), ["One", "Three", "Five"]);

    let one = format!("{path}/{}", ids[0]);
    let got = env.get(Some(&t), &one).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body["name"], "Five");

    let mut replaced = rule("Zero", 0);
    replaced["enabled"] = json!(false);
    let put = env.put_json(Some(&t), &one, &replaced).await;
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!((put.body["id"].as_str(), put.body["enabled"].clone()), (Some(ids[0].as_str()), json!(false)));
    assert_eq!(names(&env.get(Some(&t), &path).await.body), ["Zero", "One", "Three"]);

    for (body, starts) in [
        (json!({"name": "x", "conditions": [{"field": "colour", "op": "equals", "value": "red"}], "actions": [{"field": "orderStatus", "value": "on_hold"}]}), "conditions[0].field: unknown field \"colour\""),
        (json!({"name": "x", "conditions": [{"field": "company", "op": "like", "value": "a"}], "actions": [{"field": "orderStatus", "value": "on_hold"}]}), "conditions[0].op: unknown op \"like\""),
        (json!({"name": "x", "actions": [{"field": "advancedOptions.colour", "value": 1}]}), "actions[0].field:"),
        (json!({"name": " ", "actions": [{"field": "orderStatus", "value": "on_hold"}]}), "name:"),
    ] {
        let bad = env.post_json(Some(&t), &path, &body).await;
        assert_eq!(bad.status, 422, "{body}: {}", bad.body);
        assert!(message(&bad).starts_with(starts), "{}", message(&bad));
        assert_eq!(env.put_json(Some(&t), &one, &body).await.status, 422);
    }
    assert_eq!(env.get(Some(&t), &path).await.body["rules"].as_array().map(Vec::len), Some(3));

    // The rule belongs to its connection: the tenant's other connection does not see it.
    let elsewhere = format!("/api/v1/connections/{conn2}/rules/{}", ids[1]);
    assert_eq!(env.get(Some(&t), &elsewhere).await.status, 404);
    assert_eq!(env.put_json(Some(&t), &elsewhere, &rule("x", 1)).await.status, 404);
    assert_eq!(env.delete(Some(&t), &elsewhere).await.status, 404);
    assert_eq!(env.get(Some(&t), &format!("{path}/not-a-uuid")).await.status, 404);

    let other = env.signup().await;
    let two = format!("{path}/{}", ids[1]);
    assert_eq!(env.get(Some(&other), &path).await.status, 404);
    assert_eq!(env.post_json(Some(&other), &path, &rule("x", 1)).await.status, 404);
    assert_eq!(env.get(Some(&other), &two).await.status, 404);
    assert_eq!(env.put_json(Some(&other), &two, &rule("x", 1)).await.status, 404);
    assert_eq!(env.delete(Some(&other), &two).await.status, 404);
    assert_eq!(env.post_json(Some(&other), &format!("{path}/preview"), &json!({"ref_number": "1"})).await.status, 404);

    assert_eq!(env.delete(Some(&t), &two).await.status, 204);
    assert_eq!(env.get(Some(&t), &two).await.status, 404);
    assert_eq!(env.delete(Some(&t), &two).await.status, 404);
    assert_eq!(names(&env.get(Some(&t), &path).await.body), ["Zero", "Three"]);
}

#[tokio::test]
async fn preview_shows_the_order_a_sale_would_be_sent_as_after_the_rules() {
    let env = TestEnv::start().await;
    let t = env.signup().await;
    let (conn, account) = env.create_connection(&t).await;
    let db = env.db().await;
    let tenant = tid(&t);
    let target_store = account.stores.iter().find(|s| s.store_name == "Target Store").map(|s| s.store_id).expect("target store");

    let target = QbCustomer {
        list_id: "LIST-Target".into(),
        full_name: "Target".into(),
        company_name: Some("Target".into()),
        email: Some("receiving@target.example".into()),
        ..QbCustomer::default()
    };
    seed_customer(&db, tenant, conn, &target).await;
    seed_sale(&db, tenant, conn, &sale("2001", "Target")).await;
    seed_sale(&db, tenant, conn, &sale("2002", "Corner Shop")).await;
    let mut unshippable = sale("2003", "Nowhere Inc");
    unshippable.ship_address = None;
    seed_sale(&db, tenant, conn, &unshippable).await;

    let rules = format!("/api/v1/connections/{conn}/rules");
    let created = env
        .post_json(
            Some(&t),
            &rules,
            &json!({"name": "Target ships on Target's account", "priority": 10,
                    "conditions": [{"field": "company", "op": "equals", "value": "target"}],
                    "actions": [{"field": "advancedOptions.storeId", "value": target_store},
                                {"field": "advancedOptions.billToParty", "value": "third_party"},
                                {"field": "advancedOptions.billToAccount", "value": "TGT-998"},
                                {"field": "advancedOptions.billToPostalCode", "value": "55403"},
                                {"field": "advancedOptions.billToCountryCode", "value": "United States"}]}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let created = env
        .post_json(
            Some(&t),
            &rules,
            &json!({"name": "Internal note", "priority": 1,
                    "actions": [{"field": "internalNotes", "value": "From QuickBooks"}]}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);

    let preview = format!("{rules}/preview");
    let got = env.post_json(Some(&t), &preview, &json!({"ref_number": "2001"})).await;
    assert_eq!(got.status, 200, "{}", got.body);
    let o = &got.body;
    assert_eq!(o["orderNumber"], "2001");
    assert_eq!(o["orderKey"], shared::mapping::order_key(conn, "TX-2001"));
    assert_eq!(o["orderStatus"], "awaiting_shipment");
    assert_eq!(o["customerEmail"], "receiving@target.example");
    assert_eq!(o["shipTo"]["state"], "MN");
    assert_eq!(o["items"][0]["sku"], "Widget");
    assert_eq!(o["items"][0]["quantity"], 2);
    assert_eq!(o["internalNotes"], "From QuickBooks");
    let adv = &o["advancedOptions"];
    assert_eq!(adv["storeId"], target_store);
    assert_eq!(adv["billToParty"], "third_party");
    assert_eq!(adv["billToAccount"], "TGT-998");
    assert_eq!(adv["billToPostalCode"], "55403");
    assert_eq!(adv["billToCountryCode"], "US");
    // Nothing was sent.
    assert!(env.fake.orders(&account.api_key).is_empty());

    // Not Target: the account's manual store, and no third-party billing.
    let got = env.post_json(Some(&t), &preview, &json!({"ref_number": " 2002 "})).await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(got.body["advancedOptions"]["storeId"], account.manual_store_id());
    assert!(got.body["advancedOptions"].get("billToParty").is_none());

    // The settings' store wins over the manual store.
    let put = env.put_json(Some(&t), &format!("/api/v1/connections/{conn}/settings"), &json!({"store_id": 777})).await;
    assert_eq!(put.status, 200);
    let got = env.post_json(Some(&t), &preview, &json!({"ref_number": "2002"})).await;
    assert_eq!(got.body["advancedOptions"]["storeId"], 777);
    env.put_json(Some(&t), &format!("/api/v1/connections/{conn}/settings"), &json!({"store_id": null})).await;

    let missing = env.post_json(Some(&t), &preview, &json!({"ref_number": "9999"})).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.error_code(), Some("not_found"));
    let unmappable = env.post_json(Some(&t), &preview, &json!({"ref_number": "2003"})).await;
    assert_eq!(unmappable.status, 422, "{}", unmappable.body);
    assert!(message(&unmappable).contains("no ship-to or bill-to address"), "{}", unmappable.body);
    let no_ref = env.post_json(Some(&t), &preview, &json!({})).await;
    assert_eq!(no_ref.status, 422);
    assert!(message(&no_ref).starts_with("ref_number:"));

    // ShipStation unreachable: the preview still answers, without a store.
    sqlx::query("UPDATE connections SET base_url = 'http://127.0.0.1:9' WHERE id = $1")
        .bind(conn)
        .execute(&db)
        .await
        .expect("break base_url");
    let got = env.post_json(Some(&t), &preview, &json!({"ref_number": "2002"})).await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(got.body["advancedOptions"]["storeId"], Value::Null);
}

/// Five orders of connection A (newest last in the list below) and one of connection B.
async fn seed_orders(env: &TestEnv, t: &Tenant, a: Uuid, b: Uuid) -> Vec<Uuid> {
    let db = env.db().await;
    let tenant = tid(t);
    let mut ids = Vec::new();
    for (i, (r, customer, status)) in [
        ("1001", "Acme Corp", "pending"),
        ("1002", "Beta LLC", "failed"),
        ("1003", "acme west", "shipped"),
        ("50%OFF", "Gamma", "skipped"),
        ("1005", "Delta", "pushed"),
    ]
    .into_iter()
    .enumerate()
    {
        let minutes = 10 - i32::try_from(i).unwrap_or(0);
        ids.push(seed_order(&db, tenant, a, &sale(r, customer), status, minutes).await);
    }
    sqlx::query("UPDATE orders SET last_error = 'ShipStation said no', attempts = 3 WHERE id = $1")
        .bind(ids[1])
        .execute(&db)
        .await
        .expect("failed");
    sqlx::query(
        "UPDATE orders SET shipstation_order_id = 555, store_id = 42, tracking_numbers = '{1Z999}', shipping_cost = 7.25
         WHERE id = $1",
    )
    .bind(ids[2])
    .execute(&db)
    .await
    .expect("shipped");
    sqlx::query("UPDATE orders SET skip_reason = 'Sales Order sales are not selected' WHERE id = $1")
        .bind(ids[3])
        .execute(&db)
        .await
        .expect("skipped");
    seed_event(&db, tenant, ids[2], 1, "shipped", "Shipped with UPS 1Z999").await;
    seed_event(&db, tenant, ids[2], 9, "received", "Invoice 1003 received from QuickBooks.").await;
    seed_event(&db, tenant, ids[2], 8, "pushed", "Sent to ShipStation").await;
    seed_order(&db, tenant, b, &sale("1001", "Acme Corp"), "pending", 0).await;
    ids
}

#[tokio::test]
async fn orders_are_listed_newest_first_filtered_searched_and_paged() {
    let env = TestEnv::start().await;
    let t = env.signup().await;
    let (a, _) = env.create_connection(&t).await;
    let (b, _) = env.create_connection(&t).await;
    let ids = seed_orders(&env, &t, a, b).await;
    let list = |query: &str| format!("/api/v1/connections/{a}/orders{query}");

    let all = env.get(Some(&t), &list("")).await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert_eq!(refs(&all.body), ["1005", "50%OFF", "1003", "1002", "1001"]);
    assert_eq!((all.body["page"].clone(), all.body["per_page"].clone(), all.body["total"].clone()), (json!(1), json!(50), json!(5)));

    let shipped = &all.body["orders"][2];
    for key in ["id", "txn_type", "txn_id", "ref_number", "txn_date", "customer_name", "status", "shipstation_order_id",
        "order_key", "store_id", "tracking_numbers", "shipping_cost", "last_error", "updated_at", "skip_reason"]
    {
        assert!(shipped.get(key).is_some(), "order has {key}: {shipped}");
    }
    assert_eq!(shipped["id"], ids[2].to_string());
    assert_eq!(shipped["txn_type"], "invoice");
    assert_eq!(shipped["txn_id"], "TX-1003");
    assert_eq!(shipped["txn_date"], "2026-03-02");
    assert_eq!(shipped["customer_name"], "acme west");
    assert_eq!(shipped["shipstation_order_id"], 555);
    assert_eq!(shipped["store_id"], 42);
    assert_eq!(shipped["tracking_numbers"], json!(["1Z999"]));
    assert_eq!(shipped["shipping_cost"], json!(7.25));
    assert_eq!(all.body["orders"][3]["last_error"], "ShipStation said no");
    assert_eq!(all.body["orders"][1]["skip_reason"], "Sales Order sales are not selected");

    let failed = env.get(Some(&t), &list("?status=failed")).await;
    assert_eq!((refs(&failed.body), failed.body["total"].clone()), (vec!["1002".to_string()], json!(1)));
    let acme = env.get(Some(&t), &list("?q=ACME")).await;
    assert_eq!(refs(&acme.body), ["1003", "1001"]);
    let acme_pending = env.get(Some(&t), &list("?q=acme&status=pending")).await;
    assert_eq!(refs(&acme_pending.body), ["1001"]);
    let by_ref = env.get(Some(&t), &list("?q=100")).await;
    assert_eq!(refs(&by_ref.body), ["1005", "1003", "1002", "1001"]);
    let percent = env.get(Some(&t), &list("?q=%25")).await;
    assert_eq!(refs(&percent.body), ["50%OFF"]);
    let underscore = env.get(Some(&t), &list("?q=10_3")).await;
    assert_eq!((refs(&underscore.body).len(), underscore.body["total"].clone()), (0, json!(0)));
    let blank = env.get(Some(&t), &list("?status=&q=&page=")).await;
    assert_eq!(blank.body["total"], 5);

    let page2 = env.get(Some(&t), &list("?page=2&per_page=2")).await;
    assert_eq!(page2.status, 200);
    assert_eq!(refs(&page2.body), ["1003", "1002"]);
    assert_eq!((page2.body["page"].clone(), page2.body["per_page"].clone(), page2.body["total"].clone()), (json!(2), json!(2), json!(5)));
    let past = env.get(Some(&t), &list("?page=9&per_page=2")).await;
    assert_eq!((refs(&past.body).len(), past.body["total"].clone()), (0, json!(5)));

    for (query, field) in [("?status=lost", "status:"), ("?per_page=0", "per_page:"), ("?per_page=201", "per_page:"), ("?page=0", "page:"), ("?page=two", "page:")] {
        let bad = env.get(Some(&t), &list(query)).await;
        assert_eq!(bad.status, 422, "{query}: {}", bad.body);
        assert!(message(&bad).starts_with(field), "{query}: {}", message(&bad));
    }

    // Detail: the order plus its events, oldest first.
    let detail = env.get(Some(&t), &format!("/api/v1/connections/{a}/orders/{}", ids[2])).await;
    assert_eq!(detail.status, 200, "{}", detail.body);
    assert_eq!(detail.body["ref_number"], "1003");
    let kinds: Vec<&str> = detail.body["events"].as_array().map(|e| e.iter().filter_map(|e| e["kind"].as_str()).collect()).unwrap_or_default();
    assert_eq!(kinds, ["received", "pushed", "shipped"]);
    assert_eq!(detail.body["events"][0]["message"], "Invoice 1003 received from QuickBooks.");
    assert!(detail.body["events"][0]["at"].is_string());

    // Another connection's order, or another tenant, is a 404.
    let b_orders = env.get(Some(&t), &format!("/api/v1/connections/{b}/orders")).await;
    assert_eq!(b_orders.body["total"], 1);
    let b_order = b_orders.body["orders"][0]["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(env.get(Some(&t), &format!("/api/v1/connections/{a}/orders/{b_order}")).await.status, 404);
    assert_eq!(env.get(Some(&t), &format!("/api/v1/connections/{a}/orders/nope")).await.status, 404);
    let other = env.signup().await;
    let (other_conn, _) = env.create_connection(&other).await;
    assert_eq!(env.get(Some(&other), &list("")).await.status, 404);
    assert_eq!(env.get(Some(&other), &format!("/api/v1/connections/{a}/orders/{}", ids[2])).await.status, 404);
    assert_eq!(env.get(Some(&other), &format!("/api/v1/connections/{other_conn}/orders/{}", ids[2])).await.status, 404);
    assert_eq!(env.get(Some(&other), &format!("/api/v1/connections/{other_conn}/orders")).await.body["total"], 0);
}

#[tokio::test]
async fn resend_makes_an_order_pending_again_and_queues_its_push() {
    let env = TestEnv::start().await;
    let t = env.signup().await;
    let (a, _) = env.create_connection(&t).await;
    let (b, _) = env.create_connection(&t).await;
    let ids = seed_orders(&env, &t, a, b).await;
    let db = env.db().await;
    let resend = |order: Uuid| format!("/api/v1/connections/{a}/orders/{order}/resend");

    let other = env.signup().await;
    assert_eq!(env.post_json(Some(&other), &resend(ids[1]), &json!({})).await.status, 404);

    let done = env.post_json(Some(&t), &resend(ids[1]), &json!({})).await;
    assert_eq!(done.status, 202, "{}", done.body);
    assert_eq!(done.body["status"], "pending");
    let row: (String, Option<String>, i32, bool) = sqlx::query_as(
        "SELECT status, last_error, attempts, push_requested_at > now() - interval '1 minute' FROM orders WHERE id = $1",
    )
    .bind(ids[1])
    .fetch_one(&db)
    .await
    .expect("order");
    assert_eq!(row, ("pending".to_string(), None, 0, true));
    let detail = env.get(Some(&t), &format!("/api/v1/connections/{a}/orders/{}", ids[1])).await;
    let last = detail.body["events"].as_array().and_then(|e| e.last()).cloned().unwrap_or_default();
    assert_eq!((last["kind"].as_str(), last["message"].as_str()), (Some("resend"), Some("Resend requested")));

    // The push job is in this environment's order-push queue.
    let client = redis::Client::open(redis_url()).expect("redis");
    let mut conn = client.get_multiplexed_async_connection().await.expect("redis connection");
    let jobs: Vec<String> = redis::cmd("HVALS")
        .arg(format!("{}:order-push:data", env.redis_namespace))
        .query_async(&mut conn)
        .await
        .expect("HVALS");
    assert!(jobs.iter().any(|j| j.contains(&ids[1].to_string()) && j.contains(&t.tenant_id)), "queued jobs: {jobs:?}");

    // A skipped order can be forced; its skip reason goes.
    let skipped = env.post_json(Some(&t), &resend(ids[3]), &json!({})).await;
    assert_eq!(skipped.status, 202);
    assert_eq!(skipped.body["skip_reason"], Value::Null);

    // A shipped order cannot be sent again.
    let shipped = env.post_json(Some(&t), &resend(ids[2]), &json!({})).await;
    assert_eq!(shipped.status, 409, "{}", shipped.body);
    assert_eq!(shipped.error_code(), Some("order_shipped"));
    let (status,): (String,) = sqlx::query_as("SELECT status FROM orders WHERE id = $1").bind(ids[2]).fetch_one(&db).await.expect("status");
    assert_eq!(status, "shipped");

    assert_eq!(env.post_json(Some(&t), &format!("/api/v1/connections/{b}/orders/{}/resend", ids[0]), &json!({})).await.status, 404);
}
