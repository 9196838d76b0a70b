
pub mod fake_shipstation;
pub mod qb_company;
pub mod web_connector;
pub mod harness;
