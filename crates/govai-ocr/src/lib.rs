//! govai's OCR engine for scanned application materials: PaddleOCR PP-OCRv4 (text detection
//! with DB post-processing, the 0/180 degree direction classifier, CTC recognition over the
//! Chinese dictionary) run in-process on govai's ONNX Runtime backend (govai-ort).
//!
//! ```no_run
//! use govai_ocr::{OcrEngine, OcrOptions};
//! # fn main() -> govai_ocr::Result<()> {
//! let engine = OcrEngine::load(std::path::Path::new("models/ppocr-v4"), OcrOptions::default())?;
//! for line in engine.recognize_file("scan.png")? {
//!     println!("{} ({:.2}) at {:?}", line.text, line.confidence, line.bbox);
//! }
//! # Ok(()) }
//! ```
//!
//! The models come from the PyPI wheel `rapidocr-onnxruntime==1.4.4`
//! (`crates/govai-ocr/scripts/prepare-ocr.sh`, `make ocr-models`).

#![warn(missing_docs)]
#![warn(unreachable_pub)]

mod ctc;
mod db;
mod engine;
mod error;
mod geometry;
mod imgops;

pub use engine::{CLS_FILE, DET_FILE, KEYS_FILE, OcrEngine, OcrOptions, REC_FILE, TextLine};
pub use error::{Error, ErrorKind, Result};
