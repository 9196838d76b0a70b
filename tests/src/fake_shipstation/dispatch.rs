//! The single entry point: control surface, then auth → rate limit → injected faults → route.
//! Routing is done by hand so that every answer, 404s included, gets the same headers.

use std::time::Instant;

use actix_web::{web, HttpRequest, HttpResponse};
use rand::Rng;

use super::query::Query;
use super::rate_limit::RateDecision;
use super::reply::Reply;
use super::state::{Account, Ids, LoggedRequest, Settings, Shared};
use super::{auth, control, orders, shipments, stores, webhooks};

/// Mutable context next to an account: settings, id sequences and the public URL.
pub struct Env<'a> {
    /// Current settings.
    pub settings: &'a Settings,
    /// Id sequences.
    pub ids: &'a mut Ids,
    /// Base URL for `resource_url`s.
    pub public_url: &'a str,
}

/// One authenticated API request.
pub struct Ctx<'a> {
    /// Shared state.
    pub shared: &'a Shared,
    /// API key of the caller.
    pub key: &'a str,
    /// Parsed query string.
    pub query: Query,
    /// Raw body.
    pub body: &'a [u8],
    /// Full request URI (for the 404 text).
    pub uri: String,
}

impl Ctx<'_> {
    /// Runs `f` with the caller's account locked.
    pub fn with_account<F: FnOnce(&mut Account, &mut Env<'_>) -> Reply>(&self, f: F) -> Reply {
        with_account(self.shared, self.key, f).unwrap_or_else(Reply::unauthorized)
    }

    /// The 404 an unknown URI gets.
    pub fn no_route(&self) -> Reply {
        Reply::no_route(&self.uri)
    }
}

/// Runs `f` with account `key` locked; `None` if there is no such account.
pub fn with_account<R, F: FnOnce(&mut Account, &mut Env<'_>) -> R>(
    shared: &Shared,
    key: &str,
    f: F,
) -> Option<R> {
    let mut guard = shared.lock();
    let inner = &mut *guard;
    let account = inner.accounts.get_mut(key)?;
    let mut env = Env {
        settings: &inner.settings,
        ids: &mut inner.ids,
        public_url: &shared.public_url,
    };
    Some(f(account, &mut env))
}

/// actix default service: every request of the fake goes through here.
pub async fn entry(req: HttpRequest, body: web::Bytes, shared: web::Data<Shared>) -> HttpResponse {
    let path = req.path().to_owned();
    if path.eq_ignore_ascii_case("/__control")
        || path.to_ascii_lowercase().starts_with("/__control/")
    {
        return control::handle(&req, &body, &shared)
            .await
            .into_response(None);
    }
    let method = req.method().as_str().to_owned();
    let log = |status: u16| LoggedRequest {
        method: method.clone(),
        path: path.clone(),
        query: req.query_string().to_owned(),
        status,
    };
    let creds = auth::parse_basic(
        req.headers()
            .get("authorization")
            .and_then(|h| h.to_str().ok()),
    );

    // Auth, rate limit and fault decisions under one lock.
    let (key, rate, forced, fault, latency) = {
        let mut guard = shared.lock();
        let inner = &mut *guard;
        let s = &inner.settings;
        let (limit, window) = (s.rate_limit, s.rate_window);
        let anonymous = RateDecision {
            limit,
            remaining: limit,
            reset_secs: window.as_secs().max(1),
            allowed: true,
        };
        let logging = s.log_requests;
        let Some((key, secret)) = creds.filter(|(k, _)| inner.accounts.contains_key(k)) else {
            if logging {
                println!("(no valid key) {method} {path} -> 401");
            }
            return Reply::unauthorized().into_response(Some(anonymous));
        };
        let Some(account) = inner.accounts.get_mut(&key) else {
            return Reply::unauthorized().into_response(Some(anonymous));
        };
        let now = Instant::now();
        if account.secret != secret {
            let rate = account.window.peek(limit, window, now);
            account.requests.push(log(401));
            return Reply::unauthorized().into_response(Some(rate));
        }
        let rate = account.window.hit(limit, window, now);
        if !rate.allowed {
            account.requests.push(log(429));
            return Reply::too_many_requests().into_response(Some(rate));
        }
        let forced = account.forced.pop_front().or_else(|| {
            account
                .forced_paths
                .iter()
                .find(|(prefix, _)| path.starts_with(prefix.as_str()))
                .map(|(_, status)| *status)
        });
        let fault = s.fault_rate > 0.0 && rand::thread_rng().gen_bool(s.fault_rate.clamp(0.0, 1.0));
        (key, rate, forced, fault, (s.latency, s.reply_delay))
    };
    let (latency, reply_delay) = latency;

    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let reply = match (forced, fault) {
        (Some(429), _) => {
            let rate = RateDecision {
                remaining: 0,
                ..rate
            };
            record(&shared, &key, log(429));
            return Reply::too_many_requests().into_response(Some(rate));
        }
        (Some(status), _) => Reply::forced(status),
        (None, true) => Reply::server_error("Injected fault (fake ShipStation fault rate)."),
        (None, false) => {
            let ctx = Ctx {
                shared: &shared,
                key: &key,
                query: Query::parse(req.query_string()),
                body: &body,
                uri: full_uri(&req),
            };
            route(&ctx, &method, &path)
        }
    };
    record(&shared, &key, log(reply.status));
    if !reply_delay.is_zero() {
        tokio::time::sleep(reply_delay).await;
    }
    reply.into_response(Some(rate))
}

