//! Commands running the rule-based reviewers without a deployment: `review` (one answer or a
//! JSON Lines batch) and `review-eval` (the review test bank).

use std::path::Path;
use std::process::ExitCode;

use govai::Error;
use govai::answer_review::{ReviewRequest, SourceInput};
use serde_json::json;

use crate::{JsonLines, open_lines, out, outln, print_json};

/// Sources from a file: JSON array, JSON Lines, or blank-line-separated paragraphs.
fn load_sources(path: &Path) -> govai::Result<Vec<SourceInput>> {
    let raw = govai::io::read_file_bounded(path, govai::MAX_FILE_BYTES)?;
    let trimmed = raw.trim_start();
    let bad = |line: Option<usize>, e: serde_json::Error| {
        let at = line.map(|l| format!("line {l}: ")).unwrap_or_default();
        Error::InvalidInput(format!("{}: {at}{e}", path.display()))
    };
    if trimmed.starts_with('[') {
        serde_json::from_str(trimmed).map_err(|e| bad(None, e))
    } else if trimmed.starts_with('{') {
        raw.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| serde_json::from_str(l).map_err(|e| bad(Some(i + 1), e)))
            .collect()
    } else {
        Ok(raw
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| SourceInput { text: p.to_owned(), ..SourceInput::default() })
            .collect())
    }
}

/// `govai review`: one answer; exit 0 on pass, 1 otherwise.
pub(crate) fn review(
    json: bool,
    sources: Option<&Path>,
    scenario: &str,
    request: &str,
    answer: &str,
    config: Option<&Path>,
) -> govai::Result<ExitCode> {
    let request = ReviewRequest {
        scenario: scenario.to_owned(),
        request: request.to_owned(),
        answer: answer.to_owned(),
        sources: sources.map(load_sources).transpose()?.unwrap_or_default(),
        documents: Vec::new(),
    };
    let result = match config {
        None => govai::answer_review::review(request)?,
        Some(path) => govai::answer_review::review_with(request, &govai::answer_review::reviewers_from_file(path)?)?,
    };
    if json {
        print_json(&review_json(&result))?;
    } else {
        outln!("verdict: {}", result.verdict)?;
        for f in &result.findings {
            let span = f.span.map(|(a, b)| format!(" at {a}..{b}")).unwrap_or_default();
            outln!("  [{}] {} {}{span}: {}", f.verdict, f.reviewer, f.code, f.message)?;
        }
        if result.findings_dropped > 0 {
            outln!("  … {} more findings not shown (limit {})", result.findings_dropped, govai::MAX_FINDINGS)?;
        }
    }
    Ok(if result.verdict == govai::Verdict::Pass { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// `{"verdict", "findings"}` plus `findings_dropped` when findings past
/// [`govai::MAX_FINDINGS`] were left out.
fn review_json(r: &govai::Review) -> serde_json::Value {
    let mut v = json!({"verdict": r.verdict, "findings": r.findings});
    if r.findings_dropped > 0 {
        v["findings_dropped"] = json!(r.findings_dropped);
    }
    v
}

/// `govai review --jsonl`: one review per input line, the reviewers built once.
pub(crate) fn review_jsonl(
    path: &Path,
    default_scenario: &str,
    only: &[String],
    fail_fast: bool,
    config: Option<&Path>,
) -> govai::Result<ExitCode> {
    let all = match config {
        None => govai::reviewers::builtin_reviewers(govai::default_classifier()),
        Some(path) => govai::answer_review::reviewers_from_file(path)?,
    };
    if let Some(bad) = only.iter().find(|id| !all.iter().any(|r| r.id() == id.as_str())) {
        let known: Vec<&str> = all.iter().map(|r| r.id()).collect();
        return Err(Error::InvalidInput(format!("unknown reviewer `{bad}` (known: {})", known.join(", "))));
    }
    let name = if path == Path::new("-") { "<stdin>".to_owned() } else { path.display().to_string() };
    let mut out = JsonLines::new(fail_fast);
    let mut lines = open_lines(path)?;
    while let Some(line) = lines.next() {
        let number = lines.line_number();
        let result = line.and_then(|line| {
            if line.text.trim().is_empty() {
                return Ok(None);
            }
            review_line(&line.text, default_scenario, only, &all).map(Some).map_err(|e| at_line(e, &name, number))
        });
        match result {
            Ok(Some(o)) => out.write(&o)?,
            Ok(None) => {}
            Err(e) => out.bad_line(number, e)?,
        }
    }
    out.finish()
}

/// A line's error, its message prefixed with the input and line number: a reviewer failure
/// keeps its kind (`review`), anything else about the line is `invalid_input`.
fn at_line(e: Error, name: &str, number: usize) -> Error {
    match e {
        Error::Review { reviewer, reason } => {
            Error::Review { reviewer, reason: format!("{name}: line {number}: {reason}") }
        }
        Error::InvalidInput(m) => Error::InvalidInput(format!("{name}: line {number}: {m}")),
        e => Error::InvalidInput(format!("{name}: line {number}: {e}")),
    }
}

/// One line of `review --jsonl`: its review as the output object.
fn review_line(
    line: &str,
    default_scenario: &str,
    only: &[String],
    all: &[std::sync::Arc<dyn govai::Reviewer>],
) -> govai::Result<serde_json::Value> {
    let bad = |msg: String| Error::InvalidInput(msg);
    let mut v: serde_json::Value = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
    let obj = v.as_object_mut().ok_or_else(|| bad("expected a JSON object".into()))?;
    let id = obj.remove("id");
    obj.entry("scenario").or_insert_with(|| json!(default_scenario));
    let req: ReviewRequest = serde_json::from_value(v).map_err(|e| bad(e.to_string()))?;
    let spec = govai::scenario::builtin(&req.scenario)
        .ok_or_else(|| Error::NotFound { what: "scenario", id: req.scenario.clone() })?;
    if let Some(r) = only.iter().find(|r| !spec.reviewers.contains(r)) {
        return Err(bad(format!("reviewer `{r}` is not one of scenario {}'s reviewers", spec.id)));
    }
    let sources = govai::answer_review::number_sources(req.sources);
    let ctx = govai::ReviewContext {
        scenario: &spec,
        request: &req.request,
        output: &req.answer,
        sources: &sources,
        documents: &req.documents,
    };
    let start = std::time::Instant::now();
    let mut result = govai::Review::pass();
    for reviewer in all.iter().filter(|r| {
        spec.reviewers.iter().any(|id| id == r.id()) && (only.is_empty() || only.iter().any(|id| id == r.id()))
    }) {
        result = result.combine(reviewer.review(&ctx)?);
    }
    let elapsed_us = start.elapsed().as_secs_f64() * 1e6;
    let mut o = review_json(&result);
    o["elapsed_us"] = json!(elapsed_us);
    if let Some(id) = id {
        o["id"] = id;
    }
    Ok(o)
}

/// `govai review-eval`: the review test bank; exit 0 when every target is met.
pub(crate) fn review_eval(bank: &Path, config: Option<&Path>) -> govai::Result<ExitCode> {
    let report = match config {
        None => govai_testkit::testbank::evaluate_bank(bank)?,
        Some(path) => {
            let c = govai::config::Config::from_file(path)?;
            let base = path.parent().unwrap_or_else(|| Path::new("."));
            let (screen, grounding) =
                govai::model_reviewers::eval_reviewers(&c.reviewers, &c.runtime, base, &path.display().to_string())?;
            govai_testkit::testbank::evaluate_bank_with(bank, &screen, &grounding)?
        }
    };
    out!("{report}")?;
    Ok(if report.meets_targets() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
