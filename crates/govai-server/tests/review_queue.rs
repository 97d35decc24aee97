//! Human review before release, end to end through the gateway, with the store on SQLite and
//! on a real PostgreSQL started by the test: an answer review escalates waits in the queue; a
//! reviewer claims it, edits and approves it; the caller polls and receives it labelled as
//! reviewed; the citizen's feedback lands on the triage list; each action is an audit record.
//! Then the knowledge loop: feedback that the knowledge base lacks an answer opens a change,
//! another person approves it, and the next answer cites the new version; a version published
//! from the command line reaches the running gateway by its poll.

mod support;

#[path = "../../govai-store/tests/support/pg.rs"]
mod pg;

use serde_json::{Value, json};
use support::{EchoUpstream, Gateway, WebhookReceiver, chat, config};

const ROLES: &str = r#"
[server.roles.portal]
scenarios = ["echo_public", "intelligent_qa"]
personal_data = "masked"
[server.roles.reviewer]
permissions = ["review_queue", "knowledge_base"]
personal_data = "restored"
[server.roles.editor]
permissions = ["knowledge_base"]
[server.roles.auditor]
permissions = ["audit"]
"#;

const HOOK_KEY_VAR: &str = "GOVAI_TEST_WEBHOOK_KEY";
const HOOK_KEY: &str = "webhook-test-key";

