//! Knowledge bases: JSON Lines of policy passages, indexed with BM25.

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, LazyLock};

use govai_core::{Error, Result};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::bm25::Bm25Index;
use crate::tokenize::tokenize;

/// The shipped sample knowledge base (FICTIONAL content for the demo city 示例市; see
/// `kb/README.md`), embedded so the default deployment needs no files.
pub(crate) const BUILTIN_POLICIES_JSONL: &str = include_str!("../kb/policies.jsonl");

/// Language of a passage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// Chinese.
    Zh,
    /// English.
    En,
}

/// One passage of a knowledge base (one line of its JSON Lines file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Passage {
    /// Unique, stable id (cited in answers and audit records).
    pub id: String,
    /// Language of the passage text (metadata; answers are framed by the query's language).
    pub lang: Lang,
    /// Title of the policy document, quoted in answers (`根据《标题》`) and indexed.
    pub title: String,
    /// 2-5 sentences; answers copy sentences from it verbatim.
    pub text: String,
    /// Link to the official source, if any; passed on in the answer's sources.
    #[serde(default)]
    pub url: Option<String>,
    /// Keywords; indexed together with the title and text.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Where the passage was taken from (written by `govai kb import`); optional, not indexed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Provenance>,
}

/// Where a passage comes from: the policy document it was imported from. Every field is
/// optional (what the importer could detect); none of it changes retrieval.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// Title of the source document (e.g. `示例市灵活就业人员社会保险补贴办法`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// Issuing body (发文机关, e.g. `示例市人力资源和社会保障局`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Document number (发文字号, e.g. `示人社发〔2024〕12号`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_number: Option<String>,
    /// Date of issue as `YYYY-MM-DD` (from e.g. `2024年3月1日`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// File name the passage was imported from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based page of the file where the passage starts (PDF).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// The heading or article the passage belongs to (e.g. `第二章 申请条件`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// First day the policy applies (施行日期), `YYYY-MM-DD`; before it the passage is not cited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<String>,
    /// Last day the policy applies (有效期至), `YYYY-MM-DD`; after it the passage is expired: listed
    /// by [`KnowledgeBase::not_in_force`] and never cited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

impl Provenance {
    /// Whether the policy applies on `today` (`YYYY-MM-DD`): on or after `effective` and on or
    /// before `expires`, each when given. ISO dates compare as strings.
    pub fn in_force(&self, today: &str) -> bool {
        self.effective.as_deref().is_none_or(|d| d <= today) && self.expires.as_deref().is_none_or(|d| today <= d)
    }
}

/// Today's date where the deployment runs, `YYYY-MM-DD` (what [`Provenance::in_force`] takes).
pub fn today() -> String {
    chrono::Local::now().format("%Y-%m-%d").to_string()
}

/// Whether `s` is a valid `YYYY-MM-DD` date.
fn is_iso_date(s: &str) -> bool {
    s.len() == 10 && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

impl Passage {
    /// What the index sees: title, tags and text.
    fn index_text(&self) -> String {
        format!("{}\n{}\n{}", self.title, self.tags.join(" "), self.text)
    }
}

/// Passages plus their BM25 index. Immutable, `Send + Sync`; share it with `Arc`.
#[derive(Clone)]
pub struct KnowledgeBase {
    passages: Vec<Passage>,
    index: Bm25Index,
}

impl std::fmt::Debug for KnowledgeBase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KnowledgeBase").field("passages", &self.passages.len()).field("index", &self.index).finish()
    }
}

static BUILTIN: LazyLock<Arc<KnowledgeBase>> = LazyLock::new(|| {
    Arc::new(
        KnowledgeBase::parse_jsonl(BUILTIN_POLICIES_JSONL, "<builtin policies.jsonl>")
            .expect("the embedded knowledge base is valid (checked by tests)"),
    )
});

impl KnowledgeBase {
    /// Index `passages`. Ids must be unique and texts non-empty.
    pub fn new(passages: Vec<Passage>) -> Result<Self> {
        Self::validated(passages, "<passages>")
    }

    /// The shipped sample knowledge base, parsed and indexed once per process.
    pub fn builtin() -> Arc<Self> {
        Arc::clone(&BUILTIN)
    }

    /// Load a JSON Lines knowledge base from a file.
    pub fn from_jsonl(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse_jsonl(&text, &path.display().to_string())
    }

    /// Parse JSON Lines text; `origin` names it in error messages (a path or a description).
    /// Blank lines are skipped.
    pub(crate) fn parse_jsonl(text: &str, origin: &str) -> Result<Self> {
        let rows = parse_jsonl_rows::<Passage>(text, origin)?;
        Self::validated(rows.into_iter().map(|(_, p)| p).collect(), origin)
    }

    fn validated(passages: Vec<Passage>, origin: &str) -> Result<Self> {
        let mut seen = HashSet::new();
        for (i, p) in passages.iter().enumerate() {
            let key = || format!("passage {} (`{}`)", i + 1, p.id);
            if p.id.trim().is_empty() {
                return Err(Error::config(origin, format!("passage {}", i + 1), "empty `id`"));
            }
            if !seen.insert(p.id.as_str()) {
                return Err(Error::config(origin, key(), "duplicate `id`"));
            }
            if p.text.trim().is_empty() {
                return Err(Error::config(origin, key(), "empty `text`"));
            }
            if let Some(src) = &p.source {
                for (field, date) in [("source.effective", &src.effective), ("source.expires", &src.expires)] {
                    if let Some(d) = date.as_deref().filter(|d| !is_iso_date(d)) {
                        return Err(Error::config(origin, key(), format!("`{field}` = `{d}`: expected YYYY-MM-DD")));
                    }
                }
            }
        }
        let index = Bm25Index::from_tokens(passages.iter().map(|p| tokenize(&p.index_text())));
        Ok(Self { passages, index })
    }

