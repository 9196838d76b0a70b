//! Issue 2: accounts, auth, connections, the HTTP surface, tenant isolation.

use std::time::Duration;

use base64::Engine;
use quayside_tests::harness::{EnvOptions, TestEnv};
use serde_json::json;

#[tokio::test]
async fn signup_login_me_and_duplicate_email() {
    let env = TestEnv::start().await;
    let t = env.signup().await;
    assert!(!t.access_token.is_empty() && t.refresh_token.starts_with("rt_"));

    let me = env.get(Some(&t), "/api/v1/me").await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.body["user"]["email"], t.email.as_str());
    assert_eq!(me.body["user"]["role"], "owner");
    assert_eq!(me.body["tenant"]["id"], t.tenant_id.as_str());

    let again = env
        .post_json(None, "/api/v1/auth/signup", &json!({"company_name": "X", "email": t.email.to_uppercase(), "password": "another-long-password"}))
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(again.error_code(), Some("email_taken"));

    let short = env
        .post_json(
            None,
            "/api/v1/auth/signup",
            &json!({"company_name": "X", "email": "new@example.test", "password": "short"}),
        )
        .await;
    assert_eq!(short.status, 422);
    assert!(short.body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("password"));

    let login = env
        .post_json(
            None,
            "/api/v1/auth/login",
            &json!({"email": t.email, "password": t.password}),
        )
        .await;
    assert_eq!(login.status, 200, "{}", login.body);
    assert_eq!(login.body["token_type"], "Bearer");
    assert_eq!(login.body["expires_in"], 900);
    assert_eq!(login.body["tenant"]["id"], t.tenant_id.as_str());
    assert_eq!(login.body["user"]["email"], t.email.as_str());

    // A field of the wrong type is a 422 that names it.
    let typed = env
        .post_json(
            None,
            "/api/v1/auth/login",
            &json!({"email": t.email, "password": 123456789012_i64}),
        )
        .await;
    assert_eq!(typed.status, 422, "{}", typed.body);
    assert!(
        typed.body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("password")),
        "{}",
        typed.body
    );

    // The email is kept as typed; login ignores its case.
    let mixed = format!("Mixed.Case.{}", t.email);
    let signed = env
        .post_json(
            None,
            "/api/v1/auth/signup",
            &json!({"company_name": "Mixed", "email": mixed, "password": "a-long-enough-password"}),
        )
        .await;
    assert_eq!(signed.status, 201, "{}", signed.body);
    assert_eq!(signed.body["user"]["email"], mixed.as_str());
    let lower = env
        .post_json(
            None,
            "/api/v1/auth/login",
            &json!({"email": mixed.to_lowercase(), "password": "a-long-enough-password"}),
        )
        .await;
    assert_eq!(lower.status, 200, "{}", lower.body);

    let wrong = env
        .post_json(
            None,
            "/api/v1/auth/login",
            &json!({"email": t.email, "password": "wrong-password-123"}),
        )
        .await;
    let unknown = env
        .post_json(
            None,
            "/api/v1/auth/login",
            &json!({"email": "nobody@example.test", "password": "wrong-password-123"}),
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(unknown.status, 401);
    assert_eq!(
        wrong.body["error"]["message"],
        unknown.body["error"]["message"]
    );
    // A blank or missing email is a bad email too: the same 401, not a validation error.
    for body in [
        json!({"email": "  ", "password": "x"}),
        json!({"password": "x"}),
    ] {
        let blank = env.post_json(None, "/api/v1/auth/login", &body).await;
        assert_eq!(blank.status, 401, "{body}: {}", blank.body);
        assert_eq!(
            blank.body["error"]["message"],
            wrong.body["error"]["message"]
        );
    }
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let env = TestEnv::start().await;
    let t = env.signup().await;
    let first = env
        .post_json(
            None,
            "/api/v1/auth/refresh",
            &json!({"refresh_token": t.refresh_token}),
        )
        .await;
    assert_eq!(first.status, 200, "{}", first.body);
    let second_token = first.body["refresh_token"]
        .as_str()
        .expect("new token")
        .to_string();
    assert_ne!(second_token, t.refresh_token);

    // The spent token comes back: the whole family dies, including the fresh one.
    let reuse = env
        .post_json(
            None,
            "/api/v1/auth/refresh",
            &json!({"refresh_token": t.refresh_token}),
        )
        .await;
    assert_eq!(reuse.status, 401);
    let after = env
        .post_json(
            None,
            "/api/v1/auth/refresh",
            &json!({"refresh_token": second_token}),
        )
        .await;
    assert_eq!(after.status, 401, "family must be revoked: {}", after.body);
}

