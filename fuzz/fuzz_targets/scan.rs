//! Any bytes -> lossy UTF-8 -> `GuardClassifier::scan`: no panic, every finding's offsets are
//! valid char offsets (`start < end <= char count`), its text is exactly that char slice, and the
//! operators (mask, replace, redact, hash, pseudonymise and restore) do not panic on them.
#![no_main]

use std::sync::LazyLock;

use govai_core::mask::{Vault, pseudonymize};
use govai_classify::GuardClassifier;
use govai_classify::operators::{self, Operator};
use libfuzzer_sys::fuzz_target;

static CLASSIFIER: LazyLock<GuardClassifier> = LazyLock::new(GuardClassifier::default);

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let c = CLASSIFIER.scan(&text);
    let chars: Vec<char> = text.chars().collect();
    let mut prev_end = 0;
    for f in &c.findings {
        assert!(f.start < f.end && f.end <= chars.len(), "bad offsets {f:?} for {} chars", chars.len());
        let slice: String = chars[f.start..f.end].iter().collect();
        assert_eq!(f.text, slice, "finding text is not the char slice: {f:?}");
        assert!((0.0..=1.0).contains(&f.score), "score out of range: {f:?}");
        // Findings are sorted and non-overlapping.
        assert!(f.start >= prev_end, "overlapping or unsorted findings: {:?}", c.findings);
        prev_end = f.end;
    }
    for op in [
        Operator::default(),
        Operator::Mask { keep_first: 3, keep_last: 4, mask_char: '*' },
        Operator::Replace,
        Operator::Redact,
        Operator::Hash { key: b"fuzz-key".to_vec() },
    ] {
        let _ = operators::apply(&text, &c.findings, &op);
    }
    let mut vault = Vault::default();
    let masked = pseudonymize(&text, &c.findings, &mut vault);
    let restored = vault.restore(&masked);
    // Placeholders are 〔...〕; a text without those brackets must round-trip exactly.
    if !text.contains(['〔', '〕']) {
        assert_eq!(restored, text, "pseudonymise/restore round trip changed the text");
    }
    let mut vault = Vault::default();
    let masked = operators::apply_with_vault(&text, &c.findings, &Operator::Pseudonymize, &mut vault);
    let _ = vault.restore(&masked);
});
