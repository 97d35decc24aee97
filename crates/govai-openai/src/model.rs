//! [`OpenAiModel`]: a [`Model`] served by an OpenAI-compatible chat completions service, with
//! an ordered list of fallback models tried when it fails before any text was produced.

use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use govai_core::{InferenceInput, InferenceOutput, InferenceSink, Model, ModelInfo, ModelRef, Source};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::breaker::CircuitState;
use crate::error::{Error, Result};
use crate::options::OpenAiOptions;
use crate::transport::{Failure, StreamTo, Upstream};
use crate::wire::{self, Answer};

/// Totals of one remote model since it was built, for metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpstreamStats {
    /// Requests sent upstream (each attempt counts).
    pub attempts: u64,
    /// Of which retries.
    pub retries: u64,
    /// Attempts that failed.
    pub failed_attempts: u64,
    /// Calls refused at once because the circuit was open.
    pub circuit_rejections: u64,
    /// Calls a fallback answered.
    pub fallback_answers: u64,
}

/// Pieces of a streamed answer buffered between the HTTP task and the caller's sink.
const STREAM_BUFFER: usize = 64;

/// A remote chat model. Its HTTP work runs on a small runtime of its own, so it serves
/// callers on any executor (the blocking facade drives futures with `pollster`).
pub struct OpenAiModel {
    info: ModelInfo,
    upstream: Arc<Upstream>,
    fallbacks: Vec<Arc<dyn Model>>,
    runtime: Runtime,
}

impl std::fmt::Debug for OpenAiModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiModel")
            .field("info", &self.info)
            .field("options", &self.upstream.options)
            .field("fallbacks", &self.fallbacks.iter().map(|m| m.info().id.as_str()).collect::<Vec<_>>())
            .field("circuit", &self.circuit_state())
            .finish()
    }
}

impl OpenAiModel {
    /// A model named by `info` served at `options.base_url`. Checks the options; the API key's
    /// variable is read at each request (a missing one fails the request, naming the variable).
    pub fn new(info: ModelInfo, options: OpenAiOptions) -> Result<Self> {
        let upstream = Arc::new(Upstream::new(options)?);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name(format!("govai-openai-{}", info.id))
            .enable_all()
            .build()
            .map_err(|e| Error::Config { key: "runtime", reason: format!("cannot start the HTTP runtime: {e}") })?;
        Ok(Self { info, upstream, fallbacks: Vec::new(), runtime: Runtime(Some(runtime)) })
    }

    /// Models tried in order when the upstream fails before producing any text. The caller
    /// checks that each may receive whatever this one may (the facade does).
    pub fn with_fallbacks(mut self, fallbacks: Vec<Arc<dyn Model>>) -> Self {
        self.fallbacks = fallbacks;
        self
    }

    /// The fallbacks, in order.
    pub fn fallbacks(&self) -> &[Arc<dyn Model>] {
        &self.fallbacks
    }

    /// The options.
    pub fn options(&self) -> &OpenAiOptions {
        &self.upstream.options
    }

    /// The circuit breaker's state.
    pub fn circuit_state(&self) -> CircuitState {
        self.upstream.breaker.state()
    }

    /// Totals since the model was built.
    pub fn stats(&self) -> UpstreamStats {
        let c = &self.upstream.counters;
        let get = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
        UpstreamStats {
            attempts: get(&c.attempts),
            retries: get(&c.retries),
            failed_attempts: get(&c.failed_attempts),
            circuit_rejections: get(&c.circuit_rejections),
            fallback_answers: get(&c.fallback_answers),
        }
    }

    /// Ask the upstream alone (no fallbacks), whole.
    async fn upstream_whole(&self, input: &InferenceInput) -> Result<Answer, Failure> {
        let body = self.body(input, false)?;
        let upstream = self.upstream.clone();
        let task = self.runtime.spawn(async move { upstream.call(body, None).await });
        task.join().await
    }

    /// Ask the upstream alone (no fallbacks), streaming into `sink`.
    async fn upstream_stream(&self, input: &InferenceInput, sink: &mut dyn InferenceSink) -> Result<Answer, Failure> {
        let body = self.body(input, true)?;
        let (tx, mut rx) = mpsc::channel(STREAM_BUFFER);
        let to = Arc::new(StreamTo { tx, delivered: AtomicBool::new(false) });
        let upstream = self.upstream.clone();
        let task_to = to.clone();
        let task = self.runtime.spawn(async move { upstream.call(body, Some(&task_to)).await });
        drop(to);
        let mut text = String::new();
        sink.sources(&[]);
        while let Some(piece) = rx.recv().await {
            text.push_str(&piece);
            if let ControlFlow::Break(()) = sink.text(&piece) {
                // Stop: dropping the task closes the connection, which stops generation.
                drop(task);
                return Ok(Answer { text, usage: None });
            }
        }
        task.join().await
    }

