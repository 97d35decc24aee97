//! Hybrid retrieval with deterministic fake embedders (no weights): the FAQ answerer and the
//! ticket router with an [`Embedder`], fusion, errors, and that nothing changes without one.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use govai_core::{InferenceInput, Model, Result};
use govai_retrieval::{
    Embedder, FaqConfig, FaqModel, Fusion, KnnRouter, KnowledgeBase, NOT_FOUND_ZH, Passage, RoutingMethod, Split,
    Ticket, builtin_tickets,
};

/// "Meaning" without weights: each dimension is a topic with the words that express it, so a
/// paraphrase that shares no characters with a passage can still land on the same topic. A
/// text's vector counts its topic words. Calls and texts embedded are counted.
#[derive(Debug, Default)]
struct TopicEmbedder {
    calls: AtomicUsize,
    texts: AtomicUsize,
    /// Fail every call after this many (usize::MAX: never).
    fail_after: Option<usize>,
    /// Return vectors one dimension longer after this many calls.
    grow_after: Option<usize>,
}

const TOPICS: &[&[&str]] = &[
    &["驾驶证", "驾照", "开车的本子", "driving licence", "driver"],
    &["补领", "补办", "丢了", "遗失", "找不到", "lost"],
    &["公积金", "住房钱", "housing fund"],
    &["护照", "出国", "passport"],
    &["工资", "欠薪", "拖欠", "工钱", "wages"],
    &["污水", "排污", "黑烟", "污染", "pollution"],
    &["出租车", "打车", "网约车", "taxi"],
];

impl Embedder for TopicEmbedder {
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        self.texts.fetch_add(texts.len(), Ordering::SeqCst);
        if self.fail_after.is_some_and(|f| n >= f) {
            return Err(govai_core::Error::model("topic-embedder", "simulated failure"));
        }
        let extra = usize::from(self.grow_after.is_some_and(|g| n >= g));
        Ok(texts
            .iter()
            .map(|t| {
                let t = t.to_lowercase();
                let mut v: Vec<f32> =
                    TOPICS.iter().map(|words| words.iter().filter(|w| t.contains(*w)).count() as f32).collect();
                // Texts on no topic get all zeros: cosine 0 with everything.
                v.extend(std::iter::repeat_n(0.0, extra));
                v
            })
            .collect())
    }
}

fn topic() -> Arc<TopicEmbedder> {
    Arc::new(TopicEmbedder::default())
}

fn input(q: &str) -> InferenceInput {
    InferenceInput {
        scenario_id: "intelligent_qa".into(),
        prompt: q.into(),
        query: q.into(),
        documents: vec![],
        history: vec![],
    }
}

#[test]
fn passages_are_embedded_once_at_build_time_and_the_query_once_per_answer() {
    let e = topic();
    let faq = FaqModel::builtin(FaqModel::default_info()).with_embedder(e.clone()).unwrap();
    let kb = faq.knowledge_base().len();
    assert_eq!((e.calls.load(Ordering::SeqCst), e.texts.load(Ordering::SeqCst)), (1, kb));
    faq.try_answer("驾照丢了怎么办", &[]).unwrap();
    faq.try_answer("公积金怎么提取", &[]).unwrap();
    assert_eq!((e.calls.load(Ordering::SeqCst), e.texts.load(Ordering::SeqCst)), (3, kb + 2));
    // Attached documents are embedded with the query's answer (one more call).
    faq.try_answer("驾照丢了怎么办", &["附件正文。".to_owned()]).unwrap();
    assert_eq!(e.calls.load(Ordering::SeqCst), 5);
    assert!(faq.embedder().is_some());
}

#[test]
fn a_paraphrase_bm25_misses_is_found_by_fusion() {
    let q = "开车的本子找不到了怎么办";
    let bm25 = FaqModel::builtin(FaqModel::default_info());
    let lexical = bm25.answer(q, &[]);
    assert!(
        lexical.sources.first().is_none_or(|s| s.id != "kb-zh-037"),
        "the query is meant to defeat BM25: {:?}",
        lexical.sources.iter().map(|s| &s.id).collect::<Vec<_>>()
    );
    let hybrid = FaqModel::builtin(FaqModel::default_info()).with_embedder(topic()).unwrap();
    let out = hybrid.try_answer(q, &[]).unwrap();
    assert_eq!(out.sources[0].id, "kb-zh-037", "{}", out.text);
    assert!(out.text.starts_with("根据《驾驶证补领》[1]："), "{}", out.text);
    assert!(out.sources.windows(2).all(|w| w[0].score >= w[1].score));
    let c = out.confidence.unwrap();
    assert!((0.0..=1.0).contains(&c));
}

