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
//! Without any evidence (no sources, no documents) the reviewer passes: the citation reviewer
//! reports `no_sources`.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, LazyLock};

use govai_core::{Result, Review, ReviewContext, ReviewFinding, Reviewer, Verdict};
use regex::Regex;
use serde::{Deserialize, Serialize};

use super::normalize::normalize_term;

/// Reviewer id.
pub const GROUNDING_ID: &str = "grounding";

/// Scores how well a claim is supported by candidate evidence sentences.
///
/// Implementations: [`NgramScorer`] (built in); an embedding scorer (cosine of sentence
/// embeddings) comes with the ONNX backend.
pub trait SimilarityScorer: Send + Sync + fmt::Debug {
    /// Short name recorded in findings, e.g. `ngram`.
    fn id(&self) -> &str;
    /// The similarity of `claim` with each candidate, each in `[0, 1]`, same order as `candidates`.
    fn scores(&self, claim: &str, candidates: &[&str]) -> Result<Vec<f32>>;

    /// The best score of each claim over the candidates (batch form: an embedding scorer embeds
    /// the candidates once; the n-gram scorer prepares their n-gram sets once).
    fn best_scores(&self, claims: &[&str], candidates: &[&str]) -> Result<Vec<(f32, Option<usize>)>> {
        claims
            .iter()
            .map(|c| {
                let s = self.scores(c, candidates)?;
                Ok(best_of(&s))
            })
            .collect()
    }
}

/// The maximum score and its index.
pub fn best_of(scores: &[f32]) -> (f32, Option<usize>) {
    scores.iter().enumerate().fold((0.0f32, None), |(b, at), (i, &s)| if s > b { (s, Some(i)) } else { (b, at) })
}

/// How n-gram sets are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NgramMeasure {
    /// |claim ∩ evidence| / |claim|: how much of the claim the evidence contains.
    #[default]
    Containment,
    /// |claim ∩ evidence| / |claim ∪ evidence|.
    Jaccard,
}

/// Lexical similarity: character n-grams of the normalised text for Chinese claims, word stems
/// (the first `latin_stem` letters of each non-stop word; numbers whole) for mostly-Latin claims,
/// where character n-grams punish ordinary paraphrase ("decides" / "a decision is made").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NgramScorer {
    /// n for mostly-CJK claims (default 2).
    pub cjk_n: usize,
    /// Stem length for mostly-Latin claims (default 4).
    pub latin_stem: usize,
    pub measure: NgramMeasure,
}

impl Default for NgramScorer {
    fn default() -> Self {
        Self { cjk_n: 2, latin_stem: 4, measure: NgramMeasure::Containment }
    }
}

const EN_STOP: &[&str] = &[
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "for", "by", "with", "from", "is", "are", "be", "was",
    "were", "it", "its", "this", "that", "these", "those", "you", "your", "we", "our", "can", "may", "will", "also",
    "as", "if", "any", "all", "made", "make", "do", "does", "please", "then", "there", "which", "who", "what", "under",
];

/// Hashed word stems of a text (lower-cased, split at non-alphanumerics, stop words dropped).
fn stems(text: &str, len: usize) -> HashSet<u64> {
    let lower = text.to_lowercase();
    let mut out = HashSet::new();
    for w in lower.split(|c: char| !c.is_alphanumeric()) {
        if w.is_empty() || EN_STOP.contains(&w) {
            continue;
        }
        let chars: Vec<char> = w.chars().collect();
        let stem =
            if chars.iter().all(|c| c.is_ascii_digit()) { &chars[..] } else { &chars[..chars.len().min(len.max(1))] };
        out.insert(hash_chars(stem));
    }
    out
}

/// Hashed character n-grams of a normalised text (a text shorter than `n` gives itself).
fn ngrams(norm: &str, n: usize) -> HashSet<u64> {
    let chars: Vec<char> = norm.chars().collect();
    let n = n.max(1);
    let mut out = HashSet::with_capacity(chars.len());
    if chars.is_empty() {
        return out;
    }
    if chars.len() < n {
        out.insert(hash_chars(&chars));
        return out;
    }
    for w in chars.windows(n) {
        out.insert(hash_chars(w));
    }
    out
}

