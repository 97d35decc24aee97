//! Incremental detokenisation and stop-string handling for streaming.
//!
//! Tokens often carry part of a UTF-8 character (byte-level BPE splits a Chinese character into
//! two or three tokens). The decoder re-decodes a short window of ids and emits text only once
//! it no longer ends in U+FFFD, so the callback never receives a split character. Text that
//! could be the beginning of a stop string is held back until it is known not to be one.

use tokenizers::Tokenizer;

/// Window-based incremental decoder (same scheme as text-generation-inference).
#[derive(Debug, Clone, Default)]
pub(crate) struct IncrementalDecoder {
    ids: Vec<u32>,
    prefix_offset: usize,
    read_offset: usize,
}

impl IncrementalDecoder {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Add a token; returns newly completed text (possibly empty).
    pub(crate) fn push(&mut self, tok: &Tokenizer, id: u32) -> Result<String, String> {
        self.ids.push(id);
        let prefix = tok.decode(&self.ids[self.prefix_offset..self.read_offset], true).map_err(|e| e.to_string())?;
        let full = tok.decode(&self.ids[self.prefix_offset..], true).map_err(|e| e.to_string())?;
        if full.len() > prefix.len() && !full.ends_with('\u{FFFD}') && full.is_char_boundary(prefix.len()) {
            let new = full[prefix.len()..].to_string();
            self.prefix_offset = self.read_offset;
            self.read_offset = self.ids.len();
            Ok(new)
        } else {
            Ok(String::new())
        }
    }

    /// Whatever is still pending at the end (e.g. a truncated character, decoded lossily).
    pub(crate) fn finish(&mut self, tok: &Tokenizer) -> Result<String, String> {
        let prefix = tok.decode(&self.ids[self.prefix_offset..self.read_offset], true).map_err(|e| e.to_string())?;
        let full = tok.decode(&self.ids[self.prefix_offset..], true).map_err(|e| e.to_string())?;
        self.prefix_offset = self.ids.len();
        self.read_offset = self.ids.len();
        if full.len() > prefix.len() && full.is_char_boundary(prefix.len()) {
            Ok(full[prefix.len()..].to_string())
        } else {
            Ok(String::new())
        }
    }
}

/// Accumulates generated text, finds stop strings, and decides what may be emitted.
#[derive(Debug, Clone, Default)]
pub(crate) struct StopBuffer {
    text: String,
    emitted: usize,
    stops: Vec<String>,
    max_stop: usize,
    stopped: bool,
}

impl StopBuffer {
    pub(crate) fn new(stops: &[String]) -> Self {
        let stops: Vec<String> = stops.iter().filter(|s| !s.is_empty()).cloned().collect();
        let max_stop = stops.iter().map(String::len).max().unwrap_or(0);
        Self { stops, max_stop, ..Default::default() }
    }

    /// Append text. Returns (text safe to emit now, whether a stop string was hit).
    pub(crate) fn push(&mut self, new: &str) -> (String, bool) {
        if self.stopped {
            return (String::new(), true);
        }
        let search_from = floor_boundary(&self.text, self.text.len().saturating_sub(self.max_stop));
        self.text.push_str(new);
        let hit =
            self.stops.iter().filter_map(|s| self.text[search_from..].find(s.as_str()).map(|p| p + search_from)).min();
        if let Some(p) = hit {
            self.text.truncate(p);
            self.stopped = true;
            let out = self.text.get(self.emitted..).unwrap_or("").to_string();
            self.emitted = self.text.len();
            return (out, true);
        }
        // Hold back the longest suffix that is a proper prefix of a stop string.
        let mut hold = 0;
        for s in &self.stops {
            for l in (1..s.len()).rev() {
                if l <= self.text.len() && s.is_char_boundary(l) && self.text.ends_with(&s[..l]) {
                    hold = hold.max(l);
                    break;
                }
            }
        }
        let end = self.text.len() - hold;
        let out = if end > self.emitted { self.text[self.emitted..end].to_string() } else { String::new() };
        self.emitted = self.emitted.max(end);
        (out, false)
    }

    /// Release held-back text at the end of generation (no stop string followed).
    pub(crate) fn flush(&mut self) -> String {
        let out = self.text.get(self.emitted..).unwrap_or("").to_string();
        self.emitted = self.text.len();
        out
    }

