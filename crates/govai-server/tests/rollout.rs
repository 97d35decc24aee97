//! The model registry and canary rollouts through the gateway: an IT lead moves a share of a
//! scenario to another model version, the audit names the version that answered, a second
//! replica sharing the store applies the change at start and a rollback within its poll, and
//! the registry shows both versions side by side. Callers without permission `models` get 403.

mod support;

use serde_json::{Value, json};
use support::{EchoUpstream, Gateway, chat, config};

const EXTRA: &str = r#"
[[models]]
id = "faq-next"
backend = "faq"
version = "2.0"
clearance = "sensitive"
location = "on_premises"
filing = { number = "", provider = "示例市政务服务数据管理局" }
"#;

fn gateway(upstream: &str, store: &std::path::Path) -> (Gateway, String, String) {
    let server = "keys_file = \"keys.json\"\n[server.roles.portal]\nscenarios = [\"intelligent_qa\"]\n\
                  [server.roles.it]\npermissions = [\"models\"]\n";
    let text =
        format!("{}\n[store]\nbackend = \"sqlite\"\npath = \"{}\"\n{EXTRA}", config(upstream, server), store.display());
    let mut keys = Vec::new();
    let g = Gateway::start_with(&text, |dir| {
        for (caller, role) in [("portal", "portal"), ("it-lead", "it")] {
            keys.push(govai_server::keys::create(&dir.join("keys.json"), caller, role).expect("key").0);
        }
    });
    (g, keys[0].clone(), keys[1].clone())
}

fn answered_by(g: &Gateway, key: &str) -> String {
    let (status, _, r) = g.post("/v1/chat/completions", Some(key), &chat("intelligent_qa", "公积金怎么提取？", false));
    assert_eq!(status, 200, "{r}");
    r["govai"]["model"]["id"].as_str().expect("model id").to_owned()
}

