//! AI-generated content labels (《人工智能生成合成内容标识办法》 + GB 45438-2025):
//! an explicit notice in the text and implicit metadata (the `AIGC` object).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Where the explicit notice goes in a text answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum NoticePosition {
    /// Before the content (the default).
    #[default]
    Start,
    /// After the content.
    End,
}

/// How AI-generated answers are labelled (the `[labels]` table of the config).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LabelConfig {
    /// The explicit notice text (显式标识).
    pub notice: String,
    /// Whether the notice goes before or after the answer.
    pub position: NoticePosition,
    /// Service provider name or code (ContentProducer).
    pub producer: String,
    /// Propagating platform name or code, if this deployment also publishes (ContentPropagator).
    pub propagator: String,
}

impl LabelConfig {
    /// The explicit notice as the text shown before and after the content (one of them empty).
    /// A streamed answer shows the first before its first chunk and the second after its last.
    pub(crate) fn notice_parts(&self) -> (String, String) {
        notice_parts(&self.notice, self.position)
    }
}

fn notice_parts(notice: &str, position: NoticePosition) -> (String, String) {
    match position {
        NoticePosition::Start => (format!("【{notice}】\n"), String::new()),
        NoticePosition::End => (String::new(), format!("\n【{notice}】")),
    }
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
    /// Service provider name or code ([`LabelConfig::producer`]).
    #[serde(rename = "ContentProducer")]
    pub content_producer: String,
    /// Content id, unique per answer.
    #[serde(rename = "ProduceID")]
    pub produce_id: String,
    /// govai puts `sha256:<hex>` of the unlabelled content here so a reader can check integrity.
    #[serde(rename = "ReservedCode1")]
    pub reserved_code1: String,
    /// Propagating platform ([`LabelConfig::propagator`]); empty if none.
    #[serde(rename = "ContentPropagator")]
    pub content_propagator: String,
    /// Content id on the propagating platform: the content id when a propagator is set, else empty.
    #[serde(rename = "PropagateID")]
    pub propagate_id: String,
    /// Reserved by the standard; left empty.
    #[serde(rename = "ReservedCode2")]
    pub reserved_code2: String,
}

/// Both labels of one answer, as returned in [`Response::label`](crate::Response::label).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AiLabel {
    /// The explicit notice text.
    pub explicit: String,
    /// Where the explicit notice goes.
    pub position: NoticePosition,
    /// `{"AIGC": {...}}` as it is embedded in exported files.
    pub implicit: ImplicitLabel,
}

/// The implicit label as serialised: `{"AIGC": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImplicitLabel {
    /// The `AIGC` metadata object.
    #[serde(rename = "AIGC")]
    pub aigc: AigcMetadata,
}

impl LabelConfig {
    /// Build the label for one piece of content.
    pub(crate) fn label(&self, content: &str, content_id: &str) -> AiLabel {
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
    pub(crate) fn apply(&self, content: &str) -> String {
        let (before, after) = notice_parts(&self.explicit, self.position);
        format!("{before}{content}{after}")
    }
}

// ------------------------------------------------------------------------------------------------
// Implicit labels in exported files
// ------------------------------------------------------------------------------------------------

/// File formats that can carry the implicit label inside the file.
///
/// | format | where the `{"AIGC": {...}}` object goes | `ReservedCode1` hashes |
/// |---|---|---|
/// | `Text`, `Markdown` | a last line `<!-- AIGC {...} -->` (invisible when Markdown is rendered) | the file without that line |
/// | `Html` | `<meta name="AIGC" content="{...}">` right after `<head>` (or first in the file) | the file without that tag |
/// | `Json` | a top-level `"AIGC"` key of the object | the compact JSON of the object without `"AIGC"` (keys sorted) |
///
/// Formats that cannot carry it (images, PDF without an editor...) would need a sidecar file
/// `FILE.aigc.json` holding the `{"AIGC": {...}}` object and hashing the file's bytes; that is
/// implemented here but not yet exposed (only unit tests use it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelFormat {
    /// Plain text (`.txt` and anything unrecognised).
    Text,
    /// Markdown (`.md`, `.markdown`); labelled like text.
    Markdown,
    /// An HTML document or fragment.
    Html,
    /// A JSON object.
    Json,
}

