//! Append-only, hash-chained audit log in JSON Lines.
//!
//! Each line is one record: the event's fields plus `seq` (1, 2, ...), `ts` (RFC 3339 UTC),
//! `prev` (hash of the previous record, 64 zeros for the first) and `hash` = SHA-256 over the
//! canonical form of the record without `hash` (object keys sorted, no whitespace).
//! An anchor file (`<log>.anchor`, or a path of your choice, ideally on other storage) holds the
//! last `seq` and `hash`, so a truncated tail or a wholesale rewrite is detected too.
//!
//! Writers serialise through an in-process mutex and an exclusive OS file lock, and re-read the
//! tail when another process has appended, so many threads and processes produce one chain.
//! On open, a torn last line (a crash mid-write: no trailing newline) is cut off; complete
//! earlier records are never touched.

use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

mod record;

pub(crate) use record::RequestFacts;
pub use record::{AuditRecord, ConversationDigest, RecordKind, TurnDigest};

pub(crate) const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";
const RESERVED: [&str; 4] = ["seq", "ts", "prev", "hash"];

/// When to fsync the log file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum FsyncPolicy {
    /// After every record (durable; slowest).
    #[default]
    Always,
    /// After every n records.
    Every(u32),
    /// Leave it to the OS.
    Never,
}

/// How an [`AuditLog`] is opened (the `[audit]` table of the config, besides `path`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct AuditOptions {
    /// When appended records are flushed to disk.
    pub fsync: FsyncPolicy,
    /// Where to keep the anchor; default `<log path>.anchor`.
    pub anchor: Option<PathBuf>,
}

/// What `append` returns: the record's id in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditReceipt {
    /// The record's `seq` (1-based position in the chain).
    pub seq: u64,
    /// The record's `hash` (64 lowercase hex digits).
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Anchor {
    seq: u64,
    hash: String,
}

/// What opening found and repaired.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct OpenReport {
    /// Bytes of a torn last line that were cut off.
    pub torn_bytes_removed: u64,
    /// `seq` of the last complete record (0 for an empty log).
    pub last_seq: u64,
}

#[derive(Debug)]
struct Tail {
    /// File length this state was read at.
    len: u64,
    seq: u64,
    hash: String,
    unsynced: u32,
}

/// An open audit log. `Send + Sync`; share it behind an `Arc`.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    anchor_path: PathBuf,
    fsync: FsyncPolicy,
    state: Mutex<(File, Tail)>,
}

/// Where the anchor is kept unless [`AuditOptions::anchor`] says otherwise: `<log path>.anchor`.
pub fn default_anchor_path(log: &Path) -> PathBuf {
    let mut s = log.as_os_str().to_owned();
    s.push(".anchor");
    PathBuf::from(s)
}

fn audit_err(path: &Path, reason: impl Into<String>) -> Error {
    Error::Audit { path: path.to_owned(), reason: reason.into() }
}

/// Serialise a JSON value with object keys sorted at every depth, no whitespace.
/// Independent of serde_json's `preserve_order` feature, so hashes are stable across builds.
pub fn canonical_json(v: &Value) -> String {
    fn write(v: &Value, out: &mut String) {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(k.clone()).to_string());
                    out.push(':');
                    write(&m[k], out);
                }
                out.push('}');
            }
            Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(x, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(v, &mut out);
    out
}

/// The hash of a record: SHA-256 of its canonical form without the `hash` field.
pub fn record_hash(record: &Map<String, Value>) -> String {
    let mut m = record.clone();
    m.remove("hash");
    hex::encode(Sha256::digest(canonical_json(&Value::Object(m)).as_bytes()))
}

impl AuditLog {
    /// Open (creating if needed) the log at `path`, repairing a torn last line.
    pub fn open(path: impl AsRef<Path>, options: AuditOptions) -> Result<(Self, OpenReport)> {
        let path = path.as_ref().to_owned();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let mut file =
            OpenOptions::new().read(true).append(true).create(true).open(&path).map_err(|e| Error::io(&path, e))?;
        file.lock().map_err(|e| Error::io(&path, e))?;
        let result = read_tail(&mut file, &path, true);
        let unlock = file.unlock().map_err(|e| Error::io(&path, e));
        let (tail, torn) = result?;
        unlock?;
        let anchor_path = options.anchor.clone().unwrap_or_else(|| default_anchor_path(&path));
        let report = OpenReport { torn_bytes_removed: torn, last_seq: tail.seq };
        Ok((Self { path, anchor_path, fsync: options.fsync, state: Mutex::new((file, tail)) }, report))
    }

