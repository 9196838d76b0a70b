//! End-to-end tests of the fake over HTTP (reqwest against a started server).

mod basics;
mod order_tests;
mod shipment_tests;

use serde_json::Value;

use super::{AccountHandle, FakeConfig, FakeShipStation};

/// A started fake with one account `key`/`secret`.
pub(super) async fn fake_with(config: FakeConfig) -> (FakeShipStation, AccountHandle) {
    let fake = FakeShipStation::start(FakeConfig {
        workers: 1,
        ..config
    })
    .await
    .expect("fake starts");
    let account = fake.add_account("key", "secret");
    (fake, account)
}

/// Authenticated request builder.
pub(super) fn call(
    fake: &FakeShipStation,
    method: reqwest::Method,
    path: &str,
) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .request(method, format!("{}{path}", fake.base_url()))
        .basic_auth("key", Some("secret"))
}

/// Sends and returns `(status, headers, json body or Null)`.
pub(super) async fn send(req: reqwest::RequestBuilder) -> (u16, reqwest::header::HeaderMap, Value) {
    let resp = req.send().await.expect("request succeeds");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    (status, headers, body)
}

/// A header as a string.
pub(super) fn header(h: &reqwest::header::HeaderMap, name: &str) -> String {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}
