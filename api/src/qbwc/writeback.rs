//! What a write-back changes on a QuickBooks sale, worked out from the sale as QuickBooks just
//! returned it: tracking numbers into the memo, `Other` or a custom field, the ship date, and
//! the label cost as a line of the shipping item. Nothing else on the sale is touched, and a
//! change already present is not made again.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use shared::ids::OrderId;
use shared::qbxml::request::{
    data_ext_add, data_ext_del, data_ext_mod, txn_mod, ExistingLine, NewLine, TxnModParams,
    MAX_MEMO,
};
use shared::qbxml::text::latin1_safe;
use shared::sale::{Sale, SaleLine, TxnType};
use shared::settings::TrackingField;
use uuid::Uuid;

/// QuickBooks' `Other` field holds 29 characters.
const MAX_OTHER: usize = 29;
/// A custom field's value holds 255 characters.
const MAX_DATA_EXT_VALUE: usize = 255;
/// Public custom fields (DataExt owner 0).
const PUBLIC_OWNER: &str = "0";

/// One write-back as the session carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WriteBackJob {
    pub id: Uuid,
    pub order_id: OrderId,
    pub txn_type: TxnType,
    pub txn_id: String,
    pub ref_number: Option<String>,
    pub add_tracking: Vec<String>,
    pub remove_tracking: Vec<String>,
    pub ship_date: Option<NaiveDate>,
    pub shipping_cost: Option<Decimal>,
    /// `memo`, `other` or `custom:<name>`.
    pub tracking_field: String,
    pub shipping_item_name: String,
}

/// The requests a write-back needs (none when everything is already there).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes {
    pub txn_mod: Option<String>,
    pub data_ext: Option<String>,
    /// What will be true once applied, for the order's events.
    pub summary: Vec<String>,
    /// Why the write-back cannot be made as asked (nothing is sent).
    pub refused: Option<String>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.txn_mod.is_none() && self.data_ext.is_none() && self.refused.is_none()
    }

    fn refused(why: String) -> Changes {
        Changes {
            refused: Some(why),
            ..Changes::default()
        }
    }
}

impl WriteBackJob {
    pub fn sale_label(&self) -> String {
        match &self.ref_number {
            Some(r) => format!("{} {r}", self.txn_type.label()),
            None => self.txn_type.label().to_string(),
        }
    }
}

/// `text` with `remove` taken out of its `Tracking: a, b` segment (the one this code writes;
/// the user's own words are never edited) and the missing `add` numbers appended to it.
/// None when nothing changes.
pub fn with_tracking(text: &str, add: &[String], remove: &[String]) -> Option<String> {
    const LABEL: &str = "Tracking:";
    let (head, mut numbers, tail) = match text.rfind(LABEL) {
        Some(at) => {
            let rest = &text[at + LABEL.len()..];
            let end = rest.find(" | ").unwrap_or(rest.len());
            let numbers: Vec<String> = rest[..end]
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned)
                .collect();
            (&text[..at], numbers, &rest[end..])
        }
        None => (text, Vec::new(), ""),
    };
    numbers.retain(|n| !remove.contains(n));
    for a in add.iter().filter(|a| !a.is_empty()) {
        // A number already in the text (typed by the user, say) is not added again.
        if !numbers.contains(a) && !head.contains(a.as_str()) && !tail.contains(a.as_str()) {
            numbers.push(a.clone());
        }
    }
    let head = head.trim_end().trim_end_matches('|').trim_end();
    let tail = tail.trim_start().trim_start_matches('|').trim_start();
    let segment = if numbers.is_empty() {
        String::new()
    } else {
        format!("{LABEL} {}", numbers.join(", "))
    };
    let out = [head, segment.as_str(), tail]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" | ");
    (out != text).then_some(out)
}

/// The tracking numbers, joined, within `max` characters (whole numbers only).
fn joined_within(numbers: &[String], max: usize) -> String {
    let mut out = String::new();
    for n in numbers {
        let next = if out.is_empty() {
            n.clone()
        } else {
            format!("{out}, {n}")
        };
        if next.chars().count() > max {
            break;
        }
        out = next;
    }
    out
}

