//! Sentence similarity for the grounding check: the [`SimilarityScorer`] trait and the built-in
//! [`NgramScorer`] (character n-grams for Chinese, word stems for Latin-script claims).

use std::collections::HashSet;
use std::fmt;

use govai_core::Result;
use govai_text::normalize::normalize_term;
use serde::{Deserialize, Serialize};

use super::synonyms::fold_synonyms;

/// Scores how well a claim is supported by candidate evidence sentences.
///
/// Implementations: [`NgramScorer`] (built in); an embedding scorer (cosine of sentence
/// embeddings) comes with the ONNX backend.
pub trait SimilarityScorer: Send + Sync + fmt::Debug {
    /// Short name recorded in findings, e.g. `ngram`.
    fn id(&self) -> &str;
    /// The similarity of `claim` with each candidate, each in `[0, 1]`, same order as `candidates`.
    fn scores(&self, claim: &str, candidates: &[&str]) -> Result<Vec<f32>>;

    /// The best score of each claim over the candidates (batch form: an embedding scorer embeds
    /// the candidates once; the n-gram scorer prepares their n-gram sets once).
    fn best_scores(&self, claims: &[&str], candidates: &[&str]) -> Result<Vec<(f32, Option<usize>)>> {
        claims
            .iter()
            .map(|c| {
                let s = self.scores(c, candidates)?;
                Ok(best_of(&s))
            })
            .collect()
    }
}

/// The maximum score and its index.
pub fn best_of(scores: &[f32]) -> (f32, Option<usize>) {
    scores.iter().enumerate().fold((0.0f32, None), |(b, at), (i, &s)| if s > b { (s, Some(i)) } else { (b, at) })
}

/// How n-gram sets are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NgramMeasure {
    /// |claim ∩ evidence| / |claim|: how much of the claim the evidence contains.
    #[default]
    Containment,
    /// |claim ∩ evidence| / |claim ∪ evidence|.
    Jaccard,
}

/// Lexical similarity: character n-grams of the normalised text for Chinese claims, word stems
/// (the first `latin_stem` letters of each non-stop word; numbers whole) for mostly-Latin claims,
/// where character n-grams punish ordinary paraphrase ("decides" / "a decision is made").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NgramScorer {
    /// n for mostly-CJK claims (default 2).
    pub cjk_n: usize,
    /// Stem length for mostly-Latin claims (default 4).
    pub latin_stem: usize,
    /// How n-gram overlap becomes a score.
    pub measure: NgramMeasure,
    /// Fold everyday words onto the passages' words first (驾照 -> 驾驶证, 免费 -> 不收费; see
    /// `synonyms.rs`), on both sides.
    pub fold_synonyms: bool,
}

impl Default for NgramScorer {
    fn default() -> Self {
        Self { cjk_n: 2, latin_stem: 4, measure: NgramMeasure::Containment, fold_synonyms: true }
    }
}

pub(super) const EN_STOP: &[&str] = &[
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "for", "by", "with", "from", "is", "are", "be", "was",
    "were", "it", "its", "this", "that", "these", "those", "you", "your", "we", "our", "can", "may", "will", "also",
    "as", "if", "any", "all", "made", "make", "do", "does", "please", "then", "there", "which", "who", "what", "under",
];

/// Hashed word stems of a text (lower-cased, split at non-alphanumerics, stop words dropped).
fn stems(text: &str, len: usize) -> HashSet<u64> {
    let lower = text.to_lowercase();
    let mut out = HashSet::new();
    for w in lower.split(|c: char| !c.is_alphanumeric()) {
        if w.is_empty() || EN_STOP.contains(&w) {
            continue;
        }
        let chars: Vec<char> = w.chars().collect();
        let stem =
            if chars.iter().all(|c| c.is_ascii_digit()) { &chars[..] } else { &chars[..chars.len().min(len.max(1))] };
        out.insert(hash_chars(stem));
    }
    out
}

/// Hashed character n-grams of a normalised text (a text shorter than `n` gives itself).
fn ngrams(norm: &str, n: usize) -> HashSet<u64> {
    let chars: Vec<char> = norm.chars().collect();
    let n = n.max(1);
    let mut out = HashSet::with_capacity(chars.len());
    if chars.is_empty() {
        return out;
    }
    if chars.len() < n {
        out.insert(hash_chars(&chars));
        return out;
    }
    for w in chars.windows(n) {
        out.insert(hash_chars(w));
    }
    out
}

fn hash_chars(w: &[char]) -> u64 {
    // FNV-1a over the code points.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &c in w {
        h ^= c as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

pub(super) fn mostly_latin(norm: &str) -> bool {
    let (mut ascii, mut total) = (0usize, 0usize);
    for c in norm.chars() {
        total += 1;
        if c.is_ascii_alphabetic() {
            ascii += 1;
        }
    }
    total > 0 && ascii * 2 > total
}

impl NgramScorer {
    /// The comparison units of a text: stems when `latin`, else character n-grams.
    fn units(&self, text: &str, latin: bool) -> HashSet<u64> {
        if latin {
            stems(text, self.latin_stem)
        } else if self.fold_synonyms {
            ngrams(&fold_synonyms(&normalize_term(text)), self.cjk_n)
        } else {
            ngrams(&normalize_term(text), self.cjk_n)
        }
    }

    fn score_sets(&self, a: &HashSet<u64>, b: &HashSet<u64>) -> f32 {
        if a.is_empty() {
            return 1.0;
        }
        let inter = a.iter().filter(|g| b.contains(g)).count() as f32;
        match self.measure {
            NgramMeasure::Containment => inter / a.len() as f32,
            NgramMeasure::Jaccard => {
                let union = (a.len() + b.len()) as f32 - inter;
                if union <= 0.0 { 0.0 } else { inter / union }
            }
        }
    }
}

impl SimilarityScorer for NgramScorer {
    fn id(&self) -> &str {
        "ngram"
    }

    fn scores(&self, claim: &str, candidates: &[&str]) -> Result<Vec<f32>> {
        let latin = mostly_latin(&normalize_term(claim));
        let a = self.units(claim, latin);
        Ok(candidates.iter().map(|e| self.score_sets(&a, &self.units(e, latin))).collect())
    }

    fn best_scores(&self, claims: &[&str], candidates: &[&str]) -> Result<Vec<(f32, Option<usize>)>> {
        let mut prepared: [Option<Vec<HashSet<u64>>>; 2] = [None, None];
        let mut out = Vec::with_capacity(claims.len());
        for claim in claims {
            let latin = mostly_latin(&normalize_term(claim));
            let a = self.units(claim, latin);
            let sets = prepared[usize::from(latin)]
                .get_or_insert_with(|| candidates.iter().map(|e| self.units(e, latin)).collect());
            let scores: Vec<f32> = sets.iter().map(|b| self.score_sets(&a, b)).collect();
            out.push(best_of(&scores));
        }
        Ok(out)
    }
}
