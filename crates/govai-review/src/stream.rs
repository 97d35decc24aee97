//! Streaming review for callers that drive a generator themselves: text reaches the caller
//! only after the sentence or chunk holding it has passed review.
//!
//! A thin layer over [`govai_core::stream::StreamReview`] (which the pipeline's
//! `Deployment::handle_stream` uses) that adds the refusal and hand-over messages. The release
//! rule, in short: `Window` reviewers (lexicon, pii_leak, refusal) see everything unreleased,
//! `Sentences` reviewers (citation, grounding) see complete sentences; text is released by
//! sentence, or up to `holdback_chars` before the buffer end when only `Window` reviewers run.
//! A verdict at or above [`StreamConfig::stop_at`] (default Block) stops the stream: the caller
//! gets [`StreamEvent::Stopped`] with the refusal (Block) or hand-over (Escalate) message, and
//! nothing more is released. Unlike `stream_first` guardrails, nothing is shown before it is
//! checked; the price is the hold-back and one review of the window per chunk.

use std::sync::Arc;

use govai_core::{
    Result, ReviewFinding, Reviewer, ScenarioSpec, Source, StreamReview, StreamReviewConfig, StreamStep, Verdict,
};
use serde::{Deserialize, Serialize};

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
        let core = StreamReviewConfig::default();
        let policy = govai_core::Policy::default();
        Self {
            holdback_chars: core.holdback_chars,
            stop_at: core.stop_at,
            refusal_message: policy.refusal_message,
            escalation_message: policy.escalation_message,
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
    /// The verdict that stopped the stream.
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
    Text {
        /// The released text.
        text: String,
    },
    /// The stream stopped; show `message`. Text released before stays released (it passed).
    Stopped(StreamStop),
    /// The stream had already stopped or finished.
    Closed,
}

impl StreamingReviewer {
    /// A streaming reviewer running `reviewers` with `config`.
    pub fn new(reviewers: Vec<Arc<dyn Reviewer>>, config: StreamConfig) -> Self {
        Self { reviewers, config }
    }

    /// Start reviewing one generated answer.
    pub fn start<'a>(
        &'a self,
        scenario: &'a ScenarioSpec,
        request: &'a str,
        sources: &'a [Source],
        documents: &'a [String],
    ) -> ReviewStream<'a> {
        let config = StreamReviewConfig { holdback_chars: self.config.holdback_chars, stop_at: self.config.stop_at };
        let mut inner = StreamReview::new(&self.reviewers, config, scenario, request, documents);
        inner.set_sources(sources.to_vec());
        ReviewStream { config: &self.config, inner }
    }
}

/// One answer being streamed through review.
#[derive(Debug)]
pub struct ReviewStream<'a> {
    config: &'a StreamConfig,
    inner: StreamReview<'a>,
}

impl ReviewStream<'_> {
    /// Add a chunk from the generator; returns what may be shown now.
    pub fn push(&mut self, chunk: &str) -> Result<StreamEvent> {
        let step = self.inner.push(chunk)?;
        Ok(self.event(step))
    }

    /// The generator is done: review and release the rest.
    pub fn finish(&mut self) -> Result<StreamEvent> {
        let step = self.inner.finish()?;
        Ok(self.event(step))
    }

    /// Characters released so far.
    pub fn released_chars(&self) -> usize {
        self.inner.released_chars()
    }

    /// Findings that did not stop the stream (notes, or verdicts below `stop_at`).
    pub fn findings(&self) -> &[ReviewFinding] {
        self.inner.findings()
    }

    /// Time spent reviewing, per push/finish call, in microseconds.
    pub fn review_micros(&self) -> &[u64] {
        self.inner.review_micros()
    }

    fn event(&self, step: StreamStep) -> StreamEvent {
        match step {
            StreamStep::Release(text) => StreamEvent::Text { text },
            StreamStep::Stop(review) => {
                let message = if review.verdict == Verdict::Block {
                    self.config.refusal_message.clone()
                } else {
                    self.config.escalation_message.clone()
                };
                StreamEvent::Stopped(StreamStop { verdict: review.verdict, message, findings: review.findings })
            }
            StreamStep::Closed => StreamEvent::Closed,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::LexiconReviewer;
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
