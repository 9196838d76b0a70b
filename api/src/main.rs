// glibc's malloc/free were the api's top user-space symbols under Web Connector load;
// mimalloc measured ~4 % less api CPU per session (docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use shared::config::{Settings, SettingsDebug};

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let settings = Settings::from_env().map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
    let service = if settings.service_name.is_empty() {
        "quayside-api".to_string()
    } else {
        settings.service_name.clone()
    };
    let _telemetry = shared::telemetry::init(&service, settings.otel_endpoint.as_deref());
    for warning in &settings.warnings {
        tracing::warn!(%warning, "configuration should be fixed");
    }
    match std::env::args().nth(1).as_deref() {
        Some("migrate") => {
            shared::db::migrate(settings.database_url()).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        None | Some("serve") => {
            tracing::info!(settings = ?SettingsDebug(&settings), "starting api");
            let app = api::startup::Application::build(settings).await?;
            tracing::info!(port = app.port(), "api listening");
            app.run_until_stopped().await?;
            tracing::info!("api stopped");
            Ok(())
        }
        Some(other) => anyhow::bail!("unknown command {other:?}; use `api` or `api migrate`"),
    }
}
