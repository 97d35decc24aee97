//! Number-like tokens for the grounding check: amounts, percentages, dates, times, durations,
//! phone numbers, article numbers, URLs and e-mail addresses, each reduced to comparison keys.
//!
//! Texts are first canonicalised ([`Canon`]): NFKC per character (full-width digits, `％`, `：`
//! become ASCII; the full-width comma `，` is kept so it is never read as a thousands separator),
//! zero-width and invisible characters dropped (`govai_text::normalize::is_invisible`), circled
//! list numbers (①, ⑴, ⒈) replaced by `•`, and Chinese numerals converted to digits where they
//! count something: before a unit (十五个工作日, 五十元, 三个月), after 第 (第十五条), after
//! 百分之 (百分之十五 -> 15%), and in dates (二〇二四年三月一日). Elsewhere numerals stay as they are (统一, 一般, 一次性, 三四个, 十分).
//!
//! Each token gets keys: `N:<value>|<unit>` for quantities (multipliers applied: 5万元 ->
//! `N:50000|元`; unit synonyms merged: 天/日, 个工作日/工作日, 周岁/岁, 块/元), `D:<y>-<m>-<d>`
//! for dates (missing parts empty), `T:<h>:<mm>`, `P:<digits>` for phones, `O:<n>|<unit>` for
//! 第N条/款/章/节. A source provides every key of its tokens plus partial keys (a full date provides
//! its year-month, month-day..., a landline its local number, every quantity its bare value); an
//! answer token is grounded when one of its accepted keys is provided.

use std::sync::LazyLock;

use govai_text::normalize::{is_invisible, nfkc_char};
use regex::{Captures, Regex};

/// A canonicalised text with a map from each canonical character to the original character span.
#[derive(Debug, Clone, Default)]
pub(crate) struct Canon {
    pub text: String,
    /// Original character span (end exclusive) of each canonical character.
    spans: Vec<(usize, usize)>,
    /// Byte offset in `text` of each canonical character, plus `text.len()`.
    byte_starts: Vec<usize>,
}

impl Canon {
    pub(crate) fn new(original: &str) -> Self {
        // Pass 1: per-character NFKC with a few exceptions.
        let mut chars: Vec<(char, (usize, usize))> = Vec::with_capacity(original.len());
        for (i, c) in original.chars().enumerate() {
            match c as u32 {
                _ if is_invisible(c) => {}
                // Circled, parenthesised and full-stop list numbers.
                0x2460..=0x24FF | 0x2776..=0x2793 | 0x3251..=0x325F | 0x32B1..=0x32BF => chars.push(('•', (i, i + 1))),
                _ if c == '，' => chars.push((c, (i, i + 1))),
                _ => nfkc_char(c, |d| chars.push((d, (i, i + 1)))),
            }
        }
        // Pass 2: Chinese numerals.
        let converted = convert_cn_numerals(&chars);
        let mut out = Canon {
            text: String::with_capacity(original.len()),
            spans: Vec::with_capacity(converted.len()),
            byte_starts: Vec::with_capacity(converted.len() + 1),
        };
        for (c, span) in converted {
            out.byte_starts.push(out.text.len());
            out.text.push(c);
            out.spans.push(span);
        }
        out.byte_starts.push(out.text.len());
        out
    }

    fn char_at_byte(&self, b: usize) -> usize {
        self.byte_starts.partition_point(|&s| s < b)
    }

    /// Original character span of a canonical byte range.
    pub(crate) fn orig_span(&self, byte_start: usize, byte_end: usize) -> (usize, usize) {
        let s = self.char_at_byte(byte_start);
        let e = self.char_at_byte(byte_end).max(s + 1).min(self.spans.len());
        if s >= self.spans.len() {
            let end = self.spans.last().map_or(0, |x| x.1);
            return (end, end);
        }
        (self.spans[s].0, self.spans[e - 1].1)
    }
}

const CN_NUMERAL: &str = "零〇一二两三四五六七八九十百千万亿";

