//! Write-back requests: `InvoiceMod` / `SalesReceiptMod` / `SalesOrderMod` (header fields, one
//! added line, the amount of an existing line, lines deleted) and `DataExtMod` / `DataExtAdd`
//! (custom fields).
//!
//! QuickBooks deletes every existing line a line-touching Mod does not list, so [`txn_mod`]
//! re-lists all of them by `TxnLineID`, in QuickBooks' order, before the new `-1` line. The
//! header elements follow each aggregate's own XSD order (`FOB` comes before `ShipDate` in
//! `InvoiceMod`/`SalesOrderMod` but after `ShipMethodRef` in `SalesReceiptMod`).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{leaf, message_set};
use crate::qbxml::text::{escape, latin1_truncated, qb_text};
use crate::sale::TxnType;

/// QuickBooks field limits (characters).
const MAX_OTHER: usize = 29;
const MAX_FOB: usize = 13;
/// `Memo` of a sale (public: a write-back checks the tracking fits before sending it).
pub const MAX_MEMO: usize = 4095;
const MAX_DESC: usize = 4095;
const MAX_DATA_EXT_VALUE: usize = 255;

/// An existing top-level entry of a transaction, as QuickBooks listed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExistingLine {
    /// A `*LineRet` (its `TxnLineID`).
    Line { txn_line_id: String },
    /// A `*LineGroupRet` (its `TxnLineID` and those of the lines inside it).
    Group {
        txn_line_id: String,
        line_ids: Vec<String>,
    },
}

/// The line to add (`TxnLineID` `-1`), e.g. a shipping charge.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewLine {
    /// `ItemRef/FullName` of an existing item (e.g. an Other Charge item "Shipping").
    pub item_full_name: String,
    /// `Desc` (Latin-1 safe, cut to 4095 characters).
    pub description: Option<String>,
    /// `Quantity`.
    pub quantity: Option<Decimal>,
    /// `Rate` (per unit).
    pub rate: Option<Decimal>,
    /// `Amount`.
    pub amount: Option<Decimal>,
    /// `SalesTaxCodeRef/FullName` (e.g. `Non`).
    pub sales_tax_code: Option<String>,
}

/// What to change on one transaction. `None` fields are left out (QuickBooks keeps them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxnModParams<'a> {
    /// Which aggregate: `InvoiceMod`, `SalesReceiptMod` or `SalesOrderMod`.
    pub txn_type: TxnType,
    /// Echoed as the `requestID` of the `*ModRs`.
    pub request_id: &'a str,
    /// `TxnID`.
    pub txn_id: &'a str,
    /// The current `EditSequence` (stale → statusCode 3200).
    pub edit_sequence: &'a str,
    /// Every existing top-level line and group, in QuickBooks' order (see
    /// `RsMessage::line_orders`). Only used when the Mod touches lines (`new_line`,
    /// `line_amounts` or `drop_lines`).
    pub existing_lines: &'a [ExistingLine],
    /// The line to add; with no line changes at all the Mod is header-only and leaves the
    /// lines untouched.
    pub new_line: Option<&'a NewLine>,
    /// Existing top-level lines (by `TxnLineID`) whose `Amount` changes.
    pub line_amounts: &'a [(String, Decimal)],
    /// Existing top-level lines (by `TxnLineID`) to delete: they are left out of the list.
    pub drop_lines: &'a [String],
    /// `ShipDate`.
    pub ship_date: Option<NaiveDate>,
    /// `ShipMethodRef/FullName`: must exist in the Ship Via list.
    pub ship_method: Option<&'a str>,
    /// `FOB` (cut to 13 characters).
    pub fob: Option<&'a str>,
    /// `Memo` (cut to 4095 characters).
    pub memo: Option<&'a str>,
    /// `Other` (cut to 29 characters).
    pub other: Option<&'a str>,
}

