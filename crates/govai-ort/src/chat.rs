//! Chat templates (the model's Jinja template, rendered with minijinja).

use govai_core::{Error, Result};
use minijinja::{Environment, ErrorKind as JErrorKind, Value};
use serde::{Deserialize, Serialize};

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// `system`, `user` or `assistant` (whatever the template accepts).
    pub role: String,
    /// The message text, inserted into the template as is.
    pub content: String,
}

impl ChatMessage {
    /// A message with any `role`.
    pub fn new(role: impl Into<String>, content: impl Into<String>) -> Self {
        Self { role: role.into(), content: content.into() }
    }
    #[cfg(test)]
    fn system(content: impl Into<String>) -> Self {
        Self::new("system", content)
    }
    /// A `user` message.
    pub fn user(content: impl Into<String>) -> Self {
        Self::new("user", content)
    }

    /// The conversation history a pipeline hands a model, then `question` as the user turn.
    pub fn conversation(history: &[govai_core::Message], question: impl Into<String>) -> Vec<Self> {
        history.iter().map(|m| Self::new(m.role.as_str(), m.content.clone())).chain([Self::user(question)]).collect()
    }
}

/// A compiled chat template with the HF conventions: `messages`, `add_generation_prompt`,
/// `bos_token`, `eos_token`, `raise_exception(msg)`, Python string methods, `trim_blocks` and
/// `lstrip_blocks` on.
#[derive(Debug)]
pub(crate) struct ChatTemplate {
    env: Environment<'static>,
    bos_token: String,
    eos_token: String,
}

fn raise_exception(msg: String) -> std::result::Result<Value, minijinja::Error> {
    Err(minijinja::Error::new(JErrorKind::InvalidOperation, msg))
}

impl ChatTemplate {
    pub(crate) fn new(source: &str, bos_token: &str, eos_token: &str) -> Result<Self> {
        let mut env = Environment::new();
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .map_err(|e| Error::Internal(e.to_string()))?;
        env.set_syntax(syntax);
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        env.add_function("raise_exception", raise_exception);
        env.add_template_owned("chat", source.to_string())
            .map_err(|e| Error::model("chat_template", format!("template does not compile: {e:#}")))?;
        Ok(Self { env, bos_token: bos_token.to_string(), eos_token: eos_token.to_string() })
    }

    pub(crate) fn render(&self, messages: &[ChatMessage], add_generation_prompt: bool) -> Result<String> {
        let tmpl = self.env.get_template("chat").map_err(|e| Error::Internal(e.to_string()))?;
        tmpl.render(minijinja::context! {
            messages => messages.iter().map(|m| minijinja::context! { role => m.role.as_str(), content => m.content.as_str() }).collect::<Vec<Value>>(),
            add_generation_prompt => add_generation_prompt,
            bos_token => &self.bos_token,
            eos_token => &self.eos_token,
        })
        .map_err(|e| {
            let detail = if e.kind() == JErrorKind::InvalidOperation {
                e.detail().unwrap_or_default().to_string()
            } else {
                format!("{e:#}")
            };
            Error::InvalidInput(format!("chat template: {detail}"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHATML: &str = "{% for message in messages %}{% if message['role'] == 'tool' %}{{ raise_exception('no tools') }}{% endif %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'].strip() + '<|im_end|>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    #[test]
    fn renders_chatml_with_generation_prompt_and_pycompat() {
        let t = ChatTemplate::new(CHATML, "<s>", "</s>").expect("compiles");
        let out = t.render(&[ChatMessage::system("sys"), ChatMessage::user("  你好 ")], true).expect("renders");
        assert_eq!(out, "<|im_start|>system\nsys<|im_end|>\n<|im_start|>user\n你好<|im_end|>\n<|im_start|>assistant\n");
        let out = t.render(&[ChatMessage::user("x")], false).expect("renders");
        assert!(!out.ends_with("assistant\n"));
    }

    #[test]
    fn raise_exception_becomes_invalid_input() {
        let t = ChatTemplate::new(CHATML, "", "").expect("compiles");
        let e = t.render(&[ChatMessage::new("tool", "x")], true).expect_err("raises");
        assert_eq!(e.kind(), govai_core::ErrorKind::InvalidInput);
        assert!(e.to_string().contains("no tools"), "{e}");
    }

    #[test]
    fn bos_eos_vars_and_block_trimming() {
        let src = "{{ bos_token }}\n{% for m in messages %}\n{{ m.content }}{{ eos_token }}\n{% endfor %}";
        let t = ChatTemplate::new(src, "<bos>", "<eos>").expect("compiles");
        assert_eq!(
            t.render(&[ChatMessage::user("a"), ChatMessage::user("b")], false).expect("ok"),
            "<bos>\na<eos>\nb<eos>\n"
        );
    }
}
