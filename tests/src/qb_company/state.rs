//! The company file's contents and the bookkeeping QuickBooks does on every change
//! (ids, `EditSequence`, `TimeModified`, reference numbers).

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::clock::{format_time, SimClock};
use super::faults::Faults;
use super::model::{
    Customer, CustomerSpec, DataExt, Item, ItemKind, LineEntry, LineGroup, LinkedTxn, ListRef, Txn,
    TxnKind, TxnLine,
};
use super::query::IteratorState;
use super::spec::{EntrySpec, LineSpec, TxnSpec};

/// Everything in the company file, plus per-session state that is not persisted.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CompanyState {
    pub clock: SimClock,
    pub company_name: String,
    /// The path QBWC reports as `strCompanyFileName`.
    pub file_path: String,
    /// Company-level data extensions (QBWC stamps `FileID` here).
    pub company_data_ext: Vec<DataExt>,
    /// The QuickBooks release and edition that has the file open (HostQuery).
    #[serde(default)]
    pub host: super::hcp::Host,
    pub customers: Vec<Customer>,
    pub classes: Vec<ListRef>,
    pub items: Vec<Item>,
    pub ship_methods: Vec<ListRef>,
    pub sales_tax_codes: Vec<ListRef>,
    /// Names of the public custom fields defined for transactions.
    pub custom_fields: Vec<String>,
    pub default_tax_item: String,
    pub txns: Vec<Txn>,
    pub next_list: u32,
    pub next_txn: u32,
    pub next_line: u32,
    pub next_txn_number: u32,
    pub next_ref: BTreeMap<String, u32>,
    #[serde(skip)]
    pub iterators: HashMap<String, IteratorState>,
    #[serde(skip)]
    pub faults: Faults,
    #[serde(skip)]
    pub request_log: Vec<String>,
}

impl CompanyState {
    /// An empty company with the usual lists: tax codes, tax items, shipping and discount
    /// items, a few products, ship methods and a `Tracking` custom field.
    pub fn new(name: &str) -> CompanyState {
        let mut s = CompanyState {
            clock: SimClock::default(),
            company_name: name.to_string(),
            file_path: format!(
                "C:\\Users\\Public\\Documents\\Intuit\\QuickBooks\\Company Files\\{name}.QBW"
            ),
            company_data_ext: Vec::new(),
            host: Default::default(),
            customers: Vec::new(),
            classes: Vec::new(),
            items: Vec::new(),
            ship_methods: Vec::new(),
            sales_tax_codes: Vec::new(),
            custom_fields: vec!["Tracking".to_string()],
            default_tax_item: "CA Sales Tax".to_string(),
            txns: Vec::new(),
            next_list: 1,
            next_txn: 0x1A2B,
            next_line: 0x1A2C,
            next_txn_number: 1,
            next_ref: BTreeMap::new(),
            iterators: HashMap::new(),
            faults: Faults::default(),
            request_log: Vec::new(),
        };
        for code in ["Tax", "Non"] {
            let r = s.new_list_ref(code);
            s.sales_tax_codes.push(r);
        }
        let d = |v: &str| v.parse::<Decimal>().ok();
        s.add_item("CA Sales Tax", ItemKind::SalesTax, d("8.25"), false);
        s.add_item("Out of State", ItemKind::SalesTax, d("0"), false);
        s.add_item("Shipping", ItemKind::OtherCharge, None, false);
        s.add_item("Discount", ItemKind::Discount, None, false);
        s.add_item("Installation", ItemKind::Service, d("85.00"), false);
        s.add_item("Widget", ItemKind::Inventory, d("24.95"), true);
        s.add_item("Gadget Pro", ItemKind::Inventory, d("149.00"), true);
        s.add_item("Cable Kit", ItemKind::NonInventory, d("12.50"), true);
        s.add_item("Rope (ft)", ItemKind::NonInventory, d("0.85"), true);
        s.add_item("Gift Wrap", ItemKind::OtherCharge, d("4.00"), false);
        for m in ["UPS", "FedEx", "USPS", "Canada Post"] {
            s.ship_method(m);
        }
        for c in ["Retail", "Wholesale"] {
            s.class(c);
        }
        s
    }

