//! A demo company: realistic customers (businesses with ATTN lines, people, Canadian
//! addresses, an `&` in a name) and generated sales.

use rust_decimal::Decimal;

use super::model::{Address, CustomerSpec};
use super::spec::{GroupSpec, LineSpec, TxnSpec};
use super::Company;

fn customer(
    name: &str,
    company: Option<&str>,
    first: &str,
    last: &str,
    ship: Address,
    phone: &str,
    email: &str,
) -> CustomerSpec {
    CustomerSpec {
        name: name.to_string(),
        company_name: company.map(str::to_string),
        first_name: Some(first.to_string()),
        last_name: Some(last.to_string()),
        bill_address: Some(ship.clone()),
        ship_address: Some(ship),
        phone: Some(phone.to_string()),
        email: Some(email.to_string()),
    }
}

/// The demo customers.
pub fn sample_customers() -> Vec<CustomerSpec> {
    vec![
        customer(
            "Acme Hardware & Supply",
            Some("Acme Hardware & Supply"),
            "Dana",
            "Whitfield",
            Address::new(
                &[
                    "Acme Hardware & Supply",
                    "ATTN: Receiving Dept",
                    "1200 Industrial Pkwy",
                ],
                "Fresno",
                "CA",
                "93725",
            ),
            "559-555-0142",
            "orders@acmehardware.example.com",
        ),
        customer(
            "Lopez, Maria",
            None,
            "Maria",
            "Lopez",
            Address::new(
                &["Maria Lopez", "455 Oak St Apt 3B"],
                "Portland",
                "OR",
                "97205",
            ),
            "503-555-0199",
            "maria.lopez@example.com",
        ),
        customer(
            "Northern Lights Outfitters",
            Some("Northern Lights Outfitters"),
            "Jean",
            "Tremblay",
            Address::new(
                &[
                    "Northern Lights Outfitters",
                    "Attn: Jean Tremblay",
                    "88 Rue Sainte-Catherine O",
                ],
                "Montréal",
                "QC",
                "H3B 1A7",
            )
            .with_country("Canada"),
            "514-555-0123",
            "jean@northernlights.example.ca",
        ),
        customer(
            "O'Neil, Brian",
            None,
            "Brian",
            "O'Neil",
            Address::new(
                &["Brian O'Neil", "301 Front St W, Unit 1204"],
                "Toronto",
                "ON",
                "M5V 2T6",
            )
            .with_country("Canada"),
            "416-555-0175",
            "brian.oneil@example.ca",
        ),
        customer(
            "Bayside Marine Services",
            Some("Bayside Marine Services LLC"),
            "Tom",
            "Nguyen",
            Address::new(
                &[
                    "Bayside Marine Services LLC",
                    "Attn: Tom Nguyen",
                    "Pier 39, Suite 210",
                ],
                "San Francisco",
                "CA",
                "94133",
            )
            .with_country("USA"),
            "415-555-0110",
            "tom@baysidemarine.example.com",
        ),
        customer(
            "Greenleaf Cafe",
            Some("Greenleaf Café"),
            "Priya",
            "Shah",
            Address::new(
                &["Greenleaf Café", "72 Main Street"],
                "Burlington",
                "VT",
                "05401",
            ),
            "802-555-0163",
            "hello@greenleaf.example.com",
        ),
        customer(
            "Kowalski, Anna",
            None,
            "Anna",
            "Kowalski",
            Address::new(
                &["Anna Kowalski", "9 Elm Ct"],
                "Naperville",
                "IL",
                "60540-1234",
            ),
            "630-555-0128",
            "anna.k@example.com",
        ),
        customer(
            "Summit Dental Group:Downtown Office",
            Some("Summit Dental Group"),
            "Lisa",
            "Park",
            Address::new(
                &[
                    "Summit Dental Group",
                    "c/o Lisa Park",
                    "1600 Broadway Fl 12",
                ],
                "Denver",
                "CO",
                "80202",
            ),
            "303-555-0187",
            "lpark@summitdental.example.com",
        ),
    ]
}

