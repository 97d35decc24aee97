//! `govai kb publish|versions|diff` on a deployment's store, as an administrator runs them on
//! the gateway's machine: a knowledge base published twice makes one version, a changed file
//! the next, the diff names what changed, and each publish is an audit record.

use std::process::Command;

use serde_json::Value;

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
name = "kb cli"
[audit]
path = "audit.jsonl"
fsync = "never"
[[models]]
id = "faq"
backend = "faq"
clearance = "sensitive"
location = "on_premises"
[[scenarios]]
id = "intelligent_qa"
model = "faq"
[store]
backend = "sqlite"
path = "store.sqlite"
knowledge_base = true
"#;

const V1: &str = r#"{"id":"lib","lang":"zh","title":"图书馆开放时间","text":"周一闭馆。"}
{"id":"pool","lang":"zh","title":"游泳馆开放时间","text":"每天开放。"}
"#;

const V2: &str = r#"{"id":"lib","lang":"zh","title":"图书馆开放时间","text":"每天开放。","source":{"issuer":"示例市文化和旅游局","effective":"2026-12-01"}}
{"id":"gym","lang":"zh","title":"体育馆开放时间","text":"周二至周日开放。"}
"#;

#[test]
fn publish_versions_diff() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("govai.toml");
    std::fs::write(&config, CONFIG).expect("config");
    let (kb1, kb2) = (dir.path().join("v1.jsonl"), dir.path().join("v2.jsonl"));
    std::fs::write(&kb1, V1).expect("kb");
    std::fs::write(&kb2, V2).expect("kb");
    let c = config.to_str().expect("utf-8 path");

    let (code, out, err) = govai(&["kb", "publish", kb1.to_str().unwrap(), "--config", c, "--note", "首版", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!((v["published"].as_bool(), v["version"]["version"].as_u64()), (Some(true), Some(1)), "{v}");
    let (code, out, _) = govai(&["kb", "publish", kb1.to_str().unwrap(), "--config", c]);
    assert_eq!((code, out.trim()), (0, "unchanged: the file equals the current version"));
    let (code, out, err) = govai(&["kb", "publish", kb2.to_str().unwrap(), "--config", c, "--author", "admin-zhao"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("published version 2: 2 passages (1 added, 1 removed, 1 changed)"), "{out}");

    let (code, out, _) = govai(&["kb", "versions", "--config", c, "--json"]);
    assert_eq!(code, 0);
    let versions: Value = serde_json::from_str(&out).expect("json");
    let authors: Vec<&str> = versions.as_array().expect("list").iter().filter_map(|v| v["author"].as_str()).collect();
    assert_eq!(authors, ["admin-zhao", "cli"]);

    let (code, out, _) = govai(&["kb", "diff", "1", "2", "--config", c]);
    assert_eq!(code, 0);
    assert!(out.contains("+ gym") && out.contains("- pool") && out.contains("~ lib"), "{out}");
    assert!(out.contains("text: 周一闭馆。 -> 每天开放。") && out.contains("1 added, 1 removed, 1 changed"), "{out}");

    // Errors name what is wrong: an unknown version, a bad date, a config without a store.
    let (code, _, err) = govai(&["kb", "diff", "1", "9", "--config", c]);
    assert_ne!(code, 0);
    assert!(err.contains("no kb version with id `9`"), "{err}");
    std::fs::write(&kb2, r#"{"id":"x","lang":"zh","title":"t","text":"正文。","source":{"expires":"2026/12/31"}}"#)
        .expect("kb");
    let (code, _, err) = govai(&["kb", "publish", kb2.to_str().unwrap(), "--config", c]);
    assert!(code != 0 && err.contains("source.expires") && err.contains("YYYY-MM-DD"), "{err}");

    let audit = std::fs::read_to_string(dir.path().join("audit.jsonl")).expect("audit");
    let imports: Vec<Value> = audit
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("json"))
        .filter(|r| r["kind"] == "kb_change" && r["action"] == "import")
        .collect();
    assert_eq!(imports.iter().map(|r| r["result_version"].as_u64()).collect::<Vec<_>>(), [Some(1), Some(2)]);
    let (code, _, err) = govai(&["audit", "verify", dir.path().join("audit.jsonl").to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
}
