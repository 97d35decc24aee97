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
//!
//! Before appending, a writer checks the log against its anchor and refuses to write when
//! records are missing from the tail, the tail was rewritten or the anchor is gone
//! ([`acknowledge_gap`] records such a loss so that writing can resume). It refuses a file that
//! is not a govai audit log. A torn last line (a crash mid-write) is never discarded: it is moved
//! to a quarantine file `<log>.torn-<seq>-<time>` and a `repair` record naming its SHA-256 and
//! length is appended; a complete last record that only lacks its newline is kept.
//!
//! With a signing key, the writer appends Ed25519-signed `checkpoint` records (see
//! [`events::Checkpoint`]); [`verify_with`] checks them against the public key, so a
//! consistent rewrite of the whole file (anchor included) is caught.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

pub mod events;
mod record;
mod signing;
mod tail;

use tail::{Gap, inspect, last_line, read_anchor, write_anchor};
mod verify;

pub(crate) use record::RequestFacts;
pub use record::{AuditRecord, ConversationDigest, RecordKind, TurnDigest};
pub use signing::{KeyInfo, keygen, public_key_path};
pub use verify::{
    AnchorStatus, BadRecord, GapNote, RepairNote, SignatureReport, VerifyOptions, VerifyReport, WitnessReport, verify,
    verify_with,
};

pub(crate) const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";
const RESERVED: [&str; 4] = ["seq", "ts", "prev", "hash"];
/// `kind`s only the log itself writes.
const LOG_KINDS: [&str; 3] = ["checkpoint", "gap_acknowledged", "repair"];

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
    /// Ed25519 private key file (64 hex digits, see [`keygen`]) for signed checkpoints. Must
    /// not be inside the log's directory.
    pub signing_key: Option<PathBuf>,
    /// Append a signed checkpoint after each record whose seq is a multiple of N (default 1000
    /// when a signing key is set).
    pub checkpoint_every: Option<u64>,
    /// Also append one when this many seconds have passed since this writer's last checkpoint
    /// (checked when a record is appended).
    pub checkpoint_seconds: Option<u64>,
    /// Append each checkpoint line to this file too (ideally on other storage); compare with
    /// [`VerifyOptions::witness`].
    pub checkpoint_witness: Option<PathBuf>,
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

/// A torn last line moved out of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quarantined {
    /// The quarantine file.
    pub path: PathBuf,
    /// Length of the fragment.
    pub bytes: u64,
    /// SHA-256 (hex) of the fragment.
    pub sha256: String,
    /// Seq of the `repair` record that names it.
    pub repair_seq: u64,
}

/// What opening found and repaired. Everything here is worth telling an operator.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct OpenReport {
    /// `seq` of the last record (0 for an empty log), after any repair record.
    pub last_seq: u64,
    /// The log's directory did not exist and was created.
    pub created_dir: Option<PathBuf>,
    /// The log did not exist (or was empty) and was started.
    pub created: bool,
    /// The last record was complete but lacked its newline; the newline was added.
    pub newline_added: bool,
    /// A torn last line was quarantined and a `repair` record appended.
    pub quarantined: Option<Quarantined>,
}

impl OpenReport {
    /// One English line per thing an operator should hear about (empty when nothing happened).
    pub fn notices(&self, log: &Path) -> Vec<String> {
        let mut v = Vec::new();
        if let Some(d) = &self.created_dir {
            v.push(format!("created directory {} for audit log {}", d.display(), log.display()));
        }
        if self.created {
            v.push(format!("started new audit log {}", log.display()));
        }
        if self.newline_added {
            v.push(format!("audit log {}: last record lacked its newline; newline added", log.display()));
        }
        if let Some(q) = &self.quarantined {
            v.push(format!(
                "audit log {}: torn last line ({} bytes, sha256 {}) moved to {}; repair record seq {}",
                log.display(),
                q.bytes,
                q.sha256,
                q.path.display(),
                q.repair_seq
            ));
        }
        v
    }
}

