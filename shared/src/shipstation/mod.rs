//! ShipStation's V1 API: the client, its errors and its models.

pub mod client;
pub mod error;
pub mod limiter;
pub mod model;

use crate::ids::ConnectionId;

/// The Redis key under which workers cache a connection's "Manual Orders" store id (the api
/// drops it when the connection's credentials change).
pub fn manual_store_cache_key(namespace: &str, connection: ConnectionId) -> String {
    format!("{namespace}:ss-store:{connection}")
}
