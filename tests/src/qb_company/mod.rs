//! A simulated QuickBooks Desktop company file and request processor.
//!
//! Built from the protocol (qbXML 13.0 schema, `specs/qbwc.md`), not from our server: it is
//! the independent oracle the server is tested against. [`Company`] is a cheap, thread-safe
//! handle; tests create transactions, let the server query and modify them through
//! [`Company::process_request`] (usually via [`crate::web_connector`]) and assert with
//! [`Company::get`].

mod clock;
mod customers;
mod dataext;
mod faults;
mod hcp;
mod lines;
mod model;
mod modify;
mod process;
mod query;
mod render;
mod sample;
mod schema;
mod spec;
mod state;
mod xml;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_mod;

use std::sync::{Arc, Mutex, MutexGuard};

pub use clock::{format_time, SimClock};
pub use faults::{Hresult, StatusFault};
pub use model::{
    Address, Customer, CustomerSpec, DataExt, Item, ItemKind, LineEntry, LineGroup, LinkedTxn,
    ListRef, Txn, TxnKind, TxnLine,
};
pub use sample::sample_customers;
pub use spec::{EntrySpec, GroupSpec, InvoiceSpec, LineSpec, TxnSpec};

use state::CompanyState;

/// A QuickBooks `TxnID` (e.g. `1A2B-1795976100`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TxnId(pub String);

impl TxnId {
    /// The id text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for TxnId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for TxnId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A simulated company file. Clones share the same file.
#[derive(Debug, Clone)]
pub struct Company {
    inner: Arc<Mutex<CompanyState>>,
}

impl Default for Company {
    fn default() -> Self {
        Company::new()
    }
}

impl Company {
    /// An empty company ("Harbor Supply Co") with standard lists: sales tax codes `Tax` and
    /// `Non`, tax items `CA Sales Tax` (8.25 %) and `Out of State`, items `Shipping`,
    /// `Discount`, `Installation`, `Widget`, `Gadget Pro`, `Cable Kit`, `Rope (ft)`,
    /// `Gift Wrap`, ship methods `UPS`, `FedEx`, `USPS`, `Canada Post`, classes `Retail`,
    /// `Wholesale`, and a public transaction custom field `Tracking`.
    pub fn new() -> Company {
        Company::from_state(CompanyState::new("Harbor Supply Co"))
    }

