//! A checklist (材料清单): the materials a procedure requires, how each is recognised on a page,
//! and the fields each must carry. Defined per scenario in the deployment TOML
//! (`[[checklists]]`, see `examples/assisted-handling-checklist.toml`).

use govai_core::{Error, Result};
use serde::{Deserialize, Serialize};

/// What a field holds, which decides how its value is read and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// Any non-empty text.
    Text,
    /// A person's name (personal data: shown masked as 〔姓名N〕).
    Person,
    /// An address (personal data: shown masked as 〔地址N〕).
    Address,
    /// A resident ID number (公民身份号码): 18 characters, structure and GB 11643 check
    /// character validated (shown masked as 〔身份证号N〕).
    ResidentId,
    /// A calendar date (`2026年12月5日`, `2026-12-05`, `2026.12.5`, `20261205`, `二〇二六年十二月五日`).
    Date,
    /// A validity period (有效期限) `START-END` or `START-长期`; expired when END is before the
    /// check's date.
    Validity,
    /// A signature (签名/签字): present when something legible follows the label (shown masked
    /// as 〔姓名N〕).
    Signature,
}

impl FieldKind {
    /// Stable snake_case name (also the serde form).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Person => "person",
            Self::Address => "address",
            Self::ResidentId => "resident_id",
            Self::Date => "date",
            Self::Validity => "validity",
            Self::Signature => "signature",
        }
    }

    /// The entity type (govai-classify's names) a value of this kind is, if it is personal data.
    pub fn entity_type(self) -> Option<&'static str> {
        match self {
            Self::Person | Self::Signature => Some("person"),
            Self::Address => Some("address"),
            Self::ResidentId => Some("cn_resident_id"),
            Self::Text | Self::Date | Self::Validity => None,
        }
    }
}

/// One field a material must (or may) carry, found by its label on a line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// The field's name as shown to the clerk (e.g. `公民身份号码`).
    pub name: String,
    /// How the value is read and checked.
    pub kind: FieldKind,
    /// Labels that introduce the value on a line (default: `[name]`). Matched after full-width
    /// folding with spaces removed, so `姓 名` and `姓名：` both match `姓名`.
    #[serde(default)]
    pub labels: Vec<String>,
    /// A missing required field makes the material incomplete (default true).
    #[serde(default = "yes")]
    pub required: bool,
}

impl FieldSpec {
    /// The labels to look for: `labels`, or the name itself.
    pub fn effective_labels(&self) -> Vec<&str> {
        if self.labels.is_empty() { vec![self.name.as_str()] } else { self.labels.iter().map(String::as_str).collect() }
    }
}

/// One material (a document the applicant hands in).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaterialSpec {
    /// Stable snake_case id (recorded in the audit log).
    pub id: String,
    /// The material's name as shown to the clerk (e.g. `居民身份证`).
    pub name: String,
    /// A page showing any of these words is (part of) this material. Matched like labels.
    pub titles: Vec<String>,
    /// ...unless it also shows one of these (e.g. `常住人口登记卡` keeps a household-register
    /// page that mentions `公民身份号码` from counting as the ID card).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// The procedure cannot go ahead without it (default true).
    #[serde(default = "yes")]
    pub required: bool,
    /// Alternatives: materials with the same `one_of` name satisfy one requirement together
    /// (e.g. 租房合同 or 住所证明); once one is present, the others are `not_needed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_of: Option<String>,
    /// The fields it must carry, searched on all its pages in order.
    #[serde(default)]
    pub fields: Vec<FieldSpec>,
}

/// A checklist: the materials of one procedure in one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checklist {
    /// Stable snake_case id, unique in the deployment (recorded in the audit log).
    pub id: String,
    /// The checklist's version (recorded in the audit log; change it whenever the rules change).
    #[serde(default = "default_version")]
    pub version: String,
    /// The scenario the checklist belongs to (e.g. `assisted_handling`).
    pub scenario: String,
    /// The procedure's name as shown to the clerk (e.g. `居住证申领`).
    pub name: String,
    /// Lines recognised with less confidence make their field `low_confidence` (default 0.8).
    #[serde(default = "default_min_confidence")]
    pub min_confidence: f32,
    /// The materials.
    pub materials: Vec<MaterialSpec>,
}