#[derive(Debug)]
struct Tail {
    /// File length this state was read at.
    len: u64,
    seq: u64,
    hash: String,
    unsynced: u32,
}

struct CheckpointSigner {
    key: ed25519_dalek::SigningKey,
    key_id: String,
    every: Option<u64>,
    seconds: Option<u64>,
    witness: Option<PathBuf>,
}

impl std::fmt::Debug for CheckpointSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckpointSigner")
            .field("key_id", &self.key_id)
            .field("every", &self.every)
            .field("seconds", &self.seconds)
            .field("witness", &self.witness)
            .finish_non_exhaustive()
    }
}

/// Where records go and how they are flushed.
#[derive(Debug)]
struct Sink {
    path: PathBuf,
    anchor_path: PathBuf,
    fsync: FsyncPolicy,
}

/// An open audit log. `Send + Sync`; share it behind an `Arc`.
#[derive(Debug)]
pub struct AuditLog {
    sink: Sink,
    signer: Option<CheckpointSigner>,
    report: OpenReport,
    state: Mutex<(File, Tail, Instant)>,
}

/// Where the anchor is kept unless [`AuditOptions::anchor`] says otherwise: `<log path>.anchor`.
pub fn default_anchor_path(log: &Path) -> PathBuf {
    let mut s = log.as_os_str().to_owned();
    s.push(".anchor");
    PathBuf::from(s)
}

pub(crate) fn audit_err(path: &Path, reason: impl Into<String>) -> Error {
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

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn to_map<T: Serialize>(event: &T) -> Result<Map<String, Value>> {
    match serde_json::to_value(event) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Error::Internal("audit event is not an object".into())),
        Err(e) => Err(Error::Internal(format!("audit event: {e}"))),
    }
}

/// Whether `inner` is `dir` or inside it (both canonicalised where they exist).
fn is_inside(inner: &Path, dir: &Path) -> bool {
    let canon = |p: &Path| fs::canonicalize(p).unwrap_or_else(|_| p.to_owned());
    canon(inner).starts_with(canon(dir))
}

impl CheckpointSigner {
    fn from_options(log: &Path, options: &AuditOptions) -> Result<Option<Self>> {
        let Some(key_path) = &options.signing_key else {
            if options.checkpoint_every.is_some() || options.checkpoint_seconds.is_some() {
                return Err(audit_err(log, "checkpoint_every / checkpoint_seconds need [audit] signing_key"));
            }
            return Ok(None);
        };
        let log_dir = log.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."));
        let key_dir = key_path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."));
        if is_inside(key_dir, log_dir) {
            return Err(audit_err(
                key_path,
                format!(
                    "the signing key must be kept outside the log's directory {} (whoever can rewrite the log must not hold the key)",
                    log_dir.display()
                ),
            ));
        }
        let key = signing::load_signing_key(key_path)?;
        let key_id = signing::key_id(&key.verifying_key());
        let every = match (options.checkpoint_every, options.checkpoint_seconds) {
            (Some(0), _) => return Err(audit_err(log, "checkpoint_every must be at least 1")),
            (None, None) => Some(1000),
            (n, _) => n,
        };
        Ok(Some(Self {
            key,
            key_id,
            every,
            seconds: options.checkpoint_seconds,
            witness: options.checkpoint_witness.clone(),
        }))
    }

    fn event(&self, tail: &Tail) -> Result<Map<String, Value>> {
        let mut cp = events::Checkpoint {
            checkpoint_seq: tail.seq,
            checkpoint_hash: tail.hash.clone(),
            time: now_rfc3339(),
            key_id: self.key_id.clone(),
            every: self.every,
            sig: String::new(),
        };
        let mut m = to_map(&events::LogEvent::Checkpoint(cp.clone()))?;
        m.remove("sig");
        cp.sig = signing::sign(&self.key, &canonical_json(&Value::Object(m)));
        to_map(&events::LogEvent::Checkpoint(cp))
    }
}

