//! The grounding reviewer (id `grounding`): every answer sentence must be close to something the
//! sources say, and every named entity of the answer must occur in a source.
//!
//! It complements the [`super::CitationReviewer`] (markers, numbers, dates, fees, phones, URLs,
//! 《》 titles) with two checks that need no number in the sentence:
//!
//! 1. **Sentence similarity.** Each answer sentence (citation markers removed, normalised as the
//!    lexicon normalises: NFKC, traditional -> simplified, lower case, no spaces or punctuation) is
//!    scored against every source sentence and every pair of adjacent source sentences (titles,
//!    passages, attached documents and the request all count as evidence) with a
//!    [`SimilarityScorer`]. The best score below [`GroundingConfig::threshold`] is Revise
//!    `unsupported_sentence`, span = the sentence. When at least
//!    [`GroundingConfig::escalate_ratio`] of the checked sentences (and at least two) are
//!    unsupported the answer as a whole is Escalate `mostly_unsupported`. The default scorer is
//!    [`NgramScorer`]: character bigram containment for Chinese, containment of 4-letter word
//!    stems (stop words dropped) for Latin-script sentences. An embedding scorer plugs in through
//!    the same trait: the facade's `EmbeddingScorer` (govai-ort USE-multilingual, cosine) when
//!    [`GroundingConfig::embedding`] is set, compared with
//!    [`GroundingConfig::embedding_threshold`] and, in [`EmbeddingMode::Either`], also accepting
//!    an n-gram score over `threshold`. Sentences shorter than
//!    [`GroundingConfig::min_sentence_chars`] and courtesy sentences containing one of
//!    [`GroundingConfig::exempt_phrases`] (如有疑问, 仅供参考...) are not scored.
//! 2. **Named entities.** Organisation names (…局, …厅, …委员会, …办公室, …中心, …联合会),
//!    policy names without 《》 (…办法, …条例, …规定, …细则, …措施, …十条...) and place names
//!    (…省, …市, …区, …县, …镇, …乡) in Chinese, and capitalised English names ending in Bureau,
//!    Office, Centre, Commission, Measures, Regulations, Provisions... must occur in the evidence.
//!    A Chinese name is cut at the nearest function character before its suffix (的, 向, 到,
//!    按照...) and compared by its *core* (the suffix and up to four characters before it), so
//!    「向市民服务中心提交」 is grounded by a source that says 「市民服务中心」. Else Revise
//!    `ungrounded_entity`, span = the name.
//!
//! 3. **What a paraphrase must not change** ([`GroundingConfig::check_facts`], see `facts.rs`):
//!    a value of a sentence that no evidence provides where the sentence's closest evidence
//!    window has another value of the same kind (15个工作日 -> 5个工作日, hotline 12333 ->
//!    12366; 半年 = 六个月 = 6个月) is Revise `changed_fact`; a document (…证, …簿, …证明,
//!    …合同, …通知书) or a quoted name (“示例市人社” App) no evidence gives is Revise
//!    `ungrounded_entity`; a clause whose negation differs from its closest evidence clause
//!    (合并计算 / 不合并计算, 无需领用 / 需先领用) or whose permission became a strict obligation
//!    or back (可以 / 必须) is Revise `changed_modality`.
//!
//! The n-gram comparisons fold everyday words onto the passages' words first
//! ([`GroundingConfig::fold_synonyms`]: 驾照 -> 驾驶证, 补办 -> 补领, 免费 -> 不收费, 人社局 ->
//! 人力资源和社会保障局), so a paraphrase is scored like the passage it restates.
//!
//! Without any evidence (no sources, no documents) the reviewer passes: the citation reviewer
//! reports `no_sources`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use govai_core::{Result, Review, ReviewContext, ReviewFinding, Reviewer, Verdict};
use serde::{Deserialize, Serialize};

use govai_text::normalize::normalize_term;

mod entities;
mod facts;
mod similarity;
mod synonyms;

pub use entities::key_terms;
use entities::{entities, key_term_map};
pub use similarity::{NgramMeasure, NgramScorer, SimilarityScorer, best_of};
pub(crate) use synonyms::fold_synonyms;