fn cn_digit(c: char) -> Option<u64> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// Parse a run of Chinese numerals. Digit-by-digit runs (二〇二四) need 3+ characters or a zero;
/// two bare digits (三四个: "three or four") are an approximation and are not converted.
fn parse_cn(run: &[char]) -> Option<String> {
    if run.iter().all(|&c| cn_digit(c).is_some()) {
        return match run.len() {
            1 => cn_digit(run[0]).map(|d| d.to_string()),
            2 if !run.iter().any(|&c| matches!(c, '零' | '〇')) => None,
            _ => {
                if run.contains(&'两') {
                    return None;
                }
                Some(run.iter().filter_map(|&c| cn_digit(c)).map(|d| char::from(b'0' + d as u8)).collect())
            }
        };
    }
    let (mut total, mut section, mut number): (u128, u128, Option<u128>) = (0, 0, None);
    for &c in run {
        if let Some(d) = cn_digit(c) {
            if number.is_some_and(|n| n != 0) && d != 0 {
                return None; // two digits in a row without a unit
            }
            number = Some(u128::from(d));
            continue;
        }
        match c {
            '十' | '百' | '千' => {
                let unit = match c {
                    '十' => 10,
                    '百' => 100,
                    _ => 1000,
                };
                let n = match number {
                    Some(n) if n != 0 => n,
                    Some(_) => return None,
                    None if section == 0 && total == 0 => 1, // 十五, 百分之百
                    None => return None,
                };
                section += n * unit;
                number = None;
            }
            '万' => {
                total += (section + number.unwrap_or(0)) * 10_000;
                section = 0;
                number = None;
            }
            '亿' => {
                total = (total + section + number.unwrap_or(0)) * 100_000_000;
                section = 0;
                number = None;
            }
            _ => return None,
        }
        if total > 1_000_000_000_000_000 {
            return None;
        }
    }
    let value = total + section + number.unwrap_or(0);
    if value == 0 && total == 0 && section == 0 {
        return None;
    }
    Some(value.to_string())
}

/// Units before which a Chinese numeral is a quantity (checked as a prefix of the following text).
const CN_QUANTITY_UNITS: &[&str] = &[
    "个工作日",
    "工作日",
    "个自然日",
    "自然日",
    "个小时",
    "小时",
    "分钟",
    "个月",
    "个星期",
    "星期",
    "周岁",
    "岁",
    "周",
    "天",
    "日",
    "年",
    "月",
    "元",
    "块",
    "倍",
    "%",
];

fn starts_with_at(chars: &[(char, (usize, usize))], at: usize, s: &str) -> bool {
    let mut i = at;
    for c in s.chars() {
        match chars.get(i) {
            Some(&(d, _)) if d == c => i += 1,
            _ => return false,
        }
    }
    true
}

fn convert_cn_numerals(chars: &[(char, (usize, usize))]) -> Vec<(char, (usize, usize))> {
    let mut out: Vec<(char, (usize, usize))> = Vec::with_capacity(chars.len());
    let is_num = |c: char| CN_NUMERAL.contains(c);
    let mut p = 0;
    while p < chars.len() {
        // 百分之 + number => number + %
        if starts_with_at(chars, p, "百分之") {
            let q0 = p + 3;
            let mut q = q0;
            let digits: Option<String> = if chars.get(q).is_some_and(|x| x.0.is_ascii_digit()) {
                while chars.get(q).is_some_and(|x| x.0.is_ascii_digit() || x.0 == '.') {
                    q += 1;
                }
                Some(chars[q0..q].iter().map(|x| x.0).collect())
            } else {
                while chars.get(q).is_some_and(|x| is_num(x.0)) {
                    q += 1;
                }
                let run: Vec<char> = chars[q0..q].iter().map(|x| x.0).collect();
                if run.is_empty() { None } else { parse_cn(&run) }
            };
            if let Some(d) = digits.filter(|d| !d.is_empty()) {
                let span = (chars[p].1.0, chars[q - 1].1.1);
                out.extend(d.chars().map(|c| (c, span)));
                out.push(('%', span));
                p = q;
                continue;
            }
        }
        // 半年 (a duration, not 上半年 / 下半年) => 6个月: 半年 = 六个月 = 6个月.
        if starts_with_at(chars, p, "半年")
            && !(p > 0 && matches!(chars[p - 1].0, '上' | '下'))
            && !starts_with_at(chars, p + 2, "度")
        {
            let span = (chars[p].1.0, chars[p + 1].1.1);
            out.extend("6个月".chars().map(|c| (c, span)));
            p += 2;
            continue;
        }
        let c = chars[p].0;
        if !is_num(c) {
            out.push(chars[p]);
            p += 1;
            continue;
        }
        let mut q = p;
        while q < chars.len() && is_num(chars[q].0) {
            q += 1;
        }
        let run: Vec<char> = chars[p..q].iter().map(|x| x.0).collect();
        let prev = if p > 0 { Some(chars[p - 1].0) } else { None };
        let after_di = prev == Some('第');
        let date_ctx =
            matches!(prev, Some('年' | '月')) && ["月", "日", "号"].iter().any(|u| starts_with_at(chars, q, u));
        let before_unit = CN_QUANTITY_UNITS.iter().any(|u| starts_with_at(chars, q, u));
        let convert = !prev.is_some_and(|c| c.is_ascii_digit()) && (after_di || date_ctx || before_unit);
        match if convert { parse_cn(&run) } else { None } {
            Some(d) => {
                let span = (chars[p].1.0, chars[q - 1].1.1);
                out.extend(d.chars().map(|c| (c, span)));
            }
            None => out.extend_from_slice(&chars[p..q]),
        }
        p = q;
    }
    out
}

