//! The error type of govai-ingest; [`Error::kind`] maps each variant to govai's stable
//! [`ErrorKind`], and `From<Error> for govai_core::Error` keeps that kind.

use std::path::PathBuf;

use govai_core::ErrorKind;

/// Errors of document import. Messages name the file and, for limits, the limit.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A limit of [`crate::Limits`] was exceeded.
    #[error("{file}: {what} ({actual}) exceeds the limit `{limit}` = {max}")]
    LimitExceeded {
        /// The file.
        file: String,
        /// The limit's field name in [`crate::Limits`], e.g. `max_pages`.
        limit: &'static str,
        /// What was counted, e.g. `pages`.
        what: &'static str,
        /// The limit.
        max: u64,
        /// What was found (or counted so far).
        actual: u64,
    },
    /// The file's format is not one this crate reads.
    #[error("{file}: unsupported format: {reason}")]
    Unsupported {
        /// The file.
        file: String,
        /// Why (e.g. the extension and first bytes).
        reason: String,
    },
    /// The file claims a format but could not be parsed as it.
    #[error("{file}: not a valid {format} file: {reason}")]
    Malformed {
        /// The file.
        file: String,
        /// `PDF`, `DOCX` or `HTML`.
        format: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// The PDFium library could not be found or loaded.
    #[error("PDFium: {0}")]
    Pdfium(String),
    /// The OCR engine failed on a scanned page.
    #[error("{file}: OCR of page {page}: {reason}")]
    Ocr {
        /// The file.
        file: String,
        /// 1-based page.
        page: usize,
        /// What went wrong.
        reason: String,
    },
}

impl Error {
    /// The stable kind: `io`, `invalid_input` (limits, unsupported or malformed files) or
    /// `model` (PDFium or OCR unavailable or failing).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Io { .. } => ErrorKind::Io,
            Self::LimitExceeded { .. } | Self::Unsupported { .. } | Self::Malformed { .. } => ErrorKind::InvalidInput,
            Self::Pdfium(_) | Self::Ocr { .. } => ErrorKind::Model,
        }
    }
}

impl From<Error> for govai_core::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::Io { path, source } => govai_core::Error::io(path, source),
            Error::Pdfium(reason) => govai_core::Error::model("pdfium", reason),
            e @ Error::Ocr { .. } => govai_core::Error::model("ocr", e.to_string()),
            e => govai_core::Error::InvalidInput(e.to_string()),
        }
    }
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_survive_conversion() {
        let e = Error::LimitExceeded { file: "a.pdf".into(), limit: "max_pages", what: "pages", max: 2, actual: 3 };
        assert!(e.to_string().contains("max_pages") && e.to_string().contains("a.pdf"), "{e}");
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert_eq!(govai_core::Error::from(e).kind(), ErrorKind::InvalidInput);
        let e = Error::Pdfium("not found".into());
        assert_eq!(govai_core::Error::from(e).kind(), ErrorKind::Model);
        let e = Error::Io { path: "x".into(), source: std::io::Error::other("boom") };
        assert_eq!(govai_core::Error::from(e).kind(), ErrorKind::Io);
    }
}