impl LabelFormat {
    /// By file extension: `.md`/`.markdown`, `.html`/`.htm`, `.json`; anything else is text.
    pub fn from_path(path: &std::path::Path) -> Self {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("md" | "markdown") => Self::Markdown,
            Some("html" | "htm" | "xhtml") => Self::Html,
            Some("json") => Self::Json,
            _ => Self::Text,
        }
    }

    /// Guess from content (for stdin): a JSON object, an HTML document (or a fragment starting
    /// with the AIGC meta tag), else text. Markdown and text are read the same way.
    pub fn sniff(content: &str) -> Self {
        let t = content.trim_start_matches('\u{FEFF}').trim_start();
        if t.starts_with('{') && serde_json::from_str::<serde_json::Value>(content).is_ok() {
            Self::Json
        } else if t.get(..5).is_some_and(|h| h.eq_ignore_ascii_case("<!doc") || h.eq_ignore_ascii_case("<html"))
            || t.get(..17).is_some_and(|h| h.eq_ignore_ascii_case("<meta name=\"aigc\""))
        {
            Self::Html
        } else {
            Self::Text
        }
    }

    /// The snake_case name, as serialised (`text`, `markdown`, `html`, `json`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Markdown => "markdown",
            Self::Html => "html",
            Self::Json => "json",
        }
    }
}

const COMMENT_OPEN: &str = "<!-- AIGC ";
const COMMENT_CLOSE: &str = " -->";

