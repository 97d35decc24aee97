//! The lexicon reviewer: Aho-Corasick over term lists organised by the GB/T 45654-2025 taxonomy.
//!
//! Terms and output are matched in the normalised form of [`MatchText`] (NFKC, traditional ->
//! simplified, lower case, whitespace/punctuation/invisible characters dropped), so inserted
//! spaces, dots, zero-width characters, full-width forms and traditional characters do not hide a
//! term. A match may not run across a sentence end (。！？!?；; or a line break). A term preceded by
//! a negation or warning cue in the same clause (谨防先交保证金, 请勿走后门, 不存在安全账户) is
//! recorded as a note with verdict `pass` when `negation_guard` is on (the default), because
//! government answers routinely warn against exactly these things. The same guard reads what
//! follows the term: a statement or question about the act's legality or consequences in the
//! same clause (伪造公章是违法行为, 买卖发票将被依法追究刑事责任, 伪造公章会受到什么处罚？,
//! 代开发票违法吗) and, within the rest of the sentence, a call to report it or a question whether
//! it is a fraud (……出售公民个人信息，怎么举报？). A negated cue (又不违法, 不会受到处罚, 不用举报)
//! does not count, and the sentence-level cues do not count when the term's clause offers the act
//! (帮你走后门，不会被举报 / 可以帮你伪造公章，这是诈骗吗). An offer or instruction with no such cue
//! (可以帮你伪造公章, 伪造公章请联系……) stays flagged.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use govai_core::{Error, Result, Review, ReviewContext, ReviewFinding, Reviewer, Verdict};
use regex::Regex;
use serde::{Deserialize, Serialize};

use super::taxonomy::{RiskCategory, RiskGroup};
use govai_text::normalize::{MatchText, is_ignorable, normalize_term};
use govai_text::sentence::{is_clause_break_at, is_sentence_end};

/// Reviewer id.
pub const LEXICON_ID: &str = "lexicon";

/// What a hit on a term does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TermAction {
    /// The answer needs editing before the public may see it.
    Revise,
    /// The answer is withheld; the configured refusal is shown.
    Block,
    /// A human takes over.
    Escalate,
}

impl TermAction {
    /// The verdict of a finding with this action.
    pub fn verdict(self) -> Verdict {
        match self {
            Self::Revise => Verdict::Revise,
            Self::Block => Verdict::Block,
            Self::Escalate => Verdict::Escalate,
        }
    }

    /// The configuration name: `revise`, `block` or `escalate`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Revise => "revise",
            Self::Block => "block",
            Self::Escalate => "escalate",
        }
    }

    /// The action a term file line without an action column gets: A.5 (accuracy, reliability)
    /// terms are fixable (`revise`), all others `block`.
    pub(crate) fn default_for(category: RiskCategory) -> Self {
        if category.group() == RiskGroup::A5ServiceSafety { Self::Revise } else { Self::Block }
    }
}

impl fmt::Display for TermAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TermAction {
    type Err = String;
    /// `block` / `escalate` / `revise` (any case), or 拦截 / 转人工 / 修改.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "block" | "拦截" => Ok(Self::Block),
            "escalate" | "转人工" => Ok(Self::Escalate),
            "revise" | "修改" => Ok(Self::Revise),
            _ => Err(format!("unknown action `{s}` (expected block, escalate or revise)")),
        }
    }
}

/// One lexicon entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    /// The term as written (matched in its normalised form).
    pub text: String,
    /// The risk category a hit is reported under.
    pub category: RiskCategory,
    /// What a hit does to the answer.
    pub action: TermAction,
}

impl Term {
    /// A term.
    pub fn new(text: impl Into<String>, category: RiskCategory, action: TermAction) -> Self {
        Self { text: text.into(), category, action }
    }
}

/// `[reviewers.lexicon]` in a deployment file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LexiconConfig {
    /// A term file (`term<TAB>category_code<TAB>action` lines, see [`LexiconReviewer::load_tsv`]).
    pub terms_file: Option<PathBuf>,
    /// Also use the built-in default terms.
    pub include_builtin: bool,
    /// Record (verdict `pass`) rather than act on terms preceded by a negation or warning cue.
    pub negation_guard: bool,
}

