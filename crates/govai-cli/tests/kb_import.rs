//! `govai kb import`: a generated PDF (scripts/make-pdf-fixture.py), DOCX and GBK HTML page
//! into a knowledge base, then `govai run` on a deployment using it answers from and cites the
//! imported passages.
//!
//! Skips when the venv lacks reportlab or pypdfium2 (`make venv`); fails instead when
//! GOVAI_REQUIRE_MODELS=1.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use common::govai;
use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The PDF fixture in `dir`, or `None` (skip) when the venv lacks what it needs.
fn pdf_fixture(dir: &Path) -> Option<PathBuf> {
    let require = std::env::var("GOVAI_REQUIRE_MODELS").is_ok_and(|v| v == "1");
    let venv = workspace().join(".venv");
    let has_pdfium = std::fs::read_dir(venv.join("lib")).into_iter().flatten().flatten().any(|e| {
        e.path().join("site-packages/pypdfium2_raw/libpdfium.so").is_file()
            || e.path().join("site-packages/pypdfium2_raw/libpdfium.dylib").is_file()
    });
    let out = dir.join("补贴办法.pdf");
    let made = has_pdfium
        && std::process::Command::new(venv.join("bin/python"))
            .arg(workspace().join("scripts/make-pdf-fixture.py"))
            .arg(&out)
            .output()
            .is_ok_and(|o| o.status.success());
    if !made {
        assert!(!require, "GOVAI_REQUIRE_MODELS=1 but the venv lacks pypdfium2 or reportlab (make venv)");
        eprintln!("skipped: the venv lacks pypdfium2 or reportlab (make venv)");
        return None;
    }
    Some(out)
}

