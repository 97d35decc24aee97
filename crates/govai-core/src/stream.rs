//! Streaming review: streamed model output reaches the caller only after the text holding it
//! has passed review. Unlike guard libraries that show first and check later, nothing is
//! released unchecked; the price is a short hold-back.
//!
//! A [`StreamReview`] buffers the streamed answer. On each push the output reviewers look at
//! the unreleased part, by what they can judge ([`StreamCheck`]):
//! - `Window` reviewers (terms, personal data) review everything from the start of the
//!   sentence holding the first unreleased character to the end of the buffer;
//! - `Sentences` reviewers (citations, numbers, grounding) review the answer up to the end of
//!   its last complete sentence whenever a sentence completes (so answer-level checks such as
//!   "most sentences unsupported" fire as soon as they hold): a sentence is complete when text
//!   follows its end (so the citation marker that may come after `。` has arrived) or the
//!   stream has finished.
//!
//! Text is then released up to the end of the last complete sentence; when every reviewer is a
//! `Window` reviewer, also up to the buffer end minus [`StreamReviewConfig::holdback_chars`]
//! (at least the longest term as written, so a term whose first character is released is whole
//! in the window when reviewed). A verdict at or above [`StreamReviewConfig::stop_at`] stops
//! the stream: nothing more is released.

use std::sync::Arc;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::model::Source;
use crate::review::{Review, ReviewContext, ReviewFinding, ReviewStage, Reviewer, StreamCheck, Verdict};
use crate::scenario::ScenarioSpec;
use govai_text::citation::{is_marker_close, is_partial_citation_marker};
use govai_text::sentence::{is_terminator, sentence_spans};

/// Streaming settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StreamReviewConfig {
    /// Characters kept back at the end of the buffer (until the sentence ends or more arrives).
    pub holdback_chars: usize,
    /// The verdict at which the stream stops.
    pub stop_at: Verdict,
}

impl Default for StreamReviewConfig {
    fn default() -> Self {
        Self { holdback_chars: 32, stop_at: Verdict::Block }
    }
}

/// What a push or finish yields.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamStep {
    /// Reviewed text to show now (may be empty: held back).
    Release(String),
    /// A review at or above `stop_at`: the stream is over; its findings have spans in answer
    /// character offsets. Text released before stays released (it passed).
    Stop(Review),
    /// The stream had already stopped or finished.
    Closed,
}

/// One streamed answer under review.
#[derive(Debug)]
pub struct StreamReview<'a> {
    reviewers: Vec<Arc<dyn Reviewer>>,
    scenario: &'a ScenarioSpec,
    request: &'a str,
    documents: &'a [String],
    sources: Vec<Source>,
    config: StreamReviewConfig,
    buffer: Vec<char>,
    released: usize,
    /// Sentence reviewers have reviewed the text before this offset (a sentence boundary); they
    /// run again only when it grows.
    checked: usize,
    done: bool,
    findings: Vec<ReviewFinding>,
    review_micros: Vec<u64>,
}

impl<'a> StreamReview<'a> {
    /// Review with the output-stage reviewers among `reviewers`.
    pub fn new(
        reviewers: &'a [Arc<dyn Reviewer>],
        config: StreamReviewConfig,
        scenario: &'a ScenarioSpec,
        request: &'a str,
        documents: &'a [String],
    ) -> Self {
        Self {
            reviewers: reviewers.iter().filter(|r| r.stage() == ReviewStage::Output).cloned().collect(),
            scenario,
            request,
            documents,
            sources: Vec::new(),
            config,
            buffer: Vec::new(),
            released: 0,
            checked: 0,
            done: false,
            findings: Vec::new(),
            review_micros: Vec::new(),
        }
    }

    /// The sources the answer cites (known before the text when retrieval runs first).
    pub fn set_sources(&mut self, sources: Vec<Source>) {
        self.sources = sources;
    }

    /// Add a chunk of the answer; returns what may be shown now.
    pub fn push(&mut self, chunk: &str) -> Result<StreamStep> {
        if self.done {
            return Ok(StreamStep::Closed);
        }
        self.buffer.extend(chunk.chars());
        self.step(false)
    }

