//! A TCP proxy in front of Postgres or Redis that a test can make go silent: connections stay
//! open but no byte gets through either way, as when a store hangs or a network drops packets.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The proxy; it stops when dropped.
pub struct SilenceProxy {
    pub port: u16,
    silent: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl SilenceProxy {
    /// Listens on a free loopback port and forwards to `target` (`host:port`).
    pub async fn start(target: &str) -> anyhow::Result<SilenceProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let silent = Arc::new(AtomicBool::new(false));
        let target = target.to_string();
        let flag = silent.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (target, flag) = (target.clone(), flag.clone());
                tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(&target).await {
                        pipe(client, server, flag).await;
                    }
                });
            }
        });
        Ok(SilenceProxy { port, silent, task })
    }

    /// From now on nothing gets through (until [`SilenceProxy::speak`]).
    pub fn silence(&self) {
        self.silent.store(true, Ordering::SeqCst);
    }

    /// Forwarding again.
    pub fn speak(&self) {
        self.silent.store(false, Ordering::SeqCst);
    }
}

impl Drop for SilenceProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn pipe(client: TcpStream, server: TcpStream, silent: Arc<AtomicBool>) {
    let (cr, cw) = client.into_split();
    let (sr, sw) = server.into_split();
    tokio::join!(copy(cr, sw, silent.clone()), copy(sr, cw, silent));
}

/// Copies `from` to `to`; while silenced, holds what it read back until forwarding resumes.
async fn copy(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    silent: Arc<AtomicBool>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        while silent.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}
