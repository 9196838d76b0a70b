//! Worker-only settings, read from the environment next to [`shared::config::Settings`].

use std::time::Duration;

/// Knobs of the job runtime. Defaults suit production; tests shrink the times.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// ShipStation requests per window per API key (`SHIPSTATION_RATE_LIMIT`, default 40).
    pub rate_limit: u32,
    /// Length of the limiter's fixed window (`SHIPSTATION_RATE_WINDOW_SECS`, default 60).
    pub rate_window: Duration,
    /// Order-push jobs run at once by one worker process (`WORKER_CONCURRENCY`, default 4).
    pub concurrency: usize,
    /// How often an idle worker looks for due jobs (`WORKER_POLL_INTERVAL_MS`, default 500).
    pub poll_interval: Duration,
    /// apalis heartbeat (`WORKER_HEARTBEAT_SECS`, default 5). A worker that misses
    /// [`MISSED_HEARTBEATS`] of them is dead and its in-flight jobs go back to the queue.
    pub heartbeat: Duration,
    /// Sweeper period (`SWEEPER_INTERVAL_SECS`, default 30).
    pub sweeper_interval: Duration,
    /// Transient ShipStation failures before an order is marked failed
    /// (`ORDER_PUSH_MAX_ATTEMPTS`, default 8).
    pub max_attempts: u32,
    /// First retry delay after a transient failure; doubles per attempt
    /// (`ORDER_PUSH_RETRY_BASE_SECS`, default 2).
    pub retry_base: Duration,
    /// How long the account's manual store id is cached (default 1 h).
    pub store_cache_ttl: Duration,
    /// How often a tracking pull also re-reads the labels of every order still waiting to
    /// ship, from when the oldest reached ShipStation (`TRACKING_CATCH_UP_INTERVAL_SECS`,
    /// default 86 400: daily).
    pub catch_up_interval: Duration,
}

/// Missed heartbeats after which another worker re-enqueues a dead worker's jobs.
pub const MISSED_HEARTBEATS: usize = 3;

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            rate_limit: 40,
            rate_window: Duration::from_secs(60),
            concurrency: 4,
            poll_interval: Duration::from_millis(500),
            heartbeat: Duration::from_secs(5),
            sweeper_interval: Duration::from_secs(30),
            max_attempts: 8,
            retry_base: Duration::from_secs(2),
            store_cache_ttl: Duration::from_secs(3600),
            catch_up_interval: Duration::from_secs(86_400),
        }
    }
}

type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

fn num(env: Env, name: &str, default: u64) -> anyhow::Result<u64> {
    match env(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
    {
        None => Ok(default),
        Some(v) => match v.parse::<u64>() {
            Ok(n) if n > 0 => Ok(n),
            _ => anyhow::bail!("{name}: expected a positive whole number, got {v:?}"),
        },
    }
}

impl WorkerConfig {
    /// Reads the process environment.
    pub fn from_env() -> anyhow::Result<WorkerConfig> {
        WorkerConfig::from_lookup(&|name| std::env::var(name).ok())
    }

    /// Reads settings through `env` (tests pass a map).
    pub fn from_lookup(env: Env) -> anyhow::Result<WorkerConfig> {
        let d = WorkerConfig::default();
        Ok(WorkerConfig {
            rate_limit: u32::try_from(num(env, "SHIPSTATION_RATE_LIMIT", 40)?)?,
            rate_window: Duration::from_secs(num(env, "SHIPSTATION_RATE_WINDOW_SECS", 60)?),
            concurrency: usize::try_from(num(env, "WORKER_CONCURRENCY", 4)?)?,
            poll_interval: Duration::from_millis(num(env, "WORKER_POLL_INTERVAL_MS", 500)?),
            heartbeat: Duration::from_secs(num(env, "WORKER_HEARTBEAT_SECS", 5)?),
            sweeper_interval: Duration::from_secs(num(env, "SWEEPER_INTERVAL_SECS", 30)?),
            max_attempts: u32::try_from(num(env, "ORDER_PUSH_MAX_ATTEMPTS", 8)?)?,
            retry_base: Duration::from_secs(num(env, "ORDER_PUSH_RETRY_BASE_SECS", 2)?),
            store_cache_ttl: d.store_cache_ttl,
            catch_up_interval: Duration::from_secs(num(
                env,
                "TRACKING_CATCH_UP_INTERVAL_SECS",
                86_400,
            )?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let c = WorkerConfig::from_lookup(&|_| None).expect("defaults");
        assert_eq!(c.rate_limit, 40);
        assert_eq!(c.rate_window, Duration::from_secs(60));
        let c =
            WorkerConfig::from_lookup(&|k| (k == "SHIPSTATION_RATE_LIMIT").then(|| "12".into()))
                .expect("override");
        assert_eq!(c.rate_limit, 12);
        assert!(WorkerConfig::from_lookup(&|_| Some("0".into())).is_err());
        assert!(WorkerConfig::from_lookup(&|_| Some("many".into())).is_err());
    }
}
