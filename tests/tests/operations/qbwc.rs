//! A Web Connector session whose calls alternate between several api processes (a load balancer
//! without stickiness): sessions live in Redis, so any api must be able to take any call.
//!
//! The call order is QBWC's (see `quayside_tests::web_connector`), kept to the happy path:
//! `serverVersion`, `clientVersion`, `authenticate`, then `sendRequestXML`/`receiveResponseXML`
//! until 100 %, then `closeConnection`.

use std::time::Duration;

use quayside_tests::qb_company::Company;
use quayside_tests::web_connector::{envelope, parse_result, QBWC_NS, USER_AGENT};

/// What the session did.
#[derive(Debug, Default)]
pub struct Spread {
    /// Calls answered by each api, by index.
    pub calls_per_api: Vec<usize>,
    /// `receiveResponseXML` percentages, in order.
    pub percents: Vec<i32>,
    /// `closeConnection`'s message.
    pub close_message: String,
}

/// Plays one session over `urls` round robin (call `i` goes to `urls[(start + i) % len]`).
pub async fn session(
    http: &reqwest::Client,
    urls: &[String],
    start: usize,
    company: &Company,
    user: &str,
    pass: &str,
) -> anyhow::Result<Spread> {
    let mut spread = Spread {
        calls_per_api: vec![0; urls.len()],
        ..Spread::default()
    };
    let mut n = start;
    let mut call = |method: &'static str, params: Vec<(&'static str, String)>| {
        let i = n % urls.len();
        n += 1;
        spread.calls_per_api[i] += 1;
        let url = urls[i].clone();
        let http = http.clone();
        async move {
            let refs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let resp = http
                .post(&url)
                .timeout(Duration::from_secs(60))
                .header("User-Agent", USER_AGENT)
                .header("Content-Type", "text/xml; charset=utf-8")
                .header("SOAPAction", format!("\"{QBWC_NS}{method}\""))
                .body(envelope(method, &refs))
                .send()
                .await?;
            anyhow::ensure!(
                resp.status() == 200,
                "{method} at {url}: HTTP {}",
                resp.status()
            );
            let text = resp.text().await?;
            parse_result(&text, method).map_err(|e| anyhow::anyhow!("{method} at {url}: {e}"))
        }
    };
    call("serverVersion", vec![]).await?;
    call("clientVersion", vec![("strVersion", "2.3.0.215".into())]).await?;
    let auth = call(
        "authenticate",
        vec![("strUserName", user.into()), ("strPassword", pass.into())],
    )
    .await?;
    let ticket = auth.strings.first().cloned().flatten().unwrap_or_default();
    let status = auth.strings.get(1).cloned().flatten().unwrap_or_default();
    anyhow::ensure!(status.is_empty(), "authenticate answered {status:?}");
    let mut first = true;
    for _ in 0..200 {
        let hcp = if first {
            company.hcp_response()
        } else {
            String::new()
        };
        first = false;
        let request = call(
            "sendRequestXML",
            vec![
                ("ticket", ticket.clone()),
                ("strHCPResponse", hcp),
                ("strCompanyFileName", company.file_path()),
                ("qbXMLCountry", "US".into()),
                ("qbXMLMajorVers", "13".into()),
                ("qbXMLMinorVers", "0".into()),
            ],
        )
        .await?
        .text;
        anyhow::ensure!(
            !request.is_empty(),
            "sendRequestXML returned no request before 100 %"
        );
        let response = company
            .process_request(&request)
            .map_err(|h| anyhow::anyhow!("QuickBooks failed: {h:?}"))?;
        let pct = call(
            "receiveResponseXML",
            vec![
                ("ticket", ticket.clone()),
                ("response", response),
                ("hresult", String::new()),
                ("message", String::new()),
            ],
        )
        .await?
        .text;
        let pct: i32 = pct.trim().parse()?;
        spread.percents.push(pct);
        anyhow::ensure!(pct >= 0, "receiveResponseXML answered {pct}");
        if pct >= 100 {
            break;
        }
    }
    let close = call("closeConnection", vec![("ticket", ticket)]).await?;
    company.end_session();
    spread.close_message = close.text;
    Ok(spread)
}