const UNITS: &str = "个工作日|工作日|个自然日|自然日|个小时|小时|分钟|个月|个星期|星期|周岁|岁|周|天|日|年|月|千万元|百万元|万元|亿元|千元|千万|百万|万|亿|元|块钱|块|%|‰|倍|人次|平方公里|平方米|公里|千米|千克|公斤|吨|米|m2|km|kg|个|人|名|位|户|家|次|份|件|张|套|项|类|种|号|页|所|批|届|期|级";

const MAIN_PATTERN: &str = r"(?x)
  (?P<url>(?i:https?://|www\.)[A-Za-z0-9\-._~:/?\#@!$&'*+,;=%]+)
| (?P<email>[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)
| (?P<ymd>(?P<y1>(?:19|20)\d{2})年(?P<m1>\d{1,2})月(?P<d1>\d{1,2})[日号])
| (?P<ymd2>(?P<y2>(?:19|20)\d{2})[-/.](?P<m2>\d{1,2})[-/.](?P<d2>\d{1,2}))
| (?P<ym>(?P<y3>(?:19|20)\d{2})年(?P<m3>\d{1,2})月)
| (?P<md>(?P<m4>\d{1,2})月(?P<d4>\d{1,2})[日号])
| (?P<year>(?P<y5>(?:19|20)\d{2})年)
| (?P<time>(?P<h>\d{1,2}):(?P<mi>\d{2}))
| (?P<phone>(?:\+?86[\x20\-]?)?(?:\(0\d{2,3}\)|0\d{2,3})[\x20\-]?\d{3,4}[\x20\-]?\d{4}(?:-\d{1,6})?
    |(?:\+?86[\x20\-]?)?1[3-9]\d[\x20\-]?\d{4}[\x20\-]?\d{4}
    |[48]00[\x20\-]?\d{3}[\x20\-]?\d{4})
| (?P<ord>第(?P<on>\d+)(?P<ou>条|款|章|节)?)
| (?P<num>(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?(?:\x20?(?P<unit>UNITS))?)
";

const NUM_PATTERN: &str = r"^(?P<num>(?P<int>\d+)(?:\.(?P<frac>\d+))?(?:\x20?(?P<unit>UNITS))?)";

static MAIN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&MAIN_PATTERN.replace("UNITS", UNITS)).expect("number pattern compiles (tested)"));
static NUM_ONLY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&NUM_PATTERN.replace("UNITS", UNITS)).expect("number pattern compiles (tested)"));

/// Token kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Number,
    Date,
    Time,
    Phone,
    Ordinal,
    Url,
    Email,
}

impl Kind {
    pub(crate) fn name_zh(self) -> &'static str {
        match self {
            Self::Number => "数字",
            Self::Date => "日期",
            Self::Time => "时间",
            Self::Phone => "电话号码",
            Self::Ordinal => "条款序号",
            Self::Url => "网址",
            Self::Email => "邮箱",
        }
    }
}

