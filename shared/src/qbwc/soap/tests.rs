use super::*;
use crate::qbxml::golden::assert_golden;

macro_rules! sample {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/golden/qbwc-samples/",
            $name
        ))
    };
}

const TICKET_A: &str = "ea0bf596246b623664adb465cc8662a2";

#[test]
fn sample_01_authenticate_parses() {
    let call = parse_call(sample!("01-authenticate.request.xml")).expect("parses");
    assert_eq!(
        call,
        QbwcCall::Authenticate {
            username: "api".into(),
            password: "password".into()
        }
    );
    assert_eq!(call.ticket(), None);
}

#[test]
fn sample_02_send_request_xml_carries_the_unescaped_hcp_response() {
    let call = parse_call(sample!(
        "02-sendRequestXML-first-call-with-HCPResponse.request.xml"
    ))
    .expect("parses");
    let QbwcCall::SendRequestXml {
        ticket,
        hcp_response,
        company_file_name,
        country,
        major_version,
        minor_version,
    } = call
    else {
        panic!("wrong variant: {call:?}");
    };
    assert_eq!(ticket, TICKET_A);
    assert!(
        hcp_response.starts_with("<?xml version=\"1.0\" ?>\n<QBXML>\n<QBXMLMsgsRs>\n<HostQueryRs")
    );
    assert!(hcp_response.contains("<DataExtName>FileID</DataExtName>"));
    assert!(hcp_response.ends_with("</QBXML>\n"));
    assert_eq!(company_file_name, r"C:\KPALMER\QBW\Test Company.QBW");
    assert_eq!(country, "US");
    assert_eq!((major_version, minor_version), (Some(5), Some(0)));
}

