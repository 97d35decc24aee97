pub mod fake;
pub mod llama;