    /// The log file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append the record of a request.
    pub(crate) fn append_record(&self, record: &AuditRecord) -> Result<AuditReceipt> {
        let value = serde_json::to_value(record).map_err(|e| Error::Internal(format!("audit record: {e}")))?;
        self.append(value)
    }

    /// Append one event (a JSON object without the reserved keys seq, ts, prev, hash).
    pub fn append(&self, event: Value) -> Result<AuditReceipt> {
        let Value::Object(mut record) = event else {
            return Err(Error::InvalidInput("audit event must be a JSON object".into()));
        };
        if let Some(k) = RESERVED.iter().find(|k| record.contains_key(**k)) {
            return Err(Error::InvalidInput(format!("audit event may not set reserved key `{k}`")));
        }
        let mut guard =
            self.state.lock().map_err(|_| audit_err(&self.path, "audit writer poisoned by an earlier panic"))?;
        let (file, tail) = &mut *guard;
        file.lock().map_err(|e| Error::io(&self.path, e))?;
        let result = self.append_locked(file, tail, &mut record);
        let unlock = file.unlock().map_err(|e| Error::io(&self.path, e));
        let receipt = result?;
        unlock?;
        Ok(receipt)
    }

    fn append_locked(&self, file: &mut File, tail: &mut Tail, record: &mut Map<String, Value>) -> Result<AuditReceipt> {
        let len = file.metadata().map_err(|e| Error::io(&self.path, e))?.len();
        if len != tail.len {
            // Another process appended (or repaired) since we last looked.
            let (fresh, _) = read_tail(file, &self.path, true)?;
            *tail = Tail { unsynced: tail.unsynced, ..fresh };
        }
        let seq = tail.seq + 1;
        record.insert("seq".into(), Value::from(seq));
        record
            .insert("ts".into(), Value::from(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)));
        record.insert("prev".into(), Value::from(tail.hash.clone()));
        let hash = record_hash(record);
        record.insert("hash".into(), Value::from(hash.clone()));
        let mut line = canonical_json(&Value::Object(std::mem::take(record)));
        line.push('\n');
        // One write call with O_APPEND: a crash leaves at most a torn last line.
        file.write_all(line.as_bytes()).map_err(|e| Error::io(&self.path, e))?;
        tail.len += line.len() as u64;
        tail.seq = seq;
        tail.hash.clone_from(&hash);
        tail.unsynced += 1;
        let sync = match self.fsync {
            FsyncPolicy::Always => true,
            FsyncPolicy::Every(n) => tail.unsynced >= n.max(1),
            FsyncPolicy::Never => false,
        };
        if sync {
            file.sync_data().map_err(|e| Error::io(&self.path, e))?;
            tail.unsynced = 0;
        }
        write_anchor(&self.anchor_path, &Anchor { seq, hash: hash.clone() }, sync)?;
        Ok(AuditReceipt { seq, hash })
    }

    /// Flush everything to disk.
    pub fn sync(&self) -> Result<()> {
        let mut guard = self.state.lock().map_err(|_| audit_err(&self.path, "audit writer poisoned"))?;
        guard.0.sync_data().map_err(|e| Error::io(&self.path, e))?;
        guard.1.unsynced = 0;
        Ok(())
    }
}

