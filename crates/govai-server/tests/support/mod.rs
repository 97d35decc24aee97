//! Test harness: a gateway on 127.0.0.1 (ephemeral port) from a config written into a temp dir,
//! an echoing OpenAI-compatible upstream that records what it received, and a small HTTP client.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use serde_json::{Value, json};

/// A running gateway.
pub struct Gateway {
    pub runtime: tokio::runtime::Runtime,
    pub base: String,
    pub dir: tempfile::TempDir,
    pub audit: PathBuf,
    pub gateway: Arc<govai_server::Gateway>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    done: Option<tokio::task::JoinHandle<govai_server::Result<()>>>,
}

/// The deployment every test uses: the built-in FAQ for `intelligent_qa`, and a custom
/// scenario `echo` (input screen and lexicon only) served by a remote model at `upstream`.
pub fn config(upstream: &str, server: &str) -> String {
    format!(
        r#"
[deployment]
name = "测试网关"

[audit]
path = "audit.jsonl"
fsync = "never"

[[models]]
id = "faq"
backend = "faq"
clearance = "sensitive"
location = "on_premises"

[[models]]
id = "remote"
backend = "openai"
base_url = "{upstream}"
upstream_model = "echo"
clearance = "sensitive"
location = "on_premises"
retries = {{ max = 0 }}
timeouts = {{ connect_ms = 500, first_token_ms = 5000, total_ms = 20000 }}

[[scenarios]]
id = "intelligent_qa"
model = "faq"

[[scenarios]]
id = "echo"
model = "remote"
name_zh = "回声"
name_en = "Echo"
category = "office_work"
public_facing = false
task = "assist"
ceiling = "sensitive"
human_signoff = false
reviewers = ["input_screen", "lexicon"]
prompt_template = "{{query}}"
metrics = []

[[scenarios]]
id = "echo_public"
model = "remote"
name_zh = "回声（公众）"
name_en = "Echo (public)"
category = "public_service"
public_facing = true
task = "answer"
ceiling = "sensitive"
human_signoff = false
reviewers = ["citation"]
prompt_template = "{{query}}"
metrics = []

[server]
{server}
"#
    )
}

impl Gateway {
    /// Start a gateway for `config` (written as govai.toml in a fresh temp dir).
    pub fn start(config: &str) -> Self {
        Self::start_with(config, |_| {})
    }

    /// As [`start`], after `prepare` ran on the temp dir (e.g. to create keys).
    pub fn start_with(config: &str, prepare: impl FnOnce(&std::path::Path)) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("govai.toml");
        std::fs::write(&path, config).expect("write config");
        prepare(dir.path());
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("rt");
        let gateway = Arc::new(govai_server::Gateway::load(&path).expect("gateway loads"));
        let (listener, _) = runtime.block_on(govai_server::bind(&gateway, Some("127.0.0.1:0"))).expect("bind loopback");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let done = runtime.spawn(govai_server::serve(gateway.clone(), listener, async move {
            let _ = stopped.await;
        }));
        Self { runtime, base, audit: dir.path().join("audit.jsonl"), dir, gateway, stop: Some(stop), done: Some(done) }
    }

    /// Ask the server to stop (as SIGTERM does) and wait until it has.
    pub fn shutdown(&mut self) -> govai_server::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.done.take() {
            Some(done) => self.runtime.block_on(done).expect("serve task"),
            None => Ok(()),
        }
    }

    /// The audit records written so far.
    pub fn audit_records(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.audit)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("audit line is JSON"))
            .collect()
    }

    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder().timeout(Duration::from_secs(60)).build().expect("client")
    }

    /// POST `body` (JSON) to `path` with an optional key; status, headers and parsed JSON.
    pub fn post(&self, path: &str, key: Option<&str>, body: &Value) -> (u16, reqwest::header::HeaderMap, Value) {
        self.post_raw(path, key, body.to_string().into_bytes())
    }

    pub fn post_raw(&self, path: &str, key: Option<&str>, body: Vec<u8>) -> (u16, reqwest::header::HeaderMap, Value) {
        let url = format!("{}{path}", self.base);
        let client = self.client();
        self.runtime.block_on(async move {
            let mut req = client.post(url).header("content-type", "application/json").body(body);
            if let Some(k) = key {
                req = req.bearer_auth(k);
            }
            let r = req.send().await.expect("request sent");
            let status = r.status().as_u16();
            let headers = r.headers().clone();
            let bytes = r.bytes().await.expect("body");
            let value = serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
            (status, headers, value)
        })
    }

    pub fn get(&self, path: &str, key: Option<&str>) -> (u16, String) {
        let url = format!("{}{path}", self.base);
        let client = self.client();
        self.runtime.block_on(async move {
            let mut req = client.get(url);
            if let Some(k) = key {
                req = req.bearer_auth(k);
            }
            let r = req.send().await.expect("request sent");
            (r.status().as_u16(), r.text().await.expect("body"))
        })
    }

    /// A streamed chat completion: the `data:` payloads in order (the last is `[DONE]`).
    pub fn stream(&self, key: Option<&str>, body: &Value) -> (u16, Vec<String>) {
        let (status, text) = {
            let url = format!("{}/v1/chat/completions", self.base);
            let client = self.client();
            let body = body.to_string();
            self.runtime.block_on(async move {
                let mut req = client.post(url).header("content-type", "application/json").body(body);
                if let Some(k) = key {
                    req = req.bearer_auth(k);
                }
                let r = req.send().await.expect("request sent");
                (r.status().as_u16(), r.text().await.expect("body"))
            })
        };
        let data = text.lines().filter_map(|l| l.strip_prefix("data: ")).map(str::to_owned).collect();
        (status, data)
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}

