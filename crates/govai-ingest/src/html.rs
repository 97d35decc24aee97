//! HTML: the charset from a byte-order mark or a `<meta>` declaration (GBK, GB2312 and
//! GB18030 included, as Chinese government sites still use them; undeclared non-UTF-8 input is
//! read as GB18030), parsed with `scraper` (html5ever). Script, style, navigation, header and
//! footer elements are dropped; headings `h1`–`h6` become headings, paragraphs, list items and
//! `div`s become blocks, and each table row one block with cells separated by ` | `.

use std::sync::LazyLock;

use encoding_rs::{Encoding, GB18030, UTF_8};
use regex::bytes::Regex;
use scraper::{ElementRef, Html, Node, Selector};

use crate::clean::normalize_line;
use crate::{Block, Error, Extracted, Limits, Result};

/// Bytes searched for a `<meta charset>` declaration (the HTML standard's prescan looks at 1024).
const PRESCAN_BYTES: usize = 4096;

static CHARSET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)<meta[^>]*?charset\s*=\s*["']?\s*([a-z0-9_:.\-]+)"#).expect("valid regex"));

/// Decode HTML bytes: BOM, then a declared charset, then UTF-8 if valid, else GB18030.
/// Returns the text and the encoding's name.
pub(crate) fn decode(bytes: &[u8]) -> (String, &'static str) {
    if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom..]);
        return (text.into_owned(), enc.name());
    }
    let head = &bytes[..bytes.len().min(PRESCAN_BYTES)];
    let declared = CHARSET.captures(head).and_then(|c| Encoding::for_label(&c[1]));
    // A page labelled UTF-16 is read as UTF-8 by browsers too (the label is wrong if it parsed).
    let declared = declared.map(|e| e.output_encoding());
    match declared {
        Some(enc) if enc != UTF_8 => (enc.decode_without_bom_handling(bytes).0.into_owned(), enc.name()),
        _ => match std::str::from_utf8(bytes) {
            Ok(s) => (s.to_owned(), UTF_8.name()),
            Err(_) => {
                // Declared UTF-8 (or nothing) but not UTF-8: Chinese sites mislabel GBK pages.
                let (text, had_errors) = GB18030.decode_without_bom_handling(bytes);
                if had_errors && declared == Some(UTF_8) {
                    (UTF_8.decode_without_bom_handling(bytes).0.into_owned(), UTF_8.name())
                } else {
                    (text.into_owned(), GB18030.name())
                }
            }
        },
    }
}

/// Elements whose content is never policy text.
const DROPPED: &[&str] = &[
    "script", "style", "nav", "noscript", "template", "iframe", "header", "footer", "form", "button", "select", "svg",
    "head", "aside",
];

/// Elements that end a block.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "li",
    "dt",
    "dd",
    "ul",
    "ol",
    "dl",
    "blockquote",
    "pre",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "tr",
    "center",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "address",
    "figure",
    "figcaption",
    "body",
    "caption",
];

/// Extract the blocks of an HTML page.
pub(crate) fn extract(bytes: &[u8], file: &str, _limits: &Limits) -> Result<Extracted> {
    let (text, _) = decode(bytes);
    if text.contains('\0') {
        return Err(Error::Malformed {
            file: file.to_owned(),
            format: "HTML",
            reason: "binary content (NUL bytes)".into(),
        });
    }
    let html = Html::parse_document(&text);
    let meta_title = Selector::parse("title")
        .ok()
        .and_then(|s| html.select(&s).next().map(|t| normalize_line(&t.text().collect::<String>())))
        .filter(|t| !t.is_empty());
    let mut w = Walker::default();
    w.walk(html.root_element());
    w.flush();
    Ok(Extracted { blocks: w.blocks, meta_title, pages: 1, ..Extracted::default() })
}

#[derive(Default)]
struct Walker {
    blocks: Vec<Block>,
    buf: String,
    heading: Option<u8>,
    /// Inside a table cell: block elements add a space instead of ending the block.
    cell_depth: usize,
}

