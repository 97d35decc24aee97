//! Citation and grounding reviewer.
#![allow(clippy::unwrap_used)]

use govai_core::scenario::builtin;
use govai_core::{Review, ReviewContext, Reviewer, Source, Verdict};
use govai_review::{CitationConfig, CitationReviewer};

fn source(index: usize, title: &str, text: &str) -> Source {
    Source { index, id: format!("kb-{index}"), title: title.into(), text: text.into(), url: None, score: 1.0 }
}

fn sources() -> Vec<Source> {
    vec![
        source(
            1,
            "居住证暂行条例",
            "公民申领居住证，应当向居住地公安派出所提交本人居民身份证、本人相片以及居住地住址证明。\
             公安机关应当自受理之日起15日内制作发放居住证。居住证每年签注一次，工本费为20元。",
        ),
        source(
            2,
            "市民中心办事指南",
            "咨询电话：0571-87654321；办理地点：市民中心二楼B区；工作时间：周一至周五9:00-17:00。\
             自2024年3月1日起，可通过https://www.example.gov.cn/jzz在线预约。",
        ),
    ]
}

fn run_with(scenario: &str, request: &str, output: &str, sources: &[Source], documents: &[String]) -> Review {
    let spec = builtin(scenario).unwrap();
    let ctx = ReviewContext { scenario: &spec, request, output, sources, documents };
    CitationReviewer::default().review(&ctx).unwrap()
}

fn run(output: &str) -> Review {
    run_with("intelligent_qa", "居住证怎么办理？多久能拿到？", output, &sources(), &[])
}

fn spanned(output: &str, span: Option<(usize, usize)>) -> String {
    let (s, e) = span.unwrap();
    output.chars().skip(s).take(e - s).collect()
}

const CLEAN: &str = "根据《居住证暂行条例》[1]：申领居住证需向居住地派出所提交居民身份证、相片和住址证明，\
公安机关自受理之日起15日内发放居住证，工本费20元。\n\
咨询电话0571-87654321，工作时间为周一至周五9:00-17:00[2]。自2024年3月1日起可在https://www.example.gov.cn/jzz预约。[2]";

#[test]
fn clean_answer_passes() {
    assert_eq!(CitationReviewer::default().id(), "citation");
    let rv = run(CLEAN);
    assert_eq!(rv.verdict, Verdict::Pass, "{:#?}", rv.findings);
}

#[test]
fn equivalent_forms_are_grounded() {
    // Chinese numerals, full-width digits, other date and phone formats, traditional title.
    let out = "公安机关自受理之日起十五日内发放[1]，工本费二十元[1]；咨询电话（0571）8765 4321[2]，\
               自二〇二四年三月一日起可预约[2]。依據《居住證暫行條例》[1]。";
    let rv = run(out);
    assert_eq!(rv.verdict, Verdict::Pass, "{:#?}", rv.findings);
    let rv = run("工本费２０元[1]，自2024-03-01起可预约[2]。");
    assert_eq!(rv.verdict, Verdict::Pass, "{:#?}", rv.findings);
}

#[test]
fn changed_number_is_caught() {
    let out = CLEAN.replace("15日内", "20日内");
    let rv = run(&out);
    assert_eq!(rv.verdict, Verdict::Revise);
    assert_eq!(rv.findings.len(), 1, "{:#?}", rv.findings);
    let f = &rv.findings[0];
    assert_eq!(f.code, "ungrounded_number");
    assert_eq!(spanned(&out, f.span), "20日");
}

#[test]
fn changed_fee_date_phone_and_url_are_caught() {
    for (from, to, code, shown) in [
        ("工本费20元", "工本费30元", "ungrounded_number", "30元"),
        ("2024年3月1日", "2024年3月15日", "ungrounded_number", "2024年3月15日"),
        ("0571-87654321", "0571-87654322", "ungrounded_number", "0571-87654322"),
        ("9:00-17:00", "8:30-17:00", "ungrounded_number", "8:30"),
        (
            "https://www.example.gov.cn/jzz",
            "https://www.example-gov.cn/jzz",
            "ungrounded_url",
            "https://www.example-gov.cn/jzz",
        ),
    ] {
        let out = CLEAN.replace(from, to);
        assert_ne!(out, CLEAN);
        let rv = run(&out);
        assert_eq!(rv.verdict, Verdict::Revise, "{to}");
        assert_eq!(rv.findings.len(), 1, "{to}: {:#?}", rv.findings);
        assert_eq!(rv.findings[0].code, code);
        assert_eq!(spanned(&out, rv.findings[0].span), shown);
    }
    // A unit change is a different claim: 15日 vs 15个工作日, 20元 vs 20万元.
    let rv = run("公安机关自受理之日起15个工作日内发放[1]。");
    assert_eq!(rv.findings[0].code, "ungrounded_number");
    let rv = run("工本费20万元[1]。");
    assert_eq!(rv.findings[0].code, "ungrounded_number");
}

#[test]
fn invented_citation_escalates() {
    let out = "居住证每年签注一次[3]。";
    let rv = run(out);
    assert_eq!(rv.verdict, Verdict::Escalate);
    let f = rv.findings.iter().find(|f| f.code == "unresolved_citation").unwrap();
    assert_eq!(spanned(out, f.span), "[3]");
    assert!(f.message.contains("[1][2]"), "{}", f.message);
    // Full-width and lenticular markers too.
    let rv = run("签注一次［4］，工本费20元【1】。");
    assert_eq!(rv.findings.iter().filter(|f| f.code == "unresolved_citation").count(), 1);
}

