//! Recognise image files named one per line on stdin; for each, print one JSON line
//! `{"path", "ms", "lines": [{"text", "confidence", "bbox"}]}` (`ms`: wall time of
//! `recognize_file`, decoding included). Used by `scripts/bench-ocr.sh`, which alternates it
//! with the rapidocr Python pipeline.
//!
//!     cargo run --release -p govai-ocr --example ocr_pages -- models/ppocr-v4 < list.txt

use std::io::{BufRead, Write};
use std::path::Path;
use std::time::Instant;

use govai_ocr::{OcrEngine, OcrOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "models/ppocr-v4".into());
    let engine = OcrEngine::load(Path::new(&dir), OcrOptions::default())?;
    let stdout = std::io::stdout();
    for line in std::io::stdin().lock().lines() {
        let path = line?;
        if path.trim().is_empty() {
            continue;
        }
        let t = Instant::now();
        let lines = engine.recognize_file(path.trim())?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let out = serde_json::json!({ "path": path.trim(), "ms": ms, "lines": lines });
        let mut o = stdout.lock();
        writeln!(o, "{out}")?;
        o.flush()?;
    }
    Ok(())
}
