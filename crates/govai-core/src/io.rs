//! Bounded readers (also `govai::io` in the facade): every input is read with its size limit checked while reading, so a
//! stream without end (`/dev/zero`, a runaway pipe) costs at most the limit in memory.
//!
//! The limits live in govai-core next to the request limit: [`MAX_REQUEST_BYTES`] (one text or
//! document), [`MAX_LINE_BYTES`] (one JSON Lines line), [`MAX_FILE_BYTES`] (a whole input file
//! that is not a request).
//!
//! Errors name the input, the limit and, for lines, the line number. [`BoundedLines`] reports a
//! bad line (too long, not UTF-8) as an [`Error::InvalidInput`] and goes on with the next line;
//! an I/O error ([`Error::Io`]) ends the iteration.
//!
//! [`MAX_REQUEST_BYTES`]: crate::MAX_REQUEST_BYTES
//! [`MAX_LINE_BYTES`]: crate::MAX_LINE_BYTES
//! [`MAX_FILE_BYTES`]: crate::MAX_FILE_BYTES

use std::io::{BufRead, ErrorKind as IoKind, Read};
use std::path::Path;

use crate::{Error, Result};

/// Read all of `reader`, at most `limit` bytes; more is an [`Error::InvalidInput`] naming `what`
/// and the limit (found after reading `limit + 1` bytes, never more).
pub fn read_bounded(reader: impl Read, limit: usize, what: &str) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    reader.take(cap).read_to_end(&mut buf).map_err(|e| Error::io(what, e))?;
    if buf.len() > limit {
        return Err(Error::InvalidInput(format!("{what} is longer than the limit of {limit} bytes")));
    }
    Ok(buf)
}

/// [`read_bounded`] as UTF-8 text; invalid UTF-8 is an [`Error::InvalidInput`] naming the byte.
pub fn read_text_bounded(reader: impl Read, limit: usize, what: &str) -> Result<String> {
    utf8(read_bounded(reader, limit, what)?, what)
}

/// A file's text, at most `limit` bytes (see [`read_bounded`]).
pub fn read_file_bounded(path: impl AsRef<Path>, limit: usize) -> Result<String> {
    let path = path.as_ref();
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    read_text_bounded(file, limit, &path.display().to_string())
}

fn utf8(bytes: Vec<u8>, what: &str) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        Error::InvalidInput(format!("{what} is not UTF-8 (invalid byte at offset {})", e.utf8_error().valid_up_to()))
    })
}

/// One line of a [`BoundedLines`] reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number.
    pub number: usize,
    /// The text, without its `\n` (or `\r\n`).
    pub text: String,
}

/// The lines of a reader, each at most `limit` bytes, read in constant memory.
///
/// Yields `Ok(Line)`, or an [`Error::InvalidInput`] for a bad line (longer than the limit: said
/// as soon as the limit is passed, the rest of the line is then skipped; not UTF-8), after
/// which iteration goes on with the next line; or an [`Error::Io`], after which it ends. Every
/// message names the input and the line number.
#[derive(Debug)]
pub struct BoundedLines<R> {
    reader: R,
    limit: usize,
    what: String,
    number: usize,
    /// Skipping the rest of an overlong line.
    skipping: bool,
    done: bool,
}

impl<R: BufRead> BoundedLines<R> {
    /// Lines of `reader` of at most `limit` bytes; `what` names the input in errors.
    pub fn new(reader: R, limit: usize, what: impl Into<String>) -> Self {
        Self { reader, limit, what: what.into(), number: 0, skipping: false, done: false }
    }

    /// Number of the last line returned (0 before the first).
    pub fn line_number(&self) -> usize {
        self.number
    }

    fn too_long(&self) -> Error {
        Error::InvalidInput(format!(
            "{}: line {} is longer than the limit of {} bytes",
            self.what, self.number, self.limit
        ))
    }

    /// Skip to the end of the current (overlong) line. `Ok(false)` at end of input.
    fn skip_line(&mut self) -> std::io::Result<bool> {
        loop {
            let buf = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == IoKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                return Ok(false);
            }
            if let Some(i) = buf.iter().position(|&b| b == b'\n') {
                self.reader.consume(i + 1);
                return Ok(true);
            }
            let n = buf.len();
            self.reader.consume(n);
        }
    }

    fn next_line(&mut self) -> Option<Result<Line>> {
        if self.skipping {
            self.skipping = false;
            match self.skip_line() {
                Ok(true) => {}
                Ok(false) => return None,
                Err(e) => {
                    self.done = true;
                    return Some(Err(Error::io(&self.what, e)));
                }
            }
        }
        let mut line = Vec::new();
        let mut started = false;
        loop {
            let buf = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == IoKind::Interrupted => continue,
                Err(e) => {
                    self.done = true;
                    return Some(Err(Error::io(&self.what, e)));
                }
            };
            if buf.is_empty() {
                if !started {
                    return None;
                }
                break;
            }
            if !started {
                started = true;
                self.number += 1;
            }
            let (take, end) = match buf.iter().position(|&b| b == b'\n') {
                Some(i) => (i, true),
                None => (buf.len(), false),
            };
            // `\r` of a `\r\n` ending does not count against the limit.
            if line.len() + take > self.limit.saturating_add(1) {
                let consumed = if end { take + 1 } else { take };
                self.reader.consume(consumed);
                self.skipping = !end;
                return Some(Err(self.too_long()));
            }
            line.extend_from_slice(&buf[..take]);
            self.reader.consume(if end { take + 1 } else { take });
            if end {
                break;
            }
        }
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        if line.len() > self.limit {
            return Some(Err(self.too_long()));
        }
        let number = self.number;
        Some(String::from_utf8(line).map(|text| Line { number, text }).map_err(|e| {
            Error::InvalidInput(format!(
                "{}: line {number} is not UTF-8 (invalid byte at offset {})",
                self.what,
                e.utf8_error().valid_up_to()
            ))
        }))
    }
}

