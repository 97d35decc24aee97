//! Precision and recall per identifier type on the third, blind corpus
//! (`govai_testkit::corpus::archive`): written without looking at the recognizers or the other two
//! generators, from department-style records (hotline work orders, case files, CSV / Markdown /
//! fixed-width tables, key-value blocks, JSON, SQL, logs, SMS, OCR text, traditional characters,
//! English forms, bracketed values, values at the edges of a text, several values per line).
//!
//! Matching as in `classifier_two_corpora.rs` for its second corpus: only identifier types are
//! labelled, so the fuzzy types (`person`, `address`, PIPL categories) are not scored; every other
//! finding must match a gold entity of the same type with exactly the same char span. A finding
//! of a type this corpus never labels counts as a false positive of that type.
//!
//! Nothing here asserts a precision or recall floor: the figures are reported, not tuned to. The
//! assertions are about the corpus: enough values of each type, determinism, every labelled value
//! passing the generator's own checksum and format checks.
//!
//! `cargo test -p govai-classify --test classifier_third_corpus -- --nocapture` prints the table;
//! `GOVAI_SHOW_ERRORS=1` also prints the first 80 errors (`GOVAI_SHOW_ERRORS=all`: every error).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use govai_classify::GuardClassifier;
use govai_testkit::corpus::LabelledText;
use govai_testkit::corpus::archive::{self, Kind};

const SEED: u64 = 31_415_926;
const N: usize = 3000;

fn fuzzy(ty: &str) -> bool {
    matches!(
        ty,
        "person" | "address" | "health" | "religion" | "biometric" | "financial_account" | "whereabouts" | "minor"
    )
}

#[derive(Default, Debug, Clone, Copy)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Counts {
    fn p(self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }
    fn r(self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }
    fn add(&mut self, o: Counts) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
    }
}

/// Counts per type for one text, with the same matching as `classifier_two_corpora.rs`
/// (identifier types only: exact `(type, start, end)`; each gold entity matched at most once).
fn evaluate_one(g: &GuardClassifier, lt: &LabelledText, errors: &mut Vec<String>) -> BTreeMap<String, Counts> {
    let mut counts: BTreeMap<String, Counts> = BTreeMap::new();
    let found: Vec<_> = g.scan(&lt.text).findings.into_iter().filter(|f| !fuzzy(&f.entity_type)).collect();
    let gold: Vec<_> = lt.entities.iter().filter(|(ty, _, _)| !fuzzy(ty)).collect();
    let mut matched = vec![false; gold.len()];
    for f in &found {
        let hit = gold
            .iter()
            .enumerate()
            .position(|(i, (ty, s, e))| !matched[i] && *ty == f.entity_type && (*s, *e) == (f.start, f.end));
        let c = counts.entry(f.entity_type.clone()).or_default();
        match hit {
            Some(i) => {
                matched[i] = true;
                c.tp += 1;
            }
            None => {
                c.fp += 1;
                errors.push(format!("FP {} {:?} [{}..{}] in {:?}", f.entity_type, f.text, f.start, f.end, lt.text));
            }
        }
    }
    for (i, (ty, s, e)) in gold.iter().enumerate() {
        if !matched[i] {
            counts.entry(ty.clone()).or_default().fn_ += 1;
            let t: String = lt.text.chars().skip(*s).take(e - s).collect();
            errors.push(format!("FN {ty} {t:?} [{s}..{e}] in {:?}", lt.text));
        }
    }
    counts
}

#[test]
fn third_corpus_precision_recall() {
    let show = std::env::var("GOVAI_SHOW_ERRORS").is_ok_and(|v| !v.is_empty() && v != "0");
    let corpus = archive::generate_with_shapes(SEED, N);

    // --- sanity of the corpus itself ---
    let again = archive::generate_with_shapes(SEED, N);
    assert!(corpus.iter().zip(&again).all(|(a, b)| a.0 == b.0 && a.1 == b.1), "generator not deterministic");
    assert_ne!(archive::generate(SEED + 1, 50), archive::generate(SEED, 50));
    let mut gold_per_type: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, lt) in &corpus {
        let n = lt.text.chars().count();
        for (ty, s, e) in &lt.entities {
            assert!(s < e && *e <= n, "span out of range in {lt:?}");
            let v: String = lt.text.chars().skip(*s).take(e - s).collect();
            assert!(archive::value_is_valid(ty, &v), "labelled {ty} {v:?} fails the generator's own check");
            *gold_per_type.entry(ty.as_str()).or_default() += 1;
        }
    }
    for k in Kind::ALL {
        let n = gold_per_type.get(k.name()).copied().unwrap_or(0);
        assert!(n >= 100, "only {n} labelled {} values", k.name());
    }

    // --- figures ---
    let g = GuardClassifier::default();
    let mut per_type: BTreeMap<String, Counts> = BTreeMap::new();
    let mut per_shape: BTreeMap<&str, Counts> = BTreeMap::new();
    let mut texts_per_shape: BTreeMap<&str, usize> = BTreeMap::new();
    let mut errors = Vec::new();
    for (shape, lt) in &corpus {
        let c = evaluate_one(&g, lt, &mut errors);
        for (ty, x) in c {
            per_shape.entry(shape).or_default().add(x);
            per_type.entry(ty).or_default().add(x);
        }
        *texts_per_shape.entry(shape).or_default() += 1;
    }

    println!("\nthird corpus: corpus::archive::generate seed {SEED} x {N} texts (identifier types, exact spans)");
    println!("{:<18} | {:>5} {:>4} {:>4} {:>7} {:>7}", "type", "tp", "fp", "fn", "P", "R");
    let mut total = Counts::default();
    for (ty, c) in &per_type {
        println!("{ty:<18} | {:>5} {:>4} {:>4} {:>7.4} {:>7.4}", c.tp, c.fp, c.fn_, c.p(), c.r());
        total.add(*c);
    }
    println!(
        "{:<18} | {:>5} {:>4} {:>4} {:>7.4} {:>7.4}",
        "(all)",
        total.tp,
        total.fp,
        total.fn_,
        total.p(),
        total.r()
    );
    let scored = || per_type.iter().filter(|(_, c)| c.tp + c.fn_ >= 30);
    if let (Some(p), Some(r)) = (
        scored().map(|(t, c)| (c.p(), t)).min_by(|a, b| a.0.total_cmp(&b.0)),
        scored().map(|(t, c)| (c.r(), t)).min_by(|a, b| a.0.total_cmp(&b.0)),
    ) {
        println!("worst P {:.4} ({}), worst R {:.4} ({}) (reported, not asserted)", p.0, p.1, r.0, r.1);
    }

    println!("\nby text shape:");
    println!("{:<12} | {:>5} | {:>5} {:>4} {:>4} {:>7} {:>7}", "shape", "texts", "tp", "fp", "fn", "P", "R");
    for name in archive::shape_names() {
        let c = per_shape.get(name).copied().unwrap_or_default();
        let n = texts_per_shape.get(name).copied().unwrap_or(0);
        println!("{name:<12} | {n:>5} | {:>5} {:>4} {:>4} {:>7.4} {:>7.4}", c.tp, c.fp, c.fn_, c.p(), c.r());
    }

    if show {
        let limit = if std::env::var("GOVAI_SHOW_ERRORS").is_ok_and(|v| v == "all") { usize::MAX } else { 80 };
        println!("\nfirst {} of {} errors:", errors.len().min(limit), errors.len());
        for e in errors.iter().take(limit) {
            println!("  {e}");
        }
    }
}
