//! Rules: conditions on the QuickBooks sale, actions on the ShipStation order.
//!
//! A rule is `{id, name, enabled, priority, conditions: [{field, op, value}], actions:
//! [{field, value}]}` ([`Rule`]). [`validate`] checks one before it is stored (the API turns
//! its [`RuleError`] into a 422 naming the field); [`apply_rules`] runs the rules over an
//! order fresh from [`crate::mapping::map_sale`]. The fields and ops are listed in
//! [`ConditionField`], [`Op`] and [`ActionField`], and in `docs/mapping.md`.

mod actions;
mod eval;
mod fields;
mod model;
mod validate;

pub use actions::{
    apply_action, parse_action, ActionField, ActionValue, BILL_TO_PARTIES, CONFIRMATIONS,
    RULE_ORDER_STATUSES,
};
pub use eval::{apply_rules, holds};
pub use fields::{ConditionField, Facts, FieldValue, Op};
pub use model::{Action, Condition, Rule, RuleError, RuleIn};
pub use validate::{validate, RULE_NAME_MAX_LEN};

#[cfg(test)]
mod tests;
