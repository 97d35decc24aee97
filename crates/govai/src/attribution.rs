//! Citation attribution for generated answers: a sentence the model wrote without a `[n]`
//! marker gets the marker of the source that contains most of it, when that source contains
//! at least [`MIN_CONTAINMENT`] of the sentence's character bigrams (word stems for English).
//!
//! Small local models (Qwen2.5-0.5B, SmolLM2-135M) often write a faithful sentence and forget
//! its marker; without attribution the citation reviewer would send such answers to revision.
//! Attribution adds markers only: it never changes the model's words, never moves a marker
//! the model wrote, and leaves a sentence no source supports uncited, so the citation and
//! grounding reviewers still see and judge it. Placeholders the prompt wording invites
//! (`[编号]`, `[资料序号]`) are removed, as they cite nothing.
//!
//! Streaming: [`Attributor::feed`] holds back the last sentence until the next one begins (or
//! [`Attributor::finish`]), because its marker may still be on the way.

use std::ops::ControlFlow;

use govai_core::Source;
use govai_review::{NgramScorer, SimilarityScorer};
use govai_text::citation::{citation_marker_len, has_content, is_partial_citation_marker};
use govai_text::sentence::sentence_spans;

/// The share of a sentence's n-grams a source must contain for its marker to be attached.
pub const MIN_CONTAINMENT: f32 = 0.5;

/// Bracketed placeholders small models copy from the prompt's instruction instead of a number.
const PROMPT_PLACEHOLDERS: &[&str] = &["[编号]", "[资料序号]", "[资料编号]", "[序号]", "[n]", "[number]"];

/// Adds missing citation markers to an answer, whole or streamed.
#[derive(Debug)]
pub struct Attributor<'a> {
    sources: &'a [Source],
    /// Title and text of each source, what a sentence is scored against (built once).
    candidates: Vec<String>,
    scorer: NgramScorer,
    pending: String,
}

impl<'a> Attributor<'a> {
    /// An attributor citing `sources` by their `index`.
    pub fn new(sources: &'a [Source]) -> Self {
        let candidates = sources.iter().map(|s| format!("{} {}", s.title, s.text)).collect();
        Self { sources, candidates, scorer: NgramScorer::default(), pending: String::new() }
    }

    /// The whole answer with markers attached.
    pub fn attribute(mut self, answer: &str) -> String {
        let mut out = String::with_capacity(answer.len() + 8);
        let _ = self.feed(answer, |s| {
            out.push_str(s);
            ControlFlow::Continue(())
        });
        out.push_str(&self.finish());
        out
    }

    /// Take a streamed piece; pass on every sentence that is complete (the next has begun).
    pub fn feed(&mut self, piece: &str, mut emit: impl FnMut(&str) -> ControlFlow<()>) -> ControlFlow<()> {
        self.pending.push_str(piece);
        let chars: Vec<char> = self.pending.chars().collect();
        let spans = sentence_spans(&self.pending);
        let Some(&(last_start, _)) = spans.last() else { return ControlFlow::Continue(()) };
        let tail: Vec<char> = chars[last_start..].iter().copied().skip_while(|c| c.is_whitespace()).collect();
        // The last span may be a marker still arriving for the sentence before it.
        if spans.len() < 2 || tail.is_empty() || is_partial_citation_marker(&tail) || starts_with_marker(&tail) {
            return ControlFlow::Continue(());
        }
        let done: String = chars[..last_start].iter().collect();
        self.pending = chars[last_start..].iter().collect();
        emit(&self.attribute_sentences(&done))
    }

    /// What is left, attributed (the caller passes it on).
    pub fn finish(self) -> String {
        if self.pending.is_empty() { String::new() } else { self.attribute_sentences(&self.pending) }
    }

    fn attribute_sentences(&self, text: &str) -> String {
        let text = strip_placeholders(text);
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::with_capacity(text.len() + 8);
        for (start, end) in sentence_spans(&text) {
            let sentence: String = chars[start..end].iter().collect();
            out.push_str(&self.cite(&sentence));
        }
        out
    }

