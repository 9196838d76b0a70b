//! Country names and codes → ISO 3166-1 alpha-2, and the country an address ships to.
//!
//! A country field is read as, in order: an everyday alias (`USA`, `U.S.`, `UK`,
//! `Great Britain`, `Holland` ...), an ISO name (`United States of America`, `Canada`,
//! `Côte d'Ivoire` ...), an ISO alpha-2 code (`CA` is Canada here: in the *country* field ISO
//! wins; California is only ever a *state*), or an ISO alpha-3 code (`CAN`, `MEX`). Matching
//! ignores case, accents, dots, apostrophes, other punctuation and a leading "the".

use std::collections::HashMap;
use std::sync::OnceLock;

use super::country_data::ISO_3166_1;
use super::region::{country_from_region, is_canadian_postal_code};

/// Everyday names that are not ISO names.
const ALIASES: &[(&str, &str)] = &[
    ("us", "US"),
    ("usa", "US"),
    ("america", "US"),
    ("united states america", "US"),
    ("uk", "GB"),
    ("great britain", "GB"),
    ("britain", "GB"),
    ("england", "GB"),
    ("scotland", "GB"),
    ("wales", "GB"),
    ("northern ireland", "GB"),
    ("holland", "NL"),
    ("russia", "RU"),
    ("korea", "KR"),
    ("north korea", "KP"),
    ("vietnam", "VN"),
    ("czech republic", "CZ"),
    ("turkey", "TR"),
    ("macedonia", "MK"),
    ("swaziland", "SZ"),
    ("burma", "MM"),
    ("ivory coast", "CI"),
    ("cape verde", "CV"),
    ("eire", "IE"),
    ("republic of ireland", "IE"),
    ("deutschland", "DE"),
    ("brasil", "BR"),
    ("espana", "ES"),
    ("uae", "AE"),
    ("vatican", "VA"),
    ("vatican city", "VA"),
    ("palestine", "PS"),
    ("bolivia", "BO"),
    ("venezuela", "VE"),
    ("micronesia", "FM"),
    ("st lucia", "LC"),
    ("st kitts and nevis", "KN"),
    ("st vincent and the grenadines", "VC"),
];

/// Lower-cases, strips accents of Latin letters, drops `.` and `'`, turns other punctuation
/// into spaces, collapses spaces, and drops a leading "the ". Used for names and states.
pub(crate) fn fold(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.trim().chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            '&' => {
                out.push_str(" and ");
                continue;
            }
            '.' | '\'' | '’' => continue,
            c if c.is_alphanumeric() => c,
            _ => ' ',
        };
        out.push(c);
    }
    let collapsed = out.split_whitespace().collect::<Vec<_>>().join(" ");
    match collapsed.strip_prefix("the ") {
        Some(rest) => rest.to_owned(),
        None => collapsed,
    }
}

fn table() -> &'static HashMap<String, &'static str> {
    static TABLE: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut map = HashMap::new();
        for line in ISO_3166_1.lines() {
            let mut parts = line.split('|');
            let (Some(alpha2), Some(alpha3)) = (parts.next(), parts.next()) else {
                continue;
            };
            map.insert(alpha2.to_ascii_lowercase(), alpha2);
            map.insert(alpha3.to_ascii_lowercase(), alpha2);
            for name in parts {
                map.insert(fold(name), alpha2);
            }
        }
        for (alias, code) in ALIASES {
            map.insert((*alias).to_owned(), *code);
        }
        map
    })
}

/// The ISO 3166-1 alpha-2 code for a country name, alias, alpha-2 or alpha-3 code, or `None`
/// when it is none of those (`country_code("U.S.A.") == Some("US")`).
pub fn country_code(raw: &str) -> Option<&'static str> {
    let key = fold(raw);
    if key.is_empty() {
        return None;
    }
    table().get(&key).copied()
}

