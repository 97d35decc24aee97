//! The grounding bank (crates/govai-review/data/grounding-bank.jsonl, 170 answers written apart
//! from the rules): faithful paraphrases of a passage, planted faults (changed numbers, dates,
//! durations, amounts, phones, offices, documents, negation, modality, added claims) and
//! faithful answers built on the wrong passage. Tuned on split=dev only; the targets are checked
//! on split=test.
//!
//! Reviewers: `grounding` + `relevance` (the checks this bank is about), and the same with
//! `citation` (what intelligent_qa runs on an answer's facts). Lexical always; with the
//! multilingual USE embeddings (models/use-multilingual) when present (skipped with a notice
//! when missing, failing instead when GOVAI_REQUIRE_MODELS=1).
//!
//! Print the table: `cargo test -p govai --test grounding_bank -- --nocapture`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::path::PathBuf;

use govai::grounding_eval::{BANK_PATH, BankItem, GroundingReport, evaluate, load_bank};
use govai::reviewers::{GroundingConfig, GroundingReviewer, RelevanceConfig, RelevanceReviewer};

fn workspace(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(rel)
}

fn load() -> Vec<BankItem> {
    load_bank(&workspace(BANK_PATH)).unwrap()
}

fn pct(rep: &GroundingReport, with_citation: bool, group: &str) -> f64 {
    rep.rate(with_citation, group, "test").pct()
}

/// Check a target on the test split; where it is not met, hold the measured floor instead and
/// say so. `at_most`: the target is an upper bound.
fn check(label: &str, what: &str, got: f64, target: f64, floor: f64, at_most: bool) {
    let met = if at_most { got <= target } else { got >= target };
    if met {
        println!("{label}: {what} {got:.1}% meets the target {}{target:.0}%", if at_most { "<=" } else { ">=" });
        return;
    }
    println!("{label}: target unmet: {what} {got:.1}% vs {}{target:.0}%", if at_most { "<=" } else { ">=" });
    if at_most {
        assert!(got <= floor, "{label}: {what} {got:.1}% regressed past the held level {floor:.0}%");
    } else {
        assert!(got >= floor, "{label}: {what} {got:.1}% regressed below the held level {floor:.0}%");
    }
}

#[test]
fn bank_has_both_splits() {
    let items = load();
    assert_eq!(items.len(), 170);
    for split in ["dev", "test"] {
        for kind in ["faithful", "fault", "wrong_passage"] {
            assert!(items.iter().any(|i| i.split == split && i.kind == kind), "{split} {kind}");
        }
    }
}

#[test]
fn lexical_reviewers_on_the_bank() {
    let items = load();
    let relevance = RelevanceReviewer::default();
    // For comparison: grounding as it was before the exact checks and the synonym folding.
    let before = GroundingConfig { check_facts: false, fold_synonyms: false, ..GroundingConfig::default() };
    let label = "grounding without the exact checks and folding (check_facts = false, fold_synonyms = false)";
    println!("{}", evaluate(label, &items, &GroundingReviewer::new(before), &relevance, None).unwrap());
    let rep = evaluate(
        "lexical (n-grams, synonyms folded)",
        &items,
        &GroundingReviewer::default(),
        &relevance,
        Some(&relevance),
    )
    .unwrap();
    println!("{rep}");
    let label = "lexical, test split";
    // Measured 2026-12-05 (test): faithful 23.3%, faults 86.7% (86.7% with citation), wrong
    // passage 59.3%. Floors a few points past the measured levels.
    check(label, "faithful flagged (g+r)", pct(&rep, false, "faithful"), 10.0, 27.0, true);
    check(label, "faults caught (g+r)", pct(&rep, false, "fault"), 90.0, 83.0, false);
    check(label, "faults caught (+citation)", pct(&rep, true, "fault"), 90.0, 83.0, false);
    check(label, "wrong passage flagged (g+r)", pct(&rep, false, "wrong_passage"), 90.0, 55.0, false);
}

/// models/use-multilingual and the ONNX Runtime library, or None with a skip notice.
fn use_dir(test: &str) -> Option<PathBuf> {
    let require = std::env::var("GOVAI_REQUIRE_MODELS").is_ok_and(|v| v == "1");
    let dir = workspace("models/use-multilingual");
    if !dir.join("model.onnx").is_file() {
        assert!(!require, "GOVAI_REQUIRE_MODELS=1 but {} is missing", dir.display());
        eprintln!("SKIP {test}: {} missing (make models)", dir.display());
        return None;
    }
    if let Err(e) = govai::ort::find_library(None) {
        assert!(!require, "GOVAI_REQUIRE_MODELS=1 but the ONNX Runtime library is missing: {e}");
        eprintln!("SKIP {test}: {e}");
        return None;
    }
    Some(dir)
}

#[test]
fn embedding_reviewers_on_the_bank() {
    let Some(dir) = use_dir("embedding_reviewers_on_the_bank") else { return };
    let runtime = govai::ort::RuntimeConfig { intra_op_threads: Some(1), ..Default::default() };
    let base = std::path::Path::new("/");
    let g = GroundingConfig { embedding: Some(dir.clone()), ..GroundingConfig::default() };
    let grounding = govai::model_reviewers::grounding(&g, &runtime, base, "test").unwrap().unwrap();
    let r = RelevanceConfig { embedding: Some(dir), ..RelevanceConfig::default() };
    let relevance = govai::model_reviewers::relevance(&r, &runtime, base, "test").unwrap().unwrap();
    let items = load();
    let rep =
        evaluate("embeddings (USE multilingual) + lexical", &items, &grounding, &relevance, Some(&relevance)).unwrap();
    println!("{rep}");
    let label = "embeddings, test split";
    // Measured 2026-12-05 (test): faithful 16.7%, faults 83.3%, wrong passage 66.7%.
    check(label, "faithful flagged (g+r)", pct(&rep, false, "faithful"), 10.0, 20.0, true);
    check(label, "faults caught (g+r)", pct(&rep, false, "fault"), 90.0, 80.0, false);
    check(label, "wrong passage flagged (g+r)", pct(&rep, false, "wrong_passage"), 90.0, 62.0, false);
}
