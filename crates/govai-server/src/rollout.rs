//! The model registry and canary rollouts (permission `models`): the models registered with
//! the deployment (version, filing number, provider, clearance, location), each scenario's
//! model and canary, and requests per model version side by side; setting a canary's share
//! and rolling back take effect from the next request. With a store, each change is kept
//! there (so every replica and a restarted gateway apply it) and every change is an audit
//! record (`rollout`).

use std::sync::Arc;

use axum::Extension;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use govai::Canary;
use govai::server_config::Permission;
use govai_store::{NewRollout, Rollout};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::{blocking, reply};
use crate::error::Result;
use crate::gateway::{Caller, Gateway};
use crate::queue::store_error;

impl Gateway {
    /// The registry: models, scenarios with their model and canary, requests per version.
    fn registry(&self) -> Result<Value> {
        let models: Vec<Value> = self
            .deployment
            .models()
            .into_iter()
            .map(|m| {
                json!({
                    "id": m.id, "version": m.version, "kind": m.kind, "clearance": m.clearance,
                    "location": m.location, "filing": m.filing,
                })
            })
            .collect();
        let mut scenarios = Vec::new();
        for id in self.deployment.scenario_ids() {
            let model = self.deployment.model_for(id).map(|m| m.id.clone());
            scenarios.push(json!({"scenario": id, "model": model, "canary": self.deployment.canary(id)?}));
        }
        Ok(json!({"models": models, "scenarios": scenarios, "by_version": self.metrics.by_version()}))
    }

    /// Apply a canary change here, keep it in the store (when there is one), audit it.
    fn change_rollout(&self, caller: &Caller, scenario: &str, set: Option<(&str, f64)>) -> Result<Option<Canary>> {
        if let Some((model, percent)) = set
            && percent > 0.0
        {
            self.check_evaluation(scenario, model)?;
        }
        let (canary, action) = match set {
            Some((model, percent)) => (Some(self.deployment.set_canary(scenario, model, percent)?), "set"),
            None => (self.deployment.rollback(scenario)?, "rollback"),
        };
        if let Some(store) = &self.store {
            let (model, percent) = match (set, &canary) {
                (Some(_), Some(c)) => (Some(c.model.clone()), c.percent),
                _ => (None, 0.0),
            };
            let new = NewRollout { scenario: scenario.to_owned(), model, percent, actor: caller.id.clone() };
            let kept = store.record_rollout(new).map_err(store_error)?;
            self.rollouts_seen.store(kept.seq, std::sync::atomic::Ordering::Release);
        }
        self.deployment.audit_log().append(json!({
            "kind": "rollout",
            "user": caller.id,
            "user_role": caller.role_name,
            "scenario": scenario,
            "action": action,
            "stable": self.deployment.model_for(scenario).map(|m| &m.id),
            "canary": canary,
        }))?;
        Ok(if action == "set" { canary } else { None })
    }

    /// With `canary_requires_evaluation`: a GO evaluation of `model` (at its version) for
    /// `scenario` is kept in the store, or 409 saying how to make one.
    pub(crate) fn check_evaluation(&self, scenario: &str, model: &str) -> Result<()> {
        let required = self.store_settings.as_ref().is_some_and(|s| s.canary_requires_evaluation);
        let (true, Some(store)) = (required, &self.store) else { return Ok(()) };
        let Some(info) = self.deployment.models().into_iter().find(|m| m.id == model) else {
            return Err(crate::Error::NotFound(format!("no model `{model}`")));
        };
        match store.passing_evaluation(scenario, model, &info.version).map_err(store_error)? {
            Some(_) => Ok(()),
            None => Err(crate::Error::Conflict(format!(
                "model `{model}` version {} has no passing evaluation for scenario `{scenario}` in the store \
                 ([store] canary_requires_evaluation); run `govai eval compare --record --candidate {model} \
                 --scenario {scenario} ...` first",
                info.version
            ))),
        }
    }

