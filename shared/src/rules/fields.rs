//! Condition fields (what a rule can test on the sale) and operators.

use rust_decimal::Decimal;

use crate::sale::{QbCustomer, Sale};
use crate::shipstation::model::Order;

macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value, in documentation order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name used in rule JSON.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// Parses the name used in rule JSON (exact match).
            pub fn parse(s: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }

            /// The names, comma-separated, for error messages.
            pub fn names() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }
    };
}
pub(crate) use named_enum;

named_enum!(
    /// What a condition can read from the QuickBooks sale.
    ConditionField {
        /// The customer's QuickBooks full name.
        CustomerName = "customer_name",
        /// The customer's company (customer record, else the address company line).
        Company = "company",
        /// The customer's email.
        CustomerEmail = "customer_email",
        /// Ship via.
        ShipVia = "ship_via",
        /// QuickBooks class (full name).
        Class = "class",
        /// RefNumber.
        RefNumber = "ref_number",
        /// `invoice`, `sales_receipt` or `sales_order`.
        TxnType = "txn_type",
        /// Sale total (number).
        Total = "total",
        /// Ship-to recipient name (after address mapping).
        ShipToName = "ship_to.name",
        /// Ship-to company (after address mapping).
        ShipToCompany = "ship_to.company",
        /// Ship-to state/province.
        ShipToState = "ship_to.state",
        /// Ship-to country, ISO alpha-2 (values may be any country name or code).
        ShipToCountry = "ship_to.country",
        /// Ship-to city.
        ShipToCity = "ship_to.city",
        /// Ship-to postal code.
        ShipToPostalCode = "ship_to.postal_code",
        /// PO number.
        PoNumber = "po_number",
        /// Memo.
        Memo = "memo",
        /// The "Other" field.
        Other = "other",
        /// Any line's item full name.
        ItemSku = "item_sku",
    }
);

named_enum!(
    /// Condition operators. Text comparisons ignore case and surrounding spaces.
    Op {
        /// Equal.
        Equals = "equals",
        /// Not equal (for `item_sku`: no line equals).
        NotEquals = "not_equals",
        /// Contains the text.
        Contains = "contains",
        /// Starts with the text.
        StartsWith = "starts_with",
        /// Equals one of an array.
        In = "in",
        /// Greater than (numbers only).
        Gt = "gt",
        /// Less than (numbers only).
        Lt = "lt",
    }
);

impl ConditionField {
    /// Whether the field is a number (`total`) rather than text.
    pub fn is_numeric(self) -> bool {
        matches!(self, ConditionField::Total)
    }
}

impl Op {
    /// Whether the op only makes sense on text.
    pub fn is_text_only(self) -> bool {
        matches!(self, Op::Contains | Op::StartsWith)
    }

    /// Whether the op only makes sense on numbers.
    pub fn is_numeric_only(self) -> bool {
        matches!(self, Op::Gt | Op::Lt)
    }
}

/// A field's value on one sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    /// One text value (missing = `None`).
    Text(Option<String>),
    /// Several text values (`item_sku`): a condition holds when any line matches.
    AnyText(Vec<String>),
    /// A number (missing = `None`).
    Number(Option<Decimal>),
}

/// Everything conditions can read, taken once before any rule changes the order.
#[derive(Debug, Clone)]
pub struct Facts {
    values: Vec<(ConditionField, FieldValue)>,
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

fn text(s: Option<&str>) -> FieldValue {
    FieldValue::Text(
        s.map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
    )
}

impl Facts {
    /// Reads the sale, the customer record and the mapped order.
    pub fn new(sale: &Sale, customer: Option<&QbCustomer>, order: &Order) -> Facts {
        use ConditionField as F;
        let company = non_empty(customer.and_then(|c| c.company_name.as_deref()))
            .or_else(|| non_empty(order.ship_to.company.as_deref()))
            .or_else(|| non_empty(order.bill_to.company.as_deref()));
        let customer_name = customer
            .map(|c| c.full_name.as_str())
            .or(sale.customer_full_name.as_deref());
        let mut skus: Vec<String> = Vec::new();
        let lines = sale
            .lines
            .iter()
            .chain(sale.line_groups.iter().flat_map(|g| g.lines.iter()));
        let names = lines.filter_map(|l| l.item_full_name.as_deref()).chain(
            sale.line_groups
                .iter()
                .filter_map(|g| g.item_group_full_name.as_deref()),
        );
        for name in names.filter_map(|n| non_empty(Some(n))) {
            skus.push(name.to_owned());
        }
        let values = vec![
            (F::CustomerName, text(customer_name)),
            (F::Company, text(company)),
            (
                F::CustomerEmail,
                text(customer.and_then(|c| c.email.as_deref())),
            ),
            (F::ShipVia, text(sale.ship_via.as_deref())),
            (F::Class, text(sale.class_name.as_deref())),
            (F::RefNumber, text(sale.ref_number.as_deref())),
            (F::TxnType, text(Some(sale.txn_type.as_str()))),
            (F::Total, FieldValue::Number(sale.total)),
            (F::ShipToName, text(order.ship_to.name.as_deref())),
            (F::ShipToCompany, text(order.ship_to.company.as_deref())),
            (F::ShipToState, text(order.ship_to.state.as_deref())),
            (F::ShipToCountry, text(order.ship_to.country.as_deref())),
            (F::ShipToCity, text(order.ship_to.city.as_deref())),
            (
                F::ShipToPostalCode,
                text(order.ship_to.postal_code.as_deref()),
            ),
            (F::PoNumber, text(sale.po_number.as_deref())),
            (F::Memo, text(sale.memo.as_deref())),
            (F::Other, text(sale.other.as_deref())),
            (F::ItemSku, FieldValue::AnyText(skus)),
        ];
        Facts { values }
    }

    /// The value of one field.
    pub fn get(&self, field: ConditionField) -> &FieldValue {
        static MISSING: FieldValue = FieldValue::Text(None);
        self.values
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(&MISSING, |(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in ConditionField::ALL {
            assert_eq!(ConditionField::parse(f.as_str()), Some(*f));
        }
        for op in Op::ALL {
            assert_eq!(Op::parse(op.as_str()), Some(*op));
        }
        assert_eq!(ConditionField::parse("colour"), None);
        assert_eq!(Op::parse("EQUALS"), None);
    }
}
