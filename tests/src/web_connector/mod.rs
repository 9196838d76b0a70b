//! A simulated QuickBooks Web Connector: drives one update session against a QBWC server
//! URL the way QBWC 2.3 does (call order, SOAP 1.1 envelopes, headers), with a simulated
//! [`Company`] as the QuickBooks it talks to.
//!
//! Flow (qbwc.md §1.4-1.9): `serverVersion` → `clientVersion` → `authenticate` →
//! (`connectionError` when asked to simulate QuickBooks failing to open) →
//! (`sendRequestXML` → request processor → `receiveResponseXML`)* → `closeConnection`, with
//! `getLastError` after an empty request or a negative percentage.

mod soap;

#[cfg(test)]
mod tests;

use std::time::Duration;

use crate::qb_company::{Company, Hresult};

pub use soap::{envelope, parse_result, SoapResult, QBWC_NS};

/// The User-Agent of QBWC 2.3 (a .NET 4 SOAP client).
pub const USER_AGENT: &str =
    "Mozilla/4.0 (compatible; MSIE 6.0; MS Web Services Client Protocol 4.0.30319.42000)";

/// How to play the session.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    pub username: String,
    pub password: String,
    /// `strVersion` for `clientVersion`.
    pub client_version: String,
    /// `strCompanyFileName`; defaults to the company's path (or the path `authenticate` gave).
    pub company_file: Option<String>,
    pub qbxml_country: String,
    pub qbxml_major: u32,
    pub qbxml_minor: u32,
    /// The QWC's `OwnerID`/`FileID`: stamped into the company file like QBWC does on the
    /// first connection, so the HCP response carries the FileID data extension.
    pub owner_and_file_id: Option<(String, String)>,
    /// Stop after receiving this many qbXML requests: the last one reaches QuickBooks, but
    /// no `receiveResponseXML` and no `closeConnection` follow (a crashed PC).
    pub drop_after_requests: Option<usize>,
    /// Reach 100 % but never call `closeConnection` (the PC went away at the very end).
    pub skip_close: bool,
    /// Call `connectionError(hresult, message)` instead of the first `sendRequestXML`.
    pub connection_error: Option<Hresult>,
    /// Safety bound on `sendRequestXML` calls.
    pub max_rounds: usize,
    /// Pause after a `NoOp` from `getLastError` (QBWC waits about 5 s).
    pub noop_pause: Duration,
    /// HTTP timeout per call (QBWC's .NET default is 100 s).
    pub timeout: Duration,
}

impl SessionOptions {
    /// QBWC 2.3.0.215, US, qbXML 13.0, 500-round bound, no faults.
    pub fn new(username: &str, password: &str) -> SessionOptions {
        SessionOptions {
            username: username.to_string(),
            password: password.to_string(),
            client_version: "2.3.0.215".into(),
            company_file: None,
            qbxml_country: "US".into(),
            qbxml_major: 13,
            qbxml_minor: 0,
            owner_and_file_id: None,
            drop_after_requests: None,
            skip_close: false,
            connection_error: None,
            max_rounds: 500,
            noop_pause: Duration::from_millis(100),
            timeout: Duration::from_secs(100),
        }
    }
}

/// One SOAP call made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    pub method: String,
    /// HTTP status, `None` when the request failed at the transport level.
    pub http_status: Option<u16>,
}

/// What happened in the session.
#[derive(Debug, Clone, Default)]
pub struct SessionReport {
    pub server_version: Option<String>,
    pub client_version_reply: Option<String>,
    pub ticket: Option<String>,
    /// `authenticate` result `[1]` ("" = open company, a path, `none`, `nvu`, `busy`).
    pub auth_status: String,
    /// The whole `authenticate` result.
    pub auth_reply: Vec<Option<String>>,
    pub connection_error_reply: Option<String>,
    /// The qbXML requests received from `sendRequestXML`, in order.
    pub requests: Vec<String>,
    /// What QuickBooks answered to each request (response or HRESULT), in order.
    pub responses: Vec<Result<String, Hresult>>,
    /// `receiveResponseXML` results, in order.
    pub percents: Vec<i32>,
    /// The last `getLastError` result.
    pub last_error: Option<String>,
    /// `closeConnection` result (`None` when it was not called).
    pub close_message: Option<String>,
    /// Every call with its HTTP status, in order.
    pub calls: Vec<CallRecord>,
    /// True when the session was dropped on purpose (`drop_after_requests`).
    pub dropped: bool,
    /// Why QBWC gave up, when a call failed (HTTP error, unreadable reply, SOAP fault).
    pub failure: Option<String>,
}

