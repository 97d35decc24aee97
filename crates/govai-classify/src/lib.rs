//! govai-classify: the built-in rule-based `DataClassifier` for Chinese government data
//! ([`GuardClassifier`]): recognizers with exact validation (ID numbers, credit codes, bank
//! cards...), PIPL sensitive types, level rules, and the de-identification [`operators`].
//!
//! The classifier: recognizers with exact validation, context scoring, overlap
//! resolution and level rules.
//!
//! # How a text is scanned
//! 1. NFKC-normalise with an offset map (`govai_text::normalize::normalize`, whose byte-level
//!    fast path passes over ASCII and common CJK without decoding): full-width digits/letters,
//!    U+3000, dashes, zero-width characters. Every recognizer sees the normalised text; findings
//!    are mapped back to character offsets of the original.
//! 2. One pass per family: an Aho-Corasick pass for all words (context, names, gazetteer, PIPL;
//!    characters that no word contains are skipped), a digit-run pass (ID, bank card, mobile,
//!    landline), an alphanumeric-token pass (USCC, org code, passport, permits, HKID), one regex
//!    per pattern family (email, IPs, plates, secrecy markings, ages), then names, addresses and
//!    PIPL terms from the word hits. A first pass over the ASCII bytes (`prefilter`) skips every
//!    family whose matches need a byte the text lacks (a digit, `@`, `.`, `:`, a capital...).
//! 3. Scoring (identifier types): base score of the recognizer (see the README table); a failed
//!    checksum subtracts `checksum_penalty`; a context word of the type within `context_window`
//!    characters (clipped at sentence ends) adds `context_boost`; a label right before the value
//!    that names something else (`订单号`, `文号`, `金额`, `版本号`, or another type's label such
//!    as `身份证号` before a Luhn-valid number) subtracts twice `context_boost`. A Latin label the
//!    lexicon does not match (`card_no=`, `CardNo`, glued `passportE…`) counts the same way
//!    (`labels`). In a table row (CSV, TSV, Markdown) with no label beside the value, the header
//!    cell of its column counts as its label (`columns`). A failed ID or card checksum is not
//!    lifted by context. Findings below
//!    `min_score` are dropped.
//! 4. Overlaps: candidates are taken by score (high first), then length (long first), then type
//!    priority (declaration order of the entity types), then position; a candidate overlapping one
//!    already taken is dropped. The result is deterministic and non-overlapping.
//! 5. Levels: [`LevelRules`].

#![warn(missing_docs)]

mod address;
mod columns;
mod labels;
mod levels;
mod lexicon;

mod numbers;
pub mod operators;
mod patterns;
mod person;
mod pipl;
mod prefilter;
mod tokens;
mod types;
pub mod validate;

use std::collections::BTreeMap;
use std::sync::LazyLock;

use govai_core::{Classification, DataClassifier, DataLevel, Error, Finding};
use serde::{Deserialize, Serialize};

pub use columns::TableContext;
pub use levels::{BundleRule, LevelRules};
pub(crate) use types::EntityType;

use govai_text::normalize::CharCounter;
use govai_text::sentence::is_terminator;
use lexicon::{Lexicon, Tag};
use validate::Date;

/// Configuration of the guard classifier: the `[classifier]` table of a deployment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GuardConfig {
    /// Subtracted from the score of a finding whose checksum fails (default 0.5: such a number
    /// is reported only with a context word).
    pub checksum_penalty: f32,
    /// Findings scoring below this are not reported (default 0.5).
    pub min_score: f32,
    /// Characters on each side of a finding searched for context words (default 16).
    pub context_window: usize,
    /// Added for a context word of the type, subtracted for a negative word (default 0.3).
    pub context_boost: f32,
    /// Entity types to report (default: all).
    pub enabled: Vec<String>,
    /// Entity types not to report, applied after `enabled` (default: none).
    pub disabled: Vec<String>,
    /// Level rules.
    pub levels: LevelRules,
}

impl Default for GuardConfig {
    fn default() -> Self {
        Self {
            checksum_penalty: 0.5,
            min_score: 0.5,
            context_window: 16,
            context_boost: 0.3,
            enabled: EntityType::ALL.iter().map(|t| t.as_str().to_owned()).collect(),
            disabled: Vec::new(),
            levels: LevelRules::default(),
        }
    }
}

