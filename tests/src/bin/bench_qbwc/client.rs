//! A lean Web Connector: the same SOAP envelopes and call order as
//! `quayside_tests::web_connector`, with every call timed, and the simulated QuickBooks
//! company answering the qbXML.

use std::time::{Duration, Instant};

use quayside_tests::qb_company::Company;
use quayside_tests::web_connector::{envelope, parse_result, QBWC_NS, USER_AGENT};

use super::stats::Stats;

/// One paired tenant and its QuickBooks company.
pub struct BenchTenant {
    pub username: String,
    pub password: String,
    pub company: Company,
    /// The `strHCPResponse` of the first `sendRequestXML` (computed once).
    pub hcp: String,
    /// TxnIDs of the company's invoices, edited before each session in edit mode.
    pub invoices: Vec<String>,
}

/// How a session went.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Ran to 100 % and closed; `sales` sales were handed to the server.
    Completed { sales: usize },
    /// Ended early; the reason was recorded as an error.
    Failed,
}

/// Plays sessions against one endpoint.
pub struct Player {
    pub url: String,
    pub http: reqwest::Client,
    pub max_rounds: usize,
}

const COMPANY_FILE: &str =
    "C:\\Users\\Public\\Documents\\Intuit\\QuickBooks\\Company Files\\Harbor Supply Co.QBW";

impl Player {
    /// One timed SOAP call; `Err` is the error kind (already counted).
    async fn call(
        &self,
        stats: &mut Stats,
        method: &'static str,
        params: &[(&str, &str)],
    ) -> Result<quayside_tests::web_connector::SoapResult, ()> {
        let body = envelope(method, params);
        let started = Instant::now();
        let sent = self
            .http
            .post(&self.url)
            .header("User-Agent", USER_AGENT)
            .header("Content-Type", "text/xml; charset=utf-8")
            .header("SOAPAction", format!("\"{QBWC_NS}{method}\""))
            .body(body)
            .send()
            .await;
        let resp = match sent {
            Ok(r) => r,
            Err(e) => {
                let kind = if e.is_timeout() {
                    "timeout"
                } else {
                    "transport"
                };
                stats.error(format!("{method}: {kind}"));
                return Err(());
            }
        };
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        stats.call(method, started.elapsed());
        if status != 200 {
            stats.error(format!("{method}: HTTP {status}"));
            return Err(());
        }
        parse_result(&text, method).map_err(|e| {
            stats.error(format!("{method}: unreadable reply ({e})"));
        })
    }

    /// serverVersion → clientVersion → authenticate → (sendRequestXML → QuickBooks →
    /// receiveResponseXML)* → closeConnection, with getLastError where QBWC calls it.
    pub async fn session(&self, tenant: &BenchTenant, stats: &mut Stats) -> Outcome {
        let outcome = self.play(tenant, stats).await;
        tenant.company.end_session();
        outcome.unwrap_or(Outcome::Failed)
    }

