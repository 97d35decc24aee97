//! The answer relevance reviewer (id `relevance`, output stage): the answer and the passages it
//! cites must address the question that was asked.
//!
//! Grounding checks that an answer says what its sources say; it cannot see that the sources
//! are about another matter (retrieval picked 随迁子女入学 for a question about 居住证申领, the
//! passage on 居民身份证 for a lost 社保卡). This reviewer compares the request with the
//! passages the answer cites (all sources when it cites none; the attached documents when there
//! are no sources; without either it passes — the citation reviewer reports `no_sources`):
//!
//! - **Lexical**: the mean of (a) the share of the question's character bigrams, question
//!   frames removed (怎么办, 需要什么, 多少钱, 您好...) and everyday words folded onto the
//!   passages' words (驾照 -> 驾驶证, 补办 -> 补领; the grounding reviewer's folding), that occur
//!   in the passage's title and text, and (b) the share of the passage title's bigrams (its
//!   matter; parenthesised parts dropped) that the question names. The best cited passage
//!   counts.
//! - **Embedding** (optional, `embedding = "models/use-multilingual"`, loaded by the facade): the
//!   cosine of the question with the passage (title and text) through any
//!   [`SimilarityScorer`]; with `embedding_mode = "mean"` (default) the mean of the lexical
//!   score and the cosine is compared with `embedding_threshold`, with `either` the answer is on
//!   topic when either measure reaches its own threshold, with `replace` the cosine alone
//!   decides.
//!
//! Below the threshold: finding `off_topic`, verdict [`RelevanceConfig::verdict`] (Revise by
//! default, Escalate configurable). Questions with fewer than
//! [`RelevanceConfig::min_question_chars`] content characters (greetings, "好的") are not judged.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use aho_corasick::{AhoCorasick, MatchKind};
use govai_core::{Error, Result, Review, ReviewContext, ReviewFinding, Reviewer, Source, Verdict};
use govai_text::normalize::normalize_term;
use serde::{Deserialize, Serialize};

use crate::grounding::{SimilarityScorer, cited_source_indices, fold_synonyms};

/// Reviewer id.
pub const RELEVANCE_ID: &str = "relevance";

/// The finding code of an answer that does not address the question.
pub const OFF_TOPIC: &str = "off_topic";

/// `[reviewers.relevance]` in a deployment file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RelevanceConfig {
    /// Least lexical score (share of the question's content bigrams found in the passage).
    pub threshold: f32,
    /// Questions with fewer normalised content characters are not judged.
    pub min_question_chars: usize,
    /// A sentence-embedding model directory (e.g. `models/use-multilingual`), loaded by the
    /// facade. None: lexical only.
    pub embedding: Option<PathBuf>,
    /// With `embedding`: the least score on the embedding side — in `mean` mode the mean of
    /// the lexical score and the cosine, in `either` and `replace` the cosine.
    pub embedding_threshold: f32,
    /// With `embedding`: `mean` (default: the mean of the lexical score and the cosine reaches
    /// `embedding_threshold`), `either` (the lexical score reaches `threshold` OR the cosine
    /// reaches `embedding_threshold`) or `replace` (the cosine alone).
    pub embedding_mode: RelevanceMode,
    /// Verdict of `off_topic`: `revise` (default) or `escalate`.
    pub verdict: Verdict,
}

/// How the relevance reviewer combines the cosine with the lexical score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelevanceMode {
    /// (lexical + cosine) / 2 against `embedding_threshold`: the two measures miss different
    /// questions (a synonym the folding lacks; a neighbouring matter with the same words).
    #[default]
    Mean,
    /// On topic when either measure reaches its own threshold.
    Either,
    /// The cosine alone.
    Replace,
}

impl Default for RelevanceConfig {
    fn default() -> Self {
        Self {
            threshold: 0.15,
            min_question_chars: 2,
            embedding: None,
            embedding_threshold: 0.3,
            embedding_mode: RelevanceMode::Mean,
            verdict: Verdict::Revise,
        }
    }
}

impl RelevanceConfig {
    /// Check the values: thresholds within [0, 1], verdict Revise or Escalate.
    pub fn validate(&self) -> Result<()> {
        let bad = |k: &str, m: &str| Err(Error::InvalidInput(format!("reviewers.relevance.{k}: {m}")));
        if !(0.0..=1.0).contains(&self.threshold) {
            return bad("threshold", "must be within [0, 1]");
        }
        if !(0.0..=1.0).contains(&self.embedding_threshold) {
            return bad("embedding_threshold", "must be within [0, 1]");
        }
        if !matches!(self.verdict, Verdict::Revise | Verdict::Escalate) {
            return bad("verdict", "must be `revise` or `escalate`");
        }
        Ok(())
    }
}