fn run(store: &str) {
    let upstream = EchoUpstream::start();
    let hook = WebhookReceiver::start();
    // SAFETY: set before any gateway reads it, the same value in every test of this binary.
    unsafe { std::env::set_var(HOOK_KEY_VAR, HOOK_KEY) };
    let server = format!("keys_file = \"keys.json\"\n{ROLES}");
    let text = format!(
        "{}\n[store]\n{store}\nknowledge_base = true\nsla_minutes = 15\nwebhook_url = \"{}\"\nwebhook_secret_env = \"{HOOK_KEY_VAR}\"\n",
        config(&upstream.base_url, &server),
        hook.url
    );
    let mut keys = Vec::new();
    let g = Gateway::start_with(&text, |dir| {
        for (caller, role) in [
            ("wechat-portal", "portal"),
            ("reviewer-li", "reviewer"),
            ("other-portal", "portal"),
            ("audit", "auditor"),
            ("editor-wang", "editor"),
        ] {
            keys.push(govai_server::keys::create(&dir.join("keys.json"), caller, role).expect("key").0);
        }
    });
    let (portal, reviewer, other, auditor) = (&keys[0], &keys[1], &keys[2], &keys[3]);

    // The echo answer cites nothing in a public-facing scenario: escalated, queued.
    let ask = "请问身份证11010519491231002X的社保怎么转移？";
    let (status, _, r) = g.post("/v1/chat/completions", Some(portal), &chat("echo_public", ask, false));
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["govai"]["outcome"], "escalated", "{r}");
    assert_eq!(r["choices"][0]["finish_reason"], "content_filter");
    let review = &r["govai"]["review"];
    assert_eq!(review["state"], "pending", "{r}");
    let id = review["id"].as_str().expect("review id").to_owned();
    let poll = review["poll"].as_str().expect("poll path").to_owned();

    // The caller polls: pending, no content yet. Another caller cannot see it.
    let (status, body) = g.get(&poll, Some(portal));
    assert_eq!(status, 200, "{body}");
    let view: Value = serde_json::from_str(&body).expect("json");
    assert_eq!((view["state"].as_str(), view["content"].is_null()), (Some("pending"), true), "{view}");
    assert_eq!(g.get(&poll, Some(other)).0, 404);
    assert_eq!(g.get("/v1/govai/reviews", Some(portal)).0, 403);

    // The reviewer lists, claims, edits and approves.
    let (status, list) = g.get("/v1/govai/reviews?state=pending", Some(reviewer));
    assert_eq!(status, 200, "{list}");
    let list: Value = serde_json::from_str(&list).expect("json");
    let item = &list["reviews"][0];
    assert_eq!(item["id"], id.as_str());
    assert!(item["question"].as_str().unwrap_or_default().contains("11010519491231002X"), "restored for the reviewer");
    assert!(!item["draft"].as_str().unwrap_or_default().is_empty(), "{item}");
    assert!(item["reasons"].to_string().contains("no_sources"), "{item}");
    let (status, _, e) =
        g.post(&format!("/v1/govai/reviews/{id}/decide"), Some(reviewer), &json!({"action": "reject", "reason": ""}));
    assert_eq!(status, 400, "{e}");
    let (status, _, claimed) = g.post(&format!("/v1/govai/reviews/{id}/claim"), Some(reviewer), &json!({}));
    assert_eq!(status, 200, "{claimed}");
    assert_eq!(claimed["state"], "claimed");
    let edited = "社保关系转移请携带身份证11010519491231002X到转入地社保经办机构申请。";
    let (status, _, approved) = g.post(
        &format!("/v1/govai/reviews/{id}/decide"),
        Some(reviewer),
        &json!({"action": "approve", "text": edited}),
    );
    assert_eq!(status, 200, "{approved}");
    assert_eq!((approved["state"].as_str(), approved["edited"].as_bool()), (Some("approved"), Some(true)));
    let (status, _, again) =
        g.post(&format!("/v1/govai/reviews/{id}/decide"), Some(reviewer), &json!({"action": "approve"}));
    assert_eq!(status, 409, "decided once: {again}");

    // The webhook tells the caller's system, signed, without the text.
    let (signature, body) = hook.first(15).expect("a webhook event");
    assert_eq!(
        signature.as_deref(),
        Some(govai_server::webhook::Webhook::signature(HOOK_KEY.as_bytes(), &body).as_str())
    );
    let event: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!((event["event"].as_str(), event["state"].as_str()), (Some("review.decided"), Some("approved")));
    assert_eq!(event["review_id"], id.as_str());
    assert_eq!(event["poll"], poll.as_str());
    assert!(!String::from_utf8_lossy(&body).contains("社保经办机构"), "no answer text in the event");

    // The caller receives it, labelled as reviewed, the ID masked for its role.
    let (_, body) = g.get(&poll, Some(portal));
    let view: Value = serde_json::from_str(&body).expect("json");
    let content = view["content"].as_str().expect("approved content");
    assert!(content.starts_with("【本回答已经工作人员审核】"), "{content}");
    assert!(content.contains("社保经办机构") && !content.contains("11010519491231002X"), "{content}");

    // Feedback on the answer: negative, so triaged.
    let audit_id = r["govai"]["audit_id"].as_u64().expect("audit id");
    let (status, _, f) =
        g.post("/v1/govai/feedback", Some(portal), &json!({"audit_id": audit_id, "rating": 2, "comment": "回复太慢"}));
    assert_eq!(status, 200, "{f}");
    assert_eq!(f["triage"], true);
    let (status, _, e) = g.post("/v1/govai/feedback", Some(portal), &json!({"audit_id": audit_id, "rating": 9}));
    assert_eq!(status, 400, "{e}");
    let (status, triage) = g.get("/v1/govai/feedback?triage=true", Some(reviewer));
    assert_eq!(status, 200);
    assert!(triage.contains("回复太慢"), "{triage}");

    // The audit log: the request, the claim and the approval by reviewer-li, the feedback.
    let records = g.audit_records();
    let actions: Vec<(String, String)> = records
        .iter()
        .filter(|r| r["kind"] == "human_review")
        .map(|r| {
            (r["user"].as_str().unwrap_or_default().to_owned(), r["action"].as_str().unwrap_or_default().to_owned())
        })
        .collect();
    assert_eq!(actions, [("reviewer-li".into(), "claim".into()), ("reviewer-li".into(), "approve".into())]);
    assert!(records.iter().any(|r| r["kind"] == "feedback" && r["audit_ref"] == audit_id && r["rating"] == 2));
    assert!(!records.iter().any(|r| r.to_string().contains("社保经办机构")), "hashes, not texts, in the audit log");
    let (_, _, report) = g.post("/v1/govai/audit/verify", Some(auditor), &json!({}));
    assert_eq!(report["intact"], true, "{report}");
    let (_, metrics) = g.get("/metrics", None);
    assert!(metrics.contains("govai_review_queue_open 0"), "{metrics}");

    knowledge_loop(&g, portal, reviewer, &keys[4], auditor);
}

const LIBRARY_QUESTION: &str = "示例市图书馆周一开放吗？";

