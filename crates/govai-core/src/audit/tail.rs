//! What a writer checks before it appends: the log's first line (a govai log, not a foreign
//! file), its last line (complete, torn, or missing only its newline) and its anchor (records
//! removed from the tail, a rewritten tail, a missing anchor).

use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{Anchor, GENESIS_HASH, Tail, audit_err, record_hash, verify};
use crate::error::{Error, Result};

/// What [`inspect`] found wrong between the log and its anchor.
pub(super) struct Gap {
    pub(super) expected: Option<Anchor>,
    pub(super) problem: String,
}

/// What [`inspect`] decided.
pub(super) struct Inspection {
    pub(super) tail: Tail,
    pub(super) gap: Option<Gap>,
    /// A torn fragment moved out; its repair record still has to be written.
    pub(super) quarantined: Option<(PathBuf, u64, String)>,
    pub(super) newline_added: bool,
    pub(super) created: bool,
}

/// The last line (with its newline) of a file of length `len` that ends in a newline.
pub(super) fn last_line(file: &mut File, path: &Path, len: u64) -> Result<Vec<u8>> {
    let mut window: u64 = 4096;
    loop {
        let start = len.saturating_sub(window);
        let mut buf = Vec::new();
        file.seek(SeekFrom::Start(start)).map_err(|e| Error::io(path, e))?;
        Read::by_ref(file).take(len - start).read_to_end(&mut buf).map_err(|e| Error::io(path, e))?;
        let body = &buf[..buf.len().saturating_sub(1)];
        if let Some(p) = body.iter().rposition(|&b| b == b'\n') {
            return Ok(buf[p + 1..].to_vec());
        }
        if start == 0 {
            return Ok(buf);
        }
        window *= 4;
    }
}

