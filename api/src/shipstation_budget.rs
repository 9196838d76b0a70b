//! The api's own ShipStation calls (checking credentials, listing stores, webhooks) are counted
//! in the same per-key budget as the workers' pushes and pulls, so the workers leave room for
//! them. A person's call is refused only while ShipStation itself has said the key is out, not
//! on our own count: that count is an estimate, and other clients of the key are not in it.

use std::future::Future;

use secrecy::ExposeSecret;
use shared::shipstation::client::ShipStationClient;
use shared::shipstation::error::ShipStationError;
use shared::shipstation::limiter::{bucket_for_key, Permit};

use crate::state::AppState;

/// Runs `call` (a request of `client`) unless ShipStation has said the key is out, and records
/// what ShipStation said about the budget afterwards. While blocked, `call` is not made and
/// the answer is [`ShipStationError::RateLimited`] with the wait. Redis trouble does not stop the
/// call: ShipStation's own limit still protects the account.
pub async fn within_budget<T>(
    state: &AppState,
    client: &ShipStationClient,
    call: impl Future<Output = Result<T, ShipStationError>>,
) -> Result<T, ShipStationError> {
    let bucket = bucket_for_key(client.api_key().expose_secret());
    match state.limiter.spend(&bucket).await {
        Ok(Permit::Wait(wait)) => return Err(ShipStationError::RateLimited { reset: wait }),
        Ok(Permit::Granted { .. }) => {}
        Err(e) => tracing::warn!(error = %e, "ShipStation budget unavailable; calling anyway"),
    }
    let result = call.await;
    if let Some(rate) = client.last_rate() {
        if let Err(e) = state.limiter.observe(&bucket, &rate).await {
            tracing::warn!(error = %e, "could not record ShipStation's rate-limit headers");
        }
    }
    if let Err(ShipStationError::RateLimited { reset }) = &result {
        if let Err(e) = state.limiter.block_for(&bucket, *reset).await {
            tracing::warn!(error = %e, "could not record ShipStation's 429");
        }
    }
    result
}
