//! Hybrid retrieval: sentence embeddings beside BM25, fused into one ranking.
//!
//! This crate runs no neural model itself (it must not depend on ONNX Runtime): a caller plugs
//! one in through the [`Embedder`] trait (the facade crate `govai` adapts
//! `govai_ort::EmbeddingModel`). [`DenseIndex`] holds the unit-normalised vectors of a fixed set
//! of texts, computed once when a model is built; [`fuse`] combines a lexical and a dense score
//! per document into one score, and [`rank`] orders documents by a score.
//!
//! Fusion (measured with `cargo run -p govai --example routing_eval_embed`, choice made by
//! leave-one-out accuracy on the *train* split of the shipped tickets only, then reported on
//! the held-out split): see [`Fusion::default`].

use std::fmt::Debug;

use govai_core::{Error, Result};
use serde::{Deserialize, Serialize};

/// A sentence-embedding model: one vector per text, in order, all of the same dimension.
///
/// Implementations should be deterministic (the same text gives the same vector), since
/// passage and example vectors are computed once at build time and compared with query vectors
/// computed later.
pub trait Embedder: Send + Sync + Debug {
    /// One vector per text, in the order of `texts`, all of the same dimension. Errors (model not
    /// loaded, runtime failure) make hybrid retrieval fall back to BM25 or fail, per caller.
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>>;
}

/// How a lexical (BM25) and a dense (cosine) score are combined.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "method", deny_unknown_fields)]
pub enum Fusion {
    /// Reciprocal rank fusion: `1 / (k + rank_bm25) + 1 / (k + rank_dense)`; a document with a
    /// BM25 score of 0 gets no lexical term. Ranks are competition ranks (tied scores share the
    /// best rank), so tied documents get tied fused scores.
    Rrf {
        /// The RRF constant (>= 0; 60 is customary): larger values flatten rank differences.
        k: f32,
    },
    /// Min-max-normalised weighted sum: `w * bm25 / max(bm25) + (1 - w) * (cos - min) / (max -
    /// min)` over the documents scored; a constant score vector normalises to 0 (it ranks
    /// nothing).
    Weighted {
        /// Weight `w` of the normalised BM25 score, in `[0, 1]`; the cosine gets `1 - w`.
        lexical_weight: f32,
    },
}

impl Default for Fusion {
    /// The weighted sum with BM25 weight 0.3 (embedding 0.7). Chosen by leave-one-out accuracy
    /// over the 310 *train* tickets with USE-multilingual and k = 5 (`cargo run -p govai
    /// --example routing_eval_embed`): weighted 0.3 -> 0.884, embedding alone 0.865, RRF (k = 60)
    /// 0.858, weighted 0.5 -> 0.842, weighted 0.7 -> 0.803, BM25 alone 0.768. RRF keeps only the
    /// ranks and throws away how far apart the scores are, which is what a score-weighted k-NN
    /// vote and the FAQ answerer's relative threshold (a share of the best score) rely on; the
    /// weighted sum keeps the margins and gives a score in `[0, 1]`. The same default serves the
    /// FAQ answerer; the held-out figures are in the README ("Hybrid retrieval").
    fn default() -> Self {
        Fusion::Weighted { lexical_weight: 0.3 }
    }
}

impl Fusion {
    /// Check the parameters: `k >= 0` for RRF, a weight in `[0, 1]` for the weighted sum.
    pub fn validate(&self) -> Result<()> {
        match *self {
            Fusion::Rrf { k } if !(k.is_finite() && k >= 0.0) => {
                Err(Error::InvalidInput(format!("RRF constant k must be finite and >= 0, got {k}")))
            }
            Fusion::Weighted { lexical_weight: w } if !(0.0..=1.0).contains(&w) => {
                Err(Error::InvalidInput(format!("lexical_weight must be in [0, 1], got {w}")))
            }
            _ => Ok(()),
        }
    }
}

