//! Pacific-time clock and ShipStation's date formats (§1 of the spec: no offset, PST/PDT).

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::America::Los_Angeles;

/// Current wall-clock time in Pacific time, without offset (what ShipStation stores).
pub fn now_pacific() -> NaiveDateTime {
    to_pacific(Utc::now())
}

/// Converts an instant to naive Pacific time.
pub fn to_pacific(t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&Los_Angeles).naive_local()
}

/// Order-level format `yyyy-MM-ddTHH:mm:ss.fffffff` (7 fractional digits).
pub fn fmt7(t: NaiveDateTime) -> String {
    format!(
        "{}.{:07}",
        t.format("%Y-%m-%dT%H:%M:%S"),
        t.nanosecond() % 1_000_000_000 / 100
    )
}

/// Item/store format: milliseconds with trailing zeros trimmed (`…:08.32`, `…:13.067`).
pub fn fmt_ms(t: NaiveDateTime) -> String {
    let base = t.format("%Y-%m-%dT%H:%M:%S").to_string();
    let ms = format!("{:03}", t.nanosecond() % 1_000_000_000 / 1_000_000);
    let ms = ms.trim_end_matches('0');
    if ms.is_empty() {
        base
    } else {
        format!("{base}.{ms}")
    }
}

/// Date-only format (`shipDate`).
pub fn fmt_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Parses the date/time forms clients send: `yyyy-mm-dd hh:mm:ss`, ISO with `T` and optional
/// fraction, a bare date, or a value with an offset/`Z` (converted to Pacific).
pub fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(to_pacific(dt.with_timezone(&Utc)));
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(t);
        }
    }
    for f in ["%Y-%m-%d", "%m/%d/%Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return d.and_hms_opt(0, 0, 0);
        }
    }
    None
}

/// Parses a date (a datetime is truncated to its date).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    parse_datetime(s).map(|t| t.date())
}

/// Pacific local time for a UTC wall time given as naive (test helper for fixed instants).
pub fn pacific_from_utc_naive(t: NaiveDateTime) -> NaiveDateTime {
    to_pacific(Utc.from_utc_datetime(&t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_the_capture() {
        let utc = NaiveDate::from_ymd_opt(2021, 1, 23)
            .and_then(|d| d.and_hms_milli_opt(17, 9, 8, 400))
            .expect("valid");
        let pac = pacific_from_utc_naive(utc);
        assert_eq!(fmt7(pac), "2021-01-23T09:09:08.4000000");
        assert_eq!(fmt_ms(pac), "2021-01-23T09:09:08.4");
    }

    #[test]
    fn parses_client_forms() {
        let a = parse_datetime("2016-11-29 23:59:59").expect("space form");
        assert_eq!(fmt7(a), "2016-11-29T23:59:59.0000000");
        assert!(parse_datetime("2015-06-29T08:46:27.0000000").is_some());
        assert_eq!(
            parse_date("2015-07-02").map(fmt_date).as_deref(),
            Some("2015-07-02")
        );
        let z = parse_datetime("2021-01-23T17:09:08Z").expect("utc");
        assert_eq!(fmt7(z), "2021-01-23T09:09:08.0000000");
        assert!(parse_datetime("yesterday").is_none());
    }
}