/// Reviewer id.
pub const GROUNDING_ID: &str = "grounding";

/// `[reviewers.grounding]` in a deployment file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GroundingConfig {
    /// Score each answer sentence against the source sentences.
    pub check_similarity: bool,
    /// A sentence whose best score is below this is unsupported (n-gram containment: 0.5).
    pub threshold: f32,
    /// Character n-gram length for Chinese sentences (default 2).
    pub ngram_cjk: usize,
    /// Word-stem length for Latin-script sentences (default 4).
    pub latin_stem: usize,
    /// How n-gram overlap becomes a score (default containment).
    pub measure: NgramMeasure,
    /// Sentences with fewer normalised characters (markers removed) are not scored.
    pub min_sentence_chars: usize,
    /// Sentences containing one of these (normalised) are courtesy text and are not scored.
    pub exempt_phrases: Vec<String>,
    /// Share of unsupported sentences (of at least two) that escalates the whole answer.
    pub escalate_ratio: f32,
    /// Check organisation, policy and place names.
    pub check_entities: bool,
    /// Names an answer may always use (national hotlines, the State Council...).
    pub allowed_entities: Vec<String>,
    /// A sentence-embedding model directory (govai-ort `EmbeddingModel`, e.g.
    /// `models/use-multilingual`) whose cosine similarity replaces the n-gram score; loaded by
    /// the facade. None: the n-gram scorer.
    pub embedding: Option<std::path::PathBuf>,
    /// With `embedding`: the cosine at or above which a sentence is supported.
    pub embedding_threshold: f32,
    /// With `embedding`: `either` (default) — a sentence is supported when its cosine reaches
    /// `embedding_threshold` OR its n-gram score reaches `threshold` (the embedding forgives
    /// paraphrase, the n-grams keep literal quotes); `replace` — the cosine alone decides.
    pub embedding_mode: EmbeddingMode,
    /// Flag supported sentences that stitch facts from the wrong source (`conflated_source`).
    pub check_conflation: bool,
    /// Fold everyday words onto the passages' words before the n-gram comparison (驾照 ->
    /// 驾驶证, 补办 -> 补领, 免费 -> 不收费).
    pub fold_synonyms: bool,
    /// The exact checks of what a paraphrase must not change (see `facts.rs`): values replaced
    /// (`changed_fact`), documents and quoted names no source gives (`ungrounded_entity`),
    /// negation and modality turned (`changed_modality`).
    pub check_facts: bool,
    /// Least n-gram containment of a sentence in its closest evidence window for a value of the
    /// window to count as the one the sentence restates.
    pub fact_alignment: f32,
    /// Least n-gram containment of an answer clause (negation and modal words removed) in an
    /// evidence clause for their negation and modality to be compared.
    pub polarity_overlap: f32,
}

/// How the embedding score combines with the n-gram score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmbeddingMode {
    /// A sentence is supported when the cosine OR the n-gram score reaches its threshold.
    #[default]
    Either,
    /// The cosine alone decides.
    Replace,
}

/// Default [`GroundingConfig::embedding_threshold`].
pub(crate) const DEFAULT_EMBEDDING_THRESHOLD: f32 = 0.75;

/// The default [`GroundingConfig::exempt_phrases`].
pub(crate) const DEFAULT_EXEMPT_PHRASES: &[&str] = &[
    "如有疑问",
    "如有问题",
    "如有其他问题",
    "仅供参考",
    "以上信息",
    "以上内容",
    "希望对您有帮助",
    "希望能帮到您",
    "具体以",
    "温馨提示",
    "欢迎咨询",
    "感谢您的咨询",
    "请以当地",
    "for reference only",
    "hope this helps",
    "if you have any questions",
    "if you have questions",
];

/// The default [`GroundingConfig::allowed_entities`].
pub(crate) const DEFAULT_ALLOWED_ENTITIES: &[&str] =
    &["国务院", "12345政务服务便民热线", "政务服务中心", "国家政务服务平台", "人民法院", "公安机关"];

