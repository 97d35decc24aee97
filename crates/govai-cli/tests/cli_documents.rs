//! `govai documents check`: recognised pages from JSON files against the example checklist.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::govai;
use serde_json::json;

fn config(dir: &Path) -> String {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/assisted-handling-checklist.toml");
    let text = std::fs::read_to_string(example).unwrap().replace("../.govai-demo/documents-audit.jsonl", "audit.jsonl");
    let path = dir.join("govai.toml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn write(dir: &Path, name: &str, v: &serde_json::Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, v.to_string()).unwrap();
    path.display().to_string()
}

fn lines(texts: &[&str]) -> serde_json::Value {
    texts.iter().map(|t| json!({"text": t, "confidence": 0.95})).collect()
}

#[test]
fn pages_are_checked_and_printed_as_json() {
    let d = tempfile::tempdir().unwrap();
    let cfg = config(d.path());
    let card = write(
        d.path(),
        "card.json",
        &json!([
            {"file": "front.jpg", "lines": lines(&["姓名 王小明", "住址 北京市东城区景山前街4号", "公民身份号码 11010519491231002X"])},
            {"file": "back.jpg", "lines": lines(&["居民身份证", "有效期限 2016.03.01-2036.03.01"])}
        ]),
    );
    let form = write(
        d.path(),
        "form.json",
        &json!({"lines": lines(&["居住证申领登记表", "申请人姓名：王小明", "申请人签名：王小明", "填表日期：2026年12月1日"])}),
    );
    let out = govai()
        .args(["documents", "check", "--config", &cfg, "--scenario", "assisted_handling", "--as-of", "2026-12-05"])
        .args([&card, &form])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((r["decision"].as_str(), r["complete"].as_bool()), (Some("clerk"), Some(false)), "{r:#}");
    assert_eq!(r["materials"][0]["status"], "present", "{r:#}");
    assert_eq!(r["materials"][1]["status"], "missing");
    assert_eq!(r["pages"][2]["file"], "form.json", "the file name defaults to the JSON file's");
    let form_fields = r["materials"][2]["fields"].as_array().unwrap();
    // The form lacks the ID number and the address: incomplete, with each field named.
    assert_eq!(r["materials"][2]["status"], "incomplete", "{r:#}");
    assert!(form_fields.iter().any(|f| f["name"] == "公民身份号码" && f["status"] == "missing"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("11010519491231002X") && !stdout.contains("王小明"), "{stdout}");
    let log = std::fs::read_to_string(d.path().join("audit.jsonl")).unwrap();
    assert!(log.contains("\"kind\":\"document_check\"") && !log.contains("11010519491231002X"));
}

#[test]
fn bad_input_is_a_json_error() {
    let d = tempfile::tempdir().unwrap();
    let cfg = config(d.path());
    let bad = write(d.path(), "bad.json", &json!({"lines": "none"}));
    let out = govai()
        .args(["documents", "check", "--config", &cfg, "--scenario", "assisted_handling", &bad])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["error"]["kind"], "invalid_input", "{r:#}");
    let page = write(d.path(), "p.json", &json!({"lines": lines(&["居民身份证"])}));
    let out = govai()
        .args([
            "documents",
            "check",
            "--config",
            &cfg,
            "--scenario",
            "assisted_handling",
            "--as-of",
            "05/12/2026",
            &page,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--as-of"));
}
