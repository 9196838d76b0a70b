//! `InvoiceQueryRq` / `SalesReceiptQueryRq` / `SalesOrderQueryRq` / `CustomerQueryRq`,
//! with list, filter and iterator forms.

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::clock::{parse_datetime, parse_stored};
use super::model::{Txn, TxnKind};
use super::process::{Rs, Status};
use super::render::{filter_ret, txn_node, Include};
use super::schema::{self, check_order, exclusive, Invalid, Slot};
use super::state::CompanyState;
use super::xml::Element;

/// An open iterator: the matching TxnIDs not yet returned (snapshot at `Start`).
#[derive(Debug, Clone)]
pub struct IteratorState {
    pub kind: TxnKind,
    pub remaining: Vec<String>,
    pub max_returned: usize,
}

/// A parsed transaction query.
#[derive(Debug, Clone, Default)]
pub struct TxnQuery {
    pub txn_ids: Vec<String>,
    pub ref_numbers: Vec<String>,
    pub case_sensitive: bool,
    pub max_returned: Option<usize>,
    pub from_modified: Option<String>,
    pub to_modified: Option<String>,
    pub from_txn_date: Option<NaiveDate>,
    pub to_txn_date: Option<NaiveDate>,
    pub entity: Vec<String>,
    pub include_line_items: bool,
    pub include_linked_txns: bool,
    pub include_ret: Vec<String>,
    pub owner_ids: Vec<String>,
    pub iterator: Option<String>,
    pub iterator_id: Option<String>,
}

fn txn_query_seq(kind: TxnKind) -> Vec<Slot> {
    let mut seq: Vec<Slot> = vec![
        ("TxnID", true),
        ("RefNumber", true),
        ("RefNumberCaseSensitive", true),
        ("MaxReturned", false),
        ("ModifiedDateRangeFilter", false),
        ("TxnDateRangeFilter", false),
        ("EntityFilter", false),
    ];
    if kind != TxnKind::SalesOrder {
        seq.push(("AccountFilter", false));
    }
    seq.extend([
        ("RefNumberFilter", false),
        ("RefNumberRangeFilter", false),
        ("CurrencyFilter", false),
    ]);
    if kind == TxnKind::Invoice {
        seq.push(("PaidStatus", false));
    }
    seq.push(("IncludeLineItems", false));
    if kind != TxnKind::SalesReceipt {
        seq.push(("IncludeLinkedTxns", false));
    }
    seq.extend([("IncludeRetElement", true), ("OwnerID", true)]);
    seq
}

impl TxnQuery {
    /// Validate and read a `*QueryRq`.
    pub fn parse(kind: TxnKind, rq: &Element) -> Result<TxnQuery, Invalid> {
        check_order(rq, &txn_query_seq(kind))?;
        let lists = ["TxnID", "RefNumber", "RefNumberCaseSensitive"];
        exclusive(rq, &lists)?;
        exclusive(rq, &["ModifiedDateRangeFilter", "TxnDateRangeFilter"])?;
        exclusive(rq, &["RefNumberFilter", "RefNumberRangeFilter"])?;
        let has_list = lists.iter().any(|n| rq.child(n).is_some());
        let has_filter = rq.children.iter().any(|c| {
            matches!(
                c.name.as_str(),
                "MaxReturned"
                    | "ModifiedDateRangeFilter"
                    | "TxnDateRangeFilter"
                    | "EntityFilter"
                    | "AccountFilter"
                    | "RefNumberFilter"
                    | "RefNumberRangeFilter"
                    | "CurrencyFilter"
                    | "PaidStatus"
            )
        });
        if has_list && has_filter {
            return Err(Invalid("a TxnID/RefNumber list excludes filters".into()));
        }
        let texts = |n: &str| {
            rq.children_named(n)
                .map(|c| c.text.clone())
                .collect::<Vec<_>>()
        };
        let mut q = TxnQuery {
            txn_ids: texts("TxnID"),
            ref_numbers: texts("RefNumber"),
            max_returned: schema::count(rq, "MaxReturned")?,
            include_line_items: schema::boolean(rq, "IncludeLineItems")?.unwrap_or(false),
            include_linked_txns: schema::boolean(rq, "IncludeLinkedTxns")?.unwrap_or(false),
            include_ret: texts("IncludeRetElement"),
            owner_ids: texts("OwnerID"),
            iterator: rq.attr("iterator").map(str::to_string),
            iterator_id: rq.attr("iteratorID").map(str::to_string),
            ..TxnQuery::default()
        };
        let cs = texts("RefNumberCaseSensitive");
        if !cs.is_empty() {
            q.ref_numbers = cs;
            q.case_sensitive = true;
        }
        if let Some(f) = rq.child("ModifiedDateRangeFilter") {
            check_order(f, &[("FromModifiedDate", false), ("ToModifiedDate", false)])?;
            q.from_modified = f.child_text("FromModifiedDate").map(str::to_string);
            q.to_modified = f.child_text("ToModifiedDate").map(str::to_string);
        }
        if let Some(f) = rq.child("TxnDateRangeFilter") {
            check_order(
                f,
                &[
                    ("FromTxnDate", false),
                    ("ToTxnDate", false),
                    ("DateMacro", false),
                ],
            )?;
            q.from_txn_date = schema::date(f, "FromTxnDate")?;
            q.to_txn_date = schema::date(f, "ToTxnDate")?;
        }
        if let Some(f) = rq.child("EntityFilter") {
            q.entity = f
                .children
                .iter()
                .filter(|c| matches!(c.name.as_str(), "ListID" | "FullName"))
                .map(|c| c.text.clone())
                .collect();
        }
        match q.iterator.as_deref() {
            None | Some("Start") => {}
            Some("Continue" | "Stop") if q.iterator_id.is_some() => {}
            Some(_) => return Err(Invalid("bad iterator attributes".into())),
        }
        Ok(q)
    }
}

