//! The normalised snapshot of a QuickBooks sale (invoice, sales receipt or sales order).
//!
//! It is what the Web Connector endpoint stores (as JSON, with a content hash), what the
//! mapping turns into a ShipStation order, and what the rules engine reads. It is plain data:
//! parsing from qbXML lives in `qbxml`, mapping in `mapping`.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The three QuickBooks transaction types Quayside syncs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TxnType {
    Invoice,
    SalesReceipt,
    SalesOrder,
}

impl TxnType {
    pub const ALL: [TxnType; 3] = [TxnType::Invoice, TxnType::SalesReceipt, TxnType::SalesOrder];

    /// The contract's name (`invoice`, `sales_receipt`, `sales_order`).
    pub fn as_str(self) -> &'static str {
        match self {
            TxnType::Invoice => "invoice",
            TxnType::SalesReceipt => "sales_receipt",
            TxnType::SalesOrder => "sales_order",
        }
    }

    pub fn parse(s: &str) -> Option<TxnType> {
        match s {
            "invoice" => Some(TxnType::Invoice),
            "sales_receipt" => Some(TxnType::SalesReceipt),
            "sales_order" => Some(TxnType::SalesOrder),
            _ => None,
        }
    }

    /// The qbXML aggregate stem: `Invoice`, `SalesReceipt`, `SalesOrder`.
    pub fn qbxml_name(self) -> &'static str {
        match self {
            TxnType::Invoice => "Invoice",
            TxnType::SalesReceipt => "SalesReceipt",
            TxnType::SalesOrder => "SalesOrder",
        }
    }

    /// Human words for events and messages ("Invoice", "Sales Receipt", "Sales Order").
    pub fn label(self) -> &'static str {
        match self {
            TxnType::Invoice => "Invoice",
            TxnType::SalesReceipt => "Sales Receipt",
            TxnType::SalesOrder => "Sales Order",
        }
    }
}

/// A QuickBooks address block (`BillAddress` / `ShipAddress`), as given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QbAddress {
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

impl QbAddress {
    /// The non-empty `Addr1..Addr5` lines, in order.
    pub fn lines(&self) -> Vec<&str> {
        [
            &self.addr1,
            &self.addr2,
            &self.addr3,
            &self.addr4,
            &self.addr5,
        ]
        .into_iter()
        .filter_map(|l| l.as_deref())
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.lines().is_empty()
            && self.city.is_none()
            && self.state.is_none()
            && self.postal_code.is_none()
            && self.country.is_none()
    }
}

/// One line of a sale (`InvoiceLineRet`, `SalesReceiptLineRet`, `SalesOrderLineRet`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleLine {
    /// `TxnLineID`; needed to re-list the line in a Mod so QuickBooks keeps it.
    pub txn_line_id: String,
    /// `ItemRef/FullName` (None for description-only lines).
    pub item_full_name: Option<String>,
    pub description: Option<String>,
    pub quantity: Option<Decimal>,
    pub unit_of_measure: Option<String>,
    pub rate: Option<Decimal>,
    /// `RatePercent` (discount and other percentage items).
    pub rate_percent: Option<Decimal>,
    pub amount: Option<Decimal>,
    pub class_name: Option<String>,
    pub sales_tax_code: Option<String>,
}

/// A group line (`InvoiceLineGroupRet` ...): an item group and the lines it expanded to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleLineGroup {
    pub txn_line_id: String,
    pub item_group_full_name: Option<String>,
    pub description: Option<String>,
    pub quantity: Option<Decimal>,
    pub total_amount: Option<Decimal>,
    pub lines: Vec<SaleLine>,
}

/// A `DataExtRet` (custom field) on the sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataExt {
    pub owner_id: String,
    pub name: String,
    pub value: String,
}

/// A sales order an invoice was created from (the invoice's `LinkedTxn` of type `SalesOrder`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceSalesOrder {
    pub txn_id: String,
    pub ref_number: Option<String>,
}

/// A QuickBooks sale, normalised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sale {
    pub txn_type: TxnType,
    pub txn_id: String,
    pub edit_sequence: String,
    /// `TimeModified` exactly as QuickBooks sent it (its offsets are unreliable around DST).
    pub time_modified: String,
    pub time_created: Option<String>,
    pub ref_number: Option<String>,
    pub txn_date: Option<NaiveDate>,
    /// `CustomerRef/ListID`.
    pub customer_list_id: Option<String>,
    /// `CustomerRef/FullName`.
    pub customer_full_name: Option<String>,
    pub class_name: Option<String>,
    pub bill_address: Option<QbAddress>,
    pub ship_address: Option<QbAddress>,
    pub po_number: Option<String>,
    /// `ShipMethodRef/FullName`.
    pub ship_via: Option<String>,
    pub ship_date: Option<NaiveDate>,
    pub memo: Option<String>,
    pub other: Option<String>,
    pub subtotal: Option<Decimal>,
    pub sales_tax_total: Option<Decimal>,
    /// `TotalAmount` where QuickBooks gives one, else subtotal + tax.
    pub total: Option<Decimal>,
    pub is_pending: Option<bool>,
    pub lines: Vec<SaleLine>,
    pub line_groups: Vec<SaleLineGroup>,
    pub data_ext: Vec<DataExt>,
    /// The sales orders an invoice was created from. Left out of the snapshot when empty, so
    /// the content hash of every other sale is what it was before this was kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub from_sales_orders: Vec<SourceSalesOrder>,
}

/// The contact details of a QuickBooks customer (`CustomerRet`), used for phone, email and
/// to recognise name and company lines in addresses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QbCustomer {
    pub list_id: String,
    pub full_name: String,
    pub company_name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub bill_address: Option<QbAddress>,
    pub ship_address: Option<QbAddress>,
}
