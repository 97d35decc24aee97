//! A bounded line reader over a file that also counts bytes and hashes them: one pass gives
//! the lines (at most `limit` bytes each, longer ones reported and skipped), their byte
//! offsets, and the file's SHA-256.

use std::io::{BufRead, ErrorKind};

use sha2::{Digest, Sha256};

/// The UTF-8 byte order mark (dropped from the start of a file).
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One line of a file.
#[derive(Debug)]
pub(crate) enum Item {
    /// A line without its `\n` (or `\r\n`): 1-based number, byte offset of its first byte.
    Line { number: u64, offset: u64, bytes: Vec<u8> },
    /// A line longer than the limit (skipped): number, offset, its length in bytes.
    TooLong { number: u64, offset: u64, len: u64 },
}

/// The lines of `reader` in constant memory (at most `limit` bytes held).
#[derive(Debug)]
pub(crate) struct LineReader<R> {
    reader: R,
    limit: usize,
    number: u64,
    /// Bytes consumed so far (the offset of the next line).
    consumed: u64,
    hasher: Sha256,
}

impl<R: BufRead> LineReader<R> {
    pub(crate) fn new(reader: R, limit: usize) -> Self {
        Self { reader, limit, number: 0, consumed: 0, hasher: Sha256::new() }
    }

    /// Bytes read so far.
    pub(crate) fn bytes_read(&self) -> u64 {
        self.consumed
    }

    /// The first bytes of the input (at most one buffer), without consuming them.
    pub(crate) fn peek(&mut self) -> std::io::Result<&[u8]> {
        retry(|| self.reader.fill_buf().map(|b| b.len()))?;
        self.reader.fill_buf()
    }

    /// Hex SHA-256 of everything read (call once the reader is exhausted).
    pub(crate) fn sha256(self) -> String {
        hex::encode(self.hasher.finalize())
    }

    /// Consume `n` bytes of the current buffer, hashing them.
    fn consume(&mut self, n: usize) -> std::io::Result<()> {
        let buf = self.reader.fill_buf()?;
        self.hasher.update(&buf[..n]);
        self.reader.consume(n);
        self.consumed += n as u64;
        Ok(())
    }

    /// The next line, `None` at end of input.
    pub(crate) fn next_item(&mut self) -> std::io::Result<Option<Item>> {
        let offset = self.consumed;
        let mut line = Vec::new();
        let mut len: u64 = 0;
        let mut started = false;
        loop {
            let avail = retry(|| self.reader.fill_buf().map(|b| b.len()))?;
            if avail == 0 {
                break;
            }
            started = true;
            let buf = self.reader.fill_buf()?;
            let (take, end) = match buf.iter().position(|&b| b == b'\n') {
                Some(i) => (i, true),
                None => (buf.len(), false),
            };
            // One byte of slack for the `\r` of a `\r\n` ending.
            if len + take as u64 <= self.limit as u64 + 1 {
                line.extend_from_slice(&buf[..take]);
            } else if !line.is_empty() {
                line = Vec::new();
            }
            len += take as u64;
            self.consume(if end { take + 1 } else { take })?;
            if end {
                break;
            }
        }
        if !started {
            return Ok(None);
        }
        self.number += 1;
        if line.last() == Some(&b'\r') && len == line.len() as u64 {
            line.pop();
            len -= 1;
        }
        if len > self.limit as u64 {
            return Ok(Some(Item::TooLong { number: self.number, offset, len }));
        }
        let mut offset = offset;
        if self.number == 1 && line.starts_with(BOM) {
            line.drain(..BOM.len());
            offset += BOM.len() as u64;
        }
        Ok(Some(Item::Line { number: self.number, offset, bytes: line }))
    }
}

/// Run `f` again while it fails with `Interrupted`.
fn retry<T>(mut f: impl FnMut() -> std::io::Result<T>) -> std::io::Result<T> {
    loop {
        match f() {
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn items(input: &[u8], limit: usize) -> Vec<String> {
        let mut r = LineReader::new(std::io::BufReader::with_capacity(3, input), limit);
        let mut out = Vec::new();
        while let Some(item) = r.next_item().unwrap() {
            out.push(match item {
                Item::Line { number, offset, bytes } => {
                    format!("{number}@{offset}:{}", String::from_utf8(bytes).unwrap())
                }
                Item::TooLong { number, offset, len } => format!("{number}@{offset}:long {len}"),
            });
        }
        assert_eq!(r.bytes_read(), input.len() as u64);
        out
    }

    #[test]
    fn lines_offsets_and_limits() {
        assert_eq!(items(b"ab\ncd\r\n\nxyz", 5), ["1@0:ab", "2@3:cd", "3@7:", "4@8:xyz"]);
        assert_eq!(items(b"abcdefgh\nab\r\n", 3), ["1@0:long 8", "2@9:ab"]);
        assert_eq!(items(b"abc\r\n", 3), ["1@0:abc"]);
        assert_eq!(items(b"\xEF\xBB\xBFhi\n", 10), ["1@3:hi"]);
        assert!(items(b"", 3).is_empty());
    }

    #[test]
    fn hashes_every_byte() {
        let data = b"one\ntoo long line\nthree";
        let mut r = LineReader::new(std::io::BufReader::with_capacity(4, &data[..]), 4);
        while r.next_item().unwrap().is_some() {}
        assert_eq!(r.sha256(), hex::encode(Sha256::digest(data)));
    }
}
