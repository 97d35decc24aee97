//! The writer checks the log before it appends: a log that lost its tail, a foreign file, a torn
//! tail and a record without its newline are each handled without losing or hiding anything;
//! signed checkpoints catch a consistent rewrite of the whole file; a failing disk is an error.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::{Path, PathBuf};

use govai_core::ErrorKind;
use govai_core::audit::{
    AuditLog, AuditOptions, FsyncPolicy, VerifyOptions, acknowledge_gap, canonical_json, default_anchor_path, keygen,
    public_key_path, record_hash, verify, verify_with,
};
use serde_json::{Value, json};

fn opts() -> AuditOptions {
    AuditOptions { fsync: FsyncPolicy::Never, ..AuditOptions::default() }
}

fn write_log(p: &Path, options: AuditOptions, n: u64) {
    let (log, _) = AuditLog::open(p, options).unwrap();
    for i in 0..n {
        log.append(json!({"kind": "request", "i": i})).unwrap();
    }
}

fn lines(p: &Path) -> Vec<String> {
    fs::read_to_string(p).unwrap().lines().map(str::to_owned).collect()
}

fn write_lines(p: &Path, l: &[String]) {
    fs::write(p, l.iter().map(|s| format!("{s}\n")).collect::<String>()).unwrap();
}

#[test]
fn delete_tail_then_write_is_refused_until_acknowledged() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("audit.jsonl");
    write_log(&p, opts(), 5);
    let l = lines(&p);
    write_lines(&p, &l[..4]);
    let e = AuditLog::open(&p, opts()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Audit);
    let msg = e.to_string();
    assert!(msg.contains("records removed from the tail") && msg.contains("acknowledge-gap"), "{msg}");
    assert_eq!(lines(&p).len(), 4, "nothing written");
    assert!(!verify(&p, None).unwrap().intact);

    let r = acknowledge_gap(&p, &opts(), "seq 5 lost in a restore from backup").unwrap();
    assert_eq!(r.seq, 5);
    let (log, _) = AuditLog::open(&p, opts()).unwrap();
    assert_eq!(log.append(json!({"kind": "request"})).unwrap().seq, 6);
    let v = verify(&p, None).unwrap();
    assert!(v.intact, "{v:?}");
    assert_eq!(v.gaps.len(), 1);
    let g = &v.gaps[0].gap;
    assert_eq!((g.expected_seq, g.found_seq), (Some(5), 4));
    assert_eq!(g.reason, "seq 5 lost in a restore from backup");
    // Nothing left to acknowledge.
    assert!(acknowledge_gap(&p, &opts(), "again").is_err());
}

#[test]
fn a_log_truncated_while_open_is_refused_on_the_next_append() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("audit.jsonl");
    let (log, _) = AuditLog::open(&p, opts()).unwrap();
    for _ in 0..3 {
        log.append(json!({"x": 1})).unwrap();
    }
    let l = lines(&p);
    write_lines(&p, &l[..2]);
    assert_eq!(log.append(json!({"x": 2})).unwrap_err().kind(), ErrorKind::Audit);
}

#[test]
fn missing_anchor_is_refused_and_can_be_acknowledged() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("audit.jsonl");
    write_log(&p, opts(), 2);
    fs::remove_file(default_anchor_path(&p)).unwrap();
    assert!(AuditLog::open(&p, opts()).unwrap_err().to_string().contains("no anchor"));
    acknowledge_gap(&p, &opts(), "anchor storage replaced").unwrap();
    assert!(AuditLog::open(&p, opts()).is_ok());
    let v = verify(&p, None).unwrap();
    assert!(v.intact && v.gaps[0].gap.expected_seq.is_none(), "{v:?}");
}

#[test]
fn torn_tail_then_write_keeps_the_fragment_and_records_the_repair() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("audit.jsonl");
    write_log(&p, opts(), 3);
    let full = fs::read(&p).unwrap();
    let mut l = lines(&p);
    let last = l.pop().unwrap();
    // The last record cut in the middle (a crash mid-write; its anchor not yet written).
    let mut torn = full[..full.len() - last.len() - 1].to_vec();
    torn.extend_from_slice(&last.as_bytes()[..40]);
    fs::write(&p, &torn).unwrap();
    fs::write(default_anchor_path(&p), serde_json::to_vec(&json!({"seq": 2, "hash": hash(&l[1])})).unwrap()).unwrap();
    let (log, report) = AuditLog::open(&p, opts()).unwrap();
    let q = report.quarantined.clone().unwrap();
    assert!(q.path.file_name().unwrap().to_string_lossy().starts_with("audit.jsonl.torn-3-"));
    assert_eq!(fs::read(&q.path).unwrap(), &last.as_bytes()[..40]);
    assert!(!report.notices(&p).is_empty());
    log.append(json!({"after": true})).unwrap();
    let v = verify(&p, None).unwrap();
    assert!(v.intact, "{v:?}");
    let rep = &v.repairs[0].repair;
    assert_eq!((v.repairs[0].seq, rep.torn_bytes), (3, 40));
    assert_eq!(rep.torn_sha256, hex_sha(&last.as_bytes()[..40]));
}