/// A chat request body.
pub fn chat(model: &str, text: &str, stream: bool) -> Value {
    json!({"model": model, "messages": [{"role": "user", "content": text}], "stream": stream})
}

/// An OpenAI-compatible upstream on 127.0.0.1 that answers with the last user message it got
/// (so placeholders come back), recording every body. A message containing `SLOW` is
/// answered as 40 sentences, 100 ms apart; `HOLD` (streamed) as one sentence that never ends,
/// `1，2，…，200，` a number at a time, 50 ms apart ([`HOLD_CHARS`] characters in 10 s); `FAIL`
/// gets HTTP 500; `RATE` HTTP 429; `BADSSE` a stream of non-JSON events; `CUT` a stream whose
/// connection drops after three sentences.
pub struct EchoUpstream {
    runtime: Option<tokio::runtime::Runtime>,
    received: Arc<Mutex<Vec<Value>>>,
    pub base_url: String,
}

impl EchoUpstream {
    pub fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("rt");
        let received = Arc::new(Mutex::new(Vec::new()));
        let app = axum::Router::new().route("/v1/chat/completions", post(echo)).with_state(received.clone());
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
        let addr = listener.local_addr().expect("addr");
        runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { runtime: Some(runtime), received, base_url: format!("http://{addr}/v1") }
    }

    /// Every body received, as JSON text.
    pub fn received_text(&self) -> String {
        self.received.lock().expect("lock").iter().map(Value::to_string).collect::<Vec<_>>().join("\n")
    }

    pub fn requests(&self) -> usize {
        self.received.lock().expect("lock").len()
    }
}

impl Drop for EchoUpstream {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// A base URL where nothing listens.
pub fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    drop(listener);
    format!("http://{addr}/v1")
}

