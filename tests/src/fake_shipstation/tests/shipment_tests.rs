//! Shipment, fulfillment and webhook tests.
