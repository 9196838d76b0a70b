//! qbXML parse throughput: a 100-invoice `InvoiceQueryRs` (3-5 lines each, bill and ship
//! addresses, a custom field) parsed with [`shared::qbxml::response::parse_response`].
//!
//! `cargo bench -p shared --bench qbxml_parse` prints MB/s and documents/s. A plain
//! `harness = false` bench: warm up, then time batches for about three seconds and report the
//! median batch.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

use shared::qbxml::response::parse_response;

const INVOICES: usize = 100;
const ITEMS: [(&str, &str, &str); 6] = [
    (
        "80000001-1300000000",
        "Widget",
        "Widget, powder-coated steel, 4 in.",
    ),
    (
        "80000002-1300000000",
        "Gadget Pro",
        "Gadget Pro with wall mount &amp; cable",
    ),
    (
        "80000003-1300000000",
        "Cable Kit",
        "Cable kit: 2 x 6 ft, 1 x 12 ft",
    ),
    (
        "80000004-1300000000",
        "Installation",
        "On-site installation (per hour)",
    ),
    ("80000005-1300000000", "Rope (ft)", "Nylon rope, per foot"),
    (
        "80000006-1300000000",
        "Shipping",
        "Freight &lt;UPS Ground&gt;",
    ),
];

fn address(out: &mut String, tag: &str, i: usize) {
    let _ = write!(
        out,
        "<{tag}><Addr1>Customer {i} &amp; Sons</Addr1><Addr2>Attn: Receiving Dock {}</Addr2>\
         <Addr3>{} Harbor Way</Addr3><City>Portland</City><State>OR</State>\
         <PostalCode>97{:03}</PostalCode><Country>US</Country></{tag}>\
         <{tag}Block><Addr1>Customer {i} &amp; Sons</Addr1><Addr2>{} Harbor Way</Addr2>\
         <Addr3>Portland, OR 97{:03}</Addr3></{tag}Block>",
        i % 7,
        100 + i,
        i % 1000,
        100 + i,
        i % 1000
    );
}

fn invoice(out: &mut String, i: usize) {
    let lines = 3 + i % 3;
    let _ = write!(
        out,
        "<InvoiceRet><TxnID>{:X}-1700000000</TxnID><TimeCreated>2026-11-02T09:{:02}:00-08:00</TimeCreated>\
         <TimeModified>2026-11-03T10:{:02}:17-08:00</TimeModified><EditSequence>17000{i:05}</EditSequence>\
         <TxnNumber>{}</TxnNumber><CustomerRef><ListID>8000{:04}-1600000000</ListID>\
         <FullName>Customer {i} &amp; Sons:Job {}</FullName></CustomerRef>\
         <ClassRef><ListID>C0000001-1600000000</ListID><FullName>Retail</FullName></ClassRef>\
         <ARAccountRef><ListID>A0000001-1600000000</ListID><FullName>Accounts Receivable</FullName></ARAccountRef>\
         <TemplateRef><ListID>T0000001-1600000000</ListID><FullName>Intuit Product Invoice</FullName></TemplateRef>\
         <TxnDate>2026-11-02</TxnDate><RefNumber>{}</RefNumber>",
        0x1000 + i,
        i % 60,
        i % 60,
        2000 + i,
        i % 50,
        i % 3,
        7100 + i
    );
    address(out, "BillAddress", i);
    address(out, "ShipAddress", i);
    let _ = write!(
        out,
        "<IsPending>false</IsPending><IsFinanceCharge>false</IsFinanceCharge><PONumber>PO-{}</PONumber>\
         <TermsRef><ListID>E0000001-1600000000</ListID><FullName>Net 30</FullName></TermsRef>\
         <DueDate>2026-12-02</DueDate><ShipDate>2026-11-04</ShipDate>\
         <ShipMethodRef><ListID>S0000001-1600000000</ListID><FullName>UPS</FullName></ShipMethodRef>\
         <Subtotal>{}.50</Subtotal><ItemSalesTaxRef><ListID>X0000001-1600000000</ListID>\
         <FullName>CA Sales Tax</FullName></ItemSalesTaxRef><SalesTaxPercentage>8.25</SalesTaxPercentage>\
         <SalesTaxTotal>{}.21</SalesTaxTotal><AppliedAmount>0.00</AppliedAmount>\
         <BalanceRemaining>{}.71</BalanceRemaining><Memo>Deliver before noon, call ahead</Memo>\
         <IsPaid>false</IsPaid><IsToBePrinted>true</IsToBePrinted><IsToBeEmailed>false</IsToBeEmailed>\
         <CustomerSalesTaxCodeRef><ListID>Z0000001-1600000000</ListID><FullName>Tax</FullName></CustomerSalesTaxCodeRef>\
         <Other>Dock {}</Other>",
        4400 + i,
        150 + i,
        12 + i % 9,
        162 + i,
        i % 4
    );
    for l in 0..lines {
        let (list_id, name, desc) = ITEMS[(i + l) % ITEMS.len()];
        let _ = write!(
            out,
            "<InvoiceLineRet><TxnLineID>{:X}-1700000000</TxnLineID><ItemRef><ListID>{list_id}</ListID>\
             <FullName>{name}</FullName></ItemRef><Desc>{desc}</Desc><Quantity>{}</Quantity>\
             <Rate>{}.95</Rate><ClassRef><ListID>C0000001-1600000000</ListID><FullName>Retail</FullName></ClassRef>\
             <Amount>{}.85</Amount><SalesTaxCodeRef><ListID>Z0000001-1600000000</ListID>\
             <FullName>Tax</FullName></SalesTaxCodeRef></InvoiceLineRet>",
            0x20000 + i * 10 + l,
            1 + l,
            10 + l * 7,
            (1 + l) * (10 + l * 7)
        );
    }
    let _ = write!(
        out,
        "<DataExtRet><OwnerID>0</OwnerID><DataExtName>Tracking</DataExtName><DataExtType>STR255TYPE</DataExtType>\
         <DataExtValue>1Z999AA1012345{i:04}</DataExtValue></DataExtRet></InvoiceRet>"
    );
}

