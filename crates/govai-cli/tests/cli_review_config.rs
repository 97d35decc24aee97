//! `govai review --config FILE`: the reviewers come from the file's `[reviewers.*]` tables (the
//! same path a deployment takes), so every option — relevance verdict and threshold, grounding
//! checks, embedding models — applies from the command line.
#![allow(clippy::unwrap_used)]

mod common;

use common::govai;

const SOURCES: &str = r#"[{"title": "居住证申领", "text": "在本市居住满半年的非本市户籍人员，可申领居住证，公安机关15个工作日内制发。"}]"#;
const QUESTION: &str = "驾照丢了怎么补办？";
const ANSWER: &str = "在本市居住满半年的非本市户籍人员可以申领居住证，公安机关15个工作日内制发[1]。";

fn write_config(dir: &std::path::Path, reviewers: &str) -> String {
    let path = dir.join("review.toml");
    std::fs::write(&path, format!("[audit]\npath = \"audit.jsonl\"\n\n{reviewers}")).unwrap();
    path.display().to_string()
}

fn review_json(args: &[&str]) -> (serde_json::Value, i32) {
    let out = govai().args(args).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    });
    (v, out.status.code().unwrap_or(-1))
}

fn codes(v: &serde_json::Value) -> Vec<(String, String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["reviewer"].as_str().unwrap().to_owned(),
                f["code"].as_str().unwrap().to_owned(),
                f["verdict"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn review_takes_reviewer_options_from_a_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let sources = dir.path().join("sources.json");
    std::fs::write(&sources, SOURCES).unwrap();
    let sources = sources.display().to_string();
    let base = ["review", "--json", "--sources", &sources, "--request", QUESTION, ANSWER];

    // Defaults: the passage is about another matter -> relevance off_topic, Revise.
    let (v, code) = review_json(&base);
    assert_eq!(code, 1, "{v}");
    assert!(codes(&v).contains(&("relevance".into(), "off_topic".into(), "revise".into())), "{v}");

    // [reviewers.relevance] verdict = "escalate" from the file.
    let cfg = write_config(dir.path(), "[reviewers.relevance]\nverdict = \"escalate\"\n");
    let mut args = base.to_vec();
    args.extend(["--config", &cfg]);
    let (v, _) = review_json(&args);
    assert_eq!(v["verdict"], "escalate", "{v}");
    assert!(codes(&v).contains(&("relevance".into(), "off_topic".into(), "escalate".into())), "{v}");

    // Threshold 0: nothing is off topic.
    let cfg = write_config(dir.path(), "[reviewers.relevance]\nthreshold = 0.0\n");
    let mut args = base.to_vec();
    args.extend(["--config", &cfg]);
    let (v, code) = review_json(&args);
    assert!(!codes(&v).iter().any(|c| c.0 == "relevance"), "{v}");
    assert_eq!(code, 0, "{v}");

    // A bad option is an error naming it; a missing embedding model names its key.
    let cfg = write_config(dir.path(), "[reviewers.relevance]\nverdict = \"pass\"\n");
    let out = govai().args(["review", "--config", &cfg, "--request", QUESTION, ANSWER]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("reviewers.relevance"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cfg = write_config(dir.path(), "[reviewers.grounding]\nembedding = \"no/such/model\"\n");
    let out = govai().args(["review", "--config", &cfg, "--request", QUESTION, ANSWER]).output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("reviewers.grounding.embedding"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // --jsonl uses the same reviewers.
    let cfg = write_config(dir.path(), "[reviewers.relevance]\nverdict = \"escalate\"\n");
    let lines = dir.path().join("batch.jsonl");
    let line = serde_json::json!({
        "id": "a",
        "request": QUESTION,
        "answer": ANSWER,
        "sources": serde_json::from_str::<serde_json::Value>(SOURCES).unwrap(),
    });
    std::fs::write(&lines, format!("{line}\n")).unwrap();
    let out = govai().args(["review", "--jsonl", &lines.display().to_string(), "--config", &cfg]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "escalate", "{v}");
}
