//! The versioned knowledge base and rollout changes, the same on SQLite and on a real
//! PostgreSQL started by the test: imports make versions only when something changed, history
//! is kept, diffs are exact, a change is approved by someone other than its proposer, two
//! replicas racing never make two versions with one number nor lose a passage.

#[path = "support/pg.rs"]
mod pg;

use govai_store::{ErrorKind, KbDecision, KbPassage, NewKbChange, NewRollout, Store};
use serde_json::json;

fn passage(id: &str, text: &str) -> KbPassage {
    KbPassage::from_body(json!({"id": id, "lang": "zh", "title": format!("标题{id}"), "text": text})).expect("passage")
}

fn ids(passages: &[KbPassage]) -> Vec<&str> {
    passages.iter().map(|p| p.id.as_str()).collect()
}

fn exercise(store: &Store) {
    assert_eq!(store.kb_current().expect("current"), None);
    let v1 = store
        .kb_import("admin", "首次导入", vec![passage("a", "甲"), passage("b", "乙"), passage("c", "丙")])
        .expect("import")
        .expect("a version");
    assert_eq!((v1.version, v1.passages, v1.added, v1.removed, v1.changed), (1, 3, 3, 0, 0));
    // The same content, keys in another order: nothing to do.
    let same = vec![
        KbPassage::from_body(json!({"text": "甲", "title": "标题a", "lang": "zh", "id": "a"})).expect("passage"),
        passage("b", "乙"),
        passage("c", "丙"),
    ];
    assert_eq!(store.kb_import("admin", "again", same).expect("import"), None);

    // b changed, c removed, d added.
    let v2 = store
        .kb_import("admin", "第二版", vec![passage("a", "甲"), passage("b", "乙（修订）"), passage("d", "丁")])
        .expect("import")
        .expect("a version");
    assert_eq!((v2.version, v2.passages, v2.added, v2.removed, v2.changed), (2, 3, 1, 1, 1));
    let diff = store.kb_diff(1, 2).expect("diff");
    assert_eq!((ids(&diff.added), ids(&diff.removed)), (vec!["d"], vec!["c"]));
    assert_eq!(diff.changed.len(), 1);
    assert_eq!(
        (diff.changed[0].before["text"].as_str(), diff.changed[0].after["text"].as_str()),
        (Some("乙"), Some("乙（修订）"))
    );
    // History is kept.
    assert_eq!(ids(&store.kb_passages(1).expect("v1")), ["a", "b", "c"]);
    assert_eq!(store.kb_passages(1).expect("v1")[1].body["text"], "乙");
    assert_eq!(ids(&store.kb_passages(2).expect("v2")), ["a", "b", "d"]);

    // A change: pending, not decided by its proposer, approved by another person.
    let change = store
        .kb_propose(NewKbChange {
            proposer: "editor-wang".into(),
            note: "市民反馈：补充戊".into(),
            origin: Some("feedback:f-1".into()),
            upserts: vec![passage("e", "戊"), passage("a", "甲（更新）")],
            deletes: vec!["d".into()],
        })
        .expect("propose");
    assert_eq!((change.base_version, change.state.as_str()), (Some(2), "pending"));
    let e = store.kb_decide(&change.id, "editor-wang", &KbDecision::Approve).expect_err("four eyes");
    assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");
    let e = store.kb_decide(&change.id, "reviewer-li", &KbDecision::Reject { reason: " ".into() }).expect_err("reason");
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    let (approved, v3) = store.kb_decide(&change.id, "reviewer-li", &KbDecision::Approve).expect("approve");
    let v3 = v3.expect("a version");
    assert_eq!((v3.version, v3.added, v3.removed, v3.changed, v3.passages), (3, 1, 1, 1, 3));
    assert_eq!(v3.change_id.as_deref(), Some(change.id.as_str()));
    assert_eq!(
        (approved.state.as_str(), approved.result_version, approved.reviewer.as_deref()),
        ("approved", Some(3), Some("reviewer-li"))
    );
    assert_eq!(ids(&store.kb_passages(3).expect("v3")), ["a", "b", "e"]);
    let e = store.kb_decide(&change.id, "reviewer-zhao", &KbDecision::Approve).expect_err("decided");
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert_eq!(store.kb_versions(0).expect("versions").iter().map(|v| v.version).collect::<Vec<_>>(), [3, 2, 1]);

    // A rejected change makes no version.
    let other = store
        .kb_propose(NewKbChange {
            proposer: "editor-wang".into(),
            note: "删除乙".into(),
            origin: None,
            upserts: vec![],
            deletes: vec!["b".into()],
        })
        .expect("propose");
    let (rejected, none) =
        store.kb_decide(&other.id, "reviewer-li", &KbDecision::Reject { reason: "仍然有效".into() }).expect("reject");
    assert_eq!(
        (rejected.state.as_str(), none, rejected.reject_reason.as_deref()),
        ("rejected", None, Some("仍然有效"))
    );
    assert_eq!(store.kb_current().expect("current"), Some(3));
    assert_eq!(store.kb_changes(Some(govai_store::KbChangeState::Rejected), 0).expect("list").len(), 1);

    // Bad input names the field.
    for (new, field) in [
        (
            NewKbChange { proposer: "x".into(), note: "n".into(), origin: None, upserts: vec![], deletes: vec![] },
            "changes nothing",
        ),
        (
            NewKbChange {
                proposer: "x".into(),
                note: "n".into(),
                origin: None,
                upserts: vec![],
                deletes: vec!["zz".into()],
            },
            "no passage `zz`",
        ),
        (
            NewKbChange {
                proposer: "x".into(),
                note: "n".into(),
                origin: None,
                upserts: vec![passage("b", "乙（修订）")],
                deletes: vec![],
            },
            "unchanged",
        ),
        (
            NewKbChange {
                proposer: "x".into(),
                note: "n".into(),
                origin: None,
                upserts: vec![passage("q", "1"), passage("q", "2")],
                deletes: vec![],
            },
            "twice",
        ),
    ] {
        let e = store.kb_propose(new).expect_err(field);
        assert!(e.kind() == ErrorKind::InvalidInput && e.to_string().contains(field), "{e}");
    }
    assert!(KbPassage::from_body(json!({"title": "no id"})).expect_err("no id").to_string().contains("`id`"));
    assert!(KbPassage::from_body(json!(["not", "an object"])).is_err());
    assert_eq!(store.kb_version(99).expect_err("unknown").kind(), ErrorKind::NotFound);
    assert_eq!(store.kb_change("nope").expect_err("unknown").kind(), ErrorKind::NotFound);
    let e = store.kb_import("admin", "dup", vec![passage("a", "1"), passage("a", "2")]).expect_err("duplicate");
    assert!(e.to_string().contains("`a` appears twice"), "{e}");

    // Rollouts: the latest change of each scenario, history newest first.
    let set = |scenario: &str, model: Option<&str>, percent: f64| {
        store
            .record_rollout(NewRollout {
                scenario: scenario.into(),
                model: model.map(str::to_owned),
                percent,
                actor: "it-lead".into(),
            })
            .expect("record")
    };
    let first = set("intelligent_qa", Some("qwen-next"), 10.0);
    set("assisted_handling", Some("qwen-next"), 50.0);
    let rollback = set("intelligent_qa", None, 0.0);
    assert!(rollback.seq > first.seq);
    let latest = store.latest_rollouts().expect("latest");
    let view: Vec<(&str, Option<&str>, f64)> =
        latest.iter().map(|r| (r.scenario.as_str(), r.model.as_deref(), r.percent)).collect();
    assert_eq!(view, [("assisted_handling", Some("qwen-next"), 50.0), ("intelligent_qa", None, 0.0)]);
    let history = store.rollout_history("intelligent_qa", 10).expect("history");
    assert_eq!(history.iter().map(|r| r.percent).collect::<Vec<_>>(), [0.0, 10.0]);
    let e = store
        .record_rollout(NewRollout { scenario: "x".into(), model: Some("m".into()), percent: 101.0, actor: "a".into() })
        .expect_err("percent");
    assert!(e.to_string().contains("between 0 and 100"), "{e}");
}

