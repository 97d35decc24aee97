//! Features of a request for the learned guard: character 1- to 3-grams of the lexicon's
//! normalised compact form (NFKC, traditional -> simplified, lower case, spaces, punctuation,
//! symbols and emoji dropped, evasive spellings such as weizao folded: 伪 造, 偽造, 伪*造 and weizao are
//! the same), plus lower-cased English
//! words and word pairs of the text as written. Presence only, L2-normalised.

use std::collections::{BTreeMap, HashMap};

use govai_text::normalize::MatchText;

/// Longest character n-gram.
const MAX_N: usize = 3;

/// The distinct feature strings of `text`.
pub(crate) fn feature_strings(text: &str) -> Vec<String> {
    let matched = MatchText::new(text);
    let compact: Vec<char> = govai_text::fold_variants(&matched.text).chars().collect();
    let mut out = Vec::new();
    for n in 1..=MAX_N {
        for w in compact.windows(n) {
            if n == 1 && !govai_text::is_han(w[0]) {
                continue;
            }
            out.push(w.iter().collect::<String>());
        }
    }
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| w.len() > 1).collect();
    for w in &words {
        out.push(format!("w:{w}"));
    }
    for p in words.windows(2) {
        out.push(format!("w:{} {}", p[0], p[1]));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// A sparse, L2-normalised feature vector: (feature index, value), indices ascending.
pub(crate) type Sparse = Vec<(u32, f32)>;

/// The feature vocabulary of a training set.
#[derive(Debug, Default)]
pub(crate) struct Vocabulary {
    index: HashMap<String, u32>,
}

impl Vocabulary {
    /// Every feature of the training texts.
    pub(crate) fn build<'a>(texts: impl Iterator<Item = &'a str>) -> Self {
        let mut all = BTreeMap::new();
        for t in texts {
            for f in feature_strings(t) {
                let next = all.len() as u32;
                all.entry(f).or_insert(next);
            }
        }
        Self { index: all.into_iter().collect() }
    }

    pub(crate) fn len(&self) -> usize {
        self.index.len()
    }

    /// The vector of `text` over the known features (unknown ones are dropped).
    pub(crate) fn vector(&self, text: &str) -> Sparse {
        let mut v: Sparse = feature_strings(text).iter().filter_map(|f| self.index.get(f).map(|&i| (i, 1.0))).collect();
        v.sort_unstable_by_key(|&(i, _)| i);
        let norm = (v.len() as f32).sqrt();
        if norm > 0.0 {
            for x in &mut v {
                x.1 /= norm;
            }
        }
        v
    }
}

/// Dot product of two sparse vectors with ascending indices.
pub(crate) fn sparse_dot(a: &Sparse, b: &Sparse) -> f32 {
    let (mut i, mut j, mut s) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spacing_width_and_script_do_not_change_features() {
        assert_eq!(feature_strings("伪造公章"), feature_strings("偽 造*公章"));
        assert!(feature_strings("How to FORGE a seal").contains(&"w:forge".to_owned()));
    }

    #[test]
    fn vectors_are_unit_length_over_known_features() {
        let v = Vocabulary::build(["伪造公章", "办理居住证"].into_iter());
        let x = v.vector("伪造公章吗");
        let n: f32 = x.iter().map(|(_, w)| w * w).sum();
        assert!((n - 1.0).abs() < 1e-5);
        assert!(sparse_dot(&x, &v.vector("伪造公章")) > 0.8);
        assert!(v.vector("😀").is_empty());
    }
}
