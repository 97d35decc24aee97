//! Property tests of issue 19: a valid value written after any of its labels (Chinese or Latin),
//! with or without a separator (none, space, `:`, `：`, `为`, ` is `), inside arbitrary
//! surrounding text, is found with its exact span; a checksum-invalid one (wrong ID check
//! character, impossible birth date, wrong Luhn digit) after the same label is not reported.
//! Checksums are computed here from the standards, not by the crate's validators.
#![allow(clippy::unwrap_used)]

use govai_classify::GuardClassifier;
use proptest::prelude::*;

const ID_LABELS: &[&str] = &[
    "身份证号",
    "身份证号码",
    "公民身份号码",
    "证件号码",
    "身份证",
    "ID",
    "ID No.",
    "ID card",
    "idNo",
    "id_card",
    "IDCard",
];
const CARD_LABELS: &[&str] = &[
    "银行卡号",
    "卡号",
    "账号",
    "银行账号",
    "借记卡",
    "信用卡",
    "bank card",
    "card no",
    "Card Number",
    "card_no",
    "CardNo",
    "account",
];
const PASSPORT_LABELS: &[&str] = &["护照", "护照号", "护照号码", "passport", "Passport No.", "passportNo", "PASSPORT"];
const IP_LABELS: &[&str] =
    &["IP", "来源IP", "登录IP", "IP地址", "服务器", "主机", "ip", "src_ip", "srcIP", "host", "server"];
const SEPS: &[&str] = &["", " ", ":", "：", "为", " is ", ": "];
const BEFORE: &[&str] = &["", "您好，", "记录：", "申请人王某 ", "Note: ", "\n", "2024-05-01 10:00:00 "];
const AFTER: &[&str] = &["", "。", "，请核对", " ok", "\n下一条", "；", ")", " 2024年"];

/// Known and unknown issuer ranges: UnionPay 62, Visa, Mastercard; Maestro 50 / 56-58, UnionPay 81.
const BINS: &[(&str, usize)] = &[
    ("622848", 19),
    ("621483", 16),
    ("438088", 16),
    ("518710", 16),
    ("501800", 16),
    ("560011", 16),
    ("571234", 19),
    ("589460", 16),
    ("810016", 19),
];

fn id_check(first17: &str) -> char {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let s: u32 = first17.bytes().zip(W).map(|(b, w)| u32::from(b - b'0') * w).sum();
    b"10X98765432"[(s % 11) as usize] as char
}

fn luhn_check(body: &str) -> u8 {
    let s: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let v = u32::from(b - b'0');
            if i % 2 == 0 { (v * 2) / 10 + (v * 2) % 10 } else { v }
        })
        .sum();
    ((10 - s % 10) % 10) as u8
}

fn id17() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["110105", "310104", "440305", "510107", "650102", "330106"]),
        1930u32..2020,
        1u32..=12,
        1u32..=28,
        0u32..1000,
    )
        .prop_map(|(c, y, m, d, n)| format!("{c}{y}{m:02}{d:02}{n:03}"))
}

fn valid_id() -> impl Strategy<Value = String> {
    id17().prop_map(|b| {
        let c = id_check(&b);
        format!("{b}{c}")
    })
}

fn bad_id() -> impl Strategy<Value = String> {
    prop_oneof![
        // Wrong check character.
        (id17(), 1usize..11).prop_map(|(b, k)| {
            let all = b"0123456789X";
            let good = all.iter().position(|&c| c == id_check(&b) as u8).unwrap();
            format!("{b}{}", all[(good + k) % 11] as char)
        }),
        // Impossible birth date, correct check character.
        (
            prop::sample::select(vec!["110105", "440305", "510107"]),
            prop::sample::select(vec!["19870229", "19920431", "19761301", "19850015", "20010230", "20990101"]),
            0u32..1000
        )
            .prop_map(|(c, d, n)| {
                let b = format!("{c}{d}{n:03}");
                let k = id_check(&b);
                format!("{b}{k}")
            }),
    ]
}

fn card_digits(good: bool) -> impl Strategy<Value = String> {
    (prop::sample::select(BINS.to_vec()), "[0-9]{13}", 1u8..10).prop_map(move |((bin, len), fill, wrong)| {
        let body = format!("{bin}{}", &fill[..len - bin.len() - 1]);
        let c = luhn_check(&body);
        let c = if good { c } else { (c + wrong) % 10 };
        format!("{body}{c}")
    })
}

