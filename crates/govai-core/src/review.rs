//! The `Reviewer` trait: checks of model output before it reaches anyone.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::model::Source;
use crate::scenario::ScenarioSpec;

/// Outcome of a review, ordered by severity: composing reviewers keeps the most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The output may be shown (as a reference answer).
    Pass,
    /// The output has a fixable defect; it may be shown to staff, not to the public.
    Revise,
    /// The output must not be shown; the configured refusal is shown instead.
    Block,
    /// A human must take over; the public sees a hand-over notice.
    Escalate,
}

impl Verdict {
    /// Stable snake_case name (also the serde form).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Revise => "revise",
            Self::Block => "block",
            Self::Escalate => "escalate",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The finding code of an input reviewer that finds a request outside what the scenario
/// serves. An input rejection whose only Block findings carry it ends as
/// [`Outcome::Redirected`](crate::Outcome::Redirected), not as a refusal.
pub const OUT_OF_SCOPE: &str = "out_of_scope";

/// Why a reviewer did not pass an output (or a note it wants recorded).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewFinding {
    /// Id of the reviewer that raised it.
    pub reviewer: String,
    /// Stable machine-readable code, e.g. `unresolved_citation`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// What this finding alone calls for.
    pub verdict: Verdict,
    /// Character span, end exclusive, when the finding points at text: in the request for an
    /// input-stage reviewer ([`ReviewStage::Input`]), in the output otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<(usize, usize)>,
}

/// Everything a reviewer may look at.
#[derive(Debug, Clone, Copy)]
pub struct ReviewContext<'a> {
    /// The scenario being served (its reviewers, task and audience).
    pub scenario: &'a ScenarioSpec,
    /// The request text as the caller sent it (unmasked: reviewers run inside the trust boundary).
    pub request: &'a str,
    /// The model output after placeholders were restored.
    pub output: &'a str,
    /// The sources the model cited or retrieved.
    pub sources: &'a [Source],
    /// Documents the caller attached as authorised sources.
    pub documents: &'a [String],
}

/// A reviewer's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    /// The most severe verdict of the findings (`Pass` when there are none).
    pub verdict: Verdict,
    /// Everything the reviewer flagged or noted, at most [`MAX_FINDINGS`](crate::MAX_FINDINGS).
    pub findings: Vec<ReviewFinding>,
    /// Findings left out of `findings` because there were more than
    /// [`MAX_FINDINGS`](crate::MAX_FINDINGS); `verdict` still counts them. Serialized only when
    /// not zero.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub findings_dropped: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Review {
    /// A passing review with no findings.
    pub fn pass() -> Self {
        Self { verdict: Verdict::Pass, findings: Vec::new(), findings_dropped: 0 }
    }

    /// A review with `verdict` and no findings.
    pub fn with_verdict(verdict: Verdict) -> Self {
        Self { verdict, ..Self::pass() }
    }

    /// A review whose verdict is the most severe of its findings; findings past
    /// [`MAX_FINDINGS`](crate::MAX_FINDINGS) are counted in `findings_dropped`, not kept.
    pub fn from_findings(findings: Vec<ReviewFinding>) -> Self {
        let mut review = Self::pass();
        for f in findings {
            review.push(f);
        }
        review
    }

    /// Add a finding: the verdict becomes the more severe of the two; past
    /// [`MAX_FINDINGS`](crate::MAX_FINDINGS) findings, it is only counted (`findings_dropped`),
    /// so a reviewer building its result with `push` uses bounded memory on any input.
    pub fn push(&mut self, finding: ReviewFinding) {
        self.verdict = self.verdict.max(finding.verdict);
        if self.findings.len() < crate::MAX_FINDINGS {
            self.findings.push(finding);
        } else {
            self.findings_dropped += 1;
        }
    }

    /// Merge two reviews of the same output: the more severe verdict, all findings up to
    /// [`MAX_FINDINGS`](crate::MAX_FINDINGS), the others counted in `findings_dropped`.
    pub fn combine(mut self, other: Review) -> Self {
        self.findings_dropped += other.findings_dropped;
        for f in other.findings {
            self.push(f);
        }
        self.verdict = self.verdict.max(other.verdict);
        self
    }
}

