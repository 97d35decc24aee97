//! Time the guard classifier (single thread) and print one JSON object.
//!
//! `scan_bench corpus FILE [--findings OUT] [--min-secs S] [--no-floor]`: scan every text of a corpus JSON
//! Lines file (loaded first, so only scanning is timed) repeatedly for at least S seconds (default
//! 3), report the best pass; write the findings of one pass as JSON Lines for common scoring.
//! `--strip-entities` first cuts the labelled entities out of every text (PII-free prose with the
//! near-miss numbers left in), to measure the no-finding path. The same texts are then timed the
//! same way through the floor: the plain `regex` crate running only the digit-run pattern
//! `\d{6,}` (`floor_mb_per_s`), the least a scanner that looks at every number has to do.
//!
//! `scan_bench stream [FILE|-]`: scan a text file line by line with bounded memory (like
//! `govai scan --jsonl`, without JSON output); report MB/s and the peak RSS (`VmHWM`).

use std::io::{BufRead, BufWriter, Write};
use std::process::ExitCode;
use std::time::Instant;

use govai_benches::{arg, arg_num, peak_rss_kib, read_texts};
use govai_classify::GuardClassifier;
use serde_json::{Value, json};

fn strip_entities(path: &str) -> Result<Vec<String>, String> {
    let data = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut out = Vec::new();
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let chars: Vec<char> = v["text"].as_str().unwrap_or("").chars().collect();
        let mut keep = vec![true; chars.len()];
        for e in v["entities"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
            let (s, en) = (e[1].as_u64().unwrap_or(0) as usize, e[2].as_u64().unwrap_or(0) as usize);
            for k in keep.iter_mut().take(en.min(chars.len())).skip(s) {
                *k = false;
            }
        }
        out.push(chars.iter().zip(&keep).filter(|(_, k)| **k).map(|(c, _)| c).collect());
    }
    Ok(out)
}

