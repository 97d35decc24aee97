//! Commands on text with the built-in classifier: `scan`, `mask`.

use std::path::Path;
use std::process::ExitCode;

use govai::Error;
use serde_json::json;

use crate::table::{fit, render};
use crate::{JsonLines, open_lines, out, outln, print_json, read_text};

/// The JSON of one scan: at most [`govai::MAX_FINDINGS`] findings, plus `findings_dropped`
/// (how many more there were) when that is not zero.
fn scan_json(c: &govai::Classification) -> serde_json::Value {
    let shown = &c.findings[..c.findings.len().min(govai::MAX_FINDINGS)];
    let mut v = json!({"level": c.level, "findings": shown, "reasons": c.reasons});
    if c.findings.len() > shown.len() {
        v["findings_dropped"] = json!(c.findings.len() - shown.len());
    }
    v
}

/// `govai scan`: one text (table or JSON), or a file line by line as JSON Lines.
pub(crate) fn scan(json: bool, jsonl: Option<&Path>, fail_fast: bool, text: Option<&str>) -> govai::Result<ExitCode> {
    let classifier = govai::default_classifier();
    if let Some(path) = jsonl {
        if text.is_some() {
            return Err(Error::InvalidInput("give either --jsonl FILE or TEXT, not both".into()));
        }
        let mut out = JsonLines::new(fail_fast);
        let mut lines = open_lines(path)?;
        while let Some(line) = lines.next() {
            match line {
                Ok(line) => out.write(&scan_json(&classifier.scan(&line.text)))?,
                Err(e) => out.bad_line(lines.line_number(), e)?,
            }
        }
        return out.finish();
    }
    let text = read_text(text.ok_or_else(|| Error::InvalidInput("give TEXT, `-` or --jsonl FILE".into()))?)?;
    let c = classifier.scan(&text);
    if json {
        print_json(&scan_json(&c))?;
    } else {
        outln!("level: {} ({})", c.level, c.level.name_zh())?;
        let rows: Vec<Vec<String>> = c
            .findings
            .iter()
            .take(govai::MAX_FINDINGS)
            .map(|f| {
                vec![
                    f.entity_type.clone(),
                    format!("{}..{}", f.start, f.end),
                    fit(&f.text, 40),
                    format!("{:.2}", f.score),
                    f.checksum.map_or("-".to_owned(), |ok| if ok { "ok" } else { "FAIL" }.to_owned()),
                ]
            })
            .collect();
        if !rows.is_empty() {
            out!("{}", render(&["type", "chars", "text", "score", "checksum"], &rows))?;
        }
        if c.findings.len() > rows.len() {
            outln!("… {} more findings not shown (limit {})", c.findings.len() - rows.len(), govai::MAX_FINDINGS)?;
        }
        for r in &c.reasons {
            outln!("reason: {r}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `govai mask`: the operator and its key by the rule shared with the C and Python bindings
/// ([`govai::operator_from_spec`]); the key falls back to [`govai::HASH_KEY_ENV`].
pub(crate) fn mask(operator: &str, key: Option<&str>, text: &str) -> govai::Result<ExitCode> {
    let key = key.map(|hex| govai::HashKey { name: "--key", hex });
    let op = govai::operator_from_spec(operator, key, Some(govai::HASH_KEY_ENV))?;
    outln!("{}", govai::mask_text(&govai::default_classifier(), text, &op))?;
    Ok(ExitCode::SUCCESS)
}
