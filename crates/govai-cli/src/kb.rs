//! `govai kb import`: policy documents (PDF, DOCX, HTML) into knowledge-base passages
//! (govai-ingest), appended to a JSON Lines knowledge base or printed.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use govai::Error;
use govai::retrieval::{KnowledgeBase, Passage};
use govai_ingest::{Document, IngestOptions};
use serde_json::json;

use crate::args::KbCommand;
use crate::{outln, print_json};

/// Largest knowledge base `--out` may name (it is read whole to replace and check passages).
const MAX_KB_BYTES: usize = 256 << 20;

impl KbCommand {
    /// Whether errors are also reported as JSON on stdout.
    pub(crate) fn json_errors(&self) -> bool {
        match self {
            KbCommand::Import { json, .. }
            | KbCommand::Publish { json, .. }
            | KbCommand::Versions { json, .. }
            | KbCommand::Diff { json, .. } => *json,
        }
    }
}

/// Run a `kb` subcommand.
pub(crate) fn run(command: KbCommand) -> govai::Result<ExitCode> {
    match command {
        KbCommand::Import { files, out, prefix, max_chars, pdfium, ocr_models, json } => {
            let ocr = ocr_models.as_deref().map(load_ocr).transpose()?;
            let options =
                IngestOptions { max_passage_chars: max_chars, pdfium_library: pdfium, ocr, ..Default::default() };
            import(&files, out.as_deref(), &prefix, &options, json)
        }
        KbCommand::Publish { file, config, note, author, json } => {
            crate::kb_store::publish(&file, &config, &note, &author, json)
        }
        KbCommand::Versions { config, json } => crate::kb_store::versions(&config, json),
        KbCommand::Diff { a, b, config, json } => crate::kb_store::diff(a, b, &config, json),
    }
}

/// Scanned pages through the in-process OCR engine.
struct Ocr(govai_ocr::OcrEngine);

impl govai_ingest::PageOcr for Ocr {
    fn page_text(&self, image: &image::DynamicImage) -> std::result::Result<String, String> {
        let lines = self.0.recognize(image).map_err(|e| e.to_string())?;
        Ok(lines.into_iter().map(|l| l.text).collect::<Vec<_>>().join("\n"))
    }
}

fn load_ocr(dir: &Path) -> govai::Result<std::sync::Arc<dyn govai_ingest::PageOcr>> {
    Ok(std::sync::Arc::new(Ocr(crate::ocr::load(dir)?)))
}

