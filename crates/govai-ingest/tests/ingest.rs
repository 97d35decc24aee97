//! Import of generated documents: a PDF made by scripts/make-pdf-fixture.py (reportlab, needs
//! `make venv`), a DOCX built here with the zip crate, and HTML pages (UTF-8 and GBK); the
//! passages then form a knowledge base that answers from them.
//!
//! Tests on the PDF skip when the venv (reportlab, pypdfium2) is missing, and fail instead when
//! GOVAI_REQUIRE_MODELS=1.
#![allow(clippy::unwrap_used)]

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use govai_ingest::{Error, Format, IngestOptions, Limits, PageOcr, ingest_bytes, ingest_file};
use govai_retrieval::KnowledgeBase;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The PDF fixture written into `dir`, or `None` (skip) when the venv lacks what it needs.
fn pdf_fixture(dir: &Path) -> Option<PathBuf> {
    let require = std::env::var("GOVAI_REQUIRE_MODELS").is_ok_and(|v| v == "1");
    let missing = |what: String| {
        assert!(!require, "GOVAI_REQUIRE_MODELS=1 but {what}");
        eprintln!("skipped: {what} (run `make venv`)");
        None
    };
    if let Err(e) = govai_ingest::find_pdfium_library(None) {
        return missing(e.to_string());
    }
    let python = workspace().join(".venv/bin/python");
    if !python.is_file() {
        return missing(format!("{} is missing", python.display()));
    }
    let out = dir.join("补贴办法.pdf");
    let run = Command::new(&python).arg(workspace().join("scripts/make-pdf-fixture.py")).arg(&out).output().unwrap();
    if !run.status.success() {
        return missing(format!("make-pdf-fixture.py failed: {}", String::from_utf8_lossy(&run.stderr)));
    }
    Some(out)
}