enum Step<'a> {
    Enter(ego_tree::NodeRef<'a, Node>),
    Leave(&'a str),
}

impl Walker {
    /// Depth-first, with an explicit stack (deeply nested pages do not overflow the stack).
    fn walk(&mut self, root: ElementRef<'_>) {
        let mut stack = vec![Step::Enter(*root)];
        while let Some(step) = stack.pop() {
            match step {
                Step::Enter(node) => match node.value() {
                    Node::Text(t) => self.buf.push_str(t),
                    Node::Element(e) => {
                        let name = e.name();
                        if DROPPED.contains(&name) {
                            continue;
                        }
                        self.enter(name);
                        stack.push(Step::Leave(name));
                        let children: Vec<_> = node.children().collect();
                        stack.extend(children.into_iter().rev().map(Step::Enter));
                    }
                    _ => {}
                },
                Step::Leave(name) => self.leave(name),
            }
        }
    }

    fn enter(&mut self, name: &str) {
        match name {
            "td" | "th" => {
                if self.cell_depth == 0 && !self.buf.trim().is_empty() {
                    self.buf.push_str(" | ");
                }
                self.cell_depth += 1;
            }
            "br" => self.line_break(),
            n if BLOCKS.contains(&n) => {
                self.line_break();
                if let Some(level) = heading_level(n) {
                    self.heading = Some(level);
                }
            }
            _ => {}
        }
    }

    fn leave(&mut self, name: &str) {
        match name {
            "td" | "th" => self.cell_depth = self.cell_depth.saturating_sub(1),
            n if BLOCKS.contains(&n) => {
                self.line_break();
                if heading_level(n).is_some() {
                    self.heading = None;
                }
            }
            _ => {}
        }
    }

    fn line_break(&mut self) {
        if self.cell_depth > 0 {
            self.buf.push(' ');
        } else {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let text = normalize_line(&self.buf);
        self.buf.clear();
        if !text.is_empty() {
            self.blocks.push(Block::new(text, self.heading, None));
        }
    }
}

fn heading_level(name: &str) -> Option<u8> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn blocks(html: &[u8]) -> Vec<(String, Option<u8>)> {
        extract(html, "a.html", &Limits::default()).unwrap().blocks.into_iter().map(|b| (b.text, b.heading)).collect()
    }

    #[test]
    fn structure_and_boilerplate() {
        let html = "<!DOCTYPE html><html><head><title>办法_示例市人民政府网</title><style>p{}</style></head>\
            <body><nav><a>首页</a> &gt; <a>政策</a></nav><script>var x = '第一条';</script>\
            <h1>示例市就业补贴办法</h1><div class=\"content\"><p>第一条&nbsp;&nbsp;为促进<b>就业</b>，制定本办法。</p>\
            第二条 补贴标准见下表。<table><tr><th>项目</th><th>标准</th></tr><tr><td><p>社保</p><p>补贴</p></td><td>300元</td></tr></table>\
            <ul><li>Apply online.</li><li>Or visit<br>a centre.</li></ul></div><footer>版权所有</footer></body></html>";
        let got = blocks(html.as_bytes());
        let want: Vec<(String, Option<u8>)> = [
            ("示例市就业补贴办法", Some(1)),
            ("第一条 为促进就业，制定本办法。", None),
            ("第二条 补贴标准见下表。", None),
            ("项目 | 标准", None),
            ("社保补贴 | 300元", None),
            ("Apply online.", None),
            ("Or visit", None),
            ("a centre.", None),
        ]
        .into_iter()
        .map(|(t, h)| (t.to_owned(), h))
        .collect();
        assert_eq!(got, want);
        let x = extract(html.as_bytes(), "a.html", &Limits::default()).unwrap();
        assert_eq!(x.meta_title.as_deref(), Some("办法_示例市人民政府网"));
    }

    #[test]
    fn charsets() {
        let body = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head><body><p>示例市人力资源和社会保障局</p></body></html>";
        let (gbk, _, _) = encoding_rs::GBK.encode(body);
        assert_ne!(&gbk[..], body.as_bytes());
        let (text, name) = decode(&gbk);
        assert_eq!(name, "GBK");
        assert!(text.contains("示例市人力资源和社会保障局"));

        let meta = "<html><head><meta charset='GB18030'></head><body><p>𠀀居住证</p></body></html>";
        let (bytes, _, _) = GB18030.encode(meta);
        assert!(decode(&bytes).0.contains("𠀀居住证"));

        // Undeclared GBK is read as GB18030 (a superset).
        let plain = "<html><body><p>社会保障卡</p></body></html>";
        let (bytes, _, _) = encoding_rs::GBK.encode(plain);
        assert_eq!(decode(&bytes), (plain.to_owned(), "gb18030"));
        // UTF-8 with a BOM, and plain UTF-8.
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(plain.as_bytes());
        assert_eq!(decode(&bom).0, plain);
        assert_eq!(decode(plain.as_bytes()), (plain.to_owned(), "UTF-8"));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = format!("<html><body>{}深层文本{}</body></html>", "<div>".repeat(20_000), "</div>".repeat(20_000));
        let got = blocks(html.as_bytes());
        assert_eq!(got, vec![("深层文本".to_owned(), None)]);
    }
}
