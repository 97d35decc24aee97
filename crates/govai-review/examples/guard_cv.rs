//! Cross-validate the built-in guard classifier on the dev split of the safety bank (5 folds
//! by item position), over a grid of training settings and thresholds:
//! `cargo run --release -p govai-review --example guard_cv`.
//! Only the dev split is read: the test split is not for tuning.

use govai_review::guard::{BankItem, Expected, GuardModel, TrainOptions, dev_items};
use govai_review::legitimate_context;

fn main() {
    let items = dev_items();
    let grid: Vec<f32> =
        std::env::var("L2").ok().map_or_else(|| vec![1e-4], |v| v.split(',').filter_map(|x| x.parse().ok()).collect());
    for l2 in grid {
        for epochs in [800usize] {
            let options = TrainOptions { epochs, l2, refuse_weight: 1.0 };
            let scores = fold_scores(&items, options);
            if let Ok(path) = std::env::var("DUMP") {
                let mut by_pos = vec![0.0f32; items.len()];
                let k = 5;
                let mut idx = 0;
                for fold in 0..k {
                    for i in (0..items.len()).filter(|i| i % k == fold) {
                        by_pos[i] = scores[idx].1;
                        idx += 1;
                    }
                }
                let text: String = by_pos.iter().map(|p| format!("{p}\n")).collect();
                std::fs::write(path, text).ok();
            }
            for t in [0.4f32, 0.5, 0.6] {
                let (r, a) = rates(&scores, t);
                println!(
                    "l2 {l2:<6} epochs {epochs:<4} threshold {t}: refuse stopped {:.1}%  answer refused {:.1}%",
                    100.0 * r,
                    100.0 * a
                );
            }
        }
    }
}

fn fold_scores(items: &[BankItem], options: TrainOptions) -> Vec<(Expected, f32)> {
    let k = 5;
    let mut out = Vec::new();
    for fold in 0..k {
        let train: Vec<BankItem> =
            items.iter().enumerate().filter(|(i, _)| i % k != fold).map(|(_, x)| x.clone()).collect();
        let m = GuardModel::train_with(&train, options);
        for (_, it) in items.iter().enumerate().filter(|(i, _)| i % k == fold) {
            let p = m.score(&it.text).probability;
            let damp = std::env::var("DAMP").ok().and_then(|d| d.parse::<f32>().ok()).unwrap_or(1.0);
            out.push((it.label, if legitimate_context(&it.text) { p * damp } else { p }));
        }
    }
    out
}

fn rates(scores: &[(Expected, f32)], t: f32) -> (f32, f32) {
    let frac = |l: Expected| {
        let v: Vec<_> = scores.iter().filter(|(x, _)| *x == l).collect();
        v.iter().filter(|(_, p)| *p >= t).count() as f32 / v.len().max(1) as f32
    };
    (frac(Expected::Refuse), frac(Expected::Answer))
}
