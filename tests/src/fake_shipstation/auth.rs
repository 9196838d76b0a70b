//! HTTP Basic credentials: username = API Key, password = API Secret (§1 of the spec).

use base64::Engine;

/// Extracts `(key, secret)` from an `Authorization: Basic …` header value.
pub fn parse_basic(header: Option<&str>) -> Option<(String, String)> {
    let value = header?.trim();
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (key, secret) = text.split_once(':')?;
    Some((key.to_owned(), secret.to_owned()))
}

/// Builds the header value for a key pair (for tests and clients of the fake).
pub fn basic_header(key: &str, secret: &str) -> String {
    let enc = base64::engine::general_purpose::STANDARD.encode(format!("{key}:{secret}"));
    format!("Basic {enc}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_example_round_trips() {
        assert_eq!(
            basic_header("ShipStation", "Rocks"),
            "Basic U2hpcFN0YXRpb246Um9ja3M="
        );
        assert_eq!(
            parse_basic(Some("Basic U2hpcFN0YXRpb246Um9ja3M=")),
            Some(("ShipStation".into(), "Rocks".into()))
        );
    }

    #[test]
    fn rejects_other_schemes_and_garbage() {
        assert_eq!(parse_basic(None), None);
        assert_eq!(parse_basic(Some("Bearer abc")), None);
        assert_eq!(parse_basic(Some("Basic !!!")), None);
        let no_colon = base64::engine::general_purpose::STANDARD.encode("nocolon");
        assert_eq!(parse_basic(Some(&format!("Basic {no_colon}"))), None);
    }
}
