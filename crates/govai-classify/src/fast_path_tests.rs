//! The fast path gives the same findings as the reference path: the byte-class gates
//! ([`crate::prefilter`]) skip only recognizers that could not match, on both labelled corpora
//! and on random prose with values embedded.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use super::GuardClassifier;
use super::validate::Date;

const TODAY: Date = (2026, 6, 1);

fn same(g: &GuardClassifier, text: &str) {
    let fast = g.scan_gated(text, TODAY, true);
    let reference = g.scan_gated(text, TODAY, false);
    assert_eq!(fast, reference, "{text:?}");
}

#[test]
fn corpora_same_with_and_without_gates() {
    let g = GuardClassifier::default();
    for t in govai_testkit::corpus::generate(20_240_601, 3000) {
        same(&g, &t.text);
    }
    for t in govai_testkit::corpus::forms::generate(19_190_019, 2000) {
        same(&g, &t.text);
    }
}

/// Pieces of prose, labels, separators and values; random concatenations of them.
const PIECES: &[&str] = &[
    "各级人民政府应当加强政务数据共享工作",
    "，",
    "。",
    "；",
    "：",
    " ",
    "\n",
    "（",
    "）",
    "到2027年",
    "第3条",
    "身份证号",
    "手机",
    "电话",
    "卡号",
    "邮箱",
    "IP",
    "passport",
    "姓名：",
    "王",
    "张三",
    "先生",
    "北京市朝阳区建国路88号",
    "住址",
    "患者",
    "确诊",
    "机密★一年",
    "密级:",
    "10岁",
    "11010519491231002X",
    "13800138000",
    "6222600260001072444",
    "6222 6002 6000 1072 444",
    "010-12345678",
    "91350100M000100Y43",
    "E12345678",
    "CA182361(1)",
    "zhang.san@example.com",
    "li[at]gov[dot]cn",
    "192.168.1.10",
    "2001:db8::8a2e:370:7334",
    "京A12345",
    "Name: Zhang San",
    "Mr. Wang",
    "１３８００１３８０００",
    "\u{3000}",
    "\u{200B}",
    "—",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_text_same_with_and_without_gates(
        parts in prop::collection::vec((0..PIECES.len(), any::<u8>()), 0..40),
    ) {
        let g = GuardClassifier::default();
        let mut text = String::new();
        for (i, noise) in parts {
            text.push_str(PIECES[i]);
            // A random character now and then (ASCII or CJK) so values get odd neighbours.
            if noise % 5 == 0 {
                text.push(char::from(b' ' + noise % 95));
            } else if noise % 7 == 0 {
                text.push(char::from_u32(0x4E00 + u32::from(noise) * 37).unwrap_or('中'));
            }
        }
        same(&g, &text);
    }
}