/// Fuse per-document scores: `lexical[i]` (BM25, 0 = no shared term) and `dense[i]` (cosine)
/// belong to document `i`. Errors when the lengths differ or a score is not finite.
pub(crate) fn fuse(lexical: &[f32], dense: &[f32], fusion: Fusion) -> Result<Vec<f32>> {
    fusion.validate()?;
    if lexical.len() != dense.len() {
        return Err(Error::InvalidInput(format!(
            "fusion needs one lexical and one dense score per document ({} vs {})",
            lexical.len(),
            dense.len()
        )));
    }
    if lexical.iter().chain(dense).any(|s| !s.is_finite()) {
        return Err(Error::InvalidInput("fusion: a score is not finite".to_owned()));
    }
    Ok(match fusion {
        Fusion::Rrf { k } => {
            let lr = competition_ranks(lexical, |s| s > 0.0);
            let dr = competition_ranks(dense, |_| true);
            lr.iter()
                .zip(&dr)
                .map(|(l, d)| l.map_or(0.0, |r| 1.0 / (k + r as f32)) + d.map_or(0.0, |r| 1.0 / (k + r as f32)))
                .collect()
        }
        Fusion::Weighted { lexical_weight: w } => {
            let l = min_max(lexical, 0.0);
            let d = min_max(dense, f32::INFINITY);
            l.iter().zip(&d).map(|(l, d)| w * l + (1.0 - w) * d).collect()
        }
    })
}

/// 1-based competition ranks (1, 2, 2, 4) of the scores that pass `counts`, by score
/// descending; `None` for the others.
fn competition_ranks(scores: &[f32], counts: impl Fn(f32) -> bool) -> Vec<Option<usize>> {
    let mut sorted: Vec<f32> = scores.iter().copied().filter(|&s| counts(s)).collect();
    sorted.sort_by(|a, b| b.total_cmp(a));
    scores.iter().map(|&s| counts(s).then(|| sorted.partition_point(|&x| x > s) + 1)).collect()
}

/// Scale to `[0, 1]` by `(s - lo) / (max - lo)` where `lo` is the minimum of the scores and
/// `floor`. BM25 uses floor 0 (a score of 0 means "no match" and must stay 0); cosines use the
/// observed minimum. All-equal scores give all zeros.
fn min_max(scores: &[f32], floor: f32) -> Vec<f32> {
    let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let lo = scores.iter().copied().fold(floor, f32::min);
    let span = max - lo;
    if !span.is_finite() || span <= 0.0 {
        return vec![0.0; scores.len()];
    }
    scores.iter().map(|&s| ((s - lo) / span).clamp(0.0, 1.0)).collect()
}

/// The `k` best documents by `scores`, best first, as `(index, score)`. Ties go to the lower
/// index (as in [`Bm25Index::search`](crate::bm25::Bm25Index::search)).
pub(crate) fn rank(scores: &[f32], k: usize) -> Vec<(usize, f32)> {
    let mut hits: Vec<(usize, f32)> = scores.iter().copied().enumerate().collect();
    let order = |a: &(usize, f32), b: &(usize, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if k == 0 {
        return Vec::new();
    }
    if hits.len() > k {
        hits.select_nth_unstable_by(k - 1, order);
        hits.truncate(k);
    }
    hits.sort_unstable_by(order);
    hits
}

/// Unit-normalised vectors of a fixed list of texts, computed once; cosine similarity against
/// a query vector.
#[derive(Clone)]
pub struct DenseIndex {
    dimension: usize,
    /// Row-major `[len, dimension]`, each row unit length (or all zeros).
    data: Vec<f32>,
}

impl Debug for DenseIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DenseIndex").field("len", &self.len()).field("dimension", &self.dimension).finish()
    }
}

impl DenseIndex {
    /// Embed `texts` with `embedder` (one call) and index the vectors.
    pub fn build(embedder: &dyn Embedder, texts: &[&str]) -> Result<Self> {
        let vectors = embedder.embed(texts)?;
        if vectors.len() != texts.len() {
            return Err(Error::InvalidInput(format!(
                "embedder returned {} vectors for {} texts",
                vectors.len(),
                texts.len()
            )));
        }
        Self::from_vectors(vectors)
    }

