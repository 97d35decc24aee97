//! One cheap pass that says which ASCII bytes a text contains, so that the recognizers whose
//! matches need a byte the text lacks (an `@` for e-mails, a `.` between digits for IPv4, a `:`
//! for IPv6, a capital for plates, a digit for every number and code) are not run at all. Every
//! gate is a necessary condition of the recognizer it skips, so findings are the same with or
//! without it (the `gates_are_exact` property test compares both paths).
//!
//! CJK prose is almost all bytes >= 0x80 (three-byte UTF-8), so the pass skips 8-byte words with
//! no ASCII byte in one comparison.

use std::sync::LazyLock;

use memchr::memmem::Finder;

/// A CJK character whose presence gates a recognizer (`密` secrecy markings, `岁` ages, `号`
/// road numbers). `str::contains` checks every occurrence of the character's last byte, a
/// continuation byte that CJK text is full of; the `memchr` finder is vectorised.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Han {
    Mi,
    Sui,
    Hao,
}

static FINDERS: LazyLock<[Finder<'static>; 3]> =
    LazyLock::new(|| ["密", "岁", "号"].map(|s| Finder::new(s.as_bytes()).into_owned()));

/// Whether `t` contains the character.
pub(crate) fn has_han(t: &str, c: Han) -> bool {
    FINDERS[c as usize].find(t.as_bytes()).is_some()
}

/// An ASCII digit.
pub(crate) const DIGIT: u16 = 1;
/// An ASCII capital.
pub(crate) const UPPER: u16 = 1 << 1;
/// An ASCII small letter.
pub(crate) const LOWER: u16 = 1 << 2;
/// `@`.
pub(crate) const AT: u16 = 1 << 3;
/// `[` or `(`.
pub(crate) const OPEN: u16 = 1 << 4;
/// `.`.
pub(crate) const DOT: u16 = 1 << 5;
/// `:`.
pub(crate) const COLON: u16 = 1 << 6;

const fn table() -> [u16; 256] {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 128 {
        let c = i as u8;
        t[i] = if c.is_ascii_digit() {
            DIGIT
        } else if c.is_ascii_uppercase() {
            UPPER
        } else if c.is_ascii_lowercase() {
            LOWER
        } else {
            match c {
                b'@' => AT,
                b'[' | b'(' => OPEN,
                b'.' => DOT,
                b':' => COLON,
                _ => 0,
            }
        };
        i += 1;
    }
    t
}

static TABLE: [u16; 256] = table();

const HIGH: u64 = 0x8080_8080_8080_8080;

/// Eight bytes as one word (one load).
#[inline(always)]
fn word(c: &[u8]) -> u64 {
    <[u8; 8]>::try_from(c).map_or(0, u64::from_le_bytes)
}

/// The union of the classes of the ASCII bytes of `b`.
pub(crate) fn ascii_classes(b: &[u8]) -> u16 {
    let mut flags = 0u16;
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        if word(c) & HIGH == HIGH {
            continue;
        }
        for &x in c {
            flags |= TABLE[x as usize];
        }
    }
    for &x in chunks.remainder() {
        flags |= TABLE[x as usize];
    }
    flags
}

/// The index of the first byte at or after `i` for which `want` holds, skipping 8-byte words of
/// non-ASCII bytes (`want` must be false for every byte >= 0x80); `b.len()` if none.
#[inline]
pub(crate) fn next_ascii(b: &[u8], mut i: usize, want: impl Fn(u8) -> bool) -> usize {
    while i < b.len() {
        if i + 8 <= b.len() {
            let w = word(&b[i..i + 8]);
            if w & HIGH == HIGH {
                i += 8;
                continue;
            }
            // Straight to the first ASCII byte of the word.
            i += ((!w & HIGH).trailing_zeros() / 8) as usize;
        }
        if want(b[i]) {
            return i;
        }
        i += 1;
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_and_skips() {
        assert_eq!(ascii_classes("中文文本没有任何拉丁字母或数字".as_bytes()), 0);
        let f = ascii_classes("电话13800138000，邮箱a@b.cn：见[附件]".as_bytes());
        assert_eq!(f, DIGIT | LOWER | AT | DOT | OPEN);
        assert_eq!(ascii_classes(b"A:"), UPPER | COLON);
        let t = "政务数据共享工作的监督检查与评估到2027年".as_bytes();
        assert_eq!(next_ascii(t, 0, |c| c.is_ascii_digit()), t.len() - "2027年".len());
        assert_eq!(next_ascii(t, t.len() - 2, |c| c.is_ascii_digit()), t.len());
        assert!(has_han("绝密★", Han::Mi) && !has_han("秘书", Han::Mi));
        assert!(has_han("10岁", Han::Sui) && has_han("8号", Han::Hao) && !has_han("", Han::Hao));
        for s in ["", "1", "ab1", "中1", "中中中中中中中中1中"] {
            let b = s.as_bytes();
            assert_eq!(
                next_ascii(b, 0, |c| c.is_ascii_digit()),
                b.iter().position(u8::is_ascii_digit).unwrap_or(b.len())
            );
        }
    }
}