    /// All passages, in file order; index `i` is document `i` of the BM25 index.
    pub fn passages(&self) -> &[Passage] {
        &self.passages
    }

    /// Number of passages.
    pub fn len(&self) -> usize {
        self.passages.len()
    }

    /// Whether there are no passages (every question is then "not found").
    pub fn is_empty(&self) -> bool {
        self.passages.is_empty()
    }

    /// Whether passage `i` may be cited on `today` (`YYYY-MM-DD`): in force, or without dates.
    pub fn in_force(&self, i: usize, today: &str) -> bool {
        self.passages.get(i).is_some_and(|p| p.source.as_ref().is_none_or(|s| s.in_force(today)))
    }

    /// The passages not cited on `today`: expired, or not yet effective.
    pub fn not_in_force(&self, today: &str) -> Vec<&Passage> {
        (0..self.passages.len()).filter(|&i| !self.in_force(i, today)).map(|i| &self.passages[i]).collect()
    }

    /// The BM25 index; document `i` is `passages()[i]` (title, tags and text).
    pub(crate) fn index(&self) -> &Bm25Index {
        &self.index
    }

    /// The `k` best passages for `query`, best first, with their BM25 scores.
    pub fn search(&self, query: &str, k: usize) -> Vec<(&Passage, f32)> {
        self.index.search(query, k).into_iter().map(|(i, s)| (&self.passages[i], s)).collect()
    }
}

/// Parse JSON Lines into `(1-based line number, row)`, skipping blank lines. Errors name the
/// origin and line.
pub(crate) fn parse_jsonl_rows<T: DeserializeOwned>(text: &str, origin: &str) -> Result<Vec<(usize, T)>> {
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let row =
            serde_json::from_str(line).map_err(|e| Error::config(origin, format!("line {}", i + 1), e.to_string()))?;
        rows.push((i + 1, row));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn builtin_kb_is_valid_and_large_enough() {
        let kb = KnowledgeBase::builtin();
        let zh = kb.passages().iter().filter(|p| p.lang == Lang::Zh).count();
        let en = kb.passages().iter().filter(|p| p.lang == Lang::En).count();
        assert!(zh >= 60, "{zh} Chinese passages");
        assert!(en >= 20, "{en} English passages");
        for p in kb.passages() {
            let n = crate::tokenize::split_sentences(&p.text).len();
            assert!((2..=8).contains(&n), "{}: {n} sentence pieces", p.id);
            assert!(!p.title.is_empty());
            let cjk = crate::tokenize::contains_cjk(&p.text);
            assert_eq!(cjk, p.lang == Lang::Zh, "{}: language tag does not match the text", p.id);
        }
    }

    #[test]
    fn parse_errors_name_line() {
        let err = KnowledgeBase::parse_jsonl("\n{\"id\":\"a\"}\n", "kb.jsonl").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("kb.jsonl") && msg.contains("line 2"), "{msg}");
        assert_eq!(err.kind(), govai_core::ErrorKind::Config);

        let dup = r#"{"id":"a","lang":"zh","title":"t","text":"x。"}
{"id":"a","lang":"en","title":"t","text":"y."}"#;
        let msg = KnowledgeBase::parse_jsonl(dup, "kb.jsonl").unwrap_err().to_string();
        assert!(msg.contains("duplicate"), "{msg}");

        let bad_lang = r#"{"id":"a","lang":"fr","title":"t","text":"x"}"#;
        assert!(KnowledgeBase::parse_jsonl(bad_lang, "kb.jsonl").is_err());
        let empty = r#"{"id":"a","lang":"zh","title":"t","text":"  "}"#;
        assert!(KnowledgeBase::parse_jsonl(empty, "kb.jsonl").unwrap_err().to_string().contains("empty"));
    }

    #[test]
    fn provenance_is_optional_and_round_trips() {
        let plain = r#"{"id":"a","lang":"zh","title":"t","text":"x。"}"#;
        let kb = KnowledgeBase::parse_jsonl(plain, "kb.jsonl").unwrap();
        assert_eq!(kb.passages()[0].source, None);
        assert!(!serde_json::to_string(&kb.passages()[0]).unwrap().contains("source"));

        let with = r#"{"id":"a","lang":"zh","title":"t","text":"x。","source":{"document":"办法","issuer":"示例市人力资源和社会保障局","doc_number":"示人社发〔2024〕12号","date":"2024-03-01","file":"a.pdf","page":2}}"#;
        let kb = KnowledgeBase::parse_jsonl(with, "kb.jsonl").unwrap();
        let src = kb.passages()[0].source.clone().unwrap();
        assert_eq!(src.doc_number.as_deref(), Some("示人社发〔2024〕12号"));
        assert_eq!(src.page, Some(2));
        assert_eq!(src.section, None);
        let back: Passage = serde_json::from_str(&serde_json::to_string(&kb.passages()[0]).unwrap()).unwrap();
        assert_eq!(&back, &kb.passages()[0]);

        let unknown = r#"{"id":"a","lang":"zh","title":"t","text":"x。","source":{"author":"x"}}"#;
        assert!(KnowledgeBase::parse_jsonl(unknown, "kb.jsonl").is_err());
    }

    #[test]
    fn missing_file_is_io_error() {
        let err = KnowledgeBase::from_jsonl("/nonexistent/kb.jsonl").unwrap_err();
        assert_eq!(err.kind(), govai_core::ErrorKind::Io);
        assert!(err.to_string().contains("/nonexistent/kb.jsonl"));
    }
}