/// Deterministic pseudo-random numbers (so sample companies are the same every run).
#[derive(Debug, Clone)]
pub struct Lcg(u64);

impl Lcg {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Lcg {
        Lcg(seed.wrapping_mul(6364136223846793005).wrapping_add(1))
    }

    /// The next number below `n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

const PRODUCTS: [&str; 5] = [
    "Widget",
    "Gadget Pro",
    "Cable Kit",
    "Installation",
    "Gift Wrap",
];

/// One generated sale for customer `customer`, varied by `rng`.
pub fn generated_spec(rng: &mut Lcg, customer: &str, seq: usize) -> TxnSpec {
    let mut spec = TxnSpec::new(customer);
    let n_lines = 1 + rng.below(3);
    for _ in 0..n_lines {
        let item = PRODUCTS[rng.below(PRODUCTS.len())];
        spec = spec.line(LineSpec::item(item).qty(Decimal::from(1 + rng.below(5) as i64)));
    }
    if seq % 7 == 3 {
        spec = spec.line(
            LineSpec::item("Rope (ft)")
                .qty_str("12.5")
                .desc("Nylon rope, per foot"),
        );
    }
    if seq.is_multiple_of(5) {
        spec.po_number = Some(format!("PO-{}", 4400 + seq));
    }
    if seq % 11 == 4 {
        spec = spec.line(
            LineSpec::item("Discount")
                .amount_str("-5.00")
                .desc("Loyalty discount"),
        );
    }
    spec
}

impl Company {
    /// Add `n` generated invoices spread over the existing customers (creating the demo
    /// customers first if there are none); returns their TxnIDs in creation order.
    pub fn generate_invoices(&self, n: usize) -> Vec<super::TxnId> {
        let mut names: Vec<String> = self.customers().into_iter().map(|c| c.full_name).collect();
        if names.is_empty() {
            for c in sample_customers() {
                self.add_customer(c);
            }
            names = self.customers().into_iter().map(|c| c.full_name).collect();
        }
        let mut rng = Lcg::new(n as u64 + names.len() as u64);
        (0..n)
            .map(|i| {
                let who = &names[rng.below(names.len())];
                self.add_invoice(generated_spec(&mut rng, who, i))
            })
            .collect()
    }

    /// A demo company with the sample customers, `n_invoices` invoices (one with a group
    /// line, one with a fractional quantity, shipping and a discount), three sales receipts
    /// and three sales orders.
    pub fn sample(n_invoices: usize) -> Company {
        let company = Company::new();
        for c in sample_customers() {
            company.add_customer(c);
        }
        if n_invoices > 0 {
            company.add_invoice(
                TxnSpec::new("Northern Lights Outfitters")
                    .line(
                        LineSpec::item("Rope (ft)")
                            .qty_str("37.5")
                            .desc("Nylon rope, per foot"),
                    )
                    .line(LineSpec::item("Widget").qty(4))
                    .group(GroupSpec {
                        item_group: "Starter Bundle".into(),
                        desc: Some("Starter bundle: widget + cable kit".into()),
                        quantity: Some(Decimal::ONE),
                        lines: vec![
                            LineSpec::item("Widget").qty(1),
                            LineSpec::item("Cable Kit").qty(1),
                        ],
                    })
                    .line(
                        LineSpec::item("Shipping")
                            .amount_str("18.00")
                            .desc("Freight"),
                    )
                    .line(
                        LineSpec::item("Discount")
                            .amount_str("-10.00")
                            .desc("Holiday discount"),
                    ),
            );
            company.generate_invoices(n_invoices - 1);
        }
        let mut rng = Lcg::new(7);
        let names: Vec<String> = company
            .customers()
            .into_iter()
            .map(|c| c.full_name)
            .collect();
        for i in 0..3 {
            let who = &names[rng.below(names.len())];
            company.add_sales_receipt(generated_spec(&mut rng, who, i + 1));
            let who = &names[rng.below(names.len())];
            company.add_sales_order(generated_spec(&mut rng, who, i + 2));
        }
        company
    }
}
