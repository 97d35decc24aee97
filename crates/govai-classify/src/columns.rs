//! Table columns: the header cell above a value is its label.
//!
//! Exported tables (CSV, TSV, Markdown or `|`-separated text) name a column once, in the header
//! line, and leave the rows bare: `序号,姓名,护照号码` then `1,张伟,E12345678`. The context
//! window stops at the line break, so without this a row's value has no label. A row is a line
//! with at least one delimiter (tab, `|`, `,` or `;`); its table is the run of lines just above
//! it with the same number of that delimiter; the top line of the run is the header when it
//! holds no value-like digit run (four or more ASCII digits). The value's column is the number
//! of delimiters before it on its line.

use govai_core::Classification;

use crate::GuardClassifier;

/// Delimiters tried, in order: the first one whose table has a header decides.
const DELIMITERS: [u8; 4] = [b'\t', b'|', b',', b';'];
/// Lines above the row searched for its header.
const MAX_LINES_UP: usize = 64;
/// Bytes above the row searched for its header.
const MAX_BYTES_UP: usize = 16 * 1024;

/// The byte span of the header cell of the column holding byte `at` of `t`, trimmed of spaces,
/// quotes and Markdown emphasis; `None` when `at`'s line is not a row under a header.
pub(crate) fn header_cell(t: &str, at: usize) -> Option<(usize, usize)> {
    let b = t.as_bytes();
    let (ls, le) = line_at(b, at);
    DELIMITERS.iter().find_map(|&d| {
        let row = &b[ls..le];
        let n = count(row, d);
        if n == 0 {
            return None;
        }
        let (hs, he) = header_line(b, ls, d, n)?;
        let column = count(&b[ls..at], d);
        cell(b, hs, he, d, column)
    })
}

/// Longest header line kept by [`TableContext`].
const MAX_HEADER_BYTES: usize = 4096;

/// Follows the header line of delimited tables while a file is scanned one line at a time, so
/// that a row scanned alone still has its column labels: a line with a delimiter and no
/// value-like digit run becomes the header; the lines after it with the same number of that
/// delimiter are its rows; any other line ends the table.
#[derive(Debug, Default, Clone)]
pub struct TableContext {
    header: Option<String>,
}

impl TableContext {
    /// No table yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Scan one line (without its line break): as a row of the current table when it has the
    /// header's shape ([`GuardClassifier::scan_after`]), otherwise alone; then remember it as
    /// the header if it looks like one.
    pub fn scan_line(&mut self, classifier: &GuardClassifier, line: &str) -> Classification {
        let row = self.header.as_deref().filter(|h| same_shape(h.as_bytes(), line.as_bytes()));
        let found = match row {
            Some(h) => classifier.scan_after(h, line),
            None => classifier.scan(line),
        };
        if row.is_none() {
            self.header = is_header(line.as_bytes()).then(|| line.to_owned());
        }
        found
    }
}

/// Does `row` hold as many of one delimiter as `header` (at least one)?
fn same_shape(header: &[u8], row: &[u8]) -> bool {
    DELIMITERS.iter().any(|&d| {
        let n = count(header, d);
        n > 0 && count(row, d) == n
    })
}

/// A line that can head a table: a delimiter, no value, not too long.
fn is_header(line: &[u8]) -> bool {
    line.len() <= MAX_HEADER_BYTES && DELIMITERS.iter().any(|&d| count(line, d) > 0) && !has_value(line)
}

/// The line `[start, end)` holding byte `at` (without its `\r\n` / `\n`).
fn line_at(b: &[u8], at: usize) -> (usize, usize) {
    let start = memchr::memrchr(b'\n', &b[..at]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &b[at..]).map_or(b.len(), |i| at + i);
    (start, trim_cr(b, start, end))
}

fn trim_cr(b: &[u8], start: usize, end: usize) -> usize {
    if end > start && b[end - 1] == b'\r' { end - 1 } else { end }
}

fn count(s: &[u8], d: u8) -> usize {
    memchr::memchr_iter(d, s).count()
}

/// The top line of the run of lines above the row starting at `row_start` that hold `n`
/// delimiters `d`, if it looks like a header.
fn header_line(b: &[u8], row_start: usize, d: u8, n: usize) -> Option<(usize, usize)> {
    let floor = row_start.saturating_sub(MAX_BYTES_UP);
    let mut top = None;
    let mut end = row_start.checked_sub(1)?;
    for _ in 0..MAX_LINES_UP {
        let start = memchr::memrchr(b'\n', &b[floor..end]).map_or(floor, |i| floor + i + 1);
        let line_end = trim_cr(b, start, end);
        if count(&b[start..line_end], d) != n {
            break;
        }
        top = Some((start, line_end));
        if start == floor {
            break;
        }
        end = start - 1;
    }
    top.filter(|&(s, e)| !has_value(&b[s..e]))
}

