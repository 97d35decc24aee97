//! What a caller sends: a request is a conversation (system / user / assistant turns) for one
//! scenario, from one caller. The one-text form (`text`) is the one-turn case. The JSON form is
//! part of the public contract (CLI, C, Java and Python bindings).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Largest request accepted (bytes of all turns and documents together), so one request cannot
/// exhaust memory.
pub const MAX_REQUEST_BYTES: usize = 1 << 20;

/// Longest line of JSON Lines input (`govai scan --jsonl`, `govai review --jsonl`, the
/// readers of [`crate::io`]): one request's text ([`MAX_REQUEST_BYTES`]) with room for JSON
/// escaping and the fields around it. A longer line is reported (with its number) and skipped.
pub const MAX_LINE_BYTES: usize = 4 * MAX_REQUEST_BYTES;

/// Largest whole input file read at once that is not itself a request: `--sources`,
/// `--messages`, label files, a demo batch.
pub const MAX_FILE_BYTES: usize = 16 * MAX_REQUEST_BYTES;

/// Most findings one review (or one scan result printed by the CLI) lists; the rest are counted
/// (`findings_dropped`) but not kept, so output and memory stay bounded on any input.
pub const MAX_FINDINGS: usize = 1000;

/// Most turns one request (with the conversation history it continues) may hold.
pub const MAX_TURNS: usize = 256;

/// Longest caller field (`user`, `user_role`, `request_id`, `conversation_id`) accepted, in
/// bytes: these go into every audit record as they are.
pub const MAX_CALLER_FIELD_BYTES: usize = 256;

/// Who wrote a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Instructions to the model. Client-supplied system turns are accepted only from caller
    /// roles the policy names ([`crate::Policy::system_message_roles`]); others are dropped
    /// and the drop is recorded.
    System,
    /// The citizen or staff member.
    User,
    /// An earlier answer.
    Assistant,
}

impl Role {
    /// The role's name as in the OpenAI chat API and chat templates.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::User => "user",
            Self::Assistant => "assistant",
        }
    }
}

/// One turn of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    /// Who wrote it.
    pub role: Role,
    /// What was written.
    pub content: String,
}

impl Message {
    /// A system turn.
    pub fn system(content: impl Into<String>) -> Self {
        Self { role: Role::System, content: content.into() }
    }
    /// A user turn.
    pub fn user(content: impl Into<String>) -> Self {
        Self { role: Role::User, content: content.into() }
    }
    /// An assistant turn.
    pub fn assistant(content: impl Into<String>) -> Self {
        Self { role: Role::Assistant, content: content.into() }
    }
}

/// A request to a deployment: `text` (one user turn) or `messages` (a conversation whose last
/// turn is the user's question), optionally continuing a conversation by `conversation_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// Scenario id, e.g. `intelligent_qa`.
    pub scenario: String,
    /// The question, as one user turn. Give either `text` or `messages`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    /// The conversation, oldest turn first; the last turn is a user turn (the question).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<Message>,
    /// Documents the caller attaches as authorised sources (classified and gated too).
    #[serde(default)]
    pub documents: Vec<String>,
    /// Who is asking (staff id or channel); recorded in the audit log.
    #[serde(default)]
    pub user: Option<String>,
    /// The caller's role (e.g. `integrator`), which decides whether its system turns are kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_role: Option<String>,
    /// Caller's correlation id; a UUID is generated when absent.
    #[serde(default)]
    pub request_id: Option<String>,
    /// Continue this conversation (an id from an earlier [`crate::Response::conversation_id`]):
    /// its turns are prepended to `messages` / `text`, so history need not be resent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
}

impl Request {
    /// A one-turn request.
    pub fn new(scenario: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            scenario: scenario.into(),
            text: text.into(),
            messages: Vec::new(),
            documents: Vec::new(),
            user: None,
            user_role: None,
            request_id: None,
            conversation_id: None,
        }
    }

    /// A conversation request; the last message should be the user's question.
    pub fn chat(scenario: impl Into<String>, messages: Vec<Message>) -> Self {
        Self { messages, ..Self::new(scenario, "") }
    }

    /// Is this a conversation (messages, or a continued conversation) rather than one text?
    pub fn is_conversation(&self) -> bool {
        !self.messages.is_empty() || self.conversation_id.is_some()
    }

    /// The turns this request adds: `messages`, or `text` as one user turn.
    pub(crate) fn new_turns(&self) -> Vec<Message> {
        if self.messages.is_empty() { vec![Message::user(self.text.clone())] } else { self.messages.clone() }
    }

    /// Check the request's shape and size before anything else reads it.
    pub(crate) fn validate(&self) -> Result<()> {
        self.validate_caller_fields()?;
        if !self.text.is_empty() && !self.messages.is_empty() {
            return Err(Error::InvalidInput("give either `text` or `messages`, not both".into()));
        }
        if self.messages.is_empty() && self.text.trim().is_empty() {
            return Err(Error::InvalidInput("request text is empty".into()));
        }
        match self.messages.last() {
            Some(last) if last.role != Role::User => {
                return Err(Error::InvalidInput(format!(
                    "the last message must be a user turn (the question); it is `{}`",
                    last.role.as_str()
                )));
            }
            Some(last) if last.content.trim().is_empty() => {
                return Err(Error::InvalidInput("the last user message is empty".into()));
            }
            _ => {}
        }
        if self.messages.len() > MAX_TURNS {
            return Err(Error::InvalidInput(format!(
                "request has {} messages; the limit is {MAX_TURNS}",
                self.messages.len()
            )));
        }
        check_size(self.text.len() + self.messages.iter().map(|m| m.content.len()).sum::<usize>(), &self.documents)
    }
}

