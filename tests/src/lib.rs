
pub mod fake_shipstation;
