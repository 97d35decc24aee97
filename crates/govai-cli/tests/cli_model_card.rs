//! `govai model-card`: written from the config and the store (kept evaluations), Markdown
//! with table cells escaped, JSON with --json, an unknown model names the flag.

use std::process::Command;

fn govai(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_govai")).args(args).output().expect("run govai");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const CONFIG: &str = r#"
[deployment]
name = "示例市|热线"
[audit]
path = "audit.jsonl"
fsync = "never"
[[models]]
id = "faq"
backend = "faq"
version = "1"
clearance = "sensitive"
location = "on_premises"
[[models]]
id = "qwen-next"
backend = "openai"
version = "2.5"
base_url = "http://127.0.0.1:9/v1"
upstream_model = "qwen2.5-7b-instruct"
clearance = "internal"
location = "government_cloud"
filing = { number = "Beijing-XXX-202601", provider = "示例市政务云" }
[[scenarios]]
id = "intelligent_qa"
model = "faq"
canary = { model = "qwen-next", percent = 5 }
[store]
backend = "sqlite"
path = "store.sqlite"
"#;

#[test]
fn card_from_config_and_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("govai.toml");
    std::fs::write(&config, CONFIG).expect("config");
    let store = govai_store::Store::sqlite(&dir.path().join("store.sqlite")).expect("store");
    let kept = store
        .add_evaluation(govai_store::NewEvaluation {
            scenario: "intelligent_qa".into(),
            baseline_model: "faq".into(),
            baseline_version: "1".into(),
            candidate_model: "qwen-next".into(),
            candidate_version: "2.5".into(),
            verdict: "go".into(),
            report: "{}".into(),
            created_by: "qa-team".into(),
        })
        .expect("evaluation");
    let c = config.to_str().expect("utf-8");

    let (code, md, err) = govai(&["model-card", "--config", c, "--model", "qwen-next"]);
    assert_eq!(code, 0, "{err}");
    for expected in [
        "| 备案号 (filing number) | Beijing-XXX-202601 |",
        "| 服务提供者 (provider) | 示例市政务云 |",
        "| 部署位置 (location) | government_cloud |",
        "| 最高数据级别 (clearance) | internal (",
        "| 灰度 (canary in) | intelligent_qa 5% |",
        "http://127.0.0.1:9/v1 (model `qwen2.5-7b-instruct`)",
        "| 部署 (deployment) | 示例市\\|热线 |",
    ] {
        assert!(md.contains(expected), "{expected}\n{md}");
    }
    assert!(md.contains("GO") && md.contains(&kept.report_sha256) && md.contains("qa-team"), "{md}");

    let (code, json, _) = govai(&["model-card", "--config", c, "--model", "faq", "--json"]);
    assert_eq!(code, 0);
    let card: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!((card["backend"].as_str(), card["serves"][0].as_str()), (Some("faq"), Some("intelligent_qa")));
    assert!(card["evaluations"].as_array().is_some_and(Vec::is_empty));

    let (code, _, err) = govai(&["model-card", "--config", c, "--model", "nope"]);
    assert!(code != 0 && err.contains("--model") && err.contains("no model `nope`"), "{err}");
}
