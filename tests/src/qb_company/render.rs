//! The `*Ret` aggregates, built in qbXML 13.0 element order (qbxmlops130.xsd) and with
//! empty optional fields left out, as QuickBooks does.

use rust_decimal::Decimal;

use super::model::{
    Address, Customer, DataExt, LineEntry, LineGroup, LinkedTxn, ListRef, Txn, TxnKind, TxnLine,
};
use super::xml::Node;

/// Money as QuickBooks prints it: two decimals.
pub fn money(d: Decimal) -> String {
    let mut r = d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    r.rescale(2);
    r.to_string()
}

/// A rate or price: at least two decimals, more if the value has them.
pub fn price(d: Decimal) -> String {
    if d.normalize().scale() <= 2 {
        money(d)
    } else {
        d.normalize().to_string()
    }
}

/// A quantity: no trailing zeros (`2`, `1.5`).
pub fn quantity(d: Decimal) -> String {
    d.normalize().to_string()
}

fn bool_str(b: bool) -> String {
    if b { "true" } else { "false" }.to_string()
}

/// A `*Ref` aggregate.
pub fn ref_node(name: &'static str, r: &ListRef) -> Node {
    Node::Agg(
        name,
        vec![
            Node::Leaf("ListID", r.list_id.clone()),
            Node::Leaf("FullName", r.full_name.clone()),
        ],
    )
}

/// An address aggregate (only the fields that are set).
pub fn address_node(name: &'static str, a: &Address) -> Node {
    let fields: [(&'static str, &Option<String>); 10] = [
        ("Addr1", &a.addr1),
        ("Addr2", &a.addr2),
        ("Addr3", &a.addr3),
        ("Addr4", &a.addr4),
        ("Addr5", &a.addr5),
        ("City", &a.city),
        ("State", &a.state),
        ("PostalCode", &a.postal_code),
        ("Country", &a.country),
        ("Note", &a.note),
    ];
    let children = fields
        .into_iter()
        .filter_map(|(n, v)| v.as_ref().map(|v| Node::Leaf(n, v.clone())))
        .collect();
    Node::Agg(name, children)
}

fn block_node(name: &'static str, a: &Address) -> Option<Node> {
    const NAMES: [&str; 5] = ["Addr1", "Addr2", "Addr3", "Addr4", "Addr5"];
    let lines = a.block();
    if lines.is_empty() {
        return None;
    }
    Some(Node::Agg(
        name,
        lines
            .into_iter()
            .zip(NAMES)
            .map(|(l, n)| Node::Leaf(n, l))
            .collect(),
    ))
}

/// A `DataExtRet`.
pub fn data_ext_node(d: &DataExt) -> Node {
    Node::Agg(
        "DataExtRet",
        vec![
            Node::Leaf("OwnerID", d.owner_id.clone()),
            Node::Leaf("DataExtName", d.name.clone()),
            Node::Leaf("DataExtType", "STR255TYPE".into()),
            Node::Leaf("DataExtValue", d.value.clone()),
        ],
    )
}

/// The data extensions selected by the query's `OwnerID`s.
pub fn selected_data_ext(all: &[DataExt], owner_ids: &[String]) -> Vec<Node> {
    all.iter()
        .filter(|d| {
            owner_ids
                .iter()
                .any(|o| o.eq_ignore_ascii_case(&d.owner_id))
        })
        .map(data_ext_node)
        .collect()
}

fn push_opt(out: &mut Vec<Node>, name: &'static str, v: &Option<String>) {
    if let Some(v) = v {
        out.push(Node::Leaf(name, v.clone()));
    }
}

fn push_ref(out: &mut Vec<Node>, name: &'static str, r: &Option<ListRef>) {
    if let Some(r) = r {
        out.push(ref_node(name, r));
    }
}

fn fixed_ref(name: &'static str, id: &str, full: &str) -> Node {
    ref_node(
        name,
        &ListRef {
            list_id: id.into(),
            full_name: full.into(),
        },
    )
}

/// A transaction line `*LineRet`.
pub fn line_node(kind: TxnKind, l: &TxnLine) -> Node {
    let mut c = vec![Node::Leaf("TxnLineID", l.txn_line_id.clone())];
    push_ref(&mut c, "ItemRef", &l.item);
    push_opt(&mut c, "Desc", &l.desc);
    if let Some(q) = l.quantity {
        c.push(Node::Leaf("Quantity", quantity(q)));
    }
    if let Some(r) = l.rate {
        c.push(Node::Leaf("Rate", price(r)));
    } else if let Some(p) = l.rate_percent {
        c.push(Node::Leaf("RatePercent", price(p)));
    }
    push_ref(&mut c, "ClassRef", &l.class);
    c.push(Node::Leaf("Amount", money(l.amount)));
    push_ref(&mut c, "SalesTaxCodeRef", &l.sales_tax_code);
    if kind == TxnKind::SalesOrder {
        c.push(Node::Leaf("Invoiced", "0".into()));
        c.push(Node::Leaf("IsManuallyClosed", "false".into()));
    }
    push_opt(&mut c, "Other1", &l.other1);
    push_opt(&mut c, "Other2", &l.other2);
    Node::Agg(line_ret_name(kind), c)
}

fn line_ret_name(kind: TxnKind) -> &'static str {
    match kind {
        TxnKind::Invoice => "InvoiceLineRet",
        TxnKind::SalesReceipt => "SalesReceiptLineRet",
        TxnKind::SalesOrder => "SalesOrderLineRet",
    }
}

