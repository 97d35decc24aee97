//! The input: an applicant's submission as pages of recognised text lines (what an OCR engine
//! returns), with the limits that keep one submission bounded.

use chrono::NaiveDate;
use govai_core::{Error, MAX_CALLER_FIELD_BYTES, MAX_REQUEST_BYTES, Result};
use serde::{Deserialize, Serialize};

/// Most pages one submission may hold.
pub const MAX_PAGES: usize = 200;
/// Most lines one page may hold.
pub const MAX_LINES_PER_PAGE: usize = 2000;
/// Most bytes of recognised text (all lines of all pages together): one request's worth.
pub const MAX_SUBMISSION_TEXT_BYTES: usize = MAX_REQUEST_BYTES;

/// One recognised line of text, in reading order on its page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    /// The text as recognised.
    pub text: String,
    /// The recogniser's confidence in `[0, 1]`.
    pub confidence: f32,
    /// The line's quadrilateral on the page image (four `[x, y]` corners, clockwise from top
    /// left), when the recogniser gives one. Passed through; not used by the checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bbox: Option<[[f32; 2]; 4]>,
}

impl Line {
    /// A line with a confidence and no box.
    pub fn new(text: impl Into<String>, confidence: f32) -> Self {
        Self { text: text.into(), confidence, bbox: None }
    }
}

/// One scanned page (one image file, or one page of a PDF).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// The file name as the applicant uploaded it. Shown masked, never written to the audit
    /// log: names such as `张三身份证.jpg` carry personal data.
    pub file: String,
    /// Lower-case hex SHA-256 of the image file, when the caller has it (the audit record
    /// then names the exact file checked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_sha256: Option<String>,
    /// The recognised lines in reading order.
    pub lines: Vec<Line>,
}

impl Page {
    /// A page of `lines` from `file`.
    pub fn new(file: impl Into<String>, lines: Vec<Line>) -> Self {
        Self { file: file.into(), file_sha256: None, lines }
    }
}

/// What an applicant handed in for one procedure.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    /// The checklist to check against; may be omitted when the scenario has exactly one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checklist: Option<String>,
    /// The pages, in the order they were scanned.
    pub pages: Vec<Page>,
    /// The date validity periods are judged on (`YYYY-MM-DD`); default today in China
    /// Standard Time (UTC+8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<NaiveDate>,
    /// The clerk or window handling the submission (recorded in the audit log).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The caller's id for this check (recorded in the audit log); default a new UUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl Submission {
    /// A submission of `pages`, checked against the scenario's only checklist.
    pub fn new(pages: Vec<Page>) -> Self {
        Self { pages, ..Self::default() }
    }

    /// Refuse what cannot be checked: no pages, too many pages or lines, too much text, a
    /// confidence outside `[0, 1]`, a malformed file hash, an over-long caller field.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::InvalidInput(m));
        if self.pages.is_empty() {
            return bad("submission has no pages".into());
        }
        if self.pages.len() > MAX_PAGES {
            return bad(format!("submission has {} pages, at most {MAX_PAGES} are accepted", self.pages.len()));
        }
        for (name, v) in [("user", &self.user), ("request_id", &self.request_id), ("checklist", &self.checklist)] {
            if v.as_ref().is_some_and(|v| v.len() > MAX_CALLER_FIELD_BYTES) {
                return bad(format!("`{name}` is longer than {MAX_CALLER_FIELD_BYTES} bytes"));
            }
        }
        let mut total = 0usize;
        for (p, page) in self.pages.iter().enumerate() {
            let n = p + 1;
            if page.file.len() > MAX_CALLER_FIELD_BYTES {
                return bad(format!("page {n}: file name longer than {MAX_CALLER_FIELD_BYTES} bytes"));
            }
            if let Some(h) = &page.file_sha256
                && (h.len() != 64 || !h.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
            {
                return bad(format!("page {n}: file_sha256 must be 64 lower-case hex digits"));
            }
            if page.lines.len() > MAX_LINES_PER_PAGE {
                return bad(format!("page {n} has {} lines, at most {MAX_LINES_PER_PAGE}", page.lines.len()));
            }
            for (l, line) in page.lines.iter().enumerate() {
                if !(0.0..=1.0).contains(&line.confidence) {
                    return bad(format!("page {n} line {}: confidence {} is not in [0, 1]", l + 1, line.confidence));
                }
                total += line.text.len();
            }
            total += page.file.len();
        }
        if total > MAX_SUBMISSION_TEXT_BYTES {
            return bad(format!("submission text is {total} bytes, at most {MAX_SUBMISSION_TEXT_BYTES}"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn validation_bounds_the_input() {
        assert!(Submission::default().validate().is_err());
        let ok = Submission::new(vec![Page::new("a.jpg", vec![Line::new("居民身份证", 0.9)])]);
        ok.validate().unwrap();
        let mut s = ok.clone();
        s.pages[0].lines[0].confidence = 1.5;
        assert!(s.validate().unwrap_err().to_string().contains("confidence"));
        let mut s = ok.clone();
        s.pages[0].file_sha256 = Some("XYZ".into());
        assert!(s.validate().is_err());
        let mut s = ok.clone();
        s.pages = vec![s.pages[0].clone(); MAX_PAGES + 1];
        assert!(s.validate().is_err());
        let mut s = ok;
        s.pages[0].lines[0].text = "字".repeat(MAX_SUBMISSION_TEXT_BYTES / 3 + 1);
        assert!(s.validate().is_err());
    }

    #[test]
    fn unknown_fields_are_refused() {
        let e = serde_json::from_str::<Submission>(r#"{"pages": [], "colour": 1}"#).unwrap_err();
        assert!(e.to_string().contains("colour"));
        let s: Submission = serde_json::from_str(
            r#"{"pages": [{"file": "a.png", "lines": [{"text": "x", "confidence": 0.5, "bbox": [[0,0],[1,0],[1,1],[0,1]]}]}], "as_of": "2026-12-05"}"#,
        )
        .unwrap();
        assert_eq!(s.as_of, NaiveDate::from_ymd_opt(2026, 12, 5));
    }
}
