//! The citation and grounding reviewer.
//!
//! 1. Citation markers `[n]`, `［n］`, `【n】` (also `[1,2]`, `[1-3]`, `[1、2]`) must resolve to a
//!    source with that `index` (else Escalate `unresolved_citation`, span = the marker). When the
//!    model returned no sources but the caller attached documents, document *n* (1-based, the
//!    numbering of the scenario prompt) is source *n*.
//! 2. Scenarios that answer from a knowledge base (task answer / assist / match / retrieve) and
//!    face the public must have something to stand on: no sources and no documents => Escalate
//!    `no_sources`.
//! 3. Grounding: every number-like token of the answer (amounts, percentages, dates, times,
//!    durations, phone numbers, 第N条, URLs, e-mail addresses; see [`super::numbers`]) must occur
//!    in the sources its sentence cites, or in any source when the sentence cites none, or in
//!    the request (restating the citizen's own facts is not a hallucination). Else Revise
//!    `ungrounded_number` (`ungrounded_url` for links and e-mail addresses), span = the token.
//!    A marker placed after the sentence end (`……办理。[1]`) belongs to the sentence before it.
//! 4. Policy titles in 《》 must occur in some source title or text (or the request), compared
//!    without punctuation and spaces, traditional characters folded: else Revise
//!    `ungrounded_title`.
//!
//! 5. An empty or whitespace-only answer => Escalate `empty_answer` (the citation reviewer
//!    owns it: it runs for every scenario that answers from sources, and an answer with no
//!    text has nothing to stand on). A streamed answer's whitespace-only windows are not
//!    reviewed, so this fires on whole answers only.
//!
//! Findings are bounded: past [`govai_core::MAX_FINDINGS`] they are counted in
//! `Review::findings_dropped`, not kept.
//!
//! Frames such as `根据《…》[1]：` carry no number and pass as long as the title and the marker
//! resolve.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, LazyLock, Mutex};

use govai_core::{Result, Review, ReviewContext, ReviewFinding, Reviewer, TaskKind, Verdict};
use regex::Regex;
use serde::{Deserialize, Serialize};

use govai_text::normalize::normalize_term;
use govai_text::sentence::split_spans;

use crate::numbers::{Canon, Kind, Token, tokens};

/// Reviewer id.
pub const CITATION_ID: &str = "citation";

/// `[reviewers.citation]` in a deployment file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CitationConfig {
    /// Public-facing answer/assist/match/retrieve scenarios need at least one source.
    pub require_sources_for_public: bool,
    /// Check that numbers, dates, amounts, phones, URLs of the answer occur in the sources.
    pub check_numbers: bool,
    /// Check that policy titles in 《》 occur in the sources.
    pub check_titles: bool,
    /// Numbers an answer may always give without a source: national public hotlines by default
    /// (12345 政务服务便民热线, 12315, 12333, 12366, 12348, 12388, 12309, 110, 119, 120, 122).
    pub allowed_numbers: Vec<String>,
}

/// The default [`CitationConfig::allowed_numbers`].
pub(crate) const PUBLIC_HOTLINES: &[&str] =
    &["12345", "12315", "12333", "12366", "12348", "12388", "12309", "110", "119", "120", "122"];

impl Default for CitationConfig {
    fn default() -> Self {
        Self {
            require_sources_for_public: true,
            check_numbers: true,
            check_titles: true,
            allowed_numbers: PUBLIC_HOTLINES.iter().map(|s| (*s).to_owned()).collect(),
        }
    }
}

/// Reviewer id `citation`.
#[derive(Debug, Clone)]
pub struct CitationReviewer {
    config: CitationConfig,
    /// Keys of `config.allowed_numbers`.
    allowed: Arc<Evidence>,
    /// Tokenised passages, shared by clones: knowledge-base passages recur across requests.
    cache: Arc<EvidenceCache>,
}

impl Default for CitationReviewer {
    fn default() -> Self {
        Self::new(CitationConfig::default())
    }
}

/// A citation marker: `[1]`, `［2］`, `【1，3】`, `[1-2]` (group 1: the numbers). The same
/// grammar as `govai_text::citation::citation_marker_len`, which core spells without regex.
pub(crate) static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\[［【]\s*([0-9０-９]{1,3}(?:\s*[,，、\-–~～]\s*[0-9０-９]{1,3})*)\s*[\]］】]")
        .expect("marker pattern compiles (tested)")
});
static TITLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"《([^《》\n]{1,100})》").expect("title pattern compiles (tested)"));