fn group_node(kind: TxnKind, g: &LineGroup) -> Node {
    let mut c = vec![
        Node::Leaf("TxnLineID", g.txn_line_id.clone()),
        ref_node("ItemGroupRef", &g.item_group),
    ];
    push_opt(&mut c, "Desc", &g.desc);
    if let Some(q) = g.quantity {
        c.push(Node::Leaf("Quantity", quantity(q)));
    }
    c.push(Node::Leaf(
        "IsPrintItemsInGroup",
        bool_str(g.is_print_items_in_group),
    ));
    c.push(Node::Leaf("TotalAmount", money(g.total_amount())));
    c.extend(g.lines.iter().map(|l| line_node(kind, l)));
    let name = match kind {
        TxnKind::Invoice => "InvoiceLineGroupRet",
        TxnKind::SalesReceipt => "SalesReceiptLineGroupRet",
        TxnKind::SalesOrder => "SalesOrderLineGroupRet",
    };
    Node::Agg(name, c)
}

/// What a query asks to see of a transaction besides its header.
#[derive(Debug, Clone, Copy, Default)]
pub struct Include<'a> {
    pub lines: bool,
    /// `IncludeLinkedTxns` (invoices and sales orders only).
    pub linked: bool,
    /// The custom fields' owners (`OwnerID`).
    pub owner_ids: &'a [String],
}

fn linked_node(l: &LinkedTxn) -> Node {
    let mut c = vec![
        Node::Leaf("TxnID", l.txn_id.clone()),
        Node::Leaf("TxnType", l.txn_type.clone()),
        Node::Leaf("TxnDate", l.txn_date.to_string()),
    ];
    push_opt(&mut c, "RefNumber", &l.ref_number);
    c.push(Node::Leaf("LinkType", l.link_type.clone()));
    c.push(Node::Leaf("Amount", money(l.amount)));
    Node::Agg("LinkedTxn", c)
}

/// `InvoiceRet` / `SalesReceiptRet` / `SalesOrderRet`.
pub fn txn_node(t: &Txn, include: Include<'_>) -> Node {
    let kind = t.kind;
    let mut c = vec![
        Node::Leaf("TxnID", t.txn_id.clone()),
        Node::Leaf("TimeCreated", t.time_created.clone()),
        Node::Leaf("TimeModified", t.time_modified.clone()),
        Node::Leaf("EditSequence", t.edit_sequence.clone()),
        Node::Leaf("TxnNumber", t.txn_number.to_string()),
        ref_node("CustomerRef", &t.customer),
    ];
    push_ref(&mut c, "ClassRef", &t.class);
    let template = match kind {
        TxnKind::Invoice => {
            c.push(fixed_ref(
                "ARAccountRef",
                "80000005-1716400000",
                "Accounts Receivable",
            ));
            "Intuit Product Invoice"
        }
        TxnKind::SalesReceipt => "Custom Sales Receipt",
        TxnKind::SalesOrder => "Custom Sales Order",
    };
    c.push(fixed_ref("TemplateRef", "80000003-1716400000", template));
    c.push(Node::Leaf("TxnDate", t.txn_date.to_string()));
    push_opt(&mut c, "RefNumber", &t.ref_number);
    if let Some(a) = &t.bill_address {
        c.push(address_node("BillAddress", a));
        c.extend(block_node("BillAddressBlock", a));
    }
    if let Some(a) = &t.ship_address {
        c.push(address_node("ShipAddress", a));
        c.extend(block_node("ShipAddressBlock", a));
    }
    let date = |d: &Option<chrono::NaiveDate>| d.map(|d| d.to_string());
    match kind {
        TxnKind::Invoice => {
            push_opt(&mut c, "IsPending", &t.is_pending.map(bool_str));
            c.push(Node::Leaf("IsFinanceCharge", "false".into()));
            push_opt(&mut c, "PONumber", &t.po_number);
            push_opt(&mut c, "DueDate", &date(&t.due_date));
            push_opt(&mut c, "FOB", &t.fob);
            push_opt(&mut c, "ShipDate", &date(&t.ship_date));
            push_ref(&mut c, "ShipMethodRef", &t.ship_method);
        }
        TxnKind::SalesReceipt => {
            push_opt(&mut c, "IsPending", &t.is_pending.map(bool_str));
            push_opt(&mut c, "DueDate", &date(&t.due_date));
            push_opt(&mut c, "ShipDate", &date(&t.ship_date));
            push_ref(&mut c, "ShipMethodRef", &t.ship_method);
            push_opt(&mut c, "FOB", &t.fob);
        }
        TxnKind::SalesOrder => {
            push_opt(&mut c, "PONumber", &t.po_number);
            push_opt(&mut c, "DueDate", &date(&t.due_date));
            push_opt(&mut c, "FOB", &t.fob);
            push_opt(&mut c, "ShipDate", &date(&t.ship_date));
            push_ref(&mut c, "ShipMethodRef", &t.ship_method);
        }
    }
    c.push(Node::Leaf("Subtotal", money(t.subtotal())));
    push_ref(&mut c, "ItemSalesTaxRef", &t.item_sales_tax);
    if let Some(p) = t.sales_tax_percentage {
        c.push(Node::Leaf("SalesTaxPercentage", money(p)));
    }
    c.push(Node::Leaf("SalesTaxTotal", money(t.sales_tax_total())));
    match kind {
        TxnKind::Invoice => {
            c.push(Node::Leaf("AppliedAmount", "0.00".into()));
            c.push(Node::Leaf("BalanceRemaining", money(t.total_amount())));
            push_opt(&mut c, "Memo", &t.memo);
            c.push(Node::Leaf("IsPaid", "false".into()));
        }
        TxnKind::SalesReceipt => {
            c.push(Node::Leaf("TotalAmount", money(t.total_amount())));
            push_opt(&mut c, "Memo", &t.memo);
        }
        TxnKind::SalesOrder => {
            c.push(Node::Leaf("TotalAmount", money(t.total_amount())));
            c.push(Node::Leaf("IsManuallyClosed", "false".into()));
            c.push(Node::Leaf("IsFullyInvoiced", "false".into()));
            push_opt(&mut c, "Memo", &t.memo);
        }
    }
    c.push(Node::Leaf("IsToBePrinted", "false".into()));
    c.push(Node::Leaf("IsToBeEmailed", "false".into()));
    if kind == TxnKind::SalesReceipt {
        c.push(fixed_ref(
            "DepositToAccountRef",
            "80000007-1716400000",
            "Undeposited Funds",
        ));
    }
    push_opt(&mut c, "Other", &t.other);
    if include.linked && kind != TxnKind::SalesReceipt {
        c.extend(t.linked.iter().map(linked_node));
    }
    if include.lines {
        for entry in &t.lines {
            c.push(match entry {
                LineEntry::Line(l) => line_node(kind, l),
                LineEntry::Group(g) => group_node(kind, g),
            });
        }
    }
    c.extend(selected_data_ext(&t.data_ext, include.owner_ids));
    Node::Agg(ret_name(kind), c)
}