#[tokio::test]
async fn logout_ends_the_refresh_token() {
    let env = TestEnv::start().await;
    let t = env.signup().await;
    let out = env
        .post_json(
            None,
            "/api/v1/auth/logout",
            &json!({"refresh_token": t.refresh_token}),
        )
        .await;
    assert_eq!(out.status, 204);
    let refresh = env
        .post_json(
            None,
            "/api/v1/auth/refresh",
            &json!({"refresh_token": t.refresh_token}),
        )
        .await;
    assert_eq!(refresh.status, 401);
}

#[tokio::test]
async fn tampered_expired_and_unsigned_tokens_are_refused() {
    let env = TestEnv::start().await;
    let t = env.signup().await;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = t.access_token.split('.').collect();
    let payload = String::from_utf8(engine.decode(parts[1]).expect("b64")).expect("utf8");

    let none_header = engine.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let unsigned = format!("{none_header}.{}.", parts[1]);
    let forged_payload =
        engine.encode(payload.replace(&t.tenant_id, "00000000-0000-0000-0000-000000000000"));
    let tampered = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);

    for token in [unsigned.as_str(), tampered.as_str(), "garbage", ""] {
        let r = env
            .http
            .get(format!("{}/api/v1/me", env.api_url()))
            .bearer_auth(token)
            .send()
            .await
            .expect("request");
        assert_eq!(r.status(), 401, "token {token:?} accepted");
    }
    let no_header = env.get(None, "/api/v1/me").await;
    assert_eq!(no_header.status, 401);
    assert_eq!(no_header.error_code(), Some("unauthorized"));
}

