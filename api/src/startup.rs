//! Builds the actix-web application so `main` and tests start exactly the same server.

use std::net::TcpListener;
use std::time::Instant;

use actix_web::dev::{Server, Service};
use actix_web::error::{InternalError, JsonPayloadError};
use actix_web::http::StatusCode;
use actix_web::{web, App, HttpRequest, HttpServer};
use futures::FutureExt;
use shared::auth::jwt::JwtKeys;
use shared::config::Settings;
use shared::metrics::Metrics;
use tracing_actix_web::TracingLogger;

use crate::error::ApiError;
use crate::jobs::JobQueues;
use crate::qbwc::session::SessionStore;
use crate::routes;
use crate::state::AppState;

pub struct Application {
    port: u16,
    server: Server,
}

/// Connects to Postgres and Redis and applies migrations.
pub async fn build_state(settings: Settings) -> anyhow::Result<AppState> {
    if let Some(why) = qwc_app_url_problem(&settings.public_base_url) {
        tracing::warn!(public_base_url = %settings.public_base_url, "{why}");
    }
    shared::db::migrate(settings.database_url()).await?;
    let db =
        shared::db::connect(settings.database_url(), settings.database_max_connections).await?;
    if settings.is_production() && shared::db::login_role_is_privileged(&db).await? {
        tracing::warn!(
            "DATABASE_URL logs in as a superuser (or a BYPASSRLS role); row-level security holds \
             for every query, but production should log in as an ordinary role (docs/operations.md)"
        );
    }
    let redis_client = redis::Client::open(settings.redis_url())?;
    let redis = redis::aio::ConnectionManager::new(redis_client).await?;
    let sessions = SessionStore::new(
        redis.clone(),
        &settings.redis_namespace,
        settings.qbwc_session_ttl,
    );
    let jobs = JobQueues::new(redis.clone(), &settings.redis_namespace);
    let limiter = shared::shipstation::limiter::Limiter::new(
        redis.clone(),
        &settings.redis_namespace,
        settings.shipstation_rate_limit,
        settings.shipstation_rate_window,
    );
    Ok(AppState {
        sessions,
        jobs,
        limiter,
        jwt: JwtKeys::new(&settings.jwt_secret),
        http: shared::shipstation::client::http_client(),
        metrics: Metrics::new(),
        settings,
        db,
        redis,
    })
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(settings.bind_addr)?;
        let port = listener.local_addr()?.port();
        let shutdown = settings.shutdown_timeout.as_secs();
        // Two workers per core by default: each actix worker is one thread, and with Postgres
        // and Redis sharing the cores, one per core left the machine 10 % idle under Web
        // Connector load (docs/benchmarks.md, 2026-12-06: +12 % sessions/s, lower p99).
        let workers = settings.http_workers.or_else(|| {
            std::thread::available_parallelism()
                .ok()
                .map(|n| n.get().saturating_mul(2))
        });
        let state = web::Data::new(build_state(settings).await?);
        let mut server = HttpServer::new(move || app(state.clone()));
        if let Some(n) = workers {
            server = server.workers(n.max(1));
        }
        let server = server.listen(listener)?.shutdown_timeout(shutdown).run();
        Ok(Application { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGTERM/SIGINT, then finishes in-flight requests and returns.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let api = match &err {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "The request body is too large.",
            )
        }
        JsonPayloadError::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send JSON with Content-Type: application/json.",
        ),
        JsonPayloadError::Deserialize(e) if e.is_data() => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            format!("The request body has a field of the wrong type: {e}"),
        ),
        JsonPayloadError::Deserialize(e) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("The request body is not valid JSON: {e}"),
        ),
        _ => ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The request body could not be read.",
        ),
    };
    InternalError::from_response(err, actix_web::ResponseError::error_response(&api)).into()
}

/// A query string that does not fit (a parameter given twice, say): the contract's error body.
fn query_error(
    err: actix_web::error::QueryPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    let api = ApiError::validation("query", &err.to_string());
    InternalError::from_response(err, actix_web::ResponseError::error_response(&api)).into()
}

pub async fn not_found() -> actix_web::HttpResponse {
    actix_web::ResponseError::error_response(&ApiError::not_found("route"))
}

fn app(
    state: web::Data<AppState>,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let json_limit = state.settings.max_json_bytes;
    App::new()
        .app_data(state.clone())
        .app_data(
            web::JsonConfig::default()
                .limit(json_limit)
                // A JSON body sent without a Content-Type is still read; a wrong one is refused.
                .content_type_required(false)
                .error_handler(json_error),
        )
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .wrap_fn(|req, srv| {
            let route = req.match_pattern().unwrap_or_else(|| "unmatched".into());
            let method = req.method().to_string();
            let metrics = req
                .app_data::<web::Data<AppState>>()
                .map(|s| s.metrics.clone());
            let started = Instant::now();
            srv.call(req).map(move |res| {
                if let (Some(m), Ok(r)) = (metrics, &res) {
                    let status = r.status().as_u16().to_string();
                    m.http_requests
                        .with_label_values(&[route.as_str(), method.as_str(), status.as_str()])
                        .inc();
                    m.http_duration
                        .with_label_values(&[route.as_str(), method.as_str()])
                        .observe(started.elapsed().as_secs_f64());
                }
                res
            })
        })
        .wrap(TracingLogger::<crate::request_span::RequestSpan>::new())
        .route("/healthz", web::get().to(routes::health::healthz))
        .route("/readyz", web::get().to(routes::health::readyz))
        .route("/metrics", web::get().to(routes::health::metrics))
        .route("/docs", web::get().to(crate::openapi::docs))
        .configure(routes::qbwc)
        .configure(routes::webhooks)
        .configure(routes::api_v1)
        .default_service(web::to(not_found))
}

/// Why the Web Connector would refuse a .qwc whose AppURL is under `public_base_url`, if it
/// would: it wants https with a host name, and takes plain http only for localhost.
pub fn qwc_app_url_problem(public_base_url: &str) -> Option<&'static str> {
    let url = url::Url::parse(public_base_url).ok()?;
    let local = matches!(url.host(), Some(url::Host::Domain("localhost")))
        || matches!(url.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback())
        || matches!(url.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback());
    if local {
        return None;
    }
    if url.scheme() != "https" {
        return Some("PUBLIC_BASE_URL is not https: the Web Connector will refuse the .qwc files this server hands out (plain http is accepted for localhost only)");
    }
    if matches!(url.host(), Some(url::Host::Ipv4(_) | url::Host::Ipv6(_))) {
        return Some("PUBLIC_BASE_URL names an IP address: the Web Connector wants a host name (with a certificate for it) in the .qwc's AppURL");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::qwc_app_url_problem;

    #[test]
    fn the_web_connector_wants_https_and_a_host_name_except_on_localhost() {
        for ok in [
            "https://quayside.example.com",
            "http://localhost:8080",
            "http://127.0.0.1:9000",
            "https://localhost",
        ] {
            assert_eq!(qwc_app_url_problem(ok), None, "{ok}");
        }
        for bad in [
            "http://staging.example.com",
            "https://10.0.0.5",
            "http://10.0.0.5",
        ] {
            assert!(qwc_app_url_problem(bad).is_some(), "{bad}");
        }
    }
}
