//! The extractive FAQ answerer: BM25 over a knowledge base, answers copied verbatim from the best
//! passages, each cited as `[n]`.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use govai_core::{
    DataLevel, Filing, InferenceInput, InferenceOutput, Location, Model, ModelInfo, ModelKind, Result, Source,
    async_trait,
};
use serde::{Deserialize, Serialize};

use crate::bm25::unique;
use crate::kb::{KnowledgeBase, Passage};
use crate::tokenize::{contains_cjk, split_sentences, tokenize};

/// Answer when nothing relevant is found (Chinese query).
pub const NOT_FOUND_ZH: &str = "未在知识库中找到与该问题相关的内容。";
/// Answer when nothing relevant is found (non-Chinese query).
pub const NOT_FOUND_EN: &str = "No relevant content was found in the knowledge base for this question.";

/// Tuning of [`FaqModel`]. The defaults suit the shipped knowledge base.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaqConfig {
    /// At most this many passages are cited.
    pub max_passages: usize,
    /// At most this many sentences are copied from each cited passage.
    pub max_sentences: usize,
    /// Absolute threshold: a passage is used only if it contains at least this share of the
    /// query's terms, weighted by IDF (0..=1). Below it for the best passage => "not found".
    pub min_coverage: f32,
    /// Relative threshold: passages after the first must score at least this share of the best
    /// BM25 score.
    pub relative_score: f32,
    /// A sentence is copied if its query-term weight is at least this share of the best
    /// sentence's in the same passage.
    pub relative_sentence: f32,
    /// BM25 candidates fetched before the thresholds apply.
    pub candidates: usize,
}

impl Default for FaqConfig {
    fn default() -> Self {
        Self {
            max_passages: 3,
            max_sentences: 2,
            min_coverage: 0.3,
            relative_score: 0.7,
            relative_sentence: 0.6,
            candidates: 10,
        }
    }
}

/// Extractive question answering over a [`KnowledgeBase`] (kind [`ModelKind::Retrieve`]).
///
/// `infer` searches with `input.query` (the prompt if the query is blank), also scoring
/// `input.documents` as extra passages `doc-1`, `doc-2`, ... with the knowledge base's
/// statistics; keeps up to 3 passages above the thresholds of [`FaqConfig`]; and from each copies
/// the sentence(s) most relevant to the query. The answer is a short frame around verbatim
/// sentences — `根据《标题》[1]：<sentences>` (Chinese query) or `According to "Title" [1]:
/// <sentences>` — one line per cited passage, with [`InferenceOutput::sources`] filled. Nothing
/// in the answer is generated. `confidence` is the IDF-weighted share of query terms that the best
/// passage contains.
///
/// Immutable after construction; `Send + Sync`.
#[derive(Debug, Clone)]
pub struct FaqModel {
    info: ModelInfo,
    kb: Arc<KnowledgeBase>,
    config: FaqConfig,
}

/// Where a candidate passage comes from.
#[derive(Debug, Clone, Copy)]
enum Origin {
    Kb(usize),
    Doc(usize),
}

#[derive(Debug, Clone, Copy)]
struct Candidate {
    origin: Origin,
    score: f32,
    coverage: f32,
}

impl FaqModel {
    /// Over the shipped sample knowledge base (embedded; no files needed).
    pub fn builtin(info: ModelInfo) -> Self {
        Self::new(KnowledgeBase::builtin(), info)
    }

    /// Over a JSON Lines knowledge base file (see `kb/README.md` for the format).
    pub fn from_jsonl(path: impl AsRef<Path>, info: ModelInfo) -> Result<Self> {
        Ok(Self::new(Arc::new(KnowledgeBase::from_jsonl(path)?), info))
    }

    pub fn new(kb: Arc<KnowledgeBase>, info: ModelInfo) -> Self {
        Self { info, kb, config: FaqConfig::default() }
    }

