//! The rule as the REST contract writes it:
//! `{id, name, enabled, priority, conditions: [{field, op, value}], actions: [{field, value}]}`.
//!
//! Fields and ops are kept as text here so that a bad one reaches [`super::validate`], which
//! names it in its error, instead of failing JSON decoding with a generic message.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// One test on the QuickBooks sale: `{"field": "company", "op": "equals", "value": "Target"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    /// A condition field name (`customer_name`, `ship_to.state` ...).
    pub field: String,
    /// `equals`, `not_equals`, `contains`, `starts_with`, `in`, `gt` or `lt`.
    pub op: String,
    /// A string or number; an array for `in`.
    #[serde(default)]
    pub value: Value,
}

/// One change to the ShipStation order: `{"field": "orderStatus", "value": "on_hold"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    /// A ShipStation order field by its ShipStation name (`advancedOptions.storeId` ...).
    pub field: String,
    /// The value to set; `null` clears a text field.
    #[serde(default)]
    pub value: Value,
}

fn enabled_by_default() -> bool {
    true
}

/// A rule as created or replaced through the API (no id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleIn {
    /// Shown in order events when the rule applies.
    pub name: String,
    /// Disabled rules are skipped. Default `true`.
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    /// Rules apply in ascending priority; a later rule overrides an earlier one. Default 0.
    #[serde(default)]
    pub priority: i32,
    /// All must hold. None: the rule applies to every sale.
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// What to set when the conditions hold.
    #[serde(default)]
    pub actions: Vec<Action>,
}

/// A stored rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// The rule's id.
    pub id: Uuid,
    /// Shown in order events when the rule applies.
    pub name: String,
    /// Disabled rules are skipped.
    pub enabled: bool,
    /// Rules apply in ascending priority; a later rule overrides an earlier one.
    pub priority: i32,
    /// All must hold.
    pub conditions: Vec<Condition>,
    /// What to set when the conditions hold.
    pub actions: Vec<Action>,
}

impl Rule {
    /// A stored rule from its id and (validated) input.
    pub fn from_input(id: Uuid, input: RuleIn) -> Rule {
        Rule {
            id,
            name: input.name,
            enabled: input.enabled,
            priority: input.priority,
            conditions: input.conditions,
            actions: input.actions,
        }
    }
}

/// A rule that does not validate. `path` names the offending part the way the JSON does
/// (`conditions[0].field`), and `Display` is `"<path>: <message>"`, ready for a 422 body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct RuleError {
    /// `name`, `conditions[1].op`, `actions[0].value` ...
    pub path: String,
    /// What is wrong, e.g. `unknown field "colour"`.
    pub message: String,
}

impl RuleError {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> RuleError {
        RuleError {
            path: path.into(),
            message: message.into(),
        }
    }
}