/// Four or more ASCII digits in a row: a value, so the line is a data row, not a header.
fn has_value(line: &[u8]) -> bool {
    line.split(|c| !c.is_ascii_digit()).any(|run| run.len() >= 4)
}

/// Cell `column` of the line `[s, e)` split at `d`, trimmed; `None` when it is empty.
fn cell(b: &[u8], s: usize, e: usize, d: u8, column: usize) -> Option<(usize, usize)> {
    let mut start = s;
    for _ in 0..column {
        start += memchr::memchr(d, &b[start..e])? + 1;
    }
    let end = memchr::memchr(d, &b[start..e]).map_or(e, |i| start + i);
    let trim = |c: &u8| matches!(c, b' ' | b'\t' | b'"' | b'\'' | b'*' | b'`');
    let lead = b[start..end].iter().take_while(|c| trim(c)).count();
    let tail = b[start + lead..end].iter().rev().take_while(|c| trim(c)).count();
    let span = (start + lead, end - tail);
    (span.0 < span.1).then_some(span)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header_of(t: &str, value: &str) -> Option<String> {
        let at = t.find(value).unwrap_or_else(|| panic!("{value} not in {t}"));
        header_cell(t, at).map(|(s, e)| t[s..e].to_owned())
    }

    #[test]
    fn csv_tsv_and_markdown_headers() {
        let csv = "序号,姓名,护照号码\n1,张伟,E12345678\n2,王芳,E87654321";
        assert_eq!(header_of(csv, "E87654321").as_deref(), Some("护照号码"));
        assert_eq!(header_of(csv, "王芳").as_deref(), Some("姓名"));
        let tsv = "no\tname\tcard_no\r\n1\tLi\t6222020200112233445\r\n";
        assert_eq!(header_of(tsv, "6222").as_deref(), Some("card_no"));
        let md = "| 序号 | 姓名 | **通行证号** |\n|---|---|---|\n| 1 | 张伟 | C12345678 |";
        assert_eq!(header_of(md, "C1234").as_deref(), Some("通行证号"));
        let quoted = "\"id\";\"手机\"\n\"1\";\"13800138000\"";
        assert_eq!(header_of(quoted, "1380").as_deref(), Some("手机"));
    }

    #[test]
    fn no_header_no_label() {
        // Rows without a header line: the top row holds values.
        assert_eq!(header_of("1,张伟,E12345678\n2,王芳,E87654321", "E8765"), None);
        // A line with a different shape above.
        assert_eq!(header_of("护照号码如下\n1,张伟,E12345678", "E1234"), None);
        // Prose: no delimiter on the line.
        assert_eq!(header_of("a,b\n护照E12345678", "E1234"), None);
        // The header itself is not under a header.
        assert_eq!(header_of("序号,护照号码\n1,E12345678", "护照"), None);
        // An empty header cell.
        assert_eq!(header_of("序号,,姓名\n1,E12345678,张伟", "E1234"), None);
    }

    #[test]
    fn rows_scanned_alone_keep_their_header() {
        let g = GuardClassifier::default();
        let types = |c: &Classification| c.findings.iter().map(|f| f.entity_type.clone()).collect::<Vec<_>>();
        // Without its header a bare C + 8 digits is not reported (it needs context).
        assert!(types(&g.scan("1,张伟,C12345678")).iter().all(|t| t != "hk_macau_permit"));
        let mut table = TableContext::new();
        assert!(table.scan_line(&g, "序号,姓名,通行证号").findings.is_empty());
        let row = table.scan_line(&g, "1,张伟,C12345678");
        assert!(types(&row).contains(&"hk_macau_permit".to_owned()), "{row:?}");
        let f = row.findings.iter().find(|f| f.entity_type == "hk_macau_permit").map(|f| (f.start, f.end));
        assert_eq!(f, Some((5, 14)), "offsets are into the row");
        // A line of another shape ends the table.
        table.scan_line(&g, "以下为说明");
        assert!(types(&table.scan_line(&g, "2,王芳,C87654321")).iter().all(|t| t != "hk_macau_permit"));
    }

    #[test]
    fn bounded_search() {
        let mut t = String::from("序号,护照号码\n");
        for i in 0..(MAX_LINES_UP + 5) {
            t.push_str(&format!("{i},E{:08}\n", i));
        }
        t.push_str("9,E12345678");
        assert_eq!(header_of(&t, "E1234"), None);
    }
}
