//! govai-guard: the built-in rule-based `DataClassifier` for Chinese government data and the
//! rule-based `Reviewer`s.
//!
//! - [`recognize`]: recognizers with exact validation (ID numbers, credit codes, cards...),
//!   level rules and the classifier that combines them.
//! - [`review`]: lexicon, PII-leak and citation reviewers.

pub mod corpus;
pub mod operators;
pub mod recognize;
pub mod review;
pub mod screen;
pub mod testbank;

pub use recognize::GuardClassifier;
