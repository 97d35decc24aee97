//! Cross-validate the built-in guard classifier on the dev split of the safety bank, over a
//! grid of training settings, thresholds, the look-alike damping and the weight of the
//! embedding head: `cargo run --release -p govai-review --example guard_cv`.
//! Only the dev split is read: the test split is not for tuning.
//!
//! Two fold schemes: 5 folds by item position (`i % 5`, as `govai eval safety` reports) and one
//! fold per writer (the id prefix `d1` ... `d13`: every dev file is one writer, as the test
//! split is other writers, so this is the closer stand-in for test).
//!
//! Printed per setting: the classifier alone at 0.5 (should-refuse stopped / should-answer
//! refused, look-alikes refused), ROC AUC, the share stopped at 5% refused and the share refused
//! at 95% stopped; then the input guard as deployed without a model (the rules of
//! `input_screen`, `refusal` and `scope`, or the classifier with the look-alike damping) at
//! several thresholds.
//!
//! Environment: `EPOCHS`, `STEP`, `L2`, `RW` (refuse weight): comma-separated grids.
//! `USE_OOF=path`: out-of-fold probabilities of the embedding head
//! (`tools/safety_use_oof.py`, same folds) to cross-validate the weighted average with it.
//! `DUMP=path`: write the out-of-fold probabilities (position folds, writer folds) per item.

use govai_core::{ReviewContext, Reviewer, Verdict};
use govai_review::guard::{BankItem, Expected, GuardModel, TrainOptions, dev_items};
use govai_review::{InputScreenReviewer, RefusalReviewer, ScopeReviewer, legitimate_context};

fn grid<T: std::str::FromStr + Copy>(name: &str, default: T) -> Vec<T> {
    std::env::var(name).ok().map_or_else(|| vec![default], |v| v.split(',').filter_map(|x| x.parse().ok()).collect())
}

fn main() {
    let items = dev_items();
    let n = items.len();
    let pos5: Vec<Vec<usize>> = (0..5).map(|f| (0..n).filter(|i| i % 5 == f).collect()).collect();
    let writer = |i: &BankItem| i.id.split('-').next().unwrap_or_default().to_owned();
    let mut writers: Vec<String> = items.iter().map(writer).collect();
    writers.sort();
    writers.dedup();
    let by_writer: Vec<Vec<usize>> =
        writers.iter().map(|w| (0..n).filter(|&i| writer(&items[i]) == *w).collect()).collect();
    let rules = rules_stop(&items);
    let legit: Vec<bool> = items.iter().map(|i| legitimate_context(&i.text)).collect();
    let (r, a, _) = pipeline(&items, &vec![0.0; n], &rules, &legit, 1.0, 0.5);
    println!("rules alone (input_screen, refusal, scope): refuse stopped {r:.1}%, answer refused {a:.1}%");
    let d = TrainOptions::default();
    let use_oof = std::env::var("USE_OOF").ok().map(|p| read_use_oof(&p, &items));
    for epochs in grid("EPOCHS", d.epochs) {
        for step in grid("STEP", d.step) {
            for l2 in grid("L2", d.l2) {
                for refuse_weight in grid("RW", d.refuse_weight) {
                    let options = TrainOptions { epochs, step, l2, refuse_weight };
                    let t0 = std::time::Instant::now();
                    let p = out_of_fold(&items, &pos5, options);
                    let secs = t0.elapsed().as_secs_f32() / 5.0;
                    let q = out_of_fold(&items, &by_writer, options);
                    println!(
                        "== epochs {epochs} step {step} l2 {l2} refuse weight {refuse_weight} ({secs:.2} s per fit)"
                    );
                    report(&items, &rules, &legit, "n-gram", &p, &q);
                    if let Some((u5, uw)) = &use_oof {
                        report(&items, &rules, &legit, "embedding head", u5, uw);
                        for w in [0.5f32, 0.4, 0.3, 0.2] {
                            let mix = |a: &[f32], b: &[f32]| -> Vec<f32> {
                                a.iter().zip(b).map(|(x, y)| (1.0 - w) * x + w * y).collect()
                            };
                            report(&items, &rules, &legit, &format!("+ head, weight {w}"), &mix(&p, u5), &mix(&q, uw));
                        }
                    }
                    if let Ok(path) = std::env::var("DUMP") {
                        let text: String = p.iter().zip(&q).map(|(a, b)| format!("{a}\t{b}\n")).collect();
                        std::fs::write(path, text).ok();
                    }
                }
            }
        }
    }
}

/// Out-of-fold probabilities: each fold scored by a model trained on the other folds.
fn out_of_fold(items: &[BankItem], folds: &[Vec<usize>], options: TrainOptions) -> Vec<f32> {
    let mut out = vec![0.0f32; items.len()];
    for held in folds {
        let train: Vec<BankItem> =
            items.iter().enumerate().filter(|(i, _)| !held.contains(i)).map(|(_, x)| x.clone()).collect();
        let m = GuardModel::train_with(&train, options);
        for &i in held {
            out[i] = m.score(&items[i].text).probability;
        }
    }
    out
}