/// The response document QuickBooks would return for one iterator page of `n` invoices.
fn invoice_query_rs(n: usize) -> String {
    let mut out = String::with_capacity(n * 4096);
    out.push_str(
        "<?xml version=\"1.0\" ?>\n<QBXML>\n<QBXMLMsgsRs>\n<InvoiceQueryRs requestID=\"2\" statusCode=\"0\" \
         statusSeverity=\"Info\" statusMessage=\"Status OK\" iteratorRemainingCount=\"0\" \
         iteratorID=\"{eb05f701-e727-472f-8ade-6753c4f67a46}\">",
    );
    for i in 0..n {
        invoice(&mut out, i);
    }
    out.push_str("</InvoiceQueryRs>\n</QBXMLMsgsRs>\n</QBXML>\n");
    out
}

fn main() {
    let doc = invoice_query_rs(INVOICES);
    let parsed = parse_response(&doc).expect("the generated document parses");
    let sales = &parsed.responses[0].sales;
    assert_eq!(sales.len(), INVOICES, "every invoice parsed");
    let lines: usize = sales.iter().map(|s| s.lines.len()).sum();
    assert!(lines >= 3 * INVOICES, "3-5 lines per invoice, got {lines}");
    assert!(sales
        .iter()
        .all(|s| s.ship_address.is_some() && !s.data_ext.is_empty()));

    // Warm up, then size a batch to roughly 100 ms.
    let warm = Instant::now();
    let mut per_batch = 0u32;
    while warm.elapsed() < Duration::from_millis(300) {
        black_box(parse_response(black_box(&doc)).ok());
        per_batch += 1;
    }
    let per_batch = (per_batch / 3).max(1);
    let mut samples = Vec::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(3) || samples.len() < 5 {
        let t = Instant::now();
        for _ in 0..per_batch {
            black_box(parse_response(black_box(&doc)).ok());
        }
        samples.push(t.elapsed().as_secs_f64() / f64::from(per_batch));
    }
    samples.sort_by(f64::total_cmp);
    let median = samples[samples.len() / 2];
    let best = samples[0];
    let mb = doc.len() as f64 / 1e6;
    println!(
        "qbxml_parse: InvoiceQueryRs, {INVOICES} invoices, {lines} lines, {} bytes",
        doc.len()
    );
    println!(
        "  median {:.3} ms/doc  {:.1} MB/s  {:.0} docs/s  {:.0} invoices/s   (best {:.1} MB/s, {} samples)",
        median * 1e3,
        mb / median,
        1.0 / median,
        INVOICES as f64 / median,
        mb / best,
        samples.len()
    );
}