#[test]
fn lexical_only_fusion_reproduces_the_bm25_ranking() {
    // With all weight on BM25 the fused order is the BM25 order (min-max scaling keeps it).
    let cfg = FaqConfig { fusion: Fusion::Weighted { lexical_weight: 1.0 }, ..FaqConfig::default() };
    let hybrid = FaqModel::builtin(FaqModel::default_info()).with_config(cfg).with_embedder(topic()).unwrap();
    let bm25 = FaqModel::builtin(FaqModel::default_info());
    for q in ["社保卡丢了怎么补办", "公积金怎么提取", "How do I get a work permit?", "驾照到期了怎么换"]
    {
        let a: Vec<String> = bm25.answer(q, &[]).sources.into_iter().map(|s| s.id).collect();
        let b: Vec<String> = hybrid.try_answer(q, &[]).unwrap().sources.into_iter().map(|s| s.id).collect();
        assert_eq!(a, b, "{q}");
    }
}

#[test]
fn rrf_fusion_works_end_to_end() {
    let cfg = FaqConfig { fusion: Fusion::Rrf { k: 60.0 }, relative_score: 0.0, ..FaqConfig::default() };
    let hybrid = FaqModel::builtin(FaqModel::default_info()).with_config(cfg).with_embedder(topic()).unwrap();
    let out = hybrid.try_answer("驾照丢了怎么补办", &[]).unwrap();
    assert_eq!(out.sources[0].id, "kb-zh-037");
    assert_eq!(out.sources.len(), 3);
    // Bad parameters are refused when the embedder is attached.
    let bad = FaqConfig { fusion: Fusion::Rrf { k: f32::NAN }, ..FaqConfig::default() };
    assert!(FaqModel::builtin(FaqModel::default_info()).with_config(bad).with_embedder(topic()).is_err());
}

#[test]
fn unrelated_questions_are_still_not_found() {
    let hybrid = FaqModel::builtin(FaqModel::default_info()).with_embedder(topic()).unwrap();
    for q in ["今天天气怎么样", "推荐一部好看的电影", "量子计算机的原理是什么", "？？？", ""]
    {
        let out = hybrid.try_answer(q, &[]).unwrap();
        assert!(out.sources.is_empty(), "{q}: {}", out.text);
    }
}

#[test]
fn empty_knowledge_base() {
    let empty = FaqModel::new(Arc::new(KnowledgeBase::new(Vec::new()).unwrap()), FaqModel::default_info())
        .with_embedder(topic())
        .unwrap();
    assert_eq!(empty.try_answer("驾照丢了", &[]).unwrap().text, NOT_FOUND_ZH);
    let out = empty.try_answer("驾照丢了怎么补", &["驾驶证遗失的，可以到车管所补领。".to_owned()]).unwrap();
    assert_eq!(out.sources.len(), 1);
    assert_eq!(out.sources[0].id, "doc-1");
}

#[test]
fn dimension_mismatch_is_an_error_and_answer_falls_back_to_bm25() {
    // Passages get d-dimensional vectors at build time, the query d + 1.
    let e = Arc::new(TopicEmbedder { grow_after: Some(1), ..Default::default() });
    let hybrid = FaqModel::builtin(FaqModel::default_info()).with_embedder(e).unwrap();
    let err = hybrid.try_answer("驾照丢了怎么补办", &[]).unwrap_err();
    assert!(err.to_string().contains("dimension mismatch"), "{err}");
    let infer = pollster::block_on(hybrid.infer(&input("驾照丢了怎么补办")));
    assert!(infer.is_err());
    let bm25 = FaqModel::builtin(FaqModel::default_info());
    assert_eq!(hybrid.answer("驾照丢了怎么补办", &[]), bm25.answer("驾照丢了怎么补办", &[]));

    // Vectors of differing lengths at build time.
    #[derive(Debug)]
    struct Ragged;
    impl Embedder for Ragged {
        fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
            Ok(texts.iter().enumerate().map(|(i, _)| vec![1.0; 2 + i % 2]).collect())
        }
    }
    let err = FaqModel::builtin(FaqModel::default_info()).with_embedder(Arc::new(Ragged)).unwrap_err();
    assert!(err.to_string().contains("dimension mismatch"), "{err}");

    // Too few vectors.
    #[derive(Debug)]
    struct Short;
    impl Embedder for Short {
        fn embed(&self, _: &[&str]) -> Result<Vec<Vec<f32>>> {
            Ok(vec![vec![1.0]])
        }
    }
    let err = FaqModel::builtin(FaqModel::default_info()).with_embedder(Arc::new(Short)).unwrap_err();
    assert!(err.to_string().contains("1 vectors for"), "{err}");
}

#[test]
fn embedder_failure_is_reported_by_infer() {
    let e = Arc::new(TopicEmbedder { fail_after: Some(1), ..Default::default() });
    let faq = FaqModel::builtin(FaqModel::default_info()).with_embedder(e).unwrap();
    let err = pollster::block_on(faq.infer(&input("公积金怎么提取"))).unwrap_err();
    assert!(err.to_string().contains("simulated failure"), "{err}");
    let failing_build = Arc::new(TopicEmbedder { fail_after: Some(0), ..Default::default() });
    assert!(FaqModel::builtin(FaqModel::default_info()).with_embedder(failing_build).is_err());
}

