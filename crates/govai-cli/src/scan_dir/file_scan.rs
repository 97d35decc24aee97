//! Scanning one file into a block of encoded rows: its findings (each with a masked preview,
//! never the value), line errors, and its summary; or a single error row when the file cannot
//! be scanned (unreadable, binary, not UTF-8). The block is spooled to a temporary file past
//! a few MiB, so a file with millions of findings costs little memory.

use std::collections::BTreeMap;
use std::io::{BufReader, Seek, SeekFrom};
use std::time::Instant;

use govai::recognize::operators::{self, Operator};
use govai::recognize::{GuardClassifier, TableContext};
use govai::{DataLevel, Error, Finding};
use tempfile::SpooledTempFile;

use super::lines::{Item, LineReader};
use super::row::{Encoding, Row, confidence};
use super::walk::Candidate;

/// Rows held in memory per file before spilling to a temporary file.
const SPOOL_BYTES: usize = 4 << 20;
/// Bytes read between two progress updates.
const PROGRESS_STEP: u64 = 1 << 20;
/// Bytes looked at for a NUL before treating a file as text.
const SNIFF_BYTES: usize = 8192;

/// What scanning a file gave.
#[derive(Debug)]
pub(crate) struct Scanned {
    /// The encoded rows, rewound.
    pub block: SpooledTempFile,
    pub findings: u64,
    /// Error rows in the block (line errors, or the file's own error).
    pub errors: u64,
}

/// A file scanner shared by the worker threads.
pub(crate) struct Scanner<'a> {
    pub classifier: &'a GuardClassifier,
    pub encoding: Encoding,
    pub max_line_bytes: usize,
}

impl std::fmt::Debug for Scanner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner").field("encoding", &self.encoding).finish_non_exhaustive()
    }
}

/// Where a line starts: its number (from 1) and byte offset.
#[derive(Debug, Clone, Copy)]
struct Position {
    number: u64,
    offset: u64,
}

/// Counts of one file while it is scanned.
#[derive(Debug, Default)]
struct Tally {
    lines: u64,
    findings: BTreeMap<String, u64>,
    errors: u64,
    level: Option<DataLevel>,
    reported: u64,
}

