//! The exact checks of the grounding reviewer: what a paraphrase may reword but must not change.
//!
//! A sentence can be close to a source sentence by every similarity measure and still change the
//! one thing the citizen acts on. These checks compare the answer sentence with the evidence
//! literally (after the same normalisation):
//!
//! - **Numbers, dates, durations, amounts, phone numbers** (the tokens and keys of
//!   [`crate::numbers`], so 半年 = 六个月 = 6个月 and 1年 = 12个月): a value of the answer sentence
//!   that no evidence provides, where the aligned evidence window has a value of the same kind
//!   (same unit, date, time, phone or hotline) that the sentence lacks, is a *substitution*
//!   (`changed_fact`: 15个工作日 -> 5个工作日, 12333 -> 12366). A national hotline the citation
//!   reviewer lets an answer add (12345...) is a substitution too when the aligned evidence gives
//!   another number. Values that replace nothing are the citation reviewer's
//!   `ungrounded_number`.
//! - **Documents** (…证, …证明, …簿, …合同, …通知书, …病历, …凭证...): a document the answer asks
//!   for that no evidence names (`changed_fact`: 结婚证 -> 户口簿).
//! - **Quoted names** (“示例市人社” App, 「…」 platforms): must occur in the evidence (an
//!   `ungrounded_entity` of kind 名称).
//! - **Negation and modality** (`changed_modality`): each clause of the sentence is aligned with
//!   its closest evidence clause (character bigrams of the clause without its negation and modal
//!   words, synonyms folded); when that clause is close enough, a negation present on one side
//!   only (合并计算 / 不合并计算, 无需领用 / 需先领用, 不得继续使用 / 仍可以继续使用) or a
//!   permission turned into a strict obligation or back (可以 / 必须) is flagged. 应当 / 应 count
//!   as directions, not strict obligations: 「应当向派出所提交」 is routinely paraphrased
//!   「可以到派出所办理」.
//!   Fixed phrases that are not negations of a claim (不收费 = 免费, 不超过, 不动产, 非本市...)
//!   are read first.

use std::collections::HashSet;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use govai_text::is_han;
use govai_text::normalize::normalize_term;
use govai_text::sentence::is_clause_break;
use regex::Regex;

use super::synonyms::fold_synonyms;
use crate::numbers::{Canon, Kind, Token, tokens};

// ----------------------------------------------------------------------------------------------
// Numbers
// ----------------------------------------------------------------------------------------------

/// The number-like tokens of a text that are claims (not list markers or parts of words).
pub(crate) fn claim_tokens(text: &str) -> Vec<Token> {
    tokens(&Canon::new(text))
        .into_iter()
        .filter(|t| !t.skip && matches!(t.kind, Kind::Number | Kind::Date | Kind::Time | Kind::Phone))
        .collect()
}

/// Every key the texts provide.
pub(crate) fn provided_keys<'a>(texts: impl IntoIterator<Item = &'a str>) -> HashSet<String> {
    let mut out = HashSet::new();
    for t in texts {
        for tok in tokens(&Canon::new(t)) {
            out.extend(tok.provide);
        }
    }
    out
}

/// What a value is, for "the same kind of value": `phone` (phone numbers and 3-5 digit numbers
/// starting with 1: 12345, 110), `date`, `time`, `num|<unit>` or `num`.
fn value_class(t: &Token) -> Option<String> {
    match t.kind {
        Kind::Phone => Some("phone".to_owned()),
        Kind::Date => Some("date".to_owned()),
        Kind::Time => Some("time".to_owned()),
        Kind::Number => {
            let key = t.accept.first()?.strip_prefix("N:")?;
            Some(match key.split_once('|') {
                Some((_, unit)) => format!("num|{unit}"),
                None if (3..=5).contains(&key.len())
                    && key.starts_with('1')
                    && key.chars().all(|c| c.is_ascii_digit()) =>
                {
                    "phone".to_owned()
                }
                None => "num".to_owned(),
            })
        }
        _ => None,
    }
}

/// Values of `sentence` that replace a value of `window`: (answer's value, evidence's value).
pub(crate) fn number_substitutions(
    sentence: &[Token],
    window: &[Token],
    provided: &HashSet<String>,
) -> Vec<(String, String)> {
    let said: HashSet<&String> = sentence.iter().flat_map(|t| t.provide.iter().chain(t.accept.iter())).collect();
    let mut out = Vec::new();
    for t in sentence {
        if t.accept.iter().any(|k| provided.contains(k)) {
            continue;
        }
        let Some(class) = value_class(t) else { continue };
        let replaced = window
            .iter()
            .find(|w| value_class(w).as_deref() == Some(class.as_str()) && !w.accept.iter().any(|k| said.contains(k)));
        if let Some(w) = replaced {
            out.push((t.text.clone(), w.text.clone()));
        }
    }
    out
}