fn hash_chars(w: &[char]) -> u64 {
    // FNV-1a over the code points.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &c in w {
        h ^= c as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn mostly_latin(norm: &str) -> bool {
    let (mut ascii, mut total) = (0usize, 0usize);
    for c in norm.chars() {
        total += 1;
        if c.is_ascii_alphabetic() {
            ascii += 1;
        }
    }
    total > 0 && ascii * 2 > total
}

impl NgramScorer {
    /// The comparison units of a text: stems when `latin`, else character n-grams.
    fn units(&self, text: &str, latin: bool) -> HashSet<u64> {
        if latin { stems(text, self.latin_stem) } else { ngrams(&normalize_term(text), self.cjk_n) }
    }

    fn score_sets(&self, a: &HashSet<u64>, b: &HashSet<u64>) -> f32 {
        if a.is_empty() {
            return 1.0;
        }
        let inter = a.iter().filter(|g| b.contains(g)).count() as f32;
        match self.measure {
            NgramMeasure::Containment => inter / a.len() as f32,
            NgramMeasure::Jaccard => {
                let union = (a.len() + b.len()) as f32 - inter;
                if union <= 0.0 { 0.0 } else { inter / union }
            }
        }
    }
}

impl SimilarityScorer for NgramScorer {
    fn id(&self) -> &str {
        "ngram"
    }

    fn scores(&self, claim: &str, candidates: &[&str]) -> Result<Vec<f32>> {
        let latin = mostly_latin(&normalize_term(claim));
        let a = self.units(claim, latin);
        Ok(candidates.iter().map(|e| self.score_sets(&a, &self.units(e, latin))).collect())
    }

    fn best_scores(&self, claims: &[&str], candidates: &[&str]) -> Result<Vec<(f32, Option<usize>)>> {
        let mut prepared: [Option<Vec<HashSet<u64>>>; 2] = [None, None];
        let mut out = Vec::with_capacity(claims.len());
        for claim in claims {
            let latin = mostly_latin(&normalize_term(claim));
            let a = self.units(claim, latin);
            let sets = prepared[usize::from(latin)]
                .get_or_insert_with(|| candidates.iter().map(|e| self.units(e, latin)).collect());
            let scores: Vec<f32> = sets.iter().map(|b| self.score_sets(&a, b)).collect();
            out.push(best_of(&scores));
        }
        Ok(out)
    }
}

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
}

/// How the embedding score combines with the n-gram score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmbeddingMode {
    #[default]
    Either,
    Replace,
}

/// Default [`GroundingConfig::embedding_threshold`].
pub const DEFAULT_EMBEDDING_THRESHOLD: f32 = 0.75;

/// The default [`GroundingConfig::exempt_phrases`].
pub const DEFAULT_EXEMPT_PHRASES: &[&str] = &[
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
pub const DEFAULT_ALLOWED_ENTITIES: &[&str] =
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

    pub fn from_config(config: &GroundingConfig) -> Self {
        Self::new(config.clone())
    }

    /// The n-gram scorer the config describes.
    pub fn ngram_scorer(config: &GroundingConfig) -> NgramScorer {
        NgramScorer { cjk_n: config.ngram_cjk.max(1), latin_stem: config.latin_stem.max(1), measure: config.measure }
    }

    /// With another scorer (an embedding model); `config.threshold` must suit its scale.
    pub fn with_scorer(config: GroundingConfig, scorer: Arc<dyn SimilarityScorer>) -> Self {
        let exempt = config.exempt_phrases.iter().map(|p| normalize_term(p)).filter(|p| !p.is_empty()).collect();
        let allowed = config.allowed_entities.iter().map(|p| normalize_term(p)).filter(|p| !p.is_empty()).collect();
        Self { config, scorer, exempt, allowed }
    }

    pub fn config(&self) -> &GroundingConfig {
        &self.config
    }

    pub fn scorer(&self) -> &Arc<dyn SimilarityScorer> {
        &self.scorer
    }
}

/// Sentence spans, shared with the streaming review (which releases text by the same sentences).
pub use govai_core::text::sentence_spans;

fn slice(chars: &[char], (s, e): (usize, usize)) -> String {
    chars[s.min(chars.len())..e.min(chars.len())].iter().collect()
}

fn finding(code: &str, message: String, verdict: Verdict, span: Option<(usize, usize)>) -> ReviewFinding {
    ReviewFinding { reviewer: GROUNDING_ID.to_owned(), code: code.to_owned(), message, verdict, span }
}

