//! Action fields (what a rule can set on the ShipStation order), their values, and applying
//! them.

use serde_json::Value;

use crate::mapping::country::country_code;
use crate::shipstation::model::{Order, OrderStatus};

use super::fields::named_enum;

named_enum!(
    /// ShipStation order fields a rule can set, by their ShipStation names.
    ActionField {
        /// One of [`RULE_ORDER_STATUSES`].
        OrderStatus = "orderStatus",
        /// Store id (only takes effect when the order is created).
        StoreId = "advancedOptions.storeId",
        /// Ship-from location id.
        WarehouseId = "advancedOptions.warehouseId",
        /// `my_account`, `my_other_account`, `recipient` or `third_party`.
        BillToParty = "advancedOptions.billToParty",
        /// Billed party's account number.
        BillToAccount = "advancedOptions.billToAccount",
        /// Billed party's postal code.
        BillToPostalCode = "advancedOptions.billToPostalCode",
        /// Billed party's country (any name or code; stored as ISO alpha-2).
        BillToCountryCode = "advancedOptions.billToCountryCode",
        /// Custom field 1 (the mapping puts the QuickBooks class here).
        CustomField1 = "advancedOptions.customField1",
        /// Custom field 2 (the mapping puts the PO number here).
        CustomField2 = "advancedOptions.customField2",
        /// Custom field 3.
        CustomField3 = "advancedOptions.customField3",
        /// Non-machinable flag.
        NonMachinable = "advancedOptions.nonMachinable",
        /// Saturday delivery flag.
        SaturdayDelivery = "advancedOptions.saturdayDelivery",
        /// Contains-alcohol flag.
        ContainsAlcohol = "advancedOptions.containsAlcohol",
        /// Requested shipping service (free text).
        RequestedShippingService = "requestedShippingService",
        /// Carrier code (`fedex`, `ups` ...).
        CarrierCode = "carrierCode",
        /// Service code (`fedex_2day` ...).
        ServiceCode = "serviceCode",
        /// Package code (`package` ...).
        PackageCode = "packageCode",
        /// One of [`CONFIRMATIONS`].
        Confirmation = "confirmation",
        /// Internal notes.
        InternalNotes = "internalNotes",
        /// Customer notes.
        CustomerNotes = "customerNotes",
        /// Array of tag ids (replaces the list).
        TagIds = "tagIds",
        /// Gift flag.
        Gift = "gift",
        /// Gift message.
        GiftMessage = "giftMessage",
        /// Payment method.
        PaymentMethod = "paymentMethod",
    }
);

/// Statuses a rule may set. `shipped` and `rejected_fulfillment` are left out: they lock the
/// order without a shipment behind it.
pub const RULE_ORDER_STATUSES: [OrderStatus; 5] = [
    OrderStatus::AwaitingPayment,
    OrderStatus::AwaitingShipment,
    OrderStatus::PendingFulfillment,
    OrderStatus::OnHold,
    OrderStatus::Cancelled,
];

/// `advancedOptions.billToParty` values.
pub const BILL_TO_PARTIES: [&str; 4] =
    ["my_account", "my_other_account", "recipient", "third_party"];

/// `confirmation` values.
pub const CONFIRMATIONS: [&str; 5] = [
    "none",
    "delivery",
    "signature",
    "adult_signature",
    "direct_signature",
];

/// A checked action value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionValue {
    /// Text, or `None` to clear.
    Text(Option<String>),
    /// A positive id.
    Id(i64),
    /// A flag.
    Bool(bool),
    /// Tag ids (`None` for an empty list).
    Ids(Option<Vec<i64>>),
    /// An order status.
    Status(OrderStatus),
}

/// A ShipStation id: a number, or the same number as text (what a form's select gives).
fn positive_id(v: &Value) -> Option<i64> {
    match v {
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => v.as_i64(),
    }
    .filter(|i| *i > 0)
}

fn text(v: &Value) -> Result<Option<String>, String> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.trim().to_owned()).filter(|s| !s.is_empty())),
        Value::Number(n) => Ok(Some(n.to_string())),
        _ => Err("must be text or null".to_owned()),
    }
}

fn one_of(v: &Value, allowed: &[&str]) -> Result<Option<String>, String> {
    match text(v)? {
        None => Ok(None),
        Some(s) if allowed.contains(&s.as_str()) => Ok(Some(s)),
        Some(s) => Err(format!(
            "\"{s}\" is not allowed (expected one of: {})",
            allowed.join(", ")
        )),
    }
}

