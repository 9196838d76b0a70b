//! Running rules over a mapped order.

use std::cmp::Ordering;

use rust_decimal::Decimal;
use serde_json::Value;

use super::actions::{apply_action, parse_action, ActionField};
use super::fields::{ConditionField, Facts, FieldValue, Op};
use super::model::{Condition, Rule};
use super::validate::number;
use crate::mapping::country::country_code;
use crate::sale::{QbCustomer, Sale};
use crate::shipstation::model::Order;

/// Applies the enabled rules whose conditions all hold, in ascending priority (ties keep
/// their order in `rules`), so a later rule overrides what an earlier one set. Conditions
/// read the sale, the customer record and the order as mapped, before any rule ran. Returns
/// the names of the rules that applied, in the order they applied.
///
/// Rules are expected to have passed [`super::validate`]; a condition that does not
/// validate never holds, and an action that does not validate is skipped.
pub fn apply_rules(
    rules: &[Rule],
    sale: &Sale,
    customer: Option<&QbCustomer>,
    order: &mut Order,
) -> Vec<String> {
    let facts = Facts::new(sale, customer, order);
    let mut ordered: Vec<&Rule> = rules.iter().filter(|r| r.enabled).collect();
    ordered.sort_by_key(|r| r.priority);
    let mut applied = Vec::new();
    for rule in ordered {
        if !rule.conditions.iter().all(|c| holds(c, &facts)) {
            continue;
        }
        for action in &rule.actions {
            let Some(field) = ActionField::parse(&action.field) else {
                continue;
            };
            if let Ok(value) = parse_action(field, &action.value) {
                apply_action(field, value, order);
            }
        }
        applied.push(rule.name.clone());
    }
    applied
}

/// Lower-cased, trimmed text of a scalar operand.
fn operand_text(field: ConditionField, v: &Value) -> Option<String> {
    let raw = match v {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    // "United States", "USA" and "us" all mean the ISO code the order carries.
    let raw = match field {
        ConditionField::ShipToCountry => country_code(&raw).map_or(raw, str::to_owned),
        _ => raw,
    };
    Some(raw.to_lowercase())
}

fn text_matches(op: Op, have: &str, want: &str) -> bool {
    match op {
        Op::Equals | Op::In => have == want,
        Op::Contains => have.contains(want),
        Op::StartsWith => have.starts_with(want),
        Op::NotEquals | Op::Gt | Op::Lt => false,
    }
}

/// Whether one condition holds.
pub fn holds(c: &Condition, facts: &Facts) -> bool {
    let (Some(field), Some(op)) = (ConditionField::parse(&c.field), Op::parse(&c.op)) else {
        return false;
    };
    let operands: Vec<&Value> = match (op, &c.value) {
        (Op::In, Value::Array(items)) => items.iter().collect(),
        (Op::In, _) => return false,
        (_, v) => vec![v],
    };
    match facts.get(field) {
        FieldValue::Number(have) => {
            let wants: Vec<Decimal> = operands.iter().filter_map(|v| number(v)).collect();
            if wants.len() != operands.len() {
                return false;
            }
            match (op, have) {
                (Op::NotEquals, None) => true,
                (_, None) => false,
                (op, Some(have)) => wants.iter().any(|w| {
                    let ord = have.cmp(w);
                    match op {
                        Op::Equals | Op::In => ord == Ordering::Equal,
                        Op::NotEquals => ord != Ordering::Equal,
                        Op::Gt => ord == Ordering::Greater,
                        Op::Lt => ord == Ordering::Less,
                        Op::Contains | Op::StartsWith => false,
                    }
                }),
            }
        }
        value => {
            let wants: Vec<String> = operands
                .iter()
                .filter_map(|v| operand_text(field, v))
                .collect();
            if wants.len() != operands.len() || op.is_numeric_only() {
                return false;
            }
            let haves: Vec<String> = match value {
                FieldValue::Text(t) => vec![t.as_deref().unwrap_or_default().to_lowercase()],
                FieldValue::AnyText(list) => list.iter().map(|s| s.to_lowercase()).collect(),
                FieldValue::Number(_) => Vec::new(),
            };
            if op == Op::NotEquals {
                return wants.iter().all(|w| haves.iter().all(|h| h != w));
            }
            haves
                .iter()
                .any(|h| wants.iter().any(|w| text_matches(op, h, w)))
        }
    }
}
