//! The three rule-based reviewers together, and their `[reviewers]` configuration.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use govai_core::scenario::builtin;
use govai_core::{Classification, DataClassifier, Finding, Review, ReviewContext, Source, Verdict};
use govai_review::{ReviewersConfig, builtin_reviewers, reviewers_from_config};

#[derive(Debug)]
struct MobileClassifier;

impl DataClassifier for MobileClassifier {
    fn id(&self) -> &str {
        "mobile"
    }
    fn classify(&self, text: &str) -> govai_core::Result<Classification> {
        static RE: std::sync::LazyLock<regex::Regex> =
            std::sync::LazyLock::new(|| regex::Regex::new(r"1[3-9]\d{9}").unwrap());
        let re = &*RE;
        let mut c = Classification::public();
        for m in re.find_iter(text) {
            let start = text[..m.start()].chars().count();
            c.findings.push(Finding {
                entity_type: "cn_mobile".into(),
                start,
                end: start + 11,
                text: m.as_str().into(),
                score: 1.0,
                checksum: None,
            });
        }
        Ok(c)
    }
}

fn review_all(output: &str) -> Review {
    let spec = builtin("intelligent_qa").unwrap();
    let sources = vec![Source {
        index: 1,
        id: "kb-1".into(),
        title: "居住证暂行条例".into(),
        text: "公安机关应当自受理之日起15日内制作发放居住证。".into(),
        url: None,
        score: 1.0,
    }];
    let ctx =
        ReviewContext {
            scenario: &spec, request: "居住证多久能拿到？", output, sources: &sources, documents: &[]
        };
    let reviewers = builtin_reviewers(Arc::new(MobileClassifier));
    let ids: Vec<&str> = reviewers.iter().map(|r| r.id()).collect();
    assert_eq!(ids, spec.reviewers.iter().map(String::as_str).collect::<Vec<_>>(), "catalog reviewer ids");
    reviewers.iter().fold(Review::pass(), |acc, r| acc.combine(r.review(&ctx).unwrap()))
}

#[test]
fn together() {
    assert_eq!(review_all("根据《居住证暂行条例》[1]，公安机关自受理之日起15日内发放居住证。").verdict, Verdict::Pass);
    let rv = review_all("走后门的话5日内就能拿到[1]，联系13912345678。");
    let mut codes: Vec<(&str, &str)> = rv.findings.iter().map(|f| (f.reviewer.as_str(), f.code.as_str())).collect();
    codes.sort();
    assert_eq!(
        codes,
        vec![
            ("citation", "ungrounded_number"),
            ("citation", "ungrounded_number"),
            ("grounding", "unsupported_sentence"),
            ("lexicon", "a3_business_ethics"),
            ("pii_leak", "pii_leak"),
        ]
    );
    assert_eq!(rv.verdict, Verdict::Block);
}

#[test]
fn config_table_maps_onto_structs() {
    // What a `[reviewers]` TOML table deserialises from.
    let cfg: ReviewersConfig = serde_json::from_value(serde_json::json!({
        "lexicon": { "include_builtin": true },
        "citation": { "require_sources_for_public": false, "check_numbers": true },
        "pii_leak": { "min_score": 0.5 }
    }))
    .unwrap();
    assert!(!cfg.citation.require_sources_for_public);
    assert!(cfg.lexicon.negation_guard);
    assert_eq!(cfg.pii_leak.min_score, 0.5);
    assert!(serde_json::from_value::<ReviewersConfig>(serde_json::json!({ "lexicon": { "file": "x" } })).is_err());
    assert!(serde_json::from_value::<ReviewersConfig>(serde_json::json!({ "groundingg": {} })).is_err());
    assert!(serde_json::from_value::<ReviewersConfig>(serde_json::json!({ "grounding": {} })).is_ok());
    let rs = reviewers_from_config(&cfg, Arc::new(MobileClassifier), None).unwrap();
    assert_eq!(rs.len(), 10);
    let empty = ReviewersConfig::default();
    assert_eq!(reviewers_from_config(&empty, Arc::new(MobileClassifier), None).unwrap().len(), 10);
}

/// Review latency per ~1 KB answer, each reviewer and all three (printed, not asserted).
#[test]
fn latency_per_kb() {
    let spec = builtin("intelligent_qa").unwrap();
    let sources: Vec<Source> = (1..=3)
        .map(|i| Source {
            index: i,
            id: format!("kb-{i}"),
            title: format!("办事指南{i}"),
            text: "公安机关应当自受理之日起15日内制作发放居住证。工本费为20元。咨询电话0571-87654321，\
                   工作时间为周一至周五9:00-17:00。自2024年3月1日起可在线预约。"
                .repeat(3),
            url: None,
            score: 1.0,
        })
        .collect();
    let sentence = "根据《办事指南1》[1]，公安机关自受理之日起15日内发放居住证，工本费20元；\
                    咨询电话0571-87654321，工作时间9:00-17:00[2]。";
    let mut output = String::new();
    while output.len() < 1024 {
        output.push_str(sentence);
    }
    let ctx = ReviewContext {
        scenario: &spec,
        request: "居住证怎么办？",
        output: &output,
        sources: &sources,
        documents: &[],
    };
    let reviewers = builtin_reviewers(Arc::new(govai_classify::GuardClassifier::default()));
    let p50 = |f: &dyn Fn()| {
        f();
        let mut v: Vec<Duration> = (0..101)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect();
        v.sort();
        v[50]
    };
    let mut line = format!("review latency, {:.2} KB answer, 3 sources: ", output.len() as f64 / 1024.0);
    for r in &reviewers {
        assert_eq!(r.review(&ctx).unwrap().verdict, Verdict::Pass, "{}", r.id());
        let d = p50(&|| {
            r.review(&ctx).unwrap();
        });
        line.push_str(&format!("{} p50 {:.0} us; ", r.id(), d.as_secs_f64() * 1e6));
    }
    let all = p50(&|| {
        for r in &reviewers {
            r.review(&ctx).unwrap();
        }
    });
    println!("{line}all three p50 {:.0} us", all.as_secs_f64() * 1e6);
}
