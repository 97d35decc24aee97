//! `govai keys` and `govai serve` as a user runs them: create, list and revoke keys; serve the
//! example configuration on loopback, answer, reload the changed file on SIGHUP, and stop
//! cleanly on SIGTERM with the audit log flushed and intact.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn govai() -> Command {
    Command::new(env!("CARGO_BIN_EXE_govai"))
}

fn write_config(dir: &std::path::Path, server: &str) -> std::path::PathBuf {
    let example = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../govai.example.toml"))
        .expect("example config");
    // The example with its audit log in the temp dir and its [server] table replaced.
    let head = example.split("\n[server]").next().expect("text before [server]");
    let text = head.replace("path = \"audit/govai-audit.jsonl\"", "path = \"audit.jsonl\"") + "\n[server]\n" + server;
    let path = dir.join("govai.toml");
    std::fs::write(&path, text).expect("write");
    path
}

/// One HTTP/1.1 request over a plain socket; the status and body.
fn http(addr: &str, request: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(60))).expect("timeout");
    s.write_all(request.as_bytes()).expect("send");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    let status = out.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = out.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}

#[test]
fn keys_are_created_listed_and_revoked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), "keys_file = \"keys.json\"\n[server.roles.portal]\n");
    let out = govai()
        .args(["keys", "create", "--config"])
        .arg(&config)
        .args(["--caller", "wechat", "--role", "portal"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let key = String::from_utf8(out.stdout).expect("utf8").trim().to_owned();
    assert!(key.starts_with("gk_"), "{key}");
    let stored = std::fs::read_to_string(dir.path().join("keys.json")).expect("keys file");
    assert!(!stored.contains(&key), "stored hashed only");

    let out = govai()
        .args(["keys", "create", "--config"])
        .arg(&config)
        .args(["--caller", "x", "--role", "nobody"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a role of [server.roles] (configured: portal)"));

    let out = govai().args(["keys", "list", "--json", "--config"]).arg(&config).output().expect("run");
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let id = list[0]["id"].as_str().expect("id").to_owned();
    assert_eq!(list[0]["caller"], "wechat");
    assert!(key.starts_with(&format!("gk_{id}_")));
    let out = govai().args(["keys", "revoke", "--config"]).arg(&config).arg(&id).output().expect("run");
    assert!(out.status.success());
    let out = govai().args(["keys", "list", "--json", "--config"]).arg(&config).output().expect("run");
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(list[0]["revoked"].is_string(), "{list}");
}

#[test]
fn serve_answers_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    // No keys and a wildcard address: loopback only, and it says so.
    let config = write_config(dir.path(), "listen = \"0.0.0.0:0\"\n");
    let mut child = govai().arg("serve").arg("--config").arg(&config).stderr(Stdio::piped()).spawn().expect("spawn");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut said = String::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    let addr = loop {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).expect("read") > 0, "server exited: {said}");
        said.push_str(&line);
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split('/').next().expect("address").to_owned();
        }
        assert!(Instant::now() < deadline, "{said}");
    };
    assert!(said.contains("serving loopback only"), "{said}");
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");

    let body = r#"{"model":"intelligent_qa","messages":[{"role":"user","content":"社保卡丢了怎么补办？"}]}"#;
    let request = format!(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let (status, answer) = http(&addr, &request);
    assert_eq!(status, 200, "{answer}");
    assert!(answer.contains("\"outcome\":\"answered\""), "{answer}");

    // SIGHUP: the config file is read again; a new scenario serves from the next request.
    let get_models = format!("GET /v1/models HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    assert!(!http(&addr, &get_models).1.contains("policy_direct_access"));
    let text = std::fs::read_to_string(&config).expect("config");
    let with_scenario =
        text.replacen("[server]", "[[scenarios]]\nid = \"policy_direct_access\"\nmodel = \"faq-bm25\"\n\n[server]", 1);
    std::fs::write(&config, with_scenario).expect("write");
    let hup = Command::new("kill").arg("-HUP").arg(child.id().to_string()).status().expect("kill");
    assert!(hup.success());
    loop {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).expect("read") > 0, "server exited: {said}");
        said.push_str(&line);
        if line.contains("reloaded") {
            break;
        }
        assert!(Instant::now() < deadline, "{said}");
    }
    assert!(http(&addr, &get_models).1.contains("policy_direct_access"), "{said}");

    // SIGTERM: drain, flush, exit 0.
    let kill = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().expect("kill");
    assert!(kill.success());
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).expect("read");
    let status = child.wait().expect("wait");
    assert!(status.success(), "{status:?}: {rest}");
    assert!(rest.contains("audit log flushed"), "{rest}");
    let out = govai().args(["audit", "verify", "--json"]).arg(dir.path().join("audit.jsonl")).output().expect("verify");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn feedback_and_the_triage_list_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path(), "");
    let out = govai()
        .args(["feedback", "--config"])
        .arg(&config)
        .args(["--audit-id", "3", "--rating", "1"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "no [store]: an error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("store"), "{}", String::from_utf8_lossy(&out.stderr));

    let text = std::fs::read_to_string(&config).expect("config")
        + "\n[store]\nbackend = \"sqlite\"\npath = \"store.sqlite\"\n";
    std::fs::write(&config, text).expect("write");
    let out = govai()
        .args(["feedback", "--json", "--config"])
        .arg(&config)
        .args(["--audit-id", "3", "--rating", "2", "--comment", "没有回答我的问题", "--caller", "hotline-desk-4"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let f: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!((f["triage"].as_bool(), f["caller"].as_str()), (Some(true), Some("hotline-desk-4")));
    let out = govai()
        .args(["feedback", "--config"])
        .arg(&config)
        .args(["--audit-id", "3", "--rating", "7"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("rating"));

    let out = govai().args(["reviews", "--triage", "--json", "--config"]).arg(&config).output().expect("run");
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(list[0]["comment"], "没有回答我的问题");
    let out = govai().args(["reviews", "--state", "pending", "--config"]).arg(&config).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = govai().args(["reviews", "--state", "lost", "--config"]).arg(&config).output().expect("run");
    assert_eq!(out.status.code(), Some(2));

    let log = std::fs::read_to_string(dir.path().join("audit.jsonl")).expect("audit log");
    assert!(log.contains("\"kind\":\"feedback\"") && !log.contains("没有回答"), "audited by hash: {log}");
    let out = govai().args(["audit", "verify", "--json"]).arg(dir.path().join("audit.jsonl")).output().expect("verify");
    assert!(out.status.success());
}