/// Checks a value for a field; the error says what is expected.
pub fn parse_action(field: ActionField, v: &Value) -> Result<ActionValue, String> {
    use ActionField as F;
    match field {
        F::OrderStatus => {
            let s = v.as_str().map(str::trim).unwrap_or_default();
            OrderStatus::parse(s)
                .filter(|st| RULE_ORDER_STATUSES.contains(st))
                .map(ActionValue::Status)
                .ok_or_else(|| {
                    let names: Vec<_> = RULE_ORDER_STATUSES.iter().map(|s| s.as_str()).collect();
                    format!("must be one of: {}", names.join(", "))
                })
        }
        F::StoreId | F::WarehouseId => positive_id(v)
            .map(ActionValue::Id)
            .ok_or_else(|| "must be a positive whole number".to_owned()),
        F::NonMachinable | F::SaturdayDelivery | F::ContainsAlcohol | F::Gift => v
            .as_bool()
            .map(ActionValue::Bool)
            .ok_or_else(|| "must be true or false".to_owned()),
        F::TagIds => {
            let ids: Option<Vec<i64>> = match v {
                Value::Array(items) => items.iter().map(positive_id).collect(),
                _ => None,
            };
            ids.map(|ids| ActionValue::Ids(Some(ids).filter(|i| !i.is_empty())))
                .ok_or_else(|| "must be an array of positive whole numbers".to_owned())
        }
        F::BillToParty => one_of(v, &BILL_TO_PARTIES).map(ActionValue::Text),
        F::Confirmation => one_of(v, &CONFIRMATIONS).map(ActionValue::Text),
        F::BillToCountryCode => match text(v)? {
            None => Ok(ActionValue::Text(None)),
            Some(s) => country_code(&s)
                .map(|c| ActionValue::Text(Some(c.to_owned())))
                .ok_or_else(|| format!("\"{s}\" is not a country")),
        },
        F::BillToAccount
        | F::BillToPostalCode
        | F::CustomField1
        | F::CustomField2
        | F::CustomField3
        | F::RequestedShippingService
        | F::CarrierCode
        | F::ServiceCode
        | F::PackageCode
        | F::InternalNotes
        | F::CustomerNotes
        | F::GiftMessage
        | F::PaymentMethod => text(v).map(ActionValue::Text),
    }
}

/// Sets the field on the order. A value of the wrong kind for the field is ignored (it cannot
/// happen for a value from [`parse_action`]).
pub fn apply_action(field: ActionField, value: ActionValue, order: &mut Order) {
    use ActionField as F;
    let adv = &mut order.advanced_options;
    match (field, value) {
        (F::OrderStatus, ActionValue::Status(s)) => order.order_status = s,
        (F::StoreId, ActionValue::Id(id)) => adv.store_id = Some(id),
        (F::WarehouseId, ActionValue::Id(id)) => adv.warehouse_id = Some(id),
        (F::NonMachinable, ActionValue::Bool(b)) => adv.non_machinable = Some(b),
        (F::SaturdayDelivery, ActionValue::Bool(b)) => adv.saturday_delivery = Some(b),
        (F::ContainsAlcohol, ActionValue::Bool(b)) => adv.contains_alcohol = Some(b),
        (F::Gift, ActionValue::Bool(b)) => order.gift = Some(b),
        (F::TagIds, ActionValue::Ids(ids)) => order.tag_ids = ids,
        (field, ActionValue::Text(t)) => {
            let slot = match field {
                F::BillToParty => &mut adv.bill_to_party,
                F::BillToAccount => &mut adv.bill_to_account,
                F::BillToPostalCode => &mut adv.bill_to_postal_code,
                F::BillToCountryCode => &mut adv.bill_to_country_code,
                F::CustomField1 => &mut adv.custom_field1,
                F::CustomField2 => &mut adv.custom_field2,
                F::CustomField3 => &mut adv.custom_field3,
                F::RequestedShippingService => &mut order.requested_shipping_service,
                F::CarrierCode => &mut order.carrier_code,
                F::ServiceCode => &mut order.service_code,
                F::PackageCode => &mut order.package_code,
                F::Confirmation => &mut order.confirmation,
                F::InternalNotes => &mut order.internal_notes,
                F::CustomerNotes => &mut order.customer_notes,
                F::GiftMessage => &mut order.gift_message,
                F::PaymentMethod => &mut order.payment_method,
                _ => return,
            };
            *slot = t;
        }
        _ => {}
    }
}