impl Default for GroundingConfig {
    fn default() -> Self {
        Self {
            check_similarity: true,
            threshold: 0.5,
            ngram_cjk: 2,
            latin_stem: 4,
            measure: NgramMeasure::Containment,
            min_sentence_chars: 6,
            exempt_phrases: DEFAULT_EXEMPT_PHRASES.iter().map(|s| (*s).to_owned()).collect(),
            escalate_ratio: 0.5,
            check_entities: true,
            allowed_entities: DEFAULT_ALLOWED_ENTITIES.iter().map(|s| (*s).to_owned()).collect(),
            embedding: None,
            embedding_threshold: DEFAULT_EMBEDDING_THRESHOLD,
            embedding_mode: EmbeddingMode::Either,
            check_conflation: true,
            fold_synonyms: true,
            check_facts: true,
            fact_alignment: 0.4,
            polarity_overlap: 0.6,
        }
    }
}

/// Reviewer id `grounding`.
#[derive(Debug, Clone)]
pub struct GroundingReviewer {
    config: GroundingConfig,
    scorer: Arc<dyn SimilarityScorer>,
    exempt: Vec<String>,
    allowed: Vec<String>,
}

impl Default for GroundingReviewer {
    fn default() -> Self {
        Self::new(GroundingConfig::default())
    }
}

impl GroundingReviewer {
    /// With the n-gram scorer the config describes.
    pub fn new(config: GroundingConfig) -> Self {
        let scorer = Self::ngram_scorer(&config);
        Self::with_scorer(config, Arc::new(scorer))
    }

    /// [`new`](Self::new) from a borrowed config.
    pub fn from_config(config: &GroundingConfig) -> Self {
        Self::new(config.clone())
    }

    /// The n-gram scorer the config describes.
    pub fn ngram_scorer(config: &GroundingConfig) -> NgramScorer {
        NgramScorer {
            cjk_n: config.ngram_cjk.max(1),
            latin_stem: config.latin_stem.max(1),
            measure: config.measure,
            fold_synonyms: config.fold_synonyms,
        }
    }

    /// With another scorer (an embedding model); `config.threshold` must suit its scale.
    pub fn with_scorer(config: GroundingConfig, scorer: Arc<dyn SimilarityScorer>) -> Self {
        let exempt = config.exempt_phrases.iter().map(|p| normalize_term(p)).filter(|p| !p.is_empty()).collect();
        let allowed = config.allowed_entities.iter().map(|p| normalize_term(p)).filter(|p| !p.is_empty()).collect();
        Self { config, scorer, exempt, allowed }
    }
}

/// Sentence spans, shared with the streaming review (which releases text by the same sentences).
use govai_text::sentence::sentence_spans;

fn slice(chars: &[char], (s, e): (usize, usize)) -> String {
    chars[s.min(chars.len())..e.min(chars.len())].iter().collect()
}

fn finding(code: &str, message: String, verdict: Verdict, span: Option<(usize, usize)>) -> ReviewFinding {
    ReviewFinding { reviewer: GROUNDING_ID.to_owned(), code: code.to_owned(), message, verdict, span }
}

/// Where an evidence text comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Request,
    /// Title or text of `ctx.sources[i]`.
    Source(usize),
    Document,
}

/// Evidence sentences and windows of two adjacent sentences, each with the origin of its text.
fn evidence_windows(texts: &[(&str, Origin)]) -> (Vec<String>, Vec<Origin>) {
    let mut out = Vec::new();
    let mut origins = Vec::new();
    for &(t, origin) in texts {
        let sents: Vec<String> = sentence_spans(t)
            .into_iter()
            .map(|sp| {
                let chars: Vec<char> = t.chars().collect();
                slice(&chars, sp)
            })
            .filter(|s| !s.trim().is_empty())
            .collect();
        for (i, s) in sents.iter().enumerate() {
            out.push(s.clone());
            origins.push(origin);
            if let Some(next) = sents.get(i + 1) {
                out.push(format!("{s}{next}"));
                origins.push(origin);
            }
        }
    }
    (out, origins)
}

