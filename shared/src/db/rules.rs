//! A connection's rules (`rules` table). Conditions and actions are stored as the contract's
//! JSON; callers validate with [`crate::rules::validate`] before writing.

use sqlx::types::Json;
use uuid::Uuid;

use super::Tx;
use crate::ids::{ConnectionId, TenantId};
use crate::rules::{Action, Condition, Rule};

#[derive(sqlx::FromRow)]
struct RuleRow {
    id: Uuid,
    name: String,
    enabled: bool,
    priority: i32,
    conditions: Json<Vec<Condition>>,
    actions: Json<Vec<Action>>,
}

impl From<RuleRow> for Rule {
    fn from(r: RuleRow) -> Rule {
        Rule {
            id: r.id,
            name: r.name,
            enabled: r.enabled,
            priority: r.priority,
            conditions: r.conditions.0,
            actions: r.actions.0,
        }
    }
}

const COLUMNS: &str = "id, name, enabled, priority, conditions, actions";

/// The connection's rules in the order they apply: ascending priority, then oldest first
/// (the tie order [`crate::rules::apply_rules`] keeps).
pub async fn list(tx: &mut Tx, connection: ConnectionId) -> Result<Vec<Rule>, sqlx::Error> {
    let rows: Vec<RuleRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM rules WHERE connection_id = $1 ORDER BY priority, created_at, id"
    ))
    .bind(connection)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(Rule::from).collect())
}

/// One rule of the connection, or `None`.
pub async fn get(
    tx: &mut Tx,
    connection: ConnectionId,
    id: Uuid,
) -> Result<Option<Rule>, sqlx::Error> {
    let row: Option<RuleRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM rules WHERE connection_id = $1 AND id = $2"
    ))
    .bind(connection)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(Rule::from))
}

/// Stores a new rule.
pub async fn insert(
    tx: &mut Tx,
    tenant: TenantId,
    connection: ConnectionId,
    rule: &Rule,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO rules (id, tenant_id, connection_id, name, enabled, priority, conditions, actions)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(rule.id)
    .bind(tenant)
    .bind(connection)
    .bind(&rule.name)
    .bind(rule.enabled)
    .bind(rule.priority)
    .bind(Json(&rule.conditions))
    .bind(Json(&rule.actions))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Replaces a rule's content; false when the connection has no rule with that id.
pub async fn update(
    tx: &mut Tx,
    connection: ConnectionId,
    rule: &Rule,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE rules SET name = $3, enabled = $4, priority = $5, conditions = $6, actions = $7,
             updated_at = now()
         WHERE connection_id = $1 AND id = $2",
    )
    .bind(connection)
    .bind(rule.id)
    .bind(&rule.name)
    .bind(rule.enabled)
    .bind(rule.priority)
    .bind(Json(&rule.conditions))
    .bind(Json(&rule.actions))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes a rule; false when the connection has no rule with that id.
pub async fn delete(tx: &mut Tx, connection: ConnectionId, id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM rules WHERE connection_id = $1 AND id = $2")
        .bind(connection)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}
