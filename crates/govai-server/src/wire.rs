//! The OpenAI chat completions wire format as the gateway accepts and answers it, and its
//! translation to and from a govai [`Request`] / [`Response`].
//!
//! Accepted: `model` (a scenario id), `messages` (system, developer, user, assistant; content
//! as a string or text parts), `stream`, `stream_options.include_usage`, `user` (the end user,
//! recorded after the caller id), and govai's own `conversation_id` and `documents`. Sampling
//! fields (`temperature`, `top_p`, `max_tokens`, `seed`, `stop`...) are accepted and ignored:
//! the scenario's model configuration decides them. Anything the gateway cannot honour
//! (`n` > 1, tools, images, audio) is a 400 naming the field, never silently dropped.

use govai::{Message, Request, Response, Role};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::{Error, Result};

/// Fields of the OpenAI request that are accepted and left to the scenario's configuration.
const IGNORED: &[&str] = &[
    "temperature",
    "top_p",
    "max_tokens",
    "max_completion_tokens",
    "seed",
    "stop",
    "presence_penalty",
    "frequency_penalty",
    "logit_bias",
    "metadata",
    "store",
    "service_tier",
    "parallel_tool_calls",
    "reasoning_effort",
];

/// `POST /v1/chat/completions` body.
#[derive(Debug, Deserialize)]
pub struct ChatRequest {
    /// Scenario id.
    pub model: String,
    /// The conversation.
    pub messages: Vec<ChatMessage>,
    /// Stream the answer as server-sent events.
    #[serde(default)]
    pub stream: bool,
    /// `{"include_usage": true}`: a usage chunk before `[DONE]`.
    #[serde(default)]
    pub stream_options: Option<StreamOptions>,
    /// The end user, as the client identifies them.
    #[serde(default)]
    pub user: Option<String>,
    /// govai: continue a conversation without resending its history.
    #[serde(default)]
    pub conversation_id: Option<String>,
    /// govai: documents attached as authorised sources.
    #[serde(default)]
    pub documents: Vec<String>,
    /// `n`: only 1 is served.
    #[serde(default)]
    pub n: Option<u32>,
    /// Everything else: checked against [`IGNORED`].
    #[serde(flatten)]
    pub other: serde_json::Map<String, Value>,
}

/// `stream_options`.
#[derive(Debug, Default, Deserialize)]
pub struct StreamOptions {
    /// Send a usage chunk.
    #[serde(default)]
    pub include_usage: bool,
}

/// One message.
#[derive(Debug, Deserialize)]
pub struct ChatMessage {
    /// system, developer, user or assistant.
    pub role: String,
    /// A string or an array of `{"type": "text", "text"}` parts.
    #[serde(default)]
    pub content: Option<Value>,
    /// The author's name (accepted, not used).
    #[serde(default)]
    #[allow(dead_code)]
    pub name: Option<String>,
}

/// Bounds checked on the request before anything else reads it.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// Most messages.
    pub max_messages: usize,
    /// Longest message content, in bytes.
    pub max_message_bytes: usize,
}

impl ChatRequest {
    /// Reject what cannot be honoured; name the field.
    pub fn check(&self, bounds: Bounds) -> Result<()> {
        if let Some(key) = self.other.keys().find(|k| !IGNORED.contains(&k.as_str())) {
            let reason = match key.as_str() {
                "tools" | "tool_choice" | "functions" | "function_call" => "tool calls are not served by govai",
                "response_format" | "logprobs" | "top_logprobs" | "audio" | "modalities" | "prediction" => {
                    "not supported by govai"
                }
                _ => "unknown field",
            };
            return Err(Error::invalid(format!("{key}: {reason}"), Some(key)));
        }
        if self.n.is_some_and(|n| n != 1) {
            return Err(Error::invalid("n: only one choice (n = 1) is served", Some("n")));
        }
        if self.messages.is_empty() {
            return Err(Error::invalid("messages: at least one message is required", Some("messages")));
        }
        if self.messages.len() > bounds.max_messages {
            return Err(Error::TooLarge {
                what: format!("messages ({} of them)", self.messages.len()),
                limit: format!("{} messages", bounds.max_messages),
            });
        }
        Ok(())
    }

    /// The govai request for `caller` (the authenticated id) with `role`.
    pub fn to_request(&self, bounds: Bounds, caller: &str, role: &str) -> Result<Request> {
        let mut messages = Vec::with_capacity(self.messages.len());
        for (i, m) in self.messages.iter().enumerate() {
            messages.push(m.to_message(i, bounds.max_message_bytes)?);
        }
        let user = match self.user.as_deref().filter(|u| !u.is_empty()) {
            Some(end_user) => format!("{caller}/{end_user}"),
            None => caller.to_owned(),
        };
        Ok(Request {
            user: Some(user),
            user_role: Some(role.to_owned()),
            conversation_id: self.conversation_id.clone(),
            documents: self.documents.clone(),
            ..Request::chat(self.model.clone(), messages)
        })
    }
}

impl ChatMessage {
    fn to_message(&self, index: usize, max_bytes: usize) -> Result<Message> {
        let field = |f: &str| format!("messages[{index}].{f}");
        let role = match self.role.as_str() {
            "system" | "developer" => Role::System,
            "user" => Role::User,
            "assistant" => Role::Assistant,
            other => {
                return Err(Error::invalid(
                    format!("{}: role `{other}` is not served (system, developer, user, assistant)", field("role")),
                    Some(&field("role")),
                ));
            }
        };
        let content = content_text(self.content.as_ref(), &field("content"))?;
        if content.len() > max_bytes {
            return Err(Error::TooLarge { what: field("content"), limit: format!("{max_bytes} bytes") });
        }
        Ok(Message { role, content })
    }
}

/// The text of a message's content: a string, or the concatenated `text` parts.
fn content_text(content: Option<&Value>, field: &str) -> Result<String> {
    match content {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Array(parts)) => {
            let mut text = String::new();
            for (j, part) in parts.iter().enumerate() {
                match (part.get("type").and_then(Value::as_str), part.get("text").and_then(Value::as_str)) {
                    (Some("text"), Some(t)) => text.push_str(t),
                    (kind, _) => {
                        let at = format!("{field}[{j}]");
                        let kind = kind.unwrap_or("(no type)");
                        return Err(Error::invalid(
                            format!("{at}: content part of type `{kind}` is not served (text parts only)"),
                            Some(&at),
                        ));
                    }
                }
            }
            Ok(text)
        }
        None | Some(Value::Null) => Err(Error::invalid(format!("{field}: missing"), Some(field))),
        Some(_) => Err(Error::invalid(format!("{field}: a string or an array of text parts"), Some(field))),
    }
}

/// `finish_reason` of a govai outcome: anything but the model's own answer is
/// `content_filter`.
pub fn finish_reason(response: &Response) -> &'static str {
    use govai::Outcome::*;
    match response.outcome {
        Answered | NeedsRevision | Cancelled => "stop",
        Refused | Blocked | Escalated | Redirected => "content_filter",
    }
}

/// The `usage` object (zeros when the model reported none, as for the built-in models).
pub fn usage(response: &Response) -> Value {
    let u = response.usage.unwrap_or_default();
    json!({
        "prompt_tokens": u.prompt_tokens,
        "completion_tokens": u.completion_tokens,
        "total_tokens": u.prompt_tokens + u.completion_tokens,
    })
}

/// The completion id of a response.
pub fn completion_id(request_id: &str) -> String {
    format!("chatcmpl-{request_id}")
}

/// Seconds since the epoch, as `created`.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}