fn write_anchor(path: &Path, anchor: &Anchor, sync: bool) -> Result<()> {
    // Write-then-rename so a crash never leaves a half-written anchor.
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let body = serde_json::to_vec(anchor).map_err(|e| audit_err(path, e.to_string()))?;
    {
        let mut f = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        f.write_all(&body).map_err(|e| Error::io(&tmp, e))?;
        if sync {
            f.sync_data().map_err(|e| Error::io(&tmp, e))?;
        }
    }
    fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// Read the last complete record. With `repair`, cut off a torn last line (bytes after the
/// final newline). A complete but invalid last line is an error: that is tampering or
/// corruption, not a crash, and appending to it would hide the damage.
fn read_tail(file: &mut File, path: &Path, repair: bool) -> Result<(Tail, u64)> {
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    if len == 0 {
        return Ok((Tail { len: 0, seq: 0, hash: GENESIS_HASH.to_owned(), unsynced: 0 }, 0));
    }
    // Read backwards in growing windows until we hold the last complete line.
    let mut window: u64 = 64 * 1024;
    loop {
        let start = len.saturating_sub(window);
        let mut buf = Vec::with_capacity((len - start) as usize);
        file.seek(SeekFrom::Start(start)).map_err(|e| Error::io(path, e))?;
        Read::by_ref(file).take(len - start).read_to_end(&mut buf).map_err(|e| Error::io(path, e))?;
        let Some(last_nl) = buf.iter().rposition(|&b| b == b'\n') else {
            if start == 0 {
                // No newline at all: the whole file is one torn line.
                return finish_torn(file, path, repair, 0, len, None);
            }
            window *= 4;
            continue;
        };
        let good_end = start + last_nl as u64 + 1;
        let torn = len - good_end;
        let line_start = buf[..last_nl].iter().rposition(|&b| b == b'\n').map(|p| p + 1);
        if line_start.is_none() && start > 0 {
            window *= 4;
            continue;
        }
        let line = &buf[line_start.unwrap_or(0)..last_nl];
        let (seq, hash) = parse_valid(line).ok_or_else(|| {
            audit_err(path, "last complete record is invalid (edited or corrupt); run `govai audit verify` and restore from backup before appending")
        })?;
        if torn > 0 {
            return finish_torn(file, path, repair, good_end, torn, Some((seq, hash)));
        }
        return Ok((Tail { len, seq, hash, unsynced: 0 }, 0));
    }
}

fn finish_torn(
    file: &mut File,
    path: &Path,
    repair: bool,
    good_end: u64,
    torn: u64,
    last: Option<(u64, String)>,
) -> Result<(Tail, u64)> {
    if !repair {
        return Err(audit_err(path, format!("torn last line ({torn} bytes without newline)")));
    }
    file.set_len(good_end).map_err(|e| Error::io(path, e))?;
    file.sync_all().map_err(|e| Error::io(path, e))?;
    let (seq, hash) = last.unwrap_or((0, GENESIS_HASH.to_owned()));
    Ok((Tail { len: good_end, seq, hash, unsynced: 0 }, torn))
}

/// Parse a line and check its own hash; returns (seq, hash).
fn parse_valid(line: &[u8]) -> Option<(u64, String)> {
    let Value::Object(m) = serde_json::from_slice::<Value>(line).ok()? else {
        return None;
    };
    let seq = m.get("seq")?.as_u64()?;
    let hash = m.get("hash")?.as_str()?.to_owned();
    (record_hash(&m) == hash).then_some((seq, hash))
}

/// The first record that breaks the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadRecord {
    /// 1-based line number.
    pub line: u64,
    /// The record's seq if it could be read.
    pub seq: Option<u64>,
    /// What is wrong with it, in English.
    pub reason: String,
}

/// How the anchor file relates to the log (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnchorStatus {
    /// The anchor names the last record.
    Match,
    /// The anchor names an earlier record, which matches (a crash between append and anchor update).
    Behind,
    /// No anchor file: truncation of the tail cannot be detected (not intact unless the log is empty).
    Missing,
    /// The anchor disagrees with the log: truncated or rewritten.
    Mismatch,
}

/// Result of verifying a log. `intact` is the one bit a caller needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// No broken record and the anchor matches (or is behind); a missing anchor is intact only for
    /// an empty log.
    pub intact: bool,
    /// Valid records read before the end or the first bad record.
    pub records: u64,
    /// `seq` of the last valid record (0 if none).
    pub last_seq: u64,
    /// `hash` of the last valid record (64 zeros if none): what the next record's `prev` must be.
    pub last_hash: String,
    /// The first record that breaks the chain; verification stops there.
    pub first_bad: Option<BadRecord>,
    /// The anchor check's result.
    pub anchor: AnchorStatus,
    /// Why the anchor is not [`AnchorStatus::Match`] (English), if it is not.
    pub anchor_detail: Option<String>,
}

