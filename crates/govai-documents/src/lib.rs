//! govai-documents: check an applicant's scanned materials against a scenario's checklist
//! (辅助办理: 材料预审), to prepare a clerk's review.
//!
//! The input is a [`Submission`]: pages of recognised text lines (what an OCR engine returns:
//! text, confidence, optional box, in reading order) with their file names. The
//! [`Checklist`] (defined per scenario in the deployment TOML) names the materials required,
//! the words that recognise each on a page, and the fields each must carry. [`check`] finds
//! every material and field, validates ID numbers (govai-classify's GB 11643 check), dates and
//! validity periods, classifies all the personal data with the deployment's classifiers and
//! masks it with govai-core's placeholders, gates the submission's level against the
//! scenario's ceiling, and writes a `document_check` record to the hash-chained audit log
//! (hashes and statuses only).
//!
//! The result ([`DocumentCheck`]) says per material `present`, `missing`, `unreadable`,
//! `invalid`, `incomplete` or `not_needed`, per field `found`, `missing`, `low_confidence`,
//! `unparseable`, `invalid` or `expired` with its page and line, and always
//! `decision: "clerk"`: it prepares a review and decides nothing.

#![warn(missing_docs)]

pub mod checklist;
mod evaluate;
mod fields;
pub mod ocr;
pub mod report;
pub mod submission;

use std::time::Instant;

use chrono::{NaiveDate, Utc};
use govai_core::{DataLevel, Deployment, Error, GateAction, GateDecision, GateRule, OverClearance, Result};
use serde_json::{Value, json};

pub use checklist::{Checklist, FieldKind, FieldSpec, MaterialSpec};
pub use evaluate::{Classify, Evaluation, evaluate};
pub use fields::FieldStatus;
pub use report::{
    CheckOutcome, ChecklistRef, Decision, DocumentCheck, FieldResult, MaskedLine, MaterialResult, MaterialStatus,
    NOTICE, PageResult, PersonalData, PersonalFinding,
};
pub use submission::{Line, Page, Submission};

/// The `kind` of the audit record a check writes.
pub const AUDIT_KIND: &str = "document_check";

/// Today in China Standard Time (UTC+8), the default date validity periods are judged on.
pub fn today_cst() -> NaiveDate {
    (Utc::now() + chrono::TimeDelta::hours(8)).date_naive()
}

/// The gate for a submission, by the rules of the text pipeline with the scenario's ceiling
/// as the one limit (no model receives the pages): secret data is refused (涉密不上网); data
/// above the ceiling is refused, or with `[policy] over_clearance = "mask"` (the default)
/// marked `mask`: the result is then shown only if its masked text re-classifies within the
/// ceiling ([`mask_insufficient`] otherwise).
pub fn gate(scenario_id: &str, ceiling: DataLevel, level: DataLevel, over: OverClearance) -> GateDecision {
    let limit = ceiling.min(DataLevel::Core);
    let decision = |action, rule, reason: String| GateDecision { action, rule, input_level: level, limit, reason };
    if level == DataLevel::Secret {
        return decision(
            GateAction::Refuse,
            GateRule::SecretNeverSent,
            "submission carries a secrecy marking or secret content; not processed (涉密不上网)".to_owned(),
        );
    }
    if level <= limit {
        let reason = format!("{level} within ceiling {limit} of scenario `{scenario_id}`");
        return decision(GateAction::Allow, GateRule::WithinLimit, reason);
    }
    let (action, verb) = match over {
        OverClearance::Refuse => (GateAction::Refuse, "refused"),
        OverClearance::Mask => (GateAction::Mask, "masking down"),
    };
    let reason = format!("{level} exceeds scenario `{scenario_id}` ceiling {limit}; {verb}");
    decision(action, GateRule::OverScenarioCeiling, reason)
}

/// The decision when the masked result is still above the ceiling.
pub fn mask_insufficient(first: &GateDecision, level_after: DataLevel) -> GateDecision {
    GateDecision {
        action: GateAction::Refuse,
        rule: if level_after == DataLevel::Secret { GateRule::SecretNeverSent } else { GateRule::MaskInsufficient },
        input_level: first.input_level,
        limit: first.limit,
        reason: format!("after masking the result is still {level_after}, above limit {}; refused", first.limit),
    }
}

/// The level of what a check shows: its masked lines, file names and field values.
fn shown_level(deployment: &Deployment, e: &Evaluation) -> Result<DataLevel> {
    let mut text: Vec<&str> = Vec::new();
    for p in &e.pages {
        text.push(&p.file);
        text.extend(p.lines.iter().map(|l| l.text.as_str()));
    }
    for m in &e.materials {
        text.extend(m.fields.iter().filter_map(|f| f.value.as_deref()));
    }
    Ok(deployment.classify(&text.join("\n"))?.level)
}

