//! Order validation (§3.2, §9.4). Work in progress.
