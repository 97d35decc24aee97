//! The store and audit log of a deployment without serving it (no models loaded): what
//! `govai feedback` and `govai reviews` use on the machine that runs the gateway.

use std::path::Path;

use govai::config::Config;
use govai_store::{Feedback, NewFeedback, ReviewFilter, ReviewItem, Store};

use crate::error::{Error, Result};
use crate::queue::{record_feedback, store_error};

/// A deployment's store and audit log.
pub struct Ops {
    store: Store,
    config: Config,
    base_dir: std::path::PathBuf,
    file: String,
}

impl std::fmt::Debug for Ops {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ops").field("file", &self.file).finish_non_exhaustive()
    }
}

impl Ops {
    /// Open the `[store]` of the config file at `path` (an error when it has none).
    pub fn open(path: &Path) -> Result<Self> {
        let config = Config::from_file(path)?;
        let base_dir = path.parent().unwrap_or_else(|| Path::new(".")).to_owned();
        let file = path.display().to_string();
        let store =
            crate::gateway::open_store(config.store.as_ref(), &base_dir, &file)?.ok_or_else(|| Error::Config {
                file: file.clone(),
                key: "store".into(),
                reason: "missing: configure [store] (backend, path or url_env)".into(),
            })?;
        Ok(Self { store, config, base_dir, file })
    }

    /// Record feedback from `caller` (audited as kind `feedback`, role `cli`).
    pub fn feedback(&self, new: NewFeedback) -> Result<Feedback> {
        let audit = govai::open_audit(&self.config, &self.base_dir, &self.file)?;
        record_feedback(&self.store, &audit, "cli", new)
    }

    /// Queue items matching `filter`.
    pub fn reviews(&self, filter: &ReviewFilter) -> Result<Vec<ReviewItem>> {
        self.store.reviews(filter).map_err(store_error)
    }

    /// Feedback, newest first.
    pub fn feedback_list(&self, triage_only: bool, limit: usize) -> Result<Vec<Feedback>> {
        self.store.feedback(triage_only, limit).map_err(store_error)
    }
}
