#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use govai_core::{InferenceInput, Model, ModelKind};
use govai_retrieval::{FaqModel, KnowledgeBase, NOT_FOUND_EN, NOT_FOUND_ZH, split_sentences};

fn faq() -> FaqModel {
    FaqModel::builtin(FaqModel::default_info())
}

fn input(query: &str, documents: &[&str]) -> InferenceInput {
    InferenceInput {
        scenario_id: "intelligent_qa".into(),
        prompt: query.into(),
        query: query.into(),
        documents: documents.iter().map(|d| d.to_string()).collect(),
        history: vec![],
    }
}

/// (query, id of the passage that must rank first): `kb/direct_questions.jsonl`, questions that
/// use the passages' own words (the hybrid evaluation also reads it).
fn ranking() -> Vec<(String, String)> {
    include_str!("../kb/direct_questions.jsonl")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (v["query"].as_str().unwrap().to_owned(), v["expected"].as_str().unwrap().to_owned())
        })
        .collect()
}

#[test]
fn obviously_right_passage_ranks_first() {
    let kb = KnowledgeBase::builtin();
    let mut failures = Vec::new();
    let ranking = ranking();
    assert_eq!(ranking.len(), 26);
    for (q, id) in &ranking {
        let hits = kb.search(q, 3);
        let top = hits.first().map(|(p, _)| p.id.as_str()).unwrap_or("-");
        if top != id {
            failures.push(format!(
                "{q}: expected {id}, got {:?}",
                hits.iter().map(|(p, s)| (&p.id, *s)).collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Check that every sentence of the answer (after the `…[n]：` / `…[n]: ` frame) is copied
/// verbatim from the source it cites.
fn assert_verbatim(out: &govai_core::InferenceOutput) {
    assert!(!out.sources.is_empty());
    let lines: Vec<&str> = out.text.lines().collect();
    assert_eq!(lines.len(), out.sources.len(), "one line per cited source: {}", out.text);
    for (line, source) in lines.iter().zip(&out.sources) {
        let marker = format!("[{}]", source.index);
        let at = line.find(&marker).unwrap_or_else(|| panic!("no {marker} in {line}"));
        let body = line[at + marker.len()..].trim_start_matches(['：', ':', ' ']);
        assert!(line[..at].contains(&source.title), "frame names the title: {line}");
        let sentences = split_sentences(body);
        assert!(!sentences.is_empty());
        for s in sentences {
            assert!(source.text.contains(s), "sentence not in source {}: {s}", source.id);
        }
    }
}

#[test]
fn answers_cite_real_sources_verbatim() {
    let faq = faq();
    let kb = KnowledgeBase::builtin();
    for (q, id) in ranking() {
        let out = faq.answer(&q, &[]);
        assert_eq!(out.sources[0].id, id, "{q}");
        assert!(out.sources.len() <= 3);
        for (i, s) in out.sources.iter().enumerate() {
            assert_eq!(s.index, i + 1);
            let p = kb.passages().iter().find(|p| p.id == s.id).unwrap();
            assert_eq!(s.text, p.text);
            assert_eq!(s.title, p.title);
            assert!(s.score > 0.0);
            assert!(out.text.contains(&format!("[{}]", s.index)));
        }
        assert_verbatim(&out);
        let c = out.confidence.unwrap();
        assert!((0.0..=1.0).contains(&c));
    }
}

#[test]
fn answer_language_follows_query() {
    let faq = faq();
    let zh = faq.answer("社保卡丢了怎么补办", &[]);
    assert!(zh.text.starts_with("根据《社保卡挂失与补办》[1]："), "{}", zh.text);
    assert!(zh.text.contains("挂失"));
    let en = faq.answer("How do I get a work permit?", &[]);
    assert!(en.text.starts_with("According to \"Foreigner's Work Permit\" [1]: "), "{}", en.text);
}

#[test]
fn picks_the_relevant_sentence() {
    let out = faq().answer("居住证要带什么材料", &[]);
    let first = out.text.lines().next().unwrap();
    assert!(first.contains("居民身份证") && first.contains("证件照"), "{first}");
}

#[test]
fn not_found() {
    let faq = faq();
    for q in ["今天天气怎么样", "推荐一部好看的电影", "量子计算机的原理是什么", "世界杯冠军是谁", "？？？", ""]
    {
        let out = faq.answer(q, &[]);
        assert!(out.sources.is_empty(), "{q}: {}", out.text);
        assert!(
            out.text == NOT_FOUND_ZH || (q.is_empty() || q == "？？？") && out.text == NOT_FOUND_EN,
            "{q}: {}",
            out.text
        );
    }
    for q in ["how to cook pasta", "who won the world cup", "tell me a joke"] {
        let out = faq.answer(q, &[]);
        assert_eq!(out.text, NOT_FOUND_EN);
        assert!(out.sources.is_empty());
        assert_eq!(out.confidence, None);
    }
}

#[test]
fn attached_documents_are_candidates() {
    let faq = faq();
    let doc = "示例市文明养犬新规自2026年1月1日起施行。城区每户限养一只犬，禁止饲养烈性犬。";
    let out = faq.answer("城区养犬新规限养几只犬", &[doc.to_owned()]);
    let d = out.sources.iter().find(|s| s.id == "doc-1").expect("attached document cited");
    assert_eq!(d.text, doc);
    assert_eq!(d.title, "附件1");
    assert_eq!(d.url, None);
    assert_verbatim(&out);

    // An irrelevant attachment is not cited.
    let out = faq.answer("社保卡丢了怎么补办", &["The weather is fine today.".to_owned()]);
    assert!(out.sources.iter().all(|s| !s.id.starts_with("doc-")));

    // Documents alone, with an empty knowledge base.
    let empty = FaqModel::new(Arc::new(KnowledgeBase::new(Vec::new()).unwrap()), FaqModel::default_info());
    let out = empty.answer(
        "What is the deadline for the permit?",
        &["Intro.".to_owned(), "The permit deadline is 30 June.".to_owned()],
    );
    assert_eq!(out.sources.len(), 1);
    assert_eq!(out.sources[0].id, "doc-2");
    assert_eq!(out.sources[0].title, "Attachment 2");
    assert!(out.text.contains("The permit deadline is 30 June."));
}

#[test]
fn model_trait() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<FaqModel>();
    let mut info = FaqModel::default_info();
    info.id = "my-faq".into();
    let faq: Arc<dyn Model> = Arc::new(FaqModel::builtin(info.clone()));
    assert_eq!(faq.info(), &info);
    assert_eq!(faq.info().kind, ModelKind::Retrieve);
    let out = pollster::block_on(faq.infer(&input("公积金怎么提取", &[]))).unwrap();
    assert!(out.text.contains("公积金") && !out.sources.is_empty());
    // Blank query: the prompt is used.
    let mut i = input("", &[]);
    i.prompt = "驾照丢了怎么办".into();
    let out = pollster::block_on(faq.infer(&i)).unwrap();
    assert_eq!(out.sources[0].id, "kb-zh-037");
}

#[test]
fn from_jsonl() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kb.jsonl");
    std::fs::write(
        &path,
        r#"{"id":"p1","lang":"zh","title":"图书馆开放时间","text":"示例市图书馆周二至周日开放。周一闭馆。","url":"https://example.invalid/lib"}

{"id":"p2","lang":"en","title":"Library Card","text":"Library cards are free. Bring your ID card.","tags":["library"]}
"#,
    )
    .unwrap();
    let faq = FaqModel::from_jsonl(&path, FaqModel::default_info()).unwrap();
    assert_eq!(faq.knowledge_base().len(), 2);
    let out = faq.answer("图书馆周一开放吗", &[]);
    assert_eq!(out.sources[0].id, "p1");
    assert_eq!(out.sources[0].url.as_deref(), Some("https://example.invalid/lib"));
    assert_verbatim(&out);
    let out = faq.answer("Is the library card free?", &[]);
    assert_eq!(out.sources[0].id, "p2");
    assert_eq!(out.text, "According to \"Library Card\" [1]: Library cards are free.");

    std::fs::write(&path, "{\"id\":\"p1\"}\n").unwrap();
    let err = FaqModel::from_jsonl(&path, FaqModel::default_info()).unwrap_err();
    assert_eq!(err.kind(), govai_core::ErrorKind::Config);
    assert!(err.to_string().contains("line 1"), "{err}");
}

#[test]
fn kb_readme_marks_content_fictional() {
    let readme = include_str!("../kb/README.md");
    assert!(readme.contains("FICTIONAL") && readme.contains("示例市"));
}

fn passage(
    id: &str,
    title: &str,
    text: &str,
    effective: Option<&str>,
    expires: Option<&str>,
) -> govai_retrieval::Passage {
    govai_retrieval::Passage {
        id: id.into(),
        lang: govai_retrieval::Lang::Zh,
        title: title.into(),
        text: text.into(),
        url: None,
        tags: vec![],
        source: Some(govai_retrieval::Provenance {
            effective: effective.map(str::to_owned),
            expires: expires.map(str::to_owned),
            ..Default::default()
        }),
    }
}

#[test]
fn expired_and_future_passages_are_listed_and_never_cited() {
    let today = govai_retrieval::today();
    let kb = KnowledgeBase::new(vec![
        passage("old", "图书馆开放时间（旧）", "示例市图书馆周一至周五开放。", None, Some("2000-12-31")),
        passage("soon", "图书馆开放时间（新）", "示例市图书馆每天开放。", Some("2999-01-01"), None),
        passage(
            "now",
            "图书馆开放时间",
            "示例市图书馆周二至周日开放，周一闭馆。",
            Some("2001-01-01"),
            Some("2998-12-31"),
        ),
    ])
    .unwrap();
    let ids: Vec<&str> = kb.not_in_force(&today).iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["old", "soon"]);
    let faq = FaqModel::new(Arc::new(kb), FaqModel::default_info());
    let out = faq.answer("图书馆开放时间", &[]);
    let cited: Vec<&str> = out.sources.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(cited, ["now"], "{}", out.text);
    // Only the expired passages would answer: nothing is found.
    let only_old =
        KnowledgeBase::new(vec![passage("old", "图书馆开放时间", "周一至周五开放。", None, Some("2000-12-31"))]);
    let faq = FaqModel::new(Arc::new(only_old.unwrap()), FaqModel::default_info());
    assert_eq!(faq.answer("图书馆开放时间", &[]).text, NOT_FOUND_ZH);
}

#[test]
fn dates_must_be_iso() {
    let e = KnowledgeBase::new(vec![passage("p", "t", "正文。", None, Some("2024年1月1日"))]).unwrap_err();
    assert!(e.to_string().contains("source.expires") && e.to_string().contains("YYYY-MM-DD"), "{e}");
}

#[test]
fn a_replaced_knowledge_base_answers_from_the_next_request_in_every_clone() {
    let v1 =
        KnowledgeBase::new(vec![passage("lib-1", "图书馆开放时间", "示例市图书馆周一闭馆。", None, None)]).unwrap();
    let v2 =
        KnowledgeBase::new(vec![passage("lib-2", "图书馆开放时间", "示例市图书馆自五月起周一也开放。", None, None)])
            .unwrap();
    let faq = FaqModel::new(Arc::new(v1), FaqModel::default_info());
    let clone = faq.clone();
    let before = faq.answer("图书馆周一开放吗", &[]);
    assert_eq!((before.sources[0].id.as_str(), before.kb_version), ("lib-1", None));
    faq.replace_knowledge_base(Arc::new(v2), Some(7)).unwrap();
    let after = clone.answer("图书馆周一开放吗", &[]);
    assert_eq!((after.sources[0].id.as_str(), after.kb_version), ("lib-2", Some(7)));
    assert_eq!(clone.knowledge_base_version(), Some(7));
    assert_eq!(faq.knowledge_base().passages()[0].id, "lib-2");
}
