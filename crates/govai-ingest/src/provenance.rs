//! Provenance found in a policy document: its title (a marked-up first heading, the first
//! title-like line, or a 《》 name), issuing body (发文机关), document number (发文字号, e.g.
//! 示人社发〔2024〕12号) and date of issue (成文日期, e.g. 2024年3月1日).

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::Block;
use crate::split::{Marker, marker};

/// What was detected about a document; any field may be missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DocumentInfo {
    /// Title (without 《》; `关于印发《X》的通知` gives X).
    pub title: Option<String>,
    /// Issuing body, e.g. `示例市人力资源和社会保障局`.
    pub issuer: Option<String>,
    /// Document number, e.g. `示人社发〔2024〕12号`.
    pub doc_number: Option<String>,
    /// Date of issue, `YYYY-MM-DD`.
    pub date: Option<String>,
}

/// Detected info plus the blocks that carry only provenance (left out of the passages).
#[derive(Debug, Default)]
pub(crate) struct Detected {
    pub info: DocumentInfo,
    pub skip: HashSet<usize>,
}

const DOC_NUMBER: &str = r"[〔\[［【(（]\s*((?:19|20)\d{2})\s*[〕\]］】)）]\s*第?\s*\d{1,6}\s*号";

/// A line that is only a document number (optionally followed by a signer).
static DOC_NUMBER_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^(\p{{Han}}{{1,12}}{DOC_NUMBER})(?:\s*签发人[:：].*)?$")).expect("valid regex")
});
/// A document number inside running text.
static DOC_NUMBER_ANY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"\p{{Han}}{{1,6}}{DOC_NUMBER}")).expect("valid regex"));

const CN_DIGITS: &str = "〇○零一二三四五六七八九十";

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"((?:19|20)\d{{2}}|[{CN_DIGITS}]{{4}})\s*年\s*(\d{{1,2}}|[{CN_DIGITS}]{{1,3}})\s*月\s*(\d{{1,2}}|[{CN_DIGITS}]{{1,3}})\s*日"
    ))
    .expect("valid regex")
});
static DATE_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^[（(]?{}[）)]?$", DATE.as_str())).expect("valid regex"));
static LABELLED_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?:成文|发布|印发|发文)(?:日期|时间)\s*[:：]\s*{}", DATE.as_str())).expect("valid regex")
});

/// An organisation's name: ends with the kind of body (longest alternatives first).
const ORG: &str = r"[\p{Han}（）()]{2,40}?(?:人民政府办公厅|人民政府办公室|人民政府|委员会|办公厅|办公室|管理局|局|厅|委|部|署|院|中心|政府|处)";

/// A line naming an organisation and nothing else (the signature or the red header `…文件`).
static ISSUER_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^({ORG})(?:文件)?$")).expect("valid regex"));
/// `发布机构：示例市医疗保障局` (the name ends at its body: a date label may follow unspaced).
static LABELLED_ISSUER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?:发文机关|发布机构|发文单位|发布单位|制发机关|来源)\s*[:：]\s*({ORG})"))
        .expect("valid regex")
});
static WRAPPED_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^关于(?:印发|发布|转发|公布)?《(.+)》的(?:通知|公告|决定|批复)$").expect("valid regex")
});
static GUILLEMETS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"《([^《》]{2,60})》").expect("valid regex"));

/// Lines looked at for a title from the top of a document.
const TITLE_WINDOW: usize = 8;

