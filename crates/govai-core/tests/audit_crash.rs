//! `kill -9` at random points of a write loop: the next writer opens the log without refusing,
//! keeps or quarantines what the crash left, and the log verifies. The child is this test binary
//! itself, running the ignored `crash_child_writer` test.
#![allow(clippy::unwrap_used)]

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use govai_core::audit::{AuditLog, AuditOptions, FsyncPolicy, canonical_json, record_hash, verify};
use serde_json::{Value, json};

const CHILD_ENV: &str = "GOVAI_AUDIT_CRASH_CHILD";

fn opts() -> AuditOptions {
    AuditOptions { fsync: FsyncPolicy::Never, ..AuditOptions::default() }
}

/// Appends until killed. Every third round it also writes the next record by hand in two
/// `write` calls with a pause between (as a writer torn by a crash would), to widen the window
/// in which a kill leaves a torn or unterminated last line.
#[test]
#[ignore = "the child process of kill_9_at_random_points_leaves_a_verifiable_log"]
fn crash_child_writer() {
    let Ok(path) = std::env::var(CHILD_ENV) else { return };
    let (log, _) = AuditLog::open(&path, opts()).unwrap();
    for i in 0u64.. {
        let receipt = log.append(json!({"kind": "request", "i": i})).unwrap();
        if i % 3 == 0 {
            let mut m = serde_json::Map::new();
            m.insert("kind".into(), json!("request"));
            m.insert("i".into(), json!(format!("by-hand-{i}")));
            m.insert("seq".into(), json!(receipt.seq + 1));
            m.insert("ts".into(), json!("2026-12-04T00:00:00.000000Z"));
            m.insert("prev".into(), json!(receipt.hash));
            let h = record_hash(&m);
            m.insert("hash".into(), json!(h));
            let line = format!("{}\n", canonical_json(&Value::Object(m)));
            // Half the time everything but the newline first: a kill then leaves a complete record.
            let split = if i % 2 == 0 { line.len() - 1 } else { 1 + (i as usize * 7919) % (line.len() - 1) };
            let mut f = OpenOptions::new().append(true).open(&path).unwrap();
            f.write_all(&line.as_bytes()[..split]).unwrap();
            std::thread::sleep(Duration::from_millis(2));
            f.write_all(&line.as_bytes()[split..]).unwrap();
        }
    }
}

fn sha256_hex(b: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(b))
}

#[test]
fn kill_9_at_random_points_leaves_a_verifiable_log() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("audit.jsonl");
    let exe = std::env::current_exe().unwrap();
    let started = Instant::now();
    let mut rng = u64::from(std::process::id()) ^ started.elapsed().as_nanos() as u64 ^ 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let (mut kept, mut quarantined, mut rounds) = (0, 0, 0);
    for round in 0..20 {
        if started.elapsed() > Duration::from_secs(25) {
            break;
        }
        rounds += 1;
        let mut child = Command::new(&exe)
            .args(["crash_child_writer", "--exact", "--ignored", "--test-threads=1"])
            .env(CHILD_ENV, &p)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(5 + next() % 60));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        if !p.exists() {
            continue;
        }
        let before = verify(&p, None).unwrap();
        let (log, report) = AuditLog::open(&p, opts())
            .unwrap_or_else(|e| panic!("round {round}: a crash must not make the log unusable: {e}; {before:?}"));
        if report.newline_added {
            kept += 1;
        }
        if let Some(q) = &report.quarantined {
            quarantined += 1;
            let fragment = fs::read(&q.path).unwrap();
            assert_eq!((fragment.len() as u64, sha256_hex(&fragment)), (q.bytes, q.sha256.clone()));
        }
        drop(log);
        let v = verify(&p, None).unwrap();
        assert!(v.intact, "round {round}: {v:?}");
        assert!(v.first_bad.is_none() && before.records <= v.records, "round {round}: nothing lost");
    }
    let v = verify(&p, None).unwrap();
    assert!(v.intact && v.records > 0, "{v:?}");
    assert_eq!(v.repairs.len(), quarantined, "one repair record per quarantined fragment");
    let files = fs::read_dir(d.path())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().contains(".torn-"))
        .count();
    assert_eq!(files, quarantined);
    eprintln!(
        "{rounds} kills in {:?}: {} records, {kept} unterminated records kept, {quarantined} torn lines quarantined",
        started.elapsed(),
        v.records
    );
}

const MANY_ENV: &str = "GOVAI_AUDIT_MANY_CHILD";

/// Appends 50 records, each writer opening the log anew every 10 (as `govai run` does per request).
#[test]
#[ignore = "a child process of separate_processes_share_one_chain"]
fn many_child_writer() {
    let Ok(path) = std::env::var(MANY_ENV) else { return };
    for round in 0..5 {
        let (log, _) = AuditLog::open(&path, opts()).unwrap();
        for i in 0..10 {
            log.append(json!({"kind": "request", "pid": std::process::id(), "round": round, "i": i})).unwrap();
        }
    }
}

#[test]
fn separate_processes_share_one_chain() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("audit.jsonl");
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..6)
        .map(|_| {
            Command::new(&exe)
                .args(["many_child_writer", "--exact", "--ignored", "--test-threads=1"])
                .env(MANY_ENV, &p)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let v = verify(&p, None).unwrap();
    assert!(v.intact, "{v:?}");
    assert_eq!(v.records, 300);
}
