//! Child processes of the real binaries, killed when dropped.

use std::fs::File;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::Context;

/// The directory holding the workspace's built binaries (next to the test executable).
pub fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/debug/deps/<test> -> target/debug
    let mut dir = exe.parent().expect("deps dir").to_path_buf();
    if dir.ends_with("deps") {
        dir.pop();
    }
    dir
}

/// Where child logs go: `target/test-logs/<name>.log`.
pub fn log_dir() -> PathBuf {
    let dir = bin_dir().join("..").join("test-logs");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// A port that was free a moment ago.
pub fn free_port() -> anyhow::Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

pub struct ChildProcess {
    pub name: String,
    pub port: u16,
    pub log_path: PathBuf,
    child: tokio::process::Child,
}

impl ChildProcess {
    pub fn spawn(
        binary: &str,
        args: &[&str],
        env: &[(String, String)],
        name: &str,
        port: u16,
    ) -> anyhow::Result<ChildProcess> {
        let path = bin_dir().join(binary);
        anyhow::ensure!(
            path.exists(),
            "{} is not built; run `cargo build --workspace` first",
            path.display()
        );
        let log_path = log_dir().join(format!("{name}.log"));
        let log = File::create(&log_path)?;
        let child = tokio::process::Command::new(&path)
            .args(args)
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("spawn {}", path.display()))?;
        Ok(ChildProcess {
            name: name.to_string(),
            port,
            log_path,
            child,
        })
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Waits for `GET /healthz` to answer 200.
    pub async fn wait_healthy(
        &self,
        http: &reqwest::Client,
        timeout: Duration,
    ) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + timeout;
        let url = format!("{}/healthz", self.base_url());
        loop {
            if let Ok(r) = http.get(&url).send().await {
                if r.status().is_success() {
                    return Ok(());
                }
            }
            if tokio::time::Instant::now() > deadline {
                anyhow::bail!(
                    "{} did not become healthy; log:\n{}",
                    self.name,
                    self.log_tail(40)
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The last `n` lines of the process log.
    pub fn log_tail(&self, n: usize) -> String {
        let text = std::fs::read_to_string(&self.log_path).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    fn signal(&self, sig: &str) {
        if let Some(pid) = self.pid() {
            let _ = std::process::Command::new("kill")
                .arg(format!("-{sig}"))
                .arg(pid.to_string())
                .status();
        }
    }

    /// SIGKILL: the process dies at once, mid-whatever.
    pub async fn kill_hard(&mut self) {
        self.signal("KILL");
        let _ = self.child.wait().await;
    }

    /// SIGTERM, then waits for the exit status (up to `timeout`).
    pub async fn terminate(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        self.signal("TERM");
        tokio::time::timeout(timeout, self.child.wait())
            .await
            .ok()
            .and_then(Result::ok)
    }
}
