//! Orders as the REST api shows them: each order joined with its QuickBooks sale, filtered and
//! paged; an order's event history; and the "resend" reset.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::Tx;
use crate::ids::{ConnectionId, OrderId};
use crate::sale::{QbCustomer, Sale, TxnType};

/// The contract's order statuses.
pub const ORDER_STATUSES: [&str; 7] = [
    "pending",
    "pushed",
    "failed",
    "shipped",
    "written_back",
    "write_back_failed",
    "skipped",
];

/// Statuses in which the order has shipped in ShipStation, so it must not be sent again.
pub const SHIPPED_STATUSES: [&str; 3] = ["shipped", "written_back", "write_back_failed"];

/// One order with the sale fields the list shows.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct OrderView {
    pub id: OrderId,
    pub txn_type: String,
    pub txn_id: String,
    pub ref_number: Option<String>,
    pub txn_date: Option<NaiveDate>,
    pub customer_name: Option<String>,
    pub status: String,
    pub shipstation_order_id: Option<i64>,
    pub order_key: String,
    pub store_id: Option<i64>,
    pub tracking_numbers: Vec<String>,
    pub shipping_cost: Option<Decimal>,
    pub last_error: Option<String>,
    pub skip_reason: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// One entry of an order's history.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OrderEvent {
    pub at: DateTime<Utc>,
    pub kind: String,
    pub message: String,
}

/// Filters and page of [`list`]. `status` must be one of [`ORDER_STATUSES`] (checked by the
/// caller); `q` matches the RefNumber or customer name, case-insensitively, as plain text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderQuery<'a> {
    pub status: Option<&'a str>,
    pub q: Option<&'a str>,
    /// 1-based.
    pub page: i64,
    pub per_page: i64,
}

const SELECT: &str = "SELECT o.id, s.txn_type, s.txn_id, s.ref_number, s.txn_date, s.customer_name,
        o.status, o.shipstation_order_id, o.order_key, o.store_id, o.tracking_numbers,
        o.shipping_cost, o.last_error, o.skip_reason, o.updated_at
    FROM orders o JOIN qb_sales s ON s.id = o.sale_id";

const FILTER: &str = "o.connection_id = $1
    AND ($2::text IS NULL OR o.status = $2)
    AND ($3::text IS NULL OR s.ref_number ILIKE $3 ESCAPE '\\' OR s.customer_name ILIKE $3 ESCAPE '\\')";

/// `%q%` for ILIKE with `\`, `%` and `_` in `q` taken literally.
pub fn contains_pattern(q: &str) -> String {
    let mut out = String::with_capacity(q.len() + 2);
    out.push('%');
    for c in q.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// A page of the connection's orders, newest first (by when the sale first arrived, so an order
/// keeps its place when its sale is edited), and the total matching.
pub async fn list(
    tx: &mut Tx,
    connection: ConnectionId,
    query: &OrderQuery<'_>,
) -> Result<(Vec<OrderView>, i64), sqlx::Error> {
    let pattern = query.q.map(contains_pattern);
    let (total,): (i64,) = sqlx::query_as(&format!(
        "SELECT count(*) FROM orders o JOIN qb_sales s ON s.id = o.sale_id WHERE {FILTER}"
    ))
    .bind(connection)
    .bind(query.status)
    .bind(pattern.as_deref())
    .fetch_one(&mut **tx)
    .await?;
    let offset = (query.page.max(1) - 1).saturating_mul(query.per_page);
    let rows = sqlx::query_as(&format!(
        "{SELECT} WHERE {FILTER} ORDER BY o.created_at DESC, o.id DESC LIMIT $4 OFFSET $5"
    ))
    .bind(connection)
    .bind(query.status)
    .bind(pattern.as_deref())
    .bind(query.per_page)
    .bind(offset)
    .fetch_all(&mut **tx)
    .await?;
    Ok((rows, total))
}

/// One order of the connection, or `None`.
pub async fn get(
    tx: &mut Tx,
    connection: ConnectionId,
    order: OrderId,
) -> Result<Option<OrderView>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE o.connection_id = $1 AND o.id = $2"
    ))
    .bind(connection)
    .bind(order)
    .fetch_optional(&mut **tx)
    .await
}