    /// Index these vectors. All must have the same non-zero dimension and finite values. An
    /// empty list gives an empty index of dimension 0, which accepts any query.
    pub(crate) fn from_vectors(vectors: Vec<Vec<f32>>) -> Result<Self> {
        let dimension = vectors.first().map_or(0, Vec::len);
        if !vectors.is_empty() && dimension == 0 {
            return Err(Error::InvalidInput("embedder returned empty vectors".to_owned()));
        }
        let mut data = Vec::with_capacity(vectors.len() * dimension);
        for (i, mut v) in vectors.into_iter().enumerate() {
            if v.len() != dimension {
                return Err(Error::InvalidInput(format!(
                    "embedding dimension mismatch: vector {i} has {} dimensions, vector 0 has {dimension}",
                    v.len()
                )));
            }
            if v.iter().any(|x| !x.is_finite()) {
                return Err(Error::InvalidInput(format!("embedding {i} has a non-finite value")));
            }
            normalize(&mut v);
            data.extend(v);
        }
        Ok(Self { dimension, data })
    }

    pub(crate) fn len(&self) -> usize {
        self.data.len().checked_div(self.dimension).unwrap_or(0)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Embed one query text and check that its dimension matches the index.
    pub fn embed_query(&self, embedder: &dyn Embedder, text: &str) -> Result<Vec<f32>> {
        let mut v = embedder.embed(&[text])?;
        if v.len() != 1 {
            return Err(Error::InvalidInput(format!("embedder returned {} vectors for 1 text", v.len())));
        }
        let v = v.remove(0);
        self.check(&v)?;
        Ok(v)
    }

    fn check(&self, query: &[f32]) -> Result<()> {
        if !self.is_empty() && query.len() != self.dimension {
            return Err(Error::InvalidInput(format!(
                "embedding dimension mismatch: query has {} dimensions, the index {}",
                query.len(),
                self.dimension
            )));
        }
        if query.iter().any(|x| !x.is_finite()) {
            return Err(Error::InvalidInput("query embedding has a non-finite value".to_owned()));
        }
        Ok(())
    }

    /// Cosine similarity of `query` with every indexed vector, in index order.
    pub fn similarities(&self, query: &[f32]) -> Result<Vec<f32>> {
        self.check(query)?;
        let mut q = query.to_vec();
        normalize(&mut q);
        Ok(self.data.chunks_exact(self.dimension.max(1)).map(|row| dot(row, &q)).collect())
    }

    /// The `k` most similar vectors, best first, ties to the lower index.
    pub fn search(&self, query: &[f32], k: usize) -> Result<Vec<(usize, f32)>> {
        Ok(rank(&self.similarities(query)?, k))
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn normalize(v: &mut [f32]) {
    let n = dot(v, v).sqrt();
    if n > 1e-12 {
        v.iter_mut().for_each(|x| *x /= n);
    }
}

/// Cosine similarity of two texts' vectors (0 when either is all zeros).
pub(crate) fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let (na, nb) = (dot(a, a).sqrt(), dot(b, b).sqrt());
    if na <= 1e-12 || nb <= 1e-12 { 0.0 } else { dot(a, b) / (na * nb) }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn rrf_orders_by_summed_reciprocal_ranks() {
        // doc 0: lexical rank 1, dense rank 3; doc 1: 2, 1; doc 2: no lexical match, dense 2.
        let f = fuse(&[3.0, 2.0, 0.0], &[0.1, 0.9, 0.5], Fusion::Rrf { k: 60.0 }).unwrap();
        let want = [1.0 / 61.0 + 1.0 / 63.0, 1.0 / 62.0 + 1.0 / 61.0, 1.0 / 62.0];
        for (a, b) in f.iter().zip(want) {
            assert!((a - b).abs() < 1e-7, "{f:?}");
        }
        let r: Vec<usize> = rank(&f, 3).into_iter().map(|(i, _)| i).collect();
        assert_eq!(r, vec![1, 0, 2]);
    }

    #[test]
    fn weighted_normalises_each_signal() {
        let f = fuse(&[4.0, 2.0, 0.0], &[0.2, 0.6, 1.0], Fusion::Weighted { lexical_weight: 0.5 }).unwrap();
        // lexical / 4 -> 1, .5, 0; dense (c - .2) / .8 -> 0, .5, 1.
        assert_eq!(f, vec![0.5, 0.5, 0.5]);
        let f = fuse(&[4.0, 2.0, 0.0], &[0.2, 0.6, 1.0], Fusion::Weighted { lexical_weight: 1.0 }).unwrap();
        assert_eq!(rank(&f, 3)[0].0, 0);
        let f = fuse(&[4.0, 2.0, 0.0], &[0.2, 0.6, 1.0], Fusion::Weighted { lexical_weight: 0.0 }).unwrap();
        assert_eq!(rank(&f, 3)[0].0, 2);
        // Constant signals contribute nothing; no NaN.
        let f = fuse(&[0.0, 0.0], &[0.3, 0.3], Fusion::default()).unwrap();
        assert_eq!(f, vec![0.0, 0.0]);
    }

    #[test]
    fn ties_share_a_rank_and_go_to_the_lower_index() {
        // docs 1 and 2 tie on both signals: same fused score, lower index first.
        let f = fuse(&[1.0, 2.0, 2.0, 0.0], &[0.0, 0.5, 0.5, 0.9], Fusion::Rrf { k: 1.0 }).unwrap();
        assert_eq!(f[1], f[2]);
        assert_eq!(f[1], 1.0 / 2.0 + 1.0 / 3.0);
        let r = rank(&f, 4);
        assert_eq!(r.iter().map(|h| h.0).collect::<Vec<_>>(), vec![1, 2, 3, 0]);
        assert_eq!(competition_ranks(&[5.0, 7.0, 7.0, 1.0], |_| true), vec![Some(3), Some(1), Some(1), Some(4)]);
        let w = fuse(&[2.0, 2.0], &[0.1, 0.1], Fusion::Weighted { lexical_weight: 0.5 }).unwrap();
        assert_eq!(rank(&w, 2), vec![(0, 0.5), (1, 0.5)]);
    }

    #[test]
    fn fusion_errors() {
        assert!(fuse(&[1.0], &[0.1, 0.2], Fusion::default()).unwrap_err().to_string().contains("1 vs 2"));
        assert!(fuse(&[f32::NAN], &[0.1], Fusion::default()).is_err());
        assert!(fuse(&[1.0], &[0.1], Fusion::Weighted { lexical_weight: 1.5 }).is_err());
        assert!(fuse(&[1.0], &[0.1], Fusion::Rrf { k: -1.0 }).is_err());
        assert!(fuse(&[], &[], Fusion::default()).unwrap().is_empty());
        assert!(rank(&[1.0, 2.0], 0).is_empty());
    }

    #[test]
    fn dense_index_cosine_and_dimension_checks() {
        let idx = DenseIndex::from_vectors(vec![vec![3.0, 4.0], vec![0.0, 2.0], vec![-1.0, 0.0]]).unwrap();
        assert_eq!((idx.len(), idx.dimension), (3, 2));
        let s = idx.similarities(&[0.0, 5.0]).unwrap();
        assert!((s[0] - 0.8).abs() < 1e-6 && (s[1] - 1.0).abs() < 1e-6 && s[2].abs() < 1e-6, "{s:?}");
        assert_eq!(idx.search(&[1.0, 0.0], 1).unwrap()[0].0, 0);
        let e = idx.similarities(&[1.0, 0.0, 0.0]).unwrap_err().to_string();
        assert!(e.contains("dimension mismatch") && e.contains("3") && e.contains("2"), "{e}");
        let e = DenseIndex::from_vectors(vec![vec![1.0, 0.0], vec![1.0]]).unwrap_err().to_string();
        assert!(e.contains("vector 1 has 1 dimensions"), "{e}");
        assert!(DenseIndex::from_vectors(vec![vec![]]).is_err());
        assert!(DenseIndex::from_vectors(vec![vec![f32::INFINITY]]).is_err());
        let empty = DenseIndex::from_vectors(Vec::new()).unwrap();
        assert!(empty.is_empty());
        assert!(empty.similarities(&[1.0, 2.0]).unwrap().is_empty());
    }
}
