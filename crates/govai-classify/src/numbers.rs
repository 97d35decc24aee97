//! Digit-run recognizers: resident ID (18 and legacy 15), bank card, mobile, landline.
//!
//! One pass collects the maximal ASCII digit runs ("groups") of the normalised text. Groups
//! separated by exactly one space or hyphen (or `)`, `) `, `)-` after an opening `(`) form a
//! chain, e.g. `6222 6002 6000 1072 444` or `(010)1234-5678`. A candidate is any contiguous run of
//! whole groups in a chain, so a number is never cut out of a longer digit run (`编号213800138000`
//! has no mobile), and CJK next to digits is a valid boundary. Before a number any non-digit is a
//! boundary (letters too: `ID11010519491231002X`); after it an ASCII letter or digit is not.
//! A run followed by `.digit` or preceded by `digit.` is a decimal and never a candidate.

use super::Cand;
use super::labels;
use super::prefilter;
use super::types::EntityType;
use super::validate::{self, Date, Landline};

#[derive(Debug, Clone, Copy)]
struct Group {
    s: usize,
    e: usize,
}

impl Group {
    fn len(self) -> usize {
        self.e - self.s
    }
}

/// A candidate with the groups it spans and its digit count (for the split rule).
struct Local {
    first: usize,
    last: usize,
    digits: usize,
    cand: Cand,
}

/// Whether a candidate of `n` digits extended by the neighbouring group `nb` (on the left when
/// `left`) could still be one number of the type.
fn plausible_len(t: EntityType, n: usize, nb: &[u8], left: bool) -> bool {
    let n = n + nb.len();
    match t {
        EntityType::CnResidentId => n == 18,
        EntityType::BankCard => (16..=19).contains(&n),
        // Only a country prefix comes before a phone; extensions are absorbed separately.
        EntityType::CnMobile | EntityType::CnLandline => left && (nb == b"86" || nb == b"0086"),
        _ => false,
    }
}

const MAX_DIGITS: usize = 20;

pub(crate) fn scan(t: &str, today: Date, out: &mut Vec<Cand>) {
    let b = t.as_bytes();
    let mut groups: Vec<Group> = Vec::new();
    let mut i = 0;
    loop {
        i = prefilter::next_ascii(b, i, |c| c.is_ascii_digit());
        if i >= b.len() {
            break;
        }
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        groups.push(Group { s, e: i });
    }
    let mut a = 0;
    while a < groups.len() {
        let mut z = a;
        while z + 1 < groups.len() && joinable(b, groups[z], groups[z + 1]) {
            z += 1;
        }
        scan_chain(b, &groups[a..=z], today, out);
        a = z + 1;
    }
}

fn joinable(b: &[u8], g: Group, h: Group) -> bool {
    // The digits of an alphanumeric code (`赣QFL1243 165 7329 8502`, `编码6HY2202X`) and of a
    // time or decimal (`01:44:35 6222 ...`) do not join a chain.
    // A Latin label glued to the number (`CardNo6222 6002 ...`) is not such a code.
    if g.s > 0 && b[g.s - 1].is_ascii_alphabetic() && !glued_label(b, g.s) {
        return false;
    }
    if g.s > 1 && b[g.s - 1] == b'-' && b[g.s - 2].is_ascii_alphabetic() {
        return false;
    }
    if g.s > 1 && matches!(b[g.s - 1], b':' | b'.') && b[g.s - 2].is_ascii_digit() {
        return false;
    }
    // (An ID's final `X` is not a letter here.)
    if let Some(&c) = b.get(h.e) {
        let id_check = matches!(c, b'X' | b'x') && !b.get(h.e + 1).is_some_and(u8::is_ascii_alphanumeric);
        if c.is_ascii_alphabetic() && !id_check {
            return false;
        }
    }
    // Nor does the head of an IP address, decimal or time (`1606 10.243.254.106`).
    if matches!(b.get(h.e), Some(b'.' | b':')) && b.get(h.e + 1).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    // Nor a year, amount or count (`6228 ... 004 2024年`, `... 20元`).
    let unit = ["年", "月", "日", "元", "岁", "天", "时", "分", "秒"];
    if unit.iter().any(|u| b[h.e..].starts_with(u.as_bytes())) {
        return false;
    }
    let gap = &b[g.e..h.s];
    match gap {
        b" " | b"-" => true,
        // `(010)1234...`: only an area code in parentheses.
        b")" | b") " | b")-" => g.s > 0 && b[g.s - 1] == b'(' && b[g.s] == b'0' && (3..=4).contains(&g.len()),
        _ => false,
    }
}