pub(super) fn write_anchor(path: &Path, anchor: &Anchor, sync: bool) -> Result<()> {
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

pub(super) fn read_anchor(path: &Path) -> Result<Option<Anchor>> {
    match fs::read(path) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes).map(Some).map_err(|e| audit_err(path, format!("anchor unreadable: {e}")))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Look at the log as a writer must before appending (the OS lock held): is it a govai log, is
/// its last line torn, does it agree with its anchor. Keeps a complete last record that lacks
/// its newline; moves a torn fragment to a quarantine file (only when there is no gap: a log
/// that will be refused is not touched). Creates the anchor of a new log.
pub(super) fn inspect(
    file: &mut File,
    path: &Path,
    anchor_path: &Path,
    first_check: bool,
    allow_gap: bool,
) -> Result<Inspection> {
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    let anchor = read_anchor(anchor_path)?;
    if len > 0 && first_check {
        check_first_line(file, path)?;
    }
    let scan = read_tail(file, path, len)?;
    let (mut seq, mut hash) = scan.last.clone().unwrap_or((0, GENESIS_HASH.to_owned()));
    let mut good_end = scan.good_end;
    let mut newline_record = false;
    let mut torn: Option<Vec<u8>> = None;
    if let Some(fragment) = scan.fragment {
        match parse_record(&fragment) {
            Some((s, h, prev)) if s == seq + 1 && prev == hash => {
                (seq, hash) = (s, h);
                good_end = len;
                newline_record = true;
            }
            _ if scan.last.is_none() && anchor.is_none() => {
                return Err(audit_err(
                    path,
                    format!(
                        "not a govai audit log (one line of {} bytes without a newline that is not a govai record, and no anchor at {}); refusing to use it",
                        fragment.len(),
                        anchor_path.display()
                    ),
                ));
            }
            _ => torn = Some(fragment),
        }
    }
    let gap = check_anchor(file, path, anchor_path, anchor.as_ref(), seq, &hash)?;
    let mut found = Inspection {
        tail: Tail { len: good_end, seq, hash, unsynced: 0 },
        gap,
        quarantined: None,
        newline_added: false,
        created: false,
    };
    if found.gap.is_some() && !allow_gap {
        return Ok(found);
    }
    if newline_record {
        file.write_all(b"\n").map_err(|e| Error::io(path, e))?;
        file.sync_data().map_err(|e| Error::io(path, e))?;
        found.tail.len += 1;
        found.newline_added = true;
    }
    if let Some(fragment) = torn {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ");
        let mut q = path.as_os_str().to_owned();
        q.push(format!(".torn-{}-{stamp}", seq + 1));
        let q = PathBuf::from(q);
        {
            let mut f = OpenOptions::new().write(true).create_new(true).open(&q).map_err(|e| Error::io(&q, e))?;
            f.write_all(&fragment).map_err(|e| Error::io(&q, e))?;
            f.sync_all().map_err(|e| Error::io(&q, e))?;
        }
        file.set_len(good_end).map_err(|e| Error::io(path, e))?;
        file.sync_all().map_err(|e| Error::io(path, e))?;
        let sha = hex::encode(Sha256::digest(&fragment));
        found.quarantined = Some((q, fragment.len() as u64, sha));
    }
    if anchor.is_none() && found.tail.seq == 0 {
        // A new log: anchor the empty chain, so that losing the first records is detected and a
        // torn first record is told apart from a foreign file.
        write_anchor(anchor_path, &Anchor { seq: 0, hash: GENESIS_HASH.to_owned() }, true)?;
        found.created = len == 0;
    }
    Ok(found)
}

/// The log must start with a govai record: seq 1, genesis prev, a valid hash.
pub(super) fn check_first_line(file: &mut File, path: &Path) -> Result<()> {
    const LIMIT: u64 = 16 * 1024 * 1024;
    file.seek(SeekFrom::Start(0)).map_err(|e| Error::io(path, e))?;
    let mut reader = BufReader::new(Read::by_ref(file).take(LIMIT));
    let mut line = Vec::new();
    reader.read_until(b'\n', &mut line).map_err(|e| Error::io(path, e))?;
    if line.last() != Some(&b'\n') {
        // One line without a newline: a torn or unterminated first record, or a foreign file;
        // `inspect` tells them apart.
        return Ok(());
    }
    line.pop();
    match parse_record(&line) {
        Some((1, _, prev)) if prev == GENESIS_HASH => Ok(()),
        Some((seq, _, _)) => Err(audit_err(
            path,
            format!(
                "its first record has seq {seq}, not 1 with the genesis prev: records deleted from the head, or not this log; refusing to append"
            ),
        )),
        None => Err(audit_err(
            path,
            "not a govai audit log (its first line is not a govai record with a valid hash); refusing to use it",
        )),
    }
}

/// Compare the last record (`seq`, `hash`) with the anchor.
pub(super) fn check_anchor(
    file: &mut File,
    path: &Path,
    anchor_path: &Path,
    anchor: Option<&Anchor>,
    seq: u64,
    hash: &str,
) -> Result<Option<Gap>> {
    let Some(a) = anchor else {
        if seq == 0 {
            return Ok(None);
        }
        return Ok(Some(Gap {
            expected: None,
            problem: format!(
                "no anchor at {} for a log of {seq} records: removal of its last records cannot be ruled out",
                anchor_path.display()
            ),
        }));
    };
    let short = |h: &str| h.chars().take(16).collect::<String>();
    let problem = if a.seq > seq {
        Some(format!(
            "the anchor names seq {} (hash {}…) but the log ends at seq {seq} (hash {}…): records removed from the tail",
            a.seq,
            short(&a.hash),
            short(hash)
        ))
    } else if a.seq == seq {
        (a.hash != hash)
            .then(|| format!("record {seq} does not have the anchored hash {}…: log rewritten", short(&a.hash)))
    } else {
        let at = if a.seq == 0 { Some(GENESIS_HASH.to_owned()) } else { hash_at_seq(file, path, a.seq)? };
        (at.as_deref() != Some(a.hash.as_str()))
            .then(|| format!("record {} does not have the anchored hash {}…: log rewritten", a.seq, short(&a.hash)))
    };
    Ok(problem.map(|problem| Gap { expected: Some(a.clone()), problem }))
}

/// The hash of the record with `seq` (streaming scan; only needed when the anchor lags).
pub(super) fn hash_at_seq(file: &mut File, path: &Path, seq: u64) -> Result<Option<String>> {
    file.seek(SeekFrom::Start(0)).map_err(|e| Error::io(path, e))?;
    let mut reader = BufReader::new(Read::by_ref(file));
    let mut buf = Vec::new();
    loop {
        buf.clear();
        if verify::read_record_line(&mut reader, &mut buf).map_err(|e| Error::io(path, e))? == 0 {
            return Ok(None);
        }
        if let Some((s, h, _)) = parse_record(buf.strip_suffix(b"\n").unwrap_or(&buf))
            && s == seq
        {
            return Ok(Some(h));
        }
    }
}

pub(super) struct TailScan {
    /// (seq, hash) of the last complete line.
    pub(super) last: Option<(u64, String)>,
    /// End of the last complete line.
    pub(super) good_end: u64,
    /// Bytes after the last newline.
    pub(super) fragment: Option<Vec<u8>>,
}

/// Read the last complete record and any bytes after it. A complete but invalid last line is an
/// error: that is tampering or corruption, not a crash, and appending to it would hide the damage.
pub(super) fn read_tail(file: &mut File, path: &Path, len: u64) -> Result<TailScan> {
    if len == 0 {
        return Ok(TailScan { last: None, good_end: 0, fragment: None });
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
                // No newline at all: the whole file is one unterminated line.
                return Ok(TailScan { last: None, good_end: 0, fragment: Some(buf) });
            }
            window *= 4;
            continue;
        };
        let line_start = buf[..last_nl].iter().rposition(|&b| b == b'\n').map(|p| p + 1);
        if line_start.is_none() && start > 0 {
            window *= 4;
            continue;
        }
        let good_end = start + last_nl as u64 + 1;
        let line = &buf[line_start.unwrap_or(0)..last_nl];
        let (seq, hash, _) = parse_record(line).ok_or_else(|| {
            audit_err(path, "last complete record is invalid (edited or corrupt); run `govai audit verify` and restore from backup before appending")
        })?;
        let fragment = (good_end < len).then(|| buf[last_nl + 1..].to_vec());
        return Ok(TailScan { last: Some((seq, hash)), good_end, fragment });
    }
}

/// Parse a line and check its own hash; returns (seq, hash, prev).
pub(super) fn parse_record(line: &[u8]) -> Option<(u64, String, String)> {
    let Value::Object(m) = serde_json::from_slice::<Value>(line).ok()? else {
        return None;
    };
    let seq = m.get("seq")?.as_u64()?;
    let hash = m.get("hash")?.as_str()?.to_owned();
    let prev = m.get("prev")?.as_str()?.to_owned();
    (record_hash(&m) == hash).then_some((seq, hash, prev))
}