#[test]
fn custom_kb_hybrid_answer_is_verbatim() {
    let kb = KnowledgeBase::new(vec![
        Passage {
            id: "a".into(),
            lang: govai_retrieval::Lang::Zh,
            title: "驾驶证补领".into(),
            text: "驾驶证遗失的，可到车管所补领。补领当日可取证。".into(),
            url: None,
            tags: vec![],
            source: None,
        },
        Passage {
            id: "b".into(),
            lang: govai_retrieval::Lang::Zh,
            title: "护照办理".into(),
            text: "首次申请护照需本人到出入境窗口。办理时限为7个工作日。".into(),
            url: None,
            tags: vec![],
            source: None,
        },
    ])
    .unwrap();
    let faq = FaqModel::new(Arc::new(kb), FaqModel::default_info()).with_embedder(topic()).unwrap();
    let out = faq.try_answer("开车的本子找不到了", &[]).unwrap();
    assert_eq!(out.sources.len(), 1, "{}", out.text);
    assert_eq!(out.sources[0].id, "a");
    let body = out.text.split_once("：").unwrap().1;
    assert!(out.sources[0].text.contains(body), "{body}");
}

// --- router ---------------------------------------------------------------------------------

fn tickets() -> Vec<Ticket> {
    let t = |text: &str, d: &str| Ticket {
        id: None,
        text: text.into(),
        department: d.into(),
        department_name: None,
        split: Some(Split::Train),
    };
    vec![
        t("驾驶证丢了去哪里补领", "public_security"),
        t("驾照到期换证要带什么", "public_security"),
        t("公司拖欠工资三个月", "human_resources_social_security"),
        t("包工头不给工钱", "human_resources_social_security"),
        t("河边工厂排污水", "ecology_environment"),
        t("打车被绕路多收费", "transport"),
    ]
}

#[test]
fn router_methods_need_an_embedder() {
    let r = KnnRouter::from_examples(tickets(), 3, KnnRouter::default_info()).unwrap();
    assert_eq!(r.method(), RoutingMethod::Bm25);
    let e = r.clone().with_method(RoutingMethod::Embedding).unwrap_err();
    assert!(e.to_string().contains("needs an embedder"), "{e}");
    assert!(r.clone().with_method(RoutingMethod::Bm25).is_ok());
    let h = r.with_embedder(topic()).unwrap();
    assert_eq!(h.method(), KnnRouter::DEFAULT_EMBEDDING_METHOD);
    assert!(h.with_fusion(Fusion::Weighted { lexical_weight: -0.1 }).is_err());
}

#[test]
fn router_embedding_knn_routes_a_paraphrase() {
    let e = topic();
    let r =
        KnnRouter::from_examples(tickets(), 1, KnnRouter::default_info()).unwrap().with_embedder(e.clone()).unwrap();
    assert_eq!(e.texts.load(Ordering::SeqCst), 6, "examples embedded once");
    // No shared characters with the public-security examples except 了.
    let q = "开车的本子找不到了";
    for m in [RoutingMethod::Embedding, RoutingMethod::Hybrid] {
        let r = r.clone().with_method(m).unwrap();
        let routing = r.try_route(q).unwrap();
        assert_eq!(routing.department.as_deref(), Some("public_security"), "{m:?}");
        assert_eq!(routing.neighbours.len(), 1);
    }
    // Nothing to embed: left to a human whatever the method.
    assert_eq!(r.try_route("？？？").unwrap().department, None);
}

#[test]
fn router_embedder_failure() {
    let e = Arc::new(TopicEmbedder { fail_after: Some(1), ..Default::default() });
    let r = KnnRouter::from_examples(tickets(), 3, KnnRouter::default_info()).unwrap().with_embedder(e).unwrap();
    assert!(r.try_route("公司拖欠工资").is_err());
    // route() falls back to BM25.
    assert_eq!(r.route("公司拖欠工资").department.as_deref(), Some("human_resources_social_security"));
    let model: Arc<dyn Model> = Arc::new(r.clone());
    assert!(pollster::block_on(model.infer(&input("公司拖欠工资"))).is_err());
    assert!(r.try_evaluate(&tickets()).is_err());
    assert_eq!(r.evaluate(&tickets()).n_test, 6);
}

#[test]
fn weight_free_router_is_unchanged() {
    // The BM25 router reports its method; accuracy on the shipped split is the README figure.
    let r = govai_retrieval::evaluate_builtin();
    assert_eq!(r.method, RoutingMethod::Bm25);
    assert_eq!((r.correct, r.n_test), (79, 100));
    assert_eq!(builtin_tickets().len(), 410);
}