/// `1 Info`: the query matched nothing.
pub fn no_match() -> Status {
    Status {
        code: 1,
        severity: "Info",
        message: "A query request did not find a matching object in QuickBooks".into(),
    }
}

/// `500 Warn`: some of the listed ids were not found.
pub fn partial(missing: &str) -> Status {
    Status {
        code: 500,
        severity: "Warn",
        message: format!("The query request has not been fully completed. There was a required element (\"{missing}\") that could not be found in QuickBooks."),
    }
}

fn date_error(field: &str, value: &str) -> Status {
    Status::error(
        3020,
        format!("There was an error when converting the date value \"{value}\" in the field \"{field}\"."),
    )
}

fn time_key(t: &Txn) -> (Option<DateTime<FixedOffset>>, u32) {
    (parse_stored(&t.time_modified), t.txn_number)
}

/// Run a transaction query.
pub fn run_txn_query(state: &mut CompanyState, rq: &Element, q: TxnQuery) -> Rs {
    let kind = match TxnKind::from_stem(rq.name.trim_end_matches("QueryRq")) {
        Some(k) => k,
        None => return Rs::new(rq, Status::error(1000, "unknown query")),
    };
    if q.iterator.as_deref() == Some("Continue") || q.iterator.as_deref() == Some("Stop") {
        return continue_iterator(state, rq, kind, &q);
    }
    let mut status = Status::ok();
    let selected: Vec<&Txn> = if !q.txn_ids.is_empty() {
        let mut out = Vec::new();
        for id in &q.txn_ids {
            match state
                .txns
                .iter()
                .find(|t| t.kind == kind && &t.txn_id == id)
            {
                Some(t) => out.push(t),
                None if status.code == 0 => status = partial(id),
                None => {}
            }
        }
        out
    } else if !q.ref_numbers.is_empty() {
        let eq = |a: &str, b: &str| {
            if q.case_sensitive {
                a == b
            } else {
                a.eq_ignore_ascii_case(b)
            }
        };
        let mut out: Vec<&Txn> = state
            .txns
            .iter()
            .filter(|t| t.kind == kind)
            .filter(|t| {
                t.ref_number
                    .as_deref()
                    .is_some_and(|r| q.ref_numbers.iter().any(|x| eq(x, r)))
            })
            .collect();
        out.sort_by_key(|t| time_key(t));
        out
    } else {
        let off = state.clock.offset();
        let from = match q
            .from_modified
            .as_deref()
            .map(|s| (s, parse_datetime(s, off, false)))
        {
            Some((s, None)) => return Rs::new(rq, date_error("FromModifiedDate", s)),
            Some((_, t)) => t,
            None => None,
        };
        let to = match q
            .to_modified
            .as_deref()
            .map(|s| (s, parse_datetime(s, off, true)))
        {
            Some((s, None)) => return Rs::new(rq, date_error("ToModifiedDate", s)),
            Some((_, t)) => t,
            None => None,
        };
        let mut out: Vec<&Txn> = state
            .txns
            .iter()
            .filter(|t| t.kind == kind)
            .filter(|t| {
                let m = parse_stored(&t.time_modified);
                from.is_none_or(|f| m.is_some_and(|m| m >= f))
                    && to.is_none_or(|to| m.is_some_and(|m| m <= to))
            })
            .filter(|t| q.from_txn_date.is_none_or(|d| t.txn_date >= d))
            .filter(|t| q.to_txn_date.is_none_or(|d| t.txn_date <= d))
            .filter(|t| {
                q.entity.is_empty()
                    || q.entity
                        .iter()
                        .any(|e| *e == t.customer.list_id || *e == t.customer.full_name)
            })
            .collect();
        out.sort_by_key(|t| time_key(t));
        out
    };
    let ids: Vec<String> = selected.iter().map(|t| t.txn_id.clone()).collect();
    if q.iterator.as_deref() == Some("Start") {
        let iterator_id = format!("{{{}}}", uuid::Uuid::new_v4());
        let max = q.max_returned.unwrap_or(usize::MAX).max(1);
        state.iterators.insert(
            iterator_id.clone(),
            IteratorState {
                kind,
                remaining: ids,
                max_returned: max,
            },
        );
        return page(state, rq, &q, &iterator_id, max, status);
    }
    let take = q.max_returned.unwrap_or(usize::MAX);
    let body = ids
        .iter()
        .take(take)
        .filter_map(|id| state.txns.iter().find(|t| &t.txn_id == id))
        .map(|t| {
            filter_ret(
                txn_node(
                    t,
                    Include {
                        lines: q.include_line_items,
                        linked: q.include_linked_txns,
                        owner_ids: &q.owner_ids,
                    },
                ),
                &q.include_ret,
            )
        })
        .collect::<Vec<_>>();
    let status = if body.is_empty() && status.code == 0 {
        no_match()
    } else {
        status
    };
    let mut rs = Rs::new(rq, status);
    rs.body = body;
    rs
}