fn sha256_prefixed(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

fn json_body(value: &serde_json::Value) -> crate::Result<String> {
    serde_json::to_string(value).map_err(|e| crate::Error::InvalidInput(format!("cannot serialise JSON: {e}")))
}

fn html_escape_attr(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

fn html_unescape_attr(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// `content` parsed as a JSON object, the only JSON that can carry an `AIGC` key.
fn json_object(content: &str) -> crate::Result<serde_json::Map<String, serde_json::Value>> {
    match serde_json::from_str(content) {
        Ok(serde_json::Value::Object(obj)) => Ok(obj),
        Ok(_) => Err(crate::Error::InvalidInput("JSON export must be an object to carry an AIGC key".into())),
        Err(e) => Err(crate::Error::InvalidInput(format!("not JSON: {e}"))),
    }
}

/// The canonical body a label of `format` hashes (see [`LabelFormat`]).
pub(crate) fn label_body(content: &str, format: LabelFormat) -> crate::Result<String> {
    match format {
        LabelFormat::Json => {
            let mut obj = json_object(content)?;
            obj.remove("AIGC");
            json_body(&serde_json::Value::Object(obj))
        }
        _ => Ok(content.to_owned()),
    }
}

impl LabelConfig {
    /// An exported file: the explicit notice applied to `content` (for text-like formats), then
    /// the implicit label embedded, its `ReservedCode1` the sha256 of the body (see
    /// [`LabelFormat`]). For JSON the explicit notice goes into an `"AIGC_notice"` key.
    pub fn export(&self, content: &str, content_id: &str, format: LabelFormat) -> crate::Result<String> {
        let body = match format {
            LabelFormat::Json => {
                let mut obj = json_object(content)?;
                obj.insert("AIGC_notice".into(), serde_json::Value::String(self.notice.clone()));
                json_body(&serde_json::Value::Object(obj))?
            }
            LabelFormat::Html => html_with_notice(content, &self.notice, self.position),
            LabelFormat::Text | LabelFormat::Markdown => AiLabel {
                explicit: self.notice.clone(),
                position: self.position,
                implicit: self.label("", "").implicit,
            }
            .apply(content),
        };
        let label = self.label(&label_body(&body, format)?, content_id);
        embed_implicit(&body, &label.implicit, format)
    }
}

fn html_with_notice(content: &str, notice: &str, position: NoticePosition) -> String {
    let p = format!("<p class=\"aigc-notice\">【{}】</p>", html_escape_attr(notice));
    let lower = content.to_ascii_lowercase();
    match position {
        NoticePosition::Start => match lower.find("<body").and_then(|b| lower[b..].find('>').map(|e| b + e + 1)) {
            Some(at) => format!("{}\n{p}{}", &content[..at], &content[at..]),
            None => format!("{p}\n{content}"),
        },
        NoticePosition::End => match lower.rfind("</body>") {
            Some(at) => format!("{}{p}\n{}", &content[..at], &content[at..]),
            None => format!("{content}\n{p}"),
        },
    }
}

/// Embed `label` into `content` of `format`. The label's `ReservedCode1` should be the sha256 of
/// [`label_body`]`(content)`; [`LabelConfig::export`] does both.
pub(crate) fn embed_implicit(content: &str, label: &ImplicitLabel, format: LabelFormat) -> crate::Result<String> {
    let json = serde_json::to_string(label).map_err(|e| crate::Error::Internal(format!("label JSON: {e}")))?;
    match format {
        LabelFormat::Text | LabelFormat::Markdown => Ok(format!("{content}\n{COMMENT_OPEN}{json}{COMMENT_CLOSE}\n")),
        LabelFormat::Html => {
            let tag = format!("<meta name=\"AIGC\" content=\"{}\">", html_escape_attr(&json));
            let lower = content.to_ascii_lowercase();
            let head_end = lower.find("<head").and_then(|h| lower[h..].find('>').map(|e| h + e + 1));
            Ok(match head_end {
                Some(at) => format!("{}{tag}\n{}", &content[..at], &content[at..]),
                None => format!("{tag}\n{content}"),
            })
        }
        LabelFormat::Json => {
            let mut v: serde_json::Value =
                serde_json::from_str(content).map_err(|e| crate::Error::InvalidInput(format!("not JSON: {e}")))?;
            let obj = v.as_object_mut().ok_or_else(|| {
                crate::Error::InvalidInput("JSON export must be an object to carry an AIGC key".into())
            })?;
            let aigc =
                serde_json::to_value(&label.aigc).map_err(|e| crate::Error::Internal(format!("label JSON: {e}")))?;
            obj.insert("AIGC".into(), aigc);
            serde_json::to_string_pretty(&v).map_err(|e| crate::Error::Internal(format!("JSON: {e}")))
        }
    }
}

/// An implicit label read back from a file, and the body it was removed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReadLabel {
    pub label: ImplicitLabel,
    /// The canonical body ([`label_body`] of the file without the label).
    pub body: String,
}

/// Read the implicit label of a file. `Ok(None)` = no label; `Err` = a label that does not parse.
pub(crate) fn read_implicit(file: &str, format: LabelFormat) -> crate::Result<Option<ReadLabel>> {
    let bad = |e: serde_json::Error| crate::Error::InvalidInput(format!("malformed AIGC label: {e}"));
    match format {
        LabelFormat::Text | LabelFormat::Markdown => {
            let trimmed = file.trim_end_matches(['\n', '\r', ' ', '\t']);
            let Some(nl) =
                trimmed.rfind(&format!("\n{COMMENT_OPEN}")).or_else(|| trimmed.starts_with(COMMENT_OPEN).then_some(0))
            else {
                return Ok(None);
            };
            let line = trimmed[nl..].trim_start_matches('\n');
            let Some(json) = line.strip_prefix(COMMENT_OPEN).and_then(|l| l.strip_suffix(COMMENT_CLOSE.trim_start()))
            else {
                return Ok(None);
            };
            let label: ImplicitLabel = serde_json::from_str(json.trim()).map_err(bad)?;
            let body = if nl == 0 && !trimmed[..nl].ends_with('\n') && file.starts_with(COMMENT_OPEN) {
                String::new()
            } else {
                file[..nl].to_owned()
            };
            Ok(Some(ReadLabel { label, body }))
        }
        LabelFormat::Html => {
            let lower = file.to_ascii_lowercase();
            let Some(start) = lower.find("<meta name=\"aigc\"") else { return Ok(None) };
            let Some(rel_end) = file[start..].find('>') else { return Ok(None) };
            let end = start + rel_end + 1;
            let tag = &file[start..end];
            let Some(c) = tag.find("content=\"") else { return Ok(None) };
            let rest = &tag[c + 9..];
            let Some(q) = rest.find('"') else { return Ok(None) };
            let label: ImplicitLabel = serde_json::from_str(&html_unescape_attr(&rest[..q])).map_err(bad)?;
            let after = if file[end..].starts_with('\n') { end + 1 } else { end };
            Ok(Some(ReadLabel { label, body: format!("{}{}", &file[..start], &file[after..]) }))
        }
        LabelFormat::Json => {
            let v: serde_json::Value = match serde_json::from_str(file) {
                Ok(v) => v,
                Err(_) => return Ok(None),
            };
            let Some(aigc) = v.get("AIGC") else { return Ok(None) };
            let aigc: AigcMetadata = serde_json::from_value(aigc.clone()).map_err(bad)?;
            Ok(Some(ReadLabel { label: ImplicitLabel { aigc }, body: label_body(file, LabelFormat::Json)? }))
        }
    }
}

/// The result of [`verify_implicit`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelVerification {
    /// The format the file was read as.
    pub format: LabelFormat,
    /// An implicit label was found.
    pub found: bool,
    /// The implicit label, when one was found and parsed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<ImplicitLabel>,
    /// `sha256:<hex>` of the body as read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_sha256: Option<String>,
    /// The label declares AI-generated content (`Label` = "1").
    pub ai_generated: bool,
    /// `ReservedCode1` matches the body (or the body without the explicit notice line).
    pub hash_matches: bool,
    /// Human-readable problems (empty = verified).
    pub problems: Vec<String>,
}

impl LabelVerification {
    /// Found, AI-generated flag set and the content unchanged.
    pub fn ok(&self) -> bool {
        self.found && self.problems.is_empty()
    }
}

/// Read and check the implicit label of a file: present, well-formed, and `ReservedCode1`
/// equal to the sha256 of the body (or, for a label made (as the pipeline does) over the
/// answer before the explicit notice was applied, of the body without its 【…】 notice line).
/// `format` = `None` sniffs the content ([`LabelFormat::sniff`]).
pub fn verify_implicit(file: &str, format: Option<LabelFormat>) -> LabelVerification {
    let format = format.unwrap_or_else(|| LabelFormat::sniff(file));
    let mut v = LabelVerification {
        format,
        found: false,
        label: None,
        content_sha256: None,
        ai_generated: false,
        hash_matches: false,
        problems: Vec::new(),
    };
    let read = match read_implicit(file, format) {
        Ok(Some(r)) => r,
        Ok(None) => {
            v.problems.push(format!("no implicit AIGC label found ({} format)", format.as_str()));
            return v;
        }
        Err(e) => {
            v.found = true;
            v.problems.push(e.to_string());
            return v;
        }
    };
    v.found = true;
    let digest = sha256_prefixed(read.body.as_bytes());
    let declared = read.label.aigc.reserved_code1.clone();
    let stripped = strip_notice(&read.body);
    v.hash_matches = declared == digest || stripped.is_some_and(|s| sha256_prefixed(s.as_bytes()) == declared);
    v.ai_generated = read.label.aigc.label == "1";
    if !v.ai_generated {
        v.problems.push(format!("Label is `{}`, expected `1` (AI-generated)", read.label.aigc.label));
    }
    if read.label.aigc.content_producer.is_empty() {
        v.problems.push("ContentProducer is empty".into());
    }
    if read.label.aigc.produce_id.is_empty() {
        v.problems.push("ProduceID is empty".into());
    }
    if !v.hash_matches {
        v.problems.push(if declared.starts_with("sha256:") {
            format!("content was changed: ReservedCode1 {declared} but the content hashes to {digest}")
        } else {
            format!("ReservedCode1 `{declared}` is not a sha256 digest")
        });
    }
    v.content_sha256 = Some(digest);
    v.label = Some(read.label);
    v
}

/// The body without a leading `【…】\n` or trailing `\n【…】` notice, if it has one.
fn strip_notice(body: &str) -> Option<&str> {
    if body.starts_with('【')
        && let Some(nl) = body.find('\n')
        && body[..nl].ends_with('】')
    {
        return Some(&body[nl + 1..]);
    }
    if let Some(nl) = body.rfind('\n')
        && body[nl + 1..].starts_with('【')
        && body.ends_with('】')
    {
        return Some(&body[..nl]);
    }
    None
}

/// The sidecar path for formats that cannot carry the label: `FILE.aigc.json`.
#[cfg(test)]
fn sidecar_path(path: &std::path::Path) -> std::path::PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".aigc.json");
    path.with_file_name(name)
}