    fn body(&self, input: &InferenceInput, stream: bool) -> Result<Vec<u8>, Failure> {
        serde_json::to_vec(&wire::chat_request(&self.upstream.options, input, stream)).map_err(|e| Failure {
            error: Error::Protocol(format!("cannot encode the request: {e}")),
            delivered: false,
        })
    }

    fn output(&self, answer: Answer) -> InferenceOutput {
        InferenceOutput { text: answer.text, usage: answer.usage, ..InferenceOutput::default() }
    }

    /// After the upstream failed before any text: the fallbacks in order. A fallback that
    /// fails after streaming text ends the call (its text has been seen).
    async fn fall_back(
        &self,
        input: &InferenceInput,
        first: Error,
        mut sink: Option<&mut dyn InferenceSink>,
    ) -> govai_core::Result<InferenceOutput> {
        if self.fallbacks.is_empty() {
            return Err(first.into_core(&self.info.id));
        }
        let mut failures = vec![format!("upstream: {first}")];
        for fallback in &self.fallbacks {
            let result = match sink.as_deref_mut() {
                None => fallback.infer(input).await.map_err(|e| (e, false)),
                Some(sink) => {
                    let mut counting = Counting { inner: sink, pieces: 0 };
                    let out = fallback.infer_stream(input, &mut counting).await;
                    let delivered = counting.pieces > 0;
                    out.map_err(|e| (e, delivered))
                }
            };
            match result {
                Ok(mut out) => {
                    self.upstream.counters.fallback_answers.fetch_add(1, Ordering::Relaxed);
                    out.served_by.get_or_insert_with(|| ModelRef::from(fallback.info()));
                    return Ok(out);
                }
                Err((e, delivered)) => {
                    failures.push(format!("fallback `{}`: {e}", fallback.info().id));
                    if delivered {
                        break;
                    }
                }
            }
        }
        Err(Error::AllFailed(failures.join("; ")).into_core(&self.info.id))
    }
}

#[async_trait]
impl Model for OpenAiModel {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    async fn infer(&self, input: &InferenceInput) -> govai_core::Result<InferenceOutput> {
        match self.upstream_whole(input).await {
            Ok(answer) => Ok(self.output(answer)),
            Err(f) => self.fall_back(input, f.error, None).await,
        }
    }

    async fn infer_stream(
        &self,
        input: &InferenceInput,
        sink: &mut dyn InferenceSink,
    ) -> govai_core::Result<InferenceOutput> {
        match self.upstream_stream(input, sink).await {
            Ok(answer) => Ok(self.output(answer)),
            Err(f) if f.delivered => Err(f.error.into_core(&self.info.id)),
            Err(f) => self.fall_back(input, f.error, Some(sink)).await,
        }
    }
}

/// Counts the pieces a fallback streamed.
struct Counting<'a> {
    inner: &'a mut dyn InferenceSink,
    pieces: usize,
}

impl InferenceSink for Counting<'_> {
    fn sources(&mut self, sources: &[Source]) {
        self.inner.sources(sources);
    }

    fn text(&mut self, piece: &str) -> ControlFlow<()> {
        if !piece.is_empty() {
            self.pieces += 1;
        }
        self.inner.text(piece)
    }
}

/// The model's runtime; shut down without waiting when dropped (also from inside another
/// runtime, where a blocking shutdown would panic).
struct Runtime(Option<tokio::runtime::Runtime>);

impl Runtime {
    fn spawn<T: Send + 'static>(&self, f: impl Future<Output = T> + Send + 'static) -> Task<T> {
        match &self.0 {
            Some(rt) => Task(Some(rt.spawn(f))),
            None => Task(None),
        }
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

/// A spawned call, aborted when dropped (the caller went away or stopped the stream).
struct Task<T>(Option<JoinHandle<T>>);

impl Task<Result<Answer, Failure>> {
    async fn join(mut self) -> Result<Answer, Failure> {
        let failed = |reason: String| Failure { error: Error::Protocol(reason), delivered: false };
        let Some(handle) = self.0.as_mut() else { return Err(failed("the HTTP runtime has stopped".into())) };
        handle.await.unwrap_or_else(|e| Err(failed(format!("the HTTP task failed: {e}"))))
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        if let Some(h) = &self.0 {
            h.abort();
        }
    }
}
