//! The bearer-token extractor: turns `Authorization: Bearer <jwt>` into an [`AuthedUser`] once.

use std::future::{ready, Ready};

use actix_web::{web, FromRequest, HttpRequest};
use shared::ids::{TenantId, UserId};

use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Clone, Copy)]
pub struct AuthedUser {
    pub user_id: UserId,
    pub tenant_id: TenantId,
}

impl FromRequest for AuthedUser {
    type Error = ApiError;
    type Future = Ready<Result<AuthedUser, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

fn authenticate(req: &HttpRequest) -> Result<AuthedUser, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal("app state missing"))?;
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::unauthorized("Missing bearer token."))?;
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .ok_or_else(|| ApiError::unauthorized("Missing bearer token."))?;
    let claims = state
        .jwt
        .verify(token.trim())
        .ok_or_else(|| ApiError::unauthorized("The access token is invalid or expired."))?;
    Ok(AuthedUser {
        user_id: claims.sub,
        tenant_id: claims.tid,
    })
}

/// The client's address for rate limiting: the peer, or the first `X-Forwarded-For` hop when
/// the deployment says a trusted proxy sets it.
pub fn client_ip(req: &HttpRequest, trust_proxy: bool) -> String {
    if trust_proxy {
        if let Some(first) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
        {
            return first.trim().to_string();
        }
    }
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// A JSON body read as `T`, whose type errors name the offending field (422
/// `validation_failed`, as the contract asks) instead of a line and column.
#[derive(Debug)]
pub struct Body<T>(pub T);

impl<T> std::ops::Deref for Body<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: serde::de::DeserializeOwned + 'static> FromRequest for Body<T> {
    type Error = actix_web::Error;
    type Future = futures::future::LocalBoxFuture<'static, Result<Body<T>, actix_web::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        // The JSON itself (size, content type, syntax) is read with the app's JsonConfig.
        let json = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let web::Json(value) = json.await?;
            serde_path_to_error::deserialize(value)
                .map(Body)
                .map_err(|e| {
                    let field = match e.path().to_string() {
                        p if p == "." => "body".to_string(),
                        p => p,
                    };
                    ApiError::validation(&field, &e.inner().to_string()).into()
                })
        })
    }
}