#[test]
fn canary_rollout_and_rollback_across_replicas() {
    let upstream = EchoUpstream::start();
    let shared = tempfile::tempdir().expect("tempdir");
    let store = shared.path().join("store.sqlite");
    let (a, portal, it) = gateway(&upstream.base_url, &store);

    // The registry lists both versions; only `models` may read or change it.
    let (status, body) = a.get("/v1/govai/registry", Some(&it));
    assert_eq!(status, 200, "{body}");
    let registry: Value = serde_json::from_str(&body).expect("json");
    let models: Vec<&str> =
        registry["models"].as_array().expect("models").iter().filter_map(|m| m["id"].as_str()).collect();
    assert!(models.contains(&"faq") && models.contains(&"faq-next"), "{registry}");
    assert_eq!(a.get("/v1/govai/registry", Some(&portal)).0, 403);
    let path = "/v1/govai/rollouts/intelligent_qa";
    assert_eq!(a.post(path, Some(&portal), &json!({"model": "faq-next", "percent": 100})).0, 403);
    let (status, _, e) = a.post(path, Some(&it), &json!({"model": "faq-next", "percent": 120}));
    assert_eq!(status, 400, "{e}");
    let (status, _, e) = a.post(path, Some(&it), &json!({"model": "nope", "percent": 10}));
    assert_eq!(status, 404, "{e}");
    let (status, _, e) = a.post("/v1/govai/rollouts/no_such", Some(&it), &json!({"model": "faq-next", "percent": 10}));
    assert_eq!(status, 404, "{e}");

    assert_eq!(answered_by(&a, &portal), "faq");
    let (status, _, set) = a.post(path, Some(&it), &json!({"model": "faq-next", "percent": 100}));
    assert_eq!(status, 200, "{set}");
    assert_eq!((set["canary"]["model"].as_str(), set["canary"]["percent"].as_f64()), (Some("faq-next"), Some(100.0)));
    assert!((0..5).all(|_| answered_by(&a, &portal) == "faq-next"), "from the next request on");

    // A replica started now applies the kept change.
    let (b, portal_b, it_b) = gateway(&upstream.base_url, &store);
    assert_eq!(answered_by(&b, &portal_b), "faq-next");

    // Rollback on A: at once there, within the poll on B.
    let (status, _, rolled) = a.post(&format!("{path}/rollback"), Some(&it), &json!({}));
    assert_eq!(status, 200, "{rolled}");
    assert_eq!(rolled["rolled_back"]["model"], "faq-next");
    assert_eq!(answered_by(&a, &portal), "faq");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while answered_by(&b, &portal_b) != "faq" {
        assert!(std::time::Instant::now() < deadline, "replica B did not roll back within 10 s");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }

    // History, per-version figures, audit.
    let (_, history) = b.get(path, Some(&it_b));
    let history: Value = serde_json::from_str(&history).expect("json");
    let kept: Vec<Option<&str>> =
        history["history"].as_array().expect("history").iter().map(|h| h["model"].as_str()).collect();
    assert_eq!(kept, [None, Some("faq-next")], "{history}");
    assert!(history["canary"].is_null());
    let (_, body) = a.get("/v1/govai/registry", Some(&it));
    let registry: Value = serde_json::from_str(&body).expect("json");
    let tally = |model: &str| {
        registry["by_version"]
            .as_array()
            .expect("by_version")
            .iter()
            .find(|t| t["model"] == model && t["scenario"] == "intelligent_qa")
            .map(|t| t["requests"].as_u64().unwrap_or(0))
            .unwrap_or(0)
    };
    assert_eq!((tally("faq"), tally("faq-next")), (2, 5), "{registry}");
    let (_, metrics) = a.get("/metrics", None);
    assert!(
        metrics.contains("govai_model_requests_total{scenario=\"intelligent_qa\",model=\"faq-next\",version=\"2.0\""),
        "{metrics}"
    );
    let records = a.audit_records();
    let versions: Vec<(&str, &str)> = records
        .iter()
        .filter(|r| r["kind"] == "request")
        .map(|r| (r["model"]["id"].as_str().unwrap_or(""), r["model"]["version"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(versions.iter().filter(|v| **v == ("faq-next", "2.0")).count(), 5, "{versions:?}");
    let actions: Vec<(&str, &str)> = records
        .iter()
        .filter(|r| r["kind"] == "rollout")
        .map(|r| (r["user"].as_str().unwrap_or(""), r["action"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(actions, [("it-lead", "set"), ("it-lead", "rollback")]);
}

fn evaluation(verdict: &str, version: &str) -> govai_store::NewEvaluation {
    govai_store::NewEvaluation {
        scenario: "intelligent_qa".into(),
        baseline_model: "faq".into(),
        baseline_version: "1".into(),
        candidate_model: "faq-next".into(),
        candidate_version: version.into(),
        verdict: verdict.into(),
        report: format!("{{\"verdict\": \"{verdict}\"}}"),
        created_by: "qa-team".into(),
    }
}

#[test]
fn a_canary_needs_a_passing_evaluation_when_the_store_says_so() {
    let upstream = EchoUpstream::start();
    let shared = tempfile::tempdir().expect("tempdir");
    let store_path = shared.path().join("store.sqlite");
    let server = "[server.roles.portal]\n";
    let text = format!(
        "{}\n[store]\nbackend = \"sqlite\"\npath = \"{}\"\ncanary_requires_evaluation = true\n{EXTRA}",
        config(&upstream.base_url, server),
        store_path.display()
    );
    let g = Gateway::start(&text);
    let path = "/v1/govai/rollouts/intelligent_qa";
    let body = json!({"model": "faq-next", "percent": 10});
    let (status, _, e) = g.post(path, None, &body);
    assert_eq!(status, 409, "{e}");
    assert!(e["error"]["message"].as_str().unwrap_or("").contains("govai eval compare --record"), "{e}");

    let store = govai_store::Store::sqlite(&store_path).expect("store");
    store.add_evaluation(evaluation("go", "1.0")).expect("another version's GO");
    store.add_evaluation(evaluation("no_go", "2.0")).expect("this version's NO-GO");
    assert_eq!(g.post(path, None, &body).0, 409, "a NO-GO or another version's GO does not count");
    store.add_evaluation(evaluation("go", "2.0")).expect("GO");
    let (status, _, set) = g.post(path, None, &body);
    assert_eq!(status, 200, "{set}");
    let (_, history) = g.get(path, None);
    assert!(history.contains("\"verdict\":\"go\""), "{history}");
    // Rolling back never needs one.
    assert_eq!(g.post(&format!("{path}/rollback"), None, &json!({})).0, 200);

    // A canary in the config file is held to the same rule.
    let other = tempfile::tempdir().expect("tempdir");
    let text = text
        .replace(&store_path.display().to_string(), &other.path().join("s.sqlite").display().to_string())
        .replacen("model = \"faq\"\n", "model = \"faq\"\ncanary = { model = \"faq-next\", percent = 5 }\n", 1);
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("govai.toml"), &text).expect("write");
    let e = govai_server::Gateway::load(&dir.path().join("govai.toml")).expect_err("no evaluation");
    assert!(e.to_string().contains("canary") && e.to_string().contains("no passing evaluation"), "{e}");
}
