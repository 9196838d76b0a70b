//! Play one QuickBooks Web Connector update against a Quayside server, with a simulated
//! company file.
//!
//! ```text
//! qbwc-sim --url http://127.0.0.1:8080/qbwc --username U --password P \
//!          [--invoices 25] [--state-file company.json]
//! ```
//!
//! With `--state-file`, the company is loaded from (or created and saved to) that JSON file,
//! so repeated runs see the same invoices and the server's edits.

use std::path::PathBuf;
use std::process::ExitCode;

use quayside_tests::qb_company::Company;
use quayside_tests::web_connector::{SessionOptions, SessionReport, WebConnector};

struct Args {
    url: String,
    username: String,
    password: String,
    invoices: usize,
    state_file: Option<PathBuf>,
}

const USAGE: &str =
    "usage: qbwc-sim --url URL --username U --password P [--invoices N] [--state-file PATH]";

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut url, mut username, mut password) = (None, None, None);
    let mut invoices = 25usize;
    let mut state_file = None;
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => url = Some(value()?),
            "--username" => username = Some(value()?),
            "--password" => password = Some(value()?),
            "--invoices" => {
                invoices = value()?
                    .parse()
                    .map_err(|_| "--invoices needs a number".to_string())?
            }
            "--state-file" => state_file = Some(PathBuf::from(value()?)),
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(Args {
        url: url.ok_or(USAGE)?,
        username: username.ok_or(USAGE)?,
        password: password.ok_or(USAGE)?,
        invoices,
        state_file,
    })
}

fn first_line(s: &str, max: usize) -> String {
    let line: String = s
        .lines()
        .find(|l| l.contains("Rq") && !l.contains("QBXMLMsgsRq"))
        .unwrap_or("")
        .trim()
        .chars()
        .take(max)
        .collect();
    line
}

fn print_report(r: &SessionReport) {
    println!(
        "server version : {}",
        r.server_version.as_deref().unwrap_or("-")
    );
    println!(
        "clientVersion  : {:?}",
        r.client_version_reply.as_deref().unwrap_or("")
    );
    println!(
        "authenticate   : ticket={:?} status={:?}",
        r.ticket.as_deref().unwrap_or(""),
        r.auth_status
    );
    if let Some(c) = &r.connection_error_reply {
        println!("connectionError: {c:?}");
    }
    println!("requests       : {}", r.requests.len());
    for (i, (rq, answer)) in r.requests.iter().zip(&r.responses).enumerate() {
        let outcome = match answer {
            Ok(rs) => {
                let rets = rs.matches("Ret>\n").count() / 2;
                let status = rs
                    .split("statusCode=\"")
                    .nth(1)
                    .and_then(|s| s.split('"').next())
                    .unwrap_or("?");
                format!("statusCode {status}, ~{rets} aggregates")
            }
            Err(h) => format!("hresult {h}"),
        };
        println!("  {:>3}. {}  -> {outcome}", i + 1, first_line(rq, 90));
    }
    println!("percents       : {:?}", r.percents);
    if let Some(e) = &r.last_error {
        println!("getLastError   : {e}");
    }
    match &r.close_message {
        Some(m) => println!("closeConnection: {m}"),
        None => println!("closeConnection: (not called)"),
    }
    if let Some(f) = &r.failure {
        println!("FAILURE        : {f}");
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let company = match &args.state_file {
        Some(p) if p.exists() => match Company::load(p) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("cannot load {}: {e}", p.display());
                return ExitCode::FAILURE;
            }
        },
        _ => Company::sample(args.invoices),
    };
    let opts = SessionOptions::new(&args.username, &args.password);
    let report = WebConnector::new(&args.url)
        .run_session(&company, &opts)
        .await;
    print_report(&report);
    if let Some(p) = &args.state_file {
        if let Err(e) = company.save(p) {
            eprintln!("cannot save {}: {e}", p.display());
            return ExitCode::FAILURE;
        }
        println!("company saved  : {}", p.display());
    }
    if report.failure.is_some() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
