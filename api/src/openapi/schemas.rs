//! The JSON shapes of `/api/v1`, as the OpenAPI document describes them.
//!
//! The handlers build their answers with `serde_json::json!` and decode request bodies field by
//! field (so that a missing or mistyped field is a 422 naming it), so these types are the
//! documentation of those shapes rather than the types the handlers use. `tests/tests/openapi.rs`
//! keeps the two honest: it calls the real api and checks every answer against these schemas.
//!
//! Every property of an answer is always present; `Option` fields are `null` when empty, so they
//! are marked `required` and nullable.

// The fields are read by the OpenAPI derive only.
#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

/// Every 4xx/5xx answer of `/api/v1`.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable `snake_case` code (`validation_failed`, `not_found`, `unauthorized` ...).
    #[schema(example = "validation_failed")]
    pub code: String,
    /// A human sentence; for a 422 it starts with the offending field (`email: ...`).
    #[schema(example = "email: is not a valid email address")]
    pub message: String,
}

/// `POST /auth/signup`.
#[derive(Serialize, ToSchema)]
pub struct SignupRequest {
    #[schema(max_length = 200, example = "Acme Supplies")]
    pub company_name: String,
    #[schema(example = "owner@acme.example")]
    pub email: String,
    /// At least 12 characters.
    #[schema(min_length = 12)]
    pub password: String,
}

/// `POST /auth/login`.
#[derive(Serialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// `POST /auth/refresh` and `POST /auth/logout`.
#[derive(Serialize, ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// A user of a tenant.
#[derive(Serialize, ToSchema)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    /// `owner` for the user who signed up.
    #[schema(example = "owner")]
    pub role: String,
}

/// A tenant (one customer company).
#[derive(Serialize, ToSchema)]
pub struct Tenant {
    pub id: Uuid,
    pub name: String,
}

/// A new access token and refresh token. The refresh token is spent by `/auth/refresh`.
#[derive(Serialize, ToSchema)]
pub struct TokenPair {
    /// A JWT for `Authorization: Bearer`.
    pub access_token: String,
    pub refresh_token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

/// `201` of `/auth/signup`.
#[derive(Serialize, ToSchema)]
pub struct SignupResponse {
    pub tenant: Tenant,
    pub user: User,
    #[serde(flatten)]
    pub tokens: TokenPair,
}

/// `200` of `/auth/login`.
#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    pub tenant: Tenant,
    pub user: User,
    #[serde(flatten)]
    pub tokens: TokenPair,
}

/// `200` of `/me`.
#[derive(Serialize, ToSchema)]
pub struct MeResponse {
    pub user: User,
    pub tenant: Tenant,
}

/// `POST /connections`.
#[derive(Serialize, ToSchema)]
pub struct ConnectionCreate {
    #[schema(max_length = 200)]
    pub name: String,
    /// ShipStation API key; checked with ShipStation's `GET /stores` before saving.
    pub api_key: String,
    /// ShipStation API secret; stored encrypted, never returned.
    pub api_secret: String,
    /// Default `https://ssapi.shipstation.com`; the host must be in `SHIPSTATION_ALLOWED_HOSTS`.
    pub base_url: Option<String>,
}

/// `PATCH /connections/{id}`: any of the fields. Changed credentials are checked again.
#[derive(Serialize, ToSchema)]
pub struct ConnectionPatch {
    pub name: Option<String>,
    pub api_key: Option<String>,
    pub api_secret: Option<String>,
    pub base_url: Option<String>,
}

/// A tenant's ShipStation account and its QuickBooks company.
#[derive(Serialize, ToSchema)]
pub struct Connection {
    pub id: Uuid,
    pub name: String,
    pub base_url: String,
    /// The last four characters of the API key.
    pub api_key_last4: String,
    #[schema(example = "active")]
    pub status: String,
    pub created_at: DateTime<Utc>,
}

/// `201` of `POST /connections`: the connection and, this once, its ShipStation webhook URL.
#[derive(Serialize, ToSchema)]
pub struct ConnectionCreated {
    #[serde(flatten)]
    pub connection: Connection,
    /// The `SHIP_NOTIFY` URL subscribed in ShipStation. It carries the connection's secret
    /// token, which is stored hashed: it is shown only here.
    pub webhook_url: String,
}

/// `200` of `GET /connections`.
#[derive(Serialize, ToSchema)]
pub struct ConnectionList {
    pub connections: Vec<Connection>,
}