impl SessionReport {
    /// HTTP statuses of all calls, in order (0 for transport failures).
    pub fn http_statuses(&self) -> Vec<u16> {
        self.calls
            .iter()
            .map(|c| c.http_status.unwrap_or(0))
            .collect()
    }

    /// Method names called, in order.
    pub fn methods(&self) -> Vec<&str> {
        self.calls.iter().map(|c| c.method.as_str()).collect()
    }
}

/// The simulated Web Connector for one server URL.
#[derive(Debug, Clone)]
pub struct WebConnector {
    url: String,
    http: reqwest::Client,
}

/// A call that failed; QBWC stops the update (QBWC1012/1041/1042 ...).
struct CallFailed;

impl WebConnector {
    /// A connector posting to `url` (e.g. `http://127.0.0.1:8080/qbwc`).
    pub fn new(url: &str) -> WebConnector {
        WebConnector {
            url: url.to_string(),
            http: reqwest::Client::new(),
        }
    }

    async fn call(
        &self,
        report: &mut SessionReport,
        opts: &SessionOptions,
        method: &str,
        params: &[(&str, &str)],
    ) -> Result<SoapResult, CallFailed> {
        let body = envelope(method, params);
        let sent = self
            .http
            .post(&self.url)
            .timeout(opts.timeout)
            .header("User-Agent", USER_AGENT)
            .header("Content-Type", "text/xml; charset=utf-8")
            .header("SOAPAction", format!("\"{QBWC_NS}{method}\""))
            .header("Expect", "100-continue")
            .body(body)
            .send()
            .await;
        let resp = match sent {
            Ok(r) => r,
            Err(e) => {
                report.calls.push(CallRecord {
                    method: method.into(),
                    http_status: None,
                });
                report.failure = Some(format!("{method}: connection failed: {e}"));
                return Err(CallFailed);
            }
        };
        let status = resp.status().as_u16();
        report.calls.push(CallRecord {
            method: method.into(),
            http_status: Some(status),
        });
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let text = resp.text().await.unwrap_or_default();
        if status != 200 {
            report.failure = Some(format!("{method}: HTTP {status}"));
            return Err(CallFailed);
        }
        // The .NET SOAP client refuses any reply that is not text/xml (qbwc.md 1.10).
        if !content_type.starts_with("text/xml") {
            report.failure = Some(format!("{method}: reply is {content_type:?}, not text/xml"));
            return Err(CallFailed);
        }
        parse_result(&text, method).map_err(|e| {
            report.failure = Some(format!("{method}: {e}"));
            CallFailed
        })
    }

    /// Play one update session against the server with `company` as QuickBooks.
    pub async fn run_session(&self, company: &Company, opts: &SessionOptions) -> SessionReport {
        let mut report = SessionReport::default();
        let _ = self.play(company, opts, &mut report).await;
        company.end_session();
        report
    }

