//! Order validation (§3.2, §9.4) with ASP.NET-style messages, and date normalisation.
//! Errors are `(model key, message)` pairs, keys relative to the order (`orderNumber`,
//! `shipTo.country`, `items[0].quantity`).

use super::model::{Address, Order, ORDER_STATUSES};
use super::stores;
use super::time;

/// One validation failure.
pub type FieldError = (String, String);

fn required(key: &str) -> FieldError {
    (
        key.to_owned(),
        format!("The {} field is required.", leaf(key)),
    )
}

fn leaf(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}

fn blank(v: &Option<String>) -> bool {
    v.as_deref().is_none_or(|s| s.trim().is_empty())
}

/// Re-formats a datetime field to `yyyy-MM-ddTHH:mm:ss.fffffff`; `date_only` keeps the date.
fn normalise_date(key: &str, v: &mut Option<String>, date_only: bool, errs: &mut Vec<FieldError>) {
    let Some(raw) = v.as_deref().filter(|s| !s.trim().is_empty()) else {
        *v = None;
        return;
    };
    match time::parse_datetime(raw) {
        Some(t) if date_only => *v = Some(time::fmt_date(t.date())),
        Some(t) => *v = Some(time::fmt7(t)),
        None => errs.push((
            key.to_owned(),
            format!("The value '{raw}' is not valid for {key}."),
        )),
    }
}

fn check_ship_to(a: &Address, errs: &mut Vec<FieldError>) {
    for (key, v) in [
        ("shipTo.name", &a.name),
        ("shipTo.street1", &a.street1),
        ("shipTo.city", &a.city),
        ("shipTo.postalCode", &a.postal_code),
        ("shipTo.country", &a.country),
    ] {
        if blank(v) {
            errs.push(required(key));
        }
    }
    if let Some(c) = a.country.as_deref().filter(|c| !c.trim().is_empty()) {
        if c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_uppercase()) {
            errs.push((
                "shipTo.country".into(),
                format!(
                    "Invalid country code '{c}'. Use the two-letter ISO 3166-1 code (e.g. US)."
                ),
            ));
        } else if c == "US" && blank(&a.state) {
            errs.push(required("shipTo.state"));
        }
    }
}

fn check_items(order: &Order, errs: &mut Vec<FieldError>) {
    for (i, item) in order.items.iter().flatten().enumerate() {
        if blank(&item.name) {
            errs.push(required(&format!("items[{i}].name")));
        }
        if let Some(q) = item.quantity {
            if q.fract() != 0.0 || !q.is_finite() {
                errs.push((
                    format!("items[{i}].quantity"),
                    format!(
                        "Input string '{q}' is not a valid integer. Path 'items[{i}].quantity'."
                    ),
                ));
            } else if q < 0.0 {
                errs.push((
                    format!("items[{i}].quantity"),
                    "The quantity must not be negative.".into(),
                ));
            }
        }
        if let Some(u) = item.weight.as_ref().and_then(|w| w.units.as_deref()) {
            if !["pounds", "ounces", "grams"].contains(&u) {
                errs.push((
                    format!("items[{i}].weight.units"),
                    format!("Invalid weight units '{u}'."),
                ));
            }
        }
    }
}

fn check_codes(order: &Order, errs: &mut Vec<FieldError>) {
    if let Some(u) = order.weight.as_ref().and_then(|w| w.units.as_deref()) {
        if !["pounds", "ounces", "grams"].contains(&u) {
            errs.push((
                "weight.units".into(),
                format!("Invalid weight units '{u}'."),
            ));
        }
    }
    if let Some(u) = order.dimensions.as_ref().and_then(|d| d.units.as_deref()) {
        if !["inches", "centimeters"].contains(&u) {
            errs.push((
                "dimensions.units".into(),
                format!("Invalid dimension units '{u}'."),
            ));
        }
    }
    if let Some(c) = order.confirmation.as_deref() {
        let ok = [
            "none",
            "delivery",
            "signature",
            "adult_signature",
            "direct_signature",
        ];
        if !ok.contains(&c) {
            errs.push((
                "confirmation".into(),
                format!("The value '{c}' is not valid for confirmation."),
            ));
        }
    }
    let carrier = order.carrier_code.as_deref().filter(|c| !c.is_empty());
    let service = order.service_code.as_deref().filter(|s| !s.is_empty());
    match (carrier, service) {
        (None, None) => {}
        (Some(c), Some(s)) if stores::service_matches(c, s) => {}
        (Some(_), Some(_)) => errs.push(("serviceCode".into(), "Invalid serviceCode".into())),
        _ => errs.push(("carrierCode".into(), "Invalid carrierCode".into())),
    }
}

