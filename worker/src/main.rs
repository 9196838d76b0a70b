//! `worker`: reads the environment, starts telemetry and runs [`worker::run`].

// The same allocator as the api (many short-lived JSON and HTTP buffers per job).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use shared::config::Settings;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    let service = if settings.service_name.is_empty() {
        "quayside-worker".to_owned()
    } else {
        settings.service_name.clone()
    };
    let _telemetry = shared::telemetry::init(&service, settings.otel_endpoint.as_deref());
    for warning in &settings.warnings {
        tracing::warn!(%warning, "configuration should be fixed");
    }
    if let Err(e) = worker::run(settings).await {
        tracing::error!(error = format!("{e:#}"), "worker failed");
        return Err(e);
    }
    Ok(())
}
