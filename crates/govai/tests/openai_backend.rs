//! `backend = "openai"` through a whole deployment loaded from a config file: a real llama.cpp
//! server as upstream (whole and streamed, token usage in the audit), the gate keeping
//! personal data from a public-internet model, fallbacks, and config checks of fallbacks.

#[path = "../../govai-openai/tests/support/fake.rs"]
mod fake;
#[path = "../../govai-openai/tests/support/llama.rs"]
mod llama;

use std::ops::ControlFlow;
use std::path::Path;

use fake::{FakeUpstream, Reply, refused_url};
use govai::{ErrorKind, GateAction, GateRule, Outcome, Request};

const ID_NUMBER: &str = "11010519491231002X";

/// A config with one remote model `remote` (plus `extra` entries before it) serving a
/// scenario that releases a plain answer (no reviewers that want citations).
fn config(dir: &Path, remote: &str, extra: &str, policy: &str) -> std::path::PathBuf {
    let text = format!(
        r#"[deployment]
name = "remote test"

[audit]
path = "audit.jsonl"

{policy}

{extra}

[[models]]
id = "remote"
backend = "openai"
filing = {{ number = "Beijing-Test-202601010001", provider = "示例省大模型平台" }}
{remote}

[[scenarios]]
id = "intelligent_qa"
model = "remote"
reviewers = []
public_facing = false
prompt_template = "{{query}}"
"#
    );
    let path = dir.join("govai.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

fn audit_records(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("audit.jsonl"))
        .expect("audit log")
        .lines()
        .map(|l| serde_json::from_str(l).expect("record"))
        .collect()
}

#[test]
fn a_deployment_answers_through_a_llama_cpp_server() {
    const VAR: &str = "GOVAI_TEST_REMOTE_LLAMA_KEY";
    const KEY: &str = "facade-llama-key-9d2";
    let Some(server) = llama::LlamaServer::start("a_deployment_answers_through_a_llama_cpp_server", Some(KEY)) else {
        return;
    };
    // SAFETY: only this test reads or writes this variable.
    unsafe { std::env::set_var(VAR, KEY) };
    let d = tempfile::tempdir().expect("tempdir");
    let remote = format!(
        "clearance = \"internal\"\nlocation = \"on_premises\"\nbase_url = \"{}\"\nupstream_model = \"qwen2.5-0.5b-instruct\"\napi_key_env = \"{VAR}\"\nmax_tokens = 32\ntemperature = 0.0\ntimeouts = {{ first_token_ms = 120000, total_ms = 240000 }}\n",
        server.base_url
    );
    let deployment = govai::load(config(d.path(), &remote, "", "")).expect("deployment");

    let r = deployment.handle(Request::new("intelligent_qa", "社保卡丢了怎么补办？")).expect("response");
    eprintln!("whole: {:?} {:?}", r.outcome, r.output);
    assert_eq!(r.model.id, "remote");
    assert_eq!(r.gate.action, GateAction::Allow);
    assert!(!r.output.trim().is_empty(), "{r:#?}");

    let mut pieces = Vec::new();
    let mut on_text = |p: &str| {
        pieces.push(p.to_owned());
        ControlFlow::Continue(())
    };
    let s =
        deployment.handle_stream(Request::new("intelligent_qa", "社保卡丢了怎么补办？"), &mut on_text).expect("stream");
    eprintln!("streamed: {:?} {:?} in {} pieces", s.outcome, s.output, pieces.len());
    assert_eq!(s.output, r.output, "greedy: the same answer streamed");
    assert_eq!(pieces.concat(), s.labelled_output);

    let records = audit_records(d.path());
    assert_eq!(records.len(), 2);
    for rec in &records {
        let usage = &rec["usage"];
        assert!(usage["prompt_tokens"].as_u64().unwrap_or(0) > 10, "usage in the audit: {rec}");
        assert!(usage["completion_tokens"].as_u64().unwrap_or(0) > 0, "{rec}");
        assert!(rec.get("served_by").is_none(), "no fallback: {rec}");
        assert!(!rec.to_string().contains(KEY), "no key in the audit");
    }
    drop(deployment);
    drop(server);
}

const PUBLIC: &str =
    "clearance = \"public\"\nlocation = \"public_internet\"\nupstream_model = \"q\"\nretries = { max = 0 }\n";

#[test]
fn the_gate_keeps_personal_data_from_a_public_internet_model() {
    let up = FakeUpstream::start(vec![Reply::Whole("请携带身份证到社保中心补办。")]);
    let d = tempfile::tempdir().expect("tempdir");
    let remote = format!("{PUBLIC}base_url = \"{}\"\n", up.base_url);
    let question = format!("我的身份证号是{ID_NUMBER}，社保卡丢了怎么补办？");

    // Refusing policy: the Sensitive request never leaves, even though the model declares a
    // Sensitive clearance: its location caps it at Public.
    let declared = remote.replace("clearance = \"public\"", "clearance = \"sensitive\"");
    let policy = "[policy]\nover_clearance = \"refuse\"\n";
    let dep = govai::load(config(d.path(), &declared, "", policy)).expect("deployment");
    let r = dep.handle(Request::new("intelligent_qa", question.clone())).expect("response");
    assert_eq!(r.data_level, govai::DataLevel::Sensitive);
    let gate = (r.outcome, r.gate.action, r.gate.rule);
    assert_eq!(gate, (Outcome::Refused, GateAction::Refuse, GateRule::OverLocationCap), "{r:#?}");
    assert_eq!(up.requests(), 0, "nothing sent upstream");
    let rec = audit_records(d.path()).pop().expect("record");
    assert_eq!(rec["gate"]["rule"], "over_location_cap", "{rec}");

    // Masking policy (the default): only the pseudonymised text goes, within Public.
    let d = tempfile::tempdir().expect("tempdir");
    let dep = govai::load(config(d.path(), &remote, "", "")).expect("deployment");
    let r = dep.handle(Request::new("intelligent_qa", question)).expect("response");
    let sent = up.received();
    eprintln!(
        "masked: {:?} {:?}; upstream received {:?}",
        r.outcome,
        r.gate,
        sent.iter().map(|s| &s.body["messages"]).collect::<Vec<_>>()
    );
    for s in &sent {
        assert!(!s.body.to_string().contains(ID_NUMBER), "the ID number reached the upstream: {}", s.body);
    }
    assert_eq!((r.outcome, r.gate.action, sent.len()), (Outcome::Answered, GateAction::Mask, 1), "{r:#?}");
    assert!(sent[0].body.to_string().contains("社保卡丢了怎么补办"), "the question itself is sent");
    assert!(r.output.contains("社保中心"), "{r:#?}");
}

#[test]
fn a_conversation_reaches_the_upstream_as_messages() {
    let up = FakeUpstream::start(vec![Reply::Stream { pieces: vec!["需要带", "身份证。"], cut: false }]);
    let d = tempfile::tempdir().expect("tempdir");
    let remote = format!(
        "clearance = \"internal\"\nlocation = \"government_cloud\"\nbase_url = \"{}\"\nupstream_model = \"q\"\n",
        up.base_url
    );
    let dep = govai::load(config(d.path(), &remote, "", "")).expect("deployment");
    let turns = vec![
        govai::Message::user("我想补办社保卡。"),
        govai::Message::assistant("好的，请问您在哪个城市？"),
        govai::Message::user("在北京，需要带什么？"),
    ];
    let mut pieces = Vec::new();
    let mut on_text = |p: &str| {
        pieces.push(p.to_owned());
        ControlFlow::Continue(())
    };
    let r = dep.handle_stream(Request::chat("intelligent_qa", turns), &mut on_text).expect("response");
    assert_eq!((r.outcome, r.output.as_str()), (Outcome::Answered, "需要带身份证。"));
    let sent = up.received();
    assert_eq!(sent.len(), 1);
    let messages = sent[0].body["messages"].as_array().expect("messages").clone();
    let roles: Vec<&str> = messages.iter().map(|m| m["role"].as_str().unwrap_or("?")).collect();
    assert_eq!(roles, ["user", "assistant", "user"]);
    assert_eq!(messages[2]["content"], "在北京，需要带什么？");
    assert_eq!(sent[0].body["stream"], true);
    let rec = audit_records(d.path()).pop().expect("record");
    assert_eq!(rec["usage"]["completion_tokens"], 3, "{rec}");
}

#[test]
fn a_fallback_answers_when_the_remote_model_is_down_and_is_audited() {
    let d = tempfile::tempdir().expect("tempdir");
    let faq =
        "[[models]]\nid = \"local-faq\"\nbackend = \"faq\"\nclearance = \"sensitive\"\nlocation = \"on_premises\"\n";
    let remote = format!(
        "clearance = \"internal\"\nlocation = \"government_cloud\"\nbase_url = \"{}\"\nupstream_model = \"q\"\nretries = {{ max = 0 }}\nfallback = [\"local-faq\"]\n",
        refused_url()
    );
    let dep = govai::load(config(d.path(), &remote, faq, "")).expect("deployment");
    let r = dep.handle(Request::new("intelligent_qa", "社保卡丢了怎么补办？")).expect("response");
    assert_eq!(r.model.id, "remote");
    assert!(!r.output.is_empty());
    let rec = audit_records(d.path()).pop().expect("record");
    assert_eq!(rec["served_by"]["id"], "local-faq", "{rec}");
}

#[test]
fn a_down_remote_model_without_fallback_is_an_audited_error() {
    let d = tempfile::tempdir().expect("tempdir");
    let remote = format!(
        "clearance = \"internal\"\nlocation = \"government_cloud\"\nbase_url = \"{}\"\nupstream_model = \"q\"\nretries = {{ max = 0 }}\n",
        refused_url()
    );
    let dep = govai::load(config(d.path(), &remote, "", "")).expect("deployment");
    let e = dep.handle(Request::new("intelligent_qa", "社保卡丢了怎么补办？")).expect_err("down");
    assert_eq!(e.kind(), ErrorKind::Model);
    assert!(e.to_string().contains("cannot reach"), "{e}");
    let rec = audit_records(d.path()).pop().expect("record");
    assert_eq!(rec["kind"], "error", "{rec}");
}

#[test]
fn fallbacks_are_checked_when_loading() {
    let load = |extra: &str, remote_extra: &str| {
        let d = tempfile::tempdir().expect("tempdir");
        let remote = format!(
            "clearance = \"internal\"\nlocation = \"government_cloud\"\nbase_url = \"http://127.0.0.1:9/v1\"\nupstream_model = \"q\"\n{remote_extra}"
        );
        govai::load(config(d.path(), &remote, extra, "")).map(|_| ()).expect_err("refused").to_string()
    };
    let public =
        "[[models]]\nid = \"internet\"\nbackend = \"faq\"\nclearance = \"sensitive\"\nlocation = \"public_internet\"\n";
    let m = load(public, "fallback = [\"internet\"]\n");
    assert!(m.contains("models[1].fallback[0]") && m.contains("at most public") && m.contains("would reach"), "{m}");
    let m = load("", "fallback = [\"later\"]\n");
    assert!(m.contains("unknown model `later`") && m.contains("defined before"), "{m}");
    let m = load("", "fallback = [\"remote\"]\n");
    assert!(m.contains("itself"), "{m}");
    let m = load("", "api_key_env = \"not a name\"\n");
    assert!(m.contains("models[0].api_key_env"), "{m}");
    let d = tempfile::tempdir().expect("tempdir");
    let ok = "clearance = \"internal\"\nlocation = \"government_cloud\"\nbase_url = \"http://127.0.0.1:9/v1\"\nupstream_model = \"q\"\n";
    govai::load(config(d.path(), ok, "", "")).expect("loads without contacting the upstream");
}
