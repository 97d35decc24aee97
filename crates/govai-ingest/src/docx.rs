//! DOCX: `word/document.xml` read with quick-xml. Paragraphs become blocks; paragraphs with a
//! heading style (`Title`, `heading N`, `标题 N`, or an outline level) become headings; each
//! table row becomes one block with its cells separated by ` | `. The title from
//! `docProps/core.xml` is kept as metadata.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::clean::normalize_line;
use crate::{Block, Error, Extracted, Limits, Result, limit};

/// Extract the blocks of a DOCX file.
pub(crate) fn extract(bytes: &[u8], file: &str, limits: &Limits) -> Result<Extracted> {
    let malformed = |reason: String| Error::Malformed { file: file.to_owned(), format: "DOCX", reason };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| malformed(e.to_string()))?;
    let document = read_entry(&mut zip, "word/document.xml", file, limits)?
        .ok_or_else(|| malformed("no word/document.xml".into()))?;
    let styles = read_entry(&mut zip, "word/styles.xml", file, limits)?.map(|x| heading_styles(&x)).unwrap_or_default();
    let meta_title = read_entry(&mut zip, "docProps/core.xml", file, limits)?.and_then(|x| core_title(&x));
    let blocks = paragraphs(&document, &styles).map_err(malformed)?;
    Ok(Extracted { blocks, meta_title, pages: 1, ..Extracted::default() })
}

/// A zip entry as text, at most `max_text_bytes` uncompressed (zip bombs), or `None` if absent.
fn read_entry(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    file: &str,
    limits: &Limits,
) -> Result<Option<String>> {
    let entry = match zip.by_name(name) {
        Ok(e) => e,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => {
            return Err(Error::Malformed { file: file.to_owned(), format: "DOCX", reason: format!("{name}: {e}") });
        }
    };
    let max = limits.max_text_bytes;
    let mut buf = Vec::new();
    entry.take(max + 1).read_to_end(&mut buf).map_err(|e| Error::Malformed {
        file: file.to_owned(),
        format: "DOCX",
        reason: format!("{name}: {e}"),
    })?;
    if buf.len() as u64 > max {
        return Err(limit(file, "max_text_bytes", "uncompressed word/document.xml bytes", max, buf.len() as u64));
    }
    String::from_utf8(buf).map(Some).map_err(|_| Error::Malformed {
        file: file.to_owned(),
        format: "DOCX",
        reason: format!("{name} is not UTF-8"),
    })
}

fn attr(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes().flatten().find(|a| a.key.local_name().as_ref() == local).map(|a| a.value.into_owned())
}

/// Heading level from a style's id or name: `Title` → 1, `heading 2` / `Heading2` / `标题 2` → 2.
fn level_from_name(name: &str) -> Option<u8> {
    let n = name.trim().to_lowercase();
    if n == "title" || n == "标题" {
        return Some(1);
    }
    let rest = n.strip_prefix("heading").or_else(|| n.strip_prefix("标题"))?;
    rest.trim().parse::<u8>().ok().filter(|l| (1..=9).contains(l))
}

