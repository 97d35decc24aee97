//! Rule-based person names: a surname list plus context. A name is only reported next to a
//! context word: after a label (`姓名：`, `联系人`, `我叫`...), before an honorific (`先生`,
//! `女士`...) or before `，男` / `，女` in a personal record. English: `Name: Zhang San`,
//! `Mr. Wang`. The ONNX NER tagger plugs in as a second classifier for names without context.

use govai_text::is_han;

use super::Cand;
use super::lexicon::{
    COMPOUND_SURNAMES, Hit, Lexicon, NAME_HARD_STOP, NAME_NOT_START, NAME_STOP, PERSON_SUFFIX, Tag, is_surname,
};
use super::types::EntityType;

fn starts_with_honorific(s: &str) -> bool {
    PERSON_SUFFIX.iter().filter(|w| !w.starts_with([',', '('])).any(|w| s.starts_with(w))
}

fn compound_at(s: &str) -> Option<usize> {
    COMPOUND_SURNAMES.iter().find(|c| s.starts_with(**c)).map(|c| c.len())
}

fn cand(s: usize, e: usize, score: f32) -> Cand {
    let mut c = Cand::new(EntityType::Person, s, e, score);
    c.contextual = false;
    c
}

/// `latin`: the text has an ASCII letter (else the English forms are not searched).
pub(crate) fn scan(t: &str, hits: &[Hit], lx: &Lexicon, latin: bool, out: &mut Vec<Cand>) {
    // A name never runs into a known word (`患者张三确诊` is 张三).
    // Place names are not excluded: 玉林 is a city and a given name.
    let word_starts: Vec<usize> = hits
        .iter()
        .filter(|h| lx.tags(h.pattern).iter().any(|t| !matches!(t, Tag::AddrGazetteer | Tag::Anchor)))
        .map(|h| h.start)
        .collect();
    for h in hits {
        for tag in lx.tags(h.pattern) {
            match tag {
                Tag::PersonPrefix => forward(t, h.end, &word_starts, out),
                Tag::PersonSuffix => backward(t, h, out),
                _ => {}
            }
        }
    }
    if latin {
        english(t, out);
    }
}

/// A name right after a label.
fn forward(t: &str, mut pos: usize, word_starts: &[usize], out: &mut Vec<Cand>) {
    let rest = &t[pos..];
    let skipped = rest.len() - rest.trim_start_matches([' ', '\t', ':', '"', '“', '「', '\'']).len();
    pos += skipped;
    let rest = &t[pos..];
    let rest = if let Some(r) = rest.strip_prefix(['是', '为']) {
        pos += rest.len() - r.len();
        r
    } else {
        rest
    };
    let start = pos;
    let surname_len = match compound_at(rest) {
        Some(l) => l,
        None => match rest.chars().next() {
            Some(c) if is_surname(c) => c.len_utf8(),
            _ => return,
        },
    };
    let mut end = start + surname_len;
    let mut given = 0;
    while given < 2 {
        let tail = &t[end..];
        if starts_with_honorific(tail) || word_starts.binary_search(&end).is_ok() {
            break;
        }
        let Some(c) = tail.chars().next() else { break };
        let stop = if given == 0 { NAME_HARD_STOP } else { NAME_STOP };
        if !is_han(c) || stop.contains(c) {
            break;
        }
        end += c.len_utf8();
        given += 1;
    }
    if given > 0 || starts_with_honorific(&t[end..]) {
        out.push(cand(start, end, 0.75));
    }
}

/// A name right before an honorific or `，男`.
fn backward(t: &str, h: &Hit, out: &mut Vec<Cand>) {
    let word = &t[h.start..h.end];
    let gender = word.starts_with([',', '(']);
    if gender {
        // `，男，` / `（女）` but not `，男女老少`.
        let next = t[h.end..].chars().next();
        if next.is_some_and(|c| is_han(c) && c != '性') {
            return;
        }
    }
    let end = h.start;
    let before: Vec<(usize, char)> = t[..end].char_indices().rev().take(4).collect();
    // before[k] = the (k+1)-th char before the end.
    let span = |n: usize| -> Option<(usize, Vec<char>)> {
        if before.len() < n {
            return None;
        }
        let chars: Vec<char> = before[..n].iter().rev().map(|&(_, c)| c).collect();
        chars.iter().all(|&c| is_han(c)).then(|| (before[n - 1].0, chars))
    };
    let valid_given = |g: &[char]| {
        g.iter().enumerate().all(|(i, &c)| if i == 0 { !NAME_HARD_STOP.contains(c) } else { !NAME_STOP.contains(c) })
    };
    let mut choice: Option<usize> = None;
    for n in [4usize, 3] {
        if let Some((s, chars)) = span(n)
            && compound_at(&t[s..]).is_some()
            && valid_given(&chars[2..])
        {
            choice = Some(s);
            break;
        }
    }
    if choice.is_none() {
        // A valid 3-character reading beats a 2-character one (`张文华先生`: 文 is also a surname);
        // function characters never start a name (`向王明先生`).
        let order: &[usize] = if gender { &[3, 2] } else { &[3, 2, 1] };
        for &n in order {
            if let Some((s, chars)) = span(n)
                && is_surname(chars[0])
                && !NAME_NOT_START.contains(chars[0])
                && valid_given(&chars[1..])
            {
                choice = Some(s);
                break;
            }
        }
    }
    if let Some(s) = choice {
        out.push(cand(s, end, 0.7));
    }
}

