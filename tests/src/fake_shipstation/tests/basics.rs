//! Auth, rate limiting, stores, errors and the control surface.

use reqwest::Method;
use serde_json::json;

use super::{call, fake_with, header, send};
use crate::fake_shipstation::FakeConfig;

#[tokio::test]
async fn missing_or_wrong_credentials_get_401_with_rate_headers() {
    let (fake, _) = fake_with(FakeConfig::default()).await;
    let url = format!("{}/stores", fake.base_url());
    let (status, h, body) = send(reqwest::Client::new().get(&url)).await;
    assert_eq!(status, 401);
    assert_eq!(
        body,
        json!({"Message": "Authorization has been denied for this request."})
    );
    assert_eq!(header(&h, "x-rate-limit-limit"), "40");
    let wrong = reqwest::Client::new()
        .get(&url)
        .basic_auth("key", Some("nope"));
    assert_eq!(send(wrong).await.0, 401);
    let unknown = reqwest::Client::new()
        .get(&url)
        .basic_auth("other", Some("secret"));
    assert_eq!(send(unknown).await.0, 401);
}

#[tokio::test]
async fn stores_are_a_bare_array_with_the_manual_store_first() {
    let (fake, account) = fake_with(FakeConfig::default()).await;
    let (status, h, body) = send(call(&fake, Method::GET, "/stores")).await;
    assert_eq!(status, 200);
    assert_eq!(
        header(&h, "content-type"),
        "application/json; charset=utf-8"
    );
    assert_eq!(header(&h, "cache-control"), "no-cache");
    let stores = body.as_array().expect("bare array");
    assert_eq!(stores.len(), 3);
    assert_eq!(stores[0]["storeName"], "Manual Orders");
    assert_eq!(stores[0]["marketplaceId"], 0);
    assert_eq!(stores[0]["marketplaceName"], "ShipStation");
    assert_eq!(stores[0]["storeId"], account.manual_store_id());
    assert_eq!(stores[1]["storeName"], "Target Store");
    for key in [
        "accountName",
        "integrationUrl",
        "refreshDate",
        "statusMappings",
        "autoRefresh",
    ] {
        assert!(stores[0].get(key).is_some(), "missing {key}");
    }
    let (_, _, one) = send(call(
        &fake,
        Method::GET,
        &format!("/stores/{}", account.manual_store_id()),
    ))
    .await;
    assert!(one["statusMappings"].is_array());
}

#[tokio::test]
async fn rate_limit_headers_count_down_and_429_after_the_limit() {
    let (fake, _) = fake_with(FakeConfig {
        rate_limit: 3,
        ..FakeConfig::default()
    })
    .await;
    for expected in ["2", "1", "0"] {
        let (status, h, _) = send(call(&fake, Method::GET, "/stores")).await;
        assert_eq!(status, 200);
        assert_eq!(header(&h, "x-rate-limit-limit"), "3");
        assert_eq!(header(&h, "x-rate-limit-remaining"), expected);
        let reset: u64 = header(&h, "x-rate-limit-reset")
            .parse()
            .expect("numeric reset");
        assert!((1..=60).contains(&reset));
    }
    let (status, h, body) = send(call(&fake, Method::GET, "/orders")).await;
    assert_eq!(status, 429);
    assert_eq!(body, json!({"message": "Too Many Requests"}));
    assert_eq!(header(&h, "x-rate-limit-remaining"), "0");
    // Another key pair has its own window.
    fake.add_account("key2", "secret2");
    let other = reqwest::Client::new()
        .get(format!("{}/stores", fake.base_url()))
        .basic_auth("key2", Some("secret2"));
    assert_eq!(send(other).await.0, 200);
    let log = fake.request_log("key");
    assert_eq!(log.len(), 4);
    assert_eq!(log[3].status, 429);
    assert_eq!(log[3].path, "/orders");
}

