//! `POST /v1/chat/completions`: one request through the pipeline, whole or streamed. Nothing is
//! released before review: the stream carries only what the pipeline hands on after review
//! (the same rule as `govai run --stream`), and a refusal or hand-over is an ordinary
//! assistant message with `finish_reason: "content_filter"`.

use std::convert::Infallible;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Extension;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use govai::{Cancel, DataLevel, Request as GovaiRequest, Response as GovaiResponse};
use serde_json::{Value, json};
use tokio::sync::{OwnedSemaphorePermit, mpsc};

use crate::api::reply;
use crate::envelope::govai_object;
use crate::error::{Error, Result};
use crate::gateway::{Caller, Gateway};
use crate::limits::Slot;
use crate::wire::{self, Bounds, ChatRequest};

/// Released pieces buffered between the pipeline and a slow client.
const STREAM_BUFFER: usize = 64;

/// The handler.
pub async fn completions(
    State(g): State<Arc<Gateway>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = Instant::now();
    let admitted = admit(&g, &caller, &headers, body).await;
    let (chat, request, slot) = match admitted {
        Ok(a) => a,
        Err(e) => return g.reply_error(e),
    };
    if chat.stream {
        let include_usage = chat.stream_options.as_ref().is_some_and(|o| o.include_usage);
        return reply(&g, stream(g.clone(), caller, request, slot, include_usage, started).await);
    }
    reply(&g, whole(&g, &caller, request, slot, started).await)
}

/// Parse and check the request, the caller's rights and limits.
async fn admit(
    g: &Gateway,
    caller: &Caller,
    headers: &HeaderMap,
    body: Body,
) -> Result<(ChatRequest, GovaiRequest, Slot)> {
    caller.require(govai::server_config::Permission::Chat, "call chat completions")?;
    let chat: ChatRequest = g.read_json(headers, body).await?;
    let bounds = Bounds { max_messages: g.settings.max_messages, max_message_bytes: g.settings.max_message_bytes };
    chat.check(bounds)?;
    g.check_scenario(caller, &chat.model)?;
    let slot = g.limiter.admit(&caller.id, &caller.role)?;
    let mut request = chat.to_request(bounds, &caller.id, &caller.role_name)?;
    request.request_id = headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    // Before any answer starts (also a stream): input above the role's level is a 403.
    let request = check_level_blocking(g, caller, request).await?;
    Ok((chat, request, slot))
}

/// [`Gateway::check_level`] off the async threads.
async fn check_level_blocking(g: &Gateway, caller: &Caller, request: GovaiRequest) -> Result<GovaiRequest> {
    let texts: Vec<String> =
        request.messages.iter().map(|m| m.content.clone()).chain(request.documents.iter().cloned()).collect();
    let scenario = request.scenario.clone();
    let (deployment, caller2) = (g.deployment.clone(), caller.clone());
    crate::api::blocking(move || check_level(&deployment, &caller2, &scenario, &texts)).await?;
    Ok(request)
}

impl Gateway {
    /// The scenario exists and the caller's role may use it.
    pub(crate) fn check_scenario(&self, caller: &Caller, id: &str) -> Result<()> {
        if self.deployment.scenario(id).is_none() {
            return Err(Error::NotFound(format!(
                "model: unknown scenario `{id}` (GET /v1/models lists the scenarios you may use)"
            )));
        }
        if !caller.role.allows_scenario(id) {
            return Err(Error::Forbidden(format!("role `{}` may not use scenario `{id}`", caller.role_name)));
        }
        Ok(())
    }

    /// A place among the requests served at once, waiting up to the request timeout.
    async fn work_permit(&self) -> Result<OwnedSemaphorePermit> {
        let wait = Duration::from_secs(self.settings.request_timeout_secs);
        match tokio::time::timeout(wait, self.work.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_)) => Err(Error::Unavailable("the server is shutting down".into())),
            Err(_) => Err(Error::Timeout(self.settings.request_timeout_secs)),
        }
    }

    fn deadline(&self) -> tokio::time::Instant {
        tokio::time::Instant::now() + Duration::from_secs(self.settings.request_timeout_secs)
    }
}

