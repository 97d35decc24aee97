//! The PII-leak reviewer: an answer may not contain personal data that is absent from the
//! request and the authorised sources.
//!
//! The output is classified with the deployment's [`DataClassifier`]. Each personal-data finding
//! is compared, in normalised form (NFKC, whitespace and hyphens removed, upper case; a `+86` /
//! `0086` prefix of a mobile number dropped), with the request, the source passages (title and
//! text) and the attached documents: first as a substring of their normalised text, then against
//! the normalised findings the classifier reports in them. A value found nowhere is a leak
//! (`pii_leak`, Block). A secrecy marking in the output is always Block (`secret_in_output`):
//! secret content never reaches anyone through a model. Entity types that are not personal data
//! (organisation codes, organisation names) are ignored.

use std::sync::Arc;

use govai_core::{DataClassifier, Finding, Result, Review, ReviewContext, ReviewFinding, Reviewer, Verdict};
use serde::{Deserialize, Serialize};

use govai_text::normalize::nfkc_char;

/// Reviewer id.
pub const PII_LEAK_ID: &str = "pii_leak";

/// Entity types ignored by default: enterprise and organisation identifiers (not personal
/// data), and the PIPL Art. 28 category words (`health`, `religion`...: the guard classifier
/// reports a word such as 确诊 or 宗教信仰 near a person, not a value; an answer that ties such a
/// word to a particular person also carries that person's identifier, which is checked).
pub(crate) const DEFAULT_IGNORED_TYPES: &[&str] = &[
    "cn_uscc",
    "cn_org_code",
    "organization",
    "health",
    "religion",
    "biometric",
    "financial_account",
    "whereabouts",
    "minor",
];
/// Entity types that mark secret content.
pub(crate) const SECRET_TYPES: &[&str] = &["secrecy_marking"];

/// `[reviewers.pii_leak]` in a deployment file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PiiLeakConfig {
    /// Entity types that are not personal data and are never a leak.
    pub ignore_types: Vec<String>,
    /// Findings scored below this are ignored (the classifier lowers the score of failed
    /// checksums). 0 = every finding counts.
    pub min_score: f32,
}

impl Default for PiiLeakConfig {
    fn default() -> Self {
        Self { ignore_types: DEFAULT_IGNORED_TYPES.iter().map(|s| (*s).to_owned()).collect(), min_score: 0.0 }
    }
}

/// Reviewer id `pii_leak`.
#[derive(Debug, Clone)]
pub struct PiiLeakReviewer {
    classifier: Arc<dyn DataClassifier>,
    config: PiiLeakConfig,
}

impl PiiLeakReviewer {
    /// A PII-leak reviewer finding personal data with `classifier`, default config.
    pub fn new(classifier: Arc<dyn DataClassifier>) -> Self {
        Self::with_config(classifier, PiiLeakConfig::default())
    }

    /// A PII-leak reviewer with `classifier` and `config`.
    pub fn with_config(classifier: Arc<dyn DataClassifier>, config: PiiLeakConfig) -> Self {
        Self { classifier, config }
    }

    fn ignored(&self, entity_type: &str) -> bool {
        self.config.ignore_types.iter().any(|t| t == entity_type)
    }
}

/// Normalised form of a value or a text for leak comparison: NFKC, whitespace and hyphens
/// (all dash forms) removed, upper case.
pub(crate) fn normalize_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        nfkc_char(c, |d| {
            if d.is_whitespace() || is_dash(d) || matches!(d, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}') {
                return;
            }
            for u in d.to_uppercase() {
                out.push(u);
            }
        });
    }
    out
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' | '\u{30FC}')
}

/// The comparison keys of a finding's value: the normalised value, plus the bare 11-digit
/// number for a mobile with a country prefix.
fn value_keys(value: &str) -> Vec<String> {
    let v = normalize_value(value);
    let mut keys = vec![v.clone()];
    for prefix in ["+86", "0086", "86"] {
        if let Some(rest) = v.strip_prefix(prefix) {
            let rest = rest.trim_start_matches(['(', ')']);
            if rest.len() == 11 && rest.starts_with('1') && rest.bytes().all(|b| b.is_ascii_digit()) {
                keys.push(rest.to_owned());
            }
        }
    }
    keys
}

