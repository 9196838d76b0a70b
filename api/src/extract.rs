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
