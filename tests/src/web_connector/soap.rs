//! SOAP 1.1 envelopes exactly as QBWC writes them (compact, `soap:` prefix, default
//! namespace on the method wrapper, empty strings self-closing), and reading the server's
//! replies by namespace + local name, whatever the prefixes.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

/// The QBWC service namespace.
pub const QBWC_NS: &str = "http://developer.intuit.com/";
const SOAP_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";

/// Escape text the way .NET's XmlWriter does in element content.
#[cfg(test)]
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 2);
    escape_into(&mut out, s);
    out
}

/// Appends `s` escaped (as .NET's XmlWriter does in element content) to `out`, copying the runs between special characters whole.
fn escape_into(out: &mut String, s: &str) {
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'\r' => "&#xD;",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        out.push_str(entity);
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

/// The request body for `method` with parameters in order (empty values self-closing).
pub fn envelope(method: &str, params: &[(&str, &str)]) -> String {
    let values: usize = params.iter().map(|(n, v)| 2 * n.len() + v.len()).sum();
    // Room for the values' entities too: a qbXML response escapes about one byte in three.
    let mut out = String::with_capacity(400 + values + values / 2);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"");
    out.push_str(SOAP_NS);
    out.push_str("\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"><soap:Body><");
    out.push_str(method);
    out.push_str(" xmlns=\"");
    out.push_str(QBWC_NS);
    if params.is_empty() {
        out.push_str("\" />");
    } else {
        out.push_str("\">");
        for (name, value) in params {
            out.push('<');
            out.push_str(name);
            if value.is_empty() {
                out.push_str(" />");
            } else {
                out.push('>');
                escape_into(&mut out, value);
                out.push_str("</");
                out.push_str(name);
                out.push('>');
            }
        }
        out.push_str("</");
        out.push_str(method);
        out.push('>');
    }
    out.push_str("</soap:Body></soap:Envelope>");
    out
}

/// The `<method>Result` of a reply: its text, and its `<string>` children for arrays
/// (`None` for an `xsi:nil` or missing element).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SoapResult {
    pub text: String,
    pub strings: Vec<Option<String>>,
}

fn is_ns(ns: &ResolveResult<'_>, want: &str) -> bool {
    matches!(ns, ResolveResult::Bound(n) if n.as_ref() == want.as_bytes())
}

fn is_nil(e: &quick_xml::events::BytesStart<'_>) -> bool {
    e.attributes().flatten().any(|a| {
        a.key.local_name().as_ref() == b"nil" && matches!(a.value.as_ref(), b"true" | b"1")
    })
}

