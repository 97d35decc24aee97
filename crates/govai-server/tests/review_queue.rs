//! Human review before release, end to end through the gateway, with the store on SQLite and
//! on a real PostgreSQL started by the test: an answer review escalates waits in the queue; a
//! reviewer claims it, edits and approves it; the caller polls and receives it labelled as
//! reviewed; the citizen's feedback lands on the triage list; each action is an audit record.

mod support;

#[path = "../../govai-store/tests/support/pg.rs"]
mod pg;

use serde_json::{Value, json};
use support::{EchoUpstream, Gateway, WebhookReceiver, chat, config};

const ROLES: &str = r#"
[server.roles.portal]
scenarios = ["echo_public"]
personal_data = "masked"
[server.roles.reviewer]
permissions = ["review_queue"]
personal_data = "restored"
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
        "{}\n[store]\n{store}\nsla_minutes = 15\nwebhook_url = \"{}\"\nwebhook_secret_env = \"{HOOK_KEY_VAR}\"\n",
        config(&upstream.base_url, &server),
        hook.url
    );
    let mut keys = Vec::new();
    let g = Gateway::start_with(&text, |dir| {
        for (caller, role) in
            [("wechat-portal", "portal"), ("reviewer-li", "reviewer"), ("other-portal", "portal"), ("audit", "auditor")]
        {
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
