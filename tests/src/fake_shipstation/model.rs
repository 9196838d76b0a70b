//! The V1 Order model (§3.4). One type serves as request and response: every field is
//! optional on input and every key is echoed (as `null` when empty) on output.

use serde::{Deserialize, Serialize};

/// Serialisers that print whole numbers without a fraction (`5`, not `5.0`), like the captures.
pub mod num {
    use serde::Serializer;

    /// Serialises an `f64`.
    pub fn plain<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        if x.fract() == 0.0 && x.abs() < 1e15 {
            s.serialize_i64(*x as i64)
        } else {
            s.serialize_f64(*x)
        }
    }

    /// Serialises an `Option<f64>`.
    pub fn opt<S: Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        match x {
            Some(v) => plain(v, s),
            None => s.serialize_none(),
        }
    }
}

/// Address (billTo / shipTo).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Address {
    pub name: Option<String>,
    pub company: Option<String>,
    pub street1: Option<String>,
    pub street2: Option<String>,
    pub street3: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub phone: Option<String>,
    pub residential: Option<bool>,
    pub address_verified: Option<String>,
}

/// Weight of an order or of one unit of an item.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Weight {
    #[serde(serialize_with = "num::opt")]
    pub value: Option<f64>,
    pub units: Option<String>,
    /// Live-only integer (`1` for ounces in the capture; other values are a guess).
    #[serde(rename = "WeightUnits")]
    pub weight_units: Option<i64>,
}

/// Package dimensions.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Dimensions {
    pub units: Option<String>,
    #[serde(serialize_with = "num::opt")]
    pub length: Option<f64>,
    #[serde(serialize_with = "num::opt")]
    pub width: Option<f64>,
    #[serde(serialize_with = "num::opt")]
    pub height: Option<f64>,
}

/// Item option (`{"name":"Size","value":"Large"}`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ItemOption {
    pub name: Option<String>,
    pub value: Option<String>,
}

/// OrderItem.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct OrderItem {
    pub order_item_id: Option<i64>,
    pub line_item_key: Option<String>,
    pub sku: Option<String>,
    pub name: Option<String>,
    pub image_url: Option<String>,
    pub weight: Option<Weight>,
    #[serde(serialize_with = "num::opt")]
    pub quantity: Option<f64>,
    #[serde(serialize_with = "num::opt")]
    pub unit_price: Option<f64>,
    #[serde(serialize_with = "num::opt")]
    pub tax_amount: Option<f64>,
    #[serde(serialize_with = "num::opt")]
    pub shipping_amount: Option<f64>,
    pub warehouse_location: Option<String>,
    pub options: Option<Vec<ItemOption>>,
    pub product_id: Option<i64>,
    pub fulfillment_sku: Option<String>,
    pub adjustment: Option<bool>,
    pub upc: Option<String>,
    pub create_date: Option<String>,
    pub modify_date: Option<String>,
}

/// InsuranceOptions.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct InsuranceOptions {
    pub provider: Option<String>,
    pub insure_shipment: Option<bool>,
    #[serde(serialize_with = "num::opt")]
    pub insured_value: Option<f64>,
}

/// One customs line.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct CustomsItem {
    pub customs_item_id: Option<i64>,
    pub description: Option<String>,
    #[serde(serialize_with = "num::opt")]
    pub quantity: Option<f64>,
    #[serde(serialize_with = "num::opt")]
    pub value: Option<f64>,
    pub harmonized_tariff_code: Option<String>,
    pub country_of_origin: Option<String>,
}

/// InternationalOptions.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct InternationalOptions {
    pub contents: Option<String>,
    pub customs_items: Option<Vec<CustomsItem>>,
    pub non_delivery: Option<String>,
}

