//! Issue 6: the OpenAPI document at `/api/v1/openapi.json` covers every `/api/v1` route of the
//! contract, and the real api answers the way the document says (status and body shape).

#[path = "openapi/check.rs"]
mod check;

use quayside_tests::harness::{Reply, Tenant, TestEnv};
use quayside_tests::qb_company::Company;
use quayside_tests::web_connector::{SessionOptions, WebConnector};
use serde_json::{json, Value};

/// Every `/api/v1` route of shared/specs/api-contract.md, as (method, OpenAPI path).
const CONTRACT_ROUTES: [(&str, &str); 26] = [
    ("post", "/api/v1/auth/signup"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/refresh"),
    ("post", "/api/v1/auth/logout"),
    ("get", "/api/v1/me"),
    ("post", "/api/v1/connections"),
    ("get", "/api/v1/connections"),
    ("get", "/api/v1/connections/{id}"),
    ("patch", "/api/v1/connections/{id}"),
    ("delete", "/api/v1/connections/{id}"),
    ("get", "/api/v1/connections/{id}/stores"),
    ("post", "/api/v1/connections/{id}/qbwc"),
    ("get", "/api/v1/connections/{id}/qbwc/qwc"),
    ("get", "/api/v1/connections/{id}/settings"),
    ("put", "/api/v1/connections/{id}/settings"),
    ("post", "/api/v1/connections/{id}/test-sales"),
    ("get", "/api/v1/connections/{id}/rules"),
    ("post", "/api/v1/connections/{id}/rules"),
    ("get", "/api/v1/connections/{id}/rules/{rule_id}"),
    ("put", "/api/v1/connections/{id}/rules/{rule_id}"),
    ("delete", "/api/v1/connections/{id}/rules/{rule_id}"),
    ("post", "/api/v1/connections/{id}/rules/preview"),
    ("get", "/api/v1/connections/{id}/orders"),
    ("get", "/api/v1/connections/{id}/orders/{order_id}"),
    ("post", "/api/v1/connections/{id}/orders/{order_id}/resend"),
    ("get", "/api/v1/connections/{id}/sync-runs"),
];

/// Routes of the contract that take no bearer token.
const PUBLIC: [&str; 4] = [
    "/api/v1/auth/signup",
    "/api/v1/auth/login",
    "/api/v1/auth/refresh",
    "/api/v1/auth/logout",
];

async fn document(env: &TestEnv) -> Value {
    let reply = env.get(None, "/api/v1/openapi.json").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body
}

/// Problems of one real answer against what the document says of `method path`.
fn conformance(doc: &Value, method: &str, path: &str, reply: &Reply) -> Vec<String> {
    let at = format!("{} {path} -> {}", method.to_uppercase(), reply.status);
    let Some(op) = check::operation(doc, method, path) else {
        return vec![format!("{at}: operation not in the document")];
    };
    let Some(response) = op["responses"].get(reply.status.to_string()) else {
        return vec![format!("{at}: status not documented: {}", reply.text)];
    };
    let Some(content) = response["content"].as_object().filter(|c| !c.is_empty()) else {
        return if reply.text.is_empty() {
            Vec::new()
        } else {
            vec![format!(
                "{at}: documented without a body, answered {}",
                reply.text
            )]
        };
    };
    let actual_type = reply
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let Some((_, media)) = content
        .iter()
        .find(|(ty, _)| actual_type.starts_with(ty.as_str()))
    else {
        return vec![format!("{at}: content type {actual_type:?} not documented")];
    };
    if actual_type.starts_with("application/json") {
        check::check(doc, &media["schema"], &reply.body, &at)
    } else {
        Vec::new()
    }
}

/// Records the answer's problems; the test fails at the end with all of them.
struct Audit<'a> {
    doc: &'a Value,
    problems: Vec<String>,
    seen: Vec<(String, String, u16)>,
}

impl Audit<'_> {
    fn expect(&mut self, method: &str, path: &str, reply: &Reply, status: u16) {
        if reply.status != status {
            self.problems.push(format!(
                "{} {path}: expected {status}, got {}: {}",
                method.to_uppercase(),
                reply.status,
                reply.text
            ));
        }
        self.problems
            .extend(conformance(self.doc, method, path, reply));
        self.seen.push((method.into(), path.into(), reply.status));
    }
}

