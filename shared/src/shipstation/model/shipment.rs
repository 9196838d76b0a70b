//! Shipments (labels bought in ShipStation) and fulfillments (orders marked shipped without a
//! ShipStation label). Unknown keys are ignored; every key may be `null`.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::number;
use super::parts::{Address, AdvancedOptions, Dimensions, InsuranceOptions, OrderItem, Weight};

/// `GET /shipments` envelope.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ShipmentsPage {
    /// Shipments on this page.
    #[serde(deserialize_with = "number::null_as_default")]
    pub shipments: Vec<Shipment>,
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

/// One label shipment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Shipment {
    /// Shipment id.
    pub shipment_id: i64,
    /// The order's ShipStation id.
    pub order_id: Option<i64>,
    /// The order key (Quayside's key for its orders).
    pub order_key: Option<String>,
    /// The order number.
    pub order_number: Option<String>,
    /// User who bought the label (GUID).
    pub user_id: Option<String>,
    /// Customer email.
    pub customer_email: Option<String>,
    /// Created (Pacific, no offset).
    pub create_date: Option<String>,
    /// Ship date (date only).
    pub ship_date: Option<String>,
    /// Postage cost.
    #[serde(with = "number::decimal_opt")]
    pub shipment_cost: Option<Decimal>,
    /// Insurance cost.
    #[serde(with = "number::decimal_opt")]
    pub insurance_cost: Option<Decimal>,
    /// Tracking number.
    pub tracking_number: Option<String>,
    /// Return label.
    #[serde(deserialize_with = "number::null_as_default")]
    pub is_return_label: bool,
    /// Batch number.
    pub batch_number: Option<String>,
    /// Carrier code.
    pub carrier_code: Option<String>,
    /// Service code.
    pub service_code: Option<String>,
    /// Package code.
    pub package_code: Option<String>,
    /// Delivery confirmation.
    pub confirmation: Option<String>,
    /// Ship-from location.
    pub warehouse_id: Option<i64>,
    /// Voided label: ignore it for tracking and cost.
    #[serde(deserialize_with = "number::null_as_default")]
    pub voided: bool,
    /// When it was voided.
    pub void_date: Option<String>,
    /// Marketplace notified.
    pub marketplace_notified: Option<bool>,
    /// Marketplace notification error.
    pub notify_error_message: Option<String>,
    /// Ship-to.
    pub ship_to: Option<Address>,
    /// Weight.
    pub weight: Option<Weight>,
    /// Dimensions.
    pub dimensions: Option<Dimensions>,
    /// Insurance options.
    pub insurance_options: Option<InsuranceOptions>,
    /// Only billing fields and `storeId`, or `null`.
    pub advanced_options: Option<AdvancedOptions>,
    /// Items, when `includeShipmentItems=true`.
    pub shipment_items: Option<Vec<OrderItem>>,
    /// Label (null on list calls).
    pub label_data: Option<String>,
    /// Forms (null on list calls).
    pub form_data: Option<String>,
}

impl Shipment {
    /// What the label cost: `shipmentCost + insuranceCost` (missing parts count as 0).
    pub fn total_cost(&self) -> Decimal {
        self.shipment_cost.unwrap_or_default() + self.insurance_cost.unwrap_or_default()
    }
}

/// `GET /fulfillments` envelope.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FulfillmentsPage {
    /// Fulfillments on this page.
    #[serde(deserialize_with = "number::null_as_default")]
    pub fulfillments: Vec<Fulfillment>,
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

/// An order marked shipped outside a ShipStation label (tracking, no postage cost).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Fulfillment {
    /// Fulfillment id.
    pub fulfillment_id: i64,
    /// The order's ShipStation id.
    pub order_id: Option<i64>,
    /// The order number.
    pub order_number: Option<String>,
    /// User (GUID).
    pub user_id: Option<String>,
    /// Customer email.
    pub customer_email: Option<String>,
    /// Tracking number.
    pub tracking_number: Option<String>,
    /// Created.
    pub create_date: Option<String>,
    /// Ship date.
    pub ship_date: Option<String>,
    /// Void date.
    pub void_date: Option<String>,
    /// Delivery date.
    pub delivery_date: Option<String>,
    /// Carrier (display-style values such as `USPS` are seen).
    pub carrier_code: Option<String>,
    /// Fulfillment provider.
    pub fulfillment_provider_code: Option<String>,
    /// Fulfillment service.
    pub fulfillment_service_code: Option<String>,
    /// Fee.
    #[serde(with = "number::decimal_opt")]
    pub fulfillment_fee: Option<Decimal>,
    /// Void requested.
    pub void_requested: Option<bool>,
    /// Voided.
    #[serde(deserialize_with = "number::null_as_default")]
    pub voided: bool,
    /// Marketplace notified.
    pub marketplace_notified: Option<bool>,
    /// Notification error.
    pub notify_error_message: Option<String>,
    /// Ship-to.
    pub ship_to: Option<Address>,
}