impl AuditLog {
    /// Open (creating if needed) the log at `path`. Refuses a file that is not a govai audit log
    /// and a log that disagrees with its anchor (see [`acknowledge_gap`]); quarantines a torn
    /// last line and records the repair. The [`OpenReport`] tells what was done.
    pub fn open(path: impl AsRef<Path>, options: AuditOptions) -> Result<(Self, OpenReport)> {
        let path = path.as_ref().to_owned();
        let mut report = OpenReport::default();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.exists()
        {
            fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            report.created_dir = Some(dir.to_owned());
        }
        let signer = CheckpointSigner::from_options(&path, &options)?;
        let sink = Sink {
            anchor_path: options.anchor.clone().unwrap_or_else(|| default_anchor_path(&path)),
            path,
            fsync: options.fsync,
        };
        let (file, tail) = sink.locked_with(|file| {
            let found = inspect(file, &sink.path, &sink.anchor_path, true, false)?;
            if let Some(gap) = found.gap {
                return Err(refusal(&sink.path, &gap));
            }
            let mut tail = found.tail;
            report.created = found.created;
            report.newline_added = found.newline_added;
            if let Some((qpath, bytes, sha256)) = found.quarantined {
                let receipt = sink.write_repair(file, &mut tail, &qpath, bytes, &sha256)?;
                report.quarantined = Some(Quarantined { path: qpath, bytes, sha256, repair_seq: receipt.seq });
            }
            if let Some(signer) = &signer
                && tail.seq == 0
            {
                // A signed log starts with a checkpoint of the empty chain, naming the key.
                sink.write_checkpoint(file, &mut tail, signer)?;
            }
            Ok(tail)
        })?;
        report.last_seq = tail.seq;
        let log = Self { sink, signer, report: report.clone(), state: Mutex::new((file, tail, Instant::now())) };
        Ok((log, report))
    }

    /// The log file's path.
    pub fn path(&self) -> &Path {
        &self.sink.path
    }

    /// What opening found and repaired.
    pub fn open_report(&self) -> &OpenReport {
        &self.report
    }

    /// `seq` of the last record this writer knows of (0 for an empty log).
    pub fn last_seq(&self) -> Result<u64> {
        let guard = self.state.lock().map_err(|_| audit_err(&self.sink.path, "audit writer poisoned"))?;
        Ok(guard.1.seq)
    }

    /// Append the record of a request.
    pub(crate) fn append_record(&self, record: &AuditRecord) -> Result<AuditReceipt> {
        let value = serde_json::to_value(record).map_err(|e| Error::Internal(format!("audit record: {e}")))?;
        self.append(value)
    }

    /// Append one event (a JSON object without the reserved keys seq, ts, prev, hash, and not of
    /// a `kind` only the log writes: checkpoint, gap_acknowledged, repair). An error means the
    /// record may not be in the log: the caller must not treat the event as recorded.
    pub fn append(&self, event: Value) -> Result<AuditReceipt> {
        let Value::Object(record) = event else {
            return Err(Error::InvalidInput("audit event must be a JSON object".into()));
        };
        if let Some(k) = RESERVED.iter().find(|k| record.contains_key(**k)) {
            return Err(Error::InvalidInput(format!("audit event may not set reserved key `{k}`")));
        }
        if let Some(k) = record.get("kind").and_then(Value::as_str).filter(|k| LOG_KINDS.contains(k)) {
            return Err(Error::InvalidInput(format!(
                "audit event may not have kind `{k}` (written by the log itself)"
            )));
        }
        let mut guard =
            self.state.lock().map_err(|_| audit_err(&self.sink.path, "audit writer poisoned by an earlier panic"))?;
        let (file, tail, last_checkpoint) = &mut *guard;
        file.lock().map_err(|e| Error::io(&self.sink.path, e))?;
        let result = self.append_locked(file, tail, last_checkpoint, record);
        let unlock = file.unlock().map_err(|e| Error::io(&self.sink.path, e));
        let receipt = result?;
        unlock?;
        Ok(receipt)
    }