    /// The current time, QuickBooks formatted.
    pub fn now_str(&self) -> String {
        format_time(self.clock.now())
    }

    fn new_list_ref(&mut self, full_name: &str) -> ListRef {
        let ts = self.clock.now().timestamp();
        let id = format!("8{:07X}-{ts}", self.next_list);
        self.next_list += 1;
        ListRef {
            list_id: id,
            full_name: full_name.to_string(),
        }
    }

    /// Add (or find) an item by full name.
    pub fn add_item(
        &mut self,
        name: &str,
        kind: ItemKind,
        price: Option<Decimal>,
        taxable: bool,
    ) -> ListRef {
        if let Some(i) = self.items.iter().find(|i| i.full_name == name) {
            return ListRef {
                list_id: i.list_id.clone(),
                full_name: i.full_name.clone(),
            };
        }
        let r = self.new_list_ref(name);
        self.items.push(Item {
            list_id: r.list_id.clone(),
            full_name: name.to_string(),
            kind,
            description: None,
            price,
            taxable,
        });
        r
    }

    /// Find an item by `ListID` or `FullName`.
    pub fn find_item(&self, list_id: Option<&str>, full_name: Option<&str>) -> Option<&Item> {
        self.items.iter().find(|i| {
            list_id.is_some_and(|id| id == i.list_id)
                || (list_id.is_none() && full_name.is_some_and(|n| n == i.full_name))
        })
    }

    /// Find or create a class.
    pub fn class(&mut self, name: &str) -> ListRef {
        if let Some(c) = self.classes.iter().find(|c| c.full_name == name) {
            return c.clone();
        }
        let r = self.new_list_ref(name);
        self.classes.push(r.clone());
        r
    }

    /// Find or create a ship method.
    pub fn ship_method(&mut self, name: &str) -> ListRef {
        if let Some(c) = self.ship_methods.iter().find(|c| c.full_name == name) {
            return c.clone();
        }
        let r = self.new_list_ref(name);
        self.ship_methods.push(r.clone());
        r
    }

    fn tax_code(&mut self, name: &str) -> ListRef {
        if let Some(c) = self.sales_tax_codes.iter().find(|c| c.full_name == name) {
            return c.clone();
        }
        let r = self.new_list_ref(name);
        self.sales_tax_codes.push(r.clone());
        r
    }

    /// Create a customer; returns its `ListID`. An existing name returns the existing id.
    pub fn add_customer(&mut self, spec: CustomerSpec) -> String {
        if let Some(c) = self.customers.iter().find(|c| c.full_name == spec.name) {
            return c.list_id.clone();
        }
        let now = self.clock.tick();
        let r = self.new_list_ref(&spec.name);
        self.customers.push(Customer {
            list_id: r.list_id.clone(),
            time_created: format_time(now),
            time_modified: format_time(now),
            edit_sequence: now.timestamp().to_string(),
            name: spec.name.clone(),
            full_name: spec.name,
            company_name: spec.company_name,
            first_name: spec.first_name,
            last_name: spec.last_name,
            bill_address: spec.bill_address,
            ship_address: spec.ship_address,
            phone: spec.phone,
            email: spec.email,
            data_ext: Vec::new(),
        });
        r.list_id
    }

    fn customer_ref(&mut self, name: &str) -> ListRef {
        let list_id = self.add_customer(CustomerSpec {
            name: name.to_string(),
            ..CustomerSpec::default()
        });
        ListRef {
            list_id,
            full_name: name.to_string(),
        }
    }

    /// A new `TxnLineID`.
    pub fn new_line_id(&mut self) -> String {
        let id = format!("{:X}-{}", self.next_line, self.clock.now().timestamp());
        self.next_line += 1;
        id
    }

