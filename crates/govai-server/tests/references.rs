//! Reference answers end to end: a reviewer approves an escalated answer as a reference; the
//! next citizen asking the same question (other punctuation and spacing) gets it
//! without the model being called, whole and streamed, audited with `served_by` naming the
//! reference; an answer holding personal data cannot become one (and the item stays open); a
//! retired reference stops answering.

mod support;

use serde_json::{Value, json};
use support::{EchoUpstream, Gateway, chat, config};

const ROLES: &str = r#"keys_file = "keys.json"
[server.roles.portal]
scenarios = ["echo_public"]
[server.roles.reviewer]
permissions = ["review_queue", "knowledge_base"]
personal_data = "restored"
[server.roles.queue_only]
permissions = ["review_queue"]
"#;

#[test]
fn approved_answer_serves_matching_questions_without_the_model() {
    let upstream = EchoUpstream::start();
    let text =
        format!("{}\n[store]\nbackend = \"sqlite\"\npath = \"store.sqlite\"\n", config(&upstream.base_url, ROLES));
    let mut keys = Vec::new();
    let g = Gateway::start_with(&text, |dir| {
        for (caller, role) in [("portal", "portal"), ("reviewer-li", "reviewer"), ("clerk", "queue_only")] {
            keys.push(govai_server::keys::create(&dir.join("keys.json"), caller, role).expect("key").0);
        }
    });
    let (portal, reviewer, clerk) = (&keys[0], &keys[1], &keys[2]);

    // Escalated (the echo cites nothing in a public-facing scenario), queued.
    let (_, _, r) = g.post("/v1/chat/completions", Some(portal), &chat("echo_public", "社保卡丢了怎么补办？", false));
    assert_eq!(r["govai"]["outcome"], "escalated", "{r}");
    let id = r["govai"]["review"]["id"].as_str().expect("queued").to_owned();
    let decide = format!("/v1/govai/reviews/{id}/decide");
    assert_eq!(upstream.requests(), 1);

    // Personal data in a reference answer is refused, and the item stays open; so is a reference
    // from a role without `knowledge_base`.
    let leaky =
        json!({"action": "approve", "text": "请携带身份证11010519491231002X到社保窗口补办。", "reference": true});
    let (status, _, e) = g.post(&decide, Some(reviewer), &leaky);
    assert_eq!(status, 400, "{e}");
    assert!(e["error"]["message"].as_str().unwrap_or("").contains("personal data"), "{e}");
    let (status, _, e) = g.post(&decide, Some(clerk), &json!({"action": "approve", "text": "x", "reference": true}));
    assert_eq!(status, 403, "{e}");
    let (status, _, e) =
        g.post(&decide, Some(reviewer), &json!({"action": "reject", "reason": "r", "reference": true}));
    assert_eq!(status, 400, "{e}");
    let (_, item) = g.get(&format!("/v1/govai/reviews/{id}"), Some(reviewer));
    assert!(item.contains("\"state\":\"pending\""), "{item}");

    let answer = "社保卡遗失后，请携带本人身份证到任一社保卡服务网点挂失并补办，也可在“示例市社保”小程序办理。";
    let (status, _, approved) =
        g.post(&decide, Some(reviewer), &json!({"action": "approve", "text": answer, "reference": true}));
    assert_eq!(status, 200, "{approved}");
    let reference_id = approved["reference"]["id"].as_str().expect("reference").to_owned();
    assert_eq!(approved["reference"]["version"], 1);

    // The same question, other punctuation and spacing: answered from the reference, the model
    // not called.
    let ask = "社保卡 丢了，怎么补办?";
    let (_, _, hit) = g.post("/v1/chat/completions", Some(portal), &chat("echo_public", ask, false));
    assert_eq!(hit["govai"]["outcome"], "answered", "{hit}");
    assert!(hit["choices"][0]["message"]["content"].as_str().unwrap_or("").contains("社保卡服务网点"), "{hit}");
    assert_eq!(hit["govai"]["served_by"]["id"], format!("reference:{reference_id}"), "{hit}");
    assert_eq!(upstream.requests(), 1, "the model was not called");
    let (status, chunks) = g.stream(Some(portal), &chat("echo_public", "社保卡丢了怎么补办", true));
    assert_eq!(status, 200);
    let streamed: String = chunks
        .iter()
        .filter_map(|c| serde_json::from_str::<Value>(c).ok())
        .filter_map(|c| c["choices"][0]["delta"]["content"].as_str().map(str::to_owned))
        .collect();
    assert!(streamed.contains("社保卡服务网点"), "{chunks:?}");
    assert_eq!(upstream.requests(), 1);

    // Another question, or the same one with more asked, goes to the model.
    for (n, other) in ["公积金怎么提取？", "社保卡丢了怎么补办？顺便问下公积金怎么提取"].into_iter().enumerate()
    {
        let (_, _, r) = g.post("/v1/chat/completions", Some(portal), &chat("echo_public", other, false));
        assert_ne!(r["govai"]["served_by"]["id"], format!("reference:{reference_id}"), "{r}");
        assert_eq!(upstream.requests(), 2 + n);
    }

    // Listed with its hits; retired, it stops answering.
    let (_, list) = g.get("/v1/govai/references?scenario=echo_public", Some(reviewer));
    let list: Value = serde_json::from_str(&list).expect("json");
    assert_eq!(list["references"][0]["hits"], 2, "{list}");
    assert_eq!(g.get("/v1/govai/references", Some(portal)).0, 403);
    let (status, _, retired) =
        g.post(&format!("/v1/govai/references/{reference_id}/retire"), Some(reviewer), &json!({}));
    assert_eq!(status, 200, "{retired}");
    let (_, _, after) =
        g.post("/v1/chat/completions", Some(portal), &chat("echo_public", "社保卡丢了怎么补办？", false));
    assert_eq!(after["govai"]["outcome"], "escalated", "{after}");
    assert_eq!(upstream.requests(), 4);

    // The audit: the reference's life and the request it answered.
    let records = g.audit_records();
    let actions: Vec<&str> =
        records.iter().filter(|r| r["kind"] == "reference").filter_map(|r| r["action"].as_str()).collect();
    assert_eq!(actions, ["create", "retire"]);
    let served = records.iter().find(|r| r["request_id"] == hit["govai"]["request_id"]).expect("request record");
    assert_eq!(
        (served["served_by"]["id"].as_str(), served["outcome"].as_str()),
        (Some(format!("reference:{reference_id}").as_str()), Some("answered"))
    );
    assert!(!records.iter().any(|r| r.to_string().contains("社保卡服务网点")), "hashes, not texts");
}