/// CPU time of this process (user + system) in seconds, from `/proc/self/stat` (clock ticks of
/// 1/100 s): on a shared machine the CPU time per pass (mean over all passes, the ticks are too
/// coarse for a best-of) is steadier than the wall clock. 0 when unavailable.
fn cpu_secs() -> f64 {
    let Ok(s) = std::fs::read_to_string("/proc/self/stat") else { return 0.0 };
    // Fields after the `(comm)`: state is field 3, utime 14, stime 15.
    let rest = s.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

fn corpus(args: &[String]) -> Result<Value, String> {
    let path = args.get(1).ok_or("corpus FILE")?;
    let texts = if args.iter().any(|a| a == "--strip-entities") { strip_entities(path)? } else { read_texts(path)? };
    let min_secs: f64 = arg_num(args, "--min-secs", 3.0)?;
    let bytes: usize = texts.iter().map(String::len).sum();
    let g = GuardClassifier::default();
    // Warm-up (builds the automata) and the findings for scoring.
    let t0 = Instant::now();
    let results: Vec<_> = texts.iter().map(|t| g.scan(t)).collect();
    let first = t0.elapsed().as_secs_f64();
    let findings: usize = results.iter().map(|c| c.findings.len()).sum();
    if let Some(out) = arg(args, "--findings") {
        let f = std::fs::File::create(out).map_err(|e| format!("{out}: {e}"))?;
        let mut w = BufWriter::new(f);
        for c in &results {
            let v: Vec<Value> = c.findings.iter().map(|f| json!([f.entity_type, f.start, f.end])).collect();
            serde_json::to_writer(&mut w, &v).map_err(|e| e.to_string())?;
            w.write_all(b"\n").map_err(|e| e.to_string())?;
        }
        w.flush().map_err(|e| e.to_string())?;
    }
    drop(results);
    let mut best = f64::INFINITY;
    let mut passes = 0u32;
    let cpu0 = cpu_secs();
    let start = Instant::now();
    while passes < 1 || start.elapsed().as_secs_f64() < min_secs {
        let t = Instant::now();
        let mut n = 0usize;
        for text in &texts {
            n += std::hint::black_box(g.scan(std::hint::black_box(text))).findings.len();
        }
        std::hint::black_box(n);
        best = best.min(t.elapsed().as_secs_f64());
        passes += 1;
    }
    let cpu_per_pass = (cpu_secs() - cpu0) / f64::from(passes);
    // `--no-floor`: time govai only (for `perf record`).
    let floor_secs = if args.iter().any(|a| a == "--no-floor") { 0.0 } else { min_secs };
    let floor = regex::Regex::new(r"\d{6,}").map_err(|e| e.to_string())?;
    let mut floor_best = f64::INFINITY;
    let mut floor_passes = 0u32;
    let mut floor_matches = 0usize;
    let cpu0 = cpu_secs();
    let start = Instant::now();
    while floor_passes < 1 || start.elapsed().as_secs_f64() < floor_secs {
        let t = Instant::now();
        let mut n = 0usize;
        for text in &texts {
            n += floor.find_iter(std::hint::black_box(text)).count();
        }
        floor_matches = std::hint::black_box(n);
        floor_best = floor_best.min(t.elapsed().as_secs_f64());
        floor_passes += 1;
    }
    let floor_cpu_per_pass = (cpu_secs() - cpu0) / f64::from(floor_passes);
    let mb = bytes as f64 / 1e6;
    Ok(json!({
        "engine": "govai",
        "texts": texts.len(),
        "bytes": bytes,
        "findings": findings,
        "passes": passes,
        "first_pass_secs": first,
        "best_pass_secs": best,
        "mb_per_s": mb / best,
        "cpu_secs_per_pass": cpu_per_pass,
        "mb_per_cpu_s": mb / cpu_per_pass,
        "us_per_text": best * 1e6 / texts.len().max(1) as f64,
        "floor": {
            "engine": "regex \\d{6,}",
            "matches": floor_matches,
            "passes": floor_passes,
            "best_pass_secs": floor_best,
            "mb_per_s": mb / floor_best,
            "cpu_secs_per_pass": floor_cpu_per_pass,
            "mb_per_cpu_s": mb / floor_cpu_per_pass,
        },
        "floor_mb_per_s": mb / floor_best,
    }))
}

fn stream(args: &[String]) -> Result<Value, String> {
    let path = args.get(1).map(String::as_str).unwrap_or("-");
    let reader: Box<dyn BufRead> = if path == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?))
    };
    let g = GuardClassifier::default();
    let t = Instant::now();
    let (mut bytes, mut lines, mut findings) = (0u64, 0u64, 0u64);
    for line in reader.split(b'\n') {
        let line = line.map_err(|e| e.to_string())?;
        bytes += line.len() as u64 + 1;
        lines += 1;
        let text = String::from_utf8_lossy(&line);
        findings += g.scan(&text).findings.len() as u64;
    }
    let secs = t.elapsed().as_secs_f64();
    Ok(json!({
        "engine": "govai-inprocess",
        "bytes": bytes,
        "lines": lines,
        "findings": findings,
        "secs": secs,
        "mb_per_s": bytes as f64 / 1e6 / secs,
        "peak_rss_kib": peak_rss_kib(),
    }))
}

/// `scan_bench dump FILE`: every finding of every text of a corpus (type, char span, score,
/// checksum) and the level, one JSON array a line: the output compared before and after a scanner
/// change (`diff` of two dumps).
fn dump(args: &[String]) -> Result<Value, String> {
    let path = args.get(1).ok_or("dump FILE")?;
    let texts = read_texts(path)?;
    let g = GuardClassifier::default();
    let mut w = BufWriter::new(std::io::stdout().lock());
    let mut n = 0usize;
    for text in &texts {
        let c = g.scan(text);
        n += c.findings.len();
        let v: Vec<Value> =
            c.findings.iter().map(|f| json!([f.entity_type, f.start, f.end, f.score, f.checksum])).collect();
        serde_json::to_writer(&mut w, &json!([format!("{:?}", c.level), v])).map_err(|e| e.to_string())?;
        w.write_all(b"\n").map_err(|e| e.to_string())?;
    }
    w.flush().map_err(|e| e.to_string())?;
    Ok(json!({"texts": texts.len(), "findings": n}))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let r = match args.first().map(String::as_str) {
        Some("corpus") => corpus(&args),
        Some("stream") => stream(&args),
        Some("dump") => dump(&args).map(|v| {
            eprintln!("{v}");
            Value::Null
        }),
        _ => {
            Err("usage: scan_bench corpus FILE [--findings OUT] [--min-secs S] [--strip-entities] | stream [FILE|-] | dump FILE"
                .into())
        }
    };
    match r {
        Ok(Value::Null) => ExitCode::SUCCESS,
        Ok(v) => {
            println!("{v}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("scan_bench: {e}");
            ExitCode::from(2)
        }
    }
}