/// A candidate finding on the normalised text (byte offsets).
#[derive(Debug, Clone)]
pub(crate) struct Cand {
    pub ty: EntityType,
    pub start: usize,
    pub end: usize,
    pub score: f32,
    pub checksum: Option<bool>,
    /// Generic context scoring applies (identifier types).
    pub contextual: bool,
    /// Needs a personal anchor (PIPL terms, ages).
    pub needs_anchor: bool,
    /// Birth date of an ID.
    pub birth: Option<Date>,
}

impl Cand {
    pub fn new(ty: EntityType, start: usize, end: usize, score: f32) -> Self {
        Self { ty, start, end, score, checksum: None, contextual: true, needs_anchor: false, birth: None }
    }
}

struct Engine {
    lexicon: Lexicon,
    patterns: patterns::Patterns,
    address: address::AddressScanner,
}

static ENGINE: LazyLock<Result<Engine, String>> = LazyLock::new(|| {
    Ok(Engine {
        lexicon: Lexicon::build()?,
        patterns: patterns::Patterns::build().map_err(|e| e.to_string())?,
        address: address::AddressScanner::build().map_err(|e| e.to_string())?,
    })
});

/// The built-in rule-based classifier (`id() == "guard"`).
#[derive(Debug, Clone)]
pub struct GuardClassifier {
    config: GuardConfig,
    enabled: [bool; EntityType::ALL.len()],
}

impl Default for GuardClassifier {
    fn default() -> Self {
        Self { config: GuardConfig::default(), enabled: [true; EntityType::ALL.len()] }
    }
}

fn config_err(key: &str, reason: impl Into<String>) -> Error {
    Error::config("", format!("classifier.{key}"), reason)
}