/// A DOCX with a Title, heading-styled paragraphs, articles and a table.
fn docx_fixture() -> Vec<u8> {
    let ns = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;
    let p = |style: &str, text: &str| {
        let ppr =
            if style.is_empty() { String::new() } else { format!(r#"<w:pPr><w:pStyle w:val="{style}"/></w:pPr>"#) };
        format!(r#"<w:p>{ppr}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#)
    };
    let cell = |t: &str| format!("<w:tc><w:p><w:r><w:t>{t}</w:t></w:r></w:p></w:tc>");
    let body = [
        p("Title", "示例市居住证积分入学实施细则"),
        p("", "示教发〔2023〕5号"),
        p("1", "一、积分申请"),
        p("", "第一条\u{3000}持有效居住证满一年的家长，可为适龄子女申请积分入学。"),
        p("", "第二条\u{3000}积分申请每年4月1日至4月30日在示例市教育服务平台办理。"),
        format!(
            "<w:tbl><w:tr>{}{}</w:tr><w:tr>{}{}</w:tr></w:tbl>",
            cell("积分项目"),
            cell("分值"),
            cell("居住年限"),
            cell("每满一年10分")
        ),
        p("", "示例市教育局"),
        p("", "2023年2月10日"),
    ]
    .concat();
    let document =
        format!(r#"<?xml version="1.0" encoding="UTF-8"?><w:document {ns}><w:body>{body}</w:body></w:document>"#);
    let styles = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:styles {ns}><w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/></w:style></w:styles>"#
    );
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in [("word/document.xml", document), ("word/styles.xml", styles)] {
        zip.start_file(name, opts).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// A GBK-encoded page of a (fictional) government site, with navigation and scripts.
fn gbk_html() -> Vec<u8> {
    let html = r#"<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">
<title>示例市医疗保障局关于门诊慢特病待遇的通知_示例市人民政府网</title><script>var t = "第九条";</script></head>
<body><div class="nav"><nav>首页 &gt; 政策文件</nav></div>
<h1>示例市医疗保障局关于门诊慢特病待遇的通知</h1>
<p>发布机构：示例市医疗保障局　成文日期：2024年1月15日</p>
<p>一、认定办理</p>
<p>（一）参保人患高血压、糖尿病等门诊慢特病的，可持二级以上定点医院诊断证明在医保服务窗口申请认定。</p>
<p>（二）认定通过后，门诊慢特病费用在年度限额内按70%报销。</p>
<footer>主办：示例市人民政府办公室</footer></body></html>"#;
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(html);
    assert!(!unmappable);
    bytes.into_owned()
}

#[test]
fn pdf_policy_document() {
    let dir = tempfile::tempdir().unwrap();
    let Some(pdf) = pdf_fixture(dir.path()) else { return };
    let doc = ingest_file(&pdf, &IngestOptions::default()).unwrap();
    assert_eq!(doc.format, Format::Pdf);
    assert_eq!(doc.pages, 4);
    assert_eq!(doc.skipped_pages, vec![4], "the scanned page is reported, not lost");
    assert!(doc.ocr_pages.is_empty());
    assert_eq!(doc.info.title.as_deref(), Some("示例市灵活就业人员社会保险补贴办法"));
    assert_eq!(doc.info.issuer.as_deref(), Some("示例市人力资源和社会保障局"));
    assert_eq!(doc.info.doc_number.as_deref(), Some("示人社发〔2024〕12号"));
    assert_eq!(doc.info.date.as_deref(), Some("2024-03-01"));
    let texts: Vec<&str> = doc.sections.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(texts.len(), 6, "one passage per article: {texts:#?}");
    for t in &texts {
        assert!(!t.contains("规范性文件") && !t.contains("印发") && !t.contains("- 1 -"), "header/footer left: {t}");
        assert!(!t.contains('\n'), "lines broken by the layout are joined: {t:?}");
    }
    assert!(texts[0].starts_with("第一条") && texts[0].contains("根据国家和省有关规定"), "{}", texts[0]);
    assert!(texts[2].contains("每人每月300元") && texts[2].contains("不超过三年"), "{}", texts[2]);
    assert!(texts[3].starts_with("第四条") && texts[3].contains("（三）社会保险缴费凭证。"), "{}", texts[3]);
    assert_eq!(doc.sections[2].headings, vec!["第二章 补贴标准与申请"]);
    assert_eq!(doc.sections[0].page, Some(1));
    assert_eq!(doc.sections[3].page, Some(2));

    let passages = doc.to_passages("hr");
    let kb = KnowledgeBase::new(passages.clone()).unwrap();
    let (best, _) = kb.search("灵活就业人员社保补贴每月多少钱", 1)[0];
    assert_eq!(best.id, passages[2].id);
    assert_eq!(best.source.as_ref().unwrap().page, Some(1));

    let mut broken = std::fs::read(&pdf).unwrap();
    broken.truncate(broken.len() / 3);
    let err = ingest_bytes(&broken, "broken.pdf", &IngestOptions::default()).unwrap_err();
    assert!(matches!(err, Error::Malformed { .. }) && err.to_string().contains("broken.pdf"), "{err}");
    let err = ingest_bytes(b"%PDF-1.7 not a pdf", "x.pdf", &IngestOptions::default()).unwrap_err();
    assert!(matches!(err, Error::Malformed { .. }), "{err}");

    let limited = IngestOptions { limits: Limits { max_pages: 3, ..Limits::default() }, ..IngestOptions::default() };
    let err = ingest_file(&pdf, &limited).unwrap_err();
    assert!(err.to_string().contains("max_pages") && err.to_string().contains("(4)"), "{err}");
}

/// Records the size of each page image and returns fixed text.
struct FakeOcr(Mutex<Vec<(u32, u32)>>);

impl PageOcr for FakeOcr {
    fn page_text(&self, image: &image::DynamicImage) -> Result<String, String> {
        self.0.lock().unwrap().push((image.width(), image.height()));
        Ok("第七条　扫描件中的条文由OCR识别。\n- 4 -".into())
    }
}

#[test]
fn scanned_pages_go_through_ocr() {
    let dir = tempfile::tempdir().unwrap();
    let Some(pdf) = pdf_fixture(dir.path()) else { return };
    let ocr = Arc::new(FakeOcr(Mutex::new(Vec::new())));
    let options = IngestOptions { ocr: Some(ocr.clone()), ocr_render_width: 800, ..IngestOptions::default() };
    let doc = ingest_file(&pdf, &options).unwrap();
    assert_eq!(doc.ocr_pages, vec![4]);
    assert!(doc.skipped_pages.is_empty());
    let sizes = ocr.0.lock().unwrap().clone();
    assert_eq!(sizes.len(), 1, "only the page without a text layer is rendered");
    assert_eq!(sizes[0].0, 800);
    let last = doc.sections.last().unwrap();
    assert_eq!(last.text, "第七条 扫描件中的条文由OCR识别。");
    assert_eq!(last.page, Some(4));

    struct Failing;
    impl PageOcr for Failing {
        fn page_text(&self, _: &image::DynamicImage) -> Result<String, String> {
            Err("engine crashed".into())
        }
    }
    let options = IngestOptions { ocr: Some(Arc::new(Failing)), ..IngestOptions::default() };
    let err = ingest_file(&pdf, &options).unwrap_err();
    assert!(matches!(err, Error::Ocr { page: 4, .. }) && err.to_string().contains("engine crashed"), "{err}");
}

#[test]
fn docx_policy_document() {
    let doc = ingest_bytes(&docx_fixture(), "积分入学.docx", &IngestOptions::default()).unwrap();
    assert_eq!(doc.format, Format::Docx);
    assert_eq!(doc.info.title.as_deref(), Some("示例市居住证积分入学实施细则"));
    assert_eq!(doc.info.doc_number.as_deref(), Some("示教发〔2023〕5号"));
    assert_eq!(doc.info.issuer.as_deref(), Some("示例市教育局"));
    assert_eq!(doc.info.date.as_deref(), Some("2023-02-10"));
    let texts: Vec<&str> = doc.sections.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(
        texts,
        vec![
            "第一条 持有效居住证满一年的家长，可为适龄子女申请积分入学。",
            "第二条 积分申请每年4月1日至4月30日在示例市教育服务平台办理。积分项目 | 分值\n居住年限 | 每满一年10分",
        ]
    );
    assert!(doc.sections.iter().all(|s| s.headings == ["一、积分申请"]));
}

#[test]
fn gbk_html_page() {
    let bytes = gbk_html();
    let doc = ingest_bytes(&bytes, "notice.html", &IngestOptions::default()).unwrap();
    assert_eq!(doc.format, Format::Html);
    assert_eq!(doc.info.title.as_deref(), Some("示例市医疗保障局关于门诊慢特病待遇的通知"));
    assert_eq!(doc.info.issuer.as_deref(), Some("示例市医疗保障局"));
    assert_eq!(doc.info.date.as_deref(), Some("2024-01-15"));
    let texts: Vec<&str> = doc.sections.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(texts.len(), 2, "{texts:#?}");
    assert!(texts[0].starts_with("（一）参保人患高血压"), "{texts:#?}");
    assert_eq!(doc.sections[1].headings, vec!["一、认定办理"]);
    assert!(texts.iter().all(|t| !t.contains("首页") && !t.contains("第九条") && !t.contains("主办")), "{texts:#?}");
    let kb = KnowledgeBase::new(doc.to_passages("yb")).unwrap();
    let (best, _) = kb.search("门诊慢特病报销比例是多少", 1)[0];
    assert!(best.text.contains("70%"), "{}", best.text);
}
