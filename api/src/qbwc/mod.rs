//! The QuickBooks Web Connector side: pairing, the SOAP endpoint, sessions and their plan.

pub mod calls;
pub mod endpoint;
pub mod pairing;
pub mod plan;
pub mod session;
pub mod writeback;
