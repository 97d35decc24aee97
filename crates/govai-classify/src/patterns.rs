//! Regex recognizers: email, IPv4, IPv6, licence plates, secrecy markings, ages (minors).
//!
//! Rust's `regex` has no look-around, so every boundary is checked on the neighbouring bytes in
//! code. Each regex runs once over the normalised text (skipped when a required byte is absent).

use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use regex::Regex;

use super::Cand;
use super::labels;
use super::prefilter::{AT, COLON, DIGIT, DOT, Han, OPEN, UPPER, has_han, next_ascii};
use super::types::EntityType;

/// The positions of the ASCII bytes of `b` for which `want` holds, in order.
fn positions(b: &[u8], want: impl Fn(u8) -> bool + Copy) -> impl Iterator<Item = usize> {
    let mut i = 0;
    std::iter::from_fn(move || {
        let k = next_ascii(b, i, want);
        i = k + 1;
        (k < b.len()).then_some(k)
    })
}

#[derive(Debug)]
pub(crate) struct Patterns {
    email: Regex,
    ipv4: Regex,
    ipv6: Regex,
    plate: Regex,
    secrecy_star: Regex,
    secrecy_header: Regex,
    secrecy_label: Regex,
    age: Regex,
}

const PROVINCE_ABBR: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";

impl Patterns {
    pub(crate) fn build() -> Result<Self, regex::Error> {
        Ok(Self {
            // Local part ASCII (a CJK character before it is a boundary), domain labels ASCII or
            // CJK, obfuscated `[at]` / `(at)` / `[dot]` forms.
            email: Regex::new(
                r"(?i)[a-z0-9_%+\-][a-z0-9._%+\-]*(?:@|\s?\[at\]\s?|\s?\(at\)\s?)[a-z0-9\-]+(?:(?:\.|\[dot\]|\(dot\))[a-z0-9\-]+)*(?:\.|\[dot\]|\(dot\))(?:[a-z]{2,24}|中国|公司|网络)",
            )?,
            ipv4: Regex::new(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}")?,
            ipv6: Regex::new(
                r"(?:[0-9A-Fa-f]{1,4}|:)(?::[0-9A-Fa-f]{0,4}){1,7}(?:\.[0-9]{1,3}){0,3}(?:%[0-9A-Za-z]+)?",
            )?,
            plate: Regex::new(&format!(r"[{PROVINCE_ABBR}][A-HJ-NP-Z][·・\- ]?[A-HJ-NP-Z0-9]{{4,6}}[挂学警港澳]?"))?,
            secrecy_star: Regex::new(
                r"(?:绝密|机密|秘密)[ \t]*[★☆][ \t]*(?:(?:保密期限)?[ \t]*:?[ \t]*(?:[0-9一二三四五六七八九十两]+[ \t]*(?:年|个月|月|天|日)|长期|启用前|解密前|公布前))?",
            )?,
            secrecy_header: Regex::new(
                r"(?m)^[ \t]*(?:密级[ \t]*:?[ \t]*)?(?:绝密|机密|秘密)(?:[ \t]*\*[ \t]*[^\n]{0,8}?|[ \t]*(?:保密期限|期限)[ \t]*:?[ \t]*[^\s,.;]{1,8})?[ \t]*$",
            )?,
            secrecy_label: Regex::new(r"密级[ \t]*:?[ \t]*(?:绝密|机密|秘密)")?,
            age: Regex::new(r"(?:年龄[ \t]*:?[ \t]*)?[0-9]{1,3}[ \t]*(?:周岁|岁)")?,
        })
    }

