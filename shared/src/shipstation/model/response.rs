//! What ShipStation returns for orders and stores. Unknown keys are ignored; every key may be
//! `null`.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::number;
use super::order::OrderStatus;
use super::parts::{
    Address, AdvancedOptions, Dimensions, InsuranceOptions, InternationalOptions, OrderItem, Weight,
};

/// `POST /orders/createorders` response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateOrdersResponse {
    /// True when any element failed.
    #[serde(deserialize_with = "number::null_as_default")]
    pub has_errors: bool,
    /// One result per posted order, in order.
    #[serde(deserialize_with = "number::null_as_default")]
    pub results: Vec<CreateOrderResult>,
}

/// One element of [`CreateOrdersResponse::results`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateOrderResult {
    /// ShipStation's id (absent or 0 when the element failed).
    pub order_id: Option<i64>,
    /// The order number sent.
    pub order_number: Option<String>,
    /// The order key (sent or generated).
    pub order_key: Option<String>,
    /// Whether this element was stored.
    #[serde(deserialize_with = "number::null_as_default")]
    pub success: bool,
    /// Why it failed; `null` on success.
    pub error_message: Option<String>,
}

/// An order as ShipStation returns it (`createorder`, `GET /orders/{id}`, `GET /orders`).
///
/// Top-level `None`s are written as `null`, as ShipStation does.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OrderOut {
    /// ShipStation's id.
    pub order_id: i64,
    /// Order number.
    pub order_number: Option<String>,
    /// Order key.
    pub order_key: Option<String>,
    /// Order date (Pacific, no offset).
    pub order_date: Option<String>,
    /// Created in ShipStation (Pacific, no offset).
    pub create_date: Option<String>,
    /// Last modified in ShipStation (Pacific, no offset).
    pub modify_date: Option<String>,
    /// Payment date.
    pub payment_date: Option<String>,
    /// Ship-by date.
    pub ship_by_date: Option<String>,
    /// Status.
    pub order_status: Option<OrderStatus>,
    /// ShipStation's customer id.
    pub customer_id: Option<i64>,
    /// Customer username.
    pub customer_username: Option<String>,
    /// Customer email.
    pub customer_email: Option<String>,
    /// Bill-to.
    pub bill_to: Option<Address>,
    /// Ship-to (possibly normalised by address validation).
    pub ship_to: Option<Address>,
    /// Items.
    #[serde(deserialize_with = "number::null_as_default")]
    pub items: Vec<OrderItem>,
    /// Σ(quantity × unitPrice) + taxAmount + shippingAmount, computed by ShipStation.
    #[serde(with = "number::decimal_opt")]
    pub order_total: Option<Decimal>,
    /// Amount paid.
    #[serde(with = "number::decimal_opt")]
    pub amount_paid: Option<Decimal>,
    /// Tax.
    #[serde(with = "number::decimal_opt")]
    pub tax_amount: Option<Decimal>,
    /// Shipping charged.
    #[serde(with = "number::decimal_opt")]
    pub shipping_amount: Option<Decimal>,
    /// Customer notes.
    pub customer_notes: Option<String>,
    /// Internal notes.
    pub internal_notes: Option<String>,
    /// Gift flag.
    pub gift: Option<bool>,
    /// Gift message.
    pub gift_message: Option<String>,
    /// Payment method.
    pub payment_method: Option<String>,
    /// Requested shipping service.
    pub requested_shipping_service: Option<String>,
    /// Carrier code.
    pub carrier_code: Option<String>,
    /// Service code.
    pub service_code: Option<String>,
    /// Package code.
    pub package_code: Option<String>,
    /// Delivery confirmation.
    pub confirmation: Option<String>,
    /// Ship date (date only).
    pub ship_date: Option<String>,
    /// Hold-until date.
    pub hold_until_date: Option<String>,
    /// Weight.
    pub weight: Option<Weight>,
    /// Dimensions.
    pub dimensions: Option<Dimensions>,
    /// Insurance.
    pub insurance_options: Option<InsuranceOptions>,
    /// Customs.
    pub international_options: Option<InternationalOptions>,
    /// Advanced options (`storeId` ...).
    pub advanced_options: Option<AdvancedOptions>,
    /// Tag ids.
    pub tag_ids: Option<Vec<i64>>,
    /// Assigned user (GUID).
    pub user_id: Option<String>,
    /// Fulfilled outside ShipStation.
    pub externally_fulfilled: Option<bool>,
    /// By whom.
    pub externally_fulfilled_by: Option<String>,
}

impl OrderOut {
    /// `advancedOptions.storeId`, when present.
    pub fn store_id(&self) -> Option<i64> {
        self.advanced_options.as_ref().and_then(|a| a.store_id)
    }
}

/// `GET /orders` envelope.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrdersPage {
    /// The orders on this page.
    #[serde(deserialize_with = "number::null_as_default")]
    pub orders: Vec<OrderOut>,
    /// Total matches.
    #[serde(deserialize_with = "number::null_as_default")]
    pub total: i64,
    /// This page (1-based).
    #[serde(deserialize_with = "number::null_as_default")]
    pub page: i64,
    /// Page count; can be 0 even with results.
    #[serde(deserialize_with = "number::null_as_default")]
    pub pages: i64,
}

/// A store, from `GET /stores` (a bare JSON array of these) or `GET /stores/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Store {
    /// Store id.
    pub store_id: i64,
    /// Store name (`Manual Orders` ...).
    pub store_name: Option<String>,
    /// Marketplace id; 0 for ShipStation's manual stores.
    pub marketplace_id: Option<i64>,
    /// Marketplace name (`ShipStation` for manual stores).
    pub marketplace_name: Option<String>,
    /// Account name.
    pub account_name: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Integration URL.
    pub integration_url: Option<String>,
    /// Active flag.
    pub active: Option<bool>,
    /// Company name.
    pub company_name: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Public email.
    pub public_email: Option<String>,
    /// Website.
    pub website: Option<String>,
    /// Last refresh.
    pub refresh_date: Option<String>,
    /// Last refresh attempt.
    pub last_refresh_attempt: Option<String>,
    /// Created.
    pub create_date: Option<String>,
    /// Modified.
    pub modify_date: Option<String>,
    /// Auto refresh.
    pub auto_refresh: Option<bool>,
    /// Status mappings (only on `GET /stores/{id}`).
    pub status_mappings: Option<Vec<StatusMapping>>,
}

impl Store {
    /// A ShipStation manual store (where API orders without `storeId` land): identified by
    /// `marketplaceId == 0` or `marketplaceName == "ShipStation"`, never by name.
    pub fn is_manual(&self) -> bool {
        self.marketplace_id == Some(0) || self.marketplace_name.as_deref() == Some("ShipStation")
    }
}

/// A store's status mapping.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StatusMapping {
    /// ShipStation status.
    pub order_status: Option<String>,
    /// The marketplace's status key.
    pub status_key: Option<String>,
}