/// Detect provenance in the blocks; `meta_title` (HTML `<title>`, DOCX core title) is the last
/// resort for the title.
pub(crate) fn detect(blocks: &[Block], meta_title: Option<&str>) -> Detected {
    let mut d = Detected::default();
    let text = |i: usize| blocks[i].text.trim();

    // Document number: a line of its own, else the first one in the text.
    for i in 0..blocks.len() {
        if let Some(c) = DOC_NUMBER_LINE.captures(text(i)) {
            d.info.doc_number = Some(compact(&c[1]));
            d.skip.insert(i);
            break;
        }
    }
    if d.info.doc_number.is_none() {
        d.info.doc_number =
            blocks.iter().find_map(|b| DOC_NUMBER_ANY.find(&b.text).map(|m| strip_lead(&compact(m.as_str()))));
    }

    // Date: the last date on a line of its own (the signature's), else a labelled one, else the
    // first date near the top.
    let date_lines: Vec<usize> = (0..blocks.len()).filter(|&i| DATE_LINE.is_match(text(i))).collect();
    if let Some(&i) = date_lines.last() {
        d.info.date = DATE.captures(text(i)).and_then(|c| iso_date(&c));
        d.skip.insert(i);
    }
    if d.info.date.is_none() {
        d.info.date = blocks.iter().find_map(|b| LABELLED_DATE.captures(&b.text).and_then(|c| iso_date(&c)));
    }
    if d.info.date.is_none() {
        d.info.date = blocks.iter().take(TITLE_WINDOW).find_map(|b| DATE.captures(&b.text).and_then(|c| iso_date(&c)));
    }

    // Issuer: a labelled one, else the organisation line just before the signature date, else
    // the first organisation line (a red header).
    d.info.issuer = blocks.iter().find_map(|b| LABELLED_ISSUER.captures(&b.text).map(|c| c[1].to_owned()));
    let issuer_lines: Vec<usize> = (0..blocks.len()).filter(|&i| ISSUER_LINE.is_match(text(i))).collect();
    // Only the red header (top lines) and the signature are provenance; an office named in a
    // list inside the body stays in its passage.
    for &i in &issuer_lines {
        if i < 3 || date_lines.iter().any(|&di| di > i && di - i <= 2) {
            d.skip.insert(i);
        }
    }
    if d.info.issuer.is_none() {
        let before_date = date_lines.last().and_then(|&di| issuer_lines.iter().rev().find(|&&i| i < di && di - i <= 2));
        d.info.issuer =
            before_date.or(issuer_lines.first()).and_then(|&i| ISSUER_LINE.captures(text(i))).map(|c| c[1].to_owned());
    }

    // Metadata lines (`发布机构：… 成文日期：…`) are provenance, not policy text.
    for (i, b) in blocks.iter().enumerate() {
        let t = b.text.trim();
        if t.chars().count() <= 80
            && !t.ends_with(['。', '！', '？'])
            && (LABELLED_ISSUER.is_match(t) || LABELLED_DATE.is_match(t))
        {
            d.skip.insert(i);
        }
    }

    // Title: the first marked-up heading, else the first title-like line near the top, else a
    // 《》 name near the top, else the metadata title.
    let heading = (0..blocks.len()).find(|&i| blocks[i].heading.is_some() && !d.skip.contains(&i));
    let title_line =
        heading.or_else(|| (0..blocks.len().min(TITLE_WINDOW)).find(|&i| !d.skip.contains(&i) && title_like(text(i))));
    if let Some(i) = title_line {
        d.info.title = Some(unwrap_title(text(i)));
        d.skip.insert(i);
    } else if let Some(c) = blocks.iter().take(TITLE_WINDOW).find_map(|b| GUILLEMETS.captures(&b.text)) {
        d.info.title = Some(c[1].to_owned());
    } else if let Some(t) = meta_title {
        let t = t.split(['_', '|']).next().unwrap_or(t).split(" - ").next().unwrap_or(t).trim();
        if !t.is_empty() {
            d.info.title = Some(unwrap_title(t));
        }
    }
    d
}

/// Short, no sentence end, not an article or item: a title.
fn title_like(line: &str) -> bool {
    let n = line.chars().count();
    (4..=60).contains(&n)
        && !line.ends_with(['。', '！', '？', '；', '.', ';'])
        && !line.contains(['：', ':'])
        && !DATE.is_match(line)
        && !matches!(marker(line), Some(Marker::Article | Marker::SubItem | Marker::Item))
        && !crate::clean::is_page_number(line)
}

/// `关于印发《X》的通知` → `X`; `《X》` → `X`.
fn unwrap_title(line: &str) -> String {
    if let Some(c) = WRAPPED_TITLE.captures(line) {
        return c[1].to_owned();
    }
    let trimmed = line.strip_prefix('《').and_then(|l| l.strip_suffix('》'));
    trimmed.filter(|t| !t.contains(['《', '》'])).unwrap_or(line).to_owned()
}

