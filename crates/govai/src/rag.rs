//! Retrieval-augmented generation for answering scenarios: retrieve passages with the
//! extractive FAQ model (BM25, or BM25 fused with sentence embeddings when the model entry sets
//! `embedding`), let the local LLM write a reference answer from them with
//! `[n]` citations, and fall back to the extractive answer when nothing relevant is found or
//! the LLM fails. The reviewers then check the answer against the same sources.

use govai_core::{InferenceInput, InferenceOutput, InferenceSink, Model, ModelInfo, Result, Source, async_trait};
use govai_ort::{ChatMessage, GenerateOptions, LlmModel};
use govai_retrieval::FaqModel;

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
            // Question first, then the sources, then the instruction: on Qwen2.5-0.5B this order
            // and "in your own words" gave fewer copied passages and bare "[1]" answers than
            // sources-first prompts (crates/govai/examples/rag_eval.rs, dev split only).
            let passages: String = sources.iter().map(|s| format!("[{}]《{}》{}\n", s.index, s.title, s.text)).collect();
            format!(
                "问题：{query}\n\n参考资料：\n{passages}\n请根据参考资料，用自己的话简要回答问题（一到三句），\
                 不要照抄整段资料，每句话末尾注明资料序号，如[1]。资料没有提到的内容不要回答。"
            )
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
        match self.llm.chat(&messages, &self.options) {
            Ok(g) if !g.text.trim().is_empty() => Ok(InferenceOutput {
                text: g.text.trim().to_owned(),
                sources: extractive.sources,
                ..InferenceOutput::default()
            }),
            // An empty generation or a runtime failure: the extractive answer still serves.
            _ => Ok(extractive),
        }
    }

    /// Sources first (so the stream is reviewed against them), then the generation token by
    /// token. The extractive fallback still applies while nothing has been streamed.
    async fn infer_stream(&self, input: &InferenceInput, sink: &mut dyn InferenceSink) -> Result<InferenceOutput> {
        let extractive = self.retriever.try_answer(&govai_retrieval::retrieval_query(input), &input.documents)?;
        sink.sources(&extractive.sources);
        if extractive.sources.is_empty() {
            let _ = sink.text(&extractive.text);
            return Ok(extractive);
        }
        let messages = ChatMessage::conversation(&input.history, Self::prompt(&input.query, &extractive.sources));
        let mut trim = govai_ort::TrimStart::default();
        let mut streamed = false;
        let generated = self.llm.chat_until(&messages, &self.options, &mut |piece| {
            trim.feed(piece, |t| {
                streamed = true;
                sink.text(t)
            })
        });
        match generated {
            Ok(g) if streamed => Ok(InferenceOutput {
                text: g.text.trim().to_owned(),
                sources: extractive.sources,
                ..InferenceOutput::default()
            }),
            // Half an answer was shown: no silent switch to another one.
            Err(e) if streamed => Err(e),
            _ => {
                let _ = sink.text(&extractive.text);
                Ok(extractive)
            }
        }
    }
}
