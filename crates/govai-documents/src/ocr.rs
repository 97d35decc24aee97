//! Reading recognised text the way OCR gets it wrong: full-width characters, spaces inside
//! words and numbers, and letters mistaken for digits (`O`/`0`, `l`/`1`).

use chrono::NaiveDate;
use govai_text::normalize::{is_invisible, nfkc_char};

/// A line in matching form: NFKC-folded (full-width digits and letters to ASCII, `：` to
/// `:`), whitespace and invisible characters dropped, with the original character index of
/// each kept character.
#[derive(Debug, Clone, Default)]
pub(crate) struct Folded {
    pub(crate) chars: Vec<char>,
    /// `orig[i]`: index (in characters) in the original text of `chars[i]`.
    pub(crate) orig: Vec<usize>,
}

/// Fold a text (see [`Folded`]).
pub(crate) fn fold(text: &str) -> Folded {
    let mut f = Folded::default();
    for (i, c) in text.chars().enumerate() {
        if c.is_whitespace() || is_invisible(c) {
            continue;
        }
        nfkc_char(c, |d| {
            if !d.is_whitespace() {
                f.chars.push(d);
                f.orig.push(i);
            }
        });
    }
    f
}

/// A word (title, label) in matching form.
pub(crate) fn fold_str(s: &str) -> String {
    fold(s).chars.into_iter().collect()
}

impl Folded {
    /// The first position at or after `from` where `needle` starts.
    pub(crate) fn find(&self, needle: &[char], from: usize) -> Option<usize> {
        if needle.is_empty() || needle.len() > self.chars.len() {
            return None;
        }
        (from..=self.chars.len() - needle.len()).find(|&i| self.chars[i..i + needle.len()] == *needle)
    }

    /// Whether `needle` occurs anywhere.
    pub(crate) fn contains(&self, needle: &[char]) -> bool {
        self.find(needle, 0).is_some()
    }

    /// The original character span `[start, end)` of folded characters `a..b` (`a < b`).
    pub(crate) fn orig_span(&self, a: usize, b: usize) -> (usize, usize) {
        (self.orig[a], self.orig[b - 1] + 1)
    }
}

/// Undo the letter-for-digit confusions of OCR in a value that should be numeric (an ID
/// number, a date): `O o Q D` -> `0`, `l I i | !` -> `1`, `Z z` -> `2`, `S s` -> `5`,
/// `B` -> `8`; `x` -> `X` (the ID check character). Expects folded input; other characters
/// are kept.
pub fn fix_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'O' | 'o' | 'Q' | 'D' => '0',
            'l' | 'I' | 'i' | '|' | '!' => '1',
            'Z' | 'z' => '2',
            'S' | 's' => '5',
            'B' => '8',
            'x' => 'X',
            c => c,
        })
        .collect()
}

/// Chinese numeral digit, with 〇 and 零 as 0.
fn cn_digit(c: char) -> Option<u32> {
    "〇一二三四五六七八九".chars().position(|d| d == c).map(|p| p as u32).or((c == '零').then_some(0))
}

/// A Chinese number up to 99 (`五`, `十`, `十二`, `二十`, `三十一`).
fn cn_small(s: &str) -> Option<u32> {
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        ['十'] => Some(10),
        [d] => cn_digit(*d),
        ['十', d] => Some(10 + cn_digit(*d)?),
        [t, '十'] => Some(cn_digit(*t)? * 10),
        [t, '十', d] => Some(cn_digit(*t)? * 10 + cn_digit(*d)?),
        _ => None,
    }
}

/// Every date in `s` (folded, digits fixed), in order: `2026年12月5日`, `2026-12-05`,
/// `2026.12.5`, `2026/12/05`, `20261205` and `二〇二六年十二月五日`. Impossible dates are skipped.
pub fn parse_dates(s: &str) -> Vec<NaiveDate> {
    use std::sync::LazyLock;
    static ARABIC: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
        regex::Regex::new(r"([0-9]{4})(?:[.\-/年]([0-9]{1,2})[.\-/月]([0-9]{1,2})日?|([0-9]{2})([0-9]{2}))").ok()
    });
    static CHINESE: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
        regex::Regex::new(
            r"([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日",
        )
        .ok()
    });
    let mut found: Vec<(usize, NaiveDate)> = Vec::new();
    if let Some(re) = ARABIC.as_ref() {
        for c in re.captures_iter(s) {
            let num = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
            let (Some(y), Some(whole)) = (num(1), c.get(0)) else { continue };
            let (m, d) = if c.get(2).is_some() { (num(2), num(3)) } else { (num(4), num(5)) };
            // A run of more than eight digits is not a date (e.g. an ID number).
            let touches_digit = |b: Option<char>| b.is_some_and(|b| b.is_ascii_digit());
            if c.get(4).is_some()
                && (touches_digit(s[..whole.start()].chars().next_back())
                    || touches_digit(s[whole.end()..].chars().next()))
            {
                continue;
            }
            if let (Some(m), Some(d)) = (m, d)
                && let Some(date) = NaiveDate::from_ymd_opt(y as i32, m, d)
            {
                found.push((whole.start(), date));
            }
        }
    }
    if let Some(re) = CHINESE.as_ref() {
        for c in re.captures_iter(s) {
            let year: Option<u32> = c[1].chars().try_fold(0u32, |acc, ch| Some(acc * 10 + cn_digit(ch)?));
            if let (Some(y), Some(m), Some(d), Some(whole)) = (year, cn_small(&c[2]), cn_small(&c[3]), c.get(0))
                && let Some(date) = NaiveDate::from_ymd_opt(y as i32, m, d)
            {
                found.push((whole.start(), date));
            }
        }
    }
    found.sort_by_key(|(at, _)| *at);
    found.into_iter().map(|(_, d)| d).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn folding_drops_spaces_and_maps_full_width() {
        let f = fold("姓 名：　张三 １２３");
        assert_eq!(f.chars.iter().collect::<String>(), "姓名:张三123");
        assert_eq!(f.orig_span(3, 5), (5, 7));
        assert!(f.contains(&['姓', '名']));
        assert_eq!(fold_str(" 居民 身份证 "), "居民身份证");
    }

    #[test]
    fn digit_confusions_are_undone() {
        assert_eq!(fix_digits("11O1O5l949l23lOO2x"), "11010519491231002X");
        assert_eq!(fix_digits("2O2O.Ol.O1"), "2020.01.01");
        assert_eq!(fix_digits("长期"), "长期");
    }

    #[test]
    fn dates_in_every_common_form() {
        assert_eq!(parse_dates("2026年12月5日"), vec![ymd(2026, 12, 5)]);
        assert_eq!(parse_dates("2016.03.01-2036.03.01"), vec![ymd(2016, 3, 1), ymd(2036, 3, 1)]);
        assert_eq!(parse_dates("2016-03-01-长期"), vec![ymd(2016, 3, 1)]);
        assert_eq!(parse_dates("20200229"), vec![ymd(2020, 2, 29)]);
        assert_eq!(parse_dates("二〇二六年十二月二十五日"), vec![ymd(2026, 12, 25)]);
        assert!(parse_dates("2026年13月5日").is_empty());
        assert!(parse_dates("11010519491231002X").is_empty(), "an ID number holds no date");
        assert!(parse_dates("年月日").is_empty());
    }
}