/// Source indices (`Source::index`) cited by `[n]` markers in a sentence.
fn cited_indices(sentence: &str) -> HashSet<usize> {
    let mut out = HashSet::new();
    for c in super::citation::MARKER.captures_iter(sentence) {
        let Some(list) = c.get(1) else { continue };
        let norm: String =
            list.as_str().chars().map(|ch| ch.to_digit(10).map_or(ch, |d| char::from(b'0' + d as u8))).collect();
        let nums: Vec<&str> = norm.split(|ch: char| !ch.is_ascii_digit()).filter(|x| !x.is_empty()).collect();
        let range = norm.contains(['-', '–', '~', '～']) && nums.len() == 2;
        let parsed: Vec<usize> = nums.iter().filter_map(|n| n.parse().ok()).collect();
        if range && parsed[0] <= parsed[1] && parsed[1] - parsed[0] < 50 {
            out.extend(parsed[0]..=parsed[1]);
        } else {
            out.extend(parsed);
        }
    }
    out
}

/// Source indices cited anywhere in a text.
pub(crate) fn cited_source_indices(text: &str) -> HashSet<usize> {
    cited_indices(text)
}

/// What the conflation check knows about the sources of one review.
struct Matters {
    /// Key terms of each source's title (its matter).
    title: Vec<HashSet<String>>,
    /// Key terms of each source's title and text.
    all: Vec<HashSet<String>>,
    /// Per source: Some(true) when its title names a matter of the request, Some(false) when it
    /// names only other matters, None when it names none.
    on_request: Vec<Option<bool>>,
    /// The request's and each title's key terms as written (for messages).
    request_surface: HashSet<String>,
    title_surface: Vec<HashSet<String>>,
}

impl Matters {
    fn new(ctx: &ReviewContext<'_>) -> Self {
        let request_map = key_term_map(ctx.request);
        let title_maps: Vec<HashMap<String, String>> = ctx.sources.iter().map(|s| key_term_map(&s.title)).collect();
        let request_surface = request_map.values().cloned().collect();
        let title_surface = title_maps.iter().map(|t| t.values().cloned().collect()).collect();
        let request: HashSet<String> = request_map.into_keys().collect();
        let title: Vec<HashSet<String>> = title_maps.into_iter().map(|t| t.into_keys().collect()).collect();
        let all = ctx
            .sources
            .iter()
            .zip(&title)
            .map(|(s, t)| {
                let mut k = key_terms(&s.text);
                k.extend(t.iter().cloned());
                k
            })
            .collect();
        let on_request =
            title
                .iter()
                .map(|t| {
                    if request.is_empty() || t.is_empty() { None } else { Some(t.iter().any(|k| request.contains(k))) }
                })
                .collect();
        Self { title, all, on_request, request_surface, title_surface }
    }

    fn any_on_request(&self) -> bool {
        self.on_request.contains(&Some(true))
    }
}

fn sorted_terms(set: &HashSet<String>) -> String {
    let mut v: Vec<&str> = set.iter().map(String::as_str).collect();
    v.sort_unstable();
    v.join("、")
}

fn source_label(src: &govai_core::Source) -> String {
    format!("资料[{}]《{}》", src.index, src.title.trim())
}

/// Span of a sentence without its leading and trailing whitespace.
fn trim_span(sentence: &str, sp: (usize, usize)) -> (usize, usize) {
    let trimmed_len = sentence.trim_end().chars().count();
    let lead = sentence.chars().take_while(|c| c.is_whitespace()).count();
    (sp.0 + lead, sp.0 + trimmed_len.max(lead))
}

/// The evidence of one review, for the conflation check.
struct Conflation<'a, 'b> {
    ctx: &'a ReviewContext<'b>,
    matters: &'a Matters,
    windows: &'a [String],
    origins: &'a [Origin],
}

