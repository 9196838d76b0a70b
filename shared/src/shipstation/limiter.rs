//! One ShipStation rate limiter per API key, shared through Redis by every worker replica and
//! the api (whose own calls, such as checking credentials, spend the same budget).
//!
//! A fixed window (default 40 requests per 60 s) counted by a Lua script, which also obeys
//! what ShipStation itself reported last: `X-Rate-Limit-Remaining: 0` blocks the bucket until
//! `X-Rate-Limit-Reset`, and a lower `Remaining` than we counted raises our count. A caller
//! that is refused gets the time to wait and is expected to re-schedule its job rather than
//! sleep holding it.

use std::time::Duration;

use super::client::RateInfo;
use redis::aio::ConnectionManager;
use redis::Script;
use sha2::{Digest, Sha256};

/// Takes one request from the bucket, or says how long to wait.
/// KEYS: window counter, block flag. ARGV: limit, window ms, strict (1: our own count can
/// refuse; 0: only ShipStation's block can, the request is still counted).
/// Returns `{1, remaining}` or `{0, wait_ms}`.
const ACQUIRE: &str = r#"
local limit = tonumber(ARGV[1])
local window_ms = tonumber(ARGV[2])
local strict = tonumber(ARGV[3])
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then
  return {0, blocked}
end
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if strict == 1 and used >= limit then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then
    redis.call('PEXPIRE', KEYS[1], window_ms)
    ttl = window_ms
  end
  return {0, ttl}
end
used = redis.call('INCR', KEYS[1])
if used == 1 or redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], window_ms)
end
return {1, math.max(limit - used, 0)}
"#;

/// Folds ShipStation's own view into the bucket: `Remaining: 0` blocks until `Reset`; our
/// count is raised to what ShipStation counted and our window ends when ShipStation's does.
/// KEYS: window counter, block flag. ARGV: our limit, window ms, remaining (-1 = unknown),
/// reset ms (-1 = unknown), ShipStation's limit (-1 = unknown).
const OBSERVE: &str = r#"
local limit = tonumber(ARGV[1])
local window_ms = tonumber(ARGV[2])
local remaining = tonumber(ARGV[3])
local reset_ms = tonumber(ARGV[4])
local their_limit = tonumber(ARGV[5])
if remaining < 0 then
  return 0
end
if remaining == 0 and reset_ms > 0 then
  redis.call('SET', KEYS[2], '1', 'PX', reset_ms)
end
if their_limit < 0 then
  their_limit = limit
end
local used_there = their_limit - remaining
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used_there > used then
  local ttl = reset_ms
  if ttl <= 0 then
    ttl = redis.call('PTTL', KEYS[1])
    if ttl <= 0 then ttl = window_ms end
  end
  redis.call('SET', KEYS[1], used_there, 'PX', ttl)
elseif reset_ms > 0 and used > 0 then
  -- ShipStation's window is the one that counts: end ours when it ends.
  redis.call('PEXPIRE', KEYS[1], reset_ms)
end
return 1
"#;

/// Extra wait after ShipStation's `Reset`, so we never arrive a hair early.
const RESET_MARGIN: Duration = Duration::from_millis(500);

/// The answer of [`Limiter::acquire`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permit {
    /// Go ahead; this many requests are left in the window.
    Granted { remaining: u32 },
    /// Out of budget: try again after this long.
    Wait(Duration),
}

/// Redis-backed limiter; cheap to clone.
#[derive(Clone)]
pub struct Limiter {
    redis: ConnectionManager,
    prefix: String,
    limit: u32,
    window: Duration,
    acquire: Script,
    observe: Script,
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiter")
            .field("prefix", &self.prefix)
            .field("limit", &self.limit)
            .field("window", &self.window)
            .finish_non_exhaustive()
    }
}

/// The bucket name of an API key: hex SHA-256, so the key never appears in Redis.
pub fn bucket_for_key(api_key: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"quayside:shipstation-rate:");
    h.update(api_key.as_bytes());
    hex::encode(h.finalize())
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Limiter {
    /// A limiter whose keys live under `<namespace>:ss-rate:`.
    pub fn new(redis: ConnectionManager, namespace: &str, limit: u32, window: Duration) -> Self {
        Limiter {
            redis,
            prefix: format!("{namespace}:ss-rate"),
            limit: limit.max(1),
            window: window.max(Duration::from_millis(1)),
            acquire: Script::new(ACQUIRE),
            observe: Script::new(OBSERVE),
        }
    }

    fn keys(&self, bucket: &str) -> (String, String) {
        (
            format!("{}:{bucket}:window", self.prefix),
            format!("{}:{bucket}:block", self.prefix),
        )
    }

    /// Takes one request from `bucket` if the window and ShipStation allow it.
    pub async fn acquire(&self, bucket: &str) -> redis::RedisResult<Permit> {
        self.take(bucket, true).await
    }

    /// Counts one request in `bucket`, refusing it only while ShipStation itself has said the
    /// key is out (`Remaining: 0` or a 429). For a person's click (checking credentials,
    /// listing stores): our own count is an estimate, and a user should not be turned away
    /// on an estimate that ShipStation would have contradicted.
    pub async fn spend(&self, bucket: &str) -> redis::RedisResult<Permit> {
        self.take(bucket, false).await
    }

    async fn take(&self, bucket: &str, strict: bool) -> redis::RedisResult<Permit> {
        let (window, block) = self.keys(bucket);
        let (ok, n): (i64, i64) = self
            .acquire
            .key(window)
            .key(block)
            .arg(self.limit)
            .arg(millis(self.window))
            .arg(i64::from(strict))
            .invoke_async(&mut self.redis.clone())
            .await?;
        Ok(if ok == 1 {
            Permit::Granted {
                remaining: u32::try_from(n.max(0)).unwrap_or(0),
            }
        } else {
            Permit::Wait(Duration::from_millis(u64::try_from(n.max(1)).unwrap_or(1)))
        })
    }

    /// Records the `X-Rate-Limit-*` headers of a response.
    pub async fn observe(&self, bucket: &str, rate: &RateInfo) -> redis::RedisResult<()> {
        let (window, block) = self.keys(bucket);
        let _: i64 = self
            .observe
            .key(window)
            .key(block)
            .arg(self.limit)
            .arg(millis(self.window))
            .arg(rate.remaining.map_or(-1, i64::from))
            .arg(rate.reset.map_or(-1, |r| millis(r + RESET_MARGIN)))
            .arg(rate.limit.map_or(-1, i64::from))
            .invoke_async(&mut self.redis.clone())
            .await?;
        Ok(())
    }

    /// Blocks `bucket` for `wait` (after a 429).
    pub async fn block_for(&self, bucket: &str, wait: Duration) -> redis::RedisResult<()> {
        let (_, block) = self.keys(bucket);
        let ms = millis(wait + RESET_MARGIN).max(1);
        redis::cmd("SET")
            .arg(block)
            .arg("1")
            .arg("PX")
            .arg(ms)
            .query_async::<()>(&mut self.redis.clone())
            .await
    }
}

#[cfg(test)]
mod tests;