#[tokio::test]
async fn window_resets_after_it_expires() {
    let config = FakeConfig {
        rate_limit: 1,
        rate_window: std::time::Duration::from_millis(300),
        ..FakeConfig::default()
    };
    let (fake, _) = fake_with(config).await;
    assert_eq!(send(call(&fake, Method::GET, "/stores")).await.0, 200);
    assert_eq!(send(call(&fake, Method::GET, "/stores")).await.0, 429);
    tokio::time::sleep(std::time::Duration::from_millis(350)).await;
    let (status, h, _) = send(call(&fake, Method::GET, "/stores")).await;
    assert_eq!(status, 200);
    assert_eq!(header(&h, "x-rate-limit-remaining"), "0");
}

#[tokio::test]
async fn forced_statuses_and_unknown_routes() {
    let (fake, _) = fake_with(FakeConfig::default()).await;
    fake.force_status("key", 500, 1);
    fake.force_status("key", 429, 1);
    let (status, h, body) = send(call(&fake, Method::GET, "/stores")).await;
    assert_eq!(status, 500);
    assert_eq!(body["Message"], "An error has occurred.");
    assert!(body["ExceptionMessage"].is_string());
    assert!(!header(&h, "x-rate-limit-remaining").is_empty());
    let (status, h, _) = send(call(&fake, Method::GET, "/stores")).await;
    assert_eq!(
        (status, header(&h, "x-rate-limit-remaining")),
        (429, "0".to_owned())
    );
    assert_eq!(send(call(&fake, Method::GET, "/stores")).await.0, 200);

    let (status, h, body) = send(call(&fake, Method::GET, "/orderz?x=1")).await;
    assert_eq!(status, 404);
    let msg = body["Message"].as_str().unwrap_or_default();
    assert!(
        msg.starts_with("No HTTP resource was found that matches the request URI 'http://"),
        "{msg}"
    );
    assert!(msg.ends_with("/orderz?x=1'."), "{msg}");
    assert!(!header(&h, "x-rate-limit-limit").is_empty());
    assert_eq!(send(call(&fake, Method::PUT, "/stores")).await.0, 405);

    fake.set_fault_rate(1.0);
    assert_eq!(send(call(&fake, Method::GET, "/stores")).await.0, 500);
    fake.set_fault_rate(0.0);
}

#[tokio::test]
async fn control_surface_creates_accounts_and_changes_settings() {
    let (fake, _) = fake_with(FakeConfig::default()).await;
    let client = reqwest::Client::new();
    let base = fake.base_url();
    let req = client
        .post(format!("{base}/__control/accounts"))
        .json(&json!({"apiKey": "ctl", "apiSecret": "pw"}));
    let (status, h, body) = send(req).await;
    assert_eq!(status, 201);
    assert!(
        header(&h, "x-rate-limit-limit").is_empty(),
        "control answers carry no rate headers"
    );
    assert_eq!(body["stores"][0]["storeName"], "Manual Orders");
    let ok = client
        .get(format!("{base}/stores"))
        .basic_auth("ctl", Some("pw"));
    assert_eq!(send(ok).await.0, 200);

    let req = client
        .post(format!("{base}/__control/settings"))
        .json(&json!({"rateLimit": 7}));
    let (_, _, settings) = send(req).await;
    assert_eq!(settings["rateLimit"], 7);
    let (_, h, _) = send(call(&fake, Method::GET, "/stores")).await;
    assert_eq!(header(&h, "x-rate-limit-limit"), "7");

    let req = client
        .post(format!("{base}/__control/accounts/key/force"))
        .json(&json!({"status": 503, "times": 1}));
    assert_eq!(send(req).await.0, 200);
    assert_eq!(send(call(&fake, Method::GET, "/stores")).await.0, 503);
    let (_, _, log) = send(client.get(format!("{base}/__control/accounts/key/requests"))).await;
    assert_eq!(log.as_array().map(Vec::len), Some(2));
}