impl<'a> TxnModParams<'a> {
    /// Params that change nothing yet; set the fields you need.
    pub fn new(
        txn_type: TxnType,
        request_id: &'a str,
        txn_id: &'a str,
        edit_sequence: &'a str,
    ) -> Self {
        TxnModParams {
            txn_type,
            request_id,
            txn_id,
            edit_sequence,
            existing_lines: &[],
            new_line: None,
            line_amounts: &[],
            drop_lines: &[],
            ship_date: None,
            ship_method: None,
            fob: None,
            memo: None,
            other: None,
        }
    }
}

fn full_name_ref(out: &mut String, indent: usize, name: &str, full_name: &str) {
    let pad = "  ".repeat(indent);
    out.push_str(&format!(
        "{pad}<{name}>\n{pad}  <FullName>{}</FullName>\n{pad}</{name}>\n",
        qb_text(full_name)
    ));
}

fn cut_leaf(out: &mut String, indent: usize, name: &str, value: &str, max: usize) {
    out.push_str(&"  ".repeat(indent));
    out.push_str(&format!(
        "<{name}>{}</{name}>\n",
        escape(&latin1_truncated(value, max))
    ));
}

/// `FOB`, `ShipDate`, `ShipMethodRef` in the order the aggregate's XSD sequence wants.
fn shipping_fields(out: &mut String, p: &TxnModParams<'_>) {
    let fob = |out: &mut String| {
        if let Some(fob) = p.fob {
            cut_leaf(out, 2, "FOB", fob, MAX_FOB);
        }
    };
    let fob_first = p.txn_type != TxnType::SalesReceipt;
    if fob_first {
        fob(out);
    }
    if let Some(date) = p.ship_date {
        leaf(out, 2, "ShipDate", &date.format("%Y-%m-%d").to_string());
    }
    if let Some(method) = p.ship_method {
        full_name_ref(out, 2, "ShipMethodRef", method);
    }
    if !fob_first {
        fob(out);
    }
}

fn new_line_mod(out: &mut String, line_mod: &str, line: &NewLine) {
    out.push_str(&format!("    <{line_mod}>\n"));
    leaf(out, 3, "TxnLineID", "-1");
    full_name_ref(out, 3, "ItemRef", &line.item_full_name);
    if let Some(desc) = &line.description {
        cut_leaf(out, 3, "Desc", desc, MAX_DESC);
    }
    if let Some(q) = line.quantity {
        leaf(out, 3, "Quantity", &q.normalize().to_string());
    }
    if let Some(rate) = line.rate {
        leaf(out, 3, "Rate", &rate.round_dp(5).to_string());
    }
    if let Some(amount) = line.amount {
        leaf(out, 3, "Amount", &format!("{:.2}", amount.round_dp(2)));
    }
    if let Some(code) = &line.sales_tax_code {
        full_name_ref(out, 3, "SalesTaxCodeRef", code);
    }
    out.push_str(&format!("    </{line_mod}>\n"));
}

