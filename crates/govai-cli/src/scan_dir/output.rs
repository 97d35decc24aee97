//! Where the rows go, and the state that makes a run resumable.
//!
//! Each scanned file's rows are appended to the output as one block, then a line is appended
//! to the state file (`OUT.state`) naming the file (path, size, mtime) and the block's byte
//! range. The state is the commit record: on `--resume` the output is first cut back to the
//! end of the last recorded block (dropping whatever a killed run had half written), files
//! recorded with the same size and mtime are skipped, and the blocks of files that changed
//! since are removed (output and state rewritten to temporary files, then renamed into place;
//! a run killed between the two renames is completed on the next `--resume`) and the files
//! scanned again.

use std::collections::{BTreeMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use govai::Error;
use serde::{Deserialize, Serialize};
use tempfile::{SpooledData, SpooledTempFile};

use super::file_scan::Scanned;
use super::row::Encoding;
use super::walk::Candidate;

/// One committed file (a line of the state file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Done {
    pub path: String,
    pub size: u64,
    pub mtime_ns: u64,
    /// The block's byte range in the output.
    pub start: u64,
    pub end: u64,
    pub findings: u64,
    pub errors: u64,
}

/// The output file, its state file and the files committed so far.
#[derive(Debug)]
struct Files {
    rows: PathBuf,
    state_path: PathBuf,
    out: File,
    state: File,
    len: u64,
}

#[derive(Debug)]
enum Target {
    Stdout(BufWriter<std::io::Stdout>),
    Files(Files),
}

/// The output of a run.
#[derive(Debug)]
pub(crate) struct Sink {
    target: Target,
    /// Every committed file: of earlier runs (resumed) and of this one.
    pub done: Vec<Done>,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::io(path, e)
}

/// `path` with `suffix` appended to its file name.
pub(crate) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

impl Sink {
    /// Rows on standard output (no state, no resume).
    pub(crate) fn stdout(encoding: Encoding) -> govai::Result<Self> {
        let mut out = BufWriter::new(std::io::stdout());
        out.write_all(&encoding.header()).map_err(crate::stdout_error)?;
        Ok(Sink { target: Target::Stdout(out), done: Vec::new() })
    }

    /// Rows appended to `rows` with the state in `state_path`; without `resume` neither may
    /// exist yet.
    pub(crate) fn file(rows: &Path, state_path: &Path, encoding: Encoding, resume: bool) -> govai::Result<Self> {
        recover(rows, state_path)?;
        let (rows_exist, state_exists) = (rows.exists(), state_path.exists());
        if !resume && (rows_exist || state_exists) {
            let which = if rows_exist { rows } else { state_path };
            return Err(Error::InvalidInput(format!(
                "{} exists: pass --resume to continue the run it records, or remove it first",
                which.display()
            )));
        }
        if rows_exist != state_exists {
            let (have, missing) = if rows_exist { (rows, state_path) } else { (state_path, rows) };
            return Err(Error::InvalidInput(format!(
                "cannot resume: {} exists but {} does not",
                have.display(),
                missing.display()
            )));
        }
        let done = if state_exists { read_state(state_path)? } else { Vec::new() };
        let out =
            OpenOptions::new().create(true).read(true).write(true).truncate(false).open(rows).map_err(io(rows))?;
        let state = OpenOptions::new().create(true).append(true).open(state_path).map_err(io(state_path))?;
        let mut files = Files { rows: rows.to_owned(), state_path: state_path.to_owned(), out, state, len: 0 };
        if !done.is_empty() {
            files.check_format(encoding)?;
        }
        files.cut_to(done.last().map(|d| d.end), &encoding.header())?;
        Ok(Sink { target: Target::Files(files), done })
    }

    /// Of `candidates`, those not yet done. Committed files that changed since (size or mtime)
    /// have their rows removed so that they are scanned again.
    pub(crate) fn pending(&mut self, candidates: Vec<Candidate>) -> govai::Result<Vec<Candidate>> {
        let now: BTreeMap<&str, (u64, u64)> =
            candidates.iter().map(|c| (c.name.as_str(), (c.size, c.mtime_ns))).collect();
        let changed: HashSet<String> = self
            .done
            .iter()
            .filter(|d| now.get(d.path.as_str()).is_some_and(|&now| now != (d.size, d.mtime_ns)))
            .map(|d| d.path.clone())
            .collect();
        if !changed.is_empty()
            && let Target::Files(files) = &mut self.target
        {
            self.done = files.remove(&self.done, &changed)?;
        }
        let done: HashSet<&str> = self.done.iter().map(|d| d.path.as_str()).collect();
        Ok(candidates.into_iter().filter(|c| !done.contains(c.name.as_str())).collect())
    }