#[tokio::test]
async fn every_contract_route_is_documented_with_its_errors_and_security() {
    let env = TestEnv::start().await;
    let doc = document(&env).await;
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    let scheme = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(
        (scheme["type"].as_str(), scheme["scheme"].as_str()),
        (Some("http"), Some("bearer"))
    );
    let error = &doc["components"]["schemas"]["ErrorBody"];
    assert_eq!(error["required"], json!(["error"]));

    let missing: Vec<String> = CONTRACT_ROUTES
        .iter()
        .filter(|(m, p)| check::operation(&doc, m, p).is_none())
        .map(|(m, p)| format!("{} {p}", m.to_uppercase()))
        .collect();
    assert!(
        missing.is_empty(),
        "contract routes missing from the document: {missing:?}"
    );

    for (method, path) in CONTRACT_ROUTES {
        let op = check::operation(&doc, method, path).expect("checked above");
        let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
        assert_eq!(
            secured,
            !PUBLIC.contains(&path),
            "{method} {path}: bearer security"
        );
        let responses = op["responses"].as_object().expect("responses");
        assert!(
            responses.keys().any(|s| s.starts_with('2')),
            "{method} {path}: no success answer"
        );
        if secured {
            assert!(responses.contains_key("401"), "{method} {path}: no 401");
        }
        if path.contains('{') {
            assert!(responses.contains_key("404"), "{method} {path}: no 404");
        }
        for (status, r) in responses.iter().filter(|(s, _)| !s.starts_with('2')) {
            assert_eq!(
                r["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/ErrorBody",
                "{method} {path} {status}: not the error body"
            );
        }
        if ["post", "put", "patch"].contains(&method) && op.get("requestBody").is_some() {
            assert!(responses.contains_key("422"), "{method} {path}: no 422");
        }
    }

    let viewer = env.get(None, "/docs").await;
    assert_eq!(viewer.status, 200);
    assert!(
        viewer.text.contains("/api/v1/openapi.json"),
        "{}",
        viewer.text
    );
}

/// A tenant with a connection, Web Connector credentials and three received invoices.
async fn seeded(env: &TestEnv, audit: &mut Audit<'_>) -> (Tenant, String) {
    let t = env.signup().await;
    let (conn, _) = env.create_connection(&t).await;
    let conn = conn.to_string();
    let settings = env
        .put_json(
            Some(&t),
            &format!("/api/v1/connections/{conn}/settings"),
            &json!({"sync_from": "2020-01-01"}),
        )
        .await;
    audit.expect("put", "/api/v1/connections/{id}/settings", &settings, 200);
    let pair = env
        .post_json(
            Some(&t),
            &format!("/api/v1/connections/{conn}/qbwc"),
            &json!({}),
        )
        .await;
    audit.expect("post", "/api/v1/connections/{id}/qbwc", &pair, 201);
    let user = pair.body["username"].as_str().unwrap_or_default();
    let pass = pair.body["password"].as_str().unwrap_or_default();
    let company = Company::new();
    company.generate_invoices(3);
    let report = WebConnector::new(&env.qbwc_url(0))
        .run_session(&company, &SessionOptions::new(user, pass))
        .await;
    assert_eq!(report.percents.last(), Some(&100), "{report:?}");
    (t, conn)
}

#[tokio::test]
async fn the_real_answers_match_the_document() {
    let env = TestEnv::start().await;
    let doc = document(&env).await;
    let mut a = Audit {
        doc: &doc,
        problems: Vec::new(),
        seen: Vec::new(),
    };

    // Auth.
    let email = format!("oa-{}@example.test", uuid::Uuid::new_v4().simple());
    let body =
        json!({"company_name": "Docs Co", "email": email, "password": "a-long-enough-password"});
    let signup = env.post_json(None, "/api/v1/auth/signup", &body).await;
    a.expect("post", "/api/v1/auth/signup", &signup, 201);
    a.expect(
        "post",
        "/api/v1/auth/signup",
        &env.post_json(None, "/api/v1/auth/signup", &body).await,
        409,
    );
    let bad = json!({"company_name": "X", "email": "nope", "password": "a-long-enough-password"});
    a.expect(
        "post",
        "/api/v1/auth/signup",
        &env.post_json(None, "/api/v1/auth/signup", &bad).await,
        422,
    );
    let raw = env
        .post_raw(
            None,
            "/api/v1/auth/signup",
            "application/json",
            b"{not json".to_vec(),
        )
        .await;
    a.expect("post", "/api/v1/auth/signup", &raw, 400);
    let login_body = json!({"email": email, "password": "a-long-enough-password"});
    let login = env.post_json(None, "/api/v1/auth/login", &login_body).await;
    a.expect("post", "/api/v1/auth/login", &login, 200);
    let wrong = json!({"email": email, "password": "not-the-password!"});
    a.expect(
        "post",
        "/api/v1/auth/login",
        &env.post_json(None, "/api/v1/auth/login", &wrong).await,
        401,
    );
    let rt = json!({"refresh_token": login.body["refresh_token"]});
    a.expect(
        "post",
        "/api/v1/auth/refresh",
        &env.post_json(None, "/api/v1/auth/refresh", &rt).await,
        200,
    );
    a.expect(
        "post",
        "/api/v1/auth/refresh",
        &env.post_json(None, "/api/v1/auth/refresh", &rt).await,
        401,
    );
    a.expect(
        "post",
        "/api/v1/auth/logout",
        &env.post_json(None, "/api/v1/auth/logout", &rt).await,
        204,
    );
    let t = Tenant::from_signup(&email, "a-long-enough-password", &signup.body);
    a.expect(
        "get",
        "/api/v1/me",
        &env.get(Some(&t), "/api/v1/me").await,
        200,
    );
    a.expect("get", "/api/v1/me", &env.get(None, "/api/v1/me").await, 401);

    // Connections.
    let account = env.fake.add_account("oa-key-1234", "oa-secret");
    let create = json!({"name": "Main", "api_key": account.api_key, "api_secret": "oa-secret", "base_url": env.fake.base_url()});
    let created = env
        .post_json(Some(&t), "/api/v1/connections", &create)
        .await;
    a.expect("post", "/api/v1/connections", &created, 201);
    let wrong_secret = json!({"name": "Main", "api_key": account.api_key, "api_secret": "wrong", "base_url": env.fake.base_url()});
    a.expect(
        "post",
        "/api/v1/connections",
        &env.post_json(Some(&t), "/api/v1/connections", &wrong_secret)
            .await,
        422,
    );
    let conn = created.body["id"].as_str().unwrap_or_default().to_owned();
    let c = format!("/api/v1/connections/{conn}");
    a.expect(
        "get",
        "/api/v1/connections",
        &env.get(Some(&t), "/api/v1/connections").await,
        200,
    );
    a.expect(
        "get",
        "/api/v1/connections/{id}",
        &env.get(Some(&t), &c).await,
        200,
    );
    let unknown = format!("/api/v1/connections/{}", uuid::Uuid::new_v4());
    a.expect(
        "get",
        "/api/v1/connections/{id}",
        &env.get(Some(&t), &unknown).await,
        404,
    );
    a.expect(
        "patch",
        "/api/v1/connections/{id}",
        &env.patch_json(Some(&t), &c, &json!({"name": "Renamed"}))
            .await,
        200,
    );
    a.expect(
        "get",
        "/api/v1/connections/{id}/stores",
        &env.get(Some(&t), &format!("{c}/stores")).await,
        200,
    );
    a.expect(
        "post",
        "/api/v1/connections/{id}/qbwc",
        &env.post_json(Some(&t), &format!("{c}/qbwc"), &json!({}))
            .await,
        201,
    );
    a.expect(
        "get",
        "/api/v1/connections/{id}/qbwc/qwc",
        &env.get(Some(&t), &format!("{c}/qbwc/qwc")).await,
        200,
    );
    a.expect(
        "get",
        "/api/v1/connections/{id}/settings",
        &env.get(Some(&t), &format!("{c}/settings")).await,
        200,
    );
    let bad_setting = env
        .put_json(
            Some(&t),
            &format!("{c}/settings"),
            &json!({"colour": "blue"}),
        )
        .await;
    a.expect(
        "put",
        "/api/v1/connections/{id}/settings",
        &bad_setting,
        422,
    );
    let ts = env
        .post_json(
            Some(&t),
            &format!("{c}/test-sales"),
            &json!({"order_numbers": "1001, 1002"}),
        )
        .await;
    a.expect("post", "/api/v1/connections/{id}/test-sales", &ts, 202);
    let rule = json!({"name": "Hold big ones", "priority": 1,
        "conditions": [{"field": "total", "op": "gt", "value": 1000}],
        "actions": [{"field": "orderStatus", "value": "on_hold"}]});
    let made = env.post_json(Some(&t), &format!("{c}/rules"), &rule).await;
    a.expect("post", "/api/v1/connections/{id}/rules", &made, 201);
    let bad_rule =
        json!({"name": "x", "conditions": [{"field": "colour", "op": "equals", "value": "red"}]});
    a.expect(
        "post",
        "/api/v1/connections/{id}/rules",
        &env.post_json(Some(&t), &format!("{c}/rules"), &bad_rule)
            .await,
        422,
    );
    let r = format!("{c}/rules/{}", made.body["id"].as_str().unwrap_or_default());
    a.expect(
        "get",
        "/api/v1/connections/{id}/rules",
        &env.get(Some(&t), &format!("{c}/rules")).await,
        200,
    );
    a.expect(
        "get",
        "/api/v1/connections/{id}/rules/{rule_id}",
        &env.get(Some(&t), &r).await,
        200,
    );
    a.expect(
        "put",
        "/api/v1/connections/{id}/rules/{rule_id}",
        &env.put_json(Some(&t), &r, &rule).await,
        200,
    );
    a.expect(
        "delete",
        "/api/v1/connections/{id}/rules/{rule_id}",
        &env.delete(Some(&t), &r).await,
        204,
    );
    a.expect(
        "get",
        "/api/v1/connections/{id}/rules/{rule_id}",
        &env.get(Some(&t), &r).await,
        404,
    );
    let none = env
        .post_json(
            Some(&t),
            &format!("{c}/rules/preview"),
            &json!({"ref_number": "nope"}),
        )
        .await;
    a.expect("post", "/api/v1/connections/{id}/rules/preview", &none, 404);
    a.expect(
        "get",
        "/api/v1/connections/{id}/orders",
        &env.get(Some(&t), &format!("{c}/orders?status=lost")).await,
        422,
    );
    a.expect(
        "get",
        "/api/v1/connections/{id}/sync-runs",
        &env.get(Some(&t), &format!("{c}/sync-runs")).await,
        200,
    );
    a.expect(
        "delete",
        "/api/v1/connections/{id}",
        &env.delete(Some(&t), &c).await,
        204,
    );

    // Orders of a connection that has received sales from the Web Connector.
    let (t2, conn2) = seeded(&env, &mut a).await;
    let c2 = format!("/api/v1/connections/{conn2}");
    let list = env.get(Some(&t2), &format!("{c2}/orders")).await;
    a.expect("get", "/api/v1/connections/{id}/orders", &list, 200);
    assert_eq!(
        list.body["orders"].as_array().map(Vec::len),
        Some(3),
        "{}",
        list.body
    );
    let order = &list.body["orders"][0];
    let o = format!("{c2}/orders/{}", order["id"].as_str().unwrap_or_default());
    a.expect(
        "get",
        "/api/v1/connections/{id}/orders/{order_id}",
        &env.get(Some(&t2), &o).await,
        200,
    );
    a.expect(
        "post",
        "/api/v1/connections/{id}/orders/{order_id}/resend",
        &env.post_json(Some(&t2), &format!("{o}/resend"), &json!({}))
            .await,
        202,
    );
    let preview = env
        .post_json(
            Some(&t2),
            &format!("{c2}/rules/preview"),
            &json!({"ref_number": order["ref_number"]}),
        )
        .await;
    a.expect(
        "post",
        "/api/v1/connections/{id}/rules/preview",
        &preview,
        200,
    );
    a.expect(
        "get",
        "/api/v1/connections/{id}/sync-runs",
        &env.get(Some(&t2), &format!("{c2}/sync-runs")).await,
        200,
    );
    // Another tenant's id is a 404, never a 403.
    a.expect(
        "get",
        "/api/v1/connections/{id}/orders/{order_id}",
        &env.get(Some(&t), &o).await,
        404,
    );

    let exercised: std::collections::BTreeSet<(String, String)> = a
        .seen
        .iter()
        .map(|(m, p, _)| (m.clone(), p.clone()))
        .collect();
    let untested: Vec<_> = CONTRACT_ROUTES
        .iter()
        .filter(|(m, p)| !exercised.contains(&(m.to_string(), p.to_string())))
        .collect();
    assert!(
        untested.is_empty(),
        "contract routes not exercised: {untested:?}"
    );
    assert!(
        a.problems.is_empty(),
        "answers that differ from the document:\n{}",
        a.problems.join("\n")
    );
}