/// A ShipStation store of the connection's account.
#[derive(Serialize, ToSchema)]
pub struct Store {
    pub store_id: i64,
    #[schema(required = true)]
    pub store_name: Option<String>,
    #[schema(required = true)]
    pub marketplace_name: Option<String>,
}

/// `200` of `GET /connections/{id}/stores`.
#[derive(Serialize, ToSchema)]
pub struct StoreList {
    pub stores: Vec<Store>,
}

/// `201` of `POST /connections/{id}/qbwc`. The password is shown this once.
#[derive(Serialize, ToSchema)]
pub struct QbwcCredentials {
    pub username: String,
    pub password: String,
    /// `{PUBLIC_BASE_URL}/qbwc`, the Web Connector's AppURL.
    pub app_url: String,
    /// Where to download the .qwc file.
    pub qwc_url: String,
}

/// A QuickBooks transaction type.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TxnType {
    Invoice,
    SalesReceipt,
    SalesOrder,
}

/// What to do with a fractional quantity.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FractionalQuantities {
    Reject,
    RoundUp,
}

/// A connection's sync settings (the whole saved object).
#[derive(Serialize, ToSchema)]
pub struct SyncSettings {
    pub sync_orders_to_shipstation: bool,
    pub transaction_types: Vec<TxnType>,
    /// Only sales whose QuickBooks class (full name) equals it are sent.
    #[schema(required = true)]
    pub class_filter: Option<String>,
    /// ShipStation store for all sales; `null` means the account's "Manual Orders" store.
    #[schema(required = true)]
    pub store_id: Option<i64>,
    pub write_tracking_to_quickbooks: bool,
    pub write_shipping_cost_to_quickbooks: bool,
    #[schema(example = json!(["shipped"]))]
    pub export_order_statuses: Vec<String>,
    pub shipping_item_name: String,
    /// Sales modified before this date are never sent.
    pub sync_from: NaiveDate,
    pub fractional_quantities: FractionalQuantities,
    /// `memo`, `other` or `custom:<name>`.
    #[schema(example = "memo")]
    pub tracking_field: String,
}

/// `PUT /connections/{id}/settings`: the fields given replace the saved ones, the others are
/// kept. Unknown fields are 422.
#[derive(Serialize, ToSchema)]
pub struct SyncSettingsUpdate {
    pub sync_orders_to_shipstation: Option<bool>,
    pub transaction_types: Option<Vec<TxnType>>,
    pub class_filter: Option<String>,
    pub store_id: Option<i64>,
    pub write_tracking_to_quickbooks: Option<bool>,
    pub write_shipping_cost_to_quickbooks: Option<bool>,
    pub export_order_statuses: Option<Vec<String>>,
    pub shipping_item_name: Option<String>,
    pub sync_from: Option<NaiveDate>,
    pub fractional_quantities: Option<FractionalQuantities>,
    pub tracking_field: Option<String>,
}

/// A QuickBooks RefNumber given as text or as a number.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum RefNumber {
    Text(String),
    Number(i64),
}

/// Text like `"1001, 1002"` (commas, semicolons, spaces or newlines), or an array.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum OrderNumbers {
    Text(String),
    List(Vec<RefNumber>),
}

/// `POST /connections/{id}/test-sales`.
#[derive(Serialize, ToSchema)]
pub struct TestSalesRequest {
    pub order_numbers: OrderNumbers,
}

/// `202` of `POST /connections/{id}/test-sales`: the distinct numbers queued.
#[derive(Serialize, ToSchema)]
pub struct TestSalesAccepted {
    pub order_numbers: Vec<String>,
}

/// A condition operator.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConditionOp {
    Equals,
    NotEquals,
    Contains,
    StartsWith,
    In,
    Gt,
    Lt,
}

/// A condition on the QuickBooks sale (`customer_name`, `ship_to.state`, `total` ...).
#[derive(Serialize, ToSchema)]
pub struct Condition {
    pub field: String,
    pub op: ConditionOp,
    /// Text or a number; an array for `in`.
    #[schema(value_type = Value, required = true)]
    pub value: Value,
}

/// Sets a ShipStation order field by its ShipStation name (`orderStatus`,
/// `advancedOptions.storeId` ...).
#[derive(Serialize, ToSchema)]
pub struct Action {
    pub field: String,
    /// The value to set; `null` clears a text field.
    #[schema(value_type = Value, required = true)]
    pub value: Value,
}

