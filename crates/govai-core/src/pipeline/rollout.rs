//! Canary rollouts: a share of one scenario's requests is served by a candidate model, the
//! rest by the scenario's own model. The choice is made when a request arrives, so the gate
//! checks the data level against the model that will answer, and the audit record names it
//! (`model`: id, version, filing number). Setting the share to a new value or rolling back
//! takes effect from the next request. Draws come from one seeded generator per deployment
//! (SplitMix64), so a test with a fixed seed routes the same requests every run.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use serde::Serialize;

use super::{Bound, Deployment};
use crate::error::{Error, Result};
use crate::model::{Model, ModelInfo, ModelKind};

/// Parts per million a share is kept in (100 % = 1,000,000).
const MILLION: u32 = 1_000_000;

/// A scenario's canary as callers see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Canary {
    /// The scenario.
    pub scenario: String,
    /// The model that serves the rest (the scenario's own).
    pub stable: String,
    /// The candidate model's id.
    pub model: String,
    /// Its version.
    pub version: String,
    /// Share of requests it serves, in percent (0-100, to 0.0001).
    pub percent: f64,
}

/// A canary: the candidate model and its share in parts per million.
type Share = (Arc<dyn Model>, u32);

/// The canaries of a deployment and the generator that routes requests.
pub(super) struct Rollouts {
    /// Every registered model, by id: the candidates.
    models: BTreeMap<String, Arc<dyn Model>>,
    /// Scenario id -> (candidate, share in parts per million).
    canaries: RwLock<BTreeMap<String, Share>>,
    /// SplitMix64 state.
    state: Mutex<u64>,
}

impl Rollouts {
    pub(super) fn new(models: BTreeMap<String, Arc<dyn Model>>, seed: u64) -> Self {
        Self { models, canaries: RwLock::default(), state: Mutex::new(seed) }
    }

    /// The candidate for this request, when the scenario has a canary and the draw picks it.
    fn pick(&self, scenario: &str) -> Option<Arc<dyn Model>> {
        let (model, share) = self.canaries.read().unwrap_or_else(PoisonError::into_inner).get(scenario).cloned()?;
        (self.draw() < share).then_some(model)
    }

    /// A uniform draw in `0..MILLION`.
    fn draw(&self) -> u32 {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        // The high 32 bits scaled to a million: uniform to within 2^-12.
        u32::try_from(((z >> 32) * u64::from(MILLION)) >> 32).unwrap_or(0)
    }
}

/// A share in percent as parts per million; an error names the limit.
fn per_million(percent: f64) -> Result<u32> {
    if !(0.0..=100.0).contains(&percent) || percent.is_nan() {
        return Err(Error::InvalidInput(format!("canary percent {percent}: must be between 0 and 100")));
    }
    Ok((percent * 10_000.0).round() as u32)
}

impl Deployment {
    /// The models registered with the deployment (the model registry): every scenario's model
    /// and every candidate a canary may use.
    pub fn models(&self) -> Vec<&ModelInfo> {
        self.rollouts.models.values().map(|m| m.info()).collect()
    }

    /// Route `percent` of `scenario`'s requests to the registered model `model_id` from the
    /// next request on. The candidate must differ from the scenario's model and meet the same
    /// filing rule; the gate checks its clearance on each request it serves.
    pub fn set_canary(&self, scenario: &str, model_id: &str, percent: f64) -> Result<Canary> {
        let bound = self.bound(scenario)?;
        let share = per_million(percent)?;
        let model = self
            .rollouts
            .models
            .get(model_id)
            .cloned()
            .ok_or_else(|| Error::NotFound { what: "model", id: model_id.to_owned() })?;
        let spec = bound.scenario.spec();
        if model.info().id == bound.model.info().id {
            return Err(Error::InvalidInput(format!("model `{model_id}` already serves scenario `{scenario}`")));
        }
        if spec.requires_filed_model
            && model.info().kind == ModelKind::Generate
            && model.info().filing.number.trim().is_empty()
        {
            return Err(Error::InvalidInput(format!(
                "scenario `{scenario}` needs a model filed with the CAC; model `{model_id}` has no filing number"
            )));
        }
        self.rollouts
            .canaries
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(scenario.to_owned(), (model, share));
        self.canary(scenario)?.ok_or_else(|| Error::Internal("canary vanished while being set".into()))
    }

    /// Stop the canary of `scenario` at once: every request from the next on is served by the
    /// scenario's own model. Returns the canary that was stopped.
    pub fn rollback(&self, scenario: &str) -> Result<Option<Canary>> {
        let before = self.canary(scenario)?;
        self.rollouts.canaries.write().unwrap_or_else(PoisonError::into_inner).remove(scenario);
        Ok(before)
    }

    /// The canary of `scenario`, if any.
    pub fn canary(&self, scenario: &str) -> Result<Option<Canary>> {
        let bound = self.bound(scenario)?;
        let canaries = self.rollouts.canaries.read().unwrap_or_else(PoisonError::into_inner);
        Ok(canaries.get(scenario).map(|(m, share)| Canary {
            scenario: scenario.to_owned(),
            stable: bound.model.info().id.clone(),
            model: m.info().id.clone(),
            version: m.info().version.clone(),
            percent: f64::from(*share) / 10_000.0,
        }))
    }

    /// The scenario's binding, or NotFound.
    pub(super) fn bound(&self, scenario: &str) -> Result<&Bound> {
        self.scenarios.get(scenario).ok_or_else(|| Error::NotFound { what: "scenario", id: scenario.to_owned() })
    }

    /// The binding this request is served with: the scenario's, or a copy naming the canary
    /// model when the draw picks it.
    pub(super) fn route(&self, bound: &Bound) -> Option<Bound> {
        let model = self.rollouts.pick(&bound.scenario.spec().id)?;
        Some(Bound { model, ..bound.clone() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_uniform_and_repeatable() {
        let r = Rollouts::new(BTreeMap::new(), 42);
        let draws: Vec<u32> = (0..100_000).map(|_| r.draw()).collect();
        assert!(draws.iter().all(|&d| d < MILLION));
        let below_tenth = draws.iter().filter(|&&d| d < MILLION / 10).count();
        // Binomial(100000, 0.1): sd ~ 95; 5 sd either side.
        assert!((9_525..=10_475).contains(&below_tenth), "{below_tenth}");
        let again = Rollouts::new(BTreeMap::new(), 42);
        assert!(draws[..100].iter().all(|&d| d == again.draw()));
    }

    #[test]
    fn percent_is_bounded() {
        assert_eq!(per_million(10.0).unwrap(), 100_000);
        assert_eq!(per_million(0.0001).unwrap(), 1);
        for bad in [-1.0, 100.5, f64::NAN] {
            assert!(per_million(bad).unwrap_err().to_string().contains("between 0 and 100"));
        }
    }
}
