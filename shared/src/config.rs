//! Typed configuration, read once from the environment and validated at start.

use std::net::SocketAddr;
use std::time::Duration;

use base64::Engine;
use secrecy::{ExposeSecret, SecretString};

use crate::crypto::SecretKeys;

/// Development-only secrets. The api refuses to start with them when `APP_ENV=production`.
pub const DEV_JWT_SECRET: &str = "quayside-development-jwt-secret-do-not-use-in-production";
pub const DEV_SECRET_KEY: &str = "cXVheXNpZGUtZGV2LXNlY3JldC1rZXktMzItYnl0ZXM=";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name}: {message}")]
    Invalid { name: &'static str, message: String },
}

fn invalid(name: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        name,
        message: message.into(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppEnv {
    Development,
    Production,
}

/// Everything both binaries read from the environment.
#[derive(Clone)]
pub struct Settings {
    pub app_env: AppEnv,
    pub database_url: SecretString,
    pub redis_url: SecretString,
    pub bind_addr: SocketAddr,
    pub public_base_url: String,
    pub jwt_secret: SecretString,
    pub secret_keys: SecretKeys,
    pub shipstation_allowed_hosts: Vec<String>,
    /// Configuration that works but should be fixed (logged at start).
    pub warnings: Vec<String>,
    pub tracking_poll_interval: Duration,
    /// Prefix of every Redis key and queue this deployment uses (tests give each run its own).
    pub redis_namespace: String,
    pub otel_endpoint: Option<String>,
    pub service_name: String,
    /// Where the worker serves `/healthz` and `/metrics`.
    pub metrics_addr: SocketAddr,
    /// Trust `X-Forwarded-For` for the client address (only behind a proxy that sets it).
    pub trust_proxy_headers: bool,
    pub login_limit_per_email: u32,
    pub login_limit_per_ip: u32,
    pub login_window: Duration,
    /// Largest accepted request body for JSON and SOAP.
    pub max_json_bytes: usize,
    pub max_soap_bytes: usize,
    /// How long a Web Connector session lives in Redis between two calls.
    pub qbwc_session_ttl: Duration,
    /// Minutes between Web Connector runs written into the .qwc file.
    pub qbwc_run_every_minutes: u32,
    /// A session with a call within this window is live: a second `authenticate` for the same
    /// connection gets `busy`. A quieter one is taken over (its Web Connector is gone).
    pub qbwc_busy_window: Duration,
    /// Orders left `pending` longer than this are re-enqueued by the sweeper.
    pub sweeper_stale_after: Duration,
    pub shutdown_timeout: Duration,
    /// actix worker threads for the api (default: one per core).
    pub http_workers: Option<usize>,
    /// The api's Postgres pool size (keep the sum over replicas under the server's limit).
    pub database_max_connections: u32,
    /// ShipStation's budget per API key, for the api's own calls: the same variables as the
    /// workers' (`SHIPSTATION_RATE_LIMIT`, `SHIPSTATION_RATE_WINDOW_SECS`) and the same Redis
    /// buckets, so both count against one budget.
    pub shipstation_rate_limit: u32,
    pub shipstation_rate_window: Duration,
}

impl std::fmt::Debug for SettingsDebug<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("app_env", &self.0.app_env)
            .field("bind_addr", &self.0.bind_addr)
            .field("public_base_url", &self.0.public_base_url)
            .field(
                "shipstation_allowed_hosts",
                &self.0.shipstation_allowed_hosts,
            )
            .field("redis_namespace", &self.0.redis_namespace)
            .finish_non_exhaustive()
    }
}

/// A loggable view of the settings (no secrets, no URLs with passwords).
pub struct SettingsDebug<'a>(pub &'a Settings);

type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