    /// Apply the rollouts kept in the store that this replica has not applied yet (at start
    /// and on each poll): the latest change of each scenario wins.
    pub(crate) fn apply_stored_rollouts(&self) -> Result<()> {
        let Some(store) = &self.store else { return Ok(()) };
        let seen = self.rollouts_seen.load(std::sync::atomic::Ordering::Acquire);
        let latest = store.latest_rollouts().map_err(store_error)?;
        let newest = latest.iter().map(|r| r.seq).max().unwrap_or(0);
        if newest <= seen {
            return Ok(());
        }
        for r in &latest {
            apply(&self.deployment, r)?;
        }
        self.rollouts_seen.fetch_max(newest, std::sync::atomic::Ordering::AcqRel);
        Ok(())
    }
}

/// A kept rollout on the deployment (a scenario or model no longer configured is skipped).
fn apply(deployment: &govai::Deployment, r: &Rollout) -> Result<()> {
    if deployment.scenario(&r.scenario).is_none() {
        return Ok(());
    }
    match &r.model {
        Some(m) if r.percent > 0.0 && deployment.models().iter().any(|info| &info.id == m) => {
            deployment.set_canary(&r.scenario, m, r.percent)?;
        }
        _ => {
            deployment.rollback(&r.scenario)?;
        }
    }
    Ok(())
}

/// `GET /v1/govai/registry`.
pub async fn registry(State(g): State<Arc<Gateway>>, Extension(caller): Extension<Caller>) -> Response {
    let result = caller.require(Permission::Models, "read the model registry").and_then(|()| g.registry());
    reply(&g, result.map(axum::Json))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CanaryBody {
    model: String,
    percent: f64,
}

/// `POST /v1/govai/rollouts/{scenario}` `{"model", "percent"}`: from the next request on.
pub async fn set_canary(
    State(g): State<Arc<Gateway>>,
    Extension(caller): Extension<Caller>,
    Path(scenario): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        caller.require(Permission::Models, "change a rollout")?;
        let body: CanaryBody = g.read_json(&headers, body).await?;
        let g2 = g.clone();
        blocking(move || {
            let canary = g2.change_rollout(&caller, &scenario, Some((&body.model, body.percent)))?;
            Ok(axum::Json(json!({"canary": canary})))
        })
        .await
    };
    reply(&g, result.await)
}

/// `POST /v1/govai/rollouts/{scenario}/rollback`: every request from the next on is served by
/// the scenario's own model.
pub async fn rollback(
    State(g): State<Arc<Gateway>>,
    Extension(caller): Extension<Caller>,
    Path(scenario): Path<String>,
) -> Response {
    let result = async {
        caller.require(Permission::Models, "change a rollout")?;
        let g2 = g.clone();
        blocking(move || {
            let stopped = g2.deployment.canary(&scenario)?;
            g2.change_rollout(&caller, &scenario, None)?;
            Ok(axum::Json(json!({"rolled_back": stopped})))
        })
        .await
    };
    reply(&g, result.await)
}

/// `GET /v1/govai/rollouts/{scenario}`: the canary and, with a store, its history.
pub async fn history(
    State(g): State<Arc<Gateway>>,
    Extension(caller): Extension<Caller>,
    Path(scenario): Path<String>,
) -> Response {
    let result = async {
        caller.require(Permission::Models, "read the model registry")?;
        let g2 = g.clone();
        blocking(move || {
            let canary = g2.deployment.canary(&scenario)?;
            let (history, evaluations) = match &g2.store {
                Some(store) => (
                    store.rollout_history(&scenario, 100).map_err(store_error)?,
                    store.evaluations(&scenario, None).map_err(store_error)?,
                ),
                None => (Vec::new(), Vec::new()),
            };
            Ok(axum::Json(
                json!({"scenario": scenario, "canary": canary, "history": history, "evaluations": evaluations}),
            ))
        })
        .await
    };
    reply(&g, result.await)
}

/// `GET /v1/govai/evaluations/{id}`: a kept pre-launch evaluation (`govai eval compare
/// --record`) with its report (the JSON of `eval compare --json`).
pub async fn evaluation(
    State(g): State<Arc<Gateway>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        caller.require(Permission::Models, "read the model registry")?;
        let store = g.store.clone().ok_or_else(|| {
            crate::error::Error::NotFound("no operations store is configured ([store] in the deployment file)".into())
        })?;
        blocking(move || {
            let report = store.evaluation_report(&id).map_err(store_error)?;
            let report: Value = serde_json::from_str(&report).unwrap_or(Value::String(report));
            Ok(axum::Json(json!({"id": id, "report": report})))
        })
        .await
    };
    reply(&g, result.await)
}
