//! The grounding reviewer's `conflated_source` check: answer sentences that stitch a fact of one
//! source into the statement of another, or that answer the request with a source about another
//! matter. Cases: the `make demo` SmolLM2 answer (English), a Chinese analogue, and benign answers
//! that must pass.
#![allow(clippy::unwrap_used)]

use govai_core::scenario::builtin;
use govai_core::{Review, ReviewContext, Reviewer, Source, Verdict};
use govai_review::key_terms;
use govai_review::{GroundingConfig, GroundingReviewer};

fn src(index: usize, id: &str, title: &str, text: &str) -> Source {
    Source { index, id: id.into(), title: title.into(), text: text.into(), url: None, score: 1.0 }
}

/// The three passages `govai run --config examples/smollm2-rag.toml --scenario
/// information_retrieval "How do I apply for a residence permit?"` retrieves, in its order
/// (crates/govai-retrieval/kb/policies.jsonl).
fn demo_sources() -> Vec<Source> {
    vec![
        src(
            1,
            "kb-en-002",
            "Residence Permit for Foreigners",
            "Foreigners working in Example City must apply for a residence permit for work within 30 days of entry at \
             the Exit-Entry Administration Division of the Example City Public Security Bureau. Bring your passport, \
             the work permit, a health certificate, one recent photo and the accommodation registration form. The \
             permit is issued within 7 working days and costs 400 yuan for a validity of less than one year.",
        ),
        src(
            2,
            "kb-en-008",
            "Converting a Foreign Driving Licence",
            "Holders of a valid foreign driving licence who have a residence permit of more than 3 months can apply \
             for a Chinese driving licence at the Example City Vehicle Administration Office. Bring your passport, \
             residence permit, the original licence with a certified Chinese translation, a medical certificate and \
             photos. You must pass the theory test, which is available in English, and the fee is 10 yuan.",
        ),
        src(
            3,
            "kb-en-001",
            "Foreigner's Work Permit",
            "Employers in Example City apply for a Foreigner's Work Permit on behalf of foreign employees through the \
             national Foreigners' Work Management Service System. The application needs the passport, a degree \
             certificate, a certificate of no criminal record, a health certificate and the employment contract. The \
             Example City Science and Technology Bureau decides within 10 working days, and the permit is issued free \
             of charge.",
        ),
    ]
}

const DEMO_REQUEST: &str = "How do I apply for a residence permit?";

fn zh_sources() -> Vec<Source> {
    vec![
        src(
            1,
            "kb-zh-a",
            "示例市居住证办事指南",
            "申请人办理居住证，应当向居住地公安派出所提交居民身份证、相片和住址证明。公安派出所自受理之日起15个工作日内办结。",
        ),
        src(
            2,
            "kb-zh-b",
            "示例市社保卡补办指南",
            "社保卡遗失的，持居民身份证和相片到社会保障卡服务网点办理补办手续。补办需缴纳工本费20元，现场领卡。",
        ),
    ]
}

const ZH_REQUEST: &str = "示例市居住证怎么办理？";

fn review_with(request: &str, output: &str, sources: &[Source], config: GroundingConfig) -> Review {
    let spec = builtin("information_retrieval").unwrap();
    let ctx = ReviewContext { scenario: &spec, request, output, sources, documents: &[] };
    GroundingReviewer::new(config).review(&ctx).unwrap()
}

fn review(request: &str, output: &str, sources: &[Source]) -> Review {
    review_with(request, output, sources, GroundingConfig::default())
}

fn codes(r: &Review) -> Vec<&str> {
    r.findings.iter().map(|f| f.code.as_str()).collect()
}

fn spanned(s: &str, span: Option<(usize, usize)>) -> String {
    let (a, b) = span.unwrap();
    s.chars().skip(a).take(b - a).collect()
}

