//! `InvoiceModRq` / `SalesReceiptModRq` / `SalesOrderModRq`: strict element order, stale
//! `EditSequence` (3200), and the line rule: once any line Mod is given, existing lines not
//! listed by `TxnLineID` are deleted and `TxnLineID` `-1` adds a line.

use chrono::NaiveDate;

use super::lines::{apply_lines, LineModEntry};
use super::model::{Address, ListRef, Txn, TxnKind};
use super::process::{Rs, Status};
use super::render::{filter_ret, txn_node, Include};
use super::schema::{self, check_order, Invalid, RefIn, Slot};
use super::state::CompanyState;
use super::xml::Element;

/// A parsed `*Mod` aggregate plus the Rq's `IncludeRetElement`s.
#[derive(Debug, Clone, Default)]
pub struct TxnMod {
    pub txn_id: String,
    pub edit_sequence: String,
    pub customer: Option<RefIn>,
    pub class: Option<RefIn>,
    pub txn_date: Option<NaiveDate>,
    pub ref_number: Option<String>,
    pub bill_address: Option<Address>,
    pub ship_address: Option<Address>,
    pub is_pending: Option<bool>,
    pub po_number: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub fob: Option<String>,
    pub ship_date: Option<NaiveDate>,
    pub ship_method: Option<RefIn>,
    pub memo: Option<String>,
    pub other: Option<String>,
    /// `None` when no line Mod was given (lines untouched).
    pub lines: Option<Vec<LineModEntry>>,
    pub include_ret: Vec<String>,
}

fn header_seq(kind: TxnKind) -> Vec<Slot> {
    let lines: &'static str = match kind {
        TxnKind::Invoice => "InvoiceLineMod|InvoiceLineGroupMod",
        TxnKind::SalesReceipt => "SalesReceiptLineMod|SalesReceiptLineGroupMod",
        TxnKind::SalesOrder => "SalesOrderLineMod|SalesOrderLineGroupMod",
    };
    let names: &[&'static str] = match kind {
        TxnKind::Invoice => &[
            "TxnID",
            "EditSequence",
            "CustomerRef",
            "ClassRef",
            "ARAccountRef",
            "TemplateRef",
            "TxnDate",
            "RefNumber",
            "BillAddress",
            "ShipAddress",
            "IsPending",
            "PONumber",
            "TermsRef",
            "DueDate",
            "SalesRepRef",
            "FOB",
            "ShipDate",
            "ShipMethodRef",
            "ItemSalesTaxRef",
            "Memo",
            "CustomerMsgRef",
            "IsToBePrinted",
            "IsToBeEmailed",
            "IsTaxIncluded",
            "CustomerSalesTaxCodeRef",
            "Other",
            "ExchangeRate",
        ],
        TxnKind::SalesReceipt => &[
            "TxnID",
            "EditSequence",
            "CustomerRef",
            "ClassRef",
            "TemplateRef",
            "TxnDate",
            "RefNumber",
            "BillAddress",
            "ShipAddress",
            "IsPending",
            "CheckNumber",
            "PaymentMethodRef",
            "DueDate",
            "SalesRepRef",
            "ShipDate",
            "ShipMethodRef",
            "FOB",
            "ItemSalesTaxRef",
            "Memo",
            "CustomerMsgRef",
            "IsToBePrinted",
            "IsToBeEmailed",
            "IsTaxIncluded",
            "CustomerSalesTaxCodeRef",
            "DepositToAccountRef",
            "Other",
            "ExchangeRate",
        ],
        TxnKind::SalesOrder => &[
            "TxnID",
            "EditSequence",
            "CustomerRef",
            "ClassRef",
            "TemplateRef",
            "TxnDate",
            "RefNumber",
            "BillAddress",
            "ShipAddress",
            "PONumber",
            "TermsRef",
            "DueDate",
            "SalesRepRef",
            "FOB",
            "ShipDate",
            "ShipMethodRef",
            "ItemSalesTaxRef",
            "IsManuallyClosed",
            "Memo",
            "CustomerMsgRef",
            "IsToBePrinted",
            "IsToBeEmailed",
            "IsTaxIncluded",
            "CustomerSalesTaxCodeRef",
            "Other",
            "ExchangeRate",
        ],
    };
    let mut seq: Vec<Slot> = names.iter().map(|n| (*n, false)).collect();
    if kind == TxnKind::Invoice {
        seq.push(("SetCredit", true));
    }
    seq.push((lines, true));
    seq
}

impl TxnMod {
    /// Validate and read a `*ModRq`.
    pub fn parse(kind: TxnKind, rq: &Element) -> Result<TxnMod, Invalid> {
        let mod_name = format!("{}Mod", kind.stem());
        let first = rq.children.first().filter(|c| c.name == mod_name);
        let m =
            first.ok_or_else(|| Invalid(format!("<{}> must start with <{mod_name}>", rq.name)))?;
        for extra in &rq.children[1..] {
            if extra.name != "IncludeRetElement" {
                return Err(Invalid(format!(
                    "<{}> not allowed in <{}>",
                    extra.name, rq.name
                )));
            }
        }
        check_order(m, &header_seq(kind))?;
        let text = |n: &str| m.child_text(n).map(str::to_string);
        let lines = super::lines::parse_lines(kind, m)?;
        Ok(TxnMod {
            txn_id: schema::required(m, "TxnID")?.to_string(),
            edit_sequence: schema::required(m, "EditSequence")?.to_string(),
            customer: schema::reference(m, "CustomerRef")?,
            class: schema::reference(m, "ClassRef")?,
            txn_date: schema::date(m, "TxnDate")?,
            ref_number: text("RefNumber"),
            bill_address: schema::address(m, "BillAddress")?,
            ship_address: schema::address(m, "ShipAddress")?,
            is_pending: schema::boolean(m, "IsPending")?,
            po_number: text("PONumber"),
            due_date: schema::date(m, "DueDate")?,
            fob: text("FOB"),
            ship_date: schema::date(m, "ShipDate")?,
            ship_method: schema::reference(m, "ShipMethodRef")?,
            memo: text("Memo"),
            other: text("Other"),
            lines,
            include_ret: rq
                .children_named("IncludeRetElement")
                .map(|c| c.text.clone())
                .collect(),
        })
    }
}