impl Scanner<'_> {
    /// Scan one candidate, calling `progress` with the bytes read since its last call (now and
    /// then, not for every byte). `Err` only when the block cannot be written (the run stops).
    pub(crate) fn scan(&self, c: &Candidate, progress: &dyn Fn(u64)) -> govai::Result<Scanned> {
        let start = Instant::now();
        let mut block = SpooledTempFile::new(SPOOL_BYTES);
        let result = match &c.error {
            Some(message) => Err(Error::io(&c.path, std::io::Error::other(message.clone()))),
            None => self.scan_lines(c, &mut block, start, progress),
        };
        let (findings, errors) = match result {
            Ok(tally) => (tally.findings.values().sum(), tally.errors),
            Err(e) if e.kind() == govai::ErrorKind::Internal => return Err(e),
            Err(e) => {
                block = SpooledTempFile::new(SPOOL_BYTES);
                self.encoding.write(&Row::error(&c.name, None, &e), &mut block)?;
                (0, 1)
            }
        };
        block.seek(SeekFrom::Start(0)).map_err(|e| Error::Internal(format!("scan block: {e}")))?;
        Ok(Scanned { block, findings, errors })
    }

    /// The rows of a readable file; `Err` (not Internal) makes the file an error row.
    fn scan_lines(
        &self,
        c: &Candidate,
        block: &mut SpooledTempFile,
        start: Instant,
        progress: &dyn Fn(u64),
    ) -> govai::Result<Tally> {
        let file = std::fs::File::open(&c.path).map_err(|e| Error::io(&c.path, e))?;
        let mut reader = LineReader::new(BufReader::with_capacity(256 << 10, file), self.max_line_bytes);
        let head = reader.peek().map_err(|e| Error::io(&c.path, e))?;
        if let Some(at) = head.iter().take(SNIFF_BYTES).position(|&b| b == 0) {
            return Err(binary(&c.name, at as u64));
        }
        let mut tally = Tally::default();
        let mut table = TableContext::new();
        while let Some(item) = reader.next_item().map_err(|e| Error::io(&c.path, e))? {
            tally.lines += 1;
            match item {
                Item::Line { number, offset, bytes } => {
                    let at = Position { number, offset };
                    self.scan_line(&c.name, at, bytes, &mut table, &mut tally, block)?
                }
                Item::TooLong { number, offset, len } => {
                    let e = Error::InvalidInput(format!(
                        "{}: line {number} is longer than the limit of {} bytes ({len} bytes, skipped)",
                        c.name, self.max_line_bytes
                    ));
                    tally.errors += 1;
                    let row = Row { byte_offset: Some(offset), ..Row::error(&c.name, Some(number), &e) };
                    self.encoding.write(&row, block)?;
                }
            }
            report(&mut tally, reader.bytes_read(), progress);
        }
        let bytes = reader.bytes_read();
        let summary = Row {
            record: "file".into(),
            file: c.name.clone(),
            bytes: Some(bytes),
            lines: Some(tally.lines),
            findings: Some(tally.findings.clone()),
            level: Some(tally.level.unwrap_or(DataLevel::Public).as_str().into()),
            sha256: Some(reader.sha256()),
            elapsed_us: Some(u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX)),
            ..Row::default()
        };
        self.encoding.write(&summary, block)?;
        Ok(tally)
    }

    /// Classify one line (a table row under its header, see [`TableContext`]) and write its
    /// finding rows.
    fn scan_line(
        &self,
        name: &str,
        Position { number, offset }: Position,
        bytes: Vec<u8>,
        table: &mut TableContext,
        tally: &mut Tally,
        block: &mut SpooledTempFile,
    ) -> govai::Result<()> {
        if let Some(at) = bytes.iter().position(|&b| b == 0) {
            return Err(binary(name, offset + at as u64));
        }
        let text = String::from_utf8(bytes).map_err(|e| {
            let at = offset + e.utf8_error().valid_up_to() as u64;
            Error::InvalidInput(format!("{name} is not UTF-8 (line {number}, invalid byte at offset {at})"))
        })?;
        let c = table.scan_line(self.classifier, &text);
        tally.level = Some(tally.level.map_or(c.level, |l| l.max(c.level)));
        for (f, byte) in c.findings.iter().zip(byte_offsets(&text, &c.findings)) {
            *tally.findings.entry(f.entity_type.clone()).or_default() += 1;
            let row = Row {
                record: "finding".into(),
                file: name.into(),
                line: Some(number),
                byte_offset: Some(offset + byte as u64),
                entity_type: Some(f.entity_type.clone()),
                confidence: Some(confidence(f.score)),
                preview: Some(preview(f)),
                ..Row::default()
            };
            self.encoding.write(&row, block)?;
        }
        Ok(())
    }
}

/// Report progress once a step's worth of bytes has been read.
fn report(tally: &mut Tally, read: u64, progress: &dyn Fn(u64)) {
    if read - tally.reported >= PROGRESS_STEP {
        progress(read - tally.reported);
        tally.reported = read;
    }
}

fn binary(name: &str, at: u64) -> Error {
    Error::InvalidInput(format!("{name} is a binary file (NUL byte at offset {at}), skipped"))
}

/// The byte offset in `text` of each finding's first character (findings sorted by start).
fn byte_offsets(text: &str, findings: &[Finding]) -> Vec<usize> {
    let mut chars = text.char_indices().enumerate().peekable();
    findings
        .iter()
        .map(|f| {
            while let Some(&(i, (byte, _))) = chars.peek() {
                if i >= f.start {
                    return byte;
                }
                chars.next();
            }
            text.len()
        })
        .collect()
}

/// The finding's value masked as `govai mask` does by default (`138****8000`).
fn preview(f: &Finding) -> String {
    let whole = Finding { start: 0, end: f.text.chars().count(), ..f.clone() };
    let op = Operator::Mask { keep_first: 3, keep_last: 4, mask_char: '*' };
    operators::apply(&f.text, std::slice::from_ref(&whole), &op)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn byte_offsets_of_char_offsets() {
        let text = "电话13800138000和x";
        let f = |start| Finding {
            entity_type: "t".into(),
            start,
            end: start + 1,
            text: "x".into(),
            score: 1.0,
            checksum: None,
        };
        assert_eq!(byte_offsets(text, &[f(2), f(13), f(14), f(15)]), [6, 17, 20, 21]);
    }
}
