//! The extractive FAQ answerer: BM25 over a knowledge base, answers copied verbatim from the best
//! passages, each cited as `[n]`.

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, RwLock};

use govai_core::{
    DataLevel, Error, Filing, InferenceInput, InferenceOutput, Location, Model, ModelInfo, ModelKind, Result, Source,
    async_trait,
};
use serde::{Deserialize, Serialize};

use crate::bm25::unique;
use crate::hybrid::{DenseIndex, Embedder, Fusion, cosine, fuse, rank};
use crate::kb::{KnowledgeBase, Passage};
use crate::tokenize::{contains_cjk, split_sentences, tokenize};

/// Answer when nothing relevant is found (Chinese query).
pub const NOT_FOUND_ZH: &str = "未在知识库中找到与该问题相关的内容。";
/// Answer when nothing relevant is found (non-Chinese query).
pub const NOT_FOUND_EN: &str = "No relevant content was found in the knowledge base for this question.";

/// Default [`FaqConfig::min_similarity`], set for the multilingual USE from
/// `cargo run -p govai --example kb_retrieval_eval` (calibration lines): the 26 questions of
/// `kb/direct_questions.jsonl` have cosine 0.36-0.68 with their passage, the 7 off-topic
/// questions of the not-found test at most 0.12 with any passage; 0.3 lies between with a margin
/// on both sides. The paraphrase set was not used. Other models need their own value (MiniLM
/// gives Chinese off-topic questions up to 0.66, since it sees Chinese as unknown tokens).
pub(crate) const DEFAULT_MIN_SIMILARITY: f32 = 0.3;

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
    /// BM25 candidates fetched before the thresholds apply (with an embedder: fused
    /// candidates).
    pub candidates: usize,
    /// With an embedder only: a passage whose cosine similarity with the query reaches this is
    /// used even below `min_coverage` (a paraphrase that shares few words with the passage).
    /// Calibrated for the multilingual USE (`models/use-multilingual`); see [`FaqModel::with_embedder`].
    pub min_similarity: f32,
    /// With an embedder only: how BM25 and cosine scores are combined.
    pub fusion: Fusion,
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
            min_similarity: DEFAULT_MIN_SIMILARITY,
            fusion: Fusion::default(),
        }
    }
}

/// Extractive question answering over a [`KnowledgeBase`] (kind [`ModelKind::Retrieve`]).
///
/// `infer` searches with `input.query` (the prompt if the query is blank; with the previous user turn
/// when the question is a follow-up, see [`crate::retrieval_query`]), also scoring
/// `input.documents` as extra passages `doc-1`, `doc-2`, ... with the knowledge base's
/// statistics; keeps up to 3 passages above the thresholds of [`FaqConfig`]; and from each copies
/// the sentence(s) most relevant to the query. The answer is a short frame around verbatim
/// sentences — `根据《标题》[1]：<sentences>` (Chinese query) or `According to "Title" [1]:
/// <sentences>` — one line per cited passage, with [`InferenceOutput::sources`] filled. Nothing
/// in the answer is generated. `confidence` is the IDF-weighted share of query terms that the best
/// passage contains.
///
/// With an [`Embedder`] ([`with_embedder`](Self::with_embedder)) retrieval is hybrid: every
/// passage (title and text) is embedded once at build time; a query is embedded, its cosine
/// with every passage and attached document is fused with the BM25 score
/// ([`FaqConfig::fusion`]), candidates are ordered by the fused score, and a candidate counts
/// as relevant when it passes `min_coverage` *or* `min_similarity`. Source scores are then the
/// fused scores. Without an embedder the behaviour is exactly the BM25 one.
///
/// Immutable after construction; `Send + Sync`.
///
/// The knowledge base can be replaced while the model serves ([`replace_knowledge_base`](Self::replace_knowledge_base)):
/// a request answers from the version it started with. Clones share the knowledge base they
/// answer from (a RAG model's retriever is a clone), so replacing it on one replaces it on all.
#[derive(Debug, Clone)]
pub struct FaqModel {
    info: ModelInfo,
    config: FaqConfig,
    embedder: Option<Arc<dyn Embedder>>,
    live: Arc<RwLock<Arc<Snapshot>>>,
}

/// One knowledge-base version, indexed: what a request answers from.
#[derive(Debug)]
struct Snapshot {
    kb: Arc<KnowledgeBase>,
    /// Passage vectors (hybrid retrieval only).
    dense: Option<DenseIndex>,
    /// The version, when the knowledge base is versioned.
    version: Option<u64>,
}

