//! Label shipments, fulfillments and `markasshipped` (§4). Work in progress.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use serde_json::Value;

use super::dispatch::Ctx;
use super::model::{num, Address, Dimensions, InsuranceOptions, OrderItem, Weight};
use super::reply::Reply;

/// A label shipment, shaped like `GET /shipments` rows.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Shipment {
    pub shipment_id: i64,
    pub order_id: i64,
    pub order_key: Option<String>,
    pub user_id: Option<String>,
    pub customer_email: Option<String>,
    pub order_number: Option<String>,
    pub create_date: String,
    pub ship_date: String,
    #[serde(serialize_with = "num::plain")]
    pub shipment_cost: f64,
    #[serde(serialize_with = "num::plain")]
    pub insurance_cost: f64,
    pub tracking_number: String,
    pub is_return_label: bool,
    pub batch_number: Option<String>,
    pub carrier_code: String,
    pub service_code: Option<String>,
    pub package_code: Option<String>,
    pub confirmation: Option<String>,
    pub warehouse_id: Option<i64>,
    pub voided: bool,
    pub void_date: Option<String>,
    pub marketplace_notified: bool,
    pub notify_error_message: Option<String>,
    pub ship_to: Option<Address>,
    pub weight: Option<Weight>,
    pub dimensions: Option<Dimensions>,
    pub insurance_options: Option<InsuranceOptions>,
    pub advanced_options: Option<Value>,
    pub shipment_items: Option<Vec<OrderItem>>,
    pub label_data: Option<String>,
    pub form_data: Option<String>,
    /// Internal: creation time (Pacific).
    #[serde(skip)]
    pub created: NaiveDateTime,
    /// Internal: ship date.
    #[serde(skip)]
    pub shipped_on: NaiveDate,
    /// Internal: void time.
    #[serde(skip)]
    pub voided_at: Option<NaiveDateTime>,
    /// Internal: store of the order.
    #[serde(skip)]
    pub store_id: i64,
    /// Internal: label batch (`batchId` filter).
    #[serde(skip)]
    pub batch_id: i64,
}

/// A fulfillment (order marked shipped without a ShipStation label).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fulfillment {
    pub fulfillment_id: i64,
    pub order_id: i64,
    pub order_number: Option<String>,
    pub user_id: Option<String>,
    pub customer_email: Option<String>,
    pub tracking_number: Option<String>,
    pub create_date: String,
    pub ship_date: String,
    pub void_date: Option<String>,
    pub delivery_date: Option<String>,
    pub carrier_code: Option<String>,
    pub fulfillment_provider_code: Option<String>,
    pub fulfillment_service_code: Option<String>,
    #[serde(serialize_with = "num::plain")]
    pub fulfillment_fee: f64,
    pub void_requested: bool,
    pub voided: bool,
    pub marketplace_notified: bool,
    pub notify_error_message: Option<String>,
    pub ship_to: Option<Address>,
    /// Internal: creation time (Pacific).
    #[serde(skip)]
    pub created: NaiveDateTime,
    /// Internal: ship date.
    #[serde(skip)]
    pub shipped_on: NaiveDate,
}

/// `GET /shipments`.
pub fn list(ctx: &Ctx<'_>) -> Reply {
    ctx.no_route()
}
/// `GET /fulfillments`.
pub fn list_fulfillments(ctx: &Ctx<'_>) -> Reply {
    ctx.no_route()
}
/// `POST /orders/markasshipped`.
pub fn mark_as_shipped(ctx: &Ctx<'_>) -> Reply {
    ctx.no_route()
}
