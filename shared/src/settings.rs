//! A connection's sync settings (the contract's "Sync settings" table), with defaults and
//! validation. Stored as JSON in `sync_settings.settings`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::sale::TxnType;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum FractionalQuantities {
    #[default]
    Reject,
    RoundUp,
}

/// Where tracking numbers go on the QuickBooks sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrackingField {
    /// Appended to the memo.
    Memo,
    /// The `Other` field.
    Other,
    /// A DataExt custom field of this name.
    Custom(String),
}

impl TrackingField {
    pub fn parse(s: &str) -> Option<TrackingField> {
        match s {
            "memo" => Some(TrackingField::Memo),
            "other" => Some(TrackingField::Other),
            _ => s
                .strip_prefix("custom:")
                .map(str::trim)
                // QuickBooks' DataExtName: up to 31 characters, and it keeps Latin-1 only.
                .filter(|n| {
                    !n.is_empty()
                        && n.chars().count() <= 31
                        && n.chars().all(|c| (c as u32) < 0x100 && !c.is_control())
                })
                .map(|n| TrackingField::Custom(n.to_string())),
        }
    }
}

/// ShipStation order statuses a user may pick for `export_order_statuses`.
pub const ORDER_STATUSES: [&str; 6] = [
    "awaiting_payment",
    "awaiting_shipment",
    "pending_fulfillment",
    "shipped",
    "on_hold",
    "cancelled",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncSettings {
    pub sync_orders_to_shipstation: bool,
    pub transaction_types: Vec<TxnType>,
    pub class_filter: Option<String>,
    pub store_id: Option<i64>,
    pub write_tracking_to_quickbooks: bool,
    pub write_shipping_cost_to_quickbooks: bool,
    pub export_order_statuses: Vec<String>,
    pub shipping_item_name: String,
    pub sync_from: NaiveDate,
    pub fractional_quantities: FractionalQuantities,
    pub tracking_field: String,
}

impl SyncSettings {
    /// The contract's defaults; `sync_from` is the day the connection was made.
    pub fn defaults(connection_created: NaiveDate) -> SyncSettings {
        SyncSettings {
            sync_orders_to_shipstation: true,
            transaction_types: vec![TxnType::Invoice],
            class_filter: None,
            store_id: None,
            write_tracking_to_quickbooks: true,
            write_shipping_cost_to_quickbooks: false,
            export_order_statuses: vec!["shipped".into()],
            shipping_item_name: "Shipping".into(),
            sync_from: connection_created,
            fractional_quantities: FractionalQuantities::Reject,
            tracking_field: "memo".into(),
        }
    }

    /// Checks values; the error names the field.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if self.shipping_item_name.trim().is_empty() || self.shipping_item_name.len() > 159 {
            return Err(("shipping_item_name", "must be 1 to 159 characters".into()));
        }
        if let Some(s) = self
            .export_order_statuses
            .iter()
            .find(|s| !ORDER_STATUSES.contains(&s.as_str()))
        {
            return Err((
                "export_order_statuses",
                format!("unknown ShipStation status {s:?}"),
            ));
        }
        if TrackingField::parse(&self.tracking_field).is_none() {
            return Err((
                "tracking_field",
                "must be \"memo\", \"other\" or \"custom:<name>\" (name up to 31 Latin-1 characters)"
                    .into(),
            ));
        }
        if self
            .class_filter
            .as_deref()
            .is_some_and(|c| c.trim().is_empty())
        {
            return Err(("class_filter", "must be null or a class name".into()));
        }
        Ok(())
    }

    pub fn tracking_field(&self) -> TrackingField {
        TrackingField::parse(&self.tracking_field).unwrap_or(TrackingField::Memo)
    }

    pub fn syncs(&self, t: TxnType) -> bool {
        self.transaction_types.contains(&t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_serialise_as_the_contract_says() {
        let d = SyncSettings::defaults(NaiveDate::from_ymd_opt(2026, 11, 29).expect("date"));
        d.validate().expect("valid");
        let v = serde_json::to_value(&d).expect("json");
        assert_eq!(v["transaction_types"], serde_json::json!(["invoice"]));
        assert_eq!(v["fractional_quantities"], "reject");
        assert_eq!(v["sync_from"], "2026-11-29");
        assert_eq!(v["tracking_field"], "memo");
    }

    #[test]
    fn tracking_field_forms() {
        assert_eq!(TrackingField::parse("other"), Some(TrackingField::Other));
        assert_eq!(
            TrackingField::parse("custom:Tracking"),
            Some(TrackingField::Custom("Tracking".into()))
        );
        assert_eq!(TrackingField::parse("custom:"), None);
        assert_eq!(
            TrackingField::parse(&format!("custom:{}", "x".repeat(32))),
            None
        );
        assert_eq!(TrackingField::parse("custom:Suivi colis \u{2116}"), None);
        assert_eq!(
            TrackingField::parse("custom:Envío"),
            Some(TrackingField::Custom("Envío".into()))
        );
        assert_eq!(TrackingField::parse("notes"), None);
    }
}