impl<R: BufRead> Iterator for BoundedLines<R> {
    type Item = Result<Line>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        self.next_line()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn lines(input: &[u8], limit: usize) -> Vec<std::result::Result<(usize, String), String>> {
        // A tiny buffer so lines cross buffer boundaries.
        let reader = std::io::BufReader::with_capacity(3, input);
        BoundedLines::new(reader, limit, "in")
            .map(|r| r.map(|l| (l.number, l.text)).map_err(|e| e.to_string()))
            .collect()
    }

    #[test]
    fn lines_limits_and_recovery() {
        assert_eq!(lines(b"", 4), vec![]);
        assert_eq!(lines(b"ab\ncd", 4), vec![Ok((1, "ab".into())), Ok((2, "cd".into()))]);
        assert_eq!(lines(b"abcd\r\n\n", 4), vec![Ok((1, "abcd".into())), Ok((2, String::new()))]);
        let got = lines(b"abcde\nok\n\xff\nabcdefghij", 4);
        assert_eq!(got[0], Err("invalid input: in: line 1 is longer than the limit of 4 bytes".into()));
        assert_eq!(got[1], Ok((2, "ok".into())));
        assert!(got[2].as_ref().unwrap_err().contains("line 3 is not UTF-8"), "{got:?}");
        assert!(got[3].as_ref().unwrap_err().contains("line 4 is longer"), "{got:?}");
        assert_eq!(got.len(), 4);
        assert!(lines(b"abcd\r", 4) == vec![Ok((1, "abcd".into()))]);
        assert!(lines(b"abcde\r\n", 4)[0].is_err());
    }

    #[test]
    fn overlong_line_is_reported_without_reading_it_all() {
        // An endless line: the error comes once the limit is passed.
        let mut it = BoundedLines::new(std::io::BufReader::new(std::io::repeat(b'x')), 1000, "zero");
        let e = it.next().unwrap().unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
        assert!(e.to_string().contains("line 1 is longer than the limit of 1000 bytes"), "{e}");
    }

    /// The property of fuzz/fuzz_targets/lines.rs on generated inputs: the items are exactly
    /// the reference split of the input, each line either its text or a named error.
    #[test]
    fn lines_match_the_reference_split() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let limit = (next() % 8) as usize;
            let capacity = (next() % 5) as usize + 1;
            let len = (next() % 24) as usize;
            let data: Vec<u8> = (0..len).map(|_| [b'a', b'\n', b'\r', 0xff, 0xe4][(next() % 5) as usize]).collect();
            let mut expected: Vec<&[u8]> = data.split(|&c| c == b'\n').collect();
            if expected.last().is_some_and(|l| l.is_empty()) {
                expected.pop();
            }
            let got: Vec<_> =
                BoundedLines::new(std::io::BufReader::with_capacity(capacity, &data[..]), limit, "t").collect();
            assert_eq!(got.len(), expected.len(), "{data:?} limit {limit}");
            for (i, (item, raw)) in got.iter().zip(&expected).enumerate() {
                let line = raw.strip_suffix(b"\r").unwrap_or(raw);
                match item {
                    Ok(l) => assert!(l.number == i + 1 && l.text.as_bytes() == line && line.len() <= limit),
                    Err(e) => {
                        let msg = e.to_string();
                        assert!(msg.contains(&format!("line {} ", i + 1)), "{msg}");
                        assert!(line.len() > limit || std::str::from_utf8(line).is_err(), "{data:?}: {msg}");
                    }
                }
            }
        }
    }

    #[test]
    fn read_bounded_stops_at_the_limit() {
        let e = read_text_bounded(std::io::repeat(0), 1 << 20, "<stdin>").unwrap_err();
        assert_eq!(e.to_string(), "invalid input: <stdin> is longer than the limit of 1048576 bytes");
        assert_eq!(read_text_bounded(&b"abc"[..], 3, "x").unwrap(), "abc");
        assert!(read_text_bounded(&b"a\xffc"[..], 3, "x").unwrap_err().to_string().contains("not UTF-8"));
    }
}
