//! The classifier's normalisation: [`govai_text::normalize::normalize`] (NFKC character by
//! character, dashes folded to `-`, invisible characters dropped, with the map back to the
//! original), the same output computed with a byte-level fast path: ASCII bytes and the three-byte
//! sequences of U+5000..U+9FFF (CJK unified ideographs, which NFKC keeps) are skipped without
//! decoding, and nothing is copied until the first character that changes (a text without one
//! is borrowed). The `same_as_govai_text` property test compares both on random text.

use std::borrow::Cow;

use govai_text::normalize::{is_invisible, nfkc_char};
use unicode_normalization::{IsNormalized, is_nfkc_quick};

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
    /// The normalised text.
    pub text: Cow<'a, str>,
    changes: Vec<Change>,
}

/// Dashes (U+2010..U+2015, U+2212, U+FE58) folded to `-`.
fn fold_dash(c: char) -> char {
    match c {
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' => '-',
        other => other,
    }
}

/// As in `govai_text::normalize`: `Some(c2)` if `c` NFKC-normalises to exactly one character
/// known without running NFKC.
#[inline]
fn fast_map(c: char) -> Option<char> {
    let u = c as u32;
    if u < 0x80 || govai_text::is_han(c) {
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

fn unchanged(c: char) -> bool {
    fast_map(c) == Some(c)
        || (fast_map(c).is_none()
            && !is_invisible(c)
            && fold_dash(c) == c
            && is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes)
}

/// See the module docs.
pub(crate) fn normalize(text: &str) -> Normalized<'_> {
    let b = text.as_bytes();
    let mut out: Option<String> = None;
    let mut changes = Vec::new();
    // Unchanged characters are copied as whole runs.
    let mut run = 0usize;
    let mut i = 0usize;
    while i < b.len() {
        let x = b[i];
        if x < 0x80 {
            i += 1;
            continue;
        }
        // Lead bytes E5..E9: U+5000..U+9FFF, all CJK unified ideographs; E4 except E4 B7:
        // U+4000..U+4DBF (extension A) and U+4E00..U+4FFF. `、` and `。` (U+3001, U+3002) stay.
        if (0xE5..=0xE9).contains(&x)
            || (x == 0xE4 && b.get(i + 1) != Some(&0xB7))
            || (x == 0xE3 && b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0x81 | 0x82)))
        {
            i += 3;
            continue;
        }
        let Some(c) = text.get(i..).and_then(|s| s.chars().next()) else { break };
        let ob = i;
        i += c.len_utf8();
        if unchanged(c) {
            continue;
        }
        let o = out.get_or_insert_with(|| String::with_capacity(text.len() + 16));
        o.push_str(&text[run..ob]);
        run = i;
        let ns = o.len();
        if !is_invisible(c) {
            nfkc_char(fold_dash(c), |d| o.push(fold_dash(d)));
        }
        changes.push(Change { norm_start: ns, norm_end: o.len(), orig_start: ob, orig_end: i });
    }
    let text = match out {
        None => Cow::Borrowed(text),
        Some(mut o) => {
            o.push_str(&text[run..]);
            Cow::Owned(o)
        }
    };
    Normalized { text, changes }
}

impl Normalized<'_> {
    /// Original byte offset of a normalised start offset (rounded down to the source character).
    pub(crate) fn orig_start(&self, b: usize) -> usize {
        let idx = self.changes.partition_point(|c| c.norm_start <= b);
        if idx == 0 {
            return b;
        }
        let c = self.changes[idx - 1];
        if b < c.norm_end { c.orig_start } else { b - c.norm_end + c.orig_end }
    }

    /// Original byte offset of a normalised end offset (rounded up to the source character).
    pub(crate) fn orig_end(&self, b: usize) -> usize {
        let idx = self.changes.partition_point(|c| c.norm_start < b);
        if idx == 0 {
            return b;
        }
        let c = self.changes[idx - 1];
        if b <= c.norm_end { c.orig_end } else { b - c.norm_end + c.orig_end }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn check(s: &str) {
        let a = normalize(s);
        let r = govai_text::normalize::normalize(s);
        assert_eq!(a.text, r.text, "{s:?}");
        for k in 0..=a.text.len() {
            assert_eq!(a.orig_start(k), r.orig_start(k), "{s:?} start {k}");
            assert_eq!(a.orig_end(k), r.orig_end(k), "{s:?} end {k}");
        }
    }

    #[test]
    fn same_as_govai_text_on_examples() {
        for s in [
            "",
            "abc",
            "政务数据，共享。",
            "手机：１３８００１３８０００",
            "a\u{200B}b\u{3000}c—d\u{FE58}e",
            "㍿ﬁ①Ⅻ㈱",
            "䷀䷁㐀㐁一龥鿿",
            "𠀀𪚥😀",
        ] {
            check(s);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn same_as_govai_text(s in "(\\PC|[\\u{2010}-\\u{2015}\\u{200B}-\\u{200D}\\u{3000}-\\u{303F}\\u{3400}-\\u{4FFF}\\u{FF00}-\\u{FFEF}\\u{FE50}-\\u{FE6F}])*") {
            check(&s);
        }

        #[test]
        fn same_as_govai_text_any(s in any::<String>()) {
            check(&s);
        }
    }
}