#[test]
fn key_terms_name_documents_and_offices() {
    let k =
        key_terms("Bring your passport, a residence permit and the original driving licence to the Vehicle Office.");
    for t in ["resi perm", "driv lice", "vehi offi"] {
        assert!(k.contains(t), "{t} in {k:?}");
    }
    // Generic modifiers name no matter.
    assert!(key_terms("Bring a valid permit to the local office.").is_empty());
    let k = key_terms("办理居住证需要到社会保障卡服务网点提交身份证，缴纳保证金。");
    for t in ["居住证", "保障卡", "身份证"] {
        assert!(k.contains(t), "{t} in {k:?}");
    }
    assert!(!k.iter().any(|t| t.ends_with("保证")), "{k:?}");
}

#[test]
fn demo_answer_is_flagged() {
    let srcs = demo_sources();
    let out = "1. Visit the official website of the example city transportation bureau to apply for a residence permit.\n\
               2. You must bring a passport, a residence permit, a recent photo, and a health certificate.\n\
               3. You must pass the theory test, which is available in English.";
    let rv = review(DEMO_REQUEST, out, &srcs);
    println!("{:#?}", rv.findings);
    assert!(rv.verdict >= Verdict::Revise, "{:#?}", rv.findings);
    let f = rv.findings.iter().find(|f| f.code == "conflated_source").unwrap();
    assert_eq!(spanned(out, f.span), "3. You must pass the theory test, which is available in English.");
    assert!(f.message.contains("资料[2]《Converting a Foreign Driving Licence》"), "{}", f.message);
    assert!(f.message.contains("资料[1]《Residence Permit for Foreigners》"), "{}", f.message);
    assert!(f.message.contains("residence permit"), "{}", f.message);
    // Off: the old behaviour (nothing fires on the theory-test sentence).
    let off = review_with(DEMO_REQUEST, out, &srcs, GroundingConfig { check_conflation: false, ..Default::default() });
    assert!(!codes(&off).contains(&"conflated_source"), "{:#?}", off.findings);
}

#[test]
fn demo_office_in_lower_case_is_an_ungrounded_entity() {
    let srcs = demo_sources();
    let out = "Visit the official website of the example city transportation bureau to apply for a residence permit.";
    let rv = review(DEMO_REQUEST, out, &srcs);
    let f = rv.findings.iter().find(|f| f.code == "ungrounded_entity").unwrap();
    assert_eq!(spanned(out, f.span), "example city transportation bureau");
    // Generic offices and offices the sources name pass.
    for ok in [
        "Apply for a residence permit at the local office.",
        "Apply for a residence permit at the example city public security bureau.",
    ] {
        let rv = review(DEMO_REQUEST, ok, &srcs);
        assert!(!codes(&rv).contains(&"ungrounded_entity"), "{ok}: {:#?}", rv.findings);
    }
}

#[test]
fn chinese_conflation_is_flagged() {
    let srcs = zh_sources();
    // 居住证 from [1], the office and fee of the 社保卡 passage [2].
    let out = "办理居住证需要持居民身份证和相片到社会保障卡服务网点办理。需缴纳工本费20元，现场领卡。";
    let rv = review(ZH_REQUEST, out, &srcs);
    println!("{:#?}", rv.findings);
    assert!(rv.verdict >= Verdict::Revise, "{:#?}", rv.findings);
    let f = rv.findings.iter().find(|f| f.code == "conflated_source").unwrap();
    assert_eq!(spanned(out, f.span), "办理居住证需要持居民身份证和相片到社会保障卡服务网点办理。");
    assert!(f.message.contains("资料[2]《示例市社保卡补办指南》") && f.message.contains("居住证"), "{}", f.message);
    // Both sentences stitched from the wrong passage: escalated as mostly unsupported.
    assert_eq!(rv.verdict, Verdict::Escalate, "{:#?}", rv.findings);
    assert!(codes(&rv).contains(&"mostly_unsupported"), "{:#?}", rv.findings);
}

