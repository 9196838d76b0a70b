//! The plan of one Web Connector session: which qbXML request comes next, and what each
//! response means. Pure state (it lives in the Redis session between calls), no I/O.
//!
//! Order: test-sale lookups by RefNumber, then per enabled transaction type an iterator over
//! sales modified since the watermark, then one customer query for the customers those sales
//! name. Progress is the share of finished steps plus, inside an iterator, the share of its
//! sales already received (`iteratorRemainingCount`); it never goes down and is 100 only when
//! nothing is left.

use std::collections::{BTreeSet, VecDeque};

use serde::{Deserialize, Serialize};
use shared::qbxml::request;
use shared::qbxml::response::RsMessage;
use shared::sale::{QbCustomer, Sale, TxnType};

use super::writeback::{self, WriteBackJob};

/// A stale EditSequence (3200) is re-queried and retried this many times in one session.
pub const MAX_WRITE_BACK_ATTEMPTS: u32 = 3;

/// QuickBooks statuses that say "not now" rather than "no": internal error (1000), modified or
/// in use by another user (3170, 3175, 3176), error saving (3180), request not processed
/// (3231). A write-back refused with one of these waits for the next session.
pub const TRANSIENT_STATUSES: [i32; 6] = [1000, 3170, 3175, 3176, 3180, 3231];

/// A QuickBooks edition without this transaction type (Sales Orders on QuickBooks Pro).
const NOT_IN_THIS_EDITION: i32 = 3250;
/// Customers per `CustomerQueryRq`: a first sync can name thousands, and one request for all
/// of them could outlast the Web Connector's wait for QuickBooks.
const CUSTOMER_BATCH: usize = 100;

/// Sales per iterator page.
pub const PAGE_SIZE: u32 = 100;

/// Where a write-back stands inside the session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WbPhase {
    /// Query the sale for its fresh EditSequence and lines.
    Query,
    /// Send the Mod (and then the custom field, if any).
    Mod {
        request_id: String,
        xml: String,
        data_ext: Option<String>,
        summary: Vec<String>,
    },
    /// Send the custom field change.
    DataExt {
        request_id: String,
        xml: String,
        summary: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Step {
    /// Write tracking (and cost) back onto one sale.
    WriteBack {
        job: Box<WriteBackJob>,
        phase: WbPhase,
        attempts: u32,
    },
    /// Look up these RefNumbers in each transaction type still in `types`.
    TestSales {
        refs: Vec<String>,
        types: Vec<TxnType>,
    },
    /// Iterate sales of one type modified since `from`.
    Iterate {
        txn_type: TxnType,
        from: String,
        iterator_id: Option<String>,
        received: u32,
        /// The latest `TimeModified` seen, as QuickBooks wrote it.
        max_modified: Option<String>,
    },
    /// Fetch the customers named by the sales of this session.
    Customers,
}

/// The request sent and not yet answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Awaiting {
    pub request_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    steps: VecDeque<Step>,
    total_steps: u32,
    completed_steps: u32,
    fraction: f64,
    last_percent: i32,
    next_id: u32,
    awaiting: Option<Awaiting>,
    customer_ids: BTreeSet<String>,
}

/// What the caller must do with a response.
#[derive(Debug, Default)]
pub struct Handled {
    /// Sales to store; `forced` when they are test sales.
    pub sales: Vec<Sale>,
    pub forced: bool,
    pub customers: Vec<QbCustomer>,
    /// An iterator finished: move this type's watermark to this `TimeModified`.
    pub finished_iterator: Option<(TxnType, Option<String>)>,
    /// Test-sale lookups are complete.
    pub test_sales_done: bool,
    /// The customers step is complete (time to push the session's orders).
    pub customers_done: bool,
    /// A QuickBooks error to report (the session goes on with the next step).
    pub error: Option<String>,
    /// A write-back whose change is about to be sent.
    pub write_back_sent: Option<uuid::Uuid>,
    /// A write-back QuickBooks confirmed (or found already applied), with the event text.
    pub write_back_done: Option<(WriteBackJob, String)>,
    /// A write-back QuickBooks refused, with its message.
    pub write_back_failed: Option<(WriteBackJob, String)>,
    /// A write-back QuickBooks could not apply just now (record in use, ...): it waits for the
    /// next session.
    pub write_back_deferred: Option<(WriteBackJob, String)>,
    /// The sale as QuickBooks returned it after our Mod.
    pub refreshed_sale: Option<Sale>,
}

