//! The in-process OCR engine (govai-ocr, PP-OCRv4) as the CLI commands use it: loading it and
//! turning its errors into govai errors, in one place for `documents check` and `kb import`.

use std::path::Path;

use govai::Error;
use govai_ocr::{ErrorKind, OcrEngine, OcrOptions};

/// The engine from the models in `dir` (`make ocr-models` puts them in models/ppocr-v4).
pub(crate) fn load(dir: &Path) -> govai::Result<OcrEngine> {
    OcrEngine::load(dir, OcrOptions::default()).map_err(|e| error(dir, e))
}

/// An OCR error about `path`: a bad or oversized image is the caller's input, anything else a
/// model failure.
pub(crate) fn error(path: &Path, e: govai_ocr::Error) -> Error {
    match e.kind() {
        ErrorKind::InvalidInput | ErrorKind::TooLarge => Error::InvalidInput(format!("{}: {e}", path.display())),
        _ => Error::Model { model: "ppocr-v4".into(), reason: format!("{}: {e}", path.display()) },
    }
}