/// A citation marker in the output.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Marker {
    /// Character span.
    span: (usize, usize),
    indices: Vec<usize>,
    text: String,
}

fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => c.to_digit(10),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

fn parse_marker_list(list: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut nums: Vec<usize> = Vec::new();
    let mut seps: Vec<char> = Vec::new();
    let mut cur: Option<usize> = None;
    for c in list.chars() {
        if let Some(d) = digit_value(c) {
            cur = Some(cur.unwrap_or(0) * 10 + d as usize);
        } else if !c.is_whitespace() {
            if let Some(n) = cur.take() {
                nums.push(n);
            }
            seps.push(c);
        }
    }
    if let Some(n) = cur {
        nums.push(n);
    }
    for (i, &n) in nums.iter().enumerate() {
        let is_range_end = i > 0 && matches!(seps.get(i - 1), Some('-' | '–' | '~' | '～'));
        if is_range_end {
            let a = nums[i - 1];
            if n > a && n - a <= 50 {
                out.extend(a + 1..=n);
                continue;
            }
        }
        out.push(n);
    }
    out
}

/// Byte offset -> character offset table for `s`.
fn char_index(s: &str) -> Vec<usize> {
    let mut starts: Vec<usize> = s.char_indices().map(|(b, _)| b).collect();
    starts.push(s.len());
    starts
}

fn to_char(starts: &[usize], b: usize) -> usize {
    starts.partition_point(|&x| x < b)
}

fn markers(output: &str, starts: &[usize]) -> Vec<Marker> {
    MARKER
        .captures_iter(output)
        .filter_map(|c| {
            let m = c.get(0)?;
            Some(Marker {
                span: (to_char(starts, m.start()), to_char(starts, m.end())),
                indices: parse_marker_list(c.get(1)?.as_str()),
                text: m.as_str().to_owned(),
            })
        })
        .collect()
}

/// What a piece of evidence provides.
#[derive(Debug, Default)]
struct Evidence {
    keys: HashSet<String>,
    /// Lower-case canonical text, for URL / e-mail lookups.
    lower: String,
}

impl Evidence {
    fn of(text: &str) -> Self {
        let mut ev = Self::default();
        ev.add(text);
        ev
    }

    fn add(&mut self, text: &str) {
        let canon = Canon::new(text);
        for t in tokens(&canon) {
            self.keys.extend(t.provide);
        }
        self.lower.push_str(&canon.text.to_lowercase());
        self.lower.push('\n');
    }

    fn grounds(&self, t: &Token) -> bool {
        match t.kind {
            Kind::Url | Kind::Email => t.accept.iter().any(|a| self.lower.contains(a.as_str())),
            _ => t.accept.iter().any(|a| self.keys.contains(a)),
        }
    }
}

/// Passages larger than this are not cached.
const CACHE_MAX_ENTRY: usize = 256 * 1024;
/// The cache is emptied when the cached passages exceed this many bytes.
const CACHE_MAX_BYTES: usize = 4 * 1024 * 1024;

/// Passage text -> its evidence, bounded by total passage bytes.
#[derive(Debug, Default)]
struct EvidenceCache {
    inner: Mutex<(HashMap<String, Arc<Evidence>>, usize)>,
}

impl EvidenceCache {
    fn get(&self, text: &str) -> Arc<Evidence> {
        if text.len() > CACHE_MAX_ENTRY {
            return Arc::new(Evidence::of(text));
        }
        if let Ok(guard) = self.inner.lock()
            && let Some(ev) = guard.0.get(text)
        {
            return Arc::clone(ev);
        }
        let ev = Arc::new(Evidence::of(text));
        if let Ok(mut guard) = self.inner.lock() {
            if guard.1 + text.len() > CACHE_MAX_BYTES {
                guard.0.clear();
                guard.1 = 0;
            }
            guard.1 += text.len();
            guard.0.insert(text.to_owned(), Arc::clone(&ev));
        }
        ev
    }
}

impl CitationReviewer {
    /// A citation reviewer with `config`.
    pub fn new(config: CitationConfig) -> Self {
        let mut allowed = Evidence::default();
        for n in &config.allowed_numbers {
            allowed.add(n);
        }
        Self { config, allowed: Arc::new(allowed), cache: Arc::default() }
    }

    pub(crate) fn from_config(config: &CitationConfig) -> Self {
        Self::new(config.clone())
    }
}

fn finding(code: &str, message: String, verdict: Verdict, span: Option<(usize, usize)>) -> ReviewFinding {
    ReviewFinding { reviewer: CITATION_ID.to_owned(), code: code.to_owned(), message, verdict, span }
}