    /// Run every pattern family whose required bytes are in `classes` (the ASCII byte classes of
    /// `t`, [`crate::prefilter::ascii_classes`]; `u16::MAX` runs them all).
    pub(crate) fn scan(&self, t: &str, classes: u16, out: &mut Vec<Cand>) {
        let b = t.as_bytes();
        let has = |c: u16| classes & c != 0;
        // `@`, or `[at]` / `(at)` in either case, in one pass.
        let obfuscated_at =
            |w: &[u8]| matches!((w[0], w[3]), (b'[', b']') | (b'(', b')')) && (w[1..3] == *b"at" || w[1..3] == *b"AT");
        if has(AT | OPEN)
            && (memchr::memchr(b'@', b).is_some()
                || memchr::memchr2_iter(b'[', b'(', b).any(|i| b.get(i..i + 4).is_some_and(obfuscated_at)))
        {
            self.emails(t, out);
        }
        let digit_at = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
        if has(DOT) && has(DIGIT) && memchr::memchr_iter(b'.', b).any(|i| i > 0 && digit_at(i - 1) && digit_at(i + 1)) {
            self.ipv4s(t, out);
        }
        // An IPv6 address is kept only with `::` or exactly 7 colons (see `ipv6s`).
        if has(COLON) && (t.contains("::") || memchr::memchr_iter(b':', b).nth(6).is_some()) {
            self.ipv6s(t, out);
        }
        // A plate starts with a province abbreviation (3 UTF-8 bytes) right before a capital.
        if has(UPPER)
            && positions(b, |c| c.is_ascii_uppercase())
                .any(|i| i >= 3 && t.get(i - 3..i).is_some_and(|p| PROVINCE_ABBR.contains(p)))
        {
            self.plates(t, out);
        }
        if has_han(t, Han::Mi) {
            self.secrecy(t, out);
        }
        if has(DIGIT) && has_han(t, Han::Sui) {
            for m in self.age.find_iter(t) {
                let s = m.start();
                if s > 0 && b[s - 1].is_ascii_digit() {
                    continue;
                }
                let digits: String = m.as_str().chars().filter(char::is_ascii_digit).collect();
                if digits.parse::<u32>().is_ok_and(|a| a < 14) {
                    let mut c = Cand::new(EntityType::Minor, s, m.end(), 0.35);
                    c.contextual = false;
                    c.needs_anchor = true;
                    out.push(c);
                }
            }
        }
    }

