//! The tenant REST routes of the contract beyond auth and connections: sync settings, test
//! sales, rules and their preview, orders (list, detail, resend) and Web Connector runs. Sales,
//! orders, events and runs are seeded with SQL, as the Web Connector would have stored them.

#[path = "rest_api/orders.rs"]
mod orders;
#[path = "rest_api/rules.rs"]
mod rules;
#[path = "rest_api/seed.rs"]
mod seed;
#[path = "rest_api/settings_runs.rs"]
mod settings_runs;

pub(crate) use quayside_tests::harness::{redis_url, Tenant, TestEnv};
pub(crate) use serde_json::{json, Value};
pub(crate) use shared::sale::QbCustomer;
pub(crate) use uuid::Uuid;
