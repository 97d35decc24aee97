//! The result of a check: a stable JSON shape (documented in the crate README), and the audit
//! record written for it.

use chrono::NaiveDate;
use govai_core::{DataLevel, GateDecision};
use serde::{Deserialize, Serialize};

use crate::checklist::FieldKind;
use crate::fields::FieldStatus;

/// The statement every result carries: the check prepares a clerk's review and decides nothing.
pub const NOTICE: &str = "本结果由系统比对申请材料自动生成，仅供窗口工作人员审核参考，不构成受理、不予受理或审批决定。";

/// Who decides: always the clerk. The check never approves or rejects anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// A clerk reviews the materials and decides.
    #[default]
    Clerk,
}

/// Whether the check ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckOutcome {
    /// The materials were checked against the checklist.
    Checked,
    /// The gate refused: the submission's data level is above the scenario's ceiling (or it is
    /// secret). Nothing but the level and entity types is reported.
    Refused,
}

/// What became of one material.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaterialStatus {
    /// Its pages were found and every required field was found and passes its checks.
    Present,
    /// No page of it was found.
    Missing,
    /// Found, but a required field was recognised with low confidence or could not be read as
    /// its kind: a clerk must look at the original.
    Unreadable,
    /// Found and legible, but a field fails its check (ID check character, expired validity).
    Invalid,
    /// Found, but a required field is not on it (e.g. an unsigned form).
    Incomplete,
    /// Missing, but an alternative of its `one_of` group is present.
    NotNeeded,
}

impl MaterialStatus {
    /// Stable snake_case name (also the serde form).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Present => "present",
            Self::Missing => "missing",
            Self::Unreadable => "unreadable",
            Self::Invalid => "invalid",
            Self::Incomplete => "incomplete",
            Self::NotNeeded => "not_needed",
        }
    }
}

/// The checklist a result refers to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistRef {
    /// The checklist's id.
    pub id: String,
    /// Its version.
    pub version: String,
    /// The procedure's name.
    pub name: String,
}

/// One field of a material.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldResult {
    /// The field's name.
    pub name: String,
    /// Its kind.
    pub kind: FieldKind,
    /// Whether the checklist requires it.
    pub required: bool,
    /// What became of it.
    pub status: FieldStatus,
    /// The value as read, with personal data masked (`〔身份证号1〕`); absent when missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// 1-based page of the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<usize>,
    /// 1-based line of the value on its page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The date read, for `date` fields (the date) and `validity` fields (the end date; absent
    /// for 长期), as `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// The recogniser's confidence in the value's line(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    /// Why (e.g. `校验位不符`, `已于2026-03-01到期`); never personal data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// One material of the checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MaterialResult {
    /// The material's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Whether the checklist requires it.
    pub required: bool,
    /// Its `one_of` group, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_of: Option<String>,
    /// What became of it.
    pub status: MaterialStatus,
    /// 1-based pages recognised as this material.
    pub pages: Vec<usize>,
    /// Its fields, in checklist order.
    pub fields: Vec<FieldResult>,
}

/// One piece of personal data found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonalFinding {
    /// The entity type (govai-classify's names: `cn_resident_id`, `person`, `address`...).
    #[serde(rename = "type")]
    pub entity_type: String,
    /// Its placeholder in the masked lines (`〔身份证号1〕`); absent for types the policy never
    /// masks (topic words such as 确诊).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    /// 1-based page.
    pub page: usize,
    /// 1-based line on the page.
    pub line: usize,
    /// Confidence of the recognizer in `[0, 1]`.
    pub score: f32,
    /// `Some(true)` checksum valid, `Some(false)` failed, `None` no checksum.
    pub checksum: Option<bool>,
}

/// The personal data on all pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonalData {
    /// The data level of the whole submission (the highest of every line, every field value and
    /// all the text together).
    pub level: DataLevel,
    /// Entity types found, sorted, each once.
    pub entity_types: Vec<String>,
    /// Every finding, page and line order (at most `govai_core::MAX_FINDINGS`).
    pub findings: Vec<PersonalFinding>,
    /// Findings beyond `MAX_FINDINGS`, counted but not listed.
    pub findings_dropped: usize,
}

/// One line of a page, masked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MaskedLine {
    /// The recognised text with personal data replaced by placeholders.
    pub text: String,
    /// The recogniser's confidence.
    pub confidence: f32,
}

/// One page, masked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageResult {
    /// 1-based page number.
    pub page: usize,
    /// The file name, with personal data masked.
    pub file: String,
    /// SHA-256 of the image file, as the caller gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_sha256: Option<String>,
    /// SHA-256 of the page's recognised text (the lines joined by `\n`).
    pub text_sha256: String,
    /// Ids of the materials this page was recognised as.
    pub materials: Vec<String>,
    /// The lines, masked.
    pub lines: Vec<MaskedLine>,
}

/// The result of checking a submission against a checklist: what a clerk reviews.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentCheck {
    /// The check's id (the submission's `request_id`, or a new UUID); the audit record's
    /// `request_id`.
    pub request_id: String,
    /// The scenario.
    pub scenario: String,
    /// The checklist.
    pub checklist: ChecklistRef,
    /// The date validity periods were judged on.
    pub as_of: NaiveDate,
    /// Whether the check ran or the gate refused.
    pub outcome: CheckOutcome,
    /// Always `clerk`: this prepares a clerk's review and decides nothing.
    pub decision: Decision,
    /// [`NOTICE`], to show with the result.
    pub notice: String,
    /// Every required material (or an alternative of its group) is `present`. Not an approval.
    pub complete: bool,
    /// What the clerk should look at, in Chinese, one line each; never personal data.
    pub issues: Vec<String>,
    /// The gate's decision on the submission's data level against the scenario's ceiling.
    pub gate: GateDecision,
    /// The submission's data level.
    pub data_level: DataLevel,
    /// Per material, in checklist order (empty when refused).
    pub materials: Vec<MaterialResult>,
    /// The personal data found (findings empty when refused).
    pub personal_data: PersonalData,
    /// The pages, masked (empty when refused).
    pub pages: Vec<PageResult>,
    /// `seq` of the audit record.
    pub audit_id: u64,
    /// `hash` of the audit record.
    pub audit_hash: String,
}
