//! The policy gate: may data of a given level reach a given model in a given scenario?

use serde::{Deserialize, Serialize};

use crate::level::{DataLevel, Location};
use crate::model::ModelInfo;
use crate::scenario::ScenarioSpec;

/// What to do when the input's level exceeds what the model may receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum OverClearance {
    /// Refuse the request.
    Refuse,
    /// Pseudonymise the findings, re-classify, and send only if the result is within clearance.
    #[default]
    Mask,
}

/// When to pseudonymise findings before inference (placeholders are restored afterwards).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Pseudonymize {
    /// Always (data minimisation: the model never needs a citizen's ID number to answer).
    #[default]
    Always,
    /// Only when the gate masks down.
    OverClearance,
}

/// The highest level each location may receive, whatever a model's own clearance says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LocationCaps {
    /// Cap for models on the department's own machines (default `core`).
    pub on_premises: DataLevel,
    /// Cap for government-cloud / extranet services (default `sensitive`).
    pub government_cloud: DataLevel,
    /// Cap for public-internet services (default `public`).
    pub public_internet: DataLevel,
}

impl Default for LocationCaps {
    /// Defaults follow regulations.md §3: work secrets, important and core data stay on the
    /// department's own machines; personal data may go to an extranet/cloud filed model once
    /// masked; only public data goes to internet models.
    fn default() -> Self {
        Self {
            on_premises: DataLevel::Core,
            government_cloud: DataLevel::Sensitive,
            public_internet: DataLevel::Public,
        }
    }
}

impl LocationCaps {
    /// The cap for `location`.
    pub fn cap(&self, location: Location) -> DataLevel {
        match location {
            Location::OnPremises => self.on_premises,
            Location::GovernmentCloud => self.government_cloud,
            Location::PublicInternet => self.public_internet,
        }
    }
}

/// Deployment-wide policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    /// What to do when the input exceeds the limit: refuse, or mask and re-check (default).
    pub over_clearance: OverClearance,
    /// When findings are pseudonymised before inference.
    pub pseudonymize: Pseudonymize,
    /// The highest level each model location may receive.
    pub location_caps: LocationCaps,
    /// Shown instead of an answer when a request or an answer is refused.
    pub refusal_message: String,
    /// Shown instead of an answer when a human must take over.
    pub escalation_message: String,
    /// Shown when a request is outside what the scenario serves (outcome `redirected`);
    /// `{scenario}` is replaced by the scenario's Chinese name.
    pub redirect_message: String,
    /// Finding types that are never pseudonymised: words that name a sensitive *topic*
    /// (PIPL categories such as 确诊, 公积金) rather than identify a person. Masking them would
    /// only stop the model from understanding the question; they still count for the level.
    pub unmasked_types: Vec<String>,
    /// Streaming: characters held back at the end of a streamed answer until more arrives
    /// (see `govai_core::stream`); at least the longest lexicon term as written.
    pub stream_holdback_chars: usize,
    /// Caller roles ([`crate::Request::user_role`]) whose system turns reach the model. System
    /// turns from any other caller are dropped (and the drop recorded): a client must not be
    /// able to replace the scenario's instructions. Empty by default.
    pub system_message_roles: Vec<String>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            over_clearance: OverClearance::default(),
            pseudonymize: Pseudonymize::default(),
            location_caps: LocationCaps::default(),
            refusal_message: "抱歉，该问题暂不能由智能助手回答，请通过人工渠道咨询。".to_owned(),
            escalation_message: "您的问题已转人工坐席处理，工作人员将尽快答复。".to_owned(),
            redirect_message: "抱歉，这个问题不在「{scenario}」的服务范围内，我只能解答政务服务和政策方面的问题。其他问题请通过相应渠道咨询，如需政务帮助可拨打12345政务服务便民热线。".to_owned(),
            unmasked_types: ["health", "religion", "biometric", "financial_account", "whereabouts", "minor"]
                .map(str::to_owned)
                .to_vec(),
            stream_holdback_chars: 32,
            system_message_roles: Vec::new(),
        }
    }
}

/// What the gate decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GateAction {
    /// Send the text as it is (pseudonymised anyway under [`Pseudonymize::Always`]).
    Allow,
    /// Send a pseudonymised text (if re-classification confirms it is within the limit).
    Mask,
    /// Send nothing; the caller gets the refusal message.
    Refuse,
}

/// Which rule produced a decision: stable codes, recorded in the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GateRule {
    /// The input's level is within the limit.
    WithinLimit,
    /// The input is secret (涉密): never sent, whatever the limits.
    SecretNeverSent,
    /// The scenario's ceiling is the binding limit and the input exceeds it.
    OverScenarioCeiling,
    /// The model's clearance is the binding limit and the input exceeds it.
    OverModelClearance,
    /// The cap of the model's location is the binding limit and the input exceeds it.
    OverLocationCap,
    /// Masking was tried, but the re-classified text still exceeds the limit.
    MaskInsufficient,
}

/// What the gate decided for one input, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateDecision {
    /// What to do with the input.
    pub action: GateAction,
    /// The rule that decided.
    pub rule: GateRule,
    /// The level of the input as classified.
    pub input_level: DataLevel,
    /// The highest level this model may receive in this scenario.
    pub limit: DataLevel,
    /// Human-readable explanation (English), naming the levels and the binding limit.
    pub reason: String,
}

