//! Streaming review: text from a generator reaches the caller only after the sentence or chunk
//! holding it has passed review.
//!
//! [`StreamingReviewer`] wraps output reviewers (normally `lexicon` and `pii_leak`). For each
//! generation, [`StreamingReviewer::start`] returns a [`ReviewStream`]; every chunk pushed in is
//! appended to a buffer and the *unreleased window* (from the start of the sentence holding the
//! first unreleased character to the end of the buffer) is reviewed. If it passes, text is
//! released up to the later of
//! - the end of the last complete sentence (lexicon matches never run across a sentence end), and
//! - the buffer end minus [`StreamConfig::holdback_chars`],
//!
//! so a term whose first character is released is always complete in the buffer when it is
//! reviewed, provided the hold-back is at least the longest term as written (obfuscated spellings
//! such as 走 后 门 included): the default 32 characters also cover an 18-character ID number.
//! A verdict at or above [`StreamConfig::stop_at`] (default Block) stops the stream: the caller
//! gets [`StreamEvent::Stopped`] with the refusal (Block) or hand-over (Escalate) message instead,
//! and nothing more is released. Unlike `stream_first` guardrails, nothing is shown before it is
//! checked; the price is the hold-back (at most one sentence or `holdback_chars` of delay) and one
//! review of the window per chunk.

use std::sync::Arc;
use std::time::Instant;

use govai_core::{Result, Review, ReviewContext, ReviewFinding, Reviewer, ScenarioSpec, Source, Verdict};
use serde::{Deserialize, Serialize};

use super::grounding::sentence_spans;

/// Streaming settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StreamConfig {
    /// Characters kept back at the end of the buffer (until the sentence ends or more arrives).
    pub holdback_chars: usize,
    /// The verdict at which the stream stops (default `block`; `revise` for strict public use).
    pub stop_at: Verdict,
    /// Shown when a Block stops the stream.
    pub refusal_message: String,
    /// Shown when an Escalate (or Revise, if `stop_at` is revise) stops the stream.
    pub escalation_message: String,
}

impl Default for StreamConfig {
    fn default() -> Self {
        Self {
            holdback_chars: 32,
            stop_at: Verdict::Block,
            refusal_message: "抱歉，该问题暂不能由智能助手回答，请通过人工渠道咨询。".to_owned(),
            escalation_message: "您的问题已转人工坐席处理，工作人员将尽快答复。".to_owned(),
        }
    }
}

/// Wraps reviewers for streamed output.
#[derive(Debug, Clone)]
pub struct StreamingReviewer {
    reviewers: Vec<Arc<dyn Reviewer>>,
    config: StreamConfig,
}

/// Why a stream stopped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamStop {
    pub verdict: Verdict,
    /// The refusal or hand-over message to show instead of the rest of the answer.
    pub message: String,
    /// Findings of the stopping review; spans are character offsets in the whole answer.
    pub findings: Vec<ReviewFinding>,
}

/// What a push or finish yields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum StreamEvent {
    /// Reviewed text to show now (may be empty: held back).
    Text { text: String },
    /// The stream stopped; show `message`. Text released before stays released (it passed).
    Stopped(StreamStop),
    /// The stream had already stopped or finished.
    Closed,
}

impl StreamingReviewer {
    pub fn new(reviewers: Vec<Arc<dyn Reviewer>>, config: StreamConfig) -> Self {
        Self { reviewers, config }
    }

    pub fn config(&self) -> &StreamConfig {
        &self.config
    }

    /// Start reviewing one generated answer.
    pub fn start<'a>(
        &'a self,
        scenario: &'a ScenarioSpec,
        request: &'a str,
        sources: &'a [Source],
        documents: &'a [String],
    ) -> ReviewStream<'a> {
        ReviewStream {
            owner: self,
            scenario,
            request,
            sources,
            documents,
            buffer: Vec::new(),
            released: 0,
            state: State::Open,
            findings: Vec::new(),
            review_micros: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Open,
    Done,
}

/// One answer being streamed through review.
#[derive(Debug)]
pub struct ReviewStream<'a> {
    owner: &'a StreamingReviewer,
    scenario: &'a ScenarioSpec,
    request: &'a str,
    sources: &'a [Source],
    documents: &'a [String],
    buffer: Vec<char>,
    released: usize,
    state: State,
    /// Non-stopping findings (notes, revise below `stop_at`), spans in answer offsets.
    findings: Vec<ReviewFinding>,
    review_micros: Vec<u64>,
}