/// Capitalised words that are labels or sentence starts, not names.
const NOT_NAMES: &[&str] = &[
    "Passport", "Phone", "Tel", "Email", "Mobile", "Address", "Please", "The", "Card", "Fax", "Contact", "Name",
    "Date", "Gender", "Male", "Female", "No", "Id", "Account", "Sex", "Age", "Dear", "Thanks", "Call",
];

/// `Name: Zhang San`, `Mr. Wang`, `Ms Li Na`.
fn english(t: &str, out: &mut Vec<Cand>) {
    const LABELS: [&str; 9] = ["Name:", "Name :", "name:", "Mr. ", "Ms. ", "Mrs. ", "Mr ", "Ms ", "Mrs "];
    if !t.contains("Name") && !t.contains("name") && !t.contains("M") {
        return;
    }
    let b = t.as_bytes();
    for label in LABELS {
        for (i, _) in t.match_indices(label) {
            if i > 0 && b[i - 1].is_ascii_alphabetic() {
                continue;
            }
            let max_words = if label.starts_with('M') { 1 } else { 3 };
            let mut pos = i + label.len();
            while b.get(pos) == Some(&b' ') {
                pos += 1;
            }
            let start = pos;
            let mut end = pos;
            let mut words = 0;
            while words < max_words {
                let w0 = end + usize::from(words > 0);
                if words > 0 && b.get(end) != Some(&b' ') {
                    break;
                }
                if !b.get(w0).is_some_and(u8::is_ascii_uppercase) {
                    break;
                }
                let mut k = w0 + 1;
                while b.get(k).is_some_and(u8::is_ascii_lowercase) {
                    k += 1;
                }
                if k - w0 < 2 || b.get(k).is_some_and(u8::is_ascii_alphanumeric) || NOT_NAMES.contains(&&t[w0..k]) {
                    break;
                }
                end = k;
                words += 1;
            }
            if words > 0 {
                out.push(cand(start, end, 0.7));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn names(t: &str) -> Vec<String> {
        let lx = Lexicon::build().unwrap();
        let hits = lx.hits(t);
        let mut out = Vec::new();
        scan(t, &hits, &lx, true, &mut out);
        let mut v: Vec<String> = out.into_iter().map(|c| t[c.start..c.end].to_owned()).collect();
        v.sort();
        v.dedup();
        v
    }

    #[test]
    fn chinese_names() {
        assert_eq!(names("姓名:张三 性别:男"), ["张三"]);
        assert_eq!(names("联系人王建民电话13800138000"), ["王建民"]);
        assert_eq!(names("联系人张三电话"), ["张三"]);
        assert_eq!(names("我叫李小明,"), ["李小明"]);
        assert_eq!(names("请向王先生咨询"), ["王"]);
        assert_eq!(names("张三丰先生"), ["张三丰"]);
        assert_eq!(names("欧阳娜娜女士"), ["欧阳娜娜"]);
        assert_eq!(names("被告人李四,男,汉族"), ["李四"]);
        assert!(names("我是一名教师").is_empty());
        assert!(names("男女老少,男女平等").is_empty());
        assert_eq!(names("我是王老师"), ["王"]);
        // 业主 inside 行业主管 / 物业主管 is no label, and an office is no name.
        assert!(names("行业主管部门要加强监督").is_empty());
        assert!(names("物业主管局负责").is_empty());
        assert_eq!(names("房屋业主张伟来电"), ["张伟"]);
    }

    #[test]
    fn english_names() {
        assert_eq!(names("Name: Zhang San, phone"), ["Zhang San"]);
        assert_eq!(names("contact Mr. Wang today"), ["Wang"]);
        assert!(names("Mr. x").is_empty());
        assert_eq!(names("Name: Hu Min Passport: G57353836"), ["Hu Min"]);
    }
}