/// Question frames and courtesy words: they say that something is asked, not what.
const FRAMES: &[&str] = &[
    "您好",
    "你好",
    "请问",
    "想问一下",
    "想问",
    "问一下",
    "咨询一下",
    "咨询",
    "谢谢",
    "为什么",
    "有没有",
    "能不能",
    "可不可以",
    "是不是",
    "怎么办理",
    "怎么办",
    "怎么",
    "怎样",
    "如何",
    "什么时候",
    "什么",
    "哪些",
    "哪里",
    "哪个",
    "多少钱",
    "多少",
    "多久",
    "多长时间",
    "需要",
    "要带",
    "要准备",
    "准备",
    "材料",
    "可以",
    "能否",
    "一下",
    "我们",
    "你们",
    "我想",
    "想要",
    "现在",
    "已经",
    "应该",
    "的",
    "了",
    "吗",
    "呢",
    "吧",
    "啊",
    "呀",
    "么",
    "我",
    "你",
    "您",
    "要",
    "想",
    "能",
    "还",
    "都",
    "就",
    "是",
    "有",
    "在",
    "去",
    "到",
    "和",
    "跟",
];

static FRAMES_AC: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(FRAMES).expect("frame patterns build (tested)")
});

/// The content bigrams of a question: normalised, synonyms folded, frames cut out (no bigram
/// spans a cut).
fn question_grams(question: &str) -> (HashSet<(char, char)>, usize) {
    let norm = normalize_term(question);
    let folded = fold_synonyms(&norm);
    let mut grams = HashSet::new();
    let mut content = 0usize;
    let mut last = 0;
    let mut add_run = |run: &str| {
        let chars: Vec<char> = run.chars().collect();
        content += chars.len();
        grams.extend(chars.windows(2).map(|w| (w[0], w[1])));
    };
    for m in FRAMES_AC.find_iter(folded.as_ref()) {
        add_run(&folded[last..m.start()]);
        last = m.end();
    }
    add_run(&folded[last..]);
    (grams, content)
}

