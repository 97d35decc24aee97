//! The variants tried for the guard classifier, re-implemented side by side (legacy full-batch
//! gradient descent, Nesterov, Adagrad, a one-hidden-layer MLP; extra features), cross-validated
//! on the DEV split only (5 position folds and one fold per writer):
//! `LAB="base;ada=20,step=0.2,frame;mlp=20,frame,l2=0,step=0.02" cargo run --release -p govai-review --example guard_variants`.
//! `base` is the classifier before this change (800 passes of full-batch descent, step 2).
//! `USE_OOF=path` (tools/safety_use_oof.py) adds weighted averages with the embedding head.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use govai_review::guard::{BankItem, Expected, dev_items};
use govai_review::legitimate_context;
use govai_text::normalize::MatchText;

#[derive(Clone, Debug)]
struct Feat {
    max_n: usize,
    gaps: usize,      // gapped char bigrams with gap 1..=gaps
    window: usize,    // bigram pairs within this many chars (0 = none)
    frame: bool,      // legit frame feature
    frame_conj: bool, // frame x n-gram conjunction
    en_char: bool,    // English word char 3-grams
    words: bool,
    norm: Norm,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Norm {
    L2,
    None,
    Log,
}

fn feats(text: &str, f: &Feat) -> Vec<String> {
    let matched = MatchText::new(text);
    let compact: Vec<char> = govai_text::fold_variants(&matched.text).chars().collect();
    let mut out = Vec::new();
    for n in 1..=f.max_n {
        for w in compact.windows(n) {
            if n == 1 && !govai_text::is_han(w[0]) {
                continue;
            }
            out.push(w.iter().collect::<String>());
        }
    }
    for g in 1..=f.gaps {
        for w in compact.windows(g + 2) {
            out.push(format!("g{g}:{}{}", w[0], w[g + 1]));
        }
    }
    if f.window > 0 {
        let bis: Vec<String> = compact.windows(2).map(|w| w.iter().collect()).collect();
        for i in 0..bis.len() {
            for j in (i + 2)..bis.len().min(i + 2 + f.window) {
                out.push(format!("p:{}|{}", bis[i], bis[j]));
            }
        }
    }
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| w.len() > 1).collect();
    if f.words {
        for w in &words {
            out.push(format!("w:{w}"));
        }
        for p in words.windows(2) {
            out.push(format!("w:{} {}", p[0], p[1]));
        }
    }
    if f.en_char {
        for w in &words {
            let cs: Vec<char> = format!("<{w}>").chars().collect();
            for k in cs.windows(4) {
                out.push(format!("e:{}", k.iter().collect::<String>()));
            }
        }
    }
    let legit = legitimate_context(text);
    if f.frame && legit {
        out.push("F:legit".into());
    }
    if f.frame_conj && legit {
        let base: Vec<String> = out.iter().filter(|s| !s.starts_with('p')).map(|s| format!("F|{s}")).collect();
        out.extend(base);
    }
    out.sort_unstable();
    out.dedup();
    out
}

type Sparse = Vec<(u32, f32)>;

struct Vocab {
    index: HashMap<String, u32>,
}

