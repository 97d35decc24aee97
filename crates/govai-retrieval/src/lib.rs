//! govai-retrieval: retrieval models that need no weights.
//!
//! - Tokenisation: CJK-aware (NFKC, lowercase; Latin words, digit runs, CJK unigrams + bigrams;
//!   a minimal stopword list), with [`contains_cjk`] and the Chinese/English sentence splitter
//!   [`split_sentences`] public.
//! - Okapi BM25 (k1 = 1.2, b = 0.75) over an inverted index, used by both models below.
//! - [`KnowledgeBase`]: JSON Lines policy [`Passage`]s; the shipped sample (FICTIONAL content for
//!   the demo city 示例市, `kb/README.md`) is embedded in the binary.
//! - [`FaqModel`]: the default `intelligent_qa` model — extractive answers copied verbatim from
//!   the best passages, each cited as `[n]` with its [`Source`](govai_core::Source).
//! - [`KnnRouter`]: the default `intelligent_routing` model — BM25 k-NN over labelled [`Ticket`]s;
//!   [`evaluate_builtin`] reports held-out accuracy on the shipped split.
//! - Hybrid retrieval: the [`Embedder`] trait through which a sentence-embedding model (run
//!   elsewhere, e.g. by `govai-ort`) makes both models hybrid: passage and example vectors
//!   computed once at build time ([`DenseIndex`]), cosine scores fused with BM25 ([`Fusion`]).
//!   Without an embedder everything above is weight-free and unchanged.
//!
//! ```
//! use govai_retrieval::FaqModel;
//! let faq = FaqModel::builtin(FaqModel::default_info());
//! let out = faq.answer("社保卡丢了怎么补办？", &[]);
//! assert!(out.text.starts_with("根据《") && out.text.contains("[1]"));
//! assert!(out.sources[0].text.contains("挂失"));
//! ```

#![warn(missing_docs)]
#![warn(unreachable_pub)]

mod bm25;
mod faq;
mod followup;
mod hybrid;
mod kb;
mod router;
mod tokenize;

pub use faq::{FaqConfig, FaqModel, NOT_FOUND_EN, NOT_FOUND_ZH};
pub use followup::{is_follow_up, retrieval_query};
pub use hybrid::{DenseIndex, Embedder, Fusion};
pub use kb::{KnowledgeBase, Lang, Passage, Provenance, today};
pub use router::{
    DEPARTMENTS, DepartmentScore, KnnRouter, Neighbour, Routing, RoutingMethod, RoutingReport, Split, Ticket,
    builtin_tickets, department_name_zh, evaluate_builtin,
};
pub use tokenize::{contains_cjk, split_sentences};
