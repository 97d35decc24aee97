#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use govai_core::{InferenceInput, Model, ModelKind};
use govai_retrieval::{DEPARTMENTS, KnnRouter, Split, Ticket, builtin_tickets, department_name_zh, evaluate_builtin};

fn input(text: &str) -> InferenceInput {
    InferenceInput {
        scenario_id: "intelligent_routing".into(),
        prompt: text.into(),
        query: text.into(),
        documents: vec![],
        history: vec![],
    }
}

#[test]
fn held_out_accuracy() {
    let r = evaluate_builtin();
    println!(
        "k-NN router (k = {}): held-out accuracy {:.3} ({}/{}), {} training tickets",
        r.k, r.accuracy, r.correct, r.n_test, r.n_train
    );
    for (d, s) in &r.per_department {
        println!("  {d:<34} {}/{} {:.2}", s.correct, s.n, s.accuracy);
    }
    assert_eq!(r.k, KnnRouter::DEFAULT_K);
    assert_eq!(r.per_department.len(), DEPARTMENTS.len());
    assert_eq!(r.per_department.values().map(|s| s.n).sum::<usize>(), r.n_test);
    assert!(r.accuracy >= 0.75, "held-out routing accuracy {:.3} < 0.75", r.accuracy);
}

#[test]
fn shipped_tickets_are_well_formed() {
    let all = builtin_tickets();
    assert!(all.len() >= 240, "{} tickets", all.len());
    let mut per: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for t in &all {
        assert!(department_name_zh(&t.department).is_some(), "unknown department {}", t.department);
        assert!(t.split.is_some(), "every shipped ticket has a split");
        let e = per.entry(t.department.as_str()).or_default();
        if t.is_test() { e.1 += 1 } else { e.0 += 1 }
    }
    assert_eq!(per.len(), DEPARTMENTS.len());
    for (d, (train, test)) in per {
        let share = test as f32 / (train + test) as f32;
        assert!((0.2..=0.3).contains(&share), "{d}: test share {share}");
    }
    let ids: BTreeSet<_> = all.iter().map(|t| t.id.clone().unwrap()).collect();
    assert_eq!(ids.len(), all.len());
    let texts: BTreeSet<_> = all.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(texts.len(), all.len(), "no duplicate ticket texts");
    assert!(all.iter().any(|t| !govai_retrieval::contains_cjk(&t.text)), "a few English tickets");
}

#[test]
fn infer_output() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<KnnRouter>();
    let mut info = KnnRouter::default_info();
    info.id = "router-x".into();
    let router: Arc<dyn Model> = Arc::new(KnnRouter::builtin(5, info.clone()));
    assert_eq!(router.info(), &info);
    assert_eq!(router.info().kind, ModelKind::Classify);
    let out = pollster::block_on(router.infer(&input("公司拖欠我三个月工资，老板不接电话"))).unwrap();
    assert_eq!(out.label.as_deref(), Some("human_resources_social_security"));
    assert_eq!(out.text, "建议转办：市人力资源和社会保障局（human_resources_social_security）");
    let c = out.confidence.unwrap();
    assert!(c > 0.0 && c <= 1.0);
    assert!(!out.sources.is_empty() && out.sources.len() <= 5);
    for (i, s) in out.sources.iter().enumerate() {
        assert_eq!(s.index, i + 1);
        assert!(s.id.starts_with("ticket-"));
        assert!(
            builtin_tickets().iter().any(|t| t.text == s.text && !t.is_test()),
            "neighbours come from the train split"
        );
    }
    assert!(out.sources.windows(2).all(|w| w[0].score >= w[1].score));

    let out = pollster::block_on(router.infer(&input("河里有工厂偷排的污水，鱼都死了"))).unwrap();
    assert_eq!(out.label.as_deref(), Some("ecology_environment"));
}

#[test]
fn no_match_is_left_to_a_human() {
    let router = KnnRouter::builtin(5, KnnRouter::default_info());
    let r = router.route("？？？");
    assert_eq!(r.department, None);
    assert!(r.neighbours.is_empty());
    let out = pollster::block_on(router.infer(&input("xyzzy"))).unwrap();
    assert_eq!(out.label, None);
    assert!(out.sources.is_empty());
    assert!(out.text.contains("人工分办"));
}

#[test]
fn k_is_configurable() {
    let r1 = KnnRouter::builtin(1, KnnRouter::default_info());
    assert_eq!(r1.route("社保卡丢了").neighbours.len(), 1);
    assert_eq!(r1.route("社保卡丢了").confidence, 1.0);
    assert_eq!(KnnRouter::builtin(0, KnnRouter::default_info()).k(), 1);
    assert_eq!(KnnRouter::builtin(9, KnnRouter::default_info()).route("出租车拒载").neighbours.len(), 9);
}

#[test]
fn user_file_and_custom_departments() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tickets.jsonl");
    std::fs::write(
        &path,
        r#"{"text":"图书馆借书证怎么办理","department":"culture","department_name":"市文化广电旅游局"}
{"text":"图书馆开放时间是几点","department":"culture","split":"train"}
{"text":"停水了什么时候恢复供水","department":"water","id":"w-1"}
{"text":"图书馆周一开门吗","department":"culture","split":"test"}
"#,
    )
    .unwrap();
    let router = KnnRouter::from_jsonl(&path, 3, KnnRouter::default_info()).unwrap();
    assert_eq!(router.examples().len(), 3, "test rows are held out");
    assert_eq!(router.examples()[0].id.as_deref(), Some("ticket-1"));
    assert_eq!(router.examples()[2].id.as_deref(), Some("w-1"));
    let out = pollster::block_on(router.infer(&input("图书馆借书证丢了"))).unwrap();
    assert_eq!(out.text, "建议转办：市文化广电旅游局（culture）");
    assert_eq!(router.department_name("water"), "water");
    let report = router.evaluate(&[Ticket {
        id: None,
        text: "什么时候恢复供水".into(),
        department: "water".into(),
        department_name: None,
        split: Some(Split::Test),
    }]);
    assert_eq!(report.accuracy, 1.0);

    std::fs::write(&path, r#"{"text":"x","department":"a","split":"test"}"#).unwrap();
    let err = KnnRouter::from_jsonl(&path, 3, KnnRouter::default_info()).unwrap_err();
    assert_eq!(err.kind(), govai_core::ErrorKind::Config);
    std::fs::write(&path, r#"{"text":"","department":"a"}"#).unwrap();
    assert!(KnnRouter::from_jsonl(&path, 3, KnnRouter::default_info()).unwrap_err().to_string().contains("line 1"));
    assert_eq!(
        KnnRouter::from_jsonl(dir.path().join("missing.jsonl"), 3, KnnRouter::default_info()).unwrap_err().kind(),
        govai_core::ErrorKind::Io
    );
    assert!(KnnRouter::from_examples(Vec::new(), 3, KnnRouter::default_info()).is_err());
}
