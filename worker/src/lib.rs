//! The Quayside worker: apalis job consumers on Redis (order-push, tracking-pull), the
//! per-API-key ShipStation rate limiter, the sweeper that re-enqueues stale pending orders,
//! the tracking-pull scheduler, and the health/metrics server. Job functions are plain async functions over a [`JobContext`], so
//! tests call them directly or through apalis.

pub mod config;
pub mod context;
pub mod limiter;
pub mod push;
pub mod queue_metrics;
pub mod queues;
pub mod runtime;
pub mod server;
pub mod sweeper;
pub mod tasks;
pub mod tracking;

pub use config::WorkerConfig;
pub use context::JobContext;
pub use runtime::{run, run_with, run_workers};
