//! The simulated clock: every change in the company file happens a little later than the
//! previous one, and times are written the way QuickBooks writes them
//! (`2026-11-29T10:15:00-08:00`, local time with the offset).

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use serde::{Deserialize, Serialize};

/// The company's clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimClock {
    now: DateTime<FixedOffset>,
    step_seconds: i64,
}

impl Default for SimClock {
    fn default() -> Self {
        SimClock::starting_at("2026-11-29T10:15:00-08:00").unwrap_or_else(|| SimClock {
            now: DateTime::UNIX_EPOCH.fixed_offset(),
            step_seconds: 60,
        })
    }
}

impl SimClock {
    /// A clock at the given QuickBooks-formatted time, advancing 60 s per change.
    pub fn starting_at(time: &str) -> Option<SimClock> {
        let now = DateTime::parse_from_rfc3339(time).ok()?;
        Some(SimClock {
            now,
            step_seconds: 60,
        })
    }

    /// The current time.
    pub fn now(&self) -> DateTime<FixedOffset> {
        self.now
    }

    /// Move forward one step and return the new time (used for every change).
    pub fn tick(&mut self) -> DateTime<FixedOffset> {
        self.advance(Duration::seconds(self.step_seconds.max(1)))
    }

    /// Move forward by `by` (at least one second, the clock never goes back).
    pub fn advance(&mut self, by: Duration) -> DateTime<FixedOffset> {
        self.now += by.max(Duration::seconds(1));
        self.now
    }

    /// Today's date on the company's clock.
    pub fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }

    /// The offset QuickBooks applies to times given without one.
    pub fn offset(&self) -> FixedOffset {
        *self.now.offset()
    }
}

/// Format a time as QuickBooks does: `YYYY-MM-DDThh:mm:ss±hh:mm`.
pub fn format_time(t: DateTime<FixedOffset>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// Parse a qbXML `DATETIMETYPE` (`YYYY-MM-DDThh:mm:ss[±hh:mm]`, or a bare date). A time
/// without an offset is read as the company's local time, like QuickBooks does. `end_of_day`
/// picks 23:59:59 for a bare date (for the `To...` side of a range).
pub fn parse_datetime(
    s: &str,
    offset: FixedOffset,
    end_of_day: bool,
) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    if let Ok(naive) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S") {
        return offset.from_local_datetime(&naive).single();
    }
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    let naive = if end_of_day {
        date.and_hms_opt(23, 59, 59)?
    } else {
        date.and_hms_opt(0, 0, 0)?
    };
    offset.from_local_datetime(&naive).single()
}

/// Parse a stored QuickBooks time (always with offset).
pub fn parse_stored(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_forward_and_formats_like_quickbooks() {
        let mut clock = SimClock::default();
        assert_eq!(format_time(clock.now()), "2026-11-29T10:15:00-08:00");
        let t1 = clock.tick();
        let t2 = clock.tick();
        assert!(t2 > t1);
        assert_eq!(format_time(t1), "2026-11-29T10:16:00-08:00");
    }

    #[test]
    fn reads_times_without_offset_as_local() {
        let off = SimClock::default().offset();
        let a = parse_datetime("2026-11-29T10:15:00", off, false);
        let b = parse_datetime("2026-11-29T18:15:00+00:00", off, false);
        assert_eq!(a, b);
        let end = parse_datetime("2026-11-29", off, true).map(format_time);
        assert_eq!(end.as_deref(), Some("2026-11-29T23:59:59-08:00"));
        assert!(parse_datetime("yesterday", off, false).is_none());
    }
}
