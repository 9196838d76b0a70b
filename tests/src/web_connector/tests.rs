//! The simulated Web Connector against a tiny scripted QBWC server (actix, in-process).

use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use quick_xml::events::Event;
use quick_xml::Reader;

use super::*;
use crate::qb_company::Company;

#[derive(Default)]
struct Seen {
    /// (SOAPAction header, Content-Type header, body)
    calls: Vec<(String, String, String)>,
    sends: usize,
    iterator: Option<String>,
    remaining: usize,
    hresults: Vec<String>,
}

type Shared = Arc<Mutex<Seen>>;

/// Text of the first element whose local name is `name`.
fn text_of(xml: &str, name: &str) -> String {
    let mut r = Reader::from_str(xml);
    let mut inside = false;
    let mut out = String::new();
    loop {
        match r.read_event() {
            Ok(Event::Start(e)) if e.local_name().as_ref() == name.as_bytes() => inside = true,
            Ok(Event::End(e)) if inside && e.local_name().as_ref() == name.as_bytes() => {
                return out
            }
            Ok(Event::Text(t)) if inside => out.push_str(&t.unescape().unwrap_or_default()),
            Ok(Event::Eof) | Err(_) => return out,
            _ => {}
        }
    }
}

fn asmx(method: &str, inner: &str) -> HttpResponse {
    HttpResponse::Ok().content_type("text/xml; charset=utf-8").body(format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><{method}Response xmlns=\"http://developer.intuit.com/\"><{method}Result>{inner}</{method}Result></{method}Response></soap:Body></soap:Envelope>"
    ))
}

fn php_auth(ticket: &str, status: &str) -> HttpResponse {
    HttpResponse::Ok().content_type("text/xml").body(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:ns1=\"http://developer.intuit.com/\"><SOAP-ENV:Body><ns1:authenticateResponse><ns1:authenticateResult><ns1:string>{ticket}</ns1:string><ns1:string>{status}</ns1:string></ns1:authenticateResult></ns1:authenticateResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>"
    ))
}

fn qbxml(body: &str) -> String {
    let doc = format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<?qbxml version=\"13.0\"?>\n<QBXML>\n<QBXMLMsgsRq onError=\"stopOnError\">\n{body}\n</QBXMLMsgsRq>\n</QBXML>");
    soap::escape(&doc)
}

