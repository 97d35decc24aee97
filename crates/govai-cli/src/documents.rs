//! `govai documents check`: an applicant's recognised pages checked against a checklist of
//! the deployment (assisted handling, 辅助办理), printed as JSON. The result prepares a
//! clerk's review (`decision: "clerk"`) and decides nothing.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use govai::documents::{CheckDocuments, Page, Submission};
use govai::{Error, MAX_FILE_BYTES};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::audit::print_open_notices;
use crate::print_json;

/// What one PAGES file holds: one page, or several in scan order.
#[derive(Deserialize)]
#[serde(untagged)]
enum PagesFile {
    One(PageIn),
    Many(Vec<PageIn>),
}

/// A page as given on the command line: `file` defaults to the JSON file's name.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PageIn {
    #[serde(default)]
    file: Option<String>,
    #[serde(default)]
    file_sha256: Option<String>,
    lines: Vec<govai::documents::Line>,
}

/// The arguments of `govai documents check`.
pub(crate) struct CheckArgs {
    pub config: PathBuf,
    pub scenario: String,
    pub checklist: Option<String>,
    pub as_of: Option<String>,
    pub user: Option<String>,
    pub pages: Vec<PathBuf>,
    pub ocr_models: PathBuf,
}

/// Read the pages, check them, print the result as one JSON object.
pub(crate) fn check(args: CheckArgs) -> govai::Result<ExitCode> {
    let mut pages = Vec::new();
    let mut ocr = None;
    for path in &args.pages {
        if is_image(path) {
            let engine = match &mut ocr {
                Some(engine) => engine,
                None => ocr.insert(crate::ocr::load(&args.ocr_models)?),
            };
            pages.push(recognize_page(engine, path)?);
        } else {
            pages.extend(read_pages(path)?);
        }
    }
    let as_of = args
        .as_of
        .map(|d| {
            serde_json::from_value(serde_json::Value::String(d.clone()))
                .map_err(|_| Error::InvalidInput(format!("--as-of: `{d}` is not a date (YYYY-MM-DD)")))
        })
        .transpose()?;
    let submission = Submission { checklist: args.checklist, pages, as_of, user: args.user, request_id: None };
    let (deployment, checklists) = govai::documents::load(&args.config)?;
    print_open_notices(&deployment);
    let result = deployment.check_documents(&checklists, &args.scenario, &submission)?;
    print_json(&result)?;
    Ok(ExitCode::SUCCESS)
}

/// Scanned pages are images: PNG or JPEG, by extension.
fn is_image(path: &Path) -> bool {
    let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    matches!(ext.as_str(), "png" | "jpg" | "jpeg")
}

/// One scanned page read by the OCR engine (PP-OCRv4, in-process): its lines with confidence
/// and box, the file's sha256 for the audit record.
fn recognize_page(engine: &govai_ocr::OcrEngine, path: &Path) -> govai::Result<Page> {
    let limit = usize::try_from(engine.options().max_image_bytes).unwrap_or(usize::MAX);
    let file = std::fs::File::open(path).map_err(|e| Error::Io { path: path.to_path_buf(), source: e })?;
    let bytes = govai::io::read_bounded(file, limit, &path.display().to_string())?;
    let lines = engine.recognize_bytes(&bytes).map_err(|e| crate::ocr::error(path, e))?;
    Ok(Page {
        file: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        file_sha256: Some(hex::encode(Sha256::digest(&bytes))),
        lines: lines
            .into_iter()
            .map(|l| govai::documents::Line { text: l.text, confidence: l.confidence, bbox: Some(l.bbox) })
            .collect(),
    })
}

/// The pages of one file (at most [`MAX_FILE_BYTES`]): a page object `{"file", "file_sha256",
/// "lines": [{"text", "confidence", "bbox"}]}` or an array of them.
fn read_pages(path: &Path) -> govai::Result<Vec<Page>> {
    let text = govai::io::read_file_bounded(path, MAX_FILE_BYTES)?;
    let parsed: PagesFile = serde_json::from_str(&text)
        .map_err(|e| Error::InvalidInput(format!("{}: not a page or an array of pages: {e}", path.display())))?;
    let default_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let many = match parsed {
        PagesFile::One(p) => vec![p],
        PagesFile::Many(v) => v,
    };
    Ok(many
        .into_iter()
        .map(|p| Page {
            file: p.file.unwrap_or_else(|| default_name.clone()),
            file_sha256: p.file_sha256,
            lines: p.lines,
        })
        .collect())
}
