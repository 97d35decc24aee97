//! One output row and its encodings. Every format has the same columns ([`COLUMNS`]); a row
//! is a `finding`, a per-file summary (`file`) or an `error`, and leaves the other kinds'
//! columns empty (JSON Lines: absent; CSV: empty; Parquet: null).

use std::collections::BTreeMap;
use std::io::Write;

use govai::Error;
use serde::{Deserialize, Serialize};

/// The columns, in order (CSV header, Parquet schema).
pub(crate) const COLUMNS: [&str; 15] = [
    "record",
    "file",
    "line",
    "byte_offset",
    "type",
    "confidence",
    "preview",
    "bytes",
    "lines",
    "findings",
    "level",
    "sha256",
    "elapsed_us",
    "error_kind",
    "error",
];

/// One row. `findings` (findings by type) is a JSON object in JSON Lines and its JSON text in
/// CSV and Parquet.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Row {
    pub record: String,
    pub file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub byte_offset: Option<u64>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub entity_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub findings: Option<BTreeMap<String, u64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elapsed_us: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Row {
    /// An error row: for the whole file (`line` None) or one line.
    pub(crate) fn error(file: &str, line: Option<u64>, e: &Error) -> Self {
        Row {
            record: "error".into(),
            file: file.into(),
            line,
            error_kind: Some(e.kind().as_str().into()),
            error: Some(e.to_string()),
            ..Row::default()
        }
    }

    /// The findings-by-type column as JSON text.
    pub(crate) fn findings_json(&self) -> Option<String> {
        self.findings.as_ref().and_then(|f| serde_json::to_string(f).ok())
    }

    /// The columns as text (CSV), `None` for an empty cell.
    fn cells(&self) -> [Option<String>; 15] {
        let num = |v: Option<u64>| v.map(|v| v.to_string());
        [
            Some(self.record.clone()),
            Some(self.file.clone()),
            num(self.line),
            num(self.byte_offset),
            self.entity_type.clone(),
            self.confidence.map(|c| c.to_string()),
            self.preview.clone(),
            num(self.bytes),
            num(self.lines),
            self.findings_json(),
            self.level.clone(),
            self.sha256.clone(),
            num(self.elapsed_us),
            self.error_kind.clone(),
            self.error.clone(),
        ]
    }
}

/// The line-oriented encodings (Parquet is written from a JSON Lines journal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Jsonl,
    Csv,
}

impl Encoding {
    /// The bytes before the first row of a new output (CSV: the header).
    pub(crate) fn header(self) -> Vec<u8> {
        match self {
            Encoding::Jsonl => Vec::new(),
            Encoding::Csv => {
                let mut line = COLUMNS.join(",");
                line.push('\n');
                line.into_bytes()
            }
        }
    }

    /// Append one encoded row to `out`.
    pub(crate) fn write(self, row: &Row, out: &mut impl Write) -> govai::Result<()> {
        // Writing a block failing ends the run (Internal), unlike a scanned file's own errors.
        let io = |e: std::io::Error| Error::Internal(format!("writing scan rows: {e}"));
        match self {
            Encoding::Jsonl => {
                serde_json::to_writer(&mut *out, row)
                    .map_err(|e| Error::Internal(format!("writing scan rows: {e}")))?;
                out.write_all(b"\n").map_err(io)
            }
            Encoding::Csv => {
                let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(&mut *out);
                w.write_record(row.cells().iter().map(|c| c.as_deref().unwrap_or("")))
                    .map_err(|e| Error::Internal(e.to_string()))?;
                w.flush().map_err(io)
            }
        }
    }
}

/// A confidence score as the rows carry it: rounded to 4 decimals (the same value in every
/// format, not the f32's binary expansion).
pub(crate) fn confidence(score: f32) -> f64 {
    (f64::from(score) * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn csv_and_jsonl_rows() {
        let row = Row {
            record: "finding".into(),
            file: "a,b.txt".into(),
            line: Some(3),
            entity_type: Some("cn_mobile".into()),
            confidence: Some(confidence(0.95)),
            ..Row::default()
        };
        let mut csv = Vec::new();
        Encoding::Csv.write(&row, &mut csv).unwrap();
        assert_eq!(String::from_utf8(csv).unwrap(), "finding,\"a,b.txt\",3,,cn_mobile,0.95,,,,,,,,,\n");
        let mut jsonl = Vec::new();
        Encoding::Jsonl.write(&row, &mut jsonl).unwrap();
        let back: Row = serde_json::from_slice(&jsonl).unwrap();
        assert_eq!(back, row);
    }
}