/// Cancels when dropped: a handler future dropped (the client went away) stops the pipeline
/// at the model's next token.
struct CancelOnDrop(Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// Run the pipeline on a blocking thread, with every released piece given to `on_piece`.
/// `cancel` stops it at the model's next token, or before the model when set while the request
/// waited (outcome `cancelled`, audited).
fn run_pipeline(
    g: &Gateway,
    request: GovaiRequest,
    cancel: &Cancel,
    on_piece: &mut (dyn FnMut(&str) -> ControlFlow<()> + Send),
) -> Result<GovaiResponse> {
    Ok(g.deployment.handle_stream_with_cancel(request, cancel, on_piece)?)
}

/// Input above the role's `max_level` is refused before the pipeline, and the refusal is an
/// audit record (`gateway_denied`).
fn check_level(deployment: &govai::Deployment, caller: &Caller, scenario: &str, texts: &[String]) -> Result<()> {
    let mut level = DataLevel::Public;
    for text in texts {
        level = level.max(deployment.classify(text)?.level);
    }
    if level <= caller.role.max_level {
        return Ok(());
    }
    deployment.audit_log().append(json!({
        "kind": "gateway_denied",
        "user": caller.id,
        "user_role": caller.role_name,
        "scenario": scenario,
        "reason": "data_level",
        "data_level": level,
        "max_level": caller.role.max_level,
    }))?;
    Err(Error::Forbidden(format!(
        "the input is classified {level} ({}), above what role `{}` may submit ({})",
        level.name_zh(),
        caller.role_name,
        caller.role.max_level
    )))
}

/// `stream: false`.
async fn whole(
    g: &Arc<Gateway>,
    caller: &Caller,
    request: GovaiRequest,
    slot: Slot,
    started: Instant,
) -> Result<Response> {
    let permit = g.work_permit().await?;
    let question = question_of(&request);
    let cancel = Cancel::new();
    let _cancel_on_drop = CancelOnDrop(cancel.clone());
    let job = {
        let (g, caller, cancel) = (g.clone(), caller.clone(), cancel.clone());
        tokio::task::spawn_blocking(move || {
            let _held = (permit, slot);
            let response = run_pipeline(&g, request, &cancel, &mut |_| ControlFlow::Continue(()))?;
            let queued = g.queue_if_needed(&caller, &question, &response)?;
            Ok::<_, Error>((response, queued))
        })
    };
    let _in_flight = g.metrics.start();
    let (response, queued) = match tokio::time::timeout_at(g.deadline(), job).await {
        Ok(joined) => joined.map_err(|e| Error::Internal(format!("pipeline task: {e}")))??,
        Err(_) => {
            cancel.cancel();
            return Err(Error::Timeout(g.settings.request_timeout_secs));
        }
    };
    g.metrics.observe(&response, started.elapsed().as_secs_f64());
    let mode = caller.role.personal_data;
    let content = g.redactor.apply(&response.labelled_output, mode)?;
    let body = json!({
        "id": wire::completion_id(&response.request_id),
        "object": "chat.completion",
        "created": wire::now(),
        "model": response.scenario,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content},
            "finish_reason": wire::finish_reason(&response),
        }],
        "usage": wire::usage(&response),
        "govai": with_review(govai_object(&response, mode, &g.redactor)?, queued.as_ref()),
    });
    Ok(axum::Json(body).into_response())
}

/// `stream: true`: server-sent events in the OpenAI chunk format, ending with `data: [DONE]`.
async fn stream(
    g: Arc<Gateway>,
    caller: Caller,
    mut request: GovaiRequest,
    slot: Slot,
    include_usage: bool,
    started: Instant,
) -> Result<Response> {
    let permit = g.work_permit().await?;
    let (events, rx) = mpsc::channel::<Event>(STREAM_BUFFER);
    // The chunks' id is known before the pipeline runs: fix the request id now.
    let request_id = request.request_id.get_or_insert_with(|| uuid::Uuid::new_v4().to_string()).clone();
    let chunk = ChunkWriter { id: wire::completion_id(&request_id), model: request.scenario.clone() };
    tokio::spawn(produce(g, caller, request, (permit, slot), events, chunk, include_usage, started));
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|event| (Ok::<Event, Infallible>(event), rx))
    });
    Ok(Sse::new(body).keep_alive(KeepAlive::default()).into_response())
}

/// Builds the chunks of one stream.
struct ChunkWriter {
    id: String,
    model: String,
}

impl ChunkWriter {
    fn chunk(&self, delta: Value, finish_reason: Option<&str>) -> Value {
        json!({
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": wire::now(),
            "model": self.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
        })
    }

    fn event(value: &Value) -> Event {
        Event::default().data(value.to_string())
    }
}

