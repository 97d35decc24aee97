//! Lexicon reviewer: obfuscated hits, term files, and 100,000 terms.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::time::Instant;

use govai_core::scenario::builtin;
use govai_core::{ReviewContext, Reviewer, Verdict};
use govai_review::{LexiconConfig, LexiconReviewer, RiskCategory, Term, TermAction};

fn review(r: &LexiconReviewer, output: &str) -> govai_core::Review {
    let spec = builtin("intelligent_qa").unwrap();
    let ctx =
        ReviewContext { scenario: &spec, request: "怎么办理居住证？", output, sources: &[], documents: &[] };
    r.review(&ctx).unwrap()
}

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("govai-review-{}-{name}", std::process::id()))
}

#[test]
fn clean_answer_passes() {
    let r = LexiconReviewer::builtin();
    assert_eq!(r.id(), "lexicon");
    let rv = review(&r, "根据《居住证暂行条例》[1]，申领居住证需提交居民身份证和居住证明，15日内核发，不收取费用。");
    assert_eq!(rv.verdict, Verdict::Pass);
    assert!(rv.findings.is_empty());
}

#[test]
fn obfuscated_terms_are_caught() {
    let r = LexiconReviewer::builtin();
    for (text, hit) in [
        ("您可以走后门加快办理", "走后门"),
        ("您可以走 后 门加快办理", "走 后 门"),
        ("您可以走‧後‧門加快办理", "走‧後‧門"),
        ("您可以走\u{200B}后\u{200C}门加快办理", "走\u{200B}后\u{200C}门"),
        ("可通过內部渠道办理", "內部渠道"),
        ("我们保證百分之百通過", "保證百分之百通過"),
        ("请先交 保 证 金", "先交 保 证 金"),
        ("超过３５岁不予受理", "超过３５岁不予受理"),
    ] {
        let rv = review(&r, text);
        assert_ne!(rv.verdict, Verdict::Pass, "{text}");
        assert_eq!(rv.findings.len(), 1, "{text}: {:?}", rv.findings);
        let f = &rv.findings[0];
        assert_eq!(f.reviewer, "lexicon");
        let (s, e) = f.span.unwrap();
        let got: String = text.chars().skip(s).take(e - s).collect();
        assert_eq!(got, hit, "{text}");
    }
    let rv = review(&r, "您可以走‧後‧門加快办理");
    assert_eq!(rv.verdict, Verdict::Block);
    assert_eq!(rv.findings[0].code, "a3_business_ethics");
    let rv = review(&r, "我们保证百分之百通过");
    assert_eq!((rv.verdict, rv.findings[0].code.as_str()), (Verdict::Revise, "a5_unreliable"));
    let rv = review(&r, "网上有自杀方法");
    assert_eq!(rv.verdict, Verdict::Escalate);
}

#[test]
fn warnings_are_notes_not_blocks() {
    let r = LexiconReviewer::builtin();
    let rv = review(&r, "温馨提示：谨防“先交保证金”类诈骗，政府部门不存在所谓“安全账户”。");
    assert_eq!(rv.verdict, Verdict::Pass, "{:?}", rv.findings);
    assert_eq!(rv.findings.len(), 2);
    assert!(rv.findings.iter().all(|f| f.verdict == Verdict::Pass));
}