fn finding_text(output_chars: &[char], f: &Finding) -> String {
    if !f.text.is_empty() {
        return f.text.clone();
    }
    let end = f.end.min(output_chars.len());
    output_chars[f.start.min(end)..end].iter().collect()
}

impl Reviewer for PiiLeakReviewer {
    fn id(&self) -> &str {
        PII_LEAK_ID
    }

    fn review(&self, ctx: &ReviewContext<'_>) -> Result<Review> {
        if ctx.output.trim().is_empty() {
            return Ok(Review::pass());
        }
        let out_class = self.classifier.classify(ctx.output)?;
        let chars: Vec<char> = ctx.output.chars().collect();
        let mut findings = Vec::new();
        let mut candidates: Vec<(&Finding, String)> = Vec::new();
        for f in &out_class.findings {
            if f.score < self.config.min_score || f.end <= f.start {
                continue;
            }
            if SECRET_TYPES.contains(&f.entity_type.as_str()) {
                let text = finding_text(&chars, f);
                findings.push(ReviewFinding {
                    reviewer: PII_LEAK_ID.to_owned(),
                    code: "secret_in_output".to_owned(),
                    message: format!("输出含密级标志「{text}」：涉密内容不得经模型输出"),
                    verdict: Verdict::Block,
                    span: Some((f.start, f.end)),
                });
                continue;
            }
            if self.ignored(&f.entity_type) {
                continue;
            }
            let text = finding_text(&chars, f);
            if normalize_value(&text).is_empty() {
                continue;
            }
            candidates.push((f, text));
        }
        if !candidates.is_empty() {
            // The authorised inputs, normalised once.
            let mut inputs: Vec<&str> = vec![ctx.request];
            for s in ctx.sources {
                inputs.push(&s.title);
                inputs.push(&s.text);
            }
            inputs.extend(ctx.documents.iter().map(String::as_str));
            let haystack: Vec<String> = inputs.iter().map(|t| normalize_value(t)).collect();
            let mut input_values: Option<Vec<String>> = None;
            for (f, text) in candidates {
                let keys = value_keys(&text);
                let in_text = keys.iter().any(|k| haystack.iter().any(|h| h.contains(k.as_str())));
                if in_text {
                    continue;
                }
                // Second chance: the classifier's own findings in the inputs (covers values the
                // classifier canonicalises differently from the raw text).
                if input_values.is_none() {
                    let mut vals = Vec::new();
                    for t in inputs.iter().filter(|t| !t.trim().is_empty()) {
                        let c = self.classifier.classify(t)?;
                        let tc: Vec<char> = t.chars().collect();
                        for g in &c.findings {
                            vals.extend(value_keys(&finding_text(&tc, g)));
                        }
                    }
                    input_values = Some(vals);
                }
                let known = input_values.as_ref().is_some_and(|vals| keys.iter().any(|k| vals.contains(k)));
                if known {
                    continue;
                }
                findings.push(ReviewFinding {
                    reviewer: PII_LEAK_ID.to_owned(),
                    code: "pii_leak".to_owned(),
                    message: format!("输出含个人信息「{text}」（{}），该值不在请求、引用资料或附件中", f.entity_type),
                    verdict: Verdict::Block,
                    span: Some((f.start, f.end)),
                });
            }
        }
        Ok(Review::from_findings(findings))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn normalisation() {
        assert_eq!(normalize_value("１３８-0013 8000"), "13800138000");
        assert_eq!(normalize_value("ab—cd"), "ABCD");
        assert_eq!(value_keys("+86 138 0013 8000"), vec!["+8613800138000".to_owned(), "13800138000".to_owned()]);
        assert_eq!(value_keys("0086-13800138000")[1], "13800138000");
        assert_eq!(value_keys("11010519491231002X").len(), 1);
    }

    #[test]
    fn config_defaults() {
        let c: PiiLeakConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(c, PiiLeakConfig::default());
        assert!(c.ignore_types.contains(&"cn_uscc".to_owned()));
        assert!(serde_json::from_str::<PiiLeakConfig>(r#"{"ignore": []}"#).is_err());
    }
}