impl GuardClassifier {
    /// Validate the configuration and build the classifier.
    pub fn new(config: GuardConfig) -> Result<Self, Error> {
        for (key, v) in [
            ("checksum_penalty", config.checksum_penalty),
            ("min_score", config.min_score),
            ("context_boost", config.context_boost),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(config_err(key, format!("must be between 0 and 1, got {v}")));
            }
        }
        if config.context_window > 200 {
            return Err(config_err("context_window", "must be at most 200 characters"));
        }
        let mut enabled = [false; EntityType::ALL.len()];
        for name in &config.enabled {
            let t: EntityType = name.parse().map_err(|e: Error| config_err("enabled", e.to_string()))?;
            enabled[t.index()] = true;
        }
        for name in &config.disabled {
            let t: EntityType = name.parse().map_err(|e: Error| config_err("disabled", e.to_string()))?;
            enabled[t.index()] = false;
        }
        for (key, name) in config.levels.type_names() {
            name.parse::<EntityType>().map_err(|e| config_err(key, e.to_string()))?;
        }
        if let Err(e) = ENGINE.as_ref() {
            return Err(Error::Internal(format!("guard classifier patterns failed to compile: {e}")));
        }
        Ok(Self { config, enabled })
    }

    fn is_enabled(&self, t: EntityType) -> bool {
        self.enabled[t.index()]
    }

    /// Scan a text: findings (char offsets into `text`), level and reasons. Never fails.
    pub fn scan(&self, text: &str) -> Classification {
        self.scan_at(text, validate::today())
    }

    /// [`scan`](Self::scan) as of a given date (birth dates in the future are invalid; minors
    /// are counted from it).
    pub(crate) fn scan_at(&self, text: &str, today: Date) -> Classification {
        self.scan_gated(text, today, true)
    }

    /// Scan `text` as the line that follows `before` (the header line of its table, see
    /// [`TableContext`]): `before` gives context (a column's header cell labels the values under
    /// it) but its own findings are not reported; offsets are char offsets into `text`.
    pub fn scan_after(&self, before: &str, text: &str) -> Classification {
        let joined = format!("{before}\n{text}");
        self.scan_skipping(&joined, before.len() + 1, validate::today(), true)
    }

    /// [`scan_at`](Self::scan_at); `gated`: skip the recognizers whose required ASCII bytes the
    /// text lacks ([`prefilter`]). Without the gates every recognizer runs (the reference path of
    /// the tests: both give the same findings).
    pub(crate) fn scan_gated(&self, text: &str, today: Date, gated: bool) -> Classification {
        self.scan_skipping(text, 0, today, gated)
    }

    /// [`scan_gated`](Self::scan_gated), reporting only findings at or after byte `skip` of
    /// `text`, with char offsets counted from there.
    fn scan_skipping(&self, text: &str, skip: usize, today: Date, gated: bool) -> Classification {
        let engine = match ENGINE.as_ref() {
            Ok(e) => e,
            // Fail closed: an unusable classifier must not let anything through.
            Err(e) => {
                return Classification {
                    level: DataLevel::Secret,
                    findings: Vec::new(),
                    reasons: vec![format!("guard classifier unavailable ({e}) => secret")],
                };
            }
        };
        let norm = govai_text::normalize::normalize(text);
        let t: &str = &norm.text;
        let hits = engine.lexicon.hits(t);
        let window = self.config.context_window;

        let classes = if gated { prefilter::ascii_classes(t.as_bytes()) } else { u16::MAX };
        let mut cands: Vec<Cand> = Vec::new();
        // Every number and code has a digit.
        if classes & prefilter::DIGIT != 0 {
            numbers::scan(t, today, &mut cands);
            tokens::scan(t, &mut cands);
        }
        engine.patterns.scan(t, classes, &mut cands);
        if self.is_enabled(EntityType::Address) {
            engine.address.scan(t, &hits, &engine.lexicon, &mut cands);
        }
        if self.is_enabled(EntityType::Person) {
            let latin = classes & (prefilter::UPPER | prefilter::LOWER) != 0;
            person::scan(t, &hits, &engine.lexicon, latin, &mut cands);
        }
        cands.retain(|c| self.is_enabled(c.ty) && c.start < c.end && c.end <= t.len());
        for c in cands.iter_mut().filter(|c| c.contextual) {
            self.score_context(t, &hits, &engine.lexicon, c);
        }
        // PIPL terms, anchored by anchor words and by person-identifying findings.
        if EntityType::PIPL.iter().any(|&p| self.is_enabled(p)) {
            let mut pipl_cands = Vec::new();
            pipl::scan(t, &hits, &engine.lexicon, &mut pipl_cands);
            pipl_cands.extend(cands.iter().filter(|c| c.needs_anchor).cloned());
            cands.retain(|c| !c.needs_anchor);
            pipl_cands.retain(|c| self.is_enabled(c.ty));
            let mut anchors = pipl::anchor_words(&hits, &engine.lexicon);
            anchors.extend(
                cands
                    .iter()
                    .filter(|c| pipl::identifies_person(c.ty) && c.score >= self.config.min_score)
                    .map(|c| (c.start, c.end)),
            );
            anchors.sort_unstable();
            pipl::apply_anchors(t, &mut pipl_cands, &anchors, window * 2);
            cands.extend(pipl_cands);
        }
        let min = self.config.min_score;
        cands.retain(|c| c.score >= min);
        let chosen = resolve_overlaps(cands);
        self.finish(text, skip, &norm, chosen, today)
    }

    /// Context scoring of one identifier candidate (see the module docs). The window is clipped
    /// at sentence ends. A label right before the value (`手机：`, `订单号`) decides first: its own
    /// type boosts; a negative word or another type's label (`身份证号` before a Luhn-valid
    /// number) penalises. Otherwise an own-type word anywhere before in the window boosts, or an
    /// own-type word after the value that is not itself the label of a following value.
    fn score_context(&self, t: &str, hits: &[lexicon::Hit], lx: &Lexicon, c: &mut Cand) {
        let cfg = &self.config;
        if c.checksum == Some(false) {
            c.score -= cfg.checksum_penalty;
        }
        // An ID's or a card's check digit is computed by the issuer: a number that fails it is a
        // typo or something else, and a context word does not make it one.
        let no_lift = c.checksum == Some(false) && matches!(c.ty, EntityType::CnResidentId | EntityType::BankCard);
        let (lo, hi) = sentence_window(t, c.start, c.end, cfg.context_window);
        let first = hits.partition_point(|h| h.start < lo);
        let near = || hits[first..].iter().take_while(|h| h.start < hi).filter(|h| h.end <= hi);
        let tags = |h: &lexicon::Hit| lx.tags(h.pattern);
        let is_own = |h: &lexicon::Hit| tags(h).contains(&Tag::Ctx(c.ty));
        let is_neg = |h: &lexicon::Hit| match c.ty {
            EntityType::Ipv4 | EntityType::Ipv6 => tags(h).contains(&Tag::NegVersion),
            ty => negatable(ty) && tags(h).contains(&Tag::Neg),
        };
        let is_other = |h: &lexicon::Hit| tags(h).iter().any(|t| matches!(t, Tag::Ctx(o) if *o != c.ty));
        // The label: the hits ending closest before the value, at most a few label characters away.
        let label_end =
            near().filter(|h| h.end <= c.start).map(|h| h.end).max().filter(|&e| is_label_gap(&t[e..c.start]));
        let mut adjust = 0.0;
        if let Some(e) = label_end {
            // The label is every word ending inside the longest word that ends at `e`
            // (`香港身份证号码` = 香港身份证 + 身份证号码).
            let ls = near().filter(|h| h.end == e).map(|h| h.start).min().unwrap_or(e);
            let label = || near().filter(|h| h.end > ls && h.end <= e);
            if label().any(is_own) {
                adjust = 1.0;
            } else if label().any(|h| is_neg(h) || is_other(h)) {
                // A label saying the value is something else is strong evidence.
                adjust = -2.0;
            }
        }
        if adjust == 0.0 {
            let own_after = |h: &lexicon::Hit| {
                h.start >= c.end
                    && is_own(h)
                    && !t[h.end..]
                        .trim_start_matches([' ', ':', '\t'])
                        .starts_with(|ch: char| ch.is_ascii_alphanumeric())
            };
            if near().any(|h| h.end <= c.start && is_own(h)) || near().any(own_after) {
                adjust = 1.0;
            }
        }
        if adjust == 0.0 {
            // A Latin label the lexicon does not see: an identifier (`card_no=`, `srcIP:`) or
            // glued to the value (`passportE…`, `IP192.…`).
            adjust = latin_label(labels::label_before(t, c.start), c.ty);
        }
        if adjust == 0.0 {
            // A table row: the column's header cell is the label.
            if let Some((hs, he)) = columns::header_cell(t, c.start) {
                let cell =
                    hits.iter().skip_while(|h| h.start < hs).take_while(|h| h.start < he).filter(|h| h.end <= he);
                adjust = if cell.clone().any(is_own) {
                    1.0
                } else if cell.clone().any(|h| is_neg(h) || is_other(h)) {
                    -2.0
                } else {
                    latin_label(&t.as_bytes()[hs..he], c.ty)
                };
            }
        }
        if no_lift && adjust > 0.0 {
            adjust = 0.0;
        }
        c.score = (c.score + adjust * cfg.context_boost).clamp(0.0, 1.0);
    }

    /// Findings (char offsets counted from byte `skip` of `text`; those before it dropped) and
    /// the level they give.
    fn finish(
        &self,
        text: &str,
        skip: usize,
        norm: &govai_text::normalize::Normalized<'_>,
        mut chosen: Vec<Cand>,
        today: Date,
    ) -> Classification {
        let t: &str = &norm.text;
        chosen.retain(|c| norm.orig_start(c.start) >= skip);
        let skipped = text.get(..skip).map_or(0, |s| s.chars().count());
        // Original byte spans, then char offsets in one forward pass.
        let spans: Vec<(usize, usize)> =
            chosen.iter().map(|c| (norm.orig_start(c.start), norm.orig_end(c.end))).collect();
        let mut offsets: Vec<usize> = spans.iter().flat_map(|&(s, e)| [s, e]).collect();
        offsets.sort_unstable();
        offsets.dedup();
        let mut counter = CharCounter::new(text);
        // Sorted by byte offset (increasing input), looked up by binary search.
        let char_of: Vec<(usize, usize)> = offsets.into_iter().map(|b| (b, counter.char_at(b))).collect();
        let char_at = |b: usize| char_of.binary_search_by_key(&b, |&(k, _)| k).ok().map(|i| char_of[i].1);
        let mut findings = Vec::with_capacity(chosen.len());
        let mut seen = Vec::with_capacity(chosen.len());
        for (c, (os, oe)) in chosen.iter().zip(spans) {
            let (Some(cs), Some(ce), Some(orig)) = (char_at(os), char_at(oe), text.get(os..oe)) else {
                continue;
            };
            if cs >= ce {
                continue;
            }
            let ntext = t.get(c.start..c.end).unwrap_or("");
            seen.push(levels::Seen { ty: c.ty, birth: c.birth, text: ntext });
            findings.push(Finding {
                entity_type: c.ty.as_str().to_owned(),
                start: cs - skipped,
                end: ce - skipped,
                text: orig.to_owned(),
                score: (c.score * 1000.0).round() / 1000.0,
                checksum: c.checksum,
            });
        }
        let (level, reasons) = self.config.levels.evaluate(&seen, today);
        Classification { level, findings, reasons }
    }
}