// ----------------------------------------------------------------------------------------------
// Documents
// ----------------------------------------------------------------------------------------------

/// Endings of document names (longest first is not needed: each is tried at every position).
const DOC_SUFFIXES: &[&str] =
    &["证明", "证书", "证件", "证", "簿", "合同", "协议", "通知书", "申请书", "计划书", "病历", "凭证", "执照", "发票"];

/// Characters before 证 that make a verb or another word, not a document (领证, 保证, 认证...).
const NOT_DOC_BEFORE_ZHENG: &str = "保认验论查见作举求考印佐凭领发办换制补取拿验核签辩实公";

/// Function characters that end a document name when scanning back.
const DOC_STOP: &str =
    "的和与及或、提供需要携带带交出具本人请并还也可以等个张或者得能凭再新原元他其取领拿办到在于将把从向备写填";

/// First characters of a counted document (一份证明, 两张证件): not part of the name.
const DOC_COUNTED: &str = "一二两三几每份张个";

/// A document name is grounded by the evidence: named there, or (for a name ending in a
/// document word of its own: 申请书, 通知书, 计划书) that word is named there.
pub(crate) fn document_in(doc: &str, hay: &str) -> bool {
    hay.contains(doc)
        || DOC_SUFFIXES
            .iter()
            .any(|s| s.chars().count() >= 3 && doc.ends_with(s) && hay.contains(s) && doc.chars().count() <= 5)
}

/// Document names of a normalised text: the ending with up to two characters before it
/// (户口簿, 结婚证, 收入证明, 通知书 with 病危: 病危通知书).
pub(crate) fn documents(norm: &str) -> Vec<String> {
    let chars: Vec<char> = norm.chars().collect();
    let mut out = Vec::new();
    for i in 0..chars.len() {
        for suf in DOC_SUFFIXES {
            let sc: Vec<char> = suf.chars().collect();
            if !chars[i..].starts_with(&sc) {
                continue;
            }
            // Only where the ending ends the word: 证 of 证明 / 证件 / 证书 is tried as those.
            let end = i + sc.len();
            if *suf == "证" && chars.get(end).is_some_and(|c| matches!(c, '明' | '书' | '件' | '照')) {
                continue;
            }
            if *suf == "证" && i > 0 && NOT_DOC_BEFORE_ZHENG.contains(chars[i - 1]) {
                continue;
            }
            let mut s = i;
            while s > 0 && i - s < 2 && is_han(chars[s - 1]) && !DOC_STOP.contains(chars[s - 1]) {
                s -= 1;
            }
            if i - s < 2 || DOC_COUNTED.contains(chars[s]) {
                continue;
            }
            out.push(chars[s..end].iter().collect());
        }
    }
    out
}

// ----------------------------------------------------------------------------------------------
// Quoted names
// ----------------------------------------------------------------------------------------------

static QUOTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"[“「『"]([^“”「」『』"\n]{2,30})[”」』"]"#).expect("quote pattern compiles (tested)")
});

/// Names in quotation marks (App, 公众号 and platform names): (character span, name).
pub(crate) fn quoted_names(text: &str) -> Vec<((usize, usize), String)> {
    QUOTED
        .captures_iter(text)
        .filter_map(|c| {
            let m = c.get(1)?;
            let s = text[..m.start()].chars().count();
            let e = s + m.as_str().chars().count();
            Some(((s, e), m.as_str().to_owned()))
        })
        .collect()
}

// ----------------------------------------------------------------------------------------------
// Negation and modality
// ----------------------------------------------------------------------------------------------

/// What a polarity word says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pol {
    /// Not a polarity word (fixed phrases read first: 不收费, 不超过, 不动产...).
    Neutral,
    /// 不, 未, 没有, 无, 非.
    Negation,
    /// 不得, 不能, 禁止: a prohibition (a negation).
    Prohibition,
    /// 无需, 不用, 不必: nothing is required (a negation).
    Exemption,
    /// 必须, 应当, 需, 要: an obligation.
    Obligation,
    /// 可以, 可, 能: a permission.
    Permission,
}