/// Feedback -> proposed change -> approved by another person -> the next answer cites the new
/// version; an expired passage is listed, never cited; a CLI publish reaches the gateway.
fn knowledge_loop(g: &Gateway, portal: &str, reviewer: &str, editor: &str, auditor: &str) {
    // Seeded from the configured (built-in) knowledge base: version 1.
    let (status, summary) = g.get("/v1/govai/kb", Some(editor));
    assert_eq!(status, 200, "{summary}");
    let summary: Value = serde_json::from_str(&summary).expect("json");
    assert_eq!(summary["version"], 1, "{summary}");
    assert_eq!(g.get("/v1/govai/kb", Some(portal)).0, 403);

    // The knowledge base has nothing on the library; the citizen says so.
    let (_, _, before) = g.post("/v1/chat/completions", Some(portal), &chat("intelligent_qa", LIBRARY_QUESTION, false));
    assert!(before["govai"]["citations"].as_array().is_some_and(Vec::is_empty), "{before}");
    assert_eq!(before["govai"]["kb_version"], 1, "{before}");
    let audit_id = before["govai"]["audit_id"].as_u64().expect("audit id");
    let (_, _, f) = g.post(
        "/v1/govai/feedback",
        Some(portal),
        &json!({"audit_id": audit_id, "rating": 1, "comment": "没有回答图书馆开放时间"}),
    );
    let feedback_id = f["id"].as_str().expect("feedback id").to_owned();

    // An editor proposes the passage (and an old, expired one); they may not approve it.
    let change = json!({
        "note": "补充图书馆开放时间（市民反馈）",
        "origin": format!("feedback:{feedback_id}"),
        "upserts": [
            {"id": "lib-hours", "lang": "zh", "title": "示例市图书馆开放时间",
             "text": "示例市图书馆周二至周日9:00-21:00开放，周一闭馆。法定节假日照常开放。",
             "tags": ["图书馆", "开放时间"],
             "source": {"issuer": "示例市文化和旅游局", "doc_number": "示文旅发〔2026〕3号", "effective": "2026-01-01"}},
            {"id": "lib-hours-2019", "lang": "zh", "title": "示例市图书馆开放时间（2019年版）",
             "text": "示例市图书馆周一至周五开放，周一不闭馆，周末闭馆。",
             "source": {"expires": "2020-12-31"}}
        ]
    });
    let bad = json!({"note": "x", "upserts": [{"id": "p", "text": "缺少字段"}]});
    let (status, _, e) = g.post("/v1/govai/kb/changes", Some(editor), &bad);
    assert_eq!(status, 400, "{e}");
    let (status, _, proposed) = g.post("/v1/govai/kb/changes", Some(editor), &change);
    assert_eq!(status, 200, "{proposed}");
    assert_eq!((proposed["state"].as_str(), proposed["base_version"].as_u64()), (Some("pending"), Some(1)));
    let change_id = proposed["id"].as_str().expect("change id").to_owned();
    let decide = format!("/v1/govai/kb/changes/{change_id}/decide");
    let (status, _, e) = g.post(&decide, Some(editor), &json!({"action": "approve"}));
    assert_eq!(status, 409, "four eyes: {e}");
    let (status, _, e) = g.post(&decide, Some(portal), &json!({"action": "approve"}));
    assert_eq!(status, 403, "{e}");

    // Nothing changes before approval.
    let (_, _, r) = g.post("/v1/chat/completions", Some(portal), &chat("intelligent_qa", LIBRARY_QUESTION, false));
    assert_eq!(r["govai"]["kb_version"], 1, "{r}");

    let (status, _, approved) = g.post(&decide, Some(reviewer), &json!({"action": "approve"}));
    assert_eq!(status, 200, "{approved}");
    assert_eq!(
        (approved["change"]["state"].as_str(), approved["version"]["version"].as_u64()),
        (Some("approved"), Some(2))
    );

    // The next answer cites the new passage of version 2, never the expired one.
    let (_, _, after) = g.post("/v1/chat/completions", Some(portal), &chat("intelligent_qa", LIBRARY_QUESTION, false));
    assert_eq!(after["govai"]["outcome"], "answered", "{after}");
    assert_eq!(after["govai"]["kb_version"], 2, "{after}");
    let cited: Vec<&str> =
        after["govai"]["citations"].as_array().expect("citations").iter().filter_map(|c| c["id"].as_str()).collect();
    assert_eq!(cited, ["lib-hours"], "{after}");
    assert!(after["choices"][0]["message"]["content"].as_str().unwrap_or_default().contains("周一闭馆"), "{after}");
    let (_, summary) = g.get("/v1/govai/kb", Some(editor));
    let summary: Value = serde_json::from_str(&summary).expect("json");
    assert_eq!(summary["not_in_force"][0]["id"], "lib-hours-2019", "{summary}");
    let (status, diff) = g.get("/v1/govai/kb/diff?from=1&to=2", Some(editor));
    assert_eq!(status, 200, "{diff}");
    let diff: Value = serde_json::from_str(&diff).expect("json");
    let added: Vec<&str> = diff["added"].as_array().expect("added").iter().filter_map(|p| p["id"].as_str()).collect();
    assert_eq!(added, ["lib-hours", "lib-hours-2019"]);
    assert!(
        diff["removed"].as_array().is_some_and(Vec::is_empty) && diff["changed"].as_array().is_some_and(Vec::is_empty)
    );

    // A version published from the command line (here: its library call) reaches the running
    // gateway by its poll: the expired passage removed, the hours changed.
    let ops = govai_server::ops::Ops::open(&g.dir.path().join("govai.toml")).expect("ops");
    let (_, v2) = g.get("/v1/govai/kb/versions/2", Some(editor));
    let v2: Value = serde_json::from_str(&v2).expect("json");
    let mut passages: Vec<Value> =
        v2["passages"].as_array().expect("passages").iter().filter(|p| p["id"] != "lib-hours-2019").cloned().collect();
    for p in &mut passages {
        if p["id"] == "lib-hours" {
            p["text"] = json!("示例市图书馆自2026年12月起每天9:00-21:00开放，周一不再闭馆。");
        }
    }
    let file = g.dir.path().join("kb-v3.jsonl");
    std::fs::write(&file, passages.iter().map(|p| format!("{p}\n")).collect::<String>()).expect("write kb");
    let v3 = ops.kb_publish(&file, "cli-admin", "图书馆周一开放").expect("publish").expect("a new version");
    assert_eq!((v3.version, v3.removed, v3.changed), (3, 1, 1));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let served = loop {
        let (_, _, r) = g.post("/v1/chat/completions", Some(portal), &chat("intelligent_qa", LIBRARY_QUESTION, false));
        if r["govai"]["kb_version"] == 3 || std::time::Instant::now() > deadline {
            break r;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    };
    assert_eq!(served["govai"]["kb_version"], 3, "{served}");
    assert!(
        served["choices"][0]["message"]["content"].as_str().unwrap_or_default().contains("周一不再闭馆"),
        "{served}"
    );

    // The audit log: who proposed and approved, the import, the version of each answer.
    let records = g.audit_records();
    let kb: Vec<(String, String)> = records
        .iter()
        .filter(|r| r["kind"] == "kb_change")
        .map(|r| {
            (r["user"].as_str().unwrap_or_default().to_owned(), r["action"].as_str().unwrap_or_default().to_owned())
        })
        .collect();
    assert_eq!(
        kb,
        [
            ("editor-wang".into(), "propose".into()),
            ("reviewer-li".into(), "approve".into()),
            ("cli-admin".into(), "import".into())
        ]
    );
    let approval = records.iter().find(|r| r["kind"] == "kb_change" && r["action"] == "approve").expect("approval");
    assert_eq!(
        (approval["change_id"].as_str(), approval["result_version"].as_u64()),
        (Some(change_id.as_str()), Some(2))
    );
    let answered = records.iter().find(|r| r["request_id"] == after["govai"]["request_id"]).expect("request record");
    assert_eq!((answered["kb_version"].as_u64(), answered["sources"][0].as_str()), (Some(2), Some("lib-hours")));
    let (_, _, report) = g.post("/v1/govai/audit/verify", Some(auditor), &json!({}));
    assert_eq!(report["intact"], true, "{report}");
}

#[test]
fn escalated_answer_is_reviewed_and_released_with_sqlite() {
    run("backend = \"sqlite\"\npath = \"store.sqlite\"");
}

#[test]
fn escalated_answer_is_reviewed_and_released_with_postgres() {
    let Some(pg) = pg::Postgres::start("escalated_answer_is_reviewed_and_released_with_postgres") else { return };
    // SAFETY: set before the gateway reads it; no other test of this binary reads this variable.
    unsafe { std::env::set_var("GOVAI_TEST_STORE_URL", &pg.url) };
    run("backend = \"postgres\"\nurl_env = \"GOVAI_TEST_STORE_URL\"");
}
