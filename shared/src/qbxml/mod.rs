//! qbXML, the QuickBooks Desktop request/response language: building the requests we send
//! through the Web Connector and parsing what QuickBooks answers.
//!
//! Everything we emit targets qbXML 13.0 (QuickBooks 2014 and later) and follows the XSD
//! element order exactly, because QuickBooks rejects out-of-order elements.

pub mod request;
pub mod response;
pub mod text;
pub(crate) mod tree;

#[cfg(test)]
pub(crate) mod golden;

/// The qbXML version every request declares (`<?qbxml version="13.0"?>`).
pub const QBXML_VERSION: &str = "13.0";

/// The oldest qbXML version Quayside asks in: iterators (every sales query pages with one)
/// came with qbXML 5.0, QuickBooks 2006.
pub const MIN_QBXML_VERSION: (u32, u32) = (5, 0);

fn version_number(v: &str) -> Option<(u32, u32)> {
    let (major, minor) = v.trim().split_once('.').unwrap_or((v.trim(), "0"));
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// The version to declare to a QuickBooks that lists `supported` (the HCP response's
/// `SupportedQBXMLVersion`s) and declares `declared` (`qbXMLMajorVers`, `qbXMLMinorVers` of
/// sendRequestXML): the highest version both allow, up to [`QBXML_VERSION`], so an older
/// QuickBooks is asked in a version it reads. [`QBXML_VERSION`] when nothing usable is known.
///
/// `Err` names the newest version QuickBooks reads when that is below [`MIN_QBXML_VERSION`],
/// or when it lists only locale-prefixed versions (`CA3.0`, `UK3.0`: the separate SDKs of
/// Canadian, UK and Australian editions before QuickBooks 2008, which have no iterators).
pub fn negotiate_version(
    supported: &[String],
    declared: Option<(u32, u32)>,
) -> Result<String, String> {
    let ours = version_number(QBXML_VERSION).unwrap_or((13, 0));
    let numbered: Vec<(u32, u32)> = supported.iter().filter_map(|v| version_number(v)).collect();
    if numbered.is_empty() {
        if let Some(local) = supported.iter().rev().find(|v| {
            let v = v.trim();
            let number = v.trim_start_matches(|c: char| c.is_ascii_alphabetic());
            number.len() < v.len() && version_number(number).is_some()
        }) {
            return Err(local.trim().to_string());
        }
    }
    let listed = numbered.iter().copied().filter(|v| *v <= ours).max();
    let chosen = [listed, declared.map(|d| d.min(ours))]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(ours);
    let text = format!("{}.{}", chosen.0, chosen.1);
    if chosen < MIN_QBXML_VERSION {
        return Err(text);
    }
    Ok(text)
}

/// `xml` (built by [`request`]) declaring `version` instead of [`QBXML_VERSION`].
pub fn with_version(xml: &str, version: &str) -> String {
    xml.replacen(
        &format!("<?qbxml version=\"{QBXML_VERSION}\"?>"),
        &format!("<?qbxml version=\"{version}\"?>"),
        1,
    )
}

#[cfg(test)]
mod version_tests {
    use super::*;

    #[test]
    fn an_older_quickbooks_is_asked_in_its_highest_version() {
        let list = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let ok = |v: &str| Ok::<String, String>(v.to_string());
        assert_eq!(
            negotiate_version(&list(&["1.0", "2.1", "5.0"]), None),
            ok("5.0")
        );
        assert_eq!(
            negotiate_version(&list(&["1.0", "5.0"]), Some((5, 0))),
            ok("5.0")
        );
        assert_eq!(
            negotiate_version(&list(&["12.0", "13.0", "14.0", "16.0"]), Some((16, 0))),
            ok("13.0")
        );
        assert_eq!(negotiate_version(&list(&["13.0"]), Some((8, 0))), ok("8.0"));
        assert_eq!(negotiate_version(&list(&["junk"]), None), ok("13.0"));
        assert_eq!(negotiate_version(&[], None), ok("13.0"));
        assert_eq!(negotiate_version(&[], Some((16, 0))), ok("13.0"));
        let xml = request::message_set(&[]);
        assert!(with_version(&xml, "5.0").contains("<?qbxml version=\"5.0\"?>"));
        assert!(!with_version(&xml, "5.0").contains("13.0"));
    }

    #[test]
    fn a_quickbooks_without_iterators_is_refused_with_what_it_reads() {
        let list = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let err = |v: &str| Err::<String, String>(v.to_string());
        // QuickBooks 2005: qbXML up to 4.1.
        assert_eq!(
            negotiate_version(&list(&["1.0", "4.0", "4.1"]), None),
            err("4.1")
        );
        assert_eq!(negotiate_version(&[], Some((4, 1))), err("4.1"));
        assert_eq!(
            negotiate_version(&list(&["13.0"]), Some((3, 0))),
            err("3.0")
        );
        // Canadian and UK editions before 2008 list only their own SDK's versions.
        assert_eq!(
            negotiate_version(&list(&["CA2.0", "CA3.0"]), Some((3, 0))),
            err("CA3.0")
        );
        assert_eq!(
            negotiate_version(&list(&["UK2.0", "UK3.0"]), None),
            err("UK3.0")
        );
        // Later non-US editions read the US versions.
        assert_eq!(
            negotiate_version(&list(&["CA3.0", "6.0", "7.0", "13.0"]), None),
            Ok("13.0".to_string())
        );
    }
}