#[test]
fn term_file_and_config() {
    let path = temp_path("terms.tsv");
    std::fs::write(&path, "# 本地词表\n代缴社保挂靠\ta1_other_prohibited\tblock\n\n稳过\ta5_unreliable\n").unwrap();
    let r = LexiconReviewer::load_tsv(&path).unwrap();
    assert_eq!(r.len(), 2);
    assert_eq!(review(&r, "可以代缴 社保 挂靠").verdict, Verdict::Block);
    assert_eq!(review(&r, "这次稳过").verdict, Verdict::Revise);

    let cfg: LexiconConfig =
        serde_json::from_value(serde_json::json!({ "terms_file": path.file_name().unwrap().to_str().unwrap() }))
            .unwrap();
    assert!(cfg.include_builtin);
    let r = LexiconReviewer::from_config_in(&cfg, Some(&std::env::temp_dir())).unwrap();
    assert_eq!(r.len(), govai_review::builtin_terms().len() + 2);

    std::fs::write(&path, "稳过\ta5_unreliable\n坏行\ta5_unreliable\tmaybe\n").unwrap();
    let err = LexiconReviewer::load_tsv(&path).unwrap_err();
    assert_eq!(err.kind(), govai_core::ErrorKind::Config);
    let msg = err.to_string();
    assert!(msg.contains("line 2") && msg.contains("unknown action"), "{msg}");
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    std::fs::remove_file(&path).ok();

    let missing = LexiconReviewer::load_tsv(temp_path("nope.tsv")).unwrap_err();
    assert_eq!(missing.kind(), govai_core::ErrorKind::Io);
}

/// Deterministic pseudo-random CJK terms.
fn synthetic_terms(n: usize) -> Vec<String> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..n)
        .map(|_| {
            let len = 4 + (next() % 5) as usize;
            (0..len).map(|_| char::from_u32(0x4E00 + (next() % 0x51A5) as u32).unwrap_or('中')).collect()
        })
        .collect()
}

#[test]
fn hundred_thousand_terms_load_and_scan() {
    let n = 100_000;
    let words = synthetic_terms(n);
    let cats = RiskCategory::ALL;
    let mut tsv = String::with_capacity(n * 40);
    for (i, w) in words.iter().enumerate() {
        tsv.push_str(&format!("{w}\t{}\tblock\n", cats[i % cats.len()].code()));
    }
    let path = temp_path("100k.tsv");
    std::fs::write(&path, &tsv).unwrap();

    let t = Instant::now();
    let r = LexiconReviewer::load_tsv(&path).unwrap();
    let load = t.elapsed();
    std::fs::remove_file(&path).ok();
    assert!(r.len() > 99_000, "{}", r.len());

    let t = Instant::now();
    let terms: Vec<Term> =
        words.iter().map(|w| Term::new(w.clone(), RiskCategory::OtherProhibited, TermAction::Block)).collect();
    let r2 = LexiconReviewer::from_terms(terms).unwrap();
    let build = t.elapsed();
    assert_eq!(r2.len(), r.len());

    // The standard's minimum library size, for comparison.
    let t = Instant::now();
    let terms: Vec<Term> = words[..10_000]
        .iter()
        .map(|w| Term::new(w.clone(), RiskCategory::OtherProhibited, TermAction::Block))
        .collect();
    LexiconReviewer::from_terms(terms).unwrap();
    let build_10k = t.elapsed();

    // ~1 KB of ordinary answer text with two planted terms (one obfuscated).
    let base =
        "根据《居住证暂行条例》，申领居住证需提交居民身份证、居住证明和近期照片，公安机关自受理之日起15日内核发。";
    let mut text = String::new();
    while text.len() < 1000 {
        text.push_str(base);
    }
    let planted = &words[12_345];
    let spaced: String = words[777].chars().flat_map(|c| [c, ' ']).collect();
    text.push_str(planted);
    text.push('，');
    text.push_str(&spaced);
    let kb = text.len() as f64 / 1024.0;

    let rounds = 200;
    let t = Instant::now();
    let mut hits = 0;
    for _ in 0..rounds {
        hits = review(&r, &text).findings.len();
    }
    let scan = t.elapsed() / rounds;
    assert!(hits >= 2, "planted terms found: {hits}");
    println!(
        "lexicon 100k terms: load_tsv {:.1} ms, from_terms {:.1} ms (10k terms: {:.1} ms), scan of {kb:.2} KB {:.1} us ({} hits)",
        load.as_secs_f64() * 1e3,
        build.as_secs_f64() * 1e3,
        build_10k.as_secs_f64() * 1e3,
        scan.as_secs_f64() * 1e6,
        hits
    );
}
