//! Token selection from logits: greedy, temperature, top-k, top-p, repetition penalty, n-gram
//! blocking, with a small seeded PRNG so the same seed gives the same output on every platform.

use serde::{Deserialize, Serialize};

/// Sampling settings. `temperature == 0` (or `top_k == 1`) is greedy decoding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SamplingConfig {
    /// Logits are divided by this before sampling; 0 means greedy (argmax).
    pub temperature: f32,
    /// Keep the k most likely tokens (0 = off).
    pub top_k: usize,
    /// Keep the smallest set of tokens whose probability reaches p (1.0 = off).
    pub top_p: f32,
    /// Values above 1 discourage tokens already in the prompt or the output (1.0 = off), as
    /// in the CTRL paper and transformers: positive logits are divided, negative multiplied.
    pub repetition_penalty: f32,
    /// Never generate an n-gram of this many tokens twice in one answer (0 = off): a token
    /// that would complete an n-gram the generated tokens already contain is excluded. Only
    /// the generated tokens count, not the prompt, so answers may still quote their sources.
    /// Small models tend to repeat a list item or a sentence; 3-6 stops that without
    /// forbidding common short sequences.
    pub no_repeat_ngram_size: usize,
    /// Seed of the PRNG; the same seed, prompt and settings give the same output.
    pub seed: u64,
}

impl Default for SamplingConfig {
    fn default() -> Self {
        Self { temperature: 0.0, top_k: 0, top_p: 1.0, repetition_penalty: 1.0, no_repeat_ngram_size: 0, seed: 0 }
    }
}

impl SamplingConfig {
    /// Greedy decoding.
    pub fn greedy() -> Self {
        Self::default()
    }

    pub(crate) fn is_greedy(&self) -> bool {
        self.temperature <= 0.0 || self.top_k == 1
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        if !self.temperature.is_finite() || self.temperature < 0.0 {
            return Err(format!("temperature must be >= 0, got {}", self.temperature));
        }
        if !(self.top_p > 0.0 && self.top_p <= 1.0) {
            return Err(format!("top_p must be in (0, 1], got {}", self.top_p));
        }
        if !self.repetition_penalty.is_finite() || self.repetition_penalty <= 0.0 {
            return Err(format!("repetition_penalty must be > 0, got {}", self.repetition_penalty));
        }
        Ok(())
    }
}

/// SplitMix64 seeding + xoshiro256** generator: tiny, fast, reproducible.
#[derive(Debug, Clone)]
pub(crate) struct Rng {
    s: [u64; 4],
}

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Self { s: [next(), next(), next(), next()] }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1).
    pub(crate) fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// Apply the repetition penalty in place to the logits of `seen` tokens (each once).
pub(crate) fn apply_repetition_penalty(logits: &mut [f32], seen: &[u32], penalty: f32) {
    if penalty == 1.0 {
        return;
    }
    let mut done = std::collections::HashSet::with_capacity(seen.len());
    for &t in seen {
        let i = t as usize;
        if i < logits.len() && done.insert(i) {
            let l = logits[i];
            logits[i] = if l > 0.0 { l / penalty } else { l * penalty };
        }
    }
}

/// Set to -inf the logits of tokens that would complete an `n`-gram already in `generated`
/// (the n-gram ending with the next token; `n == 1` bans every generated token). Off for 0.
pub(crate) fn block_repeated_ngrams(logits: &mut [f32], generated: &[u32], n: usize) {
    if n == 0 || generated.len() + 1 < n {
        return;
    }
    // The last n-1 generated tokens, which the next token would extend to an n-gram.
    let prefix = &generated[generated.len() + 1 - n..];
    for w in generated.windows(n) {
        if w[..n - 1] == *prefix {
            let i = w[n - 1] as usize;
            if i < logits.len() {
                logits[i] = f32::NEG_INFINITY;
            }
        }
    }
}

/// Index of the largest logit (the first on ties).
pub(crate) fn argmax(logits: &[f32]) -> u32 {
    let mut best = 0usize;
    let mut bv = f32::NEG_INFINITY;
    for (i, &v) in logits.iter().enumerate() {
        if v > bv {
            bv = v;
            best = i;
        }
    }
    best as u32
}