    pub fn with_config(mut self, config: FaqConfig) -> Self {
        self.config = config;
        self
    }

    pub fn config(&self) -> &FaqConfig {
        &self.config
    }

    pub fn knowledge_base(&self) -> &Arc<KnowledgeBase> {
        &self.kb
    }

    /// A suitable [`ModelInfo`] for the built-in answerer: id `govai-faq`, this crate's version,
    /// on premises, no filing needed (nothing is generated). The clearance (`Sensitive`) is a
    /// default; a deployment sets its own.
    pub fn default_info() -> ModelInfo {
        ModelInfo {
            id: "govai-faq".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            kind: ModelKind::Retrieve,
            clearance: DataLevel::Sensitive,
            location: Location::OnPremises,
            filing: Filing::default(),
        }
    }

    /// Answer `query` from the knowledge base and the attached `documents` (what `infer` does).
    pub fn answer(&self, query: &str, documents: &[String]) -> InferenceOutput {
        // Pseudonymisation placeholders (〔身份证号1〕) say nothing about the topic; their
        // rare characters would otherwise dominate the query and hide the real question.
        let stripped = strip_placeholders(query);
        let query = stripped.as_str();
        let zh = contains_cjk(query);
        let not_found =
            || InferenceOutput { text: if zh { NOT_FOUND_ZH } else { NOT_FOUND_EN }.to_owned(), ..Default::default() };
        let q = tokenize(query);
        let index = self.kb.index();
        let terms: Vec<(&String, f32)> = unique(&q).map(|t| (t, index.idf(t))).collect();
        let total: f32 = terms.iter().map(|(_, w)| w).sum();
        if terms.is_empty() || total <= 0.0 {
            return not_found();
        }

        let mut candidates: Vec<Candidate> = index
            .search_tokens(&q, self.config.candidates.max(self.config.max_passages))
            .into_iter()
            .map(|(i, score)| {
                let hit: f32 = terms.iter().filter(|(t, _)| index.contains(i, t)).map(|(_, w)| w).sum();
                Candidate { origin: Origin::Kb(i), score, coverage: hit / total }
            })
            .collect();
        for (j, doc) in documents.iter().enumerate() {
            let toks = tokenize(doc);
            let score = index.score_text(&q, &toks);
            if score > 0.0 {
                let set: HashSet<&str> = toks.iter().map(String::as_str).collect();
                let hit: f32 = terms.iter().filter(|(t, _)| set.contains(t.as_str())).map(|(_, w)| w).sum();
                candidates.push(Candidate { origin: Origin::Doc(j), score, coverage: hit / total });
            }
        }
        candidates.sort_by(|a, b| b.score.total_cmp(&a.score));

        let Some(best) = candidates.iter().find(|c| c.coverage >= self.config.min_coverage).copied() else {
            return not_found();
        };
        let chosen: Vec<Candidate> = candidates
            .iter()
            .filter(|c| c.coverage >= self.config.min_coverage && c.score >= self.config.relative_score * best.score)
            .take(self.config.max_passages.max(1))
            .copied()
            .collect();

        let mut lines = Vec::with_capacity(chosen.len());
        let mut sources = Vec::with_capacity(chosen.len());
        for (k, c) in chosen.iter().enumerate() {
            let n = k + 1;
            let (id, title, text, url) = match c.origin {
                Origin::Kb(i) => {
                    let p: &Passage = &self.kb.passages()[i];
                    (p.id.clone(), p.title.clone(), p.text.clone(), p.url.clone())
                }
                Origin::Doc(j) => {
                    let text = documents[j].clone();
                    let title =
                        if contains_cjk(&text) { format!("附件{}", j + 1) } else { format!("Attachment {}", j + 1) };
                    (format!("doc-{}", j + 1), title, text, None)
                }
            };
            let body = self.pick_sentences(&text, &terms);
            lines.push(if zh {
                format!("根据《{title}》[{n}]：{body}")
            } else {
                format!("According to \"{title}\" [{n}]: {body}")
            });
            sources.push(Source { index: n, id, title, text, url, score: c.score });
        }
        InferenceOutput {
            text: lines.join("\n"),
            sources,
            label: None,
            confidence: Some(best.coverage.clamp(0.0, 1.0)),
        }
    }