fn written_card(good: bool) -> impl Strategy<Value = String> {
    (card_digits(good), any::<bool>()).prop_map(|(d, grouped)| {
        if !grouped {
            return d;
        }
        let parts: Vec<&str> = d.as_bytes().chunks(4).map(|c| std::str::from_utf8(c).unwrap()).collect();
        parts.join(" ")
    })
}

fn passport() -> impl Strategy<Value = String> {
    prop_oneof!["[EG][0-9]{8}", "E[A-HJ-NP-Z][0-9]{7}"]
}

fn ipv4() -> impl Strategy<Value = String> {
    (1u8..=223, any::<u8>(), any::<u8>(), 1u8..=254).prop_map(|(a, b, c, d)| format!("{a}.{b}.{c}.{d}"))
}

/// `(text, char start, char end)` of `value` written after `label` and `sep` inside context.
fn embed(before: &str, label: &str, sep: &str, value: &str, after: &str) -> (String, usize, usize) {
    let head = format!("{before}{label}{sep}");
    let s = head.chars().count();
    (format!("{head}{value}{after}"), s, s + value.chars().count())
}

fn found_exact(text: &str, ty: &str, s: usize, e: usize) -> Result<(), TestCaseError> {
    let f = GuardClassifier::default().scan(text).findings;
    prop_assert!(
        f.iter().any(|x| x.entity_type == ty && x.start == s && x.end == e),
        "{ty} [{s}, {e}) not found in {text:?}: {f:?}"
    );
    Ok(())
}

fn not_found(text: &str, ty: &str) -> Result<(), TestCaseError> {
    let f = GuardClassifier::default().scan(text).findings;
    prop_assert!(f.iter().all(|x| x.entity_type != ty), "unexpected {ty} in {text:?}: {f:?}");
    Ok(())
}

fn pick(xs: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
    prop::sample::select(xs)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn valid_id_after_label_is_found(b in pick(BEFORE), l in pick(ID_LABELS), sep in pick(SEPS),
                                     v in valid_id(), a in pick(AFTER)) {
        let (t, s, e) = embed(b, l, sep, &v, a);
        found_exact(&t, "cn_resident_id", s, e)?;
    }

    #[test]
    fn invalid_id_after_label_is_not_found(b in pick(BEFORE), l in pick(ID_LABELS), sep in pick(SEPS),
                                           v in bad_id(), a in pick(AFTER)) {
        let (t, _, _) = embed(b, l, sep, &v, a);
        not_found(&t, "cn_resident_id")?;
    }

    #[test]
    fn valid_card_after_label_is_found(b in pick(BEFORE), l in pick(CARD_LABELS), sep in pick(SEPS),
                                       v in written_card(true), a in pick(AFTER)) {
        let (t, s, e) = embed(b, l, sep, &v, a);
        found_exact(&t, "bank_card", s, e)?;
    }

    #[test]
    fn invalid_card_after_label_is_not_found(b in pick(BEFORE), l in pick(CARD_LABELS), sep in pick(SEPS),
                                             v in written_card(false), a in pick(AFTER)) {
        let (t, _, _) = embed(b, l, sep, &v, a);
        not_found(&t, "bank_card")?;
    }

    #[test]
    fn passport_after_label_is_found(b in pick(BEFORE), l in pick(PASSPORT_LABELS), sep in pick(SEPS),
                                     v in passport(), a in pick(AFTER)) {
        let (t, s, e) = embed(b, l, sep, &v, a);
        found_exact(&t, "cn_passport", s, e)?;
    }

    #[test]
    fn ipv4_after_label_is_found(b in pick(BEFORE), l in pick(IP_LABELS), sep in pick(SEPS),
                                 v in ipv4(), a in pick(AFTER)) {
        let (t, s, e) = embed(b, l, sep, &v, a);
        found_exact(&t, "ipv4", s, e)?;
    }

    /// Full-width digits (as a Chinese IME types them) after a Chinese label.
    #[test]
    fn fullwidth_values_after_chinese_label(l in pick(&["身份证号", "证件号码", "公民身份号码"]), sep in pick(SEPS),
                                            v in valid_id(), c in card_digits(true)) {
        let wide = |s: &str| s.chars().map(|ch| if ch.is_ascii_alphanumeric() {
            char::from_u32(ch as u32 + 0xFEE0).unwrap() } else { ch }).collect::<String>();
        let (t, s, e) = embed("", l, sep, &wide(&v), "，");
        found_exact(&t, "cn_resident_id", s, e)?;
        let (t, s, e) = embed("", "银行卡号", sep, &wide(&c), "。");
        found_exact(&t, "bank_card", s, e)?;
    }
}