impl Default for LexiconConfig {
    fn default() -> Self {
        Self { terms_file: None, include_builtin: true, negation_guard: true }
    }
}

#[derive(Debug, Clone)]
struct Entry {
    /// The term as written (first spelling seen).
    text: String,
    category: RiskCategory,
    action: TermAction,
}

/// Aho-Corasick (leftmost-longest) lexicon reviewer, id `lexicon`.
#[derive(Debug, Clone)]
pub struct LexiconReviewer {
    matcher: AhoCorasick,
    /// Indexed by pattern id.
    entries: Vec<Entry>,
    negation_guard: bool,
}

impl LexiconReviewer {
    /// Build from terms. Terms equal after normalisation are merged (the most severe action wins;
    /// the first category is kept). A term with nothing left after normalisation is an error.
    pub fn from_terms(terms: Vec<Term>) -> Result<Self> {
        let mut index: HashMap<String, usize> = HashMap::with_capacity(terms.len());
        let mut patterns: Vec<String> = Vec::with_capacity(terms.len());
        let mut entries: Vec<Entry> = Vec::with_capacity(terms.len());
        for (i, term) in terms.into_iter().enumerate() {
            let norm = normalize_term(&term.text);
            if norm.is_empty() {
                return Err(Error::InvalidInput(format!(
                    "lexicon term {} `{}` has no letters or digits left after normalisation",
                    i + 1,
                    term.text
                )));
            }
            match index.get(&norm) {
                Some(&k) => {
                    if term.action > entries[k].action {
                        entries[k].action = term.action;
                    }
                }
                None => {
                    index.insert(norm.clone(), patterns.len());
                    patterns.push(norm);
                    entries.push(Entry { text: term.text, category: term.category, action: term.action });
                }
            }
        }
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .map_err(|e| Error::config("", "reviewers.lexicon", format!("cannot build the term matcher: {e}")))?;
        Ok(Self { matcher, entries, negation_guard: true })
    }

    /// The built-in default terms (see [`builtin_terms`]).
    pub fn builtin() -> Self {
        Self::from_terms(builtin_terms()).expect("built-in lexicon terms are valid (tested)")
    }

    /// Load a term file: one term a line, `term<TAB>category_code<TAB>action`; the action column
    /// may be left out (the category's default action). Blank lines and lines starting with `#`
    /// are skipped; a UTF-8 BOM is accepted. Errors name the line:
    /// `Error::Config { file, key: "line N" }`.
    pub fn load_tsv(path: impl AsRef<Path>) -> Result<Self> {
        Self::from_terms(read_tsv(path.as_ref())?)
    }

    /// Build from a deployment config, resolving a relative `terms_file` against `base_dir`
    /// (normally the directory of the config file).
    pub fn from_config_in(config: &LexiconConfig, base_dir: Option<&Path>) -> Result<Self> {
        let mut terms = if config.include_builtin { builtin_terms() } else { Vec::new() };
        match &config.terms_file {
            Some(path) => {
                let path = match base_dir {
                    Some(base) if path.is_relative() => base.join(path),
                    _ => path.clone(),
                };
                terms.extend(read_tsv(&path)?);
            }
            None if !config.include_builtin => {
                return Err(Error::config(
                    "",
                    "reviewers.lexicon",
                    "no terms: include_builtin = false and no terms_file given",
                ));
            }
            None => {}
        }
        Ok(Self::from_terms(terms)?.with_negation_guard(config.negation_guard))
    }

    /// Turn the negation guard on or off: with it, a term negated or warned against
    /// (`不需要走后门`, `走后门是违法的`) is reported as a note with verdict `pass`.
    pub fn with_negation_guard(mut self, on: bool) -> Self {
        self.negation_guard = on;
        self
    }

