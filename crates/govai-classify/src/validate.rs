//! Exact validation algorithms (see `shared/reference/pii-formats.md`). All functions take ASCII
//! input with separators already removed and never panic.

use std::sync::LazyLock;

use regex::Regex;

/// ISO 7064 MOD 11-2 weights of GB 11643-1999.
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// Valid first two digits of a resident ID (province-level address code), incl. 71 Taiwan,
/// 81/82 HK/Macau and the 83 residence-permit code.
pub(crate) fn valid_province(p: &[u8]) -> bool {
    if p.len() < 2 || !p[0].is_ascii_digit() || !p[1].is_ascii_digit() {
        return false;
    }
    let v = (p[0] - b'0') * 10 + (p[1] - b'0');
    matches!(v, 11..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65 | 71 | 81..=83)
}

/// The MOD 11-2 check character for the first 17 digits.
pub fn id_check_char(first17: &[u8]) -> Option<u8> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (d, w) in first17.iter().zip(ID_WEIGHTS) {
        if !d.is_ascii_digit() {
            return None;
        }
        sum += u32::from(d - b'0') * w;
    }
    Some(ID_CHECK[(sum % 11) as usize])
}

fn num(b: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    if b.is_empty() {
        return None;
    }
    for &d in b {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(d - b'0');
    }
    Some(v)
}

/// A civil date (year, month, day).
pub type Date = (i32, u32, u32);

/// Days in month `m` (1..=12) of year `y` (Gregorian leap years); 0 for an invalid month.
pub fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

pub(crate) fn valid_date(d: Date) -> bool {
    let (y, m, day) = d;
    (1..=12).contains(&m) && day >= 1 && day <= days_in_month(y, m)
}

/// Today's UTC date from the system clock.
pub fn today() -> Date {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    civil_from_days((secs / 86_400) as i64)
}

/// Howard Hinnant's days-to-civil algorithm.
pub(crate) fn civil_from_days(z: i64) -> Date {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

/// Outcome of validating an 18-character resident ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdCheck {
    /// The check character matches.
    pub checksum: bool,
    /// The birth date encoded in the ID.
    pub birth: Date,
}

/// Structure check of an 18-character ID (17 digits + digit/X, upper-cased by the caller):
/// province prefix, real birth date in 1800..=today. `None` if the structure is impossible;
/// otherwise whether the check character matches.
pub fn check_resident_id(id: &[u8], today: Date) -> Option<IdCheck> {
    if id.len() != 18 || !valid_province(id) || id[0] == b'0' {
        return None;
    }
    let last = id[17];
    if !(last.is_ascii_digit() || last == b'X') {
        return None;
    }
    let y = num(&id[6..10])? as i32;
    let m = num(&id[10..12])?;
    let d = num(&id[12..14])?;
    let birth = (y, m, d);
    if y < 1800 || !valid_date(birth) || birth > today {
        return None;
    }
    let check = id_check_char(&id[..17])?;
    Some(IdCheck { checksum: check == last, birth })
}

/// Legacy 15-digit ID (GB 11643-1989): province, real 19YYMMDD date. Returns the birth date.
pub fn check_legacy_id(id: &[u8]) -> Option<Date> {
    if id.len() != 15 || !valid_province(id) || !id.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let y = 1900 + num(&id[6..8])? as i32;
    let birth = (y, num(&id[8..10])?, num(&id[10..12])?);
    valid_date(birth).then_some(birth)
}

#[cfg(test)]
/// Upgrade a legacy 15-digit ID to 18 digits (insert 19, append the check character).
fn upgrade_legacy_id(id: &[u8]) -> Option<String> {
    if id.len() != 15 {
        return None;
    }
    let mut v: Vec<u8> = Vec::with_capacity(18);
    v.extend_from_slice(&id[..6]);
    v.extend_from_slice(b"19");
    v.extend_from_slice(&id[6..]);
    let c = id_check_char(&v)?;
    v.push(c);
    String::from_utf8(v).ok()
}