async fn handle(req: HttpRequest, body: String, seen: web::Data<Shared>) -> HttpResponse {
    let header = |n: &str| {
        req.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let action = header("SOAPAction");
    let method = action
        .trim_matches('"')
        .trim_start_matches(QBWC_NS)
        .to_string();
    let mut s = seen.lock().unwrap_or_else(|e| e.into_inner());
    s.calls.push((action, header("Content-Type"), body.clone()));
    let user = s
        .calls
        .iter()
        .find(|c| c.0.contains("authenticate"))
        .map(|c| text_of(&c.2, "strUserName"))
        .unwrap_or_default();
    match method.as_str() {
        "serverVersion" => asmx("serverVersion", "Scripted 1.0"),
        "clientVersion" => asmx("clientVersion", ""),
        "authenticate" if user == "bad" => php_auth("", "nvu"),
        "authenticate" => php_auth("tkt-1", ""),
        "connectionError" => asmx("connectionError", "done"),
        "sendRequestXML" => {
            s.sends += 1;
            match user.as_str() {
                "empty" => asmx("sendRequestXML", ""),
                "broken" => asmx("sendRequestXML", &soap::escape("<QBXML><oops")),
                _ if s.sends == 1 => asmx(
                    "sendRequestXML",
                    &qbxml("<InvoiceQueryRq requestID=\"1\" iterator=\"Start\"><MaxReturned>2</MaxReturned><IncludeLineItems>true</IncludeLineItems></InvoiceQueryRq>"),
                ),
                _ => {
                    let id = s.iterator.clone().unwrap_or_default();
                    asmx(
                        "sendRequestXML",
                        &qbxml(&format!("<InvoiceQueryRq requestID=\"1\" iterator=\"Continue\" iteratorID=\"{id}\"><MaxReturned>2</MaxReturned><IncludeLineItems>true</IncludeLineItems></InvoiceQueryRq>")),
                    )
                }
            }
        }
        "receiveResponseXML" => {
            let hresult = text_of(&body, "hresult");
            if !hresult.is_empty() {
                s.hresults.push(hresult);
                return asmx("receiveResponseXML", "-1");
            }
            let response = text_of(&body, "response");
            let attr = |name: &str| {
                response
                    .split(&format!("{name}=\""))
                    .nth(1)
                    .and_then(|r| r.split('"').next())
                    .map(str::to_string)
            };
            s.iterator = attr("iteratorID");
            s.remaining = attr("iteratorRemainingCount")
                .and_then(|r| r.parse().ok())
                .unwrap_or(0);
            let pct = if s.remaining == 0 { 100 } else { 40 };
            asmx("receiveResponseXML", &pct.to_string())
        }
        "getLastError" => asmx(
            "getLastError",
            if user == "empty" {
                "Nothing to do"
            } else {
                "QuickBooks error 0x80040400"
            },
        ),
        "closeConnection" => asmx("closeConnection", "OK"),
        _ => HttpResponse::NotFound().finish(),
    }
}

async fn start() -> (String, Shared, actix_web::dev::ServerHandle) {
    let seen: Shared = Arc::default();
    let data = web::Data::new(seen.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/qbwc", web::post().to(handle))
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .expect("bind");
    let addr = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    (format!("http://{addr}/qbwc"), seen, handle)
}

#[actix_web::test]
async fn full_session_pages_an_iterator_and_closes() {
    let (url, seen, server) = start().await;
    let company = Company::sample(5);
    let mut opts = SessionOptions::new("paging", "secret");
    opts.owner_and_file_id = Some((
        "{8C9E3A51-2B7D-4F0A-9E61-5D2C4B8A1F07}".into(),
        "{1E4B7C90-6A2D-4C3F-8B15-9F0E2D7A6C34}".into(),
    ));
    let report = WebConnector::new(&url).run_session(&company, &opts).await;
    assert_eq!(report.failure, None);
    assert_eq!(report.server_version.as_deref(), Some("Scripted 1.0"));
    assert_eq!(report.ticket.as_deref(), Some("tkt-1"));
    assert_eq!(report.auth_status, "");
    assert_eq!(report.requests.len(), 3, "5 invoices, 2 per page");
    assert_eq!(report.percents, vec![40, 40, 100]);
    assert_eq!(report.close_message.as_deref(), Some("OK"));
    assert_eq!(
        report.methods(),
        vec![
            "serverVersion",
            "clientVersion",
            "authenticate",
            "sendRequestXML",
            "receiveResponseXML",
            "sendRequestXML",
            "receiveResponseXML",
            "sendRequestXML",
            "receiveResponseXML",
            "closeConnection"
        ]
    );
    assert!(report.http_statuses().iter().all(|s| *s == 200));
    let s = std::mem::take(&mut *seen.lock().unwrap_or_else(|e| e.into_inner()));
    for (action, content_type, _) in &s.calls {
        assert!(action.starts_with("\"http://developer.intuit.com/") && action.ends_with('"'));
        assert_eq!(content_type, "text/xml; charset=utf-8");
    }
    let sends: Vec<&String> = s
        .calls
        .iter()
        .filter(|c| c.0.contains("sendRequestXML"))
        .map(|c| &c.2)
        .collect();
    let hcp = text_of(sends[0], "strHCPResponse");
    assert!(hcp.starts_with("<?xml version=\"1.0\" ?>\n<QBXML>\n<QBXMLMsgsRs>\n<HostQueryRs"));
    assert!(hcp.contains("<DataExtName>FileID</DataExtName>"));
    assert!(hcp.contains("<SupportedQBXMLVersion>13.0</SupportedQBXMLVersion>"));
    assert!(sends[1].contains("<strHCPResponse />"));
    assert!(
        sends[0].contains("<qbXMLMajorVers>13</qbXMLMajorVers><qbXMLMinorVers>0</qbXMLMinorVers>")
    );
    assert!(s.calls[0].2.contains(
        "<soap:Body><serverVersion xmlns=\"http://developer.intuit.com/\" /></soap:Body>"
    ));
    server.stop(true).await;
}

#[actix_web::test]
async fn empty_request_calls_get_last_error_then_close() {
    let (url, _seen, server) = start().await;
    let report = WebConnector::new(&url)
        .run_session(&Company::sample(1), &SessionOptions::new("empty", "x"))
        .await;
    assert_eq!(
        report.methods()[3..],
        ["sendRequestXML", "getLastError", "closeConnection"]
    );
    assert_eq!(report.last_error.as_deref(), Some("Nothing to do"));
    assert!(report.requests.is_empty());
    server.stop(true).await;
}

#[actix_web::test]
async fn nvu_closes_without_requests() {
    let (url, _seen, server) = start().await;
    let report = WebConnector::new(&url)
        .run_session(&Company::sample(1), &SessionOptions::new("bad", "x"))
        .await;
    assert_eq!(report.auth_status, "nvu");
    assert_eq!(
        report.methods(),
        vec![
            "serverVersion",
            "clientVersion",
            "authenticate",
            "closeConnection"
        ]
    );
    server.stop(true).await;
}

#[actix_web::test]
async fn parse_errors_go_back_as_hresult_and_negative_percent_ends() {
    let (url, seen, server) = start().await;
    let report = WebConnector::new(&url)
        .run_session(&Company::sample(1), &SessionOptions::new("broken", "x"))
        .await;
    assert_eq!(report.percents, vec![-1]);
    assert_eq!(report.methods()[5..], ["getLastError", "closeConnection"]);
    let s = std::mem::take(&mut *seen.lock().unwrap_or_else(|e| e.into_inner()));
    assert_eq!(s.hresults, vec!["0x80040400".to_string()]);
    let receive = s
        .calls
        .iter()
        .find(|c| c.0.contains("receiveResponseXML"))
        .map(|c| c.2.clone())
        .unwrap_or_default();
    assert!(receive.contains("<response /><hresult>0x80040400</hresult><message>QuickBooks found an error when parsing the provided XML text stream.</message>"));
    server.stop(true).await;
}

#[actix_web::test]
async fn drop_and_connection_error_options() {
    let (url, _seen, server) = start().await;
    let mut opts = SessionOptions::new("paging", "x");
    opts.drop_after_requests = Some(1);
    let report = WebConnector::new(&url)
        .run_session(&Company::sample(5), &opts)
        .await;
    assert!(report.dropped);
    assert_eq!(report.requests.len(), 1);
    assert_eq!(report.close_message, None);
    assert_eq!(report.methods().last().copied(), Some("sendRequestXML"));

    let mut opts = SessionOptions::new("paging", "x");
    opts.connection_error = Some(crate::qb_company::Hresult::could_not_start());
    let report = WebConnector::new(&url)
        .run_session(&Company::sample(5), &opts)
        .await;
    assert_eq!(report.connection_error_reply.as_deref(), Some("done"));
    assert_eq!(
        report.methods()[3..],
        ["connectionError", "closeConnection"]
    );
    server.stop(true).await;
}

#[actix_web::test]
async fn unreachable_server_is_a_failure() {
    let report = WebConnector::new("http://127.0.0.1:9/qbwc")
        .run_session(&Company::new(), &SessionOptions::new("a", "b"))
        .await;
    assert!(report.failure.is_some());
    assert_eq!(report.http_statuses(), vec![0]);
}