    /// Number of distinct (normalised) terms.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// No terms.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// All hits in `text`, as findings (including negated notes with verdict `pass`).
    pub fn scan(&self, text: &str) -> Vec<ReviewFinding> {
        if self.entries.is_empty() || text.is_empty() {
            return Vec::new();
        }
        let norm = MatchText::new(text);
        let mut chars: Option<Vec<char>> = None;
        let mut findings = Vec::new();
        for m in self.matcher.find_iter(&norm.text) {
            let Some((start, end)) = norm.orig_span(m.start(), m.end()) else { continue };
            let chars = chars.get_or_insert_with(|| text.chars().collect());
            if (start + 1..end).any(|i| is_sentence_end(chars, i)) {
                continue;
            }
            let entry = &self.entries[m.pattern().as_usize()];
            let matched: String = chars[start..end].iter().collect();
            let cue = if self.negation_guard {
                negation_cue(&norm.text[..m.start()], chars, start)
                    .map(|c| ("前有否定或警示语", c))
                    .or_else(|| consequence_cue(chars, start, end).map(|c| ("后有违法后果或警示语", c)))
            } else {
                None
            };
            let group = entry.category.group();
            let (verdict, message) = match cue {
                Some((kind, cue)) => (
                    Verdict::Pass,
                    format!(
                        "词条「{}」（{} {}）{kind}「{cue}」，仅记录：原文「{matched}」",
                        entry.text,
                        group.label(),
                        entry.category.name_zh()
                    ),
                ),
                None => (
                    entry.action.verdict(),
                    format!(
                        "命中{} {}词条「{}」（{}）：原文「{matched}」，处理：{}",
                        group.label(),
                        group.name_zh(),
                        entry.text,
                        entry.category.name_zh(),
                        entry.action
                    ),
                ),
            };
            findings.push(ReviewFinding {
                reviewer: LEXICON_ID.to_owned(),
                code: entry.category.code().to_owned(),
                message,
                verdict,
                span: Some((start, end)),
            });
        }
        findings
    }
}

impl Reviewer for LexiconReviewer {
    fn id(&self) -> &str {
        LEXICON_ID
    }

    fn review(&self, ctx: &ReviewContext<'_>) -> Result<Review> {
        Ok(Review::from_findings(self.scan(ctx.output)))
    }

    /// Term matches are local: a window with the stream's hold-back judges them.
    fn stream_check(&self) -> govai_core::StreamCheck {
        govai_core::StreamCheck::Window
    }
}

/// Multi-character cues may be followed by up to two characters before the term
/// (不需要找关系, 切勿轻信先交保证金); single-character cues must touch it (不走后门 is a cue,
/// 办不成就走后门 is not).
const NEGATION_CUES: &[&str] = &[
    "不需要",
    "不存在",
    "不要",
    "不需",
    "无需",
    "无须",
    "不必",
    "不用",
    "不能",
    "不可",
    "不得",
    "不应",
    "不会",
    "不是",
    "严禁",
    "禁止",
    "谨防",
    "警惕",
    "防范",
    "防止",
    "切勿",
    "请勿",
    "杜绝",
    "拒绝",
    "避免",
    "没有",
    "并非",
    "举报",
    "打击",
    "小心",
    "当心",
    "识破",
    "远离",
    "揭露",
    "整治",
];
const SINGLE_CUES: &[char] = &['不', '勿', '别', '莫', '无', '非', '未', '没'];

/// The negation cue before a match, if any. `before` is the normalised text before the match;
/// `chars`/`start` locate the match in the original to stop at the clause start.
fn negation_cue(before: &str, chars: &[char], start: usize) -> Option<String> {
    // Only look inside the current clause of the original text.
    let clause_start = (0..start).rev().find(|&i| is_clause_break_at(chars, i)).map_or(0, |p| p + 1);
    let clause_len: usize = chars[clause_start..start].iter().filter(|c| !is_ignorable(**c)).count();
    let window: Vec<char> =
        before.chars().rev().take(clause_len.min(6)).collect::<Vec<_>>().into_iter().rev().collect();
    if window.last().is_some_and(|c| SINGLE_CUES.contains(c)) {
        return window.last().map(|c| c.to_string());
    }
    let w: String = window.iter().collect();
    for cue in NEGATION_CUES {
        if let Some(pos) = w.rfind(cue) {
            let after = w[pos + cue.len()..].chars().count();
            if after <= 2 {
                return Some((*cue).to_owned());
            }
        }
    }
    None
}

