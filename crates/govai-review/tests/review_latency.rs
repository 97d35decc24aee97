//! Review latency per 1 KB answer for the rule-based reviewers, and the added latency per chunk of
//! streaming review. Prints p50/p99; no timing asserts (machines differ).
//!
//! `cargo test --release -p govai-review --test review_latency -- --nocapture`
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Instant;

use govai_classify::GuardClassifier;
use govai_core::scenario::builtin;
use govai_core::{ReviewContext, Reviewer, Source};
use govai_review::InputScreenReviewer;
use govai_review::{
    CitationReviewer, GroundingReviewer, LexiconReviewer, PiiLeakReviewer, RefusalReviewer, StreamConfig, StreamEvent,
    StreamingReviewer,
};

fn sources() -> Vec<Source> {
    vec![
        Source {
            index: 1,
            id: "kb-1".into(),
            title: "杭州市居住证办事指南".into(),
            text: "申请人办理居住证，应当向居住地公安派出所提交居民身份证、相片和住址证明。居住地公安派出所自受理之日起15个工作日内办结。办理居住证收取工本费20元。".into(),
            url: None,
            score: 1.0,
        },
        Source {
            index: 2,
            id: "kb-2".into(),
            title: "杭州市居住证管理实施办法".into(),
            text: "根据《杭州市居住证管理实施办法》，自2024年3月1日起，居住证可以通过https://zwfw.example.gov.cn/jzz在线申请。咨询电话：0571-87654321。".into(),
            url: None,
            score: 1.0,
        },
    ]
}

/// About 1 KB (UTF-8) of answer text.
fn answer_1kb() -> String {
    let unit = "办理居住证需要向居住地公安派出所提交居民身份证、相片和住址证明[1]。居住地公安派出所自受理之日起15个工作日内办结，工本费20元[1]。\
                根据《杭州市居住证管理实施办法》，自2024年3月1日起可以通过https://zwfw.example.gov.cn/jzz在线申请，咨询电话0571-87654321[2]。";
    let mut s = String::new();
    while s.len() < 1024 {
        s.push_str(unit);
    }
    s
}

fn percentiles(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let p = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    (p(0.5), p(0.99))
}

#[test]
fn review_latency_per_1kb_answer() {
    let spec = builtin("intelligent_qa").unwrap();
    let srcs = sources();
    let answer = answer_1kb();
    let request = "杭州市居住证怎么办理？要多久？";
    let classifier = Arc::new(GuardClassifier::new(Default::default()).unwrap());
    let reviewers: Vec<(&str, Arc<dyn Reviewer>)> = vec![
        ("lexicon", Arc::new(LexiconReviewer::builtin())),
        ("citation", Arc::new(CitationReviewer::default())),
        ("grounding", Arc::new(GroundingReviewer::default())),
        ("refusal (request)", Arc::new(RefusalReviewer::default())),
        ("input_screen (request)", Arc::new(InputScreenReviewer::default())),
        ("pii_leak (guard classifier)", Arc::new(PiiLeakReviewer::new(classifier))),
    ];
    let ctx = ReviewContext { scenario: &spec, request, output: &answer, sources: &srcs, documents: &[] };
    println!("answer: {} bytes, {} chars; {} runs each", answer.len(), answer.chars().count(), 300);
    println!("{:<30} {:>10} {:>10}", "reviewer", "p50 ms", "p99 ms");
    let mut all = Vec::new();
    for (name, r) in &reviewers {
        r.review(&ctx).unwrap();
        let mut times = Vec::new();
        for _ in 0..300 {
            let t = Instant::now();
            std::hint::black_box(r.review(&ctx).unwrap());
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        let (p50, p99) = percentiles(times);
        println!("{name:<30} {p50:>10.3} {p99:>10.3}");
        all.push((name, p50));
    }
    let mut times = Vec::new();
    for _ in 0..300 {
        let t = Instant::now();
        for (_, r) in &reviewers {
            std::hint::black_box(r.review(&ctx).unwrap());
        }
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let (p50, p99) = percentiles(times);
    println!("{:<30} {p50:>10.3} {p99:>10.3}", "all six in sequence");
}

#[test]
fn streaming_latency_per_chunk() {
    let spec = builtin("intelligent_qa").unwrap();
    let srcs = sources();
    let answer = answer_1kb();
    let classifier = Arc::new(GuardClassifier::new(Default::default()).unwrap());
    // Term matching alone (hold-back release), then all four answer reviewers of intelligent_qa
    // (sentence release, as `Deployment::handle_stream` runs them).
    let lexicon_only: Vec<Arc<dyn Reviewer>> = vec![Arc::new(LexiconReviewer::builtin())];
    let all_four: Vec<Arc<dyn Reviewer>> = vec![
        Arc::new(LexiconReviewer::builtin()),
        Arc::new(PiiLeakReviewer::new(classifier)),
        Arc::new(CitationReviewer::default()),
        Arc::new(GroundingReviewer::default()),
    ];
    let chars: Vec<char> = answer.chars().collect();
    for ((name, reviewers), chunk_chars) in [("lexicon", lexicon_only), ("lexicon+pii+citation+grounding", all_four)]
        .into_iter()
        .flat_map(|set| [4usize, 16, 64].map(|n| (set.clone(), n)))
    {
        let sr = StreamingReviewer::new(reviewers, StreamConfig::default());
        let mut per_chunk = Vec::new();
        let mut held = Vec::new();
        for _ in 0..20 {
            let mut st = sr.start(&spec, "居住证怎么办理？", &srcs, &[]);
            let mut shown = 0usize;
            let mut received = 0usize;
            for c in chars.chunks(chunk_chars) {
                let s: String = c.iter().collect();
                received += c.len();
                let t = Instant::now();
                let ev = st.push(&s).unwrap();
                per_chunk.push(t.elapsed().as_secs_f64() * 1e3);
                if let StreamEvent::Text { text } = ev {
                    shown += text.chars().count();
                }
                held.push((received - shown) as f64);
            }
            st.finish().unwrap();
        }
        let (p50, p99) = percentiles(per_chunk);
        let (h50, h99) = percentiles(held);
        println!(
            "stream {name}, chunk {chunk_chars:>3} chars: review per chunk p50 {p50:.3} ms p99 {p99:.3} ms; held back p50 {h50:.0} p99 {h99:.0} chars"
        );
    }
}
