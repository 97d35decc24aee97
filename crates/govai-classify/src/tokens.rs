//! Alphanumeric-token recognizers: USCC, organisation code, passport, HK/Macau permits, HKID.
//!
//! One pass over the maximal ASCII-alphanumeric runs of the normalised text; the run must be the
//! whole code, which is the boundary rule `[0-9A-Za-z]` on both sides.

use super::Cand;
use super::labels;
use super::prefilter;
use super::types::EntityType;
use super::validate;

/// Letters used in serials (no I, O).
fn serial_letter(c: u8) -> bool {
    c.is_ascii_uppercase() && c != b'I' && c != b'O'
}

fn all_digits(b: &[u8]) -> bool {
    !b.is_empty() && b.iter().all(u8::is_ascii_digit)
}

pub(crate) fn scan(t: &str, out: &mut Vec<Cand>) {
    let b = t.as_bytes();
    let mut i = 0;
    loop {
        i = prefilter::next_ascii(b, i, |c| c.is_ascii_alphanumeric());
        if i >= b.len() {
            break;
        }
        let s = i;
        while i < b.len() && b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        token(b, s, i, out);
        glued(b, s, i, out);
    }
}

/// Types whose codes start with a letter or digit and may follow a glued Latin label.
const GLUABLE: [EntityType; 5] =
    [EntityType::CnPassport, EntityType::HkMacauPermit, EntityType::Hkid, EntityType::CnUscc, EntityType::CnOrgCode];

/// A Latin label glued to the code (`passportE12345678`, `PASSPORTE12345678`, `credit
/// code91350100M000100Y43`): the token split after each letter prefix that, with up to two
/// words before it, is a label of a type, keeping only that type's candidates.
fn glued(b: &[u8], s: usize, e: usize, out: &mut Vec<Cand>) {
    // A label of at least two letters before a code of at least seven characters with a digit.
    if e - s < 9 || !b[s].is_ascii_alphabetic() || !b[s..e].iter().any(u8::is_ascii_digit) {
        return;
    }
    let mut k = s + 2;
    while e - k >= 7 && k - s <= 40 && b[k - 1].is_ascii_alphabetic() {
        let label = labels::phrase_before(b, k);
        let types = GLUABLE.map(|t| labels::is_label_of(label, t));
        if types.contains(&true) {
            let mut tmp = Vec::new();
            token(b, k, e, &mut tmp);
            out.extend(tmp.into_iter().filter(|c| GLUABLE.iter().zip(types).any(|(&t, y)| y && t == c.ty)));
        }
        k += 1;
    }
}

fn token(b: &[u8], s: usize, e: usize, out: &mut Vec<Cand>) {
    let tok = &b[s..e];
    let n = tok.len();
    // Only tokens with at least one digit can be codes.
    if !(1..=18).contains(&n) || !tok.iter().any(u8::is_ascii_digit) {
        // `P.1234567` / `S.1234567`: the letter is a 1-char token without digits.
        if n == 1 && matches!(tok[0], b'P' | b'S') && b.get(e) == Some(&b'.') {
            let ds = e + 1;
            let mut k = ds;
            while k < b.len() && b[k].is_ascii_alphanumeric() {
                k += 1;
            }
            if k - ds == 7 && all_digits(&b[ds..k]) {
                out.push(Cand::new(EntityType::CnPassport, s, k, 0.4));
            }
        }
        return;
    }
    let mut up = [0u8; 18];
    for (d, c) in up.iter_mut().zip(tok) {
        *d = c.to_ascii_uppercase();
    }
    let u = &up[..n];

    if n == 18
        && let Some(ok) = validate::check_uscc(u)
    {
        let mut c = Cand::new(EntityType::CnUscc, s, e, 0.9);
        c.checksum = Some(ok);
        out.push(c);
    }

    // Organisation code `XXXXXXXX-X`.
    if n == 8
        && tok.iter().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        && b.get(e) == Some(&b'-')
        && b.get(e + 1).is_some_and(|c| c.is_ascii_digit() || *c == b'X')
        && !b.get(e + 2).is_some_and(|c| c.is_ascii_alphanumeric())
    {
        let mut code = [0u8; 9];
        code[..8].copy_from_slice(tok);
        code[8] = b[e + 1];
        if let Some(ok) = validate::check_org_code(&code) {
            let mut c = Cand::new(EntityType::CnOrgCode, s, e + 2, 0.8);
            c.checksum = Some(ok);
            out.push(c);
        }
    }

    if n == 9 {
        // Bare organisation code: 1 in 11 random 9-character codes pass, so only valid ones
        // become candidates and they need context.
        if tok.iter().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
            && validate::check_org_code(tok) == Some(true)
        {
            let mut c = Cand::new(EntityType::CnOrgCode, s, e, 0.35);
            c.checksum = Some(true);
            out.push(c);
        }
        passport_or_permit(tok, s, e, out);
    }

    // Home-return permit with renewal count: H/M + 8 + 2 digits.
    if n == 11 && matches!(tok[0], b'H' | b'M') && all_digits(&tok[1..]) {
        out.push(Cand::new(EntityType::HkMacauPermit, s, e, 0.5));
    }

    // HKID `A123456(3)`: 1-2 letters + 6 digits, check in parentheses.
    if (7..=8).contains(&n)
        && b.get(e) == Some(&b'(')
        && b.get(e + 1).is_some_and(|c| c.is_ascii_digit() || *c == b'A')
        && b.get(e + 2) == Some(&b')')
    {
        let mut id = [0u8; 9];
        id[..n].copy_from_slice(tok);
        id[n] = b[e + 1];
        if let Some(ok) = validate::check_hkid(&id[..n + 1]) {
            let mut c = Cand::new(EntityType::Hkid, s, e + 3, 0.9);
            c.checksum = Some(ok);
            out.push(c);
        }
    }
    // HKID without parentheses: only valid ones, lower score; not when glued to `-X` (a code).
    let glued = b.get(e) == Some(&b'-') && b.get(e + 1).is_some_and(u8::is_ascii_alphanumeric);
    if (8..=9).contains(&n) && !glued && validate::check_hkid(tok) == Some(true) {
        let mut c = Cand::new(EntityType::Hkid, s, e, 0.6);
        c.checksum = Some(true);
        out.push(c);
    }
}

