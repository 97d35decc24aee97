//! CTC greedy decoding of the recogniser's per-step class probabilities.

/// Decode one line: `probs` is `[steps][classes]` row-major, class 0 is the CTC blank and
/// class `i >= 1` is `vocab[i]`. Takes the best class per step, collapses repeats, drops
/// blanks; the confidence is the mean probability of the kept steps (0 when none is kept).
/// Classes without an entry in `vocab` decode to nothing.
pub(crate) fn greedy(probs: &[f32], classes: usize, vocab: &[String]) -> (String, f32) {
    let mut text = String::new();
    let (mut sum, mut kept) = (0f32, 0usize);
    let mut prev = usize::MAX;
    for step in probs.chunks_exact(classes.max(1)) {
        let (best, p) = step
            .iter()
            .copied()
            .enumerate()
            .fold((0, f32::MIN), |(bi, bp), (i, p)| if p > bp { (i, p) } else { (bi, bp) });
        if best != 0 && best != prev {
            if let Some(s) = vocab.get(best) {
                text.push_str(s);
            }
            sum += p;
            kept += 1;
        }
        prev = best;
    }
    (text, if kept == 0 { 0.0 } else { sum / kept as f32 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vec<String> {
        ["", "申", "请", "人", " "].iter().map(|s| s.to_string()).collect()
    }

    fn steps(best: &[(usize, f32)]) -> Vec<f32> {
        best.iter()
            .flat_map(|&(c, p)| {
                let mut row = vec![(1.0 - p) / 4.0; 5];
                row[c] = p;
                row
            })
            .collect()
    }

    #[test]
    fn repeats_collapse_and_blanks_separate() {
        // 申 申 _ 请 请 _ 请 人  ->  申请请人
        let p = steps(&[(1, 0.9), (1, 0.8), (0, 0.9), (2, 0.7), (2, 0.9), (0, 0.9), (2, 0.6), (3, 1.0)]);
        let (text, conf) = greedy(&p, 5, &vocab());
        assert_eq!(text, "申请请人");
        // Kept steps: the first of each run: 0.9, 0.7, 0.6, 1.0.
        assert!((conf - 0.8).abs() < 1e-6, "{conf}");
    }

    #[test]
    fn all_blank_is_empty_with_zero_confidence() {
        assert_eq!(greedy(&steps(&[(0, 0.99), (0, 0.99)]), 5, &vocab()), (String::new(), 0.0));
        assert_eq!(greedy(&[], 5, &vocab()), (String::new(), 0.0));
    }

    #[test]
    fn space_class_and_unknown_classes() {
        let (text, _) = greedy(&steps(&[(1, 0.9), (4, 0.9), (3, 0.9)]), 5, &vocab());
        assert_eq!(text, "申 人");
        // A class beyond the vocabulary (shorter dictionary than the model) decodes to nothing.
        let (text, _) = greedy(&steps(&[(1, 0.9), (3, 0.9)]), 5, &vocab()[..2]);
        assert_eq!(text, "申");
    }
}