    /// The sentence(s) of `text` that carry most query-term weight, in passage order, joined
    /// verbatim. Falls back to the first sentence when the passage matched only on its title.
    fn pick_sentences(&self, text: &str, terms: &[(&String, f32)]) -> String {
        let sentences = split_sentences(text);
        let scored: Vec<(usize, f32)> = sentences
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let toks: HashSet<String> = tokenize(s).into_iter().collect();
                (i, terms.iter().filter(|(t, _)| toks.contains(*t)).map(|(_, w)| w).sum())
            })
            .collect();
        let top = scored.iter().map(|&(_, s)| s).fold(0.0_f32, f32::max);
        let mut picked: Vec<(usize, f32)> = if top > 0.0 {
            scored.into_iter().filter(|&(_, s)| s > 0.0 && s >= self.config.relative_sentence * top).collect()
        } else {
            vec![(0, 0.0)]
        };
        picked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        picked.truncate(self.config.max_sentences.max(1));
        picked.sort_by_key(|&(i, _)| i);
        let mut body = String::new();
        for (i, _) in picked {
            let Some(s) = sentences.get(i) else { continue };
            if body.chars().last().is_some_and(|c| c.is_ascii()) {
                body.push(' ');
            }
            body.push_str(s);
        }
        body
    }
}

#[async_trait]
impl Model for FaqModel {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    async fn infer(&self, input: &InferenceInput) -> Result<InferenceOutput> {
        let query = if input.query.trim().is_empty() { &input.prompt } else { &input.query };
        Ok(self.answer(query, &input.documents))
    }
}

/// Remove `〔...〕` placeholders inserted by the pipeline's pseudonymisation step, and the
/// short label in front of each ("身份证号〔身份证号1〕", "我叫〔姓名1〕"): a clause that holds a
/// placeholder and at most 6 other characters only identifies the asker.
fn strip_placeholders(query: &str) -> String {
    const SEPARATORS: &[char] = &['，', ',', '。', '；', ';', '、', '：', ':', '\n', ' ', '！', '？', '?', '!'];
    let mut out = String::with_capacity(query.len());
    for clause in query.split_inclusive(SEPARATORS) {
        let mut rest = String::new();
        let mut depth = 0usize;
        let mut had_placeholder = false;
        for c in clause.chars() {
            match c {
                '〔' => {
                    depth += 1;
                    had_placeholder = true;
                }
                '〕' if depth > 0 => depth -= 1,
                _ if depth == 0 => rest.push(c),
                _ => {}
            }
        }
        let body = rest.trim_end_matches(SEPARATORS).chars().count();
        if !(had_placeholder && body <= 6) {
            out.push_str(&rest);
        }
    }
    out
}

#[cfg(test)]
mod placeholder_tests {
    use super::*;

    #[test]
    fn placeholders_do_not_hide_the_question() {
        assert_eq!(strip_placeholders("我叫〔姓名1〕，手机〔手机号1〕，公积金"), "公积金");
        assert_eq!(strip_placeholders("我想把公积金转到〔地址1〕去，怎么办"), "我想把公积金转到去，怎么办");
        let m = FaqModel::builtin(FaqModel::default_info());
        let plain = m.answer("想问公积金怎么提取？", &[]);
        let masked = m.answer("我叫〔姓名1〕，身份证号〔身份证号1〕，手机〔手机号1〕，想问公积金怎么提取？", &[]);
        assert!(!plain.sources.is_empty());
        assert_eq!(masked.sources.first().map(|s| &s.id), plain.sources.first().map(|s| &s.id));
    }
}