/// Cues after a term, in the same clause, that make the text a statement or a question about the
/// act's legality or consequences (normalised form). Matched within [`AFTER_GAP`] characters of
/// the term: 伪造公章是违法行为, 伪造公章的行为属于违法, 买卖发票将被依法追究刑事责任.
static CLAUSE_CUES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        "(是|属于|属|均属于?|都是|都属于?|系|构成|涉嫌|已经?构成)(违法|犯法|犯罪|违规|违纪|非法|诈骗|骗局)",
        // bare only as the predicate (代开发票违法吗, 伪造公章违法), not as an adverb (违规办理)
        "|(违法|犯法|犯罪|违规)(行为|犯罪|吗|么|的|$)",
        "|(是|属于)?(不允许|不被允许|不合法|被禁止|明令禁止|严格禁止|严令禁止)",
        "|受到(什么|哪些|何种|怎样的?)?(行政|刑事|法律|严厉)?(处罚|惩罚|制裁|追究|惩处|打击)",
        "|(被|将被|会被|将会被)?依法(追究|处罚|惩处|严惩|打击|查处|处理|处以|判处)",
        "|追究(其|相关人员的?)?(刑事|法律|行政)?责任|(承担|负)(刑事|法律|行政)责任",
        "|(被)?(处以|判处)|(坐牢|判刑|判几年|入狱|蹲监狱|被抓|被罚|被拘留)",
        "|(有什么|会有什么|有哪些|会有哪些|有何|会有|将有)(法律)?(后果|处罚|责任|风险)",
    ))
    .expect("consequence cues compile (tested)")
});

/// Cues that count only in a question about the term (the clause ends with ？ or 吗/呢):
/// 伪造公章会怎么样？ 伪造公章怎么处罚？
static QUESTION_CUES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new("会怎样|会怎么样|怎么处罚|如何处罚|怎么处理|如何处理|怎么判|如何定罪|怎么定罪|如何认定|后果|合法|处罚")
        .expect("question cues compile (tested)")
});

/// Cues anywhere later in the same sentence: reporting the act, or asking whether it is a fraud
/// (……安全账户的电话，这是诈骗吗？ 发现有人出售公民个人信息，请及时举报。).
static SENTENCE_CUES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new("举报|报警|报案|揭发|(是|这是|属于|都是|是不是)(诈骗|骗局|骗子|违法|犯罪)")
        .expect("sentence cues compile (tested)")
});

/// Offers of the act in the term's clause before the term: they cancel the sentence-level cues.
const OFFER_CUES: &[&str] =
    &["帮你", "帮您", "为你", "为您", "替你", "替您", "给你办", "给您办", "包你", "保你", "代你", "代您"];

/// A contrast followed by an offer later in the sentence: the warning is a preamble to offering
/// the act (伪造公章是违法的，但我们可以帮你办 / 虽然违规，不过可以找人代办), so no cue counts.
static CONTRAST_OFFER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new("(但|但是|不过|可是|然而|只要|其实)[^。！？!?；;]*?(帮你|帮您|为你|为您|替你|替您|代你|代您|代办|包办|可以办|能办|给你办|给您办|搞定)")
        .expect("contrast offer compiles (tested)")
});

/// What an offer may be for without offering the act (…但我们可以帮您报警).
const OFFER_EXCEPTIONS: &[&str] = &["报警", "举报", "报案", "维权", "咨询"];

/// How far (normalised characters) after the term a clause cue may start (伪造公章等行为均属违法).
const AFTER_GAP: usize = 6;

/// Characters that negate a cue when they are among the two characters before a clause cue (又不违法,
/// 不会受到处罚, 并非违法) or the four before a sentence cue (不用怕被举报, 不存在被举报的风险).
const CUE_NEGATIONS: &[char] = &['不', '没', '无', '非', '未', '别', '勿', '莫', '免'];

