//! `fake-shipstation`: the fake ShipStation V1 server of the local demo system.
//!
//! `fake-shipstation [--bind 127.0.0.1:8090] [--demo-key demo-key] [--demo-secret demo-secret]
//! [--public-url URL] [--rate-limit 40]`; `FAKE_SHIPSTATION_BIND` sets the bind address too.
//! Serves until SIGTERM or ctrl-c.

use anyhow::{bail, Context};
use quayside_tests::fake_shipstation::{FakeConfig, FakeShipStation};

struct Args {
    bind: String,
    demo_key: String,
    demo_secret: String,
    public_url: Option<String>,
    rate_limit: u32,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut args = Args {
        bind: std::env::var("FAKE_SHIPSTATION_BIND").unwrap_or_else(|_| "127.0.0.1:8090".into()),
        demo_key: "demo-key".into(),
        demo_secret: "demo-secret".into(),
        public_url: None,
        rate_limit: 40,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--bind" => args.bind = value()?,
            "--demo-key" => args.demo_key = value()?,
            "--demo-secret" => args.demo_secret = value()?,
            "--public-url" => args.public_url = Some(value()?),
            "--rate-limit" => args.rate_limit = value()?.parse().context("--rate-limit")?,
            "-h" | "--help" => {
                println!(
                    "fake-shipstation [--bind ADDR] [--demo-key KEY] [--demo-secret SECRET] \
                     [--public-url URL] [--rate-limit N]"
                );
                std::process::exit(0);
            }
            other => bail!("unknown argument {other}"),
        }
    }
    Ok(args)
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    let config = FakeConfig {
        bind: Some(args.bind.clone()),
        public_url: args.public_url,
        rate_limit: args.rate_limit,
        log_requests: true,
        ..FakeConfig::default()
    };
    let fake = FakeShipStation::start(config).await?;
    let account = fake.add_account(&args.demo_key, &args.demo_secret);
    println!(
        "fake-shipstation listening on {} (bound {}); demo account key={} manual storeId={}",
        fake.base_url(),
        args.bind,
        account.api_key,
        account.manual_store_id()
    );
    shutdown_signal().await;
    println!("fake-shipstation shutting down");
    fake.stop().await;
    Ok(())
}
