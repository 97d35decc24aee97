//! The OpenAI chat completions wire format: the request body built from an
//! [`InferenceInput`], and the answer (whole, or streamed chunk by chunk).

use govai_core::{InferenceInput, TokenUsage};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::options::OpenAiOptions;

#[derive(Debug, Serialize)]
pub(crate) struct ChatRequest<'a> {
    model: &'a str,
    messages: Vec<WireMessage<'a>>,
    stream: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    stream_options: Option<StreamOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f32>,
}

#[derive(Debug, Serialize)]
struct StreamOptions {
    include_usage: bool,
}

#[derive(Debug, Serialize)]
struct WireMessage<'a> {
    role: &'static str,
    content: &'a str,
}

/// The conversation as OpenAI messages: the history (its system turns are there only when the
/// pipeline kept them), then the rendered prompt as the user's turn, as the local chat models
/// see it through their template.
pub(crate) fn chat_request<'a>(o: &'a OpenAiOptions, input: &'a InferenceInput, stream: bool) -> ChatRequest<'a> {
    let messages = input
        .history
        .iter()
        .map(|m| WireMessage { role: m.role.as_str(), content: &m.content })
        .chain([WireMessage { role: "user", content: &input.prompt }])
        .collect();
    ChatRequest {
        model: &o.upstream_model,
        messages,
        stream,
        stream_options: stream.then_some(StreamOptions { include_usage: true }),
        max_tokens: o.max_tokens,
        temperature: o.temperature,
    }
}

#[derive(Debug, Deserialize)]
struct WireUsage {
    #[serde(default)]
    prompt_tokens: u64,
    #[serde(default)]
    completion_tokens: u64,
}

impl From<WireUsage> for TokenUsage {
    fn from(u: WireUsage) -> Self {
        TokenUsage { prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens }
    }
}

/// An OpenAI error object (`{"error": {"type": ..., "code": ...}}`); only its codes are kept.
#[derive(Debug, Deserialize)]
pub(crate) struct WireError {
    #[serde(default, rename = "type")]
    kind: Option<serde_json::Value>,
    #[serde(default)]
    code: Option<serde_json::Value>,
}

impl WireError {
    /// `type/code`, short and printable, or None.
    pub(crate) fn codes(&self) -> Option<String> {
        let part = |v: &Option<serde_json::Value>| match v {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let joined = [part(&self.kind), part(&self.code)].into_iter().flatten().collect::<Vec<_>>().join("/");
        let clean: String =
            joined.chars().filter(|c| c.is_ascii_alphanumeric() || "_-/.".contains(*c)).take(80).collect();
        (!clean.is_empty()).then_some(clean)
    }
}

#[derive(Debug, Deserialize)]
struct ErrorBody {
    error: WireError,
}

/// The codes of an error body, if it is an OpenAI error object.
pub(crate) fn error_codes(body: &[u8]) -> Option<String> {
    serde_json::from_slice::<ErrorBody>(body).ok()?.error.codes()
}

#[derive(Debug, Deserialize)]
struct Completion {
    #[serde(default)]
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<WireUsage>,
    #[serde(default)]
    error: Option<WireError>,
}

#[derive(Debug, Deserialize)]
struct Choice {
    #[serde(default)]
    message: Option<ChoiceMessage>,
    #[serde(default)]
    delta: Option<ChoiceMessage>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ChoiceMessage {
    #[serde(default)]
    content: Option<String>,
}

/// A whole (non-streamed) answer.
#[derive(Debug, PartialEq)]
pub(crate) struct Answer {
    pub(crate) text: String,
    pub(crate) usage: Option<TokenUsage>,
}

fn upstream_error(e: &WireError) -> Error {
    Error::Protocol(format!("upstream reported an error{}", e.codes().map(|c| format!(" ({c})")).unwrap_or_default()))
}

pub(crate) fn parse_answer(body: &[u8]) -> Result<Answer> {
    let c: Completion =
        serde_json::from_slice(body).map_err(|e| Error::Protocol(format!("not a chat completion: {e}")))?;
    if let Some(e) = &c.error {
        return Err(upstream_error(e));
    }
    let choice = c.choices.into_iter().next().ok_or_else(|| Error::Protocol("no choices".into()))?;
    let text = choice.message.and_then(|m| m.content).unwrap_or_default();
    Ok(Answer { text: text.trim_start().to_owned(), usage: c.usage.map(Into::into) })
}

/// What one SSE `data:` event of a streamed answer says.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Chunk {
    /// Text added (may be empty).
    pub(crate) text: String,
    /// The answer is complete (a finish reason, or `[DONE]`).
    pub(crate) finished: bool,
    /// `[DONE]`: nothing follows.
    pub(crate) done: bool,
    pub(crate) usage: Option<TokenUsage>,
}

pub(crate) fn parse_chunk(data: &str) -> Result<Chunk> {
    if data.trim() == "[DONE]" {
        return Ok(Chunk { finished: true, done: true, ..Chunk::default() });
    }
    let c: Completion = serde_json::from_str(data).map_err(|e| Error::Protocol(format!("bad stream event: {e}")))?;
    if let Some(e) = &c.error {
        return Err(upstream_error(e));
    }
    let mut chunk = Chunk { usage: c.usage.map(Into::into), ..Chunk::default() };
    if let Some(choice) = c.choices.into_iter().next() {
        chunk.finished = choice.finish_reason.is_some();
        chunk.text = choice.delta.or(choice.message).and_then(|m| m.content).unwrap_or_default();
    }
    Ok(chunk)
}

#[cfg(test)]
mod tests {
    use super::*;
    use govai_core::Message;