/// A complete `*ModRq` document for one transaction; asks back only `TxnID`, `EditSequence`
/// and `TimeModified`.
pub fn txn_mod(p: &TxnModParams<'_>) -> String {
    let stem = p.txn_type.qbxml_name();
    let line_mod = format!("{stem}LineMod");
    let group_mod = format!("{stem}LineGroupMod");
    let mut rq = format!(
        "<{stem}ModRq requestID=\"{}\">\n  <{stem}Mod>\n",
        escape(p.request_id)
    );
    leaf(&mut rq, 2, "TxnID", p.txn_id);
    leaf(&mut rq, 2, "EditSequence", p.edit_sequence);
    shipping_fields(&mut rq, p);
    if let Some(memo) = p.memo {
        cut_leaf(&mut rq, 2, "Memo", memo, MAX_MEMO);
    }
    if let Some(other) = p.other {
        cut_leaf(&mut rq, 2, "Other", other, MAX_OTHER);
    }
    let touches_lines =
        p.new_line.is_some() || !p.line_amounts.is_empty() || !p.drop_lines.is_empty();
    if touches_lines {
        for existing in p.existing_lines {
            match existing {
                ExistingLine::Line { txn_line_id } if p.drop_lines.contains(txn_line_id) => {}
                ExistingLine::Line { txn_line_id } => {
                    rq.push_str(&format!("    <{line_mod}>\n"));
                    leaf(&mut rq, 3, "TxnLineID", txn_line_id);
                    if let Some((_, amount)) =
                        p.line_amounts.iter().find(|(id, _)| id == txn_line_id)
                    {
                        leaf(&mut rq, 3, "Amount", &format!("{:.2}", amount.round_dp(2)));
                    }
                    rq.push_str(&format!("    </{line_mod}>\n"));
                }
                ExistingLine::Group {
                    txn_line_id,
                    line_ids,
                } => {
                    rq.push_str(&format!("    <{group_mod}>\n"));
                    leaf(&mut rq, 3, "TxnLineID", txn_line_id);
                    for id in line_ids {
                        rq.push_str(&format!("      <{line_mod}>\n"));
                        leaf(&mut rq, 4, "TxnLineID", id);
                        rq.push_str(&format!("      </{line_mod}>\n"));
                    }
                    rq.push_str(&format!("    </{group_mod}>\n"));
                }
            }
        }
        if let Some(new_line) = p.new_line {
            new_line_mod(&mut rq, &line_mod, new_line);
        }
    }
    rq.push_str(&format!("  </{stem}Mod>\n"));
    for ret in ["TxnID", "EditSequence", "TimeModified"] {
        leaf(&mut rq, 1, "IncludeRetElement", ret);
    }
    rq.push_str(&format!("</{stem}ModRq>\n"));
    message_set(&[rq])
}

/// A `DataExt{Add,Mod,Del}Rq` on a transaction; a delete carries no value.
fn data_ext(
    verb: &str,
    request_id: &str,
    txn_type: TxnType,
    txn_id: &str,
    owner_id: &str,
    name: &str,
    value: Option<&str>,
) -> String {
    let mut rq = format!(
        "<DataExt{verb}Rq requestID=\"{}\">\n  <DataExt{verb}>\n",
        escape(request_id)
    );
    leaf(&mut rq, 2, "OwnerID", owner_id);
    leaf(&mut rq, 2, "DataExtName", name);
    leaf(&mut rq, 2, "TxnDataExtType", txn_type.qbxml_name());
    leaf(&mut rq, 2, "TxnID", txn_id);
    if let Some(value) = value {
        cut_leaf(&mut rq, 2, "DataExtValue", value, MAX_DATA_EXT_VALUE);
    }
    rq.push_str(&format!("  </DataExt{verb}>\n</DataExt{verb}Rq>\n"));
    message_set(&[rq])
}

/// `DataExtModRq` setting custom field `name` (owner `"0"` = public custom field) on a
/// transaction that already has a value for it (else use [`data_ext_add`]).
pub fn data_ext_mod(
    request_id: &str,
    txn_type: TxnType,
    txn_id: &str,
    owner_id: &str,
    name: &str,
    value: &str,
) -> String {
    data_ext(
        "Mod",
        request_id,
        txn_type,
        txn_id,
        owner_id,
        name,
        Some(value),
    )
}

/// `DataExtAddRq`: first value of custom field `name` on a transaction (3180 if one exists).
pub fn data_ext_add(
    request_id: &str,
    txn_type: TxnType,
    txn_id: &str,
    owner_id: &str,
    name: &str,
    value: &str,
) -> String {
    data_ext(
        "Add",
        request_id,
        txn_type,
        txn_id,
        owner_id,
        name,
        Some(value),
    )
}

/// `DataExtDelRq`: removes the value of custom field `name` from a transaction (QuickBooks
/// has no empty value to set it to).
pub fn data_ext_del(
    request_id: &str,
    txn_type: TxnType,
    txn_id: &str,
    owner_id: &str,
    name: &str,
) -> String {
    data_ext("Del", request_id, txn_type, txn_id, owner_id, name, None)
}

#[cfg(test)]
#[path = "txn_mod_tests.rs"]
mod tests;