    /// `sentence` with the best source's marker inserted before its trailing whitespace, if it
    /// has none and a source contains enough of it.
    fn cite(&self, sentence: &str) -> String {
        let body = sentence.trim_end();
        if self.sources.is_empty() || !has_content(body) || has_marker(body) {
            return sentence.to_owned();
        }
        let refs: Vec<&str> = self.candidates.iter().map(String::as_str).collect();
        let Ok(scores) = self.scorer.best_scores(&[body], &refs) else { return sentence.to_owned() };
        match scores.first() {
            Some(&(score, Some(i))) if score >= MIN_CONTAINMENT => {
                format!("{body}[{}]{}", self.sources[i].index, &sentence[body.len()..])
            }
            _ => sentence.to_owned(),
        }
    }
}

fn strip_placeholders(text: &str) -> String {
    PROMPT_PLACEHOLDERS.iter().fold(text.to_owned(), |t, p| t.replace(p, ""))
}

fn starts_with_marker(chars: &[char]) -> bool {
    citation_marker_len(chars).is_some()
}

fn has_marker(sentence: &str) -> bool {
    let chars: Vec<char> = sentence.chars().collect();
    (0..chars.len()).any(|i| citation_marker_len(&chars[i..]).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(index: usize, title: &str, text: &str) -> Source {
        Source { index, id: format!("kb-{index}"), title: title.into(), text: text.into(), url: None, score: 1.0 }
    }

    fn sources() -> Vec<Source> {
        vec![
            source(1, "居住证申领", "在示例市居住满半年的非本市户籍人员，可申领示例市居住证。首次申领不收取费用。"),
            source(2, "社保卡补办", "社保卡遗失的，可携带身份证到社保经办网点申请补办。"),
        ]
    }

    #[test]
    fn uncited_supported_sentences_get_the_best_sources_marker() {
        let s = sources();
        let out =
            Attributor::new(&s).attribute("社保卡遗失后可携带身份证到社保经办网点补办。首次申领居住证不收取费用。");
        assert_eq!(out, "社保卡遗失后可携带身份证到社保经办网点补办。[2]首次申领居住证不收取费用。[1]");
    }

    #[test]
    fn markers_the_model_wrote_are_kept_and_unsupported_sentences_stay_uncited() {
        let s = sources();
        let out = Attributor::new(&s).attribute("首次申领不收取费用。[2] 办理时间为每周六上午。");
        assert_eq!(out, "首次申领不收取费用。[2] 办理时间为每周六上午。");
    }

    #[test]
    fn prompt_placeholders_are_removed() {
        let s = sources();
        assert_eq!(Attributor::new(&s).attribute("首次申领不收取费用。[编号]"), "首次申领不收取费用。[1]");
    }

    #[test]
    fn streaming_gives_the_same_text_as_whole_whatever_the_pieces() {
        let s = sources();
        let answer = "社保卡遗失的，可携带身份证补办。[2] 首次申领不收取费用。办理时间为每周六。";
        let whole = Attributor::new(&s).attribute(answer);
        for size in 1..6 {
            let chars: Vec<char> = answer.chars().collect();
            let mut a = Attributor::new(&s);
            let mut out = String::new();
            for piece in chars.chunks(size) {
                let piece: String = piece.iter().collect();
                let _ = a.feed(&piece, |t| {
                    out.push_str(t);
                    ControlFlow::Continue(())
                });
            }
            out.push_str(&a.finish());
            assert_eq!(out, whole, "piece size {size}");
        }
    }

    #[test]
    fn a_sentence_is_held_until_the_next_begins() {
        let s = sources();
        let mut a = Attributor::new(&s);
        let mut out = Vec::new();
        for piece in ["首次申领不收取费用。", "[", "1]", " 社保卡"] {
            let _ = a.feed(piece, |t| {
                out.push(t.to_owned());
                ControlFlow::Continue(())
            });
        }
        assert_eq!(out, vec!["首次申领不收取费用。[1]".to_owned()]);
    }
}
