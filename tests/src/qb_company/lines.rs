//! Line Mods (`InvoiceLineMod`, `InvoiceLineGroupMod` ...) and the QuickBooks line rule.

use rust_decimal::Decimal;

use super::model::{LineEntry, LineGroup, ListRef, Txn, TxnKind, TxnLine};
use super::modify::{bad_ref, check_len, resolve};
use super::process::Status;
use super::schema::{self, check_order, exclusive, Invalid, RefIn, Slot};
use super::state::{line_amount, CompanyState};
use super::xml::Element;

/// One `*LineMod`.
#[derive(Debug, Clone, Default)]
pub struct LineMod {
    pub txn_line_id: String,
    pub item: Option<RefIn>,
    pub desc: Option<String>,
    pub quantity: Option<Decimal>,
    pub rate: Option<Decimal>,
    pub rate_percent: Option<Decimal>,
    pub class: Option<RefIn>,
    pub amount: Option<Decimal>,
    pub sales_tax_code: Option<RefIn>,
    pub other1: Option<String>,
    pub other2: Option<String>,
}

/// One `*LineGroupMod`; `lines` is `None` when no inner line Mod was given.
#[derive(Debug, Clone, Default)]
pub struct GroupMod {
    pub txn_line_id: String,
    pub quantity: Option<Decimal>,
    pub lines: Option<Vec<LineMod>>,
}

/// A line Mod or a group line Mod, in request order.
#[derive(Debug, Clone)]
pub enum LineModEntry {
    Line(Box<LineMod>),
    Group(GroupMod),
}

fn line_seq(kind: TxnKind) -> Vec<Slot> {
    let mut names = vec![
        "TxnLineID",
        "ItemRef",
        "Desc",
        "Quantity",
        "UnitOfMeasure",
        "OverrideUOMSetRef",
        "Rate",
        "RatePercent",
        "PriceLevelRef",
        "ClassRef",
        "Amount",
        "TaxAmount",
        "OptionForPriceRuleConflict",
        "InventorySiteRef",
        "InventorySiteLocationRef",
        "SerialNumber",
        "LotNumber",
    ];
    if kind == TxnKind::SalesOrder {
        names.extend(["SalesTaxCodeRef", "IsManuallyClosed"]);
    } else {
        names.extend(["ServiceDate", "SalesTaxCodeRef", "OverrideItemAccountRef"]);
    }
    names.extend(["Other1", "Other2"]);
    names.into_iter().map(|n| (n, false)).collect()
}

fn parse_line(kind: TxnKind, el: &Element) -> Result<LineMod, Invalid> {
    check_order(el, &line_seq(kind))?;
    exclusive(el, &["Rate", "RatePercent", "PriceLevelRef"])?;
    exclusive(el, &["SerialNumber", "LotNumber"])?;
    let text = |n: &str| el.child_text(n).map(str::to_string);
    Ok(LineMod {
        txn_line_id: schema::required(el, "TxnLineID")?.to_string(),
        item: schema::reference(el, "ItemRef")?,
        desc: text("Desc"),
        quantity: schema::decimal(el, "Quantity")?,
        rate: schema::decimal(el, "Rate")?,
        rate_percent: schema::decimal(el, "RatePercent")?,
        class: schema::reference(el, "ClassRef")?,
        amount: schema::decimal(el, "Amount")?,
        sales_tax_code: schema::reference(el, "SalesTaxCodeRef")?,
        other1: text("Other1"),
        other2: text("Other2"),
    })
}

/// Read the line Mods of a `*Mod` (`None` when there are none).
pub fn parse_lines(kind: TxnKind, m: &Element) -> Result<Option<Vec<LineModEntry>>, Invalid> {
    let line_name = format!("{}LineMod", kind.stem());
    let group_name = format!("{}LineGroupMod", kind.stem());
    let mut out = Vec::new();
    for c in &m.children {
        if c.name == line_name {
            out.push(LineModEntry::Line(Box::new(parse_line(kind, c)?)));
        } else if c.name == group_name {
            let group_line_slot: &'static str = match kind {
                TxnKind::Invoice => "InvoiceLineMod",
                TxnKind::SalesReceipt => "SalesReceiptLineMod",
                TxnKind::SalesOrder => "SalesOrderLineMod",
            };
            check_order(
                c,
                &[
                    ("TxnLineID", false),
                    ("ItemGroupRef", false),
                    ("Quantity", false),
                    ("UnitOfMeasure", false),
                    ("OverrideUOMSetRef", false),
                    (group_line_slot, true),
                ],
            )?;
            let inner = c
                .children_named(&line_name)
                .map(|l| parse_line(kind, l))
                .collect::<Result<Vec<_>, _>>()?;
            out.push(LineModEntry::Group(GroupMod {
                txn_line_id: schema::required(c, "TxnLineID")?.to_string(),
                quantity: schema::decimal(c, "Quantity")?,
                lines: (!inner.is_empty()).then_some(inner),
            }));
        }
    }
    Ok((!out.is_empty()).then_some(out))
}

fn out_of_order(kind: TxnKind, id: &str) -> Status {
    Status::error(
        3290,
        format!(
            "The {}LineMod with TxnLineID \"{id}\" is placed in the request in incorrect order.",
            kind.stem()
        ),
    )
}

fn check_line_texts(lm: &LineMod) -> Result<(), Status> {
    check_len("Desc", &lm.desc, 4095)?;
    check_len("Other1", &lm.other1, 29)?;
    check_len("Other2", &lm.other2, 29)
}