#[tokio::test]
async fn login_attempts_are_rate_limited() {
    let env =
        TestEnv::start_with(EnvOptions::default().with_env("LOGIN_LIMIT_PER_EMAIL", "3")).await;
    let t = env.signup().await;
    // Successful logins are not counted: a busy office is not locked out by its own users.
    for _ in 0..5 {
        let ok = env
            .post_json(
                None,
                "/api/v1/auth/login",
                &json!({"email": t.email, "password": t.password}),
            )
            .await;
        assert_eq!(ok.status, 200);
    }
    let mut statuses = Vec::new();
    let mut last = None;
    for _ in 0..5 {
        let r = env
            .post_json(
                None,
                "/api/v1/auth/login",
                &json!({"email": t.email, "password": "wrong-password-123"}),
            )
            .await;
        statuses.push(r.status);
        last = Some(r);
    }
    assert_eq!(statuses, vec![401, 401, 401, 429, 429]);
    let last = last.expect("reply");
    let retry: u64 = last.headers["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("secs");
    assert!(retry > 0 && retry <= 300);
    assert_eq!(last.error_code(), Some("too_many_attempts"));
    // Even the right password is refused while limited.
    let good = env
        .post_json(
            None,
            "/api/v1/auth/login",
            &json!({"email": t.email, "password": t.password}),
        )
        .await;
    assert_eq!(good.status, 429);
}

#[tokio::test]
async fn connections_keep_the_secret_sealed_and_never_return_it() {
    let env = TestEnv::start().await;
    let t = env.signup().await;
    let (id, account) = env.create_connection(&t).await;

    let one = env
        .get(Some(&t), &format!("/api/v1/connections/{id}"))
        .await;
    assert_eq!(one.status, 200);
    assert_eq!(
        one.body["api_key_last4"],
        &account.api_key[account.api_key.len() - 4..]
    );
    assert_eq!(one.body["status"], "active");
    let list = env.get(Some(&t), "/api/v1/connections").await;
    assert_eq!(list.body["connections"].as_array().map(Vec::len), Some(1));
    for reply in [&one, &list] {
        assert!(!reply.text.contains(&account.api_secret));
        assert!(!reply.text.contains(&account.api_key));
    }

    let stores = env
        .get(Some(&t), &format!("/api/v1/connections/{id}/stores"))
        .await;
    assert_eq!(stores.status, 200, "{}", stores.body);
    let names: Vec<&str> = stores.body["stores"]
        .as_array()
        .expect("stores")
        .iter()
        .filter_map(|s| s["store_name"].as_str())
        .collect();
    assert!(names.contains(&"Manual Orders"), "{names:?}");
    assert!(stores.body["stores"][0]["store_id"].is_i64());
    // ShipStation's rate limit is a 503 with Retry-After, as documented.
    env.fake.force_status(&account.api_key, 429, 1);
    let limited = env
        .get(Some(&t), &format!("/api/v1/connections/{id}/stores"))
        .await;
    assert_eq!(limited.status, 503, "{}", limited.body);
    assert_eq!(limited.body["error"]["code"], "shipstation_rate_limited");
    assert!(limited.headers.contains_key("retry-after"));

    // At rest: neither key nor secret in clear anywhere in the row.
    let db = env.db().await;
    let row: (Vec<u8>, Vec<u8>, String) = sqlx::query_as(
        "SELECT api_key_sealed, api_secret_sealed, row_to_json(c)::text FROM connections c WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&db)
    .await
    .expect("row");
    assert!(!row.2.contains(&account.api_secret));
    assert!(!String::from_utf8_lossy(&row.1).contains(&account.api_secret));
    assert!(!String::from_utf8_lossy(&row.0).contains(&account.api_key));

    // Nor in the logs.
    assert!(!env.apis[0].log().contains(&account.api_secret));

    let renamed = env
        .patch_json(
            Some(&t),
            &format!("/api/v1/connections/{id}"),
            &json!({"name": "Renamed"}),
        )
        .await;
    assert_eq!(renamed.status, 200);
    assert_eq!(renamed.body["name"], "Renamed");
    let deleted = env
        .delete(Some(&t), &format!("/api/v1/connections/{id}"))
        .await;
    assert_eq!(deleted.status, 204);
    assert_eq!(
        env.get(Some(&t), &format!("/api/v1/connections/{id}"))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn wrong_credentials_and_disallowed_hosts_are_refused() {
    let env = TestEnv::start().await;
    let t = env.signup().await;
    env.fake.add_account("right-key", "right-secret");
    let wrong = env
        .post_json(Some(&t), "/api/v1/connections", &json!({"name": "x", "api_key": "right-key", "api_secret": "wrong", "base_url": env.fake.base_url()}))
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert_eq!(wrong.error_code(), Some("invalid_shipstation_credentials"));

    // ShipStation out of budget for the key: a clear 503 with Retry-After, nothing created.
    env.fake.force_status("right-key", 429, 1);
    let limited = env
        .post_json(Some(&t), "/api/v1/connections", &json!({"name": "x", "api_key": "right-key", "api_secret": "right-secret", "base_url": env.fake.base_url()}))
        .await;
    assert_eq!(limited.status, 503, "{}", limited.body);
    assert_eq!(limited.error_code(), Some("shipstation_rate_limited"));
    assert!(limited.headers.contains_key("retry-after"));
    let listed = env.get(Some(&t), "/api/v1/connections").await;
    assert_eq!(listed.body["connections"], json!([]));

    for url in [
        "http://169.254.169.254",
        "https://evil.example.com",
        "ftp://127.0.0.1",
        "not a url",
    ] {
        let r = env
            .post_json(Some(&t), "/api/v1/connections", &json!({"name": "x", "api_key": "right-key", "api_secret": "right-secret", "base_url": url}))
            .await;
        assert_eq!(r.status, 422, "{url}: {}", r.body);
        assert!(r.body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("base_url"));
    }
    let missing = env
        .post_json(
            Some(&t),
            "/api/v1/connections",
            &json!({"name": "x", "api_secret": "s"}),
        )
        .await;
    assert_eq!(missing.status, 422);
    assert!(missing.body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("api_key"));
    // Nothing was stored.
    let list = env.get(Some(&t), "/api/v1/connections").await;
    assert_eq!(list.body["connections"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn another_tenant_gets_404_on_every_connection_route() {
    let env = TestEnv::start().await;
    let a = env.signup().await;
    let b = env.signup().await;
    let (id, _) = env.create_connection(&a).await;

    for path in [
        format!("/api/v1/connections/{id}"),
        format!("/api/v1/connections/{id}/stores"),
        format!("/api/v1/connections/{id}/settings"),
        format!("/api/v1/connections/{id}/rules"),
        format!("/api/v1/connections/{id}/orders"),
        format!("/api/v1/connections/{id}/sync-runs"),
        format!("/api/v1/connections/{id}/qbwc/qwc"),
    ] {
        let r = env.get(Some(&b), &path).await;
        assert_eq!(r.status, 404, "GET {path}: {}", r.body);
        assert_eq!(r.error_code(), Some("not_found"));
    }
    let patch = env
        .patch_json(
            Some(&b),
            &format!("/api/v1/connections/{id}"),
            &json!({"name": "stolen"}),
        )
        .await;
    assert_eq!(patch.status, 404);
    let pair = env
        .post_json(
            Some(&b),
            &format!("/api/v1/connections/{id}/qbwc"),
            &json!({}),
        )
        .await;
    assert_eq!(pair.status, 404);
    let del = env
        .delete(Some(&b), &format!("/api/v1/connections/{id}"))
        .await;
    assert_eq!(del.status, 404);
    let list = env.get(Some(&b), "/api/v1/connections").await;
    assert_eq!(list.body["connections"].as_array().map(Vec::len), Some(0));
    // A's connection is untouched.
    let mine = env
        .get(Some(&a), &format!("/api/v1/connections/{id}"))
        .await;
    assert_eq!(mine.body["name"], "Main");
}

#[tokio::test]
async fn row_level_security_hides_rows_from_the_app_role() {
    let env = TestEnv::start().await;
    let a = env.signup().await;
    env.create_connection(&a).await;
    let db = env.db().await;
    let mut conn = db.acquire().await.expect("conn");
    sqlx::query("SET ROLE quayside_app")
        .execute(&mut *conn)
        .await
        .expect("role");
    let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM connections")
        .fetch_one(&mut *conn)
        .await
        .expect("count");
    assert_eq!(n, 0, "without a tenant scope the app role sees nothing");
    sqlx::query("SELECT set_config('app.tenant_id', $1, false)")
        .bind(&a.tenant_id)
        .execute(&mut *conn)
        .await
        .expect("scope");
    let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM connections")
        .fetch_one(&mut *conn)
        .await
        .expect("count");
    assert_eq!(n, 1);
    let other = uuid::Uuid::new_v4();
    let insert = sqlx::query("INSERT INTO tenants (id, name) VALUES ($1, 'intruder')")
        .bind(other)
        .execute(&mut *conn)
        .await;
    assert!(
        insert.is_err(),
        "WITH CHECK must refuse rows of another tenant"
    );

    // The app role cannot make a temporary table, and the definer functions would not look in
    // one anyway: a temporary `users` cannot stand in for the real one.
    let temp = sqlx::query("CREATE TEMP TABLE users (id uuid)")
        .execute(&mut *conn)
        .await;
    assert!(temp.is_err(), "temporary tables refused to the app role");
    let paths: Vec<(String, String)> = sqlx::query_as(
        "SELECT p.proname::text, array_to_string(p.proconfig, ',') FROM pg_proc p
         JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = 'public' AND p.prosecdef",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("definer functions");
    assert!(!paths.is_empty());
    for (name, config) in &paths {
        assert!(
            config.ends_with("pg_temp"),
            "{name}: {config} must name pg_temp last"
        );
    }
    // No token is stored in plain text.
    let (plain,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM information_schema.columns
         WHERE table_name = 'connections' AND column_name = 'webhook_token'",
    )
    .fetch_one(&mut *conn)
    .await
    .expect("columns");
    assert_eq!(plain, 0);
}

#[tokio::test]
async fn malformed_json_and_oversize_bodies_get_clear_errors() {
    let env = TestEnv::start_with(EnvOptions::default().with_env("MAX_JSON_BYTES", "4096")).await;
    let t = env.signup().await;
    let bad = env
        .post_raw(
            Some(&t),
            "/api/v1/connections",
            "application/json",
            b"{\"name\": ".to_vec(),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.error_code(), Some("invalid_json"));
    let wrong_type = env
        .post_json(Some(&t), "/api/v1/connections", &json!({"name": 5}))
        .await;
    assert_eq!(wrong_type.status, 422);
    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(10_000));
    let too_big = env
        .post_raw(
            Some(&t),
            "/api/v1/connections",
            "application/json",
            big.into_bytes(),
        )
        .await;
    assert_eq!(too_big.status, 413);
    assert_eq!(too_big.error_code(), Some("payload_too_large"));
    let unknown = env.get(Some(&t), "/api/v1/nope").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.error_code(), Some("not_found"));
    // The server still serves.
    assert_eq!(env.get(Some(&t), "/api/v1/me").await.status, 200);
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let env = TestEnv::start().await;
    assert_eq!(env.get(None, "/healthz").await.status, 200);
    let ready = env.get(None, "/readyz").await;
    assert_eq!(ready.status, 200);
    assert_eq!(ready.body["postgres"], true);
    assert_eq!(ready.body["redis"], true);
    env.get(None, "/healthz").await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let metrics = env.get(None, "/metrics").await;
    assert_eq!(metrics.status, 200);
    assert!(
        metrics.text.contains("quayside_http_requests_total"),
        "{}",
        metrics.text
    );
}

/// `url` with its port moved to `port` (the same host).
fn through(url: &str, port: u16) -> String {
    let mut u = url::Url::parse(url).expect("url");
    u.set_port(Some(port)).expect("port");
    u.to_string()
}

/// `/readyz`, answered within 10 s or the test fails.
async fn ready(env: &TestEnv) -> quayside_tests::harness::Reply {
    tokio::time::timeout(Duration::from_secs(10), env.get(None, "/readyz"))
        .await
        .expect("readiness answers instead of hanging")
}

#[tokio::test]
async fn readiness_says_503_when_postgres_or_redis_goes_silent_and_recovers_after() {
    use quayside_tests::harness::proxy::SilenceProxy;
    let mut env = TestEnv::start().await;
    let pg_url = url::Url::parse(&env.database_url).expect("url");
    let pg = SilenceProxy::start(&format!(
        "{}:{}",
        pg_url.host_str().unwrap_or("127.0.0.1"),
        pg_url.port().unwrap_or(5432)
    ))
    .await
    .expect("postgres proxy");
    let redis_url = url::Url::parse(&quayside_tests::harness::redis_url()).expect("url");
    let rd = SilenceProxy::start(&format!(
        "{}:{}",
        redis_url.host_str().unwrap_or("127.0.0.1"),
        redis_url.port().unwrap_or(6379)
    ))
    .await
    .expect("redis proxy");
    env.apis.clear();
    env.start_api_with(&[
        ("DATABASE_URL", &through(&env.database_url.clone(), pg.port)),
        (
            "REDIS_URL",
            &through(&quayside_tests::harness::redis_url(), rd.port),
        ),
    ])
    .await
    .expect("api through the proxies");
    assert_eq!(ready(&env).await.status, 200);

    for (which, proxy) in [("postgres", &pg), ("redis", &rd)] {
        proxy.silence();
        let r = ready(&env).await;
        assert_eq!(r.status, 503, "{which} silent: {}", r.body);
        assert_eq!(r.body[which], false, "{}", r.body);
        assert_eq!(r.body["status"], "unavailable");
        // Liveness is not readiness: the process is up.
        assert_eq!(env.get(None, "/healthz").await.status, 200);
        proxy.speak();
        env.eventually(
            &format!("ready again after {which}"),
            Duration::from_secs(20),
            || async { (ready(&env).await.status == 200).then_some(()) },
        )
        .await;
    }
}

#[tokio::test]
async fn production_starts_with_its_own_secrets_warns_about_weak_ones_and_keeps_shipstation_to_its_hosts(
) {
    let mut env = TestEnv::start().await;
    env.apis.clear();
    env.start_api_with(&[
        ("APP_ENV", "production"),
        ("JWT_SECRET", "prod-secret"),
        ("SECRET_KEY", "prod-key"),
    ])
    .await
    .expect("production starts with non-default secrets");
    assert_eq!(env.get(None, "/readyz").await.status, 200);
    let log = env.apis[0].log();
    assert!(
        log.contains("JWT_SECRET is shorter than 32 characters"),
        "{log}"
    );
    assert!(log.contains("SECRET_KEY is neither"), "{log}");
    assert!(!log.contains("prod-secret") && !log.contains("prod-key"));

    // The production default host list: a local ShipStation is not allowed.
    let t = env.signup().await;
    env.fake.add_account("prod-key-1", "prod-secret-1");
    let r = env
        .post_json(Some(&t), "/api/v1/connections", &json!({"name": "x", "api_key": "prod-key-1", "api_secret": "prod-secret-1", "base_url": env.fake.base_url()}))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
}

#[tokio::test]
async fn the_api_refuses_to_start_in_production_with_development_secrets() {
    let api = quayside_tests::harness::process::bin_dir().join("api");
    let out = tokio::process::Command::new(api)
        .env("APP_ENV", "production")
        .env("PUBLIC_BASE_URL", "https://app.example.com")
        .env_remove("JWT_SECRET")
        .env_remove("SECRET_KEY")
        .env("BIND_ADDR", "127.0.0.1:0")
        .output()
        .await
        .expect("run api");
    assert!(!out.status.success());
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("JWT_SECRET"), "{text}");
}

#[tokio::test]
async fn rotating_the_secret_key_keeps_tokens_credentials_and_passwords_working() {
    const OLD: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    const NEW: &str = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";
    let mut env = TestEnv::start_with(EnvOptions::default().with_env("SECRET_KEY", OLD)).await;
    let t = env.signup().await;
    let (conn, _) = env.create_connection(&t).await;
    let (user, pass) = env.pair_web_connector(&t, conn).await;

    // The same deployment, restarted with a new key and the old one as previous.
    env.apis.clear();
    env.start_api_with(&[("SECRET_KEY", NEW), ("SECRET_KEY_PREVIOUS", OLD)])
        .await
        .expect("api with rotated key");

    let refreshed = env
        .post_json(
            None,
            "/api/v1/auth/refresh",
            &json!({"refresh_token": t.refresh_token}),
        )
        .await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
    let stores = env
        .get(Some(&t), &format!("/api/v1/connections/{conn}/stores"))
        .await;
    assert_eq!(
        stores.status, 200,
        "sealed credentials open with the previous key: {}",
        stores.body
    );
    let report = quayside_tests::web_connector::WebConnector::new(&env.qbwc_url(0))
        .run_session(
            &quayside_tests::qb_company::Company::new(),
            &quayside_tests::web_connector::SessionOptions::new(&user, &pass),
        )
        .await;
    assert_eq!(report.auth_status, "", "Web Connector password still valid");
}

#[tokio::test]
async fn the_apis_shipstation_calls_count_in_the_workers_budget_and_obey_shipstations_block() {
    // Our budget: two requests per key and window. Creating the connection spends both
    // (checking the credentials, subscribing the webhook).
    let env =
        TestEnv::start_with(EnvOptions::default().with_env("SHIPSTATION_RATE_LIMIT", "2")).await;
    let t = env.signup().await;
    let (id, account) = env.create_connection(&t).await;
    assert_eq!(env.fake.request_log(&account.api_key).len(), 2);

    // A person's call is not refused on our own count, which ShipStation has not confirmed;
    // it is counted, so the workers' share of the window shrinks.
    env.fake.set_rate_limit(3);
    let stores = env
        .get(Some(&t), &format!("/api/v1/connections/{id}/stores"))
        .await;
    assert_eq!(stores.status, 200, "{}", stores.body);
    assert_eq!(env.fake.request_log(&account.api_key).len(), 3);
    let client = redis::Client::open(quayside_tests::harness::redis_url()).expect("redis url");
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .expect("redis");
    let window = format!(
        "{}:ss-rate:{}:window",
        env.redis_namespace,
        shared::shipstation::limiter::bucket_for_key(&account.api_key)
    );
    let used: i64 = redis::cmd("GET")
        .arg(&window)
        .query_async(&mut conn)
        .await
        .expect("window count");
    assert_eq!(used, 3, "the workers see every request of the key");

    // ShipStation said `X-Rate-Limit-Remaining: 0`: the api answers 503 without calling it,
    // until ShipStation's window (60 s, as its headers said) ends.
    let stores = env
        .get(Some(&t), &format!("/api/v1/connections/{id}/stores"))
        .await;
    assert_eq!(stores.status, 503, "{}", stores.body);
    assert_eq!(stores.body["error"]["code"], "shipstation_rate_limited");
    let wait: u64 = stores
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=61).contains(&wait), "{wait}");
    assert_eq!(env.fake.request_log(&account.api_key).len(), 3);
}