/// The rule for an empty answer, one place for every reviewer and the pipeline: an answer with
/// no content (empty, whitespace, punctuation or only citation markers such as `[1] [2]`, which
/// a small model may emit instead of an answer) is a failed answer, not a grounded one; a human
/// takes over (Escalate, code `empty_answer`). `None` for an answer with content.
pub fn empty_answer(reviewer: &str, output: &str) -> Option<ReviewFinding> {
    (!govai_text::citation::has_content(output)).then(|| ReviewFinding {
        reviewer: reviewer.to_owned(),
        code: "empty_answer".to_owned(),
        message: "答复为空（或只有空白、标点、引用标注），没有可供公众参考的内容，需转人工".to_owned(),
        verdict: Verdict::Escalate,
        span: None,
    })
}

/// When a reviewer runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStage {
    /// Before inference, on the request alone (`ctx.output` is empty): a Block or Escalate
    /// here means the model never sees the request (injection screening, refusal policy).
    Input,
    /// After inference, on the answer.
    Output,
}

/// A check of requests (input stage) or model output (output stage). Scenarios list the
/// reviewer ids they require; the pipeline runs them and keeps the most severe verdict.
pub trait Reviewer: Send + Sync {
    /// The name scenarios use to require this reviewer.
    fn id(&self) -> &str;
    /// Input reviewers run before the model is called; the default is the answer stage.
    fn stage(&self) -> ReviewStage {
        ReviewStage::Output
    }
    /// Review `ctx`. An error fails the request; a rejected output is a verdict, not an error.
    fn review(&self, ctx: &ReviewContext<'_>) -> Result<Review>;
    /// What part of a streamed answer this reviewer can judge (see [`crate::stream`]). The
    /// default, complete sentences, is always safe; reviewers whose findings are local matches
    /// (terms, personal data) say [`StreamCheck::Window`] so text flows with a short hold-back.
    fn stream_check(&self) -> StreamCheck {
        StreamCheck::Sentences
    }
}

/// What text a reviewer needs to judge a streamed answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StreamCheck {
    /// Any window of text. Findings are local matches no longer than the stream's hold-back, so
    /// a match whose first character is released is whole in the window when it is reviewed.
    Window,
    /// Complete sentences only (numbers, citations, grounding): a half-streamed "1" of "15个
    /// 工作日" must not be judged. With such a reviewer, text is released sentence by sentence.
    Sentences,
}

impl std::fmt::Debug for dyn Reviewer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reviewer").field("id", &self.id()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(verdict: Verdict) -> ReviewFinding {
        ReviewFinding { reviewer: "t".into(), code: "c".into(), message: String::new(), verdict, span: None }
    }

    #[test]
    fn severity_order() {
        assert!(Verdict::Pass < Verdict::Revise);
        assert!(Verdict::Revise < Verdict::Block);
        assert!(Verdict::Block < Verdict::Escalate);
        assert_eq!(Review::from_findings(vec![f(Verdict::Revise), f(Verdict::Block)]).verdict, Verdict::Block);
        assert_eq!(Review::from_findings(vec![]).verdict, Verdict::Pass);
        assert_eq!(
            Review::pass().combine(Review::from_findings(vec![f(Verdict::Escalate)])).verdict,
            Verdict::Escalate
        );
    }

    #[test]
    fn answers_without_content_are_empty() {
        for empty in ["", "  \n", "[1]", "[1] [2] [3]", "【1，2】。", "［１］…", "。！"] {
            assert!(empty_answer("t", empty).is_some(), "{empty:?} should be empty");
        }
        for content in ["是。[1]", "[1] 12333", "OK", "[1]需要身份证", "[编号]"] {
            assert!(empty_answer("t", content).is_none(), "{content:?} has content");
        }
    }

    #[test]
    fn findings_are_capped_and_counted() {
        let mut many = vec![f(Verdict::Revise); crate::MAX_FINDINGS + 5];
        many.push(f(Verdict::Escalate));
        let r = Review::from_findings(many);
        assert_eq!(r.findings.len(), crate::MAX_FINDINGS);
        assert_eq!(r.findings_dropped, 6);
        assert_eq!(r.verdict, Verdict::Escalate, "dropped findings still count for the verdict");
        let both = r.clone().combine(r);
        assert_eq!(both.findings.len(), crate::MAX_FINDINGS);
        assert_eq!(both.findings_dropped, 6 + 6 + crate::MAX_FINDINGS);
        let json = serde_json::to_value(Review::pass()).unwrap();
        assert!(json.get("findings_dropped").is_none(), "additive field only when findings were dropped");
    }
}
