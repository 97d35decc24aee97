//! Cleaning extracted text: whitespace (full-width spaces, NBSP, zero-width characters), page
//! headers, footers and page numbers repeated across PDF pages, and lines broken by the PDF
//! layout (Chinese lines joined without a space, hyphenated English words rejoined).

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::Block;
use crate::split::starts_with_marker;

/// One line: full-width and no-break spaces become spaces, zero-width characters and control
/// characters go, runs of spaces shrink to one, and spaces between two CJK characters go.
pub(crate) fn normalize_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut pending_space = false;
    for c in line.chars() {
        let c = match c {
            '\u{3000}' | '\u{00A0}' | '\u{2002}'..='\u{200A}' | '\u{202F}' | '\t' => ' ',
            '\u{200B}'..='\u{200D}' | '\u{FEFF}' | '\u{00AD}' => continue,
            c if c.is_control() => ' ',
            c => c,
        };
        if c == ' ' {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            let prev = out.chars().next_back();
            if !(prev.is_some_and(is_cjk_or_punct) && is_cjk_or_punct(c)) || is_label(&out) {
                out.push(' ');
            }
            pending_space = false;
        }
        out.push(c);
    }
    out
}

/// `第一条`, `第二章`, `第三节`: the space after such a label is kept (`第一条 为了…`).
fn is_label(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('第') else { return false };
    let Some(num) = rest.strip_suffix(['条', '章', '节', '编']) else { return false };
    !num.is_empty()
        && num.chars().count() <= 6
        && num.chars().all(|c| "一二三四五六七八九十百千零〇两0123456789".contains(c))
}

/// CJK ideographs and full-width punctuation: no spaces between these.
pub(crate) fn is_cjk_or_punct(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{303F}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}' | '\u{FF00}'..='\u{FFEF}' | '\u{20000}'..='\u{2FFFF}'
        | '“' | '”' | '‘' | '’' | '—' | '…' | '·')
}

/// A page number on a line of its own: `3`, `- 3 -`, `— 3 —`, `第3页`, `第 3 页 共 5 页`,
/// `3/5`, `Page 3 of 5`.
static PAGE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^[-—–－\s]*(?:page\s*)?(?:第\s*)?\d{1,4}\s*(?:页)?\s*(?:(?:[/／]|of|，?\s*共)\s*\d{1,4}\s*(?:页)?)?[-—–－\s]*$")
        .expect("valid regex")
});

/// Whether the line is only a page number.
pub(crate) fn is_page_number(line: &str) -> bool {
    PAGE_NUMBER.is_match(line.trim())
}

/// Lines at the top and bottom of a page looked at for repeated headers and footers.
const EDGE_LINES: usize = 3;

/// Remove page headers and footers: lines among the first or last [`EDGE_LINES`] of a page that
/// (with digits ignored) recur on at least half of the pages (and on at least 2), and page
/// numbers there. `pages[i]` holds the lines of page i, already normalised.
pub(crate) fn strip_headers_footers(pages: &mut [Vec<String>]) {
    let key = |l: &str| l.chars().map(|c| if c.is_ascii_digit() { '#' } else { c }).collect::<String>();
    let mut counts: HashMap<String, usize> = HashMap::new();
    for lines in pages.iter() {
        let mut keys: Vec<String> = edge_indices(lines.len()).map(|i| key(&lines[i])).collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            *counts.entry(k).or_default() += 1;
        }
    }
    let with_text = pages.iter().filter(|p| !p.is_empty()).count();
    let threshold = with_text.div_ceil(2).max(2);
    for lines in pages.iter_mut() {
        let edges: Vec<usize> = edge_indices(lines.len()).collect();
        let mut drop = vec![false; lines.len()];
        for i in edges {
            let l = &lines[i];
            if is_page_number(l) || counts.get(&key(l)).is_some_and(|&n| n >= threshold) {
                drop[i] = true;
            }
        }
        let mut i = 0;
        lines.retain(|_| {
            i += 1;
            !drop[i - 1]
        });
    }
}

fn edge_indices(n: usize) -> impl Iterator<Item = usize> {
    let top = 0..n.min(EDGE_LINES);
    let bottom = n.saturating_sub(EDGE_LINES).max(n.min(EDGE_LINES))..n;
    top.chain(bottom)
}

/// Sentence and clause ends after which a PDF line is not continued.
fn ends_paragraph(line: &str) -> bool {
    line.ends_with(['。', '！', '？', '：', '；', '!', '?', ':', ';', '.', '”', '）', ')'])
}

/// Lines on their own that never continue the line before: dates and document numbers.
static STANDALONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[\p{Han}]{1,12}[〔\[［【(（]\d{4}[〕\]］】)）]\s*第?\d{1,6}\s*号)$")
        .expect("valid regex")
});

