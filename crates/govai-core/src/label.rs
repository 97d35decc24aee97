//! AI-generated content labels (《人工智能生成合成内容标识办法》 + GB 45438-2025):
//! an explicit notice in the text and implicit metadata (the `AIGC` object).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Where the explicit notice goes in a text answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum NoticePosition {
    #[default]
    Start,
    End,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LabelConfig {
    /// The explicit notice text (显式标识).
    pub notice: String,
    pub position: NoticePosition,
    /// Service provider name or code (ContentProducer).
    pub producer: String,
    /// Propagating platform name or code, if this deployment also publishes (ContentPropagator).
    pub propagator: String,
}

impl Default for LabelConfig {
    fn default() -> Self {
        Self {
            notice: "本内容由人工智能生成，仅供参考".to_owned(),
            position: NoticePosition::Start,
            producer: "govai".to_owned(),
            propagator: String::new(),
        }
    }
}

/// The implicit label, field names as in the GB 45438-2025 `AIGC` metadata object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AigcMetadata {
    /// "1" = AI-generated content (the provider's own declaration).
    #[serde(rename = "Label")]
    pub label: String,
    #[serde(rename = "ContentProducer")]
    pub content_producer: String,
    /// Content id, unique per answer.
    #[serde(rename = "ProduceID")]
    pub produce_id: String,
    /// govai puts `sha256:<hex>` of the unlabelled content here so a reader can check integrity.
    #[serde(rename = "ReservedCode1")]
    pub reserved_code1: String,
    #[serde(rename = "ContentPropagator")]
    pub content_propagator: String,
    #[serde(rename = "PropagateID")]
    pub propagate_id: String,
    #[serde(rename = "ReservedCode2")]
    pub reserved_code2: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AiLabel {
    /// The explicit notice text.
    pub explicit: String,
    pub position: NoticePosition,
    /// `{"AIGC": {...}}` as it is embedded in exported files.
    pub implicit: ImplicitLabel,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImplicitLabel {
    #[serde(rename = "AIGC")]
    pub aigc: AigcMetadata,
}

impl LabelConfig {
    /// Build the label for one piece of content.
    pub fn label(&self, content: &str, content_id: &str) -> AiLabel {
        let digest = hex::encode(Sha256::digest(content.as_bytes()));
        AiLabel {
            explicit: self.notice.clone(),
            position: self.position,
            implicit: ImplicitLabel {
                aigc: AigcMetadata {
                    label: "1".to_owned(),
                    content_producer: self.producer.clone(),
                    produce_id: content_id.to_owned(),
                    reserved_code1: format!("sha256:{digest}"),
                    content_propagator: self.propagator.clone(),
                    propagate_id: if self.propagator.is_empty() { String::new() } else { content_id.to_owned() },
                    reserved_code2: String::new(),
                },
            },
        }
    }
}

impl AiLabel {
    /// The content with the explicit notice in place.
    pub fn apply(&self, content: &str) -> String {
        match self.position {
            NoticePosition::Start => format!("【{}】\n{content}", self.explicit),
            NoticePosition::End => format!("{content}\n【{}】", self.explicit),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_and_implicit() {
        let cfg = LabelConfig::default();
        let l = cfg.label("答案", "cid-1");
        assert_eq!(l.apply("答案"), "【本内容由人工智能生成，仅供参考】\n答案");
        let json = serde_json::to_value(&l.implicit).unwrap();
        assert_eq!(json["AIGC"]["Label"], "1");
        assert_eq!(json["AIGC"]["ProduceID"], "cid-1");
        assert_eq!(json["AIGC"]["ContentProducer"], "govai");
        assert!(json["AIGC"]["ReservedCode1"].as_str().unwrap().starts_with("sha256:"));
        let end = LabelConfig { position: NoticePosition::End, ..cfg }.label("x", "c");
        assert!(end.apply("x").ends_with("】"));
    }
}