/// Works out the requests for `job` against `sale` (fresh from QuickBooks) whose top-level
/// lines are `lines`, with request ids `{request_id}` and `{request_id}x`.
pub fn plan(job: &WriteBackJob, sale: &Sale, lines: &[ExistingLine], request_id: &str) -> Changes {
    let mut changes = Changes::default();
    let label = job.sale_label();
    let field = TrackingField::parse(&job.tracking_field).unwrap_or(TrackingField::Memo);

    let mut memo = None;
    let mut other = None;
    match &field {
        TrackingField::Memo => {
            memo = with_tracking(
                sale.memo.as_deref().unwrap_or(""),
                &job.add_tracking,
                &job.remove_tracking,
            );
            // QuickBooks would cut a longer memo, and the cut would take the tracking
            // numbers just appended: refuse plainly instead of reporting them written.
            if memo
                .as_deref()
                .is_some_and(|m| latin1_safe(m).chars().count() > MAX_MEMO)
            {
                return Changes::refused(format!(
                    "The memo of {label} is full ({MAX_MEMO} characters), so tracking {} cannot be added to it. Shorten the memo, or choose the Other field or a custom field for tracking in the sync settings.",
                    job.add_tracking.join(", ")
                ));
            }
            if memo.is_some() {
                changes.summary.push(tracking_summary(job, &label, "memo"));
            }
        }
        TrackingField::Other => {
            let value = joined_within(&job.add_tracking, MAX_OTHER);
            // A first number longer than the field would clear it: leave the user's value.
            let fits = !value.is_empty() || job.add_tracking.iter().all(|t| t.is_empty());
            if fits && sale.other.as_deref().unwrap_or("") != value {
                other = Some(value);
                changes
                    .summary
                    .push(tracking_summary(job, &label, "Other field"));
            }
        }
        TrackingField::Custom(name) => {
            // Whole numbers only: a custom field holds 255 characters.
            let value = joined_within(&job.add_tracking, MAX_DATA_EXT_VALUE);
            let current = sale
                .data_ext
                .iter()
                .find(|d| d.name.eq_ignore_ascii_case(name));
            let now = current.map(|d| d.value.as_str()).unwrap_or("");
            // No value at all and none to write (every label voided) is already right.
            if now != value {
                let id = format!("{request_id}x");
                let (txn_type, txn_id) = (job.txn_type, job.txn_id.as_str());
                changes.data_ext = Some(match current {
                    // QuickBooks has no empty custom-field value: clearing is a delete.
                    Some(_) if value.is_empty() => {
                        data_ext_del(&id, txn_type, txn_id, PUBLIC_OWNER, name)
                    }
                    Some(_) => data_ext_mod(&id, txn_type, txn_id, PUBLIC_OWNER, name, &value),
                    None => data_ext_add(&id, txn_type, txn_id, PUBLIC_OWNER, name, &value),
                });
                changes.summary.push(tracking_summary(
                    job,
                    &label,
                    &format!("custom field \"{name}\""),
                ));
            }
        }
    }

    let ship_date = job.ship_date.filter(|d| sale.ship_date != Some(*d));
    let cost = job
        .shipping_cost
        .map(|cost| cost_change(sale, lines, &job.shipping_item_name, cost))
        .unwrap_or_default();
    if let Some(line) = &cost.new_line {
        changes.summary.push(format!(
            "Shipping cost {} added to {label} as a \"{}\" line",
            line.amount.unwrap_or_default(),
            job.shipping_item_name
        ));
    }
    if let Some((_, amount)) = cost.amounts.first() {
        changes.summary.push(format!(
            "Shipping cost on {label} changed to {amount} (the \"{}\" line Quayside added)",
            job.shipping_item_name
        ));
    } else if !cost.drop.is_empty() {
        changes.summary.push(format!(
            "Shipping cost line removed from {label}: every label was voided"
        ));
    }
    // A ship date alone is not worth a Mod; it rides along with the other changes.
    if memo.is_some() || other.is_some() || cost.touches_lines() {
        let mut p = TxnModParams::new(job.txn_type, request_id, &job.txn_id, &sale.edit_sequence);
        p.memo = memo.as_deref();
        p.other = other.as_deref();
        p.ship_date = ship_date;
        p.new_line = cost.new_line.as_ref();
        p.line_amounts = &cost.amounts;
        p.drop_lines = &cost.drop;
        p.existing_lines = lines;
        changes.txn_mod = Some(txn_mod(&p));
    }
    changes
}

/// The description of the shipping-cost line Quayside adds; it marks the line as ours, so a
/// later change of the cost (another label, a void) changes that line instead of adding one.
const COST_LINE_DESC: &str = "Shipping label cost";

/// How the sale's lines change so that its shipping cost is `cost`.
#[derive(Debug, Default)]
struct CostChange {
    new_line: Option<NewLine>,
    amounts: Vec<(String, Decimal)>,
    drop: Vec<String>,
}

