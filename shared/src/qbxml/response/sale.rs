//! `InvoiceRet` / `SalesReceiptRet` / `SalesOrderRet` → [`Sale`], `CustomerRet` → [`QbCustomer`].

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::QbxmlError;
use crate::qbxml::request::ExistingLine;
use crate::qbxml::tree::XmlElement;
use crate::sale::{
    DataExt, QbAddress, QbCustomer, Sale, SaleLine, SaleLineGroup, SourceSalesOrder, TxnType,
};

/// Text of a child, `None` when absent or empty.
fn text(e: &XmlElement, name: &str) -> Option<String> {
    e.child_text(name)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// `<Ref><FullName>` (or another field) of a reference aggregate.
fn ref_field(e: &XmlElement, reference: &str, field: &str) -> Option<String> {
    e.child(reference).and_then(|r| text(r, field))
}

fn decimal(e: &XmlElement, name: &str) -> Option<Decimal> {
    e.child_text(name)
        .and_then(|t| Decimal::from_str(t.trim()).ok())
}

fn date(e: &XmlElement, name: &str) -> Option<NaiveDate> {
    e.child_text(name)
        .and_then(|t| NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").ok())
}

fn boolean(e: &XmlElement, name: &str) -> Option<bool> {
    match e.child_text(name).map(str::trim) {
        Some("true") | Some("1") => Some(true),
        Some("false") | Some("0") => Some(false),
        _ => None,
    }
}

fn required(e: &XmlElement, name: &'static str) -> Result<String, QbxmlError> {
    text(e, name).ok_or_else(|| QbxmlError::MissingElement {
        element: name,
        within: e.name.to_string(),
    })
}

fn address(e: &XmlElement, name: &str) -> Option<QbAddress> {
    e.child(name).map(|a| QbAddress {
        addr1: text(a, "Addr1"),
        addr2: text(a, "Addr2"),
        addr3: text(a, "Addr3"),
        addr4: text(a, "Addr4"),
        addr5: text(a, "Addr5"),
        city: text(a, "City"),
        state: text(a, "State"),
        postal_code: text(a, "PostalCode"),
        country: text(a, "Country"),
        note: text(a, "Note"),
    })
}

fn data_exts(e: &XmlElement) -> Vec<DataExt> {
    e.children_named("DataExtRet")
        .map(|d| DataExt {
            owner_id: text(d, "OwnerID").unwrap_or_default(),
            name: text(d, "DataExtName").unwrap_or_default(),
            value: d.child_text("DataExtValue").unwrap_or_default().to_owned(),
        })
        .collect()
}

fn line(l: &XmlElement) -> SaleLine {
    SaleLine {
        txn_line_id: text(l, "TxnLineID").unwrap_or_default(),
        item_full_name: ref_field(l, "ItemRef", "FullName"),
        description: text(l, "Desc"),
        quantity: decimal(l, "Quantity"),
        unit_of_measure: text(l, "UnitOfMeasure"),
        rate: decimal(l, "Rate"),
        rate_percent: decimal(l, "RatePercent"),
        amount: decimal(l, "Amount"),
        class_name: ref_field(l, "ClassRef", "FullName"),
        sales_tax_code: ref_field(l, "SalesTaxCodeRef", "FullName"),
    }
}

fn group(g: &XmlElement, line_name: &str) -> SaleLineGroup {
    SaleLineGroup {
        txn_line_id: text(g, "TxnLineID").unwrap_or_default(),
        item_group_full_name: ref_field(g, "ItemGroupRef", "FullName"),
        description: text(g, "Desc"),
        quantity: decimal(g, "Quantity"),
        total_amount: decimal(g, "TotalAmount"),
        lines: g.children_named(line_name).map(line).collect(),
    }
}

/// Builds a [`Sale`] from a transaction `*Ret`. `TxnID`, `EditSequence` and `TimeModified`
/// are required; everything else is optional. An invoice has no `TotalAmount`, so its total
/// is `Subtotal + SalesTaxTotal`.
/// `lenient`: a `*ModRs` echo, where only the TxnID matters (QuickBooks sends the whole
/// object, but a Mod that was applied must not be reported as failed for a missing field).
pub(super) fn sale_from_ret(
    txn_type: TxnType,
    ret: &XmlElement,
    lenient: bool,
) -> Result<Sale, QbxmlError> {
    let needed = |name: &'static str| match required(ret, name) {
        Err(_) if lenient => Ok(String::new()),
        other => other,
    };
    let stem = txn_type.qbxml_name();
    let line_name = format!("{stem}LineRet");
    let group_name = format!("{stem}LineGroupRet");
    let subtotal = decimal(ret, "Subtotal");
    let sales_tax_total = decimal(ret, "SalesTaxTotal");
    let total = decimal(ret, "TotalAmount")
        .or_else(|| subtotal.map(|s| s + sales_tax_total.unwrap_or_default()));
    Ok(Sale {
        txn_type,
        txn_id: required(ret, "TxnID")?,
        edit_sequence: needed("EditSequence")?,
        time_modified: needed("TimeModified")?,
        time_created: text(ret, "TimeCreated"),
        ref_number: text(ret, "RefNumber"),
        txn_date: date(ret, "TxnDate"),
        customer_list_id: ref_field(ret, "CustomerRef", "ListID"),
        customer_full_name: ref_field(ret, "CustomerRef", "FullName"),
        class_name: ref_field(ret, "ClassRef", "FullName"),
        bill_address: address(ret, "BillAddress"),
        ship_address: address(ret, "ShipAddress"),
        po_number: text(ret, "PONumber"),
        ship_via: ref_field(ret, "ShipMethodRef", "FullName"),
        ship_date: date(ret, "ShipDate"),
        memo: text(ret, "Memo"),
        other: text(ret, "Other"),
        subtotal,
        sales_tax_total,
        total,
        is_pending: boolean(ret, "IsPending"),
        lines: ret.children_named(&line_name).map(line).collect(),
        line_groups: ret
            .children_named(&group_name)
            .map(|g| group(g, &line_name))
            .collect(),
        data_ext: data_exts(ret),
        from_sales_orders: if txn_type == TxnType::Invoice {
            source_sales_orders(ret)
        } else {
            Vec::new()
        },
    })
}

/// An invoice's `LinkedTxn`s of type `SalesOrder` (payments and credits linked to it are
/// not kept: they do not change what ships).
fn source_sales_orders(ret: &XmlElement) -> Vec<SourceSalesOrder> {
    ret.children_named("LinkedTxn")
        .filter(|l| l.child_text("TxnType").map(str::trim) == Some("SalesOrder"))
        .filter_map(|l| {
            Some(SourceSalesOrder {
                txn_id: text(l, "TxnID")?,
                ref_number: text(l, "RefNumber"),
            })
        })
        .collect()
}

/// The top-level lines and groups of a transaction `*Ret`, in document order.
pub(super) fn line_order(txn_type: TxnType, ret: &XmlElement) -> Vec<ExistingLine> {
    let stem = txn_type.qbxml_name();
    let line_name = format!("{stem}LineRet");
    let group_name = format!("{stem}LineGroupRet");
    let id = |e: &XmlElement| text(e, "TxnLineID").unwrap_or_default();
    ret.children
        .iter()
        .filter_map(|c| {
            if c.name == line_name {
                Some(ExistingLine::Line { txn_line_id: id(c) })
            } else if c.name == group_name {
                Some(ExistingLine::Group {
                    txn_line_id: id(c),
                    line_ids: c.children_named(&line_name).map(id).collect(),
                })
            } else {
                None
            }
        })
        .collect()
}

/// Builds a [`QbCustomer`] from a `CustomerRet`.
pub(super) fn customer_from_ret(ret: &XmlElement) -> QbCustomer {
    QbCustomer {
        list_id: text(ret, "ListID").unwrap_or_default(),
        full_name: text(ret, "FullName").unwrap_or_default(),
        company_name: text(ret, "CompanyName"),
        first_name: text(ret, "FirstName"),
        last_name: text(ret, "LastName"),
        phone: text(ret, "Phone"),
        email: text(ret, "Email"),
        bill_address: address(ret, "BillAddress"),
        ship_address: address(ret, "ShipAddress"),
    }
}
