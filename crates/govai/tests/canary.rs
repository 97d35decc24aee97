//! Canary rollouts through a deployment built from config: a 10 % canary serves about 10 % of
//! requests (fixed seed), the audit record names the model version that answered, rollback
//! is immediate, and a canary model of lower clearance never receives data above it.

#![allow(clippy::unwrap_used)]

use govai::{Outcome, Request};

fn config(canary: &str) -> String {
    format!(
        r#"
[deployment]
name = "canary test"
rollout_seed = 20261205

[audit]
path = "audit.jsonl"
fsync = "never"

[[models]]
id = "faq"
backend = "faq"
version = "1.0"
clearance = "sensitive"
location = "on_premises"

[[models]]
id = "faq-next"
backend = "faq"
version = "2.0"
clearance = "sensitive"
location = "on_premises"

[[models]]
id = "faq-cloud"
backend = "faq"
version = "3.0"
clearance = "public"
location = "public_internet"

[[scenarios]]
id = "intelligent_qa"
model = "faq"
{canary}
"#
    )
}

fn ask(d: &govai::Deployment, text: &str) -> govai::Response {
    d.handle(Request::new("intelligent_qa", text)).unwrap()
}

#[test]
fn ten_percent_is_about_ten_percent_and_rollback_is_immediate() {
    let dir = tempfile::tempdir().unwrap();
    let d = govai::from_toml_str(&config(r#"canary = { model = "faq-next", percent = 10 }"#), dir.path()).unwrap();
    let n = 1000;
    let canary = (0..n).filter(|_| ask(&d, "公积金怎么提取？").model.id == "faq-next").count();
    // Binomial(1000, 0.1): mean 100, sd 9.5; the fixed seed makes it one number, which must
    // lie within 4 sd.
    assert!((62..=138).contains(&canary), "{canary} of {n}");

    // The audit record names the version that answered each request.
    let records: Vec<serde_json::Value> = std::fs::read_to_string(dir.path().join("audit.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|r: &serde_json::Value| r["kind"] == "request")
        .collect();
    let audited = records.iter().filter(|r| r["model"]["id"] == "faq-next" && r["model"]["version"] == "2.0").count();
    assert_eq!(audited, canary);

    let stopped = d.rollback("intelligent_qa").unwrap().unwrap();
    assert_eq!((stopped.model.as_str(), stopped.percent), ("faq-next", 10.0));
    assert!((0..100).all(|_| ask(&d, "公积金怎么提取？").model.id == "faq"));
    assert_eq!(d.canary("intelligent_qa").unwrap(), None);

    // Same seed, same routing.
    let again = govai::from_toml_str(&config(r#"canary = { model = "faq-next", percent = 10 }"#), dir.path()).unwrap();
    let first: Vec<String> = (0..30).map(|_| ask(&again, "公积金怎么提取？").model.id).collect();
    let d2 = govai::from_toml_str(&config(r#"canary = { model = "faq-next", percent = 10 }"#), dir.path()).unwrap();
    let second: Vec<String> = (0..30).map(|_| ask(&d2, "公积金怎么提取？").model.id).collect();
    assert_eq!(first, second);
}

#[test]
fn the_gate_checks_the_model_that_answers() {
    let dir = tempfile::tempdir().unwrap();
    let d = govai::from_toml_str(&config(r#"canary = { model = "faq-cloud", percent = 100 }"#), dir.path()).unwrap();
    // Personal data (Sensitive) never goes to a model cleared for Public only.
    let r = ask(&d, "我的身份证号是110105194912310046，公积金怎么提取？");
    assert_eq!(r.model.id, "faq-cloud");
    assert_ne!(r.gate.action, govai::GateAction::Allow, "{:?}", r.gate);
    let plain = ask(&d, "公积金怎么提取？");
    assert_eq!((plain.model.id.as_str(), plain.outcome), ("faq-cloud", Outcome::Answered));
}

#[test]
fn bad_canaries_are_config_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (canary, expect) in [
        (r#"canary = { model = "nope", percent = 10 }"#, "unknown model"),
        (r#"canary = { model = "faq-next", percent = 150 }"#, "between 0 and 100"),
        (r#"canary = { model = "faq", percent = 10 }"#, "already serves"),
    ] {
        let e = govai::from_toml_str(&config(canary), dir.path()).unwrap_err().to_string();
        assert!(e.contains("scenarios[0].canary") && e.contains(expect), "{canary}: {e}");
    }
}
