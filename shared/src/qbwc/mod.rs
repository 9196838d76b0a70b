//! The QuickBooks Web Connector (QBWC) side: the SOAP 1.1 codec for its eight callbacks,
//! the WSDL we publish, and the `.qwc` file a customer loads into the Web Connector.
//!
//! Pure code, no I/O: the `api` crate feeds request bodies to [`soap::parse_call`] and writes
//! what [`soap::render_reply`] returns.

pub mod qwc;
pub mod soap;
pub mod wsdl;

/// The namespace of every QBWC request and response element.
pub const INTUIT_NS: &str = "http://developer.intuit.com/";

/// The SOAP 1.1 envelope namespace (QBWC never speaks SOAP 1.2).
pub const SOAP_ENV_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
