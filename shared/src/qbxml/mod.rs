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

fn version_number(v: &str) -> Option<(u32, u32)> {
    let (major, minor) = v.trim().split_once('.').unwrap_or((v.trim(), "0"));
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// The version to declare to a QuickBooks that lists `supported` (the HCP response's
/// `SupportedQBXMLVersion`s) and declares `declared` (`qbXMLMajorVers`, `qbXMLMinorVers` of
/// sendRequestXML): the highest version both allow, up to [`QBXML_VERSION`], so an older
/// QuickBooks is asked in a version it reads. [`QBXML_VERSION`] when nothing usable is known.
pub fn negotiate_version(supported: &[String], declared: Option<(u32, u32)>) -> String {
    let ours = version_number(QBXML_VERSION).unwrap_or((13, 0));
    let listed = supported
        .iter()
        .filter_map(|v| version_number(v))
        .filter(|v| *v <= ours)
        .max();
    let chosen = [listed, declared.map(|d| d.min(ours))]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(ours);
    format!("{}.{}", chosen.0, chosen.1)
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
        assert_eq!(
            negotiate_version(&list(&["1.0", "2.1", "5.0"]), None),
            "5.0"
        );
        assert_eq!(
            negotiate_version(&list(&["1.0", "5.0"]), Some((5, 0))),
            "5.0"
        );
        assert_eq!(
            negotiate_version(&list(&["12.0", "13.0", "14.0", "16.0"]), Some((16, 0))),
            "13.0"
        );
        assert_eq!(negotiate_version(&list(&["13.0"]), Some((8, 0))), "8.0");
        assert_eq!(negotiate_version(&list(&["junk"]), None), "13.0");
        assert_eq!(negotiate_version(&[], None), "13.0");
        let xml = request::message_set(&[]);
        assert!(with_version(&xml, "5.0").contains("<?qbxml version=\"5.0\"?>"));
        assert!(!with_version(&xml, "5.0").contains("13.0"));
    }
}