impl Handled {
    /// Whether the response settles or advances a write-back: its record must be durable
    /// before we answer, since QuickBooks has changed.
    pub fn touches_write_back(&self) -> bool {
        self.write_back_sent.is_some()
            || self.write_back_done.is_some()
            || self.write_back_failed.is_some()
            || self.write_back_deferred.is_some()
            || self.refreshed_sale.is_some()
    }
}

impl Plan {
    pub fn new(steps: Vec<Step>) -> Plan {
        let total = steps.len() as u32;
        Plan {
            steps: steps.into(),
            total_steps: total.max(1),
            completed_steps: 0,
            fraction: 0.0,
            last_percent: 0,
            next_id: 1,
            awaiting: None,
            customer_ids: BTreeSet::new(),
        }
    }

    /// Whether anything at all is planned.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The customers the next customer query asks for: the first [`CUSTOMER_BATCH`] not yet
    /// asked, in order (so a replayed request asks for the same ones).
    fn customer_batch(&self) -> Vec<String> {
        self.customer_ids
            .iter()
            .take(CUSTOMER_BATCH)
            .cloned()
            .collect()
    }

    fn complete_step(&mut self) {
        self.steps.pop_front();
        self.completed_steps += 1;
        self.fraction = 0.0;
    }

    /// True when no request is left to send.
    pub fn is_done(&self) -> bool {
        self.steps
            .iter()
            .all(|s| matches!(s, Step::Customers) && self.customer_ids.is_empty())
    }

    pub fn awaiting(&self) -> Option<&Awaiting> {
        self.awaiting.as_ref()
    }

    /// The next qbXML request, or None when the plan is finished.
    pub fn next_request(&mut self) -> Option<String> {
        loop {
            let id = self.next_id.to_string();
            let xml = match self.steps.front_mut()? {
                Step::WriteBack { job, phase, .. } => match phase {
                    WbPhase::Query => {
                        Some(request::txn_query_by_txn_id(job.txn_type, &id, &job.txn_id))
                    }
                    WbPhase::Mod {
                        request_id, xml, ..
                    }
                    | WbPhase::DataExt {
                        request_id, xml, ..
                    } => {
                        self.next_id += 1;
                        self.awaiting = Some(Awaiting {
                            request_id: request_id.clone(),
                        });
                        return Some(xml.clone());
                    }
                },
                Step::TestSales { refs, types } => match types.first().copied() {
                    Some(t) => request::txn_query_by_ref_numbers(t, &id, refs).ok(),
                    None => None,
                },
                Step::Iterate {
                    txn_type,
                    from,
                    iterator_id,
                    ..
                } => Some(match iterator_id {
                    None => request::txn_query_iterator_start(*txn_type, &id, from, PAGE_SIZE),
                    Some(it) => {
                        request::txn_query_iterator_continue(*txn_type, &id, it, from, PAGE_SIZE)
                    }
                }),
                Step::Customers => {
                    let ids = self.customer_batch();
                    request::customer_query_by_list_ids(&id, &ids).ok()
                }
            };
            match xml {
                Some(xml) => {
                    self.next_id += 1;
                    self.awaiting = Some(Awaiting { request_id: id });
                    return Some(xml);
                }
                // Nothing to ask in this step (no refs, no customers): skip it.
                None => self.complete_step(),
            }
        }
    }