impl GroundingReviewer {
    /// The best score of `claim` over the evidence windows whose origin passes `keep`. The
    /// claim's scores against all windows are computed once (on first use) into `all` and
    /// filtered per call, instead of rescoring a subset each time.
    fn best_over(
        &self,
        cx: &Conflation<'_, '_>,
        claim: &str,
        all: &mut Option<Vec<f32>>,
        keep: impl Fn(Origin) -> bool,
    ) -> Result<f32> {
        if all.is_none() {
            let windows: Vec<&str> = cx.windows.iter().map(String::as_str).collect();
            *all = Some(self.scorer.scores(claim, &windows)?);
        }
        let scores = all.as_deref().unwrap_or_default();
        Ok(scores.iter().zip(cx.origins).filter(|(_, o)| keep(**o)).fold(0.0f32, |b, (&s, _)| b.max(s)))
    }

    /// Why a supported sentence whose best evidence is source `b` mixes up sources, if it does.
    fn conflation(&self, cx: &Conflation<'_, '_>, sentence: &str, claim: &str, b: usize) -> Result<Option<String>> {
        let (m, srcs) = (cx.matters, cx.ctx.sources);
        let threshold = self.config.threshold;
        let terms = key_term_map(claim);
        let mut keys: Vec<&String> = terms.keys().collect();
        keys.sort_unstable();
        // 1. A document type or office the best source lacks but another source has: the sentence
        //    puts a term of one source into the statement of another.
        let cited = cited_indices(sentence);
        let mut all = None;
        for key in keys {
            if m.all[b].contains(key) {
                continue;
            }
            let holders: Vec<usize> = (0..srcs.len()).filter(|&o| o != b && m.all[o].contains(key)).collect();
            if holders.is_empty() || holders.iter().any(|&o| cited.contains(&srcs[o].index)) {
                continue;
            }
            // Supported by a source that has the term as well: no mix-up.
            if self.best_over(cx, claim, &mut all, |o| matches!(o, Origin::Source(i) if holders.contains(&i)))?
                >= threshold
            {
                continue;
            }
            return Ok(Some(format!(
                "句子「{sentence}」主要依据{}，但其中的「{}」只出现在{}中，疑似把不同资料的内容拼接在一起",
                source_label(&srcs[b]),
                terms[key],
                source_label(&srcs[holders[0]])
            )));
        }
        // 2. The best source is about another matter than the request, the sentence does not
        //    say it is about that other matter, and no source about the request supports it.
        let own: HashSet<String> = terms.into_keys().collect();
        if m.on_request[b] == Some(false) && m.any_on_request() && own.is_disjoint(&m.title[b]) {
            let alt = self.best_over(cx, claim, &mut all, |o| match o {
                Origin::Source(i) => m.on_request[i] != Some(false),
                Origin::Request | Origin::Document => true,
            })?;
            if alt < threshold {
                let r = m.on_request.iter().position(|x| *x == Some(true)).unwrap_or(0);
                return Ok(Some(format!(
                    "句子「{sentence}」的依据来自{}（所讲事项：{}），而请求所问事项是「{}」（见{}），\
                     疑似把其他事项的办理要求套用到所问事项上",
                    source_label(&srcs[b]),
                    sorted_terms(&m.title_surface[b]),
                    sorted_terms(&m.request_surface),
                    source_label(&srcs[r])
                )));
            }
        }
        Ok(None)
    }
}