/// The Ret element name of a type.
pub fn ret_name(kind: TxnKind) -> &'static str {
    match kind {
        TxnKind::Invoice => "InvoiceRet",
        TxnKind::SalesReceipt => "SalesReceiptRet",
        TxnKind::SalesOrder => "SalesOrderRet",
    }
}

/// `CustomerRet`.
pub fn customer_node(cu: &Customer, owner_ids: &[String]) -> Node {
    let mut c = vec![
        Node::Leaf("ListID", cu.list_id.clone()),
        Node::Leaf("TimeCreated", cu.time_created.clone()),
        Node::Leaf("TimeModified", cu.time_modified.clone()),
        Node::Leaf("EditSequence", cu.edit_sequence.clone()),
        Node::Leaf("Name", cu.name.clone()),
        Node::Leaf("FullName", cu.full_name.clone()),
        Node::Leaf("IsActive", "true".into()),
        Node::Leaf("Sublevel", "0".into()),
    ];
    push_opt(&mut c, "CompanyName", &cu.company_name);
    push_opt(&mut c, "FirstName", &cu.first_name);
    push_opt(&mut c, "LastName", &cu.last_name);
    if let Some(a) = &cu.bill_address {
        c.push(address_node("BillAddress", a));
        c.extend(block_node("BillAddressBlock", a));
    }
    if let Some(a) = &cu.ship_address {
        c.push(address_node("ShipAddress", a));
        c.extend(block_node("ShipAddressBlock", a));
    }
    push_opt(&mut c, "Phone", &cu.phone);
    push_opt(&mut c, "Email", &cu.email);
    c.push(Node::Leaf("Balance", "0.00".into()));
    c.push(Node::Leaf("TotalBalance", "0.00".into()));
    c.push(Node::Leaf("JobStatus", "None".into()));
    c.extend(selected_data_ext(&cu.data_ext, owner_ids));
    Node::Agg("CustomerRet", c)
}

/// Keep only the top-level children named in `IncludeRetElement` (all when empty).
pub fn filter_ret(node: Node, include: &[String]) -> Node {
    if include.is_empty() {
        return node;
    }
    match node {
        Node::Agg(name, children) => Node::Agg(
            name,
            children
                .into_iter()
                .filter(|c| include.iter().any(|i| i == c.name()))
                .collect(),
        ),
        leaf => leaf,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers_like_quickbooks() {
        let d = |s: &str| s.parse::<Decimal>().unwrap_or_default();
        assert_eq!(money(d("12.5")), "12.50");
        assert_eq!(money(d("3")), "3.00");
        assert_eq!(price(d("0.125")), "0.125");
        assert_eq!(price(d("24.9")), "24.90");
        assert_eq!(quantity(d("2.000")), "2");
        assert_eq!(quantity(d("1.50")), "1.5");
    }
}
