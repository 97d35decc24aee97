//! Precision and recall per entity type on the generated labelled corpus.
//!
//! Matching: identifier types need the exact span; `person`, `address` and the PIPL categories
//! need an overlap with intersection-over-union >= 0.5 (their boundaries are fuzzy by nature).
//! Run with `--nocapture` to see the table.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use govai_classify::GuardClassifier;
use govai_testkit::corpus::generate;

const TEXTS: usize = 6000;
const SEED: u64 = 20_240_601;

fn fuzzy(ty: &str) -> bool {
    matches!(
        ty,
        "person" | "address" | "health" | "religion" | "biometric" | "financial_account" | "whereabouts" | "minor"
    )
}

fn iou(a: (usize, usize), b: (usize, usize)) -> f64 {
    let inter = a.1.min(b.1).saturating_sub(a.0.max(b.0));
    let union = a.1.max(b.1) - a.0.min(b.0);
    if union == 0 { 0.0 } else { inter as f64 / union as f64 }
}

#[derive(Default, Debug)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
}

#[test]
fn precision_recall_per_type() {
    let g = GuardClassifier::default();
    // GOVAI_CORPUS_SEED / GOVAI_CORPUS_TEXTS override the fixed seed and size for exploration.
    let seed = std::env::var("GOVAI_CORPUS_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(SEED);
    let n = std::env::var("GOVAI_CORPUS_TEXTS").ok().and_then(|s| s.parse().ok()).unwrap_or(TEXTS);
    let corpus = generate(seed, n);
    let mut counts: BTreeMap<String, Counts> = BTreeMap::new();
    let mut errors: Vec<String> = Vec::new();
    for lt in &corpus {
        let found = g.scan(&lt.text).findings;
        let mut matched = vec![false; lt.entities.len()];
        for f in &found {
            let hit = lt.entities.iter().enumerate().position(|(i, (ty, s, e))| {
                !matched[i]
                    && *ty == f.entity_type
                    && if fuzzy(ty) { iou((*s, *e), (f.start, f.end)) >= 0.5 } else { (*s, *e) == (f.start, f.end) }
            });
            let c = counts.entry(f.entity_type.clone()).or_default();
            match hit {
                Some(i) => {
                    matched[i] = true;
                    c.tp += 1;
                }
                None => {
                    c.fp += 1;
                    if errors.len() < 60 {
                        errors.push(format!("FP {} {:?} in {:?}", f.entity_type, f.text, lt.text));
                    }
                }
            }
        }
        for (i, (ty, s, e)) in lt.entities.iter().enumerate() {
            if !matched[i] {
                counts.entry(ty.clone()).or_default().fn_ += 1;
                if errors.len() < 60 {
                    let t: String = lt.text.chars().skip(*s).take(e - s).collect();
                    errors.push(format!("FN {ty} {t:?} in {:?}", lt.text));
                }
            }
        }
    }
    println!("\nseed {seed}, {n} texts");
    println!("{:<18} {:>6} {:>6} {:>6} {:>9} {:>9}", "type", "tp", "fp", "fn", "precision", "recall");
    let mut failures = Vec::new();
    for (ty, c) in &counts {
        let p = c.tp as f64 / (c.tp + c.fp).max(1) as f64;
        let r = c.tp as f64 / (c.tp + c.fn_).max(1) as f64;
        println!("{ty:<18} {:>6} {:>6} {:>6} {:>9.4} {:>9.4}", c.tp, c.fp, c.fn_, p, r);
        let (pmin, rmin) = match ty.as_str() {
            "cn_resident_id" | "cn_uscc" | "cn_org_code" | "bank_card" | "hkid" => (0.99, 0.98),
            "cn_mobile" | "email" | "ipv4" | "ipv6" | "cn_passport" | "hk_macau_permit" | "cn_plate" => (0.97, 0.95),
            "cn_landline" | "secrecy_marking" => (0.95, 0.95),
            _ => (0.85, 0.85),
        };
        if c.tp + c.fn_ < 30 {
            failures.push(format!("{ty}: only {} gold entities", c.tp + c.fn_));
        }
        if p < pmin || r < rmin {
            failures.push(format!("{ty}: precision {p:.4} (min {pmin}), recall {r:.4} (min {rmin})"));
        }
    }
    println!("\nfirst errors:");
    for e in &errors {
        println!("  {e}");
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Throughput on the generated corpus, per text and as one large text. Run with
/// `cargo test --release -p govai-classify --test classifier_corpus -- --ignored --nocapture`.
#[test]
#[ignore = "timing; run in release"]
fn throughput() {
    let g = GuardClassifier::default();
    let corpus = generate(7, 20_000);
    let bytes: usize = corpus.iter().map(|t| t.text.len()).sum();
    let _ = g.scan("warm up 13800138000");
    let t0 = std::time::Instant::now();
    let mut findings = 0;
    for lt in &corpus {
        findings += g.scan(&lt.text).findings.len();
    }
    let per_text = t0.elapsed().as_secs_f64();
    let big: String = corpus.iter().map(|t| t.text.as_str()).collect::<Vec<_>>().join("\n");
    let t1 = std::time::Instant::now();
    let big_findings = g.scan(&big).findings.len();
    let whole = t1.elapsed().as_secs_f64();
    let mb = bytes as f64 / 1e6;
    println!("{} texts, {mb:.2} MB, {findings} findings", corpus.len());
    println!("per text: {:.1} MB/s ({:.1} us/text)", mb / per_text, per_text * 1e6 / corpus.len() as f64);
    println!("one text: {:.1} MB/s ({big_findings} findings)", mb / whole);
    // Prose without any PII (the common case when scanning archives).
    let prose =
        "根据《中华人民共和国数据安全法》有关规定，现将本年度数据分类分级工作安排通知如下，请各单位认真贯彻落实。"
            .repeat(20_000);
    let t2 = std::time::Instant::now();
    let n = g.scan(&prose).findings.len();
    println!("prose: {:.1} MB/s ({n} findings)", prose.len() as f64 / 1e6 / t2.elapsed().as_secs_f64());
}
