//! Splitting blocks into passages: at headings (document markup, 第X章 / 第X节, short 一、
//! lines), at articles (第X条) and items (一、, and （一） outside an article), each passage at
//! most `max_chars` characters (longer ones are split at sentence ends 。！？).

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use crate::provenance::Detected;
use crate::{Block, Section};

const NUM: &str = "[一二三四五六七八九十百千零〇两0-9０-９]+";

static CHAPTER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^第{NUM}\s*(?:章|节|编|部分)")).expect("valid regex"));
static ARTICLE: LazyLock<Regex> = LazyLock::new(|| Regex::new(&format!(r"^第{NUM}\s*条")).expect("valid regex"));
static ITEM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[一二三四五六七八九十]+\s*[、.．]").expect("valid regex"));
static SUB_ITEM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[（(]\s*[一二三四五六七八九十]+\s*[）)]").expect("valid regex"));

/// The structure marker a line starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    /// 第X章 / 第X节 / 第X编 / 第X部分.
    Chapter,
    /// 第X条.
    Article,
    /// 一、
    Item,
    /// （一）
    SubItem,
}

pub(crate) fn marker(line: &str) -> Option<Marker> {
    if ARTICLE.is_match(line) {
        Some(Marker::Article)
    } else if CHAPTER.is_match(line) {
        Some(Marker::Chapter)
    } else if ITEM.is_match(line) {
        Some(Marker::Item)
    } else if SUB_ITEM.is_match(line) {
        Some(Marker::SubItem)
    } else {
        None
    }
}

/// Whether a line starts an article, chapter or item (so it never continues the line before).
pub(crate) fn starts_with_marker(line: &str) -> bool {
    marker(line).is_some()
}

fn ends_sentence(text: &str) -> bool {
    text.ends_with(['。', '！', '？', '!', '?', '.', '；', ';', '：', ':', '”'])
}

/// A short line without a sentence end: a heading when it starts with a marker.
fn heading_like(text: &str) -> bool {
    text.chars().count() <= 40 && !ends_sentence(text)
}

struct Open {
    headings: Vec<String>,
    text: String,
    page: Option<u32>,
    in_article: bool,
}

/// Split `blocks` into sections; blocks in `detected.skip` (title, document number, issuer and
/// date lines) are left out.
pub(crate) fn split(blocks: &[Block], detected: &Detected, max_chars: usize) -> Vec<Section> {
    let skip: &HashSet<usize> = &detected.skip;
    let mut headings: Vec<(u8, String)> = Vec::new();
    let mut out = Vec::new();
    let mut open: Option<Open> = None;
    let names = |h: &[(u8, String)]| h.iter().map(|(_, t)| t.clone()).collect::<Vec<_>>();
    for (i, block) in blocks.iter().enumerate() {
        let text = block.text.trim();
        if skip.contains(&i) || text.is_empty() || crate::clean::is_page_number(text) {
            continue;
        }
        let m = marker(text);
        let level = match (block.heading, m) {
            (Some(l), _) => Some(l.max(1)),
            (None, Some(Marker::Chapter)) if heading_like(text) => Some(if text.contains('节') { 2 } else { 1 }),
            (None, Some(Marker::Item)) if heading_like(text) => Some(3),
            (None, Some(Marker::SubItem)) if heading_like(text) && text.chars().count() <= 20 => Some(4),
            _ => None,
        };
        if let Some(level) = level {
            flush(&mut open, &mut out, max_chars);
            headings.retain(|(l, _)| *l < level);
            headings.push((level, text.to_owned()));
            continue;
        }
        let in_article = open.as_ref().is_some_and(|o| o.in_article);
        let starts = match m {
            Some(Marker::Article | Marker::Item | Marker::Chapter) => true,
            Some(Marker::SubItem) => !in_article,
            None => false,
        };
        let too_long = open.as_ref().is_some_and(|o| o.text.chars().count() + text.chars().count() > max_chars);
        if starts || too_long || open.is_none() {
            flush(&mut open, &mut out, max_chars);
            open = Some(Open {
                headings: names(&headings),
                text: text.to_owned(),
                page: block.page,
                in_article: m == Some(Marker::Article) || (in_article && m.is_none() && too_long),
            });
        } else if let Some(o) = open.as_mut() {
            if !ends_sentence(&o.text) {
                o.text.push('\n');
            }
            o.text.push_str(text);
        }
    }
    flush(&mut open, &mut out, max_chars);
    out
}

fn flush(open: &mut Option<Open>, out: &mut Vec<Section>, max_chars: usize) {
    let Some(o) = open.take() else { return };
    for text in split_long(&o.text, max_chars) {
        out.push(Section { headings: o.headings.clone(), text, page: o.page });
    }
}

