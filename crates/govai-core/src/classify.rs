//! The `DataClassifier` trait and its findings.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::level::DataLevel;

/// One piece of sensitive content found in a text.
///
/// Offsets are Unicode scalar (character) offsets into the original text, end exclusive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Entity type name, a public contract (`cn_resident_id`, `cn_mobile`, `secrecy_marking`...).
    #[serde(rename = "type")]
    pub entity_type: String,
    /// First character of the match (character offset).
    pub start: usize,
    /// One past the last character (character offset, exclusive).
    pub end: usize,
    /// The matched text as it appears in the input.
    pub text: String,
    /// Confidence in `[0, 1]`.
    pub score: f32,
    /// `Some(true)` checksum valid, `Some(false)` failed, `None` the type has no checksum.
    pub checksum: Option<bool>,
}

/// A classifier's verdict on a text: its level, what it found, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    /// The text's data level: the highest any finding or rule implies.
    pub level: DataLevel,
    /// Everything found, sorted by position.
    pub findings: Vec<Finding>,
    /// Human-readable reasons for the level, e.g. "cn_resident_id => sensitive".
    pub reasons: Vec<String>,
}

impl Classification {
    /// Nothing found: level [`DataLevel::Public`], no findings, no reasons.
    pub fn public() -> Self {
        Self { level: DataLevel::Public, findings: Vec::new(), reasons: Vec::new() }
    }

    /// Combine two classifications of the same text: the higher level wins (就高从严),
    /// findings are merged and sorted by position.
    pub(crate) fn merge(mut self, other: Classification) -> Self {
        self.level = self.level.max(other.level);
        self.findings.extend(other.findings);
        self.findings.sort_by(|a, b| (a.start, a.end, &a.entity_type).cmp(&(b.start, b.end, &b.entity_type)));
        self.findings.dedup_by(|a, b| a.start == b.start && a.end == b.end && a.entity_type == b.entity_type);
        self.reasons.extend(other.reasons);
        self
    }
}

/// Text -> findings and a data level. Rule-based recognizers and NER models both implement it;
/// a deployment may run several and merges their results.
pub trait DataClassifier: Send + Sync {
    /// Short stable identifier of the classifier (e.g. `lac`), shown in `Debug` output.
    fn id(&self) -> &str;
    /// Classify `text`. An error fails the whole request; it never lowers the level.
    fn classify(&self, text: &str) -> Result<Classification>;
}

impl std::fmt::Debug for dyn DataClassifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataClassifier").field("id", &self.id()).finish()
    }
}
