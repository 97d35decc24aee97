//! govai-benches: helpers shared by the benchmark binaries (`scripts/bench-scan.sh` runs them).
//!
//! - `gen_corpus`: writes the labelled corpus ([`govai_testkit::corpus::generate`]) as JSON Lines
//!   (`{"text": ..., "entities": [[type, start, end], ...]}`, char offsets) for both sides of the
//!   Presidio comparison, or plain text lines of a given total size for the streaming run.
//! - `scan_bench`: times the guard classifier on a corpus file and writes its findings for the
//!   common scoring in `benches/presidio_scan.py`.

use std::io::BufRead;

use govai_testkit::corpus::LabelledText;
use serde_json::{Value, json};

/// One corpus line as written by `gen_corpus`.
pub fn to_json(t: &LabelledText) -> Value {
    json!({"text": t.text, "entities": t.entities})
}

/// Read the texts of a corpus JSON Lines file (labels are scored in Python).
pub fn read_texts(path: &str) -> Result<Vec<String>, String> {
    let f = std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line.map_err(|e| format!("{path}: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(&line).map_err(|e| format!("{path}:{}: {e}", i + 1))?;
        let text = v.get("text").and_then(Value::as_str).ok_or_else(|| format!("{path}:{}: no text", i + 1))?;
        out.push(text.to_owned());
    }
    Ok(out)
}

/// Peak resident set size of this process in KiB (`VmHWM`), if the platform reports it.
pub fn peak_rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// `--name value` from an argument list.
pub fn arg<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map(String::as_str)
}

/// Parse `--name N`, or the default.
pub fn arg_num<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> Result<T, String> {
    match arg(args, name) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| format!("{name}: not a number: {v}")),
    }
}
