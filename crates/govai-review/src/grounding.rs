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

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::{Arc, LazyLock};

use govai_core::{Result, Review, ReviewContext, ReviewFinding, Reviewer, Verdict};
use regex::Regex;
use serde::{Deserialize, Serialize};

use govai_text::normalize::normalize_term;

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
    /// How n-gram overlap becomes a score.
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
        NgramScorer { cjk_n: config.ngram_cjk.max(1), latin_stem: config.latin_stem.max(1), measure: config.measure }
    }

    /// With another scorer (an embedding model); `config.threshold` must suit its scale.
    pub fn with_scorer(config: GroundingConfig, scorer: Arc<dyn SimilarityScorer>) -> Self {
        let exempt = config.exempt_phrases.iter().map(|p| normalize_term(p)).filter(|p| !p.is_empty()).collect();
        let allowed = config.allowed_entities.iter().map(|p| normalize_term(p)).filter(|p| !p.is_empty()).collect();
        Self { config, scorer, exempt, allowed }
    }

}

/// Sentence spans, shared with the streaming review (which releases text by the same sentences).
pub use govai_text::sentence::sentence_spans;

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

// ----------------------------------------------------------------------------------------------
// Named entities
// ----------------------------------------------------------------------------------------------

/// Kinds of named entity the reviewer checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntityKind {
    Organisation,
    Policy,
    Place,
}

impl EntityKind {
    pub(crate) fn name_zh(self) -> &'static str {
        match self {
            Self::Organisation => "机构名称",
            Self::Policy => "政策名称",
            Self::Place => "地名",
        }
    }
}

/// A named entity found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entity {
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
pub(crate) fn chinese_entities(text: &str) -> Vec<Entity> {
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
pub(crate) fn english_entities(text: &str) -> Vec<Entity> {
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

static EN_LOWER_OFFICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:[a-z][a-z'’\-]+\s+){2,4}(?:bureau|office|centre|center|commission|administration)\b")
        .expect("office pattern compiles (tested)")
});

/// Office names written in lower case ("the example city transportation bureau"), as small
/// models write them: at least two modifiers that name something (not "the local office").
pub(crate) fn lowercase_offices(text: &str) -> Vec<Entity> {
    let mut out = Vec::new();
    for m in EN_LOWER_OFFICE.find_iter(text) {
        let words: Vec<&str> = m.as_str().split_whitespace().collect();
        let Some((head, mods)) = words.split_last() else { continue };
        // Keep the modifiers after the last stop or generic word.
        let keep = mods.iter().rposition(|w| EN_STOP.contains(w) || EN_LEADING_LOWER.contains(w)).map_or(0, |i| i + 1);
        let mods = &mods[keep..];
        if mods.len() < 2 || mods.iter().filter(|w| !EN_GENERIC_MODIFIERS.contains(w)).count() < 2 {
            continue;
        }
        let name = format!("{} {head}", mods.join(" "));
        let Some(pos) = m.as_str().find(mods[0]) else { continue };
        let cs = text[..m.start() + pos].chars().count();
        let ce = text[..m.end()].chars().count();
        out.push(Entity {
            kind: EntityKind::Organisation,
            text: name.clone(),
            span: (cs, ce),
            core: normalize_term(&name),
        });
    }
    out
}

const EN_LEADING_LOWER: &[&str] =
    &["visit", "contact", "call", "see", "ask", "go", "apply", "submit", "via", "through"];

/// All named entities of a text (Chinese and English).
pub(crate) fn entities(text: &str) -> Vec<Entity> {
    let mut v = chinese_entities(text);
    let en = english_entities(text);
    let lower: Vec<Entity> = lowercase_offices(text)
        .into_iter()
        .filter(|l| !en.iter().any(|e| e.span.0 < l.span.1 && l.span.0 < e.span.1))
        .collect();
    v.extend(en);
    v.extend(lower);
    v.sort_by_key(|e| e.span);
    v
}

// ----------------------------------------------------------------------------------------------
// Conflated sources
// ----------------------------------------------------------------------------------------------

/// English head nouns of key terms: document types and offices.
const EN_HEADS: &[&str] = &[
    "permit",
    "permits",
    "licence",
    "licences",
    "license",
    "licenses",
    "card",
    "cards",
    "certificate",
    "certificates",
    "visa",
    "visas",
    "bureau",
    "office",
    "centre",
    "center",
    "division",
    "station",
];

/// Modifiers that do not name a matter ("a valid permit", "the local office").
const EN_GENERIC_MODIFIERS: &[&str] = &[
    "valid",
    "new",
    "original",
    "local",
    "relevant",
    "same",
    "official",
    "nearest",
    "competent",
    "government",
    "city",
    "district",
    "such",
    "their",
    "his",
    "her",
    "my",
    "each",
    "every",
    "one",
    "own",
    "other",
    "required",
    "necessary",
];

/// Second characters of words ending in 证 that are not document types (保证, 认证, 验证...).
const ZH_NOT_DOC_BEFORE_ZHENG: &str = "保认验论查见作举求考印佐凭";

/// Key terms of a text: document types and offices. Chinese: the document type with its two
/// preceding characters (居住证, 保障卡, 营业执照) and offices (派出所, 服务中心, 服务网点); English:
/// the 4-letter stems of a head noun (permit, licence, card, certificate, bureau, office...) and
/// the word before it ("resi perm", "driv lice", "tran bure").
pub fn key_terms(text: &str) -> HashSet<String> {
    key_term_map(text).into_keys().collect()
}

/// [`key_terms`] with the words as written (for messages): key -> surface form.
pub(crate) fn key_term_map(text: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    // Chinese document types on the normalised text.
    let norm: Vec<char> = normalize_term(text).chars().collect();
    for i in 2..norm.len() {
        let (a, b, c) = (norm[i - 2], norm[i - 1], norm[i]);
        if !(is_han(a) && is_han(b)) {
            continue;
        }
        match c {
            '证' if !ZH_NOT_DOC_BEFORE_ZHENG.contains(b) => {
                let t: String = [a, b, c].iter().collect();
                out.insert(t.clone(), t);
            }
            '卡' => {
                let t: String = [a, b, c].iter().collect();
                out.insert(t.clone(), t);
            }
            '照' if b == '执' && i >= 3 && is_han(norm[i - 3]) => {
                let t: String = [norm[i - 3], a, b, c].iter().collect();
                out.insert(t.clone(), t);
            }
            // Offices: 派出所, 保障局, 服务中心, 服务网点.
            '局' | '所' => {
                let t: String = [a, b, c].iter().collect();
                out.insert(t.clone(), t);
            }
            '心' | '点' if ((b == '中' && c == '心') || (b == '网' && c == '点')) && i >= 3 && is_han(norm[i - 3]) =>
            {
                let t: String = [norm[i - 3], a, b, c].iter().collect();
                out.insert(t.clone(), t);
            }
            _ => {}
        }
    }
    // English head nouns with their modifier.
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().count() > 1).collect();
    let stem = |w: &str| w.chars().take(4).collect::<String>();
    for i in 1..words.len() {
        if !EN_HEADS.contains(&words[i]) {
            continue;
        }
        let prev = words[i - 1];
        if EN_STOP.contains(&prev)
            || EN_GENERIC_MODIFIERS.contains(&prev)
            || EN_HEADS.contains(&prev)
            || prev.chars().all(|c| c.is_ascii_digit())
        {
            continue;
        }
        out.entry(format!("{} {}", stem(prev), stem(words[i]))).or_insert_with(|| format!("{prev} {}", words[i]));
    }
    out
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
