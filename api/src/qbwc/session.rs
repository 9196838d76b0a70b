//! Web Connector sessions in Redis: ticket → tenant, connection, plan and counters, with a TTL,
//! so any api replica can serve any call of a session.

use std::time::Duration;

use redis::aio::ConnectionManager;
use redis::AsyncCommands;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use shared::ids::{ConnectionId, OrderId, TenantId};
use shared::settings::SyncSettings;
use uuid::Uuid;

use super::plan::Plan;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    pub tenant_id: TenantId,
    pub connection_id: ConnectionId,
    pub run_id: Uuid,
    pub plan: Plan,
    pub settings: SyncSettings,
    pub test_request_ids: Vec<Uuid>,
    pub last_error: Option<String>,
    pub failed: bool,
    pub requests_sent: u32,
    pub sales_received: u32,
    pub orders_queued: u32,
    /// Orders made pending this session and not yet enqueued.
    pub orders_to_push: Vec<OrderId>,
    /// Unix seconds of the last call.
    pub last_seen: i64,
    /// The run's final counts and status are in Postgres (written with the last response).
    #[serde(default)]
    pub run_recorded: bool,
    /// The .qwc's OwnerID and FileID (to recognise the company file in the first call).
    #[serde(default)]
    pub owner_id: Option<Uuid>,
    #[serde(default)]
    pub file_id: Option<Uuid>,
    /// The qbXML version QuickBooks reads, when older than ours (from the first call).
    #[serde(default)]
    pub qbxml_version: Option<String>,
    /// The first sendRequestXML's company information has been checked.
    #[serde(default)]
    pub company_checked: bool,
}

#[derive(Clone)]
pub struct SessionStore {
    redis: ConnectionManager,
    namespace: String,
    ttl: Duration,
}

fn ticket_hash(ticket: &str) -> String {
    hex::encode(Sha256::digest(ticket.as_bytes()))
}

/// A new ticket for a session of `connection`: the connection's id, then 128 random bits (hex).
/// Carrying the connection lets closeConnection find the live marker without reading the
/// session first; the random part is what makes the ticket unguessable.
pub fn new_ticket(connection: ConnectionId) -> String {
    let mut random = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut random);
    format!("{}{}", connection.0.simple(), hex::encode(random))
}

/// The connection a ticket names (tickets issued before they carried it name none).
fn ticket_connection(ticket: &str) -> Option<ConnectionId> {
    let id = ticket.get(..32).filter(|_| ticket.len() == 64)?;
    Uuid::try_parse(id).ok().map(ConnectionId)
}

impl SessionStore {
    pub fn new(redis: ConnectionManager, namespace: &str, ttl: Duration) -> SessionStore {
        SessionStore {
            redis,
            namespace: namespace.to_string(),
            ttl,
        }
    }

    fn session_key(&self, hash: &str) -> String {
        format!("{}:qbwc:session:{hash}", self.namespace)
    }

    fn active_key(&self, connection: ConnectionId) -> String {
        format!("{}:qbwc:active:{connection}", self.namespace)
    }

    async fn load_hash(&self, hash: &str) -> redis::RedisResult<Option<Session>> {
        let mut conn = self.redis.clone();
        let raw: Option<String> = conn.get(self.session_key(hash)).await?;
        Ok(raw.and_then(|r| serde_json::from_str(&r).ok()))
    }

    pub async fn load(&self, ticket: &str) -> redis::RedisResult<Option<Session>> {
        if ticket.is_empty() || ticket.len() > 200 {
            return Ok(None);
        }
        self.load_hash(&ticket_hash(ticket)).await
    }

    /// Saves the session and marks it the live one of its connection, starting (QuickBooks
    /// opening the company file, answering the first request). The marker holds the ticket's
    /// hash and the time of this call, so authenticate reads it in one round trip.
    pub async fn save(&self, ticket: &str, session: &mut Session) -> redis::RedisResult<()> {
        self.save_marked(ticket, session, false).await
    }

    /// Saves the session once QuickBooks' answers are flowing (a response taken in, or the
    /// session's end: nothing more to ask, an error for getLastError). The Web Connector runs
    /// one session of an application at a time, so an authenticate of the same connection that
    /// comes after that means this one stopped (a crash, a PC gone away mid-iterator): it takes
    /// the connection over at once instead of waiting out the busy window. Before the first
    /// response (QuickBooks opening the company file, answering the first request) a second
    /// authenticate is `busy`.
    pub async fn save_idle(&self, ticket: &str, session: &mut Session) -> redis::RedisResult<()> {
        self.save_marked(ticket, session, true).await
    }

    async fn save_marked(
        &self,
        ticket: &str,
        session: &mut Session,
        idle: bool,
    ) -> redis::RedisResult<()> {
        session.last_seen = chrono::Utc::now().timestamp();
        let hash = ticket_hash(ticket);
        let json = serde_json::to_string(session).unwrap_or_default();
        let ttl = self.ttl.as_secs().max(1);
        let marker = format!(
            "{hash} {}{}",
            session.last_seen,
            if idle { " idle" } else { "" }
        );
        let mut conn = self.redis.clone();
        redis::pipe()
            .atomic()
            .set_ex(self.session_key(&hash), json, ttl)
            .ignore()
            .set_ex(self.active_key(session.connection_id), marker, ttl)
            .ignore()
            .query_async::<()>(&mut conn)
            .await
    }