fn yes() -> bool {
    true
}

fn default_version() -> String {
    "1".to_owned()
}

fn default_min_confidence() -> f32 {
    0.8
}

fn snake_case(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl Checklist {
    /// Check the checklist is usable; errors are [`Error::Config`] with the key path under
    /// `prefix` (e.g. `checklists[0]`) and an empty file name for the caller to fill in.
    pub fn validate(&self, prefix: &str) -> Result<()> {
        let err = |k: String, r: String| Err(Error::config("", format!("{prefix}.{k}"), r));
        if !snake_case(&self.id) {
            return err("id".into(), format!("`{}` is not a snake_case id", self.id));
        }
        if !snake_case(&self.scenario) {
            return err("scenario".into(), format!("`{}` is not a snake_case scenario id", self.scenario));
        }
        if !(0.0..=1.0).contains(&self.min_confidence) {
            return err("min_confidence".into(), format!("must be between 0 and 1, got {}", self.min_confidence));
        }
        if self.materials.is_empty() {
            return err("materials".into(), "a checklist needs at least one material".into());
        }
        let mut ids = std::collections::BTreeSet::new();
        for (m, mat) in self.materials.iter().enumerate() {
            let key = |k: &str| format!("materials[{m}].{k}");
            if !snake_case(&mat.id) {
                return err(key("id"), format!("`{}` is not a snake_case id", mat.id));
            }
            if !ids.insert(mat.id.as_str()) {
                return err(key("id"), format!("duplicate material id `{}`", mat.id));
            }
            if mat.titles.iter().all(|t| crate::ocr::fold_str(t).is_empty()) {
                return err(key("titles"), "needs at least one non-empty title word".into());
            }
            if mat.one_of.as_deref().is_some_and(|g| !snake_case(g)) {
                return err(key("one_of"), "must be a snake_case group name".into());
            }
            for (f, field) in mat.fields.iter().enumerate() {
                if field.name.trim().is_empty() {
                    return err(key(&format!("fields[{f}].name")), "must not be empty".into());
                }
                if field.effective_labels().iter().any(|l| crate::ocr::fold_str(l).is_empty()) {
                    return err(key(&format!("fields[{f}].labels")), "a label must not be empty".into());
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const TOML: &str = r#"
id = "residence_permit"
scenario = "assisted_handling"
name = "居住证申领"

[[materials]]
id = "id_card"
name = "居民身份证"
titles = ["居民身份证"]

[[materials.fields]]
name = "公民身份号码"
kind = "resident_id"
"#;

    #[test]
    fn parses_with_defaults_and_validates() {
        let c: Checklist = toml::from_str(TOML).unwrap();
        assert_eq!((c.version.as_str(), c.min_confidence), ("1", 0.8));
        assert!(c.materials[0].required && c.materials[0].fields[0].required);
        assert_eq!(c.materials[0].fields[0].effective_labels(), vec!["公民身份号码"]);
        c.validate("checklists[0]").unwrap();
        let mut bad = c.clone();
        bad.materials.push(bad.materials[0].clone());
        let e = bad.validate("checklists[0]").unwrap_err().to_string();
        assert!(e.contains("checklists[0].materials[1].id") && e.contains("duplicate"), "{e}");
        let mut bad = c.clone();
        bad.materials[0].titles = vec![" ".into()];
        assert!(bad.validate("c").unwrap_err().to_string().contains("titles"));
        let mut bad = c;
        bad.min_confidence = 2.0;
        assert!(bad.validate("c").is_err());
        let e = toml::from_str::<Checklist>(&TOML.replace("kind = \"resident_id\"", "kind = \"iris\"")).unwrap_err();
        assert!(e.to_string().contains("iris"));
    }
}