/// Words that precede a document number cited in running text (`根据示医保发〔2023〕7号`).
fn strip_lead(s: &str) -> String {
    const LEADS: &[&str] = &["根据", "依据", "按照", "依照", "参照", "执行", "落实", "详见", "见", "按", "据"];
    LEADS.iter().find_map(|l| s.strip_prefix(l)).unwrap_or(s).to_owned()
}

fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// `YYYY-MM-DD` from the captures of [`DATE`]; `None` for an impossible date.
fn iso_date(c: &regex::Captures<'_>) -> Option<String> {
    let year = number(&c[1])?;
    let month = number(&c[2])?;
    let day = number(&c[3])?;
    ((1900..=2100).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day))
        .then(|| format!("{year:04}-{month:02}-{day:02}"))
}

/// Arabic digits, or Chinese numerals: digit by digit (二〇二四) or with 十 (十二, 二十一).
fn number(s: &str) -> Option<u32> {
    if let Ok(n) = s.parse() {
        return Some(n);
    }
    let digit = |c: char| match c {
        '〇' | '○' | '零' => Some(0),
        '一' => Some(1),
        '二' => Some(2),
        '三' => Some(3),
        '四' => Some(4),
        '五' => Some(5),
        '六' => Some(6),
        '七' => Some(7),
        '八' => Some(8),
        '九' => Some(9),
        _ => None,
    };
    if let Some((tens, ones)) = s.split_once('十') {
        let t = if tens.is_empty() { 1 } else { digit(tens.chars().next()?)? };
        let o = if ones.is_empty() { 0 } else { digit(ones.chars().next()?)? };
        return Some(t * 10 + o);
    }
    s.chars().try_fold(0u32, |acc, c| Some(acc * 10 + digit(c)?))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn blocks(v: &[&str]) -> Vec<Block> {
        v.iter().map(|t| Block::new(*t, None, None)).collect()
    }

    #[test]
    fn official_document_layout() {
        let b = blocks(&[
            "示例市人力资源和社会保障局文件",
            "示人社发〔2024〕12号",
            "关于印发《示例市灵活就业人员社会保险补贴办法》的通知",
            "各区人力资源和社会保障局：",
            "第一条 为了支持灵活就业，制定本办法。",
            "示例市人力资源和社会保障局",
            "2024年3月1日",
        ]);
        let d = detect(&b, None);
        assert_eq!(d.info.title.as_deref(), Some("示例市灵活就业人员社会保险补贴办法"));
        assert_eq!(d.info.issuer.as_deref(), Some("示例市人力资源和社会保障局"));
        assert_eq!(d.info.doc_number.as_deref(), Some("示人社发〔2024〕12号"));
        assert_eq!(d.info.date.as_deref(), Some("2024-03-01"));
        let mut skip: Vec<_> = d.skip.into_iter().collect();
        skip.sort();
        assert_eq!(skip, vec![0, 1, 2, 5, 6]);
    }

    #[test]
    fn variants() {
        let b = blocks(&[
            "发布机构：示例市医疗保障局 成文日期：二〇二三年十二月二十日",
            "根据示医保发[2023] 7号文件，现将有关事项通知如下。",
        ]);
        let d = detect(&b, Some("示例市医保报销指南_示例市人民政府网"));
        assert_eq!(d.info.issuer.as_deref(), Some("示例市医疗保障局"));
        assert_eq!(d.info.date.as_deref(), Some("2023-12-20"));
        assert_eq!(d.info.doc_number.as_deref(), Some("示医保发[2023]7号"));
        assert_eq!(d.info.title.as_deref(), Some("示例市医保报销指南"), "from the metadata");
        let d = detect(&blocks(&["现将《示例市居住证办法》印发给你们。"]), None);
        assert_eq!(d.info.title.as_deref(), Some("示例市居住证办法"));
        assert_eq!(d.info.date, None);
        let d = detect(&blocks(&["2024年13月40日"]), None);
        assert_eq!(d.info.title, None);
        assert_eq!(d.info.date, None, "impossible dates are not dates");
        assert_eq!(number("二〇二四"), Some(2024));
        assert_eq!(number("十"), Some(10));
        assert_eq!(number("二十一"), Some(21));
    }
}