    async fn play(
        &self,
        company: &Company,
        opts: &SessionOptions,
        report: &mut SessionReport,
    ) -> Result<(), CallFailed> {
        report.server_version = Some(self.call(report, opts, "serverVersion", &[]).await?.text);
        let cv = self
            .call(
                report,
                opts,
                "clientVersion",
                &[("strVersion", &opts.client_version)],
            )
            .await?
            .text;
        let stop = cv.starts_with("E:") || cv.starts_with("O:");
        report.client_version_reply = Some(cv);
        if stop {
            return Ok(());
        }
        let auth = self
            .call(
                report,
                opts,
                "authenticate",
                &[
                    ("strUserName", &opts.username),
                    ("strPassword", &opts.password),
                ],
            )
            .await?;
        // authenticate's string[] carries the ticket and the status (and up to two more);
        // the real client gives up on anything shorter.
        if !(2..=4).contains(&auth.strings.len()) {
            report.failure = Some(format!(
                "authenticate: {} strings in the reply, not 2 to 4",
                auth.strings.len()
            ));
            return Err(CallFailed);
        }
        let ticket = auth.strings.first().cloned().flatten().unwrap_or_default();
        let status = auth.strings.get(1).cloned().flatten().unwrap_or_default();
        report.ticket = Some(ticket.clone());
        report.auth_status = status.clone();
        report.auth_reply = auth.strings;
        if ["nvu", "none", "busy"]
            .iter()
            .any(|s| status.eq_ignore_ascii_case(s))
        {
            return self.close(report, opts, &ticket).await;
        }
        if let Some((owner, file)) = &opts.owner_and_file_id {
            company.stamp_file_id(owner, file);
        }
        let company_file = if status.is_empty() {
            opts.company_file
                .clone()
                .unwrap_or_else(|| company.file_path())
        } else {
            status
        };
        if let Some(h) = &opts.connection_error {
            let reply = self
                .call(
                    report,
                    opts,
                    "connectionError",
                    &[
                        ("ticket", &ticket),
                        ("hresult", &h.code),
                        ("message", &h.message),
                    ],
                )
                .await?
                .text;
            let done = reply.eq_ignore_ascii_case("done");
            report.connection_error_reply = Some(reply);
            if done {
                return self.close(report, opts, &ticket).await;
            }
        }
        self.exchange(company, opts, report, &ticket, &company_file)
            .await
    }

    async fn exchange(
        &self,
        company: &Company,
        opts: &SessionOptions,
        report: &mut SessionReport,
        ticket: &str,
        company_file: &str,
    ) -> Result<(), CallFailed> {
        let (major, minor) = (opts.qbxml_major.to_string(), opts.qbxml_minor.to_string());
        let mut first = true;
        for _ in 0..opts.max_rounds {
            let hcp = if first {
                company.hcp_response()
            } else {
                String::new()
            };
            first = false;
            let request = self
                .call(
                    report,
                    opts,
                    "sendRequestXML",
                    &[
                        ("ticket", ticket),
                        ("strHCPResponse", &hcp),
                        ("strCompanyFileName", company_file),
                        ("qbXMLCountry", &opts.qbxml_country),
                        ("qbXMLMajorVers", &major),
                        ("qbXMLMinorVers", &minor),
                    ],
                )
                .await?
                .text;
            if request.is_empty() {
                let last = self
                    .call(report, opts, "getLastError", &[("ticket", ticket)])
                    .await?
                    .text;
                let noop = last == "NoOp";
                report.last_error = Some(last);
                if noop {
                    tokio::time::sleep(opts.noop_pause).await;
                    continue;
                }
                return self.close(report, opts, ticket).await;
            }
            report.requests.push(request.clone());
            let answer = company.process_request(&request);
            report.responses.push(answer.clone());
            if opts.drop_after_requests == Some(report.requests.len()) {
                report.dropped = true;
                return Ok(());
            }
            let (response, hresult, message) = match &answer {
                Ok(r) => (r.as_str(), "", ""),
                Err(h) => ("", h.code.as_str(), h.message.as_str()),
            };
            let pct_text = self
                .call(
                    report,
                    opts,
                    "receiveResponseXML",
                    &[
                        ("ticket", ticket),
                        ("response", response),
                        ("hresult", hresult),
                        ("message", message),
                    ],
                )
                .await?
                .text;
            let Ok(pct) = pct_text.trim().parse::<i32>() else {
                report.failure = Some(format!("receiveResponseXML: not an int: {pct_text:?}"));
                return Err(CallFailed);
            };
            report.percents.push(pct);
            if pct < 0 {
                let last = self
                    .call(report, opts, "getLastError", &[("ticket", ticket)])
                    .await?
                    .text;
                report.last_error = Some(last);
                return self.close(report, opts, ticket).await;
            }
            if pct >= 100 {
                if opts.skip_close {
                    report.dropped = true;
                    return Ok(());
                }
                return self.close(report, opts, ticket).await;
            }
        }
        report.failure = Some(format!(
            "stopped after {} sendRequestXML rounds",
            opts.max_rounds
        ));
        self.close(report, opts, ticket).await
    }

    async fn close(
        &self,
        report: &mut SessionReport,
        opts: &SessionOptions,
        ticket: &str,
    ) -> Result<(), CallFailed> {
        let msg = self
            .call(report, opts, "closeConnection", &[("ticket", ticket)])
            .await?
            .text;
        report.close_message = Some(msg);
        Ok(())
    }
}