/// The letters right before byte `s` are a Latin label of a digit-run type.
fn glued_label(b: &[u8], s: usize) -> bool {
    let run = labels::phrase_before(b, s);
    [EntityType::CnResidentId, EntityType::BankCard, EntityType::CnMobile, EntityType::CnLandline]
        .into_iter()
        .any(|t| labels::is_label_of(run, t))
}

fn decimal_before(b: &[u8], g: Group) -> bool {
    g.s >= 2 && b[g.s - 1] == b'.' && b[g.s - 2].is_ascii_digit()
}

/// Followed by `.digit` (a decimal, an IP) or `:digit` (a time).
fn decimal_after(b: &[u8], g: Group) -> bool {
    matches!(b.get(g.e), Some(b'.' | b':')) && b.get(g.e + 1).is_some_and(u8::is_ascii_digit)
}

/// All separators between the groups of a candidate are the same (`6222 6002 ...`, not
/// `270725 2012-12-11`).
fn uniform_separators(b: &[u8], groups: &[Group]) -> bool {
    let mut gaps = groups.windows(2).map(|w| &b[w[0].e..w[1].s]);
    let first = gaps.next();
    gaps.all(|g| Some(g) == first)
}

fn scan_chain(b: &[u8], chain: &[Group], today: Date, out: &mut Vec<Cand>) {
    // Every candidate has at least 9 digits (a landline: 0 + area code + 7 digits).
    if chain.iter().map(|g| g.len()).sum::<usize>() < 9 {
        return;
    }
    let mut local: Vec<Local> = Vec::new();
    let z = chain.len() - 1;
    for i in 0..chain.len() {
        if decimal_before(b, chain[i]) {
            continue;
        }
        let mut digits = [0u8; MAX_DIGITS];
        let mut len = 0usize;
        // Digit index at which each group after the first starts (group boundaries).
        let mut bounds = [0usize; MAX_DIGITS];
        let mut nb = 0usize;
        for j in i..chain.len() {
            let g = chain[j];
            if len + g.len() > MAX_DIGITS {
                break;
            }
            if j > i && nb < MAX_DIGITS {
                bounds[nb] = len;
                nb += 1;
            }
            digits[len..len + g.len()].copy_from_slice(&b[g.s..g.e]);
            len += g.len();
            if decimal_after(b, g) {
                continue;
            }
            let d = &digits[..len];
            let end = g.e;
            let after = b.get(end).copied();
            let after_ok = !after.is_some_and(|c| c.is_ascii_alphanumeric());
            let has_x = j == z
                && matches!(after, Some(b'X' | b'x'))
                && !b.get(end + 1).is_some_and(|c| c.is_ascii_alphanumeric());
            let start = chain[i].s;
            let bounds = &bounds[..nb];
            let mut push = |cand: Cand, last: usize| local.push(Local { first: i, last, digits: len, cand });

            // Resident ID, 18 characters.
            if (len == 18 && after_ok) || (len == 17 && has_x) {
                let mut id = [0u8; 18];
                id[..len].copy_from_slice(d);
                if len == 17 {
                    id[17] = b'X';
                }
                if let Some(c) = validate::check_resident_id(&id, today) {
                    let mut cand = Cand::new(EntityType::CnResidentId, start, end + usize::from(len == 17), 0.95);
                    cand.checksum = Some(c.checksum);
                    cand.birth = Some(c.birth);
                    push(cand, j);
                }
            }
            if !after_ok {
                continue;
            }
            // Legacy 15-digit ID: no check character, so it needs context.
            if len == 15
                && let Some(birth) = validate::check_legacy_id(d)
            {
                let mut cand = Cand::new(EntityType::CnResidentId, start, end, 0.4);
                cand.birth = Some(birth);
                push(cand, j);
            }
            // Bank card, 16-19 digits, Luhn. An 18-digit number shaped like an ID (province, real
            // birth date) is an ID with a typo, not a card.
            let id_shaped = len == 18 && validate::check_resident_id(d, today).is_some();
            if (16..=19).contains(&len) && !id_shaped && uniform_separators(b, &chain[i..=j]) {
                // Outside the known issuer ranges (Maestro 50/56-58, UnionPay 81, domestic 9...)
                // only a Luhn-valid number is a candidate, and it needs a context word.
                let base = if validate::card_prefix_ok(d) {
                    Some(0.7)
                } else if d[0] == b'9' || (d[0] != b'0' && validate::luhn(d)) {
                    Some(0.3)
                } else {
                    None
                };
                if let Some(base) = base {
                    let mut cand = Cand::new(EntityType::BankCard, start, end, base);
                    cand.checksum = Some(validate::luhn(d));
                    push(cand, j);
                }
            }
            // Mobile: 11 digits, or 86 / 0086 + 11 digits (a `+` before is included).
            let (cc_len, plus) = if len == 13 && d.starts_with(b"86") {
                (2, start > 0 && b[start - 1] == b'+')
            } else if len == 15 && d.starts_with(b"0086") {
                (4, false)
            } else {
                (0, false)
            };
            if (len == 11 || cc_len > 0) && validate::valid_mobile(&d[cc_len..]) {
                let s = if plus { start - 1 } else { start };
                let score = if cc_len > 0 { 0.85 } else { 0.8 };
                push(Cand::new(EntityType::CnMobile, s, end, score), j);
            }
            // Landline: 0 + area code + local, or +86 / 0086 + area code + local.
            let (prefix, plus) = if d.starts_with(b"0086") {
                (4, false)
            } else if d.starts_with(b"86") && start > 0 && b[start - 1] == b'+' {
                (2, true)
            } else if d.starts_with(b"0") && !d.starts_with(b"00") {
                (1, false)
            } else {
                (0, false)
            };
            if prefix > 0
                && (9..=14).contains(&len)
                && let Some((alen, quality)) = validate::split_landline(&d[prefix..])
            {
                let paren = start > 0 && b[start - 1] == b'(' && b.get(chain[i].e) == Some(&b')');
                let area_end = prefix + alen;
                // The area code is its own group (`010-12345678`, `(0755)1234567`, `+86 10 ...`).
                let separated = paren || bounds.contains(&area_end);
                let mut score: f32 = match (quality, separated) {
                    (Landline::Exact, true) => 0.65,
                    (Landline::Exact, false) => 0.5,
                    (Landline::Plausible, true) => 0.45,
                    (Landline::Plausible, false) => 0.35,
                };
                if prefix > 1 {
                    score += 0.05;
                }
                let s = if plus || paren { start - 1 } else { start };
                let (e, last) = extension(b, chain, j, separated);
                push(Cand::new(EntityType::CnLandline, s, e, score), last);
            }
        }
    }
    // Split rule: a candidate may not leave out a neighbouring short group (<= 4 digits, as in
    // `4111 1111 1111 1111 123`) next to its own short edge group when the neighbour could belong
    // to it (the longer digit count is plausible for the type) or a valid candidate of another
    // type spans both groups (`6228 4896 1964 4485 227` has no mobile), unless another candidate starts or ends
    // right at the split.
    let short = |k: usize| chain[k].len() <= 4;
    // Candidates by first group, so every check looks only at nearby candidates (a candidate
    // spans at most MAX_DIGITS groups): linear in the chain length.
    let mut by_first: Vec<Vec<usize>> = vec![Vec::new(); chain.len()];
    let mut ends_at = vec![false; chain.len()];
    for (n, c) in local.iter().enumerate() {
        by_first[c.first].push(n);
        ends_at[c.last] = true;
    }
    let spans_split = |k: usize, ty: EntityType| {
        (k.saturating_sub(MAX_DIGITS)..k).flat_map(|f| by_first[f].iter()).any(|&n| {
            let o = &local[n];
            // Only a valid checksum or a confident candidate vetoes (not a landline whose area
            // code is not its own group, as in `6228 4800 0000 0201 004`).
            o.last >= k
                && o.cand.ty != ty
                && (o.cand.checksum == Some(true) || (o.cand.checksum.is_none() && o.cand.score > 0.5))
        })
    };
    let keep: Vec<bool> = local
        .iter()
        .map(|c| {
            let ty = c.cand.ty;
            // A card outside the known ranges is never cut out of the middle of a run of short
            // groups (`5600 1100 0000 0005 2024` holds no card `1100 ... 2024`).
            let weak_card = ty == EntityType::BankCard && c.cand.score < 0.5;
            if weak_card && c.first > 0 && short(c.first - 1) && !ends_at[c.first - 1] {
                return false;
            }
            let left_ok = c.first == 0
                || !(short(c.first - 1) && short(c.first))
                || ends_at[c.first - 1]
                || !(plausible_len(ty, c.digits, &b[chain[c.first - 1].s..chain[c.first - 1].e], true)
                    || spans_split(c.first, ty));
            let right_ok = c.last == z
                || !(short(c.last) && short(c.last + 1))
                || !by_first[c.last + 1].is_empty()
                || !(plausible_len(ty, c.digits, &b[chain[c.last + 1].s..chain[c.last + 1].e], false)
                    || spans_split(c.last + 1, ty));
            left_ok && right_ok
        })
        .collect();
    out.extend(local.into_iter().zip(keep).filter(|(_, k)| *k).map(|(c, _)| c.cand));
}