    /// Forgets the session, and the connection's live marker if it is this session's: one
    /// round trip.
    pub async fn remove(&self, ticket: &str, connection: ConnectionId) -> redis::RedisResult<()> {
        let hash = ticket_hash(ticket);
        let mut conn = self.redis.clone();
        redis::Script::new(REMOVE)
            .key(self.session_key(&hash))
            .key(self.active_key(connection))
            .arg(format!("{hash} "))
            .invoke_async::<()>(&mut conn)
            .await
    }

    /// Reads and forgets the session (and the connection's live marker if it is this
    /// session's), in one round trip for a ticket that names its connection.
    pub async fn take(&self, ticket: &str) -> redis::RedisResult<Option<Session>> {
        if ticket.is_empty() || ticket.len() > 200 {
            return Ok(None);
        }
        let Some(connection) = ticket_connection(ticket) else {
            let session = self.load(ticket).await?;
            if let Some(s) = &session {
                self.remove(ticket, s.connection_id).await?;
            }
            return Ok(session);
        };
        let hash = ticket_hash(ticket);
        let mut conn = self.redis.clone();
        let raw: Option<String> = redis::Script::new(TAKE)
            .key(self.session_key(&hash))
            .key(self.active_key(connection))
            .arg(format!("{hash} "))
            .invoke_async(&mut conn)
            .await?;
        Ok(raw
            .and_then(|r| serde_json::from_str::<Session>(&r).ok())
            .filter(|s| s.connection_id == connection))
    }

    /// Makes `ticket` the connection's live session unless another session of it was used
    /// within `live_window` (then `false`: busy). Check and claim are one script, so of two
    /// Web Connectors authenticating at once for one connection exactly one gets it. A session
    /// quiet for longer is taken over (deleted): its Web Connector is gone. The claim lasts
    /// until the session is saved or [`SessionStore::remove`]d.
    pub async fn claim(
        &self,
        ticket: &str,
        connection: ConnectionId,
        live_window: Duration,
    ) -> redis::RedisResult<bool> {
        let hash = ticket_hash(ticket);
        let now = chrono::Utc::now().timestamp();
        let mut conn = self.redis.clone();
        let claimed: i64 = redis::Script::new(CLAIM)
            .key(self.active_key(connection))
            .arg(format!("{hash} {now}"))
            .arg(now)
            .arg(live_window.as_secs())
            .arg(self.ttl.as_secs().max(1))
            .arg(self.session_key(""))
            .invoke_async(&mut conn)
            .await?;
        Ok(claimed == 1)
    }
}

/// KEYS[1] the connection's live marker; ARGV[1] the new marker ("<hash> <now>"), ARGV[2] now
/// (Unix seconds), ARGV[3] the live window (seconds), ARGV[4] the marker's TTL, ARGV[5] the
/// session keys' prefix. Returns 0 (busy) while the marked session is live, else marks this
/// session and returns 1. A session marked idle ("<hash> <time> idle") is not live. A marker
/// without a time (written by an earlier release) is judged by its session's `last_seen`.
const CLAIM: &str = r#"
local marker = redis.call('GET', KEYS[1])
if marker then
    local hash, seen, idle = string.match(marker, '^(%S+) (%d+)( ?%a*)$')
    if idle and idle ~= '' then
        seen = nil
    end
    if not hash then
        hash = marker
        local raw = redis.call('GET', ARGV[5] .. hash)
        if raw then
            local ok, session = pcall(cjson.decode, raw)
            if ok and type(session) == 'table' then
                seen = session.last_seen
            end
        end
    end
    if seen and tonumber(ARGV[2]) - tonumber(seen) <= tonumber(ARGV[3]) then
        return 0
    end
    redis.call('DEL', ARGV[5] .. hash)
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[4])
return 1
"#;

/// KEYS[1] the session, KEYS[2] the connection's live marker; ARGV[1] the marker's prefix for
/// this session ("<hash> "). Like [`REMOVE`], returning the session as it was.
const TAKE: &str = r#"
local session = redis.call('GET', KEYS[1])
redis.call('DEL', KEYS[1])
local marker = redis.call('GET', KEYS[2])
if marker and string.sub(marker, 1, string.len(ARGV[1])) == ARGV[1] then
    redis.call('DEL', KEYS[2])
end
return session
"#;

/// KEYS[1] the session, KEYS[2] the connection's live marker; ARGV[1] the marker's prefix for
/// this session ("<hash> "). Deletes the session, and the marker only if it is this session's.
const REMOVE: &str = r#"
redis.call('DEL', KEYS[1])
local marker = redis.call('GET', KEYS[2])
if marker and (string.sub(marker, 1, string.len(ARGV[1])) == ARGV[1] or marker .. ' ' == ARGV[1]) then
    redis.call('DEL', KEYS[2])
end
return 0
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_names_its_connection_and_is_random_beyond_it() {
        let connection = ConnectionId(Uuid::new_v4());
        let a = new_ticket(connection);
        let b = new_ticket(connection);
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert_eq!(a[..32], b[..32]);
        assert_eq!(ticket_connection(&a), Some(connection));
    }

    #[test]
    fn tickets_without_a_connection_name_none() {
        // Issued before tickets carried their connection: 32 hex digits.
        assert_eq!(
            ticket_connection(&hex::encode(Uuid::new_v4().as_bytes())),
            None
        );
        assert_eq!(ticket_connection(""), None);
        assert_eq!(ticket_connection(&"z".repeat(64)), None);
        assert_eq!(ticket_connection(&"é".repeat(40)), None);
    }
}
