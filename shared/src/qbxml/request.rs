//! Building the qbXML request documents we hand to `sendRequestXML`.
//!
//! Every builder returns a complete document (`<?xml ...?><?qbxml version="13.0"?><QBXML>
//! <QBXMLMsgsRq onError="stopOnError">...`) whose elements follow the qbXML 13.0 XSD
//! sequence (`qbxmlops130.xsd`); QuickBooks rejects anything out of order with HRESULT
//! `0x80040400`. All values are escaped; free text is also made Latin-1 safe.

mod txn_mod;

pub use txn_mod::{
    data_ext_add, data_ext_del, data_ext_mod, txn_mod, ExistingLine, NewLine, TxnModParams,
    MAX_MEMO,
};

use super::text::escape;
use super::QBXML_VERSION;
use crate::sale::TxnType;

/// Why a request could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// A list filter was empty; sending it would query *every* record instead of none.
    #[error("at least one {0} is required")]
    EmptyList(&'static str),
}

/// Wraps `*Rq` elements into a full qbXML request document with `onError="stopOnError"`.
pub fn message_set(requests: &[String]) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<?qbxml version=\"{QBXML_VERSION}\"?>\n\
         <QBXML>\n<QBXMLMsgsRq onError=\"stopOnError\">\n"
    );
    for rq in requests {
        out.push_str(rq);
    }
    out.push_str("</QBXMLMsgsRq>\n</QBXML>\n");
    out
}

/// `<Name>escaped value</Name>` on its own line, at `indent` levels of two spaces.
pub(crate) fn leaf(out: &mut String, indent: usize, name: &str, value: &str) {
    out.push_str(&"  ".repeat(indent));
    out.push_str(&format!("<{name}>{}</{name}>\n", escape(value)));
}

/// A `*QueryRq` opening tag with `requestID` and optional iterator attributes.
fn query_open(
    txn_type: TxnType,
    request_id: &str,
    iterator: Option<(&str, Option<&str>)>,
) -> String {
    let mut tag = format!(
        "<{}QueryRq requestID=\"{}\"",
        txn_type.qbxml_name(),
        escape(request_id)
    );
    if let Some((kind, id)) = iterator {
        tag.push_str(&format!(" iterator=\"{kind}\""));
        if let Some(id) = id {
            tag.push_str(&format!(" iteratorID=\"{}\"", escape(id)));
        }
    }
    tag.push_str(">\n");
    tag
}

/// The tail every transaction query shares: `IncludeLineItems` true, public custom fields;
/// for invoices also `IncludeLinkedTxns`, to recognise one created from a sales order.
fn query_close(out: &mut String, txn_type: TxnType) {
    leaf(out, 1, "IncludeLineItems", "true");
    if txn_type == TxnType::Invoice {
        leaf(out, 1, "IncludeLinkedTxns", "true");
    }
    leaf(out, 1, "OwnerID", "0");
    out.push_str(&format!("</{}QueryRq>\n", txn_type.qbxml_name()));
}

/// `*QueryRq` for the given RefNumbers (repeated `<RefNumber>`), with line items and public
/// custom fields.
pub fn txn_query_by_ref_numbers(
    txn_type: TxnType,
    request_id: &str,
    ref_numbers: &[String],
) -> Result<String, RequestError> {
    if ref_numbers.is_empty() {
        return Err(RequestError::EmptyList("RefNumber"));
    }
    let mut rq = query_open(txn_type, request_id, None);
    for r in ref_numbers {
        leaf(&mut rq, 1, "RefNumber", r);
    }
    query_close(&mut rq, txn_type);
    Ok(message_set(&[rq]))
}

/// `*QueryRq` for one transaction by `TxnID` (e.g. to get a fresh `EditSequence` before a Mod).
pub fn txn_query_by_txn_id(txn_type: TxnType, request_id: &str, txn_id: &str) -> String {
    let mut rq = query_open(txn_type, request_id, None);
    leaf(&mut rq, 1, "TxnID", txn_id);
    query_close(&mut rq, txn_type);
    message_set(&[rq])
}

/// First page of an incremental pull: `iterator="Start"`, `MaxReturned`, and
/// `ModifiedDateRangeFilter/FromModifiedDate` = `from_modified` (a QuickBooks date-time such
/// as `2024-05-01T00:00:00`, read in the QuickBooks machine's local time).
pub fn txn_query_iterator_start(
    txn_type: TxnType,
    request_id: &str,
    from_modified: &str,
    max_returned: u32,
) -> String {
    txn_query_iterator(
        txn_type,
        request_id,
        ("Start", None),
        from_modified,
        max_returned,
    )
}

/// Next page of an iterator (`iterator="Continue"` + the `iteratorID` from the last `*QueryRs`);
/// only valid within the same Web Connector session. The body repeats the first page's
/// criteria: QuickBooks expects the same query on every page of an iterator.
pub fn txn_query_iterator_continue(
    txn_type: TxnType,
    request_id: &str,
    iterator_id: &str,
    from_modified: &str,
    max_returned: u32,
) -> String {
    txn_query_iterator(
        txn_type,
        request_id,
        ("Continue", Some(iterator_id)),
        from_modified,
        max_returned,
    )
}

fn txn_query_iterator(
    txn_type: TxnType,
    request_id: &str,
    iterator: (&str, Option<&str>),
    from_modified: &str,
    max_returned: u32,
) -> String {
    let mut rq = query_open(txn_type, request_id, Some(iterator));
    leaf(&mut rq, 1, "MaxReturned", &max_returned.to_string());
    rq.push_str("  <ModifiedDateRangeFilter>\n");
    leaf(&mut rq, 2, "FromModifiedDate", from_modified);
    rq.push_str("  </ModifiedDateRangeFilter>\n");
    query_close(&mut rq, txn_type);
    message_set(&[rq])
}

/// The `CustomerRet` elements a customer query asks for (what [`crate::sale::QbCustomer`]
/// keeps): QuickBooks then leaves out notes, balances, custom fields and the rest.
const CUSTOMER_RET_ELEMENTS: [&str; 9] = [
    "ListID",
    "FullName",
    "CompanyName",
    "FirstName",
    "LastName",
    "BillAddress",
    "ShipAddress",
    "Phone",
    "Email",
];

/// `CustomerQueryRq` for the given customers (repeated `<ListID>`), for phone and e-mail.
pub fn customer_query_by_list_ids(
    request_id: &str,
    list_ids: &[String],
) -> Result<String, RequestError> {
    if list_ids.is_empty() {
        return Err(RequestError::EmptyList("ListID"));
    }
    let mut rq = format!("<CustomerQueryRq requestID=\"{}\">\n", escape(request_id));
    for id in list_ids {
        leaf(&mut rq, 1, "ListID", id);
    }
    for element in CUSTOMER_RET_ELEMENTS {
        leaf(&mut rq, 1, "IncludeRetElement", element);
    }
    rq.push_str("</CustomerQueryRq>\n");
    Ok(message_set(&[rq]))
}

#[cfg(test)]
mod tests;
