//! Redis coordination of tracking pulls: one running pull per connection (a lock with a TTL
//! and an owner token), a "run again" flag for pulls that arrive while one runs, and the
//! "queued" flag that keeps at most one pull per connection waiting in the queue.

use std::time::Duration;

use redis::aio::ConnectionManager;
use redis::Script;
use shared::db::tracking::keys;
use shared::ids::ConnectionId;

/// How long a pull may hold its connection's lock without renewing it (renewed every page).
pub const LOCK_TTL: Duration = Duration::from_secs(600);
/// Lifetime of the queued flag: if a queued job were lost, enqueueing resumes after this.
pub const QUEUED_TTL: Duration = Duration::from_secs(600);
/// Lifetime of the run-again flag.
const RERUN_TTL: Duration = Duration::from_secs(900);

/// Deletes (or renews) the key only when it still holds our token.
const RELEASE: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"#;
const RENEW: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"#;

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

fn lock_key(namespace: &str, connection: ConnectionId) -> String {
    format!("{namespace}:tracking-lock:{connection}")
}

fn rerun_key(namespace: &str, connection: ConnectionId) -> String {
    format!("{namespace}:tracking-rerun:{connection}")
}

/// A held per-connection lock. Release it with [`PullLock::release`].
#[derive(Debug)]
pub struct PullLock {
    key: String,
    token: String,
}

/// Takes the connection's pull lock, or `None` when another pull holds it.
pub async fn acquire(
    redis: &ConnectionManager,
    namespace: &str,
    connection: ConnectionId,
) -> redis::RedisResult<Option<PullLock>> {
    let key = lock_key(namespace, connection);
    let token = uuid::Uuid::new_v4().to_string();
    let set: Option<String> = redis::cmd("SET")
        .arg(&key)
        .arg(&token)
        .arg("NX")
        .arg("PX")
        .arg(millis(LOCK_TTL))
        .query_async(&mut redis.clone())
        .await?;
    Ok(set.map(|_| PullLock { key, token }))
}

impl PullLock {
    /// Extends the lock's TTL; `false` when it was lost (expired and taken by another pull).
    pub async fn renew(&self, redis: &ConnectionManager) -> redis::RedisResult<bool> {
        let n: i64 = Script::new(RENEW)
            .key(&self.key)
            .arg(&self.token)
            .arg(millis(LOCK_TTL))
            .invoke_async(&mut redis.clone())
            .await?;
        Ok(n == 1)
    }

    /// Releases the lock if it is still ours.
    pub async fn release(self, redis: &ConnectionManager) -> redis::RedisResult<()> {
        let _: i64 = Script::new(RELEASE)
            .key(&self.key)
            .arg(&self.token)
            .invoke_async(&mut redis.clone())
            .await?;
        Ok(())
    }
}

/// Asks the running pull of `connection` to run once more when it finishes.
pub async fn request_rerun(
    redis: &ConnectionManager,
    namespace: &str,
    connection: ConnectionId,
) -> redis::RedisResult<()> {
    redis::cmd("SET")
        .arg(rerun_key(namespace, connection))
        .arg("1")
        .arg("PX")
        .arg(millis(RERUN_TTL))
        .query_async::<()>(&mut redis.clone())
        .await
}

/// Takes the run-again request, if any.
pub async fn take_rerun(
    redis: &ConnectionManager,
    namespace: &str,
    connection: ConnectionId,
) -> redis::RedisResult<bool> {
    let n: i64 = redis::cmd("DEL")
        .arg(rerun_key(namespace, connection))
        .query_async(&mut redis.clone())
        .await?;
    Ok(n > 0)
}

/// Marks a pull of `connection` as queued; `false` when one already is (then do not enqueue).
pub async fn mark_queued(
    redis: &ConnectionManager,
    namespace: &str,
    connection: ConnectionId,
    ttl: Duration,
) -> redis::RedisResult<bool> {
    let set: Option<String> = redis::cmd("SET")
        .arg(keys::pull_queued(namespace, connection))
        .arg("1")
        .arg("NX")
        .arg("PX")
        .arg(millis(ttl))
        .query_async(&mut redis.clone())
        .await?;
    Ok(set.is_some())
}

/// Clears the queued flag (a pull is starting, or its enqueue failed).
pub async fn clear_queued(
    redis: &ConnectionManager,
    namespace: &str,
    connection: ConnectionId,
) -> redis::RedisResult<()> {
    redis::cmd("DEL")
        .arg(keys::pull_queued(namespace, connection))
        .query_async::<()>(&mut redis.clone())
        .await
}
