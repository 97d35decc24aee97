//! PII-leak reviewer with a small fake classifier (the real one lives in `recognize`).
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use govai_core::scenario::builtin;
use govai_core::{Classification, DataClassifier, DataLevel, Finding, ReviewContext, Reviewer, Source, Verdict};
use govai_review::{PiiLeakConfig, PiiLeakReviewer};
use regex::Regex;

/// Mobiles (with separators), 绝密★ markings and USCC-like codes.
#[derive(Debug)]
struct FakeClassifier {
    rules: Vec<(Regex, &'static str)>,
}

impl FakeClassifier {
    fn new() -> Self {
        Self {
            rules: vec![
                (Regex::new(r"1[3-9]\d[ \-]?\d{4}[ \-]?\d{4}").unwrap(), "cn_mobile"),
                (Regex::new(r"(绝密|机密|秘密)★").unwrap(), "secrecy_marking"),
                (Regex::new(r"91[0-9A-Z]{16}").unwrap(), "cn_uscc"),
            ],
        }
    }
}

impl DataClassifier for FakeClassifier {
    fn id(&self) -> &str {
        "fake"
    }
    fn classify(&self, text: &str) -> govai_core::Result<Classification> {
        let mut c = Classification::public();
        for (re, ty) in &self.rules {
            for m in re.find_iter(text) {
                let start = text[..m.start()].chars().count();
                let end = start + m.as_str().chars().count();
                c.findings.push(Finding {
                    entity_type: (*ty).to_owned(),
                    start,
                    end,
                    text: m.as_str().to_owned(),
                    score: 0.9,
                    checksum: None,
                });
                c.level = c.level.max(DataLevel::Sensitive);
            }
        }
        Ok(c)
    }
}

fn reviewer() -> PiiLeakReviewer {
    PiiLeakReviewer::new(Arc::new(FakeClassifier::new()))
}

fn run(request: &str, output: &str, sources: &[Source], documents: &[String]) -> govai_core::Review {
    let spec = builtin("intelligent_qa").unwrap();
    let ctx = ReviewContext { scenario: &spec, request, output, sources, documents };
    reviewer().review(&ctx).unwrap()
}

fn source(index: usize, text: &str) -> Source {
    Source { index, id: format!("kb-{index}"), title: "办事指南".into(), text: text.into(), url: None, score: 1.0 }
}

#[test]
fn clean_answer_passes() {
    assert_eq!(reviewer().id(), "pii_leak");
    let rv = run("居住证怎么办？", "请携带身份证到派出所办理。", &[], &[]);
    assert_eq!(rv.verdict, Verdict::Pass);
}

#[test]
fn leaked_phone_is_blocked_with_span() {
    let output = "您可以联系王科长，电话13912345678。";
    let rv = run("我的手机号是13800138000，居住证怎么办？", output, &[], &[]);
    assert_eq!(rv.verdict, Verdict::Block);
    assert_eq!(rv.findings.len(), 1);
    let f = &rv.findings[0];
    assert_eq!((f.reviewer.as_str(), f.code.as_str()), ("pii_leak", "pii_leak"));
    let (s, e) = f.span.unwrap();
    assert_eq!(output.chars().skip(s).take(e - s).collect::<String>(), "13912345678");
}

#[test]
fn phone_from_the_request_is_not_a_leak() {
    // Same number, different formatting (full-width digits, hyphens, +86) in the request.
    for request in ["我的手机号是13800138000", "我的手机号是138-0013-8000", "手机：+86 １３８ ００１３ ８０００"]
    {
        let rv = run(request, "已为手机号13800138000的申请人登记预约。", &[], &[]);
        assert_eq!(rv.verdict, Verdict::Pass, "{request}: {:?}", rv.findings);
    }
    let rv = run("我的手机号是13800138000", "已登记手机 138 0013 8000。", &[], &[]);
    assert_eq!(rv.verdict, Verdict::Pass);
}

#[test]
fn phone_from_sources_or_documents_is_not_a_leak() {
    let sources = [source(1, "窗口联系人：李老师，电话13912345678")];
    assert_eq!(run("怎么联系？", "请致电13912345678[1]。", &sources, &[]).verdict, Verdict::Pass);
    let docs = vec!["联系电话 139-1234-5678".to_owned()];
    assert_eq!(run("怎么联系？", "请致电13912345678。", &[], &docs).verdict, Verdict::Pass);
}

#[test]
fn secrecy_marking_in_output_is_blocked() {
    let rv = run("总结一下文件", "本文件为绝密★，内容如下", &[], &[]);
    assert_eq!(rv.verdict, Verdict::Block);
    assert_eq!(rv.findings[0].code, "secret_in_output");
    assert_eq!(rv.findings[0].span, Some((4, 7)));
}

#[test]
fn non_personal_types_are_ignored() {
    let rv = run("查企业", "该企业统一社会信用代码为91350100M000100Y43。", &[], &[]);
    assert_eq!(rv.verdict, Verdict::Pass, "{:?}", rv.findings);
    let strict = PiiLeakReviewer::with_config(
        Arc::new(FakeClassifier::new()),
        PiiLeakConfig { ignore_types: vec![], ..PiiLeakConfig::default() },
    );
    let spec = builtin("intelligent_qa").unwrap();
    let ctx = ReviewContext {
        scenario: &spec,
        request: "查企业",
        output: "代码91350100M000100Y43",
        sources: &[],
        documents: &[],
    };
    assert_eq!(strict.review(&ctx).unwrap().verdict, Verdict::Block);
}
