//! The company file's records: list objects (customers, classes, items, ship methods) and
//! the three sales transaction types, stored the way QuickBooks keeps them.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A reference to a list object (`CustomerRef`, `ItemRef`, `ClassRef` ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRef {
    pub list_id: String,
    pub full_name: String,
}

/// A `BillAddress` / `ShipAddress` aggregate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub addr1: Option<String>,
    pub addr2: Option<String>,
    pub addr3: Option<String>,
    pub addr4: Option<String>,
    pub addr5: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub note: Option<String>,
}

impl Address {
    /// An address from street lines plus city, state, postal code (country unset).
    pub fn new(lines: &[&str], city: &str, state: &str, postal_code: &str) -> Address {
        let line = |i: usize| lines.get(i).map(|s| s.to_string());
        Address {
            addr1: line(0),
            addr2: line(1),
            addr3: line(2),
            addr4: line(3),
            addr5: line(4),
            city: Some(city.to_string()),
            state: Some(state.to_string()),
            postal_code: Some(postal_code.to_string()),
            country: None,
            note: None,
        }
    }

    /// The same address with `Country` set.
    pub fn with_country(mut self, country: &str) -> Address {
        self.country = Some(country.to_string());
        self
    }

    /// The formatted block QuickBooks derives (`BillAddressBlock`): street lines, then
    /// "City, ST Zip", then country; at most five lines.
    pub fn block(&self) -> Vec<String> {
        let mut lines: Vec<String> = [
            &self.addr1,
            &self.addr2,
            &self.addr3,
            &self.addr4,
            &self.addr5,
        ]
        .into_iter()
        .flatten()
        .filter(|l| !l.trim().is_empty())
        .cloned()
        .collect();
        let mut city_line = self.city.clone().unwrap_or_default();
        if let Some(state) = &self.state {
            if !city_line.is_empty() {
                city_line.push_str(", ");
            }
            city_line.push_str(state);
        }
        if let Some(zip) = &self.postal_code {
            if !city_line.is_empty() {
                city_line.push(' ');
            }
            city_line.push_str(zip);
        }
        if !city_line.is_empty() {
            lines.push(city_line);
        }
        if let Some(country) = &self.country {
            lines.push(country.clone());
        }
        lines.truncate(5);
        lines
    }
}

/// A customer (`CustomerRet`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub list_id: String,
    pub time_created: String,
    pub time_modified: String,
    pub edit_sequence: String,
    pub name: String,
    pub full_name: String,
    pub company_name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub bill_address: Option<Address>,
    pub ship_address: Option<Address>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub data_ext: Vec<DataExt>,
}

/// What a test gives to create a customer; the company assigns ids and times.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerSpec {
    pub name: String,
    pub company_name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub bill_address: Option<Address>,
    pub ship_address: Option<Address>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// The item types the simulator knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemKind {
    Service,
    Inventory,
    NonInventory,
    OtherCharge,
    Discount,
    SalesTax,
}

/// An item (`ItemServiceRet`, `ItemInventoryRet` ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub list_id: String,
    pub full_name: String,
    pub kind: ItemKind,
    pub description: Option<String>,
    /// Sales price (or the tax rate in percent for a sales tax item).
    pub price: Option<Decimal>,
    pub taxable: bool,
}

/// A custom field value or private data extension (`DataExtRet`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataExt {
    /// `0` for public custom fields, an application GUID for private data.
    pub owner_id: String,
    pub name: String,
    pub value: String,
}

/// The three sales transaction types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TxnKind {
    Invoice,
    SalesReceipt,
    SalesOrder,
}

impl TxnKind {
    /// The qbXML stem (`Invoice`, `SalesReceipt`, `SalesOrder`).
    pub fn stem(self) -> &'static str {
        match self {
            TxnKind::Invoice => "Invoice",
            TxnKind::SalesReceipt => "SalesReceipt",
            TxnKind::SalesOrder => "SalesOrder",
        }
    }

    /// The stem from a qbXML element prefix.
    pub fn from_stem(stem: &str) -> Option<TxnKind> {
        match stem {
            "Invoice" => Some(TxnKind::Invoice),
            "SalesReceipt" => Some(TxnKind::SalesReceipt),
            "SalesOrder" => Some(TxnKind::SalesOrder),
            _ => None,
        }
    }
}

/// One transaction line (`InvoiceLineRet` ...).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxnLine {
    pub txn_line_id: String,
    pub item: Option<ListRef>,
    pub desc: Option<String>,
    pub quantity: Option<Decimal>,
    pub rate: Option<Decimal>,
    pub rate_percent: Option<Decimal>,
    pub class: Option<ListRef>,
    pub amount: Decimal,
    pub sales_tax_code: Option<ListRef>,
    pub other1: Option<String>,
    pub other2: Option<String>,
}

