//! PDF: the text layer of each page through PDFium (the shared library shipped in the PyPI wheel
//! `pypdfium2`, loaded at run time, never downloaded). Repeated page headers, footers and page
//! numbers are removed and lines broken by the layout are joined ([`crate::clean`]). Pages
//! without a text layer but with images (scans) go to [`crate::PageOcr`] when configured, else
//! they are reported as skipped.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use pdfium_render::prelude::*;

use crate::clean::{join_lines, normalize_line, strip_headers_footers};
use crate::{Error, Extracted, IngestOptions, Result, limit};

/// Environment variable naming the PDFium shared library (overrides the `.venv` search).
pub const PDFIUM_LIBRARY_ENV: &str = "GOVAI_PDFIUM_LIBRARY";

/// The loaded library: PDFium is initialised once per process, from the first path found.
static PDFIUM: OnceLock<(Pdfium, PathBuf)> = OnceLock::new();
static LOADING: Mutex<()> = Mutex::new(());

/// File names of the PDFium library in a `pypdfium2_raw` directory.
const LIBRARY_NAMES: &[&str] = &["libpdfium.so", "libpdfium.dylib", "pdfium.dll"];

/// Find the PDFium library: `explicit`, else [`PDFIUM_LIBRARY_ENV`], else `VIRTUAL_ENV`, else a
/// `.venv` in the current directory, the crate directory (`CARGO_MANIFEST_DIR`), the directory
/// of the running program (a `target/…/govai` of the project) or one of their parents (`lib/python3*/site-packages/pypdfium2_raw/libpdfium.so`, as installed by
/// `pip install pypdfium2`). An explicit path or variable naming a missing file is an error of
/// its own; the error lists every place looked at.
pub fn find_pdfium_library(explicit: Option<&Path>) -> Result<PathBuf> {
    let env = std::env::var_os(PDFIUM_LIBRARY_ENV).filter(|v| !v.is_empty()).map(PathBuf::from);
    for (place, path) in [("the configured PDFium library", explicit.map(Path::to_path_buf)), (PDFIUM_LIBRARY_ENV, env)]
    {
        if let Some(p) = path {
            return if p.is_file() {
                Ok(p)
            } else {
                Err(Error::Pdfium(format!("{place} is {} but that file does not exist", p.display())))
            };
        }
    }
    let mut venvs: Vec<PathBuf> = Vec::new();
    if let Some(v) = std::env::var_os("VIRTUAL_ENV").filter(|v| !v.is_empty()) {
        venvs.push(PathBuf::from(v));
    }
    let roots = [
        std::env::current_dir().ok(),
        std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from),
        std::env::current_exe().ok(),
    ];
    for root in roots.into_iter().flatten() {
        for dir in root.ancestors() {
            let venv = dir.join(".venv");
            if venv.is_dir() && !venvs.contains(&venv) {
                venvs.push(venv);
            }
        }
    }
    let mut looked = Vec::new();
    for venv in &venvs {
        if let Some(lib) = venv_library(venv) {
            return Ok(lib);
        }
        looked.push(format!("{}/lib/python3*/site-packages/pypdfium2_raw/", venv.display()));
    }
    if looked.is_empty() {
        looked.push(
            "no .venv in the current directory, CARGO_MANIFEST_DIR, the program's directory or their parents".into(),
        );
    }
    Err(Error::Pdfium(format!(
        "library not found; looked at: {}. Install it with `make venv` (PyPI pypdfium2, see requirements-dev.txt) or set {PDFIUM_LIBRARY_ENV}",
        looked.join("; ")
    )))
}

fn venv_library(venv: &Path) -> Option<PathBuf> {
    let mut site_packages: Vec<PathBuf> = std::fs::read_dir(venv.join("lib"))
        .map(|rd| {
            rd.flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with("python3"))
                .map(|e| e.path().join("site-packages"))
                .collect()
        })
        .unwrap_or_default();
    site_packages.sort();
    site_packages.reverse();
    site_packages.push(venv.join("Lib").join("site-packages"));
    site_packages
        .iter()
        .flat_map(|sp| LIBRARY_NAMES.iter().map(move |n| sp.join("pypdfium2_raw").join(n)))
        .find(|p| p.is_file())
}

