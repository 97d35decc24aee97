//! `backend = "openai"`: a remote model ([`govai_openai::OpenAiModel`]) with its fallbacks,
//! which are models defined earlier in the file.
//!
//! A fallback answers with the data the gate let through to the remote model, so each must be
//! allowed at least as much: its clearance, capped by the policy for its location, may not be
//! below the remote model's. This is checked when loading, not left to chance at run time.

use std::sync::Arc;

use govai_core::policy::Policy;
use govai_core::{DataLevel, Error, Model, ModelInfo, ModelKind, Result};
use govai_openai::OpenAiModel;

use crate::config::OpenAiEntry;

/// The highest level `info` may receive under `policy`, whatever the scenario.
fn allowed(policy: &Policy, info: &ModelInfo) -> DataLevel {
    info.clearance.min(policy.location_caps.cap(info.location))
}

/// Build the remote model of entry `index`; `built` holds the models defined before it.
pub(crate) fn build(
    e: &OpenAiEntry,
    info: ModelInfo,
    built: &[Arc<dyn Model>],
    policy: &Policy,
    file: &str,
    index: usize,
) -> Result<Arc<OpenAiModel>> {
    let key = |k: &str| format!("models[{index}].{k}");
    let mut fallbacks: Vec<Arc<dyn Model>> = Vec::new();
    for (j, id) in e.fallback.iter().enumerate() {
        let at = key(&format!("fallback[{j}]"));
        if *id == info.id {
            return Err(Error::config(file, at, format!("`{id}` is this model itself")));
        }
        if fallbacks.iter().any(|m| m.info().id == *id) {
            return Err(Error::config(file, at, format!("`{id}` is listed twice")));
        }
        let Some(m) = built.iter().find(|m| m.info().id == *id) else {
            return Err(Error::config(
                file,
                at,
                format!("unknown model `{id}` (a fallback must be defined before the model that falls back to it)"),
            ));
        };
        let f = m.info();
        if !matches!(f.kind, ModelKind::Generate | ModelKind::Retrieve) {
            return Err(Error::config(
                file,
                at,
                format!("`{id}` does not answer questions (it is a {:?} model)", f.kind),
            ));
        }
        let (mine, theirs) = (allowed(policy, &info), allowed(policy, f));
        if theirs < mine {
            return Err(Error::config(
                file,
                at,
                format!(
                    "`{id}` may receive at most {theirs} (clearance {}, {} cap {}) but `{}` may receive {mine}: \
                     data the gate lets through to `{}` would reach `{id}`",
                    f.clearance,
                    f.location,
                    policy.location_caps.cap(f.location),
                    info.id,
                    info.id
                ),
            ));
        }
        fallbacks.push(m.clone());
    }
    let model = OpenAiModel::new(info, e.options()).map_err(|err| match err {
        govai_openai::Error::Config { key: k, reason } => Error::config(file, key(k), reason),
        other => Error::config(file, key("backend"), other.to_string()),
    })?;
    Ok(Arc::new(model.with_fallbacks(fallbacks)))
}
