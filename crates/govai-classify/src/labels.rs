//! Latin labels written as identifiers or glued to their value: `card_no=`, `CardNo:`, `idNo`,
//! `src_ip=`, `passportE12345678`, `IP192.168.1.1`, `hostfe80::1`.
//!
//! The lexicon matches ASCII context words only between non-letters and only in their
//! dictionary spelling (`card no`). A label in a form dump, a log line or a JSON key is often
//! one identifier (`card_no`, `CardNo`, `srcIP`) or glued to the value (`passportE…`). Such a
//! label is an ASCII identifier run (letters, digits, `_`) whose lower-case letters, with `_`
//! removed, end with one of the type's ASCII context words with its spaces removed, optionally
//! followed by `no` / `num` / `number` / `nr` / `addr` / `address`. The context word must start
//! at a word boundary of the run (its start, after `_`, or at a camel-case capital) unless it has
//! at least five letters, so `zip` is not an `ip` label but `srcIP` and `bankcardno` are labels.

use std::sync::LazyLock;

use crate::lexicon::CONTEXT;
use crate::types::EntityType;

const SUFFIXES: &[&str] = &["number", "address", "addr", "num", "no", "nr"];

/// Lower-case letters and digits of `run` (`_` dropped), and for each of them whether a word
/// starts there.
fn squash(run: &[u8]) -> (Vec<u8>, Vec<bool>) {
    let mut s = Vec::with_capacity(run.len());
    let mut starts = Vec::with_capacity(run.len());
    let mut after_sep = true;
    for (i, &c) in run.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            after_sep = true;
            continue;
        }
        let prev = i.checked_sub(1).map(|j| run[j]);
        let next = run.get(i + 1).copied();
        let camel = c.is_ascii_uppercase()
            && prev.is_some_and(|p| {
                p.is_ascii_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
            });
        starts.push(after_sep || camel);
        s.push(c.to_ascii_lowercase());
        after_sep = false;
    }
    (s, starts)
}

/// Does `s` (squashed) end with the squashed context word `w` at an acceptable position?
fn ends_with_word(s: &[u8], starts: &[bool], w: &[u8]) -> bool {
    if w.is_empty() || !s.ends_with(w) {
        return false;
    }
    let at = s.len() - w.len();
    starts[at] || w.len() >= 5
}