/// Extend a landline ending at group `j` over an extension: `-123` (when the area code was
/// separated), `转123`, `分机123`, ` ext. 123`. Returns the new end and last group index.
fn extension(b: &[u8], chain: &[Group], j: usize, separated: bool) -> (usize, usize) {
    let g = chain[j];
    if separated && j + 1 < chain.len() && b[g.e] == b'-' && chain[j + 1].len() <= 6 {
        let next_joined = j + 2 < chain.len() && b[chain[j + 1].e] == b'-';
        if !next_joined {
            return (chain[j + 1].e, j + 1);
        }
    }
    let rest = &b[g.e..];
    let mut k = 0;
    while k < rest.len() && rest[k] == b' ' {
        k += 1;
    }
    let markers: [&[u8]; 6] = ["转".as_bytes(), "分机".as_bytes(), b"ext.", b"ext", b"EXT", b"Ext"];
    for m in markers {
        if rest[k..].starts_with(m) {
            let mut p = k + m.len();
            while p < rest.len() && (rest[p] == b' ' || rest[p] == b':') {
                p += 1;
            }
            let ds = p;
            while p < rest.len() && rest[p].is_ascii_digit() {
                p += 1;
            }
            let n = p - ds;
            if (1..=6).contains(&n) && !rest.get(p).is_some_and(|c| c.is_ascii_alphanumeric()) {
                return (g.e + p, j);
            }
            break;
        }
    }
    (g.e, j)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const TODAY: Date = (2026, 6, 1);

    fn found(t: &str) -> Vec<(EntityType, String, Option<bool>)> {
        let mut out = Vec::new();
        scan(t, TODAY, &mut out);
        out.into_iter().map(|c| (c.ty, t[c.start..c.end].to_owned(), c.checksum)).collect()
    }

    fn has(t: &str, ty: EntityType, s: &str) -> bool {
        found(t).iter().any(|(a, b, _)| *a == ty && b == s)
    }

    #[test]
    fn ids_with_boundaries() {
        assert!(has("身份证号11010519491231002X,请核对", EntityType::CnResidentId, "11010519491231002X"));
        assert!(has("ID11010519491231002x", EntityType::CnResidentId, "11010519491231002x"));
        assert!(found("ID:11010519491231002X1").iter().all(|(t, _, _)| *t != EntityType::CnResidentId));
        assert!(has("110105 19491231 002X", EntityType::CnResidentId, "110105 19491231 002X"));
        assert!(found("110105194902300020").iter().all(|(t, _, _)| *t != EntityType::CnResidentId));
        assert!(has("旧证110105491231002号", EntityType::CnResidentId, "110105491231002"));
    }

    #[test]
    fn cards_and_split_rule() {
        assert!(has("卡号4111111111111111请核对", EntityType::BankCard, "4111111111111111"));
        assert!(has("6222 6002 6000 1072 444", EntityType::BankCard, "6222 6002 6000 1072 444"));
        assert!(has("6222600260001072444", EntityType::BankCard, "6222600260001072444"));
        // A valid 16-digit prefix of an invalid grouped 19-digit number is not reported alone.
        assert!(!has("4111 1111 1111 1111 123", EntityType::BankCard, "4111 1111 1111 1111"));
        // A grouped card followed by a year is still found.
        assert!(has("6222 6002 6000 1072 444 2019年", EntityType::BankCard, "6222 6002 6000 1072 444"));
        assert!(has("01:44:35 6222 6002 6000 1072 444", EntityType::BankCard, "6222 6002 6000 1072 444"));
        // Two numbers separated by a space are both found.
        let f = found("6222600260001072444 13800138000");
        assert!(f.iter().any(|(t, _, _)| *t == EntityType::CnMobile));
        assert!(f.iter().any(|(t, _, _)| *t == EntityType::BankCard));
    }

    #[test]
    fn mobiles() {
        assert!(has("电话13800138000。", EntityType::CnMobile, "13800138000"));
        assert!(has("手机:+86 138-0013-8000", EntityType::CnMobile, "+86 138-0013-8000"));
        assert!(has("0086 13800138000", EntityType::CnMobile, "0086 13800138000"));
        assert!(found("编号213800138000").is_empty());
        assert!(found("13800138000.5元").is_empty());
        assert!(found("15412345678").is_empty());
    }

    #[test]
    fn landlines() {
        assert!(has("电话010-12345678", EntityType::CnLandline, "010-12345678"));
        assert!(has("(0755)12345678", EntityType::CnLandline, "(0755)12345678"));
        assert!(has("021-12345678转123", EntityType::CnLandline, "021-12345678转123"));
        assert!(has("021-12345678-123", EntityType::CnLandline, "021-12345678-123"));
        assert!(has("+86 10 12345678", EntityType::CnLandline, "+86 10 12345678"));
        assert!(found("日期2024-03-15").is_empty());
    }
}