/// The process-wide PDFium, loaded on first use from `explicit` or the search of
/// [`find_pdfium_library`]. Later calls reuse it whatever path they name (PDFium can be
/// initialised once per process).
fn pdfium(explicit: Option<&Path>) -> Result<&'static Pdfium> {
    if let Some((p, _)) = PDFIUM.get() {
        return Ok(p);
    }
    let _guard = LOADING.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((p, _)) = PDFIUM.get() {
        return Ok(p);
    }
    let path = find_pdfium_library(explicit)?;
    let bindings =
        Pdfium::bind_to_library(&path).map_err(|e| Error::Pdfium(format!("cannot load {}: {e}", path.display())))?;
    let _ = PDFIUM.set((Pdfium::new(bindings), path));
    PDFIUM.get().map(|(p, _)| p).ok_or_else(|| Error::Pdfium("initialisation failed".into()))
}

/// The path PDFium was loaded from in this process, if it has been.
pub fn loaded_pdfium_library() -> Option<&'static Path> {
    PDFIUM.get().map(|(_, p)| p.as_path())
}

/// Extract the pages of a PDF.
pub(crate) fn extract(bytes: &[u8], file: &str, options: &IngestOptions) -> Result<Extracted> {
    let pdfium = pdfium(options.pdfium_library.as_deref())?;
    let malformed = |reason: String| Error::Malformed { file: file.to_owned(), format: "PDF", reason };
    let document = pdfium.load_pdf_from_byte_slice(bytes, None).map_err(|e| malformed(e.to_string()))?;
    let pages = document.pages();
    let count = pages.len() as usize;
    let max = options.limits.max_pages;
    if count > max {
        return Err(limit(file, "max_pages", "pages", max as u64, count as u64));
    }
    let mut out = Extracted { pages: count, ..Extracted::default() };
    let mut page_lines: Vec<Vec<String>> = Vec::with_capacity(count);
    for (i, page) in pages.iter().enumerate() {
        let number = i + 1;
        let text = page.text().map_err(|e| malformed(format!("page {number}: {e}")))?.all();
        let mut lines: Vec<String> = text.split(['\r', '\n']).map(normalize_line).filter(|l| !l.is_empty()).collect();
        if lines.is_empty() && has_image(&page) {
            match &options.ocr {
                Some(ocr) => {
                    let config = PdfRenderConfig::new().set_target_width(options.ocr_render_width.max(100) as i32);
                    let ocr_err = |reason: String| Error::Ocr { file: file.to_owned(), page: number, reason };
                    let image = page
                        .render_with_config(&config)
                        .and_then(|b| b.as_image())
                        .map_err(|e| ocr_err(format!("rendering: {e}")))?;
                    let text = ocr.page_text(&image).map_err(ocr_err)?;
                    lines = text.lines().map(normalize_line).filter(|l| !l.is_empty()).collect();
                    out.ocr_pages.push(number);
                }
                None => out.skipped_pages.push(number),
            }
        }
        page_lines.push(lines);
    }
    strip_headers_footers(&mut page_lines);
    out.blocks = join_lines(&page_lines);
    Ok(out)
}

fn has_image(page: &PdfPage<'_>) -> bool {
    page.objects().iter().any(|o| o.object_type() == PdfPageObjectType::Image)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn explicit_missing_library_is_named() {
        let err = find_pdfium_library(Some(Path::new("/nonexistent/libpdfium.so"))).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/libpdfium.so"), "{err}");
        assert_eq!(err.kind(), govai_core::ErrorKind::Model);
    }

    #[test]
    fn venv_layout_is_searched() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(venv_library(d.path()), None);
        let raw = d.path().join("lib/python3.11/site-packages/pypdfium2_raw");
        std::fs::create_dir_all(&raw).unwrap();
        std::fs::write(raw.join("libpdfium.so"), b"").unwrap();
        assert_eq!(venv_library(d.path()), Some(raw.join("libpdfium.so")));
    }
}
