//! Policy documents into knowledge-base passages: PDF (text layer through PDFium), DOCX and
//! HTML are read, cleaned (repeated page headers and footers, page numbers, Chinese lines broken
//! by the PDF layout, full-width spaces), split at headings and articles (第X章 / 第X条 / 一、 /
//! （一）) into passages of bounded length, and tagged with the provenance found in the
//! document (title, issuing body, document number, date).
//!
//! ```no_run
//! let doc = govai_ingest::ingest_file("policy.pdf", &govai_ingest::IngestOptions::default())?;
//! for p in doc.to_passages("kb") {
//!     println!("{}", serde_json::to_string(&p).unwrap());
//! }
//! # Ok::<(), govai_ingest::Error>(())
//! ```
//!
//! Scanned PDF pages (no text layer) are handed to a [`PageOcr`] engine when one is configured
//! ([`IngestOptions::ocr`]); otherwise they are listed in [`Document::skipped_pages`], never
//! dropped silently. Every input is bounded by [`Limits`].

mod clean;
mod docx;
mod error;
mod html;
mod pdf;
mod provenance;
mod split;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use govai_retrieval::{Lang, Passage, Provenance};
use serde::Serialize;
use sha2::{Digest, Sha256};

pub use error::{Error, Result};
pub use pdf::{PDFIUM_LIBRARY_ENV, find_pdfium_library, loaded_pdfium_library};
pub use provenance::DocumentInfo;

/// Turns the image of a scanned page into text. Implemented by an OCR engine (e.g. govai-ocr)
/// and plugged in with [`IngestOptions::ocr`].
pub trait PageOcr: Send + Sync {
    /// The text of one rendered page, lines separated by `\n`, in reading order.
    fn page_text(&self, image: &image::DynamicImage) -> std::result::Result<String, String>;
}

/// Bounds on one input file. Exceeding one is an [`Error::LimitExceeded`] naming the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Size of the file in bytes (default 64 MiB).
    pub max_file_bytes: u64,
    /// Pages of a PDF (default 1000).
    pub max_pages: usize,
    /// Passages produced from one file (default 5000).
    pub max_passages: usize,
    /// Text extracted from one file, in bytes, incl. uncompressed DOCX XML (default 32 MiB).
    pub max_text_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_file_bytes: 64 << 20, max_pages: 1000, max_passages: 5000, max_text_bytes: 32 << 20 }
    }
}

/// Input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// PDF (text layer; scanned pages through [`PageOcr`]).
    Pdf,
    /// Word 2007+ (`.docx`).
    Docx,
    /// HTML (UTF-8 or a declared charset such as GBK / GB18030).
    Html,
}

impl Format {
    /// Upper-case name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::Pdf => "PDF",
            Format::Docx => "DOCX",
            Format::Html => "HTML",
        }
    }

    /// From the file's extension, else its first bytes.
    pub fn detect(name: &str, bytes: &[u8]) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        let by_ext = match Path::new(&lower).extension().and_then(|e| e.to_str()) {
            Some("pdf") => Some(Format::Pdf),
            Some("docx") => Some(Format::Docx),
            Some("html" | "htm" | "shtml" | "xhtml") => Some(Format::Html),
            _ => None,
        };
        by_ext.or_else(|| {
            let head = &bytes[..bytes.len().min(1024)];
            if head.starts_with(b"%PDF-") {
                Some(Format::Pdf)
            } else if head.starts_with(b"PK\x03\x04") {
                Some(Format::Docx)
            } else {
                let text = String::from_utf8_lossy(head).to_ascii_lowercase();
                (text.contains("<html") || text.contains("<!doctype html")).then_some(Format::Html)
            }
        })
    }
}

/// How to import.
#[derive(Clone)]
pub struct IngestOptions {
    /// Input bounds.
    pub limits: Limits,
    /// Longest passage in characters (default 400); longer sections are split at sentence ends.
    pub max_passage_chars: usize,
    /// Format instead of detection from the name and content.
    pub format: Option<Format>,
    /// PDFium shared library; default: [`PDFIUM_LIBRARY_ENV`], then the `pypdfium2` wheel in the
    /// project's `.venv` (see [`find_pdfium_library`]).
    pub pdfium_library: Option<PathBuf>,
    /// OCR for scanned PDF pages; `None`: such pages are reported in
    /// [`Document::skipped_pages`].
    pub ocr: Option<Arc<dyn PageOcr>>,
    /// Width in pixels scanned pages are rendered at for OCR (default 1654, A4 at 200 dpi).
    pub ocr_render_width: u32,
}