/// A Latin label's say on a value of type `ty`: its own (+1), another type's (-2, for types a
/// negative word can lower and that share no labels with it), or none (0).
fn latin_label(run: &[u8], ty: EntityType) -> f32 {
    if labels::is_label_of(run, ty) {
        1.0
    } else if negatable(ty)
        && EntityType::ALL.iter().any(|&o| o != ty && !shares_labels(o, ty) && labels::is_label_of(run, o))
    {
        -2.0
    } else {
        0.0
    }
}

/// Types whose score a negative word (`订单号`, `金额`, `版本`) or another type's label lowers.
fn negatable(t: EntityType) -> bool {
    matches!(
        t,
        EntityType::CnResidentId
            | EntityType::CnUscc
            | EntityType::CnOrgCode
            | EntityType::BankCard
            | EntityType::CnMobile
            | EntityType::CnLandline
            | EntityType::Ipv4
    )
}

/// Types whose labels overlap (`tel` names both phones, `identity card` both IDs): one's label
/// is not evidence against the other.
fn shares_labels(a: EntityType, b: EntityType) -> bool {
    use EntityType::{CnLandline, CnMobile, CnResidentId, Hkid, Ipv4, Ipv6};
    let pair = |x, y| (a == x && b == y) || (a == y && b == x);
    pair(CnMobile, CnLandline) || pair(CnResidentId, Hkid) || pair(Ipv4, Ipv6)
}

