//! Parquet output, written from the run's JSON Lines journal once every file is done: row
//! groups of [`ROW_GROUP`] rows (bounded memory), Snappy-compressed, into a temporary file
//! renamed over the output, so the Parquet file is always whole. The columns are the JSON
//! Lines fields ([`COLUMNS`]); `findings` holds the JSON text of the findings by type.
//!
//! Written with the parquet crate's column writer, without arrow (compile time).

use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::Arc;

use govai::Error;
use govai::io::BoundedLines;
use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

use super::output::with_suffix;
use super::row::{COLUMNS, Row};

/// Rows per row group.
const ROW_GROUP: usize = 65_536;

/// The schema: `record` and `file` always set, the rest optional.
const SCHEMA: &str = "message govai_scan {
  required binary record (UTF8);
  required binary file (UTF8);
  optional int64 line;
  optional int64 byte_offset;
  optional binary type (UTF8);
  optional double confidence;
  optional binary preview (UTF8);
  optional int64 bytes;
  optional int64 lines;
  optional binary findings (UTF8);
  optional binary level (UTF8);
  optional binary sha256 (UTF8);
  optional int64 elapsed_us;
  optional binary error_kind (UTF8);
  optional binary error (UTF8);
}";

fn pq(path: &Path) -> impl Fn(parquet::errors::ParquetError) -> Error + '_ {
    move |e| Error::InvalidInput(format!("{}: writing Parquet: {e}", path.display()))
}

/// Write the rows of the journal `jsonl` to `out` (through `out.tmp`, renamed into place).
pub(crate) fn write(jsonl: &Path, out: &Path) -> govai::Result<()> {
    let tmp = with_suffix(out, ".tmp");
    let schema = Arc::new(parse_message_type(SCHEMA).map_err(pq(out))?);
    debug_assert_eq!(schema.get_fields().len(), COLUMNS.len());
    let props = Arc::new(WriterProperties::builder().set_compression(Compression::SNAPPY).build());
    let file = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    let mut writer = SerializedFileWriter::new(file, schema, props).map_err(pq(out))?;
    let reader = BufReader::new(File::open(jsonl).map_err(|e| Error::io(jsonl, e))?);
    let mut rows = Vec::with_capacity(ROW_GROUP);
    for line in BoundedLines::new(reader, govai::MAX_LINE_BYTES, jsonl.display().to_string()) {
        let line = line?;
        let row: Row = serde_json::from_str(&line.text).map_err(|e| {
            Error::InvalidInput(format!("{}: line {}: not a scan row: {e}", jsonl.display(), line.number))
        })?;
        rows.push(row);
        if rows.len() == ROW_GROUP {
            write_group(&mut writer, &rows, out)?;
            rows.clear();
        }
    }
    if !rows.is_empty() {
        write_group(&mut writer, &rows, out)?;
    }
    let file = writer.into_inner().map_err(pq(out))?;
    file.sync_all().map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, out).map_err(|e| Error::io(out, e))
}

/// One column's cells: the values present and a definition level per row (1 set, 0 null).
struct Cells<T> {
    values: Vec<T>,
    defs: Vec<i16>,
}

fn cells<T>(rows: &[Row], get: impl Fn(&Row) -> Option<T>) -> Cells<T> {
    let mut c = Cells { values: Vec::with_capacity(rows.len()), defs: Vec::with_capacity(rows.len()) };
    for row in rows {
        match get(row) {
            Some(v) => {
                c.values.push(v);
                c.defs.push(1);
            }
            None => c.defs.push(0),
        }
    }
    c
}

fn text(s: &str) -> ByteArray {
    ByteArray::from(s.as_bytes().to_vec())
}

fn int(v: Option<u64>) -> Option<i64> {
    v.map(|v| i64::try_from(v).unwrap_or(i64::MAX))
}

/// The column cells of a row group, in schema order.
enum Column {
    Text(Cells<ByteArray>),
    Int(Cells<i64>),
    Double(Cells<f64>),
}

fn columns(rows: &[Row]) -> Vec<Column> {
    use Column::{Double, Int, Text};
    let t = |get: fn(&Row) -> Option<&str>| Text(cells(rows, |r| get(r).map(text)));
    vec![
        t(|r| Some(&r.record)),
        t(|r| Some(&r.file)),
        Int(cells(rows, |r| int(r.line))),
        Int(cells(rows, |r| int(r.byte_offset))),
        t(|r| r.entity_type.as_deref()),
        Double(cells(rows, |r| r.confidence)),
        t(|r| r.preview.as_deref()),
        Int(cells(rows, |r| int(r.bytes))),
        Int(cells(rows, |r| int(r.lines))),
        Text(cells(rows, |r| r.findings_json().map(|s| text(&s)))),
        t(|r| r.level.as_deref()),
        t(|r| r.sha256.as_deref()),
        Int(cells(rows, |r| int(r.elapsed_us))),
        t(|r| r.error_kind.as_deref()),
        t(|r| r.error.as_deref()),
    ]
}

fn write_group(writer: &mut SerializedFileWriter<File>, rows: &[Row], out: &Path) -> govai::Result<()> {
    let mut group = writer.next_row_group().map_err(pq(out))?;
    for column in columns(rows) {
        let mut col = group
            .next_column()
            .map_err(pq(out))?
            .ok_or_else(|| Error::Internal("parquet schema has fewer columns than rows".into()))?;
        // Required columns (record, file) are always set: their levels are all 1 and are
        // ignored by the writer.
        match &column {
            Column::Text(c) => col.typed::<ByteArrayType>().write_batch(&c.values, Some(&c.defs), None),
            Column::Int(c) => col.typed::<Int64Type>().write_batch(&c.values, Some(&c.defs), None),
            Column::Double(c) => col.typed::<DoubleType>().write_batch(&c.values, Some(&c.defs), None),
        }
        .map_err(pq(out))?;
        col.close().map_err(pq(out))?;
    }
    group.close().map_err(pq(out))?;
    Ok(())
}
