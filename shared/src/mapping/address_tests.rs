use super::*;

fn customer() -> QbCustomer {
    QbCustomer {
        list_id: "80000001-1".into(),
        full_name: "Doe Enterprises".into(),
        company_name: Some("Doe Enterprises LLC".into()),
        first_name: Some("Jane".into()),
        last_name: Some("Doe".into()),
        phone: Some("555-0100".into()),
        email: Some("jane@example.com".into()),
        ..QbCustomer::default()
    }
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

#[test]
fn lines_split_into_name_company_and_streets() {
    type Case<'a> = (
        &'a str,
        &'a [&'a str],
        Option<&'a str>,
        Option<&'a str>,
        &'a [&'a str],
    );
    let cases: &[Case] = &[
        (
            "company line, name line, street",
            &["Doe Enterprises LLC", "Jane Doe", "1 Main St"],
            Some("Jane Doe"),
            Some("Doe Enterprises LLC"),
            &["1 Main St"],
        ),
        (
            "name matched ignoring case and spaces",
            &["JANE   doe", "1 Main St", "Suite 4"],
            Some("JANE   doe"),
            None,
            &["1 Main St", "Suite 4"],
        ),
        (
            "ATTN: gives the name",
            &["Doe Enterprises LLC", "ATTN: Bob Smith", "1 Main St"],
            Some("Bob Smith"),
            Some("Doe Enterprises LLC"),
            &["1 Main St"],
        ),
        (
            "Attn without colon",
            &["Attn Bob Smith", "1 Main St"],
            Some("Bob Smith"),
            None,
            &["1 Main St"],
        ),
        (
            "Attention: in mixed case",
            &["aTTention: Bob", "1 Main St"],
            Some("Bob"),
            None,
            &["1 Main St"],
        ),
        (
            "Attention without colon",
            &["Attention Receiving Dept", "1 Main St"],
            Some("Receiving Dept"),
            None,
            &["1 Main St"],
        ),
        (
            "Attn. with a dot",
            &["Attn. Bob", "9 Elm"],
            Some("Bob"),
            None,
            &["9 Elm"],
        ),
        (
            "a word starting with attn is not a marker",
            &["Jane Doe", "Attnborough Road 5"],
            Some("Jane Doe"),
            None,
            &["Attnborough Road 5"],
        ),
        (
            "unrecognised line 1 is the name",
            &["Warehouse Manager", "500 Dock Rd", "Bay 3"],
            Some("Warehouse Manager"),
            None,
            &["500 Dock Rd", "Bay 3"],
        ),
        (
            "unrecognised line 1 is the company when ATTN names the recipient",
            &["Acme Retail", "Attn: Receiving", "500 Dock Rd"],
            Some("Receiving"),
            Some("Acme Retail"),
            &["500 Dock Rd"],
        ),
        (
            "ATTN beats the name line",
            &["Jane Doe", "Attn: Bob", "1 Main St"],
            Some("Bob"),
            None,
            &["1 Main St"],
        ),
        (
            "more than three streets are joined into street3",
            &["Jane Doe", "A", "B", "C", "D"],
            Some("Jane Doe"),
            None,
            &["A", "B", "C, D"],
        ),
        (
            "bare ATTN marker is dropped",
            &["Jane Doe", "ATTN:", "1 Main St"],
            Some("Jane Doe"),
            None,
            &["1 Main St"],
        ),
        ("no lines", &[], None, None, &[]),
    ];
    let cust = customer();
    for (what, lines, name, company, streets) in cases {
        let got = split_lines(lines, Some(&cust));
        assert_eq!(got.name.as_deref(), *name, "{what}: name");
        assert_eq!(got.company.as_deref(), *company, "{what}: company");
        assert_eq!(got.streets, streets.to_vec(), "{what}: streets");
    }
}

#[test]
fn without_a_customer_record_line_one_is_the_name() {
    let got = split_lines(&["Jane Doe", "1 Main St"], None);
    assert_eq!(got.name.as_deref(), Some("Jane Doe"));
    assert_eq!(got.streets, vec!["1 Main St".to_owned()]);
}

#[test]
fn an_address_maps_with_phone_and_iso_country() {
    let addr = QbAddress {
        addr1: s("Doe Enterprises LLC"),
        addr2: s("Jane Doe"),
        addr3: s("1 Main St"),
        addr4: s("  "),
        city: s("Austin"),
        state: s("TX"),
        postal_code: s("78701"),
        country: s("U.S.A."),
        ..QbAddress::default()
    };
    let got = map_address(&addr, Some(&customer()));
    assert_eq!(
        got.address,
        Address {
            name: s("Jane Doe"),
            company: s("Doe Enterprises LLC"),
            street1: s("1 Main St"),
            city: s("Austin"),
            state: s("TX"),
            postal_code: s("78701"),
            country: s("US"),
            phone: s("555-0100"),
            ..Address::default()
        }
    );
    assert_eq!(got.country_source, Some(CountrySource::Given));
}

#[test]
fn a_company_only_address_is_addressed_to_the_contact() {
    let addr = QbAddress {
        addr1: s("Doe Enterprises LLC"),
        addr2: s("1 Main St"),
        state: s("ON"),
        ..QbAddress::default()
    };
    let got = map_address(&addr, Some(&customer()));
    assert_eq!(got.address.name, s("Jane Doe"));
    assert_eq!(got.address.company, s("Doe Enterprises LLC"));
    assert_eq!(got.address.street1, s("1 Main St"));
    assert_eq!(got.address.country, s("CA"));
    assert_eq!(got.country_source, Some(CountrySource::FromRegion));
}

#[test]
fn an_unknown_country_is_reported_not_guessed() {
    let addr = QbAddress {
        addr1: s("Jane Doe"),
        country: s("Narnia"),
        ..QbAddress::default()
    };
    let got = map_address(&addr, None);
    assert_eq!(got.address.country, None);
    assert_eq!(got.unknown_country, s("Narnia"));
}
