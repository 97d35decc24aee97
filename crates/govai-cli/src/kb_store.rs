//! `govai kb publish|versions|diff`: the versioned knowledge base in a deployment's store.

use std::path::Path;
use std::process::ExitCode;

use govai_server::ops::Ops;
use serde_json::json;

use crate::serve::cli_error;
use crate::table::{fit, render};
use crate::{out, outln, print_json};

/// Publish `file` as the next version.
pub(crate) fn publish(file: &Path, config: &Path, note: &str, author: &str, json: bool) -> govai::Result<ExitCode> {
    let ops = Ops::open(config).map_err(cli_error)?;
    let version = ops.kb_publish(file, author, note).map_err(cli_error)?;
    if json {
        print_json(&json!({"published": version.is_some(), "version": version}))?;
    } else {
        match version {
            Some(v) => outln!(
                "published version {}: {} passages ({} added, {} removed, {} changed)",
                v.version,
                v.passages,
                v.added,
                v.removed,
                v.changed
            )?,
            None => outln!("unchanged: the file equals the current version")?,
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// List the versions.
pub(crate) fn versions(config: &Path, json: bool) -> govai::Result<ExitCode> {
    let list = Ops::open(config).and_then(|ops| ops.kb_versions()).map_err(cli_error)?;
    if json {
        print_json(&list)?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|v| {
            vec![
                v.version.to_string(),
                v.created_at.to_rfc3339(),
                v.author.clone(),
                v.passages.to_string(),
                format!("+{} -{} ~{}", v.added, v.removed, v.changed),
                v.change_id.clone().unwrap_or_else(|| "import".into()),
                fit(&v.note, 40),
            ]
        })
        .collect();
    out!("{}", render(&["version", "created", "author", "passages", "changes", "by", "note"], &rows))?;
    Ok(ExitCode::SUCCESS)
}

/// What changed from `a` to `b`.
pub(crate) fn diff(a: u64, b: u64, config: &Path, json: bool) -> govai::Result<ExitCode> {
    let d = Ops::open(config).and_then(|ops| ops.kb_diff(a, b)).map_err(cli_error)?;
    if json {
        print_json(&d)?;
        return Ok(ExitCode::SUCCESS);
    }
    outln!("knowledge base {} -> {}", d.from, d.to)?;
    for p in &d.added {
        outln!("+ {}  {}", p.id, fit(&text_of(&p.body), 60))?;
    }
    for p in &d.removed {
        outln!("- {}  {}", p.id, fit(&text_of(&p.body), 60))?;
    }
    for c in &d.changed {
        outln!("~ {}", c.id)?;
        for field in changed_fields(&c.before, &c.after) {
            outln!("    {field}: {} -> {}", fit(&show(&c.before[&field]), 50), fit(&show(&c.after[&field]), 50))?;
        }
    }
    outln!("{} added, {} removed, {} changed", d.added.len(), d.removed.len(), d.changed.len())?;
    Ok(ExitCode::SUCCESS)
}

/// A passage's title and text, for one line.
fn text_of(body: &serde_json::Value) -> String {
    format!("{} | {}", show(&body["title"]), show(&body["text"]))
}

fn show(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "-".into(),
        other => other.to_string(),
    }
}

/// The top-level fields whose values differ, in name order.
fn changed_fields(before: &serde_json::Value, after: &serde_json::Value) -> Vec<String> {
    let mut keys: Vec<String> =
        before.as_object().into_iter().chain(after.as_object()).flat_map(|o| o.keys().cloned()).collect();
    keys.sort();
    keys.dedup();
    keys.retain(|k| before.get(k) != after.get(k));
    keys
}
