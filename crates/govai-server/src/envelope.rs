//! What a caller gets back besides the text: the `govai` object of every chat response (audit
//! id and hash, outcome, verdict, data level, findings, citations, AI-content label, whether a
//! human must sign off...), and personal data masked again for roles that may not see it.

use std::sync::Arc;

use govai::server_config::PersonalData;
use govai::{Deployment, Response};
use serde_json::{Value, json};

use crate::error::Result;

/// Re-masks personal data in text released to a role that may not see it restored. The model
/// saw placeholders; the pipeline restores them for review; this puts masks back
/// (`110***********1234`) for callers whose role says `personal_data = "masked"`. Topic types
/// the policy never masks (health, religion...) stay as they are, as at the gate.
#[derive(Clone)]
pub struct Redactor {
    deployment: Arc<Deployment>,
    operator: govai::recognize::operators::Operator,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor").finish_non_exhaustive()
    }
}

impl Redactor {
    /// A redactor using the deployment's classifiers and the `mask` operator.
    pub fn new(deployment: Arc<Deployment>) -> Result<Self> {
        let operator = govai::operator_from_spec("mask", None, None)?;
        Ok(Self { deployment, operator })
    }

    /// `text` with personal data masked (as is for roles that see it restored).
    pub fn apply(&self, text: &str, mode: PersonalData) -> Result<String> {
        if mode == PersonalData::Restored || text.is_empty() {
            return Ok(text.to_owned());
        }
        let unmasked = &self.deployment.policy().unmasked_types;
        let mut findings = self.deployment.classify(text)?.findings;
        findings.retain(|f| !unmasked.contains(&f.entity_type));
        Ok(govai::recognize::operators::apply(text, &findings, &self.operator))
    }
}

/// The `govai` object of a chat response. `mode` says whether personal data in finding
/// messages is masked.
pub fn govai_object(r: &Response, mode: PersonalData, redactor: &Redactor) -> Result<Value> {
    let mut findings = Vec::with_capacity(r.findings.len());
    for f in &r.findings {
        findings.push(json!({
            "reviewer": f.reviewer,
            "code": f.code,
            "verdict": f.verdict,
            "message": redactor.apply(&f.message, mode)?,
        }));
    }
    let escalation = match &r.escalation {
        Some(e) => {
            let reasons: Result<Vec<String>> = e.reasons.iter().map(|m| redactor.apply(m, mode)).collect();
            json!({"reasons": reasons?})
        }
        None => Value::Null,
    };
    let citations: Vec<Value> =
        r.sources.iter().map(|s| json!({"index": s.index, "id": s.id, "title": s.title, "url": s.url})).collect();
    Ok(json!({
        "audit_id": r.audit_id,
        "audit_hash": r.audit_hash,
        "request_id": r.request_id,
        "scenario": r.scenario,
        "outcome": r.outcome,
        "verdict": r.verdict,
        "data_level": r.data_level,
        "gate": {"action": r.gate.action, "reason": r.gate.reason},
        "findings": findings,
        "input_decision": r.input_decision,
        "escalation": escalation,
        "citations": citations,
        "label": r.label,
        "reference_answer": r.reference_answer,
        "reference_notice": r.label.as_ref().filter(|_| r.reference_answer).map(|l| &l.explicit),
        "human_signoff_required": r.human_signoff_required,
        "conversation_id": r.conversation_id,
        "model": r.model,
        "served_by": r.served_by,
        "kb_version": r.kb_version,
        "dropped_system_messages": r.dropped_system_messages,
        "personal_data": mode,
    }))
}