impl CostChange {
    fn touches_lines(&self) -> bool {
        self.new_line.is_some() || !self.amounts.is_empty() || !self.drop.is_empty()
    }
}

/// * No line of ours yet: add one, unless the cost is zero or a line of the shipping item
///   already carries exactly that amount (the user charged it by hand).
/// * Ours already says `cost`: nothing.
/// * Otherwise ours takes the new amount, or is deleted when the cost went to zero (every
///   label voided); any further lines of ours (written twice before) are deleted.
///
/// Only top-level lines are ours; the user's lines, shipping item or not, are never changed.
fn cost_change(sale: &Sale, lines: &[ExistingLine], item: &str, cost: Decimal) -> CostChange {
    let listed = |id: &str| {
        lines
            .iter()
            .any(|l| matches!(l, ExistingLine::Line { txn_line_id } if txn_line_id == id))
    };
    let ours: Vec<&SaleLine> = sale
        .lines
        .iter()
        .filter(|l| {
            l.item_full_name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(item))
                && l.description.as_deref() == Some(COST_LINE_DESC)
                && listed(&l.txn_line_id)
        })
        .collect();
    let mut change = CostChange::default();
    let Some((first, rest)) = ours.split_first() else {
        if !cost.is_zero() && !has_cost_line(sale, item, cost) {
            change.new_line = Some(NewLine {
                item_full_name: item.to_string(),
                description: Some(COST_LINE_DESC.into()),
                amount: Some(cost),
                ..NewLine::default()
            });
        }
        return change;
    };
    change.drop = rest.iter().map(|l| l.txn_line_id.clone()).collect();
    // A Mod that lists no line at all would leave every line as it is: keep ours at zero.
    let only_ours = lines.len() == ours.len();
    if cost.is_zero() && !only_ours {
        change.drop.push(first.txn_line_id.clone());
    } else if first.amount != Some(cost) {
        change.amounts.push((first.txn_line_id.clone(), cost));
    }
    change
}

fn tracking_summary(job: &WriteBackJob, label: &str, place: &str) -> String {
    let mut parts = Vec::new();
    if !job.add_tracking.is_empty() {
        parts.push(format!(
            "Tracking {} written to {label} {place}",
            job.add_tracking.join(", ")
        ));
    }
    if !job.remove_tracking.is_empty() {
        parts.push(format!(
            "voided tracking {} removed from {label} {place}",
            job.remove_tracking.join(", ")
        ));
    }
    parts.join("; ")
}