    /// The answer is complete: review and release the rest.
    pub fn finish(&mut self) -> Result<StreamStep> {
        if self.done {
            return Ok(StreamStep::Closed);
        }
        let step = self.step(true)?;
        self.done = true;
        Ok(step)
    }

    /// Characters released so far.
    pub fn released_chars(&self) -> usize {
        self.released
    }

    /// Characters received so far (released or not).
    pub(crate) fn received_chars(&self) -> usize {
        self.buffer.len()
    }

    /// The text received so far.
    pub(crate) fn received(&self) -> String {
        self.buffer.iter().collect()
    }

    /// Findings that did not stop the stream (notes, verdicts below `stop_at`), spans in answer
    /// offsets, each recorded once.
    pub fn findings(&self) -> &[ReviewFinding] {
        &self.findings
    }

    /// Time spent reviewing per push/finish call, in microseconds.
    pub fn review_micros(&self) -> &[u64] {
        &self.review_micros
    }

    fn step(&mut self, last: bool) -> Result<StreamStep> {
        let t = Instant::now();
        let len = self.buffer.len();
        let text: String = self.buffer.iter().collect();
        let sents = sentence_spans(&text);
        let complete = if last { len } else { complete_sentences_end(&self.buffer, &sents) };
        let wstart =
            sents.iter().find(|(s, e)| *s <= self.released && self.released < *e).map_or(self.released, |x| x.0);
        let has_sentence_reviewers = self.reviewers.iter().any(|r| r.stream_check() == StreamCheck::Sentences);

        let mut findings = Vec::new();
        let review_window = |from: usize, to: usize, check: StreamCheck, findings: &mut Vec<ReviewFinding>| {
            let window: String = self.buffer[from..to].iter().collect();
            if window.trim().is_empty() {
                return Ok(());
            }
            let ctx = ReviewContext {
                scenario: self.scenario,
                request: self.request,
                output: &window,
                sources: &self.sources,
                documents: self.documents,
            };
            for r in self.reviewers.iter().filter(|r| r.stream_check() == check) {
                findings.extend(r.review(&ctx)?.findings.into_iter().map(|mut f| {
                    f.span = f.span.map(|(s, e)| (s + from, e + from));
                    f
                }));
            }
            Result::Ok(())
        };
        review_window(wstart, len, StreamCheck::Window, &mut findings)?;
        if complete > self.checked {
            // The whole answer so far, not only the new sentences: answer-level checks (most
            // sentences unsupported, no sources at all) must fire as soon as they hold, not only
            // at the end. Quadratic in sentences, which is fine for answers of a few dozen.
            review_window(0, complete, StreamCheck::Sentences, &mut findings)?;
        }
        let review = Review::from_findings(findings);

        if review.verdict >= self.config.stop_at && review.verdict > Verdict::Pass {
            self.done = true;
            self.review_micros.push(t.elapsed().as_micros() as u64);
            let stopping = review.findings.into_iter().filter(|f| f.verdict > Verdict::Pass).collect();
            return Ok(StreamStep::Stop(Review::from_findings(stopping)));
        }
        for f in review.findings {
            if !self.findings.iter().any(|g| g.code == f.code && g.span == f.span && g.reviewer == f.reviewer) {
                self.findings.push(f);
            }
        }
        self.checked = self.checked.max(complete);
        let upto = if last || has_sentence_reviewers {
            complete
        } else {
            let by_sentence = sents.iter().rev().find(|(_, e)| *e < len || ends_sentence(&self.buffer, *e));
            by_sentence.map_or(0, |x| x.1).max(len.saturating_sub(self.config.holdback_chars))
        }
        .max(self.released);
        let out: String = self.buffer[self.released..upto].iter().collect();
        self.released = upto;
        self.review_micros.push(t.elapsed().as_micros() as u64);
        Ok(StreamStep::Release(out))
    }
}