/// Choose the next token. `logits` is modified (penalty applied, repeated n-grams blocked).
/// `history` is the prompt plus the tokens generated so far (for the repetition penalty),
/// `generated` only the latter (for `no_repeat_ngram_size`). When every token is blocked the
/// n-gram rule is dropped for this step rather than choosing a token with probability 0.
pub(crate) fn sample(
    logits: &mut [f32],
    history: &[u32],
    generated: &[u32],
    cfg: &SamplingConfig,
    rng: &mut Rng,
) -> u32 {
    apply_repetition_penalty(logits, history, cfg.repetition_penalty);
    if cfg.no_repeat_ngram_size > 0 {
        let before = logits.to_vec();
        block_repeated_ngrams(logits, generated, cfg.no_repeat_ngram_size);
        if logits.iter().all(|l| *l == f32::NEG_INFINITY) {
            logits.copy_from_slice(&before);
        }
    }
    if cfg.is_greedy() {
        return argmax(logits);
    }
    // Candidates sorted by logit, descending; ties by index for determinism.
    let mut idx: Vec<u32> = (0..logits.len() as u32).collect();
    let by_logit = |a: &u32, b: &u32| logits[*b as usize].total_cmp(&logits[*a as usize]).then(a.cmp(b));
    if cfg.top_k > 0 && cfg.top_k < idx.len() {
        idx.select_nth_unstable_by(cfg.top_k - 1, by_logit);
        idx.truncate(cfg.top_k);
    }
    idx.sort_unstable_by(by_logit);
    let max = logits[idx[0] as usize];
    let t = f64::from(cfg.temperature);
    let mut probs: Vec<f64> =
        idx.iter().map(|&i| ((f64::from(logits[i as usize]) - f64::from(max)) / t).exp()).collect();
    let sum: f64 = probs.iter().sum();
    probs.iter_mut().for_each(|p| *p /= sum);
    if cfg.top_p < 1.0 {
        let mut acc = 0.0;
        let mut keep = probs.len();
        for (n, p) in probs.iter().enumerate() {
            acc += p;
            if acc >= f64::from(cfg.top_p) {
                keep = n + 1;
                break;
            }
        }
        probs.truncate(keep);
        let s: f64 = probs.iter().sum();
        probs.iter_mut().for_each(|p| *p /= s);
    }
    let r = rng.next_f64();
    let mut acc = 0.0;
    for (n, p) in probs.iter().enumerate() {
        acc += p;
        if r < acc {
            return idx[n];
        }
    }
    idx[probs.len() - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greedy_picks_max_and_first_on_ties() {
        let mut l = vec![0.1, 3.0, 3.0, -1.0];
        assert_eq!(sample(&mut l, &[], &[], &SamplingConfig::greedy(), &mut Rng::new(1)), 1);
    }

    #[test]
    fn repetition_penalty_divides_positive_multiplies_negative() {
        let mut l = vec![2.0, -2.0, 1.0];
        apply_repetition_penalty(&mut l, &[0, 1, 0], 2.0);
        assert_eq!(l, vec![1.0, -4.0, 1.0]);
        // The penalty changes the greedy choice.
        let mut l = vec![2.0, -2.0, 1.5];
        let cfg = SamplingConfig { repetition_penalty: 2.0, ..SamplingConfig::greedy() };
        assert_eq!(sample(&mut l, &[0], &[], &cfg, &mut Rng::new(0)), 2);
    }

    #[test]
    fn same_seed_same_draws_different_seed_differs() {
        let cfg = SamplingConfig { temperature: 1.0, seed: 7, ..Default::default() };
        let logits: Vec<f32> = (0..50).map(|i| (i as f32 * 0.37).sin()).collect();
        let draw = |seed| {
            let mut rng = Rng::new(seed);
            (0..40).map(|_| sample(&mut logits.clone(), &[], &[], &cfg, &mut rng)).collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }

    #[test]
    fn top_k_restricts_support() {
        let logits: Vec<f32> = vec![5.0, 4.0, 3.0, 2.0, 1.0, 0.0];
        let cfg = SamplingConfig { temperature: 5.0, top_k: 2, ..Default::default() };
        let mut rng = Rng::new(3);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..500 {
            seen.insert(sample(&mut logits.clone(), &[], &[], &cfg, &mut rng));
        }
        assert_eq!(seen.into_iter().collect::<Vec<_>>(), vec![0, 1]);
    }

    #[test]
    fn top_p_restricts_support() {
        // probs ~ [0.6, 0.3, 0.1] at temperature 1 -> top_p 0.8 keeps the first two.
        let logits: Vec<f32> = vec![0.6f32.ln(), 0.3f32.ln(), 0.1f32.ln()];
        let cfg = SamplingConfig { temperature: 1.0, top_p: 0.8, ..Default::default() };
        let mut rng = Rng::new(11);
        let mut counts = [0usize; 3];
        for _ in 0..3000 {
            counts[sample(&mut logits.clone(), &[], &[], &cfg, &mut rng) as usize] += 1;
        }
        assert_eq!(counts[2], 0);
        // renormalised 2:1
        let ratio = counts[0] as f64 / counts[1] as f64;
        assert!((1.7..2.3).contains(&ratio), "{counts:?}");
    }

    #[test]
    fn temperature_sampling_follows_distribution() {
        let logits: Vec<f32> = vec![0.0, (3.0f32).ln()];
        let cfg = SamplingConfig { temperature: 1.0, ..Default::default() };
        let mut rng = Rng::new(5);
        let ones = (0..4000).filter(|_| sample(&mut logits.clone(), &[], &[], &cfg, &mut rng) == 1).count();
        assert!((2800..3200).contains(&ones), "{ones}");
    }

    #[test]
    fn no_repeat_ngram_blocks_only_completions_of_generated_ngrams() {
        // generated: 5 6 7 5 6 -> the 3-gram "5 6 7" exists, so after "5 6" token 7 is blocked.
        let mut l = vec![0.0f32; 10];
        l[7] = 5.0;
        l[8] = 4.0;
        block_repeated_ngrams(&mut l, &[5, 6, 7, 5, 6], 3);
        assert_eq!(l[7], f32::NEG_INFINITY);
        assert_eq!(l[8], 4.0);
        assert!(l.iter().filter(|v| v.is_infinite()).count() == 1);
        // n = 2: after "... 6" every token that followed a 6 before is blocked.
        let mut l = vec![0.0f32; 10];
        block_repeated_ngrams(&mut l, &[6, 1, 6, 2, 3, 6], 2);
        assert_eq!((l[1], l[2], l[3]), (f32::NEG_INFINITY, f32::NEG_INFINITY, 0.0));
        // Shorter history than n - 1, or n = 0: nothing blocked.
        let mut l = vec![1.0f32; 4];
        block_repeated_ngrams(&mut l, &[1], 3);
        block_repeated_ngrams(&mut l, &[1, 1, 1], 0);
        assert_eq!(l, vec![1.0; 4]);
    }

    #[test]
    fn no_repeat_ngram_changes_greedy_choice_and_ignores_the_prompt() {
        let cfg = SamplingConfig { no_repeat_ngram_size: 2, ..SamplingConfig::greedy() };
        let logits = vec![0.0f32, 3.0, 2.0];
        // Generated "1 0 1": the next 1 would not repeat a bigram ("1 1" is new), 2 wins only
        // when "1 1" was generated before.
        assert_eq!(sample(&mut logits.clone(), &[1, 0, 1], &[1, 0, 1], &cfg, &mut Rng::new(0)), 1);
        assert_eq!(sample(&mut logits.clone(), &[1, 1, 0, 1], &[1, 1, 0, 1], &cfg, &mut Rng::new(0)), 2);
        // The same bigram in the prompt only (history) does not count.
        assert_eq!(sample(&mut logits.clone(), &[1, 1, 0, 1], &[1], &cfg, &mut Rng::new(0)), 1);
        // Sampling never picks a blocked token.
        let cfg = SamplingConfig { temperature: 1.0, no_repeat_ngram_size: 1, ..Default::default() };
        let mut rng = Rng::new(9);
        for _ in 0..200 {
            assert_eq!(sample(&mut [1.0f32, 1.0, 1.0], &[], &[0, 2], &cfg, &mut rng), 1);
        }
    }

    #[test]
    fn everything_blocked_falls_back_to_the_unblocked_logits() {
        let cfg = SamplingConfig { no_repeat_ngram_size: 1, ..SamplingConfig::greedy() };
        assert_eq!(sample(&mut [1.0f32, 2.0], &[], &[0, 1], &cfg, &mut Rng::new(0)), 1);
    }

    #[test]
    fn options_parse_from_toml_and_default_off() {
        let cfg: SamplingConfig =
            serde_json::from_str(r#"{"repetition_penalty": 1.1, "no_repeat_ngram_size": 4}"#).unwrap();
        assert_eq!((cfg.repetition_penalty, cfg.no_repeat_ngram_size, cfg.temperature), (1.1, 4, 0.0));
        assert_eq!(SamplingConfig::default().no_repeat_ngram_size, 0);
    }

    #[test]
    fn validate_rejects_bad_values() {
        assert!(SamplingConfig { temperature: -1.0, ..Default::default() }.validate().is_err());
        assert!(SamplingConfig { top_p: 0.0, ..Default::default() }.validate().is_err());
        assert!(SamplingConfig { repetition_penalty: 0.0, ..Default::default() }.validate().is_err());
        assert!(SamplingConfig::default().validate().is_ok());
    }
}
