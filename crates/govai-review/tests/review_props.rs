//! Property tests: the reviewers never panic and their spans always lie inside the output.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use govai_core::scenario::builtin;
use govai_core::{Classification, DataClassifier, ReviewContext, ReviewStage, Source};
use govai_review::builtin_reviewers;
use proptest::prelude::*;

#[derive(Debug)]
struct NoFindings;

impl DataClassifier for NoFindings {
    fn id(&self) -> &str {
        "none"
    }
    fn classify(&self, _: &str) -> govai_core::Result<Classification> {
        Ok(Classification::public())
    }
}

const ALPHABET: &[&str] = &[
    "0",
    "1",
    "5",
    "9",
    "０",
    "３",
    ".",
    ",",
    "，",
    "。",
    "-",
    ":",
    "：",
    "%",
    "％",
    "[",
    "]",
    "［",
    "］",
    "【",
    "】",
    "《",
    "》",
    "(",
    ")",
    "（",
    "）",
    " ",
    "\n",
    "\u{200B}",
    "‧",
    "·",
    "元",
    "万",
    "年",
    "月",
    "日",
    "号",
    "个",
    "工作日",
    "天",
    "第",
    "条",
    "百分之",
    "一",
    "二",
    "两",
    "十",
    "百",
    "千",
    "〇",
    "零",
    "走",
    "后",
    "門",
    "后门",
    "保证金",
    "先交",
    "a",
    "B",
    "x@y.cn",
    "http://",
    "www.",
    "H",
    "G",
    "①",
    "㈱",
    "ｚ",
    "e\u{301}",
    "😀",
    "+86",
    "138",
    "0571",
];

fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(ALPHABET), 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn spans_are_valid(output in text(), source_text in text(), request in text()) {
        let spec = builtin("intelligent_qa").unwrap();
        let sources = [Source { index: 1, id: "s".into(), title: "t".into(), text: source_text, url: None, score: 1.0 }];
        let docs = vec![request.clone()];
        for srcs in [&sources[..], &[]] {
            let ctx = ReviewContext { scenario: &spec, request: &request, output: &output, sources: srcs, documents: &docs };
            for r in builtin_reviewers(Arc::new(NoFindings)) {
                let rv = r.review(&ctx).unwrap();
                // Input-stage spans point into the request, the others into the output.
                let reviewed = if r.stage() == ReviewStage::Input { &request } else { &output };
                let n = reviewed.chars().count();
                for f in &rv.findings {
                    if let Some((s, e)) = f.span {
                        prop_assert!(s < e && e <= n, "{} {:?} in {:?} ({} chars)", f.code, f.span, reviewed, n);
                    }
                }
            }
        }
    }
}

/// The case CI found: an input-stage match (保证金) in the request, with an empty output.
#[test]
fn input_stage_spans_point_into_the_request() {
    let spec = builtin("intelligent_qa").unwrap();
    let request = "http://个保证金";
    let ctx = ReviewContext { scenario: &spec, request, output: "", sources: &[], documents: &[] };
    let mut seen = 0;
    for r in builtin_reviewers(Arc::new(NoFindings)).iter().filter(|r| r.stage() == ReviewStage::Input) {
        for f in r.review(&ctx).unwrap().findings {
            let (s, e) = f.span.expect("the refusal rule points at its cue");
            assert!(s < e && e <= request.chars().count(), "{} {:?}", f.code, f.span);
            seen += 1;
        }
    }
    assert!(seen >= 1, "the refusal rule matches 保证金 in the request");
}