    /// Applies the response to the request in flight.
    pub fn on_response(&mut self, rs: &RsMessage) -> Handled {
        let mut out = Handled::default();
        self.awaiting = None;
        let qb_error = (rs.is_error()).then(|| {
            format!(
                "QuickBooks answered {} with status {}: {}",
                rs.kind, rs.status_code, rs.status_message
            )
        });
        let reading = matches!(
            self.steps.front(),
            Some(Step::TestSales { .. } | Step::Iterate { .. })
        );
        if reading {
            for s in &rs.sales {
                if let Some(id) = &s.customer_list_id {
                    self.customer_ids.insert(id.clone());
                }
            }
        }
        let next_id = self.next_id.to_string();
        let Some(step) = self.steps.front_mut() else {
            return out;
        };
        match step {
            Step::WriteBack {
                job,
                phase,
                attempts,
            } => {
                let finished = on_write_back(job, phase, attempts, rs, &next_id, &mut out);
                if finished {
                    self.complete_step();
                } else {
                    self.fraction = 0.5;
                }
            }
            Step::TestSales { types, .. } => {
                out.sales = rs.sales.clone();
                out.forced = true;
                if !types.is_empty() {
                    types.remove(0);
                }
                // An edition without this type simply has no such sale.
                out.error = qb_error.filter(|_| rs.status_code != NOT_IN_THIS_EDITION);
                if types.is_empty() {
                    out.test_sales_done = true;
                    self.complete_step();
                } else {
                    self.fraction = 0.5;
                }
            }
            Step::Iterate {
                txn_type,
                iterator_id,
                received,
                max_modified,
                ..
            } => {
                if rs.status_code == NOT_IN_THIS_EDITION {
                    // This edition has no such transactions (sales orders on QuickBooks Pro):
                    // nothing to read, and nothing wrong with the run.
                    self.complete_step();
                } else if let Some(e) = qb_error {
                    // Leave the watermark where it is; the next session starts over.
                    out.error = Some(e);
                    self.complete_step();
                } else {
                    out.sales = rs.sales.clone();
                    *received += rs.sales.len() as u32;
                    for s in &rs.sales {
                        if later(&s.time_modified, max_modified.as_deref()) {
                            *max_modified = Some(s.time_modified.clone());
                        }
                    }
                    let remaining = rs.iterator_remaining_count.unwrap_or(0);
                    match (&rs.iterator_id, remaining) {
                        (Some(it), r) if r > 0 => {
                            *iterator_id = Some(it.clone());
                            self.fraction = f64::from(*received) / f64::from(*received + r);
                        }
                        _ => {
                            out.finished_iterator = Some((*txn_type, max_modified.clone()));
                            self.complete_step();
                        }
                    }
                }
            }
            Step::Customers => {
                out.customers = rs.customers.clone();
                out.error = qb_error.filter(|_| !rs.is_no_match());
                for id in self.customer_batch() {
                    self.customer_ids.remove(&id);
                }
                if self.customer_ids.is_empty() {
                    out.customers_done = true;
                    self.complete_step();
                } else {
                    self.fraction = (self.fraction + 1.0) / 2.0;
                }
            }
        }
        out
    }

    /// The write-back whose request is in flight, if the current step is one.
    pub fn current_write_back(&self) -> Option<&WriteBackJob> {
        match (self.steps.front(), &self.awaiting) {
            (Some(Step::WriteBack { job, .. }), Some(_)) => Some(job),
            _ => None,
        }
    }

    /// Drops the step in flight (its response was an error the session cannot recover).
    pub fn abandon_current(&mut self) {
        self.awaiting = None;
        if !self.steps.is_empty() {
            self.complete_step();
        }
    }

    /// Percent done for the Web Connector's progress bar: monotonic, 100 only when finished.
    pub fn percent(&mut self) -> i32 {
        let p = if self.is_done() {
            100
        } else {
            let share =
                (f64::from(self.completed_steps) + self.fraction) / f64::from(self.total_steps);
            ((share * 100.0).floor() as i32).clamp(0, 99)
        };
        self.last_percent = self.last_percent.max(p);
        self.last_percent
    }
}

