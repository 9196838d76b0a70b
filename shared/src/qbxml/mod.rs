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
