pub mod fake_shipstation;
pub mod harness;
pub mod qb_company;
pub mod web_connector;