fn has_cost_line(sale: &Sale, item: &str, cost: Decimal) -> bool {
    sale.lines
        .iter()
        .chain(sale.line_groups.iter().flat_map(|g| g.lines.iter()))
        .any(|l| {
            l.item_full_name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(item))
                && l.amount == Some(cost)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(field: &str) -> WriteBackJob {
        WriteBackJob {
            id: Uuid::new_v4(),
            order_id: OrderId::new(),
            txn_type: TxnType::Invoice,
            txn_id: "1A-1".into(),
            ref_number: Some("1042".into()),
            add_tracking: vec!["1Z999".into()],
            remove_tracking: vec![],
            ship_date: NaiveDate::from_ymd_opt(2026, 11, 30),
            shipping_cost: None,
            tracking_field: field.into(),
            shipping_item_name: "Shipping".into(),
        }
    }

    fn sale() -> Sale {
        Sale {
            txn_type: TxnType::Invoice,
            txn_id: "1A-1".into(),
            edit_sequence: "77".into(),
            time_modified: "2026-11-29T10:00:00-08:00".into(),
            time_created: None,
            ref_number: Some("1042".into()),
            txn_date: None,
            customer_list_id: None,
            customer_full_name: None,
            class_name: None,
            bill_address: None,
            ship_address: None,
            po_number: None,
            ship_via: None,
            ship_date: None,
            memo: Some("Thanks!".into()),
            other: None,
            subtotal: None,
            sales_tax_total: None,
            total: None,
            is_pending: None,
            lines: vec![SaleLine {
                txn_line_id: "L1".into(),
                item_full_name: Some("Widget".into()),
                ..SaleLine::default()
            }],
            line_groups: vec![],
            data_ext: vec![],
            from_sales_orders: vec![],
        }
    }

    #[test]
    fn memo_gets_the_tracking_number_once() {
        assert_eq!(
            with_tracking("Thanks!", &["1Z9".into()], &[]).as_deref(),
            Some("Thanks! | Tracking: 1Z9")
        );
        assert_eq!(
            with_tracking("", &["A".into(), "B".into()], &[]).as_deref(),
            Some("Tracking: A, B")
        );
        assert_eq!(
            with_tracking("Thanks! | Tracking: 1Z9", &["1Z9".into()], &[]),
            None
        );
        assert_eq!(
            with_tracking("Tracking: A, B", &["B".into()], &["A".into()]).as_deref(),
            Some("Tracking: B")
        );
        assert_eq!(
            with_tracking("Note | Tracking: A", &[], &["A".into()]).as_deref(),
            Some("Note")
        );
        // A voided number is taken out of the tracking segment only, not out of the user's text.
        assert_eq!(
            with_tracking("Label A was damaged | Tracking: A, B", &[], &["A".into()]).as_deref(),
            Some("Label A was damaged | Tracking: B")
        );
        assert_eq!(
            with_tracking("Tracking: A | Leave at door", &["C".into()], &[]).as_deref(),
            Some("Tracking: A, C | Leave at door")
        );
        assert_eq!(with_tracking("Tracking: A", &["A".into()], &[]), None);
    }

    #[test]
    fn a_full_memo_refuses_the_write_back_instead_of_losing_the_number() {
        let mut s = sale();
        s.memo = Some("x".repeat(MAX_MEMO - 5));
        let c = plan(&job("memo"), &s, &[], "7");
        assert!(c.txn_mod.is_none() && !c.is_empty());
        let why = c.refused.expect("refused");
        assert!(
            why.contains("memo of Invoice 1042 is full") && why.contains("1Z999"),
            "{why}"
        );
        // Room enough: written.
        s.memo = Some("x".repeat(MAX_MEMO - 20));
        assert!(plan(&job("memo"), &s, &[], "7").txn_mod.is_some());
    }

    #[test]
    fn a_memo_write_back_is_a_header_only_mod() {
        let lines = vec![ExistingLine::Line {
            txn_line_id: "L1".into(),
        }];
        let c = plan(&job("memo"), &sale(), &lines, "7");
        let xml = c.txn_mod.expect("mod");
        assert!(xml.contains("<EditSequence>77</EditSequence>"));
        assert!(xml.contains("Thanks! | Tracking: 1Z999"));
        assert!(
            !xml.contains("InvoiceLineMod"),
            "no line listed, so none can be lost"
        );
        assert!(c.summary[0].contains("Tracking 1Z999 written to Invoice 1042 memo"));
    }

    #[test]
    fn a_cost_line_re_lists_every_existing_line() {
        let mut j = job("memo");
        j.shipping_cost = Some(Decimal::new(1234, 2));
        let lines = vec![ExistingLine::Line {
            txn_line_id: "L1".into(),
        }];
        let xml = plan(&j, &sale(), &lines, "7").txn_mod.expect("mod");
        assert!(xml.contains("<TxnLineID>L1</TxnLineID>"));
        assert!(xml.contains("<TxnLineID>-1</TxnLineID>"));
        assert!(xml.contains("12.34"));
    }

    /// The sale with a cost line Quayside wrote earlier (`S1`, `amount`) after the goods line.
    fn sale_with_cost_line(amount: Decimal) -> (Sale, Vec<ExistingLine>) {
        let mut s = sale();
        s.memo = Some("Thanks! | Tracking: 1Z999".into());
        s.ship_date = NaiveDate::from_ymd_opt(2026, 11, 30);
        s.lines.push(SaleLine {
            txn_line_id: "S1".into(),
            item_full_name: Some("Shipping".into()),
            description: Some(COST_LINE_DESC.into()),
            amount: Some(amount),
            ..SaleLine::default()
        });
        let lines = ["L1", "S1"]
            .map(|id| ExistingLine::Line {
                txn_line_id: id.into(),
            })
            .to_vec();
        (s, lines)
    }

    #[test]
    fn a_changed_cost_changes_the_line_quayside_added_and_adds_none() {
        let (s, lines) = sale_with_cost_line(Decimal::new(850, 2));
        let mut j = job("memo");
        j.shipping_cost = Some(Decimal::new(1700, 2));
        let c = plan(&j, &s, &lines, "7");
        let xml = c.txn_mod.expect("mod");
        assert!(!xml.contains("<TxnLineID>-1</TxnLineID>"), "{xml}");
        assert!(
            xml.contains("<TxnLineID>S1</TxnLineID>\n      <Amount>17.00</Amount>"),
            "{xml}"
        );
        assert!(xml.contains("<TxnLineID>L1</TxnLineID>\n    </InvoiceLineMod>"));
        assert!(c.summary[0].contains("changed to 17.00"), "{:?}", c.summary);
        // The same cost again: nothing to do.
        j.shipping_cost = Some(Decimal::new(850, 2));
        assert!(plan(&j, &s, &lines, "7").is_empty());
    }

    #[test]
    fn a_cost_gone_to_zero_deletes_the_line_quayside_added_only() {
        let (mut s, mut lines) = sale_with_cost_line(Decimal::new(850, 2));
        // The user's own shipping charge is a line of the same item: it stays.
        s.lines.push(SaleLine {
            txn_line_id: "U1".into(),
            item_full_name: Some("Shipping".into()),
            description: Some("Freight".into()),
            amount: Some(Decimal::new(500, 2)),
            ..SaleLine::default()
        });
        lines.push(ExistingLine::Line {
            txn_line_id: "U1".into(),
        });
        let mut j = job("memo");
        j.shipping_cost = Some(Decimal::ZERO);
        let c = plan(&j, &s, &lines, "7");
        let xml = c.txn_mod.expect("mod");
        assert!(!xml.contains("<TxnLineID>S1</TxnLineID>"), "{xml}");
        assert!(xml.contains("<TxnLineID>L1</TxnLineID>"));
        assert!(xml.contains("<TxnLineID>U1</TxnLineID>\n    </InvoiceLineMod>"));
        assert!(!xml.contains("<Amount>"), "no amount of the user's changes");
        assert!(c.summary[0].contains("removed"), "{:?}", c.summary);
        // No line of ours and nothing to charge: nothing is added.
        let mut plain = sale();
        plain.memo = s.memo.clone();
        plain.ship_date = s.ship_date;
        assert!(plan(&j, &plain, &lines[..1], "7").is_empty());
    }

    #[test]
    fn nothing_is_sent_when_already_applied() {
        let mut s = sale();
        s.memo = Some("Thanks! | Tracking: 1Z999".into());
        s.ship_date = NaiveDate::from_ymd_opt(2026, 11, 30);
        assert!(plan(&job("memo"), &s, &[], "7").is_empty());
        let mut j = job("custom:Tracking");
        s.data_ext = vec![shared::sale::DataExt {
            owner_id: "0".into(),
            name: "Tracking".into(),
            value: "1Z999".into(),
        }];
        assert!(plan(&j, &s, &[], "7").is_empty());
        j.add_tracking.push("1Z888".into());
        let c = plan(&j, &s, &[], "7");
        assert!(c.data_ext.expect("data ext").contains("DataExtModRq"));
    }

    #[test]
    fn a_custom_field_left_without_numbers_is_deleted_not_emptied() {
        let mut j = job("custom:Tracking");
        j.add_tracking.clear();
        j.remove_tracking = vec!["1Z999".into()];
        let mut s = sale();
        s.data_ext = vec![shared::sale::DataExt {
            owner_id: "0".into(),
            name: "Tracking".into(),
            value: "1Z999".into(),
        }];
        let xml = plan(&j, &s, &[], "7").data_ext.expect("data ext");
        assert!(xml.contains("<DataExtDelRq requestID=\"7x\">"), "{xml}");
        assert!(
            xml.contains("<DataExtName>Tracking</DataExtName>") && !xml.contains("DataExtValue")
        );
        // Nothing there and nothing to write: no request at all.
        s.data_ext.clear();
        assert!(plan(&j, &s, &[], "7").data_ext.is_none());
    }

    #[test]
    fn a_custom_field_keeps_whole_numbers_within_255_characters() {
        let mut j = job("custom:Tracking");
        j.add_tracking = (0..20).map(|i| format!("1Z{i:016}")).collect();
        let xml = plan(&j, &sale(), &[], "7").data_ext.expect("data ext");
        let value = xml
            .split("<DataExtValue>")
            .nth(1)
            .and_then(|v| v.split("</DataExtValue>").next())
            .expect("value");
        assert!(value.chars().count() <= 255, "{value}");
        assert!(value.ends_with(&format!("1Z{:016}", 11)), "{value}");
    }

    #[test]
    fn other_field_keeps_whole_numbers_within_29_characters() {
        let mut j = job("other");
        j.add_tracking = vec!["1Z9999999999999999".into(), "1Z8888888888888888".into()];
        let xml = plan(&j, &sale(), &[], "7").txn_mod.expect("mod");
        assert!(xml.contains("<Other>1Z9999999999999999</Other>"));
    }
}