/// The effective limit and which constraint binds it.
pub fn limit_for(policy: &Policy, scenario: &ScenarioSpec, model: &ModelInfo) -> (DataLevel, GateRule) {
    let candidates = [
        (scenario.ceiling, GateRule::OverScenarioCeiling),
        (model.clearance, GateRule::OverModelClearance),
        (policy.location_caps.cap(model.location), GateRule::OverLocationCap),
    ];
    // Secret is never a valid limit, whatever the config says.
    let (level, rule) = candidates.into_iter().min_by_key(|(l, _)| *l).unwrap_or(candidates[0]);
    (level.min(DataLevel::Core), rule)
}

/// Decide what to do with input of `level`.
pub(crate) fn decide(policy: &Policy, scenario: &ScenarioSpec, model: &ModelInfo, level: DataLevel) -> GateDecision {
    let (limit, binding_rule) = limit_for(policy, scenario, model);
    if level == DataLevel::Secret {
        return GateDecision {
            action: GateAction::Refuse,
            rule: GateRule::SecretNeverSent,
            input_level: level,
            limit,
            reason: "input carries a secrecy marking or secret content; secret data never reaches a model (涉密不上网)"
                .to_owned(),
        };
    }
    if level <= limit {
        return GateDecision {
            action: GateAction::Allow,
            rule: GateRule::WithinLimit,
            input_level: level,
            limit,
            reason: format!("{level} within limit {limit} of model `{}`", model.id),
        };
    }
    let what = match binding_rule {
        GateRule::OverScenarioCeiling => {
            format!("scenario `{}` ceiling {}", scenario.id, scenario.ceiling)
        }
        GateRule::OverLocationCap => {
            format!("{} cap {limit} for model `{}`", model.location, model.id)
        }
        _ => format!("clearance {} of model `{}`", model.clearance, model.id),
    };
    let action = match policy.over_clearance {
        OverClearance::Refuse => GateAction::Refuse,
        OverClearance::Mask => GateAction::Mask,
    };
    let verb = if action == GateAction::Mask { "masking down" } else { "refused" };
    GateDecision {
        action,
        rule: binding_rule,
        input_level: level,
        limit,
        reason: format!("{level} exceeds {what}; {verb}"),
    }
}

/// The decision after masking did not bring the level within the limit.
pub(crate) fn mask_insufficient(first: &GateDecision, level_after: DataLevel) -> GateDecision {
    GateDecision {
        action: GateAction::Refuse,
        rule: if level_after == DataLevel::Secret { GateRule::SecretNeverSent } else { GateRule::MaskInsufficient },
        input_level: first.input_level,
        limit: first.limit,
        reason: format!("after masking the text is still {level_after}, above limit {}; refused", first.limit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Filing, ModelKind};
    use crate::scenario::builtin;

    fn model(clearance: DataLevel, location: Location) -> ModelInfo {
        ModelInfo {
            id: "m".into(),
            version: "1".into(),
            kind: ModelKind::Generate,
            clearance,
            location,
            filing: Filing::default(),
        }
    }

    #[test]
    fn secret_always_refused_even_with_secret_clearance() {
        let p = Policy::default();
        let s = builtin("policy_evaluation").unwrap();
        let d = decide(&p, &s, &model(DataLevel::Secret, Location::OnPremises), DataLevel::Secret);
        assert_eq!(d.action, GateAction::Refuse);
        assert_eq!(d.rule, GateRule::SecretNeverSent);
        assert_eq!(limit_for(&p, &s, &model(DataLevel::Secret, Location::OnPremises)).0, DataLevel::Important);
    }

    #[test]
    fn limit_is_minimum_of_ceiling_clearance_and_location() {
        let p = Policy::default();
        let s = builtin("policy_evaluation").unwrap(); // ceiling important
        assert_eq!(
            limit_for(&p, &s, &model(DataLevel::Core, Location::OnPremises)),
            (DataLevel::Important, GateRule::OverScenarioCeiling)
        );
        assert_eq!(
            limit_for(&p, &s, &model(DataLevel::Internal, Location::OnPremises)),
            (DataLevel::Internal, GateRule::OverModelClearance)
        );
        assert_eq!(
            limit_for(&p, &s, &model(DataLevel::Core, Location::PublicInternet)),
            (DataLevel::Public, GateRule::OverLocationCap)
        );
    }

    #[test]
    fn over_clearance_action_is_configurable() {
        let s = builtin("intelligent_qa").unwrap();
        let m = model(DataLevel::Internal, Location::OnPremises);
        let mut p = Policy::default();
        assert_eq!(decide(&p, &s, &m, DataLevel::Sensitive).action, GateAction::Mask);
        p.over_clearance = OverClearance::Refuse;
        let d = decide(&p, &s, &m, DataLevel::Sensitive);
        assert_eq!(d.action, GateAction::Refuse);
        assert!(d.reason.contains("clearance internal"), "{}", d.reason);
        assert_eq!(decide(&p, &s, &m, DataLevel::Internal).action, GateAction::Allow);
    }
}
