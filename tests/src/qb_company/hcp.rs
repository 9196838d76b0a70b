//! The HostQuery + CompanyQuery + PreferencesQuery response that QBWC sends as
//! `strHCPResponse` on the first `sendRequestXML` of a session (shape of sample 02).

use super::render::data_ext_node;
use super::state::CompanyState;
use super::xml::Node;

/// The qbXML versions QuickBooks Pro 2014 lists.
pub const VERSIONS_2014: [&str; 16] = [
    "1.0", "1.1", "2.0", "2.1", "3.0", "4.0", "4.1", "5.0", "6.0", "7.0", "8.0", "9.0", "10.0",
    "11.0", "12.0", "13.0",
];

/// The QuickBooks that has the company file open, as HostQuery describes it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Host {
    pub product: String,
    pub major_version: String,
    pub country: String,
    pub versions: Vec<String>,
}

impl Default for Host {
    fn default() -> Host {
        Host {
            product: "QuickBooks Pro 2014".into(),
            major_version: "24".into(),
            country: "US".into(),
            versions: VERSIONS_2014.iter().map(|v| v.to_string()).collect(),
        }
    }
}

/// The HCP response of this company file (by default QuickBooks Pro 2014, qbXML up to 13.0).
pub fn hcp_response(state: &CompanyState) -> String {
    let mut out = String::from("<?xml version=\"1.0\" ?>\n<QBXML>\n<QBXMLMsgsRs>\n");
    out.push_str("<HostQueryRs requestID=\"0\" statusCode=\"0\" statusSeverity=\"Info\" statusMessage=\"Status OK\">\n");
    let mut host = vec![
        Node::Leaf("ProductName", state.host.product.clone()),
        Node::Leaf("MajorVersion", state.host.major_version.clone()),
        Node::Leaf("MinorVersion", "0".into()),
        Node::Leaf("Country", state.host.country.clone()),
    ];
    host.extend(
        state
            .host
            .versions
            .iter()
            .map(|v| Node::Leaf("SupportedQBXMLVersion", v.clone())),
    );
    host.push(Node::Leaf("IsAutomaticLogin", "false".into()));
    host.push(Node::Leaf("QBFileMode", "SingleUser".into()));
    Node::Agg("HostRet", host).write(&mut out);
    out.push_str("</HostQueryRs>\n");
    out.push_str("<CompanyQueryRs requestID=\"1\" statusCode=\"0\" statusSeverity=\"Info\" statusMessage=\"Status OK\">\n");
    let mut company = vec![
        Node::Leaf("IsSampleCompany", "false".into()),
        Node::Leaf("CompanyName", state.company_name.clone()),
        Node::Leaf("LegalCompanyName", state.company_name.clone()),
        Node::Leaf("FirstMonthFiscalYear", "January".into()),
        Node::Leaf("FirstMonthIncomeTaxYear", "January".into()),
        Node::Leaf("CompanyType", "Retail".into()),
        Node::Leaf("TaxForm", "OtherOrNone".into()),
    ];
    company.extend(state.company_data_ext.iter().map(data_ext_node));
    Node::Agg("CompanyRet", company).write(&mut out);
    out.push_str("</CompanyQueryRs>\n");
    out.push_str("<PreferencesQueryRs requestID=\"2\" statusCode=\"0\" statusSeverity=\"Info\" statusMessage=\"Status OK\">\n");
    out.push_str(&preferences());
    out.push_str("</PreferencesQueryRs>\n</QBXMLMsgsRs>\n</QBXML>\n");
    out
}

fn preferences() -> String {
    let leaf = |n: &'static str, v: &str| Node::Leaf(n, v.to_string());
    let prefs = Node::Agg(
        "PreferencesRet",
        vec![
            Node::Agg(
                "AccountingPreferences",
                vec![
                    leaf("IsUsingAccountNumbers", "false"),
                    leaf("IsRequiringAccounts", "true"),
                    leaf("IsUsingClassTracking", "true"),
                    leaf("IsUsingAuditTrail", "true"),
                    leaf("IsAssigningJournalEntryNumbers", "true"),
                ],
            ),
            Node::Agg(
                "PurchasesAndVendorsPreferences",
                vec![
                    leaf("IsUsingInventory", "true"),
                    leaf("DaysBillsAreDue", "10"),
                    leaf("IsAutomaticallyUsingDiscounts", "false"),
                ],
            ),
            Node::Agg("SalesTaxPreferences", vec![leaf("PaySalesTax", "Monthly")]),
            Node::Agg(
                "CurrentAppAccessRights",
                vec![
                    leaf("IsAutomaticLoginAllowed", "false"),
                    leaf("IsPersonalDataAccessAllowed", "true"),
                ],
            ),
        ],
    );
    let mut out = String::new();
    prefs.write(&mut out);
    out
}
