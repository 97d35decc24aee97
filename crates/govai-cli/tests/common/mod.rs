//! Helpers shared by the CLI tests.
#![allow(dead_code, clippy::unwrap_used, reason = "each test binary uses a part")]

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

/// The `govai` binary, without a hash key from the environment.
pub fn govai() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_govai"));
    c.env_remove(govai::HASH_KEY_ENV);
    c
}

/// Run with `stdin` fed from a thread (so the child can fail before reading it all: a broken
/// pipe on our side is expected then).
pub fn run_with_stdin(args: &[&str], stdin: Vec<u8>) -> Output {
    let mut child =
        govai().args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

/// The embedded default deployment's config written into `dir`, auditing to `dir/audit.jsonl`.
pub fn config(dir: &std::path::Path) -> String {
    let path = dir.join("govai.toml");
    std::fs::write(&path, govai::DEFAULT_CONFIG.replace(".govai-demo/", "")).unwrap();
    path.display().to_string()
}