fn sse(content: Option<&str>, finish: Option<&str>) -> String {
    let delta = content.map_or(json!({}), |c| json!({"content": c}));
    let v =
        json!({"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]});
    format!("data: {v}\n\n")
}

async fn echo(State(received): State<Arc<Mutex<Vec<Value>>>>, body: Bytes) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    received.lock().expect("lock").push(body.clone());
    let last = body["messages"]
        .as_array()
        .and_then(|m| m.iter().rev().find(|m| m["role"] == "user"))
        .and_then(|m| m["content"].as_str())
        .unwrap_or("")
        .to_owned();
    if last.contains("RATE") {
        return Response::builder()
            .status(StatusCode::TOO_MANY_REQUESTS)
            .header("content-type", "application/json")
            .header("retry-after", "1")
            .body(Body::from(r#"{"error":{"message":"slow down","type":"rate_limit_error"}}"#))
            .expect("response");
    }
    if last.contains("FAIL") {
        return Response::builder()
            .status(StatusCode::INTERNAL_SERVER_ERROR)
            .header("content-type", "application/json")
            .body(Body::from(r#"{"error":{"message":"boom","type":"server_error"}}"#))
            .expect("response");
    }
    if last.contains("BADSSE") || last.contains("CUT") {
        return broken_stream(last.contains("CUT"));
    }
    let slow = last.contains("SLOW");
    let answer = if slow { "这是一句慢慢生成的回答。".repeat(40) } else { format!("您说：{last}") };
    if body["stream"] != json!(true) {
        let v = json!({"object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assistant", "content": answer}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13}});
        return Response::builder()
            .header("content-type", "application/json")
            .body(Body::from(v.to_string()))
            .expect("r");
    }
    let (pieces, delay_ms): (Vec<String>, u64) = if last.contains("HOLD") {
        (held_pieces(), 50)
    } else if slow {
        (std::iter::repeat_n("这是一句慢慢生成的回答。".to_owned(), 40).collect(), 100)
    } else {
        (answer.chars().collect::<Vec<_>>().chunks(4).map(|c| c.iter().collect()).collect(), 2)
    };
    let delay = Duration::from_millis(delay_ms);
    let mut items: Vec<String> = pieces.iter().map(|p| sse(Some(p), None)).collect();
    items.push(sse(None, Some("stop")));
    items.push("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":4}}\n\n".to_owned());
    items.push("data: [DONE]\n\n".to_owned());
    let stream = futures_util::stream::unfold(items.into_iter(), move |mut it| async move {
        let item = it.next()?;
        tokio::time::sleep(delay).await;
        Some((Ok::<_, std::io::Error>(item), it))
    });
    Response::builder().header("content-type", "text/event-stream").body(Body::from_stream(stream)).expect("r")
}

/// Characters of the `HOLD` answer.
pub const HOLD_CHARS: usize = 692;

/// The `HOLD` answer's pieces: `1，`, `2，`, … `200，`.
fn held_pieces() -> Vec<String> {
    (1..=200).map(|i| format!("{i}，")).collect()
}

/// A stream that goes wrong: events that are not JSON, or a connection that drops mid-answer.
fn broken_stream(cut: bool) -> Response {
    let mut items: Vec<Result<String, std::io::Error>> = Vec::new();
    if cut {
        items.extend((0..3).map(|_| Ok(sse(Some("第一句话已经生成好了。"), None))));
        items.push(Err(std::io::Error::other("connection dropped")));
    } else {
        items.push(Ok("data: {this is not json\n\n".to_owned()));
        items.push(Ok("data: [DONE]\n\n".to_owned()));
    }
    let stream = futures_util::stream::unfold(items.into_iter(), |mut it| async move {
        let item = it.next()?;
        tokio::time::sleep(Duration::from_millis(20)).await;
        Some((item, it))
    });
    Response::builder().header("content-type", "text/event-stream").body(Body::from_stream(stream)).expect("r")
}

/// One webhook delivery: the signature header and the body.
pub type Delivery = (Option<String>, Vec<u8>);

/// Receives webhook POSTs on 127.0.0.1 and keeps each delivery.
pub struct WebhookReceiver {
    runtime: Option<tokio::runtime::Runtime>,
    received: Arc<Mutex<Vec<Delivery>>>,
    pub url: String,
}

impl WebhookReceiver {
    pub fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("rt");
        let received: Arc<Mutex<Vec<Delivery>>> = Arc::new(Mutex::new(Vec::new()));
        let keep = received.clone();
        let app = axum::Router::new().route(
            "/hook",
            post(move |headers: axum::http::HeaderMap, body: Bytes| {
                let keep = keep.clone();
                async move {
                    let sig = headers.get("x-govai-signature").and_then(|v| v.to_str().ok()).map(str::to_owned);
                    keep.lock().expect("lock").push((sig, body.to_vec()));
                    StatusCode::NO_CONTENT
                }
            }),
        );
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
        let addr = listener.local_addr().expect("addr");
        runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { runtime: Some(runtime), received, url: format!("http://{addr}/hook") }
    }

    /// Wait up to `secs` for the first event.
    pub fn first(&self, secs: u64) -> Option<Delivery> {
        let deadline = std::time::Instant::now() + Duration::from_secs(secs);
        while std::time::Instant::now() < deadline {
            if let Some(e) = self.received.lock().expect("lock").first() {
                return Some(e.clone());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}