    fn emails(&self, t: &str, out: &mut Vec<Cand>) {
        let b = t.as_bytes();
        for m in self.email.find_iter(t) {
            let (mut s, e) = (m.start(), m.end());
            while s < e && b[s] == b'.' {
                s += 1;
            }
            if b.get(e).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'@') {
                continue;
            }
            let text = &t[s..e];
            let lower = text.to_ascii_lowercase();
            let at = lower.find('@').or_else(|| lower.find("[at]")).or_else(|| lower.find("(at)"));
            let Some(at) = at else { continue };
            if at == 0 || at > 64 || text.len() - at > 256 {
                continue;
            }
            let s = s + glued_label_len(&lower[..at]);
            out.push(Cand::new(EntityType::Email, s, e, 0.95));
        }
    }

    fn ipv4s(&self, t: &str, out: &mut Vec<Cand>) {
        let b = t.as_bytes();
        for m in self.ipv4.find_iter(t) {
            let (s, e) = (m.start(), m.end());
            let before = s.checked_sub(1).map(|i| b[i]);
            // A letter before is a boundary only for a label glued to the address (`IP192...`).
            let glued = before.is_some_and(|c| c.is_ascii_alphabetic())
                && labels::is_label_of(labels::run_before(b, s), EntityType::Ipv4);
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'.') && !glued {
                continue;
            }
            let after = b.get(e).copied();
            if after.is_some_and(|c| c.is_ascii_alphanumeric())
                || (after == Some(b'.') && b.get(e + 1).is_some_and(u8::is_ascii_digit))
            {
                continue;
            }
            let Ok(ip) = Ipv4Addr::from_str(m.as_str()) else { continue };
            let o = ip.octets();
            // Masks, unspecified and broadcast addresses are not personal data.
            if o[0] == 0 || o[0] == 255 {
                continue;
            }
            let score = if ip.is_private() { 0.7 } else { 0.6 };
            out.push(Cand::new(EntityType::Ipv4, s, e, score));
        }
    }

    fn ipv6s(&self, t: &str, out: &mut Vec<Cand>) {
        let b = t.as_bytes();
        for m in self.ipv6.find_iter(t) {
            let (s, mut e) = (m.start(), m.end());
            if s > 0
                && b[s - 1].is_ascii_alphanumeric()
                && !labels::is_label_of(labels::run_before(b, s), EntityType::Ipv6)
            {
                continue;
            }
            if b.get(e).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b':') {
                continue;
            }
            let mut text = &t[s..e];
            // A sentence-final `.` is not part of the address.
            if text.ends_with('.') {
                text = &text[..text.len() - 1];
                e -= 1;
            }
            let addr = text.split('%').next().unwrap_or(text);
            let groups = addr.split([':', '.']).filter(|g| !g.is_empty()).count();
            let colons = addr.bytes().filter(|&c| c == b':').count();
            if groups < 2 || !(addr.contains("::") || colons == 7) {
                continue;
            }
            if Ipv6Addr::from_str(addr).is_ok() {
                out.push(Cand::new(EntityType::Ipv6, s, e, 0.8));
            }
        }
    }

    fn plates(&self, t: &str, out: &mut Vec<Cand>) {
        let b = t.as_bytes();
        for m in self.plate.find_iter(t) {
            let (s, e) = (m.start(), m.end());
            if b.get(e).is_some_and(|c| c.is_ascii_alphanumeric()) {
                continue;
            }
            let mut chars = m.as_str().chars();
            chars.next();
            chars.next();
            let rest: String = chars.filter(|c| !matches!(c, '·' | '・' | '-' | ' ')).collect();
            let suffix = rest.chars().last().filter(|c| "挂学警港澳".contains(*c));
            let serial: Vec<u8> = rest.bytes().filter(u8::is_ascii_alphanumeric).collect();
            let letters = serial.iter().filter(|c| c.is_ascii_uppercase()).count();
            let digits = serial.len() - letters;
            let df = |c: u8| matches!(c, b'A'..=b'H' | b'J' | b'K');
            let ok = match (serial.len(), suffix.is_some()) {
                // New-energy: D/F (A-K) + letter/digit + 4 digits, or 5 digits + D/F (A-K).
                (6, false) => {
                    (df(serial[0]) && serial[2..].iter().all(u8::is_ascii_digit))
                        || (serial[..5].iter().all(u8::is_ascii_digit) && df(serial[5]))
                }
                (5, false) | (4, true) => letters <= 2 && digits >= 2,
                _ => false,
            };
            if ok {
                let score = if serial.len() == 6 { 0.65 } else { 0.6 };
                out.push(Cand::new(EntityType::CnPlate, s, e, score));
            }
        }
    }

    fn secrecy(&self, t: &str, out: &mut Vec<Cand>) {
        let push = |s: usize, e: usize, score: f32, out: &mut Vec<Cand>| {
            let mut c = Cand::new(EntityType::SecrecyMarking, s, e, score);
            c.contextual = false;
            out.push(c);
        };
        for m in self.secrecy_star.find_iter(t) {
            // 商业秘密★ / 工作秘密★ are not state-secret markings.
            let before = &t[..m.start()];
            if before.ends_with('业') || before.ends_with('作') {
                continue;
            }
            push(m.start(), m.end(), 1.0, out);
        }
        for m in self.secrecy_header.find_iter(t) {
            let text = m.as_str();
            let lead = text.len() - text.trim_start().len();
            let s = m.start() + lead;
            let e = m.start() + text.trim_end().len();
            if s < e {
                push(s, e, 0.9, out);
            }
        }
        for m in self.secrecy_label.find_iter(t) {
            push(m.start(), m.end(), 0.9, out);
        }
    }
}