impl Default for IngestOptions {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            max_passage_chars: 400,
            format: None,
            pdfium_library: None,
            ocr: None,
            ocr_render_width: 1654,
        }
    }
}

impl std::fmt::Debug for IngestOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IngestOptions")
            .field("limits", &self.limits)
            .field("max_passage_chars", &self.max_passage_chars)
            .field("format", &self.format)
            .field("pdfium_library", &self.pdfium_library)
            .field("ocr", &self.ocr.as_ref().map(|_| "PageOcr"))
            .field("ocr_render_width", &self.ocr_render_width)
            .finish()
    }
}

/// One passage of an imported document, before it becomes a knowledge-base [`Passage`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    /// Headings above the passage, outermost first (e.g. `第二章 申请条件`).
    pub headings: Vec<String>,
    /// The text (at most [`IngestOptions::max_passage_chars`] characters).
    pub text: String,
    /// 1-based page where it starts (PDF only).
    pub page: Option<u32>,
}

/// An imported document.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    /// File name (no directory).
    pub file: String,
    /// Detected or given format.
    pub format: Format,
    /// SHA-256 of the file, hex; its first 10 digits are part of every passage id.
    pub sha256: String,
    /// Pages (PDF); 1 for DOCX and HTML.
    pub pages: usize,
    /// 1-based scanned pages (no text layer) left out because no OCR was configured.
    pub skipped_pages: Vec<usize>,
    /// 1-based scanned pages whose text came from OCR.
    pub ocr_pages: Vec<usize>,
    /// Title, issuer, document number and date found in the text.
    pub info: DocumentInfo,
    /// The passages, in document order.
    pub sections: Vec<Section>,
}

impl Document {
    /// Knowledge-base passages with stable ids `{prefix}-{sha256[..10]}-{n:04}` (n from 1), the
    /// document title as title (else the file stem), headings as tags and the provenance.
    pub fn to_passages(&self, prefix: &str) -> Vec<Passage> {
        let stem = Path::new(&self.file).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let title = self.info.title.clone().unwrap_or(stem);
        let hash = &self.sha256[..10.min(self.sha256.len())];
        self.sections
            .iter()
            .enumerate()
            .map(|(i, s)| Passage {
                id: format!("{prefix}-{hash}-{:04}", i + 1),
                lang: if govai_retrieval::contains_cjk(&s.text) { Lang::Zh } else { Lang::En },
                title: title.clone(),
                text: s.text.clone(),
                url: None,
                tags: s.headings.clone(),
                source: Some(Provenance {
                    document: self.info.title.clone(),
                    issuer: self.info.issuer.clone(),
                    doc_number: self.info.doc_number.clone(),
                    date: self.info.date.clone(),
                    file: Some(self.file.clone()),
                    page: s.page,
                    section: s.headings.last().cloned(),
                    effective: None,
                    expires: None,
                }),
            })
            .collect()
    }

    /// The id prefix shared by all passages of this document: `{prefix}-{sha256[..10]}-`.
    pub fn id_prefix(&self, prefix: &str) -> String {
        format!("{prefix}-{}-", &self.sha256[..10.min(self.sha256.len())])
    }
}

/// A unit of extracted text before splitting: a paragraph, a heading or a table row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Block {
    /// The text, one line (no `\n`), trimmed.
    pub text: String,
    /// Heading level from the document's markup (1 = top), if it is marked as a heading.
    pub heading: Option<u8>,
    /// 1-based page (PDF).
    pub page: Option<u32>,
}

impl Block {
    pub(crate) fn new(text: impl Into<String>, heading: Option<u8>, page: Option<u32>) -> Self {
        Block { text: text.into(), heading, page }
    }
}

