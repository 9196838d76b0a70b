//! Rendering replies the way ASP.NET (ASMX) does: document/literal, wrapped, with the
//! `<method>Response` wrapper and `<method>Result` child in `http://developer.intuit.com/`.

use crate::qbwc::INTUIT_NS;

const ENVELOPE_OPEN: &str = concat!(
    r#"<?xml version="1.0" encoding="utf-8"?>"#,
    r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" "#,
    r#"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" "#,
    r#"xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>"#
);
const ENVELOPE_CLOSE: &str = "</soap:Body></soap:Envelope>";

/// The value a callback returns; each variant renders as that method's response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QbwcReply {
    /// `serverVersionResult`: shown in QBWC's "More Information".
    ServerVersion(String),
    /// `clientVersionResult`: `""` to proceed, `W:`/`E:`/`O:` prefixed text otherwise.
    ClientVersion(String),
    /// `authenticateResult`: `[ticket, status, (postpone seconds), (min run seconds)]`.
    /// Every entry is serialised, empty strings included.
    Authenticate(Vec<String>),
    /// `sendRequestXMLResult`: a qbXML request document, or `""` (then QBWC calls getLastError).
    SendRequestXml(String),
    /// `receiveResponseXMLResult`: 0..=99 more work, 100 done, negative error.
    ReceiveResponseXml(i32),
    /// `connectionErrorResult`: `"done"` to stop, or a company file path to retry.
    ConnectionError(String),
    /// `getLastErrorResult`: text shown to the user (`"NoOp"` = ask again in 5 s).
    GetLastError(String),
    /// `closeConnectionResult`: text shown to the user.
    CloseConnection(String),
}

impl QbwcReply {
    /// The SOAP method this replies to.
    pub fn method_name(&self) -> &'static str {
        match self {
            QbwcReply::ServerVersion(_) => "serverVersion",
            QbwcReply::ClientVersion(_) => "clientVersion",
            QbwcReply::Authenticate(_) => "authenticate",
            QbwcReply::SendRequestXml(_) => "sendRequestXML",
            QbwcReply::ReceiveResponseXml(_) => "receiveResponseXML",
            QbwcReply::ConnectionError(_) => "connectionError",
            QbwcReply::GetLastError(_) => "getLastError",
            QbwcReply::CloseConnection(_) => "closeConnection",
        }
    }
}

/// Escapes text for the SOAP envelope: `& < > "` as entities, CR as `&#13;` (so it survives
/// XML line-end normalisation), and drops characters XML 1.0 cannot carry at all.
pub(crate) fn escape_soap_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(c),
            c if u32::from(c) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Renders the full SOAP 1.1 response envelope for a reply.
pub fn render_reply(reply: &QbwcReply) -> String {
    let method = reply.method_name();
    let result = match reply {
        QbwcReply::Authenticate(items) => items
            .iter()
            .map(|item| format!("<string>{}</string>", escape_soap_text(item)))
            .collect::<String>(),
        QbwcReply::ReceiveResponseXml(percent) => percent.to_string(),
        QbwcReply::ServerVersion(s)
        | QbwcReply::ClientVersion(s)
        | QbwcReply::SendRequestXml(s)
        | QbwcReply::ConnectionError(s)
        | QbwcReply::GetLastError(s)
        | QbwcReply::CloseConnection(s) => escape_soap_text(s),
    };
    format!(
        "{ENVELOPE_OPEN}<{method}Response xmlns=\"{INTUIT_NS}\"><{method}Result>{result}\
         </{method}Result></{method}Response>{ENVELOPE_CLOSE}"
    )
}

/// Renders a SOAP 1.1 `Client` fault (for bodies that are not a QBWC call at all; in-protocol
/// errors should use the normal replies, since QBWC treats any fault as a hard failure).
pub fn render_fault(message: &str) -> String {
    format!(
        "{ENVELOPE_OPEN}<soap:Fault><faultcode>soap:Client</faultcode><faultstring>{}\
         </faultstring></soap:Fault>{ENVELOPE_CLOSE}",
        escape_soap_text(message)
    )
}
