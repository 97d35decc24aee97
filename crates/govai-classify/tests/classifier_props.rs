//! Property tests: the scanner never panics, offsets are valid char offsets into the original
//! text, finding text equals the original slice, findings do not overlap; operators keep the text
//! valid. Inputs mix ASCII, digits, full-width forms, CJK, separators and combining marks.
#![allow(clippy::unwrap_used)]

use govai_classify::GuardClassifier;
use govai_classify::operators::{Operator, apply, apply_with_vault};
use govai_core::mask::Vault;
use govai_testkit::corpus::generate;
use proptest::prelude::*;

fn check(text: &str) {
    let g = GuardClassifier::default();
    let c = g.scan(text);
    let chars: Vec<char> = text.chars().collect();
    let mut last_end = 0;
    for f in &c.findings {
        assert!(f.start < f.end && f.end <= chars.len(), "{f:?} in {text:?}");
        let s: String = chars[f.start..f.end].iter().collect();
        assert_eq!(s, f.text, "{text:?}");
        assert!(f.start >= last_end, "overlap in {text:?}: {:?}", c.findings);
        assert!((0.0..=1.0).contains(&f.score));
        last_end = f.end;
    }
    for op in [Operator::Replace, Operator::Redact, "mask".parse().unwrap(), Operator::Hash { key: b"k".to_vec() }] {
        let _ = apply(text, &c.findings, &op);
    }
    let mut v = Vault::default();
    let masked = apply_with_vault(text, &c.findings, &Operator::Pseudonymize, &mut v);
    assert_eq!(v.restore(&masked), text);
}

/// Pieces real text is made of, including the awkward ones.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{1,20}",
        "[０-９]{1,19}",
        "[A-Za-zＡ-Ｚａ-ｚ]{1,4}",
        Just("X".to_owned()),
        Just("x".to_owned()),
        "[ \\-－—\u{3000}\u{200B}·:：.．@＠()（）★+]",
        "[\u{4e00}-\u{9fff}]{1,3}",
        Just("身份证号".to_owned()),
        Just("手机".to_owned()),
        Just("卡号".to_owned()),
        Just("姓名：".to_owned()),
        Just("北京市朝阳区建国路".to_owned()),
        Just("号".to_owned()),
        Just("机密★".to_owned()),
        Just("\n".to_owned()),
        Just("e\u{301}".to_owned()),
        Just("⑴㈱ﬁ".to_owned()),
        Just("11010519491231002X".to_owned()),
        Just("13800138000".to_owned()),
        Just("::".to_owned()),
        "\\PC{1,3}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn scan_is_total_and_offsets_valid(parts in proptest::collection::vec(piece(), 0..24)) {
        check(&parts.concat());
    }

    #[test]
    fn arbitrary_strings(s in "\\PC{0,200}") {
        check(&s);
    }

    #[test]
    fn generated_texts_with_fullwidth(seed in 0u64..1_000_000, fw in proptest::bool::ANY) {
        for lt in generate(seed, 3) {
            let text = if fw {
                lt.text.chars().map(|c| match c {
                    '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap(),
                    ' ' => '\u{3000}',
                    o => o,
                }).collect()
            } else {
                lt.text
            };
            check(&text);
        }
    }
}

#[test]
fn long_and_pathological_inputs() {
    check(&"1".repeat(100_000));
    check(&"1 ".repeat(50_000));
    check(&"１-".repeat(20_000));
    check(&"王先生".repeat(10_000));
    check(&"姓名：".repeat(10_000));
    check(&"北京市".repeat(10_000));
    check(&":".repeat(10_000));
    check(&"a@".repeat(10_000));
    check(&"\u{200B}".repeat(10_000));
    check(&"机密★\n".repeat(5_000));
    check("");
}