fn import(
    files: &[PathBuf],
    out: Option<&Path>,
    prefix: &str,
    options: &IngestOptions,
    json: bool,
) -> govai::Result<ExitCode> {
    if prefix.is_empty() || !prefix.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(Error::InvalidInput(format!("--prefix `{prefix}`: use letters, digits, `-` and `_`")));
    }
    // Every file is read before anything is written: one bad file changes nothing.
    let mut docs: Vec<Document> = Vec::with_capacity(files.len());
    for file in files {
        let doc = govai_ingest::ingest_file(file, options)?;
        if let Some(same) = docs.iter().find(|d| d.sha256 == doc.sha256) {
            return Err(Error::InvalidInput(format!("{}: same content as {}", file.display(), same.file)));
        }
        docs.push(doc);
    }
    let new: Vec<Passage> = docs.iter().flat_map(|d| d.to_passages(prefix)).collect();

    let (replaced, total) = match out {
        Some(path) => write_kb(path, &docs, prefix, &new)?,
        None => {
            let mut stdout = std::io::stdout().lock();
            for p in &new {
                let line = serde_json::to_string(p).map_err(|e| Error::Internal(e.to_string()))?;
                writeln!(stdout, "{line}").map_err(crate::stdout_error)?;
            }
            (0, new.len())
        }
    };

    if json {
        let files: Vec<_> = docs.iter().map(|d| summary_json(d, prefix)).collect();
        let out = out.map(|p| p.display().to_string());
        print_json(&json!({"files": files, "out": out, "added": new.len(), "replaced": replaced, "total": total}))?;
    } else {
        // Without --out stdout carries the passages: the summary goes to stderr.
        let mut lines = Vec::new();
        for d in &docs {
            lines.extend(summary_text(d, prefix));
        }
        match out {
            Some(path) => lines.push(format!(
                "{}: {} passages added ({replaced} from an earlier import replaced), {total} in total",
                path.display(),
                new.len()
            )),
            None => lines.push(format!("{} passages written to stdout", new.len())),
        }
        for line in lines {
            if out.is_some() {
                outln!("{line}")?;
            } else {
                eprintln!("{line}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Add `new` to the knowledge base at `path` (created if missing), replacing passages of an
/// earlier import of the same documents (same id prefix), checking that the result loads, and
/// writing it atomically (temporary file + rename). Returns (replaced, total).
fn write_kb(path: &Path, docs: &[Document], prefix: &str, new: &[Passage]) -> govai::Result<(usize, usize)> {
    let mut kept: Vec<String> = Vec::new();
    let mut replaced = 0;
    if path.exists() {
        let text = govai::io::read_file_bounded(path, MAX_KB_BYTES)?;
        let prefixes: Vec<String> = docs.iter().map(|d| d.id_prefix(prefix)).collect();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let p: Passage = serde_json::from_str(line)
                .map_err(|e| Error::config(path.display().to_string(), format!("line {}", i + 1), e.to_string()))?;
            if prefixes.iter().any(|pre| p.id.starts_with(pre.as_str())) {
                replaced += 1;
            } else {
                kept.push(line.trim().to_owned());
            }
        }
    }
    let mut all: Vec<Passage> = Vec::with_capacity(kept.len() + new.len());
    for line in &kept {
        all.push(serde_json::from_str(line).map_err(|e| Error::Internal(e.to_string()))?);
    }
    let existing: HashSet<&str> = all.iter().map(|p| p.id.as_str()).collect();
    if let Some(p) = new.iter().find(|p| existing.contains(p.id.as_str())) {
        return Err(Error::InvalidInput(format!("{}: id `{}` is already used", path.display(), p.id)));
    }
    all.extend(new.iter().cloned());
    let total = all.len();
    // The deployment will load it: make sure it does.
    KnowledgeBase::new(all)?;

    let mut body = String::new();
    for line in &kept {
        body.push_str(line);
        body.push('\n');
    }
    for p in new {
        body.push_str(&serde_json::to_string(p).map_err(|e| Error::Internal(e.to_string()))?);
        body.push('\n');
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "kb.jsonl".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, body).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })?;
    Ok((replaced, total))
}

fn summary_json(d: &Document, prefix: &str) -> serde_json::Value {
    json!({
        "file": d.file,
        "format": d.format,
        "sha256": d.sha256,
        "pages": d.pages,
        "passages": d.sections.len(),
        "id_prefix": d.id_prefix(prefix),
        "skipped_pages": d.skipped_pages,
        "ocr_pages": d.ocr_pages,
        "title": d.info.title,
        "issuer": d.info.issuer,
        "doc_number": d.info.doc_number,
        "date": d.info.date,
    })
}

fn summary_text(d: &Document, prefix: &str) -> Vec<String> {
    let pages = if d.pages == 1 { "1 page".to_owned() } else { format!("{} pages", d.pages) };
    let mut lines = vec![format!(
        "{}: {}, {pages}, {} passages ({}0001…)",
        d.file,
        d.format.name(),
        d.sections.len(),
        d.id_prefix(prefix)
    )];
    if !d.skipped_pages.is_empty() {
        let list: Vec<String> = d.skipped_pages.iter().map(ToString::to_string).collect();
        lines.push(format!(
            "  skipped {} scanned page(s) without a text layer (no OCR configured): {}",
            d.skipped_pages.len(),
            list.join(", ")
        ));
    }
    let field = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    lines.push(format!(
        "  title: {}; issuer: {}; doc number: {}; date: {}",
        field(&d.info.title),
        field(&d.info.issuer),
        field(&d.info.doc_number),
        field(&d.info.date)
    ));
    lines
}