const POLARITY: &[(&str, Pol)] = &[
    // Fixed phrases first (leftmost-longest makes them win over 不 / 无 / 非 / 可 / 要).
    ("不收费", Pol::Neutral),
    ("免费", Pol::Neutral),
    ("不超过", Pol::Neutral),
    ("不少于", Pol::Neutral),
    ("不低于", Pol::Neutral),
    ("不高于", Pol::Neutral),
    ("不满", Pol::Neutral),
    ("不足", Pol::Neutral),
    ("不动产", Pol::Neutral),
    ("不定期", Pol::Neutral),
    ("不同", Pol::Neutral),
    ("不良", Pol::Neutral),
    ("不等", Pol::Neutral),
    ("不限", Pol::Neutral),
    ("无故", Pol::Neutral),
    ("无业", Pol::Neutral),
    ("无误", Pol::Neutral),
    ("无法", Pol::Neutral),
    ("无论", Pol::Neutral),
    ("非本市", Pol::Neutral),
    ("非户籍", Pol::Neutral),
    ("非营利", Pol::Neutral),
    ("未成年", Pol::Neutral),
    ("未满", Pol::Neutral),
    ("要求", Pol::Neutral),
    ("需求", Pol::Neutral),
    ("重要", Pol::Neutral),
    ("主要", Pol::Neutral),
    ("可能", Pol::Neutral),
    ("可选", Pol::Neutral),
    ("能力", Pol::Neutral),
    ("功能", Pol::Neutral),
    ("应急", Pol::Neutral),
    ("相应", Pol::Neutral),
    ("对应", Pol::Neutral),
    ("供应", Pol::Neutral),
    ("应用", Pol::Neutral),
    ("许可", Pol::Neutral),
    ("认可", Pol::Neutral),
    ("急需", Pol::Neutral),
    ("所需", Pol::Neutral),
    ("必需", Pol::Neutral),
    // Exemptions.
    ("无需", Pol::Exemption),
    ("无须", Pol::Exemption),
    ("不需要", Pol::Exemption),
    ("不需", Pol::Exemption),
    ("不用", Pol::Exemption),
    ("不必", Pol::Exemption),
    ("免于", Pol::Exemption),
    ("免予", Pol::Exemption),
    // Prohibitions.
    ("不得", Pol::Prohibition),
    ("不能", Pol::Prohibition),
    ("不可以", Pol::Prohibition),
    ("不可", Pol::Prohibition),
    ("不准", Pol::Prohibition),
    ("不允许", Pol::Prohibition),
    ("不予", Pol::Prohibition),
    ("禁止", Pol::Prohibition),
    ("严禁", Pol::Prohibition),
    // Negations.
    ("不", Pol::Negation),
    ("未", Pol::Negation),
    ("没有", Pol::Negation),
    ("没", Pol::Negation),
    ("无", Pol::Negation),
    ("非", Pol::Negation),
    // Obligations.
    ("必须", Pol::Obligation),
    ("应当", Pol::Obligation),
    ("应该", Pol::Obligation),
    ("务必", Pol::Obligation),
    ("须", Pol::Obligation),
    ("应", Pol::Obligation),
    // Permissions.
    ("可以", Pol::Permission),
    ("仍可", Pol::Permission),
    ("可", Pol::Permission),
    ("能够", Pol::Permission),
    ("允许", Pol::Permission),
];

static POLARITY_AC: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(POLARITY.iter().map(|p| p.0))
        .expect("polarity patterns build (tested)")
});

/// The modality of a clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Modal {
    /// 必须, 须, 务必.
    Must,
    /// 应, 应当, 应该: in answers 「应当向派出所提交」 and 「可以到派出所办理」 say the same way.
    Should,
    /// 可以, 可, 能够, 允许.
    Permission,
    /// 不得, 不能, 禁止.
    Prohibition,
    /// 无需, 不用, 不必.
    Exemption,
}

/// A clause read for polarity: its words' polarities and its text without them.
#[derive(Debug, Clone)]
pub(crate) struct Clause {
    /// The clause as written (for messages).
    pub text: String,
    negated: bool,
    modal: Option<Modal>,
    /// Character bigrams of the folded clause without its polarity words.
    grams: HashSet<(char, char)>,
}

impl Clause {
    fn new(text: &str) -> Self {
        let norm = normalize_term(text);
        let mut rest = String::with_capacity(norm.len());
        let (mut negations, mut modal) = (0usize, None);
        let mut last = 0;
        for m in POLARITY_AC.find_iter(&norm) {
            rest.push_str(&norm[last..m.start()]);
            last = m.end();
            let word = &norm[m.start()..m.end()];
            match POLARITY[m.pattern().as_usize()].1 {
                Pol::Neutral => rest.push_str(word),
                Pol::Negation => negations += 1,
                Pol::Prohibition => {
                    negations += 1;
                    modal = Some(Modal::Prohibition);
                }
                Pol::Exemption => {
                    negations += 1;
                    modal = Some(Modal::Exemption);
                }
                Pol::Obligation => {
                    if modal.is_none() {
                        modal =
                            Some(if matches!(word, "应" | "应当" | "应该") { Modal::Should } else { Modal::Must });
                    }
                }
                Pol::Permission => {
                    if modal.is_none() {
                        modal = Some(Modal::Permission);
                    }
                }
            }
        }
        rest.push_str(&norm[last..]);
        let folded = fold_synonyms(&rest);
        let chars: Vec<char> = folded.chars().collect();
        let grams = chars.windows(2).map(|w| (w[0], w[1])).collect();
        Self { text: text.trim().to_owned(), negated: negations % 2 == 1, modal, grams }
    }