/// Two replicas importing at once: version numbers stay unique and every version holds the
/// passages its row counts (none lost, none doubled).
fn race(a: &Store, b: &Store) {
    let before = a.kb_current().expect("current").unwrap_or(0);
    let made: u64 = std::thread::scope(|s| {
        let handles: Vec<_> = [a, b]
            .into_iter()
            .enumerate()
            .map(|(n, store)| {
                s.spawn(move || {
                    let mut made = 0;
                    for round in 0..8 {
                        let passages =
                            (0..5).map(|i| passage(&format!("r{i}"), &format!("replica {n} round {round}"))).collect();
                        match store.kb_import(&format!("replica-{n}"), "race", passages) {
                            Ok(Some(_)) => made += 1,
                            Ok(None) => {}
                            Err(e) => assert_eq!(e.kind(), ErrorKind::Conflict, "{e}"),
                        }
                    }
                    made
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("thread")).sum()
    });
    assert!(made >= 2, "both replicas made versions ({made})");
    let versions = a.kb_versions(0).expect("versions");
    let numbers: Vec<u64> = versions.iter().map(|v| v.version).collect();
    let expected: Vec<u64> = (1..=before + made).rev().collect();
    assert_eq!(numbers, expected, "one version per successful import, numbered without gaps");
    for v in versions.iter().filter(|v| v.version > before) {
        let held = b.kb_passages(v.version).expect("passages");
        assert_eq!((held.len() as u64, v.passages), (5, 5), "version {}", v.version);
    }
}

/// Two replicas approving at once. The same change: exactly one approval wins, one version is
/// made. Two changes on different passages: each approval retried on a conflict lands, and the
/// newest version holds both (no passage lost).
fn approval_race(a: &Store, b: &Store) {
    let propose = |store: &Store, id: &str| {
        store
            .kb_propose(NewKbChange {
                proposer: "editor-wang".into(),
                note: format!("add {id}"),
                origin: None,
                upserts: vec![passage(id, "并发")],
                deletes: vec![],
            })
            .expect("propose")
    };
    let before = a.kb_current().expect("current").expect("a version");
    let same = propose(a, "same");
    let same_id = same.id.as_str();
    let outcomes: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = [(a, "reviewer-li"), (b, "reviewer-zhao")]
            .into_iter()
            .map(|(store, reviewer)| s.spawn(move || store.kb_decide(same_id, reviewer, &KbDecision::Approve)))
            .collect();
        handles.into_iter().map(|h| h.join().expect("thread")).collect()
    });
    let won: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
    assert_eq!(won.len(), 1, "exactly one approval of one change: {outcomes:?}");
    for e in outcomes.iter().filter_map(|o| o.as_ref().err()) {
        assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");
    }
    assert_eq!(a.kb_current().expect("current"), Some(before + 1));
    assert_eq!(b.kb_change(&same.id).expect("change").result_version, Some(before + 1));

    let (x, y) = (propose(a, "x"), propose(b, "y"));
    std::thread::scope(|s| {
        for (store, change, reviewer) in [(a, &x, "reviewer-li"), (b, &y, "reviewer-zhao")] {
            s.spawn(move || {
                for _ in 0..50 {
                    match store.kb_decide(&change.id, reviewer, &KbDecision::Approve) {
                        Ok((_, v)) => return v.expect("a version"),
                        Err(e) => assert_eq!(e.kind(), ErrorKind::Conflict, "{e}"),
                    }
                }
                panic!("approval of {} never landed", change.id);
            });
        }
    });
    let newest = a.kb_current().expect("current").expect("a version");
    assert_eq!(newest, before + 3, "two more versions, numbered without gaps");
    let held = b.kb_passages(newest).expect("passages");
    let mut want: Vec<String> = (0..5).map(|i| format!("r{i}")).collect();
    want.extend(["same", "x", "y"].map(String::from));
    want.sort();
    assert_eq!(ids(&held), want.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(a.kb_version(newest).expect("version").passages, 8);
}

#[test]
fn sqlite_knowledge_base_and_rollouts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("store.sqlite");
    exercise(&Store::sqlite(&path).expect("open"));
    let (a, b) = (Store::sqlite(&path).expect("open"), Store::sqlite(&path).expect("open"));
    race(&a, &b);
    approval_race(&a, &b);
}

#[test]
fn postgres_knowledge_base_and_rollouts() {
    let Some(pg) = pg::Postgres::start("postgres_knowledge_base_and_rollouts") else { return };
    exercise(&Store::postgres(&pg.url).expect("connect"));
    let (a, b) = (Store::postgres(&pg.url).expect("connect"), Store::postgres(&pg.url).expect("connect"));
    race(&a, &b);
    approval_race(&a, &b);
}
