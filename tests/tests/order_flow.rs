//! Issue 4 end to end: sales played by the simulated Web Connector into the real api, pushed
//! through Redis by real worker processes to the in-process fake ShipStation; assertions on
//! what the fake received and on the orders API.

#[path = "order_flow/common.rs"]
mod common;
#[path = "order_flow/delivery.rs"]
mod delivery;
#[path = "order_flow/mapping.rs"]
mod mapping;
#[path = "order_flow/rules.rs"]
mod rules;
