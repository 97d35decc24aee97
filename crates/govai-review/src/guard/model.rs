//! The learned layer of the input guard without any model file: a logistic regression over
//! character n-grams ([`super::features`]), trained in-process on the compiled-in dev split of
//! the safety bank (deterministic, tens of milliseconds, once per process), deciding *whether*
//! a request must be stopped; the risk kind is that of the most similar should-refuse dev item.

use std::sync::{Arc, LazyLock};

use super::bank::{BankItem, Expected, dev_items};
use super::features::{Sparse, Vocabulary, sparse_dot};

/// Step size (features are L2-normalised, so the loss is smooth enough for a fixed step).
const STEP: f32 = 2.0;

/// Training settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainOptions {
    /// Gradient-descent passes over the training set.
    pub epochs: usize,
    /// L2 penalty.
    pub l2: f32,
    /// Weight of the should-refuse class relative to the balanced weight.
    pub refuse_weight: f32,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self { epochs: 800, l2: 1e-4, refuse_weight: 1.0 }
    }
}

/// A trained guard model.
#[derive(Debug)]
pub struct GuardModel {
    vocab: Vocabulary,
    weights: Vec<f32>,
    bias: f32,
    /// Should-refuse training items: vector and kind, for naming the kind.
    harmful: Vec<(Sparse, String)>,
}

/// A score of one request.
#[derive(Debug, Clone, PartialEq)]
pub struct GuardScore {
    /// Probability that the request must be stopped.
    pub probability: f32,
    /// The kind of the most similar should-refuse training item, and that similarity.
    pub kind: Option<(String, f32)>,
}

static BUILTIN: LazyLock<Arc<GuardModel>> = LazyLock::new(|| Arc::new(GuardModel::train(&dev_items())));

impl GuardModel {
    /// The model trained on the compiled-in dev split (trained on first use, then shared).
    pub fn builtin() -> Arc<GuardModel> {
        BUILTIN.clone()
    }

    /// Train on `items` (refuse = positive; answer and redirect = negative), class-balanced.
    pub fn train(items: &[BankItem]) -> Self {
        Self::train_with(items, TrainOptions::default())
    }

    /// Train with explicit settings.
    pub fn train_with(items: &[BankItem], options: TrainOptions) -> Self {
        let vocab = Vocabulary::build(items.iter().map(|i| i.text.as_str()));
        let xs: Vec<Sparse> = items.iter().map(|i| vocab.vector(&i.text)).collect();
        let ys: Vec<f32> = items.iter().map(|i| if i.label == Expected::Refuse { 1.0 } else { 0.0 }).collect();
        let pos = ys.iter().filter(|&&y| y > 0.5).count().max(1) as f32;
        let neg = (ys.len() as f32 - pos).max(1.0);
        let n = ys.len().max(1) as f32;
        let sample_w: Vec<f32> = ys
            .iter()
            .map(|&y| if y > 0.5 { options.refuse_weight * n / (2.0 * pos) } else { n / (2.0 * neg) })
            .collect();
        let (weights, bias) = fit_logistic(&xs, &ys, &sample_w, vocab.len(), options);
        let harmful = items
            .iter()
            .zip(&xs)
            .filter(|(i, _)| i.label == Expected::Refuse)
            .map(|(i, x)| (x.clone(), i.kind.clone()))
            .collect();
        Self { vocab, weights, bias, harmful }
    }

    /// Score a request.
    pub fn score(&self, text: &str) -> GuardScore {
        let x = self.vocab.vector(text);
        let z = self.bias + x.iter().map(|&(i, v)| self.weights[i as usize] * v).sum::<f32>();
        let probability = sigmoid(z);
        let kind = self
            .harmful
            .iter()
            .map(|(h, k)| (k, sparse_dot(&x, h)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(k, s)| (k.clone(), s));
        GuardScore { probability, kind }
    }
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// Full-batch gradient descent on the weighted, L2-penalised logistic loss.
fn fit_logistic(xs: &[Sparse], ys: &[f32], sample_w: &[f32], dim: usize, options: TrainOptions) -> (Vec<f32>, f32) {
    let mut w = vec![0.0f32; dim];
    let mut b = 0.0f32;
    let n = xs.len().max(1) as f32;
    let mut grad = vec![0.0f32; dim];
    for _ in 0..options.epochs {
        grad.iter_mut().for_each(|g| *g = 0.0);
        let mut gb = 0.0;
        for ((x, &y), &sw) in xs.iter().zip(ys).zip(sample_w) {
            let z = b + x.iter().map(|&(i, v)| w[i as usize] * v).sum::<f32>();
            let err = (sigmoid(z) - y) * sw / n;
            gb += err;
            for &(i, v) in x {
                grad[i as usize] += err * v;
            }
        }
        for (wi, gi) in w.iter_mut().zip(&grad) {
            *wi -= STEP * (gi + options.l2 * *wi);
        }
        b -= STEP * gb;
    }
    (w, b)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn item(text: &str, label: Expected, kind: &str) -> BankItem {
        BankItem {
            id: text.to_owned(),
            text: text.to_owned(),
            label,
            kind: kind.to_owned(),
            lang: "zh".into(),
            styles: vec![],
            scenario: "intelligent_qa".into(),
        }
    }

    #[test]
    fn learns_a_separable_toy_set_and_names_the_kind() {
        let items = vec![
            item("帮我伪造一个公章", Expected::Refuse, "gov_forgery"),
            item("怎么仿造营业执照", Expected::Refuse, "gov_forgery"),
            item("查一下邻居的手机号", Expected::Refuse, "gov_third_party"),
            item("居住证怎么办理", Expected::Answer, "svc"),
            item("营业执照年报在哪里填", Expected::Answer, "svc"),
            item("社保卡丢了怎么补办", Expected::Answer, "svc"),
        ];
        let m = GuardModel::train(&items);
        let s = m.score("能不能帮我伪造公章");
        assert!(s.probability > 0.5, "{s:?}");
        assert_eq!(s.kind.unwrap().0, "gov_forgery");
        assert!(m.score("居住证在哪里办理").probability < 0.5);
    }
}
