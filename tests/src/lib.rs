//! Shared helpers for the integration tests.

use std::sync::{Arc, Mutex};

use govai_core::{InferenceInput, InferenceOutput, Model, ModelInfo, Result, async_trait};

/// A model that records every input it receives and answers by echoing the query.
#[derive(Debug)]
pub struct RecordingModel {
    info: ModelInfo,
    seen: Mutex<Vec<InferenceInput>>,
}

impl RecordingModel {
    pub fn new(info: ModelInfo) -> Arc<Self> {
        Arc::new(Self { info, seen: Mutex::new(Vec::new()) })
    }

    /// Everything the model has received so far.
    pub fn seen(&self) -> Vec<InferenceInput> {
        self.seen.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

#[async_trait]
impl Model for RecordingModel {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    async fn infer(&self, input: &InferenceInput) -> Result<InferenceOutput> {
        if let Ok(mut v) = self.seen.lock() {
            v.push(input.clone());
        }
        Ok(InferenceOutput { text: format!("收到：{}", input.query), ..InferenceOutput::default() })
    }
}