fn var(env: Env, name: &str) -> Option<String> {
    env(name)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// `localhost` or a loopback address: traffic that never leaves the machine.
fn is_loopback_url(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// `BIND_ADDR` as `ip:port` or `host:port` (resolved once, at start).
fn bind_addr(env: Env) -> Result<SocketAddr, ConfigError> {
    let Some(v) = var(env, "BIND_ADDR") else {
        return Ok(SocketAddr::from(([127, 0, 0, 1], 8080)));
    };
    if let Ok(addr) = v.parse() {
        return Ok(addr);
    }
    use std::net::ToSocketAddrs;
    v.to_socket_addrs()
        .map_err(|e| invalid("BIND_ADDR", format!("cannot resolve {v:?}: {e}")))?
        .next()
        .ok_or_else(|| invalid("BIND_ADDR", format!("{v:?} resolves to no address")))
}

fn parse<T: std::str::FromStr>(env: Env, name: &'static str, default: T) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match var(env, name) {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|e| invalid(name, format!("cannot parse {v:?}: {e}"))),
    }
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Settings, ConfigError> {
        Settings::from_lookup(&|name| std::env::var(name).ok())
    }

    /// Reads settings through `env` (tests pass a map).
    pub fn from_lookup(env: Env) -> Result<Settings, ConfigError> {
        // Only production is strict; any other name (staging, ci, test...) runs as development.
        let app_env = match var(env, "APP_ENV").map(|v| v.trim().to_ascii_lowercase()) {
            Some(v) if v == "production" || v == "prod" => AppEnv::Production,
            _ => AppEnv::Development,
        };
        let production = app_env == AppEnv::Production;

        let jwt_secret = var(env, "JWT_SECRET").unwrap_or_else(|| DEV_JWT_SECRET.into());
        if production && jwt_secret == DEV_JWT_SECRET {
            return Err(invalid(
                "JWT_SECRET",
                "the development secret is refused in production",
            ));
        }
        if jwt_secret.trim().is_empty() {
            return Err(invalid("JWT_SECRET", "must not be empty"));
        }
        // Weak but not the development value: the contract only refuses the latter, so the
        // api starts and says loudly what to fix.
        let mut warnings = Vec::new();
        if production && jwt_secret.chars().count() < 32 {
            warnings.push(
                "JWT_SECRET is shorter than 32 characters: tokens signed with it can be guessed offline; use a long random value".to_string(),
            );
        }
        let secret_key = var(env, "SECRET_KEY").unwrap_or_else(|| DEV_SECRET_KEY.into());
        if production && secret_key == DEV_SECRET_KEY {
            return Err(invalid(
                "SECRET_KEY",
                "the development key is refused in production",
            ));
        }
        if production && !crate::crypto::is_strong_key(&secret_key) {
            warnings.push(
                "SECRET_KEY is neither base64 of 32 bytes nor a passphrase of 32 characters or more: secrets at rest are only as safe as it is".to_string(),
            );
        }
        let previous = var(env, "SECRET_KEY_PREVIOUS").unwrap_or_default();
        let secret_keys = SecretKeys::from_base64(&secret_key, &previous)
            .map_err(|e| invalid("SECRET_KEY", e.to_string()))?;

        let mut allowed: Vec<String> = match var(env, "SHIPSTATION_ALLOWED_HOSTS") {
            Some(list) => list
                .split(',')
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
            None => vec!["ssapi.shipstation.com".to_string()],
        };
        // Outside production the local hosts are always allowed too (a local or mock ShipStation).
        if !production {
            for local in ["127.0.0.1", "localhost"] {
                if !allowed.iter().any(|h| h == local) {
                    allowed.push(local.to_string());
                }
            }
        }

        let public_base_url = var(env, "PUBLIC_BASE_URL")
            .unwrap_or_else(|| "http://localhost:8080".into())
            .trim_end_matches('/')
            .to_string();
        let parsed_public = url::Url::parse(&public_base_url)
            .map_err(|e| invalid("PUBLIC_BASE_URL", e.to_string()))?;
        // The Web Connector only talks to https, except to this machine (qbwc.md: plain http
        // is accepted for localhost), which is also the contract's default.
        if production && parsed_public.scheme() != "https" && !is_loopback_url(&parsed_public) {
            return Err(invalid(
                "PUBLIC_BASE_URL",
                "must be https in production (plain http only for localhost)",
            ));
        }

        let settings = Settings {
            app_env,
            database_url: SecretString::from(
                var(env, "DATABASE_URL")
                    .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/quayside".into()),
            ),
            redis_url: SecretString::from(
                var(env, "REDIS_URL").unwrap_or_else(|| "redis://127.0.0.1:6379".into()),
            ),
            bind_addr: bind_addr(env)?,
            public_base_url,
            jwt_secret: SecretString::from(jwt_secret),
            secret_keys,
            warnings,
            shipstation_allowed_hosts: allowed,
            tracking_poll_interval: Duration::from_secs(parse(
                env,
                "TRACKING_POLL_INTERVAL_SECS",
                300u64,
            )?),
            redis_namespace: var(env, "REDIS_NAMESPACE").unwrap_or_else(|| "quayside".into()),
            otel_endpoint: var(env, "OTEL_EXPORTER_OTLP_ENDPOINT"),
            service_name: var(env, "OTEL_SERVICE_NAME").unwrap_or_default(),
            metrics_addr: parse(
                env,
                "METRICS_ADDR",
                "127.0.0.1:9091".parse().expect("literal"),
            )?,
            trust_proxy_headers: parse(env, "TRUST_PROXY_HEADERS", false)?,
            login_limit_per_email: parse(env, "LOGIN_LIMIT_PER_EMAIL", 10u32)?,
            login_limit_per_ip: parse(env, "LOGIN_LIMIT_PER_IP", 200u32)?,
            login_window: Duration::from_secs(parse(env, "LOGIN_WINDOW_SECS", 300u64)?),
            max_json_bytes: parse(env, "MAX_JSON_BYTES", 256 * 1024usize)?,
            max_soap_bytes: parse(env, "MAX_SOAP_BYTES", 32 * 1024 * 1024usize)?,
            qbwc_session_ttl: Duration::from_secs(parse(env, "QBWC_SESSION_TTL_SECS", 900u64)?),
            qbwc_run_every_minutes: parse(env, "QBWC_RUN_EVERY_MINUTES", 15u32)?,
            qbwc_busy_window: Duration::from_secs(parse(env, "QBWC_BUSY_WINDOW_SECS", 2u64)?),
            sweeper_stale_after: Duration::from_secs(parse(
                env,
                "SWEEPER_STALE_AFTER_SECS",
                120u64,
            )?),
            shutdown_timeout: Duration::from_secs(parse(env, "SHUTDOWN_TIMEOUT_SECS", 30u64)?),
            http_workers: var(env, "HTTP_WORKERS")
                .map(|v| {
                    v.parse()
                        .map_err(|_| invalid("HTTP_WORKERS", "must be a number"))
                })
                .transpose()?,
            database_max_connections: parse(env, "DATABASE_MAX_CONNECTIONS", 20u32)?,
            shipstation_rate_limit: parse(env, "SHIPSTATION_RATE_LIMIT", 40u32)?.max(1),
            shipstation_rate_window: Duration::from_secs(
                parse(env, "SHIPSTATION_RATE_WINDOW_SECS", 60u64)?.max(1),
            ),
        };
        if settings.database_max_connections == 0 {
            return Err(invalid("DATABASE_MAX_CONNECTIONS", "must be at least 1"));
        }
        if settings.tracking_poll_interval.is_zero() {
            return Err(invalid("TRACKING_POLL_INTERVAL_SECS", "must be at least 1"));
        }
        Ok(settings)
    }

    pub fn is_production(&self) -> bool {
        self.app_env == AppEnv::Production
    }

    /// Whether a ShipStation `base_url` may be used: its host must be allowed
    /// (`SHIPSTATION_ALLOWED_HOSTS`), over https; plain http outside production, or to an
    /// allowed loopback host (the credentials never leave the machine).
    pub fn shipstation_url_allowed(&self, url: &url::Url) -> bool {
        let Some(host) = url.host_str().map(|h| h.to_ascii_lowercase()) else {
            return false;
        };
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        if !self.shipstation_allowed_hosts.contains(&host) {
            return false;
        }
        match url.scheme() {
            "https" => true,
            "http" => !self.is_production() || is_loopback_url(url),
            _ => false,
        }
    }

    pub fn database_url(&self) -> &str {
        self.database_url.expose_secret()
    }

    pub fn redis_url(&self) -> &str {
        self.redis_url.expose_secret()
    }
}

/// Decodes standard base64, for keys given in the environment.
pub fn decode_base64(value: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(&move |k| map.get(k).cloned())
    }

    #[test]
    fn defaults_match_the_contract() {
        let s = settings(&[]).expect("defaults");
        assert_eq!(s.bind_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(s.public_base_url, "http://localhost:8080");
        assert_eq!(s.tracking_poll_interval, Duration::from_secs(300));
        assert!(s
            .shipstation_allowed_hosts
            .contains(&"localhost".to_string()));
    }

    #[test]
    fn production_refuses_development_secrets() {
        let err = settings(&[("APP_ENV", "production")])
            .err()
            .expect("refused");
        assert!(err.to_string().contains("JWT_SECRET"));
        let err = settings(&[
            ("APP_ENV", "production"),
            ("JWT_SECRET", "a-real-secret-that-is-long-enough-for-hs256"),
        ])
        .err()
        .expect("refused");
        assert!(err.to_string().contains("SECRET_KEY"));
        // Real secrets and the contract's default base URL (http to localhost): starts.
        let real = [
            ("APP_ENV", "production"),
            ("JWT_SECRET", "a-real-secret-that-is-long-enough-for-hs256"),
            ("SECRET_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="),
        ];
        let s = settings(&real).expect("starts");
        assert_eq!(s.public_base_url, "http://localhost:8080");
        // Plain http to any other host is refused: the Web Connector would not use it.
        let mut public_http = real.to_vec();
        public_http.push(("PUBLIC_BASE_URL", "http://app.example.com"));
        let err = settings(&public_http).err().expect("refused");
        assert!(err.to_string().contains("PUBLIC_BASE_URL"));
    }

    #[test]
    fn production_allows_plain_http_to_a_listed_loopback_host_only() {
        let s = settings(&[
            ("APP_ENV", "production"),
            ("JWT_SECRET", "a-real-secret-that-is-long-enough-for-hs256"),
            ("SECRET_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="),
            ("SHIPSTATION_ALLOWED_HOSTS", "127.0.0.1,ss.example.test"),
        ])
        .expect("valid");
        let loopback = url::Url::parse("http://127.0.0.1:9000").expect("url");
        let remote_http = url::Url::parse("http://ss.example.test").expect("url");
        let unlisted = url::Url::parse("http://localhost:9000").expect("url");
        assert!(s.shipstation_url_allowed(&loopback));
        assert!(!s.shipstation_url_allowed(&remote_http));
        assert!(!s.shipstation_url_allowed(&unlisted));
    }

    #[test]
    fn bind_addr_takes_a_host_name() {
        let s = settings(&[("BIND_ADDR", "localhost:9123")]).expect("resolves");
        assert_eq!(s.bind_addr.port(), 9123);
        assert!(s.bind_addr.ip().is_loopback());
        assert!(settings(&[("BIND_ADDR", "nonsense")]).is_err());
    }

    #[test]
    fn production_allows_only_shipstation_over_https() {
        let s = settings(&[
            ("APP_ENV", "production"),
            ("PUBLIC_BASE_URL", "https://app.example.com"),
            ("JWT_SECRET", "a-real-secret-that-is-long-enough-for-hs256"),
            ("SECRET_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="),
        ])
        .expect("valid");
        let ok = url::Url::parse("https://ssapi.shipstation.com").expect("url");
        let local = url::Url::parse("http://127.0.0.1:9000").expect("url");
        assert!(s.shipstation_url_allowed(&ok));
        assert!(!s.shipstation_url_allowed(&local));
    }

    #[test]
    fn development_allows_loopback() {
        let s = settings(&[]).expect("defaults");
        let local = url::Url::parse("http://127.0.0.1:9000").expect("url");
        let evil = url::Url::parse("http://169.254.169.254/latest").expect("url");
        assert!(s.shipstation_url_allowed(&local));
        assert!(!s.shipstation_url_allowed(&evil));
    }

    #[test]
    fn development_takes_any_secret_and_keeps_loopback_with_a_host_list() {
        let s = settings(&[
            ("APP_ENV", "staging"),
            ("JWT_SECRET", "secret"),
            ("SECRET_KEY", "test-secret"),
            ("SHIPSTATION_ALLOWED_HOSTS", "ss.example.test"),
        ])
        .expect("valid outside production");
        let local = url::Url::parse("http://localhost:9000").expect("url");
        let listed = url::Url::parse("https://ss.example.test").expect("url");
        assert!(s.shipstation_url_allowed(&local));
        assert!(s.shipstation_url_allowed(&listed));
        assert!(s.warnings.is_empty());
        // Weak but not the development values: production starts, and says what to fix.
        let weak = settings(&[
            ("APP_ENV", "Production"),
            ("PUBLIC_BASE_URL", "https://app.example.com"),
            ("JWT_SECRET", "prod-secret"),
            ("SECRET_KEY", "short"),
        ])
        .expect("weak secrets start in production");
        assert_eq!(weak.warnings.len(), 2, "{:?}", weak.warnings);
        assert!(weak.warnings[0].contains("JWT_SECRET"));
        assert!(weak.warnings[1].contains("SECRET_KEY"));
    }
}
