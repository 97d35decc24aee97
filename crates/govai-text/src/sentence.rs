//! Sentence segmentation: the one definition of where a sentence ends, used by the streaming
//! release of the core pipeline (which releases text sentence by sentence), the reviewers that
//! judge sentences or clauses (lexicon, input screen, citation, grounding), the classifier's
//! context windows and retrieval's sentence picking.
//!
//! # The character set
//! - Terminators ([`is_terminator`]), always a sentence end: `。` `！` `？` `；` `．` (full-width
//!   full stop), `!` `?` `;`, and the line breaks `\n` `\r`.
//! - The ASCII full stop `.` ends a sentence only in context ([`is_sentence_end`]): followed by
//!   whitespace or the end of the text, and not right after a digit (so `5.5%`, `2.` in
//!   `2.5 yuan` split over a stream, `v1.2` and `9:00` stay whole).
//! - Clause breaks ([`is_clause_break`]) add `，` `,` `：` `:` `、` to the terminators.
//!
//! A consumer that sees one character without its neighbours (the classifier's context window
//! on normalised text, a stream whose next character has not arrived) uses the terminators only.

use crate::citation::citation_marker_len;

/// A character that always ends a sentence: `。！？；．!?;` and the line breaks `\n`, `\r`.
pub fn is_terminator(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '；' | '．' | '!' | '?' | ';' | '\n' | '\r')
}

/// Does an ASCII full stop between `prev` and `next` end a sentence? Only when whitespace or
/// the end of the text follows and something other than a digit precedes it.
pub fn full_stop_ends(prev: Option<char>, next: Option<char>) -> bool {
    next.is_none_or(char::is_whitespace) && prev.is_some_and(|p| !p.is_ascii_digit())
}

/// Is the character at `i` a sentence end? A [terminator](is_terminator), or an English full
/// stop that [ends a sentence](full_stop_ends).
pub fn is_sentence_end(chars: &[char], i: usize) -> bool {
    match chars[i] {
        '.' => full_stop_ends(i.checked_sub(1).map(|j| chars[j]), chars.get(i + 1).copied()),
        c => is_terminator(c),
    }
}

/// A character that ends a clause: a terminator or `，,：:、`.
pub fn is_clause_break(c: char) -> bool {
    is_terminator(c) || matches!(c, '，' | ',' | '：' | ':' | '、')
}

/// Is the character at `i` a clause break: a [sentence end](is_sentence_end) or `，,：:、`?
pub fn is_clause_break_at(chars: &[char], i: usize) -> bool {
    is_sentence_end(chars, i) || is_clause_break(chars[i])
}

/// Sentence spans (character offsets, end exclusive) covering the whole text, split right after
/// each [sentence end](is_sentence_end); citation markers after an end start the next span
/// (see [`sentence_spans`] for the form that keeps them with the sentence before).
pub fn split_spans(chars: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 0..chars.len() {
        if is_sentence_end(chars, i) {
            out.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < chars.len() || out.is_empty() {
        out.push((start, chars.len()));
    }
    out
}

/// Sentence spans (character offsets, end exclusive) covering the whole text: split after
/// each sentence end ([`is_sentence_end`]). A citation marker right
/// after the end (`……办理。[1]`, spaces allowed before it) stays with the sentence before it.
pub fn sentence_spans(text: &str) -> Vec<(usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        if is_sentence_end(&chars, i) {
            let mut end = i + 1;
            let mut j = end;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            if let Some(n) = citation_marker_len(&chars[j..]) {
                end = j + n;
            }
            out.push((start, end));
            start = end;
            i = end;
            continue;
        }
        i += 1;
    }
    if start < chars.len() || out.is_empty() {
        out.push((start, chars.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_chars as chars;

    #[test]
    fn sentences_keep_their_markers() {
        let t = "办理居住证需要身份证。[1] 时限为15个工作日。[2]还有问题吗？";
        let c = chars(t);
        let s: Vec<String> = sentence_spans(t).into_iter().map(|(a, b)| c[a..b].iter().collect()).collect();
        assert_eq!(s, ["办理居住证需要身份证。[1]", " 时限为15个工作日。[2]", "还有问题吗？"]);
    }

    #[test]
    fn decimal_points_do_not_end_sentences() {
        let t = "The fee is 2.5 yuan. Apply online.";
        assert_eq!(sentence_spans(t), vec![(0, 20), (20, 34)]);
        assert_eq!(sentence_spans(""), vec![(0, 0)]);
    }

    #[test]
    fn split_spans_without_markers() {
        let c = chars("第一句。第二句[1]！Third. 3.5 ok");
        let s = split_spans(&c);
        assert_eq!(s.len(), 4);
        assert_eq!(s[0], (0, 4));
        assert_eq!(split_spans(&[]), vec![(0, 0)]);
    }

    #[test]
    fn one_character_set() {
        for c in ['。', '！', '？', '；', '．', '!', '?', ';', '\n', '\r'] {
            assert!(is_terminator(c) && is_clause_break(c), "{c:?}");
        }
        assert!(!is_terminator('.') && !is_terminator('，'));
        assert!(is_clause_break('、') && !is_terminator('、'));
        assert!(is_sentence_end(&chars("ok. x"), 2));
        assert!(is_sentence_end(&chars("ok."), 2));
        assert!(!is_sentence_end(&chars("2. x"), 1));
        assert!(!is_sentence_end(&chars("2.5"), 1));
        assert!(!is_sentence_end(&chars(".x"), 0));
    }
}
