//! Latency samples per SOAP method, error counts, and CPU time read from `/proc`.

use std::collections::BTreeMap;
use std::time::Duration;

/// The SOAP methods a session calls, in session order (for printing).
pub const METHODS: [&str; 8] = [
    "serverVersion",
    "clientVersion",
    "authenticate",
    "sendRequestXML",
    "receiveResponseXML",
    "getLastError",
    "connectionError",
    "closeConnection",
];

/// What one client recorded.
#[derive(Debug, Default)]
pub struct Stats {
    /// Microseconds per call, by method.
    pub latencies: BTreeMap<&'static str, Vec<u32>>,
    /// Errors by kind (`"authenticate: busy"`, `"receiveResponseXML: HTTP 500"` ...).
    pub errors: BTreeMap<String, u64>,
    /// Sessions that ended with `closeConnection` after a 100 % `receiveResponseXML`.
    pub sessions_ok: u64,
    /// Sessions that ended any other way.
    pub sessions_failed: u64,
    /// Sales QuickBooks handed over in complete sessions.
    pub sales_sent: u64,
    /// Time spent inside the simulated QuickBooks (request processing, edits).
    pub company_time: Duration,
    /// Completed sessions per second of the run (index = second).
    pub timeline: Vec<u64>,
}

impl Stats {
    /// Records one call's latency.
    pub fn call(&mut self, method: &'static str, took: Duration) {
        let micros = u32::try_from(took.as_micros()).unwrap_or(u32::MAX);
        self.latencies.entry(method).or_default().push(micros);
    }

    /// Counts one error.
    pub fn error(&mut self, kind: String) {
        *self.errors.entry(kind).or_default() += 1;
    }

    /// Counts a completed session at `second` of the run.
    pub fn completed_at(&mut self, second: usize) {
        if self.timeline.len() <= second {
            self.timeline.resize(second + 1, 0);
        }
        self.timeline[second] += 1;
    }

    /// Adds `other` into `self`.
    pub fn merge(&mut self, other: Stats) {
        for (m, v) in other.latencies {
            self.latencies.entry(m).or_default().extend(v);
        }
        for (k, n) in other.errors {
            *self.errors.entry(k).or_default() += n;
        }
        self.sessions_ok += other.sessions_ok;
        self.sessions_failed += other.sessions_failed;
        self.sales_sent += other.sales_sent;
        self.company_time += other.company_time;
        if self.timeline.len() < other.timeline.len() {
            self.timeline.resize(other.timeline.len(), 0);
        }
        for (i, n) in other.timeline.into_iter().enumerate() {
            self.timeline[i] += n;
        }
    }

    /// Total calls made.
    pub fn calls(&self) -> usize {
        self.latencies.values().map(Vec::len).sum()
    }
}

/// The `q`-quantile (0..=1) of sorted samples, in milliseconds.
pub fn quantile_ms(sorted: &[u32], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    f64::from(sorted[idx.min(sorted.len() - 1)]) / 1000.0
}

/// One latency table row: method, calls, p50, p95, p99, max (ms).
pub fn latency_row(method: &str, samples: &mut [u32]) -> String {
    samples.sort_unstable();
    format!(
        "  {method:<20} {:>8} {:>8.2} {:>8.2} {:>8.2} {:>8.2}",
        samples.len(),
        quantile_ms(samples, 0.50),
        quantile_ms(samples, 0.95),
        quantile_ms(samples, 0.99),
        quantile_ms(samples, 1.0),
    )
}

/// CPU seconds (user + system) a process has used, from `/proc/<pid>/stat`; `None` when it
/// cannot be read (not Linux, process gone).
pub fn process_cpu_seconds(pid: u32) -> Option<f64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the `(comm)`, which may contain spaces.
    let rest = &text[text.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / clock_ticks())
}

/// CPU seconds used by all live processes whose command name starts with `prefix`
/// (`postgres`, `redis-server`): a server's backends included.
pub fn cpu_seconds_of(prefix: &str) -> f64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    dir.flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()))
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c.trim_end().starts_with(prefix))
        })
        .filter_map(process_cpu_seconds)
        .sum()
}

/// Busy and total CPU seconds of the whole machine, from `/proc/stat`.
pub fn machine_cpu_seconds() -> Option<(f64, f64)> {
    let text = std::fs::read_to_string("/proc/stat").ok()?;
    let line = text.lines().next()?;
    let v: Vec<f64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|f| f.parse().ok())
        .collect();
    let total: f64 = v.iter().sum();
    let idle = v.get(3).copied().unwrap_or(0.0) + v.get(4).copied().unwrap_or(0.0);
    Some(((total - idle) / clock_ticks(), total / clock_ticks()))
}

fn clock_ticks() -> f64 {
    // USER_HZ is 100 on every Linux platform Rust targets.
    100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_pick_the_nearest_rank() {
        let sorted: Vec<u32> = (1..=100).map(|v| v * 1000).collect();
        assert_eq!(quantile_ms(&sorted, 0.5), 51.0);
        assert_eq!(quantile_ms(&sorted, 0.99), 99.0);
        assert_eq!(quantile_ms(&sorted, 1.0), 100.0);
        assert_eq!(quantile_ms(&[], 0.5), 0.0);
    }

    #[test]
    fn merge_adds_counts_and_timelines() {
        let mut a = Stats::default();
        a.call("authenticate", Duration::from_millis(2));
        a.completed_at(0);
        a.error("x".into());
        let mut b = Stats::default();
        b.call("authenticate", Duration::from_millis(3));
        b.completed_at(2);
        b.error("x".into());
        b.sessions_ok = 1;
        a.merge(b);
        assert_eq!(a.calls(), 2);
        assert_eq!(a.timeline, vec![1, 0, 1]);
        assert_eq!(a.errors["x"], 2);
        assert_eq!(a.sessions_ok, 1);
    }

    #[test]
    fn reads_our_own_cpu_time() {
        assert!(process_cpu_seconds(std::process::id()).is_some());
        let (busy, total) = machine_cpu_seconds().expect("/proc/stat");
        assert!(busy <= total);
    }
}
