//! PII-leak reviewer on the real guard classifier.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use govai_classify::GuardClassifier;
use govai_core::scenario::builtin;
use govai_core::{Review, ReviewContext, Reviewer, Source, Verdict};
use govai_review::PiiLeakReviewer;

fn run(request: &str, output: &str, sources: &[Source]) -> Review {
    let spec = builtin("intelligent_qa").unwrap();
    let ctx = ReviewContext { scenario: &spec, request, output, sources, documents: &[] };
    PiiLeakReviewer::new(Arc::new(GuardClassifier::default())).review(&ctx).unwrap()
}

fn codes(r: &Review) -> Vec<&str> {
    r.findings.iter().map(|f| f.code.as_str()).collect()
}

#[test]
fn leaks_are_blocked() {
    let rv = run("我的手机号是13800138000，居住证怎么办？", "请联系工作人员，电话13912345678。", &[]);
    assert_eq!((rv.verdict, codes(&rv)), (Verdict::Block, vec!["pii_leak"]));
    let rv = run("查询进度", "申请人身份证号11010519491231002X的申请已受理。", &[]);
    assert_eq!((rv.verdict, codes(&rv)), (Verdict::Block, vec!["pii_leak"]));
    let rv = run("总结文件", "绝密★1年 关于……的通知", &[]);
    assert_eq!((rv.verdict, codes(&rv)), (Verdict::Block, vec!["secret_in_output"]));
}

#[test]
fn values_from_the_request_and_policy_words_pass() {
    let rv = run("我的手机号是138-0013-8000，居住证怎么办？", "已为手机号13800138000的申请人登记预约。", &[]);
    assert_eq!(rv.verdict, Verdict::Pass, "{:?}", rv.findings);
    // PIPL category words (health) in a policy answer are not a leak.
    let rv = run("门诊慢特病怎么报销？", "患者确诊后可申请门诊慢特病待遇，由医保经办机构审核。", &[]);
    assert_eq!(rv.verdict, Verdict::Pass, "{:?}", rv.findings);
}