fn record(shared: &Shared, key: &str, entry: LoggedRequest) {
    let mut guard = shared.lock();
    if guard.settings.log_requests {
        let q = if entry.query.is_empty() {
            String::new()
        } else {
            format!("?{}", entry.query)
        };
        println!(
            "{key} {} {}{q} -> {}",
            entry.method, entry.path, entry.status
        );
    }
    if let Some(acc) = guard.accounts.get_mut(key) {
        acc.requests.push(entry);
    }
}

fn full_uri(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}{}", info.scheme(), info.host(), req.uri())
}

/// Maps method + path (case-insensitive, trailing `/` ignored) to a handler.
fn route(ctx: &Ctx<'_>, method: &str, path: &str) -> Reply {
    let lower = path.trim_end_matches('/').to_ascii_lowercase();
    let segs: Vec<&str> = lower.split('/').filter(|s| !s.is_empty()).collect();
    let raw_segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let (get, post, delete) = (method == "GET", method == "POST", method == "DELETE");
    let allowed: &[&str] = match segs.as_slice() {
        ["stores"] if get => return stores::list(ctx),
        ["stores"] => &["GET"],
        ["stores", id] if get => return stores::get(ctx, id),
        ["carriers"] if get => return stores::carriers(),
        ["carriers", "listservices"] if get => return stores::carrier_list(ctx, false),
        ["carriers", "listpackages"] if get => return stores::carrier_list(ctx, true),
        ["orders", "createorder"] if post => return orders::create_one(ctx),
        ["orders", "createorders"] if post => return orders::create_many(ctx),
        ["orders", "markasshipped"] if post => return shipments::mark_as_shipped(ctx),
        ["orders", "createorder" | "createorders" | "markasshipped"] => &["POST"],
        ["orders"] if get => return orders::list(ctx),
        ["orders"] => &["GET"],
        ["orders", id] if get => return orders::get(ctx, id),
        ["orders", id] if delete => return orders::delete(ctx, id),
        ["orders", _] => &["GET", "DELETE"],
        ["shipments"] if get => return shipments::list(ctx),
        ["shipments"] => &["GET"],
        ["fulfillments"] if get => return shipments::list_fulfillments(ctx),
        ["fulfillments"] => &["GET"],
        ["webhooks"] if get => return webhooks::list(ctx),
        ["webhooks"] => &["GET"],
        ["webhooks", "subscribe"] if post => return webhooks::subscribe(ctx),
        ["webhooks", "subscribe"] => &["POST"],
        ["webhooks", _] if delete => {
            return webhooks::unsubscribe(ctx, raw_segs.get(1).copied().unwrap_or(""))
        }
        ["webhooks", _] => &["DELETE"],
        _ => &[],
    };
    if allowed.is_empty() {
        ctx.no_route()
    } else {
        Reply::method_not_allowed(method)
    }
}
