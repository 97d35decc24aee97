//! govai-testkit: test tooling of govai, not part of the shipped API.
//!
//! - [`corpus`]: a deterministic labelled corpus of government-style texts for the classifier's
//!   precision/recall tests and benchmarks.
//! - [`testbank`]: the review test bank (`data/review-bank/`) and its evaluation.
#![warn(missing_docs)]

pub mod corpus;
pub mod testbank;
