//! Serde helpers for ShipStation's JSON numbers and nulls.
//!
//! ShipStation sends and accepts money and weights as plain JSON numbers (`12.5`), never as
//! strings. The workspace builds `rust_decimal` with `serde-with-str`, whose default
//! `Serialize` writes strings, so money fields use these helpers instead: they write an `f64`
//! (serde_json prints the shortest form that round-trips, so `12.50` goes out as `12.5` and
//! `99.99` as `99.99`) and read numbers or numeric strings without going through binary
//! floating point noise (`99.99` comes back as exactly `99.99`).

use std::fmt;
use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::Serializer;

struct DecimalVisitor;

impl Visitor<'_> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        // `to_string` gives the shortest decimal that round-trips, i.e. what was on the wire.
        let text = v.to_string();
        Decimal::from_str(&text)
            .or_else(|_| Decimal::from_scientific(&text))
            .map_err(|_| E::invalid_value(de::Unexpected::Float(v), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        Decimal::from_str(v.trim())
            .or_else(|_| Decimal::from_scientific(v.trim()))
            .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

/// Writes whole values as JSON integers (`3`) and the rest as the shortest float (`12.5`).
fn write<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    if value.fract().is_zero() {
        if let Some(i) = value.to_i64() {
            return s.serialize_i64(i);
        }
    }
    match value.to_f64() {
        Some(f) => s.serialize_f64(f),
        None => Err(serde::ser::Error::custom(format!(
            "decimal {value} does not fit a JSON number"
        ))),
    }
}

/// `#[serde(with = "number::decimal")]`: a required `Decimal` as a JSON number.
pub mod decimal {
    use super::*;

    /// Writes the decimal as a JSON number.
    pub fn serialize<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        write(value, s)
    }

    /// Reads a JSON number (or a numeric string).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        d.deserialize_any(DecimalVisitor)
    }
}

/// `#[serde(with = "number::decimal_opt")]`: an optional `Decimal` as a JSON number or `null`.
pub mod decimal_opt {
    use super::*;

    /// Writes `Some` as a JSON number and `None` as `null`.
    pub fn serialize<S: Serializer>(value: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => write(v, s),
            None => s.serialize_none(),
        }
    }

    /// Reads a JSON number, a numeric string or `null`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        struct OptVisitor;
        impl<'de> Visitor<'de> for OptVisitor {
            type Value = Option<Decimal>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or null")
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
                d.deserialize_any(DecimalVisitor).map(Some)
            }
        }
        d.deserialize_option(OptVisitor)
    }
}

/// `#[serde(default, deserialize_with = "number::null_as_default")]`: reads `null` as the
/// type's default (an empty list, `false`, ...). ShipStation returns `null` for empty lists.
pub fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Option::unwrap_or_default)
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use super::*;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Money {
        #[serde(with = "decimal")]
        a: Decimal,
        #[serde(default, with = "decimal_opt")]
        b: Option<Decimal>,
        #[serde(default, deserialize_with = "null_as_default")]
        list: Vec<i64>,
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    #[test]
    fn money_is_written_as_json_numbers() {
        let cases = [
            ("12.50", Some("3"), r#"{"a":12.5,"b":3,"list":[]}"#),
            ("99.99", None, r#"{"a":99.99,"b":null,"list":[]}"#),
            ("-20.55", Some("0.1"), r#"{"a":-20.55,"b":0.1,"list":[]}"#),
            ("10.00", Some("200"), r#"{"a":10,"b":200,"list":[]}"#),
        ];
        for (a, b, want) in cases {
            let m = Money {
                a: dec(a),
                b: b.map(dec),
                list: vec![],
            };
            assert_eq!(serde_json::to_string(&m).ok().as_deref(), Some(want));
        }
    }

    #[test]
    fn numbers_strings_and_nulls_are_read_exactly() {
        let cases = [
            (
                r#"{"a":99.99,"b":194.43,"list":null}"#,
                "99.99",
                Some("194.43"),
            ),
            (r#"{"a":5,"b":null}"#, "5", None),
            (r#"{"a":"1.10","list":[1]}"#, "1.10", None),
            (r#"{"a":-0.01,"b":"7"}"#, "-0.01", Some("7")),
        ];
        for (json, a, b) in cases {
            let m: Money = serde_json::from_str(json).expect(json);
            assert_eq!(m.a, dec(a), "{json}");
            assert_eq!(m.b, b.map(dec), "{json}");
        }
    }

    #[test]
    fn non_numbers_are_rejected() {
        assert!(serde_json::from_str::<Money>(r#"{"a":"abc"}"#).is_err());
        assert!(serde_json::from_str::<Money>(r#"{"a":true}"#).is_err());
    }
}
