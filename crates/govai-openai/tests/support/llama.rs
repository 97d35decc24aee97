//! A real llama.cpp server (PyPI `xllamacpp`, from the workspace's `.venv`) serving the Qwen2.5
//! 0.5B instruct GGUF of `models/`, on 127.0.0.1 at a port the OS picks. Started by the test,
//! killed when dropped. Shared by the govai-openai and govai tests (`#[path]` include).

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How long loading the model may take on a busy two-core machine.
const START_TIMEOUT: Duration = Duration::from_secs(240);

pub struct LlamaServer {
    child: Child,
    /// `http://127.0.0.1:PORT/v1`.
    pub base_url: String,
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The Qwen GGUF under models/, if prepared.
fn gguf() -> Option<PathBuf> {
    let dir = workspace().join("models");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_ascii_lowercase();
            name.ends_with(".gguf") && name.contains("qwen") && name.contains("instruct")
        })
        .collect();
    found.sort();
    found.into_iter().next()
}

/// The venv's Python, if it has xllamacpp.
fn python() -> Option<PathBuf> {
    let py = workspace().join(".venv/bin/python");
    let ok = Command::new(&py)
        .args(["-c", "import xllamacpp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then_some(py)
}

fn skip(test: &str, what: &str) -> Option<LlamaServer> {
    if std::env::var("GOVAI_REQUIRE_MODELS").is_ok_and(|v| v == "1") {
        panic!("GOVAI_REQUIRE_MODELS=1 but {what} (make venv models)");
    }
    eprintln!("SKIP {test}: {what} (make venv models)");
    None
}

impl LlamaServer {
    /// Start the server (requiring `api_key` when given), or None with a skip notice when the
    /// venv or the model is missing (a failure under GOVAI_REQUIRE_MODELS=1).
    pub fn start(test: &str, api_key: Option<&str>) -> Option<Self> {
        let Some(model) = gguf() else { return skip(test, "no Qwen instruct GGUF under models/") };
        let Some(py) = python() else { return skip(test, ".venv/bin/python with xllamacpp is missing") };
        let script = workspace().join("crates/govai-openai/tests/llama_server.py");
        let mut cmd = Command::new(py);
        cmd.arg(script).arg(model).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null());
        if let Some(k) = api_key {
            cmd.arg(k);
        }
        let mut child = cmd.spawn().expect("start the llama.cpp server");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(addr) = line.strip_prefix("READY ") {
                    let _ = tx.send(addr.trim().to_owned());
                    break;
                }
            }
        });
        let mut server = LlamaServer { child, base_url: String::new() };
        let addr = rx.recv_timeout(START_TIMEOUT).expect("the llama.cpp server did not start in time");
        assert!(addr.starts_with("http://127.0.0.1:"), "loopback only: {addr}");
        server.base_url = format!("{addr}/v1");
        Some(server)
    }
}

impl Drop for LlamaServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
