//! Printing the run's figures and checking what was persisted.

use std::time::Duration;

use super::setup::Persisted;
use super::stats::{
    cpu_seconds_of, latency_row, machine_cpu_seconds, process_cpu_seconds, Stats, METHODS,
};
use super::Args;

/// CPU seconds used so far by the api, by this load generator, and by the whole machine.
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuSnapshot {
    pub api: f64,
    pub generator: f64,
    pub postgres: f64,
    pub redis: f64,
    pub machine_busy: f64,
    pub machine_total: f64,
}

impl CpuSnapshot {
    /// Reads the counters now (zeros where `/proc` cannot be read).
    pub fn take(api_pid: u32) -> CpuSnapshot {
        let (machine_busy, machine_total) = machine_cpu_seconds().unwrap_or_default();
        CpuSnapshot {
            api: process_cpu_seconds(api_pid).unwrap_or_default(),
            generator: process_cpu_seconds(std::process::id()).unwrap_or_default(),
            postgres: cpu_seconds_of("postgres"),
            redis: cpu_seconds_of("redis-server"),
            machine_busy,
            machine_total,
        }
    }

    /// The CPU used between `earlier` and `self`.
    pub fn since(&self, earlier: &CpuSnapshot) -> CpuSnapshot {
        CpuSnapshot {
            api: self.api - earlier.api,
            generator: self.generator - earlier.generator,
            postgres: self.postgres - earlier.postgres,
            redis: self.redis - earlier.redis,
            machine_busy: self.machine_busy - earlier.machine_busy,
            machine_total: self.machine_total - earlier.machine_total,
        }
    }
}

/// Prints the figures; true when there were no errors and everything was persisted.
pub fn print(
    args: &Args,
    total: &mut Stats,
    elapsed: Duration,
    cpu: &CpuSnapshot,
    tenants_ran: usize,
    db: &Persisted,
) -> bool {
    let secs = elapsed.as_secs_f64();
    let calls = total.calls();
    println!(
        "\nrun: {} clients, {:.1} s, mode {}, HTTP_WORKERS={}, DATABASE_MAX_CONNECTIONS={}, PGSSLMODE={}",
        args.clients,
        secs,
        if args.edit { "edit" } else { "resync" },
        args.http_workers,
        args.db_pool,
        if args.pg_sslmode.is_empty() {
            "unset"
        } else {
            &args.pg_sslmode
        }
    );
    println!(
        "sessions: {} complete, {} failed  => {:.1} sessions/s",
        total.sessions_ok,
        total.sessions_failed,
        total.sessions_ok as f64 / secs
    );
    println!(
        "SOAP calls: {calls} => {:.0} calls/s; sales handed over: {} => {:.0} sales/s",
        calls as f64 / secs,
        total.sales_sent,
        total.sales_sent as f64 / secs
    );
    let timeline: Vec<String> = total.timeline.iter().map(u64::to_string).collect();
    println!("complete sessions per second: {}", timeline.join(" "));
    println!(
        "\n  {:<20} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "method", "calls", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    let mut all: Vec<u32> = Vec::with_capacity(calls);
    for m in METHODS {
        if let Some(samples) = total.latencies.get_mut(m) {
            println!("{}", latency_row(m, samples));
            all.extend_from_slice(samples);
        }
    }
    println!("{}", latency_row("(all calls)", &mut all));

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let pct = |s: f64| {
        if cpu.machine_total > 0.0 {
            100.0 * s / cpu.machine_total
        } else {
            0.0
        }
    };
    println!(
        "\nCPU ({cores} cores, % of the machine): api {:.0}%, Postgres {:.0}%, Redis {:.0}%, load generator {:.0}% \
         (simulated QuickBooks {:.1} s of it), other processes {:.0}%, idle {:.0}%",
        pct(cpu.api),
        pct(cpu.postgres),
        pct(cpu.redis),
        pct(cpu.generator),
        total.company_time.as_secs_f64(),
        pct(cpu.machine_busy - cpu.api - cpu.postgres - cpu.redis - cpu.generator).max(0.0),
        pct(cpu.machine_total - cpu.machine_busy),
    );
    let per_session = |s: f64| {
        if total.sessions_ok > 0 {
            1000.0 * s / total.sessions_ok as f64
        } else {
            0.0
        }
    };
    println!(
        "CPU ms per complete session: api {:.2}, Postgres {:.2}, Redis {:.2}, load generator {:.2}",
        per_session(cpu.api),
        per_session(cpu.postgres),
        per_session(cpu.redis),
        per_session(cpu.generator)
    );

    println!(
        "\nerrors: {}",
        if total.errors.is_empty() {
            "none".to_string()
        } else {
            String::new()
        }
    );
    for (kind, n) in &total.errors {
        println!("  {n:>6}  {kind}");
    }

    let want_sales = (args.invoices * tenants_ran) as i64;
    let mut ok = total.errors.is_empty() && total.sessions_failed == 0;
    println!(
        "\npersisted: {} qb_sales over {} connections (want {} = {} invoices x {} tenants that ran), {} orders pending, \
         {} sync runs completed (want {})",
        db.sales,
        db.connections_with_sales,
        want_sales,
        args.invoices,
        tenants_ran,
        db.orders_pending,
        db.runs_completed,
        total.sessions_ok
    );
    ok &= db.sales == want_sales && db.runs_completed == total.sessions_ok as i64;
    if args.edit {
        let want = (args.invoices as u64 * total.sessions_ok) as i64;
        println!(
            "revisions: {} stored (want {want} = one per invoice per complete session)",
            db.revisions
        );
        ok &= db.revisions == want;
    }
    println!(
        "{}",
        if ok {
            "CHECK OK: every invoice persisted, no errors"
        } else {
            "CHECK FAILED"
        }
    );
    ok
}
