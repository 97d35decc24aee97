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

/// Scanned pages (the OCR test set's rendered images) read by the in-process OCR engine, then
/// checked: the form is found, the missing lease is listed, nothing is decided, and the audit
/// record holds the images' hashes but no recognised ID number.
#[test]
fn scanned_images_are_read_by_ocr_and_checked() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let models = root.join("models/ppocr-v4");
    if !models.is_dir() {
        assert!(std::env::var("GOVAI_REQUIRE_MODELS").is_err(), "{} missing: run `make ocr-models`", models.display());
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let cfg = config(d.path());
    let data = root.join("crates/govai-ocr/testdata");
    let page = |n: &str| data.join(n).display().to_string();
    let o = govai()
        .args(["documents", "check", "--config", &cfg, "--scenario", "assisted_handling", "--as-of", "2026-12-05"])
        .args(["--ocr-models", &models.display().to_string()])
        .args([page("id_front.png"), page("id_back.png"), page("hukou_rot180.png"), page("form.png")])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["decision"], "clerk");
    let status = |id: &str| {
        v["materials"].as_array().unwrap().iter().find(|m| m["id"] == id).map(|m| m["status"].clone()).unwrap()
    };
    assert_ne!(status("application_form"), "missing", "{v}");
    assert_ne!(status("household_register"), "missing", "the page turned 180° is read: {v}");
    assert!(v["issues"].as_array().unwrap().iter().any(|i| i.as_str().unwrap().contains("缺少材料")), "{v}");
    let audit = std::fs::read_to_string(d.path().join("audit.jsonl")).unwrap();
    let png = std::fs::read(data.join("form.png")).unwrap();
    assert!(audit.contains(&sha256_hex(&png)), "the image hash is audited");
    let truth = std::fs::read_to_string(data.join("id_front.txt")).unwrap();
    let id = truth.split(|c: char| !c.is_ascii_alphanumeric()).find(|w| w.len() == 18).unwrap();
    assert!(!audit.contains(id) && !String::from_utf8_lossy(&o.stdout).contains(id), "no raw ID number");
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
