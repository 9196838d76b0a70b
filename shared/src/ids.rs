//! Typed identifiers, so a tenant id can never be passed where a connection id is expected.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, sqlx::Type)]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }
            pub fn parse(s: &str) -> Option<Self> {
                Uuid::parse_str(s).ok().map(Self)
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

uuid_id!(
    /// A customer account (company).
    TenantId
);
uuid_id!(
    /// A user of a tenant.
    UserId
);
uuid_id!(
    /// A ShipStation account + QuickBooks company pair of a tenant.
    ConnectionId
);
uuid_id!(
    /// A stored QuickBooks sale.
    SaleId
);
uuid_id!(
    /// An order: a sale's life on its way to ShipStation and back.
    OrderId
);