fn passport_or_permit(tok: &[u8], s: usize, e: usize, out: &mut Vec<Cand>) {
    let (c0, c1, rest7, rest8) = (tok[0], tok[1], &tok[2..], &tok[1..]);
    let pass = |score: f32, out: &mut Vec<Cand>| out.push(Cand::new(EntityType::CnPassport, s, e, score));
    let permit = |score: f32, out: &mut Vec<Cand>| out.push(Cand::new(EntityType::HkMacauPermit, s, e, score));
    // Ordinary passports: G/E + 8 digits, E + letter + 7 digits.
    if matches!(c0, b'E' | b'G') && all_digits(rest8) {
        pass(0.55, out);
    }
    if c0 == b'E' && serial_letter(c1) && all_digits(rest7) {
        pass(0.55, out);
    }
    // Official, service, diplomatic, HKSAR, MSAR passports.
    if matches!(&tok[..2], b"PE" | b"SE" | b"DE" | b"MA") && all_digits(rest7) {
        pass(0.4, out);
    }
    if matches!(c0, b'S' | b'K') && all_digits(rest8) {
        pass(0.4, out);
    }
    // Exit-entry permit for travelling to HK/Macau: C + 8 digits, C + letter + 7 digits.
    if c0 == b'C' && all_digits(rest8) {
        permit(0.45, out);
    }
    if c0 == b'C' && serial_letter(c1) && all_digits(rest7) {
        permit(0.5, out);
    }
    // Home-return permit, first 9 characters: H/M + 8 digits.
    if matches!(c0, b'H' | b'M') && all_digits(rest8) {
        permit(0.45, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(t: &str) -> Vec<(EntityType, String, Option<bool>)> {
        let mut out = Vec::new();
        scan(t, &mut out);
        out.into_iter().map(|c| (c.ty, t[c.start..c.end].to_owned(), c.checksum)).collect()
    }

    #[test]
    fn uscc_and_org() {
        let f = found("信用代码91350100M000100Y43,");
        assert!(f.contains(&(EntityType::CnUscc, "91350100M000100Y43".into(), Some(true))));
        assert!(found("X91350100M000100Y43").is_empty());
        let f = found("代码M000100Y-4");
        assert!(f.contains(&(EntityType::CnOrgCode, "M000100Y-4".into(), Some(true))), "{f:?}");
        let f = found("代码M000100Y-5");
        assert!(f.contains(&(EntityType::CnOrgCode, "M000100Y-5".into(), Some(false))), "{f:?}");
        let f = found("机构代码63159284-X ");
        assert!(f.contains(&(EntityType::CnOrgCode, "63159284-X".into(), Some(true))), "{f:?}");
        let f = found("机构代码M000100Y4 ");
        assert!(f.contains(&(EntityType::CnOrgCode, "M000100Y4".into(), Some(true))));
        assert!(found("9131000063159284XQ").iter().any(|x| x.0 == EntityType::CnUscc && x.2 == Some(true)));
        assert!(found("91350211M0000XUF46").iter().any(|x| x.0 == EntityType::CnUscc && x.2 == Some(false)));
    }

    #[test]
    fn hkid_forms() {
        assert!(found("CA182361(1)").contains(&(EntityType::Hkid, "CA182361(1)".into(), Some(true))));
        assert!(found("A123456(3)").contains(&(EntityType::Hkid, "A123456(3)".into(), Some(true))));
        assert!(found("CA182361(2)").contains(&(EntityType::Hkid, "CA182361(2)".into(), Some(false))));
        assert!(found("A1234563").contains(&(EntityType::Hkid, "A1234563".into(), Some(true))));
    }

    #[test]
    fn passports_and_permits() {
        assert!(found("护照E12345678").iter().any(|x| x.0 == EntityType::CnPassport));
        assert!(found("护照EA1234567").iter().any(|x| x.0 == EntityType::CnPassport));
        assert!(found("护照EI1234567").is_empty());
        assert!(found("P.1234567").iter().any(|x| x.0 == EntityType::CnPassport));
        assert!(found("通行证CA0000001").iter().any(|x| x.0 == EntityType::HkMacauPermit));
        assert!(found("回乡证H1234567801").iter().any(|x| x.0 == EntityType::HkMacauPermit));
        assert!(found("XE12345678").is_empty());
    }
}
