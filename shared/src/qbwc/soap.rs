//! Parsing the Web Connector's SOAP 1.1 requests into [`QbwcCall`] (rendering replies lives in
//! [`render`], re-exported here).
//!
//! Dispatch is on the namespace + local name of the Body's first element, never on prefixes
//! or the `SOAPAction` header (use [`method_from_soap_action`] to cross-check that).

mod render;

pub use render::{render_fault, render_reply, QbwcReply};

use super::{INTUIT_NS, SOAP_ENV_NS};
use crate::qbxml::tree::{parse_document, TreeError, XmlElement};

/// The SOAP 1.2 envelope namespace, recognised only to give a clear error.
const SOAP12_ENV_NS: &str = "http://www.w3.org/2003/05/soap-envelope";

/// One Web Connector callback with its parameters. Absent or self-closing string parameters
/// are empty strings. `Debug` leaves out the password and the ticket.
#[derive(Clone, PartialEq, Eq)]
pub enum QbwcCall {
    /// `serverVersion` (real QBWC sends no parameters).
    ServerVersion,
    /// `clientVersion(strVersion)`, e.g. `2.3.0.215`.
    ClientVersion { version: String },
    /// `authenticate(strUserName, strPassword)`.
    Authenticate { username: String, password: String },
    /// `sendRequestXML(ticket, strHCPResponse, strCompanyFileName, qbXMLCountry,
    /// qbXMLMajorVers, qbXMLMinorVers)`. `hcp_response` is the (unescaped) qbXML of the
    /// Host/Company/Preferences queries on the first call of a session, else empty. The version
    /// numbers are `None` when absent, empty or not an integer.
    SendRequestXml {
        ticket: String,
        hcp_response: String,
        company_file_name: String,
        country: String,
        major_version: Option<i32>,
        minor_version: Option<i32>,
    },
    /// `receiveResponseXML(ticket, response, hresult, message)`: `response` is the unescaped
    /// qbXML response; on a request-processor failure it is empty and `hresult`/`message` set.
    ReceiveResponseXml {
        ticket: String,
        response: String,
        hresult: String,
        message: String,
    },
    /// `connectionError(ticket, hresult, message)`: QBWC could not open QuickBooks.
    ConnectionError {
        ticket: String,
        hresult: String,
        message: String,
    },
    /// `getLastError(ticket)`.
    GetLastError { ticket: String },
    /// `closeConnection(ticket)`.
    CloseConnection { ticket: String },
}

impl std::fmt::Debug for QbwcCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const HIDDEN: &str = "[redacted]";
        match self {
            QbwcCall::ServerVersion => f.write_str("ServerVersion"),
            QbwcCall::ClientVersion { version } => f
                .debug_struct("ClientVersion")
                .field("version", version)
                .finish(),
            QbwcCall::Authenticate { username, .. } => f
                .debug_struct("Authenticate")
                .field("username", username)
                .field("password", &HIDDEN)
                .finish(),
            QbwcCall::SendRequestXml {
                hcp_response,
                company_file_name,
                country,
                major_version,
                minor_version,
                ..
            } => f
                .debug_struct("SendRequestXml")
                .field("ticket", &HIDDEN)
                .field("hcp_response_len", &hcp_response.len())
                .field("company_file_name", company_file_name)
                .field("country", country)
                .field("major_version", major_version)
                .field("minor_version", minor_version)
                .finish(),
            QbwcCall::ReceiveResponseXml {
                response,
                hresult,
                message,
                ..
            } => f
                .debug_struct("ReceiveResponseXml")
                .field("ticket", &HIDDEN)
                .field("response_len", &response.len())
                .field("hresult", hresult)
                .field("message", message)
                .finish(),
            QbwcCall::ConnectionError {
                hresult, message, ..
            } => f
                .debug_struct("ConnectionError")
                .field("ticket", &HIDDEN)
                .field("hresult", hresult)
                .field("message", message)
                .finish(),
            QbwcCall::GetLastError { .. } => f
                .debug_struct("GetLastError")
                .field("ticket", &HIDDEN)
                .finish(),
            QbwcCall::CloseConnection { .. } => f
                .debug_struct("CloseConnection")
                .field("ticket", &HIDDEN)
                .finish(),
        }
    }
}

impl QbwcCall {
    /// The SOAP method name (`authenticate`, `sendRequestXML`, ...).
    pub fn method_name(&self) -> &'static str {
        match self {
            QbwcCall::ServerVersion => "serverVersion",
            QbwcCall::ClientVersion { .. } => "clientVersion",
            QbwcCall::Authenticate { .. } => "authenticate",
            QbwcCall::SendRequestXml { .. } => "sendRequestXML",
            QbwcCall::ReceiveResponseXml { .. } => "receiveResponseXML",
            QbwcCall::ConnectionError { .. } => "connectionError",
            QbwcCall::GetLastError { .. } => "getLastError",
            QbwcCall::CloseConnection { .. } => "closeConnection",
        }
    }

    /// The session ticket, for the calls that carry one.
    pub fn ticket(&self) -> Option<&str> {
        match self {
            QbwcCall::ServerVersion
            | QbwcCall::ClientVersion { .. }
            | QbwcCall::Authenticate { .. } => None,
            QbwcCall::SendRequestXml { ticket, .. }
            | QbwcCall::ReceiveResponseXml { ticket, .. }
            | QbwcCall::ConnectionError { ticket, .. }
            | QbwcCall::GetLastError { ticket }
            | QbwcCall::CloseConnection { ticket } => Some(ticket),
        }
    }
}