    /// When the file changed since this writer last wrote (another process appended, a write of
    /// ours failed part-way, someone truncated it), look again as on open: refuse a gap, adopt
    /// the new tail, record the repair of a quarantined fragment.
    fn catch_up(&self, file: &mut File, tail: &mut Tail) -> Result<()> {
        let len = file.metadata().map_err(|e| Error::io(&self.sink.path, e))?.len();
        if len == tail.len {
            return Ok(());
        }
        let found = inspect(file, &self.sink.path, &self.sink.anchor_path, false, false)?;
        if let Some(gap) = found.gap {
            return Err(refusal(&self.sink.path, &gap));
        }
        *tail = Tail { unsynced: tail.unsynced, ..found.tail };
        if let Some((qpath, bytes, sha256)) = found.quarantined {
            self.sink.write_repair(file, tail, &qpath, bytes, &sha256)?;
        }
        Ok(())
    }

    fn append_locked(
        &self,
        file: &mut File,
        tail: &mut Tail,
        last_checkpoint: &mut Instant,
        record: Map<String, Value>,
    ) -> Result<AuditReceipt> {
        self.catch_up(file, tail)?;
        let receipt = self.sink.write_event(file, tail, record)?;
        if let Some(signer) = &self.signer {
            let due_count = signer.every.is_some_and(|n| receipt.seq % n == 0);
            let due_time = signer.seconds.is_some_and(|s| last_checkpoint.elapsed() >= Duration::from_secs(s.max(1)));
            if due_count || due_time {
                self.sink.write_checkpoint(file, tail, signer)?;
                *last_checkpoint = Instant::now();
            }
        }
        Ok(receipt)
    }

    /// Append a signed checkpoint now (no-op without a signing key); e.g. before shutting down.
    pub fn checkpoint(&self) -> Result<Option<AuditReceipt>> {
        let Some(signer) = &self.signer else { return Ok(None) };
        let mut guard = self.state.lock().map_err(|_| audit_err(&self.sink.path, "audit writer poisoned"))?;
        let (file, tail, last_checkpoint) = &mut *guard;
        file.lock().map_err(|e| Error::io(&self.sink.path, e))?;
        let result = self.catch_up(file, tail).and_then(|()| self.sink.write_checkpoint(file, tail, signer));
        let unlock = file.unlock().map_err(|e| Error::io(&self.sink.path, e));
        let receipt = result?;
        unlock?;
        *last_checkpoint = Instant::now();
        Ok(Some(receipt))
    }

    /// Flush everything to disk.
    pub fn sync(&self) -> Result<()> {
        let mut guard = self.state.lock().map_err(|_| audit_err(&self.sink.path, "audit writer poisoned"))?;
        guard.0.sync_data().map_err(|e| Error::io(&self.sink.path, e))?;
        guard.1.unsynced = 0;
        Ok(())
    }
}

/// Acknowledge that the log at `path` disagrees with its anchor (records removed from the tail,
/// a rewritten tail, or a missing anchor): append a `gap_acknowledged` record stating what the
/// anchor expected and what was found, with the operator's `reason`, after which writers accept
/// the log again and [`verify`] reports the acknowledged gap. A torn last line is quarantined
/// first. Errors when there is no gap to acknowledge, or when the damage is not at the tail (an
/// invalid last record: restore from backup).
pub fn acknowledge_gap(path: impl AsRef<Path>, options: &AuditOptions, reason: &str) -> Result<AuditReceipt> {
    let path = path.as_ref().to_owned();
    if reason.trim().is_empty() {
        return Err(Error::InvalidInput("acknowledge-gap needs a reason".into()));
    }
    if !path.exists() {
        return Err(audit_err(&path, "no such audit log"));
    }
    let sink = Sink {
        anchor_path: options.anchor.clone().unwrap_or_else(|| default_anchor_path(&path)),
        path,
        fsync: options.fsync,
    };
    let (_, receipt) = sink.locked_with(|file| {
        let found = inspect(file, &sink.path, &sink.anchor_path, true, true)?;
        let Some(gap) = found.gap else {
            return Err(audit_err(&sink.path, "the log agrees with its anchor: no gap to acknowledge"));
        };
        let mut tail = found.tail;
        if let Some((qpath, bytes, sha256)) = found.quarantined {
            sink.write_repair(file, &mut tail, &qpath, bytes, &sha256)?;
        }
        let event = events::LogEvent::GapAcknowledged(events::GapAcknowledged {
            expected_seq: gap.expected.as_ref().map(|a| a.seq),
            expected_hash: gap.expected.map(|a| a.hash),
            found_seq: tail.seq,
            found_hash: tail.hash.clone(),
            problem: gap.problem,
            reason: reason.to_owned(),
        });
        sink.write_event(file, &mut tail, to_map(&event)?)
    })?;
    Ok(receipt)
}