/// Evidence sentences and windows of two adjacent sentences.
fn evidence_windows(texts: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for t in texts {
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
            if let Some(next) = sents.get(i + 1) {
                out.push(format!("{s}{next}"));
            }
        }
    }
    out
}

// ----------------------------------------------------------------------------------------------
// Named entities
// ----------------------------------------------------------------------------------------------

/// Kinds of named entity the reviewer checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntityKind {
    Organisation,
    Policy,
    Place,
}

impl EntityKind {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Organisation => "机构名称",
            Self::Policy => "政策名称",
            Self::Place => "地名",
        }
    }
}

/// A named entity found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    pub kind: EntityKind,
    /// The name as written.
    pub text: String,
    /// Character span.
    pub span: (usize, usize),
    /// The normalised core compared with the evidence.
    pub core: String,
}

const ORG_SUFFIXES: &[&str] = &["委员会", "办公室", "联合会", "服务中心", "中心", "管理局", "局", "厅", "委"];
const POLICY_SUFFIXES: &[&str] = &[
    "实施办法",
    "管理办法",
    "办法",
    "条例",
    "规定",
    "细则",
    "措施",
    "十条",
    "十二条",
    "新政",
    "实施方案",
    "方案",
    "实施意见",
    "若干意见",
    "决定",
];
const PLACE_SUFFIXES: &[&str] = &["自治区", "省", "市", "区", "县", "镇", "乡"];

/// Function characters that end a name when scanning back from its suffix.
const STOP_CHARS: &str = "的在向到由和与及或是为经往请至找去给对把被从于按照据依携带前后当在并也可需应将已都还就让使凡每各该本此其这那要以到来去上下中内外时或及或者";

/// Two-character words before which a place suffix is not a place name (城市, 社区, 全市...).
const PLACE_NOT_BEFORE: &[(&str, &str)] = &[
    ("市", "城超都上门股楼夜全本该我各集花早菜黑鬼在入省县市"),
    ("区", "地社小园景城市辖片郊山灾误专校街营禁盲新全本该我各分展院"),
    ("县", "全本该我各郡州"),
    ("省", "全本该我各外节反自"),
    ("镇", "城乡村本该全小重坐"),
    ("乡", "城家故同异老下本该全回思"),
];

/// Generic words that are not a specific name (有关规定, 相关部门...).
const GENERIC_PREFIXES: &[&str] = &[
    "有关", "相关", "上述", "以上", "以下", "下列", "具体", "现行", "国家", "法律", "其他", "所在", "当地", "各级",
    "主管",
];

fn is_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c)
}

/// Chinese named entities of a text.
pub fn chinese_entities(text: &str) -> Vec<Entity> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<Entity> = Vec::new();
    let mut i = 0;
    let mut covered_until = 0;
    while i < chars.len() {
        if !is_han(chars[i]) {
            i += 1;
            continue;
        }
        // Longest suffix ending at a position >= i, tried from i.
        let mut best: Option<(EntityKind, usize)> = None; // (kind, suffix length)
        for (kind, list) in [
            (EntityKind::Policy, POLICY_SUFFIXES),
            (EntityKind::Organisation, ORG_SUFFIXES),
            (EntityKind::Place, PLACE_SUFFIXES),
        ] {
            for s in list {
                let sc: Vec<char> = s.chars().collect();
                if chars[i..].starts_with(&sc) && best.is_none_or(|(_, l)| sc.len() > l) {
                    best = Some((kind, sc.len()));
                }
            }
        }
        let Some((kind, slen)) = best else {
            i += 1;
            continue;
        };
        let end = i + slen;
        if i < covered_until {
            i += 1;
            continue;
        }
        // Scan back over Han characters to the nearest stop character, at most 12.
        let mut s = i;
        while s > 0 && i - s < 12 && is_han(chars[s - 1]) && !STOP_CHARS.contains(chars[s - 1]) {
            s -= 1;
        }
        let prefix: String = chars[s..i].iter().collect();
        if prefix.chars().count() < 2 || GENERIC_PREFIXES.iter().any(|g| prefix == *g) {
            i = end;
            continue;
        }
        if kind == EntityKind::Place {
            let suffix: String = chars[i..end].iter().collect();
            let before = chars[i - 1];
            if PLACE_NOT_BEFORE.iter().any(|(suf, bad)| *suf == suffix && bad.contains(before))
                || prefix.chars().count() > 4
            {
                i = end;
                continue;
            }
        }
        let core_start = i.saturating_sub(4).max(s);
        let core: String = normalize_term(&chars[core_start..end].iter().collect::<String>());
        out.push(Entity { kind, text: chars[s..end].iter().collect(), span: (s, end), core });
        covered_until = end;
        i = end;
    }
    out
}

