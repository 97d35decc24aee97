//! The store's rules, the same on SQLite and on a real PostgreSQL started by the test: queue,
//! claim, approve as drafted or edited, reject with a reason, conflicts between reviewers,
//! listing by state / scenario / overdue, stats, feedback and its triage list, reopening.

#[path = "support/pg.rs"]
mod pg;

use govai_store::{Decision, ErrorKind, NewFeedback, NewReview, ReviewFilter, ReviewState, Store};

fn new_review(audit_id: u64, scenario: &str, sla_minutes: u32) -> NewReview {
    NewReview {
        audit_id,
        request_id: format!("req-{audit_id}"),
        scenario: scenario.into(),
        caller: "wechat-portal".into(),
        question: "我的身份证号11010519491231002X，低保申请能批吗？".into(),
        draft: "根据《最低生活保障办法》[1]，需提交申请材料。".into(),
        reasons: vec!["decision_request: 申请是否批准须由工作人员决定".into()],
        sla_minutes,
    }
}

fn exercise(store: &Store) {
    let a = store.enqueue(new_review(7, "intelligent_qa", 30)).expect("enqueue");
    assert_eq!(a.state, ReviewState::Pending);
    assert_eq!(store.review(&a.id).expect("read back"), a, "round trip through {}", store.backend_name());
    let b = store.enqueue(new_review(8, "assisted_handling", 0)).expect("enqueue");
    let c = store.enqueue(new_review(9, "intelligent_qa", 30)).expect("enqueue");

    // Claims: one reviewer at a time.
    let claimed = store.claim(&a.id, "reviewer-li").expect("claim");
    assert_eq!((claimed.state, claimed.reviewer.as_deref()), (ReviewState::Claimed, Some("reviewer-li")));
    assert!(store.claim(&a.id, "reviewer-li").is_ok(), "claiming again is harmless");
    let e = store.claim(&a.id, "reviewer-wang").expect_err("claimed by another");
    assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");
    let e = store.decide(&a.id, "reviewer-wang", &Decision::Approve { text: None }).expect_err("not theirs");
    assert_eq!(e.kind(), ErrorKind::Conflict);

    // Edit then approve.
    let edited = "您的申请材料已收到，是否批准由民政部门工作人员审核后决定。";
    let done = store.decide(&a.id, "reviewer-li", &Decision::Approve { text: Some(edited.into()) }).expect("approve");
    assert_eq!(done.state, ReviewState::Approved);
    assert_eq!(done.final_text.as_deref(), Some(edited));
    assert!(done.edited && done.decided_at.is_some());
    assert_eq!(store.review(&a.id).expect("read"), done);
    let e = store.decide(&a.id, "reviewer-li", &Decision::Reject { reason: "x".into() }).expect_err("decided");
    assert_eq!(e.kind(), ErrorKind::Conflict);

    // Approve as drafted without claiming; reject needs a reason.
    let drafted = store.decide(&c.id, "reviewer-wang", &Decision::Approve { text: None }).expect("approve");
    assert_eq!(drafted.final_text.as_deref(), Some(c.draft.as_str()));
    assert!(!drafted.edited);
    let e = store.decide(&b.id, "reviewer-wang", &Decision::Reject { reason: " ".into() }).expect_err("reason");
    assert_eq!(e.kind(), ErrorKind::InvalidInput);

    // Listing and stats: b is open and overdue (SLA 0).
    std::thread::sleep(std::time::Duration::from_millis(5));
    let open = store.reviews(&ReviewFilter { state: Some(ReviewState::Pending), ..Default::default() }).expect("list");
    assert_eq!(open.iter().map(|i| i.audit_id).collect::<Vec<_>>(), [8]);
    let qa =
        store.reviews(&ReviewFilter { scenario: Some("intelligent_qa".into()), ..Default::default() }).expect("list");
    assert_eq!(qa.iter().map(|i| i.audit_id).collect::<Vec<_>>(), [7, 9], "oldest first");
    let overdue = store.reviews(&ReviewFilter { overdue: true, ..Default::default() }).expect("list");
    assert_eq!(overdue.iter().map(|i| i.audit_id).collect::<Vec<_>>(), [8]);
    let stats = store.queue_stats().expect("stats");
    assert_eq!((stats.open, stats.overdue), (1, 1), "{stats:?}");
    let rejected = store
        .decide(&b.id, "reviewer-wang", &Decision::Reject { reason: "涉及审批决定，转窗口办理".into() })
        .expect("reject");
    assert_eq!(rejected.state, ReviewState::Rejected);
    assert_eq!(store.queue_stats().expect("stats").open, 0);
    assert_eq!(store.review("nope").expect_err("missing").kind(), ErrorKind::NotFound);

    // Feedback: ratings 1-2 are triaged.
    let bad =
        store.add_feedback(NewFeedback {
            audit_id: 7, caller: "wechat".into(), rating: 1, comment: "答非所问".into()
        });
    let bad = bad.expect("feedback");
    assert!(bad.triage);
    store
        .add_feedback(NewFeedback { audit_id: 9, caller: "wechat".into(), rating: 5, comment: String::new() })
        .expect("ok");
    let e = store.add_feedback(NewFeedback { audit_id: 9, caller: "x".into(), rating: 6, comment: String::new() });
    assert_eq!(e.expect_err("range").kind(), ErrorKind::InvalidInput);
    let triage = store.feedback(true, 0).expect("triage");
    assert_eq!(triage, [bad]);
    assert_eq!(store.feedback(false, 0).expect("all").len(), 2);
    let long = "长".repeat(govai_store::MAX_TEXT_BYTES);
    let e = store.add_feedback(NewFeedback { audit_id: 9, caller: "x".into(), rating: 3, comment: long });
    assert!(e.expect_err("too long").to_string().contains("comment"), "names the field");
}

#[test]
fn sqlite_store_rules_and_reopening() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("store.sqlite");
    exercise(&Store::sqlite(&path).expect("open"));
    // Reopened: migrations are not re-applied, the data is there.
    let again = Store::sqlite(&path).expect("reopen");
    assert_eq!(again.reviews(&ReviewFilter::default()).expect("list").len(), 3);
    assert_eq!(again.feedback(false, 0).expect("feedback").len(), 2);
}

#[test]
fn postgres_store_rules_and_reopening() {
    let Some(pg) = pg::Postgres::start("postgres_store_rules_and_reopening") else { return };
    exercise(&Store::postgres(&pg.url).expect("connect"));
    let again = Store::postgres(&pg.url).expect("reconnect");
    assert_eq!(again.reviews(&ReviewFilter::default()).expect("list").len(), 3);
    // Two replicas sharing one store see each other's decisions.
    let item = again.enqueue(new_review(10, "intelligent_qa", 30)).expect("enqueue");
    let other = Store::postgres(&pg.url).expect("third connection");
    other.claim(&item.id, "reviewer-zhao").expect("claim on the other replica");
    let e = again.claim(&item.id, "reviewer-li").expect_err("claimed elsewhere");
    assert_eq!(e.kind(), ErrorKind::Conflict);
}
