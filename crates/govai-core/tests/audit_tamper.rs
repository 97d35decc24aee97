//! Every kind of tampering and crash damage to the audit log is detected (or repaired, for a
//! torn last line), and concurrent writers produce one valid chain.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use govai_core::audit::{AnchorStatus, AuditLog, AuditOptions, FsyncPolicy, canonical_json, record_hash, verify};
use serde_json::{Value, json};

fn opts() -> AuditOptions {
    AuditOptions { fsync: FsyncPolicy::Never, ..AuditOptions::default() }
}

fn write_log(dir: &Path, n: u64) -> PathBuf {
    let p = dir.join("audit.jsonl");
    let (log, _) = AuditLog::open(&p, opts()).unwrap();
    for i in 0..n {
        log.append(json!({"kind": "request", "i": i, "scenario": "intelligent_qa", "note": "办理居住证"})).unwrap();
    }
    p
}

fn lines(p: &Path) -> Vec<String> {
    fs::read_to_string(p).unwrap().lines().map(str::to_owned).collect()
}

fn write_lines(p: &Path, l: &[String]) {
    fs::write(p, l.iter().map(|s| format!("{s}\n")).collect::<String>()).unwrap();
}

fn rehash(line: &str, prev: Option<&str>, seq: Option<u64>) -> String {
    let Value::Object(mut m) = serde_json::from_str::<Value>(line).unwrap() else { panic!() };
    if let Some(p) = prev {
        m.insert("prev".into(), Value::from(p));
    }
    if let Some(s) = seq {
        m.insert("seq".into(), Value::from(s));
    }
    let h = record_hash(&m);
    m.insert("hash".into(), Value::from(h));
    canonical_json(&Value::Object(m))
}

fn hash_of(line: &str) -> String {
    serde_json::from_str::<Value>(line).unwrap()["hash"].as_str().unwrap().to_owned()
}

#[test]
fn intact_log_verifies() {
    let d = tempfile::tempdir().unwrap();
    let p = write_log(d.path(), 10);
    let r = verify(&p, None).unwrap();
    assert!(r.intact, "{r:?}");
    assert_eq!(r.records, 10);
    assert_eq!(r.anchor, AnchorStatus::Match);
}

#[test]
fn edited_record_is_detected() {
    let d = tempfile::tempdir().unwrap();
    let p = write_log(d.path(), 10);
    let mut l = lines(&p);
    l[4] = l[4].replace("办理居住证", "办理护照");
    write_lines(&p, &l);
    let r = verify(&p, None).unwrap();
    assert!(!r.intact);
    let bad = r.first_bad.unwrap();
    assert_eq!((bad.line, bad.seq), (5, Some(5)));
    assert!(bad.reason.contains("edited"), "{}", bad.reason);
}

#[test]
fn edited_and_rehashed_record_breaks_the_chain() {
    let d = tempfile::tempdir().unwrap();
    let p = write_log(d.path(), 10);
    let mut l = lines(&p);
    l[4] = rehash(&l[4].replace("办理居住证", "办理护照"), None, None);
    write_lines(&p, &l);
    let bad = verify(&p, None).unwrap().first_bad.unwrap();
    assert_eq!(bad.line, 6, "the next record's prev no longer matches");
    assert!(bad.reason.contains("chain broken"), "{}", bad.reason);
}

#[test]
fn fully_rechained_rewrite_is_caught_by_the_anchor() {
    let d = tempfile::tempdir().unwrap();
    let p = write_log(d.path(), 5);
    let mut l = lines(&p);
    l[2] = rehash(&l[2].replace("办理居住证", "办理护照"), None, None);
    for i in 3..5 {
        let prev = hash_of(&l[i - 1]);
        l[i] = rehash(&l[i], Some(&prev), None);
    }
    write_lines(&p, &l);
    let r = verify(&p, None).unwrap();
    assert!(!r.intact);
    assert!(r.first_bad.is_none(), "the chain itself is consistent");
    assert_eq!(r.anchor, AnchorStatus::Mismatch);
}

#[test]
fn deleted_record_is_detected() {
    let d = tempfile::tempdir().unwrap();
    let p = write_log(d.path(), 10);
    let mut l = lines(&p);
    l.remove(3);
    write_lines(&p, &l);
    let bad = verify(&p, None).unwrap().first_bad.unwrap();
    assert_eq!((bad.line, bad.seq), (4, Some(5)));
    assert!(bad.reason.contains("deleted"), "{}", bad.reason);
}

#[test]
fn reordered_records_are_detected() {
    let d = tempfile::tempdir().unwrap();
    let p = write_log(d.path(), 10);
    let mut l = lines(&p);
    l.swap(6, 7);
    write_lines(&p, &l);
    let bad = verify(&p, None).unwrap().first_bad.unwrap();
    assert_eq!(bad.line, 7);
}

#[test]
fn inserted_record_is_detected() {
    let d = tempfile::tempdir().unwrap();
    let p = write_log(d.path(), 10);
    let mut l = lines(&p);
    // A forged record that copies its predecessor's position in the chain.
    let forged = rehash(&l[2].replace("办理居住证", "伪造"), Some(&hash_of(&l[2])), Some(4));
    l.insert(3, forged);
    write_lines(&p, &l);
    let bad = verify(&p, None).unwrap().first_bad.unwrap();
    assert_eq!(bad.line, 5, "the original seq 4 after the forged one is out of place");
    assert!(bad.reason.contains("inserted"), "{}", bad.reason);
}

