//! What can go wrong talking to ShipStation, classified so callers can decide retry vs fail.

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum ShipStationError {
    /// 429, or our own limiter: do not call again before `reset`.
    #[error("ShipStation rate limit reached; retry in {}s", reset.as_secs())]
    RateLimited { reset: Duration },
    /// 401/403: the key or secret is wrong or revoked. Permanent until the user fixes it.
    #[error("ShipStation refused the API key and secret")]
    Unauthorized,
    /// 4xx with ShipStation's own message: the request itself is wrong. Permanent.
    #[error("ShipStation rejected the request ({status}): {message}")]
    Rejected { status: u16, message: String },
    /// 5xx, timeouts, connection errors, unreadable bodies: retry with backoff.
    #[error("ShipStation is unavailable: {0}")]
    Transient(String),
}

impl ShipStationError {
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ShipStationError::RateLimited { .. } | ShipStationError::Transient(_)
        )
    }
}

/// Pulls a readable message out of ShipStation's error bodies (`Message`, `message`,
/// `ExceptionMessage`, `ModelState`), falling back to the raw text.
pub fn error_message(body: &str) -> String {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(body) else {
        let trimmed = body.trim();
        return if trimmed.is_empty() {
            "no details given".into()
        } else {
            trimmed.chars().take(500).collect()
        };
    };
    let mut parts = Vec::new();
    for key in ["Message", "message", "ExceptionMessage"] {
        if let Some(s) = v.get(key).and_then(|m| m.as_str()) {
            parts.push(s.to_string());
        }
    }
    if let Some(state) = v.get("ModelState").and_then(|m| m.as_object()) {
        for (field, errors) in state {
            if let Some(list) = errors.as_array() {
                for e in list.iter().filter_map(|e| e.as_str()) {
                    parts.push(format!("{field}: {e}"));
                }
            }
        }
    }
    if parts.is_empty() {
        body.chars().take(500).collect()
    } else {
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_asp_net_error_shapes() {
        assert_eq!(
            error_message(
                r#"{"Message":"The request is invalid.","ModelState":{"apiOrder.orderNumber":["The orderNumber field is required."]}}"#
            ),
            "The request is invalid. apiOrder.orderNumber: The orderNumber field is required."
        );
        assert_eq!(
            error_message(r#"{"message": "Too Many Requests"}"#),
            "Too Many Requests"
        );
        assert_eq!(error_message("<html>oops</html>"), "<html>oops</html>");
    }
}
