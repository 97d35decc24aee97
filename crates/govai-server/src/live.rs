//! The gateway being served, and configuration reload without restart (SIGHUP or
//! `POST /v1/govai/admin/reload`, permission `admin`): the config file is read and a new
//! gateway built beside the running one; only when that succeeds does it take the next
//! requests (those in flight finish on the old one). A config that fails to load changes
//! nothing and says why. The audit log, the metrics and the rate limits carry over; the
//! `[audit]` table and the listen address need a restart. Each reload is an audit record
//! (`config_reload`).

use std::sync::{Arc, PoisonError, RwLock};

use axum::Router;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::gateway::Gateway;

/// The gateway serving now, with its router.
pub struct Live {
    current: RwLock<(Arc<Gateway>, Router)>,
    /// One reload at a time.
    reloading: std::sync::Mutex<()>,
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Live").finish_non_exhaustive()
    }
}

/// What a reload did.
#[derive(Debug, Clone, Serialize)]
pub struct ReloadReport {
    /// The config file read.
    pub file: String,
    /// Its SHA-256.
    pub sha256: String,
    /// The scenarios served now.
    pub scenarios: Vec<String>,
    /// The models registered now.
    pub models: Vec<String>,
}

impl Live {
    /// Serve `gateway`.
    pub fn new(gateway: Arc<Gateway>) -> Arc<Self> {
        let live = Arc::new(Self {
            current: RwLock::new((gateway.clone(), crate::router(gateway.clone()))),
            reloading: std::sync::Mutex::new(()),
        });
        let _ = gateway.live.set(Arc::downgrade(&live));
        live
    }

    /// The gateway taking requests now.
    pub fn gateway(&self) -> Arc<Gateway> {
        self.current.read().unwrap_or_else(PoisonError::into_inner).0.clone()
    }

    /// Its router.
    pub fn router(&self) -> Router {
        self.current.read().unwrap_or_else(PoisonError::into_inner).1.clone()
    }

    /// Read the config file again and serve what it says from the next request on; on error
    /// the running gateway stays. `who` is recorded in the audit record.
    pub fn reload(&self, who: &str) -> Result<ReloadReport> {
        let _one = self.reloading.lock().unwrap_or_else(PoisonError::into_inner);
        let old = self.gateway();
        let text =
            std::fs::read(old.config_file()).map_err(|e| Error::io(std::path::Path::new(old.config_file()), e))?;
        let new = Arc::new(old.reloaded()?);
        let report = ReloadReport {
            file: old.config_file().to_owned(),
            sha256: hex::encode(Sha256::digest(&text)),
            scenarios: new.deployment().scenario_ids().map(str::to_owned).collect(),
            models: new.deployment().models().iter().map(|m| m.id.clone()).collect(),
        };
        new.deployment().audit_log().append(json!({
            "kind": "config_reload",
            "user": who,
            "file": report.file,
            "config_sha256": report.sha256,
            "scenarios": report.scenarios,
            "models": report.models,
        }))?;
        let _ = new.live.set(old.live.get().cloned().unwrap_or_default());
        let router = crate::router(new.clone());
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = (new, router);
        Ok(report)
    }
}

/// Reload on every SIGHUP until the process ends (Unix); failures are printed, the running
/// configuration stays.
pub(crate) fn reload_on_sighup(live: Arc<Live>) {
    #[cfg(unix)]
    tokio::spawn(async move {
        let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) else { return };
        while hup.recv().await.is_some() {
            let l = live.clone();
            match tokio::task::spawn_blocking(move || l.reload("SIGHUP")).await {
                Ok(Ok(r)) => eprintln!("govai serve: reloaded {} ({} scenarios)", r.file, r.scenarios.len()),
                Ok(Err(e)) => eprintln!("govai serve: reload failed, the running configuration stays: {e}"),
                Err(e) => eprintln!("govai serve: reload failed: {e}"),
            }
        }
    });
    #[cfg(not(unix))]
    let _ = live;
}
