//! ShipStation V1 wire models (camelCase JSON), for requests we send and responses we read.
//!
//! * Money and weights are `rust_decimal::Decimal` on our side and plain JSON numbers on the
//!   wire (`12.5`, never `"12.5"`): see [`number`].
//! * Request types leave `None` out of the JSON. ShipStation's create/update replaces the
//!   whole order, so a left-out field is *cleared*, not kept: always send a complete
//!   [`Order`] (see its docs).
//! * Response types tolerate `null` for every key and ignore unknown keys.

pub mod number;
mod order;
mod parts;
mod response;
mod shipment;

pub use order::{Order, OrderStatus};
pub use parts::{
    Address, AdvancedOptions, CustomsItem, Dimensions, InsuranceOptions, InternationalOptions,
    ItemOption, OrderItem, Weight,
};
pub use response::{
    CreateOrderResult, CreateOrdersResponse, OrderOut, OrdersPage, StatusMapping, Store,
};
pub use shipment::{Fulfillment, FulfillmentsPage, Shipment, ShipmentsPage};

#[cfg(test)]
mod tests;
