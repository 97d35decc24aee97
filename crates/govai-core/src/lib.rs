//! govai-core: the rules of safe government use of large models, as types.
//!
//! Data levels and the policy gate, the 13-scenario catalog, the `Model`, `Scenario`,
//! `DataClassifier` and `Reviewer` traits, the pipeline (`Deployment::handle`), reversible
//! pseudonymisation, AI-content labels and the hash-chained audit log. No ONNX Runtime, no
//! Python, no I/O beyond the audit log and the bounded readers of [`io`].

#![warn(missing_docs)]

pub mod audit;
mod cancel;
mod classify;
mod conversation;
pub mod error;
pub mod feedback;
pub mod io;
pub mod label;
mod level;
pub mod mask;
mod model;
mod pipeline;
pub mod policy;
pub mod reference;
mod request;
mod response;
mod review;
pub mod scenario;
pub mod stream;

pub use audit::{AuditLog, AuditOptions, AuditReceipt, AuditRecord, FsyncPolicy, VerifyReport};
pub use cancel::Cancel;
pub use classify::{Classification, DataClassifier, Finding};
pub use conversation::ConversationLimits;
pub use error::{Error, ErrorKind, Result};
pub use feedback::Feedback;
pub use label::{AiLabel, LabelConfig, LabelFormat, NoticePosition, new_content_id};
pub use level::{DataLevel, Location};
pub use model::{
    Filing, InferenceInput, InferenceOutput, InferenceSink, Model, ModelInfo, ModelKind, Source, TokenUsage,
};
pub use pipeline::{Canary, Deployment, DeploymentBuilder, TextCallback};
pub use policy::{GateAction, GateDecision, GateRule, OverClearance, Policy, Pseudonymize};
pub use reference::{ReferenceAnswers, ReferenceHit};
pub use request::{
    MAX_CALLER_FIELD_BYTES, MAX_FILE_BYTES, MAX_FINDINGS, MAX_LINE_BYTES, MAX_REQUEST_BYTES, MAX_TURNS, Message,
    Request, Role,
};
pub use response::{
    Escalation, InputCheck, InputDecision, LayerReview, ModelRef, Outcome, Response, StageTimings, StreamReport,
};
pub use review::{
    OUT_OF_SCOPE, Review, ReviewContext, ReviewFinding, ReviewStage, Reviewer, StreamCheck, Verdict, empty_answer,
};
pub use scenario::{Category, Scenario, ScenarioSpec, SpecScenario, TaskKind};
pub use stream::{StreamReview, StreamReviewConfig, StreamStep};

/// Re-exported so implementors of [`Model`] use the same macro version.
pub use async_trait::async_trait;
