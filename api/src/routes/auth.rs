//! Signup, login, refresh (rotating, with reuse detection), logout, and `/me`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Duration, Utc};
use serde::Deserialize;
use serde_json::json;
use shared::auth::{jwt::ACCESS_TOKEN_TTL_SECS, password};
use shared::crypto::random_token;
use shared::db::{self, tenants::CreateOutcome};
use shared::ids::{TenantId, UserId};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::extract::{client_ip, AuthedUser, Body};
use crate::login_limit;
use crate::state::AppState;

const REFRESH_TTL_DAYS: i64 = 30;
const REFRESH_PURPOSE: &str = "refresh-token";

#[derive(Deserialize)]
pub struct SignupIn {
    company_name: Option<String>,
    email: Option<String>,
    password: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginIn {
    email: Option<String>,
    password: Option<String>,
}

#[derive(Deserialize)]
pub struct RefreshIn {
    refresh_token: Option<String>,
}

fn required<'a>(value: &'a Option<String>, field: &str) -> ApiResult<&'a str> {
    match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(ApiError::validation(field, "is required")),
    }
}

fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && email.len() <= 254
        && !email.chars().any(char::is_whitespace)
}

async fn hash_password(pw: String) -> ApiResult<String> {
    web::block(move || password::hash(&pw))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::from)
}

async fn verify_password(pw: String, hash: String) -> ApiResult<bool> {
    web::block(move || password::verify(&pw, &hash))
        .await
        .map_err(ApiError::internal)
}

/// Issues an access token and a fresh refresh token in `family`, inside `tx`.
async fn issue_pair(
    state: &AppState,
    tx: &mut db::Tx,
    tenant: TenantId,
    user: UserId,
    role: &str,
    family: Uuid,
) -> ApiResult<serde_json::Value> {
    let access = state.jwt.issue(user, tenant, role)?;
    let refresh = format!("rt_{}", random_token(32));
    let hash = state
        .settings
        .secret_keys
        .keyed_hash(REFRESH_PURPOSE, refresh.as_bytes());
    let expires = Utc::now() + Duration::days(REFRESH_TTL_DAYS);
    db::tokens::insert(tx, tenant, user, family, &hash, expires).await?;
    Ok(json!({
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "Bearer",
        "expires_in": ACCESS_TOKEN_TTL_SECS,
    }))
}

fn merge(mut a: serde_json::Value, b: serde_json::Value) -> serde_json::Value {
    if let (Some(a), Some(b)) = (a.as_object_mut(), b.as_object()) {
        for (k, v) in b {
            a.insert(k.clone(), v.clone());
        }
    }
    a
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/signup",
    tag = "auth",
    request_body = crate::openapi::schemas::SignupRequest,
    responses(
        (status = 201, description = "The tenant, its owner and a token pair", body = crate::openapi::schemas::SignupResponse),
        (status = 409, description = "The email is taken (`email_taken`)"),
    )
)]
pub async fn signup(state: web::Data<AppState>, body: Body<SignupIn>) -> ApiResult<HttpResponse> {
    let company = required(&body.company_name, "company_name")?;
    if company.chars().count() > 200 {
        return Err(ApiError::validation(
            "company_name",
            "must be at most 200 characters",
        ));
    }
    // Kept as typed; uniqueness and login ignore case.
    let email = required(&body.email, "email")?.to_string();
    if !valid_email(&email) {
        return Err(ApiError::validation(
            "email",
            "is not a valid email address",
        ));
    }
    let pw = body.password.clone().unwrap_or_default();
    if pw.chars().count() < 12 {
        return Err(ApiError::validation(
            "password",
            "must be at least 12 characters",
        ));
    }
    if pw.len() > 1024 {
        return Err(ApiError::validation(
            "password",
            "must be at most 1024 bytes",
        ));
    }
    let hash = hash_password(pw).await?;

    let tenant_id = TenantId::new();
    let mut tx = db::tenant_tx(&state.db, tenant_id).await?;
    let (tenant, user) =
        match db::tenants::create_with_owner(&mut tx, tenant_id, company, &email, &hash).await? {
            CreateOutcome::Created(t, u) => (t, u),
            CreateOutcome::EmailTaken => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "email_taken",
                    "An account with this email already exists.",
                ))
            }
        };
    let tokens = issue_pair(
        &state,
        &mut tx,
        tenant.id,
        user.id,
        &user.role,
        Uuid::new_v4(),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(tenant_id = %tenant.id, user_id = %user.id, "tenant signed up");
    Ok(HttpResponse::Created().json(merge(
        json!({
            "tenant": {"id": tenant.id, "name": tenant.name},
            "user": {"id": user.id, "email": user.email, "role": user.role},
        }),
        tokens,
    )))
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    request_body = crate::openapi::schemas::LoginRequest,
    responses(
        (status = 200, description = "The user and a token pair", body = crate::openapi::schemas::LoginResponse),
        (status = 401, description = "Wrong email or password (same answer for both)"),
        (status = 429, description = "Too many attempts for this email or address; see Retry-After"),
    )
)]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Body<LoginIn>,
) -> ApiResult<HttpResponse> {
    // A blank email is a bad email: the same 401 as any other, not a validation error.
    let email = match body.email.as_deref().map(str::trim) {
        Some(e) if !e.is_empty() => e.to_lowercase(),
        _ => return Err(ApiError::unauthorized("Wrong email or password.")),
    };
    let pw = body.password.clone().unwrap_or_default();
    let ip = client_ip(&req, state.settings.trust_proxy_headers);
    login_limit::check(&state, &email, &ip).await?;

    let candidate = db::tenants::find_login(&state.db, &email).await?;
    let hash = candidate
        .as_ref()
        .map(|c| c.password_hash.clone())
        .unwrap_or_else(|| password::dummy_hash().to_string());
    let ok = verify_password(pw, hash).await? && candidate.is_some();
    let Some(c) = candidate.filter(|_| ok) else {
        login_limit::record_failure(&state, &email, &ip).await?;
        return Err(ApiError::unauthorized("Wrong email or password."));
    };
    let mut tx = db::tenant_tx(&state.db, c.tenant_id).await?;
    let user = db::tenants::get_user(&mut tx, c.user_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("Wrong email or password."))?;
    let tenant = db::tenants::get_tenant(&mut tx, c.tenant_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("Wrong email or password."))?;
    let tokens = issue_pair(
        &state,
        &mut tx,
        c.tenant_id,
        c.user_id,
        &user.role,
        Uuid::new_v4(),
    )
    .await?;
    tx.commit().await?;
    Ok(HttpResponse::Ok().json(merge(
        json!({
            "tenant": {"id": tenant.id, "name": tenant.name},
            "user": {"id": user.id, "email": user.email, "role": user.role},
        }),
        tokens,
    )))
}

