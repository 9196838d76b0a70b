//! Secrets at rest and in transit: AES-256-GCM sealing with key ids, keyed hashes, random
//! tokens, constant-time comparison.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

const SEAL_VERSION: u8 = 1;
const KID_LEN: usize = 4;
const NONCE_LEN: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("a key must not be empty")]
    BadKey,
    #[error("sealed value is malformed")]
    Malformed,
    #[error("sealed with an unknown key id")]
    UnknownKey,
    #[error("sealed value failed authentication")]
    Tampered,
}

#[derive(Clone)]
struct Key {
    id: [u8; KID_LEN],
    bytes: [u8; 32],
}

impl Key {
    fn new(bytes: [u8; 32]) -> Key {
        let digest = Sha256::digest(bytes);
        let mut id = [0u8; KID_LEN];
        id.copy_from_slice(&digest[..KID_LEN]);
        Key { id, bytes }
    }
}

/// The current encryption key and any previous ones still accepted for opening.
#[derive(Clone)]
pub struct SecretKeys {
    current: Key,
    previous: Vec<Key>,
}

impl std::fmt::Debug for SecretKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretKeys(kid={})", hex::encode(self.current.id))
    }
}

/// Base64 of exactly 32 bytes is used as it is; any other non-empty value is a passphrase,
/// stretched to 32 bytes with SHA-256 (operators often set a random string, not base64).
fn decode_key(value: &str) -> Result<[u8; 32], CryptoError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(CryptoError::BadKey);
    }
    let raw = base64::engine::general_purpose::STANDARD.decode(value);
    match raw.ok().and_then(|r| <[u8; 32]>::try_from(r).ok()) {
        Some(bytes) => Ok(bytes),
        None => Ok(Sha256::digest(value.as_bytes()).into()),
    }
}

/// Whether `value` is a strong key: base64 of 32 bytes, or a passphrase of at least 32
/// characters. Production warns at start about anything weaker.
pub fn is_strong_key(value: &str) -> bool {
    let value = value.trim();
    let is_raw_key = base64::engine::general_purpose::STANDARD
        .decode(value)
        .is_ok_and(|r| r.len() == 32);
    is_raw_key || value.chars().count() >= 32
}

impl SecretKeys {
    /// `current` is base64 of 32 bytes or a passphrase; `previous` a comma list of older keys
    /// (may be empty).
    pub fn from_base64(current: &str, previous: &str) -> Result<SecretKeys, CryptoError> {
        let current = Key::new(decode_key(current)?);
        let previous = previous
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| decode_key(s).map(Key::new))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SecretKeys { current, previous })
    }

    /// Key id of the current key, as hex (stored next to nothing: it is inside each sealed value).
    pub fn current_kid(&self) -> String {
        hex::encode(self.current.id)
    }

    /// Encrypts `plaintext`: `version | kid | nonce | ciphertext+tag`.
    pub fn seal(&self, plaintext: &[u8]) -> Vec<u8> {
        let cipher = Aes256Gcm::new_from_slice(&self.current.bytes).expect("32-byte key");
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ciphertext = cipher
            .encrypt(Nonce::from_slice(&nonce), plaintext)
            .expect("AES-GCM encryption cannot fail for in-memory buffers");
        let mut out = Vec::with_capacity(1 + KID_LEN + NONCE_LEN + ciphertext.len());
        out.push(SEAL_VERSION);
        out.extend_from_slice(&self.current.id);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ciphertext);
        out
    }

    /// Decrypts a value sealed under the current or a previous key.
    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if sealed.len() < 1 + KID_LEN + NONCE_LEN + 16 || sealed[0] != SEAL_VERSION {
            return Err(CryptoError::Malformed);
        }
        let kid = &sealed[1..1 + KID_LEN];
        let key = std::iter::once(&self.current)
            .chain(self.previous.iter())
            .find(|k| k.id == kid)
            .ok_or(CryptoError::UnknownKey)?;
        let nonce = &sealed[1 + KID_LEN..1 + KID_LEN + NONCE_LEN];
        let cipher = Aes256Gcm::new_from_slice(&key.bytes).expect("32-byte key");
        cipher
            .decrypt(Nonce::from_slice(nonce), &sealed[1 + KID_LEN + NONCE_LEN..])
            .map_err(|_| CryptoError::Tampered)
    }

    /// Opens a sealed UTF-8 string.
    pub fn open_string(&self, sealed: &[u8]) -> Result<String, CryptoError> {
        String::from_utf8(self.open(sealed)?).map_err(|_| CryptoError::Malformed)
    }

    /// HMAC-SHA256 of `value` under a subkey of the current key for `purpose`, so one leaked
    /// hash table cannot be replayed against another purpose.
    pub fn keyed_hash(&self, purpose: &str, value: &[u8]) -> Vec<u8> {
        keyed_hash_with(&self.current, purpose, value)
    }

    /// The keyed hashes of `value` under every key still accepted, current first: values
    /// stored before a key rotation are found with these.
    pub fn keyed_hashes(&self, purpose: &str, value: &[u8]) -> Vec<Vec<u8>> {
        std::iter::once(&self.current)
            .chain(self.previous.iter())
            .map(|k| keyed_hash_with(k, purpose, value))
            .collect()
    }

    /// Whether `stored` is the keyed hash of `value` under any accepted key (each comparison
    /// in constant time).
    pub fn verify_keyed_hash(&self, purpose: &str, value: &[u8], stored: &[u8]) -> bool {
        self.keyed_hashes(purpose, value)
            .iter()
            .fold(false, |found, h| found | constant_time_eq(h, stored))
    }
}

