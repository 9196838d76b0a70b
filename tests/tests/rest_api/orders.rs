//! Orders: list, filters, search, paging, detail with events, resend.

use super::seed::*;
use super::*;

/// Five orders of connection A (newest last in the list below) and one of connection B.
pub(crate) async fn seed_orders(env: &TestEnv, t: &Tenant, a: Uuid, b: Uuid) -> Vec<Uuid> {
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
    sqlx::query(
        "UPDATE orders SET skip_reason = 'Sales Order sales are not selected' WHERE id = $1",
    )
    .bind(ids[3])
    .execute(&db)
    .await
    .expect("skipped");
    seed_event(&db, tenant, ids[2], 1, "shipped", "Shipped with UPS 1Z999").await;
    seed_event(
        &db,
        tenant,
        ids[2],
        9,
        "received",
        "Invoice 1003 received from QuickBooks.",
    )
    .await;
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
    assert_eq!(
        (
            all.body["page"].clone(),
            all.body["per_page"].clone(),
            all.body["total"].clone()
        ),
        (json!(1), json!(50), json!(5))
    );

    let shipped = &all.body["orders"][2];
    for key in [
        "id",
        "txn_type",
        "txn_id",
        "ref_number",
        "txn_date",
        "customer_name",
        "status",
        "shipstation_order_id",
        "order_key",
        "store_id",
        "tracking_numbers",
        "shipping_cost",
        "last_error",
        "updated_at",
        "skip_reason",
    ] {
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
    assert_eq!(
        all.body["orders"][1]["skip_reason"],
        "Sales Order sales are not selected"
    );

    let failed = env.get(Some(&t), &list("?status=failed")).await;
    assert_eq!(
        (refs(&failed.body), failed.body["total"].clone()),
        (vec!["1002".to_string()], json!(1))
    );
    let acme = env.get(Some(&t), &list("?q=ACME")).await;
    assert_eq!(refs(&acme.body), ["1003", "1001"]);
    let acme_pending = env.get(Some(&t), &list("?q=acme&status=pending")).await;
    assert_eq!(refs(&acme_pending.body), ["1001"]);
    let by_ref = env.get(Some(&t), &list("?q=100")).await;
    assert_eq!(refs(&by_ref.body), ["1005", "1003", "1002", "1001"]);
    let percent = env.get(Some(&t), &list("?q=%25")).await;
    assert_eq!(refs(&percent.body), ["50%OFF"]);
    let underscore = env.get(Some(&t), &list("?q=10_3")).await;
    assert_eq!(
        (
            refs(&underscore.body).len(),
            underscore.body["total"].clone()
        ),
        (0, json!(0))
    );
    let blank = env.get(Some(&t), &list("?status=&q=&page=")).await;
    assert_eq!(blank.body["total"], 5);

    // An order keeps its place when its sale changes (newest first means first received).
    sqlx::query("UPDATE orders SET updated_at = now() WHERE id = $1")
        .bind(ids[0])
        .execute(&env.db().await)
        .await
        .expect("edit");
    let after_edit = env.get(Some(&t), &list("")).await;
    assert_eq!(
        refs(&after_edit.body),
        ["1005", "50%OFF", "1003", "1002", "1001"]
    );

    let page2 = env.get(Some(&t), &list("?page=2&per_page=2")).await;
    assert_eq!(page2.status, 200);
    assert_eq!(refs(&page2.body), ["1003", "1002"]);
    assert_eq!(
        (
            page2.body["page"].clone(),
            page2.body["per_page"].clone(),
            page2.body["total"].clone()
        ),
        (json!(2), json!(2), json!(5))
    );
    let past = env.get(Some(&t), &list("?page=9&per_page=2")).await;
    assert_eq!(
        (refs(&past.body).len(), past.body["total"].clone()),
        (0, json!(5))
    );

    // Out-of-range paging is clamped and echoed as used.
    for (query, page, per_page) in [
        ("?per_page=0", 1, 1),
        ("?per_page=201", 1, 200),
        ("?page=0&per_page=2", 1, 2),
    ] {
        let clamped = env.get(Some(&t), &list(query)).await;
        assert_eq!(clamped.status, 200, "{query}: {}", clamped.body);
        assert_eq!(
            (
                clamped.body["page"].clone(),
                clamped.body["per_page"].clone()
            ),
            (json!(page), json!(per_page)),
            "{query}"
        );
    }
    for (query, field) in [
        ("?status=lost", "status:"),
        ("?status=failed&status=pending", "query:"),
        ("?page=two", "page:"),
        ("?per_page=many", "per_page:"),
    ] {
        let bad = env.get(Some(&t), &list(query)).await;
        assert_eq!(bad.status, 422, "{query}: {}", bad.body);
        assert!(
            message(&bad).starts_with(field),
            "{query}: {}",
            message(&bad)
        );
    }

    // Detail: the order plus its events, oldest first.
    let detail = env
        .get(
            Some(&t),
            &format!("/api/v1/connections/{a}/orders/{}", ids[2]),
        )
        .await;
    assert_eq!(detail.status, 200, "{}", detail.body);
    assert_eq!(detail.body["ref_number"], "1003");
    let kinds: Vec<&str> = detail.body["events"]
        .as_array()
        .map(|e| e.iter().filter_map(|e| e["kind"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(kinds, ["received", "pushed", "shipped"]);
    assert_eq!(
        detail.body["events"][0]["message"],
        "Invoice 1003 received from QuickBooks."
    );
    assert!(detail.body["events"][0]["at"].is_string());

    // Another connection's order, or another tenant, is a 404.
    let b_orders = env
        .get(Some(&t), &format!("/api/v1/connections/{b}/orders"))
        .await;
    assert_eq!(b_orders.body["total"], 1);
    let b_order = b_orders.body["orders"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        env.get(
            Some(&t),
            &format!("/api/v1/connections/{a}/orders/{b_order}")
        )
        .await
        .status,
        404
    );
    assert_eq!(
        env.get(Some(&t), &format!("/api/v1/connections/{a}/orders/nope"))
            .await
            .status,
        404
    );
    let other = env.signup().await;
    let (other_conn, _) = env.create_connection(&other).await;
    assert_eq!(env.get(Some(&other), &list("")).await.status, 404);
    // A bad filter on a foreign connection is still 404, not 422.
    assert_eq!(
        env.get(Some(&other), &list("?status=lost")).await.status,
        404
    );
    let put = env
        .put_json(
            Some(&other),
            &format!("/api/v1/connections/{a}/settings"),
            &json!([1]),
        )
        .await;
    assert_eq!(put.status, 404, "{}", put.body);
    assert_eq!(
        env.get(
            Some(&other),
            &format!("/api/v1/connections/{a}/orders/{}", ids[2])
        )
        .await
        .status,
        404
    );
    assert_eq!(
        env.get(
            Some(&other),
            &format!("/api/v1/connections/{other_conn}/orders/{}", ids[2])
        )
        .await
        .status,
        404
    );
    assert_eq!(
        env.get(
            Some(&other),
            &format!("/api/v1/connections/{other_conn}/orders")
        )
        .await
        .body["total"],
        0
    );
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
    assert_eq!(
        env.post_json(Some(&other), &resend(ids[1]), &json!({}))
            .await
            .status,
        404
    );

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
    let detail = env
        .get(
            Some(&t),
            &format!("/api/v1/connections/{a}/orders/{}", ids[1]),
        )
        .await;
    let last = detail.body["events"]
        .as_array()
        .and_then(|e| e.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (last["kind"].as_str(), last["message"].as_str()),
        (Some("resend"), Some("Resend requested"))
    );

    // The push job is in this environment's order-push queue.
    let client = redis::Client::open(redis_url()).expect("redis");
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .expect("redis connection");
    let jobs: Vec<String> = redis::cmd("HVALS")
        .arg(format!("{}:order-push:data", env.redis_namespace))
        .query_async(&mut conn)
        .await
        .expect("HVALS");
    assert!(
        jobs.iter()
            .any(|j| j.contains(&ids[1].to_string()) && j.contains(&t.tenant_id)),
        "queued jobs: {jobs:?}"
    );

    // A skipped order can be forced; its skip reason goes.
    let skipped = env.post_json(Some(&t), &resend(ids[3]), &json!({})).await;
    assert_eq!(skipped.status, 202);
    assert_eq!(skipped.body["skip_reason"], Value::Null);

    // A shipped order cannot be sent again.
    let shipped = env.post_json(Some(&t), &resend(ids[2]), &json!({})).await;
    assert_eq!(shipped.status, 409, "{}", shipped.body);
    assert_eq!(shipped.error_code(), Some("order_shipped"));
    let (status,): (String,) = sqlx::query_as("SELECT status FROM orders WHERE id = $1")
        .bind(ids[2])
        .fetch_one(&db)
        .await
        .expect("status");
    assert_eq!(status, "shipped");

    assert_eq!(
        env.post_json(
            Some(&t),
            &format!("/api/v1/connections/{b}/orders/{}/resend", ids[0]),
            &json!({})
        )
        .await
        .status,
        404
    );
}
