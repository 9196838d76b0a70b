//! The Quayside api: REST `/api/v1`, the Web Connector SOAP endpoint, webhooks, health.

pub mod error;
pub mod extract;
pub mod jobs;
pub mod login_limit;
pub mod openapi;
pub mod qbwc;
pub mod request_span;
pub mod routes;
pub mod shipstation_budget;
pub mod startup;
pub mod state;
