//! HS256 access tokens carrying tenant and user.

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::ids::{TenantId, UserId};

pub const ACCESS_TOKEN_TTL_SECS: i64 = 15 * 60;
const ISSUER: &str = "quayside";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: UserId,
    pub tid: TenantId,
    pub role: String,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
}

#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl JwtKeys {
    pub fn new(secret: &SecretString) -> JwtKeys {
        let bytes = secret.expose_secret().as_bytes();
        JwtKeys {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
        }
    }

    pub fn issue(&self, user: UserId, tenant: TenantId, role: &str) -> anyhow::Result<String> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user,
            tid: tenant,
            role: role.to_string(),
            iat: now,
            exp: now + ACCESS_TOKEN_TTL_SECS,
            iss: ISSUER.to_string(),
        };
        Ok(encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    /// Verifies signature, algorithm (HS256 only: `none` and others are refused), expiry and
    /// issuer.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.leeway = 5;
        decode::<Claims>(token, &self.decoding, &validation)
            .ok()
            .map(|d| d.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn keys() -> JwtKeys {
        JwtKeys::new(&SecretString::from(
            "a-test-secret-that-is-long-enough-123456",
        ))
    }

    #[test]
    fn issued_tokens_verify() {
        let k = keys();
        let (u, t) = (UserId::new(), TenantId::new());
        let token = k.issue(u, t, "owner").expect("issue");
        let claims = k.verify(&token).expect("valid");
        assert_eq!(claims.sub, u);
        assert_eq!(claims.tid, t);
    }

    #[test]
    fn tampered_and_unsigned_tokens_are_refused() {
        let k = keys();
        let token = k
            .issue(UserId::new(), TenantId::new(), "owner")
            .expect("issue");
        let mut parts: Vec<String> = token.split('.').map(String::from).collect();
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = engine.encode(br#"{"alg":"none","typ":"JWT"}"#);
        assert!(k.verify(&format!("{header}.{}.", parts[1])).is_none());
        parts[1] = engine.encode(
            format!(
                r#"{{"sub":"{}","tid":"{}","role":"owner","iat":0,"exp":9999999999,"iss":"quayside"}}"#,
                UserId::new(),
                TenantId::new()
            )
            .as_bytes(),
        );
        assert!(k.verify(&parts.join(".")).is_none());
        let other = JwtKeys::new(&SecretString::from(
            "another-secret-that-is-long-enough-12345",
        ));
        assert!(other.verify(&token).is_none());
    }
}
