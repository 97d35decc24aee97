//! govai-text: the one text module of govai, shared by the classifier, the reviewers, retrieval
//! and the streaming release of the core pipeline.
//!
//! - [`normalize`]: NFKC normalisation with offset maps (full-width forms to ASCII, dashes,
//!   invisible characters), the matching form of the reviewers (traditional to simplified,
//!   lower case, punctuation dropped).
//! - [`sentence`]: the sentence-end character set (documented there) and sentence spans.
//! - [`fold_variants`]: evasive spellings (pinyin, same-sound characters, slang) folded back.
//! - [`citation`]: citation markers (`[1]`, `【1，3】`), which stay with the sentence before them.
#![warn(missing_docs)]

pub mod citation;
pub mod normalize;
pub mod sentence;
mod t2s;
mod variants;

pub use t2s::{simplify, to_simplified};
pub use variants::fold_variants;

/// Is `c` a Han character of the CJK unified ideographs (basic block U+4E00..U+9FFF or extension
/// A U+3400..U+4DBF)? These are NFKC-stable and make up everyday Chinese text.
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF)
}

/// The characters of `s` (test helper).
#[cfg(test)]
fn test_chars(s: &str) -> Vec<char> {
    s.chars().collect()
}