/// Read `<method>Response/<method>Result` from a SOAP reply. `Err` describes a reply QBWC
/// could not use (not XML, a SOAP fault, wrong namespace, missing result).
pub fn parse_result(xml: &str, method: &str) -> Result<SoapResult, String> {
    let mut reader = NsReader::from_str(xml);
    let want_wrapper = format!("{method}Response");
    let want_result = format!("{method}Result");
    // Path of (is_qbwc_ns_or_soap, local name) for open elements.
    let mut path: Vec<(bool, String)> = Vec::new();
    let mut result: Option<SoapResult> = None;
    let mut in_result = false;
    let mut in_string: Option<String> = None;
    let mut seen_wrapper = false;
    loop {
        let (ns, event) = reader
            .read_resolved_event()
            .map_err(|e| format!("not well-formed XML: {e}"))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if is_ns(&ns, SOAP_NS) && local == "Fault" {
                    return Err("SOAP fault".into());
                }
                let qb = is_ns(&ns, QBWC_NS);
                if qb && local == want_wrapper && path.len() == 2 {
                    seen_wrapper = true;
                }
                if qb && local == want_result && seen_wrapper && path.len() == 3 {
                    in_result = !empty;
                    result = Some(SoapResult::default());
                } else if in_result && qb && local == "string" {
                    if empty || is_nil(e) {
                        if let Some(r) = result.as_mut() {
                            r.strings
                                .push(if is_nil(e) { None } else { Some(String::new()) });
                        }
                        if !empty {
                            path.push((qb, local));
                            in_string = None;
                            continue;
                        }
                    } else {
                        in_string = Some(String::new());
                    }
                }
                if !empty {
                    path.push((qb, local));
                }
            }
            Event::End(_) => {
                if let Some((_, local)) = path.pop() {
                    if local == "string" && in_result {
                        if let (Some(s), Some(r)) = (in_string.take(), result.as_mut()) {
                            r.strings.push(Some(s));
                        }
                    } else if local == want_result {
                        in_result = false;
                    }
                }
            }
            Event::Text(t) => {
                let text = t.unescape().map_err(|e| e.to_string())?;
                if let Some(s) = in_string.as_mut() {
                    s.push_str(&text);
                } else if in_result {
                    if let Some(r) = result.as_mut() {
                        r.text.push_str(&text);
                    }
                }
            }
            Event::CData(c) => {
                let raw = c.into_inner();
                let text = String::from_utf8_lossy(&raw);
                if let Some(s) = in_string.as_mut() {
                    s.push_str(&text);
                } else if in_result {
                    if let Some(r) = result.as_mut() {
                        r.text.push_str(&text);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !seen_wrapper {
        return Err(format!("no {{{QBWC_NS}}}{want_wrapper} in the reply"));
    }
    // A missing Result element is a null result, as .NET reads it.
    Ok(result.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_matches_the_captured_authenticate_bytes() {
        let captured =
            include_str!("../../../shared/tests/golden/qbwc-samples/01-authenticate.request.xml");
        let ours = envelope(
            "authenticate",
            &[("strUserName", "api"), ("strPassword", "password")],
        );
        assert_eq!(ours, captured.trim_end());
    }

    #[test]
    fn envelope_matches_the_captured_subsequent_send_request() {
        let captured = include_str!(
            "../../../shared/tests/golden/qbwc-samples/04-sendRequestXML-subsequent-call.request.xml"
        );
        let ours = envelope(
            "sendRequestXML",
            &[
                ("ticket", "ea0bf596246b623664adb465cc8662a2"),
                ("strHCPResponse", ""),
                ("strCompanyFileName", "C:\\KPALMER\\QBW\\Test Company.QBW"),
                ("qbXMLCountry", "US"),
                ("qbXMLMajorVers", "5"),
                ("qbXMLMinorVers", "0"),
            ],
        );
        assert_eq!(ours, captured.trim_end());
        assert_eq!(
            envelope("serverVersion", &[])
                .matches("<serverVersion xmlns=\"http://developer.intuit.com/\" />")
                .count(),
            1
        );
    }

    #[test]
    fn reads_results_with_any_prefix() {
        let php = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:ns1=\"http://developer.intuit.com/\"><SOAP-ENV:Body><ns1:authenticateResponse><ns1:authenticateResult><ns1:string>ea0b</ns1:string><ns1:string></ns1:string></ns1:authenticateResult></ns1:authenticateResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>";
        let r = parse_result(php, "authenticate").expect("parsed");
        assert_eq!(
            r.strings,
            vec![Some("ea0b".to_string()), Some(String::new())]
        );
        let asmx = "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><sendRequestXMLResponse xmlns=\"http://developer.intuit.com/\"><sendRequestXMLResult>&lt;?xml version=\"1.0\"?&gt;&lt;QBXML&gt;A &amp;amp; B&lt;/QBXML&gt;</sendRequestXMLResult></sendRequestXMLResponse></soap:Body></soap:Envelope>";
        let r = parse_result(asmx, "sendRequestXML").expect("parsed");
        assert_eq!(r.text, "<?xml version=\"1.0\"?><QBXML>A &amp; B</QBXML>");
        let nil = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><s:Body><a:authenticateResponse xmlns:a=\"http://developer.intuit.com/\"><a:authenticateResult><a:string>t</a:string><a:string>nvu</a:string><a:string xsi:nil=\"true\"/></a:authenticateResult></a:authenticateResponse></s:Body></s:Envelope>";
        let r = parse_result(nil, "authenticate").expect("parsed");
        assert_eq!(r.strings, vec![Some("t".into()), Some("nvu".into()), None]);
    }

    #[test]
    fn rejects_wrong_namespace_faults_and_html() {
        let wrong = "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><serverVersionResponse xmlns=\"http://localhost:8000//\"><serverVersionResult>x</serverVersionResult></serverVersionResponse></soap:Body></soap:Envelope>";
        assert!(parse_result(wrong, "serverVersion").is_err());
        let fault = "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><soap:Fault><faultcode>x</faultcode></soap:Fault></soap:Body></soap:Envelope>";
        assert!(parse_result(fault, "serverVersion").is_err());
        assert!(parse_result("<html><body>500</body>", "serverVersion").is_err());
    }
}