fn docx(path: &Path) {
    let ns = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;
    let p = |style: &str, text: &str| {
        let ppr =
            if style.is_empty() { String::new() } else { format!(r#"<w:pPr><w:pStyle w:val="{style}"/></w:pPr>"#) };
        format!(r#"<w:p>{ppr}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#)
    };
    let body = [
        p("Title", "示例市居住证积分入学实施细则"),
        p("", "示教发〔2023〕5号"),
        p("", "第一条 持有效居住证满一年的家长，可为适龄子女申请积分入学。"),
        p("", "第二条 积分入学申请每年4月1日至4月30日在示例市教育服务平台办理。"),
        p("", "示例市教育局"),
        p("", "2023年2月10日"),
    ]
    .concat();
    let document =
        format!(r#"<?xml version="1.0" encoding="UTF-8"?><w:document {ns}><w:body>{body}</w:body></w:document>"#);
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("word/document.xml", zip::write::SimpleFileOptions::default()).unwrap();
    zip.write_all(document.as_bytes()).unwrap();
    std::fs::write(path, zip.finish().unwrap().into_inner()).unwrap();
}

fn gbk_html(path: &Path) {
    let html = r#"<html><head><meta charset="gb2312"><title>门诊慢特病待遇_示例市人民政府网</title></head><body>
<nav>首页 &gt; 政策</nav><h1>示例市医疗保障局关于门诊慢特病待遇的通知</h1>
<p>发布机构：示例市医疗保障局 成文日期：2024年1月15日</p>
<p>一、参保人患高血压、糖尿病等门诊慢特病的，可在医保服务窗口申请认定。认定通过后，门诊慢特病费用在年度限额内按70%报销。</p>
</body></html>"#;
    std::fs::write(path, encoding_rs::GBK.encode(html).0).unwrap();
}

fn import(dir: &Path, files: &[&str]) -> std::process::Output {
    let mut c = govai();
    c.current_dir(dir).args(["kb", "import", "--out", "kb.jsonl", "--prefix", "city", "--json"]).args(files);
    c.output().unwrap()
}

#[test]
fn imported_documents_answer_questions() {
    let d = tempfile::tempdir().unwrap();
    let Some(_) = pdf_fixture(d.path()) else { return };
    docx(&d.path().join("积分入学.docx"));
    gbk_html(&d.path().join("notice.html"));
    let files = ["补贴办法.pdf", "积分入学.docx", "notice.html"];

    let out = import(d.path(), &files);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["files"].as_array().unwrap().len(), 3, "{summary:#}");
    let pdf = &summary["files"][0];
    assert_eq!(pdf["pages"], 4);
    assert_eq!(pdf["passages"], 6);
    assert_eq!(pdf["skipped_pages"], serde_json::json!([4]), "the scanned page is reported");
    assert_eq!(pdf["doc_number"], "示人社发〔2024〕12号");
    assert_eq!(pdf["issuer"], "示例市人力资源和社会保障局");
    assert_eq!(summary["files"][1]["doc_number"], "示教发〔2023〕5号");
    assert_eq!(summary["files"][2]["issuer"], "示例市医疗保障局");
    let added = summary["added"].as_u64().unwrap();
    assert!(added >= 9, "{summary:#}");
    assert_eq!(summary["total"], added);

    // Importing again replaces the passages instead of duplicating them.
    let again: Value = serde_json::from_slice(&import(d.path(), &files).stdout).unwrap();
    assert_eq!((again["replaced"].as_u64(), again["total"].as_u64()), (Some(added), Some(added)));
    let kb = std::fs::read_to_string(d.path().join("kb.jsonl")).unwrap();
    assert_eq!(kb.lines().count() as u64, added);

    // A deployment whose faq model uses the imported knowledge base.
    let config = govai::DEFAULT_CONFIG.replace(".govai-demo/", "").replacen(
        "backend = \"faq\"\n",
        "backend = \"faq\"\nknowledge_base = \"kb.jsonl\"\n",
        1,
    );
    std::fs::write(d.path().join("govai.toml"), config).unwrap();
    let ask = |q: &str| -> Value {
        let out = govai()
            .current_dir(d.path())
            .args(["run", "--config", "govai.toml", "--scenario", "intelligent_qa", "--json", q])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let r = ask("灵活就业人员的社保补贴每月多少钱？");
    let id = r["sources"][0]["id"].as_str().unwrap();
    assert!(id.starts_with(pdf["id_prefix"].as_str().unwrap()), "{r:#}");
    assert_eq!(r["sources"][0]["title"], "示例市灵活就业人员社会保险补贴办法");
    assert!(r["output"].as_str().unwrap().contains("300元"), "{r:#}");

    let r = ask("门诊慢特病报销比例是多少？");
    assert!(r["sources"][0]["id"].as_str().unwrap().starts_with(summary["files"][2]["id_prefix"].as_str().unwrap()));
    assert!(r["output"].as_str().unwrap().contains("70%"), "{r:#}");
}

#[test]
fn bad_input_changes_nothing() {
    let d = tempfile::tempdir().unwrap();
    gbk_html(&d.path().join("notice.html"));
    std::fs::write(d.path().join("notes.txt"), "plain text").unwrap();
    let out = import(d.path(), &["notice.html", "notes.txt"]);
    assert_eq!(out.status.code(), Some(2));
    let err: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(err["error"]["kind"], "invalid_input");
    assert!(err["error"]["message"].as_str().unwrap().contains("notes.txt"), "{err}");
    assert!(!d.path().join("kb.jsonl").exists(), "nothing is written when a file fails");

    // Without --out: passages on stdout as JSON Lines, the summary on stderr.
    let out = govai().current_dir(d.path()).args(["kb", "import", "notice.html"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let first: Value = serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().next().unwrap()).unwrap();
    assert!(first["id"].as_str().unwrap().starts_with("kb-"));
    assert_eq!(first["source"]["date"], "2024-01-15");
    assert!(String::from_utf8_lossy(&out.stderr).contains("notice.html: HTML"));

    let bad = govai().current_dir(d.path()).args(["kb", "import", "--prefix", "a b", "notice.html"]).output().unwrap();
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--prefix"));
}

/// `--ocr-models`: the fixture's scanned last page (the OCR test set's rendered notice, no text
/// layer) is read by the in-process OCR engine instead of being skipped.
#[test]
fn scanned_pdf_pages_are_read_by_ocr() {
    let models = workspace().join("models/ppocr-v4");
    if !models.is_dir() {
        assert!(std::env::var("GOVAI_REQUIRE_MODELS").is_err(), "{} missing: run `make ocr-models`", models.display());
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let Some(_) = pdf_fixture(d.path()) else { return };
    let out = govai()
        .current_dir(d.path())
        .args(["kb", "import", "--out", "kb.jsonl", "--json", "--ocr-models"])
        .arg(&models)
        .arg("补贴办法.pdf")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    let pdf = &summary["files"][0];
    assert_eq!(pdf["skipped_pages"], serde_json::json!([]), "{summary:#}");
    assert_eq!(pdf["ocr_pages"], serde_json::json!([4]), "{summary:#}");
    let kb = std::fs::read_to_string(d.path().join("kb.jsonl")).unwrap();
    assert!(kb.contains("居住地连续居住满半年"), "the notice's text is in a passage: {kb}");
}