fn keyed_hash_with(key: &Key, purpose: &str, value: &[u8]) -> Vec<u8> {
    let mut subkey = <Hmac<Sha256> as Mac>::new_from_slice(&key.bytes).expect("any key");
    subkey.update(purpose.as_bytes());
    let subkey = subkey.finalize().into_bytes();
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&subkey).expect("any key");
    mac.update(value);
    mac.finalize().into_bytes().to_vec()
}

/// A URL-safe random token of `bytes` bytes of entropy.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// Constant-time equality of two byte strings.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const K1: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    const K2: &str = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";

    #[test]
    fn seal_round_trips_and_hides_the_plaintext() {
        let keys = SecretKeys::from_base64(K1, "").expect("key");
        let sealed = keys.seal(b"api-secret-value");
        assert!(!sealed.windows(6).any(|w| w == b"secret"));
        assert_eq!(keys.open(&sealed).expect("open"), b"api-secret-value");
    }

    #[test]
    fn rotated_keys_open_old_values_and_seal_with_the_new_one() {
        let old = SecretKeys::from_base64(K1, "").expect("key");
        let sealed = old.seal(b"x");
        let rotated = SecretKeys::from_base64(K2, K1).expect("keys");
        assert_eq!(rotated.open(&sealed).expect("open"), b"x");
        let fresh = rotated.seal(b"y");
        assert!(matches!(old.open(&fresh), Err(CryptoError::UnknownKey)));
    }

    #[test]
    fn tampering_is_detected() {
        let keys = SecretKeys::from_base64(K1, "").expect("key");
        let mut sealed = keys.seal(b"value");
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(matches!(keys.open(&sealed), Err(CryptoError::Tampered)));
    }

    #[test]
    fn empty_keys_are_refused_and_passphrases_stretched() {
        assert!(SecretKeys::from_base64("", "").is_err());
        assert!(SecretKeys::from_base64("  ", "").is_err());
        let a = SecretKeys::from_base64("test-secret", "").expect("passphrase");
        let b = SecretKeys::from_base64("test-secret", "").expect("passphrase");
        assert_eq!(a.current_kid(), b.current_kid());
        assert_ne!(
            a.current_kid(),
            SecretKeys::from_base64(K1, "").expect("key").current_kid()
        );
        assert!(b.open(&a.seal(b"value")).is_ok());
        assert!(is_strong_key(K1));
        assert!(!is_strong_key("c2hvcnQ="));
        assert!(is_strong_key("a passphrase of thirty-two chars!"));
    }

    #[test]
    fn keyed_hash_depends_on_purpose_and_value() {
        let keys = SecretKeys::from_base64(K1, "").expect("key");
        assert_ne!(keys.keyed_hash("a", b"v"), keys.keyed_hash("b", b"v"));
        assert_eq!(keys.keyed_hash("a", b"v"), keys.keyed_hash("a", b"v"));
        assert!(constant_time_eq(
            &keys.keyed_hash("a", b"v"),
            &keys.keyed_hash("a", b"v")
        ));
        assert!(!constant_time_eq(b"ab", b"abc"));
    }

    #[test]
    fn keyed_hashes_made_before_a_rotation_still_verify() {
        let old = SecretKeys::from_base64(K1, "").expect("key");
        let stored = old.keyed_hash("p", b"token");
        let rotated = SecretKeys::from_base64(K2, K1).expect("keys");
        assert!(rotated.verify_keyed_hash("p", b"token", &stored));
        assert!(!rotated.verify_keyed_hash("p", b"other", &stored));
        assert_eq!(rotated.keyed_hashes("p", b"token").len(), 2);
        assert_ne!(rotated.keyed_hash("p", b"token"), stored);
    }
}