impl ReviewStream<'_> {
    /// Add a chunk from the generator; returns what may be shown now.
    pub fn push(&mut self, chunk: &str) -> Result<StreamEvent> {
        if self.state == State::Done {
            return Ok(StreamEvent::Closed);
        }
        self.buffer.extend(chunk.chars());
        self.step(false)
    }

    /// The generator is done: review and release the rest.
    pub fn finish(&mut self) -> Result<StreamEvent> {
        if self.state == State::Done {
            return Ok(StreamEvent::Closed);
        }
        let ev = self.step(true)?;
        self.state = State::Done;
        Ok(ev)
    }

    /// Characters released so far.
    pub fn released_chars(&self) -> usize {
        self.released
    }

    /// Findings that did not stop the stream (notes, or verdicts below `stop_at`).
    pub fn findings(&self) -> &[ReviewFinding] {
        &self.findings
    }

    /// Time spent reviewing, per push/finish call, in microseconds.
    pub fn review_micros(&self) -> &[u64] {
        &self.review_micros
    }

    fn step(&mut self, last: bool) -> Result<StreamEvent> {
        let t = Instant::now();
        let text: String = self.buffer.iter().collect();
        let sents = sentence_spans(&text);
        // Window: from the sentence holding the first unreleased character.
        let wstart =
            sents.iter().find(|(s, e)| *s <= self.released && self.released < *e).map_or(self.released, |x| x.0);
        let window: String = self.buffer[wstart..].iter().collect();
        let mut review = Review::pass();
        if !window.trim().is_empty() {
            let ctx = ReviewContext {
                scenario: self.scenario,
                request: self.request,
                output: &window,
                sources: self.sources,
                documents: self.documents,
            };
            for r in &self.owner.reviewers {
                review = review.combine(r.review(&ctx)?);
            }
        }
        let shift = |f: &ReviewFinding| {
            let mut f = f.clone();
            f.span = f.span.map(|(s, e)| (s + wstart, e + wstart));
            f
        };
        let cfg = &self.owner.config;
        if review.verdict >= cfg.stop_at && review.verdict > Verdict::Pass {
            self.state = State::Done;
            self.review_micros.push(t.elapsed().as_micros() as u64);
            let message = if review.verdict == Verdict::Block {
                cfg.refusal_message.clone()
            } else {
                cfg.escalation_message.clone()
            };
            let findings = review.findings.iter().filter(|f| f.verdict > Verdict::Pass).map(shift).collect();
            return Ok(StreamEvent::Stopped(StreamStop { verdict: review.verdict, message, findings }));
        }
        // Keep the non-stopping findings once (they may repeat while the window is re-reviewed).
        for f in review.findings.iter().map(shift) {
            if !self.findings.iter().any(|g| g.code == f.code && g.span == f.span) {
                self.findings.push(f);
            }
        }
        let upto = if last {
            self.buffer.len()
        } else {
            let complete = sents.iter().rev().find(|(_, e)| *e < self.buffer.len() || ends_sentence(&self.buffer, *e));
            let by_sentence = complete.map_or(0, |x| x.1);
            let by_holdback = self.buffer.len().saturating_sub(cfg.holdback_chars);
            by_sentence.max(by_holdback).max(self.released)
        };
        let out: String = self.buffer[self.released..upto].iter().collect();
        self.released = upto;
        self.review_micros.push(t.elapsed().as_micros() as u64);
        Ok(StreamEvent::Text { text: out })
    }
}

/// Does the span ending at `end` (exclusive) end with a sentence terminator?
fn ends_sentence(buf: &[char], end: usize) -> bool {
    end > 0 && matches!(buf[end - 1], '。' | '！' | '？' | '!' | '?' | '；' | ';' | '\n' | ']' | '］' | '】')
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::review::LexiconReviewer;
    use govai_core::scenario::builtin;

    fn run(chunks: &[&str]) -> (String, Option<StreamStop>) {
        let spec = builtin("intelligent_qa").unwrap();
        let sr = StreamingReviewer::new(vec![Arc::new(LexiconReviewer::builtin())], StreamConfig::default());
        let mut st = sr.start(&spec, "问题", &[], &[]);
        let mut shown = String::new();
        for c in chunks {
            match st.push(c).unwrap() {
                StreamEvent::Text { text } => shown.push_str(&text),
                StreamEvent::Stopped(s) => return (shown, Some(s)),
                StreamEvent::Closed => unreachable!(),
            }
        }
        match st.finish().unwrap() {
            StreamEvent::Text { text } => shown.push_str(&text),
            StreamEvent::Stopped(s) => return (shown, Some(s)),
            StreamEvent::Closed => unreachable!(),
        }
        (shown, None)
    }

    #[test]
    fn clean_stream_is_released_in_full() {
        let chunks = ["申领居住证", "需要提交身份证。", "办理时限为15个", "工作日。"];
        let (shown, stop) = run(&chunks);
        assert!(stop.is_none());
        assert_eq!(shown, chunks.concat());
    }

    #[test]
    fn split_term_is_caught_and_never_shown() {
        let (shown, stop) = run(&["您可以走", "后", "门办理，很快。"]);
        let stop = stop.unwrap();
        assert_eq!(stop.verdict, Verdict::Block);
        assert!(!shown.contains("走后门"), "{shown}");
        assert!(!shown.contains('走'), "{shown}");
        let (s, e) = stop.findings[0].span.unwrap();
        assert_eq!((s, e), (3, 6));
    }
}
