//! `CustomerQueryRq` (by `ListID`/`FullName` list, or `NameFilter` + `MaxReturned`).

use super::process::{Rs, Status};
use super::query::{no_match, partial};
use super::render::{customer_node, filter_ret};
use super::schema::{self, check_order, exclusive, Invalid};
use super::state::CompanyState;
use super::xml::Element;

/// A parsed `CustomerQueryRq`.
#[derive(Debug, Clone, Default)]
pub struct CustomerQuery {
    pub list_ids: Vec<String>,
    pub full_names: Vec<String>,
    pub max_returned: Option<usize>,
    pub name_contains: Option<(String, String)>,
    pub include_ret: Vec<String>,
    pub owner_ids: Vec<String>,
}

impl CustomerQuery {
    /// Validate and read a `CustomerQueryRq`.
    pub fn parse(rq: &Element) -> Result<CustomerQuery, Invalid> {
        check_order(
            rq,
            &[
                ("ListID", true),
                ("FullName", true),
                ("MaxReturned", false),
                ("ActiveStatus", false),
                ("FromModifiedDate", false),
                ("ToModifiedDate", false),
                ("NameFilter", false),
                ("NameRangeFilter", false),
                ("TotalBalanceFilter", false),
                ("CurrencyFilter", false),
                ("ClassFilter", false),
                ("IncludeRetElement", true),
                ("OwnerID", true),
            ],
        )?;
        exclusive(rq, &["ListID", "FullName"])?;
        let texts = |n: &str| {
            rq.children_named(n)
                .map(|c| c.text.clone())
                .collect::<Vec<_>>()
        };
        let name_contains = match rq.child("NameFilter") {
            Some(f) => {
                check_order(f, &[("MatchCriterion", false), ("Name", false)])?;
                Some((
                    schema::required(f, "MatchCriterion")?.to_string(),
                    schema::required(f, "Name")?.to_string(),
                ))
            }
            None => None,
        };
        Ok(CustomerQuery {
            list_ids: texts("ListID"),
            full_names: texts("FullName"),
            max_returned: schema::count(rq, "MaxReturned")?,
            name_contains,
            include_ret: texts("IncludeRetElement"),
            owner_ids: texts("OwnerID"),
        })
    }
}

/// Run a customer query.
pub fn run_customer_query(state: &mut CompanyState, rq: &Element, q: CustomerQuery) -> Rs {
    let mut status = Status::ok();
    let mut found = Vec::new();
    let wanted: Vec<(&String, bool)> = q
        .list_ids
        .iter()
        .map(|i| (i, true))
        .chain(q.full_names.iter().map(|n| (n, false)))
        .collect();
    if !wanted.is_empty() {
        for (key, by_id) in wanted {
            let hit = state.customers.iter().find(|c| {
                if by_id {
                    &c.list_id == key
                } else {
                    c.full_name.eq_ignore_ascii_case(key)
                }
            });
            match hit {
                Some(c) => found.push(c),
                None if status.code == 0 => status = partial(key),
                None => {}
            }
        }
    } else {
        found = state
            .customers
            .iter()
            .filter(|c| match &q.name_contains {
                None => true,
                Some((how, name)) => {
                    let (n, s) = (c.full_name.to_lowercase(), name.to_lowercase());
                    match how.as_str() {
                        "StartsWith" => n.starts_with(&s),
                        "EndsWith" => n.ends_with(&s),
                        _ => n.contains(&s),
                    }
                }
            })
            .take(q.max_returned.unwrap_or(usize::MAX))
            .collect();
    }
    let body: Vec<_> = found
        .iter()
        .map(|c| filter_ret(customer_node(c, &q.owner_ids), &q.include_ret))
        .collect();
    let status = if body.is_empty() && status.code == 0 {
        no_match()
    } else {
        status
    };
    let mut rs = Rs::new(rq, status);
    rs.body = body;
    rs
}
