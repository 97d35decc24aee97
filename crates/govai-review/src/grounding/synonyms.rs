//! Paraphrase folding for the lexical comparisons of the grounding and relevance reviewers:
//! everyday words of government services mapped onto the word the passages use (驾照 ->
//! 驾驶证, 补办 -> 补领, 免费 / 不收取费用 -> 不收费...), applied to *normalised* text
//! ([`normalize_term`](govai_text::normalize::normalize_term)) on both sides of a comparison.
//!
//! Only the lexical scores use the folded text. The exact checks (numbers, names, negation and
//! modality) read the text as written: 免费 and 不收费 are the same claim, 可以 and 必须 are not.

use std::borrow::Cow;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

/// (as written, folded). Matched leftmost-longest on normalised text.
const PAIRS: &[(&str, &str)] = &[
    // Documents and services.
    ("驾照", "驾驶证"),
    ("驾驶执照", "驾驶证"),
    ("户口本", "户口簿"),
    ("居民身份证", "身份证"),
    ("社会保障卡", "社保卡"),
    ("社会保险", "社保"),
    ("医疗保险", "医保"),
    ("住房公积金", "公积金"),
    ("个体户", "个体工商户"),
    ("个体工商户", "个体工商户"),
    ("年报", "年度报告"),
    ("房贷", "住房贷款"),
    ("退休金", "养老金"),
    ("公司", "企业"),
    ("孩子", "子女"),
    ("小孩", "子女"),
    ("宝宝", "新生儿"),
    ("老人", "老年人"),
    ("老年人", "老年人"),
    ("网上", "在线"),
    ("线上", "在线"),
    // Common abbreviations of offices.
    ("人社局", "人力资源和社会保障局"),
    ("人社部门", "人力资源和社会保障部门"),
    ("市场监管局", "市场监督管理局"),
    ("市场监管部门", "市场监督管理部门"),
    ("住建局", "住房和城乡建设局"),
    ("卫健委", "卫生健康委员会"),
    ("发改委", "发展和改革委员会"),
    ("公积金中心", "公积金管理中心"),
    // Actions.
    ("补办", "补领"),
    ("换领", "换领"),
    ("申领", "申请"),
    ("申办", "申请"),
    ("带上", "携带"),
    ("带好", "携带"),
    ("拿到", "领取"),
    ("交费", "缴费"),
    ("交纳", "缴纳"),
    ("缴交", "缴纳"),
    ("打电话", "拨打"),
    ("致电", "拨打"),
    ("办好", "办结"),
    ("办完", "办结"),
    // Fees (the same claim, however it is said).
    ("免费", "不收费"),
    ("不收取任何费用", "不收费"),
    ("不收任何费用", "不收费"),
    ("不收取费用", "不收费"),
    ("不收取", "不收费"),
    ("不要钱", "不收费"),
    ("不花钱", "不收费"),
    // Time words.
    ("天", "日"),
    ("一般在", "一般"),
];

static FOLD: LazyLock<(AhoCorasick, Vec<&'static str>)> = LazyLock::new(|| {
    let ac = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(PAIRS.iter().map(|p| p.0))
        .expect("synonym patterns build (tested)");
    (ac, PAIRS.iter().map(|p| p.1).collect())
});

/// `norm` (already normalised) with everyday words folded onto the passages' words.
pub(crate) fn fold_synonyms(norm: &str) -> Cow<'_, str> {
    let (ac, to) = &*FOLD;
    if !ac.is_match(norm) {
        return Cow::Borrowed(norm);
    }
    let mut out = String::with_capacity(norm.len() + 8);
    ac.replace_all_with(norm, &mut out, |m, _, dst| {
        dst.push_str(to[m.pattern().as_usize()]);
        true
    });
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_both_sides_alike() {
        assert_eq!(fold_synonyms("驾照丢了怎么补办"), "驾驶证丢了怎么补领");
        assert_eq!(fold_synonyms("首次申领免费"), fold_synonyms("首次申领不收取费用"));
        assert_eq!(fold_synonyms("15天内"), "15日内");
        assert_eq!(fold_synonyms("居民身份证"), fold_synonyms("身份证"));
        assert!(matches!(fold_synonyms("没有可折叠的词"), Cow::Borrowed(_)));
    }
}
