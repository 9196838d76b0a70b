//! The V1 order as sent to `POST /orders/createorder` and `POST /orders/createorders`.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::number;
use super::parts::{
    Address, AdvancedOptions, Dimensions, InsuranceOptions, InternationalOptions, OrderItem, Weight,
};

/// An order status (`orderStatus`).
///
/// `Unknown` only appears when reading: it absorbs statuses ShipStation may add later, so a
/// listing never fails on one odd order. Never send it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// `awaiting_payment`
    AwaitingPayment,
    /// `awaiting_shipment`: the default for orders Quayside sends.
    #[default]
    AwaitingShipment,
    /// `pending_fulfillment`
    PendingFulfillment,
    /// `shipped` (locked: ShipStation refuses updates).
    Shipped,
    /// `on_hold`
    OnHold,
    /// `cancelled` (locked: ShipStation refuses updates).
    Cancelled,
    /// `rejected_fulfillment` (newer docs only).
    RejectedFulfillment,
    /// Any other value ShipStation returns.
    #[serde(other)]
    Unknown,
}

impl OrderStatus {
    /// Every status with a ShipStation name (all but `Unknown`).
    pub const ALL: [OrderStatus; 7] = [
        OrderStatus::AwaitingPayment,
        OrderStatus::AwaitingShipment,
        OrderStatus::PendingFulfillment,
        OrderStatus::Shipped,
        OrderStatus::OnHold,
        OrderStatus::Cancelled,
        OrderStatus::RejectedFulfillment,
    ];

    /// ShipStation's name (`awaiting_shipment` ...); `unknown` for `Unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::AwaitingPayment => "awaiting_payment",
            OrderStatus::AwaitingShipment => "awaiting_shipment",
            OrderStatus::PendingFulfillment => "pending_fulfillment",
            OrderStatus::Shipped => "shipped",
            OrderStatus::OnHold => "on_hold",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::RejectedFulfillment => "rejected_fulfillment",
            OrderStatus::Unknown => "unknown",
        }
    }

    /// Parses ShipStation's name; `None` for anything else (including `unknown`).
    pub fn parse(s: &str) -> Option<OrderStatus> {
        OrderStatus::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Whether ShipStation still accepts updates to an order in this status.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            OrderStatus::AwaitingPayment
                | OrderStatus::AwaitingShipment
                | OrderStatus::OnHold
                | OrderStatus::PendingFulfillment
        )
    }
}

/// A ShipStation V1 order, as sent to `createorder`/`createorders`.
///
/// **`None` fields are left out of the JSON, and that still clears them.** ShipStation's
/// create/update is a full replace keyed by `orderKey`: a field that is missing is *not*
/// merged from the stored order, it ends up empty, exactly as if `null` had been sent
/// (ASP.NET's JSON binder treats a missing property and `null` the same way). So this type must
/// always describe the whole order — build it from the sale every time, never as a patch.
/// Leaving `None` out rather than writing `null` keeps the payload small and avoids sending
/// `null` into properties that ShipStation types as non-nullable (booleans such as `gift`),
/// which its model binder can reject with a `400 ModelState` error.
///
/// `storeId` can only be set when the order is created; ShipStation ignores a change later.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Order {
    /// Only for updating a split or merged order; never send it on create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<i64>,
    /// Required; at most 50 characters; not unique.
    pub order_number: String,
    /// Makes the call an upsert; unique per order; can only be set at creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_key: Option<String>,
    /// Required. Pacific time, no offset: `2015-06-29T08:46:27.0000000`.
    pub order_date: String,
    /// When the order was paid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_date: Option<String>,
    /// The date the order should ship by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ship_by_date: Option<String>,
    /// Required.
    pub order_status: OrderStatus,
    /// The customer's id in the source system (needed for ShipStation's customer profile).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_username: Option<String>,
    /// The customer's email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_email: Option<String>,
    /// Required.
    #[serde(deserialize_with = "number::null_as_default")]
    pub bill_to: Address,
    /// Required.
    #[serde(deserialize_with = "number::null_as_default")]
    pub ship_to: Address,
    /// The line items.
    #[serde(deserialize_with = "number::null_as_default")]
    pub items: Vec<OrderItem>,
    /// Amount paid.
    #[serde(with = "number::decimal_opt", skip_serializing_if = "Option::is_none")]
    pub amount_paid: Option<Decimal>,
    /// Order-level tax.
    #[serde(with = "number::decimal_opt", skip_serializing_if = "Option::is_none")]
    pub tax_amount: Option<Decimal>,
    /// Order-level shipping charged to the customer.
    #[serde(with = "number::decimal_opt", skip_serializing_if = "Option::is_none")]
    pub shipping_amount: Option<Decimal>,
    /// Notes from the customer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_notes: Option<String>,
    /// Private notes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal_notes: Option<String>,
    /// Whether the order is a gift.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gift: Option<bool>,
    /// Gift message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gift_message: Option<String>,
    /// Payment method, free text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<String>,
    /// The shipping service the customer chose, free text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_shipping_service: Option<String>,
    /// Carrier code (`fedex`, `stamps_com` ...); must match `serviceCode`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carrier_code: Option<String>,
    /// Service code (`fedex_2day` ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_code: Option<String>,
    /// Package code (`package` ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package_code: Option<String>,
    /// `none`, `delivery`, `signature`, `adult_signature` or `direct_signature`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<String>,
    /// Date only: `2015-07-02`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ship_date: Option<String>,
    /// Date only; the order is `on_hold` until then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hold_until_date: Option<String>,
    /// Total weight.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<Weight>,
    /// Package dimensions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<Dimensions>,
    /// Insurance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insurance_options: Option<InsuranceOptions>,
    /// Customs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub international_options: Option<InternationalOptions>,
    /// Store, custom fields, third-party billing ...
    #[serde(deserialize_with = "number::null_as_default")]
    pub advanced_options: AdvancedOptions,
    /// Tag ids (ShipStation drops unknown ones).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag_ids: Option<Vec<i64>>,
}
