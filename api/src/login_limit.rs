//! Login attempts limited per email and per client address, in Redis so every api replica
//! shares the count. Fixed windows; over the limit is 429 with `Retry-After`.

use actix_web::http::StatusCode;

use crate::error::ApiError;
use crate::state::AppState;

/// Counts one attempt under `key`; returns (count, seconds left in the window).
async fn hit(state: &AppState, key: &str, window_secs: u64) -> Result<(u64, u64), ApiError> {
    let mut conn = state.redis.clone();
    let (count, ttl): (u64, i64) = redis::pipe()
        .atomic()
        .cmd("SET")
        .arg(key)
        .arg(0)
        .arg("EX")
        .arg(window_secs)
        .arg("NX")
        .ignore()
        .cmd("INCR")
        .arg(key)
        .cmd("TTL")
        .arg(key)
        .query_async(&mut conn)
        .await?;
    Ok((count, ttl.max(1) as u64))
}

/// Counts the attempt; errors with 429 when either limit is exceeded.
pub async fn check(state: &AppState, email: &str, ip: &str) -> Result<(), ApiError> {
    let window = state.settings.login_window.as_secs().max(1);
    let email_key = state.key(&format!("login:email:{}", hex::encode(email.as_bytes())));
    let ip_key = state.key(&format!("login:ip:{ip}"));
    let (by_email, ttl_email) = hit(state, &email_key, window).await?;
    let (by_ip, ttl_ip) = hit(state, &ip_key, window).await?;
    let mut retry_after = 0;
    if by_email > u64::from(state.settings.login_limit_per_email) {
        retry_after = ttl_email;
    }
    if by_ip > u64::from(state.settings.login_limit_per_ip) {
        retry_after = retry_after.max(ttl_ip);
    }
    if retry_after > 0 {
        tracing::warn!("login rate limit reached");
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            format!("Too many login attempts. Try again in {retry_after} seconds."),
        )
        .with_retry_after(retry_after));
    }
    Ok(())
}