/// What an extractor hands on: blocks, plus page accounting for PDFs.
#[derive(Debug, Default)]
pub(crate) struct Extracted {
    pub blocks: Vec<Block>,
    /// A title from metadata (`<title>`, DOCX core properties), used when no heading is found.
    pub meta_title: Option<String>,
    pub pages: usize,
    pub skipped_pages: Vec<usize>,
    pub ocr_pages: Vec<usize>,
}

/// What to import: a file, or bytes already in memory with their file name.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    /// A file on disk (read with the [`Limits::max_file_bytes`] bound).
    Path(&'a Path),
    /// File contents; `name` is used for format detection and messages.
    Bytes {
        /// The file name (e.g. `notice.html`).
        name: &'a str,
        /// The contents.
        bytes: &'a [u8],
    },
}

impl<'a> From<&'a Path> for Input<'a> {
    fn from(p: &'a Path) -> Self {
        Input::Path(p)
    }
}

/// Import a file or in-memory bytes: [`ingest_file`] or [`ingest_bytes`].
pub fn ingest<'a>(input: impl Into<Input<'a>>, options: &IngestOptions) -> Result<Document> {
    match input.into() {
        Input::Path(p) => ingest_file(p, options),
        Input::Bytes { name, bytes } => ingest_bytes(bytes, name, options),
    }
}