/// A rule as created or replaced (`POST`, `PUT`).
#[derive(Serialize, ToSchema)]
pub struct RuleInput {
    pub name: String,
    /// Default `true`.
    pub enabled: Option<bool>,
    /// Rules apply in ascending priority. Default 0.
    pub priority: Option<i32>,
    /// All must hold; none means every sale.
    pub conditions: Option<Vec<Condition>>,
    pub actions: Option<Vec<Action>>,
}

/// A saved rule.
#[derive(Serialize, ToSchema)]
pub struct Rule {
    pub id: Uuid,
    pub name: String,
    pub enabled: bool,
    pub priority: i32,
    pub conditions: Vec<Condition>,
    pub actions: Vec<Action>,
}

/// `200` of `GET /connections/{id}/rules`.
#[derive(Serialize, ToSchema)]
pub struct RuleList {
    pub rules: Vec<Rule>,
}

/// `POST /connections/{id}/rules/preview`.
#[derive(Serialize, ToSchema)]
pub struct PreviewRequest {
    /// The QuickBooks RefNumber of a sale already received.
    pub ref_number: RefNumber,
}

/// The ShipStation V1 order (`POST /orders/createorder` body) a sale would be sent as, in
/// ShipStation's own field names; see ShipStation's API reference for every field. Open:
/// the document lists the fields always present (`additionalProperties: true`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShipStationOrder {
    pub order_number: String,
    pub order_key: String,
    pub order_date: String,
    #[schema(example = "awaiting_shipment")]
    pub order_status: String,
    #[schema(value_type = Object)]
    pub bill_to: Value,
    #[schema(value_type = Object)]
    pub ship_to: Value,
    #[schema(value_type = Vec<Object>)]
    pub items: Value,
}

/// Where an order is in its life.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Pending,
    Pushed,
    Failed,
    Shipped,
    WrittenBack,
    WriteBackFailed,
    Skipped,
}

/// A QuickBooks sale and what became of it in ShipStation.
#[derive(Serialize, ToSchema)]
pub struct Order {
    pub id: Uuid,
    pub txn_type: TxnType,
    /// QuickBooks TxnID.
    pub txn_id: String,
    #[schema(required = true)]
    pub ref_number: Option<String>,
    #[schema(required = true)]
    pub txn_date: Option<NaiveDate>,
    #[schema(required = true)]
    pub customer_name: Option<String>,
    pub status: OrderStatus,
    #[schema(required = true)]
    pub shipstation_order_id: Option<i64>,
    pub order_key: String,
    #[schema(required = true)]
    pub store_id: Option<i64>,
    pub tracking_numbers: Vec<String>,
    /// The label cost, once shipped.
    #[schema(required = true)]
    pub shipping_cost: Option<f64>,
    #[schema(required = true)]
    pub last_error: Option<String>,
    /// Why a `skipped` order was not sent.
    #[schema(required = true)]
    pub skip_reason: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// One entry of an order's history.
#[derive(Serialize, ToSchema)]
pub struct OrderEvent {
    pub at: DateTime<Utc>,
    #[schema(example = "pushed")]
    pub kind: String,
    pub message: String,
}

/// `200` of `GET /connections/{id}/orders/{order_id}`.
#[derive(Serialize, ToSchema)]
pub struct OrderDetail {
    #[serde(flatten)]
    pub order: Order,
    /// Oldest first.
    pub events: Vec<OrderEvent>,
}

/// `200` of `GET /connections/{id}/orders`.
#[derive(Serialize, ToSchema)]
pub struct OrderList {
    pub orders: Vec<Order>,
    pub page: i64,
    pub per_page: i64,
    /// Orders matching the filters, over all pages.
    pub total: i64,
}

/// A Web Connector run.
#[derive(Serialize, ToSchema)]
pub struct SyncRun {
    pub id: Uuid,
    pub started_at: DateTime<Utc>,
    #[schema(required = true)]
    pub ended_at: Option<DateTime<Utc>>,
    /// `running`, `completed`, `failed` or `abandoned`.
    #[schema(example = "completed")]
    pub status: String,
    pub sales_received: i32,
    pub requests_sent: i32,
    #[schema(required = true)]
    pub error: Option<String>,
}

/// `200` of `GET /connections/{id}/sync-runs` (newest first, the last 100).
#[derive(Serialize, ToSchema)]
pub struct SyncRunList {
    pub runs: Vec<SyncRun>,
}

/// Filters and page of `GET /connections/{id}/orders`. Empty values mean "not given".
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderListQuery {
    /// Only orders in this status.
    pub status: Option<OrderStatus>,
    /// Text searched in the RefNumber and the customer name.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// 1-based page, default 1.
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// Orders per page, 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}
