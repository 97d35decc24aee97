//! A deterministic labelled corpus of Chinese and English government-style texts, for measuring
//! the classifier's precision and recall and for benchmarks.
//!
//! [`generate`] is seeded (a small xorshift PRNG, no `rand`): the same seed and count always give
//! the same texts. Positives carry real checksums (IDs, USCC, organisation codes, bank cards,
//! HKID) and real formats (mobile segments, area codes, passports, permits, plates, emails, IPs,
//! addresses, names, secrecy markings, PIPL terms next to a person), written in the ways real text
//! writes them: with and without context words, separators, `+86`, parentheses, extensions,
//! full-width characters, U+3000. Near-miss negatives are unlabelled: wrong check characters,
//! impossible birth dates, 20-digit runs, order numbers, amounts, dates, times, version strings,
//! numbers glued inside longer digit runs, invalid mobile segments, policy prose that names the
//! PIPL categories and prose that says 秘密.
//!
//! [`forms`] is a second generator, written independently of this one (other templates, label
//! styles, separators and value distributions), whose figures are reported next to this one's.
//!
//! Labels are `(type, start, end)` in Unicode scalar (char) offsets, end exclusive, with the
//! classifier's entity type names. Conventions: a phone's `+86 ` prefix, a landline's area code in
//! parentheses and its extension, an HKID's `(check)` and a plate's `·` are part of the span; a
//! person is the name only (`王` in `王先生`); an address runs from the province (or city, or
//! road) to its last component.

/// One generated text and its gold entities `(type, start_char, end_char)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledText {
    /// The text.
    pub text: String,
    /// Gold entities: `(type, start_char, end_char)`, end exclusive.
    pub entities: Vec<(String, usize, usize)>,
}

/// xorshift64* seeded through splitmix64.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Self(if z == 0 { 0x2545_F491_4F6C_DD1D } else { z })
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (`n > 0`; 0 gives 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { ((self.next_u64() >> 11) % n as u64) as usize }
    }

    pub(crate) fn range(&mut self, lo: usize, hi_inclusive: usize) -> usize {
        lo + self.below(hi_inclusive.saturating_sub(lo) + 1)
    }

    pub(crate) fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    /// A uniformly chosen element (`items` must not be empty).
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + self.below(10) as u8)).collect()
    }
}

/// Text under construction with char-offset labels.
struct Doc {
    text: String,
    chars: usize,
    entities: Vec<(String, usize, usize)>,
}

impl Doc {
    fn new() -> Self {
        Self { text: String::new(), chars: 0, entities: Vec::new() }
    }
    fn plain(&mut self, s: &str) {
        self.text.push_str(s);
        self.chars += s.chars().count();
    }
    fn entity(&mut self, ty: &str, s: &str) {
        let start = self.chars;
        self.plain(s);
        self.entities.push((ty.to_owned(), start, self.chars));
    }
}

pub mod archive;
mod clauses;
pub mod forms;
mod values;

use clauses::{clause, near_miss};
use values::fullwidth;

const FILLERS_ZH: &[&str] = &[
    "请于三个工作日内办理",
    "经审核，材料齐全",
    "特此证明",
    "如有疑问请咨询窗口工作人员",
    "现将有关情况报告如下",
    "已按规定归档",
    "该事项已办结",
];
const FILLERS_EN: &[&str] =
    &["The application was received", "Please reply within five working days", "The case is closed"];
const SEPS: &[&str] = &["，", "；", "。", " ", "\n", ", "];

/// Generate `n` labelled texts from `seed`.
pub fn generate(seed: u64, n: usize) -> Vec<LabelledText> {
    let mut rng = Rng::new(seed);
    (0..n).map(|_| one_text(&mut rng)).collect()
}

fn one_text(rng: &mut Rng) -> LabelledText {
    let mut doc = Doc::new();
    let english = rng.chance(0.12);
    if rng.chance(0.03) {
        let mark = rng.pick(&["机密★一年", "秘密★", "绝密★启用前", "机密★5年", "秘密★长期"]);
        doc.entity("secrecy_marking", mark);
        doc.plain("\n");
    }
    let parts = rng.range(1, 4);
    for i in 0..parts {
        if i > 0 {
            doc.plain(rng.pick(SEPS));
        }
        match rng.below(10) {
            0 => doc.plain(if english { rng.pick(FILLERS_EN) } else { rng.pick(FILLERS_ZH) }),
            1 | 2 => near_miss(rng, &mut doc),
            _ => clause(rng, &mut doc, english),
        }
    }
    doc.plain(if english { "." } else { "。" });
    // Occasionally the whole text is typed in full-width (spans keep their char offsets).
    if rng.chance(0.03) {
        doc.text = fullwidth(&doc.text);
    }
    LabelledText { text: doc.text, entities: doc.entities }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::values::*;
    use super::*;
    use govai_classify::validate;

    #[test]
    fn deterministic_and_offsets_valid() {
        let a = generate(7, 300);
        assert_eq!(a, generate(7, 300));
        assert_ne!(a, generate(8, 300));
        for t in &a {
            let n = t.text.chars().count();
            for (_, s, e) in &t.entities {
                assert!(s < e && *e <= n, "{t:?}");
            }
        }
    }

    #[test]
    fn generated_values_validate() {
        let mut rng = Rng::new(1);
        for _ in 0..500 {
            let id = resident_id(&mut rng);
            assert!(validate::check_resident_id(id.as_bytes(), (2026, 1, 1)).unwrap().checksum, "{id}");
            let bad = resident_id_wrong_check(&mut rng);
            assert!(!validate::check_resident_id(bad.as_bytes(), (2026, 1, 1)).unwrap().checksum);
            assert!(validate::check_resident_id(resident_id_bad_date(&mut rng).as_bytes(), (2026, 1, 1)).is_none());
            assert!(validate::check_legacy_id(legacy_id(&mut rng).as_bytes()).is_some());
            let u = uscc(&mut rng);
            assert_eq!(validate::check_uscc(u.as_bytes()), Some(true), "{u}");
            assert_eq!(validate::check_org_code(org_code(&mut rng).as_bytes()), Some(true));
            assert!(validate::luhn(bank_card_digits(&mut rng).as_bytes()));
            assert!(!validate::luhn(bank_card_bad(&mut rng).as_bytes()));
            assert!(validate::valid_mobile(mobile_digits(&mut rng).as_bytes()));
            let h = hkid(&mut rng, false);
            assert_eq!(validate::check_hkid(h.as_bytes()), Some(true), "{h}");
        }
        for a in AREA8 {
            assert_eq!(
                validate::split_landline(format!("{a}23456789").as_bytes()).map(|x| x.1),
                Some(validate::Landline::Exact),
                "{a}"
            );
        }
        for a in AREA7 {
            assert_eq!(
                validate::split_landline(format!("{a}2345678").as_bytes()).map(|x| x.1),
                Some(validate::Landline::Exact),
                "{a}"
            );
        }
    }
}
