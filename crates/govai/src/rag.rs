//! Retrieval-augmented generation for answering scenarios: retrieve passages with the
//! extractive FAQ model (BM25, or BM25 fused with sentence embeddings when the model entry sets
//! `embedding`), let the local LLM write a reference answer from them with
//! `[n]` citations, and fall back to the extractive answer when nothing relevant is found or
//! the LLM fails. The reviewers then check the answer against the same sources.

use govai_core::{InferenceInput, InferenceOutput, InferenceSink, Model, ModelInfo, Result, Source, async_trait};
use govai_ort::{ChatMessage, GenerateOptions, LlmModel};
use govai_retrieval::FaqModel;

use govai_text::citation::has_content;

use crate::attribution::Attributor;

#[derive(Debug)]
pub struct RagModel {
    info: ModelInfo,
    retriever: FaqModel,
    llm: LlmModel,
    options: GenerateOptions,
}

impl RagModel {
    pub fn new(info: ModelInfo, retriever: FaqModel, llm: LlmModel, options: GenerateOptions) -> Self {
        Self { info, retriever, llm, options }
    }

    fn prompt(query: &str, sources: &[Source]) -> String {
        if govai_retrieval::contains_cjk(query) {
            // The passages unnumbered and no citation instruction: asked to cite, Qwen2.5-0.5B
            // answered "[1] [2] [3]" and nothing else on a third of the dev split, and with
            // titles it copied passages back (crates/govai/examples/rag_eval.rs, dev split
            // only). The markers come from attribution (crate::attribution) instead.
            let passages: Vec<&str> = sources.iter().map(|s| s.text.as_str()).collect();
            format!("资料：\n{}\n\n请根据资料，用一两句话回答问题：{query}", passages.join("\n"))
        } else {
            let passages: String = sources.iter().map(|s| format!("[{}] {}: {}\n", s.index, s.title, s.text)).collect();
            format!(
                "Answer the question using only the sources below. Cite each sentence with its source number like [1]. \
                 Do not add anything the sources do not say.\nSources:\n{passages}Question: {query}"
            )
        }
    }
}

#[async_trait]
impl Model for RagModel {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    async fn infer(&self, input: &InferenceInput) -> Result<InferenceOutput> {
        // A failing embedder is an error of this model, not a silent switch to BM25.
        let extractive = self.retriever.try_answer(&govai_retrieval::retrieval_query(input), &input.documents)?;
        if extractive.sources.is_empty() {
            return Ok(extractive);
        }
        let messages = ChatMessage::conversation(&input.history, Self::prompt(&input.query, &extractive.sources));
        let text = match self.llm.chat(&messages, &self.options) {
            Ok(g) => Attributor::new(&extractive.sources).attribute(g.text.trim()),
            Err(_) => String::new(),
        };
        if !has_content(&text) {
            // A runtime failure or a generation with nothing in it (`[1] [2]`): the extractive
            // answer still serves.
            return Ok(extractive);
        }
        Ok(InferenceOutput {
            text,
            sources: extractive.sources,
            kb_version: extractive.kb_version,
            ..InferenceOutput::default()
        })
    }

    /// Sources first (so the stream is reviewed against them), then the generation token by
    /// token, each sentence released once the next begins (so attribution can add its marker).
    /// The extractive fallback still applies while nothing has been released.
    async fn infer_stream(&self, input: &InferenceInput, sink: &mut dyn InferenceSink) -> Result<InferenceOutput> {
        let extractive = self.retriever.try_answer(&govai_retrieval::retrieval_query(input), &input.documents)?;
        sink.sources(&extractive.sources);
        if extractive.sources.is_empty() {
            let _ = sink.text(&extractive.text);
            return Ok(extractive);
        }
        let messages = ChatMessage::conversation(&input.history, Self::prompt(&input.query, &extractive.sources));
        let mut trim = govai_ort::TrimStart::default();
        let mut attributor = Attributor::new(&extractive.sources);
        let mut streamed = String::new();
        let generated = self.llm.chat_until(&messages, &self.options, &mut |piece| {
            trim.feed(piece, |t| attributor.feed(t, |done| release(&mut streamed, &mut *sink, done)))
        });
        let rest = attributor.finish();
        if generated.is_ok() && (!streamed.is_empty() || has_content(&rest)) {
            let _ = release(&mut streamed, sink, &rest);
        }
        match generated {
            Ok(_) if has_content(&streamed) => Ok(InferenceOutput {
                text: streamed.trim().to_owned(),
                sources: extractive.sources,
                ..InferenceOutput::default()
            }),
            // Half an answer was shown: no silent switch to another one.
            Err(e) if !streamed.is_empty() => Err(e),
            _ => {
                let _ = sink.text(&extractive.text);
                Ok(extractive)
            }
        }
    }
}

/// Pass `text` on to the sink and keep it as part of what was shown.
fn release(streamed: &mut String, sink: &mut dyn InferenceSink, text: &str) -> std::ops::ControlFlow<()> {
    streamed.push_str(text);
    sink.text(text)
}