    async fn play(&self, tenant: &BenchTenant, stats: &mut Stats) -> Result<Outcome, ()> {
        self.call(stats, "serverVersion", &[]).await?;
        self.call(stats, "clientVersion", &[("strVersion", "2.3.0.215")])
            .await?;
        let auth = self
            .call(
                stats,
                "authenticate",
                &[
                    ("strUserName", &tenant.username),
                    ("strPassword", &tenant.password),
                ],
            )
            .await?;
        let ticket = auth.strings.first().cloned().flatten().unwrap_or_default();
        let status = auth.strings.get(1).cloned().flatten().unwrap_or_default();
        if !status.is_empty() {
            stats.error(format!("authenticate: {status}"));
            self.close(stats, &ticket).await?;
            return Ok(Outcome::Failed);
        }
        let mut sales = 0usize;
        for round in 0..self.max_rounds {
            let hcp = if round == 0 { tenant.hcp.as_str() } else { "" };
            let request = self
                .call(
                    stats,
                    "sendRequestXML",
                    &[
                        ("ticket", &ticket),
                        ("strHCPResponse", hcp),
                        ("strCompanyFileName", COMPANY_FILE),
                        ("qbXMLCountry", "US"),
                        ("qbXMLMajorVers", "13"),
                        ("qbXMLMinorVers", "0"),
                    ],
                )
                .await?
                .text;
            if request.is_empty() {
                let last = self
                    .call(stats, "getLastError", &[("ticket", &ticket)])
                    .await?;
                stats.error(format!(
                    "empty request before 100 %: {}",
                    first_words(&last.text)
                ));
                self.close(stats, &ticket).await?;
                return Ok(Outcome::Failed);
            }
            let started = Instant::now();
            let answer = tenant.company.process_request(&request);
            stats.company_time += started.elapsed();
            let response = match answer {
                Ok(r) => r,
                Err(h) => {
                    stats.error(format!("QuickBooks HRESULT {}", h.code));
                    return Err(());
                }
            };
            sales += count_sales(&response);
            let pct = self
                .call(
                    stats,
                    "receiveResponseXML",
                    &[
                        ("ticket", &ticket),
                        ("response", &response),
                        ("hresult", ""),
                        ("message", ""),
                    ],
                )
                .await?;
            let pct: i32 = pct.text.trim().parse().unwrap_or(-1);
            if pct < 0 {
                let last = self
                    .call(stats, "getLastError", &[("ticket", &ticket)])
                    .await?;
                stats.error(format!(
                    "receiveResponseXML {pct}: {}",
                    first_words(&last.text)
                ));
                self.close(stats, &ticket).await?;
                return Ok(Outcome::Failed);
            }
            if pct >= 100 {
                self.close(stats, &ticket).await?;
                return Ok(Outcome::Completed { sales });
            }
        }
        stats.error(format!("no 100 % after {} rounds", self.max_rounds));
        self.close(stats, &ticket).await?;
        Ok(Outcome::Failed)
    }

    async fn close(&self, stats: &mut Stats, ticket: &str) -> Result<(), ()> {
        self.call(stats, "closeConnection", &[("ticket", ticket)])
            .await?;
        Ok(())
    }
}

/// Sales in a qbXML response (invoices, sales receipts, sales orders).
fn count_sales(qbxml: &str) -> usize {
    ["<InvoiceRet>", "<SalesReceiptRet>", "<SalesOrderRet>"]
        .iter()
        .map(|tag| qbxml.matches(tag).count())
        .sum()
}

fn first_words(s: &str) -> String {
    s.chars().take(80).collect()
}

/// Edits every invoice of the tenant (a new memo), so the next session reads 10 new revisions.
pub fn edit_all(tenant: &BenchTenant, revision: u64) -> Duration {
    let started = Instant::now();
    for id in &tenant.invoices {
        tenant
            .company
            .edit(id, |t| t.memo = Some(format!("Bench revision {revision}")));
    }
    started.elapsed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_sales_of_every_type() {
        let xml = "<QBXML><InvoiceRet></InvoiceRet><InvoiceRet/><SalesReceiptRet></SalesReceiptRet></QBXML>";
        assert_eq!(count_sales(xml), 2);
    }

    #[test]
    fn edits_move_every_invoice_on() {
        let company = Company::new();
        let ids: Vec<String> = company
            .generate_invoices(3)
            .into_iter()
            .map(|t| t.0)
            .collect();
        let before: Vec<String> = ids
            .iter()
            .filter_map(|i| company.get(i))
            .map(|t| t.time_modified)
            .collect();
        let tenant = BenchTenant {
            username: "u".into(),
            password: "p".into(),
            hcp: company.hcp_response(),
            company: company.clone(),
            invoices: ids.clone(),
        };
        edit_all(&tenant, 2);
        for (id, old) in ids.iter().zip(before) {
            let t = company.get(id).expect("invoice");
            assert_eq!(t.memo.as_deref(), Some("Bench revision 2"));
            assert_ne!(t.time_modified, old);
        }
    }
}