/// Apply one line Mod to `line` (an existing line, or a blank one for `-1`).
fn apply_line(
    state: &mut CompanyState,
    kind: TxnKind,
    line: &mut TxnLine,
    lm: &LineMod,
) -> Result<(), Status> {
    check_line_texts(lm)?;
    let is_new = lm.txn_line_id == "-1";
    let mut default_rate = None;
    if let Some(r) = &lm.item {
        let item = state
            .find_item(r.list_id.as_deref(), r.full_name.as_deref())
            .cloned()
            .ok_or_else(|| bad_ref("Item", r, kind))?;
        if is_new {
            default_rate = item.price;
            let code = if item.taxable { "Tax" } else { "Non" };
            line.sales_tax_code = resolve(
                &state.sales_tax_codes,
                &RefIn {
                    list_id: None,
                    full_name: Some(code.into()),
                },
            );
        }
        line.item = Some(ListRef {
            list_id: item.list_id,
            full_name: item.full_name,
        });
    }
    if let Some(r) = &lm.class {
        line.class = Some(resolve(&state.classes, r).ok_or_else(|| bad_ref("Class", r, kind))?);
    }
    if let Some(r) = &lm.sales_tax_code {
        let code =
            resolve(&state.sales_tax_codes, r).ok_or_else(|| bad_ref("Sales Tax Code", r, kind))?;
        line.sales_tax_code = Some(code);
    }
    if lm.desc.is_some() {
        line.desc.clone_from(&lm.desc);
    }
    if lm.other1.is_some() {
        line.other1.clone_from(&lm.other1);
    }
    if lm.other2.is_some() {
        line.other2.clone_from(&lm.other2);
    }
    if lm.quantity.is_some() {
        line.quantity = lm.quantity;
    }
    if lm.rate.is_some() {
        line.rate = lm.rate;
        line.rate_percent = None;
    } else if lm.rate_percent.is_some() {
        line.rate_percent = lm.rate_percent;
        line.rate = None;
    } else if is_new && lm.amount.is_none() {
        line.rate = default_rate;
    }
    if let Some(a) = lm.amount {
        line.amount = a;
    } else if is_new || lm.quantity.is_some() || lm.rate.is_some() {
        line.amount = line_amount(line.quantity, line.rate);
    }
    Ok(())
}

/// Apply the line rule to a list of plain lines (a group's inner lines).
fn apply_plain(
    state: &mut CompanyState,
    kind: TxnKind,
    existing: &[TxnLine],
    mods: &[LineMod],
) -> Result<Vec<TxnLine>, Status> {
    let mut out = Vec::new();
    let mut last: Option<usize> = None;
    for lm in mods {
        if lm.txn_line_id == "-1" {
            let mut line = TxnLine {
                txn_line_id: state.new_line_id(),
                ..TxnLine::default()
            };
            apply_line(state, kind, &mut line, lm)?;
            out.push(line);
            continue;
        }
        let pos = existing
            .iter()
            .position(|l| l.txn_line_id == lm.txn_line_id)
            .ok_or_else(|| Status::not_found(&lm.txn_line_id))?;
        if last.is_some_and(|l| pos <= l) {
            return Err(out_of_order(kind, &lm.txn_line_id));
        }
        last = Some(pos);
        let mut line = existing[pos].clone();
        apply_line(state, kind, &mut line, lm)?;
        out.push(line);
    }
    Ok(out)
}

/// The transaction's new line list after the given line Mods: unlisted lines are deleted,
/// listed ones kept (and changed), `-1` lines added, in request order.
pub fn apply_lines(
    state: &mut CompanyState,
    t: &Txn,
    mods: &[LineModEntry],
) -> Result<Vec<LineEntry>, Status> {
    let kind = t.kind;
    let mut out = Vec::new();
    let mut last: Option<usize> = None;
    let mut position = |id: &str| -> Result<usize, Status> {
        let pos = t
            .lines
            .iter()
            .position(|e| e.txn_line_id() == id)
            .ok_or_else(|| Status::not_found(id))?;
        if last.is_some_and(|l| pos <= l) {
            return Err(out_of_order(kind, id));
        }
        last = Some(pos);
        Ok(pos)
    };
    for entry in mods {
        match entry {
            LineModEntry::Line(lm) if lm.txn_line_id == "-1" => {
                let mut line = TxnLine {
                    txn_line_id: state.new_line_id(),
                    ..TxnLine::default()
                };
                apply_line(state, kind, &mut line, lm)?;
                out.push(LineEntry::Line(line));
            }
            LineModEntry::Line(lm) => {
                let pos = position(&lm.txn_line_id)?;
                let LineEntry::Line(existing) = &t.lines[pos] else {
                    return Err(Status::not_found(&lm.txn_line_id));
                };
                let mut line = existing.clone();
                apply_line(state, kind, &mut line, lm)?;
                out.push(LineEntry::Line(line));
            }
            LineModEntry::Group(gm) if gm.txn_line_id == "-1" => {
                return Err(Status::error(
                    1000,
                    "The simulated company file cannot add new group lines.",
                ));
            }
            LineModEntry::Group(gm) => {
                let pos = position(&gm.txn_line_id)?;
                let LineEntry::Group(existing) = &t.lines[pos] else {
                    return Err(Status::not_found(&gm.txn_line_id));
                };
                let mut group: LineGroup = existing.clone();
                if gm.quantity.is_some() {
                    group.quantity = gm.quantity;
                }
                if let Some(inner) = &gm.lines {
                    group.lines = apply_plain(state, kind, &existing.lines, inner)?;
                }
                out.push(LineEntry::Group(group));
            }
        }
    }
    Ok(out)
}
