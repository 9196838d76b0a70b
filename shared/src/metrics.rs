//! Prometheus metrics shared by the api and the worker. Each process owns one [`Metrics`]
//! (no global registry), rendered at `/metrics`.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};

#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    /// HTTP requests by route pattern, method and status.
    pub http_requests: IntCounterVec,
    pub http_duration: HistogramVec,
    /// Web Connector SOAP calls by method and outcome (ok, error, fault, nvu, none, busy).
    pub soap_calls: IntCounterVec,
    /// Web Connector sessions by how they ended (completed, failed, abandoned).
    pub qbwc_sessions: IntCounterVec,
    /// QuickBooks sales stored, by outcome (new, changed, unchanged, skipped).
    pub sales_received: IntCounterVec,
    /// Jobs by queue and outcome (ok, retry, failed, deferred).
    pub jobs: IntCounterVec,
    /// Jobs waiting, by queue (sampled).
    pub queue_depth: IntGaugeVec,
    /// ShipStation calls by endpoint and HTTP status (or `error`).
    pub shipstation_requests: IntCounterVec,
    /// The last `X-Rate-Limit-Remaining` seen, per connection.
    pub shipstation_budget_remaining: IntGaugeVec,
    /// Orders by final push result (pushed, failed, locked).
    pub orders_pushed: IntCounterVec,
    /// Write-backs by outcome (queued, sent, done, failed, retried).
    pub write_backs: IntCounterVec,
}

fn counter(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    let c = IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric");
    registry
        .register(Box::new(c.clone()))
        .expect("unique metric");
    c
}

fn gauge(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> IntGaugeVec {
    let g = IntGaugeVec::new(Opts::new(name, help), labels).expect("valid metric");
    registry
        .register(Box::new(g.clone()))
        .expect("unique metric");
    g
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new_custom(Some("quayside".into()), None).expect("registry");
        let http_duration = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency"),
            &["route", "method"],
        )
        .expect("valid metric");
        registry
            .register(Box::new(http_duration.clone()))
            .expect("unique metric");
        Metrics {
            http_requests: counter(
                &registry,
                "http_requests_total",
                "HTTP requests",
                &["route", "method", "status"],
            ),
            http_duration,
            soap_calls: counter(
                &registry,
                "qbwc_soap_calls_total",
                "Web Connector SOAP calls",
                &["method", "outcome"],
            ),
            qbwc_sessions: counter(
                &registry,
                "qbwc_sessions_total",
                "Web Connector sessions ended",
                &["outcome"],
            ),
            sales_received: counter(
                &registry,
                "qb_sales_received_total",
                "QuickBooks sales received",
                &["outcome"],
            ),
            jobs: counter(
                &registry,
                "jobs_total",
                "Jobs processed",
                &["queue", "outcome"],
            ),
            queue_depth: gauge(
                &registry,
                "queue_depth",
                "Jobs waiting in a queue",
                &["queue"],
            ),
            shipstation_requests: counter(
                &registry,
                "shipstation_requests_total",
                "ShipStation API calls",
                &["endpoint", "status"],
            ),
            shipstation_budget_remaining: gauge(
                &registry,
                "shipstation_rate_limit_remaining",
                "Last X-Rate-Limit-Remaining seen",
                &["connection"],
            ),
            orders_pushed: counter(
                &registry,
                "orders_pushed_total",
                "Orders sent to ShipStation, by result",
                &["result"],
            ),
            write_backs: counter(
                &registry,
                "write_backs_total",
                "QuickBooks write-backs, by outcome",
                &["outcome"],
            ),
            registry,
        }
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