/// The characters between a label and its value: `手机：`, `单据号 `, `编号为`.
fn is_label_gap(gap: &str) -> bool {
    gap.chars().count() <= 3
        && gap.chars().all(|ch| matches!(ch, ' ' | ':' | '\t' | '(' | '-' | '#' | '为' | '是' | '号' | '码'))
}

/// Byte window of `n` characters on each side of `[start, end)`, clipped at sentence
/// terminators (one character at a time: no `.` rule, a `.` in an e-mail or IP is common).
pub(crate) fn sentence_window(t: &str, start: usize, end: usize, n: usize) -> (usize, usize) {
    let mut lo = start;
    for (i, ch) in t[..start].char_indices().rev().take(n) {
        if is_terminator(ch) {
            break;
        }
        lo = i;
    }
    let mut hi = end;
    for (i, ch) in t[end..].char_indices().take(n) {
        if is_terminator(ch) {
            break;
        }
        hi = end + i + ch.len_utf8();
    }
    (lo, hi)
}

/// Deterministic overlap resolution: score desc, length desc, type priority, start; greedy.
fn resolve_overlaps(mut cands: Vec<Cand>) -> Vec<Cand> {
    cands.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(a.ty.cmp(&b.ty))
            .then(a.start.cmp(&b.start))
    });
    let mut taken: BTreeMap<usize, usize> = BTreeMap::new();
    let mut out = Vec::new();
    for c in cands {
        let overlaps = taken.range(..c.end).next_back().is_some_and(|(_, &e)| e > c.start);
        if !overlaps {
            taken.insert(c.start, c.end);
            out.push(c);
        }
    }
    out.sort_by_key(|c| (c.start, c.end));
    out
}

impl DataClassifier for GuardClassifier {
    fn id(&self) -> &str {
        "guard"
    }

    fn classify(&self, text: &str) -> govai_core::Result<Classification> {
        Ok(self.scan(text))
    }
}

#[cfg(test)]
mod fast_path_tests;
#[cfg(test)]
mod tests;