#[test]
fn sample_03_receive_response_xml_ok_with_self_closing_hresult_and_message() {
    let call = parse_call(sample!(
        "03-receiveResponseXML-CustomerAddRs-ok.request.xml"
    ))
    .expect("parses");
    let QbwcCall::ReceiveResponseXml {
        ticket,
        response,
        hresult,
        message,
    } = call
    else {
        panic!("wrong variant: {call:?}");
    };
    assert_eq!(ticket, TICKET_A);
    assert!(response.contains(r#"<CustomerAddRs requestID="Q3VzdG9tZXJBZGR8MTU=" statusCode="0""#));
    assert_eq!((hresult.as_str(), message.as_str()), ("", ""));
}

#[test]
fn sample_04_subsequent_send_request_xml_has_empty_hcp_response() {
    let call =
        parse_call(sample!("04-sendRequestXML-subsequent-call.request.xml")).expect("parses");
    assert_eq!(
        call,
        QbwcCall::SendRequestXml {
            ticket: TICKET_A.into(),
            hcp_response: String::new(),
            company_file_name: r"C:\KPALMER\QBW\Test Company.QBW".into(),
            country: "US".into(),
            major_version: Some(5),
            minor_version: Some(0),
        }
    );
}

#[test]
fn sample_05_keeps_the_inner_escaping_of_the_qbxml_status_message() {
    let call = parse_call(sample!(
        "05-receiveResponseXML-ItemServiceAddRs-3100-error.request.xml"
    ))
    .expect("parses");
    let QbwcCall::ReceiveResponseXml {
        ticket,
        response,
        hresult,
        ..
    } = call
    else {
        panic!("wrong variant: {call:?}");
    };
    assert_eq!(ticket, "7fe1d3dccd44d65f2f3d85a077f1705f");
    assert!(response.contains(r#"statusCode="3100""#));
    // SOAP unescaping happens once: the qbXML attribute still holds `&quot;`.
    assert!(response.contains("The name &quot;Shipping Item - QuickBooks Inte&quot; of"));
    assert_eq!(hresult, "");
}

#[test]
fn sample_06_pretty_printed_hresult_error_parses() {
    let call = parse_call(sample!(
        "06-receiveResponseXML-hresult-parse-error.request.xml"
    ))
    .expect("parses");
    assert_eq!(
        call,
        QbwcCall::ReceiveResponseXml {
            ticket: "438d2fc02a519df5fcc2eef0e7ad3898".into(),
            response: String::new(),
            hresult: "0x80040400".into(),
            message: "QuickBooks found an error when parsing the provided XML text stream.".into(),
        }
    );
}

fn envelope(prefix: &str, body: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><{prefix}:Envelope xmlns:{prefix}="http://schemas.xmlsoap.org/soap/envelope/"><{prefix}:Body>{body}</{prefix}:Body></{prefix}:Envelope>"#
    )
}

#[test]
fn soap_env_prefix_and_prefixed_method_parse() {
    let body = r#"<ns1:clientVersion xmlns:ns1="http://developer.intuit.com/"><ns1:strVersion>2.3.0.215</ns1:strVersion></ns1:clientVersion>"#;
    let call = parse_call(envelope("SOAP-ENV", body).as_bytes()).expect("parses");
    assert_eq!(
        call,
        QbwcCall::ClientVersion {
            version: "2.3.0.215".into()
        }
    );
}

#[test]
fn empty_server_version_and_missing_optional_children_parse() {
    let call = parse_call(
        envelope(
            "s",
            r#"<serverVersion xmlns="http://developer.intuit.com/" />"#,
        )
        .as_bytes(),
    );
    assert_eq!(call, Ok(QbwcCall::ServerVersion));
    let body = r#"<sendRequestXML xmlns="http://developer.intuit.com/"><ticket> t1 </ticket></sendRequestXML>"#;
    let call = parse_call(envelope("soap", body).as_bytes()).expect("parses");
    assert_eq!(
        call,
        QbwcCall::SendRequestXml {
            ticket: "t1".into(),
            hcp_response: String::new(),
            company_file_name: String::new(),
            country: String::new(),
            major_version: None,
            minor_version: None,
        }
    );
    for (body, expected) in [
        (
            r#"<getLastError xmlns="http://developer.intuit.com/"><ticket>t</ticket></getLastError>"#,
            QbwcCall::GetLastError { ticket: "t".into() },
        ),
        (
            r#"<closeConnection xmlns="http://developer.intuit.com/"/>"#,
            QbwcCall::CloseConnection {
                ticket: String::new(),
            },
        ),
        (
            r#"<connectionError xmlns="http://developer.intuit.com/"><ticket>t</ticket><hresult>0x80040408</hresult><message>Could not start QuickBooks.</message></connectionError>"#,
            QbwcCall::ConnectionError {
                ticket: "t".into(),
                hresult: "0x80040408".into(),
                message: "Could not start QuickBooks.".into(),
            },
        ),
    ] {
        assert_eq!(parse_call(envelope("soap", body).as_bytes()), Ok(expected));
    }
}

#[test]
fn a_header_before_the_body_and_a_bom_are_tolerated() {
    let doc = "\u{FEFF}<e:Envelope xmlns:e=\"http://schemas.xmlsoap.org/soap/envelope/\"><e:Header/>\n <e:Body>\n  <!-- hi -->\n  <getLastError xmlns=\"http://developer.intuit.com/\"><ticket>x</ticket></getLastError></e:Body></e:Envelope>";
    assert_eq!(
        parse_call(doc.as_bytes()),
        Ok(QbwcCall::GetLastError { ticket: "x".into() })
    );
}

#[test]
fn a_doctype_is_refused() {
    let doc = r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><authenticate xmlns="http://developer.intuit.com/"><strUserName>&b;</strUserName></authenticate></soap:Body></soap:Envelope>"#;
    let err = parse_call(doc.as_bytes()).expect_err("refused");
    assert_eq!(err, SoapError::Doctype);
    assert!(err.to_string().contains("DOCTYPE"));
}

#[test]
fn unknown_methods_wrong_namespaces_and_non_envelopes_are_errors() {
    let wrong_ns = r#"<authenticate xmlns="http://localhost:8000/"><strUserName>a</strUserName></authenticate>"#;
    assert_eq!(
        parse_call(envelope("soap", wrong_ns).as_bytes()),
        Err(SoapError::UnknownMethod {
            namespace: "http://localhost:8000/".into(),
            name: "authenticate".into()
        })
    );
    let unknown = r#"<getInteractiveURL xmlns="http://developer.intuit.com/"/>"#;
    assert!(matches!(
        parse_call(envelope("soap", unknown).as_bytes()),
        Err(SoapError::UnknownMethod { .. })
    ));
    assert_eq!(
        parse_call(envelope("soap", "").as_bytes()),
        Err(SoapError::EmptyBody)
    );
    assert!(matches!(
        parse_call(b"<html/>"),
        Err(SoapError::NotAnEnvelope(_))
    ));
    assert_eq!(
        parse_call(br#"<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"/>"#),
        Err(SoapError::Soap12)
    );
    assert_eq!(
        parse_call(br#"<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"/>"#),
        Err(SoapError::MissingBody)
    );
    assert!(matches!(
        parse_call(b"<soap:Envelope"),
        Err(SoapError::Malformed(_))
    ));
    assert_eq!(parse_call(&[0xff, 0xfe, 0x00]), Err(SoapError::NotUtf8));
}

#[test]
fn soap_action_names_the_method() {
    assert_eq!(
        method_from_soap_action("\"http://developer.intuit.com/authenticate\""),
        Some("authenticate")
    );
    assert_eq!(
        method_from_soap_action("http://developer.intuit.com/closeConnection"),
        Some("closeConnection")
    );
    assert_eq!(method_from_soap_action("\"\""), None);
    assert_eq!(method_from_soap_action("urn:other"), None);
}

fn all_replies() -> Vec<(&'static str, QbwcReply)> {
    vec![
        ("server_version", QbwcReply::ServerVersion("Quayside 0.1.0".into())),
        ("client_version", QbwcReply::ClientVersion(String::new())),
        ("authenticate", QbwcReply::Authenticate(vec!["5f1c0c6e-3a53-4a8f-9a43-0d6c3b7e2f10".into(), String::new()])),
        ("authenticate_nvu", QbwcReply::Authenticate(vec![String::new(), "nvu".into()])),
        (
            "send_request_xml",
            QbwcReply::SendRequestXml(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?><?qbxml version=\"13.0\"?><QBXML><QBXMLMsgsRq onError=\"stopOnError\"><InvoiceQueryRq requestID=\"a&amp;b\"><RefNumber>1</RefNumber></InvoiceQueryRq></QBXMLMsgsRq></QBXML>".into(),
            ),
        ),
        ("receive_response_xml", QbwcReply::ReceiveResponseXml(100)),
        ("connection_error", QbwcReply::ConnectionError("done".into())),
        ("get_last_error", QbwcReply::GetLastError("3 invoices synced, 1 failed: <bad> & \"worse\"".into())),
        ("close_connection", QbwcReply::CloseConnection("OK".into())),
    ]
}

#[test]
fn rendered_replies_match_golden_files() {
    for (name, reply) in all_replies() {
        assert_golden(&format!("soap/{name}.response.xml"), &render_reply(&reply));
    }
    assert_golden(
        "soap/fault.response.xml",
        &render_fault("Not a Web Connector call: <x>"),
    );
}

#[test]
fn rendered_replies_reparse_with_the_result_in_the_intuit_namespace() {
    use crate::qbxml::tree::parse_document;
    for (_, reply) in all_replies() {
        let xml = render_reply(&reply);
        let envelope = parse_document(&xml).expect("well-formed");
        assert!(envelope.is(SOAP_ENV_NS, "Envelope"));
        let method = reply.method_name();
        let wrapper = &envelope.child("Body").expect("body").children[0];
        assert!(wrapper.is(INTUIT_NS, &format!("{method}Response")), "{xml}");
        let result = wrapper.child(&format!("{method}Result")).expect("result");
        assert_eq!(result.namespace.as_deref(), Some(INTUIT_NS));
        match &reply {
            QbwcReply::Authenticate(items) => {
                let got: Vec<&str> = result
                    .children_named("string")
                    .map(|s| s.text.as_ref())
                    .collect();
                assert_eq!(got, items.iter().map(String::as_str).collect::<Vec<_>>());
            }
            QbwcReply::ReceiveResponseXml(n) => assert_eq!(result.text, n.to_string()),
            QbwcReply::SendRequestXml(s) | QbwcReply::GetLastError(s) => {
                assert_eq!(&result.text, s)
            }
            _ => {}
        }
    }
}

#[test]
fn carriage_returns_survive_and_invalid_xml_characters_are_dropped() {
    let xml = render_reply(&QbwcReply::GetLastError("a\r\nb\u{1}c".into()));
    assert!(xml.contains("<getLastErrorResult>a&#13;\nbc</getLastErrorResult>"));
    let parsed = crate::qbxml::tree::parse_document(&xml).expect("well-formed");
    let result = &parsed.children[0].children[0].children[0];
    assert_eq!(result.text, "a\r\nbc");
}

#[test]
fn fault_is_a_soap_11_client_fault() {
    let xml = render_fault("bad & worse");
    let envelope = crate::qbxml::tree::parse_document(&xml).expect("well-formed");
    let fault = &envelope.child("Body").expect("body").children[0];
    assert!(fault.is(SOAP_ENV_NS, "Fault"));
    assert_eq!(fault.child_text("faultcode"), Some("soap:Client"));
    assert_eq!(fault.child_text("faultstring"), Some("bad & worse"));
}

#[test]
fn debug_output_leaves_out_the_password_and_the_ticket() {
    let auth = QbwcCall::Authenticate {
        username: "qb-user".into(),
        password: "s3cret-pass".into(),
    };
    let text = format!("{auth:?}");
    assert!(
        text.contains("qb-user") && !text.contains("s3cret-pass"),
        "{text}"
    );
    let close = QbwcCall::CloseConnection {
        ticket: "ticket-123".into(),
    };
    assert!(!format!("{close:?}").contains("ticket-123"));
}
