//! Reading a push job's orders, with their sale and customer snapshots, the connection, its
//! settings and its enabled rules, all inside one tenant transaction.

use serde_json::Value;
use shared::db::connections::ConnectionRow;
use shared::db::Tx;
use shared::ids::{ConnectionId, OrderId};
use shared::rules::Rule;
use shared::sale::{QbCustomer, Sale};
use shared::settings::SyncSettings;
use uuid::Uuid;

/// An order still `pending`, ready to be mapped.
#[derive(Debug, Clone)]
pub struct PendingOrder {
    pub id: OrderId,
    pub order_key: String,
    pub shipstation_order_id: Option<i64>,
    pub shipstation_status: Option<String>,
    /// The store the order was created in, once it exists in ShipStation.
    pub store_id: Option<i64>,
    /// The sale, or why its stored snapshot could not be read.
    pub sale: Result<Sale, String>,
    pub content_hash: Vec<u8>,
    pub customer: Option<QbCustomer>,
    /// Made pending by a test-sale fetch: sent whatever the filters say, the switch included.
    pub test_sale: bool,
}

/// Everything a push job works from.
#[derive(Debug, Clone)]
pub struct Batch {
    pub connection: ConnectionRow,
    pub settings: SyncSettings,
    pub rules: Vec<Rule>,
    pub orders: Vec<PendingOrder>,
}

#[derive(sqlx::FromRow)]
struct OrderRow {
    id: OrderId,
    order_key: String,
    shipstation_order_id: Option<i64>,
    shipstation_status: Option<String>,
    store_id: Option<i64>,
    sale: Value,
    content_hash: Vec<u8>,
    customer: Option<Value>,
    test_sale: bool,
}

/// Loads the batch, or `None` when the connection is gone.
pub async fn load(
    tx: &mut Tx,
    connection_id: ConnectionId,
    order_ids: &[OrderId],
) -> Result<Option<Batch>, sqlx::Error> {
    let Some(connection) = shared::db::connections::get(tx, connection_id).await? else {
        return Ok(None);
    };
    let settings = load_settings(tx, &connection).await?;
    let rules = load_rules(tx, connection_id).await?;
    let ids: Vec<Uuid> = order_ids.iter().map(|o| o.0).collect();
    let rows: Vec<OrderRow> = sqlx::query_as(
        "SELECT o.id, o.order_key, o.shipstation_order_id, o.shipstation_status, o.store_id,
                s.snapshot AS sale, s.content_hash, c.snapshot AS customer, o.test_sale
         FROM orders o
         JOIN qb_sales s ON s.id = o.sale_id
         LEFT JOIN qb_customers c
                ON c.connection_id = s.connection_id AND c.list_id = s.customer_list_id
         WHERE o.id = ANY($1) AND o.connection_id = $2 AND o.status = 'pending'
         ORDER BY o.push_requested_at, o.id",
    )
    .bind(ids)
    .bind(connection_id)
    .fetch_all(&mut **tx)
    .await?;
    let orders = rows
        .into_iter()
        .map(|r| PendingOrder {
            id: r.id,
            order_key: r.order_key,
            shipstation_order_id: r.shipstation_order_id,
            shipstation_status: r.shipstation_status,
            store_id: r.store_id,
            sale: serde_json::from_value(r.sale)
                .map_err(|e| format!("The stored QuickBooks sale could not be read ({e}).")),
            content_hash: r.content_hash,
            // A customer snapshot that no longer parses only loses phone and email.
            customer: r.customer.and_then(|c| serde_json::from_value(c).ok()),
            test_sale: r.test_sale,
        })
        .collect();
    Ok(Some(Batch {
        connection,
        settings,
        rules,
        orders,
    }))
}

async fn load_settings(
    tx: &mut Tx,
    connection: &ConnectionRow,
) -> Result<SyncSettings, sqlx::Error> {
    let row: Option<(Value,)> =
        sqlx::query_as("SELECT settings FROM sync_settings WHERE connection_id = $1")
            .bind(connection.id)
            .fetch_optional(&mut **tx)
            .await?;
    let defaults = || SyncSettings::defaults(connection.created_at.date_naive());
    Ok(match row {
        None => defaults(),
        Some((v,)) => serde_json::from_value(v).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "unreadable sync settings; using the defaults");
            defaults()
        }),
    })
}

/// The connection's enabled rules in the order they apply (the same query the API uses).
async fn load_rules(tx: &mut Tx, connection_id: ConnectionId) -> Result<Vec<Rule>, sqlx::Error> {
    Ok(shared::db::rules::list(tx, connection_id)
        .await?
        .into_iter()
        .filter(|r| r.enabled)
        .collect())
}