/// Import a file.
pub fn ingest_file(path: impl AsRef<Path>, options: &IngestOptions) -> Result<Document> {
    let path = path.as_ref();
    let io = |e| Error::Io { path: path.to_path_buf(), source: e };
    let file = std::fs::File::open(path).map_err(io)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
    let max = options.limits.max_file_bytes;
    let size = file.metadata().map_err(io)?.len();
    if size > max {
        return Err(limit(&name, "max_file_bytes", "file size in bytes", max, size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(max + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > max {
        return Err(limit(&name, "max_file_bytes", "file size in bytes", max, bytes.len() as u64));
    }
    ingest_bytes(&bytes, &name, options)
}

/// Import a file's contents; `name` is its file name (for format detection and messages).
pub fn ingest_bytes(bytes: &[u8], name: &str, options: &IngestOptions) -> Result<Document> {
    let limits = &options.limits;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(limit(name, "max_file_bytes", "file size in bytes", limits.max_file_bytes, bytes.len() as u64));
    }
    let format = options.format.or_else(|| Format::detect(name, bytes)).ok_or_else(|| Error::Unsupported {
        file: name.to_owned(),
        reason: "not PDF, DOCX or HTML by extension or content".into(),
    })?;
    let extracted = match format {
        Format::Pdf => pdf::extract(bytes, name, options)?,
        Format::Docx => docx::extract(bytes, name, limits)?,
        Format::Html => html::extract(bytes, name, limits)?,
    };
    let text_bytes: usize = extracted.blocks.iter().map(|b| b.text.len()).sum();
    if text_bytes as u64 > limits.max_text_bytes {
        return Err(limit(name, "max_text_bytes", "extracted text in bytes", limits.max_text_bytes, text_bytes as u64));
    }
    let detected = provenance::detect(&extracted.blocks, extracted.meta_title.as_deref());
    let sections = split::split(&extracted.blocks, &detected, options.max_passage_chars.max(20));
    if sections.len() > limits.max_passages {
        return Err(limit(name, "max_passages", "passages", limits.max_passages as u64, sections.len() as u64));
    }
    Ok(Document {
        file: name.to_owned(),
        format,
        sha256: hex::encode(Sha256::digest(bytes)),
        pages: extracted.pages.max(1),
        skipped_pages: extracted.skipped_pages,
        ocr_pages: extracted.ocr_pages,
        info: detected.info,
        sections,
    })
}

pub(crate) fn limit(file: &str, limit: &'static str, what: &'static str, max: u64, actual: u64) -> Error {
    Error::LimitExceeded { file: file.to_owned(), limit, what, max, actual }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn format_from_extension_then_content() {
        assert_eq!(Format::detect("a.PDF", b""), Some(Format::Pdf));
        assert_eq!(Format::detect("a.htm", b""), Some(Format::Html));
        assert_eq!(Format::detect("x", b"%PDF-1.7\n"), Some(Format::Pdf));
        assert_eq!(Format::detect("x", b"PK\x03\x04rest"), Some(Format::Docx));
        assert_eq!(Format::detect("x", b"<!DOCTYPE html><html>"), Some(Format::Html));
        assert_eq!(Format::detect("x.txt", b"plain"), None);
        let err = ingest_bytes(b"plain", "x.txt", &IngestOptions::default()).unwrap_err();
        assert!(matches!(err, Error::Unsupported { .. }), "{err}");
    }

    #[test]
    fn limits_are_named() {
        let options =
            IngestOptions { limits: Limits { max_file_bytes: 10, ..Limits::default() }, ..IngestOptions::default() };
        let err = ingest_bytes(b"<html><p>0123456789</p></html>", "a.html", &options).unwrap_err();
        assert!(err.to_string().contains("max_file_bytes"), "{err}");

        let html = "<html><body><p>第一条 甲。</p><p>第二条 乙。</p><p>第三条 丙。</p></body></html>";
        let options =
            IngestOptions { limits: Limits { max_passages: 2, ..Limits::default() }, ..IngestOptions::default() };
        let err = ingest_bytes(html.as_bytes(), "a.html", &options).unwrap_err();
        assert!(err.to_string().contains("max_passages") && err.to_string().contains("(3)"), "{err}");

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.html");
        std::fs::write(&path, vec![b'a'; 11]).unwrap();
        let options =
            IngestOptions { limits: Limits { max_file_bytes: 10, ..Limits::default() }, ..IngestOptions::default() };
        let err = ingest(path.as_path(), &options).unwrap_err();
        assert!(err.to_string().contains("max_file_bytes") && err.to_string().contains("big.html"), "{err}");
        let err = ingest(dir.path().join("missing.html").as_path(), &options).unwrap_err();
        assert!(matches!(err, Error::Io { .. }) && err.to_string().contains("missing.html"), "{err}");
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // A fixed pseudo-random sequence (xorshift) of inputs for the DOCX and HTML readers,
        // including truncated zips and HTML-looking prefixes.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let docx = super::docx::tests::make_docx(&[("1", "标题"), ("", "第一条 内容。")], &[&["a", "b"]]);
        for round in 0..300 {
            let len = (next() % 2048) as usize;
            let mut bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            if round % 3 == 0 {
                bytes = docx[..(next() as usize % docx.len())].to_vec();
            } else if round % 3 == 1 {
                bytes.splice(0..0, b"<html><meta charset=gbk><p>".iter().copied());
            }
            for name in ["a.docx", "a.html"] {
                let _ = ingest_bytes(&bytes, name, &IngestOptions::default());
            }
        }
    }

    #[test]
    fn passage_ids_are_stable_and_carry_provenance() {
        let html = "<html><head><meta charset=\"utf-8\"></head><body><h1>示例市居住证管理办法</h1>\
            <p>示政发〔2024〕3号</p><p>第一条 为规范居住证管理，制定本办法。</p>\
            <p>第二条 居住证每年签注一次。</p><p>示例市人民政府</p><p>2024年5月6日</p></body></html>";
        let a = ingest(Input::Bytes { name: "a.html", bytes: html.as_bytes() }, &IngestOptions::default()).unwrap();
        let b = ingest_bytes(html.as_bytes(), "a.html", &IngestOptions::default()).unwrap();
        let pa = a.to_passages("kb");
        assert_eq!(pa, b.to_passages("kb"));
        assert_eq!(pa.len(), 2, "{pa:#?}");
        assert!(pa[0].id.starts_with(&a.id_prefix("kb")) && pa[0].id.ends_with("-0001"), "{}", pa[0].id);
        assert_eq!(pa[0].title, "示例市居住证管理办法");
        assert_eq!(pa[0].lang, Lang::Zh);
        let src = pa[1].source.as_ref().unwrap();
        assert_eq!(src.doc_number.as_deref(), Some("示政发〔2024〕3号"));
        assert_eq!(src.issuer.as_deref(), Some("示例市人民政府"));
        assert_eq!(src.date.as_deref(), Some("2024-05-06"));
        assert_eq!(src.file.as_deref(), Some("a.html"));
        assert!(pa[1].text.starts_with("第二条"), "{}", pa[1].text);
        govai_retrieval::KnowledgeBase::new(pa).unwrap();
    }
}
