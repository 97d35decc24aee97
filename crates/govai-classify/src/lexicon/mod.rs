//! Word lists (context words, surnames, gazetteer, PIPL lexicons: the data tables of the
//! submodules) and the one Aho-Corasick automaton that finds all of them in a single pass over
//! the normalised text.

use std::collections::HashMap;

use aho_corasick::Anchored;
use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;

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
    /// All words (ASCII case-insensitive), unanchored, no prefilter: CJK text starts a word
    /// almost everywhere, so the DFA is stepped byte by byte in [`Lexicon::hits`].
    dfa: DFA,
    /// For each BMP character U+0800..U+FFFF (three UTF-8 bytes), whether it occurs in a word
    /// (bit set), and whether a word starts with it.
    in_word: Vec<u64>,
    first: Vec<u64>,
    /// The words, by pattern id (the reference search of the tests).
    #[cfg(test)]
    words: Vec<String>,
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
        if entries.iter().any(|(w, _)| w.is_empty()) {
            return Err("empty lexicon word".into());
        }
        let dfa = aho_corasick::dfa::Builder::new()
            .ascii_case_insensitive(true)
            .prefilter(false)
            .build(entries.iter().map(|(w, _)| w.as_str()))
            .map_err(|e| e.to_string())?;
        let mut in_word = vec![0u64; 1024];
        let mut first = vec![0u64; 1024];
        for (w, _) in &entries {
            for (k, c) in w.chars().enumerate().filter(|(_, c)| c.len_utf8() == 3) {
                in_word[c as usize / 64] |= 1 << (c as usize % 64);
                if k == 0 {
                    first[c as usize / 64] |= 1 << (c as usize % 64);
                }
            }
        }
        #[cfg(test)]
        let words = entries.iter().map(|(w, _)| w.clone()).collect();
        Ok(Self {
            dfa,
            in_word,
            first,
            #[cfg(test)]
            words,
            tags: entries.into_iter().map(|(_, t)| t).collect(),
            ascii_word,
        })
    }

    pub(crate) fn tags(&self, pattern: u32) -> &[Tag] {
        self.tags.get(pattern as usize).map(Vec::as_slice).unwrap_or(&[])
    }

    /// All (overlapping) hits, sorted by start then end. ASCII words must not touch ASCII
    /// letters on either side.
    ///
    /// One pass of the DFA over the bytes, collecting every word that ends at each byte (the
    /// overlapping search of `aho_corasick`, without its per-match iterator state).
    pub(crate) fn hits(&self, text: &str) -> Vec<Hit> {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let dfa = &self.dfa;
        let Ok(start) = dfa.start_state(Anchored::No) else { return out };
        let mut sid = start;
        let mut i = 0;
        while i < bytes.len() {
            let byte = bytes[i];
            // A three-byte character that occurs in no word: no word spans it, and after it the
            // automaton is back in its start state (words are whole UTF-8 characters). In the
            // start state, a character that starts no word leaves it there and ends no word.
            if (0xE0..0xF0).contains(&byte)
                && let Some(&[b1, b2]) = bytes.get(i + 1..i + 3).and_then(|s| <&[u8; 2]>::try_from(s).ok())
            {
                let cp = (usize::from(byte & 0x0F) << 12) | (usize::from(b1 & 0x3F) << 6) | usize::from(b2 & 0x3F);
                let bit = |set: &[u64]| set[cp / 64] & (1 << (cp % 64)) != 0;
                if !bit(&self.in_word) || (sid == start && !bit(&self.first)) {
                    sid = start;
                    i += 3;
                    continue;
                }
            }
            sid = dfa.next_state(Anchored::No, sid, byte);
            i += 1;
            if !dfa.is_special(sid) || !dfa.is_match(sid) {
                continue;
            }
            // The words of this state end right after the byte just read.
            let end = i;
            for k in 0..dfa.match_len(sid) {
                let pid = dfa.match_pattern(sid, k);
                let start = end - dfa.pattern_len(pid);
                let p = pid.as_u32();
                if self.ascii_word.get(p as usize).copied().unwrap_or(false) {
                    let before = start.checked_sub(1).and_then(|i| bytes.get(i));
                    let after = bytes.get(end);
                    if before.is_some_and(|b| b.is_ascii_alphabetic()) || after.is_some_and(|b| b.is_ascii_alphabetic())
                    {
                        continue;
                    }
                }
                out.push(Hit { start, end, pattern: p });
            }
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

    /// The reference: `aho_corasick`'s own overlapping search, filtered and sorted the same way.
    fn reference_hits(lx: &Lexicon, text: &str) -> Vec<(usize, usize, u32)> {
        let ac = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&lx.words)
            .unwrap();
        let b = text.as_bytes();
        let mut out: Vec<(usize, usize, u32)> = ac
            .find_overlapping_iter(text)
            .filter(|m| {
                let p = m.pattern().as_usize();
                !lx.ascii_word[p]
                    || !(m.start().checked_sub(1).is_some_and(|i| b[i].is_ascii_alphabetic())
                        || b.get(m.end()).is_some_and(u8::is_ascii_alphabetic))
            })
            .map(|m| (m.start(), m.end(), m.pattern().as_u32()))
            .collect();
        out.sort_by_key(|h| (h.0, h.1));
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        /// The hand-stepped DFA with its character skips finds exactly the overlapping matches.
        #[test]
        fn hits_same_as_overlapping_search(
            parts in proptest::collection::vec((0usize..100_000, 0u8..6), 0..60),
        ) {
            let lx = Lexicon::build().unwrap();
            let fillers = ["的", "政", "务", "数", "据", "，", "。", "a", "Tel", "1", " ", "ip", "X", "é", "😀"];
            let mut text = String::new();
            for (i, kind) in parts {
                match kind {
                    0..=2 => text.push_str(&lx.words[i % lx.words.len()]),
                    3 => text.push_str(&lx.words[i % lx.words.len()].to_uppercase()),
                    _ => text.push_str(fillers[i % fillers.len()]),
                }
            }
            let got: Vec<(usize, usize, u32)> = lx.hits(&text).iter().map(|h| (h.start, h.end, h.pattern)).collect();
            proptest::prop_assert_eq!(got, reference_hits(&lx, &text));
        }
    }

    #[test]
    fn thirty_four_provinces() {
        assert_eq!(PROVINCES.len(), 68);
        assert!(is_surname('王') && !is_surname('的'));
    }
}