    #[cfg(test)]
    fn text(&self) -> &str {
        &self.text
    }

    pub(crate) fn into_text(self) -> String {
        self.text
    }
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_string_split_across_pushes_is_held_then_cut() {
        let mut b = StopBuffer::new(&["<END>".to_string()]);
        assert_eq!(b.push("hello <"), ("hello ".to_string(), false));
        assert_eq!(b.push("EN"), (String::new(), false));
        assert_eq!(b.push("D> tail"), (String::new(), true));
        assert_eq!(b.text(), "hello ");
    }

    #[test]
    fn false_alarm_prefix_is_released() {
        let mut b = StopBuffer::new(&["<END>".to_string()]);
        assert_eq!(b.push("a <E"), ("a ".to_string(), false));
        assert_eq!(b.push("X"), ("<EX".to_string(), false));
        assert_eq!(b.push("<"), (String::new(), false));
        assert_eq!(b.flush(), "<");
        assert_eq!(b.into_text(), "a <EX<");
    }

    #[test]
    fn chinese_stop_string() {
        let mut b = StopBuffer::new(&["。".to_string()]);
        assert_eq!(b.push("你好"), ("你好".to_string(), false));
        assert_eq!(b.push("世界。再见"), ("世界".to_string(), true));
    }

    // On the fixture's byte-level tokenizer (tests/data/tiny-llama).
    fn tokenizer() -> Tokenizer {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/tiny-llama/tokenizer.json");
        Tokenizer::from_file(p).expect("fixture tokenizer loads")
    }

    #[test]
    fn incremental_decoding_never_splits_a_character() {
        let tok = tokenizer();
        let text = "政务服务：如何续签护照？Hello 世界 🎉 café";
        let ids = tok.encode(text, false).expect("encodes").get_ids().to_vec();
        // The byte-level fixture splits CJK characters and the emoji over several tokens.
        let split = ids.iter().filter(|&&i| std::str::from_utf8(&byte_level_bytes(&tok, i)).is_err()).count();
        assert!(split > 3, "fixture should have partial-character tokens, found {split}");
        let mut dec = IncrementalDecoder::new();
        let mut pieces = Vec::new();
        for &id in &ids {
            let p = dec.push(&tok, id).expect("decodes");
            assert!(!p.contains('\u{FFFD}'), "piece {p:?} contains a replacement character");
            if !p.is_empty() {
                pieces.push(p);
            }
        }
        pieces.push(dec.finish(&tok).expect("finish"));
        assert_eq!(pieces.concat(), text);
        assert!(pieces.len() > 10);
    }

    /// The raw bytes of one byte-level token (GPT-2 byte-to-unicode mapping reversed).
    fn byte_level_bytes(tok: &Tokenizer, id: u32) -> Vec<u8> {
        let s = tok.id_to_token(id).expect("id");
        let mut table = std::collections::HashMap::new();
        let mut n = 0u32;
        for b in 0u32..256 {
            let printable = (33..=126).contains(&b) || (161..=172).contains(&b) || (174..=255).contains(&b);
            let c = if printable {
                b
            } else {
                n += 1;
                255 + n
            };
            table.insert(char::from_u32(c).expect("char"), b as u8);
        }
        s.chars().map(|c| table.get(&c).copied().unwrap_or(b'?')).collect()
    }

    #[test]
    fn truncated_character_is_flushed_lossily_at_the_end() {
        let tok = tokenizer();
        let ids = tok.encode("好", false).expect("enc").get_ids().to_vec();
        assert!(ids.len() > 1, "好 should span several tokens in the fixture");
        let mut dec = IncrementalDecoder::new();
        for &id in &ids[..ids.len() - 1] {
            assert_eq!(dec.push(&tok, id).expect("push"), "");
        }
        assert!(dec.finish(&tok).expect("finish").contains('\u{FFFD}'));
    }

    #[test]
    fn stop_buffer_with_multiple_stops_picks_the_earliest() {
        let mut b = StopBuffer::new(&["END".to_string(), "。".to_string()]);
        let (out, hit) = b.push("答复。END");
        assert!(hit);
        assert_eq!(out, "答复");
    }
}