/// The stored hash of a refresh token and its tenant, trying every accepted key so tokens
/// issued before a `SECRET_KEY` rotation keep working.
async fn find_token(state: &AppState, token: &str) -> ApiResult<Option<(Vec<u8>, TenantId)>> {
    for hash in state
        .settings
        .secret_keys
        .keyed_hashes(REFRESH_PURPOSE, token.as_bytes())
    {
        if let Some(tenant) = db::tokens::tenant_of(&state.db, &hash).await? {
            return Ok(Some((hash, tenant)));
        }
    }
    Ok(None)
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/refresh",
    tag = "auth",
    request_body = crate::openapi::schemas::RefreshRequest,
    responses(
        (status = 200, description = "A new pair; the presented refresh token is spent", body = crate::openapi::schemas::TokenPair),
        (status = 401, description = "Invalid, expired or spent token (a spent token revokes its whole family)"),
    )
)]
pub async fn refresh(state: web::Data<AppState>, body: Body<RefreshIn>) -> ApiResult<HttpResponse> {
    let token = required(&body.refresh_token, "refresh_token")?;
    let invalid = || ApiError::unauthorized("The refresh token is invalid or expired.");
    let (hash, tenant) = find_token(&state, token).await?.ok_or_else(invalid)?;
    let mut tx = db::tenant_tx(&state.db, tenant).await?;
    let row = db::tokens::find_for_update(&mut tx, &hash)
        .await?
        .ok_or_else(invalid)?;
    if row.revoked_at.is_some() {
        return Err(invalid());
    }
    if row.spent_at.is_some() {
        // A spent token came back: someone holds a copy. End the whole family.
        db::tokens::revoke_family(&mut tx, row.family_id).await?;
        tx.commit().await?;
        tracing::warn!(tenant_id = %tenant, family = %row.family_id, "refresh token reuse: family revoked");
        return Err(ApiError::unauthorized(
            "This refresh token was already used; the session has been signed out.",
        ));
    }
    if row.expires_at < Utc::now() {
        return Err(invalid());
    }
    let user = db::tenants::get_user(&mut tx, row.user_id)
        .await?
        .ok_or_else(invalid)?;
    db::tokens::mark_spent(&mut tx, row.id).await?;
    let tokens = issue_pair(
        &state,
        &mut tx,
        tenant,
        row.user_id,
        &user.role,
        row.family_id,
    )
    .await?;
    tx.commit().await?;
    Ok(HttpResponse::Ok().json(tokens))
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    request_body = crate::openapi::schemas::RefreshRequest,
    responses(
        (status = 204, description = "Signed out (the token's family is revoked)"),
    )
)]
pub async fn logout(state: web::Data<AppState>, body: Body<RefreshIn>) -> ApiResult<HttpResponse> {
    let token = required(&body.refresh_token, "refresh_token")?;
    if let Some((hash, tenant)) = find_token(&state, token).await? {
        let mut tx = db::tenant_tx(&state.db, tenant).await?;
        if let Some(row) = db::tokens::find_for_update(&mut tx, &hash).await? {
            db::tokens::revoke_family(&mut tx, row.family_id).await?;
        }
        tx.commit().await?;
    }
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "auth",
    responses(
        (status = 200, description = "The caller and their tenant", body = crate::openapi::schemas::MeResponse),
    )
)]
pub async fn me(state: web::Data<AppState>, user: AuthedUser) -> ApiResult<HttpResponse> {
    let mut tx = db::tenant_tx(&state.db, user.tenant_id).await?;
    let u = db::tenants::get_user(&mut tx, user.user_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("The user no longer exists."))?;
    let t = db::tenants::get_tenant(&mut tx, user.tenant_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("The account no longer exists."))?;
    tx.commit().await?;
    Ok(HttpResponse::Ok().json(json!({
        "user": {"id": u.id, "email": u.email, "role": u.role},
        "tenant": {"id": t.id, "name": t.name},
    })))
}

#[cfg(test)]
mod tests {
    use super::valid_email;

    #[test]
    fn email_validation() {
        assert!(valid_email("a@b.co"));
        assert!(!valid_email("a@b"));
        assert!(!valid_email("@b.co"));
        assert!(!valid_email("a b@c.co"));
    }
}
