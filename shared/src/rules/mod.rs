//! Rules: conditions on the QuickBooks sale, actions on the ShipStation order.