/// The embedder and the passage vectors computed with it.
#[derive(Clone, Copy)]
struct Dense<'a> {
    embedder: &'a dyn Embedder,
    index: &'a DenseIndex,
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
    /// Cosine with the query (hybrid only; 0 otherwise).
    similarity: f32,
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

    /// Over an already loaded knowledge base (share one with `Arc` between models), default [`FaqConfig`].
    pub fn new(kb: Arc<KnowledgeBase>, info: ModelInfo) -> Self {
        let snapshot = Snapshot { kb, dense: None, version: None };
        Self { info, config: FaqConfig::default(), embedder: None, live: Arc::new(RwLock::new(Arc::new(snapshot))) }
    }

    /// Replace the tuning. Call before [`with_embedder`](Self::with_embedder), which validates [`FaqConfig::fusion`].
    pub fn with_config(mut self, config: FaqConfig) -> Self {
        self.config = config;
        self
    }

    /// Hybrid retrieval with `embedder`: embeds every passage now (one call, title and text).
    /// Errors when the embedder fails or returns vectors of differing dimensions.
    pub fn with_embedder(mut self, embedder: Arc<dyn Embedder>) -> Result<Self> {
        self.config.fusion.validate()?;
        let current = self.snapshot();
        let dense = Some(embed_passages(embedder.as_ref(), &current.kb)?);
        let snapshot = Snapshot { kb: current.kb.clone(), dense, version: current.version };
        self.embedder = Some(embedder);
        self.live = Arc::new(RwLock::new(Arc::new(snapshot)));
        Ok(self)
    }

    /// Answer from `kb` (knowledge-base `version`, cited in answers) from the next request on,
    /// here and in every clone. With an embedder, the passages are embedded first; on error
    /// nothing changes.
    pub fn replace_knowledge_base(&self, kb: Arc<KnowledgeBase>, version: Option<u64>) -> Result<()> {
        let dense = self.embedder.as_ref().map(|e| embed_passages(e.as_ref(), &kb)).transpose()?;
        let snapshot = Arc::new(Snapshot { kb, dense, version });
        *self.live.write().unwrap_or_else(std::sync::PoisonError::into_inner) = snapshot;
        Ok(())
    }

    /// The knowledge-base version answers cite (None unless set by [`replace_knowledge_base`](Self::replace_knowledge_base)).
    pub fn knowledge_base_version(&self) -> Option<u64> {
        self.snapshot().version
    }

    /// The embedder, when retrieval is hybrid.
    pub fn embedder(&self) -> Option<&Arc<dyn Embedder>> {
        self.embedder.as_ref()
    }

    /// The tuning in use.
    pub fn config(&self) -> &FaqConfig {
        &self.config
    }

    /// The knowledge base answers come from now.
    pub fn knowledge_base(&self) -> Arc<KnowledgeBase> {
        self.snapshot().kb.clone()
    }

    fn snapshot(&self) -> Arc<Snapshot> {
        self.live.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
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

    /// Answer `query` from the knowledge base and the attached `documents`. Infallible: with an
    /// embedder, an embedding failure falls back to the BM25 answer; [`try_answer`](Self::try_answer)
    /// (what `infer` uses) reports it instead.
    pub fn answer(&self, query: &str, documents: &[String]) -> InferenceOutput {
        self.try_answer(query, documents)
            .unwrap_or_else(|_| self.answer_with(&self.snapshot(), query, documents, None).unwrap_or_default())
    }

    /// Answer `query` from the knowledge base and the attached `documents` (what `infer` does).
    /// Errors only with an embedder, when embedding the query or a document fails.
    pub fn try_answer(&self, query: &str, documents: &[String]) -> Result<InferenceOutput> {
        let snapshot = self.snapshot();
        let dense = match (&self.embedder, &snapshot.dense) {
            (Some(e), Some(index)) => Some(Dense { embedder: e.as_ref(), index }),
            _ => None,
        };
        self.answer_with(&snapshot, query, documents, dense)
    }

    fn answer_with(
        &self,
        snapshot: &Snapshot,
        query: &str,
        documents: &[String],
        dense: Option<Dense<'_>>,
    ) -> Result<InferenceOutput> {
        let kb = snapshot.kb.as_ref();
        // Pseudonymisation placeholders (〔身份证号1〕) say nothing about the topic; their
        // rare characters would otherwise dominate the query and hide the real question.
        let stripped = strip_placeholders(query);
        let query = stripped.as_str();
        let zh = contains_cjk(query);
        // The version is kept when nothing is found: it says what the knowledge base lacked.
        let not_found = || InferenceOutput {
            text: if zh { NOT_FOUND_ZH } else { NOT_FOUND_EN }.to_owned(),
            kb_version: snapshot.version,
            ..Default::default()
        };
        let q = tokenize(query);
        let index = kb.index();
        let terms: Vec<(&String, f32)> = unique(&q).map(|t| (t, index.idf(t))).collect();
        let total: f32 = terms.iter().map(|(_, w)| w).sum();
        if terms.is_empty() || total <= 0.0 {
            return Ok(not_found());
        }

        let mut candidates = match dense {
            None => self.lexical_candidates(kb, &q, &terms, total, documents),
            Some(d) => self.hybrid_candidates(kb, d, query, &q, &terms, total, documents)?,
        };
        let today = crate::kb::today();
        candidates.retain(|c| match c.origin {
            Origin::Kb(i) => kb.in_force(i, &today),
            Origin::Doc(_) => true,
        });
        let accepted = |c: &Candidate| {
            c.coverage >= self.config.min_coverage || (dense.is_some() && c.similarity >= self.config.min_similarity)
        };
        let Some(best) = candidates.iter().find(|c| accepted(c)).copied() else {
            return Ok(not_found());
        };
        let chosen: Vec<Candidate> = candidates
            .iter()
            .filter(|c| accepted(c) && c.score >= self.config.relative_score * best.score)
            .take(self.config.max_passages.max(1))
            .copied()
            .collect();
        let confidence = if dense.is_some() { best.coverage.max(best.similarity) } else { best.coverage };

        let mut lines = Vec::with_capacity(chosen.len());
        let mut sources = Vec::with_capacity(chosen.len());
        for (k, c) in chosen.iter().enumerate() {
            let n = k + 1;
            let (id, title, text, url) = match c.origin {
                Origin::Kb(i) => {
                    let p: &Passage = &kb.passages()[i];
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
        Ok(InferenceOutput {
            text: lines.join("\n"),
            sources,
            label: None,
            confidence: Some(confidence.clamp(0.0, 1.0)),
            kb_version: snapshot.version,
            ..InferenceOutput::default()
        })
    }

    /// BM25 candidates, best first (the behaviour without an embedder).
    fn lexical_candidates(
        &self,
        kb: &KnowledgeBase,
        q: &[String],
        terms: &[(&String, f32)],
        total: f32,
        documents: &[String],
    ) -> Vec<Candidate> {
        let index = kb.index();
        let mut candidates: Vec<Candidate> = index
            .search_tokens(q, self.config.candidates.max(self.config.max_passages))
            .into_iter()
            .map(|(i, score)| {
                let hit: f32 = terms.iter().filter(|(t, _)| index.contains(i, t)).map(|(_, w)| w).sum();
                Candidate { origin: Origin::Kb(i), score, coverage: hit / total, similarity: 0.0 }
            })
            .collect();
        for (j, doc) in documents.iter().enumerate() {
            let toks = tokenize(doc);
            let score = index.score_text(q, &toks);
            if score > 0.0 {
                let set: HashSet<&str> = toks.iter().map(String::as_str).collect();
                let hit: f32 = terms.iter().filter(|(t, _)| set.contains(t.as_str())).map(|(_, w)| w).sum();
                candidates.push(Candidate { origin: Origin::Doc(j), score, coverage: hit / total, similarity: 0.0 });
            }
        }
        candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
        candidates
    }

    /// Fused candidates over every passage and attached document, best first.
    #[allow(clippy::too_many_arguments)]
    fn hybrid_candidates(
        &self,
        kb: &KnowledgeBase,
        dense: Dense<'_>,
        query: &str,
        q: &[String],
        terms: &[(&String, f32)],
        total: f32,
        documents: &[String],
    ) -> Result<Vec<Candidate>> {
        let coverage_of = |has: &dyn Fn(&str) -> bool| -> f32 {
            terms.iter().filter(|(t, _)| has(t.as_str())).map(|(_, w)| w).sum::<f32>() / total
        };
        let index = kb.index();
        let n = kb.len();
        let mut lexical = vec![0.0_f32; n];
        for (i, s) in index.search_tokens(q, n) {
            lexical[i] = s;
        }
        let doc_tokens: Vec<Vec<String>> = documents.iter().map(|d| tokenize(d)).collect();
        lexical.extend(doc_tokens.iter().map(|t| index.score_text(q, t)));

        let qv = dense.index.embed_query(dense.embedder, query)?;
        let mut similarity = dense.index.similarities(&qv)?;
        if !documents.is_empty() {
            let refs: Vec<&str> = documents.iter().map(String::as_str).collect();
            let dv = dense.embedder.embed(&refs)?;
            if dv.len() != documents.len() {
                return Err(Error::InvalidInput(format!(
                    "embedder returned {} vectors for {} documents",
                    dv.len(),
                    documents.len()
                )));
            }
            for v in &dv {
                if v.len() != qv.len() {
                    return Err(Error::InvalidInput(format!(
                        "embedding dimension mismatch: document has {} dimensions, query {}",
                        v.len(),
                        qv.len()
                    )));
                }
                similarity.push(cosine(&qv, v));
            }
        }
        let fused = fuse(&lexical, &similarity, self.config.fusion)?;
        Ok(rank(&fused, self.config.candidates.max(self.config.max_passages))
            .into_iter()
            .map(|(i, score)| {
                let (origin, coverage) = if i < n {
                    (Origin::Kb(i), coverage_of(&|t| index.contains(i, t)))
                } else {
                    let set: HashSet<&str> = doc_tokens[i - n].iter().map(String::as_str).collect();
                    (Origin::Doc(i - n), coverage_of(&|t| set.contains(t)))
                };
                Candidate { origin, score, coverage, similarity: similarity[i] }
            })
            .collect())
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
        self.try_answer(&crate::retrieval_query(input), &input.documents)
    }
}

/// The passage vectors of `kb` (title and text of each passage).
fn embed_passages(embedder: &dyn Embedder, kb: &KnowledgeBase) -> Result<DenseIndex> {
    let texts: Vec<String> = kb.passages().iter().map(|p| format!("{}\n{}", p.title, p.text)).collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    DenseIndex::build(embedder, &refs)
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