static EN_ENTITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:[A-Z][A-Za-z'’\-]+\s+){1,7}(?:Bureau|Office|Centre|Center|Commission|Committee|Department|Federation|Administration|Measures|Regulations|Rules|Provisions|Policy|Plan|Notice|Programme|Program)\b",
    )
    .expect("entity pattern compiles (tested)")
});

const EN_LEADING: &[&str] = &[
    "The", "A", "An", "Under", "From", "To", "In", "At", "By", "Contact", "Call", "Visit", "Take", "See", "Per", "Our",
];

/// English named entities (capitalised names ending in Bureau, Office, Measures...).
pub fn english_entities(text: &str) -> Vec<Entity> {
    let mut out = Vec::new();
    for m in EN_ENTITY.find_iter(text) {
        let mut s = m.start();
        let mut name = m.as_str();
        loop {
            let first = name.split_whitespace().next().unwrap_or("");
            if EN_LEADING.contains(&first) && name.split_whitespace().count() > 2 {
                let skip = name.find(first).unwrap_or(0) + first.len();
                let rest = &name[skip..];
                let trimmed = rest.trim_start();
                s += skip + (rest.len() - trimmed.len());
                name = trimmed;
            } else {
                break;
            }
        }
        let cs = text[..s].chars().count();
        let ce = cs + name.chars().count();
        let kind = if name.ends_with("Measures")
            || name.ends_with("Regulations")
            || name.ends_with("Rules")
            || name.ends_with("Provisions")
            || name.ends_with("Policy")
            || name.ends_with("Plan")
            || name.ends_with("Notice")
        {
            EntityKind::Policy
        } else {
            EntityKind::Organisation
        };
        out.push(Entity { kind, text: name.to_owned(), span: (cs, ce), core: normalize_term(name) });
    }
    out
}

/// All named entities of a text (Chinese and English).
pub fn entities(text: &str) -> Vec<Entity> {
    let mut v = chinese_entities(text);
    v.extend(english_entities(text));
    v.sort_by_key(|e| e.span);
    v
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
        let mut evidence_texts: Vec<&str> = vec![ctx.request];
        for s in ctx.sources {
            evidence_texts.push(&s.title);
            evidence_texts.push(&s.text);
        }
        evidence_texts.extend(ctx.documents.iter().map(String::as_str));
        let mut findings = Vec::new();
        let chars: Vec<char> = output.chars().collect();

        if self.config.check_similarity {
            let windows = evidence_windows(&evidence_texts);
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
            for ((sp, sentence, _), (best, at)) in todo.iter().zip(bests) {
                let sp = *sp;
                if best < self.config.threshold {
                    unsupported += 1;
                    let closest = at
                        .and_then(|i| windows.get(i))
                        .map(|w| format!("；最接近的资料句：「{}」", w.chars().take(40).collect::<String>()))
                        .unwrap_or_default();
                    // Span without trailing whitespace.
                    let trimmed_len = sentence.trim_end().chars().count();
                    let lead = sentence.chars().take_while(|c| c.is_whitespace()).count();
                    findings.push(finding(
                        "unsupported_sentence",
                        format!(
                            "句子「{}」与引用资料的相似度 {best:.2} 低于阈值 {:.2}（{}），资料中找不到依据{closest}",
                            sentence.trim(),
                            self.config.threshold,
                            self.scorer.id()
                        ),
                        Verdict::Revise,
                        Some((sp.0 + lead, sp.0 + trimmed_len.max(lead))),
                    ));
                }
            }
            if unsupported >= 2 && (unsupported as f32) >= self.config.escalate_ratio * checked as f32 {
                findings.push(finding(
                    "mostly_unsupported",
                    format!("答复 {checked} 句中有 {unsupported} 句在引用资料中找不到依据，需转人工核实"),
                    Verdict::Escalate,
                    None,
                ));
            }
        }

        if self.config.check_entities {
            let hay: String = evidence_texts.iter().map(|t| normalize_term(t)).collect::<Vec<_>>().join("\n");
            for e in entities(output) {
                if e.core.is_empty()
                    || hay.contains(e.core.as_str())
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
