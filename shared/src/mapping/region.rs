//! Deriving a country from a state/province when the address has no country.
//!
//! Precedence for abbreviations used by more than one country: United States, then Canada,
//! then Australia — except that a 4-digit postal code (Australia's format; US ZIP codes have
//! 5 digits and Canadian ones are `A1A 1A1`) settles `WA`, `NT` and `SA` as Australian.

use super::country::fold;

/// US states, DC, territories and military "states" (all ship as country `US`).
const US: &[(&str, &str)] = &[
    ("AL", "Alabama"),
    ("AK", "Alaska"),
    ("AZ", "Arizona"),
    ("AR", "Arkansas"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DE", "Delaware"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("HI", "Hawaii"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("IA", "Iowa"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("ME", "Maine"),
    ("MD", "Maryland"),
    ("MA", "Massachusetts"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MS", "Mississippi"),
    ("MO", "Missouri"),
    ("MT", "Montana"),
    ("NE", "Nebraska"),
    ("NV", "Nevada"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NY", "New York"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VT", "Vermont"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WV", "West Virginia"),
    ("WI", "Wisconsin"),
    ("WY", "Wyoming"),
    ("DC", "District of Columbia"),
    ("PR", "Puerto Rico"),
    ("GU", "Guam"),
    ("VI", "Virgin Islands"),
    ("AS", "American Samoa"),
    ("MP", "Northern Mariana Islands"),
    ("AA", "Armed Forces Americas"),
    ("AE", "Armed Forces Europe"),
    ("AP", "Armed Forces Pacific"),
];

/// Canadian provinces and territories (plus the old `PQ` and `NF`).
const CA: &[(&str, &str)] = &[
    ("AB", "Alberta"),
    ("BC", "British Columbia"),
    ("MB", "Manitoba"),
    ("NB", "New Brunswick"),
    ("NL", "Newfoundland and Labrador"),
    ("NF", "Newfoundland"),
    ("NS", "Nova Scotia"),
    ("NT", "Northwest Territories"),
    ("NU", "Nunavut"),
    ("ON", "Ontario"),
    ("PE", "Prince Edward Island"),
    ("QC", "Quebec"),
    ("PQ", "Province of Quebec"),
    ("SK", "Saskatchewan"),
    ("YT", "Yukon"),
];

/// Australian states and territories.
const AU: &[(&str, &str)] = &[
    ("NSW", "New South Wales"),
    ("VIC", "Victoria"),
    ("QLD", "Queensland"),
    ("SA", "South Australia"),
    ("WA", "Western Australia"),
    ("TAS", "Tasmania"),
    ("NT", "Northern Territory"),
    ("ACT", "Australian Capital Territory"),
];

fn matches(table: &[(&str, &str)], key: &str) -> bool {
    table
        .iter()
        .any(|(abbr, name)| abbr.eq_ignore_ascii_case(key) || fold(name) == key)
}

fn is_australian_postcode(postal_code: Option<&str>) -> bool {
    postal_code
        .map(str::trim)
        .is_some_and(|p| p.len() == 4 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether the postal code looks Canadian (`A1A 1A1`, space optional).
pub fn is_canadian_postal_code(postal_code: &str) -> bool {
    let p: Vec<u8> = postal_code
        .bytes()
        .filter(|b| !b.is_ascii_whitespace() && *b != b'-')
        .collect();
    p.len() == 6
        && p.iter().enumerate().all(|(i, b)| {
            if i % 2 == 0 {
                b.is_ascii_alphabetic()
            } else {
                b.is_ascii_digit()
            }
        })
}

/// The ISO alpha-2 country of a state/province abbreviation or name (`TX`, `Ontario`,
/// `NSW` ...), or `None` when it is not one we know. See the module docs for ambiguities.
pub fn country_from_region(state: &str, postal_code: Option<&str>) -> Option<&'static str> {
    let key = fold(state);
    if key.is_empty() {
        return None;
    }
    let us = matches(US, &key);
    let ca = matches(CA, &key);
    let au = matches(AU, &key);
    if au && (us || ca) && is_australian_postcode(postal_code) {
        return Some("AU");
    }
    if us {
        Some("US")
    } else if ca {
        Some("CA")
    } else if au {
        Some("AU")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_resolve_to_their_country() {
        let cases: &[(&str, Option<&str>, Option<&str>)] = &[
            ("TX", Some("78701"), Some("US")),
            ("tx", None, Some("US")),
            ("California", None, Some("US")),
            ("DC", None, Some("US")),
            ("PR", Some("00901"), Some("US")),
            ("GU", None, Some("US")),
            ("VI", None, Some("US")),
            ("AS", None, Some("US")),
            ("MP", None, Some("US")),
            ("AE", Some("09012"), Some("US")),
            ("AP", None, Some("US")),
            ("AA", None, Some("US")),
            ("ON", Some("M5V 2T6"), Some("CA")),
            ("Québec", None, Some("CA")),
            ("QC", None, Some("CA")),
            ("BC", None, Some("CA")),
            ("YT", None, Some("CA")),
            ("NSW", Some("2000"), Some("AU")),
            ("VIC", None, Some("AU")),
            ("qld", None, Some("AU")),
            ("TAS", None, Some("AU")),
            ("ACT", None, Some("AU")),
            ("Western Australia", None, Some("AU")),
            // Ambiguous: US/CA first unless the postcode is Australian.
            ("WA", Some("98101"), Some("US")),
            ("WA", None, Some("US")),
            ("WA", Some("6000"), Some("AU")),
            ("NT", Some("X1A 2N1"), Some("CA")),
            ("NT", None, Some("CA")),
            ("NT", Some("0800"), Some("AU")),
            ("SA", Some("5000"), Some("AU")),
            ("SA", None, Some("AU")),
            ("ZZ", None, None),
            ("", None, None),
            ("Bavaria", None, None),
        ];
        for (state, postal, want) in cases {
            assert_eq!(
                country_from_region(state, *postal),
                *want,
                "{state} {postal:?}"
            );
        }
    }

    #[test]
    fn canadian_postal_codes_are_recognised() {
        for (p, want) in [
            ("M5V 2T6", true),
            ("m5v2t6", true),
            ("K1A-0B1", true),
            ("12345", false),
            ("2000", false),
            ("SW1A 1AA", false),
        ] {
            assert_eq!(is_canadian_postal_code(p), want, "{p}");
        }
    }
}