    /// Build a line from a spec, creating unknown items as non-inventory parts.
    pub fn build_line(&mut self, spec: &LineSpec) -> TxnLine {
        let (item, default_rate, taxable) = match &spec.item {
            Some(name) => {
                let existing = self.find_item(None, Some(name)).cloned();
                let item = match existing {
                    Some(i) => i,
                    None => {
                        self.add_item(name, ItemKind::NonInventory, None, true);
                        self.find_item(None, Some(name)).cloned().unwrap_or(Item {
                            list_id: String::new(),
                            full_name: name.clone(),
                            kind: ItemKind::NonInventory,
                            description: None,
                            price: None,
                            taxable: true,
                        })
                    }
                };
                let r = ListRef {
                    list_id: item.list_id.clone(),
                    full_name: item.full_name.clone(),
                };
                (Some(r), item.price, item.taxable)
            }
            None => (None, None, false),
        };
        let rate = spec.rate.or(if spec.amount.is_none() {
            default_rate
        } else {
            None
        });
        let amount = spec
            .amount
            .unwrap_or_else(|| line_amount(spec.quantity, rate));
        let code = spec
            .sales_tax_code
            .clone()
            .unwrap_or_else(|| if taxable { "Tax" } else { "Non" }.to_string());
        let class = spec.class.as_deref().map(|c| self.class(c));
        let sales_tax_code = if item.is_some() {
            Some(self.tax_code(&code))
        } else {
            None
        };
        TxnLine {
            txn_line_id: self.new_line_id(),
            item,
            desc: spec.desc.clone(),
            quantity: spec.quantity,
            rate,
            rate_percent: None,
            class,
            amount,
            sales_tax_code,
            other1: None,
            other2: None,
        }
    }

    fn next_ref_number(&mut self, kind: TxnKind) -> String {
        let start = match kind {
            TxnKind::Invoice => 10001,
            TxnKind::SalesReceipt => 5001,
            TxnKind::SalesOrder => 7001,
        };
        let n = self
            .next_ref
            .entry(kind.stem().to_string())
            .or_insert(start);
        let out = n.to_string();
        *n += 1;
        out
    }

    /// Create a transaction from a spec; returns its `TxnID`.
    pub fn add_txn(&mut self, kind: TxnKind, spec: TxnSpec) -> String {
        let customer = self.customer_ref(&spec.customer);
        let now = self.clock.tick();
        let ts = now.timestamp();
        let txn_id = format!("{:X}-{ts}", self.next_txn);
        self.next_txn += 1;
        let (bill, ship) = self
            .customers
            .iter()
            .find(|c| c.list_id == customer.list_id)
            .map(|c| (c.bill_address.clone(), c.ship_address.clone()))
            .unwrap_or_default();
        let tax_item_name = spec
            .sales_tax_item
            .clone()
            .unwrap_or_else(|| self.default_tax_item.clone());
        let tax_item = self
            .find_item(None, Some(&tax_item_name))
            .map(|i| (i.list_id.clone(), i.full_name.clone(), i.price));
        let mut lines = Vec::new();
        for entry in &spec.entries {
            match entry {
                EntrySpec::Line(l) => lines.push(LineEntry::Line(self.build_line(l))),
                EntrySpec::Group(g) => {
                    let group_item =
                        self.add_item(&g.item_group, ItemKind::NonInventory, None, false);
                    let txn_line_id = self.new_line_id();
                    let inner = g.lines.iter().map(|l| self.build_line(l)).collect();
                    lines.push(LineEntry::Group(LineGroup {
                        txn_line_id,
                        item_group: group_item,
                        desc: g.desc.clone(),
                        quantity: g.quantity,
                        is_print_items_in_group: false,
                        lines: inner,
                    }));
                }
            }
        }
        let txn_date = spec.txn_date.unwrap_or_else(|| self.clock.today());
        let ref_number = spec
            .ref_number
            .clone()
            .or_else(|| Some(self.next_ref_number(kind)));
        let ship_method = spec.ship_method.as_deref().map(|m| self.ship_method(m));
        let class = spec.class.as_deref().map(|c| self.class(c));
        let txn = Txn {
            kind,
            txn_id: txn_id.clone(),
            time_created: format_time(now),
            time_modified: format_time(now),
            edit_sequence: ts.to_string(),
            txn_number: self.next_txn_number,
            customer,
            class,
            txn_date,
            ref_number,
            bill_address: spec.bill_address.clone().or(bill),
            ship_address: spec.ship_address.clone().or(ship),
            is_pending: match kind {
                TxnKind::SalesOrder => None,
                _ => Some(spec.is_pending.unwrap_or(false)),
            },
            po_number: match kind {
                TxnKind::SalesReceipt => None,
                _ => spec.po_number.clone(),
            },
            due_date: match kind {
                TxnKind::SalesReceipt => Some(txn_date),
                _ => txn_date.checked_add_days(chrono::Days::new(30)),
            },
            fob: spec.fob.clone(),
            ship_date: spec.ship_date,
            ship_method,
            item_sales_tax: tax_item.as_ref().map(|(id, name, _)| ListRef {
                list_id: id.clone(),
                full_name: name.clone(),
            }),
            sales_tax_percentage: tax_item.and_then(|(_, _, p)| p),
            memo: spec.memo.clone(),
            other: spec.other.clone(),
            lines,
            data_ext: spec.data_ext.clone(),
            linked: Vec::new(),
        };
        self.next_txn_number += 1;
        self.txns.push(txn);
        txn_id
    }