/// GB 32100 character set.
const USCC_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

pub(crate) fn uscc_value(c: u8) -> Option<u32> {
    USCC_CHARS.iter().position(|&x| x == c).map(|p| p as u32)
}

/// Check character of the first 17 characters of a USCC.
pub fn uscc_check_char(first17: &[u8]) -> Option<u8> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (&c, w) in first17.iter().zip(USCC_WEIGHTS) {
        sum += uscc_value(c)? * w;
    }
    let c = (31 - sum % 31) % 31;
    Some(USCC_CHARS[c as usize])
}

/// USCC structure: all characters in the set, positions 3-8 digits, first two digits of the
/// division code a province code or 10 (central). `None` if impossible, else
/// `Some(check char ok && embedded organisation code ok)`.
pub fn check_uscc(code: &[u8]) -> Option<bool> {
    if code.len() != 18 || !code.iter().all(|&c| uscc_value(c).is_some()) {
        return None;
    }
    if !code[2..8].iter().all(u8::is_ascii_digit) {
        return None;
    }
    if !(valid_province(&code[2..4]) || &code[2..4] == b"10") {
        return None;
    }
    // Registration authority codes of GB 32100: 1-9, A, N, Y.
    if !matches!(code[0], b'1'..=b'9' | b'A' | b'N' | b'Y') {
        return None;
    }
    let ok = uscc_check_char(&code[..17]) == Some(code[17]) && check_org_code(&code[8..17]) == Some(true);
    Some(ok)
}

fn org_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        _ => None,
    }
}

/// Check character of an 8-character organisation code body (GB 11714-1997).
pub fn org_check_char(body: &[u8]) -> Option<u8> {
    const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    if body.len() != 8 {
        return None;
    }
    let mut sum = 0u32;
    for (&c, w) in body.iter().zip(W) {
        sum += org_value(c)? * w;
    }
    Some(match 11 - sum % 11 {
        10 => b'X',
        11 => b'0',
        v => b'0' + v as u8,
    })
}

/// `None` if not 8 body characters + [0-9X]; else whether the check character matches.
pub fn check_org_code(code: &[u8]) -> Option<bool> {
    if code.len() != 9 || !(code[8].is_ascii_digit() || code[8] == b'X') {
        return None;
    }
    Some(org_check_char(&code[..8])? == code[8])
}

/// Luhn checksum over ASCII digits.
pub fn luhn(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, &d) in digits.iter().rev().enumerate() {
        if !d.is_ascii_digit() {
            return false;
        }
        let mut v = u32::from(d - b'0');
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    !digits.is_empty() && sum.is_multiple_of(10)
}

/// Plausible card prefix for 16-19 digits: UnionPay 62, Visa 4, Mastercard 51-55 / 2221-2720,
/// JCB 35, Discover/others 60/65, Diners 30/36/38. (Domestic 9-prefixed cards need context.)
pub(crate) fn card_prefix_ok(d: &[u8]) -> bool {
    if d.len() < 4 {
        return false;
    }
    match (d[0], d[1]) {
        (b'4', _) | (b'6', b'0' | b'2' | b'5') | (b'5', b'1'..=b'5') | (b'3', b'0' | b'5' | b'6' | b'8') => true,
        (b'2', _) => num(&d[..4]).is_some_and(|v| (2221..=2720).contains(&v)) && d.len() == 16,
        _ => false,
    }
}