/// The share of a title's bigrams (normalised, synonyms folded, parenthesised parts such as
/// 「（购房）」 dropped) that the question contains: does the question name the passage's
/// matter? None for an empty title.
fn title_coverage(title: &str, question: &str) -> Option<f32> {
    let mut plain = String::new();
    let mut depth = 0usize;
    for c in title.chars() {
        match c {
            '（' | '(' | '【' | '[' => depth += 1,
            '）' | ')' | '】' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    let t = text_grams(&plain);
    if t.is_empty() {
        return None;
    }
    let q = text_grams(question);
    Some(t.iter().filter(|g| q.contains(g)).count() as f32 / t.len() as f32)
}

/// The bigrams of a passage (normalised, synonyms folded).
fn text_grams(text: &str) -> HashSet<(char, char)> {
    let folded = fold_synonyms(&normalize_term(text)).into_owned();
    let chars: Vec<char> = folded.chars().collect();
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

/// Reviewer id `relevance`.
#[derive(Debug, Clone)]
pub struct RelevanceReviewer {
    config: RelevanceConfig,
    scorer: Option<Arc<dyn SimilarityScorer>>,
}

impl Default for RelevanceReviewer {
    fn default() -> Self {
        Self::new(RelevanceConfig::default())
    }
}

impl RelevanceReviewer {
    /// Lexical only (an `embedding` path in the config is loaded by the facade, not here).
    pub fn new(config: RelevanceConfig) -> Self {
        Self { config, scorer: None }
    }

    /// With an embedding scorer (cosine on its own scale, compared with `embedding_threshold`).
    pub fn with_scorer(config: RelevanceConfig, scorer: Arc<dyn SimilarityScorer>) -> Self {
        Self { config, scorer: Some(scorer) }
    }

    /// The config.
    pub fn config(&self) -> &RelevanceConfig {
        &self.config
    }

    /// The passages to judge: those the answer cites, else all sources.
    fn passages<'a>(ctx: &'a ReviewContext<'_>) -> Vec<&'a Source> {
        let cited = cited_source_indices(ctx.output);
        let picked: Vec<&Source> = ctx.sources.iter().filter(|s| cited.contains(&s.index)).collect();
        if picked.is_empty() { ctx.sources.iter().collect() } else { picked }
    }

    /// (lexical score, cosine if a scorer is set) of the question against the best passage.
    pub fn scores(&self, ctx: &ReviewContext<'_>) -> Result<Option<(f32, Option<f32>)>> {
        let (q, content) = question_grams(ctx.request);
        if content < self.config.min_question_chars || q.is_empty() {
            return Ok(None);
        }
        let passages = Self::passages(ctx);
        let (texts, titles): (Vec<String>, Vec<&str>) = if passages.is_empty() {
            let texts = if ctx.documents.is_empty() { vec![ctx.output.to_owned()] } else { ctx.documents.to_vec() };
            // (The answer itself only for `scores` called without passages.)
            let n = texts.len();
            (texts, vec![""; n])
        } else {
            passages.iter().map(|s| (format!("{}。{}", s.title, s.text), s.title.as_str())).unzip()
        };
        // Per passage: the mean of how much of the question the passage covers and how much of
        // the passage's title (its matter) the question names; the best passage counts.
        let lexical = texts
            .iter()
            .zip(&titles)
            .map(|(t, title)| {
                let g = text_grams(t);
                let covered = q.iter().filter(|x| g.contains(x)).count() as f32 / q.len() as f32;
                match title_coverage(title, ctx.request) {
                    Some(named) => (covered + named) / 2.0,
                    None => covered,
                }
            })
            .fold(0.0f32, f32::max);
        let cosine = match &self.scorer {
            None => None,
            Some(s) => {
                let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
                Some(s.scores(ctx.request, &refs)?.into_iter().fold(0.0f32, f32::max))
            }
        };
        Ok(Some((lexical, cosine)))
    }
}

impl Reviewer for RelevanceReviewer {
    fn id(&self) -> &str {
        RELEVANCE_ID
    }

    fn review(&self, ctx: &ReviewContext<'_>) -> Result<Review> {
        // Nothing to judge against without passages (the citation reviewer reports `no_sources`).
        if ctx.output.trim().is_empty()
            || ctx.request.trim().is_empty()
            || (ctx.sources.is_empty() && ctx.documents.is_empty())
        {
            return Ok(Review::pass());
        }
        let Some((lexical, cosine)) = self.scores(ctx)? else { return Ok(Review::pass()) };
        let lex_ok = lexical >= self.config.threshold;
        let on_topic = match (cosine, self.config.embedding_mode) {
            (None, _) => lex_ok,
            (Some(c), RelevanceMode::Mean) => (lexical + c) / 2.0 >= self.config.embedding_threshold,
            (Some(c), RelevanceMode::Either) => lex_ok || c >= self.config.embedding_threshold,
            (Some(c), RelevanceMode::Replace) => c >= self.config.embedding_threshold,
        };
        if on_topic {
            return Ok(Review::pass());
        }
        let what = if ctx.sources.is_empty() { "答复" } else { "所引用的资料" };
        let t = self.config.embedding_threshold;
        let cos = match (cosine, self.config.embedding_mode) {
            (None, _) => String::new(),
            (Some(c), RelevanceMode::Mean) => {
                format!("，语义相似度 {c:.2}，两者平均 {:.2}（阈值 {t:.2}）", (lexical + c) / 2.0)
            }
            (Some(c), _) => format!("，语义相似度 {c:.2}（阈值 {t:.2}）"),
        };
        let titles: Vec<String> = Self::passages(ctx).iter().map(|s| format!("《{}》", s.title.trim())).collect();
        let about = if titles.is_empty() { String::new() } else { format!("（{}）", titles.join("、")) };
        Ok(Review::from_findings(vec![ReviewFinding {
            reviewer: RELEVANCE_ID.to_owned(),
            code: OFF_TOPIC.to_owned(),
            message: format!(
                "{what}{about}似乎没有回答所问的问题「{}」：问题与资料的词语重合度 {lexical:.2}（阈值 {:.2}）{cos}",
                ctx.request.trim().chars().take(60).collect::<String>(),
                self.config.threshold
            ),
            verdict: self.config.verdict,
            span: None,
        }]))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn src(title: &str, text: &str) -> Source {
        Source { index: 1, id: "k".into(), title: title.into(), text: text.into(), url: None, score: 1.0 }
    }

    fn review(q: &str, answer: &str, s: &Source) -> Review {
        let spec = govai_core::scenario::builtin("intelligent_qa").unwrap();
        let sources = vec![s.clone()];
        let ctx = ReviewContext { scenario: &spec, request: q, output: answer, sources: &sources, documents: &[] };
        RelevanceReviewer::default().review(&ctx).unwrap()
    }

    #[test]
    fn off_topic_passage_is_flagged() {
        let id = src("居住证申领", "在本市居住满半年的非本市户籍人员，可申领居住证，公安机关15个工作日内制发。");
        let rv = review("驾照丢了怎么补办？", "居住满半年的可申领居住证[1]。", &id);
        assert_eq!(rv.verdict, Verdict::Revise);
        assert_eq!(rv.findings[0].code, OFF_TOPIC);
        let card = src("社保卡挂失与补办", "社保卡遗失的，可拨打12333挂失，到社保卡服务网点补办。");
        assert_eq!(review("社保卡丢了，怎么挂失补办？", "拨打12333挂失[1]。", &card).verdict, Verdict::Pass);
        // Greetings are not judged.
        assert_eq!(review("您好", "您好，请问有什么可以帮您？", &id).verdict, Verdict::Pass);
    }

    #[test]
    fn config() {
        let c: RelevanceConfig = serde_json::from_str(r#"{"verdict": "escalate", "threshold": 0.3}"#).unwrap();
        assert_eq!((c.verdict, c.threshold), (Verdict::Escalate, 0.3));
        assert!(c.validate().is_ok());
        assert!(RelevanceConfig { verdict: Verdict::Pass, ..RelevanceConfig::default() }.validate().is_err());
        assert!(serde_json::from_str::<RelevanceConfig>(r#"{"treshold": 0.3}"#).is_err());
    }
}