/// Split text longer than `max_chars` characters at sentence ends (。！？!? and `. `), packing
/// whole sentences; a single sentence longer than the limit is cut at a clause mark (；，;,)
/// or, failing that, at the limit.
pub(crate) fn split_long(text: &str, max_chars: usize) -> Vec<String> {
    if text.chars().count() <= max_chars {
        return vec![text.to_owned()];
    }
    let mut pieces = Vec::new();
    for sentence in sentences(text, &['。', '！', '？', '!', '?', '\n']) {
        if sentence.chars().count() <= max_chars {
            pieces.push(sentence);
        } else {
            for clause in sentences(&sentence, &['；', '，', ';', ',']) {
                let mut rest: &str = &clause;
                while rest.chars().count() > max_chars {
                    let cut = rest.char_indices().nth(max_chars).map_or(rest.len(), |(i, _)| i);
                    pieces.push(rest[..cut].to_owned());
                    rest = &rest[cut..];
                }
                if !rest.is_empty() {
                    pieces.push(rest.to_owned());
                }
            }
        }
    }
    let mut out: Vec<String> = Vec::new();
    for piece in pieces {
        match out.last_mut() {
            Some(last) if last.chars().count() + piece.chars().count() <= max_chars => last.push_str(&piece),
            _ => out.push(piece),
        }
    }
    out.into_iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
}

/// Pieces of `text` each ending with one of `ends` (kept), plus a trailing remainder. A `.`
/// ends an English sentence when a space follows.
fn sentences(text: &str, ends: &[char]) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        cur.push(c);
        let english_stop = c == '.' && chars.peek() == Some(&' ');
        if ends.contains(&c) || (english_stop && ends.contains(&'。')) {
            // Keep closing quotes with their sentence.
            while let Some(&q) = chars.peek() {
                if matches!(q, '”' | '’' | '"' | '）' | ')') {
                    cur.push(q);
                    chars.next();
                } else {
                    break;
                }
            }
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn blocks(v: &[&str]) -> Vec<Block> {
        v.iter().map(|t| Block::new(*t, None, Some(1))).collect()
    }

    #[test]
    fn markers() {
        assert_eq!(marker("第一章 总则"), Some(Marker::Chapter));
        assert_eq!(marker("第十二条 申请"), Some(Marker::Article));
        assert_eq!(marker("第3条"), Some(Marker::Article));
        assert_eq!(marker("二、申请条件"), Some(Marker::Item));
        assert_eq!(marker("（三）身份证明"), Some(Marker::SubItem));
        assert_eq!(marker("(一) 材料"), Some(Marker::SubItem));
        assert_eq!(marker("第一时间办理"), None);
        assert_eq!(marker("一是加强"), None);
    }

    #[test]
    fn articles_and_chapters() {
        let b = blocks(&[
            "第一章 总则",
            "第一条 为了规范补贴发放，制定本办法。",
            "第二条 申请人应当提交下列材料：",
            "（一）身份证明；",
            "（二）就业登记证明。",
            "第二章 申请程序",
            "第三条 申请人向社区提出申请。",
        ]);
        let s = split(&b, &Detected::default(), 400);
        assert_eq!(s.len(), 3, "{s:#?}");
        assert_eq!(s[0].headings, vec!["第一章 总则"]);
        assert_eq!(s[1].text, "第二条 申请人应当提交下列材料：（一）身份证明；（二）就业登记证明。");
        assert_eq!(s[2].headings, vec!["第二章 申请程序"]);
    }

    #[test]
    fn items_and_sub_items_outside_articles() {
        let b = blocks(&["一、申请条件", "（一）在本市登记失业。", "（二）年满16周岁。", "二、办理流程", "线上申请。"]);
        let s = split(&b, &Detected::default(), 400);
        let texts: Vec<&str> = s.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, vec!["（一）在本市登记失业。", "（二）年满16周岁。", "线上申请。"]);
        assert_eq!(s[2].headings, vec!["二、办理流程"]);
    }

    #[test]
    fn long_text_is_split_at_sentence_ends() {
        let sentence = "申请人应当在规定期限内提交材料。";
        let text = sentence.repeat(10);
        let parts = split_long(&text, 50);
        assert!(parts.iter().all(|p| p.chars().count() <= 50 && p.ends_with('。')), "{parts:?}");
        assert_eq!(parts.concat(), text);
        let run_on = "甲".repeat(120);
        let parts = split_long(&run_on, 50);
        assert_eq!(parts.iter().map(|p| p.chars().count()).collect::<Vec<_>>(), vec![50, 50, 20]);
        let blocks = blocks(&[&format!("第一条 {text}")]);
        let s = split(&blocks, &Detected::default(), 50);
        assert!(s.len() >= 4 && s.iter().all(|p| p.text.chars().count() <= 50));
    }

    #[test]
    fn skipped_blocks_and_markup_headings() {
        let mut b = blocks(&["示例市办法", "第一条 甲。", "Eligibility", "Residents may apply."]);
        b[2].heading = Some(2);
        let detected = Detected { skip: [0].into_iter().collect(), ..Detected::default() };
        let s = split(&b, &detected, 400);
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].headings, vec!["Eligibility"]);
        assert_eq!(s[1].text, "Residents may apply.");
    }
}