/// A group line (`InvoiceLineGroupRet` ...) with the lines it expanded to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineGroup {
    pub txn_line_id: String,
    pub item_group: ListRef,
    pub desc: Option<String>,
    pub quantity: Option<Decimal>,
    pub is_print_items_in_group: bool,
    pub lines: Vec<TxnLine>,
}

impl LineGroup {
    /// `TotalAmount` of the group: the sum of its lines.
    pub fn total_amount(&self) -> Decimal {
        self.lines.iter().map(|l| l.amount).sum()
    }
}

/// A line or a group line, in the order QuickBooks keeps them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LineEntry {
    Line(TxnLine),
    Group(LineGroup),
}

impl LineEntry {
    /// The entry's `TxnLineID`.
    pub fn txn_line_id(&self) -> &str {
        match self {
            LineEntry::Line(l) => &l.txn_line_id,
            LineEntry::Group(g) => &g.txn_line_id,
        }
    }
}

/// A transaction linked to another (`LinkedTxn`): an invoice and the sales order it was
/// created from name each other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedTxn {
    pub txn_id: String,
    /// `SalesOrder`, `Invoice`, `ReceivePayment` ...
    pub txn_type: String,
    pub txn_date: NaiveDate,
    pub ref_number: Option<String>,
    /// `QUANTYPE` (by quantity, as an invoice made from a sales order) or `AMTTYPE`.
    pub link_type: String,
    pub amount: Decimal,
}

/// An invoice, sales receipt or sales order as stored in the company file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Txn {
    pub kind: TxnKind,
    pub txn_id: String,
    pub time_created: String,
    pub time_modified: String,
    pub edit_sequence: String,
    pub txn_number: u32,
    pub customer: ListRef,
    pub class: Option<ListRef>,
    pub txn_date: NaiveDate,
    pub ref_number: Option<String>,
    pub bill_address: Option<Address>,
    pub ship_address: Option<Address>,
    /// Not on sales orders.
    pub is_pending: Option<bool>,
    /// Not on sales receipts.
    pub po_number: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub fob: Option<String>,
    pub ship_date: Option<NaiveDate>,
    pub ship_method: Option<ListRef>,
    pub item_sales_tax: Option<ListRef>,
    pub sales_tax_percentage: Option<Decimal>,
    pub memo: Option<String>,
    pub other: Option<String>,
    pub lines: Vec<LineEntry>,
    pub data_ext: Vec<DataExt>,
    /// Shown only to queries with `IncludeLinkedTxns`.
    #[serde(default)]
    pub linked: Vec<LinkedTxn>,
}

impl Txn {
    /// Every plain line, including those inside groups.
    pub fn all_lines(&self) -> Vec<&TxnLine> {
        let mut out = Vec::new();
        for entry in &self.lines {
            match entry {
                LineEntry::Line(l) => out.push(l),
                LineEntry::Group(g) => out.extend(g.lines.iter()),
            }
        }
        out
    }

    /// The top-level plain lines (groups skipped).
    pub fn plain_lines(&self) -> Vec<&TxnLine> {
        self.lines
            .iter()
            .filter_map(|e| match e {
                LineEntry::Line(l) => Some(l),
                LineEntry::Group(_) => None,
            })
            .collect()
    }

    /// `Subtotal`: the sum of all line amounts.
    pub fn subtotal(&self) -> Decimal {
        self.all_lines().iter().map(|l| l.amount).sum()
    }

    /// `SalesTaxTotal`: taxable lines (`SalesTaxCodeRef` "Tax") times the tax percentage.
    pub fn sales_tax_total(&self) -> Decimal {
        let pct = self.sales_tax_percentage.unwrap_or_default();
        let taxable: Decimal = self
            .all_lines()
            .iter()
            .filter(|l| {
                l.sales_tax_code
                    .as_ref()
                    .is_some_and(|c| c.full_name == "Tax")
            })
            .map(|l| l.amount)
            .sum();
        (taxable * pct / Decimal::from(100))
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    }

    /// `TotalAmount` (invoices report it as `BalanceRemaining` instead).
    pub fn total_amount(&self) -> Decimal {
        self.subtotal() + self.sales_tax_total()
    }

    /// The value of a data extension, if set.
    pub fn data_ext_value(&self, owner_id: &str, name: &str) -> Option<&str> {
        self.data_ext
            .iter()
            .find(|d| d.owner_id == owner_id && d.name == name)
            .map(|d| d.value.as_str())
    }
}
