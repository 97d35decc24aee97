//! Finding a field by its label and reading and checking its value.

use chrono::NaiveDate;
use govai_classify::validate::{check_legacy_id, check_resident_id};
use serde::{Deserialize, Serialize};

use crate::checklist::{FieldKind, FieldSpec};
use crate::ocr::{Folded, fix_digits, parse_dates};

/// What became of one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldStatus {
    /// Found, legible, and it passes its kind's checks.
    Found,
    /// No label of the field on the material's pages, or nothing after the label.
    Missing,
    /// Found, but the line was recognised below the checklist's `min_confidence`.
    LowConfidence,
    /// Found and legible, but not readable as its kind (an ID number of the wrong length, a
    /// date that is no date).
    Unparseable,
    /// Read, but fails its check (an ID number whose check character does not match).
    Invalid,
    /// A validity period that ended before the check's date.
    Expired,
}

impl FieldStatus {
    /// Stable snake_case name (also the serde form).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Found => "found",
            Self::Missing => "missing",
            Self::LowConfidence => "low_confidence",
            Self::Unparseable => "unparseable",
            Self::Invalid => "invalid",
            Self::Expired => "expired",
        }
    }
}

/// A recognised line with its folded form.
#[derive(Debug)]
pub(crate) struct DocLine<'a> {
    pub(crate) text: &'a str,
    pub(crate) confidence: f32,
    pub(crate) folded: Folded,
}

/// Where a field's value was found and what it is.
#[derive(Debug, Clone)]
pub(crate) struct Extracted {
    pub(crate) status: FieldStatus,
    /// 0-based page and line of the value.
    pub(crate) page: usize,
    pub(crate) line: usize,
    /// Original character span of the value in its line (empty when missing after a label).
    pub(crate) span: (usize, usize),
    pub(crate) confidence: f32,
    /// Why, in the clerk's words (never the value itself).
    pub(crate) detail: Option<String>,
    /// The value as read (folded, digits fixed for numeric kinds): for classification only.
    pub(crate) reading: String,
    /// The date read: a `date` field's date, a `validity` field's end date (none when 长期).
    pub(crate) date: Option<NaiveDate>,
}

const LEADING: &[char] = &[':', ';', ',', '.', '、', '_', '-', '—', '(', ')', '（', '）', '*'];
const TRAILING: &[char] = &['_', ':', ',', ';'];