#[test]
fn missing_final_newline_keeps_the_record() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("audit.jsonl");
    write_log(&p, opts(), 3);
    let mut bytes = fs::read(&p).unwrap();
    bytes.pop();
    fs::write(&p, &bytes).unwrap();
    let (log, report) = AuditLog::open(&p, opts()).unwrap();
    assert!(report.newline_added && report.quarantined.is_none());
    assert_eq!(report.last_seq, 3);
    assert_eq!(log.append(json!({"x": 1})).unwrap().seq, 4);
    let v = verify(&p, None).unwrap();
    assert!(v.intact && v.records == 4 && v.repairs.is_empty(), "{v:?}");
}

#[test]
fn foreign_files_are_refused_untouched() {
    let d = tempfile::tempdir().unwrap();
    for (name, body) in [
        ("one-line.txt", &b"important notes without a newline"[..]),
        ("notes.txt", b"line one\nline two\n"),
        ("other.jsonl", b"{\"seq\":1,\"hash\":\"x\"}\n"),
    ] {
        let p = d.path().join(name);
        fs::write(&p, body).unwrap();
        let e = AuditLog::open(&p, opts()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Audit);
        let msg = e.to_string();
        assert!(msg.contains(name) && msg.contains("not a govai audit log"), "{msg}");
        assert_eq!(fs::read(&p).unwrap(), body, "{name} untouched");
        assert!(!default_anchor_path(&p).exists());
    }
    // A govai log whose head was cut off is refused too.
    let p = d.path().join("headless.jsonl");
    write_log(&p, opts(), 3);
    let l = lines(&p);
    write_lines(&p, &l[1..]);
    assert!(AuditLog::open(&p, opts()).unwrap_err().to_string().contains("first record has seq 2"));
}

#[test]
fn a_created_directory_and_a_new_log_are_reported() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("new/dir/audit.jsonl");
    let (_, report) = AuditLog::open(&p, opts()).unwrap();
    assert_eq!(report.created_dir.as_deref(), Some(d.path().join("new/dir").as_path()));
    assert!(report.created);
    assert_eq!(report.notices(&p).len(), 2);
    let (_, again) = AuditLog::open(&p, opts()).unwrap();
    assert!(again.notices(&p).is_empty(), "{again:?}");
}

fn hash(line: &str) -> String {
    serde_json::from_str::<Value>(line).unwrap()["hash"].as_str().unwrap().to_owned()
}

fn hex_sha(b: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(b))
}

fn keys(d: &Path) -> PathBuf {
    let dir = d.join("keys");
    fs::create_dir_all(&dir).unwrap();
    let key = dir.join("audit.key");
    let info = keygen(&key).unwrap();
    assert_eq!(info.public_key.len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert!(keygen(&key).is_err(), "never overwrites a key");
    key
}

fn signed(key: &Path, every: u64) -> AuditOptions {
    AuditOptions { signing_key: Some(key.to_owned()), checkpoint_every: Some(every), ..opts() }
}

#[test]
fn signed_checkpoints_verify_and_unsigned_tail_is_reported() {
    let d = tempfile::tempdir().unwrap();
    let key = keys(d.path());
    let p = d.path().join("log/audit.jsonl");
    let witness = d.path().join("witness.jsonl");
    let options = AuditOptions { checkpoint_witness: Some(witness.clone()), ..signed(&key, 4) };
    write_log(&p, options, 10);
    let vo = VerifyOptions { pubkey: Some(public_key_path(&key)), witness: Some(witness.clone()), anchor: None };
    let v = verify_with(&p, &vo).unwrap();
    assert!(v.intact, "{v:?}");
    // Genesis checkpoint at seq 1, then one after each seq that is a multiple of 4.
    assert_eq!(v.checkpoints, 4);
    let s = v.signatures.unwrap();
    assert_eq!((s.valid_checkpoints, s.problem), (4, None));
    assert_eq!((s.last_signed_seq, s.unsigned_records), (12, 1), "seq 13 is the last checkpoint");
    assert_eq!(v.witness.unwrap().matched, 4);

    // Another key does not vouch for it.
    let other = keys(&d.path().join("o"));
    let v =
        verify_with(&p, &VerifyOptions { pubkey: Some(public_key_path(&other)), ..VerifyOptions::default() }).unwrap();
    assert!(!v.intact);
    assert!(v.signatures.unwrap().problem.unwrap().contains("signed by key"));
}

#[test]
fn key_inside_the_log_directory_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let key = d.path().join("audit.key");
    keygen(&key).unwrap();
    let e = AuditLog::open(d.path().join("audit.jsonl"), signed(&key, 10)).unwrap_err();
    assert!(e.to_string().contains("outside the log's directory"), "{e}");
    let e = AuditLog::open(d.path().join("x.jsonl"), AuditOptions { checkpoint_every: Some(3), ..opts() }).unwrap_err();
    assert!(e.to_string().contains("signing_key"), "{e}");
}