/// Verify a log file record by record (streaming, bounded memory) and against its anchor.
/// `anchor`: `None` = the default `<log>.anchor`.
pub fn verify(path: impl AsRef<Path>, anchor: Option<&Path>) -> Result<VerifyReport> {
    let path = path.as_ref();
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = BufReader::new(file);
    let anchor_path = anchor.map_or_else(|| default_anchor_path(path), Path::to_owned);
    let anchor: Option<Anchor> = match fs::read(&anchor_path) {
        Ok(bytes) => Some(
            serde_json::from_slice(&bytes).map_err(|e| audit_err(&anchor_path, format!("anchor unreadable: {e}")))?,
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(&anchor_path, e)),
    };
    let mut expected_prev = GENESIS_HASH.to_owned();
    let mut expected_seq = 1u64;
    let mut records = 0u64;
    let mut first_bad: Option<BadRecord> = None;
    let mut hash_at_anchor: Option<String> = None;
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        if buf.last() != Some(&b'\n') {
            first_bad = Some(BadRecord {
                line: line_no,
                seq: None,
                reason: format!(
                    "torn last line ({n} bytes without newline, a crash mid-write); opening the log for append repairs it"
                ),
            });
            break;
        }
        let bad = |seq, reason: String| Some(BadRecord { line: line_no, seq, reason });
        let m = match serde_json::from_slice::<Value>(&buf[..n - 1]) {
            Ok(Value::Object(m)) => m,
            Ok(_) | Err(_) => {
                first_bad = bad(None, "not a JSON object".into());
                break;
            }
        };
        let seq = m.get("seq").and_then(Value::as_u64);
        let (Some(s), Some(prev), Some(hash)) =
            (seq, m.get("prev").and_then(Value::as_str), m.get("hash").and_then(Value::as_str))
        else {
            first_bad = bad(seq, "missing seq, prev or hash".into());
            break;
        };
        if record_hash(&m) != hash {
            first_bad = bad(seq, "content does not match its hash (record edited)".into());
            break;
        }
        if s != expected_seq {
            let what =
                if s > expected_seq { "records deleted before it" } else { "record inserted, duplicated or reordered" };
            first_bad = bad(seq, format!("seq {s}, expected {expected_seq}: {what}"));
            break;
        }
        if prev != expected_prev {
            first_bad = bad(seq, "prev does not match the previous record's hash (chain broken)".into());
            break;
        }
        if anchor.as_ref().is_some_and(|a| a.seq == s) {
            hash_at_anchor = Some(hash.to_owned());
        }
        expected_prev = hash.to_owned();
        expected_seq = s + 1;
        records += 1;
    }
    let last_seq = expected_seq - 1;
    let (anchor_status, anchor_detail) = match (&anchor, first_bad.is_some()) {
        (None, _) => (AnchorStatus::Missing, Some(format!("no anchor at {}", anchor_path.display()))),
        (Some(_), true) => (AnchorStatus::Mismatch, Some("chain broken before the anchor could be checked".to_owned())),
        (Some(a), false) if a.seq > last_seq => (
            AnchorStatus::Mismatch,
            Some(format!(
                "anchor names seq {} but the log ends at seq {last_seq}: records removed from the tail",
                a.seq
            )),
        ),
        (Some(a), false) if hash_at_anchor.as_deref() != Some(a.hash.as_str()) => {
            (AnchorStatus::Mismatch, Some(format!("record {} does not have the anchored hash: log rewritten", a.seq)))
        }
        (Some(a), false) if a.seq < last_seq => {
            (AnchorStatus::Behind, Some(format!("anchor at seq {}, log at {last_seq}", a.seq)))
        }
        (Some(_), false) => (AnchorStatus::Match, None),
    };
    // govai writes an anchor with every record, so a missing anchor beside a non-empty log
    // means it was removed, and a truncated tail could no longer be detected.
    let anchor_ok = match anchor_status {
        AnchorStatus::Match | AnchorStatus::Behind => true,
        AnchorStatus::Missing => records == 0,
        AnchorStatus::Mismatch => false,
    };
    let intact = first_bad.is_none() && anchor_ok;
    Ok(VerifyReport {
        intact,
        records,
        last_seq,
        last_hash: expected_prev,
        first_bad,
        anchor: anchor_status,
        anchor_detail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_form_sorts_keys_recursively() {
        let v = json!({"b": 1, "a": {"z": [1, {"y": 2, "x": 3}], "c": "é"}});
        assert_eq!(canonical_json(&v), r#"{"a":{"c":"é","z":[1,{"x":3,"y":2}]},"b":1}"#);
    }

    #[test]
    fn append_and_verify_roundtrip() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        let (log, rep) = AuditLog::open(&p, AuditOptions { fsync: FsyncPolicy::Never, anchor: None }).unwrap();
        assert_eq!(rep.last_seq, 0);
        for i in 0..5 {
            let r = log.append(json!({"kind": "test", "i": i})).unwrap();
            assert_eq!(r.seq, i + 1);
        }
        let v = verify(&p, None).unwrap();
        assert!(v.intact, "{v:?}");
        assert_eq!((v.records, v.anchor), (5, AnchorStatus::Match));
        assert!(log.append(json!({"seq": 1})).is_err());
        assert!(log.append(json!([1])).is_err());
    }
}
