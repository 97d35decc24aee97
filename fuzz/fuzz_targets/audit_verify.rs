//! Any bytes as an audit log -> `govai_core::audit::verify` and `AuditLog::open`: no panic; a
//! report for any content (its `records` never exceed the lines of the file, `intact` only when
//! no bad record was found); opening it for writing either refuses with an `audit` error or
//! leaves a log that verifies after one more append.
#![no_main]

use govai_core::ErrorKind;
use govai_core::audit::{AuditLog, AuditOptions, verify};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else { return };
    let log = dir.path().join("audit.jsonl");
    if std::fs::write(&log, data).is_err() {
        return;
    }
    let report = verify(&log, None).expect("verify reads any bytes");
    let lines = data.split(|&b| b == b'\n').count() as u64;
    assert!(report.records <= lines, "more records than lines");
    assert!(!report.intact || report.first_bad.is_none(), "intact with a bad record");
    match AuditLog::open(&log, AuditOptions::default()) {
        Ok((writer, _)) => {
            writer.append(serde_json::json!({"kind": "fuzz"})).expect("append to an opened log");
            drop(writer);
            let after = verify(&log, None).expect("verify after append");
            assert!(after.first_bad.is_none(), "a log the writer accepted has a bad record after one append");
        }
        Err(e) => assert!(matches!(e.kind(), ErrorKind::Audit | ErrorKind::Io), "{e}"),
    }
});