impl Vocab {
    fn build(fs: &[&Vec<String>], min_df: usize) -> Self {
        let mut df: HashMap<&str, usize> = HashMap::new();
        for f in fs {
            for s in f.iter() {
                *df.entry(s.as_str()).or_default() += 1;
            }
        }
        let mut keys: Vec<&str> = df.iter().filter(|(_, c)| **c >= min_df).map(|(k, _)| *k).collect();
        keys.sort_unstable();
        Self { index: keys.into_iter().enumerate().map(|(i, k)| (k.to_owned(), i as u32)).collect() }
    }
    fn vector(&self, f: &[String], norm: Norm) -> Sparse {
        let mut v: Sparse = f.iter().filter_map(|s| self.index.get(s).map(|&i| (i, 1.0))).collect();
        v.sort_unstable_by_key(|&(i, _)| i);
        let z = match norm {
            Norm::L2 => (v.len() as f32).sqrt(),
            Norm::None => 1.0,
            Norm::Log => (1.0 + v.len() as f32).ln(),
        };
        if z > 0.0 {
            for x in &mut v {
                x.1 /= z;
            }
        }
        v
    }
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

#[derive(Clone, Copy, Debug)]
enum Opt {
    /// The current: full-batch GD, step 2, epochs.
    Gd { epochs: usize, step: f32 },
    /// Nesterov accelerated full-batch GD to (near) convergence.
    Nag { epochs: usize, step: f32 },
    /// One-hidden-layer ReLU MLP, Adagrad.
    Mlp { epochs: usize, step: f32, hidden: usize },
    /// Adagrad SGD (per-feature steps), deterministic order shuffles by LCG.
    Ada { epochs: usize, step: f32 },
}

#[derive(Clone, Copy, Debug)]
struct Train {
    l2: f32,
    opt: Opt,
    refuse_w: f32,
    seed: u64,
    bags: usize,
}

fn fit(xs: &[Sparse], ys: &[f32], dim: usize, t: Train) -> (Vec<f32>, f32) {
    let pos = ys.iter().filter(|&&y| y > 0.5).count().max(1) as f32;
    let neg = (ys.len() as f32 - pos).max(1.0);
    let n = ys.len().max(1) as f32;
    let sw: Vec<f32> =
        ys.iter().map(|&y| if y > 0.5 { t.refuse_w * n / (2.0 * pos) } else { n / (2.0 * neg) }).collect();
    let mut w = vec![0.0f32; dim];
    let mut b = 0.0f32;
    let grad_at = |w: &[f32], b: f32, grad: &mut [f32]| -> f32 {
        grad.iter_mut().for_each(|g| *g = 0.0);
        let mut gb = 0.0;
        for ((x, &y), &s) in xs.iter().zip(ys).zip(&sw) {
            let z = b + x.iter().map(|&(i, v)| w[i as usize] * v).sum::<f32>();
            let err = (sigmoid(z) - y) * s / n;
            gb += err;
            for &(i, v) in x {
                grad[i as usize] += err * v;
            }
        }
        gb
    };
    if let Opt::Mlp { .. } = t.opt {
        unreachable!()
    }
    match t.opt {
        Opt::Mlp { .. } => unreachable!(),
        Opt::Gd { epochs, step } => {
            let mut grad = vec![0.0f32; dim];
            for _ in 0..epochs {
                let gb = grad_at(&w, b, &mut grad);
                for (wi, gi) in w.iter_mut().zip(&grad) {
                    *wi -= step * (gi + t.l2 * *wi);
                }
                b -= step * gb;
            }
        }
        Opt::Nag { epochs, step } => {
            let mut grad = vec![0.0f32; dim];
            let (mut yw, mut yb) = (w.clone(), b);
            let mut tk = 1.0f32;
            for _ in 0..epochs {
                let gb = grad_at(&yw, yb, &mut grad);
                let nw: Vec<f32> = yw.iter().zip(&grad).map(|(wi, gi)| wi - step * (gi + t.l2 * wi)).collect();
                let nb = yb - step * gb;
                let tn = (1.0 + (1.0 + 4.0 * tk * tk).sqrt()) / 2.0;
                let mom = (tk - 1.0) / tn;
                for i in 0..dim {
                    yw[i] = nw[i] + mom * (nw[i] - w[i]);
                }
                yb = nb + mom * (nb - b);
                w = nw;
                b = nb;
                tk = tn;
            }
        }
        Opt::Ada { epochs, step } => {
            let mut g2 = vec![1e-8f32; dim];
            let mut gb2 = 1e-8f32;
            let mut order: Vec<usize> = (0..xs.len()).collect();
            let mut seed = 0x9E37_79B9_7F4A_7C15u64 ^ t.seed;
            for _ in 0..epochs {
                for i in (1..order.len()).rev() {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    let j = (seed >> 33) as usize % (i + 1);
                    order.swap(i, j);
                }
                for &k in &order {
                    let x = &xs[k];
                    let z = b + x.iter().map(|&(i, v)| w[i as usize] * v).sum::<f32>();
                    let err = (sigmoid(z) - ys[k]) * sw[k];
                    for &(i, v) in x {
                        let i = i as usize;
                        let g = err * v + t.l2 * n * w[i] / n.max(1.0);
                        g2[i] += g * g;
                        w[i] -= step * g / g2[i].sqrt();
                    }
                    gb2 += err * err;
                    b -= step * err / gb2.sqrt();
                }
            }
        }
    }
    (w, b)
}

struct Mlp {
    w1: Vec<f32>, // dim x h
    b1: Vec<f32>,
    w2: Vec<f32>,
    b2: f32,
    h: usize,
}

impl Mlp {
    fn hidden(&self, x: &Sparse) -> Vec<f32> {
        let mut a = self.b1.clone();
        for &(i, v) in x {
            let row = &self.w1[i as usize * self.h..(i as usize + 1) * self.h];
            for (aj, wj) in a.iter_mut().zip(row) {
                *aj += wj * v;
            }
        }
        a.iter_mut().for_each(|v| *v = v.max(0.0));
        a
    }
    fn score(&self, x: &Sparse) -> f32 {
        let a = self.hidden(x);
        sigmoid(self.b2 + a.iter().zip(&self.w2).map(|(a, w)| a * w).sum::<f32>())
    }
}

fn fit_mlp(xs: &[Sparse], ys: &[f32], dim: usize, t: Train) -> Mlp {
    let Opt::Mlp { epochs, step, hidden: h } = t.opt else { unreachable!() };
    let pos = ys.iter().filter(|&&y| y > 0.5).count().max(1) as f32;
    let neg = (ys.len() as f32 - pos).max(1.0);
    let n = ys.len().max(1) as f32;
    let sw: Vec<f32> =
        ys.iter().map(|&y| if y > 0.5 { t.refuse_w * n / (2.0 * pos) } else { n / (2.0 * neg) }).collect();
    let mut seed = 0x2545_F491_4F6C_DD1Du64 ^ t.seed;
    let mut rnd = || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((seed >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    };
    let scale = 0.1f32;
    let mut m = Mlp {
        w1: (0..dim * h).map(|_| rnd() * scale).collect(),
        b1: vec![0.0; h],
        w2: (0..h).map(|_| rnd() * (1.0 / (h as f32).sqrt())).collect(),
        b2: 0.0,
        h,
    };
    let mut g1 = vec![1e-8f32; dim * h];
    let mut gb1 = vec![1e-8f32; h];
    let mut g2 = vec![1e-8f32; h];
    let mut gb2 = 1e-8f32;
    let mut order: Vec<usize> = (0..xs.len()).collect();
    for _ in 0..epochs {
        for i in (1..order.len()).rev() {
            let j = ((rnd() + 1.0) / 2.0 * (i + 1) as f32) as usize % (i + 1);
            order.swap(i, j);
        }
        for &k in &order {
            let x = &xs[k];
            let a = m.hidden(x);
            let z = m.b2 + a.iter().zip(&m.w2).map(|(a, w)| a * w).sum::<f32>();
            let err = (sigmoid(z) - ys[k]) * sw[k];
            // grads
            let da: Vec<f32> = (0..h).map(|j| if a[j] > 0.0 { err * m.w2[j] } else { 0.0 }).collect();
            for j in 0..h {
                let g = err * a[j] + t.l2 * m.w2[j];
                g2[j] += g * g;
                m.w2[j] -= step * g / g2[j].sqrt();
            }
            gb2 += err * err;
            m.b2 -= step * err / gb2.sqrt();
            for j in 0..h {
                if da[j] != 0.0 {
                    gb1[j] += da[j] * da[j];
                    m.b1[j] -= step * da[j] / gb1[j].sqrt();
                }
            }
            for &(i, v) in x {
                let base = i as usize * h;
                for j in 0..h {
                    if da[j] != 0.0 {
                        let g = da[j] * v + t.l2 * m.w1[base + j];
                        g1[base + j] += g * g;
                        m.w1[base + j] -= step * g / g1[base + j].sqrt();
                    }
                }
            }
        }
    }
    m
}

/// Out-of-fold scores for `folds` (each a list of held-out item indices).
fn oof(items: &[BankItem], fs: &[Vec<String>], f: &Feat, t: Train, folds: &[Vec<usize>], min_df: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; items.len()];
    for held in folds {
        let mut is_held = vec![false; items.len()];
        held.iter().for_each(|&i| is_held[i] = true);
        let train: Vec<usize> = (0..items.len()).filter(|&i| !is_held[i]).collect();
        let vocab = Vocab::build(&train.iter().map(|&i| &fs[i]).collect::<Vec<_>>(), min_df);
        let xs: Vec<Sparse> = train.iter().map(|&i| vocab.vector(&fs[i], f.norm)).collect();
        let ys: Vec<f32> = train.iter().map(|&i| if items[i].label == Expected::Refuse { 1.0 } else { 0.0 }).collect();
        if let Opt::Mlp { .. } = t.opt {
            let ms: Vec<Mlp> = (0..t.bags)
                .map(|k| fit_mlp(&xs, &ys, vocab.index.len(), Train { seed: t.seed + k as u64 * 7919, ..t }))
                .collect();
            for &i in held {
                let x = vocab.vector(&fs[i], f.norm);
                out[i] = ms.iter().map(|m| m.score(&x)).sum::<f32>() / ms.len() as f32;
            }
            continue;
        }
        let models: Vec<(Vec<f32>, f32)> = (0..t.bags)
            .map(|k| fit(&xs, &ys, vocab.index.len(), Train { seed: t.seed + k as u64 * 7919, ..t }))
            .collect();
        for &i in held {
            let x = vocab.vector(&fs[i], f.norm);
            out[i] = models
                .iter()
                .map(|(w, b)| sigmoid(b + x.iter().map(|&(j, v)| w[j as usize] * v).sum::<f32>()))
                .sum::<f32>()
                / models.len() as f32;
        }
    }
    out
}

struct Metrics {
    at05: (f32, f32),
    auc: f32,
    tpr_at_fpr5: f32,
    fpr_at_tpr95: f32,
    look05: f32,
}

fn metrics(items: &[BankItem], p: &[f32]) -> Metrics {
    let pos: Vec<f32> = items.iter().zip(p).filter(|(i, _)| i.label == Expected::Refuse).map(|(_, &p)| p).collect();
    let neg: Vec<f32> = items.iter().zip(p).filter(|(i, _)| i.label == Expected::Answer).map(|(_, &p)| p).collect();
    let look: Vec<f32> = items
        .iter()
        .zip(p)
        .filter(|(i, _)| i.label == Expected::Answer && i.kind.starts_with("lookalike"))
        .map(|(_, &p)| p)
        .collect();
    let rate = |v: &[f32], t: f32| v.iter().filter(|&&x| x >= t).count() as f32 / v.len().max(1) as f32;
    let mut auc = 0.0f64;
    let mut sn = neg.clone();
    sn.sort_by(f32::total_cmp);
    for &x in &pos {
        let lo = sn.partition_point(|&y| y < x);
        let hi = sn.partition_point(|&y| y <= x);
        auc += lo as f64 + 0.5 * (hi - lo) as f64;
    }
    auc /= (pos.len() * neg.len()).max(1) as f64;
    // threshold giving fpr <= 5%
    let mut sd = neg.clone();
    sd.sort_by(|a, b| b.total_cmp(a));
    let k = (0.05 * neg.len() as f32).floor() as usize;
    let t5 = sd.get(k).copied().unwrap_or(0.0);
    let tpr_at_fpr5 = pos.iter().filter(|&&x| x > t5).count() as f32 / pos.len() as f32;
    let mut sp = pos.clone();
    sp.sort_by(f32::total_cmp);
    let k = (0.05 * pos.len() as f32).floor() as usize;
    let t95 = sp.get(k).copied().unwrap_or(0.0);
    let fpr_at_tpr95 = rate(&neg, t95);
    Metrics {
        at05: (rate(&pos, 0.5), rate(&neg, 0.5)),
        auc: auc as f32,
        tpr_at_fpr5,
        fpr_at_tpr95,
        look05: rate(&look, 0.5),
    }
}

fn show(name: &str, m: &Metrics) -> String {
    format!(
        "{name}: @0.5 {:.1}/{:.1} look {:.1} | AUC {:.4} | TPR@FPR5 {:.1} | FPR@TPR95 {:.1}",
        100.0 * m.at05.0,
        100.0 * m.at05.1,
        100.0 * m.look05,
        m.auc,
        100.0 * m.tpr_at_fpr5,
        100.0 * m.fpr_at_tpr95
    )
}

fn rules_stop(items: &[BankItem]) -> Vec<bool> {
    use govai_core::{ReviewContext, Reviewer, Verdict};
    let rs: Vec<Box<dyn Reviewer>> = vec![
        Box::new(govai_review::InputScreenReviewer::default()),
        Box::new(govai_review::RefusalReviewer::default()),
        Box::new(govai_review::ScopeReviewer::default()),
    ];
    items
        .iter()
        .map(|it| {
            let spec = govai_core::scenario::builtin(&it.scenario)
                .or_else(|| govai_core::scenario::builtin("intelligent_qa"))
                .unwrap();
            let ctx = ReviewContext { scenario: &spec, request: &it.text, output: "", sources: &[], documents: &[] };
            rs.iter().any(|r| r.review(&ctx).map(|v| v.verdict >= Verdict::Block).unwrap_or(false))
        })
        .collect()
}

fn pipe(items: &[BankItem], p: &[f32], rules: &[bool], damp: f32, t: f32) -> (f32, f32, f32) {
    let stop: Vec<bool> = items
        .iter()
        .zip(p)
        .zip(rules)
        .map(|((it, &p), &r)| r || (if legitimate_context(&it.text) { p * damp } else { p }) >= t)
        .collect();
    let rate = |f: &dyn Fn(&BankItem) -> bool| {
        let v: Vec<bool> = items.iter().zip(&stop).filter(|(i, _)| f(i)).map(|(_, &s)| s).collect();
        v.iter().filter(|&&s| s).count() as f32 / v.len().max(1) as f32 * 100.0
    };
    (
        rate(&|i| i.label == Expected::Refuse),
        rate(&|i| i.label == Expected::Answer),
        rate(&|i| i.kind.starts_with("lookalike")),
    )
}

fn main() {
    let items = dev_items();
    let rules = rules_stop(&items);
    if let Ok(d) = std::env::var("DUMP") {
        let s: String = items
            .iter()
            .zip(&rules)
            .map(|(i, &r)| format!("{}\t{}\n", r as u8, legitimate_context(&i.text) as u8))
            .collect();
        std::fs::write(format!("{d}.rules"), s).ok();
    }
    {
        let r = pipe(&items, &vec![0.0; items.len()], &rules, 1.0, 0.5);
        println!("rules alone: {:.1}/{:.1} look {:.1}", r.0, r.1, r.2);
    }
    let pos5: Vec<Vec<usize>> = (0..5).map(|f| (0..items.len()).filter(|i| i % 5 == f).collect()).collect();
    let mut writers: Vec<String> = items.iter().map(|i| i.id.split('-').next().unwrap_or("").to_owned()).collect();
    writers.sort();
    writers.dedup();
    let wfolds: Vec<Vec<usize>> = writers
        .iter()
        .map(|w| (0..items.len()).filter(|&i| items[i].id.split('-').next() == Some(w.as_str())).collect())
        .collect();
    let base = Feat {
        max_n: 3,
        gaps: 0,
        window: 0,
        frame: false,
        frame_conj: false,
        en_char: false,
        words: true,
        norm: Norm::L2,
    };
    let cur = Train { l2: 1e-4, opt: Opt::Gd { epochs: 800, step: 2.0 }, refuse_w: 1.0, seed: 0, bags: 1 };
    let spec = std::env::var("LAB").unwrap_or_default();
    let mut variants: Vec<(String, Feat, Train, usize)> = Vec::new();
    for v in spec.split(';').filter(|s| !s.is_empty()) {
        let mut f = base.clone();
        let mut t = cur;
        let mut min_df = 1;
        for kv in v.split(',') {
            let (k, val) = kv.split_once('=').unwrap_or((kv, ""));
            let num = || val.parse::<f32>().unwrap_or(0.0);
            match k {
                "n" => f.max_n = num() as usize,
                "gaps" => f.gaps = num() as usize,
                "win" => f.window = num() as usize,
                "frame" => f.frame = true,
                "conj" => f.frame_conj = true,
                "ench" => f.en_char = true,
                "nowords" => f.words = false,
                "norm" => {
                    f.norm = if val == "none" {
                        Norm::None
                    } else if val == "log" {
                        Norm::Log
                    } else {
                        Norm::L2
                    }
                }
                "l2" => t.l2 = num(),
                "rw" => t.refuse_w = num(),
                "gd" => t.opt = Opt::Gd { epochs: num() as usize, step: 2.0 },
                "nag" => t.opt = Opt::Nag { epochs: num() as usize, step: 2.0 },
                "ada" => t.opt = Opt::Ada { epochs: num() as usize, step: 0.5 },
                "step" => {
                    t.opt = match t.opt {
                        Opt::Gd { epochs, .. } => Opt::Gd { epochs, step: num() },
                        Opt::Nag { epochs, .. } => Opt::Nag { epochs, step: num() },
                        Opt::Ada { epochs, .. } => Opt::Ada { epochs, step: num() },
                        Opt::Mlp { epochs, hidden, .. } => Opt::Mlp { epochs, step: num(), hidden },
                    }
                }
                "seed" => t.seed = num() as u64,
                "bags" => t.bags = num() as usize,
                "mlp" => t.opt = Opt::Mlp { epochs: num() as usize, step: 0.05, hidden: 32 },
                "hid" => {
                    if let Opt::Mlp { epochs, step, .. } = t.opt {
                        t.opt = Opt::Mlp { epochs, step, hidden: num() as usize }
                    }
                }
                "mindf" => min_df = num() as usize,
                "base" => {}
                _ => panic!("unknown {k}"),
            }
        }
        variants.push((v.to_owned(), f, t, min_df));
    }
    for (name, f, t, min_df) in variants {
        let t0 = std::time::Instant::now();
        let fs: Vec<Vec<String>> = items.iter().map(|i| feats(&i.text, &f)).collect();
        let p = oof(&items, &fs, &f, t, &pos5, min_df);
        let secs = t0.elapsed().as_secs_f32() / 5.0;
        let q = oof(&items, &fs, &f, t, &wfolds, min_df);
        println!("{}", show(&format!("{name:<40} pos5"), &metrics(&items, &p)));
        println!("{}  ({secs:.2}s/fit)", show(&format!("{:<40} wrtr", ""), &metrics(&items, &q)));
        for damp in [1.0f32, 0.8, 0.6] {
            let mut line = format!("{:<40} pipe damp {damp}:", "");
            for t in [0.3f32, 0.4, 0.5, 0.6, 0.7] {
                let a = pipe(&items, &p, &rules, damp, t);
                let b = pipe(&items, &q, &rules, damp, t);
                line += &format!(" t{t} {:.1}/{:.1} ({:.1}/{:.1})", a.0, a.1, b.0, b.1);
            }
            println!("{line}");
        }
        if let Ok(path) = std::env::var("USE_OOF") {
            let text = std::fs::read_to_string(path).unwrap();
            let rows: Vec<(f32, f32)> = text
                .lines()
                .map(|l| {
                    let c: Vec<&str> = l.split('\t').collect();
                    (c[1].parse().unwrap(), c[2].parse().unwrap())
                })
                .collect();
            let u5: Vec<f32> = rows.iter().map(|r| r.0).collect();
            let uw: Vec<f32> = rows.iter().map(|r| r.1).collect();
            println!("{}", show(&format!("{:<40} USE pos5", ""), &metrics(&items, &u5)));
            println!("{}", show(&format!("{:<40} USE wrtr", ""), &metrics(&items, &uw)));
            for a in [0.5f32, 0.6, 0.7, 0.8] {
                let c5: Vec<f32> = p.iter().zip(&u5).map(|(x, y)| a * x + (1.0 - a) * y).collect();
                let cw: Vec<f32> = q.iter().zip(&uw).map(|(x, y)| a * x + (1.0 - a) * y).collect();
                println!("{}", show(&format!("{:<34} avg {a} pos5", ""), &metrics(&items, &c5)));
                println!("{}", show(&format!("{:<34} avg {a} wrtr", ""), &metrics(&items, &cw)));
                let mut line = format!("{:<40} pipe damp 1:", "");
                for t in [0.3f32, 0.4, 0.5, 0.6, 0.7] {
                    let x = pipe(&items, &c5, &rules, 1.0, t);
                    let y = pipe(&items, &cw, &rules, 1.0, t);
                    line += &format!(" t{t} {:.1}/{:.1} ({:.1}/{:.1})", x.0, x.1, y.0, y.1);
                }
                println!("{line}");
            }
        }
        if let Ok(d) = std::env::var("DUMP") {
            let s: String = p.iter().zip(&q).map(|(a, b)| format!("{a}\t{b}\n")).collect();
            std::fs::write(format!("{d}.{}", name.replace(['=', ',', ';'], "_")), s).ok();
        }
    }
}