/// Advances a write-back by one response; true when it is finished (done or failed).
fn on_write_back(
    job: &WriteBackJob,
    phase: &mut WbPhase,
    attempts: &mut u32,
    rs: &RsMessage,
    next_id: &str,
    out: &mut Handled,
) -> bool {
    let refused = |rs: &RsMessage| {
        format!(
            "QuickBooks refused the write-back to {}: {} (status {})",
            job.sale_label(),
            rs.status_message,
            rs.status_code
        )
    };
    if rs.is_error() && TRANSIENT_STATUSES.contains(&rs.status_code) {
        out.write_back_deferred = Some((
            job.clone(),
            format!(
                "QuickBooks could not update {} just now: {} (status {}). It is tried again on the next run.",
                job.sale_label(),
                rs.status_message,
                rs.status_code
            ),
        ));
        return true;
    }
    match std::mem::replace(phase, WbPhase::Query) {
        WbPhase::Query => {
            let (Some(sale), false) = (rs.sales.first(), rs.is_error()) else {
                let why = if rs.is_error() || rs.is_no_match() {
                    refused(rs)
                } else {
                    format!("{} was not found in QuickBooks.", job.sale_label())
                };
                out.write_back_failed = Some((job.clone(), why));
                return true;
            };
            let lines = rs.line_orders.first().cloned().unwrap_or_default();
            let changes = writeback::plan(job, sale, &lines, next_id);
            if let Some(why) = changes.refused {
                out.write_back_failed = Some((job.clone(), why));
                return true;
            }
            if changes.is_empty() {
                let text = format!(
                    "Tracking already on {} in QuickBooks; nothing to change.",
                    job.sale_label()
                );
                out.write_back_done = Some((job.clone(), text));
                return true;
            }
            out.write_back_sent = Some(job.id);
            *phase = match (changes.txn_mod, changes.data_ext) {
                (Some(xml), data_ext) => WbPhase::Mod {
                    request_id: next_id.to_string(),
                    xml,
                    data_ext,
                    summary: changes.summary,
                },
                (None, Some(xml)) => WbPhase::DataExt {
                    request_id: format!("{next_id}x"),
                    xml,
                    summary: changes.summary,
                },
                (None, None) => return true,
            };
            false
        }
        WbPhase::Mod {
            request_id,
            data_ext,
            summary,
            ..
        } => {
            if rs.status_code == 3200 {
                *attempts += 1;
                if *attempts >= MAX_WRITE_BACK_ATTEMPTS {
                    // Still being edited: park it for the next run (deferral has its own limit).
                    out.write_back_deferred = Some((
                        job.clone(),
                        format!(
                            "{} kept changing in QuickBooks while tracking was written ({}). It is tried again on the next run.",
                            job.sale_label(),
                            refused(rs)
                        ),
                    ));
                    return true;
                }
                // Edited in QuickBooks meanwhile: query again and rebuild.
                return false;
            }
            if rs.is_error() {
                out.write_back_failed = Some((job.clone(), refused(rs)));
                return true;
            }
            out.refreshed_sale = rs.sales.first().cloned();
            match data_ext {
                Some(xml) => {
                    *phase = WbPhase::DataExt {
                        request_id: format!("{request_id}x"),
                        xml,
                        summary,
                    };
                    false
                }
                None => {
                    out.write_back_done = Some((job.clone(), format!("{}.", summary.join("; "))));
                    true
                }
            }
        }
        WbPhase::DataExt { summary, .. } => {
            if rs.is_error() {
                out.write_back_failed = Some((job.clone(), refused(rs)));
            } else {
                out.write_back_done = Some((job.clone(), format!("{}.", summary.join("; "))));
            }
            true
        }
    }
}

/// Whether QuickBooks time `a` is later than `b` (compared as instants when both parse).
pub fn later(a: &str, b: Option<&str>) -> bool {
    let Some(b) = b else { return true };
    match (
        chrono::DateTime::parse_from_rfc3339(a),
        chrono::DateTime::parse_from_rfc3339(b),
    ) {
        (Ok(x), Ok(y)) => x > y,
        _ => a > b,
    }
}

