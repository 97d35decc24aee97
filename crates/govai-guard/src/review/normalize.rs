//! Text normalisation shared by the reviewers, with a map back to the original characters.
//!
//! [`MatchText`] is the form the lexicon matches on: NFKC (full-width forms become ASCII),
//! traditional characters become simplified ([`super::t2s`]), letters are lower-cased, and
//! whitespace, punctuation, symbols, emoji and invisible characters (zero-width spaces, joiners,
//! variation selectors, combining marks) are dropped, so `走 后 门`, `走‧後‧門` and `走​后​门`
//! all become `走后门`. Every kept character remembers the index of the original character it came
//! from, so a match maps back to a character span of the original text.

use unicode_normalization::UnicodeNormalization;

use super::t2s::to_simplified;

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
    let u = c as u32;
    // ASCII and CJK unified ideographs (basic block and extension A) are NFKC-stable.
    if u < 0x80 || (0x4E00..=0x9FFF).contains(&u) || (0x3400..=0x4DBF).contains(&u) {
        f(c);
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
    use super::*;

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
