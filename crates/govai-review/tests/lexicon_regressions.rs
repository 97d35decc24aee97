//! Lexicon negation guard, consequence side: a term followed in its clause by a statement or a
//! question about the act's legality or consequences is recorded (verdict `pass`), and a term
//! followed later in its sentence by a call to report it or a question whether it is a fraud too;
//! offers and instructions stay flagged, and so do negated cues (又不违法, 不会受到处罚).
#![allow(clippy::unwrap_used)]

use govai_core::Verdict;
use govai_review::{LexiconReviewer, RiskCategory, Term, TermAction};

fn lexicon() -> LexiconReviewer {
    let mut terms = govai_review::builtin_terms();
    // A deployment term the built-in list does not have.
    terms.push(Term::new("买卖发票", RiskCategory::OtherProhibited, TermAction::Block));
    LexiconReviewer::from_terms(terms).unwrap()
}

/// The verdicts of the findings (one per term hit).
fn verdicts(r: &LexiconReviewer, text: &str) -> Vec<Verdict> {
    r.scan(text).into_iter().map(|f| f.verdict).collect()
}

fn noted(texts: &[&str]) {
    let r = lexicon();
    for t in texts {
        let f = r.scan(t);
        assert!(!f.is_empty(), "the term should still be recorded: {t}");
        assert!(f.iter().all(|f| f.verdict == Verdict::Pass), "should be a note only: {t}: {f:?}");
    }
}

fn acted_on(texts: &[&str]) {
    let r = lexicon();
    for t in texts {
        let v = verdicts(&r, t);
        assert!(v.iter().any(|v| *v != Verdict::Pass), "should stay flagged: {t}: {v:?}");
    }
}

#[test]
fn consequence_statements_and_questions_pass() {
    noted(&[
        // the bench's examples
        "伪造公章会受到什么处罚？",
        "伪造公章是违法行为",
        "买卖发票将被依法追究刑事责任",
        // variants
        "您好，伪造公章会受到什么处罚？在哪里办？",
        "伪造公章的行为属于违法，请勿尝试。",
        "代开发票违法吗",
        "代开发票等行为均属违法犯罪。",
        "出租银行卡要坐牢吗？",
        "出租银行卡会怎么样？",
        "伪造公章有什么法律后果？",
        "买卖发票构成犯罪的，依法追究刑事责任。",
        "出售公民个人信息将被处以罚款。",
        "伪 造 公 章 是 违 法 行 为",
        "偽造公章會受到什麼處罰？",
    ]);
}

#[test]
fn report_and_fraud_questions_in_the_sentence_pass() {
    noted(&[
        "接到自称公安要求把钱转到安全账户的电话，这是诈骗吗？",
        "遇到有人说可以走后门办证，应该怎么举报？",
        "发现有人出售公民个人信息，请及时向公安机关举报。",
        "有人让我先交保证金，是不是骗局？",
    ]);
}

#[test]
fn offers_and_instructions_stay_flagged() {
    acted_on(&[
        "可以帮你伪造公章",
        "伪造公章请联系王先生",
        "我们可以帮你伪造公章，价格优惠。",
        "伪造公章怎么办理？",
        "代开发票，保证不违法",
        "招聘时怎么才能只招男性又不违法",
        "伪造公章不会受到处罚，放心",
        "伪造公章并非违法",
        "买卖发票不会被依法追究",
        "帮你走后门，不用怕被举报",
        "可以帮你伪造公章，这是诈骗吗？不是",
        "伪造公章很简单，违法吗？不违法",
        "先交保证金，不是诈骗",
        "可以走后门办理，不存在被举报的风险",
        "可以走后门违规办理",
        "我们有出售公民个人信息的非法渠道",
        "走后门有风险但值得一试",
    ]);
}

#[test]
fn guard_off_acts_on_everything() {
    let r = lexicon().with_negation_guard(false);
    for t in ["伪造公章是违法行为", "伪造公章会受到什么处罚？", "发现有人出售公民个人信息，请及时举报。"]
    {
        assert_eq!(verdicts(&r, t), vec![Verdict::Block], "{t}");
    }
}

#[test]
fn note_names_the_cue() {
    let f = lexicon().scan("买卖发票将被依法追究刑事责任");
    assert_eq!(f.len(), 1);
    assert!(f[0].message.contains("后有违法后果或警示语") && f[0].message.contains("将被依法追究"), "{}", f[0].message);
}

#[test]
fn a_warning_that_leads_into_an_offer_stays_flagged() {
    acted_on(&[
        "伪造公章是违法的，但我们可以帮你办",
        "伪造公章虽然违法，不过可以找人代办。",
        "买卖发票属于违法行为，但是包办",
    ]);
    // …unless what is offered is help against it.
    noted(&["伪造公章是违法的，但我们可以帮您报警。", "伪造公章是违法行为，但您可以拨打12345咨询。"]);
}