impl GroundingReviewer {
    /// The exact checks (see `facts.rs`): values replaced, documents and quoted names no source
    /// gives, negation and modality turned.
    fn check_facts(
        &self,
        evidence: &[(&str, Origin)],
        output: &str,
        chars: &[char],
        findings: &mut Vec<ReviewFinding>,
    ) -> Result<()> {
        let (windows, _) = evidence_windows(evidence);
        let refs: Vec<&str> = windows.iter().map(String::as_str).collect();
        let provided = facts::provided_keys(evidence.iter().map(|e| e.0));
        let hay: String = evidence.iter().map(|e| normalize_term(e.0)).collect::<Vec<_>>().join("\n");
        let folded_hay = synonyms::fold_synonyms(&hay).into_owned();
        // Clauses of what the sources say (the request is a question, not a statement).
        let stated: Vec<facts::Clause> =
            evidence.iter().filter(|e| e.1 != Origin::Request).flat_map(|e| facts::clauses(e.0, 2)).collect();
        let aligner = Self::ngram_scorer(&self.config);
        let spans = sentence_spans(output);
        let claims: Vec<String> =
            spans.iter().map(|&sp| super::citation::MARKER.replace_all(&slice(chars, sp), "").into_owned()).collect();
        let claim_refs: Vec<&str> = claims.iter().map(String::as_str).collect();
        let aligned = aligner.best_scores(&claim_refs, &refs)?;
        for ((&sp, claim), (score, at)) in spans.iter().zip(&claims).zip(aligned) {
            let sentence = slice(chars, sp);
            let span = Some(trim_span(&sentence, sp));
            // 1. Values replaced.
            let tokens = facts::claim_tokens(claim);
            if !tokens.is_empty()
                && score >= self.config.fact_alignment
                && let Some(window) = at.and_then(|i| windows.get(i))
            {
                let window_tokens = facts::claim_tokens(window);
                for (said, source) in facts::number_substitutions(&tokens, &window_tokens, &provided) {
                    findings.push(finding(
                        "changed_fact",
                        format!(
                            "句子「{}」中的「{said}」与资料不符：最接近的资料句写的是「{source}」（「{}」）",
                            sentence.trim(),
                            window.chars().take(40).collect::<String>()
                        ),
                        Verdict::Revise,
                        span,
                    ));
                }
            }
            // 2. Documents and quoted names no source gives.
            let norm = normalize_term(claim);
            let mut seen = HashSet::new();
            for doc in facts::documents(&norm) {
                if facts::document_in(&doc, &hay)
                    || folded_hay.contains(synonyms::fold_synonyms(&doc).as_ref())
                    || self.allowed.iter().any(|a| a.contains(doc.as_str()))
                    || !seen.insert(doc.clone())
                {
                    continue;
                }
                findings.push(finding(
                    "ungrounded_entity",
                    format!("材料名称「{doc}」未出现在任何引用资料或请求中（句子「{}」）", sentence.trim()),
                    Verdict::Revise,
                    span,
                ));
            }
            for ((s, e), name) in facts::quoted_names(&sentence) {
                let n = normalize_term(&name);
                if n.is_empty() || hay.contains(n.as_str()) {
                    continue;
                }
                findings.push(finding(
                    "ungrounded_entity",
                    format!("名称「{name}」未出现在任何引用资料或请求中"),
                    Verdict::Revise,
                    Some((sp.0 + s, sp.0 + e)),
                ));
            }
            // 3. Negation and modality.
            for clause in facts::clauses(claim, 4) {
                if let Some((source, what)) = facts::polarity_change(&clause, &stated, self.config.polarity_overlap) {
                    findings.push(finding(
                        "changed_modality",
                        format!("「{}」与资料「{}」相比{what}，意思可能相反", clause.text, source.text),
                        Verdict::Revise,
                        span,
                    ));
                }
            }
        }
        Ok(())
    }
}

impl Reviewer for GroundingReviewer {
    fn id(&self) -> &str {
        GROUNDING_ID
    }

