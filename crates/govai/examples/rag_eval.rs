//! Retrieval-augmented answers through the whole pipeline (classify, gate, infer, review):
//! are they grounded, do they cite the right passage, do they say what the passage says?
//!
//!     cargo run --release -p govai --example rag_eval -- CONFIG SCENARIO [QUESTIONS] [--show]
//!
//! QUESTIONS defaults to `crates/govai/data/eval/rag_qa_zh.jsonl`: 40 citizen questions written
//! for this evaluation (20 dev, 20 test, split fixed before any prompt or default was tried on
//! them), each with the passage that answers it (`expected`) and short key facts that a correct
//! answer states (`facts`, substrings of that passage). Prompts and defaults are chosen on dev;
//! test is read, not tuned on. Reported per split:
//!
//! - released: outcome `answered` (not blocked, escalated or refused);
//! - retrieved: the expected passage is among the sources the model was given;
//! - cited: the answer carries at least one citation marker;
//! - citation accuracy: of the answers with markers, those whose markers all name the expected
//!   passage;
//! - grounded: released answers with no finding of the citation or grounding reviewers;
//! - facts: the share of key facts the answer states (substring match, after the pipeline's
//!   label is removed);
//! - seconds per question.
//!
//! `RAG_EVAL_SPLIT=dev` runs one split only (for choosing prompts and defaults).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use govai::{Outcome, Request, Response};

struct Item {
    split: String,
    query: String,
    expected: Vec<String>,
    facts: Vec<String>,
}

fn load(path: &PathBuf) -> Result<Vec<Item>, Box<dyn std::error::Error>> {
    let mut out = Vec::new();
    for (n, line) in std::fs::read_to_string(path)?.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let strings = |k: &str| -> Vec<String> {
            v[k].as_array()
                .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
                .unwrap_or_default()
        };
        let text =
            |k: &str| v[k].as_str().map(str::to_owned).ok_or_else(|| format!("{}:{}: no `{k}`", path.display(), n + 1));
        out.push(Item {
            split: text("split")?,
            query: text("query")?,
            expected: strings("expected"),
            facts: strings("facts"),
        });
    }
    Ok(out)
}

/// The source indices the answer's citation markers name (`[1]`, `【1，2】`, `[1-2]` ...).
fn cited_indices(output: &str) -> Vec<usize> {
    let chars: Vec<char> = output.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match govai_text::citation::citation_marker_len(&chars[i..]) {
            Some(len) => {
                let inner: String = chars[i + 1..i + len - 1].iter().collect();
                let digits: String = inner
                    .chars()
                    .map(|c| {
                        if c.is_ascii_digit() {
                            c
                        } else if ('０'..='９').contains(&c) {
                            char::from(b'0' + (c as u32 - '０' as u32) as u8)
                        } else {
                            ' '
                        }
                    })
                    .collect();
                out.extend(digits.split_whitespace().filter_map(|d| d.parse::<usize>().ok()));
                i += len;
            }
            None => i += 1,
        }
    }
    out
}

#[derive(Default)]
struct Tally {
    n: usize,
    released: usize,
    retrieved: usize,
    cited: usize,
    cite_right: usize,
    grounded: usize,
    facts_hit: usize,
    facts_all: usize,
    seconds: f64,
}

impl Tally {
    fn add(&mut self, item: &Item, r: &Response, seconds: f64) {
        self.n += 1;
        self.seconds += seconds;
        let released = r.outcome == Outcome::Answered;
        self.released += usize::from(released);
        self.retrieved += usize::from(r.sources.iter().any(|s| item.expected.contains(&s.id)));
        let cited = cited_indices(&r.output);
        if !cited.is_empty() {
            self.cited += 1;
            let right = |i: &usize| r.sources.iter().any(|s| s.index == *i && item.expected.contains(&s.id));
            self.cite_right += usize::from(cited.iter().all(right));
        }
        let flagged = r.findings.iter().any(|f| f.reviewer == "citation" || f.reviewer == "grounding");
        self.grounded += usize::from(released && !flagged);
        let text = r.draft.as_deref().unwrap_or(&r.output);
        self.facts_all += item.facts.len();
        self.facts_hit += item.facts.iter().filter(|f| text.contains(f.as_str())).count();
    }

    fn row(&self, split: &str) -> String {
        let pct =
            |a: usize, b: usize| if b == 0 { "-".to_owned() } else { format!("{:.0}%", 100.0 * a as f64 / b as f64) };
        format!(
            "| {split} | {} | {} | {} | {} | {} | {} | {} | {:.1} |",
            self.n,
            pct(self.released, self.n),
            pct(self.retrieved, self.n),
            pct(self.cited, self.n),
            pct(self.cite_right, self.cited),
            pct(self.grounded, self.released),
            pct(self.facts_hit, self.facts_all),
            self.seconds / self.n.max(1) as f64
        )
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--show").collect();
    let show = std::env::args().any(|a| a == "--show");
    let [config, scenario, rest @ ..] = args.as_slice() else {
        return Err("usage: rag_eval CONFIG SCENARIO [QUESTIONS] [--show]".into());
    };
    let questions =
        rest.first().map(PathBuf::from).unwrap_or_else(|| PathBuf::from("crates/govai/data/eval/rag_qa_zh.jsonl"));
    let deployment = govai::load(config)?;
    let items = load(&questions)?;
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let only = std::env::var("RAG_EVAL_SPLIT").ok();
    for item in items.iter().filter(|i| only.as_deref().is_none_or(|s| s == i.split)) {
        let started = Instant::now();
        let r = deployment.handle(Request::new(scenario.as_str(), item.query.as_str()))?;
        let seconds = started.elapsed().as_secs_f64();
        if show {
            let ids: Vec<&str> = r.sources.iter().map(|s| s.id.as_str()).collect();
            let findings: Vec<&str> = r.findings.iter().map(|f| f.code.as_str()).collect();
            println!(
                "{} {:?} {ids:?} {findings:?}\n  {}\n",
                item.query,
                r.outcome,
                r.draft.as_deref().unwrap_or(&r.output)
            );
        }
        tallies.entry(item.split.clone()).or_default().add(item, &r, seconds);
    }
    println!("| split | n | released | retrieved | cited | citation accuracy | grounded | facts | s/question |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for (split, t) in &tallies {
        println!("{}", t.row(split));
    }
    Ok(())
}
