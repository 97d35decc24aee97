//! Sentence boundaries, shared by the streaming review (which releases text sentence by
//! sentence) and the reviewers that judge whole sentences.

/// Is the character at `i` a sentence end? 。！？!?；; line breaks, and an English full stop
/// followed by whitespace (or the end) that is not a decimal point.
pub fn is_sentence_end(chars: &[char], i: usize) -> bool {
    match chars[i] {
        '。' | '！' | '？' | '!' | '?' | '；' | ';' | '\n' => true,
        '.' => chars.get(i + 1).is_none_or(|c| c.is_whitespace()) && i > 0 && !chars[i - 1].is_ascii_digit(),
        _ => false,
    }
}

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
    let is_close = |c: char| matches!(c, ']' | '］' | '】');
    let is_space = |c: char| c == ' ' || c == '\u{3000}';
    let mut state = State::ExpectDigit;
    for (i, &c) in chars.iter().enumerate().skip(1).take(24) {
        state = match state {
            State::ExpectDigit if is_space(c) => State::ExpectDigit,
            State::ExpectDigit if is_digit(c) => State::InDigits(1),
            State::InDigits(n) if is_digit(c) && n < 3 => State::InDigits(n + 1),
            State::InDigits(_) | State::AfterDigits if is_space(c) => State::AfterDigits,
            State::InDigits(_) | State::AfterDigits if is_sep(c) => State::ExpectDigit,
            State::InDigits(_) | State::AfterDigits if is_close(c) => return MarkerPrefix::Complete(i + 1),
            _ => return MarkerPrefix::No,
        };
    }
    if chars.len() > 25 { MarkerPrefix::No } else { MarkerPrefix::Partial }
}

/// Sentence spans (character offsets, end exclusive) covering the whole text: split after
/// 。！？!?；; line breaks and an English full stop followed by a space. A citation marker right
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

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

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
}