    fn review(&self, ctx: &ReviewContext<'_>) -> Result<Review> {
        let output = ctx.output;
        if output.trim().is_empty() || (ctx.sources.is_empty() && ctx.documents.is_empty()) {
            return Ok(Review::pass());
        }
        let mut evidence: Vec<(&str, Origin)> = vec![(ctx.request, Origin::Request)];
        for (i, s) in ctx.sources.iter().enumerate() {
            evidence.push((&s.title, Origin::Source(i)));
            evidence.push((&s.text, Origin::Source(i)));
        }
        evidence.extend(ctx.documents.iter().map(|d| (d.as_str(), Origin::Document)));
        let evidence_texts: Vec<&str> = evidence.iter().map(|e| e.0).collect();
        let mut findings = Vec::new();
        let chars: Vec<char> = output.chars().collect();

        if self.config.check_similarity {
            let (windows, origins) = evidence_windows(&evidence);
            let refs: Vec<&str> = windows.iter().map(String::as_str).collect();
            // The sentences to score.
            let mut todo: Vec<((usize, usize), String, String)> = Vec::new();
            for sp in sentence_spans(output) {
                let sentence = slice(&chars, sp);
                let claim = super::citation::MARKER.replace_all(&sentence, "").into_owned();
                let norm = normalize_term(&claim);
                if norm.chars().count() < self.config.min_sentence_chars
                    || self.exempt.iter().any(|p| norm.contains(p.as_str()))
                {
                    continue;
                }
                todo.push((sp, sentence, claim));
            }
            let claims: Vec<&str> = todo.iter().map(|t| t.2.as_str()).collect();
            let bests = self.scorer.best_scores(&claims, &refs)?;
            let checked = todo.len();
            let mut unsupported = 0usize;
            let mut conflated = 0usize;
            let matters = (self.config.check_conflation && ctx.sources.len() >= 2).then(|| Matters::new(ctx));
            for ((sp, sentence, claim), (best, at)) in todo.iter().zip(bests) {
                let sp = *sp;
                if best >= self.config.threshold {
                    let from = at.and_then(|i| origins.get(i));
                    if let (Some(m), Some(&Origin::Source(b))) = (&matters, from) {
                        let cx = Conflation { ctx, matters: m, windows: &windows, origins: &origins };
                        if let Some(message) = self.conflation(&cx, sentence.trim(), claim, b)? {
                            conflated += 1;
                            findings.push(finding(
                                "conflated_source",
                                message,
                                Verdict::Revise,
                                Some(trim_span(sentence, sp)),
                            ));
                        }
                    }
                    continue;
                }
                {
                    unsupported += 1;
                    let closest = at
                        .and_then(|i| windows.get(i))
                        .map(|w| format!("；最接近的资料句：「{}」", w.chars().take(40).collect::<String>()))
                        .unwrap_or_default();
                    findings.push(finding(
                        "unsupported_sentence",
                        format!(
                            "句子「{}」与引用资料的相似度 {best:.2} 低于阈值 {:.2}（{}），资料中找不到依据{closest}",
                            sentence.trim(),
                            self.config.threshold,
                            self.scorer.id()
                        ),
                        Verdict::Revise,
                        Some(trim_span(sentence, sp)),
                    ));
                }
            }
            let bad = unsupported + conflated;
            if bad >= 2 && (bad as f32) >= self.config.escalate_ratio * checked as f32 {
                let message = if conflated > 0 {
                    format!(
                        "答复 {checked} 句中有 {bad} 句在引用资料中找不到依据或混用了其他事项的资料\
                         （找不到依据 {unsupported} 句，混用资料 {conflated} 句），需转人工核实"
                    )
                } else {
                    format!("答复 {checked} 句中有 {unsupported} 句在引用资料中找不到依据，需转人工核实")
                };
                findings.push(finding("mostly_unsupported", message, Verdict::Escalate, None));
            }
        }

        if self.config.check_facts {
            self.check_facts(&evidence, output, &chars, &mut findings)?;
        }

        if self.config.check_entities {
            let hay: String = evidence_texts.iter().map(|t| normalize_term(t)).collect::<Vec<_>>().join("\n");
            let folded_hay =
                if self.config.fold_synonyms { synonyms::fold_synonyms(&hay).into_owned() } else { hay.clone() };
            for e in entities(output) {
                if e.core.is_empty()
                    || hay.contains(e.core.as_str())
                    || (self.config.fold_synonyms && {
                        // An abbreviation (人社局) of a name the evidence spells out.
                        let norm = normalize_term(&e.text);
                        let name = synonyms::fold_synonyms(&norm);
                        let core: String = name.chars().rev().take(8).collect::<Vec<_>>().into_iter().rev().collect();
                        *name != *norm && folded_hay.contains(core.as_str())
                    })
                    || self.allowed.iter().any(|a| a.contains(e.core.as_str()) || e.core.contains(a.as_str()))
                {
                    continue;
                }
                // Inside a 《》 title: the citation reviewer checks titles.
                let before: String = chars[..e.span.0].iter().collect();
                if before.rfind('《').is_some_and(|p| before[p..].find('》').is_none()) {
                    continue;
                }
                findings.push(finding(
                    "ungrounded_entity",
                    format!("{}「{}」未出现在任何引用资料或请求中", e.kind.name_zh(), e.text),
                    Verdict::Revise,
                    Some(e.span),
                ));
            }
        }
        Ok(Review::from_findings(findings))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::entities::*;
    use super::similarity::*;
    use super::*;

    #[test]
    fn sentences_keep_trailing_markers() {
        let s = "第一句。[1]第二句[2]！Third one. 3.5 ok";
        let chars: Vec<char> = s.chars().collect();
        let spans = sentence_spans(s);
        assert_eq!(slice(&chars, spans[0]), "第一句。[1]");
        assert_eq!(slice(&chars, spans[1]), "第二句[2]！");
        assert_eq!(spans.len(), 4);
    }

    #[test]
    fn ngram_scores() {
        let sc = NgramScorer::default();
        let v = sc
            .scores("公安机关15日内发放居住证", &["公安机关应当自受理之日起15日内制作发放居住证", "无关的句子"])
            .unwrap();
        assert!(v[0] > 0.6 && v[1] < 0.2, "{v:?}");
        let j = NgramScorer { measure: NgramMeasure::Jaccard, ..NgramScorer::default() };
        let w = j.scores("办理居住证", &["办理居住证"]).unwrap();
        assert!((w[0] - 1.0).abs() < 1e-6);
        assert!(mostly_latin("residencepermit2024") && !mostly_latin("居住证2024"));
        let en = sc
            .scores("A decision is made within 20 working days", &["The office decides within 20 working days."])
            .unwrap();
        assert!(en[0] >= 0.8, "{en:?}");
    }

    #[test]
    fn chinese_entity_extraction() {
        let es = chinese_entities(
            "请携带材料到市民服务中心或西湖区人力资源和社会保障局办理，按照惠民安居专项补贴办法执行。",
        );
        let texts: Vec<&str> = es.iter().map(|e| e.text.as_str()).collect();
        assert!(texts.contains(&"市民服务中心"), "{texts:?}");
        assert!(texts.iter().any(|t| t.ends_with("社会保障局")), "{texts:?}");
        assert!(texts.contains(&"惠民安居专项补贴办法"), "{texts:?}");
        // Generic words are not names.
        assert!(chinese_entities("按照有关规定办理，在城市社区和全市范围内均可。").is_empty());
        assert!(chinese_entities("以人民为中心。").is_empty());
        // 户籍地 / 所在地 / 居住地 + 县/市/区 is not a place name.
        for s in ["到户籍地县级公安机关办理", "向所在地市民政部门申请", "到居住地区县社保经办机构"]
        {
            let es = chinese_entities(s);
            assert!(!es.iter().any(|e| e.kind == EntityKind::Place), "{s}: {es:?}");
        }
    }

    #[test]
    fn english_entity_extraction() {
        let es = english_entities(
            "Submit it to the Housing Provident Fund Centre under the Hangzhou Residence Permit Measures.",
        );
        let texts: Vec<&str> = es.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(texts, vec!["Housing Provident Fund Centre", "Hangzhou Residence Permit Measures"]);
    }

    #[test]
    fn config_defaults() {
        let c: GroundingConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(c, GroundingConfig::default());
        let c: GroundingConfig = serde_json::from_str(
            r#"{"embedding": "models/use-multilingual", "embedding_threshold": 0.6, "embedding_mode": "replace"}"#,
        )
        .unwrap();
        assert_eq!(c.embedding.as_deref(), Some(std::path::Path::new("models/use-multilingual")));
        assert_eq!((c.embedding_threshold, c.embedding_mode), (0.6, EmbeddingMode::Replace));
        assert_eq!(GroundingConfig::default().embedding_mode, EmbeddingMode::Either);
        assert!(serde_json::from_str::<GroundingConfig>(r#"{"treshold": 0.3}"#).is_err());
    }
}
