//! Commands on text with the built-in classifier: `scan`, `mask`.

use std::io::BufRead;
use std::path::Path;
use std::process::ExitCode;

use govai::Error;
use serde_json::json;

use crate::table::{fit, render};
use crate::{JsonLines, open_lines, print_json, read_text};

fn scan_json(c: &govai::Classification) -> serde_json::Value {
    json!({"level": c.level, "findings": c.findings, "reasons": c.reasons})
}

/// `govai scan`: one text (table or JSON), or a file line by line as JSON Lines.
pub(crate) fn scan(json: bool, jsonl: Option<&Path>, text: Option<&str>) -> govai::Result<ExitCode> {
    let classifier = govai::default_classifier();
    if let Some(path) = jsonl {
        if text.is_some() {
            return Err(Error::InvalidInput("give either --jsonl FILE or TEXT, not both".into()));
        }
        let mut out = JsonLines::new();
        for (i, line) in open_lines(path)?.split(b'\n').enumerate() {
            let line = line.map_err(|e| Error::io(path, e))?;
            let line = String::from_utf8(line)
                .map_err(|_| Error::InvalidInput(format!("{}: line {} is not UTF-8", path.display(), i + 1)))?;
            let line = line.strip_suffix('\r').unwrap_or(&line);
            out.write(&scan_json(&classifier.scan(line)))?;
        }
        return out.finish();
    }
    let text = read_text(text.ok_or_else(|| Error::InvalidInput("give TEXT, `-` or --jsonl FILE".into()))?)?;
    let c = classifier.scan(&text);
    if json {
        print_json(&scan_json(&c))?;
    } else {
        println!("level: {} ({})", c.level, c.level.name_zh());
        let rows: Vec<Vec<String>> = c
            .findings
            .iter()
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
            print!("{}", render(&["type", "chars", "text", "score", "checksum"], &rows));
        }
        for r in &c.reasons {
            println!("reason: {r}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `govai mask`: the operator and its key by the rule shared with the C and Python bindings
/// ([`govai::operator_from_spec`]); the key falls back to [`govai::HASH_KEY_ENV`].
pub(crate) fn mask(operator: &str, key: Option<&str>, text: &str) -> govai::Result<ExitCode> {
    let key = key.map(|hex| govai::HashKey { name: "--key", hex });
    let op = govai::operator_from_spec(operator, key, Some(govai::HASH_KEY_ENV))?;
    println!("{}", govai::mask_text(&govai::default_classifier(), text, &op));
    Ok(ExitCode::SUCCESS)
}