    /// Creates an invoice from sales order `so_txn_id` as QuickBooks' "Create Invoice" does:
    /// the same customer, addresses, ship method and lines (new line ids), each transaction
    /// linked to the other, and the sales order modified (it is now invoiced). `None` when
    /// there is no such sales order.
    pub fn invoice_from_sales_order(&mut self, so_txn_id: &str) -> Option<String> {
        let idx = self
            .txn_index(so_txn_id)
            .filter(|i| self.txns[*i].kind == TxnKind::SalesOrder)?;
        let now = self.clock.tick();
        let ts = now.timestamp();
        let mut invoice = self.txns[idx].clone();
        invoice.kind = TxnKind::Invoice;
        invoice.txn_id = format!("{:X}-{ts}", self.next_txn);
        self.next_txn += 1;
        invoice.time_created = format_time(now);
        invoice.time_modified = format_time(now);
        invoice.edit_sequence = ts.to_string();
        invoice.txn_number = self.next_txn_number;
        self.next_txn_number += 1;
        invoice.txn_date = self.clock.today();
        invoice.ref_number = Some(self.next_ref_number(TxnKind::Invoice));
        invoice.is_pending = Some(false);
        for entry in &mut invoice.lines {
            match entry {
                LineEntry::Line(l) => l.txn_line_id = self.new_line_id(),
                LineEntry::Group(g) => {
                    g.txn_line_id = self.new_line_id();
                    for l in &mut g.lines {
                        l.txn_line_id = self.new_line_id();
                    }
                }
            }
        }
        let so = &self.txns[idx];
        invoice.linked = vec![LinkedTxn {
            txn_id: so.txn_id.clone(),
            txn_type: "SalesOrder".into(),
            txn_date: so.txn_date,
            ref_number: so.ref_number.clone(),
            link_type: "QUANTYPE".into(),
            amount: Decimal::ZERO,
        }];
        let back = LinkedTxn {
            txn_id: invoice.txn_id.clone(),
            txn_type: "Invoice".into(),
            txn_date: invoice.txn_date,
            ref_number: invoice.ref_number.clone(),
            link_type: "QUANTYPE".into(),
            amount: Decimal::ZERO,
        };
        let id = invoice.txn_id.clone();
        self.txns.push(invoice);
        self.txns[idx].linked.push(back);
        self.touch(idx);
        Some(id)
    }

    /// Record a change to a transaction the way QuickBooks does: later `TimeModified`,
    /// new `EditSequence`.
    pub fn touch(&mut self, idx: usize) {
        let now = self.clock.tick();
        if let Some(t) = self.txns.get_mut(idx) {
            t.time_modified = format_time(now);
            t.edit_sequence = now.timestamp().to_string();
        }
    }

    /// Index of a transaction by `TxnID` (any type).
    pub fn txn_index(&self, txn_id: &str) -> Option<usize> {
        self.txns.iter().position(|t| t.txn_id == txn_id)
    }
}

/// `Amount` from quantity and rate, rounded to cents.
pub fn line_amount(quantity: Option<Decimal>, rate: Option<Decimal>) -> Decimal {
    let amount = match (quantity, rate) {
        (Some(q), Some(r)) => q * r,
        (None, Some(r)) => r,
        _ => Decimal::ZERO,
    };
    amount.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}
