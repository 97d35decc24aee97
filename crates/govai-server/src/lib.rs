//! govai-server: `govai serve`, an OpenAI-compatible gateway in front of a govai deployment.
//!
//! Any OpenAI client calls it (`base_url = "http://127.0.0.1:8088/v1"`, `model` = a scenario
//! id). Every request goes through the deployment's pipeline (classify, gate, screen, mask,
//! infer, restore, review, label, audit); streamed answers release a sentence only after it
//! passed review. API keys (stored hashed) map to a caller and a role; the role bounds the
//! scenarios, the data level a caller may submit, whether restored personal data is returned,
//! whether the caller's system prompts are honoured, and its rate and concurrency. See
//! `crates/govai-server/README.md` and `/openapi.json`.
//!
//! ```no_run
//! # async fn demo() -> govai_server::Result<()> {
//! let gateway = std::sync::Arc::new(govai_server::Gateway::load("govai.toml".as_ref())?);
//! let (listener, notice) = govai_server::bind(&gateway, None).await?;
//! if let Some(n) = notice { eprintln!("{n}"); }
//! govai_server::serve(gateway, listener, govai_server::shutdown_signal()).await
//! # }
//! ```

mod api;
mod audit_api;
mod chat;
pub mod console;
mod envelope;
pub mod error;
mod gateway;
mod health;
mod kb_api;
pub mod keys;
pub mod knowledge;
mod limits;
pub mod live;
mod metrics;
mod native;
mod openapi;
pub mod ops;
mod queue;
mod references;
mod rollout;
pub mod webhook;
mod wire;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub use api::{ROUTES, router};
pub use error::{Error, ErrorKind, Result};
pub use gateway::{Caller, Gateway};
use tokio::net::TcpListener;

/// Bind the listening socket: `listen` (or the config's `[server] listen`). Without API keys
/// only loopback is served: another address is replaced by 127.0.0.1 on the same port and the
/// returned notice says so.
pub async fn bind(gateway: &Gateway, listen: Option<&str>) -> Result<(TcpListener, Option<String>)> {
    let text = listen.unwrap_or(&gateway.settings().listen);
    let mut addr: SocketAddr = text
        .parse()
        .map_err(|e| Error::invalid(format!("listen address `{text}`: {e} (e.g. 127.0.0.1:8088)"), Some("listen")))?;
    let mut notice = None;
    if !gateway.has_keys() && !addr.ip().is_loopback() {
        notice = Some(format!(
            "no API keys configured ([server] keys_file): serving loopback only, on 127.0.0.1:{} instead of {addr}",
            addr.port()
        ));
        addr = SocketAddr::from(([127, 0, 0, 1], addr.port()));
    }
    let listener = TcpListener::bind(addr).await.map_err(|e| Error::Io { path: addr.to_string(), source: e })?;
    Ok((listener, notice))
}

/// Serve until `shutdown` completes; then stop taking requests, let those in flight finish
/// (at most `[server] drain_secs`), and flush the audit log (with a signed checkpoint when a
/// signing key is configured).
pub async fn serve(
    gateway: Arc<Gateway>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let drain = Duration::from_secs(gateway.settings().drain_secs);
    let (stopping_tx, stopping_rx) = tokio::sync::watch::channel(false);
    let live = live::Live::new(gateway.clone());
    let l = live.clone();
    let signal = async move {
        shutdown.await;
        l.gateway().start_draining();
        let _ = stopping_tx.send(true);
    };
    knowledge::spawn_poll(live.clone());
    live::reload_on_sighup(live.clone());
    // Each request goes to the router of the gateway serving now (a reload swaps it).
    let l = live.clone();
    let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
        let router = l.router();
        async move { tower::ServiceExt::oneshot(router, request).await }
    });
    let server = axum::serve(listener, app).with_graceful_shutdown(signal);
    let mut stopping = stopping_rx;
    let bounded_drain = async move {
        let _ = stopping.wait_for(|s| *s).await;
        tokio::time::sleep(drain).await;
    };
    tokio::select! {
        r = server => r.map_err(|e| Error::Io { path: "listener".into(), source: e })?,
        () = bounded_drain => {}
    }
    let current = live.gateway();
    let log = current.deployment().audit_log();
    log.checkpoint()?;
    log.sync()?;
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