/// The ASCII context words of each type, squashed (lower case, letters and digits only).
static WORDS: LazyLock<Vec<(EntityType, Vec<Vec<u8>>)>> = LazyLock::new(|| {
    CONTEXT
        .iter()
        .map(|(t, words)| {
            let sq = words
                .iter()
                .filter(|w| w.is_ascii())
                .map(|w| w.bytes().filter(u8::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect())
                .collect();
            (*t, sq)
        })
        .collect()
});

/// Whether the ASCII identifier run `run` is a label of `ty`.
pub(crate) fn is_label_of(run: &[u8], ty: EntityType) -> bool {
    if run.is_empty() || run.len() > 40 || !run.iter().any(u8::is_ascii_alphabetic) {
        return false;
    }
    let Some((_, words)) = WORDS.iter().find(|(t, _)| *t == ty) else {
        return false;
    };
    let (s, starts) = squash(run);
    let mut bodies = [s.len(); 1 + SUFFIXES.len()];
    let mut nb = 1;
    for suf in SUFFIXES {
        if s.len() > suf.len() && s.ends_with(suf.as_bytes()) {
            bodies[nb] = s.len() - suf.len();
            nb += 1;
        }
    }
    words.iter().any(|w| bodies[..nb].iter().any(|&n| ends_with_word(&s[..n], &starts[..n], w)))
}

/// The ASCII identifier run (`[A-Za-z0-9_]`) ending at byte `end` of `b`, starting with a letter
/// or `_` (a run of digits is not a label).
pub(crate) fn run_before(b: &[u8], end: usize) -> &[u8] {
    let mut s = end;
    while s > 0 && (b[s - 1].is_ascii_alphanumeric() || b[s - 1] == b'_') && end - s < 41 {
        s -= 1;
    }
    // Leading digits belong to something else (`12abc`).
    while s < end && b[s].is_ascii_digit() {
        s += 1;
    }
    &b[s..end]
}

/// Like [`run_before`], but up to three words separated by single spaces (`bank card`).
pub(crate) fn phrase_before(b: &[u8], end: usize) -> &[u8] {
    let mut s = run_before(b, end).len();
    let mut words = 1;
    while words < 3 && end - s >= 2 && b[end - s - 1] == b' ' {
        let prev = run_before(b, end - s - 1).len();
        if prev == 0 || !b[end - s - 1 - prev].is_ascii_alphabetic() {
            break;
        }
        s += prev + 1;
        words += 1;
    }
    &b[end - s..end]
}

/// The label run before a value starting at byte `start` of `t`: glued, or after a short gap
/// (at most three of ` `, `:`, `=`, tab, `#`, quotes, `-`, `.`, `(`, `为`, `是`, or ` is `).
pub(crate) fn label_before(t: &str, start: usize) -> &[u8] {
    let b = t.as_bytes();
    let gap = |e: usize| {
        let mut e = e;
        for (i, ch) in t[..e].char_indices().rev().take(3) {
            if !matches!(ch, ' ' | ':' | '=' | '\t' | '#' | '"' | '\'' | '-' | '.' | '(' | '为' | '是') {
                break;
            }
            e = i;
        }
        e
    };
    let mut e = gap(start);
    if t[..e].ends_with(" is") || t[..e].ends_with(" IS") {
        e = gap(e - 2);
    }
    run_before(b, e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifier_labels() {
        for (run, ty) in [
            ("card_no", EntityType::BankCard),
            ("CardNo", EntityType::BankCard),
            ("bankcardno", EntityType::BankCard),
            ("BANK_CARD", EntityType::BankCard),
            ("idNo", EntityType::CnResidentId),
            ("IDCard", EntityType::CnResidentId),
            ("src_ip", EntityType::Ipv4),
            ("srcIP", EntityType::Ipv4),
            ("IP", EntityType::Ipv4),
            ("ipaddr", EntityType::Ipv4),
            ("host", EntityType::Ipv6),
            ("passport", EntityType::CnPassport),
            ("PASSPORT", EntityType::CnPassport),
            ("passportNo", EntityType::CnPassport),
            ("mobile", EntityType::CnMobile),
        ] {
            assert!(is_label_of(run.as_bytes(), ty), "{run} {ty:?}");
        }
        for (run, ty) in [
            ("zip", EntityType::Ipv4),
            ("v", EntityType::Ipv4),
            ("version", EntityType::Ipv4),
            ("order_no", EntityType::BankCard),
            ("passport", EntityType::BankCard),
            ("", EntityType::CnPassport),
            ("123", EntityType::CnPassport),
        ] {
            assert!(!is_label_of(run.as_bytes(), ty), "{run} {ty:?}");
        }
    }

    #[test]
    fn runs() {
        assert_eq!(run_before(b"x card_no", 9), b"card_no");
        assert_eq!(run_before(b"12ab", 4), b"ab");
        assert_eq!(phrase_before(b"my bank card", 12), b"my bank card");
        assert_eq!(phrase_before(b"1 bank card", 11), b"bank card");
        assert_eq!(phrase_before(b"card", 4), b"card");
        assert_eq!(label_before("\"card_no\":\"6", 11), b"card_no");
        assert_eq!(label_before("IP192", 2), b"IP");
        assert_eq!(label_before("a    6", 5), b"");
        assert_eq!(label_before("passportNo为E1", "passportNo为".len()), b"passportNo");
        assert_eq!(label_before("passport is E1", 12), b"passport");
    }
}