/// The length of a label glued to the front of an e-mail's local part (`mailhong.guo@…`,
/// `Email6535761@…`): `e-mail`, `email` or `mail` followed by at least three characters that
/// do not make it an ordinary address word (`mailbox`, `mailer`, `mailroom`…); 0 otherwise.
fn glued_label_len(local: &str) -> usize {
    const LABELS: [&str; 3] = ["e-mail", "email", "mail"];
    const WORDS: [&str; 10] = ["box", "er", "ers", "ing", "bag", "man", "room", "list", "to", "s"];
    let Some(label) = LABELS.iter().find(|l| local.starts_with(*l)) else {
        return 0;
    };
    let rest = &local[label.len()..];
    let word = |w: &&str| rest.strip_prefix(*w).is_some_and(|r| !r.starts_with(|c: char| c.is_ascii_alphabetic()));
    if rest.len() < 3 || !rest.starts_with(|c: char| c.is_ascii_alphanumeric()) || WORDS.iter().any(word) {
        return 0;
    }
    label.len()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn found(t: &str) -> Vec<(EntityType, String)> {
        let p = Patterns::build().unwrap();
        let mut out = Vec::new();
        p.scan(t, u16::MAX, &mut out);
        out.into_iter().map(|c| (c.ty, t[c.start..c.end].to_owned())).collect()
    }

    #[test]
    fn emails() {
        assert_eq!(found("邮箱zhang.san@example.com联系"), vec![(EntityType::Email, "zhang.san@example.com".into())]);
        assert_eq!(found("mail: li[at]gov[dot]cn"), vec![(EntityType::Email, "li[at]gov[dot]cn".into())]);
        assert!(found("a@b").is_empty());
        // A label glued to the address is not part of it; address words that start with one are.
        assert_eq!(found("mailhong.guo@mail.sh.gov.cn"), vec![(EntityType::Email, "hong.guo@mail.sh.gov.cn".into())]);
        assert_eq!(found("E-mailoffice79@hotmail.com"), vec![(EntityType::Email, "office79@hotmail.com".into())]);
        assert_eq!(found("Email6535761@qq.com"), vec![(EntityType::Email, "6535761@qq.com".into())]);
        for whole in
            ["mailbox@x.cn", "mailer.daemon@x.cn", "email@x.cn", "mail.li@x.cn", "mailroom2@x.cn", "maila@x.cn"]
        {
            assert_eq!(found(whole), vec![(EntityType::Email, whole.into())]);
        }
    }

    #[test]
    fn ips() {
        assert_eq!(found("IP:192.168.1.10。"), vec![(EntityType::Ipv4, "192.168.1.10".into())]);
        assert!(found("版本1.2.3.4.5").is_empty());
        assert!(found("v1.2.3.4").is_empty());
        assert!(found("256.1.1.1").is_empty());
        assert!(found("掩码255.255.255.0").is_empty());
        assert_eq!(found("地址2001:db8::8a2e:370:7334,"), vec![(EntityType::Ipv6, "2001:db8::8a2e:370:7334".into())]);
        assert_eq!(found("fe80::1%eth0 "), vec![(EntityType::Ipv6, "fe80::1%eth0".into())]);
        assert_eq!(found("::ffff:192.0.2.1").iter().filter(|f| f.0 == EntityType::Ipv6).count(), 1);
        assert!(found("时间12:30:45").is_empty());
        assert!(found("std::vec::Vec").is_empty());
        assert_eq!(found("IP:2001:db8::2dc0:1916"), vec![(EntityType::Ipv6, "2001:db8::2dc0:1916".into())]);
    }

    #[test]
    fn plates() {
        assert_eq!(found("车牌京A12345"), vec![(EntityType::CnPlate, "京A12345".into())]);
        assert_eq!(found("粤B·D12345"), vec![(EntityType::CnPlate, "粤B·D12345".into())]);
        assert_eq!(found("沪A12345D"), vec![(EntityType::CnPlate, "沪A12345D".into())]);
        assert_eq!(found("苏E1234学"), vec![(EntityType::CnPlate, "苏E1234学".into())]);
        assert!(found("京AABCDE").is_empty());
        assert!(found("京A123456789").is_empty());
    }

    #[test]
    fn secrecy() {
        assert_eq!(found("机密★一年\n关于"), vec![(EntityType::SecrecyMarking, "机密★一年".into())]);
        assert_eq!(found("绝密★启用前"), vec![(EntityType::SecrecyMarking, "绝密★启用前".into())]);
        assert_eq!(found("秘密★"), vec![(EntityType::SecrecyMarking, "秘密★".into())]);
        assert_eq!(found("  绝密\n正文"), vec![(EntityType::SecrecyMarking, "绝密".into())]);
        assert_eq!(found("秘密 保密期限:十年\n"), vec![(EntityType::SecrecyMarking, "秘密 保密期限:十年".into())]);
        assert_eq!(found("密级:机密,文号"), vec![(EntityType::SecrecyMarking, "密级:机密".into())]);
        assert!(found("这是一个秘密,不要说").is_empty());
        assert!(found("保护商业秘密★").is_empty());
        assert!(found("秘密会议在此召开\n").is_empty());
    }
}
