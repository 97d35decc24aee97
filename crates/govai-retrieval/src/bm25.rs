//! Okapi BM25 over an inverted index.

use std::collections::HashMap;

use crate::tokenize::tokenize;

/// BM25 term-frequency saturation.
pub(crate) const K1: f32 = 1.2;
/// BM25 length normalisation.
pub(crate) const B: f32 = 0.75;

/// One document's entry in a term's postings list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Posting {
    doc: u32,
    tf: u32,
}

/// A BM25 index (k1 = 1.2, b = 0.75) over documents tokenised with [`tokenize`].
///
/// Postings lists are sorted by document, so a query touches only the documents that share a
/// term with it, and "does document d contain term t" is a binary search. Immutable after
/// construction, `Send + Sync`.
#[derive(Clone, Default)]
pub(crate) struct Bm25Index {
    vocab: HashMap<String, u32>,
    postings: Vec<Vec<Posting>>,
    doc_len: Vec<u32>,
    avgdl: f32,
}

impl std::fmt::Debug for Bm25Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bm25Index")
            .field("documents", &self.len())
            .field("terms", &self.vocabulary_size())
            .field("avgdl", &self.avgdl)
            .finish()
    }
}

impl Bm25Index {
    /// Index `docs`; result indices refer to positions in this vector.
    pub(crate) fn new(docs: Vec<String>) -> Self {
        Self::from_tokens(docs.iter().map(|d| tokenize(d)))
    }

    /// Index documents that are already tokenised.
    pub(crate) fn from_tokens<I>(docs: I) -> Self
    where
        I: IntoIterator<Item = Vec<String>>,
    {
        let mut index = Self::default();
        let mut total: u64 = 0;
        for (doc, tokens) in docs.into_iter().enumerate() {
            let doc = u32::try_from(doc).unwrap_or(u32::MAX);
            let mut tf: HashMap<String, u32> = HashMap::new();
            for t in tokens.iter() {
                *tf.entry(t.clone()).or_default() += 1;
            }
            let len = u32::try_from(tokens.len()).unwrap_or(u32::MAX);
            total += u64::from(len);
            index.doc_len.push(len);
            for (term, tf) in tf {
                let next = u32::try_from(index.postings.len()).unwrap_or(u32::MAX);
                let id = *index.vocab.entry(term).or_insert(next);
                if id == next {
                    index.postings.push(Vec::new());
                }
                // Documents are added in order, so each postings list stays sorted by doc.
                index.postings[id as usize].push(Posting { doc, tf });
            }
        }
        let n = index.doc_len.len();
        index.avgdl = if n == 0 { 0.0 } else { total as f32 / n as f32 };
        index
    }

    /// Number of documents.
    pub(crate) fn len(&self) -> usize {
        self.doc_len.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.doc_len.is_empty()
    }

    /// Number of distinct terms.
    pub(crate) fn vocabulary_size(&self) -> usize {
        self.vocab.len()
    }

    /// Number of documents containing `term` (a token as produced by [`tokenize`]).
    pub(crate) fn doc_freq(&self, term: &str) -> usize {
        self.vocab.get(term).map_or(0, |&id| self.postings[id as usize].len())
    }

    /// BM25 inverse document frequency, `ln(1 + (N - df + 0.5) / (df + 0.5))`; always positive.
    /// A term absent from the corpus gets the highest value.
    pub(crate) fn idf(&self, term: &str) -> f32 {
        self.idf_df(self.doc_freq(term))
    }