    /// How much of this clause's content `other` contains.
    fn contained_in(&self, other: &Clause) -> f32 {
        if self.grams.is_empty() {
            return 0.0;
        }
        self.grams.iter().filter(|g| other.grams.contains(g)).count() as f32 / self.grams.len() as f32
    }
}

/// The clauses of a text (split at `，,：:、；。` ...), each with at least `min_grams` bigrams.
pub(crate) fn clauses(text: &str, min_grams: usize) -> Vec<Clause> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars().chain(std::iter::once('\n')) {
        if is_clause_break(c) && c != '、' {
            let cl = Clause::new(&cur);
            if cl.grams.len() >= min_grams {
                out.push(cl);
            }
            cur.clear();
        } else {
            cur.push(c);
        }
    }
    out
}

/// A clause of the answer whose polarity differs from its closest evidence clause: (answer
/// clause, evidence clause, what changed).
pub(crate) fn polarity_change<'a>(
    clause: &'a Clause,
    evidence: &'a [Clause],
    min_overlap: f32,
) -> Option<(&'a Clause, &'static str)> {
    let (best, score) = evidence.iter().map(|e| (e, clause.contained_in(e))).max_by(|a, b| a.1.total_cmp(&b.1))?;
    if score < min_overlap {
        return None;
    }
    // The same content said both ways somewhere in the evidence: not a change.
    if evidence.iter().any(|e| e.negated == clause.negated && clause.contained_in(e) >= min_overlap) {
        if let (Some(a), Some(b)) = (clause.modal, best.modal)
            && modal_conflict(a, b)
            && !evidence.iter().any(|e| e.modal == clause.modal && clause.contained_in(e) >= min_overlap)
        {
            return Some((best, "情态改变（可以/必须/应当/不得）"));
        }
        return None;
    }
    Some((best, if clause.negated { "增加了否定" } else { "去掉了否定" }))
}

/// A permission said as an obligation or back. Only a strong obligation counts (必须, 须, 务必):
/// 「应当到派出所办理」 and 「可以到派出所办理」 give the same direction in everyday answers.
fn modal_conflict(a: Modal, b: Modal) -> bool {
    matches!((a, b), (Modal::Permission, Modal::Must) | (Modal::Must, Modal::Permission))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn document_names() {
        let d = documents(&normalize_term("需提供身份证、购房合同、户口簿，已婚的还需提供结婚证和收入证明，领证当天"));
        for want in ["身份证", "购房合同", "户口簿", "结婚证", "收入证明"] {
            assert!(d.iter().any(|x| x == want), "{want}: {d:?}");
        }
        assert!(!d.iter().any(|x| x.ends_with("领证")), "{d:?}");
    }

    #[test]
    fn substitutions_of_values() {
        let window = claim_tokens("公安机关自受理之日起15个工作日内制发居住证，咨询电话12333");
        let provided = provided_keys(["公安机关自受理之日起15个工作日内制发居住证，咨询电话12333"]);
        let s = claim_tokens("受理后5个工作日内制发");
        assert_eq!(number_substitutions(&s, &window, &provided), vec![("5个工作日".into(), "15个工作日".into())]);
        let s = claim_tokens("可拨打12366咨询");
        assert_eq!(number_substitutions(&s, &window, &provided).len(), 1);
        let s = claim_tokens("十五个工作日内制发");
        assert!(number_substitutions(&s, &window, &provided).is_empty());
    }

    #[test]
    fn polarity_of_clauses() {
        let ev = clauses("转移后，参保人员在各地的缴费年限合并计算，个人账户储存额累计计算。首次申领不收取费用。", 2);
        let neg = clauses("您在各地的缴费年限不合并计算", 2);
        assert!(polarity_change(&neg[0], &ev, 0.6).is_some());
        let same = clauses("各地缴费年限合并计算，首次申领免费", 2);
        assert!(same.iter().all(|c| polarity_change(c, &ev, 0.6).is_none()));
        let ev = clauses("急需使用身份证的，可同时申请临时居民身份证。", 2);
        let must = clauses("必须同时申请临时居民身份证", 2);
        assert!(polarity_change(&must[0], &ev, 0.6).is_some());
        let may = clauses("可以同时申请临时居民身份证", 2);
        assert!(polarity_change(&may[0], &ev, 0.6).is_none());
    }

    #[test]
    fn quoted() {
        let q = quoted_names("可在“示例市人社”App办理，或关注「示例市医保」公众号");
        assert_eq!(q.iter().map(|x| x.1.as_str()).collect::<Vec<_>>(), vec!["示例市人社", "示例市医保"]);
    }
}