    /// Append a file's block, then its state line.
    pub(crate) fn commit(&mut self, c: &Candidate, scanned: Scanned) -> govai::Result<()> {
        let mut done = Done {
            path: c.name.clone(),
            size: c.size,
            mtime_ns: c.mtime_ns,
            start: 0,
            end: 0,
            findings: scanned.findings,
            errors: scanned.errors,
        };
        match &mut self.target {
            Target::Stdout(out) => {
                write_block(scanned.block, out).map_err(crate::stdout_error)?;
            }
            Target::Files(files) => {
                let n = write_block(scanned.block, &mut files.out).map_err(io(&files.rows))?;
                done.start = files.len;
                done.end = files.len + n;
                files.len = done.end;
                let mut line = serde_json::to_vec(&done).map_err(|e| Error::Internal(e.to_string()))?;
                line.push(b'\n');
                files.state.write_all(&line).map_err(io(&files.state_path))?;
            }
        }
        self.done.push(done);
        Ok(())
    }

    /// Flush everything (and sync the files to disk).
    pub(crate) fn finish(&mut self) -> govai::Result<()> {
        match &mut self.target {
            Target::Stdout(out) => out.flush().map_err(crate::stdout_error),
            Target::Files(files) => {
                files.out.sync_all().map_err(io(&files.rows))?;
                files.state.sync_all().map_err(io(&files.state_path))
            }
        }
    }
}

impl Files {
    /// Refuse to resume an output of another format (CSV: the header; JSON Lines: `{`).
    fn check_format(&mut self, encoding: Encoding) -> govai::Result<()> {
        let expected = match encoding {
            Encoding::Csv => encoding.header(),
            Encoding::Jsonl => b"{".to_vec(),
        };
        let mut start = vec![0u8; expected.len()];
        self.out.seek(SeekFrom::Start(0)).map_err(io(&self.rows))?;
        let read = self.out.read_exact(&mut start);
        if read.is_err() || start != expected {
            let format = if encoding == Encoding::Csv { "csv" } else { "jsonl" };
            return Err(Error::InvalidInput(format!(
                "cannot resume: {} is not a --format {format} output of govai scan --dir",
                self.rows.display()
            )));
        }
        Ok(())
    }

    /// Cut the output back to `end` (the last committed block), or to just the header.
    fn cut_to(&mut self, end: Option<u64>, header: &[u8]) -> govai::Result<()> {
        let actual = self.out.metadata().map_err(io(&self.rows))?.len();
        let len = match end {
            Some(end) if end > actual => {
                return Err(Error::InvalidInput(format!(
                    "cannot resume: {} has {actual} bytes but its state records {end}",
                    self.rows.display()
                )));
            }
            Some(end) => end,
            None => {
                self.out.set_len(0).map_err(io(&self.rows))?;
                self.out.seek(SeekFrom::Start(0)).map_err(io(&self.rows))?;
                self.out.write_all(header).map_err(io(&self.rows))?;
                header.len() as u64
            }
        };
        self.out.set_len(len).map_err(io(&self.rows))?;
        self.out.seek(SeekFrom::Start(len)).map_err(io(&self.rows))?;
        self.len = len;
        Ok(())
    }