/// The order's events, oldest first.
pub async fn events(tx: &mut Tx, order: OrderId) -> Result<Vec<OrderEvent>, sqlx::Error> {
    sqlx::query_as("SELECT at, kind, message FROM events WHERE order_id = $1 ORDER BY at, id")
        .bind(order)
        .fetch_all(&mut **tx)
        .await
}

fn undecodable(e: serde_json::Error) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(e))
}

/// The stored sale whose RefNumber is `ref_number`, with its customer record when stored.
/// When several transactions share the number, one of a type in `preferred` wins, then the
/// most recently updated.
pub async fn sale_by_ref(
    tx: &mut Tx,
    connection: ConnectionId,
    ref_number: &str,
    preferred: &[TxnType],
) -> Result<Option<(Sale, Option<QbCustomer>)>, sqlx::Error> {
    let types: Vec<&str> = preferred.iter().map(|t| t.as_str()).collect();
    let row: Option<(serde_json::Value, Option<serde_json::Value>)> = sqlx::query_as(
        "SELECT s.snapshot, c.snapshot FROM qb_sales s
         LEFT JOIN qb_customers c ON c.connection_id = s.connection_id AND c.list_id = s.customer_list_id
         WHERE s.connection_id = $1 AND s.ref_number = $2
         ORDER BY (s.txn_type = ANY($3)) DESC, s.updated_at DESC
         LIMIT 1",
    )
    .bind(connection)
    .bind(ref_number)
    .bind(types)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((sale, customer)) = row else {
        return Ok(None);
    };
    let sale: Sale = serde_json::from_value(sale).map_err(undecodable)?;
    let customer = match customer {
        Some(c) => Some(serde_json::from_value(c).map_err(undecodable)?),
        None => None,
    };
    Ok(Some((sale, customer)))
}

/// What [`reset_for_resend`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResendOutcome {
    /// The order is `pending` again with a fresh push intent.
    Reset,
    /// The order has shipped (its status is given); nothing changed.
    Shipped(String),
    /// The connection has no such order.
    NotFound,
}

/// Makes an order `pending` again so it is pushed anew: clears `last_error`, `skip_reason` and
/// the attempt count, and sets `push_requested_at` to now (the sweeper's clock). Orders that
/// have shipped are left alone. Locks the row, so a concurrent status change cannot slip in.
pub async fn reset_for_resend(
    tx: &mut Tx,
    connection: ConnectionId,
    order: OrderId,
) -> Result<ResendOutcome, sqlx::Error> {
    let status: Option<(String,)> =
        sqlx::query_as("SELECT status FROM orders WHERE connection_id = $1 AND id = $2 FOR UPDATE")
            .bind(connection)
            .bind(order)
            .fetch_optional(&mut **tx)
            .await?;
    let Some((status,)) = status else {
        return Ok(ResendOutcome::NotFound);
    };
    if SHIPPED_STATUSES.contains(&status.as_str()) {
        return Ok(ResendOutcome::Shipped(status));
    }
    sqlx::query(
        "UPDATE orders SET status = 'pending', last_error = NULL, skip_reason = NULL, attempts = 0,
             test_sale = false, push_requested_at = now(), updated_at = now()
         WHERE id = $1",
    )
    .bind(order)
    .execute(&mut **tx)
    .await?;
    Ok(ResendOutcome::Reset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_in_the_search_are_literal() {
        assert_eq!(contains_pattern("1001"), "%1001%");
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }

    #[test]
    fn shipped_statuses_are_order_statuses() {
        assert!(SHIPPED_STATUSES.iter().all(|s| ORDER_STATUSES.contains(s)));
    }
}