/// Join the lines of the cleaned pages into paragraph blocks. A line is continued by the next
/// when it does not end a sentence, is at least 60% as long as the document's usual full line
/// (shorter ones are titles, headings, signatures), and the next line does not start a new
/// article or item (第X条, 一、, （一）) or stand alone (a date, a document number). Chinese
/// pieces are joined without a space; `exam-` + `ple` becomes `example`.
pub(crate) fn join_lines(pages: &[Vec<String>]) -> Vec<Block> {
    let full = full_line_width(pages);
    let mut blocks: Vec<Block> = Vec::new();
    let mut open = false;
    for (p, lines) in pages.iter().enumerate() {
        for line in lines {
            let line = line.trim();
            if line.is_empty() {
                open = false;
                continue;
            }
            let continues = open && !starts_with_marker(line) && !STANDALONE.is_match(line);
            match blocks.last_mut() {
                Some(last) if continues => append_line(&mut last.text, line),
                _ => blocks.push(Block::new(line, None, Some(p as u32 + 1))),
            }
            let width = line.chars().count();
            let text = &blocks.last().map(|b| b.text.as_str()).unwrap_or_default();
            open = !ends_paragraph(text) && width * 10 >= full * 6 && width > 4;
        }
    }
    blocks
}

/// Append a wrapped line: no space between CJK pieces, rejoin hyphenated words, else a space.
fn append_line(text: &mut String, next: &str) {
    let prev = text.chars().next_back();
    let first = next.chars().next();
    if text.ends_with('-') && prev.is_some() && first.is_some_and(|c| c.is_lowercase()) {
        text.pop();
    } else if !(prev.is_some_and(is_cjk_or_punct) || first.is_some_and(is_cjk_or_punct)) {
        text.push(' ');
    }
    text.push_str(next);
}

/// The usual length of a full line: the 80th percentile of line lengths (in characters) over
/// lines of more than 10 characters; 0 when there are none.
fn full_line_width(pages: &[Vec<String>]) -> usize {
    let mut widths: Vec<usize> = pages.iter().flatten().map(|l| l.trim().chars().count()).filter(|&w| w > 10).collect();
    if widths.is_empty() {
        return 0;
    }
    widths.sort_unstable();
    widths[(widths.len() * 8 / 10).min(widths.len() - 1)]
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn lines(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| normalize_line(s)).collect()
    }

    #[test]
    fn whitespace_is_normalised() {
        assert_eq!(normalize_line("\u{3000}\u{3000}第一条\u{3000}\u{3000}为了"), "第一条 为了");
        assert_eq!(normalize_line("第 一 条"), "第一条");
        assert_eq!(normalize_line("第十二章 附 则"), "第十二章 附则");
        assert_eq!(normalize_line("Article\u{00A0}\u{00A0}1  applies"), "Article 1 applies");
        assert_eq!(normalize_line("示例\u{200B}市 2024 年"), "示例市 2024 年");
    }

    #[test]
    fn page_numbers() {
        for l in ["3", "- 3 -", "— 12 —", "第3页", "第 3 页 共 5 页", "3/5", "Page 2 of 9", "－ 4 －"] {
            assert!(is_page_number(l), "{l}");
        }
        for l in ["第3条", "2024年", "共3项", "3. 申请"] {
            assert!(!is_page_number(l), "{l}");
        }
    }

    #[test]
    fn repeated_headers_and_footers_go() {
        let mut pages = vec![
            lines(&["示例市人力资源和社会保障局文件", "第一条 甲。", "内部资料 注意保存", "- 1 -"]),
            lines(&["示例市人力资源和社会保障局文件", "第二条 乙。", "内部资料 注意保存", "- 2 -"]),
            lines(&["示例市人力资源和社会保障局文件", "第三条 丙。", "内部资料 注意保存", "- 3 -"]),
        ];
        strip_headers_footers(&mut pages);
        assert_eq!(pages, vec![vec!["第一条 甲。"], vec!["第二条 乙。"], vec!["第三条 丙。"]]);
        // A line that appears once is kept.
        let mut single = vec![lines(&["标题", "正文。"]), lines(&["别的", "正文二。"])];
        strip_headers_footers(&mut single);
        assert_eq!(single[0], vec!["标题", "正文。"]);
    }

    #[test]
    fn broken_lines_are_joined() {
        let pages = vec![
            lines(&[
                "示例市灵活就业人员社会保险补贴办法",
                "第一条 为了支持灵活就业人员参加社会保险，根据有关规",
                "定，结合本市实际，制定本办法。",
                "第二条 本办法适用于在本市登记灵活就业的人员和离校两年",
            ]),
            lines(&[
                "内未就业的高校毕业生。",
                "示例市人力资源和社会保障局",
                "2024年3月1日",
                "The applicant sub-",
                "mits the form at any service centre counter in the city.",
            ]),
        ];
        let blocks = join_lines(&pages);
        let texts: Vec<&str> = blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "示例市灵活就业人员社会保险补贴办法",
                "第一条 为了支持灵活就业人员参加社会保险，根据有关规定，结合本市实际，制定本办法。",
                "第二条 本办法适用于在本市登记灵活就业的人员和离校两年内未就业的高校毕业生。",
                "示例市人力资源和社会保障局",
                "2024年3月1日",
                "The applicant submits the form at any service centre counter in the city.",
            ]
        );
        assert_eq!(blocks[2].page, Some(1), "a paragraph keeps the page where it starts");
        assert_eq!(blocks[4].page, Some(2));
    }
}