/// libphonenumber CN mobile pattern (phonenumbers 9.0.43):
/// `1(?:610\d|740[0-5])\d{6}|1(?:[38]\d|4[57]|[59][0-35-9]|6[25-7]|7[0-35-8])\d{8}`.
pub fn valid_mobile(d: &[u8]) -> bool {
    if d.len() != 11 || d[0] != b'1' || !d.iter().all(u8::is_ascii_digit) {
        return false;
    }
    match d[1] {
        b'3' | b'8' => true,
        b'4' => matches!(d[2], b'5' | b'7'),
        b'5' | b'9' => d[2] != b'4',
        b'6' => matches!(d[2], b'2' | b'5'..=b'7') || (d[2] == b'1' && d[3] == b'0'),
        b'7' => matches!(d[2], b'0'..=b'3' | b'5'..=b'8') || (d[2] == b'4' && d[3] == b'0' && d[4] <= b'5'),
        _ => false,
    }
}

/// Area codes (without the trunk 0) with 8-digit local numbers, from the libphonenumber CN
/// fixed-line pattern.
static AREA8: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:10|2[0-57-9]|3(?:11|7[179])|4(?:[15]1|3[1-35])|5(?:1\d|2[37]|3[12]|51|7[13-79]|9[15])|7(?:31|5[457]|6[09]|91)|8(?:[57]1|98))$")
        .expect("static area-code pattern")
});
/// Area codes with 7-digit local numbers (same source).
static AREA7: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:3(?:1[02-9]|35|49|5\d|7[02-68]|9[1-68])|4(?:1[02-9]|2[179]|3[3-9]|5[2-9]|6[4789]|7\d|8[23])|5(?:3[03-9]|4[36]|5[02-9]|6[1-46]|7[028]|80|9[2-46-9])|6(?:3[1-5]|6[0238]|9[12])|7(?:01|[17]\d|2[248]|3[04-9]|4[3-6]|5[0-4689]|6[2368]|9[02-9])|8(?:078|1[236-8]|2[5-7]|3\d|5[1-9]|7[02-9]|8[3678]|9[1-7])|9(?:0[1-3689]|1[1-79]|[379]\d|4[13]|5[1-5]))$")
        .expect("static area-code pattern")
});

/// How well a landline splits into area code + local number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Landline {
    /// Known area code and the local length libphonenumber expects.
    Exact,
    /// Known area code, local number of the other plausible length (7 vs 8).
    Plausible,
}

/// `digits` = area code without the trunk 0 followed by the local number. Returns the area code
/// length and the quality.
pub fn split_landline(digits: &[u8]) -> Option<(usize, Landline)> {
    let s = std::str::from_utf8(digits).ok()?;
    let mut best: Option<(usize, Landline)> = None;
    for alen in [2usize, 3] {
        if s.len() <= alen {
            continue;
        }
        let (area, local) = s.split_at(alen);
        if !local.bytes().all(|b| b.is_ascii_digit()) || !(7..=8).contains(&local.len()) {
            continue;
        }
        // Local numbers never start with 0 (that would be a second trunk prefix).
        if local.starts_with('0') {
            continue;
        }
        let q = if AREA8.is_match(area) {
            if local.len() == 8 { Landline::Exact } else { Landline::Plausible }
        } else if AREA7.is_match(area) {
            if local.len() == 7 { Landline::Exact } else { Landline::Plausible }
        } else {
            continue;
        };
        if best.is_none_or(|(_, bq)| bq == Landline::Plausible && q == Landline::Exact) {
            best = Some((alen, q));
        }
    }
    best
}