#[test]
fn number_must_be_in_the_cited_source() {
    // 0571-87654321 is in source 2, but the sentence cites source 1.
    let rv = run("咨询电话0571-87654321[1]。");
    assert_eq!(rv.verdict, Verdict::Revise);
    assert!(rv.findings[0].message.contains("[2]"), "{}", rv.findings[0].message);
    // Uncited sentences may use any source; a marker after the full stop belongs to the sentence before.
    assert_eq!(run("咨询电话0571-87654321。").verdict, Verdict::Pass);
    assert_eq!(run("工本费20元。[1]咨询电话0571-87654321。[2]").verdict, Verdict::Pass);
}

#[test]
fn invented_title_is_caught() {
    let out = "根据《居住证管理办法（2025年修订）》[1]：15日内发放。";
    let rv = run(out);
    let f = rv.findings.iter().find(|f| f.code == "ungrounded_title").unwrap();
    assert_eq!(spanned(out, f.span), "《居住证管理办法（2025年修订）》");
    assert!(rv.findings.iter().any(|f| f.code == "ungrounded_number"), "2025 is invented too");
}

#[test]
fn frames_lists_and_request_numbers_pass() {
    let out = "根据《居住证暂行条例》[1]：\n1. 居民身份证；\n2. 本人相片；\n(3) 住址证明。";
    assert_eq!(run(out).verdict, Verdict::Pass, "{:#?}", run(out).findings);
    // The citizen's own numbers may be repeated.
    let rv = run_with("intelligent_qa", "我在本市住了3年，能办吗？", "您已居住3年，可申领居住证[1]。", &sources(), &[]);
    assert_eq!(rv.verdict, Verdict::Pass, "{:#?}", rv.findings);
}

#[test]
fn no_sources_escalates_for_public_answers_only() {
    let rv = run_with("intelligent_qa", "居住证怎么办？", "请到派出所办理。", &[], &[]);
    assert_eq!(rv.verdict, Verdict::Escalate);
    assert_eq!(rv.findings[0].code, "no_sources");
    assert_eq!(rv.findings[0].span, None);
    // Internal retrieval and drafting do not require sources.
    assert_eq!(run_with("information_retrieval", "q", "未检索到相关资料。", &[], &[]).verdict, Verdict::Pass);
    assert_eq!(run_with("document_drafting", "q", "关于开展2025年检查的通知（初稿）", &[], &[]).verdict, Verdict::Pass);
    // Config can switch it off.
    let spec = builtin("intelligent_qa").unwrap();
    let ctx = ReviewContext {
        scenario: &spec, request: "q", output: "请到派出所办理。", sources: &[], documents: &[]
    };
    let lax = CitationReviewer::new(CitationConfig { require_sources_for_public: false, ..CitationConfig::default() });
    assert_eq!(lax.review(&ctx).unwrap().verdict, Verdict::Pass);
}

#[test]
fn attached_documents_act_as_numbered_sources() {
    let docs = vec!["工本费为20元。".to_owned(), "办理时限为15个工作日。".to_owned()];
    let rv = run_with("intelligent_qa", "费用和时限？", "工本费20元[1]，15个工作日办结[2]。", &[], &docs);
    assert_eq!(rv.verdict, Verdict::Pass, "{:#?}", rv.findings);
    let rv = run_with("intelligent_qa", "费用和时限？", "工本费25元[1]，详见[3]。", &[], &docs);
    let codes: Vec<&str> = rv.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, vec!["unresolved_citation", "ungrounded_number"]);
}

#[test]
fn number_checks_can_be_disabled() {
    let spec = builtin("intelligent_qa").unwrap();
    let out = CLEAN.replace("15日内", "20日内");
    let srcs = sources();
    let ctx = ReviewContext { scenario: &spec, request: "q", output: &out, sources: &srcs, documents: &[] };
    let r = CitationReviewer::new(CitationConfig { check_numbers: false, ..CitationConfig::default() });
    assert_eq!(r.review(&ctx).unwrap().verdict, Verdict::Pass);
}

/// Issue 13: an empty or whitespace-only answer must not pass.
#[test]
fn empty_answer_escalates() {
    for output in ["", "  \n\t　"] {
        let r = run(output);
        assert_eq!(r.verdict, Verdict::Escalate, "{output:?}");
        assert!(r.findings.iter().any(|f| f.code == "empty_answer"), "{:?}", r.findings);
    }
}

/// Issue 13: megabytes of markers give a bounded list of findings (the rest counted), and a
/// long sentence of markers with sources is reviewed in linear work (no rescan per marker; the
/// timing comparison is in benches, not here).
#[test]
fn marker_flood_is_bounded() {
    // Cited words: markers alone are one empty_answer finding.
    let flood = "办[9]".repeat(200_000);
    let r = run(&flood);
    assert_eq!(r.verdict, Verdict::Escalate);
    assert_eq!(r.findings.len(), govai_core::MAX_FINDINGS);
    assert_eq!(r.findings.len() + r.findings_dropped, 200_000);
    let r = run_with("intelligent_qa", "", &flood, &[], &[]);
    assert_eq!(r.findings.len(), govai_core::MAX_FINDINGS);
}