/// Whether the rule layers alone stop each item (default configurations, the item's scenario).
fn rules_stop(items: &[BankItem]) -> Vec<bool> {
    let layers: Vec<Box<dyn Reviewer>> = vec![
        Box::new(InputScreenReviewer::default()),
        Box::new(RefusalReviewer::default()),
        Box::new(ScopeReviewer::default()),
    ];
    let fallback = govai_core::scenario::builtin("intelligent_qa");
    items
        .iter()
        .map(|it| {
            let Some(spec) = govai_core::scenario::builtin(&it.scenario).or_else(|| fallback.clone()) else {
                return false;
            };
            let ctx = ReviewContext { scenario: &spec, request: &it.text, output: "", sources: &[], documents: &[] };
            layers.iter().any(|r| r.review(&ctx).is_ok_and(|v| v.verdict >= Verdict::Block))
        })
        .collect()
}

/// (should-refuse stopped, should-answer refused, look-alikes refused) in percent, for the rules
/// or the damped probability reaching `t`.
fn pipeline(items: &[BankItem], p: &[f32], rules: &[bool], legit: &[bool], damp: f32, t: f32) -> (f32, f32, f32) {
    let stop: Vec<bool> =
        (0..items.len()).map(|i| rules[i] || (if legit[i] { p[i] * damp } else { p[i] }) >= t).collect();
    let rate = |f: &dyn Fn(&BankItem) -> bool| {
        let v: Vec<bool> = items.iter().zip(&stop).filter(|(i, _)| f(i)).map(|(_, &s)| s).collect();
        100.0 * v.iter().filter(|&&s| s).count() as f32 / v.len().max(1) as f32
    };
    (
        rate(&|i| i.label == Expected::Refuse),
        rate(&|i| i.label == Expected::Answer),
        rate(&|i| i.label == Expected::Answer && i.kind.starts_with("lookalike")),
    )
}

fn report(items: &[BankItem], rules: &[bool], legit: &[bool], name: &str, p: &[f32], q: &[f32]) {
    for (scheme, s) in [("5 folds", p), ("writers", q)] {
        let m = Metrics::of(items, s);
        println!(
            "{name:<24} {scheme}: alone at 0.5 {:.1}% / {:.1}% (look-alikes {:.1}%) | AUC {:.4} | stopped at 5% refused {:.1}% | refused at 95% stopped {:.1}%",
            m.stopped, m.refused, m.lookalike, m.auc, m.stopped_at_5, m.refused_at_95
        );
        for damp in [1.0f32, 0.8, 0.6] {
            let cells: Vec<String> = [0.4f32, 0.45, 0.5, 0.55, 0.6]
                .iter()
                .map(|&t| {
                    let (r, a, _) = pipeline(items, s, rules, legit, damp, t);
                    format!("{t}: {r:.1}/{a:.1}")
                })
                .collect();
            println!("{:<34} with rules, damping {damp}: {}", "", cells.join("  "));
        }
    }
}

struct Metrics {
    stopped: f32,
    refused: f32,
    lookalike: f32,
    auc: f64,
    stopped_at_5: f32,
    refused_at_95: f32,
}

impl Metrics {
    fn of(items: &[BankItem], p: &[f32]) -> Self {
        let of = |f: &dyn Fn(&BankItem) -> bool| -> Vec<f32> {
            items.iter().zip(p).filter(|(i, _)| f(i)).map(|(_, &x)| x).collect()
        };
        let pos = of(&|i| i.label == Expected::Refuse);
        let mut neg = of(&|i| i.label == Expected::Answer);
        let look = of(&|i| i.label == Expected::Answer && i.kind.starts_with("lookalike"));
        let pct = |v: &[f32], t: f32, strict: bool| {
            100.0 * v.iter().filter(|&&x| if strict { x > t } else { x >= t }).count() as f32 / v.len().max(1) as f32
        };
        neg.sort_by(f32::total_cmp);
        let mut auc = 0.0f64;
        for &x in &pos {
            let lo = neg.partition_point(|&y| y < x);
            let hi = neg.partition_point(|&y| y <= x);
            auc += lo as f64 + 0.5 * (hi - lo) as f64;
        }
        auc /= (pos.len() * neg.len()).max(1) as f64;
        // The threshold refusing 5% of should-answer items, and the one stopping 95% of should-refuse.
        let t5 = neg.iter().rev().nth(neg.len() / 20).copied().unwrap_or(0.0);
        let mut sp = pos.clone();
        sp.sort_by(f32::total_cmp);
        let t95 = sp.get(sp.len() / 20).copied().unwrap_or(0.0);
        Self {
            stopped: pct(&pos, 0.5, false),
            refused: pct(&neg, 0.5, false),
            lookalike: pct(&look, 0.5, false),
            auc,
            stopped_at_5: pct(&pos, t5, true),
            refused_at_95: pct(&neg, t95, false),
        }
    }
}

/// The embedding head's out-of-fold probabilities (position folds, writer folds) per dev item.
fn read_use_oof(path: &str, items: &[BankItem]) -> (Vec<f32>, Vec<f32>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let rows: Vec<(String, f32, f32)> = text
        .lines()
        .filter_map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            Some((c.first()?.to_string(), c.get(1)?.parse().ok()?, c.get(2)?.parse().ok()?))
        })
        .collect();
    assert!(
        rows.len() == items.len() && rows.iter().zip(items).all(|(r, i)| r.0 == i.id),
        "{path} does not list the dev items in order"
    );
    (rows.iter().map(|r| r.1).collect(), rows.iter().map(|r| r.2).collect())
}
