//! `govai audit ...` and what `govai run` does with a damaged log: the probes of issue 13 as a
//! user runs them.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn govai(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_govai")).args(args).output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// A deployment config auditing to `<dir>/logs/audit.jsonl`, with `extra` in `[audit]`.
fn config(dir: &Path, extra: &str) -> String {
    let path = dir.join("govai.toml");
    let body = govai::DEFAULT_CONFIG
        .replace(".govai-demo/audit.jsonl", "logs/audit.jsonl")
        .replace("fsync = \"always\"\n", &format!("fsync = \"always\"\n{extra}"));
    fs::write(&path, body).unwrap();
    path.display().to_string()
}

fn ask(cfg: &str) -> Output {
    govai(&["run", "--config", cfg, "--scenario", "intelligent_qa", "社保卡丢了怎么补办？"])
}

#[test]
fn deleting_the_last_record_then_running_is_refused_until_acknowledged() {
    let d = tempfile::tempdir().unwrap();
    let cfg = config(d.path(), "");
    let first = ask(&cfg);
    assert!(first.status.success(), "{}", text(&first));
    assert!(text(&first).contains("created directory"), "the new directory is reported: {}", text(&first));
    assert!(ask(&cfg).status.success());
    let log = d.path().join("logs/audit.jsonl");
    let log_s = log.to_str().unwrap();
    let body = fs::read_to_string(&log).unwrap();
    let kept: Vec<&str> = body.lines().take(1).collect();
    fs::write(&log, format!("{}\n", kept.join("\n"))).unwrap();

    let refused = ask(&cfg);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(text(&refused).contains("records removed from the tail"), "{}", text(&refused));
    let v = govai(&["audit", "verify", log_s]);
    assert_eq!(v.status.code(), Some(1), "still not intact: {}", text(&v));

    let ack = govai(&["audit", "acknowledge-gap", log_s, "--reason", "test: last record deleted"]);
    assert!(ack.status.success(), "{}", text(&ack));
    assert!(ask(&cfg).status.success());
    let v = govai(&["audit", "verify", log_s]);
    assert!(v.status.success(), "{}", text(&v));
    assert!(text(&v).contains("ACKNOWLEDGED GAP") && text(&v).contains("test: last record deleted"), "{}", text(&v));
}

#[test]
fn a_foreign_file_is_refused_and_left_alone() {
    let d = tempfile::tempdir().unwrap();
    fs::create_dir(d.path().join("logs")).unwrap();
    fs::write(d.path().join("logs/audit.jsonl"), "someone's notes").unwrap();
    let out = ask(&config(d.path(), ""));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("not a govai audit log") && text(&out).contains("audit.jsonl"), "{}", text(&out));
    assert_eq!(fs::read_to_string(d.path().join("logs/audit.jsonl")).unwrap(), "someone's notes");
}

#[test]
fn keygen_signed_checkpoints_and_verify_with_the_public_key() {
    let d = tempfile::tempdir().unwrap();
    let key = d.path().join("keys/audit.key");
    fs::create_dir(d.path().join("keys")).unwrap();
    let k = govai(&["audit", "keygen", "--out", key.to_str().unwrap()]);
    assert!(k.status.success(), "{}", text(&k));
    assert!(text(&k).contains("key id"));
    let cfg = config(d.path(), &format!("signing_key = \"{}\"\ncheckpoint_every = 2\n", key.display()));
    for _ in 0..3 {
        let o = ask(&cfg);
        assert!(o.status.success(), "{}", text(&o));
    }
    let log = d.path().join("logs/audit.jsonl");
    let pubkey = format!("{}.pub", key.display());
    let v = govai(&["audit", "verify", log.to_str().unwrap(), "--pubkey", &pubkey]);
    assert!(v.status.success(), "{}", text(&v));
    assert!(text(&v).contains("valid checkpoints"), "{}", text(&v));
    let j = govai(&["audit", "verify", log.to_str().unwrap(), "--pubkey", &pubkey, "--json"]);
    let r: serde_json::Value = serde_json::from_slice(&j.stdout).unwrap();
    assert_eq!(r["signatures"]["problem"], serde_json::Value::Null, "{r:#}");
    assert!(r["signatures"]["valid_checkpoints"].as_u64().unwrap() >= 2, "{r:#}");

    // A key inside the log's directory is refused.
    let inside = d.path().join("logs/k.key");
    assert!(govai(&["audit", "keygen", "--out", inside.to_str().unwrap()]).status.success());
    let cfg = config(d.path(), &format!("signing_key = \"{}\"\n", inside.display()));
    let o = ask(&cfg);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("outside the log's directory"), "{}", text(&o));
}
