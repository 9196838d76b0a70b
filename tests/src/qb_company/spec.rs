//! What tests give to create transactions; the company fills in ids, times, sequences and
//! totals like QuickBooks would.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::model::{Address, DataExt};

/// A transaction to create (invoice, sales receipt or sales order).
///
/// Unknown customers, items and classes named here are created on the fly, so a test can
/// write `TxnSpec::new("Acme & Sons").line(LineSpec::item("Widget").qty(2).rate(10))`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxnSpec {
    /// `CustomerRef/FullName`.
    pub customer: String,
    pub class: Option<String>,
    /// Defaults to the company clock's date.
    pub txn_date: Option<NaiveDate>,
    /// Defaults to the next number in the company's sequence for the type.
    pub ref_number: Option<String>,
    /// Defaults to the customer's bill address.
    pub bill_address: Option<Address>,
    /// Defaults to the customer's ship address.
    pub ship_address: Option<Address>,
    pub is_pending: Option<bool>,
    pub po_number: Option<String>,
    pub fob: Option<String>,
    pub ship_date: Option<NaiveDate>,
    /// `ShipMethodRef/FullName` (created if unknown).
    pub ship_method: Option<String>,
    /// Sales tax item name; defaults to the company's default tax item.
    pub sales_tax_item: Option<String>,
    pub memo: Option<String>,
    pub other: Option<String>,
    pub entries: Vec<EntrySpec>,
    pub data_ext: Vec<DataExt>,
}

/// An invoice to create (same shape as every sales transaction).
pub type InvoiceSpec = TxnSpec;

/// A line or a group line of a [`TxnSpec`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EntrySpec {
    Line(LineSpec),
    Group(GroupSpec),
}

/// A transaction line to create.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineSpec {
    /// `ItemRef/FullName`; `None` for a description-only line.
    pub item: Option<String>,
    pub desc: Option<String>,
    pub quantity: Option<Decimal>,
    pub rate: Option<Decimal>,
    /// Defaults to quantity x rate (or the rate alone).
    pub amount: Option<Decimal>,
    pub class: Option<String>,
    /// `Tax` or `Non`; defaults from the item's taxable flag.
    pub sales_tax_code: Option<String>,
}

/// A group line: an item group and the lines it expands to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSpec {
    pub item_group: String,
    pub desc: Option<String>,
    pub quantity: Option<Decimal>,
    pub lines: Vec<LineSpec>,
}

impl TxnSpec {
    /// A transaction for `customer` (by full name) with no lines yet.
    pub fn new(customer: &str) -> TxnSpec {
        TxnSpec {
            customer: customer.to_string(),
            ..TxnSpec::default()
        }
    }

    /// Add a line.
    pub fn line(mut self, line: LineSpec) -> TxnSpec {
        self.entries.push(EntrySpec::Line(line));
        self
    }

    /// Add a group line.
    pub fn group(mut self, group: GroupSpec) -> TxnSpec {
        self.entries.push(EntrySpec::Group(group));
        self
    }

    /// Set `RefNumber`.
    pub fn ref_number(mut self, r: &str) -> TxnSpec {
        self.ref_number = Some(r.to_string());
        self
    }

    /// Set `ShipAddress`.
    pub fn ship_to(mut self, a: Address) -> TxnSpec {
        self.ship_address = Some(a);
        self
    }

    /// Set `Memo`.
    pub fn memo(mut self, m: &str) -> TxnSpec {
        self.memo = Some(m.to_string());
        self
    }

    /// Set `TxnDate`.
    pub fn date(mut self, d: NaiveDate) -> TxnSpec {
        self.txn_date = Some(d);
        self
    }

    /// Add a public custom field value (`OwnerID` 0).
    pub fn custom_field(mut self, name: &str, value: &str) -> TxnSpec {
        self.data_ext.push(DataExt {
            owner_id: "0".into(),
            name: name.into(),
            value: value.into(),
        });
        self
    }
}

impl LineSpec {
    /// A line for item `name`.
    pub fn item(name: &str) -> LineSpec {
        LineSpec {
            item: Some(name.to_string()),
            ..LineSpec::default()
        }
    }

    /// Set `Quantity`.
    pub fn qty(mut self, q: impl Into<Decimal>) -> LineSpec {
        self.quantity = Some(q.into());
        self
    }

    /// Set `Quantity` from text (e.g. "1.5").
    pub fn qty_str(mut self, q: &str) -> LineSpec {
        self.quantity = q.parse().ok();
        self
    }

    /// Set `Rate`.
    pub fn rate(mut self, r: impl Into<Decimal>) -> LineSpec {
        self.rate = Some(r.into());
        self
    }

    /// Set `Rate` from text (e.g. "19.99").
    pub fn rate_str(mut self, r: &str) -> LineSpec {
        self.rate = r.parse().ok();
        self
    }

    /// Set `Amount` from text.
    pub fn amount_str(mut self, a: &str) -> LineSpec {
        self.amount = a.parse().ok();
        self
    }

    /// Set `Desc`.
    pub fn desc(mut self, d: &str) -> LineSpec {
        self.desc = Some(d.to_string());
        self
    }
}