/// Where an iterator starts: the watermark minus `overlap_secs` (QuickBooks reads the filter in
/// the PC's local time and gets DST offsets wrong), never before the day before the sync start
/// date. `sync_from` is a UTC date and QuickBooks reads the filter in the company's own zone,
/// so the query starts a day early and `skip_reason` holds each sale against the exact instant.
pub fn iterator_start(
    watermark: Option<&str>,
    sync_from: chrono::NaiveDate,
    overlap_secs: i64,
) -> String {
    let floor = sync_from.pred_opt().unwrap_or(sync_from);
    // Midnight without an offset: QuickBooks reads it in the company's own local time.
    let from_day = floor.format("%Y-%m-%dT00:00:00").to_string();
    let Some(w) = watermark.map(str::trim) else {
        return from_day;
    };
    // The local wall time only: QuickBooks reads the filter in its own zone, and the offset
    // it wrote may be wrong by DST's hour (qbwc.md, "DST / time zones"). A `TimeModified`
    // without an offset (DATETIMETYPE allows it) is that wall time already.
    let wall = chrono::DateTime::parse_from_rfc3339(w)
        .map(|t| t.naive_local())
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(w, "%Y-%m-%dT%H:%M:%S"));
    match wall {
        Ok(t) => {
            let start = t - chrono::Duration::seconds(overlap_secs);
            if start.date() < floor {
                from_day
            } else {
                start.format("%Y-%m-%dT%H:%M:%S").to_string()
            }
        }
        Err(_) => from_day,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::qbxml::response::parse_response;

    /// An iterator step over `txn_type` from 2026-11-01, not yet started.
    fn iterate(txn_type: TxnType) -> Step {
        Step::Iterate {
            txn_type,
            from: "2026-11-01".into(),
            iterator_id: None,
            received: 0,
            max_modified: None,
        }
    }

    fn rs(xml: &str) -> RsMessage {
        parse_response(xml).expect("qbxml").responses.remove(0)
    }

    fn invoice_rs(request_id: &str, ids: &[(&str, &str)], remaining: Option<u32>) -> RsMessage {
        let rets: String = ids
            .iter()
            .map(|(id, modified)| {
                format!(
                    "<InvoiceRet><TxnID>{id}</TxnID><TimeCreated>{modified}</TimeCreated><TimeModified>{modified}</TimeModified><EditSequence>1</EditSequence><CustomerRef><ListID>C1</ListID><FullName>Acme</FullName></CustomerRef><TxnDate>2026-11-01</TxnDate><RefNumber>{id}</RefNumber></InvoiceRet>"
                )
            })
            .collect();
        let iter = remaining
            .map(|r| format!(" iteratorRemainingCount=\"{r}\" iteratorID=\"{{it-1}}\""))
            .unwrap_or_default();
        rs(&format!(
            "<?xml version=\"1.0\" ?><QBXML><QBXMLMsgsRs><InvoiceQueryRs requestID=\"{request_id}\" statusCode=\"0\" statusSeverity=\"Info\" statusMessage=\"Status OK\"{iter}>{rets}</InvoiceQueryRs></QBXMLMsgsRs></QBXML>"
        ))
    }

    #[test]
    fn iterator_pages_move_progress_monotonically_to_100() {
        let mut plan = Plan::new(vec![iterate(TxnType::Invoice), Step::Customers]);
        let first = plan.next_request().expect("start");
        assert!(first.contains("iterator=\"Start\""));
        let h = plan.on_response(&invoice_rs(
            "1",
            &[("A", "2026-11-02T10:00:00-08:00")],
            Some(3),
        ));
        assert_eq!(h.sales.len(), 1);
        assert!(h.finished_iterator.is_none());
        let p1 = plan.percent();
        assert!(p1 > 0 && p1 < 50, "{p1}");
        let cont = plan.next_request().expect("continue");
        assert!(cont.contains("iterator=\"Continue\"") && cont.contains("{it-1}"));
        let h = plan.on_response(&invoice_rs(
            "2",
            &[
                ("B", "2026-11-03T10:00:00-08:00"),
                ("C", "2026-11-02T11:00:00-08:00"),
            ],
            Some(0),
        ));
        assert_eq!(
            h.finished_iterator,
            Some((TxnType::Invoice, Some("2026-11-03T10:00:00-08:00".into())))
        );
        let p2 = plan.percent();
        assert!(p2 >= p1 && p2 < 100);
        let customers = plan.next_request().expect("customers");
        assert!(customers.contains("CustomerQueryRq") && customers.contains("C1"));
        let h = plan.on_response(&rs("<?xml version=\"1.0\" ?><QBXML><QBXMLMsgsRs><CustomerQueryRs requestID=\"3\" statusCode=\"0\" statusSeverity=\"Info\" statusMessage=\"Status OK\"><CustomerRet><ListID>C1</ListID><FullName>Acme</FullName></CustomerRet></CustomerQueryRs></QBXMLMsgsRs></QBXML>"));
        assert!(h.customers_done);
        assert_eq!(plan.percent(), 100);
        assert!(plan.next_request().is_none());
    }

    #[test]
    fn customers_are_asked_for_a_hundred_at_a_time() {
        let mut plan = Plan::new(vec![iterate(TxnType::Invoice), Step::Customers]);
        plan.next_request().expect("start");
        let ret = |i: usize| {
            format!("<InvoiceRet><TxnID>T{i}</TxnID><TimeModified>2026-11-02T10:00:00-08:00</TimeModified><EditSequence>1</EditSequence><CustomerRef><ListID>C{i:03}</ListID><FullName>N{i}</FullName></CustomerRef><TxnDate>2026-11-01</TxnDate></InvoiceRet>")
        };
        let rets: String = (0..150).map(ret).collect();
        plan.on_response(&rs(&format!("<?xml version=\"1.0\" ?><QBXML><QBXMLMsgsRs><InvoiceQueryRs requestID=\"1\" statusCode=\"0\" statusSeverity=\"Info\" statusMessage=\"Status OK\" iteratorRemainingCount=\"0\" iteratorID=\"{{it}}\">{rets}</InvoiceQueryRs></QBXMLMsgsRs></QBXML>")));
        let first = plan.next_request().expect("customers");
        assert_eq!(first.matches("<ListID>").count(), 100);
        assert!(first.contains("C000") && first.contains("C099") && !first.contains("C100"));
        let empty = "<?xml version=\"1.0\" ?><QBXML><QBXMLMsgsRs><CustomerQueryRs requestID=\"2\" statusCode=\"0\" statusSeverity=\"Info\" statusMessage=\"Status OK\" /></QBXMLMsgsRs></QBXML>";
        let h = plan.on_response(&rs(empty));
        assert!(!h.customers_done);
        let p = plan.percent();
        assert!(p > 50 && p < 100, "{p}");
        let second = plan.next_request().expect("the rest");
        assert_eq!(second.matches("<ListID>").count(), 50);
        assert!(second.contains("C100") && second.contains("C149"));
        assert!(
            plan.on_response(&rs(&empty.replace("\"2\"", "\"3\"")))
                .customers_done
        );
        assert_eq!(plan.percent(), 100);
        assert!(plan.next_request().is_none());
    }

    #[test]
    fn an_empty_plan_of_customers_is_done_at_once() {
        let mut plan = Plan::new(vec![Step::Customers]);
        assert!(plan.is_done());
        assert!(plan.next_request().is_none());
        assert_eq!(plan.percent(), 100);
    }

    #[test]
    fn an_edition_without_the_type_ends_its_iterator_without_an_error() {
        let mut plan = Plan::new(vec![iterate(TxnType::SalesOrder)]);
        plan.next_request().expect("start");
        let h = plan.on_response(&rs("<?xml version=\"1.0\" ?><QBXML><QBXMLMsgsRs><SalesOrderQueryRs requestID=\"1\" statusCode=\"3250\" statusSeverity=\"Error\" statusMessage=\"This feature is not enabled or not available in this version of QuickBooks.\" /></QBXMLMsgsRs></QBXML>"));
        assert!(h.error.is_none(), "{:?}", h.error);
        assert!(h.finished_iterator.is_none());
        assert_eq!(plan.percent(), 100);
    }

    #[test]
    fn a_qb_error_in_an_iterator_keeps_the_watermark() {
        let mut plan = Plan::new(vec![iterate(TxnType::Invoice)]);
        plan.next_request().expect("start");
        let h = plan.on_response(&rs("<?xml version=\"1.0\" ?><QBXML><QBXMLMsgsRs><InvoiceQueryRs requestID=\"1\" statusCode=\"3120\" statusSeverity=\"Error\" statusMessage=\"Object not found\" /></QBXMLMsgsRs></QBXML>"));
        assert!(h.finished_iterator.is_none());
        assert!(h.error.expect("error").contains("3120"));
        assert_eq!(plan.percent(), 100);
    }

    #[test]
    fn iterator_start_subtracts_the_overlap_but_not_past_the_day_before_sync_from() {
        let from = chrono::NaiveDate::from_ymd_opt(2026, 11, 2).expect("date");
        assert_eq!(iterator_start(None, from, 600), "2026-11-01T00:00:00");
        assert_eq!(
            iterator_start(Some("2026-11-20T10:15:00-08:00"), from, 600),
            "2026-11-20T10:05:00"
        );
        assert_eq!(
            iterator_start(Some("2026-11-01T00:05:00-08:00"), from, 600),
            "2026-11-01T00:00:00"
        );
        // Without an offset the watermark is still used, not the sync start.
        assert_eq!(
            iterator_start(Some("2026-11-20T10:15:00"), from, 600),
            "2026-11-20T10:05:00"
        );
        assert_eq!(
            iterator_start(Some("garbage"), from, 600),
            "2026-11-01T00:00:00"
        );
    }

    #[test]
    fn later_compares_instants() {
        assert!(later(
            "2026-11-03T10:00:00-08:00",
            Some("2026-11-03T17:59:00+00:00")
        ));
        assert!(!later(
            "2026-11-03T09:00:00-08:00",
            Some("2026-11-03T17:59:00+00:00")
        ));
        assert!(later("x", None));
    }
}
