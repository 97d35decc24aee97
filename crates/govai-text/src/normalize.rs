//! Text normalisation, with maps back to the original text. Two forms:
//!
//! - [`normalize`] (the classifier's form): NFKC character by character (full-width digits,
//!   letters and punctuation become ASCII, U+3000 a space), dashes (U+2010..U+2015, U+2212,
//!   U+FE58) become `-`, zero-width / invisible format characters ([`is_invisible`]) are dropped
//!   so they cannot split a number. Each original character becomes zero or more normalised
//!   characters, so every normalised byte has exactly one source character; findings are mapped
//!   back by byte offset so masks land on the original span.
//! - [`MatchText`] (the reviewers' form, what the lexicon matches on): the same NFKC, then
//!   traditional characters become simplified ([`crate::to_simplified`]), letters are
//!   lower-cased, and whitespace, punctuation, symbols, emoji and invisible characters (zero-width
//!   spaces, joiners, variation selectors, combining marks; [`is_ignorable`]) are dropped, so
//!   `走 后 门`, `走‧後‧門` and `走·后·门` all become `走后门`. Every kept character remembers
//!   the index of the original character it came from.
//!
//! Both use one per-character NFKC with the same fast path ([`nfkc_char`]).

use std::borrow::Cow;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

use crate::t2s::to_simplified;

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
pub struct Normalized<'a> {
    /// The normalised text.
    pub text: Cow<'a, str>,
    changes: Vec<Change>,
}

/// Zero-width and invisible format characters (U+200B..U+200D, U+2060, U+FEFF, U+00AD): dropped
/// so they cannot split a word or a number.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}')
}

/// Dashes (U+2010..U+2015, U+2212, U+FE58) folded to `-`.
fn fold_dash(c: char) -> char {
    match c {
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' => '-',
        other => other,
    }
}

/// `Some(c2)` if `c` NFKC-normalises to exactly one character `c2`, known without running NFKC:
/// ASCII and CJK unified ideographs (basic block, extension A) are stable, full-width forms
/// U+FF01..U+FF5E are ASCII shifted by U+FEE0, U+3000 is a space.
#[inline]
fn fast_map(c: char) -> Option<char> {
    let u = c as u32;
    if u < 0x80 || crate::is_han(c) {
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

/// Whether `c` normalises to itself (kept as it is, copied with its run).
fn unchanged(c: char) -> bool {
    fast_map(c) == Some(c)
        || (fast_map(c).is_none()
            && !is_invisible(c)
            && fold_dash(c) == c
            && is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes)
}

/// Whether the bytes at `b[i..]` begin a three-byte character that NFKC keeps and that needs no
/// decoding: lead bytes E5..E9 are U+5000..U+9FFF (all CJK unified ideographs); E4 except E4 B7
/// is U+4000..U+4DBF (extension A) and U+4E00..U+4FFF; E3 80 81/82 are `、` and `。`.
#[inline]
fn stable_cjk_at(b: &[u8], i: usize) -> bool {
    let x = b[i];
    (0xE5..=0xE9).contains(&x)
        || (x == 0xE4 && b.get(i + 1) != Some(&0xB7))
        || (x == 0xE3 && b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0x81 | 0x82)))
}