    fn from_state(state: CompanyState) -> Company {
        Company {
            inner: Arc::new(Mutex::new(state)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, CompanyState> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Process one qbXML request message set like QuickBooks' request processor.
    ///
    /// `Err` is the HRESULT QBWC would pass on (e.g. `0x80040400` for malformed XML or a
    /// schema violation such as wrong element order); business errors are `statusCode`s
    /// inside the `Ok` response.
    pub fn process_request(&self, qbxml: &str) -> Result<String, Hresult> {
        process::process(&mut self.lock(), qbxml)
    }

    /// End the QuickBooks session: open iterators become invalid (QBWC does this after
    /// `closeConnection`, or when the update stops).
    pub fn end_session(&self) {
        self.lock().iterators.clear();
    }

    /// The HostQuery/CompanyQuery/PreferencesQuery response QBWC sends as `strHCPResponse`.
    pub fn hcp_response(&self) -> String {
        hcp::hcp_response(&self.lock())
    }

    /// Opens the file in another QuickBooks release or edition: `product` (HostQuery's
    /// ProductName), `country` and the qbXML versions it lists.
    pub fn set_host(&self, product: &str, country: &str, versions: &[&str]) {
        let mut s = self.lock();
        s.host.product = product.to_string();
        s.host.country = country.to_string();
        s.host.versions = versions.iter().map(|v| v.to_string()).collect();
    }

    /// Stamp QBWC's `FileID` data extension (first connection of an application), unless
    /// one is already there for `owner_id`.
    pub fn stamp_file_id(&self, owner_id: &str, file_id: &str) {
        let mut s = self.lock();
        let exists = s
            .company_data_ext
            .iter()
            .any(|d| d.owner_id.eq_ignore_ascii_case(owner_id) && d.name == "FileID");
        if !exists {
            s.company_data_ext.push(DataExt {
                owner_id: owner_id.to_string(),
                name: "FileID".into(),
                value: file_id.to_string(),
            });
        }
    }

    /// The company name.
    pub fn name(&self) -> String {
        self.lock().company_name.clone()
    }

    /// The company file path (QBWC's `strCompanyFileName`).
    pub fn file_path(&self) -> String {
        self.lock().file_path.clone()
    }

    /// Add a customer; returns its `ListID` (an existing name returns the existing id).
    pub fn add_customer(&self, spec: CustomerSpec) -> String {
        self.lock().add_customer(spec)
    }

    /// All customers.
    pub fn customers(&self) -> Vec<Customer> {
        self.lock().customers.clone()
    }

    /// Add an item (or return the existing one's ref).
    pub fn add_item(
        &self,
        name: &str,
        kind: ItemKind,
        price: Option<rust_decimal::Decimal>,
        taxable: bool,
    ) -> ListRef {
        self.lock().add_item(name, kind, price, taxable)
    }

    /// Add a class (or return the existing one).
    pub fn add_class(&self, name: &str) -> ListRef {
        self.lock().class(name)
    }

    /// Add a ship method (Ship Via entry) or return the existing one.
    pub fn add_ship_method(&self, name: &str) -> ListRef {
        self.lock().ship_method(name)
    }

    /// Define a public transaction custom field (`OwnerID` 0).
    pub fn define_custom_field(&self, name: &str) {
        let mut s = self.lock();
        if !s.custom_fields.iter().any(|f| f == name) {
            s.custom_fields.push(name.to_string());
        }
    }

    /// Create an invoice.
    pub fn add_invoice(&self, spec: InvoiceSpec) -> TxnId {
        TxnId(self.lock().add_txn(TxnKind::Invoice, spec))
    }

    /// Create a sales receipt.
    pub fn add_sales_receipt(&self, spec: TxnSpec) -> TxnId {
        TxnId(self.lock().add_txn(TxnKind::SalesReceipt, spec))
    }

    /// Create a sales order.
    pub fn add_sales_order(&self, spec: TxnSpec) -> TxnId {
        TxnId(self.lock().add_txn(TxnKind::SalesOrder, spec))
    }

    /// Creates an invoice from a sales order (QuickBooks' "Create Invoice"); `None` when
    /// `so_txn_id` is not a sales order.
    pub fn invoice_from_sales_order(&self, so_txn_id: impl AsRef<str>) -> Option<TxnId> {
        self.lock()
            .invoice_from_sales_order(so_txn_id.as_ref())
            .map(TxnId)
    }

    /// Edit a transaction as a QuickBooks user would: `f` changes it, then `EditSequence`
    /// and `TimeModified` move on. Returns false when the TxnID does not exist.
    pub fn edit(&self, txn_id: impl AsRef<str>, f: impl FnOnce(&mut Txn)) -> bool {
        let mut s = self.lock();
        let Some(idx) = s.txn_index(txn_id.as_ref()) else {
            return false;
        };
        f(&mut s.txns[idx]);
        s.touch(idx);
        true
    }

    /// Void a transaction as QuickBooks does: every quantity and amount becomes zero and the
    /// memo starts with `VOID:`. Returns false when the TxnID does not exist.
    pub fn void(&self, txn_id: impl AsRef<str>) -> bool {
        self.edit(txn_id, |t| {
            for entry in &mut t.lines {
                let lines = match entry {
                    LineEntry::Line(l) => std::slice::from_mut(l),
                    LineEntry::Group(g) => g.lines.as_mut_slice(),
                };
                for l in lines {
                    l.quantity = l.quantity.map(|_| rust_decimal::Decimal::ZERO);
                    l.amount = rust_decimal::Decimal::ZERO;
                }
            }
            t.memo = Some(match t.memo.take().filter(|m| !m.is_empty()) {
                Some(m) => format!("VOID: {m}"),
                None => "VOID:".to_string(),
            });
        })
    }

    /// Delete a transaction (as a user would). Returns false when it did not exist.
    pub fn delete(&self, txn_id: impl AsRef<str>) -> bool {
        let mut s = self.lock();
        match s.txn_index(txn_id.as_ref()) {
            Some(idx) => {
                s.txns.remove(idx);
                s.clock.tick();
                true
            }
            None => false,
        }
    }

    /// A transaction by `TxnID`.
    pub fn get(&self, txn_id: impl AsRef<str>) -> Option<Txn> {
        let s = self.lock();
        s.txn_index(txn_id.as_ref()).map(|i| s.txns[i].clone())
    }

    /// All transactions of a type, in creation order.
    pub fn txns(&self, kind: TxnKind) -> Vec<Txn> {
        self.lock()
            .txns
            .iter()
            .filter(|t| t.kind == kind)
            .cloned()
            .collect()
    }

    /// The company clock's current time, QuickBooks formatted.
    pub fn now(&self) -> String {
        self.lock().now_str()
    }

    /// Move the clock forward by `seconds` (e.g. to separate "before" and "after" edits).
    pub fn advance_clock(&self, seconds: i64) {
        self.lock()
            .clock
            .advance(chrono::Duration::seconds(seconds));
    }

    /// Make the next `n` requests fail with `hresult` (no response, like a COM error).
    pub fn fail_next_requests(&self, n: usize, hresult: Hresult) {
        let mut s = self.lock();
        for _ in 0..n {
            s.faults.hresults.push_back(hresult.clone());
        }
    }

    /// Make matching requests answer with a given status instead of running.
    pub fn fail_with_status(&self, fault: StatusFault) {
        self.lock().faults.statuses.push(fault);
    }

    /// Every request message set received so far, in order.
    pub fn request_log(&self) -> Vec<String> {
        self.lock().request_log.clone()
    }

    /// The company file as JSON (iterators, faults and the request log are not included).
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(&*self.lock())
    }

    /// A company from [`Company::to_json`] output.
    pub fn from_json(json: &str) -> Result<Company, serde_json::Error> {
        serde_json::from_str::<CompanyState>(json).map(Company::from_state)
    }

    /// Save to a JSON file.
    pub fn save(&self, path: &std::path::Path) -> anyhow::Result<()> {
        std::fs::write(path, self.to_json()?)?;
        Ok(())
    }

    /// Load from a JSON file written by [`Company::save`].
    pub fn load(path: &std::path::Path) -> anyhow::Result<Company> {
        Ok(Company::from_json(&std::fs::read_to_string(path)?)?)
    }
}