/// A legality/consequence cue after the match `start..end` (character offsets of the original), if
/// any (see the module documentation).
fn consequence_cue(chars: &[char], start: usize, end: usize) -> Option<String> {
    let clause_end = (end..chars.len()).find(|&i| is_clause_break_at(chars, i)).unwrap_or(chars.len());
    let sentence_end = (end..chars.len()).find(|&i| is_sentence_end(chars, i)).unwrap_or(chars.len());
    let clause_start = (0..start).rev().find(|&i| is_clause_break_at(chars, i)).map_or(0, |p| p + 1);
    let norm = |a: usize, b: usize| MatchText::new(&chars[a..b].iter().collect::<String>()).text;
    let negated = |after: &str, at: usize, window: usize| {
        let before: Vec<char> = after[..at].chars().collect();
        before.iter().rev().take(window).any(|c| CUE_NEGATIONS.contains(c))
    };
    let rest = norm(end, sentence_end);
    if let Some(m) = CONTRAST_OFFER.find(&rest) {
        let after: String = rest[m.end()..].chars().take(4).collect();
        if !OFFER_EXCEPTIONS.iter().any(|x| after.contains(x)) {
            return None;
        }
    }
    let clause = norm(end, clause_end);
    // A question: the clause ends with ？/? or with 吗/呢/么.
    let question =
        chars.get(clause_end).is_some_and(|&c| matches!(c, '？' | '?')) || clause.ends_with(['吗', '呢', '么']);
    let near = |re: &Regex| {
        re.find_iter(&clause)
            .find(|m| clause[..m.start()].chars().count() <= AFTER_GAP && !negated(&clause, m.start(), 2))
    };
    if let Some(m) = near(&CLAUSE_CUES) {
        return Some(m.as_str().to_owned());
    }
    if question && let Some(m) = near(&QUESTION_CUES) {
        return Some(m.as_str().to_owned());
    }
    let before = norm(clause_start, start);
    if OFFER_CUES.iter().any(|c| before.contains(c)) {
        return None;
    }
    SENTENCE_CUES.find_iter(&rest).find(|m| !negated(&rest, m.start(), 4)).map(|m| m.as_str().to_owned())
}

/// Read and parse a term file.
fn read_tsv(path: &Path) -> Result<Vec<Term>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse_tsv(&text, &path.display().to_string())
}

/// Parse a term file: one term a line, `term<TAB>category_code<TAB>action`; the action column
/// may be left out ([`TermAction::default_for`]). Blank lines and lines starting with `#` are
/// skipped; a UTF-8 BOM is accepted. Errors name the line: `Error::Config { file, key: "line N" }`.
pub(crate) fn parse_tsv(text: &str, file: &str) -> Result<Vec<Term>> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut terms = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        let key = || format!("line {}", n + 1);
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 2 || cols.len() > 3 {
            return Err(Error::config(
                file,
                key(),
                format!(
                    "expected `term<TAB>category_code<TAB>action` (action optional), found {} tab-separated column(s)",
                    cols.len()
                ),
            ));
        }
        let term = cols[0].trim();
        if term.is_empty() {
            return Err(Error::config(file, key(), "empty term"));
        }
        if normalize_term(term).is_empty() {
            return Err(Error::config(
                file,
                key(),
                format!("term `{term}` has no letters or digits left after normalisation"),
            ));
        }
        let category: RiskCategory = cols[1].parse().map_err(|e: String| Error::config(file, key(), e))?;
        let action = match cols.get(2).map(|s| s.trim()) {
            None | Some("") => TermAction::default_for(category),
            Some(a) => a.parse().map_err(|e: String| Error::config(file, key(), e))?,
        };
        terms.push(Term::new(term, category, action));
    }
    Ok(terms)
}

