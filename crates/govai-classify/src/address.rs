//! Postal addresses: a province/city gazetteer (all 34 provincial-level divisions, major cities)
//! or an address label (`住址`, `家住`...) starts a span; it extends over CJK characters, digits,
//! letters, `-`, `#` and parentheses up to punctuation, a field label (`电话`, `邮编`...) or a
//! function word, and is cut after the last street-level component (路/街/巷/弄/胡同/号/栋/幢/
//! 单元/楼/层/室/村/组/小区...). A span with only coarse components (省/市/区/县/镇...) counts only
//! after a label. Without either, `建国路88号` (road + number + 号) is still an address.

use govai_text::is_han;
use regex::Regex;

use super::Cand;
use super::lexicon::{Hit, Lexicon, Tag};
use super::prefilter;
use super::types::EntityType;

const MAX_CHARS: usize = 64;

/// Field labels that end an address written without punctuation.
const STOP_WORDS: &[&str] = &[
    "电话",
    "手机",
    "联系",
    "邮编",
    "邮政编码",
    "身份证",
    "姓名",
    "性别",
    "民族",
    "出生",
    "邮箱",
    "微信",
    "附近",
    "一带",
    "周边",
    "发生",
    "工作",
    "现在",
    "目前",
    "户籍",
    "家住",
    "住址",
    "地址",
];
/// Function characters that always end an address.
const STOP_CHARS: &str = "的是在了被把将";
/// Function characters that end an address once it has a street-level component (before that
/// they may be part of a name: 和平街, 向阳路, 临江路).
const SOFT_STOP_CHARS: &str = "和与及到从因向往至于住经过去近临离沿等";
/// Characters a road name does not start with, walking back from 路/街 (`前往中山路1号`).
const ROAD_NOT_START: &str = "的是在了被把将到往至住去从于经过近临离沿";

/// Street-level components and whether they need a number (or letter) right before them.
const FINE: &[(&str, bool)] = &[
    ("号院", true),
    ("号楼", true),
    ("单元", true),
    ("胡同", false),
    ("大街", false),
    ("大道", false),
    ("小区", false),
    ("社区", false),
    ("花园", false),
    ("公寓", false),
    ("大厦", false),
    ("路", false),
    ("街", false),
    ("巷", false),
    ("弄", false),
    ("村", false),
    ("苑", false),
    ("号", true),
    ("栋", true),
    ("幢", true),
    ("座", true),
    ("楼", true),
    ("层", true),
    ("室", true),
    ("户", true),
    ("组", true),
];
const COARSE: &[&str] = &["自治区", "自治州", "自治县", "街道", "省", "市", "区", "县", "旗", "镇", "乡", "州", "盟"];

fn numeral(c: char) -> bool {
    c.is_ascii_alphanumeric() || "一二三四五六七八九十甲乙丙丁东西南北".contains(c)
}

fn body_char(c: char) -> bool {
    is_han(c) || c.is_ascii_alphanumeric() || matches!(c, '-' | '#' | '(' | ')')
}

#[derive(Debug)]
pub(crate) struct AddressScanner {
    road_number: Regex,
}

impl AddressScanner {
    pub(crate) fn build() -> Result<Self, regex::Error> {
        Ok(Self { road_number: Regex::new(r"(?:路|街|大道|巷|弄|胡同)[0-9]{1,5}号")? })
    }

    pub(crate) fn scan(&self, t: &str, hits: &[Hit], lx: &Lexicon, out: &mut Vec<Cand>) {
        let mut covered = 0usize;
        for h in hits {
            if h.start < covered {
                continue;
            }
            let tags = lx.tags(h.pattern);
            let (start, labelled) = if tags.contains(&Tag::AddrContext) {
                let rest = &t[h.end..];
                let trimmed = rest.trim_start_matches([' ', ':', '是', '为', '在', '于']);
                (h.end + rest.len() - trimmed.len(), true)
            } else if tags.contains(&Tag::AddrGazetteer) {
                (h.start, false)
            } else {
                continue;
            };
            if let Some(e) = extend(t, start, labelled) {
                let score = if labelled { 0.8 } else { 0.75 };
                out.push(cand(start, e, score));
                covered = e;
            }
        }
        if prefilter::has_han(t, prefilter::Han::Hao) {
            for m in self.road_number.find_iter(t) {
                if m.start() < covered {
                    continue;
                }
                let s = road_name_start(t, m.start());
                if s == m.start() {
                    continue;
                }
                let e = extend(t, s, false).unwrap_or(m.end()).max(m.end());
                out.push(cand(s, e, 0.65));
                covered = e;
            }
        }
    }
}

