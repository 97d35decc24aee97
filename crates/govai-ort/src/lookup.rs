//! Prompt-lookup drafts for speculative greedy decoding.
//!
//! Answers in govai's scenarios quote their context: a RAG answer repeats phrases of the cited
//! passages, a drafted letter repeats the case facts. When the last few tokens already occurred
//! earlier in the sequence (prompt or answer), the tokens that followed them then are a cheap
//! guess for what follows now. The model checks a guess of `k` tokens in one forward pass of
//! `k + 1` positions: every guessed token that equals the model's own greedy choice is accepted,
//! and the first mismatch is replaced by the model's choice. The output is the greedy output
//! (up to floating-point differences between a one-position and a multi-position pass), only
//! with fewer passes when guesses hit; a miss costs one wider pass.

use serde::{Deserialize, Serialize};

/// Settings of [`GenerateOptions::prompt_lookup`](crate::GenerateOptions::prompt_lookup).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PromptLookup {
    /// Longest suffix n-gram searched for (tried first).
    pub max_ngram: usize,
    /// Shortest suffix n-gram searched for; shorter matches are too often coincidence.
    pub min_ngram: usize,
    /// Tokens guessed per pass.
    pub draft_tokens: usize,
}

impl Default for PromptLookup {
    fn default() -> Self {
        Self { max_ngram: 4, min_ngram: 2, draft_tokens: 6 }
    }
}

impl PromptLookup {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.min_ngram == 0 || self.min_ngram > self.max_ngram || self.draft_tokens == 0 {
            return Err(format!(
                "prompt_lookup needs 1 <= min_ngram <= max_ngram and draft_tokens >= 1 (got {self:?})"
            ));
        }
        Ok(())
    }

    /// The guess for what follows `tokens`: the tokens after the most recent earlier occurrence
    /// of its longest matching suffix n-gram (at most `draft_tokens`), or nothing.
    pub fn draft<'a>(&self, tokens: &'a [u32]) -> &'a [u32] {
        let len = tokens.len();
        for n in (self.min_ngram..=self.max_ngram).rev() {
            if len <= n {
                continue;
            }
            let suffix = &tokens[len - n..];
            // Occurrences starting at i < len - n, latest first; the suffix itself is excluded.
            if let Some(i) = (0..len - n).rev().find(|&i| &tokens[i..i + n] == suffix) {
                let start = i + n;
                return &tokens[start..(start + self.draft_tokens).min(len)];
            }
        }
        &[]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: PromptLookup = PromptLookup { max_ngram: 3, min_ngram: 2, draft_tokens: 3 };

    #[test]
    fn drafts_what_followed_the_latest_earlier_occurrence() {
        // suffix [1, 2, 3] occurred at 0 (followed by 9 8 7) and at 5 (followed by 6 5 1).
        let t = [1, 2, 3, 9, 8, 1, 2, 3, 6, 5, 1, 2, 3];
        assert_eq!(L.draft(&t), &[6, 5, 1]);
    }

    #[test]
    fn falls_back_to_shorter_ngrams_and_stops_at_the_end() {
        // no earlier [7, 2, 3]; [2, 3] occurred at 1, followed by 4 then the sequence end region.
        let t = [1, 2, 3, 4, 7, 2, 3];
        assert_eq!(L.draft(&t), &[4, 7, 2]);
        // the continuation is cut at the sequence end
        let t = [5, 6, 5, 6];
        assert_eq!(L.draft(&t), &[5, 6]);
    }

    #[test]
    fn no_match_no_draft() {
        assert!(L.draft(&[1, 2, 3, 4, 5]).is_empty());
        assert!(L.draft(&[1, 2]).is_empty());
        assert!(L.draft(&[]).is_empty());
        // a single-token repeat is below min_ngram
        assert!(L.draft(&[1, 9, 8, 1]).is_empty());
    }

    #[test]
    fn validation() {
        assert!(PromptLookup::default().validate().is_ok());
        assert!(PromptLookup { min_ngram: 0, ..L }.validate().is_err());
        assert!(PromptLookup { min_ngram: 4, ..L }.validate().is_err());
        assert!(PromptLookup { draft_tokens: 0, ..L }.validate().is_err());
    }
}
