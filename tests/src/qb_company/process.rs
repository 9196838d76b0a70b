//! The request processor: one qbXML request message set in, one response message set out
//! (or an HRESULT when the document cannot be parsed), honouring `onError`.

use super::faults::Hresult;
use super::state::CompanyState;
use super::xml::{self, escape_attr, Element, Node};
use super::{customers, dataext, modify, query};

/// Status of one `*Rs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub code: i32,
    pub severity: &'static str,
    pub message: String,
}

impl Status {
    /// `0 Info "Status OK"`.
    pub fn ok() -> Status {
        Status {
            code: 0,
            severity: "Info",
            message: "Status OK".into(),
        }
    }

    /// An `Error`-severity status.
    pub fn error(code: i32, message: impl Into<String>) -> Status {
        Status {
            code,
            severity: "Error",
            message: message.into(),
        }
    }

    /// `3120`: an object given by id does not exist.
    pub fn not_found(id: &str) -> Status {
        Status::error(
            3120,
            format!("Object \"{id}\" specified in the request cannot be found.  QuickBooks error message: Invalid argument.  The specified record does not exist in the list."),
        )
    }
}

/// One response element (`InvoiceQueryRs` ...).
#[derive(Debug, Clone)]
pub struct Rs {
    pub name: String,
    pub request_id: Option<String>,
    pub status: Status,
    /// `(iteratorRemainingCount, iteratorID)`.
    pub iterator: Option<(usize, String)>,
    pub body: Vec<Node>,
}

impl Rs {
    /// A response for request element `rq_name` (`XQueryRq` → `XQueryRs`).
    pub fn new(rq: &Element, status: Status) -> Rs {
        let base = rq.name.strip_suffix("Rq").unwrap_or(&rq.name);
        Rs {
            name: format!("{base}Rs"),
            request_id: rq.attr("requestID").map(str::to_string),
            status,
            iterator: None,
            body: Vec::new(),
        }
    }

    fn write(&self, out: &mut String) {
        out.push('<');
        out.push_str(&self.name);
        if let Some(id) = &self.request_id {
            out.push_str(&format!(" requestID=\"{}\"", escape_attr(id)));
        }
        out.push_str(&format!(
            " statusCode=\"{}\" statusSeverity=\"{}\" statusMessage=\"{}\"",
            self.status.code,
            self.status.severity,
            escape_attr(&self.status.message)
        ));
        if let Some((remaining, id)) = &self.iterator {
            out.push_str(&format!(
                " iteratorRemainingCount=\"{remaining}\" iteratorID=\"{}\"",
                escape_attr(id)
            ));
        }
        if self.body.is_empty() {
            out.push_str(" />\n");
            return;
        }
        out.push_str(">\n");
        for node in &self.body {
            node.write(out);
        }
        out.push_str(&format!("</{}>\n", self.name));
    }
}

/// A validated request, ready to run.
pub enum Request {
    Query(Box<query::TxnQuery>),
    Customer(customers::CustomerQuery),
    Mod(Box<modify::TxnMod>),
    DataExt(dataext::DataExtReq),
    Unsupported,
}

/// Validate one `*Rq` element against the schema subset the simulator knows.
fn validate(rq: &Element) -> Result<Request, super::schema::Invalid> {
    let name = rq.name.as_str();
    if let Some(stem) = name.strip_suffix("QueryRq") {
        if let Some(kind) = super::model::TxnKind::from_stem(stem) {
            return query::TxnQuery::parse(kind, rq).map(|q| Request::Query(Box::new(q)));
        }
        if stem == "Customer" {
            return customers::CustomerQuery::parse(rq).map(Request::Customer);
        }
    }
    if let Some(stem) = name.strip_suffix("ModRq") {
        if let Some(kind) = super::model::TxnKind::from_stem(stem) {
            return modify::TxnMod::parse(kind, rq).map(|m| Request::Mod(Box::new(m)));
        }
    }
    match name {
        "DataExtModRq" => dataext::DataExtReq::parse(rq, dataext::Verb::Mod).map(Request::DataExt),
        "DataExtAddRq" => dataext::DataExtReq::parse(rq, dataext::Verb::Add).map(Request::DataExt),
        "DataExtDelRq" => dataext::DataExtReq::parse(rq, dataext::Verb::Del).map(Request::DataExt),
        n if n.ends_with("Rq") => Ok(Request::Unsupported),
        n => Err(super::schema::Invalid(format!("<{n}> is not a request"))),
    }
}

/// Process one request message set.
pub fn process(state: &mut CompanyState, qbxml: &str) -> Result<String, Hresult> {
    state.request_log.push(qbxml.to_string());
    if let Some(h) = state.faults.take_hresult() {
        return Err(h);
    }
    let doc = xml::parse(qbxml).map_err(|_| Hresult::parse_error())?;
    let has_version = doc
        .pis
        .iter()
        .any(|p| p.trim_start().starts_with("qbxml") && p.contains("version"));
    if !has_version || doc.root.name != "QBXML" || doc.root.children.len() != 1 {
        return Err(Hresult::parse_error());
    }
    let set = &doc.root.children[0];
    if set.name != "QBXMLMsgsRq" {
        return Err(Hresult::parse_error());
    }
    let on_error = match set.attr("onError") {
        Some(v @ ("stopOnError" | "continueOnError" | "rollbackOnError")) => v,
        _ => return Err(Hresult::parse_error()),
    };
    let requests = set
        .children
        .iter()
        .map(|rq| validate(rq).map(|r| (rq, r)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| Hresult::parse_error())?;

    let snapshot = (on_error == "rollbackOnError").then(|| {
        (
            state.txns.clone(),
            state.customers.clone(),
            state.company_data_ext.clone(),
        )
    });
    let mut out = String::from("<?xml version=\"1.0\" ?>\n<QBXML>\n<QBXMLMsgsRs>\n");
    for (rq, req) in requests {
        let rs = match state.faults.take_status(&rq.name) {
            Some(f) => {
                // QuickBooks says 3200 because someone else saved the transaction: its
                // EditSequence really moves, so resending the same request fails again.
                if f.code == 3200 {
                    let txn = rq.children.first().and_then(|m| m.child_text("TxnID"));
                    if let Some(idx) = txn.and_then(|id| state.txn_index(id)) {
                        state.touch(idx);
                    }
                }
                Rs::new(
                    rq,
                    Status {
                        code: f.code,
                        severity: severity(&f.severity),
                        message: f.message,
                    },
                )
            }
            None => run(state, rq, req),
        };
        rs.write(&mut out);
        if rs.status.severity == "Error" && on_error != "continueOnError" {
            if let Some((txns, customers, company_ext)) = &snapshot {
                state.txns = txns.clone();
                state.customers = customers.clone();
                state.company_data_ext = company_ext.clone();
            }
            break;
        }
    }
    out.push_str("</QBXMLMsgsRs>\n</QBXML>\n");
    Ok(out)
}

fn severity(s: &str) -> &'static str {
    match s {
        "Info" => "Info",
        "Warn" => "Warn",
        _ => "Error",
    }
}

fn run(state: &mut CompanyState, rq: &Element, req: Request) -> Rs {
    match req {
        Request::Query(q) => query::run_txn_query(state, rq, *q),
        Request::Customer(q) => customers::run_customer_query(state, rq, q),
        Request::Mod(m) => modify::run_mod(state, rq, *m),
        Request::DataExt(d) => dataext::run(state, rq, d),
        Request::Unsupported => Rs::new(
            rq,
            Status::error(
                1000,
                format!("The simulated company file does not support {}.", rq.name),
            ),
        ),
    }
}
