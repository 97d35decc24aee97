//! Issue 13: bounded input, bounded output and quiet exits on a closed stdout.
//!
//! Every input is read with its limit checked while reading (`govai::io`): stdin text
//! (`MAX_REQUEST_BYTES`), JSON Lines lines (`MAX_LINE_BYTES`); a batch reports a bad line and
//! goes on; findings are capped (`MAX_FINDINGS`, `findings_dropped`); a closed stdout ends the
//! command with status 141 and nothing on stderr.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::process::{Child, Output, Stdio};

use common::{config, govai, run_with_stdin};

const EXIT_STDOUT_CLOSED: i32 = 141;

/// Run with stdin from `/dev/zero` (endless).
fn run_on_dev_zero(args: &[&str]) -> Output {
    govai().args(args).stdin(std::fs::File::open("/dev/zero").unwrap()).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_no_crash(o: &Output) {
    let err = stderr(o);
    for bad in ["panicked", "internal error", "memory allocation", "Broken pipe"] {
        assert!(!err.contains(bad), "stderr has {bad:?}: {err}");
    }
}

#[test]
fn stdin_text_stops_at_the_request_limit() {
    let d = tempfile::tempdir().unwrap();
    let cfg = config(d.path());
    let cases: [&[&str]; 5] = [
        &["scan", "-"],
        &["scan", "--json", "-"],
        &["mask", "-"],
        &["review", "--json", "-"],
        &["run", "--config", &cfg, "--scenario", "intelligent_qa", "-"],
    ];
    for args in cases {
        let o = run_on_dev_zero(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("<stdin> is longer than the limit of 1048576 bytes"), "{args:?}: {}", stderr(&o));
        assert_no_crash(&o);
    }
}

#[test]
fn jsonl_on_dev_zero_names_the_line_limit() {
    for cmd in ["scan", "review"] {
        let o = govai().args([cmd, "--fail-fast", "--jsonl", "/dev/zero"]).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{cmd}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("/dev/zero: line 1 is longer than the limit of 4194304 bytes"),
            "{cmd}: {}",
            stderr(&o)
        );
        assert_no_crash(&o);
    }
}

/// An endless line without `--fail-fast` is reported as soon as it passes the limit (then
/// skipped): the report is on stderr while the command still reads.
#[test]
fn endless_line_is_reported_while_reading() {
    let mut child = govai()
        .args(["scan", "--jsonl", "-"])
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = child.stderr.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    while !String::from_utf8_lossy(&seen).contains('\n') {
        let n = err.read(&mut buf).unwrap();
        assert!(n > 0, "stderr closed early: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    let rss = peak_rss_kb(child.id());
    child.kill().unwrap();
    child.wait().unwrap();
    let seen = String::from_utf8_lossy(&seen);
    assert!(seen.contains("<stdin>: line 1 is longer than the limit of 4194304 bytes"), "{seen}");
    assert!(rss.is_none_or(|kb| kb < 100 * 1024), "peak RSS {rss:?} kB");
}

#[test]
fn scan_batch_reports_bad_lines_and_goes_on() {
    let mut input = b"tel 13800138000\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', govai::MAX_LINE_BYTES + 10));
    input.extend(b"\nbad \xff utf8\r\nok\n");
    let o = run_with_stdin(&["scan", "--jsonl", "-"], input.clone());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> =
        String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 4, "one output line per input line: {lines:?}");
    assert_eq!(lines[0]["level"], "internal");
    assert_eq!(lines[1]["line"], 2);
    assert_eq!(lines[1]["error"]["kind"], "invalid_input");
    assert_eq!(lines[2]["line"], 3);
    assert_eq!(lines[3]["level"], "public");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("line 2 is longer than the limit of 4194304 bytes"), "{err}");
    assert!(err.contains("line 3 is not UTF-8"), "{err}");
    assert!(err.contains("2 of 4 input lines failed"), "{err}");
    // --fail-fast: the first bad line ends the batch.
    let o = run_with_stdin(&["scan", "--jsonl", "-", "--fail-fast"], input);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(String::from_utf8(o.stdout).unwrap().lines().count(), 1);
}

#[test]
fn review_batch_reports_bad_lines_and_goes_on() {
    let input =
        b"{\"answer\":\"x\",\"id\":1}\nnot json\n{\"answer\":\"\xff\"}\n\n{\"answer\":\"y\",\"id\":5}\n".to_vec();
    let o = run_with_stdin(&["review", "--jsonl", "-"], input);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> =
        String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(
        lines.iter().map(|l| l["id"].as_i64().or(l["line"].as_i64())).collect::<Vec<_>>(),
        [Some(1), Some(2), Some(3), Some(5)]
    );
    let err = stderr(&o);
    assert!(err.contains("<stdin>: line 2:"), "{err}");
    assert!(err.contains("<stdin>: line 3 is not UTF-8"), "{err}");
    assert!(err.contains("2 of 4 input lines failed"), "{err}");
}