fn fmt_indices(ix: &BTreeSet<usize>) -> String {
    ix.iter().map(|i| format!("[{i}]")).collect()
}

impl Reviewer for CitationReviewer {
    fn id(&self) -> &str {
        CITATION_ID
    }

    fn review(&self, ctx: &ReviewContext<'_>) -> Result<Review> {
        // Bounded: past MAX_FINDINGS, findings are only counted.
        let mut findings = Review::pass();
        let output = ctx.output;
        // The evidence, by citation index: the sources, or the attached documents when the model
        // returned no sources (numbered as in the prompt).
        let numbered: Vec<(usize, String)> = if ctx.sources.is_empty() {
            ctx.documents.iter().enumerate().map(|(i, d)| (i + 1, d.clone())).collect()
        } else {
            ctx.sources.iter().map(|s| (s.index, format!("{}\n{}", s.title, s.text))).collect()
        };
        let valid: BTreeSet<usize> = numbered.iter().map(|(i, _)| *i).collect();
        let has_evidence = !numbered.is_empty() || !ctx.documents.is_empty();

        // (b) a public knowledge-base answer with nothing behind it.
        let kb_task =
            matches!(ctx.scenario.task, TaskKind::Answer | TaskKind::Assist | TaskKind::Match | TaskKind::Retrieve);
        if self.config.require_sources_for_public
            && ctx.scenario.public_facing
            && kb_task
            && !has_evidence
            && !output.trim().is_empty()
        {
            findings.push(finding(
                "no_sources",
                format!("面向公众的{}场景答复没有任何引用资料，无法核实，需转人工", ctx.scenario.name_zh),
                Verdict::Escalate,
                None,
            ));
        }
        if let Some(empty) = govai_core::empty_answer(CITATION_ID, output) {
            // (e) nothing to show (the rule lives in govai-core, shared with the pipeline).
            findings.push(empty);
            return Ok(findings);
        }

        // (a) markers must resolve.
        let starts = char_index(output);
        let marks = markers(output, &starts);
        for m in &marks {
            let missing: Vec<usize> = m.indices.iter().copied().filter(|i| !valid.contains(i)).collect();
            if !missing.is_empty() {
                let have = if valid.is_empty() {
                    "没有任何资料".to_owned()
                } else {
                    format!("现有资料{}", fmt_indices(&valid))
                };
                findings.push(finding(
                    "unresolved_citation",
                    format!(
                        "引用标注「{}」指向不存在的资料{}（{have}）",
                        m.text,
                        missing.iter().map(|i| format!("[{i}]")).collect::<String>()
                    ),
                    Verdict::Escalate,
                    Some(m.span),
                ));
            }
        }

        if !has_evidence || !(self.config.check_numbers || self.config.check_titles) {
            return Ok(findings);
        }

        let chars: Vec<char> = output.chars().collect();
        let mut in_marker = vec![false; chars.len()];
        for m in &marks {
            for x in &mut in_marker[m.span.0..m.span.1.min(chars.len())] {
                *x = true;
            }
        }

        if self.config.check_numbers {
            // Sentences and the sources each one cites.
            let sents = split_spans(&chars);
            let sentence_of = |pos: usize| sents.partition_point(|&(_, e)| e <= pos).min(sents.len() - 1);
            let mut cited: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); sents.len()];
            // Per sentence, where its first character that is neither space nor marker is: a
            // marker before it leads the sentence. Computed once, so the work stays linear in
            // the output (scanning from the sentence start for each marker was quadratic on a
            // long sentence of markers).
            let text_start: Vec<usize> = sents
                .iter()
                .map(|&(s, e)| {
                    (s..e.min(chars.len())).find(|&i| !(chars[i].is_whitespace() || in_marker[i])).unwrap_or(e)
                })
                .collect();
            for m in &marks {
                let k = sentence_of(m.span.0);
                let lead = m.span.0 <= text_start[k];
                let target = if lead && k > 0 { k - 1 } else { k };
                cited[target].extend(m.indices.iter().copied().filter(|i| valid.contains(i)));
            }

            let per_source: Vec<(usize, Arc<Evidence>)> =
                numbered.iter().map(|(i, text)| (*i, self.cache.get(text))).collect();
            // Always acceptable: the request, the allowed numbers and (when the model returned
            // sources) the attached documents.
            let mut extra: Vec<Arc<Evidence>> = vec![Arc::new(Evidence::of(ctx.request)), Arc::clone(&self.allowed)];
            if !ctx.sources.is_empty() {
                extra.extend(ctx.documents.iter().map(|d| self.cache.get(d)));
            }

