//! Citation markers: `[1]`, `［2］`, `【1，3】`, `[1-2]` after a sentence name the sources it
//! rests on. The streaming release holds back a marker whose closing bracket has not arrived;
//! sentence spans ([`crate::sentence::sentence_spans`]) keep a marker with the sentence before it.

/// Length in characters of a complete citation marker at the start of `chars`
/// (`[1]`, `［2］`, `【1，3】`, `[1-2]`: one to three digits, separated by , ， 、 - – ~ ～,
/// spaces allowed inside), or `None`.
pub fn citation_marker_len(chars: &[char]) -> Option<usize> {
    match marker_prefix(chars) {
        MarkerPrefix::Complete(n) => Some(n),
        _ => None,
    }
}

/// Could `chars` (the end of a streamed buffer) be the beginning of a citation marker whose
/// closing bracket has not arrived yet?
pub fn is_partial_citation_marker(chars: &[char]) -> bool {
    matches!(marker_prefix(chars), MarkerPrefix::Partial)
}

enum MarkerPrefix {
    Complete(usize),
    Partial,
    No,
}

fn marker_prefix(chars: &[char]) -> MarkerPrefix {
    // The grammar of `[\[［【]\s*\d{1,3}(\s*[sep]\s*\d{1,3})*\s*[\]］】]`, as a small state machine.
    enum State {
        ExpectDigit,
        InDigits(usize),
        AfterDigits,
    }
    if !matches!(chars.first(), Some('[' | '［' | '【')) {
        return MarkerPrefix::No;
    }
    let is_digit = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    let is_sep = |c: char| matches!(c, ',' | '，' | '、' | '-' | '–' | '~' | '～');
    let is_space = |c: char| c == ' ' || c == '\u{3000}';
    let mut state = State::ExpectDigit;
    for (i, &c) in chars.iter().enumerate().skip(1).take(24) {
        state = match state {
            State::ExpectDigit if is_space(c) => State::ExpectDigit,
            State::ExpectDigit if is_digit(c) => State::InDigits(1),
            State::InDigits(n) if is_digit(c) && n < 3 => State::InDigits(n + 1),
            State::InDigits(_) | State::AfterDigits if is_space(c) => State::AfterDigits,
            State::InDigits(_) | State::AfterDigits if is_sep(c) => State::ExpectDigit,
            State::InDigits(_) | State::AfterDigits if is_marker_close(c) => return MarkerPrefix::Complete(i + 1),
            _ => return MarkerPrefix::No,
        };
    }
    if chars.len() > 25 { MarkerPrefix::No } else { MarkerPrefix::Partial }
}

/// Does `text` hold a letter, digit or ideograph outside its citation markers? (`[1] [2]` alone,
/// which a small model may emit instead of an answer, has none.)
pub fn has_content(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if let Some(len) = citation_marker_len(&chars[i..]) {
            i += len;
            continue;
        }
        if chars[i].is_alphanumeric() {
            return true;
        }
        i += 1;
    }
    false
}

/// Does `c` close a citation marker (`]`, `］`, `】`)?
pub fn is_marker_close(c: char) -> bool {
    matches!(c, ']' | '］' | '】')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_chars as chars;

    #[test]
    fn markers() {
        assert_eq!(citation_marker_len(&chars("[1]后文")), Some(3));
        assert_eq!(citation_marker_len(&chars("【1，3】")), Some(5));
        assert_eq!(citation_marker_len(&chars("［１２］")), Some(4));
        assert_eq!(citation_marker_len(&chars("[1-2]")), Some(5));
        assert_eq!(citation_marker_len(&chars("[ 1 ]")), Some(5));
        assert_eq!(citation_marker_len(&chars("[]")), None);
        assert_eq!(citation_marker_len(&chars("[1,]")), None);
        assert_eq!(citation_marker_len(&chars("[1234]")), None);
        assert_eq!(citation_marker_len(&chars("[注]")), None);
        assert!(is_partial_citation_marker(&chars("[")));
        assert!(is_partial_citation_marker(&chars("[1")));
        assert!(is_partial_citation_marker(&chars("【1，")));
        assert!(!is_partial_citation_marker(&chars("[1]")));
        assert!(!is_partial_citation_marker(&chars("[注")));
        assert!(!is_partial_citation_marker(&chars("办")));
    }
}
