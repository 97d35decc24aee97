//! Answer stages: infer, restore, review.

use std::time::Instant;

use super::finish::Ending;
use super::input::{Admitted, MaskedInput};
use super::stream_sink::{StreamSink, Streamed};
use super::{Bound, Deployment, TextCallback, micros};
use crate::cancel::Cancel;
use crate::error::Result;
use crate::mask::Vault;
use crate::model::{InferenceInput, InferenceOutput};
use crate::review::{Review, ReviewContext, ReviewStage, Verdict, empty_answer};
use crate::scenario::ScenarioSpec;
use crate::stream::{StreamReview, StreamReviewConfig};

/// The model's answer with placeholders restored, and how its stream went.
pub(super) struct Answer<'c> {
    pub(super) out: InferenceOutput,
    pub(super) streamed: Option<Streamed<'c>>,
}

impl Deployment {
    /// Call the model on the masked input (streaming to `on_text` when given, stopping at the
    /// token after `cancel` is set), then restore.
    pub(super) async fn infer<'c>(
        &self,
        admitted: &mut Admitted<'_>,
        masked: MaskedInput,
        on_text: Option<&'c mut TextCallback<'c>>,
        cancel: Option<&Cancel>,
    ) -> Result<Answer<'c>> {
        let t = Instant::now();
        let Admitted { bound, turns, request, timings, .. } = admitted;
        let input = inference_input(bound, masked.turns, masked.documents);
        let answer = match on_text {
            None => bound.model.infer(&input).await.map(|out| (out, None)),
            Some(on_text) => {
                let review = self.stream_review(bound, turns.question(), &request.documents);
                self.infer_streaming(bound, &input, review, &masked.vault, on_text, cancel).await
            }
        };
        timings.infer = micros(t);
        let (mut out, sink) = answer?;
        let t = Instant::now();
        restore(&mut out, &masked.vault);
        let streamed = match sink {
            None => None,
            Some(mut sink) => {
                sink.finish()?;
                out.text = sink.received();
                Some(Streamed::from(sink))
            }
        };
        timings.restore = micros(t);
        Ok(Answer { out, streamed })
    }

    /// Run the model's stream through restore and review to `on_text`, stopping at the token
    /// after `cancel` is set; the sink is returned so the restore stage can release what is
    /// left.
    async fn infer_streaming<'a, 'c>(
        &self,
        bound: &Bound,
        input: &InferenceInput,
        review: StreamReview<'a>,
        vault: &'a Vault,
        on_text: &'c mut TextCallback<'c>,
        cancel: Option<&'a Cancel>,
    ) -> Result<(InferenceOutput, Option<StreamSink<'a, 'c>>)> {
        let mut sink = StreamSink::new(vault, review, on_text, self.labels.notice_parts().0).with_cancel(cancel);
        let out = bound.model.infer_stream(input, &mut sink).await;
        let out = sink.take_error().map_or(out, Err)?;
        Ok((out, Some(sink)))
    }

    /// The streaming review of an answer to `question`.
    fn stream_review<'a>(&self, bound: &'a Bound, question: &'a str, documents: &'a [String]) -> StreamReview<'a> {
        let spec = bound.scenario.spec();
        StreamReview::new(&bound.reviewers, self.stream_config(spec), spec, question, documents)
    }

    /// Streams stop where the release rules would withhold the answer: at Revise in
    /// public-facing scenarios (a human fixes it first), at Block elsewhere.
    fn stream_config(&self, spec: &ScenarioSpec) -> StreamReviewConfig {
        StreamReviewConfig {
            holdback_chars: self.policy.stream_holdback_chars,
            stop_at: if spec.public_facing { Verdict::Revise } else { Verdict::Block },
        }
    }

    /// Review the restored answer against the question (combined with the input screen's
    /// notes and whatever stopped a stream).
    pub(super) fn review_answer<'c>(
        &self,
        admitted: &mut Admitted<'_>,
        screen: Review,
        answer: Answer<'c>,
    ) -> Result<Ending<'c>> {
        let t = Instant::now();
        let ctx = ReviewContext {
            scenario: admitted.bound.scenario.spec(),
            request: admitted.turns.question(),
            output: &answer.out.text,
            sources: &answer.out.sources,
            documents: &admitted.request.documents,
        };
        let mut review = screen.combine(self.run_reviewers(admitted.bound, ReviewStage::Output, &ctx)?);
        // Whatever the scenario's reviewers: an empty answer is no answer (unless one said so).
        if let Some(empty) = empty_answer("pipeline", &answer.out.text)
            && !review.findings.iter().any(|f| f.code == empty.code)
        {
            review = review.combine(Review::from_findings(vec![empty]));
        }
        if let Some(stop) = answer.streamed.as_ref().and_then(|s| s.stop.as_ref()) {
            // The stopping review saw the same text; keep its findings (spans in answer offsets).
            for f in &stop.findings {
                if !review.findings.contains(f) {
                    review.findings.push(f.clone());
                }
            }
            review.verdict = review.verdict.max(stop.verdict);
        }
        admitted.timings.review += micros(t);
        Ok(Ending::Answer { out: Box::new(answer.out), review, streamed: answer.streamed })
    }

    /// Every reviewer of `bound` for `stage`, combined.
    /// The input reviewers in the scenario's order (cheapest first), stopping at the first
    /// at or above Block: the request will not reach a model, so the costlier layers after it
    /// (a learned classifier, a model judge) need not run, and the first blocking finding names
    /// the deciding layer.
    pub(super) fn run_input_reviewers(&self, bound: &Bound, ctx: &ReviewContext<'_>) -> Result<Review> {
        let mut review = Review::pass();
        for r in bound.reviewers.iter().filter(|r| r.stage() == ReviewStage::Input) {
            review = review.combine(r.review(ctx)?);
            if review.verdict >= Verdict::Block {
                break;
            }
        }
        Ok(review)
    }

    pub(super) fn run_reviewers(&self, bound: &Bound, stage: ReviewStage, ctx: &ReviewContext<'_>) -> Result<Review> {
        let mut review = Review::pass();
        for r in bound.reviewers.iter().filter(|r| r.stage() == stage) {
            review = review.combine(r.review(ctx)?);
        }
        Ok(review)
    }
}

/// What the model receives: the masked question rendered through the scenario's prompt, the
/// masked earlier turns as history.
fn inference_input(bound: &Bound, mut turns: Vec<crate::Message>, documents: Vec<String>) -> InferenceInput {
    let query = turns.pop().map(|m| m.content).unwrap_or_default();
    InferenceInput {
        scenario_id: bound.scenario.spec().id.clone(),
        prompt: bound.scenario.render_prompt(&query, &documents),
        query,
        documents,
        history: turns,
    }
}

/// Put the originals back into the answer and its sources.
fn restore(out: &mut InferenceOutput, vault: &Vault) {
    out.text = vault.restore(&out.text);
    for s in &mut out.sources {
        s.text = vault.restore(&s.text);
    }
}