/// `3070`: a string longer than the field allows.
pub fn too_long(field: &str, value: &str) -> Status {
    Status::error(
        3070,
        format!("The string \"{value}\" in the field \"{field}\" is too long."),
    )
}

/// `3140`: a reference to a list object that does not exist.
pub fn bad_ref(list: &str, r: &RefIn, kind: TxnKind) -> Status {
    Status::error(
        3140,
        format!(
            "There is an invalid reference to QuickBooks {list} \"{}\" in the {}. QuickBooks error message: Invalid argument.  The specified record does not exist in the list.",
            r.display(),
            kind.stem()
        ),
    )
}

/// Check a text field's maximum length.
pub fn check_len(field: &str, value: &Option<String>, max: usize) -> Result<(), Status> {
    match value {
        Some(v) if v.chars().count() > max => Err(too_long(field, v)),
        _ => Ok(()),
    }
}

/// Resolve a reference against a list.
pub fn resolve(list: &[ListRef], r: &RefIn) -> Option<ListRef> {
    list.iter()
        .find(|x| match (&r.list_id, &r.full_name) {
            (Some(id), _) => &x.list_id == id,
            (None, Some(name)) => x.full_name.eq_ignore_ascii_case(name),
            (None, None) => false,
        })
        .cloned()
}

fn apply_header(state: &CompanyState, t: &mut Txn, m: &TxnMod) -> Result<(), Status> {
    check_len("RefNumber", &m.ref_number, 11)?;
    check_len("PONumber", &m.po_number, 25)?;
    check_len("FOB", &m.fob, 13)?;
    check_len("Memo", &m.memo, 4095)?;
    check_len("Other", &m.other, 29)?;
    if let Some(r) = &m.customer {
        let customers: Vec<ListRef> = state
            .customers
            .iter()
            .map(|c| ListRef {
                list_id: c.list_id.clone(),
                full_name: c.full_name.clone(),
            })
            .collect();
        t.customer = resolve(&customers, r).ok_or_else(|| bad_ref("Customer", r, t.kind))?;
    }
    if let Some(r) = &m.class {
        t.class = Some(resolve(&state.classes, r).ok_or_else(|| bad_ref("Class", r, t.kind))?);
    }
    if let Some(r) = &m.ship_method {
        let sm =
            resolve(&state.ship_methods, r).ok_or_else(|| bad_ref("Ship Method", r, t.kind))?;
        t.ship_method = Some(sm);
    }
    let set = |dst: &mut Option<String>, v: &Option<String>| {
        if v.is_some() {
            dst.clone_from(v);
        }
    };
    set(&mut t.ref_number, &m.ref_number);
    set(&mut t.po_number, &m.po_number);
    set(&mut t.fob, &m.fob);
    set(&mut t.memo, &m.memo);
    set(&mut t.other, &m.other);
    if let Some(d) = m.txn_date {
        t.txn_date = d;
    }
    if m.due_date.is_some() {
        t.due_date = m.due_date;
    }
    if m.ship_date.is_some() {
        t.ship_date = m.ship_date;
    }
    if m.is_pending.is_some() {
        t.is_pending = m.is_pending;
    }
    if m.bill_address.is_some() {
        t.bill_address.clone_from(&m.bill_address);
    }
    if m.ship_address.is_some() {
        t.ship_address.clone_from(&m.ship_address);
    }
    Ok(())
}

/// Run a transaction Mod.
pub fn run_mod(state: &mut CompanyState, rq: &Element, m: TxnMod) -> Rs {
    let kind = match TxnKind::from_stem(rq.name.trim_end_matches("ModRq")) {
        Some(k) => k,
        None => return Rs::new(rq, Status::error(1000, "unknown Mod")),
    };
    let Some(idx) = state
        .txns
        .iter()
        .position(|t| t.kind == kind && t.txn_id == m.txn_id)
    else {
        return Rs::new(rq, Status::not_found(&m.txn_id));
    };
    if state.txns[idx].edit_sequence != m.edit_sequence {
        return Rs::new(
            rq,
            Status::error(
                3200,
                format!(
                    "The provided edit sequence \"{}\" is out-of-date. ",
                    m.edit_sequence
                ),
            ),
        );
    }
    let mut t = state.txns[idx].clone();
    if let Err(s) = apply_header(state, &mut t, &m) {
        return Rs::new(rq, s);
    }
    if let Some(lines) = &m.lines {
        match apply_lines(state, &t, lines) {
            Ok(new_lines) => t.lines = new_lines,
            Err(s) => return Rs::new(rq, s),
        }
    }
    state.txns[idx] = t;
    state.touch(idx);
    let node = txn_node(
        &state.txns[idx],
        Include {
            lines: true,
            ..Include::default()
        },
    );
    let mut rs = Rs::new(rq, Status::ok());
    rs.body = vec![filter_ret(node, &m.include_ret)];
    rs
}
