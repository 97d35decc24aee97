//! Configuration reload without restart: the config file changed on disk is read again on
//! `POST /v1/govai/admin/reload`; the new scenarios and roles serve from the next request, the
//! audit log stays one chain, metrics go on counting; a broken file changes nothing and says
//! why; only `admin` may reload.

mod support;

use serde_json::{Value, json};
use support::{EchoUpstream, Gateway, chat, config};

#[test]
fn a_changed_config_serves_from_the_next_request() {
    let upstream = EchoUpstream::start();
    let base = config(&upstream.base_url, "");
    let g = Gateway::start(&base);
    let path = g.dir.path().join("govai.toml");

    assert_eq!(g.post("/v1/chat/completions", None, &chat("intelligent_qa", "公积金怎么提取？", false)).0, 200);
    let (status, _, e) = g.post("/v1/chat/completions", None, &chat("assisted_handling", "帮我看看这个工单", false));
    assert_eq!(status, 404, "{e}");

    // A broken file: 400 naming the problem, the running configuration stays.
    std::fs::write(&path, base.replace("[deployment]", "[deployment]\nno_such_key = 1")).expect("write");
    let (status, _, e) = g.post("/v1/govai/admin/reload", None, &json!({}));
    assert!(status == 400 || status == 500, "{status} {e}");
    assert!(e["error"]["message"].as_str().unwrap_or("").contains("no_such_key"), "{e}");
    assert_eq!(g.post("/v1/chat/completions", None, &chat("intelligent_qa", "公积金怎么提取？", false)).0, 200);

    // A new scenario.
    let added = format!("{base}\n[[scenarios]]\nid = \"assisted_handling\"\nmodel = \"faq\"\n");
    std::fs::write(&path, &added).expect("write");
    let (status, _, r) = g.post("/v1/govai/admin/reload", None, &json!({}));
    assert_eq!(status, 200, "{r}");
    assert!(r["report"]["scenarios"].as_array().expect("scenarios").iter().any(|s| s == "assisted_handling"), "{r}");
    let (status, _, answered) =
        g.post("/v1/chat/completions", None, &chat("assisted_handling", "公积金怎么提取？", false));
    assert_eq!(status, 200, "{answered}");

    // One chain across the reload, with the reload recorded; metrics kept counting.
    let records = g.audit_records();
    let reloads: Vec<&Value> = records.iter().filter(|r| r["kind"] == "config_reload").collect();
    assert_eq!(reloads.len(), 1);
    assert_eq!(reloads[0]["user"], "local");
    let (_, _, report) = g.post("/v1/govai/audit/verify", None, &json!({}));
    assert_eq!(report["intact"], true, "{report}");
    let (_, metrics) = g.get("/metrics", None);
    let total: f64 = metrics
        .lines()
        .filter(|l| l.starts_with("govai_requests_total{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum();
    assert!(total >= 3.0, "requests before and after the reload are counted: {metrics}");

    // With keys, only a role with `admin` may reload.
    let keyed = added.replacen("[server]\n", "[server]\nkeys_file = \"keys.json\"\n", 1)
        + "\n[server.roles.portal]\n[server.roles.ops]\npermissions = [\"admin\"]\n";
    std::fs::write(&path, &keyed).expect("write");
    let portal = govai_server::keys::create(&g.dir.path().join("keys.json"), "portal", "portal").expect("key").0;
    let ops = govai_server::keys::create(&g.dir.path().join("keys.json"), "ops-chen", "ops").expect("key").0;
    let (status, _, r) = g.post("/v1/govai/admin/reload", None, &json!({}));
    assert_eq!(status, 200, "the anonymous operator reloads into keyed mode: {r}");
    assert_eq!(g.post("/v1/govai/admin/reload", Some(&portal), &json!({})).0, 403);
    let (status, _, r) = g.post("/v1/govai/admin/reload", Some(&ops), &json!({}));
    assert_eq!(status, 200, "{r}");
    assert_eq!(g.post("/v1/chat/completions", None, &chat("intelligent_qa", "你好", false)).0, 401);
}