/// Feed one stream: run the pipeline, forward each reviewed piece, then the closing chunk with
/// the `govai` object. A client that goes away, or the timeout, cancels the pipeline.
#[allow(clippy::too_many_arguments)]
async fn produce(
    g: Arc<Gateway>,
    caller: Caller,
    request: GovaiRequest,
    held: (OwnedSemaphorePermit, Slot),
    events: mpsc::Sender<Event>,
    writer: ChunkWriter,
    include_usage: bool,
    started: Instant,
) {
    let _in_flight = g.metrics.start();
    let cancel = Cancel::new();
    let question = question_of(&request);
    let (pieces_tx, mut pieces) = mpsc::channel::<String>(STREAM_BUFFER);
    let job = {
        let (g, caller, cancel) = (g.clone(), caller.clone(), cancel.clone());
        tokio::task::spawn_blocking(move || {
            let _held = held;
            let response =
                run_pipeline(&g, request, &cancel, &mut |piece| match pieces_tx.blocking_send(piece.to_owned()) {
                    Ok(()) => ControlFlow::Continue(()),
                    Err(_) => ControlFlow::Break(()),
                })?;
            let queued = g.queue_if_needed(&caller, &question, &response)?;
            Ok::<_, Error>((response, queued))
        })
    };
    let role = writer.chunk(json!({"role": "assistant", "content": ""}), None);
    let _ = events.send(ChunkWriter::event(&role)).await;
    let mode = caller.role.personal_data;
    let deadline = g.deadline();
    let mut timed_out = false;
    loop {
        tokio::select! {
            piece = pieces.recv() => {
                let Some(piece) = piece else { break };
                let text = match g.redactor.apply(&piece, mode) {
                    Ok(t) => t,
                    Err(_) => { cancel.cancel(); break; }
                };
                let chunk = writer.chunk(json!({"content": text}), None);
                if events.send(ChunkWriter::event(&chunk)).await.is_err() {
                    cancel.cancel();
                }
            }
            () = events.closed() => { cancel.cancel(); }
            () = tokio::time::sleep_until(deadline), if !timed_out => {
                timed_out = true;
                cancel.cancel();
            }
        }
        if cancel.is_cancelled() {
            // Drain what the pipeline still hands on, so it reaches its (cancelled) end.
            while pieces.recv().await.is_some() {}
            break;
        }
    }
    let result = match job.await {
        Ok(r) => r,
        Err(e) => Err(Error::Internal(format!("pipeline task: {e}"))),
    };
    let last = match result {
        // The pipeline stopped at the deadline (audited as cancelled): the client is told why.
        _ if timed_out => {
            g.metrics.error(crate::ErrorKind::Timeout);
            vec![ChunkWriter::event(&Error::Timeout(g.settings.request_timeout_secs).to_json())]
        }
        Ok((response, queued)) => {
            g.metrics.observe(&response, started.elapsed().as_secs_f64());
            closing_events(&g, &writer, &response, queued.as_ref(), mode, include_usage)
        }
        Err(e) => {
            g.metrics.error(e.kind());
            vec![ChunkWriter::event(&e.to_json())]
        }
    };
    for event in last {
        if events.send(event).await.is_err() {
            return;
        }
    }
}

/// The closing chunk (finish reason and the `govai` object), the usage chunk when asked
/// for, and `[DONE]`.
fn closing_events(
    g: &Gateway,
    writer: &ChunkWriter,
    response: &GovaiResponse,
    queued: Option<&govai_store::ReviewItem>,
    mode: govai::server_config::PersonalData,
    include_usage: bool,
) -> Vec<Event> {
    let mut last = writer.chunk(json!({}), Some(wire::finish_reason(response)));
    match govai_object(response, mode, &g.redactor) {
        Ok(object) => last["govai"] = with_review(object, queued),
        Err(e) => return vec![ChunkWriter::event(&e.to_json())],
    }
    let mut events = vec![ChunkWriter::event(&last)];
    if include_usage {
        let mut usage = writer.chunk(json!({}), None);
        usage["choices"] = json!([]);
        usage["usage"] = wire::usage(response);
        events.push(ChunkWriter::event(&usage));
    }
    events.push(Event::default().data("[DONE]"));
    events
}

/// The last user turn as the caller wrote it (what a reviewer sees as the question).
fn question_of(request: &GovaiRequest) -> String {
    request
        .messages
        .iter()
        .rev()
        .find(|m| m.role == govai::Role::User)
        .map_or_else(|| request.text.clone(), |m| m.content.clone())
}

/// The `govai` object with `review` (the queue item to poll) when the answer waits for a person.
fn with_review(mut object: Value, queued: Option<&govai_store::ReviewItem>) -> Value {
    if let Some(item) = queued {
        object["review"] = crate::queue::review_ref(item);
    }
    object
}