    fn idf_df(&self, df: usize) -> f32 {
        let n = self.len() as f32;
        let df = df as f32;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    /// Whether document `doc` contains `term`.
    pub(crate) fn contains(&self, doc: usize, term: &str) -> bool {
        let Some(&id) = self.vocab.get(term) else { return false };
        let Ok(doc) = u32::try_from(doc) else { return false };
        self.postings[id as usize].binary_search_by_key(&doc, |p| p.doc).is_ok()
    }

    /// The `k` best documents for `query`, best first, as `(doc index, score)`; only documents
    /// sharing at least one term with the query (score > 0). Ties go to the lower index.
    pub(crate) fn search(&self, query: &str, k: usize) -> Vec<(usize, f32)> {
        self.search_tokens(&tokenize(query), k)
    }

    /// [`search`](Self::search) with a tokenised query. Repeated query terms count once.
    pub(crate) fn search_tokens(&self, query: &[String], k: usize) -> Vec<(usize, f32)> {
        if k == 0 || self.is_empty() {
            return Vec::new();
        }
        let mut acc: HashMap<u32, f32> = HashMap::new();
        for term in unique(query) {
            let Some(&id) = self.vocab.get(term) else { continue };
            let list = &self.postings[id as usize];
            let idf = self.idf_df(list.len());
            for p in list {
                *acc.entry(p.doc).or_default() += idf * self.tf_part(p.tf, self.doc_len[p.doc as usize]);
            }
        }
        let mut hits: Vec<(usize, f32)> =
            acc.into_iter().filter(|&(_, s)| s > 0.0).map(|(d, s)| (d as usize, s)).collect();
        let order = |a: &(usize, f32), b: &(usize, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if hits.len() > k {
            hits.select_nth_unstable_by(k - 1, order);
            hits.truncate(k);
        }
        hits.sort_unstable_by(order);
        hits
    }

    /// Score a text that is not in the index (an attached document) against `query`, using
    /// this corpus's document frequencies and average length, so the score is comparable with
    /// [`search`](Self::search) scores.
    pub(crate) fn score_text(&self, query: &[String], text_tokens: &[String]) -> f32 {
        let mut tf: HashMap<&str, u32> = HashMap::new();
        for t in text_tokens {
            *tf.entry(t.as_str()).or_default() += 1;
        }
        let len = u32::try_from(text_tokens.len()).unwrap_or(u32::MAX);
        unique(query).filter_map(|t| tf.get(t.as_str()).map(|&f| self.idf(t) * self.tf_part(f, len))).sum()
    }

    fn tf_part(&self, tf: u32, doc_len: u32) -> f32 {
        let tf = tf as f32;
        let norm = if self.avgdl > 0.0 { doc_len as f32 / self.avgdl } else { 1.0 };
        tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * norm))
    }
}

/// Distinct terms, first occurrence order.
pub(crate) fn unique(terms: &[String]) -> impl Iterator<Item = &String> {
    let mut seen = std::collections::HashSet::new();
    terms.iter().filter(move |t| seen.insert(t.as_str()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn docs() -> Vec<String> {
        [
            "社保卡丢失后请先挂失，再到银行网点补办社保卡。",
            "住房公积金提取需要身份证和购房合同。",
            "居住证申领需携带身份证和照片。",
            "Apply for a residence permit at the exit-entry office.",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    #[test]
    fn ranks_obvious_doc_first() {
        let idx = Bm25Index::new(docs());
        assert_eq!(idx.search("社保卡丢了怎么补办", 3)[0].0, 0);
        assert_eq!(idx.search("公积金怎么提取", 3)[0].0, 1);
        assert_eq!(idx.search("居住证要带什么材料", 3)[0].0, 2);
        assert_eq!(idx.search("residence permit", 3)[0].0, 3);
    }

    #[test]
    fn scores_sorted_positive_and_limited() {
        let idx = Bm25Index::new(docs());
        let hits = idx.search("身份证", 10);
        assert_eq!(hits.len(), 2);
        assert!(hits.windows(2).all(|w| w[0].1 >= w[1].1));
        assert!(hits.iter().all(|h| h.1 > 0.0));
        assert_eq!(idx.search("身份证", 1).len(), 1);
        assert!(idx.search("身份证", 0).is_empty());
        assert!(idx.search("量子物理", 5).is_empty());
        assert!(idx.search("", 5).is_empty());
    }

    #[test]
    fn empty_index() {
        let idx = Bm25Index::new(Vec::new());
        assert!(idx.is_empty());
        assert!(idx.search("社保", 5).is_empty());
        let s = idx.score_text(&tokenize("社保"), &tokenize("社保卡"));
        assert!(s.is_finite() && s > 0.0);
    }

    #[test]
    fn idf_and_contains() {
        let idx = Bm25Index::new(docs());
        assert!(idx.idf("社保") > idx.idf("身份"));
        assert!(idx.idf("不存在的词") >= idx.idf("社保"));
        assert!(idx.contains(0, "补办"));
        assert!(!idx.contains(1, "补办"));
        assert!(!idx.contains(99, "补办"));
        assert_eq!(idx.doc_freq("身份"), 2);
    }

    #[test]
    fn score_text_matches_indexed_score() {
        let idx = Bm25Index::new(docs());
        let q = tokenize("公积金提取");
        let indexed = idx.search_tokens(&q, 1)[0].1;
        let outside = idx.score_text(&q, &tokenize(&docs()[1]));
        assert!((indexed - outside).abs() < 1e-5);
    }

    #[test]
    fn tf_saturates_and_length_normalises() {
        let idx =
            Bm25Index::new(vec!["税 税 税 税 税 税".into(), "税".into(), "税 发票 发票 发票 发票 发票 发票".into()]);
        let hits = idx.search("税", 3);
        // The document that is all "税" beats the long document that mentions it once.
        assert_eq!(hits[0].0, 0);
        assert_eq!(hits.last().unwrap().0, 2);
    }
}
