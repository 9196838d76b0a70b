//! The building blocks of orders and shipments: address, item, weight, options.
//!
//! Every field is optional (or defaults on `null`) so that ShipStation's responses, which
//! carry every key with `null` for "empty", always parse. Read-only fields that only appear in
//! responses (`addressVerified`, `orderItemId` ...) are left out when `None`.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::number;

/// A postal address (`billTo`, `shipTo`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Address {
    /// Recipient name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Company.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// First street line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street1: Option<String>,
    /// Second street line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street2: Option<String>,
    /// Third street line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street3: Option<String>,
    /// City.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// State or province.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Postal code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Two-letter ISO 3166-1 country code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Residential flag (ShipStation may recompute it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub residential: Option<bool>,
    /// Read-only: the address validation result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_verified: Option<String>,
}

/// An item option (`{"name": "Size", "value": "Large"}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ItemOption {
    /// Option name.
    #[serde(deserialize_with = "number::null_as_default")]
    pub name: String,
    /// Option value.
    #[serde(deserialize_with = "number::null_as_default")]
    pub value: String,
}

/// An order line (`items[]`), also used for `shipmentItems[]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OrderItem {
    /// Read-only id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_item_id: Option<i64>,
    /// The line's key in the source system (QuickBooks `TxnLineID`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_item_key: Option<String>,
    /// SKU.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// Name; ShipStation does not accept `null`.
    #[serde(deserialize_with = "number::null_as_default")]
    pub name: String,
    /// Image URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// Weight of one unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<Weight>,
    /// Whole units.
    #[serde(deserialize_with = "number::null_as_default")]
    pub quantity: i64,
    /// Price of one unit.
    #[serde(with = "number::decimal_opt", skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<Decimal>,
    /// Tax per unit.
    #[serde(with = "number::decimal_opt", skip_serializing_if = "Option::is_none")]
    pub tax_amount: Option<Decimal>,
    /// Shipping per unit.
    #[serde(with = "number::decimal_opt", skip_serializing_if = "Option::is_none")]
    pub shipping_amount: Option<Decimal>,
    /// Bin / shelf.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warehouse_location: Option<String>,
    /// Options (size, colour, Quayside's "QuickBooks quantity" ...).
    #[serde(deserialize_with = "number::null_as_default")]
    pub options: Vec<ItemOption>,
    /// ShipStation product id (re-matched by SKU on their side).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_id: Option<i64>,
    /// Fulfillment SKU.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fulfillment_sku: Option<String>,
    /// True for non-physical lines (discounts, surcharges).
    #[serde(deserialize_with = "number::null_as_default")]
    pub adjustment: bool,
    /// UPC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upc: Option<String>,
    /// Read-only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_date: Option<String>,
    /// Read-only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modify_date: Option<String>,
}

/// A weight (`{"value": 24, "units": "ounces"}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Weight {
    /// The amount.
    #[serde(with = "number::decimal_opt")]
    pub value: Option<Decimal>,
    /// `pounds`, `ounces` or `grams`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub units: Option<String>,
    /// Read-only integer unit code seen in live responses (`"WeightUnits": 1`).
    #[serde(rename = "WeightUnits", skip_serializing_if = "Option::is_none")]
    pub weight_units: Option<i64>,
}

/// Package dimensions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Dimensions {
    /// `inches` or `centimeters`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub units: Option<String>,
    /// Length.
    #[serde(with = "number::decimal_opt")]
    pub length: Option<Decimal>,
    /// Width.
    #[serde(with = "number::decimal_opt")]
    pub width: Option<Decimal>,
    /// Height.
    #[serde(with = "number::decimal_opt")]
    pub height: Option<Decimal>,
}

/// Insurance options.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InsuranceOptions {
    /// `carrier`, `shipsurance`, ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Whether to insure.
    #[serde(deserialize_with = "number::null_as_default")]
    pub insure_shipment: bool,
    /// The insured value.
    #[serde(with = "number::decimal_opt")]
    pub insured_value: Option<Decimal>,
}

/// Customs information.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InternationalOptions {
    /// `merchandise`, `documents`, `gift`, `returned_goods`, `sample`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contents: Option<String>,
    /// Customs lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customs_items: Option<Vec<CustomsItem>>,
    /// `return_to_sender` or `treat_as_abandoned`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub non_delivery: Option<String>,
}

/// One customs line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CustomsItem {
    /// Read-only id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customs_item_id: Option<i64>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Quantity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
    /// Declared value.
    #[serde(with = "number::decimal_opt", skip_serializing_if = "Option::is_none")]
    pub value: Option<Decimal>,
    /// HS code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub harmonized_tariff_code: Option<String>,
    /// Two-letter ISO country of origin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_of_origin: Option<String>,
}

/// `advancedOptions`: store, warehouse, custom fields, third-party billing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AdvancedOptions {
    /// Ship-from location.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warehouse_id: Option<i64>,
    /// Non-machinable package.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub non_machinable: Option<bool>,
    /// Saturday delivery.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saturday_delivery: Option<bool>,
    /// Contains alcohol.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contains_alcohol: Option<bool>,
    /// Read-only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_or_split: Option<bool>,
    /// Read-only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_ids: Option<Vec<i64>>,
    /// Read-only: the parent of a split order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<i64>,
    /// Store; only settable at creation; `None` = the account's first manual store.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_id: Option<i64>,
    /// Custom field 1 (Quayside: the QuickBooks class).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_field1: Option<String>,
    /// Custom field 2 (Quayside: the QuickBooks PO number).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_field2: Option<String>,
    /// Custom field 3 (free for rules).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_field3: Option<String>,
    /// Order source (Quayside: `QuickBooks`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// `my_account`, `my_other_account`, `recipient` or `third_party`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bill_to_party: Option<String>,
    /// Account number of the billed party.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bill_to_account: Option<String>,
    /// Postal code of the billed party.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bill_to_postal_code: Option<String>,
    /// Two-letter country of the billed party.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bill_to_country_code: Option<String>,
    /// Seen in live responses; type undocumented, so kept as raw JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bill_to_my_other_account: Option<serde_json::Value>,
}
