//! NFKC normalisation with an offset map back to the original text.
//!
//! Every recognizer works on the normalised text (ASCII digits and letters, ASCII punctuation,
//! plain spaces and hyphens); findings are mapped back to the original text so masks land on the
//! original span.
//!
//! Normalisation is done character by character: each original character becomes zero or more
//! normalised characters, so every normalised byte has exactly one source character. On top of
//! NFKC: dashes (U+2010..U+2015, U+2212, U+FE58) become `-`, and zero-width / invisible format
//! characters (U+200B..U+200D, U+2060, U+FEFF, U+00AD) are dropped so they cannot split a number.

use std::borrow::Cow;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// One original character whose normalised form differs from itself (byte offsets).
#[derive(Debug, Clone, Copy)]
struct Change {
    norm_start: usize,
    norm_end: usize,
    orig_start: usize,
    orig_end: usize,
}

/// The normalised text and the map back to the original.
#[derive(Debug)]
pub(crate) struct Normalized<'a> {
    pub text: Cow<'a, str>,
    changes: Vec<Change>,
}

fn is_dropped(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}')
}

fn fold_dash(c: char) -> char {
    match c {
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' => '-',
        other => other,
    }
}

/// `Some(c2)` if `c` normalises to exactly one character `c2` without running NFKC.
#[inline]
fn fast_map(c: char) -> Option<char> {
    let u = c as u32;
    if u < 0x80 || (0x4E00..=0x9FFF).contains(&u) || (0x3400..=0x4DBF).contains(&u) {
        return Some(c);
    }
    if (0xFF01..=0xFF5E).contains(&u) {
        return char::from_u32(u - 0xFEE0);
    }
    if u == 0x3000 {
        return Some(' ');
    }
    None
}

pub(crate) fn normalize(text: &str) -> Normalized<'_> {
    if text.is_ascii() {
        return Normalized { text: Cow::Borrowed(text), changes: Vec::new() };
    }
    let mut out = String::with_capacity(text.len());
    let mut changes = Vec::new();
    // Unchanged characters are copied as whole runs.
    let mut run = 0usize;
    for (ob, c) in text.char_indices() {
        let unchanged = fast_map(c) == Some(c)
            || (fast_map(c).is_none()
                && !is_dropped(c)
                && fold_dash(c) == c
                && is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes);
        if unchanged {
            continue;
        }
        out.push_str(&text[run..ob]);
        run = ob + c.len_utf8();
        let oe = run;
        let ns = out.len();
        if let Some(m) = fast_map(c) {
            out.push(m);
        } else if !is_dropped(c) {
            for d in std::iter::once(fold_dash(c)).nfkc() {
                out.push(fold_dash(d));
            }
        }
        changes.push(Change { norm_start: ns, norm_end: out.len(), orig_start: ob, orig_end: oe });
    }
    out.push_str(&text[run..]);
    Normalized { text: Cow::Owned(out), changes }
}

impl Normalized<'_> {
    /// Original byte offset of a normalised start offset (rounded down to the source character).
    pub fn orig_start(&self, b: usize) -> usize {
        // Last change with norm_start <= b.
        let idx = self.changes.partition_point(|c| c.norm_start <= b);
        if idx == 0 {
            return b;
        }
        let c = self.changes[idx - 1];
        if b < c.norm_end { c.orig_start } else { b - c.norm_end + c.orig_end }
    }

    /// Original byte offset of a normalised end offset (rounded up to the source character).
    pub fn orig_end(&self, b: usize) -> usize {
        // Last change with norm_start < b.
        let idx = self.changes.partition_point(|c| c.norm_start < b);
        if idx == 0 {
            return b;
        }
        let c = self.changes[idx - 1];
        if b <= c.norm_end { c.orig_end } else { b - c.norm_end + c.orig_end }
    }
}

/// Maps increasing byte offsets of `text` to char offsets in one forward pass.
#[derive(Debug)]
pub(crate) struct CharCounter<'a> {
    text: &'a str,
    byte: usize,
    chars: usize,
}

impl<'a> CharCounter<'a> {
    pub fn new(text: &'a str) -> Self {
        Self { text, byte: 0, chars: 0 }
    }

    /// Char offset of byte offset `b` (must be a char boundary; offsets should be increasing,
    /// a smaller one restarts from the beginning).
    pub fn char_at(&mut self, b: usize) -> usize {
        let b = b.min(self.text.len());
        if b < self.byte {
            self.byte = 0;
            self.chars = 0;
        }
        let seg = self.text.get(self.byte..b).unwrap_or("");
        self.chars += seg.chars().count();
        self.byte = b;
        self.chars
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn fullwidth_and_spaces() {
        let s = "身份证：１１０１０５１９４９１２３１００２Ｘ\u{3000}号";
        let n = normalize(s);
        assert_eq!(n.text, "身份证:11010519491231002X 号");
        let start = n.text.find("110").unwrap();
        let end = n.text.find('X').unwrap() + 1;
        let (os, oe) = (n.orig_start(start), n.orig_end(end));
        assert_eq!(&s[os..oe], "１１０１０５１９４９１２３１００２Ｘ");
    }

    #[test]
    fn expansions_and_drops() {
        let s = "a\u{200B}b⑴c—d";
        let n = normalize(s);
        assert_eq!(n.text, "ab(1)c-d");
        // "1" inside the expansion of ⑴ maps to the whole ⑴.
        let p = n.text.find('1').unwrap();
        assert_eq!(&s[n.orig_start(p)..n.orig_end(p + 1)], "⑴");
        // "b" maps to b, after the dropped zero-width space.
        let p = n.text.find('b').unwrap();
        assert_eq!(&s[n.orig_start(p)..n.orig_end(p + 1)], "b");
        let p = n.text.find('d').unwrap();
        assert_eq!(&s[n.orig_start(p)..n.orig_end(p + 1)], "d");
        assert_eq!(&s[n.orig_start(0)..n.orig_end(n.text.len())], s);
    }

    #[test]
    fn char_counter() {
        let s = "中a文b";
        let mut c = CharCounter::new(s);
        assert_eq!(c.char_at(0), 0);
        assert_eq!(c.char_at(3), 1);
        assert_eq!(c.char_at(4), 2);
        assert_eq!(c.char_at(8), 4);
        assert_eq!(c.char_at(3), 1);
    }
}