/// HKID: 1-2 letters + 6 digits + check (0-9 or A). `None` if malformed.
pub fn check_hkid(id: &[u8]) -> Option<bool> {
    let n = id.len();
    if !(8..=9).contains(&n) {
        return None;
    }
    let letters = n - 7;
    if !id[..letters].iter().all(u8::is_ascii_uppercase) || !id[letters..n - 1].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let check = id[n - 1];
    if !(check.is_ascii_digit() || check == b'A') {
        return None;
    }
    let mut vals: Vec<u32> = Vec::with_capacity(8);
    if letters == 1 {
        vals.push(36);
    }
    vals.extend(id[..letters].iter().map(|&c| u32::from(c - b'A') + 10));
    vals.extend(id[letters..n - 1].iter().map(|&c| u32::from(c - b'0')));
    let sum: u32 = vals.iter().zip([9u32, 8, 7, 6, 5, 4, 3, 2]).map(|(v, w)| v * w).sum();
    let expected = match sum % 11 {
        0 => b'0',
        1 => b'A',
        r => b'0' + (11 - r) as u8,
    };
    Some(expected == check)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const TODAY: Date = (2026, 6, 1);

    fn id(s: &str) -> Option<IdCheck> {
        check_resident_id(s.to_ascii_uppercase().as_bytes(), TODAY)
    }

    #[test]
    fn resident_id_vectors() {
        for v in ["11010519491231002X", "440524188001010014", "34052419800101001X", "513101198201130014"] {
            assert!(id(v).unwrap().checksum, "{v}");
        }
        assert!(id("11010519491231002x").unwrap().checksum);
        assert!(!id("110105194912310021").unwrap().checksum);
        assert_eq!(id("110105194902300020"), None, "impossible date");
        assert_eq!(id("990105194912310021"), None, "bad province");
        assert_eq!(id("110105209912310021"), None, "future date");
    }

    #[test]
    fn legacy_id() {
        assert_eq!(check_legacy_id(b"110105491231002"), Some((1949, 12, 31)));
        assert_eq!(upgrade_legacy_id(b"110105491231002").unwrap(), "11010519491231002X");
        assert_eq!(check_legacy_id(b"110105490230002"), None);
    }

    #[test]
    fn uscc_vectors() {
        assert_eq!(check_uscc(b"91350100M000100Y43"), Some(true));
        assert_eq!(check_uscc(b"9131000063159284XQ"), Some(true));
        assert_eq!(check_org_code(b"M000100Y4"), Some(true));
        assert_eq!(check_org_code(b"63159284X"), Some(true));
        assert_eq!(check_uscc(b"91350100M000100Y4Z"), None, "Z not in the set");
        assert_eq!(check_uscc(b"91310115MA1H8R7C6D"), Some(false));
        assert_eq!(check_uscc(b"91310115MA1G4L1WXK"), Some(false));
        assert_eq!(check_uscc(b"91350211M0000XUF46"), Some(false));
        assert_eq!(check_org_code(b"M0000XUF4"), Some(true));
    }

    #[test]
    fn luhn_vectors() {
        assert!(luhn(b"4111111111111111"));
        assert!(luhn(b"6222600260001072444"));
        assert!(!luhn(b"6226000000000004"));
        assert!(!luhn(b"4111111111111112"));
        assert!(!luhn(b"6222600260001072445"));
    }

    #[test]
    fn mobile_vectors() {
        for v in ["13800138000", "19212345678", "16212345678", "17401234567", "16101234567"] {
            assert!(valid_mobile(v.as_bytes()), "{v}");
        }
        for v in ["15412345678", "19412345678", "16812345678", "17412345678", "12345678901"] {
            assert!(!valid_mobile(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn landline_area_codes() {
        assert_eq!(split_landline(b"1012345678"), Some((2, Landline::Exact)));
        assert_eq!(split_landline(b"75512345678"), Some((3, Landline::Exact)));
        assert_eq!(split_landline(b"5711234567"), Some((3, Landline::Plausible)));
        assert_eq!(split_landline(b"2612345678"), None, "26 is reserved");
        assert_eq!(split_landline(b"1001234567"), None, "local starting with 0");
    }

    #[test]
    fn hkid_vectors() {
        assert_eq!(check_hkid(b"CA1823611"), Some(true));
        assert_eq!(check_hkid(b"A1234563"), Some(true));
        assert_eq!(check_hkid(b"CA1823612"), Some(false));
        assert_eq!(check_hkid(b"A12345"), None);
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert!(valid_date((2024, 2, 29)));
        assert!(!valid_date((2023, 2, 29)));
        assert!(today().0 >= 2025);
    }
}