    #[test]
    fn conversation_maps_to_messages() {
        let o = OpenAiOptions { max_tokens: Some(8), ..OpenAiOptions::new("http://h/v1", "qwen") };
        let input = InferenceInput {
            prompt: "请回答：社保卡怎么补办？".into(),
            history: vec![Message::system("你是政务助手"), Message::user("你好"), Message::assistant("您好")],
            ..InferenceInput::default()
        };
        let v = serde_json::to_value(chat_request(&o, &input, true)).unwrap();
        assert_eq!(v["model"], "qwen");
        assert_eq!(v["stream"], true);
        assert_eq!(v["stream_options"]["include_usage"], true);
        assert_eq!(v["max_tokens"], 8);
        assert!(v.get("temperature").is_none());
        let roles: Vec<&str> = v["messages"].as_array().unwrap().iter().map(|m| m["role"].as_str().unwrap()).collect();
        assert_eq!(roles, ["system", "user", "assistant", "user"]);
        assert_eq!(v["messages"][3]["content"], "请回答：社保卡怎么补办？");
        let v = serde_json::to_value(chat_request(&o, &input, false)).unwrap();
        assert!(v.get("stream_options").is_none());
    }

    #[test]
    fn answers_and_chunks_parse() {
        let a = parse_answer(
            br#"{"choices":[{"message":{"role":"assistant","content":" hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}"#,
        )
        .unwrap();
        assert_eq!(a, Answer { text: "hi".into(), usage: Some(TokenUsage { prompt_tokens: 3, completion_tokens: 1 }) });
        assert!(parse_answer(br#"{"choices":[]}"#).is_err());
        assert!(parse_answer(b"<html>").is_err());
        let e = parse_answer(br#"{"error":{"message":"echo of the prompt","type":"server_error"}}"#).unwrap_err();
        assert!(e.to_string().contains("server_error") && !e.to_string().contains("echo"), "{e}");
        let c = parse_chunk(r#"{"choices":[{"delta":{"content":"你"},"finish_reason":null}]}"#).unwrap();
        assert_eq!((c.text.as_str(), c.finished), ("你", false));
        let c = parse_chunk(r#"{"choices":[{"delta":{},"finish_reason":"stop"}]}"#).unwrap();
        assert!(c.finished && c.text.is_empty());
        let c = parse_chunk(r#"{"choices":[],"usage":{"prompt_tokens":30,"completion_tokens":8}}"#).unwrap();
        assert_eq!(c.usage, Some(TokenUsage { prompt_tokens: 30, completion_tokens: 8 }));
        assert!(parse_chunk("[DONE]").unwrap().done);
        assert!(parse_chunk("{not json").is_err());
    }

    #[test]
    fn error_codes_are_short_and_clean() {
        assert_eq!(
            error_codes(br#"{"error":{"type":"rate_limit","code":429,"message":"x"}}"#).as_deref(),
            Some("rate_limit/429")
        );
        assert_eq!(error_codes(b"busy"), None);
        let long = format!(r#"{{"error":{{"type":"{}"}}}}"#, "a b ".repeat(100));
        assert!(error_codes(long.as_bytes()).unwrap().len() <= 80);
    }
}