/// A number-like token.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub kind: Kind,
    /// Canonical text of the token.
    #[cfg_attr(not(test), allow(dead_code))]
    pub text: String,
    /// Original character span.
    pub span: (usize, usize),
    /// Keys of which one must be provided by the evidence (for URL/e-mail: the lower-case
    /// value to find as a substring).
    pub accept: Vec<String>,
    /// Keys this token provides when it occurs in evidence.
    pub provide: Vec<String>,
    /// Not a claim to check (list marker, part of a word such as H1N1, 第N without a legal unit).
    pub skip: bool,
}

/// Unit synonyms -> canonical unit, and the multiplier power of ten carried by the unit.
fn canonical_unit(u: &str) -> (&'static str, u32) {
    match u {
        "个工作日" | "工作日" => ("工作日", 0),
        "个自然日" | "自然日" | "天" | "日" => ("日", 0),
        "个小时" | "小时" => ("小时", 0),
        "分钟" => ("分钟", 0),
        "个月" => ("个月", 0),
        "个星期" | "星期" | "周" => ("周", 0),
        "周岁" | "岁" => ("岁", 0),
        "年" => ("年", 0),
        "月" => ("月", 0),
        "千万元" => ("元", 7),
        "百万元" => ("元", 6),
        "万元" => ("元", 4),
        "亿元" => ("元", 8),
        "千元" => ("元", 3),
        "千万" => ("", 7),
        "百万" => ("", 6),
        "万" => ("", 4),
        "亿" => ("", 8),
        "元" | "块钱" | "块" => ("元", 0),
        "%" => ("%", 0),
        "‰" => ("‰", 0),
        "倍" => ("倍", 0),
        "人次" => ("人次", 0),
        "平方公里" => ("平方公里", 0),
        "平方米" | "m2" => ("平方米", 0),
        "公里" | "千米" | "km" => ("公里", 0),
        "千克" | "公斤" | "kg" => ("公斤", 0),
        "吨" => ("吨", 0),
        "米" => ("米", 0),
        "号" => ("号", 0),
        "个" => ("个", 0),
        "人" => ("人", 0),
        "名" => ("名", 0),
        "位" => ("位", 0),
        "户" => ("户", 0),
        "家" => ("家", 0),
        "次" => ("次", 0),
        "份" => ("份", 0),
        "件" => ("件", 0),
        "张" => ("张", 0),
        "套" => ("套", 0),
        "项" => ("项", 0),
        "类" => ("类", 0),
        "种" => ("种", 0),
        "页" => ("页", 0),
        "所" => ("所", 0),
        "批" => ("批", 0),
        "届" => ("届", 0),
        "期" => ("期", 0),
        "级" => ("级", 0),
        _ => ("", 0),
    }
}

/// Counting words: a quantity with one of these may also be grounded by its bare value.
fn is_weak_unit(u: &str) -> bool {
    matches!(
        u,
        "个" | "人"
            | "名"
            | "位"
            | "户"
            | "家"
            | "次"
            | "份"
            | "件"
            | "张"
            | "套"
            | "项"
            | "类"
            | "种"
            | "页"
            | "所"
            | "批"
            | "届"
            | "期"
            | "级"
    )
}

/// Normalise a decimal number: thousands separators removed, multiplier applied, leading zeros
/// stripped (unless the integer part has 5+ digits: codes and phone-like runs), trailing
/// fractional zeros stripped.
pub(crate) fn normalize_decimal(int: &str, frac: &str, shift: u32) -> String {
    let int: String = int.chars().filter(|c| c.is_ascii_digit()).collect();
    let keep_zeros = shift == 0 && frac.is_empty() && int.len() >= 5;
    let mut digits = format!("{int}{frac}");
    let point = int.len() + shift as usize;
    while digits.len() < point {
        digits.push('0');
    }
    let (i, f) = digits.split_at(point);
    let mut i = i.to_owned();
    if !keep_zeros {
        let trimmed = i.trim_start_matches('0');
        i = if trimmed.is_empty() { "0".to_owned() } else { trimmed.to_owned() };
    }
    let f = f.trim_end_matches('0');
    if f.is_empty() { i } else { format!("{i}.{f}") }
}

fn digits_of(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_digit()).collect()
}

fn strip_zeros(s: &str) -> String {
    let t = s.trim_start_matches('0');
    if t.is_empty() { "0".to_owned() } else { t.to_owned() }
}