/// Check `submission` against `checklist` in `scenario` of `deployment`: classify with the
/// deployment's classifiers, gate against the scenario's ceiling, evaluate, and audit.
///
/// Errors: [`Error::NotFound`] when the scenario is not enabled; [`Error::InvalidInput`] when
/// the checklist belongs to another scenario or the submission is malformed (see
/// [`Submission::validate`]); classification and audit errors. A refusal by the gate is a
/// result (`outcome: "refused"`), not an error, and is audited like any other check.
pub fn check(
    deployment: &Deployment,
    scenario: &str,
    checklist: &Checklist,
    submission: &Submission,
) -> Result<DocumentCheck> {
    let started = Instant::now();
    let spec = deployment
        .scenario(scenario)
        .ok_or_else(|| Error::NotFound { what: "scenario", id: scenario.to_owned() })?
        .spec()
        .clone();
    if checklist.scenario != spec.id {
        return Err(Error::InvalidInput(format!(
            "checklist `{}` belongs to scenario `{}`, not `{}`",
            checklist.id, checklist.scenario, spec.id
        )));
    }
    submission.validate()?;
    let as_of = submission.as_of.unwrap_or_else(today_cst);
    let classify = |t: &str| deployment.classify(t);
    let unmasked = &deployment.policy().unmasked_types;
    let evaluation = evaluate(checklist, submission, as_of, &classify, unmasked)?;
    let level = evaluation.personal_data.level;
    let mut gate = gate(&spec.id, spec.ceiling, level, deployment.policy().over_clearance);
    if gate.action == GateAction::Mask {
        let after = shown_level(deployment, &evaluation)?;
        if after > gate.limit {
            gate = mask_insufficient(&gate, after);
        }
    }
    let request_id = submission.request_id.clone().unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let mut result = DocumentCheck {
        request_id,
        scenario: spec.id.clone(),
        checklist: ChecklistRef {
            id: checklist.id.clone(),
            version: checklist.version.clone(),
            name: checklist.name.clone(),
        },
        as_of,
        outcome: CheckOutcome::Checked,
        decision: Decision::Clerk,
        notice: NOTICE.to_owned(),
        complete: evaluation.complete,
        issues: evaluation.issues,
        gate,
        data_level: level,
        materials: evaluation.materials,
        personal_data: evaluation.personal_data,
        pages: evaluation.pages,
        audit_id: 0,
        audit_hash: String::new(),
    };
    if result.gate.action == GateAction::Refuse {
        result.outcome = CheckOutcome::Refused;
        result.complete = false;
        result.issues = vec![format!("材料含{}数据，超出本场景可处理的范围，请人工办理", level.name_zh())];
        result.materials.clear();
        result.pages.clear();
        result.personal_data.findings.clear();
        result.personal_data.findings_dropped = 0;
    }
    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    let receipt = deployment.audit_log().append(audit_event(deployment.name(), submission, &result, micros))?;
    result.audit_id = receipt.seq;
    result.audit_hash = receipt.hash;
    Ok(result)
}

/// The audit record of a check: who, scenario, checklist id and version, the files (SHA-256
/// of the image when the caller gave it, and of the recognised text), level, entity types,
/// gate, statuses per material and field, outcome. Never a value, a line or a file name (not
/// even hashed: `王小明-身份证.jpg` is guessed from a list of names).
pub fn audit_event(deployment: &str, submission: &Submission, result: &DocumentCheck, total_us: u64) -> Value {
    let files: Vec<Value> = submission
        .pages
        .iter()
        .zip(1..)
        .map(|(p, n)| {
            let text: Vec<&str> = p.lines.iter().map(|l| l.text.as_str()).collect();
            json!({
                "page": n,
                "file_sha256": p.file_sha256,
                "text_sha256": evaluate::sha256_hex(&text.join("\n")),
                "lines": p.lines.len(),
            })
        })
        .collect();
    let materials: Vec<Value> = result
        .materials
        .iter()
        .map(|m| {
            json!({
                "id": m.id,
                "status": m.status,
                "pages": m.pages,
                "fields": m.fields.iter().map(|f| json!({"name": f.name, "status": f.status})).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "kind": AUDIT_KIND,
        "deployment": deployment,
        "request_id": result.request_id,
        "user": submission.user,
        "scenario": result.scenario,
        "checklist_id": result.checklist.id,
        "checklist_version": result.checklist.version,
        "as_of": result.as_of.to_string(),
        "data_level": result.data_level,
        "input_finding_types": result.personal_data.entity_types,
        "gate": result.gate,
        "human_signoff_required": true,
        "decision": result.decision,
        "outcome": result.outcome,
        "complete": result.complete,
        "files": files,
        "materials": materials,
        "timings_us": {"total": total_us},
    })
}