    /// Rewrite the output and the state without the blocks of `paths`; the kept entries with
    /// their new ranges.
    fn remove(&mut self, done: &[Done], paths: &HashSet<String>) -> govai::Result<Vec<Done>> {
        let (rows_tmp, state_tmp) = (with_suffix(&self.rows, ".tmp"), with_suffix(&self.state_path, ".tmp"));
        let mut out = BufWriter::new(File::create(&rows_tmp).map_err(io(&rows_tmp))?);
        let mut state = BufWriter::new(File::create(&state_tmp).map_err(io(&state_tmp))?);
        let first = done.iter().map(|d| d.start).min().unwrap_or(self.len);
        let mut pos = copy_range(&mut self.out, &self.rows, 0, first, &mut out)?;
        let mut kept = Vec::new();
        for d in done.iter().filter(|d| !paths.contains(&d.path)) {
            let n = copy_range(&mut self.out, &self.rows, d.start, d.end, &mut out)?;
            let moved = Done { start: pos, end: pos + n, ..d.clone() };
            pos += n;
            let mut line = serde_json::to_vec(&moved).map_err(|e| Error::Internal(e.to_string()))?;
            line.push(b'\n');
            state.write_all(&line).map_err(io(&state_tmp))?;
            kept.push(moved);
        }
        let out = out.into_inner().map_err(|e| Error::io(&rows_tmp, e.into_error()))?;
        let state = state.into_inner().map_err(|e| Error::io(&state_tmp, e.into_error()))?;
        out.sync_all().map_err(io(&rows_tmp))?;
        state.sync_all().map_err(io(&state_tmp))?;
        std::fs::rename(&rows_tmp, &self.rows).map_err(io(&self.rows))?;
        std::fs::rename(&state_tmp, &self.state_path).map_err(io(&self.state_path))?;
        self.out = OpenOptions::new().read(true).write(true).open(&self.rows).map_err(io(&self.rows))?;
        self.out.seek(SeekFrom::Start(pos)).map_err(io(&self.rows))?;
        self.state = OpenOptions::new().append(true).open(&self.state_path).map_err(io(&self.state_path))?;
        self.len = pos;
        Ok(kept)
    }
}

/// Write a block: in one `write_all` when it is in memory (a kill rarely tears it), else
/// copied from its temporary file. The count written.
fn write_block(block: SpooledTempFile, out: &mut impl Write) -> std::io::Result<u64> {
    match block.into_inner() {
        SpooledData::InMemory(cursor) => {
            let bytes = cursor.into_inner();
            out.write_all(&bytes)?;
            Ok(bytes.len() as u64)
        }
        SpooledData::OnDisk(mut file) => std::io::copy(&mut file, out),
    }
}

/// Copy bytes `start..end` of `file` to `out`; the count copied.
fn copy_range(file: &mut File, path: &Path, start: u64, end: u64, out: &mut impl Write) -> govai::Result<u64> {
    file.seek(SeekFrom::Start(start)).map_err(io(path))?;
    let n = std::io::copy(&mut file.take(end.saturating_sub(start)), out).map_err(io(path))?;
    if n != end.saturating_sub(start) {
        return Err(Error::InvalidInput(format!("{} is shorter than its state records", path.display())));
    }
    Ok(n)
}

/// Finish or undo a rewrite that was interrupted: both temporary files present means the
/// renames had not started (undo); only the state's means the output was renamed (finish).
fn recover(rows: &Path, state: &Path) -> govai::Result<()> {
    let (rows_tmp, state_tmp) = (with_suffix(rows, ".tmp"), with_suffix(state, ".tmp"));
    if !state_tmp.exists() {
        return if rows_tmp.exists() { std::fs::remove_file(&rows_tmp).map_err(io(&rows_tmp)) } else { Ok(()) };
    }
    if rows_tmp.exists() {
        std::fs::remove_file(&rows_tmp).map_err(io(&rows_tmp))?;
        std::fs::remove_file(&state_tmp).map_err(io(&state_tmp))
    } else {
        std::fs::rename(&state_tmp, state).map_err(io(state))
    }
}

/// The state's entries up to the first line that is not one (a line torn by a kill), which
/// is cut off with everything after it.
fn read_state(path: &Path) -> govai::Result<Vec<Done>> {
    let file = File::open(path).map_err(io(path))?;
    let mut reader = BufReader::new(file);
    let (mut done, mut good) = (Vec::new(), 0u64);
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = (&mut reader).take(1 << 20).read_until(b'\n', &mut line).map_err(io(path))?;
        if n == 0 || line.last() != Some(&b'\n') {
            break;
        }
        match serde_json::from_slice::<Done>(&line) {
            Ok(d) => done.push(d),
            Err(_) => break,
        }
        good += n as u64;
    }
    let file = OpenOptions::new().write(true).open(path).map_err(io(path))?;
    file.set_len(good).map_err(io(path))?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn torn_state_line_is_cut_off() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("s");
        let good = r#"{"path":"a","size":1,"mtime_ns":2,"start":0,"end":5,"findings":1,"errors":0}"#;
        std::fs::write(&p, format!("{good}\n{{\"path\":\"b\",\"si")).unwrap();
        let done = read_state(&p).unwrap();
        assert_eq!(done.len(), 1);
        assert_eq!(std::fs::read_to_string(&p).unwrap(), format!("{good}\n"));
    }
}
