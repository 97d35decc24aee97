//! Embedding throughput on prepared model directories.
//!
//!     cargo run --release -p govai-ort --example bench_embed -- models/minilm-l6-v2-int8 models/use-multilingual
//!     bench_embed [--batch N]... [--repeat R] [--dump FILE] DIR...
//!
//! Embeds 256 short sentences (English and Chinese; the list `benches/embed_python.py` also
//! builds) in batches of N (default: 1 and 32), R passes each (default 3), and prints one JSON
//! line per model and batch size with the median sentences/s (wall clock) and the process CPU
//! seconds of the median run (Linux `/proc/self/stat`, all threads). `GOVAI_THREADS` sets the intra-op
//! threads (unset: ONNX Runtime's default). `--dump FILE` (one model) also writes the texts and
//! their vectors (batches of 32) as JSON for `benches/embed_python.py --check`.

use std::time::Instant;

use govai_ort::{EmbeddingModel, RuntimeConfig};

/// The sentence pool, shared with benches/embed_python.py (one sentence per line).
const BASE: &str = include_str!("../../../benches/data/embed_sentences.txt");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut dirs = Vec::new();
    let mut batches = Vec::new();
    let mut repeat = 3usize;
    let mut dump = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |flag: &str| args.next().ok_or_else(|| format!("{flag} needs a value"));
        match a.as_str() {
            "--batch" => batches.push(value("--batch")?.parse::<usize>()?),
            "--repeat" => repeat = value("--repeat")?.parse()?,
            "--dump" => dump = Some(value("--dump")?),
            _ if a.starts_with("--") => return Err(format!("unknown option {a}").into()),
            _ => dirs.push(a),
        }
    }
    if dirs.is_empty() {
        dirs = vec!["models/minilm-l6-v2-int8".into(), "models/use-multilingual".into()];
    }
    if batches.is_empty() {
        batches = vec![1, 32];
    }
    if batches.contains(&0) || repeat == 0 {
        return Err("--batch and --repeat must be >= 1".into());
    }
    if dump.is_some() && dirs.len() != 1 {
        return Err("--dump takes exactly one model directory".into());
    }
    let threads = std::env::var("GOVAI_THREADS").ok().map(|t| t.parse::<usize>()).transpose()?;
    let rt = RuntimeConfig { intra_op_threads: threads, ..Default::default() };
    let base: Vec<&str> = BASE.lines().collect();
    let texts: Vec<String> = (0..256).map(|i| format!("{} ({i})", base[i % base.len()])).collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    for dir in &dirs {
        let m = EmbeddingModel::load(dir, &rt)?;
        if let Some(path) = &dump {
            let mut vectors = Vec::with_capacity(refs.len());
            for chunk in refs.chunks(32) {
                vectors.extend(m.embed(chunk)?);
            }
            let json = serde_json::json!({ "model": dir, "texts": texts, "vectors": vectors });
            std::fs::write(path, serde_json::to_string(&json)?)?;
            continue;
        }
        m.embed(&refs[..8])?; // warm-up
        for &batch in &batches {
            if batch > m.config().batch_size {
                return Err(format!("batch {batch} exceeds the model's batch_size {}", m.config().batch_size).into());
            }
            let mut runs = Vec::with_capacity(repeat);
            let mut cpu = Vec::with_capacity(repeat);
            for _ in 0..repeat {
                let c = cpu_seconds();
                let t = Instant::now();
                for chunk in refs.chunks(batch) {
                    // embed() splits by config.batch_size; chunk <= batch_size is one forward pass.
                    m.embed(chunk)?;
                }
                runs.push(t.elapsed().as_secs_f64());
                cpu.push(cpu_seconds().zip(c).map(|(b, a)| b - a));
            }
            let mut sorted = runs.clone();
            sorted.sort_by(f64::total_cmp);
            let k = sorted.len();
            let median = if k % 2 == 1 { sorted[k / 2] } else { (sorted[k / 2 - 1] + sorted[k / 2]) / 2.0 };
            let cpu_s = cpu.iter().flatten().copied().sum::<f64>() / repeat as f64;
            let line = serde_json::json!({
                "model": dir,
                "batch": batch,
                "sentences": refs.len(),
                "sentences_per_s": (refs.len() as f64 / median * 10.0).round() / 10.0,
                "runs_s": runs.iter().map(|r| (r * 1e4).round() / 1e4).collect::<Vec<_>>(),
                "cpu_s_per_run": (cpu_s * 1e3).round() / 1e3,
                "threads": threads.map_or_else(|| serde_json::json!("default"), |t| serde_json::json!(t)),
            });
            println!("{line}");
        }
    }
    Ok(())
}

/// User + system CPU seconds of this process (all threads) from `/proc/self/stat`; None elsewhere.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 (1-based).
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0) // USER_HZ is 100 on Linux
}
