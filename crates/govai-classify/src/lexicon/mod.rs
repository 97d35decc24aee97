//! Word lists (context words, surnames, gazetteer, PIPL lexicons: the data tables of the
//! submodules) and the one Aho-Corasick automaton that finds all of them in a single pass over
//! the normalised text.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickKind};

use super::types::EntityType;

mod context;
mod names;
mod pipl;
mod places;

pub(crate) use context::*;
pub(crate) use names::*;
pub(crate) use pipl::*;
pub(crate) use places::*;

/// A lexicon hit's meaning. One word may carry several tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    Ctx(EntityType),
    Neg,
    NegVersion,
    PersonPrefix,
    PersonSuffix,
    AddrGazetteer,
    AddrContext,
    Pipl(EntityType, bool),
    Anchor,
}

/// One occurrence of a lexicon word in the normalised text (byte offsets).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit {
    pub start: usize,
    pub end: usize,
    pub pattern: u32,
}

#[derive(Debug)]
pub(crate) struct Lexicon {
    ac: AhoCorasick,
    tags: Vec<Vec<Tag>>,
    ascii_word: Vec<bool>,
}

impl Lexicon {
    pub(crate) fn build() -> Result<Self, String> {
        let mut map: HashMap<String, Vec<Tag>> = HashMap::new();
        let mut add = |w: &str, t: Tag| {
            let v = map.entry(w.to_lowercase()).or_default();
            if !v.contains(&t) {
                v.push(t);
            }
        };
        for (ty, words) in CONTEXT {
            for w in *words {
                add(w, Tag::Ctx(*ty));
            }
        }
        for w in NEGATIVE {
            add(w, Tag::Neg);
        }
        for w in NEG_VERSION {
            add(w, Tag::NegVersion);
        }
        for w in PERSON_PREFIX {
            add(w, Tag::PersonPrefix);
        }
        for w in PERSON_SUFFIX {
            add(w, Tag::PersonSuffix);
        }
        for w in PROVINCES {
            add(w, Tag::AddrGazetteer);
        }
        for c in CITIES {
            add(c, Tag::AddrGazetteer);
            add(&format!("{c}市"), Tag::AddrGazetteer);
        }
        for w in ADDR_CONTEXT {
            add(w, Tag::AddrContext);
        }
        for (ty, strong, weak) in PIPL {
            for w in *strong {
                add(w, Tag::Pipl(*ty, true));
            }
            for w in *weak {
                add(w, Tag::Pipl(*ty, false));
            }
        }
        for w in ANCHORS {
            add(w, Tag::Anchor);
        }
        let mut entries: Vec<(String, Vec<Tag>)> = map.into_iter().collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let ascii_word = entries.iter().map(|(w, _)| w.bytes().any(|b| b.is_ascii_alphabetic())).collect();
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .kind(Some(AhoCorasickKind::DFA))
            .build(entries.iter().map(|(w, _)| w.as_str()))
            .map_err(|e| e.to_string())?;
        Ok(Self { ac, tags: entries.into_iter().map(|(_, t)| t).collect(), ascii_word })
    }

    pub(crate) fn tags(&self, pattern: u32) -> &[Tag] {
        self.tags.get(pattern as usize).map(Vec::as_slice).unwrap_or(&[])
    }

    /// All (overlapping) hits, sorted by start then end. ASCII words must not touch ASCII
    /// letters on either side.
    pub(crate) fn hits(&self, text: &str) -> Vec<Hit> {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        for m in self.ac.find_overlapping_iter(text) {
            let p = m.pattern().as_u32();
            if self.ascii_word.get(p as usize).copied().unwrap_or(false) {
                let before = m.start().checked_sub(1).and_then(|i| bytes.get(i));
                let after = bytes.get(m.end());
                if before.is_some_and(|b| b.is_ascii_alphabetic()) || after.is_some_and(|b| b.is_ascii_alphabetic()) {
                    continue;
                }
            }
            out.push(Hit { start: m.start(), end: m.end(), pattern: p });
        }
        out.sort_by_key(|h| (h.start, h.end));
        out
    }
}

pub(crate) fn is_surname(c: char) -> bool {
    SURNAMES.contains(c)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn builds_and_finds() {
        let lx = Lexicon::build().unwrap();
        let hits = lx.hits("联系电话:13800138000, Tel 1, hotel 2");
        let words: Vec<&str> = hits.iter().map(|h| &"联系电话:13800138000, Tel 1, hotel 2"[h.start..h.end]).collect();
        assert!(words.contains(&"联系电话"));
        assert!(words.contains(&"电话"));
        assert!(words.contains(&"Tel"));
        assert!(!words.contains(&"tel"), "tel inside hotel must not fire");
    }

    #[test]
    fn thirty_four_provinces() {
        assert_eq!(PROVINCES.len(), 68);
        assert!(is_surname('王') && !is_surname('的'));
    }
}