/// The sidecar content (`{"AIGC": {...}}`, pretty JSON) for a file's bytes.
#[cfg(test)]
fn sidecar_label(cfg: &LabelConfig, bytes: &[u8], content_id: &str) -> crate::Result<String> {
    let mut l = cfg.label("", content_id).implicit;
    l.aigc.reserved_code1 = sha256_prefixed(bytes);
    serde_json::to_string_pretty(&l).map_err(|e| crate::Error::Internal(format!("label JSON: {e}")))
}

/// Verify a file's bytes against its sidecar content.
#[cfg(test)]
fn verify_sidecar(bytes: &[u8], sidecar: &str) -> LabelVerification {
    let mut v = LabelVerification {
        format: LabelFormat::Text,
        found: false,
        label: None,
        content_sha256: Some(sha256_prefixed(bytes)),
        ai_generated: false,
        hash_matches: false,
        problems: Vec::new(),
    };
    match serde_json::from_str::<ImplicitLabel>(sidecar) {
        Ok(l) => {
            v.found = true;
            v.ai_generated = l.aigc.label == "1";
            v.hash_matches = v.content_sha256.as_deref() == Some(l.aigc.reserved_code1.as_str());
            if !v.hash_matches {
                v.problems.push("content was changed: ReservedCode1 does not match the file".into());
            }
            if !v.ai_generated {
                v.problems.push("Label is not `1`".into());
            }
            v.label = Some(l);
        }
        Err(e) => v.problems.push(format!("malformed sidecar label: {e}")),
    }
    v
}