#[test]
fn truncated_tail_is_detected_by_the_anchor() {
    let d = tempfile::tempdir().unwrap();
    let p = write_log(d.path(), 10);
    let l = lines(&p);
    write_lines(&p, &l[..7]);
    let r = verify(&p, None).unwrap();
    assert!(!r.intact);
    assert_eq!(r.anchor, AnchorStatus::Mismatch);
    assert!(r.anchor_detail.unwrap().contains("ends at seq 7"));
}

#[test]
fn missing_anchor_fails_verification_of_a_nonempty_log() {
    let d = tempfile::tempdir().unwrap();
    let p = write_log(d.path(), 3);
    fs::remove_file(govai_core::audit::default_anchor_path(&p)).unwrap();
    let r = verify(&p, None).unwrap();
    assert_eq!(r.anchor, AnchorStatus::Missing);
    assert!(!r.intact);
}

#[test]
fn torn_last_line_is_reported_then_quarantined_without_losing_records() {
    let d = tempfile::tempdir().unwrap();
    let p = write_log(d.path(), 6);
    let mut bytes = fs::read(&p).unwrap();
    let fragment = br#"{"seq":7,"ts":"2026-11-26T00:00:00Z","kind":"requ"#;
    bytes.extend_from_slice(fragment);
    fs::write(&p, &bytes).unwrap();
    let r = verify(&p, None).unwrap();
    assert!(!r.intact);
    assert!(r.first_bad.unwrap().reason.contains("torn"));

    let (log, report) = AuditLog::open(&p, opts()).unwrap();
    let q = report.quarantined.clone().unwrap();
    assert_eq!(q.bytes, fragment.len() as u64);
    assert_eq!(fs::read(&q.path).unwrap(), fragment, "the fragment is kept, byte for byte");
    assert_eq!((q.repair_seq, report.last_seq), (7, 7));
    assert_eq!(log.append(json!({"kind": "after-crash"})).unwrap().seq, 8);
    let r = verify(&p, None).unwrap();
    assert!(r.intact, "{r:?}");
    assert_eq!(r.records, 8);
    assert_eq!(r.repairs.len(), 1);
    assert_eq!(r.repairs[0].repair.torn_bytes, fragment.len() as u64);
}

#[test]
fn torn_only_line_in_fresh_log_is_quarantined() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("a.jsonl");
    drop(AuditLog::open(&p, opts()).unwrap());
    fs::write(&p, b"{\"seq\":1,\"ha").unwrap();
    let (log, report) = AuditLog::open(&p, opts()).unwrap();
    assert_eq!(report.quarantined.unwrap().bytes, 12);
    assert_eq!(log.append(json!({"k": 1})).unwrap().seq, 2);
    assert!(verify(&p, None).unwrap().intact);
}

#[test]
fn appending_to_a_corrupt_log_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let p = write_log(d.path(), 3);
    let mut l = lines(&p);
    l[2] = l[2].replace("办理居住证", "x");
    write_lines(&p, &l);
    let e = AuditLog::open(&p, opts()).unwrap_err();
    assert_eq!(e.kind(), govai_core::ErrorKind::Audit);
}

#[test]
fn many_threads_and_two_handles_make_one_chain() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("a.jsonl");
    // Two independent handles on one file behave like two processes (separate file locks).
    let a = Arc::new(AuditLog::open(&p, opts()).unwrap().0);
    let b = Arc::new(AuditLog::open(&p, opts()).unwrap().0);
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let log = if t % 2 == 0 { a.clone() } else { b.clone() };
            std::thread::spawn(move || {
                for i in 0..250 {
                    log.append(json!({"t": t, "i": i})).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let r = verify(&p, None).unwrap();
    assert!(r.intact, "{r:?}");
    assert_eq!(r.records, 2000);
}

#[test]
fn fsync_policies_and_custom_anchor_path() {
    let d = tempfile::tempdir().unwrap();
    for (i, fsync) in [FsyncPolicy::Always, FsyncPolicy::Every(3), FsyncPolicy::Never].into_iter().enumerate() {
        let p = d.path().join(format!("log{i}.jsonl"));
        let anchor = d.path().join(format!("elsewhere{i}.anchor"));
        let (log, _) =
            AuditLog::open(&p, AuditOptions { fsync, anchor: Some(anchor.clone()), ..AuditOptions::default() })
                .unwrap();
        for _ in 0..5 {
            log.append(json!({"x": 1})).unwrap();
        }
        log.sync().unwrap();
        assert!(anchor.exists());
        assert!(verify(&p, Some(&anchor)).unwrap().intact);
        // The default anchor location is not used, so verifying against it reports it missing.
        assert_eq!(verify(&p, None).unwrap().anchor, AnchorStatus::Missing);
    }
}

/// `audit verify /dev/zero` (an endless line) stops at the record limit instead of reading
/// until memory runs out.
#[test]
fn verify_of_an_endless_line_stops_at_the_record_limit() {
    let report = govai_core::audit::verify("/dev/zero", None).unwrap();
    assert!(!report.intact);
    let bad = report.first_bad.unwrap();
    assert_eq!(bad.line, 1);
    assert!(bad.reason.contains("longer than the limit"), "{}", bad.reason);
}
