//! Parsing qbXML response message sets (what `receiveResponseXML` carries).
//!
//! Every `*Rs` element becomes an [`RsMessage`] with its status attributes; transaction
//! `InvoiceRet` / `SalesReceiptRet` / `SalesOrderRet` (from queries, Adds and Mods alike)
//! become [`Sale`]s and `CustomerRet` becomes [`QbCustomer`]. Unknown elements are ignored.

mod hcp;
mod sale;

pub use hcp::{parse_hcp_company_file_id, parse_hcp_supported_versions};

use super::request::ExistingLine;
use super::tree::{parse_document, TreeError, XmlElement};
use crate::sale::{QbCustomer, Sale, TxnType};

/// A parsed qbXML response message set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QbxmlResponse {
    /// One entry per `*Rs` element, in document order.
    pub responses: Vec<RsMessage>,
}

impl QbxmlResponse {
    /// The response whose `requestID` is `request_id`.
    pub fn by_request_id(&self, request_id: &str) -> Option<&RsMessage> {
        self.responses
            .iter()
            .find(|r| r.request_id.as_deref() == Some(request_id))
    }
}

/// One `*Rs` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsMessage {
    /// The element name, e.g. `InvoiceQueryRs`, `InvoiceModRs`.
    pub kind: String,
    /// The `requestID` we sent, echoed back.
    pub request_id: Option<String>,
    /// `statusCode`: 0 OK, 1 no match, 500+ warnings, 1000+ errors (3200 stale EditSequence...).
    pub status_code: i32,
    /// `statusSeverity`: `Info`, `Warn` or `Error`.
    pub status_severity: String,
    /// `statusMessage`, unescaped.
    pub status_message: String,
    /// `iteratorID` of an iterator query.
    pub iterator_id: Option<String>,
    /// `iteratorRemainingCount`: records still to fetch with `iterator="Continue"`.
    pub iterator_remaining_count: Option<u32>,
    /// The transactions in this response.
    pub sales: Vec<Sale>,
    /// One entry per element of `sales`: its top-level lines and groups in QuickBooks' order
    /// (which `Sale` does not keep), for re-listing them in a write-back Mod.
    pub line_orders: Vec<Vec<ExistingLine>>,
    /// The customers in this response.
    pub customers: Vec<QbCustomer>,
}

impl RsMessage {
    /// Status 0.
    pub fn is_ok(&self) -> bool {
        self.status_code == 0
    }

    /// Status 1: a query matched nothing (not a failure).
    pub fn is_no_match(&self) -> bool {
        self.status_code == 1
    }

    /// Severity `Error` (or a code in the error range when the severity is missing).
    pub fn is_error(&self) -> bool {
        self.status_severity.eq_ignore_ascii_case("error")
            || (self.status_severity.is_empty() && self.status_code >= 1000)
    }

    /// True while an iterator still has records to deliver.
    pub fn has_more(&self) -> bool {
        self.iterator_remaining_count.unwrap_or(0) > 0
    }
}

/// Why a qbXML response could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QbxmlError {
    /// The document declares a DTD; refused.
    #[error("qbXML response contains a DOCTYPE/DTD, which is not accepted")]
    Doctype,
    /// Not well-formed XML.
    #[error("qbXML response is not well-formed XML: {0}")]
    Malformed(String),
    /// The root element is not `QBXML`.
    #[error("root element `{0}` is not QBXML")]
    NotQbxml(String),
    /// An `*Rs` element without a usable `statusCode`.
    #[error("{kind} has no valid statusCode")]
    BadStatusCode { kind: String },
    /// A required element is missing from a `*Ret`.
    #[error("{within} has no {element}")]
    MissingElement {
        element: &'static str,
        within: String,
    },
}

impl From<TreeError> for QbxmlError {
    fn from(e: TreeError) -> Self {
        match e {
            TreeError::Doctype => QbxmlError::Doctype,
            other => QbxmlError::Malformed(other.to_string()),
        }
    }
}

/// Parses the root `QBXML` element of a response document.
pub(crate) fn parse_root(qbxml: &str) -> Result<XmlElement<'_>, QbxmlError> {
    let root = parse_document(qbxml.trim_start_matches('\u{FEFF}'))?;
    if root.name != "QBXML" {
        return Err(QbxmlError::NotQbxml(root.name.into_owned()));
    }
    Ok(root)
}

/// Parses a qbXML response message set.
pub fn parse_response(qbxml: &str) -> Result<QbxmlResponse, QbxmlError> {
    let root = parse_root(qbxml)?;
    let mut responses = Vec::new();
    for set in root.children_named("QBXMLMsgsRs") {
        for rs in set.children.iter().filter(|c| c.name.ends_with("Rs")) {
            responses.push(rs_message(rs)?);
        }
    }
    Ok(QbxmlResponse { responses })
}

fn rs_message(rs: &XmlElement) -> Result<RsMessage, QbxmlError> {
    let status_code = rs
        .attr("statusCode")
        .and_then(|c| c.trim().parse::<i32>().ok())
        .ok_or_else(|| QbxmlError::BadStatusCode {
            kind: rs.name.to_string(),
        })?;
    let mut sales = Vec::new();
    let mut line_orders = Vec::new();
    let mut customers = Vec::new();
    for ret in &rs.children {
        let txn_type = match ret.name.as_ref() {
            "InvoiceRet" => TxnType::Invoice,
            "SalesReceiptRet" => TxnType::SalesReceipt,
            "SalesOrderRet" => TxnType::SalesOrder,
            "CustomerRet" => {
                customers.push(sale::customer_from_ret(ret));
                continue;
            }
            _ => continue,
        };
        sales.push(sale::sale_from_ret(
            txn_type,
            ret,
            rs.name.ends_with("ModRs"),
        )?);
        line_orders.push(sale::line_order(txn_type, ret));
    }
    Ok(RsMessage {
        kind: rs.name.to_string(),
        request_id: rs.attr("requestID").map(str::to_owned),
        status_code,
        status_severity: rs.attr("statusSeverity").unwrap_or_default().to_owned(),
        status_message: rs.attr("statusMessage").unwrap_or_default().to_owned(),
        iterator_id: rs.attr("iteratorID").map(str::to_owned),
        iterator_remaining_count: rs
            .attr("iteratorRemainingCount")
            .and_then(|n| n.trim().parse().ok()),
        sales,
        line_orders,
        customers,
    })
}

#[cfg(test)]
mod tests;