#[test]
fn faithful_single_source_answer_passes() {
    let rv = review(
        DEMO_REQUEST,
        "Apply for a residence permit within 30 days of entry at the Exit-Entry Administration Division of the \
         Example City Public Security Bureau [1]. Bring your passport, the work permit, a health certificate, a \
         recent photo and the accommodation registration form [1]. The permit is issued within 7 working days [1].",
        &demo_sources(),
    );
    assert_eq!(rv.verdict, Verdict::Pass, "{:#?}", rv.findings);
    let rv = review(
        ZH_REQUEST,
        "办理居住证，应当携带居民身份证、相片和住址证明到居住地公安派出所申请[1]。公安派出所15个工作日内办结[1]。",
        &zh_sources(),
    );
    assert_eq!(rv.verdict, Verdict::Pass, "{:#?}", rv.findings);
}

#[test]
fn two_sources_each_answering_the_request_pass() {
    // The request asks about both matters; each sentence uses the source about its matter.
    let rv = review(
        "How do I get a residence permit, and can I then convert my driving licence?",
        "Apply for a residence permit at the Exit-Entry Administration Division of the Example City Public \
         Security Bureau within 30 days of entry [1]. With a residence permit of more than 3 months you can convert \
         your foreign driving licence at the Example City Vehicle Administration Office [2]. You must pass the \
         theory test, which is available in English [2].",
        &demo_sources(),
    );
    assert_eq!(rv.verdict, Verdict::Pass, "{:#?}", rv.findings);
    // Two passages on the same matter (a guide and a policy), one sentence from each.
    let srcs = vec![
        src(1, "a", "杭州市居住证办事指南", "申请人办理居住证，应当向居住地公安派出所提交居民身份证、相片和住址证明。"),
        src(2, "b", "杭州市居住证管理实施办法", "根据本办法，自2024年3月1日起，居住证可以通过政务服务网在线申请。"),
    ];
    let rv = review(
        "杭州市居住证怎么办理？",
        "办理居住证需要向居住地公安派出所提交居民身份证、相片和住址证明[1]。自2024年3月1日起，居住证也可以通过政务服务网在线申请[2]。",
        &srcs,
    );
    assert_eq!(rv.verdict, Verdict::Pass, "{:#?}", rv.findings);
}

#[test]
fn aside_that_names_its_own_matter_passes() {
    // A sentence from the driving-licence passage that says it is about driving licences is not
    // presented as a residence-permit step.
    let rv = review(
        DEMO_REQUEST,
        "Apply for a residence permit at the Example City Public Security Bureau within 30 days of entry [1]. \
         To convert a foreign driving licence, you must pass the theory test, which is available in English.",
        &demo_sources(),
    );
    assert_eq!(rv.verdict, Verdict::Pass, "{:#?}", rv.findings);
}

#[test]
fn restating_the_request_passes() {
    let rv = review(
        DEMO_REQUEST,
        "You asked how to apply for a residence permit. Foreigners working in Example City must apply for a \
         residence permit within 30 days of entry [1].",
        &demo_sources(),
    );
    assert_eq!(rv.verdict, Verdict::Pass, "{:#?}", rv.findings);
    let rv = review(
        ZH_REQUEST,
        "关于示例市居住证怎么办理的问题：应当向居住地公安派出所提交居民身份证、相片和住址证明[1]。",
        &zh_sources(),
    );
    assert_eq!(rv.verdict, Verdict::Pass, "{:#?}", rv.findings);
}

#[test]
fn single_source_knowledge_base_passes() {
    // One source: nothing to conflate, whatever the sentence's wording.
    let srcs = vec![demo_sources().remove(1)];
    let rv = review(
        DEMO_REQUEST,
        "Holders of a residence permit of more than 3 months can apply for a Chinese driving licence at the Example \
         City Vehicle Administration Office [1]. You must pass the theory test, which is available in English [1].",
        &srcs,
    );
    assert_eq!(rv.verdict, Verdict::Pass, "{:#?}", rv.findings);
}
