//! The grounding bank (crates/govai-review/data/grounding-bank.jsonl): answers written apart
//! from the rules — faithful paraphrases of a passage, planted faults (changed numbers, dates,
//! durations, amounts, phones, offices, documents, negation, modality, added claims) and
//! faithful answers built on the wrong passage — each with `split` dev (tune on it) or test
//! (report it). [`evaluate`] runs `grounding` and `relevance` (and `citation`, for what
//! intelligent_qa runs on an answer's facts) on every item; the [`GroundingReport`] prints per
//! type and fault type, dev and test side by side. Used by `govai eval grounding` and by
//! crates/govai/tests/grounding_bank.rs.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use govai_core::{Error, Result, ReviewContext, Reviewer, Source, Verdict};
use govai_review::{CitationReviewer, RelevanceReviewer};
use serde::Deserialize;

/// Where the bank lives, relative to the workspace root.
pub const BANK_PATH: &str = "crates/govai-review/data/grounding-bank.jsonl";

/// Targets on the test split: at most this share of faithful answers flagged...
pub const MAX_FAITHFUL_FLAGGED: f64 = 0.10;
/// ... at least this share of faults caught and of wrong-passage answers flagged.
pub const MIN_CAUGHT: f64 = 0.90;

/// One bank item.
#[derive(Debug, Clone, Deserialize)]
pub struct BankItem {
    pub id: String,
    #[serde(default)]
    pub passage_id: String,
    /// `faithful`, `fault` or `wrong_passage`.
    #[serde(rename = "type")]
    pub kind: String,
    pub fault_type: Option<String>,
    pub question: String,
    pub answer: String,
    pub sources: Vec<BankSource>,
    /// `dev` or `test`.
    pub split: String,
    #[serde(default)]
    pub note: String,
}

/// A passage of a bank item.
#[derive(Debug, Clone, Deserialize)]
pub struct BankSource {
    pub index: usize,
    pub title: String,
    pub text: String,
}

/// Read the bank (JSON Lines); a bad line is an `invalid_input` error naming it.
pub fn load_bank(path: &Path) -> Result<Vec<BankItem>> {
    let raw = govai_core::io::read_file_bounded(path, govai_core::MAX_FILE_BYTES)?;
    raw.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| Error::InvalidInput(format!("{}: line {}: {e}", path.display(), i + 1)))
        })
        .collect()
}

/// A count of flagged items.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub hits: usize,
    pub n: usize,
}

impl Rate {
    fn add(&mut self, hit: bool) {
        self.n += 1;
        self.hits += usize::from(hit);
    }

    /// The share flagged, in [0, 1] (0 when empty).
    pub fn value(self) -> f64 {
        if self.n == 0 { 0.0 } else { self.hits as f64 / self.n as f64 }
    }

    /// The share in percent.
    pub fn pct(self) -> f64 {
        100.0 * self.value()
    }

    fn show(self) -> String {
        format!("{:5.1}% ({:>2}/{:<2})", self.pct(), self.hits, self.n)
    }
}

/// The figures of one run over the bank.
#[derive(Debug, Default)]
pub struct GroundingReport {
    /// What was run (printed in the heading).
    pub label: String,
    /// (group, split) -> flagged by grounding or relevance. Groups: `faithful`, `fault`,
    /// `fault:<fault_type>`, `wrong_passage`.
    pub flagged: BTreeMap<(String, String), Rate>,
    /// The same with citation too.
    pub flagged_with_citation: BTreeMap<(String, String), Rate>,
    /// ("<group> by <reviewer>", split) -> flagged by that reviewer alone.
    pub by_reviewer: BTreeMap<(String, String), Rate>,
    /// Dev items judged wrong, with the finding codes (the test split is not listed item by item).
    pub dev_misses: Vec<String>,
    /// (split, type, lexical, cosine) of the relevance reviewer, when asked for.
    pub relevance_scores: Vec<(String, String, f32, Option<f32>)>,
}

impl GroundingReport {
    /// The rate of a group on a split, by grounding + relevance or with citation too.
    pub fn rate(&self, with_citation: bool, group: &str, split: &str) -> Rate {
        let m = if with_citation { &self.flagged_with_citation } else { &self.flagged };
        m.get(&(group.to_owned(), split.to_owned())).copied().unwrap_or_default()
    }

    /// The test-split targets not met by grounding + relevance, as messages.
    pub fn unmet_targets(&self) -> Vec<String> {
        let mut out = Vec::new();
        let faithful = self.rate(false, "faithful", "test");
        if faithful.value() > MAX_FAITHFUL_FLAGGED {
            out.push(format!(
                "target unmet: faithful flagged {:.1}% vs <={:.0}%",
                faithful.pct(),
                100.0 * MAX_FAITHFUL_FLAGGED
            ));
        }
        for (group, what) in [("fault", "faults caught"), ("wrong_passage", "wrong passage flagged")] {
            let r = self.rate(false, group, "test");
            if r.value() < MIN_CAUGHT {
                out.push(format!("target unmet: {what} {:.1}% vs >={:.0}%", r.pct(), 100.0 * MIN_CAUGHT));
            }
        }
        out
    }
}

