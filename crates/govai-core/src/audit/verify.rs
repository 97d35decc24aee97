//! Verification of a log: the chain, the anchor, and with a public key the signed checkpoints.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Map, Value};

use super::events::{Checkpoint, GapAcknowledged, LogEvent, Repair};
use super::{Anchor, GENESIS_HASH, audit_err, canonical_json, default_anchor_path, read_anchor, record_hash, signing};
use crate::error::{Error, Result};

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

/// A `gap_acknowledged` record: an operator accepted a loss at the tail so writing could resume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GapNote {
    /// The acknowledging record's seq.
    pub seq: u64,
    /// What the operator acknowledged.
    #[serde(flatten)]
    pub gap: GapAcknowledged,
}

/// A `repair` record: a torn last line moved to a quarantine file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RepairNote {
    /// The repair record's seq.
    pub seq: u64,
    /// What was quarantined.
    #[serde(flatten)]
    pub repair: Repair,
}

/// The checkpoint signatures, checked against a public key ([`VerifyOptions::pubkey`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignatureReport {
    /// Id of the public key given.
    pub key_id: String,
    /// Checkpoints with a valid signature that match the chain.
    pub valid_checkpoints: u64,
    /// The last record covered by a valid checkpoint (0 if none).
    pub last_signed_seq: u64,
    /// Records after the last valid checkpoint record (all records when there is none): not
    /// signed yet.
    pub unsigned_records: u64,
    /// The first problem (a bad signature, a checkpoint that does not match the chain, another
    /// key, missing checkpoints); `None` when the signatures vouch for the log.
    pub problem: Option<String>,
}

/// The witness file compared with the log's checkpoints ([`VerifyOptions::witness`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WitnessReport {
    /// Witness lines found in the log, identical.
    pub matched: u64,
    /// The first disagreement, if any.
    pub problem: Option<String>,
}

/// Result of verifying a log. `intact` is the one bit a caller needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// No broken record, the anchor matches (or is behind), and (when asked for) the signatures
    /// and the witness agree. A missing anchor is intact only for an empty log. Acknowledged gaps
    /// and repairs do not make a log not intact; they are listed in `gaps` and `repairs`.
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
    /// Gaps acknowledged by an operator (`gap_acknowledged` records).
    pub gaps: Vec<GapNote>,
    /// Torn lines quarantined by a writer (`repair` records).
    pub repairs: Vec<RepairNote>,
    /// `checkpoint` records in the chain (signed or not).
    pub checkpoints: u64,
    /// With a public key: the signatures' verdict.
    pub signatures: Option<SignatureReport>,
    /// With a witness file: its verdict.
    pub witness: Option<WitnessReport>,
}

/// What to check besides the chain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyOptions {
    /// The anchor; `None` = `<log>.anchor`.
    pub anchor: Option<PathBuf>,
    /// A public key file (64 hex digits, see [`super::keygen`]): check every checkpoint's
    /// signature and that it matches the chain; a log without a valid checkpoint, or with more
    /// unsigned records after the last one than its `checkpoint_every` allows (twice, for a
    /// crash), is not intact.
    pub pubkey: Option<PathBuf>,
    /// A checkpoint witness file: every line must be a checkpoint of this log, present and
    /// identical.
    pub witness: Option<PathBuf>,
}

/// Verify a log file record by record (streaming, bounded memory) and against its anchor.
/// `anchor`: `None` = the default `<log>.anchor`.
pub fn verify(path: impl AsRef<Path>, anchor: Option<&Path>) -> Result<VerifyReport> {
    verify_with(path, &VerifyOptions { anchor: anchor.map(Path::to_owned), ..VerifyOptions::default() })
}

struct SigState {
    key: ed25519_dalek::VerifyingKey,
    report: SignatureReport,
    every: Option<u64>,
    /// Seq of the last valid checkpoint record itself.
    last_checkpoint_record: u64,
}

impl SigState {
    fn check(&mut self, seq: u64, cp: &Checkpoint, m: &Map<String, Value>, expected: (u64, &str)) {
        let problem = if cp.key_id != self.report.key_id {
            Some(format!("checkpoint seq {seq} is signed by key {}, not {}", cp.key_id, self.report.key_id))
        } else if (cp.checkpoint_seq, cp.checkpoint_hash.as_str()) != expected {
            Some(format!(
                "checkpoint seq {seq} covers seq {} but the chain before it ends at seq {}: checkpoint moved or chain rewritten",
                cp.checkpoint_seq, expected.0
            ))
        } else {
            let mut unsigned = m.clone();
            for k in ["seq", "ts", "prev", "hash", "sig"] {
                unsigned.remove(k);
            }
            (!signing::verify_sig(&self.key, &canonical_json(&Value::Object(unsigned)), &cp.sig)).then(|| {
                format!("checkpoint seq {seq}: signature invalid (forged or edited checkpoint, or the chain before it rewritten)")
            })
        };
        match problem {
            Some(p) => {
                if self.report.problem.is_none() {
                    self.report.problem = Some(p);
                }
            }
            None => {
                self.report.valid_checkpoints += 1;
                self.report.last_signed_seq = cp.checkpoint_seq;
                self.last_checkpoint_record = seq;
                self.every = cp.every;
            }
        }
    }

    fn finish(mut self, last_seq: u64) -> SignatureReport {
        self.report.unsigned_records = last_seq - self.last_checkpoint_record;
        if self.report.problem.is_none() {
            if self.report.valid_checkpoints == 0 && last_seq > 0 {
                self.report.problem =
                    Some(format!("no checkpoint signed by key {}: nothing vouches for this log", self.report.key_id));
            } else if let Some(n) = self.every
                && self.report.unsigned_records > 2 * n
            {
                self.report.problem = Some(format!(
                    "{} records after the last signed checkpoint (seq {}), but checkpoints were written every {n}: checkpoints removed or records forged",
                    self.report.unsigned_records, self.report.last_signed_seq
                ));
            }
        }
        self.report
    }
}