            let canon = Canon::new(output);
            for t in tokens(&canon) {
                if t.skip || (t.span.0..t.span.1).any(|i| in_marker.get(i).copied().unwrap_or(false)) {
                    continue;
                }
                if extra.iter().any(|ev| ev.grounds(&t)) {
                    continue;
                }
                let k = sentence_of(t.span.0);
                let cites = &cited[k];
                let in_cited = per_source.iter().filter(|(i, _)| cites.contains(i)).any(|(_, ev)| ev.grounds(&t));
                if in_cited {
                    continue;
                }
                let found_in: BTreeSet<usize> =
                    per_source.iter().filter(|(_, ev)| ev.grounds(&t)).map(|(i, _)| *i).collect();
                if cites.is_empty() && !found_in.is_empty() {
                    continue;
                }
                let shown: String = chars[t.span.0..t.span.1.min(chars.len())].iter().collect();
                let what = t.kind.name_zh();
                let message = if cites.is_empty() {
                    format!("{what}「{shown}」未出现在任何引用资料或请求中")
                } else if found_in.is_empty() {
                    format!("{what}「{shown}」未出现在所引资料{}中，也不见于其他资料", fmt_indices(cites))
                } else {
                    format!(
                        "{what}「{shown}」未出现在所引资料{}中（见于资料{}，请核对引用）",
                        fmt_indices(cites),
                        fmt_indices(&found_in)
                    )
                };
                let code =
                    if matches!(t.kind, Kind::Url | Kind::Email) { "ungrounded_url" } else { "ungrounded_number" };
                findings.push(finding(code, message, Verdict::Revise, Some(t.span)));
            }
        }

        if self.config.check_titles {
            let mut hay = normalize_term(ctx.request);
            for (_, text) in &numbered {
                hay.push('\n');
                hay.push_str(&normalize_term(text));
            }
            if !ctx.sources.is_empty() {
                for d in ctx.documents {
                    hay.push('\n');
                    hay.push_str(&normalize_term(d));
                }
            }
            for c in TITLE.captures_iter(output) {
                let (Some(whole), Some(inner)) = (c.get(0), c.get(1)) else { continue };
                let key = normalize_term(inner.as_str());
                if key.is_empty() || hay.contains(&key) {
                    continue;
                }
                findings.push(finding(
                    "ungrounded_title",
                    format!("文件名称「{}」未出现在任何引用资料或请求中", whole.as_str()),
                    Verdict::Revise,
                    Some((to_char(&starts, whole.start()), to_char(&starts, whole.end()))),
                ));
            }
        }

        Ok(findings)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The regex and core's regex-free spelling (used to split streamed sentences) agree.
    #[test]
    fn marker_grammar_matches_core() {
        for t in [
            "[1]",
            "［１２］",
            "【1，3】",
            "[1-2]",
            "[ 1 ]",
            "[1 , 2]",
            "[]",
            "[1,]",
            "[1234]",
            "[注]",
            "[1 2]",
            "x[1]",
        ] {
            let regex_len = MARKER.find(t).filter(|m| m.start() == 0).map(|m| t[..m.end()].chars().count());
            let chars: Vec<char> = t.chars().collect();
            assert_eq!(regex_len, govai_text::citation::citation_marker_len(&chars), "{t}");
        }
    }

    #[test]
    fn marker_lists() {
        assert_eq!(parse_marker_list("1"), vec![1]);
        assert_eq!(parse_marker_list("1, 2"), vec![1, 2]);
        assert_eq!(parse_marker_list("１、３"), vec![1, 3]);
        assert_eq!(parse_marker_list("1-3"), vec![1, 2, 3]);
        assert_eq!(parse_marker_list("2-1"), vec![2, 1]);
        let s = "见[1]和【2】及［3］，[1,2]。【温馨提示】";
        let ms = markers(s, &char_index(s));
        assert_eq!(
            ms.iter().map(|m| m.indices.clone()).collect::<Vec<_>>(),
            vec![vec![1], vec![2], vec![3], vec![1, 2]]
        );
        assert_eq!(ms[0].span, (1, 4));
    }

    #[test]
    fn config_defaults() {
        let c: CitationConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(c, CitationConfig::default());
        let c: CitationConfig = serde_json::from_str(r#"{"check_numbers": false}"#).unwrap();
        assert!(!c.check_numbers && c.require_sources_for_public);
        assert!(serde_json::from_str::<CitationConfig>(r#"{"check_number": false}"#).is_err());
    }
}