/// A fresh content id (ProduceID) for one piece of AI-generated content.
pub fn new_content_id() -> String {
    uuid::Uuid::new_v4().to_string()
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

    fn cfg() -> LabelConfig {
        LabelConfig { producer: "govai-test".into(), ..LabelConfig::default() }
    }

    fn roundtrip(format: LabelFormat, content: &str) {
        let out = cfg().export(content, "cid-9", format).unwrap();
        let v = verify_implicit(&out, Some(format));
        assert!(v.ok(), "{format:?}: {v:?}\n{out}");
        assert_eq!(v.label.as_ref().unwrap().aigc.produce_id, "cid-9");
        assert_eq!(
            verify_implicit(&out, None).format,
            if format == LabelFormat::Markdown { LabelFormat::Text } else { format }
        );
    }

    #[test]
    fn export_and_verify_each_format() {
        roundtrip(LabelFormat::Text, "居住证办理需要身份证。\n第二行");
        roundtrip(LabelFormat::Text, "");
        roundtrip(LabelFormat::Markdown, "# 居住证\n\n- 身份证\n");
        roundtrip(
            LabelFormat::Html,
            "<!DOCTYPE html><html><head><title>t</title></head><body><p>答复</p></body></html>",
        );
        roundtrip(LabelFormat::Html, "<p>fragment</p>");
        roundtrip(LabelFormat::Json, r#"{"answer": "需要身份证", "sources": [1, 2]}"#);
        // Markdown: the label line is an HTML comment; the notice is visible.
        let md = cfg().export("正文", "c", LabelFormat::Markdown).unwrap();
        assert!(md.starts_with("【本内容由人工智能生成，仅供参考】\n正文\n<!-- AIGC {\"AIGC\":{"), "{md}");
        // JSON keeps the notice and the label as keys, reformatting does not break it.
        let js = cfg().export(r#"{"a": 1}"#, "c", LabelFormat::Json).unwrap();
        let v: serde_json::Value = serde_json::from_str(&js).unwrap();
        assert_eq!(v["AIGC"]["Label"], "1");
        assert!(v["AIGC_notice"].is_string());
        assert!(verify_implicit(&serde_json::to_string(&v).unwrap(), None).ok());
        assert!(LabelFormat::Json == LabelFormat::from_path(std::path::Path::new("x.JSON")));
        assert!(cfg().export("[1]", "c", LabelFormat::Json).is_err());
    }

    #[test]
    fn tampered_and_missing() {
        let t = cfg().export("工本费20元。", "c", LabelFormat::Text).unwrap();
        let v = verify_implicit(&t.replace("20元", "30元"), Some(LabelFormat::Text));
        assert!(v.found && !v.hash_matches && !v.ok(), "{v:?}");
        assert!(v.problems[0].contains("changed"));
        let h = cfg().export("<html><head></head><body>20元</body></html>", "c", LabelFormat::Html).unwrap();
        assert!(!verify_implicit(&h.replace("20元", "30元"), None).ok());
        let j = cfg().export(r#"{"fee": 20}"#, "c", LabelFormat::Json).unwrap();
        assert!(!verify_implicit(&j.replace("20", "30"), None).hash_matches);
        let forged = t.replace("\"Label\":\"1\"", "\"Label\":\"0\"");
        assert!(!verify_implicit(&forged, None).ai_generated);
        let none = verify_implicit("plain text", None);
        assert!(!none.found && !none.ok());
        let broken = verify_implicit("x\n<!-- AIGC {not json} -->\n", None);
        assert!(broken.found && !broken.ok());
    }

    #[test]
    fn pipeline_label_over_the_answer_verifies() {
        // The pipeline hashes the answer before the notice is applied: still verifiable.
        let c = cfg();
        let l = c.label("答案正文", "cid");
        let file = embed_implicit(&l.apply("答案正文"), &l.implicit, LabelFormat::Text).unwrap();
        assert!(verify_implicit(&file, None).ok());
    }

    #[test]
    fn sidecar() {
        let bytes = b"\x89PNG fake";
        let side = sidecar_label(&cfg(), bytes, "c").unwrap();
        assert!(verify_sidecar(bytes, &side).ok());
        assert!(!verify_sidecar(b"other", &side).ok());
        assert_eq!(sidecar_path(std::path::Path::new("/tmp/a.png")), std::path::PathBuf::from("/tmp/a.png.aigc.json"));
    }
}