/// Validates an incoming order and normalises its date fields in place.
pub fn check(order: &mut Order, strict_ship_to: bool) -> Vec<FieldError> {
    let mut errs = Vec::new();
    match order.order_number.as_deref() {
        None | Some("") => errs.push(required("orderNumber")),
        Some(n) if n.chars().count() > 50 => errs.push((
            "orderNumber".into(),
            "The field orderNumber must be a string with a maximum length of 50.".into(),
        )),
        Some(_) => {}
    }
    if blank(&order.order_date) {
        errs.push(required("orderDate"));
    }
    normalise_date("orderDate", &mut order.order_date, false, &mut errs);
    normalise_date("paymentDate", &mut order.payment_date, false, &mut errs);
    normalise_date("shipByDate", &mut order.ship_by_date, false, &mut errs);
    normalise_date("shipDate", &mut order.ship_date, true, &mut errs);
    normalise_date("holdUntilDate", &mut order.hold_until_date, true, &mut errs);
    match order.order_status.as_deref() {
        None | Some("") => errs.push(required("orderStatus")),
        Some(s) if !ORDER_STATUSES.contains(&s) => errs.push((
            "orderStatus".into(),
            format!("The value '{s}' is not valid for orderStatus."),
        )),
        Some(_) => {}
    }
    if order.bill_to.is_none() {
        errs.push(required("billTo"));
    }
    match &order.ship_to {
        None => errs.push(required("shipTo")),
        Some(a) if strict_ship_to => check_ship_to(a, &mut errs),
        Some(_) => {}
    }
    check_items(order, &mut errs);
    check_codes(order, &mut errs);
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake_shipstation::model::OrderItem;

    fn valid() -> Order {
        serde_json::from_str(include_str!("fixtures/order-create-request.json")).expect("sample")
    }

    #[test]
    fn the_docs_sample_is_valid_and_dates_are_normalised() {
        let mut o = valid();
        o.order_date = Some("2015-06-29 08:46:27".into());
        assert_eq!(check(&mut o, true), Vec::<FieldError>::new());
        assert_eq!(o.order_date.as_deref(), Some("2015-06-29T08:46:27.0000000"));
        assert_eq!(o.ship_date.as_deref(), Some("2015-07-02"));
    }

    #[test]
    fn required_fields_are_reported_with_aspnet_texts() {
        let mut o = Order::default();
        let errs = check(&mut o, true);
        let keys: Vec<&str> = errs.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "orderNumber",
                "orderDate",
                "orderStatus",
                "billTo",
                "shipTo"
            ]
        );
        assert_eq!(errs[0].1, "The orderNumber field is required.");
    }

    #[test]
    fn bad_values_are_rejected() {
        let mut o = valid();
        o.order_number = Some("X".repeat(51));
        o.order_status = Some("open".into());
        o.items = Some(vec![OrderItem {
            name: Some("a".into()),
            quantity: Some(1.5),
            ..OrderItem::default()
        }]);
        if let Some(a) = o.ship_to.as_mut() {
            a.country = Some("USA".into());
        }
        o.service_code = Some("ups_ground".into());
        let keys: Vec<String> = check(&mut o, true).into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            keys,
            [
                "orderNumber",
                "orderStatus",
                "shipTo.country",
                "items[0].quantity",
                "serviceCode"
            ]
        );
    }

    #[test]
    fn lenient_ship_to_only_needs_the_object() {
        let mut o = valid();
        o.ship_to = Some(Address {
            name: Some("x".into()),
            ..Address::default()
        });
        assert!(!check(&mut o.clone(), true).is_empty());
        assert!(check(&mut o, false).is_empty());
    }
}