fn cand(s: usize, e: usize, score: f32) -> Cand {
    let mut c = Cand::new(EntityType::Address, s, e, score);
    c.contextual = false;
    c
}

/// Walk back over up to 4 CJK characters of a road name.
fn road_name_start(t: &str, end: usize) -> usize {
    let mut s = end;
    for (i, c) in t[..end].char_indices().rev().take(4) {
        if !is_han(c) || ROAD_NOT_START.contains(c) {
            break;
        }
        s = i;
    }
    s
}

/// The end of the address starting at `start`, if there is one.
fn extend(t: &str, start: usize, labelled: bool) -> Option<usize> {
    let mut pos = start;
    let mut n = 0;
    let mut last_fine: Option<usize> = None;
    let mut last_coarse: Option<usize> = None;
    let mut prev: Option<char> = None;
    let mut chars_since_start = 0;
    while n < MAX_CHARS {
        let rest = &t[pos..];
        let Some(c) = rest.chars().next() else { break };
        if !body_char(c) {
            break;
        }
        if chars_since_start > 0
            && (STOP_WORDS.iter().any(|w| rest.starts_with(w))
                || STOP_CHARS.contains(c)
                || (last_fine.is_some() && SOFT_STOP_CHARS.contains(c)))
        {
            break;
        }
        if let Some((w, needs_num)) = FINE.iter().find(|(w, _)| rest.starts_with(w)) {
            let ok = if *needs_num { prev.is_some_and(numeral) } else { prev.is_some_and(body_char) };
            if ok {
                pos += w.len();
                n += w.chars().count();
                last_fine = Some(pos);
                prev = w.chars().last();
                chars_since_start += 1;
                continue;
            }
        }
        if let Some(w) = COARSE.iter().find(|w| rest.starts_with(**w))
            && prev.is_some_and(is_han)
        {
            pos += w.len();
            n += w.chars().count();
            last_coarse = Some(pos);
            prev = w.chars().last();
            chars_since_start += 1;
            continue;
        }
        pos += c.len_utf8();
        n += 1;
        prev = Some(c);
        chars_since_start += 1;
    }
    if let Some(f) = last_fine {
        // A trailing room number without 室 (`2单元501`).
        let tail = &t[f..pos];
        let digits = tail.bytes().take_while(|b| b.is_ascii_digit() || *b == b'-').count();
        let after = tail[digits..].chars().next();
        if digits > 0 && after.is_none_or(|c| !c.is_ascii_alphanumeric()) {
            return Some(f + digits);
        }
        return Some(f);
    }
    if labelled && let Some(c) = last_coarse {
        return (t[start..c].chars().count() >= 4).then_some(c);
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn addrs(t: &str) -> Vec<String> {
        let lx = Lexicon::build().unwrap();
        let sc = AddressScanner::build().unwrap();
        let hits = lx.hits(t);
        let mut out = Vec::new();
        sc.scan(t, &hits, &lx, &mut out);
        out.into_iter().map(|c| t[c.start..c.end].to_owned()).collect()
    }

    #[test]
    fn addresses() {
        assert_eq!(
            addrs("家住北京市朝阳区建国路88号院3号楼2单元501室,电话13800138000"),
            ["北京市朝阳区建国路88号院3号楼2单元501室"]
        );
        assert_eq!(addrs("住址:广东省深圳市南山区科技园路1号电话123"), ["广东省深圳市南山区科技园路1号"]);
        assert_eq!(addrs("地址:浙江省杭州市西湖区"), ["浙江省杭州市西湖区"]);
        assert_eq!(addrs("他家在建国路88号"), ["建国路88号"]);
        assert_eq!(addrs("上海市浦东新区世纪大道100号3栋2单元502"), ["上海市浦东新区世纪大道100号3栋2单元502"]);
        assert!(addrs("上海市人民政府办公厅关于印发通知").is_empty());
        assert!(addrs("我在北京市工作").is_empty());
        assert!(addrs("信号不好,大楼停电").is_empty());
        assert_eq!(addrs("天津市和平区和平路12号和南开区"), ["天津市和平区和平路12号"]);
        assert_eq!(addrs("前往向阳路3号"), ["向阳路3号"]);
    }
}
