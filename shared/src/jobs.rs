//! Job payloads and queue names. Payloads are small and versioned: ids only, never secrets.
//! Every job is idempotent; the durable intent (an order row in `pending`) is written to
//! Postgres before the job is enqueued, and the sweeper re-enqueues what was never queued.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::ids::{ConnectionId, OrderId, TenantId};

/// Queue of [`OrderPushV1`] jobs (the Redis name is prefixed by the deployment's namespace).
pub const ORDER_PUSH_QUEUE: &str = "order-push";
/// Queue of [`TrackingPullV1`] jobs.
pub const TRACKING_PULL_QUEUE: &str = "tracking-pull";
/// At most this many orders per push job (one `createorders` call).
pub const MAX_ORDERS_PER_PUSH: usize = 100;

/// The full apalis queue name of `queue` in `namespace`, e.g. `quayside:order-push`.
pub fn queue_name(namespace: &str, queue: &str) -> String {
    format!("{namespace}:{queue}")
}

/// W3C trace context carried across the queue so one trace spans api → worker → ShipStation.
pub type TraceContext = HashMap<String, String>;

/// Send these orders (≤ 100, all of one connection) to ShipStation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPushV1 {
    pub tenant_id: TenantId,
    pub connection_id: ConnectionId,
    pub order_ids: Vec<OrderId>,
    #[serde(default)]
    pub trace: TraceContext,
}

/// Why a tracking pull was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PullReason {
    Schedule,
    Webhook,
    Manual,
}

/// Read new shipments of one connection from ShipStation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingPullV1 {
    pub tenant_id: TenantId,
    pub connection_id: ConnectionId,
    pub reason: PullReason,
    #[serde(default)]
    pub trace: TraceContext,
}
