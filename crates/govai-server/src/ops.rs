//! The store and audit log of a deployment without serving it (no models loaded): what
//! `govai feedback`, `govai reviews` and `govai kb publish|versions|diff` use on the machine
//! that runs the gateway.

use std::path::Path;

use govai::config::Config;
use govai_store::{Feedback, KbDiff, KbPassage, KbVersion, NewFeedback, ReviewFilter, ReviewItem, Store};
use sha2::Digest;

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

    /// The store itself.
    pub fn store(&self) -> &Store {
        &self.store
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

    /// Publish the knowledge base in `file` (JSON Lines, checked like the models check it) as the
    /// store's next version, by `author`; None when it equals the current version. Audited as
    /// `kb_change` with action `import`. A gateway serving the store picks it up within seconds.
    pub fn kb_publish(&self, file: &Path, author: &str, note: &str) -> Result<Option<KbVersion>> {
        let kb = govai::retrieval::KnowledgeBase::from_jsonl(file)?;
        let passages = kb
            .passages()
            .iter()
            .map(|p| {
                let body = serde_json::to_value(p).map_err(|e| Error::Internal(format!("passage `{}`: {e}", p.id)))?;
                KbPassage::from_body(body).map_err(store_error)
            })
            .collect::<Result<Vec<_>>>()?;
        let Some(version) = self.store.kb_import(author, note, passages).map_err(store_error)? else {
            return Ok(None);
        };
        let audit = govai::open_audit(&self.config, &self.base_dir, &self.file)?;
        audit.append(serde_json::json!({
            "kind": "kb_change",
            "user": author,
            "user_role": "cli",
            "action": "import",
            "result_version": version.version,
            "file_sha256": hex::encode(sha2::Sha256::digest(std::fs::read(file).unwrap_or_default())),
        }))?;
        audit.sync()?;
        Ok(Some(version))
    }

    /// The review queue now: open items, overdue ones, the oldest's age.
    pub fn queue_stats(&self) -> Result<govai_store::backend::QueueStats> {
        self.store.queue_stats().map_err(store_error)
    }

    /// Keep a pre-launch evaluation report (audited as `evaluation`: verdict, models, the
    /// report's SHA-256).
    pub fn record_evaluation(&self, new: govai_store::NewEvaluation) -> Result<govai_store::Evaluation> {
        let e = self.store.add_evaluation(new).map_err(store_error)?;
        let audit = govai::open_audit(&self.config, &self.base_dir, &self.file)?;
        audit.append(serde_json::json!({
            "kind": "evaluation",
            "user": e.created_by,
            "user_role": "cli",
            "scenario": e.scenario,
            "evaluation_id": e.id,
            "baseline": {"id": e.baseline_model, "version": e.baseline_version},
            "candidate": {"id": e.candidate_model, "version": e.candidate_version},
            "verdict": e.verdict,
            "report_sha256": e.report_sha256,
        }))?;
        audit.sync()?;
        Ok(e)
    }

    /// Kept evaluations of a scenario, newest first, optionally of one candidate model.
    pub fn evaluations(&self, scenario: &str, candidate: Option<&str>) -> Result<Vec<govai_store::Evaluation>> {
        self.store.evaluations(scenario, candidate).map_err(store_error)
    }

    /// Knowledge-base versions, newest first.
    pub fn kb_versions(&self) -> Result<Vec<KbVersion>> {
        self.store.kb_versions(0).map_err(store_error)
    }

    /// What changed between two knowledge-base versions.
    pub fn kb_diff(&self, from: u64, to: u64) -> Result<KbDiff> {
        self.store.kb_diff(from, to).map_err(store_error)
    }
}