/// styleId → heading level, from `word/styles.xml` (ids such as `1` in Chinese Word name
/// `heading 1`).
fn heading_styles(xml: &str) -> HashMap<String, u8> {
    let mut out = HashMap::new();
    let mut reader = Reader::from_str(xml);
    let mut current: Option<String> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if e.local_name().as_ref() == "style" => current = attr(&e, "styleId"),
            Ok(Event::Empty(e) | Event::Start(e)) if e.local_name().as_ref() == "name" => {
                if let (Some(id), Some(level)) =
                    (current.as_ref(), attr(&e, "val").as_deref().and_then(level_from_name))
                {
                    out.insert(id.clone(), level);
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

/// `dc:title` of `docProps/core.xml`.
fn core_title(xml: &str) -> Option<String> {
    let mut reader = Reader::from_str(xml);
    let mut inside = false;
    let mut title = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if e.local_name().as_ref() == "title" => inside = true,
            Ok(Event::End(e)) if e.local_name().as_ref() == "title" => break,
            Ok(Event::Text(t)) if inside => title.push_str(&t.xml10_content()),
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    let title = normalize_line(&title);
    (!title.is_empty()).then_some(title)
}

/// Paragraphs and table rows of `word/document.xml`.
fn paragraphs(xml: &str, styles: &HashMap<String, u8>) -> std::result::Result<Vec<Block>, String> {
    let mut reader = Reader::from_str(xml);
    let mut w = Walker {
        styles,
        blocks: Vec::new(),
        para: String::new(),
        level: None,
        in_text: false,
        rows: Vec::new(),
        cell_depth: 0,
    };
    loop {
        let event =
            reader.read_event().map_err(|e| format!("word/document.xml at byte {}: {e}", reader.buffer_position()))?;
        match event {
            Event::Start(e) => w.open(&e, true),
            Event::Empty(e) => w.open(&e, false),
            Event::Text(t) if w.in_text => w.para.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if w.in_text => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    w.para.push(c);
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r.xml10_content()) {
                    w.para.push_str(s);
                }
            }
            Event::End(e) => w.close(e.local_name().as_ref()),
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(w.blocks)
}

struct Walker<'s> {
    styles: &'s HashMap<String, u8>,
    blocks: Vec<Block>,
    para: String,
    level: Option<u8>,
    in_text: bool,
    /// Open table rows (nested tables), each collecting its cells' texts.
    rows: Vec<Vec<String>>,
    cell_depth: usize,
}

impl Walker<'_> {
    fn open(&mut self, e: &BytesStart<'_>, start: bool) {
        match e.local_name().as_ref() {
            "p" if start => {
                self.para.clear();
                self.level = None;
            }
            "pStyle" => {
                self.level = attr(e, "val").and_then(|v| self.styles.get(&v).copied().or_else(|| level_from_name(&v)));
            }
            "outlineLvl" => {
                let outline = attr(e, "val").and_then(|v| v.parse::<u8>().ok()).filter(|&l| l < 9);
                self.level = self.level.or(outline.map(|l| l + 1));
            }
            "t" => self.in_text = start,
            "tab" | "br" | "cr" => self.para.push(' '),
            "tr" if start => self.rows.push(Vec::new()),
            "tc" if start => {
                self.cell_depth += 1;
                if let Some(row) = self.rows.last_mut() {
                    row.push(String::new());
                }
            }
            _ => {}
        }
    }

    fn close(&mut self, name: &str) {
        match name {
            "t" => self.in_text = false,
            "p" => {
                let text = normalize_line(&self.para);
                self.para.clear();
                if text.is_empty() {
                    return;
                }
                match self.rows.last_mut().and_then(|r| r.last_mut()) {
                    Some(cell) if self.cell_depth > 0 => push_spaced(cell, &text),
                    _ => self.blocks.push(Block::new(text, self.level, None)),
                }
            }
            "tc" => self.cell_depth = self.cell_depth.saturating_sub(1),
            "tr" => {
                let cells: Vec<String> =
                    self.rows.pop().unwrap_or_default().into_iter().filter(|c| !c.is_empty()).collect();
                if cells.is_empty() {
                    return;
                }
                let row = cells.join(" | ");
                // A row of a nested table becomes text of the enclosing cell.
                match self.rows.last_mut().and_then(|r| r.last_mut()) {
                    Some(cell) if self.cell_depth > 0 => push_spaced(cell, &row),
                    _ => self.blocks.push(Block::new(row, None, None)),
                }
            }
            _ => {}
        }
    }
}

fn push_spaced(cell: &mut String, text: &str) {
    if !cell.is_empty() {
        cell.push(' ');
    }
    cell.push_str(text);
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used)]
    use std::io::Write;

    use super::*;

    /// A minimal DOCX: `paras` as (style id or "", text); `table` rows of cells after them.
    pub(crate) fn make_docx(paras: &[(&str, &str)], table: &[&[&str]]) -> Vec<u8> {
        let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;");
        let mut body = String::new();
        for (style, text) in paras {
            let ppr =
                if style.is_empty() { String::new() } else { format!("<w:pPr><w:pStyle w:val=\"{style}\"/></w:pPr>") };
            body.push_str(&format!("<w:p>{ppr}<w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>", esc(text)));
        }
        if !table.is_empty() {
            body.push_str("<w:tbl>");
            for row in table {
                body.push_str("<w:tr>");
                for cell in *row {
                    body.push_str(&format!("<w:tc><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc>", esc(cell)));
                }
                body.push_str("</w:tr>");
            }
            body.push_str("</w:tbl>");
        }
        let ns = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";
        let document =
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document {ns}><w:body>{body}</w:body></w:document>");
        let styles = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:styles {ns}><w:style w:type=\"paragraph\" w:styleId=\"1\"><w:name w:val=\"heading 1\"/></w:style><w:style w:type=\"paragraph\" w:styleId=\"2\"><w:name w:val=\"heading 2\"/></w:style></w:styles>"
        );
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, text) in [("word/document.xml", document), ("word/styles.xml", styles)] {
            zip.start_file(name, opts).unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn paragraphs_headings_and_tables() {
        let bytes = make_docx(
            &[
                ("Title", "示例市就业补贴办法"),
                ("", "第一条\u{3000}为促进就业，制定本办法。"),
                ("1", "申请材料"),
                ("Heading2", "Eligibility & terms"),
                ("", ""),
            ],
            &[&["补贴项目", "标准"], &["社保补贴", "每月300元"]],
        );
        let x = extract(&bytes, "a.docx", &Limits::default()).unwrap();
        let got: Vec<(&str, Option<u8>)> = x.blocks.iter().map(|b| (b.text.as_str(), b.heading)).collect();
        assert_eq!(
            got,
            vec![
                ("示例市就业补贴办法", Some(1)),
                ("第一条 为促进就业，制定本办法。", None),
                ("申请材料", Some(1)),
                ("Eligibility & terms", Some(2)),
                ("补贴项目 | 标准", None),
                ("社保补贴 | 每月300元", None),
            ]
        );
    }

    #[test]
    fn bad_and_oversized_files_are_named() {
        let err = extract(b"PK\x03\x04 not really", "a.docx", &Limits::default()).unwrap_err();
        assert!(matches!(err, Error::Malformed { .. }) && err.to_string().contains("a.docx"), "{err}");
        let bytes = make_docx(&[("", &"长".repeat(2000))], &[]);
        let limits = Limits { max_text_bytes: 1000, ..Limits::default() };
        let err = extract(&bytes, "b.docx", &limits).unwrap_err();
        assert!(err.to_string().contains("max_text_bytes"), "{err}");
    }
}
