//! Seeding rows as the Web Connector would have stored them, and reading replies.

use std::str::FromStr;

use chrono::NaiveDate;
use quayside_tests::harness::{Reply, Tenant};
use rust_decimal::Decimal;
use serde_json::Value;
use shared::sale::{QbAddress, QbCustomer, Sale, SaleLine, TxnType};
use sqlx::PgPool;
use uuid::Uuid;

pub(crate) fn tid(t: &Tenant) -> Uuid {
    Uuid::parse_str(&t.tenant_id).expect("tenant id")
}

pub(crate) fn dec(s: &str) -> Option<Decimal> {
    Decimal::from_str(s).ok()
}

pub(crate) fn address(line1: &str, city: &str, state: &str, zip: &str) -> QbAddress {
    QbAddress {
        addr1: Some(line1.into()),
        city: Some(city.into()),
        state: Some(state.into()),
        postal_code: Some(zip.into()),
        country: Some("US".into()),
        ..QbAddress::default()
    }
}

/// An invoice of one widget to `customer`, shipped to Minneapolis.
pub(crate) fn sale(ref_number: &str, customer: &str) -> Sale {
    Sale {
        txn_type: TxnType::Invoice,
        txn_id: format!("TX-{ref_number}").replace(['%', ' '], "x"),
        edit_sequence: "1".into(),
        time_modified: "2026-03-02T10:00:00-08:00".into(),
        time_created: None,
        ref_number: Some(ref_number.into()),
        txn_date: NaiveDate::from_ymd_opt(2026, 3, 2),
        customer_list_id: Some(format!("LIST-{customer}")),
        customer_full_name: Some(customer.into()),
        class_name: None,
        bill_address: None,
        ship_address: Some(address("1000 Nicollet Mall", "Minneapolis", "MN", "55403")),
        po_number: None,
        ship_via: Some("UPS Ground".into()),
        ship_date: None,
        memo: None,
        other: None,
        subtotal: dec("25.00"),
        sales_tax_total: None,
        total: dec("25.00"),
        is_pending: None,
        lines: vec![SaleLine {
            txn_line_id: "L-1".into(),
            item_full_name: Some("Widget".into()),
            quantity: dec("2"),
            rate: dec("12.50"),
            amount: dec("25.00"),
            ..SaleLine::default()
        }],
        line_groups: vec![],
        data_ext: vec![],
        from_sales_orders: vec![],
    }
}

pub(crate) async fn seed_sale(db: &PgPool, tenant: Uuid, conn: Uuid, sale: &Sale) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO qb_sales (id, tenant_id, connection_id, txn_type, txn_id, edit_sequence, ref_number,
             txn_date, time_modified, customer_name, customer_list_id, snapshot, content_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, '\\x00')",
    )
    .bind(id)
    .bind(tenant)
    .bind(conn)
    .bind(sale.txn_type.as_str())
    .bind(&sale.txn_id)
    .bind(&sale.edit_sequence)
    .bind(&sale.ref_number)
    .bind(sale.txn_date)
    .bind(&sale.time_modified)
    .bind(&sale.customer_full_name)
    .bind(&sale.customer_list_id)
    .bind(serde_json::to_value(sale).expect("sale json"))
    .execute(db)
    .await
    .expect("seed sale");
    id
}

pub(crate) async fn seed_customer(db: &PgPool, tenant: Uuid, conn: Uuid, customer: &QbCustomer) {
    sqlx::query("INSERT INTO qb_customers (connection_id, tenant_id, list_id, snapshot) VALUES ($1, $2, $3, $4)")
        .bind(conn)
        .bind(tenant)
        .bind(&customer.list_id)
        .bind(serde_json::to_value(customer).expect("customer json"))
        .execute(db)
        .await
        .expect("seed customer");
}

/// A sale and its order in `status`, created and last updated `minutes_ago`; returns the order
/// id.
pub(crate) async fn seed_order(
    db: &PgPool,
    tenant: Uuid,
    conn: Uuid,
    sale: &Sale,
    status: &str,
    minutes_ago: i32,
) -> Uuid {
    let sale_id = seed_sale(db, tenant, conn, sale).await;
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO orders (id, tenant_id, connection_id, sale_id, status, order_key, push_requested_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, now() - interval '1 day', now() - $7 * interval '1 minute',
                 now() - $7 * interval '1 minute')",
    )
    .bind(id)
    .bind(tenant)
    .bind(conn)
    .bind(sale_id)
    .bind(status)
    .bind(shared::mapping::order_key(conn, &sale.txn_id))
    .bind(minutes_ago)
    .execute(db)
    .await
    .expect("seed order");
    id
}

pub(crate) async fn seed_event(
    db: &PgPool,
    tenant: Uuid,
    order: Uuid,
    minutes_ago: i32,
    kind: &str,
    message: &str,
) {
    sqlx::query(
        "INSERT INTO events (tenant_id, order_id, at, kind, message)
         VALUES ($1, $2, now() - $3 * interval '1 minute', $4, $5)",
    )
    .bind(tenant)
    .bind(order)
    .bind(minutes_ago)
    .bind(kind)
    .bind(message)
    .execute(db)
    .await
    .expect("seed event");
}

pub(crate) fn message(reply: &Reply) -> String {
    reply.body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

pub(crate) fn refs(body: &Value) -> Vec<String> {
    body["orders"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|o| o["ref_number"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}
