//! Shared helpers for the integration tests.

use std::path::Path;
use std::sync::{Arc, Mutex};

use govai_classify::GuardClassifier;
use govai_core::{
    AuditLog, AuditOptions, DataLevel, Deployment, Filing, FsyncPolicy, InferenceInput, InferenceOutput, Location,
    Model, ModelInfo, ModelKind, Result, SpecScenario, async_trait,
};

/// A model that records every input it receives and answers by echoing the query (and the
/// last earlier user turn, when there is history).
#[derive(Debug)]
pub struct RecordingModel {
    info: ModelInfo,
    seen: Mutex<Vec<InferenceInput>>,
}

impl RecordingModel {
    pub fn new(info: ModelInfo) -> Arc<Self> {
        Arc::new(Self { info, seen: Mutex::new(Vec::new()) })
    }

    /// Everything the model has received so far.
    pub fn seen(&self) -> Vec<InferenceInput> {
        self.seen.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

#[async_trait]
impl Model for RecordingModel {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    async fn infer(&self, input: &InferenceInput) -> Result<InferenceOutput> {
        if let Ok(mut v) = self.seen.lock() {
            v.push(input.clone());
        }
        // With history, also repeat the last earlier user turn, so tests see placeholders from
        // earlier turns come back and get restored.
        let earlier = input.history.iter().rev().find(|m| m.role == govai_core::Role::User);
        let text = match earlier {
            Some(m) => format!("收到：{}（此前：{}）", input.query, m.content),
            None => format!("收到：{}", input.query),
        };
        Ok(InferenceOutput { text, ..InferenceOutput::default() })
    }
}

/// A deployment of one built-in scenario served by a [`RecordingModel`] with `clearance`, on
/// premises, auditing into `dir`. With `reviewers`, the built-in reviewers the scenario lists
/// run; without, none.
pub fn recording_deployment(
    dir: &Path,
    scenario_id: &str,
    clearance: DataLevel,
    reviewers: bool,
) -> Result<(Deployment, Arc<RecordingModel>)> {
    recording_deployment_with(dir, scenario_id, clearance, reviewers, govai_core::Policy::default())
}

/// [`recording_deployment`] with a policy.
pub fn recording_deployment_with(
    dir: &Path,
    scenario_id: &str,
    clearance: DataLevel,
    reviewers: bool,
    policy: govai_core::Policy,
) -> Result<(Deployment, Arc<RecordingModel>)> {
    let (audit, _) =
        AuditLog::open(dir.join("a.jsonl"), AuditOptions { fsync: FsyncPolicy::Never, ..AuditOptions::default() })?;
    let model = RecordingModel::new(ModelInfo {
        id: "rec".into(),
        version: "1".into(),
        kind: ModelKind::Classify,
        clearance,
        location: Location::OnPremises,
        filing: Filing::default(),
    });
    let classifier = Arc::new(GuardClassifier::default());
    let mut spec = govai_core::scenario::builtin(scenario_id)
        .ok_or_else(|| govai_core::Error::NotFound { what: "scenario", id: scenario_id.to_owned() })?;
    let mut builder =
        Deployment::builder().classifier(classifier.clone()).model(model.clone()).policy(policy).audit(Arc::new(audit));
    if reviewers {
        for r in govai_review::builtin_reviewers(classifier) {
            builder = builder.reviewer(r);
        }
    } else {
        spec.reviewers.clear();
    }
    let deployment = builder.scenario(Arc::new(SpecScenario(spec)), "rec").build()?;
    Ok((deployment, model))
}
