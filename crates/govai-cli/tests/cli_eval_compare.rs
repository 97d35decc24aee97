//! `govai eval compare`: a candidate model version whose knowledge base lacks passages is a
//! NO-GO against the version in service, with the questions it lost listed; a version
//! configured the same is a GO; the JSON and HTML reports say so (HTML self-contained, text
//! escaped); unknown models and scenarios name the flag.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn govai(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_govai")).args(args).output().expect("run govai");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn repo(path: &str) -> String {
    format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))
}

const CONFIG: &str = r#"
[deployment]
name = "eval"
[audit]
path = "audit.jsonl"
fsync = "never"
[[models]]
id = "faq"
backend = "faq"
version = "1"
clearance = "sensitive"
location = "on_premises"
[[models]]
id = "faq-same"
backend = "faq"
version = "1.1"
clearance = "sensitive"
location = "on_premises"
[[models]]
id = "faq-small"
backend = "faq"
version = "2"
clearance = "sensitive"
location = "on_premises"
knowledge_base = "small.jsonl"
[[scenarios]]
id = "intelligent_qa"
model = "faq"
[store]
backend = "sqlite"
path = "store.sqlite"
"#;

/// The first `n` non-empty lines of a repository file.
fn head(path: &str, n: usize) -> Vec<String> {
    std::fs::read_to_string(repo(path))
        .expect("read")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(n)
        .map(str::to_owned)
        .collect()
}

fn setup(dir: &Path) -> (String, String, String) {
    std::fs::write(dir.join("govai.toml"), CONFIG).expect("config");
    // The candidate's knowledge base: a few shipped passages, not the social-security card one.
    let small: Vec<String> = head("crates/govai-retrieval/kb/policies.jsonl", 4)
        .into_iter()
        .filter(|l| !l.contains("\"kb-zh-003\""))
        .collect();
    std::fs::write(dir.join("small.jsonl"), small.join("\n")).expect("kb");
    let mut qa = head("crates/govai-retrieval/kb/direct_questions.jsonl", 12);
    qa.push(r#"{"query": "<script>alert(1)</script>社保卡丢了怎么补办", "expected": "kb-zh-003"}"#.to_owned());
    std::fs::write(dir.join("qa.jsonl"), qa.join("\n")).expect("qa");
    let safety = dir.join("safety").join("test");
    std::fs::create_dir_all(&safety).expect("mkdir");
    for (file, n) in [("answer.jsonl", 4), ("refuse-gov.jsonl", 4), ("refuse-tc260.jsonl", 4)] {
        let lines = head(&format!("crates/govai-review/data/safety-bank/test/{file}"), n);
        std::fs::write(safety.join(file), lines.join("\n")).expect("bank");
    }
    let s = |p: &Path| p.to_str().expect("utf-8").to_owned();
    (s(&dir.join("govai.toml")), s(&dir.join("qa.jsonl")), s(&dir.join("safety")))
}

#[test]
fn a_weaker_candidate_is_no_go_and_an_equal_one_go() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (config, qa, safety) = setup(dir.path());
    let out = dir.path().join("report");
    let outs = out.to_str().expect("utf-8");
    let args = |candidate: &'static str| {
        vec![
            "eval",
            "compare",
            "--config",
            &config,
            "--scenario",
            "intelligent_qa",
            "--baseline",
            "faq",
            "--candidate",
            candidate,
            "--qa",
            &qa,
            "--safety",
            &safety,
            "--out",
            outs,
        ]
    };

    let (code, stdout, stderr) = govai(&args("faq-small"));
    assert_eq!(code, 1, "NO-GO: {stdout} {stderr}");
    assert!(stdout.contains("NO-GO") && stdout.contains("- lost:"), "{stdout}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).expect("json")).expect("json");
    assert_eq!(report["verdict"], "no_go");
    assert_eq!(
        (report["baseline"]["model"]["id"].as_str(), report["candidate"]["model"]["version"].as_str()),
        (Some("faq"), Some("2"))
    );
    let cited =
        report["figures"].as_array().expect("figures").iter().find(|f| f["name"] == "expected_cited").expect("figure");
    assert!(cited["baseline"].as_f64() > cited["candidate"].as_f64() && cited["regressed"] == true, "{cited}");
    assert!(report["reasons"].to_string().contains("expected_cited"), "{report}");
    assert!(!report["lost"].as_array().expect("lost").is_empty());
    assert_eq!(report["banks"][0]["items"], 13);
    assert_eq!(report["banks"][1]["items"], 12);

    let html = std::fs::read_to_string(out.join("report.html")).expect("html");
    assert!(html.contains("不可上线 NO-GO") && html.contains("faq-small") && html.matches("<svg").count() == 2);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script>"), "escaped");
    for fetch in ["<link", "src=", "href="] {
        assert!(!html.contains(fetch), "self-contained: {fetch}");
    }

    let mut recorded = args("faq-same");
    recorded.extend(["--record", "qa-team"]);
    let (code, stdout, stderr) = govai(&recorded);
    assert_eq!(code, 0, "GO: {stdout} {stderr}");
    assert!(stdout.contains("GO") && !stdout.contains("NO-GO"), "{stdout}");
    assert!(stderr.contains("recorded evaluation"), "{stderr}");
    // Kept in the store and audited with the report's hash.
    let store = govai_store::Store::sqlite(&dir.path().join("store.sqlite")).expect("store");
    let kept = store.passing_evaluation("intelligent_qa", "faq-same", "1.1").expect("query").expect("a GO");
    let report = std::fs::read_to_string(out.join("report.json")).expect("report");
    assert_eq!(store.evaluation_report(&kept.id).expect("report"), report);
    let audit = std::fs::read_to_string(dir.path().join("audit.jsonl")).expect("audit");
    assert!(audit.lines().any(|l| l.contains("\"kind\":\"evaluation\"") && l.contains(&kept.report_sha256)), "audited");

    let (code, _, stderr) = govai(&args("nope"));
    assert!(code != 0 && stderr.contains("--candidate") && stderr.contains("no model `nope`"), "{stderr}");
    let mut bad = args("faq-same");
    bad[5] = "no_such_scenario";
    let (code, _, stderr) = govai(&bad);
    assert!(code != 0 && stderr.contains("--scenario"), "{stderr}");
}

/// A canary of the config on the scenario does not leak into the run of the scenario's own
/// model: the baseline is evaluated with the canary stopped, the candidate at 100 %.
#[test]
fn a_configured_canary_does_not_answer_for_the_baseline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (config, qa, safety) = setup(dir.path());
    let with_canary = CONFIG.replace(
        "model = \"faq\"\n[store]",
        "model = \"faq\"\ncanary = { model = \"faq-small\", percent = 50 }\n[store]",
    );
    assert_ne!(with_canary, CONFIG, "canary added");
    std::fs::write(&config, with_canary).expect("config");
    let out = dir.path().join("report");
    let (code, stdout, stderr) = govai(&[
        "eval",
        "compare",
        "--config",
        &config,
        "--scenario",
        "intelligent_qa",
        "--baseline",
        "faq",
        "--candidate",
        "faq-same",
        "--qa",
        &qa,
        "--safety",
        &safety,
        "--out",
        out.to_str().expect("utf-8"),
        "--json",
    ]);
    assert_eq!(code, 0, "GO: {stdout} {stderr}");
    let report: Value = serde_json::from_str(stdout.trim()).expect("json");
    assert_eq!((report["baseline"]["model"]["id"].as_str(), report["verdict"].as_str()), (Some("faq"), Some("go")));
}