fn date_keys(y: Option<&str>, m: Option<&str>, d: Option<&str>) -> (Vec<String>, Vec<String>) {
    let y = y.map(strip_zeros);
    let m = m.map(strip_zeros);
    let d = d.map(strip_zeros);
    let key = |y: Option<&String>, m: Option<&String>, d: Option<&String>| {
        format!("D:{}-{}-{}", y.map_or("", |s| s.as_str()), m.map_or("", |s| s.as_str()), d.map_or("", |s| s.as_str()))
    };
    let accept = vec![key(y.as_ref(), m.as_ref(), d.as_ref())];
    let mut provide = Vec::new();
    // Every contiguous part of the date.
    let parts = [y.as_ref(), m.as_ref(), d.as_ref()];
    for a in 0..3 {
        for b in a..3 {
            if (a..=b).all(|i| parts[i].is_some()) {
                let pick = |i: usize| if (a..=b).contains(&i) { parts[i] } else { None };
                provide.push(key(pick(0), pick(1), pick(2)));
            }
        }
    }
    if let Some(y) = &y {
        provide.push(format!("N:{y}"));
        provide.push(format!("N:{y}|年"));
    }
    if let Some(m) = &m {
        provide.push(format!("N:{m}"));
        provide.push(format!("N:{m}|月"));
    }
    if let Some(d) = &d {
        provide.push(format!("N:{d}"));
        provide.push(format!("N:{d}|日"));
    }
    (accept, provide)
}

fn valid_date(m: Option<&str>, d: Option<&str>) -> bool {
    let ok = |s: Option<&str>, hi: u32| s.is_none_or(|s| s.parse::<u32>().is_ok_and(|v| (1..=hi).contains(&v)));
    ok(m, 12) && ok(d, 31)
}

fn token_from(caps: &Captures<'_>) -> Option<(Kind, Vec<String>, Vec<String>)> {
    let g = |n: &str| caps.name(n).map(|m| m.as_str());
    if let Some(url) = g("url") {
        let v = url.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'']).to_ascii_lowercase();
        let v = v.strip_prefix("https://").or_else(|| v.strip_prefix("http://")).unwrap_or(&v).trim_end_matches('/');
        return Some((Kind::Url, vec![v.to_owned()], Vec::new()));
    }
    if let Some(e) = g("email") {
        return Some((Kind::Email, vec![e.trim_end_matches('.').to_ascii_lowercase()], Vec::new()));
    }
    for (whole, y, m, d) in [
        ("ymd", "y1", "m1", "d1"),
        ("ymd2", "y2", "m2", "d2"),
        ("ym", "y3", "m3", ""),
        ("md", "", "m4", "d4"),
        ("year", "y5", "", ""),
    ] {
        if g(whole).is_some() {
            let (y, m, d) = (g(y), g(m), g(d));
            if !valid_date(m, d) {
                return None;
            }
            let (accept, provide) = date_keys(y, m, d);
            let mut accept = accept;
            if whole == "year" {
                let y = y.map(strip_zeros).unwrap_or_default();
                accept.push(format!("N:{y}|年"));
                accept.push(format!("N:{y}"));
            }
            return Some((Kind::Date, accept, provide));
        }
    }
    if let (Some(h), Some(mi)) = (g("h"), g("mi")) {
        let hv: u32 = h.parse().ok()?;
        let mv: u32 = mi.parse().ok()?;
        if hv > 24 || mv > 59 {
            return None;
        }
        let k = format!("T:{hv}:{mi}");
        return Some((Kind::Time, vec![k.clone()], vec![k]));
    }
    if let Some(p) = g("phone") {
        let mut digits = digits_of(p);
        if digits.len() == 13 && digits.starts_with("861") {
            digits = digits[2..].to_owned();
        }
        let accept = vec![format!("P:{digits}"), format!("N:{digits}")];
        let mut provide = accept.clone();
        if digits.starts_with('0') && digits.len() >= 10 {
            for n in [7, 8] {
                let local = &digits[digits.len() - n..];
                provide.push(format!("P:{local}"));
                provide.push(format!("N:{local}"));
            }
        }
        return Some((Kind::Phone, accept, provide));
    }
    if g("ord").is_some() {
        let n = strip_zeros(g("on")?);
        let Some(unit) = g("ou") else {
            // 第N步, 第N批...: an ordinal that is not a legal reference (the caller skips it).
            return Some((Kind::Number, vec![format!("N:{n}")], vec![format!("N:{n}")]));
        };
        let k = format!("O:{n}|{unit}");
        return Some((Kind::Ordinal, vec![k.clone()], vec![k, format!("N:{n}")]));
    }
    let int = g("int")?;
    let frac = g("frac").unwrap_or("");
    let (unit, shift) = g("unit").map_or(("", 0), canonical_unit);
    let v = normalize_decimal(int, frac, shift);
    let core = format!("N:{v}");
    if unit.is_empty() {
        return Some((Kind::Number, vec![core.clone()], vec![core]));
    }
    let full = format!("N:{v}|{unit}");
    let mut accept = if is_weak_unit(unit) { vec![full.clone(), core.clone()] } else { vec![full.clone()] };
    let mut provide = vec![full, core];
    // A duration in years is the same duration in months (1年 = 12个月, 6个月 = 半年).
    if let Some(same) = same_duration(&v, unit) {
        accept.push(same.clone());
        provide.push(same);
    }
    Some((Kind::Number, accept, provide))
}