/// Why a request body is not a Web Connector call we accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SoapError {
    /// The body is not UTF-8 (QBWC always posts UTF-8).
    #[error("request body is not UTF-8")]
    NotUtf8,
    /// The body declares a DTD; refused to rule out entity-expansion attacks.
    #[error("request body contains a DOCTYPE/DTD, which is not accepted")]
    Doctype,
    /// The body is not well-formed XML.
    #[error("request body is not well-formed XML: {0}")]
    Malformed(String),
    /// The root element is not a SOAP 1.1 `Envelope`.
    #[error("root element `{0}` is not a SOAP 1.1 Envelope")]
    NotAnEnvelope(String),
    /// A SOAP 1.2 envelope; QBWC speaks SOAP 1.1 only.
    #[error("SOAP 1.2 is not supported; send SOAP 1.1 (text/xml)")]
    Soap12,
    /// The envelope has no `Body`.
    #[error("SOAP envelope has no Body")]
    MissingBody,
    /// The `Body` has no element in it.
    #[error("SOAP Body is empty")]
    EmptyBody,
    /// The Body's element is not one of the eight QBWC methods.
    #[error("unknown method `{name}` in namespace `{namespace}`")]
    UnknownMethod { namespace: String, name: String },
}

impl From<TreeError> for SoapError {
    fn from(e: TreeError) -> Self {
        match e {
            TreeError::Doctype => SoapError::Doctype,
            other => SoapError::Malformed(other.to_string()),
        }
    }
}

/// Parses a SOAP 1.1 request body into the Web Connector call it carries.
pub fn parse_call(body: &[u8]) -> Result<QbwcCall, SoapError> {
    let text = std::str::from_utf8(body).map_err(|_| SoapError::NotUtf8)?;
    // A UTF-8 byte-order mark is legal before the declaration; quick-xml wants it gone.
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let envelope = parse_document(text)?;
    if envelope.is(SOAP12_ENV_NS, "Envelope") {
        return Err(SoapError::Soap12);
    }
    if !envelope.is(SOAP_ENV_NS, "Envelope") {
        return Err(SoapError::NotAnEnvelope(envelope.name.into_owned()));
    }
    let body = envelope
        .children
        .iter()
        .find(|c| c.is(SOAP_ENV_NS, "Body"))
        .ok_or(SoapError::MissingBody)?;
    let method = body.children.first().ok_or(SoapError::EmptyBody)?;
    call_from_method(method)
}

fn call_from_method(m: &XmlElement) -> Result<QbwcCall, SoapError> {
    if m.namespace.as_deref() != Some(INTUIT_NS) {
        return Err(unknown(m));
    }
    let s = |name: &str| m.child_text(name).unwrap_or_default().to_owned();
    let ticket = || s("ticket").trim().to_owned();
    let int = |name: &str| {
        m.child_text(name)
            .and_then(|v| v.trim().parse::<i32>().ok())
    };
    Ok(match m.name.as_ref() {
        "serverVersion" => QbwcCall::ServerVersion,
        "clientVersion" => QbwcCall::ClientVersion {
            version: s("strVersion").trim().to_owned(),
        },
        "authenticate" => QbwcCall::Authenticate {
            username: s("strUserName"),
            password: s("strPassword"),
        },
        "sendRequestXML" => QbwcCall::SendRequestXml {
            ticket: ticket(),
            hcp_response: s("strHCPResponse"),
            company_file_name: s("strCompanyFileName"),
            country: s("qbXMLCountry").trim().to_owned(),
            major_version: int("qbXMLMajorVers"),
            minor_version: int("qbXMLMinorVers"),
        },
        "receiveResponseXML" => QbwcCall::ReceiveResponseXml {
            ticket: ticket(),
            response: s("response"),
            hresult: s("hresult").trim().to_owned(),
            message: s("message"),
        },
        "connectionError" => QbwcCall::ConnectionError {
            ticket: ticket(),
            hresult: s("hresult").trim().to_owned(),
            message: s("message"),
        },
        "getLastError" => QbwcCall::GetLastError { ticket: ticket() },
        "closeConnection" => QbwcCall::CloseConnection { ticket: ticket() },
        _ => return Err(unknown(m)),
    })
}

fn unknown(m: &XmlElement) -> SoapError {
    SoapError::UnknownMethod {
        namespace: m.namespace.clone().unwrap_or_default(),
        name: m.name.to_string(),
    }
}

/// The method named by a `SOAPAction` header value (`"http://developer.intuit.com/authenticate"`,
/// quotes optional), for cross-checking against [`QbwcCall::method_name`].
pub fn method_from_soap_action(action: &str) -> Option<&str> {
    let action = action.trim();
    let action = action
        .strip_prefix('"')
        .and_then(|a| a.strip_suffix('"'))
        .unwrap_or(action);
    action
        .strip_prefix(INTUIT_NS)
        .filter(|m| !m.is_empty() && !m.contains('/'))
}

#[cfg(test)]
mod tests;
