//! Checking a rule before it is stored: every field, op and value is known and fits.

use rust_decimal::Decimal;
use serde_json::Value;

use super::actions::{parse_action, ActionField};
use super::fields::{ConditionField, Op};
use super::model::{RuleError, RuleIn};
use crate::sale::TxnType;

/// The longest rule name accepted.
pub const RULE_NAME_MAX_LEN: usize = 200;

/// A JSON number or numeric string as a decimal.
pub(crate) fn number(v: &Value) -> Option<Decimal> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        _ => return None,
    };
    text.parse::<Decimal>()
        .ok()
        .or_else(|| Decimal::from_scientific(&text).ok())
}

/// Checks one scalar operand for a field; `Err` says what is expected.
fn check_operand(field: ConditionField, v: &Value) -> Result<(), String> {
    if field.is_numeric() {
        return number(v)
            .map(|_| ())
            .ok_or_else(|| "must be a number".to_owned());
    }
    let text = match v {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return Err("must be text".to_owned()),
    };
    if field == ConditionField::TxnType && TxnType::parse(&text).is_none() {
        return Err(format!(
            "unknown transaction type \"{text}\" (expected one of: invoice, sales_receipt, \
             sales_order)"
        ));
    }
    Ok(())
}

/// Validates a rule. The error's path names the offending part
/// (`conditions[0].field: unknown field "colour" ...`).
pub fn validate(rule: &RuleIn) -> Result<(), RuleError> {
    let name = rule.name.trim();
    if name.is_empty() {
        return Err(RuleError::new("name", "must not be empty"));
    }
    if name.chars().count() > RULE_NAME_MAX_LEN {
        return Err(RuleError::new(
            "name",
            format!("must be at most {RULE_NAME_MAX_LEN} characters"),
        ));
    }
    for (i, c) in rule.conditions.iter().enumerate() {
        let at = |part: &str| format!("conditions[{i}].{part}");
        let field = ConditionField::parse(&c.field).ok_or_else(|| {
            RuleError::new(
                at("field"),
                format!(
                    "unknown field \"{}\" (expected one of: {})",
                    c.field,
                    ConditionField::names()
                ),
            )
        })?;
        let op = Op::parse(&c.op).ok_or_else(|| {
            RuleError::new(
                at("op"),
                format!("unknown op \"{}\" (expected one of: {})", c.op, Op::names()),
            )
        })?;
        if op.is_numeric_only() && !field.is_numeric() {
            return Err(RuleError::new(
                at("op"),
                format!(
                    "\"{}\" only works on numbers; \"{}\" is text",
                    c.op, c.field
                ),
            ));
        }
        if op.is_text_only() && field.is_numeric() {
            return Err(RuleError::new(
                at("op"),
                format!(
                    "\"{}\" only works on text; \"{}\" is a number",
                    c.op, c.field
                ),
            ));
        }
        if op == Op::In {
            let items = c
                .value
                .as_array()
                .filter(|a| !a.is_empty())
                .ok_or_else(|| {
                    RuleError::new(at("value"), "\"in\" needs a non-empty array of values")
                })?;
            for (j, item) in items.iter().enumerate() {
                check_operand(field, item)
                    .map_err(|m| RuleError::new(format!("conditions[{i}].value[{j}]"), m))?;
            }
        } else if !(op.is_text_only() && field == ConditionField::TxnType) {
            check_operand(field, &c.value).map_err(|m| RuleError::new(at("value"), m))?;
        } else if !c.value.is_string() {
            return Err(RuleError::new(at("value"), "must be text"));
        }
    }
    for (i, a) in rule.actions.iter().enumerate() {
        let field = ActionField::parse(&a.field).ok_or_else(|| {
            RuleError::new(
                format!("actions[{i}].field"),
                format!(
                    "unknown field \"{}\" (expected one of: {})",
                    a.field,
                    ActionField::names()
                ),
            )
        })?;
        parse_action(field, &a.value)
            .map_err(|m| RuleError::new(format!("actions[{i}].value"), m))?;
    }
    Ok(())
}