/// The key of the same duration in the other unit: `N:24|个月` for 2年, `N:1|年` for 12个月,
/// `N:0.5|年` for 6个月 (whole months only).
fn same_duration(v: &str, unit: &str) -> Option<String> {
    let x: f64 = v.parse().ok()?;
    if !(x > 0.0 && x < 1000.0) {
        return None;
    }
    match unit {
        "年" => {
            let m = x * 12.0;
            (m.fract() == 0.0).then(|| format!("N:{}|个月", m as u64))
        }
        "个月" if x.fract() == 0.0 && (x as u64).is_multiple_of(6) => {
            let y = normalize_decimal(&((x as u64) / 12).to_string(), if (x as u64) % 12 == 6 { "5" } else { "" }, 0);
            Some(format!("N:{y}|年"))
        }
        _ => None,
    }
}

/// All number-like tokens of a canonical text.
pub(crate) fn tokens(canon: &Canon) -> Vec<Token> {
    let text = canon.text.as_str();
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        // Find with the fast engine, then resolve the groups on the match alone (same result:
        // the pattern has no look-around).
        let Some(m) = MAIN.find_at(text, pos) else { break };
        let (s, mut e) = (m.start(), m.end());
        let Some(caps) = MAIN.captures(&text[s..e]) else { break };
        let is_link = caps.name("url").is_some() || caps.name("email").is_some();
        let next_is_digit = text[e..].chars().next().is_some_and(|c| c.is_ascii_digit());
        let mut parsed = token_from(&caps).map(|t| {
            let inc = is_incidental(text, s, e, t.0, &caps);
            (t, inc)
        });
        if !is_link && (parsed.is_none() || next_is_digit) {
            // A pattern matched part of a longer digit run or an invalid date: read a plain number.
            parsed = None;
            if let Some(c2) = NUM_ONLY.captures(&text[s..])
                && let Some(m2) = c2.get(0)
            {
                e = s + m2.end();
                parsed = token_from(&c2).map(|t| {
                    let inc = is_incidental(text, s, e, t.0, &c2);
                    (t, inc)
                });
            }
        }
        let Some(((kind, mut accept, mut provide), incidental)) = parsed else {
            pos = s + text[s..].chars().next().map_or(1, char::len_utf8);
            continue;
        };
        if kind == Kind::Time && afternoon(&text[..s]) {
            // 下午1:30 = 13:30.
            let pm: Vec<String> = accept.iter().filter_map(|k| to_24h(k)).collect();
            accept.extend(pm.iter().cloned());
            provide.extend(pm);
        }
        let bare_ordinal = caps.name("ord").is_some() && caps.name("ou").is_none() && kind == Kind::Number;
        let skip = !is_link && (incidental || bare_ordinal);
        out.push(Token { kind, text: text[s..e].to_owned(), span: canon.orig_span(s, e), accept, provide, skip });
        pos = e.max(s + 1);
        while !text.is_char_boundary(pos) {
            pos += 1;
        }
    }
    out
}