/// Rewrite every record (an edit in the middle), re-chain, re-anchor: what a forger with write
/// access but no key can do. `keep_checkpoints`: re-chain the old checkpoint lines too (their
/// signatures then cover hashes that no longer exist); else drop them.
fn forge(p: &Path, keep_checkpoints: bool) {
    let mut prev = "0".repeat(64);
    let mut out = Vec::new();
    let mut seq = 0;
    for line in lines(p) {
        let Value::Object(mut m) = serde_json::from_str::<Value>(&line).unwrap() else { panic!() };
        let is_cp = m.get("kind") == Some(&json!("checkpoint"));
        if is_cp && !keep_checkpoints {
            continue;
        }
        if m.get("i") == Some(&json!(5)) {
            m.insert("i".into(), json!(555));
        }
        if is_cp {
            m.insert("checkpoint_seq".into(), json!(seq));
            m.insert("checkpoint_hash".into(), json!(prev));
        }
        seq += 1;
        m.insert("seq".into(), json!(seq));
        m.insert("prev".into(), json!(prev));
        let h = record_hash(&m);
        m.insert("hash".into(), json!(h));
        prev = h;
        out.push(canonical_json(&Value::Object(m)));
    }
    write_lines(p, &out);
    fs::write(default_anchor_path(p), serde_json::to_vec(&json!({"seq": seq, "hash": prev})).unwrap()).unwrap();
}

#[test]
fn rewrite_whole_file_with_new_hashes_is_caught_by_the_signatures() {
    for keep in [true, false] {
        let d = tempfile::tempdir().unwrap();
        let key = keys(d.path());
        let p = d.path().join("log/audit.jsonl");
        write_log(&p, signed(&key, 3), 12);
        forge(&p, keep);
        // The chain and the rewritten anchor agree: without the key's signatures this passes.
        assert!(verify(&p, None).unwrap().intact);
        let v = verify_with(&p, &VerifyOptions { pubkey: Some(public_key_path(&key)), ..VerifyOptions::default() })
            .unwrap();
        assert!(!v.intact, "keep checkpoints {keep}: {v:?}");
        let problem = v.signatures.unwrap().problem.unwrap();
        assert!(problem.contains(if keep { "signature invalid" } else { "no checkpoint" }), "{problem}");
    }
}

#[test]
fn a_truncated_signed_log_is_caught_by_the_witness() {
    let d = tempfile::tempdir().unwrap();
    let key = keys(d.path());
    let p = d.path().join("log/audit.jsonl");
    let witness = d.path().join("witness.jsonl");
    write_log(&p, AuditOptions { checkpoint_witness: Some(witness.clone()), ..signed(&key, 3) }, 9);
    let l = lines(&p);
    write_lines(&p, &l[..5]);
    fs::write(default_anchor_path(&p), serde_json::to_vec(&json!({"seq": 5, "hash": hash(&l[4])})).unwrap()).unwrap();
    let vo = VerifyOptions { pubkey: Some(public_key_path(&key)), witness: Some(witness), anchor: None };
    let v = verify_with(&p, &vo).unwrap();
    assert!(!v.intact);
    assert!(v.witness.unwrap().problem.unwrap().contains("does not"));
}

#[cfg(target_os = "linux")]
#[test]
fn a_failing_disk_is_an_error_and_nothing_counts_as_recorded() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("audit.jsonl");
    std::os::unix::fs::symlink("/dev/full", &p).unwrap();
    let (log, _) = AuditLog::open(&p, opts()).unwrap();
    let e = log.append(json!({"kind": "request"})).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io, "{e}");
    assert!(e.to_string().contains("audit.jsonl"), "{e}");
    // The anchor did not move past what the disk holds.
    let anchor: Value = serde_json::from_slice(&fs::read(default_anchor_path(&p)).unwrap()).unwrap();
    assert_eq!(anchor["seq"], 0);
}

#[test]
fn time_based_and_explicit_checkpoints() {
    let d = tempfile::tempdir().unwrap();
    let key = keys(d.path());
    let p = d.path().join("log/audit.jsonl");
    let options = AuditOptions { signing_key: Some(key.clone()), checkpoint_seconds: Some(1), ..opts() };
    let (log, _) = AuditLog::open(&p, options).unwrap();
    log.append(json!({"n": 1})).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    log.append(json!({"n": 2})).unwrap();
    assert!(log.checkpoint().unwrap().is_some());
    assert!(log.append(json!({"kind": "checkpoint"})).is_err(), "only the log writes its own kinds");
    let v =
        verify_with(&p, &VerifyOptions { pubkey: Some(public_key_path(&key)), ..VerifyOptions::default() }).unwrap();
    // Genesis, after the second record (time), explicit.
    assert_eq!(v.checkpoints, 3, "{v:?}");
    let s = v.signatures.unwrap();
    assert_eq!((s.valid_checkpoints, s.unsigned_records, s.problem), (3, 0, None));
}
