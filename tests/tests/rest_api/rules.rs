//! Rules CRUD, validation, ordering, and the preview.

use super::seed::*;
use super::*;

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
        assert_eq!(
            created.body["conditions"][0],
            json!({"field": "ship_to.state", "op": "in", "value": ["AK", "HI"]})
        );
        let keys: Vec<&String> = created
            .body
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        assert_eq!(
            keys.len(),
            6,
            "exactly the contract's fields: {}",
            created.body
        );
        ids.push(created.body["id"].as_str().expect("id").to_string());
    }
    let names = |body: &Value| -> Vec<String> {
        body["rules"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|r| r["name"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
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
    assert_eq!(
        (put.body["id"].as_str(), put.body["enabled"].clone()),
        (Some(ids[0].as_str()), json!(false))
    );
    assert_eq!(
        names(&env.get(Some(&t), &path).await.body),
        ["Zero", "One", "Three"]
    );

    for (body, starts) in [
        (
            json!({"name": "x", "conditions": [{"field": "colour", "op": "equals", "value": "red"}], "actions": [{"field": "orderStatus", "value": "on_hold"}]}),
            "conditions[0].field: unknown field \"colour\"",
        ),
        (
            json!({"name": "x", "conditions": [{"field": "company", "op": "like", "value": "a"}], "actions": [{"field": "orderStatus", "value": "on_hold"}]}),
            "conditions[0].op: unknown op \"like\"",
        ),
        (
            json!({"name": "x", "actions": [{"field": "advancedOptions.colour", "value": 1}]}),
            "actions[0].field:",
        ),
        (
            json!({"name": "x", "priority": "high", "actions": [{"field": "orderStatus", "value": "on_hold"}]}),
            "priority:",
        ),
        (
            json!({"name": " ", "actions": [{"field": "orderStatus", "value": "on_hold"}]}),
            "name:",
        ),
    ] {
        let bad = env.post_json(Some(&t), &path, &body).await;
        assert_eq!(bad.status, 422, "{body}: {}", bad.body);
        assert!(message(&bad).starts_with(starts), "{}", message(&bad));
        assert_eq!(env.put_json(Some(&t), &one, &body).await.status, 422);
    }
    assert_eq!(
        env.get(Some(&t), &path).await.body["rules"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );

    // The rule belongs to its connection: the tenant's other connection does not see it.
    let elsewhere = format!("/api/v1/connections/{conn2}/rules/{}", ids[1]);
    assert_eq!(env.get(Some(&t), &elsewhere).await.status, 404);
    assert_eq!(
        env.put_json(Some(&t), &elsewhere, &rule("x", 1))
            .await
            .status,
        404
    );
    assert_eq!(env.delete(Some(&t), &elsewhere).await.status, 404);
    assert_eq!(
        env.get(Some(&t), &format!("{path}/not-a-uuid"))
            .await
            .status,
        404
    );

    let other = env.signup().await;
    let two = format!("{path}/{}", ids[1]);
    assert_eq!(env.get(Some(&other), &path).await.status, 404);
    assert_eq!(
        env.post_json(Some(&other), &path, &rule("x", 1))
            .await
            .status,
        404
    );
    assert_eq!(env.get(Some(&other), &two).await.status, 404);
    assert_eq!(
        env.put_json(Some(&other), &two, &rule("x", 1)).await.status,
        404
    );
    assert_eq!(env.delete(Some(&other), &two).await.status, 404);
    assert_eq!(
        env.post_json(
            Some(&other),
            &format!("{path}/preview"),
            &json!({"ref_number": "1"})
        )
        .await
        .status,
        404
    );
    // Even with a body that would not pass validation.
    assert_eq!(
        env.post_json(Some(&other), &format!("{path}/preview"), &json!({}))
            .await
            .status,
        404
    );

    assert_eq!(env.delete(Some(&t), &two).await.status, 204);
    assert_eq!(env.get(Some(&t), &two).await.status, 404);
    assert_eq!(env.delete(Some(&t), &two).await.status, 404);
    assert_eq!(
        names(&env.get(Some(&t), &path).await.body),
        ["Zero", "Three"]
    );
}

#[tokio::test]
async fn preview_shows_the_order_a_sale_would_be_sent_as_after_the_rules() {
    let env = TestEnv::start().await;
    let t = env.signup().await;
    let (conn, account) = env.create_connection(&t).await;
    let db = env.db().await;
    let tenant = tid(&t);
    let target_store = account
        .stores
        .iter()
        .find(|s| s.store_name == "Target Store")
        .map(|s| s.store_id)
        .expect("target store");

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
    let got = env
        .post_json(Some(&t), &preview, &json!({"ref_number": "2001"}))
        .await;
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
    let got = env
        .post_json(Some(&t), &preview, &json!({"ref_number": " 2002 "}))
        .await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(
        got.body["advancedOptions"]["storeId"],
        account.manual_store_id()
    );
    assert!(got.body["advancedOptions"].get("billToParty").is_none());

    // The settings' store wins over the manual store.
    let put = env
        .put_json(
            Some(&t),
            &format!("/api/v1/connections/{conn}/settings"),
            &json!({"store_id": 777}),
        )
        .await;
    assert_eq!(put.status, 200);
    let got = env
        .post_json(Some(&t), &preview, &json!({"ref_number": "2002"}))
        .await;
    assert_eq!(got.body["advancedOptions"]["storeId"], 777);
    env.put_json(
        Some(&t),
        &format!("/api/v1/connections/{conn}/settings"),
        &json!({"store_id": null}),
    )
    .await;

    let missing = env
        .post_json(Some(&t), &preview, &json!({"ref_number": "9999"}))
        .await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.error_code(), Some("not_found"));
    let unmappable = env
        .post_json(Some(&t), &preview, &json!({"ref_number": "2003"}))
        .await;
    assert_eq!(unmappable.status, 422, "{}", unmappable.body);
    assert!(
        message(&unmappable).contains("no ship-to or bill-to address"),
        "{}",
        unmappable.body
    );
    let no_ref = env.post_json(Some(&t), &preview, &json!({})).await;
    assert_eq!(no_ref.status, 422);
    assert!(message(&no_ref).starts_with("ref_number:"));

    // ShipStation unreachable: the preview still answers, without a store.
    sqlx::query("UPDATE connections SET base_url = 'http://127.0.0.1:9' WHERE id = $1")
        .bind(conn)
        .execute(&db)
        .await
        .expect("break base_url");
    let got = env
        .post_json(Some(&t), &preview, &json!({"ref_number": "2002"}))
        .await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(got.body["advancedOptions"]["storeId"], Value::Null);
}
