//! A scripted OpenAI-compatible upstream on 127.0.0.1 (axum), for the failure modes a real
//! server cannot be made to show on demand. Records what it received.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// An error status with an OpenAI error body, and `Retry-After` if given.
    Status(u16, Option<&'static str>),
    /// A whole chat completion.
    Whole(&'static str),
    /// An SSE answer in these pieces; `cut`: the connection drops after them (no finish).
    Stream { pieces: Vec<&'static str>, cut: bool },
    /// Wait, then answer.
    Delay(Duration, Box<Reply>),
    /// A body of this many bytes claiming to be JSON.
    Huge(usize),
    /// A whole JSON answer to a streamed request (an upstream that ignores `stream: true`).
    Json(&'static str),
    /// This body with this content type, as it is.
    Raw(&'static str, &'static str),
    /// 307 to this URL.
    Redirect(String),
}

/// What the upstream received.
#[derive(Debug, Clone)]
pub struct Received {
    pub authorization: Option<String>,
    pub body: serde_json::Value,
}

#[derive(Default)]
struct Script {
    replies: Mutex<VecDeque<Reply>>,
    received: Mutex<Vec<Received>>,
}

pub struct FakeUpstream {
    runtime: Option<tokio::runtime::Runtime>,
    script: Arc<Script>,
    pub base_url: String,
}

impl FakeUpstream {
    /// Serve `replies` in order (an exhausted script answers 500).
    pub fn start(replies: Vec<Reply>) -> Self {
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("test runtime");
        let script = Arc::new(Script { replies: Mutex::new(replies.into()), ..Script::default() });
        let app = axum::Router::new().route("/v1/chat/completions", post(handle)).with_state(script.clone());
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind a loopback port");
        let addr = listener.local_addr().expect("address");
        runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { runtime: Some(runtime), script, base_url: format!("http://{addr}/v1") }
    }

    pub fn received(&self) -> Vec<Received> {
        self.script.received.lock().expect("lock").clone()
    }

    pub fn requests(&self) -> usize {
        self.script.received.lock().expect("lock").len()
    }

    pub fn push(&self, reply: Reply) {
        self.script.replies.lock().expect("lock").push_back(reply);
    }
}

impl Drop for FakeUpstream {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// A base URL where nothing listens (a port just released).
pub fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    drop(listener);
    format!("http://{addr}/v1")
}

fn chunk(content: Option<&str>, finish: Option<&str>) -> String {
    let delta = match content {
        Some(c) => serde_json::json!({ "content": c }),
        None => serde_json::json!({}),
    };
    let v = serde_json::json!({ "object": "chat.completion.chunk", "choices": [{ "index": 0, "delta": delta, "finish_reason": finish }] });
    format!("data: {v}\n\n")
}

async fn handle(State(script): State<Arc<Script>>, headers: HeaderMap, body: Bytes) -> Response {
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let body = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
    script.received.lock().expect("lock").push(Received { authorization, body });
    let reply = script.replies.lock().expect("lock").pop_front().unwrap_or(Reply::Status(500, None));
    respond(reply).await
}

async fn respond(reply: Reply) -> Response {
    let mut reply = reply;
    while let Reply::Delay(d, next) = reply {
        tokio::time::sleep(d).await;
        reply = *next;
    }
    let builder = Response::builder();
    match reply {
        Reply::Status(status, retry_after) => {
            let mut b = builder.status(StatusCode::from_u16(status).expect("status")).header("content-type", "application/json");
            if let Some(ra) = retry_after {
                b = b.header("retry-after", ra);
            }
            let body = serde_json::json!({ "error": { "message": "the prompt was: secret words", "type": "server_error", "code": status } });
            b.body(Body::from(body.to_string()))
        }
        Reply::Whole(text) | Reply::Json(text) => {
            let body = serde_json::json!({
                "object": "chat.completion",
                "choices": [{ "index": 0, "message": { "role": "assistant", "content": text }, "finish_reason": "stop" }],
                "usage": { "prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18 }
            });
            builder.header("content-type", "application/json").body(Body::from(body.to_string()))
        }
        Reply::Raw(content_type, body) => builder.header("content-type", content_type).body(Body::from(body)),
        Reply::Redirect(to) => builder.status(StatusCode::TEMPORARY_REDIRECT).header("location", to).body(Body::empty()),
        Reply::Huge(n) => builder.header("content-type", "application/json").body(Body::from(vec![b' '; n])),
        Reply::Stream { pieces, cut } => {
            let mut items: Vec<Result<String, std::io::Error>> = vec![Ok(chunk(None, None))];
            items.extend(pieces.iter().map(|p| Ok(chunk(Some(p), None))));
            if cut {
                items.push(Err(std::io::Error::other("connection dropped")));
            } else {
                items.push(Ok(chunk(None, Some("stop"))));
                items.push(Ok("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3}}\n\n".to_owned()));
                items.push(Ok("data: [DONE]\n\n".to_owned()));
            }
            // Paced, so what comes before a cut reaches the client before the connection drops.
            let stream = futures_util::stream::unfold(items.into_iter(), |mut it| async move {
                let item = it.next()?;
                tokio::time::sleep(Duration::from_millis(15)).await;
                Some((item, it))
            });
            builder.header("content-type", "text/event-stream").body(Body::from_stream(stream))
        }
        Reply::Delay(..) => unreachable!("unwrapped above"),
    }
    .expect("response")
}