/// Longest audit record line read (bytes, newline included): records hold hashes and short
/// caller fields, so a longer line is not a record, and reading stops there (bounded memory on
/// any file).
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// Read one line of at most [`MAX_RECORD_BYTES`] + 1 bytes (so a longer one is seen as such).
pub(crate) fn read_record_line(reader: &mut impl BufRead, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    Read::take(reader, MAX_RECORD_BYTES as u64 + 1).read_until(b'\n', buf)
}

fn read_witness(path: &Path) -> Result<BTreeMap<u64, String>> {
    let text = crate::io::read_file_bounded(path, crate::MAX_FILE_BYTES)?;
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let m = match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(m)) => m,
            _ => return Err(audit_err(path, format!("witness line {} is not a JSON object", i + 1))),
        };
        let (Some(seq), Some(hash)) = (m.get("seq").and_then(Value::as_u64), m.get("hash").and_then(Value::as_str))
        else {
            return Err(audit_err(path, format!("witness line {} has no seq or hash", i + 1)));
        };
        out.insert(seq, hash.to_owned());
    }
    Ok(out)
}

/// Verify a log with the checks `options` asks for (see [`VerifyOptions`]).
pub fn verify_with(path: impl AsRef<Path>, options: &VerifyOptions) -> Result<VerifyReport> {
    let path = path.as_ref();
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = BufReader::new(file);
    let anchor_path = options.anchor.clone().unwrap_or_else(|| default_anchor_path(path));
    let anchor: Option<Anchor> = read_anchor(&anchor_path)?;
    let mut sigs = match &options.pubkey {
        Some(p) => {
            let key = signing::load_verifying_key(p)?;
            let key_id = signing::key_id(&key);
            Some(SigState {
                key,
                report: SignatureReport {
                    key_id,
                    valid_checkpoints: 0,
                    last_signed_seq: 0,
                    unsigned_records: 0,
                    problem: None,
                },
                every: None,
                last_checkpoint_record: 0,
            })
        }
        None => None,
    };
    let mut witness = match &options.witness {
        Some(p) => Some((read_witness(p)?, WitnessReport { matched: 0, problem: None })),
        None => None,
    };
    let mut expected_prev = GENESIS_HASH.to_owned();
    let mut expected_seq = 1u64;
    let mut records = 0u64;
    let mut first_bad: Option<BadRecord> = None;
    let mut hash_at_anchor: Option<String> = anchor.as_ref().filter(|a| a.seq == 0).map(|_| GENESIS_HASH.to_owned());
    let mut gaps = Vec::new();
    let mut repairs = Vec::new();
    let mut checkpoints = 0u64;
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    loop {
        buf.clear();
        let n = read_record_line(&mut reader, &mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        if n > MAX_RECORD_BYTES {
            first_bad = Some(BadRecord {
                line: line_no,
                seq: None,
                reason: format!("line is longer than the limit of {MAX_RECORD_BYTES} bytes for an audit record"),
            });
            break;
        }
        if buf.last() != Some(&b'\n') {
            first_bad = Some(BadRecord {
                line: line_no,
                seq: None,
                reason: format!(
                    "torn last line ({n} bytes without newline, a crash mid-write); the next writer keeps it if it is a complete record, else moves it to a quarantine file and records the repair"
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
        let kind = m.get("kind").and_then(Value::as_str);
        if matches!(kind, Some("checkpoint" | "gap_acknowledged" | "repair")) {
            match serde_json::from_value::<LogEvent>(Value::Object(m.clone())) {
                Ok(LogEvent::Checkpoint(cp)) => {
                    checkpoints += 1;
                    if let Some(st) = sigs.as_mut() {
                        st.check(s, &cp, &m, (expected_seq - 1, &expected_prev));
                    }
                }
                Ok(LogEvent::GapAcknowledged(gap)) => gaps.push(GapNote { seq: s, gap }),
                Ok(LogEvent::Repair(repair)) => repairs.push(RepairNote { seq: s, repair }),
                Err(e) => {
                    first_bad = bad(seq, format!("malformed {} record: {e}", kind.unwrap_or_default()));
                    break;
                }
            }
        }
        if let Some((w, rep)) = witness.as_mut()
            && let Some(wh) = w.remove(&s)
            && rep.problem.is_none()
        {
            if wh == hash {
                rep.matched += 1;
            } else {
                rep.problem = Some(format!("record {s} differs from the witness's copy: log rewritten"));
            }
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
    let signatures = sigs.map(|st| st.finish(last_seq));
    let witness = witness.map(|(rest, mut rep)| {
        if rep.problem.is_none()
            && let Some((seq, _)) = rest.iter().next()
        {
            rep.problem = Some(format!(
                "the witness holds checkpoint seq {seq}, which the log does not: records removed or rewritten"
            ));
        }
        rep
    });
    let intact = first_bad.is_none()
        && anchor_ok
        && signatures.as_ref().is_none_or(|s| s.problem.is_none())
        && witness.as_ref().is_none_or(|w| w.problem.is_none());
    Ok(VerifyReport {
        intact,
        records,
        last_seq,
        last_hash: expected_prev,
        first_bad,
        anchor: anchor_status,
        anchor_detail,
        gaps,
        repairs,
        checkpoints,
        signatures,
        witness,
    })
}
