//! The ShipStation rate limiter the workers share with the api (it lives in `shared`).

pub use shared::shipstation::limiter::*;
