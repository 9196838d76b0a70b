//! JSON calls to the api as a tenant.

use serde_json::Value;

use super::TestEnv;

/// A signed-up tenant and its tokens.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub email: String,
    pub password: String,
    pub tenant_id: String,
    pub user_id: String,
    pub access_token: String,
    pub refresh_token: String,
}

impl Tenant {
    pub fn from_signup(email: &str, password: &str, body: &Value) -> Tenant {
        let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
        Tenant {
            email: email.into(),
            password: password.into(),
            tenant_id: s(&body["tenant"]["id"]),
            user_id: s(&body["user"]["id"]),
            access_token: s(&body["access_token"]),
            refresh_token: s(&body["refresh_token"]),
        }
    }
}

/// Status, headers and parsed body (JSON, or a string when not JSON) of a response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    pub async fn from(resp: reqwest::Response) -> Reply {
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text.clone()));
        Reply {
            status,
            headers,
            body,
            text,
        }
    }

    /// The contract's error code, if this is an error body.
    pub fn error_code(&self) -> Option<&str> {
        self.body["error"]["code"].as_str()
    }
}

impl TestEnv {
    fn request(
        &self,
        tenant: Option<&Tenant>,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        let mut req = self
            .http
            .request(method, format!("{}{}", self.api_url(), path));
        if let Some(t) = tenant {
            req = req.bearer_auth(&t.access_token);
        }
        req
    }

    pub async fn get(&self, tenant: Option<&Tenant>, path: &str) -> Reply {
        Reply::from(
            self.request(tenant, reqwest::Method::GET, path)
                .send()
                .await
                .expect("GET"),
        )
        .await
    }

    pub async fn delete(&self, tenant: Option<&Tenant>, path: &str) -> Reply {
        Reply::from(
            self.request(tenant, reqwest::Method::DELETE, path)
                .send()
                .await
                .expect("DELETE"),
        )
        .await
    }

    pub async fn post_json(&self, tenant: Option<&Tenant>, path: &str, body: &Value) -> Reply {
        Reply::from(
            self.request(tenant, reqwest::Method::POST, path)
                .json(body)
                .send()
                .await
                .expect("POST"),
        )
        .await
    }

    pub async fn put_json(&self, tenant: Option<&Tenant>, path: &str, body: &Value) -> Reply {
        Reply::from(
            self.request(tenant, reqwest::Method::PUT, path)
                .json(body)
                .send()
                .await
                .expect("PUT"),
        )
        .await
    }

    pub async fn patch_json(&self, tenant: Option<&Tenant>, path: &str, body: &Value) -> Reply {
        Reply::from(
            self.request(tenant, reqwest::Method::PATCH, path)
                .json(body)
                .send()
                .await
                .expect("PATCH"),
        )
        .await
    }

    /// A raw request with a body and content type (for malformed input tests).
    pub async fn post_raw(
        &self,
        tenant: Option<&Tenant>,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Reply {
        Reply::from(
            self.request(tenant, reqwest::Method::POST, path)
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .expect("POST raw"),
        )
        .await
    }
}
