//! Failed login attempts limited per email and per client address, in Redis so every api
//! replica shares the count. Fixed windows; once either count reaches its limit, every login for
//! that email or address is 429 with `Retry-After` until the window ends. Successful logins are
//! not counted, so a busy office behind one address is not locked out by its own users.

use actix_web::http::StatusCode;

use crate::error::ApiError;
use crate::state::AppState;

struct Keys {
    email: String,
    ip: String,
}

fn keys(state: &AppState, email: &str, ip: &str) -> Keys {
    Keys {
        email: state.key(&format!("login:email:{}", hex::encode(email.as_bytes()))),
        ip: state.key(&format!("login:ip:{ip}")),
    }
}

/// Refuses with 429 when the email or the address has used up its failed attempts.
pub async fn check(state: &AppState, email: &str, ip: &str) -> Result<(), ApiError> {
    let k = keys(state, email, ip);
    let mut conn = state.redis.clone();
    let (by_email, ttl_email, by_ip, ttl_ip): (Option<u64>, i64, Option<u64>, i64) = redis::pipe()
        .get(&k.email)
        .ttl(&k.email)
        .get(&k.ip)
        .ttl(&k.ip)
        .query_async(&mut conn)
        .await?;
    let mut retry_after = 0;
    if by_email.unwrap_or(0) >= u64::from(state.settings.login_limit_per_email) {
        retry_after = ttl_email.max(1) as u64;
    }
    if by_ip.unwrap_or(0) >= u64::from(state.settings.login_limit_per_ip) {
        retry_after = retry_after.max(ttl_ip.max(1) as u64);
    }
    if retry_after > 0 {
        tracing::warn!("login rate limit reached");
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            format!("Too many failed login attempts. Try again in {retry_after} seconds."),
        )
        .with_retry_after(retry_after));
    }
    Ok(())
}

/// Counts one failed attempt for the email and the address.
pub async fn record_failure(state: &AppState, email: &str, ip: &str) -> Result<(), ApiError> {
    let k = keys(state, email, ip);
    let window = state.settings.login_window.as_secs().max(1);
    let mut conn = state.redis.clone();
    let mut pipe = redis::pipe();
    pipe.atomic();
    for key in [&k.email, &k.ip] {
        // The window starts at the first failure and is not extended by later ones.
        pipe.cmd("SET")
            .arg(key)
            .arg(0)
            .arg("EX")
            .arg(window)
            .arg("NX")
            .ignore();
        pipe.cmd("INCR").arg(key).ignore();
    }
    pipe.query_async::<()>(&mut conn).await?;
    Ok(())
}