fn groups(item: &BankItem) -> Vec<String> {
    match item.kind.as_str() {
        "fault" => vec!["fault".to_owned(), format!("fault:{}", item.fault_type.as_deref().unwrap_or("?"))],
        k => vec![k.to_owned()],
    }
}

/// Run `grounding` and `relevance` (and the default `citation`) on every item in the
/// intelligent_qa scenario. With `relevance_scores`, its lexical score and cosine per item are
/// kept too.
pub fn evaluate(
    label: &str,
    items: &[BankItem],
    grounding: &dyn Reviewer,
    relevance: &dyn Reviewer,
    relevance_scores: Option<&RelevanceReviewer>,
) -> Result<GroundingReport> {
    let spec = govai_core::scenario::builtin("intelligent_qa")
        .ok_or_else(|| Error::NotFound { what: "scenario", id: "intelligent_qa".into() })?;
    let citation = CitationReviewer::default();
    let mut rep = GroundingReport { label: label.to_owned(), ..GroundingReport::default() };
    for it in items {
        let sources: Vec<Source> = it
            .sources
            .iter()
            .map(|s| Source {
                index: s.index,
                id: format!("{}-{}", it.id, s.index),
                title: s.title.clone(),
                text: s.text.clone(),
                url: None,
                score: 1.0,
            })
            .collect();
        let ctx = ReviewContext {
            scenario: &spec,
            request: &it.question,
            output: &it.answer,
            sources: &sources,
            documents: &[],
        };
        if let Some(r) = relevance_scores
            && let Some((lexical, cosine)) = r.scores(&ctx)?
        {
            rep.relevance_scores.push((it.split.clone(), it.kind.clone(), lexical, cosine));
        }
        let g = grounding.review(&ctx)?;
        let r = relevance.review(&ctx)?;
        let c = citation.review(&ctx)?;
        let gr = g.verdict >= Verdict::Revise || r.verdict >= Verdict::Revise;
        let all = gr || c.verdict >= Verdict::Revise;
        for grp in groups(it) {
            let key = (grp.clone(), it.split.clone());
            rep.flagged.entry(key.clone()).or_default().add(gr);
            rep.flagged_with_citation.entry(key).or_default().add(all);
            for (name, v) in [("grounding", g.verdict), ("relevance", r.verdict), ("citation", c.verdict)] {
                rep.by_reviewer
                    .entry((format!("{grp} by {name}"), it.split.clone()))
                    .or_default()
                    .add(v >= Verdict::Revise);
            }
        }
        let wrong = if it.kind == "faithful" { all } else { !all };
        if wrong && it.split == "dev" {
            let codes: Vec<String> = g
                .findings
                .iter()
                .chain(&r.findings)
                .chain(&c.findings)
                .map(|f| format!("{}:{}", f.reviewer, f.code))
                .collect();
            rep.dev_misses.push(format!(
                "{} {} {} got {codes:?}",
                it.id,
                it.kind,
                it.fault_type.as_deref().unwrap_or("")
            ));
            if it.kind == "faithful" {
                for f in g.findings.iter().chain(&r.findings).chain(&c.findings) {
                    rep.dev_misses.push(format!("    {} {}: {}", f.reviewer, f.code, f.message));
                }
            }
        }
    }
    Ok(rep)
}

impl fmt::Display for GroundingReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "== grounding bank, {} ==", self.label)?;
        writeln!(f, "flagged by grounding + relevance (g+r), and with citation too:")?;
        writeln!(
            f,
            "{:<28} {:>16} {:>16}   {:>16} {:>16}",
            "", "dev g+r", "test g+r", "dev +citation", "test +citation"
        )?;
        let mut groups: Vec<&String> = self.flagged.keys().map(|k| &k.0).collect();
        groups.dedup();
        for g in groups {
            writeln!(
                f,
                "{:<28} {:>16} {:>16}   {:>16} {:>16}",
                g,
                self.rate(false, g, "dev").show(),
                self.rate(false, g, "test").show(),
                self.rate(true, g, "dev").show(),
                self.rate(true, g, "test").show()
            )?;
        }
        writeln!(f, "flagged by each reviewer alone:")?;
        let mut keys: Vec<&String> =
            self.by_reviewer.keys().map(|k| &k.0).filter(|k| !k.starts_with("fault:")).collect();
        keys.dedup();
        for k in keys {
            let get = |s: &str| self.by_reviewer.get(&(k.clone(), s.to_owned())).copied().unwrap_or_default();
            writeln!(f, "  {:<26} dev {}   test {}", k, get("dev").show(), get("test").show())?;
        }
        for kind in ["faithful", "wrong_passage"] {
            let mut v: Vec<String> = self
                .relevance_scores
                .iter()
                .filter(|x| x.0 == "dev" && x.1 == kind)
                .map(|x| match x.3 {
                    Some(c) => format!("{:.2}/{c:.2}", x.2),
                    None => format!("{:.2}", x.2),
                })
                .collect();
            if !v.is_empty() {
                v.sort();
                writeln!(f, "relevance scores, dev {kind} (lexical[/cosine], sorted): {}", v.join(" "))?;
            }
        }
        for m in &self.dev_misses {
            writeln!(f, "  dev miss {m}")?;
        }
        for u in self.unmet_targets() {
            writeln!(f, "{u} (test split)")?;
        }
        Ok(())
    }
}