impl Request {
    fn validate_caller_fields(&self) -> Result<()> {
        let fields = [
            ("user", &self.user),
            ("user_role", &self.user_role),
            ("request_id", &self.request_id),
            ("conversation_id", &self.conversation_id),
        ];
        for (name, value) in fields {
            if let Some(v) = value.as_deref().filter(|v| v.len() > MAX_CALLER_FIELD_BYTES) {
                return Err(Error::InvalidInput(format!(
                    "`{name}` is {} bytes; the limit is {MAX_CALLER_FIELD_BYTES}",
                    v.len()
                )));
            }
        }
        Ok(())
    }
}

/// Refuse a request whose turns (`turn_bytes`) and documents exceed [`MAX_REQUEST_BYTES`].
pub(crate) fn check_size(turn_bytes: usize, documents: &[String]) -> Result<()> {
    let total = turn_bytes + documents.iter().map(String::len).sum::<usize>();
    if total > MAX_REQUEST_BYTES {
        return Err(Error::InvalidInput(format!("request is {total} bytes; the limit is {MAX_REQUEST_BYTES}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_text_is_one_user_turn() {
        let r = Request::new("intelligent_qa", "社保卡怎么补办");
        assert_eq!(r.new_turns(), vec![Message::user("社保卡怎么补办")]);
        assert!(!r.is_conversation());
        r.validate().unwrap();
    }

    #[test]
    fn json_without_messages_is_todays_contract() {
        let r: Request = serde_json::from_str(r#"{"scenario":"s","text":"t","user":"u"}"#).unwrap();
        assert_eq!(r, Request { user: Some("u".into()), ..Request::new("s", "t") });
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json, serde_json::json!({"scenario":"s","text":"t","documents":[],"user":"u","request_id":null}));
    }

    #[test]
    fn bad_shapes_are_named() {
        let both = Request { messages: vec![Message::user("a")], ..Request::new("s", "t") };
        assert!(both.validate().unwrap_err().to_string().contains("either `text` or `messages`"));
        let last = Request::chat("s", vec![Message::user("a"), Message::assistant("b")]);
        assert!(last.validate().unwrap_err().to_string().contains("last message must be a user turn"));
        let none = Request::chat("s", vec![]);
        assert!(none.validate().unwrap_err().to_string().contains("empty"));
        let many = Request::chat("s", vec![Message::user("a"); MAX_TURNS + 1]);
        assert!(many.validate().unwrap_err().to_string().contains("limit is 256"));
        let big = Request::chat("s", vec![Message::user("x".repeat(MAX_REQUEST_BYTES + 1))]);
        assert!(big.validate().unwrap_err().to_string().contains("limit is 1048576"));
    }

    #[test]
    fn long_caller_fields_are_refused_by_name() {
        let long = "u".repeat(MAX_CALLER_FIELD_BYTES + 1);
        let r = Request { user: Some(long.clone()), ..Request::new("s", "t") };
        assert!(r.validate().unwrap_err().to_string().contains("`user` is 257 bytes; the limit is 256"));
        let r = Request { conversation_id: Some(long), ..Request::new("s", "t") };
        assert!(r.validate().unwrap_err().to_string().contains("`conversation_id`"));
        let r = Request { user: Some("u".repeat(MAX_CALLER_FIELD_BYTES)), ..Request::new("s", "t") };
        r.validate().unwrap();
    }

    #[test]
    fn unknown_role_is_rejected_by_name() {
        let e = serde_json::from_str::<Request>(r#"{"scenario":"s","messages":[{"role":"tool","content":"x"}]}"#)
            .unwrap_err();
        assert!(e.to_string().contains("tool"), "{e}");
    }
}
