//! Schema checks the request processor makes before running anything: element order
//! (qbXML aggregates are `xsd:sequence`s), unknown elements, required elements and simple
//! value types. Any failure is the parse-error HRESULT, for the whole message set.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::model::Address;
use super::xml::Element;

/// A request that does not match the qbXML schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub String);

/// One position of an `xsd:sequence`: element name (`A|B` for a repeated choice) and
/// whether it may repeat.
pub type Slot = (&'static str, bool);

/// Check that `el`'s children appear in `seq` order, each known, non-repeatable ones once.
pub fn check_order(el: &Element, seq: &[Slot]) -> Result<(), Invalid> {
    let mut pos = 0usize;
    let mut last: Option<usize> = None;
    for child in &el.children {
        let idx = seq
            .iter()
            .position(|(n, _)| n.split('|').any(|alt| alt == child.name))
            .ok_or_else(|| Invalid(format!("<{}> is not allowed in <{}>", child.name, el.name)))?;
        let repeatable = seq[idx].1;
        let ok = match last {
            None => true,
            Some(l) if idx > l => true,
            Some(l) => idx == l && repeatable,
        };
        if !ok || idx < pos {
            return Err(Invalid(format!(
                "<{}> is out of order in <{}>",
                child.name, el.name
            )));
        }
        pos = idx;
        last = Some(idx);
    }
    Ok(())
}

/// Fail if more than one of the mutually exclusive `names` is present.
pub fn exclusive(el: &Element, names: &[&str]) -> Result<(), Invalid> {
    let present = names.iter().filter(|n| el.child(n).is_some()).count();
    if present > 1 {
        return Err(Invalid(format!(
            "only one of {names:?} allowed in <{}>",
            el.name
        )));
    }
    Ok(())
}

/// The text of a required child.
pub fn required<'a>(el: &'a Element, name: &str) -> Result<&'a str, Invalid> {
    el.child_text(name)
        .ok_or_else(|| Invalid(format!("<{}> requires <{name}>", el.name)))
}

/// An optional decimal child.
pub fn decimal(el: &Element, name: &str) -> Result<Option<Decimal>, Invalid> {
    el.child_text(name)
        .map(|t| {
            t.trim()
                .parse::<Decimal>()
                .map_err(|_| Invalid(format!("<{name}> is not a number: {t:?}")))
        })
        .transpose()
}

/// An optional boolean child (`true`/`false`).
pub fn boolean(el: &Element, name: &str) -> Result<Option<bool>, Invalid> {
    el.child_text(name)
        .map(|t| match t.trim() {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            other => Err(Invalid(format!("<{name}> is not a boolean: {other:?}"))),
        })
        .transpose()
}

/// An optional date child (`YYYY-MM-DD`).
pub fn date(el: &Element, name: &str) -> Result<Option<NaiveDate>, Invalid> {
    el.child_text(name)
        .map(|t| {
            NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d")
                .map_err(|_| Invalid(format!("<{name}> is not a date: {t:?}")))
        })
        .transpose()
}

/// An optional unsigned integer child.
pub fn count(el: &Element, name: &str) -> Result<Option<usize>, Invalid> {
    el.child_text(name)
        .map(|t| {
            t.trim()
                .parse::<usize>()
                .map_err(|_| Invalid(format!("<{name}> is not a count: {t:?}")))
        })
        .transpose()
}

/// A reference given in a request (`ListID` and/or `FullName`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RefIn {
    pub list_id: Option<String>,
    pub full_name: Option<String>,
}

impl RefIn {
    /// What to show in an error message.
    pub fn display(&self) -> &str {
        self.full_name
            .as_deref()
            .or(self.list_id.as_deref())
            .unwrap_or("")
    }
}

/// An optional `*Ref` child.
pub fn reference(el: &Element, name: &str) -> Result<Option<RefIn>, Invalid> {
    let Some(r) = el.child(name) else {
        return Ok(None);
    };
    check_order(r, &[("ListID", false), ("FullName", false)])?;
    let out = RefIn {
        list_id: r.child_text("ListID").map(str::to_string),
        full_name: r.child_text("FullName").map(str::to_string),
    };
    if out.list_id.is_none() && out.full_name.is_none() {
        return Err(Invalid(format!("<{name}> needs ListID or FullName")));
    }
    Ok(Some(out))
}

/// An optional address child, in `Addr1..Addr5, City, State, PostalCode, Country, Note` order.
pub fn address(el: &Element, name: &str) -> Result<Option<Address>, Invalid> {
    let Some(a) = el.child(name) else {
        return Ok(None);
    };
    check_order(
        a,
        &[
            ("Addr1", false),
            ("Addr2", false),
            ("Addr3", false),
            ("Addr4", false),
            ("Addr5", false),
            ("City", false),
            ("State", false),
            ("PostalCode", false),
            ("Country", false),
            ("Note", false),
        ],
    )?;
    let f = |n: &str| a.child_text(n).map(str::to_string);
    Ok(Some(Address {
        addr1: f("Addr1"),
        addr2: f("Addr2"),
        addr3: f("Addr3"),
        addr4: f("Addr4"),
        addr5: f("Addr5"),
        city: f("City"),
        state: f("State"),
        postal_code: f("PostalCode"),
        country: f("Country"),
        note: f("Note"),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qb_company::xml::parse;

    #[test]
    fn order_checks_follow_the_sequence() {
        let seq: &[Slot] = &[("A", false), ("B", true), ("C", false)];
        let ok = parse("<X><A/><B/><B/><C/></X>").expect("xml").root;
        assert!(check_order(&ok, seq).is_ok());
        let swapped = parse("<X><C/><A/></X>").expect("xml").root;
        assert!(check_order(&swapped, seq).is_err());
        let twice = parse("<X><A/><A/></X>").expect("xml").root;
        assert!(check_order(&twice, seq).is_err());
        let unknown = parse("<X><Z/></X>").expect("xml").root;
        assert!(check_order(&unknown, seq).is_err());
    }
}
