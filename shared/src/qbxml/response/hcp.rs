//! Reading the Host/Company/Preferences response QBWC sends on the first `sendRequestXML`.

use uuid::Uuid;

use super::parse_root;
use crate::qbxml::tree::XmlElement;

fn rets<'a, 'd>(
    root: &'a XmlElement<'d>,
    rs: &'a str,
    ret: &'a str,
) -> impl Iterator<Item = &'a XmlElement<'d>> {
    root.children_named("QBXMLMsgsRs")
        .flat_map(move |set| set.children_named(rs))
        .flat_map(move |r| r.children_named(ret))
}

fn same_owner(text: &str, owner_id: &Uuid) -> bool {
    let trimmed = text.trim().trim_start_matches('{').trim_end_matches('}');
    Uuid::parse_str(trimmed).is_ok_and(|u| u == *owner_id)
}

/// The company file's `FileID` that the Web Connector stamped as a private data extension
/// (`CompanyRet/DataExtRet` with our `OwnerID` and `DataExtName` `FileID`), exactly as stored
/// (e.g. `{ee032e95-47f7-2564-096f-2d4545fcb021}`). `None` if absent or the HCP is not qbXML.
pub fn parse_hcp_company_file_id(hcp: &str, owner_id: &Uuid) -> Option<String> {
    let root = parse_root(hcp).ok()?;
    let found = rets(&root, "CompanyQueryRs", "CompanyRet")
        .flat_map(|company| company.children_named("DataExtRet"))
        .find(|d| {
            d.child_text("DataExtName").map(str::trim) == Some("FileID")
                && d.child_text("OwnerID")
                    .is_some_and(|o| same_owner(o, owner_id))
        })
        .and_then(|d| d.child_text("DataExtValue"))
        .map(|v| v.trim().to_owned());
    found
}

/// The `HostRet/SupportedQBXMLVersion` values (e.g. `["1.0", ..., "13.0"]`), in document
/// order; empty if absent or the HCP is not qbXML.
pub fn parse_hcp_supported_versions(hcp: &str) -> Vec<String> {
    let Ok(root) = parse_root(hcp) else {
        return Vec::new();
    };
    let versions = rets(&root, "HostQueryRs", "HostRet")
        .flat_map(|host| host.children_named("SupportedQBXMLVersion"))
        .map(|v| v.text.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect();
    versions
}
