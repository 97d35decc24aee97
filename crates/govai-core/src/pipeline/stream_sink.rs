//! The pipeline's side of a model stream: restores placeholders, reviews, releases to the
//! caller only what has passed review.

use std::ops::ControlFlow;

use super::TextCallback;
use crate::cancel::Cancel;
use crate::error::{Error, Result};
use crate::label::LabelConfig;
use crate::mask::Vault;
use crate::model::{InferenceSink, Source};
use crate::response::{Outcome, StreamReport};
use crate::review::Review;
use crate::stream::{StreamReview, StreamStep};

/// The pipeline's side of a model stream: restores placeholders, reviews, releases.
pub(super) struct StreamSink<'a, 'b> {
    vault: &'a Vault,
    review: StreamReview<'a>,
    on_text: &'b mut TextCallback<'b>,
    /// Model text not yet restored: it may end inside a placeholder such as `〔身份证号1〕`.
    pending: String,
    /// The explicit notice's leading part, shown with the first chunk.
    notice_before: String,
    emitted: bool,
    released: String,
    stop: Option<Review>,
    /// The caller's handle, looked at on every model token.
    cancel: Option<&'a Cancel>,
    cancelled: bool,
    error: Option<Error>,
}

/// What a finished stream leaves for the rest of the pipeline.
pub(super) struct Streamed<'b> {
    on_text: &'b mut TextCallback<'b>,
    emitted: bool,
    /// The text released to the caller.
    pub(super) released: String,
    /// The review that stopped the stream.
    pub(super) stop: Option<Review>,
    /// How the stream went.
    pub(super) report: StreamReport,
}

/// Placeholders are short; a `〔` not closed within this many bytes is ordinary text.
const MAX_PLACEHOLDER_BYTES: usize = 64;

impl<'a, 'b> StreamSink<'a, 'b> {
    /// A sink releasing to `on_text`, the notice's leading part with the first chunk.
    pub(super) fn new(
        vault: &'a Vault,
        review: StreamReview<'a>,
        on_text: &'b mut TextCallback<'b>,
        notice_before: String,
    ) -> Self {
        Self {
            vault,
            review,
            on_text,
            pending: String::new(),
            notice_before,
            emitted: false,
            released: String::new(),
            stop: None,
            cancel: None,
            cancelled: false,
            error: None,
        }
    }

    /// The sink stops the model at the token after `cancel` is set, whether or not review has
    /// released anything.
    pub(super) fn with_cancel(mut self, cancel: Option<&'a Cancel>) -> Self {
        self.cancel = cancel;
        self
    }

    /// Whether the stream is over for the caller: cancelled by the caller's handle (noted
    /// here), or already stopped, cancelled or failed.
    fn ended(&mut self) -> bool {
        if self.cancel.is_some_and(Cancel::is_cancelled) {
            self.cancelled = true;
        }
        self.stop.is_some() || self.cancelled || self.error.is_some()
    }

    /// An error met while the model streamed (a reviewer failed), taken once.
    pub(super) fn take_error(&mut self) -> Option<Error> {
        self.error.take()
    }

    /// Everything the model produced, restored.
    pub(super) fn received(&self) -> String {
        self.review.received()
    }

    fn push(&mut self, restored: &str) -> ControlFlow<()> {
        match self.review.push(restored) {
            Ok(step) => self.step(step),
            Err(e) => {
                self.error = Some(e);
                ControlFlow::Break(())
            }
        }
    }

    fn step(&mut self, step: StreamStep) -> ControlFlow<()> {
        match step {
            StreamStep::Release(text) if text.is_empty() => ControlFlow::Continue(()),
            StreamStep::Release(text) => {
                let shown = if self.emitted { text.clone() } else { format!("{}{text}", self.notice_before) };
                self.emitted = true;
                self.released.push_str(&text);
                if (self.on_text)(&shown).is_break() {
                    self.cancelled = true;
                    return ControlFlow::Break(());
                }
                ControlFlow::Continue(())
            }
            StreamStep::Stop(review) => {
                self.stop = Some(review);
                ControlFlow::Break(())
            }
            StreamStep::Closed => ControlFlow::Break(()),
        }
    }

    /// The model is done: release what is left, unless the stream already ended (or the
    /// caller cancelled after the last token).
    pub(super) fn finish(&mut self) -> Result<()> {
        if !self.ended() {
            let rest = self.vault.restore(&std::mem::take(&mut self.pending));
            if self.push(&rest).is_continue() {
                let step = self.review.finish()?;
                let _ = self.step(step);
            }
        }
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

impl<'b> From<StreamSink<'_, 'b>> for Streamed<'b> {
    fn from(s: StreamSink<'_, 'b>) -> Self {
        let report = StreamReport {
            released_chars: s.review.released_chars(),
            received_chars: s.review.received_chars(),
            stopped_by_review: s.stop.is_some(),
            cancelled: s.cancelled,
            review_us: s.review.review_micros().iter().sum(),
        };
        Streamed { on_text: s.on_text, emitted: s.emitted, released: s.released, stop: s.stop, report }
    }
}

impl Streamed<'_> {
    /// Tell the caller how the answer ends: the notice's trailing part for an answer shown in
    /// full, or the refusal / hand-over message that replaces the rest.
    pub(super) fn conclude(&mut self, outcome: Outcome, shown: &str, labels: &LabelConfig) {
        let tail = match outcome {
            Outcome::Cancelled => return,
            Outcome::Answered | Outcome::NeedsRevision => labels.notice_parts().1,
            _ if self.emitted => format!("\n{shown}"),
            _ => shown.to_owned(),
        };
        if !tail.is_empty() {
            let _ = (self.on_text)(&tail);
        }
    }
}

impl InferenceSink for StreamSink<'_, '_> {
    fn sources(&mut self, sources: &[Source]) {
        let restored = sources.iter().map(|s| Source { text: self.vault.restore(&s.text), ..s.clone() }).collect();
        self.review.set_sources(restored);
    }

    fn text(&mut self, piece: &str) -> ControlFlow<()> {
        // Before any work: a cancelled request stops the model at this token.
        if self.ended() {
            return ControlFlow::Break(());
        }
        self.pending.push_str(piece);
        let cut = match self.pending.rfind('〔') {
            Some(i) if !self.pending[i..].contains('〕') && self.pending.len() - i < MAX_PLACEHOLDER_BYTES => i,
            _ => self.pending.len(),
        };
        let ready: String = self.pending.drain(..cut).collect();
        if ready.is_empty() {
            return ControlFlow::Continue(());
        }
        let restored = self.vault.restore(&ready);
        self.push(&restored)
    }
}
