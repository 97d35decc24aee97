//! Input-guard latency on 1 KB requests (issue 15's target: p50 <= 2 ms without the judge).
//!
//!     cargo run --release -p govai --example guard_latency -- [CONFIG ...]
//!
//! Default configs: govai.example.toml (rules, scope, the n-gram classifier) and
//! examples/guarded-qa.toml (plus the embedding head; needs `make models`). Requests are built
//! from the safety bank's test-split answer items, concatenated to at least 1024 bytes (a long
//! citizen message), and each goes through `Deployment::check_input` (gate + every input layer,
//! no model, no audit record) on the `intelligent_qa` scenario. Prints p50 / p90 / p99.

use std::path::Path;
use std::time::Instant;

fn main() -> govai::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let configs = if args.is_empty() {
        vec!["govai.example.toml".to_owned(), "examples/guarded-qa.toml".to_owned()]
    } else {
        args
    };
    let bank = Path::new("crates/govai-review/data/safety-bank");
    let items = govai::reviewers::guard::load_split(bank, "test")?;
    let requests = one_kb_requests(items.iter().map(|i| i.text.as_str()));
    println!("{} requests of {}-{} bytes", requests.len(), min_len(&requests), max_len(&requests));
    for c in configs {
        let d = govai::load(&c)?;
        let _ = d.check_input(govai::Request::new("intelligent_qa", "预热")); // first use trains the n-gram model
        let mut times = Vec::with_capacity(requests.len());
        for r in &requests {
            let t = Instant::now();
            d.check_input(govai::Request::new("intelligent_qa", r.clone()))?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        let q = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
        println!("{c}: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms per 1 KB request", q(0.5), q(0.9), q(0.99));
    }
    Ok(())
}

/// Concatenate texts into requests of at least 1024 bytes.
fn one_kb_requests<'a>(texts: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for t in texts {
        cur.push_str(t);
        cur.push('\n');
        if cur.len() >= 1024 {
            out.push(std::mem::take(&mut cur));
        }
    }
    out
}

fn min_len(v: &[String]) -> usize {
    v.iter().map(String::len).min().unwrap_or(0)
}

fn max_len(v: &[String]) -> usize {
    v.iter().map(String::len).max().unwrap_or(0)
}