/// How the country of an address was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountrySource {
    /// From the address's country field.
    Given,
    /// From the state/province (or a Canadian postal code).
    FromRegion,
    /// Nothing to go on: the default `US`.
    Default,
}

/// The country an address ships to, as ISO alpha-2, and how it was decided.
///
/// `Err(value)` when the address names a country we do not recognise: sending a guess would
/// put the parcel on the wrong label, so the caller reports it instead.
pub fn resolve_country(
    country: Option<&str>,
    state: Option<&str>,
    postal_code: Option<&str>,
) -> Result<(&'static str, CountrySource), String> {
    if let Some(given) = country.map(str::trim).filter(|c| !c.is_empty()) {
        return country_code(given)
            .map(|code| (code, CountrySource::Given))
            .ok_or_else(|| given.to_owned());
    }
    if let Some(code) = state.and_then(|s| country_from_region(s, postal_code)) {
        return Ok((code, CountrySource::FromRegion));
    }
    if postal_code.is_some_and(is_canadian_postal_code) {
        return Ok(("CA", CountrySource::FromRegion));
    }
    Ok(("US", CountrySource::Default))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_names_and_codes_become_alpha2() {
        let cases: &[(&str, Option<&str>)] = &[
            ("USA", Some("US")),
            ("US", Some("US")),
            ("us", Some("US")),
            ("United States", Some("US")),
            ("United States of America", Some("US")),
            ("the United States of America", Some("US")),
            ("U.S.A.", Some("US")),
            ("U.S.", Some("US")),
            ("Canada", Some("CA")),
            ("CAN", Some("CA")),
            ("CA", Some("CA")),
            ("Mexico", Some("MX")),
            ("México", Some("MX")),
            ("MEX", Some("MX")),
            ("United Kingdom", Some("GB")),
            ("UK", Some("GB")),
            ("Great Britain", Some("GB")),
            ("GBR", Some("GB")),
            ("Australia", Some("AU")),
            ("AUS", Some("AU")),
            ("Germany", Some("DE")),
            ("DEU", Some("DE")),
            ("France", Some("FR")),
            ("Netherlands", Some("NL")),
            ("The Netherlands", Some("NL")),
            ("Holland", Some("NL")),
            ("Ireland", Some("IE")),
            ("New Zealand", Some("NZ")),
            ("Japan", Some("JP")),
            ("South Korea", Some("KR")),
            ("Côte d'Ivoire", Some("CI")),
            ("Puerto Rico", Some("PR")),
            ("Bosnia & Herzegovina", Some("BA")),
            ("  canada  ", Some("CA")),
            ("Narnia", None),
            ("", None),
            ("XX", None),
        ];
        for (raw, want) in cases {
            assert_eq!(country_code(raw), *want, "{raw:?}");
        }
    }

    #[test]
    fn the_address_country_is_given_derived_or_defaulted() {
        use CountrySource::*;
        type Case<'a> = (
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
            Result<(&'a str, CountrySource), String>,
        );
        let cases: &[Case] = &[
            (Some("USA"), Some("ON"), None, Ok(("US", Given))),
            (Some("Canada"), None, None, Ok(("CA", Given))),
            (None, Some("ON"), Some("M5V 2T6"), Ok(("CA", FromRegion))),
            (None, Some("WA"), Some("98101"), Ok(("US", FromRegion))),
            (None, Some("NSW"), None, Ok(("AU", FromRegion))),
            (Some("  "), Some("TX"), None, Ok(("US", FromRegion))),
            (None, None, Some("K1A 0B1"), Ok(("CA", FromRegion))),
            (None, Some("Bavaria"), None, Ok(("US", Default))),
            (None, None, None, Ok(("US", Default))),
            (Some("Narnia"), Some("TX"), None, Err("Narnia".to_owned())),
        ];
        for (country, state, postal, want) in cases {
            assert_eq!(
                &resolve_country(*country, *state, *postal),
                want,
                "{country:?} {state:?} {postal:?}"
            );
        }
    }
}