fn refusal(path: &Path, gap: &Gap) -> Error {
    audit_err(
        path,
        format!(
            "{}; refusing to append. Check with `govai audit verify {p}`; once the loss is understood, record it with `govai audit acknowledge-gap {p} --reason \"...\"`",
            gap.problem,
            p = path.display()
        ),
    )
}

impl Sink {
    /// Open the log for append and hold the OS lock while `f` runs.
    fn locked_with<T>(&self, f: impl FnOnce(&mut File) -> Result<T>) -> Result<(File, T)> {
        let path = &self.path;
        let mut file =
            OpenOptions::new().read(true).append(true).create(true).open(path).map_err(|e| Error::io(path, e))?;
        file.lock().map_err(|e| Error::io(path, e))?;
        let result = f(&mut file);
        let unlock = file.unlock().map_err(|e| Error::io(path, e));
        let value = result?;
        unlock?;
        Ok((file, value))
    }

    /// Chain and write one record, flush per policy, move the anchor.
    fn write_event(&self, file: &mut File, tail: &mut Tail, mut record: Map<String, Value>) -> Result<AuditReceipt> {
        let seq = tail.seq + 1;
        record.insert("seq".into(), Value::from(seq));
        record.insert("ts".into(), Value::from(now_rfc3339()));
        record.insert("prev".into(), Value::from(tail.hash.clone()));
        let hash = record_hash(&record);
        record.insert("hash".into(), Value::from(hash.clone()));
        let mut line = canonical_json(&Value::Object(record));
        line.push('\n');
        // One write call with O_APPEND: a crash leaves at most a torn last line. A failed or
        // short write is an error; the next append finds the fragment and quarantines it.
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

    fn write_repair(
        &self,
        file: &mut File,
        tail: &mut Tail,
        qpath: &Path,
        bytes: u64,
        sha256: &str,
    ) -> Result<AuditReceipt> {
        let name = qpath.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let event = events::LogEvent::Repair(events::Repair {
            quarantine: name,
            torn_bytes: bytes,
            torn_sha256: sha256.to_owned(),
        });
        self.write_event(file, tail, to_map(&event)?)
    }

    fn write_checkpoint(&self, file: &mut File, tail: &mut Tail, signer: &CheckpointSigner) -> Result<AuditReceipt> {
        let receipt = self.write_event(file, tail, signer.event(tail)?)?;
        if let Some(w) = &signer.witness {
            // The line just written is the file's last line.
            let line = last_line(file, &self.path, tail.len)?;
            let mut f = OpenOptions::new().append(true).create(true).open(w).map_err(|e| Error::io(w, e))?;
            f.write_all(&line).map_err(|e| Error::io(w, e))?;
            if self.fsync != FsyncPolicy::Never {
                f.sync_data().map_err(|e| Error::io(w, e))?;
            }
        }
        Ok(receipt)
    }
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
        let (log, rep) =
            AuditLog::open(&p, AuditOptions { fsync: FsyncPolicy::Never, ..AuditOptions::default() }).unwrap();
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