/// The last time-of-day word of the clause before a time is an afternoon/evening one.
fn afternoon(before: &str) -> bool {
    let clause = before.rsplit(['，', ',', '。', '；', ';', '\n']).next().unwrap_or("");
    let last = ["上午", "早上", "中午", "下午", "傍晚", "晚上", "夜间"]
        .iter()
        .filter_map(|w| clause.rfind(w).map(|p| (p, *w)))
        .max_by_key(|(p, _)| *p);
    matches!(last, Some((_, "下午" | "傍晚" | "晚上" | "夜间")))
}

/// `T:1:30` -> `T:13:30` (hours 1-11).
fn to_24h(key: &str) -> Option<String> {
    let rest = key.strip_prefix("T:")?;
    let (h, m) = rest.split_once(':')?;
    let h: u32 = h.parse().ok()?;
    (1..12).contains(&h).then(|| format!("T:{}:{m}", h + 12))
}

/// A number that is not a claim: part of a word (H1N1, 5G, COVID-19, version 1.2.3), or a list
/// marker (1. 2、 (3) at a line or clause start).
fn is_incidental(text: &str, s: usize, e: usize, kind: Kind, caps: &Captures<'_>) -> bool {
    let before: Vec<char> = text[..s].chars().rev().take(2).collect();
    let after = text[e..].chars().next();
    let letter = |c: Option<&char>| c.is_some_and(|c| c.is_ascii_alphabetic());
    if letter(before.first())
        || (before.first().is_some_and(|c| matches!(c, '-' | '_' | '/')) && letter(before.get(1)))
        || (before.first() == Some(&'.') && before.get(1).is_some_and(char::is_ascii_digit))
        || after.is_some_and(|c| c.is_ascii_alphabetic())
    {
        return true;
    }
    if kind != Kind::Number || caps.name("unit").is_some() || caps.name("frac").is_some() {
        return false;
    }
    let int = caps.name("int").map_or("", |m| m.as_str());
    if int.len() > 2 {
        return false;
    }
    if before.first() == Some(&'(') && after == Some(')') {
        return true;
    }
    if !matches!(after, Some('.' | '、' | ')' | '．')) {
        return false;
    }
    // Line or clause start: only spaces or bullets between it and the marker.
    let prev = text[..s].chars().rev().find(|c| !matches!(c, ' ' | '\t' | '•' | '(' | '*' | '-' | '#'));
    prev.is_none_or(|c| matches!(c, '\n' | '\r' | '；' | ';' | '。' | '：' | ':' | '！' | '？'))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn keys(s: &str) -> Vec<(String, Vec<String>, bool)> {
        tokens(&Canon::new(s)).into_iter().map(|t| (t.text, t.accept, t.skip)).collect()
    }

    fn first_accept(s: &str) -> String {
        tokens(&Canon::new(s)).into_iter().find(|t| !t.skip).map(|t| t.accept[0].clone()).unwrap_or_default()
    }

    #[test]
    fn patterns_compile() {
        LazyLock::force(&MAIN);
        LazyLock::force(&NUM_ONLY);
    }

    #[test]
    fn chinese_numerals() {
        assert_eq!(Canon::new("十五个工作日").text, "15个工作日");
        assert_eq!(Canon::new("五十元").text, "50元");
        assert_eq!(Canon::new("一百零五元").text, "105元");
        assert_eq!(Canon::new("一万二千元").text, "12000元");
        assert_eq!(Canon::new("二〇二四年三月一日").text, "2024年3月1日");
        assert_eq!(Canon::new("第十五条").text, "第15条");
        assert_eq!(Canon::new("百分之十五").text, "15%");
        assert_eq!(Canon::new("百分之2.5").text, "2.5%");
        assert_eq!(Canon::new("两个月").text, "2个月");
        assert_eq!(Canon::new("一个工作日").text, "1个工作日");
        // Not quantities.
        for s in ["统一办理", "一般情况", "一次性告知", "三四个人", "十分重要", "万一", "千万不要", "百姓", "一些"]
        {
            assert_eq!(Canon::new(s).text, s);
        }
        assert_eq!(parse_cn(&['十']), Some("10".into()));
        assert_eq!(parse_cn(&['二', '十', '三']), Some("23".into()));
        assert_eq!(parse_cn(&['三', '千', '二', '百']), Some("3200".into()));
        assert_eq!(parse_cn(&['十', '二', '万', '五', '千']), Some("125000".into()));
        assert_eq!(parse_cn(&['一', '亿', '二', '千', '万']), Some("120000000".into()));
        assert_eq!(parse_cn(&['三', '五', '十']), None);
    }

    #[test]
    fn canonical_offsets() {
        let c = Canon::new("需十五个工作日");
        let b = c.text.find("15").unwrap();
        assert_eq!(c.orig_span(b, b + 2), (1, 3));
        let c = Canon::new("１５个工作日");
        assert_eq!(c.text, "15个工作日");
    }

    #[test]
    fn keys_of_tokens() {
        assert_eq!(first_accept("收费50元"), "N:50|元");
        assert_eq!(first_accept("收费５０．００元"), "N:50|元");
        assert_eq!(first_accept("补贴5万元"), "N:50000|元");
        assert_eq!(first_accept("补贴1.5万元"), "N:15000|元");
        assert_eq!(first_accept("补贴五万元"), "N:50000|元");
        assert_eq!(first_accept("补贴50,000元"), "N:50000|元");
        assert_eq!(first_accept("比例15％"), "N:15|%");
        assert_eq!(first_accept("15个工作日内"), "N:15|工作日");
        assert_eq!(first_accept("15天内"), "N:15|日");
        assert_eq!(first_accept("2024年3月1日起"), "D:2024-3-1");
        assert_eq!(first_accept("2024-03-01起"), "D:2024-3-1");
        assert_eq!(first_accept("3月1日起"), "D:-3-1");
        assert_eq!(first_accept("2024年起"), "D:2024--");
        assert_eq!(first_accept("上午9:00"), "T:9:00");
        let pm = tokens(&Canon::new("下午1:30至5:00，上午9:00"));
        assert_eq!(pm[1].accept, vec!["T:5:00".to_owned(), "T:17:00".to_owned()]);
        assert_eq!(pm[2].accept, vec!["T:9:00".to_owned()]);
        assert_eq!(first_accept("电话0571-87654321"), "P:057187654321");
        assert_eq!(first_accept("电话(0571)87654321"), "P:057187654321");
        assert_eq!(first_accept("拨打+86 138 0013 8000"), "P:13800138000");
        assert_eq!(first_accept("拨打12345热线"), "N:12345");
        assert_eq!(first_accept("第十五条规定"), "O:15|条");
        assert_eq!(first_accept("见 https://www.gov.cn/zhengce/. 谢谢"), "www.gov.cn/zhengce");
        assert_eq!(first_accept("邮箱 Office@Example.gov.cn。"), "office@example.gov.cn");
        // A 13-digit run is one number, not a phone plus digits.
        assert_eq!(first_accept("编号1380013800012"), "N:1380013800012");
        // Invalid date falls back to numbers.
        assert_eq!(first_accept("2024-13-45"), "N:2024");
        // Durations: 半年 = 六个月 = 6个月, 1年 = 12个月.
        assert_eq!(Canon::new("居住满半年").text, "居住满6个月");
        assert_eq!(Canon::new("上半年").text, "上半年");
        assert_eq!(first_accept("满六个月"), "N:6|个月");
        let year = tokens(&Canon::new("1年内"));
        assert!(year[0].accept.contains(&"N:12|个月".to_owned()), "{:?}", year[0].accept);
        let months = tokens(&Canon::new("18个月"));
        assert!(months[0].provide.contains(&"N:1.5|年".to_owned()), "{:?}", months[0].provide);
        let half = tokens(&Canon::new("6个月"));
        assert!(half[0].provide.contains(&"N:0.5|年".to_owned()), "{:?}", half[0].provide);
    }

    #[test]
    fn incidental_numbers_are_skipped() {
        for s in [
            "H1N1流感",
            "5G网络",
            "COVID-19",
            "版本1.2.3的",
            "第一步",
            "1. 身份证\n2. 户口簿",
            "(1)身份证",
            "材料：1、身份证；2、户口簿",
            "①身份证",
        ] {
            let ks = keys(s);
            assert!(ks.iter().filter(|k| !k.2).all(|k| k.0 == "1.2" || k.0 == "3"), "{s}: {ks:?}");
        }
        assert!(keys("版本1.2.3的").iter().any(|k| k.0 == "3" && k.2));
        assert!(keys("需1天").iter().all(|k| !k.2));
    }
}