/// Search `pages` (0-based indices into `doc`) in order for the first line carrying one of the
/// field's labels and read its value. `other_labels`: every label of the material's fields,
/// so that a value on the next line is not taken from the next field's line.
pub(crate) fn extract(
    field: &FieldSpec,
    pages: &[usize],
    doc: &[Vec<DocLine<'_>>],
    other_labels: &[Vec<char>],
    min_confidence: f32,
    as_of: NaiveDate,
) -> Option<Extracted> {
    let labels: Vec<Vec<char>> = field.effective_labels().iter().map(|l| crate::ocr::fold(l).chars).collect();
    for &p in pages {
        let lines = doc.get(p)?;
        for (l, line) in lines.iter().enumerate() {
            let Some((at, len)) = labels.iter().find_map(|lab| line.folded.find(lab, 0).map(|at| (at, lab.len())))
            else {
                continue;
            };
            let (mut vl, mut range) = (l, value_range(&line.folded.chars, at + len));
            let mut confidence = line.confidence;
            if range.0 == range.1
                && let Some(next) = lines.get(l + 1)
                && !other_labels.iter().any(|lab| next.folded.contains(lab))
            {
                let r = value_range(&next.folded.chars, 0);
                if r.0 < r.1 {
                    (vl, range) = (l + 1, r);
                    confidence = confidence.min(next.confidence);
                }
            }
            let folded = &lines[vl].folded;
            let value: String = folded.chars[range.0..range.1].iter().collect();
            let span = if range.0 < range.1 { folded.orig_span(range.0, range.1) } else { (0, 0) };
            let mut found = Extracted {
                status: FieldStatus::Found,
                page: p,
                line: vl,
                span,
                confidence,
                detail: None,
                reading: value.clone(),
                date: None,
            };
            judge(field.kind, &value, &mut found, as_of, folded, range.0);
            if confidence < min_confidence && found.status != FieldStatus::Missing {
                found.status = FieldStatus::LowConfidence;
                found.detail = Some(format!("识别置信度 {confidence:.2} 低于 {min_confidence:.2}"));
            }
            return Some(found);
        }
    }
    None
}

/// The folded range of the value after a label ending at `from`: separators trimmed.
fn value_range(chars: &[char], from: usize) -> (usize, usize) {
    let mut a = from.min(chars.len());
    let mut b = chars.len();
    while a < b && LEADING.contains(&chars[a]) {
        a += 1;
    }
    while b > a && TRAILING.contains(&chars[b - 1]) {
        b -= 1;
    }
    (a, b)
}

/// Check a value by its kind, setting status, detail and (for ID numbers) the exact span.
fn judge(kind: FieldKind, value: &str, out: &mut Extracted, as_of: NaiveDate, folded: &Folded, start: usize) {
    let mut set = |status, detail: Option<String>| {
        out.status = status;
        out.detail = detail;
    };
    // A blank date on a form (`年  月  日`) is no value.
    let legible = value.chars().any(|c| c.is_alphanumeric() && !matches!(c, '年' | '月' | '日'));
    if !legible {
        set(FieldStatus::Missing, None);
        return;
    }
    match kind {
        FieldKind::Text | FieldKind::Person | FieldKind::Address | FieldKind::Signature => {}
        FieldKind::ResidentId => {
            let fixed = fix_digits(value);
            // The longest run of ID characters; fix_digits maps one character to one, so the
            // run's folded positions are those of the value.
            let chars: Vec<char> = fixed.chars().collect();
            let (mut best, mut i) = ((0, 0), 0);
            while i < chars.len() {
                let j = i + chars[i..].iter().take_while(|c| c.is_ascii_digit() || **c == 'X').count();
                if j - i > best.1 - best.0 {
                    best = (i, j);
                }
                i = j + 1;
            }
            let run: String = chars[best.0..best.1].iter().collect();
            if best.1 > best.0 {
                out.span = folded.orig_span(start + best.0, start + best.1);
            }
            out.reading = run.clone();
            let today = (as_of.year_ce().1 as i32, as_of.month0() + 1, as_of.day0() + 1);
            match run.len() {
                18 => match check_resident_id(run.as_bytes(), today) {
                    Some(c) if c.checksum => {}
                    Some(_) => set(FieldStatus::Invalid, Some("校验位不符".into())),
                    None => set(FieldStatus::Unparseable, Some("不是有效的18位公民身份号码".into())),
                },
                15 if check_legacy_id(run.as_bytes()).is_some() => {
                    set(FieldStatus::Found, Some("15位旧号码".into()));
                }
                0 => set(FieldStatus::Missing, None),
                n => set(FieldStatus::Unparseable, Some(format!("读出{n}位，应为18位"))),
            }
        }
        FieldKind::Date => {
            let fixed = fix_digits(value);
            match parse_dates(&fixed).first() {
                Some(d) => {
                    out.reading = d.to_string();
                    out.date = Some(*d);
                }
                None => set(FieldStatus::Unparseable, Some("无法识别为日期".into())),
            }
        }
        FieldKind::Validity => {
            let fixed = fix_digits(value);
            let dates = parse_dates(&fixed);
            out.date = dates.get(1).copied().filter(|_| !fixed.contains("长期"));
            match (dates.as_slice(), fixed.contains("长期")) {
                ([start, ..], true) => set(FieldStatus::Found, Some(format!("{start}起长期有效"))),
                ([_, end, ..], false) if *end < as_of => {
                    set(FieldStatus::Expired, Some(format!("已于{end}到期")));
                }
                ([start, end, ..], false) if *start > as_of => {
                    set(FieldStatus::Invalid, Some(format!("{start}起才生效")));
                }
                ([_, end, ..], false) => set(FieldStatus::Found, Some(format!("有效至{end}"))),
                _ => set(FieldStatus::Unparseable, Some("无法识别有效期限".into())),
            }
        }
    }
}

use chrono::Datelike;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::ocr::fold;

    fn doc(lines: &[(&'static str, f32)]) -> Vec<Vec<DocLine<'static>>> {
        vec![lines.iter().map(|(t, c)| DocLine { text: t, confidence: *c, folded: fold(t) }).collect()]
    }

    fn field(name: &str, kind: FieldKind) -> FieldSpec {
        FieldSpec { name: name.into(), kind, labels: Vec::new(), required: true }
    }

    fn read(kind: FieldKind, name: &str, lines: &[(&'static str, f32)]) -> Option<Extracted> {
        let d = doc(lines);
        let today = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        let others: Vec<Vec<char>> = vec![fold("姓名").chars, fold("住址").chars];
        extract(&field(name, kind), &[0], &d, &others, 0.8, today)
    }

    #[test]
    fn resident_id_with_ocr_noise_is_read_and_checked() {
        // Spaces inside the number, O for 0, l for 1, full-width digits, lower-case x.
        for line in [
            "公民身份号码 1101 0519 4912 3100 2X",
            "公民身份号码：11O1O5l9491231OO2x",
            "公民身份号码１１０１０５１９４９１２３１００２Ｘ",
        ] {
            let e = read(FieldKind::ResidentId, "公民身份号码", &[(line, 0.97)]).unwrap();
            assert_eq!(e.status, FieldStatus::Found, "{line}: {:?}", e.detail);
            assert_eq!(e.reading, "11010519491231002X");
        }
        let e = read(FieldKind::ResidentId, "公民身份号码", &[("公民身份号码 110105194912310021", 0.97)]).unwrap();
        assert_eq!(e.status, FieldStatus::Invalid, "wrong check character");
        let e = read(FieldKind::ResidentId, "公民身份号码", &[("公民身份号码 1101051949123", 0.97)]).unwrap();
        assert_eq!(e.status, FieldStatus::Unparseable);
        let e = read(FieldKind::ResidentId, "公民身份号码", &[("公民身份号码 11010519491231002X", 0.5)]).unwrap();
        assert_eq!(e.status, FieldStatus::LowConfidence);
    }

    #[test]
    fn the_span_is_the_number_in_the_original_line() {
        let line = "公民身份号码： 1101 0519 4912 3100 2X 号";
        let e = read(FieldKind::ResidentId, "公民身份号码", &[(line, 0.97)]).unwrap();
        let chars: Vec<char> = line.chars().collect();
        let s: String = chars[e.span.0..e.span.1].iter().collect();
        assert_eq!(s, "1101 0519 4912 3100 2X");
    }

    #[test]
    fn value_on_the_next_line_unless_it_is_another_field() {
        let e = read(FieldKind::Person, "姓名", &[("姓 名", 0.95), ("张三", 0.9)]).unwrap();
        assert_eq!((e.status, e.line, e.reading.as_str()), (FieldStatus::Found, 1, "张三"));
        let e = read(FieldKind::Person, "姓名", &[("姓名：", 0.95), ("住址 北京市", 0.9)]).unwrap();
        assert_eq!(e.status, FieldStatus::Missing);
        assert!(read(FieldKind::Person, "姓名", &[("性别 男", 0.95)]).is_none());
    }

    #[test]
    fn dates_and_validity_periods() {
        let e = read(FieldKind::Date, "日期", &[("日期：2O26年l1月3O日", 0.9)]).unwrap();
        assert_eq!((e.status, e.reading.as_str()), (FieldStatus::Found, "2026-11-30"));
        let e = read(FieldKind::Date, "日期", &[("日期：    年   月   日", 0.9)]).unwrap();
        assert_eq!(e.status, FieldStatus::Missing, "a blank date on the form");
        let e = read(FieldKind::Date, "日期", &[("日期：下周", 0.9)]).unwrap();
        assert_eq!(e.status, FieldStatus::Unparseable);
        let v = |s: &'static str| read(FieldKind::Validity, "有效期限", &[(s, 0.9)]).unwrap().status;
        assert_eq!(v("有效期限 2016.03.01-2036.03.01"), FieldStatus::Found);
        assert_eq!(v("有效期限 2006.03.01-2026.03.01"), FieldStatus::Expired);
        assert_eq!(v("有效期限 ２０１６．０３．０１－长期"), FieldStatus::Found);
        assert_eq!(v("有效期限 2027.01.01-2047.01.01"), FieldStatus::Invalid);
        assert_eq!(v("有效期限 2016.03.01"), FieldStatus::Unparseable);
    }

    #[test]
    fn signature_needs_something_legible() {
        let e = read(FieldKind::Signature, "申请人签名", &[("申请人签名：______", 0.9)]).unwrap();
        assert_eq!(e.status, FieldStatus::Missing);
        let e = read(FieldKind::Signature, "申请人签名", &[("申请人（签名）：张三", 0.4)]);
        assert!(e.is_none(), "label 申请人签名 is not in 申请人(签名)");
        let e = read(FieldKind::Signature, "申请人签名", &[("申请人签名：张三", 0.4)]).unwrap();
        assert_eq!(e.status, FieldStatus::LowConfidence);
    }
}