/// End of the last sentence that is surely complete: text other than spaces or the beginning
/// of a citation marker follows it (a marker after `。` belongs to the sentence before).
fn complete_sentences_end(buf: &[char], sents: &[(usize, usize)]) -> usize {
    let len = buf.len();
    for &(_, e) in sents.iter().rev() {
        if e >= len {
            continue;
        }
        let rest: Vec<char> = buf[e..].iter().copied().skip_while(|c| *c == ' ').collect();
        if rest.is_empty() || is_partial_citation_marker(&rest) {
            continue;
        }
        return e;
    }
    0
}

/// Does the span ending at `end` (exclusive) end with a sentence terminator or a citation
/// marker? (A `.` at the end of the buffer is not yet known to end a sentence.)
fn ends_sentence(buf: &[char], end: usize) -> bool {
    end > 0 && (is_terminator(buf[end - 1]) || is_marker_close(buf[end - 1]))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::scenario::builtin;

    /// Flags every occurrence of a term (a `Window` reviewer).
    struct Term(&'static str);
    impl Reviewer for Term {
        fn id(&self) -> &str {
            "term"
        }
        fn review(&self, ctx: &ReviewContext<'_>) -> Result<Review> {
            let chars: Vec<char> = ctx.output.chars().collect();
            let term: Vec<char> = self.0.chars().collect();
            let findings = (0..chars.len())
                .filter(|&i| chars[i..].starts_with(&term))
                .map(|i| ReviewFinding {
                    reviewer: "term".into(),
                    code: "term".into(),
                    message: String::new(),
                    verdict: Verdict::Block,
                    span: Some((i, i + term.len())),
                })
                .collect();
            Ok(Review::from_findings(findings))
        }
        fn stream_check(&self) -> StreamCheck {
            StreamCheck::Window
        }
    }

    /// Escalates a sentence without a citation marker, and any sentence holding a lone "1"
    /// (a `Sentences` reviewer: it would misjudge half-streamed sentences).
    struct Cited;
    impl Reviewer for Cited {
        fn id(&self) -> &str {
            "cited"
        }
        fn review(&self, ctx: &ReviewContext<'_>) -> Result<Review> {
            let chars: Vec<char> = ctx.output.chars().collect();
            let findings = sentence_spans(ctx.output)
                .into_iter()
                .filter(|(s, e)| {
                    let sent: String = chars[*s..*e].iter().collect();
                    !sent.trim().is_empty() && (!sent.contains('[') || sent.trim_end().ends_with("为1"))
                })
                .map(|span| ReviewFinding {
                    reviewer: "cited".into(),
                    code: "uncited".into(),
                    message: String::new(),
                    verdict: Verdict::Escalate,
                    span: Some(span),
                })
                .collect();
            Ok(Review::from_findings(findings))
        }
    }

    fn run(reviewers: &[Arc<dyn Reviewer>], chunks: &[&str]) -> (String, Option<Review>, Vec<String>) {
        let spec = builtin("intelligent_qa").unwrap();
        let mut st = StreamReview::new(reviewers, StreamReviewConfig::default(), &spec, "问题", &[]);
        let (mut shown, mut steps) = (String::new(), Vec::new());
        for c in chunks.iter().map(|c| Some(*c)).chain([None]) {
            let step = match c {
                Some(c) => st.push(c).unwrap(),
                None => st.finish().unwrap(),
            };
            match step {
                StreamStep::Release(t) => {
                    shown.push_str(&t);
                    steps.push(t);
                }
                StreamStep::Stop(r) => return (shown, Some(r), steps),
                StreamStep::Closed => unreachable!(),
            }
        }
        (shown, None, steps)
    }

    #[test]
    fn clean_stream_is_released_in_full() {
        let r: Vec<Arc<dyn Reviewer>> = vec![Arc::new(Term("走后门")), Arc::new(Cited)];
        let chunks = ["申领居住证", "需要提交身份证。", "[1]办理时限为1", "5个工作日。[", "2]"];
        let (shown, stop, steps) = run(&r, &chunks);
        assert!(stop.is_none(), "{stop:?}");
        assert_eq!(shown, chunks.concat());
        // Sentence by sentence: the first sentence only once its marker has arrived and more follows.
        assert_eq!(steps[..2], ["", ""]);
        assert_eq!(steps[2], "申领居住证需要提交身份证。[1]");
    }

    #[test]
    fn split_term_is_caught_and_never_shown() {
        let r: Vec<Arc<dyn Reviewer>> = vec![Arc::new(Term("走后门"))];
        let (shown, stop, _) = run(&r, &["您可以走", "后", "门办理，很快。"]);
        let stop = stop.unwrap();
        assert_eq!(stop.verdict, Verdict::Block);
        assert!(!shown.contains('走'), "{shown}");
        assert_eq!(stop.findings[0].span, Some((3, 6)));
    }

    #[test]
    fn window_only_streams_with_holdback() {
        let r: Vec<Arc<dyn Reviewer>> = vec![Arc::new(Term("走后门"))];
        let long = "办".repeat(40);
        let (shown, stop, steps) = run(&r, &[&long]);
        assert!(stop.is_none());
        assert_eq!(steps[0].chars().count(), 8, "40 - 32 released before the sentence ends");
        assert_eq!(shown, long);
    }

    #[test]
    fn uncited_sentence_stops_before_release() {
        let r: Vec<Arc<dyn Reviewer>> = vec![Arc::new(Cited)];
        let (shown, stop, _) = run(&r, &["有依据。[1]", "没有依据。", "第三句。[2]"]);
        let stop = stop.unwrap();
        assert_eq!(shown, "有依据。[1]");
        assert_eq!(stop.verdict, Verdict::Escalate);
        assert_eq!(stop.findings[0].span, Some((7, 12)));
    }

    #[test]
    fn last_sentence_is_judged_at_finish() {
        let r: Vec<Arc<dyn Reviewer>> = vec![Arc::new(Cited)];
        let (shown, stop, _) = run(&r, &["有依据。[1]", "结尾没有依据"]);
        assert_eq!(shown, "有依据。[1]");
        assert_eq!(stop.unwrap().findings[0].span, Some((7, 13)));
    }

    /// Escalates when two or more sentences lack a marker (an answer-level check).
    struct MostlyUncited;
    impl Reviewer for MostlyUncited {
        fn id(&self) -> &str {
            "mostly"
        }
        fn review(&self, ctx: &ReviewContext<'_>) -> Result<Review> {
            let chars: Vec<char> = ctx.output.chars().collect();
            let uncited = sentence_spans(ctx.output).into_iter().filter(|(s, e)| !chars[*s..*e].contains(&'[')).count();
            let findings = (uncited >= 2)
                .then(|| ReviewFinding {
                    reviewer: "mostly".into(),
                    code: "mostly_uncited".into(),
                    message: String::new(),
                    verdict: Verdict::Escalate,
                    span: None,
                })
                .into_iter()
                .collect();
            Ok(Review::from_findings(findings))
        }
    }

    #[test]
    fn answer_level_check_stops_the_stream_as_soon_as_it_holds() {
        let r: Vec<Arc<dyn Reviewer>> = vec![Arc::new(MostlyUncited)];
        let (shown, stop, _) = run(&r, &["第一句。", "第二句。", "第三句。", "第四句。"]);
        assert_eq!(shown, "第一句。");
        assert_eq!(stop.unwrap().findings[0].code, "mostly_uncited");
    }

    #[test]
    fn closed_after_finish() {
        let spec = builtin("intelligent_qa").unwrap();
        let r: Vec<Arc<dyn Reviewer>> = vec![Arc::new(Cited)];
        let mut st = StreamReview::new(&r, StreamReviewConfig::default(), &spec, "问题", &[]);
        assert_eq!(st.push("好。[1]").unwrap(), StreamStep::Release(String::new()));
        assert_eq!(st.finish().unwrap(), StreamStep::Release("好。[1]".into()));
        assert_eq!(st.push("x").unwrap(), StreamStep::Closed);
        assert_eq!(st.finish().unwrap(), StreamStep::Closed);
        assert_eq!(st.released_chars(), 5);
    }
}
