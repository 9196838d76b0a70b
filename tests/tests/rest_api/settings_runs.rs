//! Sync settings, test sales and Web Connector runs.

use super::seed::*;
use super::*;

#[tokio::test]
async fn settings_start_at_the_defaults_merge_partial_puts_and_name_bad_fields() {
    let env = TestEnv::start().await;
    let t = env.signup().await;
    let (conn, _) = env.create_connection(&t).await;
    let path = format!("/api/v1/connections/{conn}/settings");

    let got = env.get(Some(&t), &path).await;
    assert_eq!(got.status, 200, "{}", got.body);
    let created = env
        .get(Some(&t), &format!("/api/v1/connections/{conn}"))
        .await;
    // The day the connection was made: the date of its created_at (UTC).
    let created_day = created.body["created_at"]
        .as_str()
        .and_then(|t| t.get(..10))
        .unwrap_or_default()
        .to_owned();
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
        .put_json(
            Some(&t),
            &path,
            &json!({"store_id": 12345, "transaction_types": ["invoice", "sales_order"]}),
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(put.body["store_id"], 12345);
    assert_eq!(
        put.body["transaction_types"],
        json!(["invoice", "sales_order"])
    );
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
        (
            json!({"transaction_types": ["estimate"]}),
            "transaction_types: unknown type \"estimate\"",
        ),
        (json!({"colour": "blue"}), "colour: unknown field"),
        (json!({"store_id": "abc"}), "store_id:"),
        (json!({"sync_from": "yesterday"}), "sync_from:"),
        (
            json!({"export_order_statuses": ["lost"]}),
            "export_order_statuses:",
        ),
        (json!({"tracking_field": "notes"}), "tracking_field:"),
        (
            json!({"sync_orders_to_shipstation": "yes"}),
            "sync_orders_to_shipstation:",
        ),
        (json!([1, 2]), "body:"),
    ] {
        let bad = env.put_json(Some(&t), &path, &body).await;
        assert_eq!(bad.status, 422, "{body}: {}", bad.body);
        assert_eq!(bad.error_code(), Some("validation_failed"));
        assert!(
            message(&bad).starts_with(starts),
            "{body}: {}",
            message(&bad)
        );
    }
    // Nothing of the refused bodies was saved.
    assert_eq!(env.get(Some(&t), &path).await.body, full);

    let other = env.signup().await;
    assert_eq!(env.get(Some(&other), &path).await.status, 404);
    assert_eq!(
        env.put_json(Some(&other), &path, &json!({"store_id": 1}))
            .await
            .status,
        404
    );
    assert_eq!(
        env.get(Some(&t), "/api/v1/connections/not-a-uuid/settings")
            .await
            .status,
        404
    );
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

    let first = env
        .post_json(
            Some(&t),
            &path,
            &json!({"order_numbers": "1001, 1002\n1003 1001"}),
        )
        .await;
    assert_eq!(first.status, 202, "{}", first.body);
    assert_eq!(
        first.body,
        json!({"order_numbers": ["1001", "1002", "1003"]})
    );
    let second = env
        .post_json(Some(&t), &path, &json!({"order_numbers": ["1002", 1004]}))
        .await;
    assert_eq!(second.status, 202, "{}", second.body);
    assert_eq!(second.body["order_numbers"], json!(["1002", "1004"]));

    let open = |db: sqlx::PgPool| async move {
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
    assert_eq!(
        env.post_json(Some(&t), &path, &json!({"order_numbers": "1001"}))
            .await
            .status,
        202
    );
    let (n,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM test_sale_requests WHERE ref_number = '1001'")
            .fetch_one(&db)
            .await
            .expect("count");
    assert_eq!(n, 2);

    for body in [
        json!({"order_numbers": " ,\n "}),
        json!({}),
        json!({"order_numbers": "x".repeat(51)}),
        json!({"order_numbers": 7}),
    ] {
        let bad = env.post_json(Some(&t), &path, &body).await;
        assert_eq!(bad.status, 422, "{body}: {}", bad.body);
        assert!(
            message(&bad).starts_with("order_numbers:"),
            "{}",
            message(&bad)
        );
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
    assert_eq!(
        (
            list[0]["sales_received"].clone(),
            list[0]["requests_sent"].clone()
        ),
        (json!(1), json!(2))
    );
    assert!(list[0]["ended_at"].is_string() && list[0]["id"].is_string());
    assert_eq!(list[99]["sales_received"], 100);
    assert!(list
        .windows(2)
        .all(|w| w[0]["started_at"].as_str() > w[1]["started_at"].as_str()));

    let other = env.signup().await;
    assert_eq!(
        env.post_json(Some(&other), &path, &json!({"order_numbers": "1"}))
            .await
            .status,
        404
    );
    assert_eq!(env.get(Some(&other), &runs_path).await.status, 404);
    let (foreign,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM test_sale_requests WHERE tenant_id <> $1")
            .bind(tenant)
            .fetch_one(&db)
            .await
            .expect("count");
    assert_eq!(foreign, 0);
}
