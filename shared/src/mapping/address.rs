//! QuickBooks address blocks (`Addr1..Addr5`, City, State, PostalCode, Country) → ShipStation
//! addresses (name, company, street1..3 ...).
//!
//! QuickBooks has no name or company field on an address: people type them as lines. The
//! lines are read like this:
//!
//! 1. An ATTN line (`ATTN`, `ATTN:`, `Attn.`, `Attention`, `Attention:`, any case) gives the
//!    recipient's name: the text after the marker.
//! 2. A line equal to the customer's first + last name (ignoring case and spaces) gives the
//!    name; a line equal to the customer's company name gives the company.
//! 3. Line 1, when it is none of those, is the name; if an ATTN or name line already gave the
//!    name, line 1 is the company; if that is taken too, it is a street line.
//! 4. The other lines, in order, are street1, street2, street3 (extra lines are joined into
//!    street3 with ", ").
//! 5. No name at all: the customer's first + last name, else the company, else the customer's
//!    QuickBooks name.

use crate::sale::{QbAddress, QbCustomer};
use crate::shipstation::model::Address;

use super::country::{resolve_country, CountrySource};

/// Trims; empty becomes `None`.
pub(super) fn clean(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Name, company and street lines recovered from an address block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressLines {
    /// Recipient name, if a line gave one.
    pub name: Option<String>,
    /// Company, if a line gave one.
    pub company: Option<String>,
    /// Street lines (at most three).
    pub streets: Vec<String>,
}

/// The text after an ATTN marker, if `line` starts with one (`Some("")` for a bare marker).
fn attn_name(line: &str) -> Option<&str> {
    let lower = line.to_ascii_lowercase();
    let marker = ["attention", "attn"]
        .into_iter()
        .find(|m| lower.starts_with(m))?;
    let rest = line.get(marker.len()..)?;
    // "Attnborough Rd" is a street, not a marker: the marker must end the word.
    if rest.chars().next().is_some_and(char::is_alphanumeric) {
        return None;
    }
    Some(rest.trim_start_matches(|c: char| c == ':' || c == '.' || c == '-' || c.is_whitespace()))
}

/// Lower case, no whitespace: "JANE  doe" and "Jane Doe" compare equal.
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The customer's "First Last", when the record has either part.
pub(super) fn contact_name(customer: Option<&QbCustomer>) -> Option<String> {
    let c = customer?;
    let parts: Vec<&str> = [c.first_name.as_deref(), c.last_name.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// Splits address lines into name, company and streets (see the module docs).
pub fn split_lines(lines: &[&str], customer: Option<&QbCustomer>) -> AddressLines {
    let contact = contact_name(customer).map(|n| squash(&n));
    let company_name = customer
        .and_then(|c| clean(c.company_name.as_deref()))
        .map(|n| squash(&n));

    let (mut attn, mut name_line, mut company, mut line1) = (None, None, None, None);
    let mut streets: Vec<String> = Vec::new();
    for (i, raw) in lines.iter().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(n) = attn_name(line) {
            if attn.is_none() && !n.trim().is_empty() {
                attn = Some(n.trim().to_owned());
            }
            continue;
        }
        let key = squash(line);
        if contact.as_deref() == Some(key.as_str()) {
            name_line.get_or_insert_with(|| line.to_owned());
        } else if company_name.as_deref() == Some(key.as_str()) {
            company.get_or_insert_with(|| line.to_owned());
        } else if i == 0 {
            line1 = Some(line.to_owned());
        } else {
            streets.push(line.to_owned());
        }
    }
    let mut name = attn.or(name_line);
    if let Some(l1) = line1 {
        if name.is_none() {
            name = Some(l1);
        } else if company.is_none() {
            company = Some(l1);
        } else {
            streets.insert(0, l1);
        }
    }
    if streets.len() > 3 {
        let rest = streets.split_off(2).join(", ");
        streets.push(rest);
    }
    AddressLines {
        name,
        company,
        streets,
    }
}

/// A mapped address, and how its country was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedAddress {
    /// The ShipStation address.
    pub address: Address,
    /// Where `address.country` came from; `None` when the given country was not recognised
    /// and left out.
    pub country_source: Option<CountrySource>,
    /// The country text that was not recognised, if any.
    pub unknown_country: Option<String>,
}

/// Maps one QuickBooks address. Phone comes from the customer record. An unrecognised
/// country is left out and reported in `unknown_country` (the caller decides whether that is
/// an error: it is for ship-to).
pub fn map_address(addr: &QbAddress, customer: Option<&QbCustomer>) -> MappedAddress {
    let lines = split_lines(&addr.lines(), customer);
    let name = lines
        .name
        .or_else(|| contact_name(customer))
        .or_else(|| lines.company.clone())
        .or_else(|| customer.and_then(|c| clean(Some(&c.full_name))));
    let mut streets = lines.streets.into_iter();
    let state = clean(addr.state.as_deref());
    let postal_code = clean(addr.postal_code.as_deref());
    let (country, country_source, unknown_country) = match resolve_country(
        addr.country.as_deref(),
        state.as_deref(),
        postal_code.as_deref(),
    ) {
        Ok((code, source)) => (Some(code.to_owned()), Some(source), None),
        Err(given) => (None, None, Some(given)),
    };
    MappedAddress {
        address: Address {
            name,
            company: lines.company,
            street1: streets.next(),
            street2: streets.next(),
            street3: streets.next(),
            city: clean(addr.city.as_deref()),
            state,
            postal_code,
            country,
            phone: customer.and_then(|c| clean(c.phone.as_deref())),
            ..Address::default()
        },
        country_source,
        unknown_country,
    }
}

#[cfg(test)]
#[path = "address_tests.rs"]
mod tests;