/// The built-in default terms: a small, mild, professional list for government answers
/// (inappropriate promises, back-door channels, fraud and forgery patterns, discriminatory
/// phrasings, privacy violations, self-harm). Deployments load their own lists for the rest.
pub fn builtin_terms() -> Vec<Term> {
    use RiskCategory as C;
    use TermAction::{Block, Escalate, Revise};
    let rows: &[(&str, RiskCategory, TermAction)] = &[
        // A.5 unreliable: promises a government answer must never make.
        ("保证百分之百通过", C::Unreliable, Revise),
        ("百分之百通过", C::Unreliable, Revise),
        ("保证审批通过", C::Unreliable, Revise),
        ("保证能批", C::Unreliable, Revise),
        ("一定能批下来", C::Unreliable, Revise),
        ("肯定能通过审批", C::Unreliable, Revise),
        ("包过", C::Unreliable, Revise),
        ("包办成", C::Unreliable, Revise),
        ("绝对没问题", C::Unreliable, Revise),
        // A.5 inaccurate: sweeping claims that are practically never true of a procedure.
        ("无需任何材料", C::Inaccurate, Revise),
        ("所有业务都不需要本人到场", C::Inaccurate, Revise),
        // A.3 business ethics: back doors and favours.
        ("走后门", C::BusinessEthics, Block),
        ("内部渠道", C::BusinessEthics, Block),
        ("托关系", C::BusinessEthics, Block),
        ("找关系", C::BusinessEthics, Block),
        ("打通关系", C::BusinessEthics, Block),
        ("给工作人员送礼", C::BusinessEthics, Block),
        ("送礼打点", C::BusinessEthics, Block),
        ("好处费", C::BusinessEthics, Block),
        ("花钱插队", C::BusinessEthics, Block),
        // A.1 other prohibited: fraud and forgery patterns.
        ("先交保证金", C::OtherProhibited, Block),
        ("代办加急费", C::OtherProhibited, Block),
        ("缴纳解冻费", C::OtherProhibited, Block),
        ("安全账户", C::OtherProhibited, Block),
        ("转账到个人账户", C::OtherProhibited, Block),
        ("刷单返利", C::OtherProhibited, Block),
        ("代开发票", C::OtherProhibited, Block),
        ("办理假证", C::OtherProhibited, Block),
        ("伪造公章", C::OtherProhibited, Block),
        ("买卖身份证", C::OtherProhibited, Block),
        ("出租银行卡", C::OtherProhibited, Block),
        // A.1 false information.
        ("据小道消息", C::FalseHarmfulInfo, Revise),
        // A.2 discrimination.
        ("少数民族不予受理", C::DiscEthnicity, Block),
        ("信教群众不得申请", C::DiscBelief, Block),
        ("外国人一律不予受理", C::DiscNationality, Block),
        ("外地人一律不予受理", C::DiscRegion, Block),
        ("外地人素质低", C::DiscRegion, Block),
        ("只招男性", C::DiscGender, Block),
        ("女性不适合担任", C::DiscGender, Block),
        ("男性优先录用", C::DiscGender, Block),
        ("超过35岁不予受理", C::DiscAge, Block),
        ("年龄太大不予办理", C::DiscAge, Block),
        ("农民工素质低", C::DiscOccupation, Block),
        ("乙肝携带者不得录用", C::DiscHealth, Block),
        ("残疾人不得报名", C::DiscHealth, Block),
        ("离异人员不得申请", C::DiscOther, Block),
        // A.3 other commercial violations.
        ("破解版下载", C::IpInfringement, Block),
        ("盗版资源下载", C::IpInfringement, Block),
        ("透露投标底价", C::TradeSecrets, Block),
        ("刷单炒信", C::UnfairCompetition, Block),
        // A.4 rights of others.
        ("人肉搜索", C::Privacy, Block),
        ("查询他人开房记录", C::Privacy, Block),
        ("出售公民个人信息", C::PersonalInformation, Block),
        ("购买公民个人信息", C::PersonalInformation, Block),
        ("自杀方法", C::PhysicalMentalHealth, Escalate),
        ("自残方法", C::PhysicalMentalHealth, Escalate),
    ];
    rows.iter().map(|&(t, c, a)| Term::new(t, c, a)).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn codes(r: &LexiconReviewer, text: &str) -> Vec<(String, Verdict)> {
        r.scan(text).into_iter().map(|f| (f.code, f.verdict)).collect()
    }

    #[test]
    fn builtin_builds_and_covers_groups() {
        let r = LexiconReviewer::builtin();
        assert_eq!(r.len(), builtin_terms().len());
        let groups: std::collections::BTreeSet<_> = builtin_terms().iter().map(|t| t.category.group()).collect();
        assert_eq!(groups.len(), 5);
    }

    #[test]
    fn obfuscated_hits() {
        let r = LexiconReviewer::builtin();
        for text in [
            "可以走后门办理",
            "可以走 后 门办理",
            "可以走‧後‧門办理",
            "可以走\u{200B}后\u{200B}门办理",
            "可以ｚｏｕ走·后·门",
            "可以走後门",
        ] {
            let f = r.scan(text);
            assert_eq!(f.len(), 1, "{text}: {f:?}");
            assert_eq!(f[0].code, "a3_business_ethics");
            assert_eq!(f[0].verdict, Verdict::Block);
            let (s, e) = f[0].span.unwrap();
            let hit: String = text.chars().skip(s).take(e - s).collect();
            assert!(hit.starts_with('走') && (hit.ends_with('门') || hit.ends_with('門')), "{hit}");
        }
        // Full-width digits in a term with digits.
        assert_eq!(codes(&r, "超过３５岁不予受理"), vec![("a2_age".to_owned(), Verdict::Block)]);
    }

    #[test]
    fn leftmost_longest_and_sentence_boundary() {
        let r = LexiconReviewer::builtin();
        let f = r.scan("我们保证百分之百通过。");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("保证百分之百通过"));
        // A term split by a sentence end is not a hit.
        assert!(r.scan("请走。后门在东侧").is_empty());
    }

    #[test]
    fn negation_guard() {
        let r = LexiconReviewer::builtin();
        assert_eq!(codes(&r, "谨防先交保证金类诈骗"), vec![("a1_other_prohibited".to_owned(), Verdict::Pass)]);
        assert_eq!(codes(&r, "公安机关不存在所谓安全账户"), vec![("a1_other_prohibited".to_owned(), Verdict::Pass)]);
        assert_eq!(codes(&r, "办理业务无需找关系"), vec![("a3_business_ethics".to_owned(), Verdict::Pass)]);
        // A cue in the previous clause does not count; a distant single-character cue does not count.
        assert_eq!(codes(&r, "不要担心，可以走后门"), vec![("a3_business_ethics".to_owned(), Verdict::Block)]);
        assert_eq!(codes(&r, "办不成就走后门"), vec![("a3_business_ethics".to_owned(), Verdict::Block)]);
        let strict = LexiconReviewer::builtin().with_negation_guard(false);
        assert_eq!(codes(&strict, "谨防先交保证金"), vec![("a1_other_prohibited".to_owned(), Verdict::Block)]);
    }

    #[test]
    fn clean_answer_passes() {
        let r = LexiconReviewer::builtin();
        let text = "根据《居住证暂行条例》[1]，申领居住证需提交身份证、居住证明，办理时限为15个工作日，不收取费用。";
        assert!(r.scan(text).is_empty());
    }

    #[test]
    fn tsv_parsing_and_errors() {
        let terms =
            parse_tsv("\u{FEFF}# comment\n\n假冒商标\ta3_ip_infringement\tblock\n内部价\ta5_unreliable\r\n", "t.tsv")
                .unwrap();
        assert_eq!(terms.len(), 2);
        assert_eq!(terms[1].action, TermAction::Revise);
        let err = |s: &str| parse_tsv(s, "t.tsv").unwrap_err().to_string();
        assert!(err("a\ta1_subversion\n没有分类\n").contains("t.tsv: line 2"));
        assert!(err("x\ta9_nope\tblock").contains("line 1: unknown risk category"));
        assert!(err("x\ta1_subversion\tdelete").contains("unknown action"));
        assert!(err("。。\ta1_subversion").contains("no letters"));
        assert!(err("x\ta1_subversion\tblock\textra").contains("4 tab-separated"));
        match parse_tsv("x\tbad", "f").unwrap_err() {
            Error::Config { file, key, .. } => assert_eq!((file.as_str(), key.as_str()), ("f", "line 1")),
            e => panic!("{e}"),
        }
    }

    #[test]
    fn duplicates_merge_to_most_severe() {
        let r = LexiconReviewer::from_terms(vec![
            Term::new("测试词", RiskCategory::Unreliable, TermAction::Revise),
            Term::new("測 試 詞", RiskCategory::Unreliable, TermAction::Escalate),
        ])
        .unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(codes(&r, "这是测试词"), vec![("a5_unreliable".to_owned(), Verdict::Escalate)]);
        assert!(
            LexiconReviewer::from_terms(vec![Term::new("  ", RiskCategory::Unreliable, TermAction::Revise)]).is_err()
        );
    }

    #[test]
    fn config_defaults() {
        let c: LexiconConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(c, LexiconConfig::default());
        assert!(c.include_builtin && c.negation_guard && c.terms_file.is_none());
        assert!(serde_json::from_str::<LexiconConfig>(r#"{"termsfile": "x"}"#).is_err());
        let none = LexiconConfig { include_builtin: false, ..LexiconConfig::default() };
        assert!(LexiconReviewer::from_config_in(&none, None).is_err());
        assert_eq!(
            LexiconReviewer::from_config_in(&LexiconConfig::default(), None).unwrap().len(),
            builtin_terms().len()
        );
    }
}
