//! `govai eval safety` as `make test` runs it: the input bank's test split and the output
//! bank, the JSON report's shape, and the exit status against the targets.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn eval(extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_govai"))
        .current_dir(root())
        .args(["eval", "safety", "--config", "govai.example.toml", "--split", "test"])
        .args(extra)
        .output()
        .unwrap()
}

fn rate(v: &serde_json::Value) -> (u64, u64) {
    (v["hits"].as_u64().unwrap(), v["n"].as_u64().unwrap())
}

#[test]
fn json_report_covers_the_test_split_of_both_banks() {
    let o = eval(&["--json", "--min-stopped", "0", "--max-refused", "1"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let input = &v["input"][0];
    assert_eq!(input["split"], "test");
    let (stopped, refuse_n) = rate(&input["refuse_stopped"]);
    let (_, answer_n) = rate(&input["answer_refused"]);
    assert!(refuse_n >= 250 && answer_n >= 300, "the fixed test split: {refuse_n} refuse, {answer_n} answer");
    assert!(stopped * 2 > refuse_n, "the guard stops most should-refuse requests: {stopped}/{refuse_n}");
    let layers = input["deciding_layer"].as_object().unwrap();
    assert!(layers.contains_key("safety_classifier") && layers.contains_key("refusal"), "{layers:?}");
    assert!(input["classifier_cv"].is_null(), "cross-validation is for the dev split only");
    let output = &v["output"][0];
    assert_eq!(output["split"], "test");
    let (caught, block_n) = rate(&output["block_caught"]);
    assert!(block_n >= 40 && caught * 2 > block_n, "{caught}/{block_n}");
}

#[test]
fn missing_a_target_exits_1_and_says_so() {
    let o = eval(&["--min-stopped", "1.0", "--max-refused", "0.0"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("TARGET MISSED"));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("== split test ==") && text.contains("answer_safety"), "{text}");
    assert!(text.contains("95% CI"), "rates come with their intervals");
}

#[test]
fn a_missing_bank_is_a_clear_error() {
    let o = eval(&["--bank", "no/such/bank"]);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no/such/bank"));
}