fn continue_iterator(state: &mut CompanyState, rq: &Element, kind: TxnKind, q: &TxnQuery) -> Rs {
    let id = q.iterator_id.clone().unwrap_or_default();
    let valid = state.iterators.get(&id).is_some_and(|it| it.kind == kind);
    if !valid {
        return Rs::new(
            rq,
            Status::error(3391, format!("The iteratorID \"{id}\" is not valid.")),
        );
    }
    if q.iterator.as_deref() == Some("Stop") {
        state.iterators.remove(&id);
        let mut rs = Rs::new(rq, Status::ok());
        rs.iterator = Some((0, id));
        return rs;
    }
    let max = q
        .max_returned
        .or_else(|| state.iterators.get(&id).map(|it| it.max_returned))
        .unwrap_or(usize::MAX)
        .max(1);
    page(state, rq, q, &id, max, Status::ok())
}

/// Return the next page of an iterator (txns deleted meanwhile are skipped).
fn page(
    state: &mut CompanyState,
    rq: &Element,
    q: &TxnQuery,
    iterator_id: &str,
    max: usize,
    status: Status,
) -> Rs {
    let (batch, remaining) = match state.iterators.get_mut(iterator_id) {
        Some(it) => {
            let n = max.min(it.remaining.len());
            let batch: Vec<String> = it.remaining.drain(..n).collect();
            (batch, it.remaining.len())
        }
        None => (Vec::new(), 0),
    };
    if remaining == 0 {
        // An exhausted iterator is gone: a further Continue gets 3391.
        state.iterators.remove(iterator_id);
    }
    let body: Vec<_> = batch
        .iter()
        .filter_map(|id| state.txns.iter().find(|t| &t.txn_id == id))
        .map(|t| {
            filter_ret(
                txn_node(
                    t,
                    Include {
                        lines: q.include_line_items,
                        linked: q.include_linked_txns,
                        owner_ids: &q.owner_ids,
                    },
                ),
                &q.include_ret,
            )
        })
        .collect();
    let status = if body.is_empty() && status.code == 0 {
        no_match()
    } else {
        status
    };
    let mut rs = Rs::new(rq, status);
    rs.iterator = Some((remaining, iterator_id.to_string()));
    rs.body = body;
    rs
}
