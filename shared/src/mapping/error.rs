//! Why a sale could not be turned into a ShipStation order. The messages are shown to users
//! as the order's `last_error`, so they say what to change.

use rust_decimal::Decimal;

/// A sale that cannot be sent as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    /// A quantity with a fractional part under the `reject` policy.
    #[error(
        "{line} (item \"{item}\") has a fractional quantity {quantity}; ShipStation needs whole \
         numbers. Change the quantity or set fractional_quantities to round_up."
    )]
    FractionalQuantity {
        /// "Line 2", "Line 1 of group \"Kit\"".
        line: String,
        /// The QuickBooks item.
        item: String,
        /// The quantity as QuickBooks has it.
        quantity: Decimal,
    },
    /// A quantity too large for ShipStation.
    #[error("{line} (item \"{item}\") has a quantity {quantity} that is too large to send.")]
    QuantityOutOfRange {
        /// "Line 2" ...
        line: String,
        /// The QuickBooks item.
        item: String,
        /// The quantity as QuickBooks has it.
        quantity: Decimal,
    },
    /// The ship-to country is not one we recognise.
    #[error(
        "The ship-to country \"{0}\" is not a country Quayside recognises. Use the country's \
         name or its two-letter ISO code (for example US, CA or GB)."
    )]
    UnknownShipToCountry(String),
    /// No address to ship to anywhere.
    #[error(
        "The sale has no ship-to or bill-to address, and the customer record has none either. \
         Add a ship-to address to the sale in QuickBooks."
    )]
    MissingShipTo,
    /// No transaction date.
    #[error("The sale has no transaction date.")]
    MissingTxnDate,
    /// Nothing physical to ship.
    #[error(
        "The sale has no item lines to ship (only description, shipping or zero-quantity \
         lines)."
    )]
    NoItems,
}

impl MappingError {
    /// A stable snake_case code for logs, events and API errors.
    pub fn code(&self) -> &'static str {
        match self {
            MappingError::FractionalQuantity { .. } => "fractional_quantity",
            MappingError::QuantityOutOfRange { .. } => "quantity_out_of_range",
            MappingError::UnknownShipToCountry(_) => "unknown_country",
            MappingError::MissingShipTo => "missing_ship_to",
            MappingError::MissingTxnDate => "missing_txn_date",
            MappingError::NoItems => "no_items",
        }
    }
}
