//! The ShipStation `orderKey` of a QuickBooks sale.
//!
//! ShipStation upserts on `orderKey`, so the key must never change for a sale: it is built
//! from the connection and the QuickBooks `TxnID` only (never the number or date, which users
//! edit), and a re-sent sale updates the same order instead of duplicating it.

use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The longest key Quayside makes. ShipStation documents no limit for `orderKey`; 50 is the
/// limit of its other keys (`orderNumber`, V2 `external_shipment_id`), so we stay within it.
pub const ORDER_KEY_MAX_LEN: usize = 50;

/// `qb-<first 8 hex digits of the connection id>-<TxnID>`, e.g. `qb-6f1c2a9e-1A2B-1234567890`.
///
/// The connection prefix keeps two QuickBooks companies that feed one ShipStation account
/// apart (TxnIDs are only unique within a company file). A TxnID that would make the key
/// longer than [`ORDER_KEY_MAX_LEN`], or that has characters other than ASCII letters,
/// digits, `-` and `_`, is replaced by `h` + the first 32 hex digits of its SHA-256 — still
/// deterministic, so the key stays stable.
pub fn order_key(connection_id: Uuid, txn_id: &str) -> String {
    let conn = connection_id.simple().to_string();
    let prefix = conn.get(..8).unwrap_or(&conn);
    let txn = txn_id.trim();
    let plain = format!("qb-{prefix}-{txn}");
    let safe = !txn.is_empty()
        && txn
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if safe && plain.len() <= ORDER_KEY_MAX_LEN {
        return plain;
    }
    let digest = hex::encode(Sha256::digest(txn.as_bytes()));
    format!("qb-{prefix}-h{}", digest.get(..32).unwrap_or(&digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> Uuid {
        Uuid::parse_str("6f1c2a9e-0000-4000-8000-000000000001").unwrap_or_default()
    }

    #[test]
    fn keys_come_from_connection_and_txn_id_only() {
        let long = "X".repeat(60);
        let cases: &[(&str, &str)] = &[
            ("1A2B-1234567890", "qb-6f1c2a9e-1A2B-1234567890"),
            (" 1A2B-1234567890 ", "qb-6f1c2a9e-1A2B-1234567890"),
            ("ABC_1", "qb-6f1c2a9e-ABC_1"),
            (&long, "qb-6f1c2a9e-h"),
            ("odd id/with spaces", "qb-6f1c2a9e-h"),
        ];
        for (txn, want) in cases {
            let key = order_key(conn(), txn);
            assert!(key.starts_with(want), "{txn}: {key}");
            assert!(key.len() <= ORDER_KEY_MAX_LEN, "{txn}: {key}");
            assert_eq!(key, order_key(conn(), txn), "deterministic");
        }
        assert_eq!(order_key(conn(), &long).len(), 3 + 8 + 1 + 1 + 32);
    }

    #[test]
    fn different_connections_or_txns_give_different_keys() {
        let other = Uuid::parse_str("0badf00d-0000-4000-8000-000000000001").unwrap_or_default();
        assert_ne!(order_key(conn(), "1-1"), order_key(other, "1-1"));
        assert_ne!(order_key(conn(), "1-1"), order_key(conn(), "1-2"));
        assert_ne!(
            order_key(conn(), &"A".repeat(60)),
            order_key(conn(), &"B".repeat(60))
        );
    }
}