/// NFKC-normalise `text` character by character, fold dashes to `-` and drop invisible
/// characters, keeping a map from normalised byte offsets back to the original (see
/// [`Normalized::orig_start`], [`Normalized::orig_end`]). ASCII bytes and the common CJK
/// ideographs are passed over without decoding, and nothing is copied until the first character
/// that changes (a text without one is borrowed).
pub fn normalize(text: &str) -> Normalized<'_> {
    let b = text.as_bytes();
    let mut out: Option<String> = None;
    let mut changes = Vec::new();
    // Unchanged characters are copied as whole runs.
    let mut run = 0usize;
    let mut i = 0usize;
    while i < b.len() {
        if b[i] < 0x80 {
            i += 1;
            continue;
        }
        if stable_cjk_at(b, i) {
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
pub struct CharCounter<'a> {
    text: &'a str,
    byte: usize,
    chars: usize,
}

impl<'a> CharCounter<'a> {
    /// A counter at the start of `text`.
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

/// Characters that obfuscation inserts between the characters of a word, or that carry no
/// lexical meaning: dropped before matching.
pub fn is_ignorable(c: char) -> bool {
    if c.is_ascii() {
        return !c.is_ascii_alphanumeric();
    }
    if c.is_whitespace() || c.is_control() {
        return true;
    }
    matches!(c as u32,
        0x00A0..=0x00BF            // Latin-1 punctuation and symbols (· « » ¡ ...)
        | 0x00D7 | 0x00F7          // × ÷
        | 0x02B0..=0x036F          // modifier letters, combining diacritics (zalgo)
        | 0x2000..=0x206F          // general punctuation, zero-width spaces/joiners, ‧ •
        | 0x20D0..=0x20FF          // combining marks for symbols
        | 0x2190..=0x23FF          // arrows, mathematical operators, technical symbols
        | 0x2500..=0x27BF          // box drawing, blocks, geometric shapes, misc symbols, dingbats
        | 0x2E00..=0x2E7F          // supplemental punctuation
        | 0x3000..=0x3004          // ideographic space, 、。〃 〄
        | 0x3008..=0x3020          // 〈〉《》「」『』【】〔〕... 〜
        | 0x3030 | 0x303D          // 〰 〽
        | 0x30FB | 0x30FC          // katakana middle dot, prolonged sound mark
        | 0xFE00..=0xFE0F          // variation selectors
        | 0xFE10..=0xFE1F          // vertical forms
        | 0xFE30..=0xFE6F          // CJK compatibility forms, small forms
        | 0xFEFF                   // BOM / zero-width no-break space
        | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65 // full-width punctuation
        | 0xFFF0..=0xFFFF          // specials
        | 0x1F000..=0x1FAFF        // mahjong, cards, emoji, pictographs
        | 0xE0000..=0xE007F        // tag characters
        | 0xE0100..=0xE01EF        // variation selectors supplement
    )
}

/// Push the NFKC expansion of `c` through `f`, with a fast path for the common cases.
pub fn nfkc_char(c: char, mut f: impl FnMut(char)) {
    if let Some(m) = fast_map(c) {
        f(m);
        return;
    }
    for d in std::iter::once(c).nfkc() {
        f(d);
    }
}

/// The normalised matching form of a text, with an offset map to the original characters.
#[derive(Debug, Clone, Default)]
pub struct MatchText {
    /// The normalised text.
    pub text: String,
    /// For each character of `text`: the index of the original character it came from.
    orig: Vec<usize>,
    /// For each character of `text`: its byte offset in `text` (plus `text.len()` at the end).
    byte_starts: Vec<usize>,
}

impl MatchText {
    /// The matching form of `original`.
    pub fn new(original: &str) -> Self {
        let mut out = MatchText {
            text: String::with_capacity(original.len()),
            orig: Vec::with_capacity(original.len() / 2),
            byte_starts: Vec::with_capacity(original.len() / 2 + 1),
        };
        for (i, c) in original.chars().enumerate() {
            if is_ignorable(c) {
                continue;
            }
            nfkc_char(c, |d| {
                if is_ignorable(d) {
                    return;
                }
                let d = to_simplified(d);
                if d.is_ascii() {
                    out.push(d.to_ascii_lowercase(), i);
                } else {
                    for l in d.to_lowercase() {
                        out.push(l, i);
                    }
                }
            });
        }
        out.byte_starts.push(out.text.len());
        out
    }

    fn push(&mut self, c: char, orig: usize) {
        self.byte_starts.push(self.text.len());
        self.text.push(c);
        self.orig.push(orig);
    }

    /// Number of normalised characters.
    pub fn len(&self) -> usize {
        self.orig.len()
    }

    /// No normalised characters.
    pub fn is_empty(&self) -> bool {
        self.orig.is_empty()
    }

    /// Index of the normalised character starting at byte `b` (or the end).
    fn char_at_byte(&self, b: usize) -> usize {
        self.byte_starts.partition_point(|&s| s < b)
    }

    /// The original character span (end exclusive) covered by the normalised byte range.
    pub fn orig_span(&self, byte_start: usize, byte_end: usize) -> Option<(usize, usize)> {
        let s = self.char_at_byte(byte_start);
        let e = self.char_at_byte(byte_end);
        if s >= e || e > self.orig.len() {
            return None;
        }
        Some((self.orig[s], self.orig[e - 1] + 1))
    }
}

/// Normalise a term the way texts are normalised (no offsets).
pub fn normalize_term(term: &str) -> String {
    MatchText::new(term).text
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use proptest::prelude::*;

    use super::*;

    /// The plain form of [`normalize`]: every character decoded, the text always copied.
    fn reference(text: &str) -> Normalized<'_> {
        let mut out = String::with_capacity(text.len());
        let mut changes = Vec::new();
        let mut run = 0usize;
        for (ob, c) in text.char_indices() {
            if unchanged(c) {
                continue;
            }
            out.push_str(&text[run..ob]);
            run = ob + c.len_utf8();
            let ns = out.len();
            if !is_invisible(c) {
                nfkc_char(fold_dash(c), |d| out.push(fold_dash(d)));
            }
            changes.push(Change { norm_start: ns, norm_end: out.len(), orig_start: ob, orig_end: run });
        }
        out.push_str(&text[run..]);
        Normalized { text: Cow::Owned(out), changes }
    }

    /// The byte-level fast path gives the reference's text and offset maps.
    fn same_as_reference(s: &str) {
        let a = normalize(s);
        let r = reference(s);
        assert_eq!(a.text, r.text, "{s:?}");
        for k in 0..=a.text.len() {
            assert_eq!(a.orig_start(k), r.orig_start(k), "{s:?} start {k}");
            assert_eq!(a.orig_end(k), r.orig_end(k), "{s:?} end {k}");
        }
    }

    #[test]
    fn fast_path_same_as_reference_on_examples() {
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
            same_as_reference(s);
        }
        assert!(matches!(normalize("政务数据。abc").text, Cow::Borrowed(_)), "nothing to change: borrowed");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn fast_path_same_as_reference(s in "(\\PC|[\\u{2010}-\\u{2015}\\u{200B}-\\u{200D}\\u{3000}-\\u{303F}\\u{3400}-\\u{4FFF}\\u{FF00}-\\u{FFEF}\\u{FE50}-\\u{FE6F}])*") {
            same_as_reference(&s);
        }

        #[test]
        fn fast_path_same_as_reference_any(s in any::<String>()) {
            same_as_reference(&s);
        }
    }

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

    #[test]
    fn obfuscations_collapse() {
        for s in [
            "走后门",
            "走 后 门",
            "走‧後‧門",
            "走\u{200B}后\u{200D}门",
            "走·后·门",
            "走_后-门",
            "走、后。门",
            "走😀后门",
        ] {
            assert_eq!(normalize_term(s), "走后门", "{s:?}");
        }
        assert_eq!(normalize_term("ＡＢＣ１２３"), "abc123");
        assert_eq!(normalize_term("保证100%通过"), "保证100通过");
        assert_eq!(normalize_term("！？。，"), "");
    }

    #[test]
    fn offsets_map_back() {
        let src = "请 走‧後‧門 办理";
        let m = MatchText::new(src);
        let b = m.text.find("走后门").unwrap_or(usize::MAX);
        let span = m.orig_span(b, b + "走后门".len());
        assert_eq!(span, Some((2, 7)));
        let chars: Vec<char> = src.chars().collect();
        assert_eq!(chars[2..7].iter().collect::<String>(), "走‧後‧門");
    }

    #[test]
    fn nfkc_expansion_keeps_offsets() {
        // ㈱ expands to (株) (punctuation dropped); full-width digits become ASCII.
        let m = MatchText::new("a㈱１");
        assert_eq!(m.text, "a株1");
        assert_eq!(m.orig_span(1, 4), Some((1, 2)));
        assert_eq!(m.orig_span(4, 5), Some((2, 3)));
    }
}
