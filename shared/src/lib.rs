//! Quayside's shared library: domain types, codecs, clients, mapping, database access.

pub mod auth;
pub mod config;
pub mod crypto;
pub mod db;
pub mod ids;
pub mod jobs;
pub mod mapping;
pub mod metrics;
pub mod pipeline;
pub mod qbwc;
pub mod qbxml;
pub mod rules;
pub mod sale;
pub mod settings;
pub mod shipstation;
pub mod telemetry;