#[test]
fn review_findings_are_capped() {
    // 5 MB of cited words is over the request limit; just under 1 MiB gives a capped list (each
    // marker cites a source that isn't there). Markers alone would be one empty_answer finding.
    let o = run_with_stdin(&["review", "--json", "-"], "办[1]".repeat(5_000_000 / 6).into_bytes());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("limit of 1048576 bytes"), "{}", stderr(&o));
    let n = govai::MAX_REQUEST_BYTES / 6;
    let o = run_with_stdin(&["review", "--json", "-"], "办[1]".repeat(n).into_bytes());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["verdict"], "escalate");
    let shown = v["findings"].as_array().unwrap().len();
    assert_eq!(shown, govai::MAX_FINDINGS);
    assert!(shown + v["findings_dropped"].as_u64().unwrap() as usize >= n, "every marker counted");
}

#[test]
fn scan_findings_are_capped() {
    let text = "13800138000 ".repeat(5000);
    let o = govai().args(["scan", "--json", &text]).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), govai::MAX_FINDINGS);
    assert!(v["findings_dropped"].as_u64().unwrap() >= 4000, "{}", v["findings_dropped"]);
}

#[test]
fn empty_answer_does_not_pass() {
    for answer in ["", " \n\t"] {
        let o = govai().args(["review", "--json", answer]).output().unwrap();
        assert_eq!(o.status.code(), Some(1), "{answer:?}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["verdict"], "escalate");
        assert!(v["findings"].as_array().unwrap().iter().any(|f| f["code"] == "empty_answer"), "{v}");
    }
}

/// Spawn with stdout a pipe; read `n` bytes of it, then close it.
fn close_stdout_after(args: &[&str], stdin: Vec<u8>, n: usize) -> Output {
    let mut child: Child =
        govai().args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let mut out = child.stdout.take().unwrap();
    let mut buf = vec![0u8; n];
    if n > 0 {
        out.read_exact(&mut buf).unwrap();
    }
    drop(out);
    let o = child.wait_with_output().unwrap();
    writer.join().unwrap();
    o
}

#[test]
fn closed_stdout_is_a_quiet_exit() {
    // Outputs larger than a pipe buffer, so the command is still writing when the pipe closes.
    let text = "电话13800138000 ".repeat(50_000).into_bytes();
    let lines = "电话13800138000\n".repeat(20_000).into_bytes();
    let markers = "办[1]".repeat(150_000).into_bytes();
    let review_lines = "{\"answer\":\"电话13800138000\"}\n".repeat(5_000).into_bytes();
    let cases: [(&[&str], &Vec<u8>); 6] = [
        (&["mask", "-"], &text),
        (&["scan", "--json", "-"], &text),
        (&["scan", "--jsonl", "-"], &lines),
        (&["review", "--json", "-"], &markers),
        (&["review", "-"], &markers),
        (&["review", "--jsonl", "-"], &review_lines),
    ];
    for (args, input) in cases {
        let o = close_stdout_after(args, input.clone(), 10);
        assert_eq!(o.status.code(), Some(EXIT_STDOUT_CLOSED), "{args:?}: {}", stderr(&o));
        assert_no_crash(&o);
        assert!(o.stderr.is_empty(), "{args:?}: nothing on stderr: {}", stderr(&o));
    }
}

#[test]
fn run_stream_closed_early_is_cancelled_and_audited() {
    for json in [false, true] {
        let d = tempfile::tempdir().unwrap();
        let cfg = config(d.path());
        let mut args = vec!["run", "--config", &cfg, "--scenario", "intelligent_qa", "--stream"];
        if json {
            args.push("--json");
        }
        args.push("居住证怎么办理？需要带哪些材料？");
        // Closed before the first piece is written.
        let o = close_stdout_after(&args, Vec::new(), 0);
        assert_eq!(o.status.code(), Some(EXIT_STDOUT_CLOSED), "json={json}: {}", stderr(&o));
        assert_no_crash(&o);
        let log = std::fs::read_to_string(d.path().join("audit.jsonl")).unwrap();
        let last: serde_json::Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
        assert_eq!(last["outcome"], "cancelled", "{last:#}");
    }
}

/// Peak resident set of a running process (`VmHWM`), in kB; `None` once it has exited.
fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// ~200 MB through a pipe, one line of 150 MB among 1 MiB lines: memory stays flat (the long
/// line is reported and skipped, never held).
#[test]
fn scan_jsonl_memory_is_flat_on_a_long_stream() {
    let mut child = govai()
        .args(["scan", "--jsonl", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut input = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let mut line = "ab ".repeat(govai::MAX_REQUEST_BYTES / 3).into_bytes();
        line.push(b'\n');
        let chunk = vec![b'y'; 1 << 20];
        for _ in 0..20 {
            input.write_all(&line).unwrap();
        }
        for _ in 0..150 {
            input.write_all(&chunk).unwrap();
        }
        input.write_all(b"\n").unwrap();
        for _ in 0..20 {
            input.write_all(&line).unwrap();
        }
    });
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).unwrap();
        s
    });
    let mut peak = 0;
    while child.try_wait().unwrap().is_none() {
        if let Some(kb) = peak_rss_kb(pid) {
            peak = peak.max(kb);
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    writer.join().unwrap();
    let out = reader.join().unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(out.lines().count(), 41);
    assert!(stderr(&o).contains("line 21 is longer than the limit"), "{}", stderr(&o));
    assert!(peak > 0, "VmHWM was read");
    assert!(peak < 100 * 1024, "peak RSS {peak} kB");
}