/// AdvancedOptions.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct AdvancedOptions {
    pub warehouse_id: Option<i64>,
    pub non_machinable: Option<bool>,
    pub saturday_delivery: Option<bool>,
    pub contains_alcohol: Option<bool>,
    pub merged_or_split: Option<bool>,
    pub merged_ids: Option<Vec<i64>>,
    pub parent_id: Option<i64>,
    pub store_id: Option<i64>,
    pub custom_field1: Option<String>,
    pub custom_field2: Option<String>,
    pub custom_field3: Option<String>,
    pub source: Option<String>,
    pub bill_to_party: Option<String>,
    pub bill_to_account: Option<String>,
    pub bill_to_postal_code: Option<String>,
    pub bill_to_country_code: Option<String>,
    pub bill_to_my_other_account: Option<String>,
}

/// The Order resource.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Order {
    pub order_id: Option<i64>,
    pub order_number: Option<String>,
    pub order_key: Option<String>,
    pub order_date: Option<String>,
    pub create_date: Option<String>,
    pub modify_date: Option<String>,
    pub payment_date: Option<String>,
    pub ship_by_date: Option<String>,
    pub order_status: Option<String>,
    pub customer_id: Option<i64>,
    pub customer_username: Option<String>,
    pub customer_email: Option<String>,
    pub bill_to: Option<Address>,
    pub ship_to: Option<Address>,
    pub items: Option<Vec<OrderItem>>,
    #[serde(serialize_with = "num::opt")]
    pub order_total: Option<f64>,
    #[serde(serialize_with = "num::opt")]
    pub amount_paid: Option<f64>,
    #[serde(serialize_with = "num::opt")]
    pub tax_amount: Option<f64>,
    #[serde(serialize_with = "num::opt")]
    pub shipping_amount: Option<f64>,
    pub customer_notes: Option<String>,
    pub internal_notes: Option<String>,
    pub gift: Option<bool>,
    pub gift_message: Option<String>,
    pub payment_method: Option<String>,
    pub requested_shipping_service: Option<String>,
    pub carrier_code: Option<String>,
    pub service_code: Option<String>,
    pub package_code: Option<String>,
    pub confirmation: Option<String>,
    pub ship_date: Option<String>,
    pub hold_until_date: Option<String>,
    pub weight: Option<Weight>,
    pub dimensions: Option<Dimensions>,
    pub insurance_options: Option<InsuranceOptions>,
    pub international_options: Option<InternationalOptions>,
    pub advanced_options: Option<AdvancedOptions>,
    pub tag_ids: Option<Vec<i64>>,
    pub user_id: Option<String>,
    pub externally_fulfilled: Option<bool>,
    pub externally_fulfilled_by: Option<String>,
    pub label_messages: Option<String>,
}

/// Order statuses the V1 API accepts (newer docs add `rejected_fulfillment`).
pub const ORDER_STATUSES: [&str; 7] = [
    "awaiting_payment",
    "awaiting_shipment",
    "pending_fulfillment",
    "shipped",
    "on_hold",
    "cancelled",
    "rejected_fulfillment",
];

/// Statuses in which an order may still be updated.
pub fn is_open(status: &str) -> bool {
    matches!(
        status,
        "awaiting_payment" | "awaiting_shipment" | "pending_fulfillment" | "on_hold"
    )
}

/// `WeightUnits` integer for a unit name (`ounces` = 1 per the capture; the rest are guesses).
pub fn weight_units_code(units: Option<&str>) -> Option<i64> {
    match units?.to_ascii_lowercase().as_str() {
        "pounds" => Some(2),
        "ounces" => Some(1),
        "grams" => Some(3),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn sample_request_deserialises_and_every_key_is_echoed() {
        let raw = include_str!("fixtures/order-create-request.json");
        let order: Order = serde_json::from_str(raw).expect("sample parses");
        assert_eq!(order.order_number.as_deref(), Some("TEST-ORDER-API-DOCS"));
        let out = serde_json::to_value(&order).expect("serialises");
        assert_eq!(out["labelMessages"], Value::Null);
        assert_eq!(out["taxAmount"].to_string(), "5");
        assert!(out["advancedOptions"].get("billToMyOtherAccount").is_some());
        assert!(out["weight"].get("WeightUnits").is_some());
    }

    #[test]
    fn booleans_sent_as_numbers_are_rejected() {
        let err = serde_json::from_str::<Order>(r#"{"gift": 0}"#);
        assert!(err.is_err());
    }
}
