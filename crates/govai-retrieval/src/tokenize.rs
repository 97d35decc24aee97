//! CJK-aware tokenisation and sentence splitting.
//!
//! Chinese has no spaces between words and a word segmenter needs a dictionary, so CJK text is
//! indexed as overlapping character unigrams *and* bigrams: bigrams carry most of the meaning
//! (社保, 补办, 公积), unigrams keep recall for one-character words and odd segmentations.
//! Latin-script text is split into words, digit runs are single tokens (12345, 2025).

use govai_text::sentence::{full_stop_ends, is_terminator};
use unicode_normalization::UnicodeNormalization;

/// Chinese function words and question frames dropped before n-grams are formed. A CJK run is cut
/// at each of them, so no bigram spans a stopword ("丢了怎么补办" -> "丢" | "补办").
/// Longer entries are matched first (the list is ordered by length). Kept deliberately small:
/// question frames, particles and pronouns only.
const CJK_STOPWORDS: &[&str] = &[
    "为什么",
    "有没有",
    "能不能",
    "是不是", //
    "怎么",
    "怎样",
    "如何",
    "请问",
    "什么",
    "一下",
    "哪些",
    "哪里",
    "哪个",
    "多少",
    "多久",
    "我们",
    "你们", //
    "的",
    "了",
    "吗",
    "呢",
    "吧",
    "啊",
    "呀",
    "么",
    "我",
    "你",
    "您",
];

/// English function words (after lowercasing and plural folding).
const EN_STOPWORDS: &[&str] = &[
    "a", "an", "the", "of", "to", "in", "on", "at", "for", "and", "or", "is", "are", "was", "be", "do", "doe", "did",
    "how", "what", "which", "where", "when", "who", "i", "me", "my", "we", "our", "you", "your", "it", "this", "that",
    "can", "could", "should", "would", "will", "with", "from", "by", "as", "s", "t", "please", "there", "have", "has",
];

/// Is `c` a CJK ideograph or kana (text written without spaces)?
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF       // hiragana, katakana
        | 0x3400..=0x4DBF     // CJK extension A
        | 0x4E00..=0x9FFF     // CJK unified ideographs
        | 0xF900..=0xFAFF     // CJK compatibility ideographs
        | 0x20000..=0x2EBEF   // extensions B..F
        | 0x30000..=0x3134F) // extension G
}

/// Does the text contain any CJK character? Used to choose the answer language.
pub fn contains_cjk(text: &str) -> bool {
    text.chars().any(is_cjk)
}

/// NFKC-normalise (full-width letters and digits become ASCII, compatibility ideographs become
/// unified ones) and lowercase.
pub(crate) fn normalize(text: &str) -> String {
    text.nfkc().flat_map(char::to_lowercase).collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Cjk,
    Letter,
    Digit,
    Other,
}

fn class(c: char) -> Class {
    if is_cjk(c) {
        Class::Cjk
    } else if c.is_numeric() {
        Class::Digit
    } else if c.is_alphabetic() {
        Class::Letter
    } else {
        Class::Other
    }
}

/// Tokenise text for retrieval: NFKC + lowercase; Latin runs -> words; digit runs -> one token;
/// CJK runs -> character unigrams and bigrams. Stopwords are dropped (see the
/// `cjk_bigrams_and_stopwords` test).
pub(crate) fn tokenize(text: &str) -> Vec<String> {
    let norm = normalize(text);
    let chars: Vec<char> = norm.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let cls = class(chars[i]);
        let mut j = i + 1;
        while j < chars.len() && class(chars[j]) == cls {
            j += 1;
        }
        let run = &chars[i..j];
        match cls {
            Class::Cjk => push_cjk(run, &mut out),
            Class::Letter => {
                let word = fold_plural(run.iter().collect());
                if !EN_STOPWORDS.contains(&word.as_str()) {
                    out.push(word);
                }
            }
            Class::Digit => out.push(run.iter().collect()),
            Class::Other => {}
        }
        i = j;
    }
    out
}

/// Cut a CJK run at stopwords, then emit unigrams and bigrams of each segment.
fn push_cjk(run: &[char], out: &mut Vec<String>) {
    let mut segment: Vec<char> = Vec::new();
    let mut i = 0;
    'outer: while i < run.len() {
        for sw in CJK_STOPWORDS {
            let n = sw.chars().count();
            if i + n <= run.len() && sw.chars().eq(run[i..i + n].iter().copied()) {
                flush_cjk(&mut segment, out);
                i += n;
                continue 'outer;
            }
        }
        segment.push(run[i]);
        i += 1;
    }
    flush_cjk(&mut segment, out);
}

fn flush_cjk(segment: &mut Vec<char>, out: &mut Vec<String>) {
    for (k, c) in segment.iter().enumerate() {
        out.push(c.to_string());
        if let Some(next) = segment.get(k + 1) {
            out.push([*c, *next].iter().collect());
        }
    }
    segment.clear();
}

/// Minimal English plural folding so "permits" matches "permit" and "fees" matches "fee":
/// -ies -> -y, -sses/-xes/-ches/-shes -> drop "es", other -s (not -ss, -us, -is) -> drop "s".
fn fold_plural(word: String) -> String {
    let n = word.len();
    if n <= 3 || !word.is_ascii() {
        return word;
    }
    if let Some(stem) = word.strip_suffix("ies") {
        return format!("{stem}y");
    }
    for suffix in ["sses", "xes", "ches", "shes"] {
        if word.ends_with(suffix) {
            return word[..n - 2].to_owned();
        }
    }
    if word.ends_with('s') && !word.ends_with("ss") && !word.ends_with("us") && !word.ends_with("is") {
        return word[..n - 1].to_owned();
    }
    word
}

/// Closing quotes and brackets that stay with the sentence they close.
fn is_closer(c: char) -> bool {
    matches!(c, '”' | '’' | '」' | '』' | '）' | ')' | '"' | '\'' | '》' | '】')
}

/// Split Chinese and English text into sentences at the sentence ends of
/// [`govai_text::sentence`] (。！？；．!?; line breaks, and `.` before whitespace, not after a
/// digit). Every returned sentence is a verbatim, trimmed slice of `text`, terminator
/// included; empty pieces are skipped.
pub fn split_sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut iter = text.char_indices().peekable();
    let mut prev = None;
    while let Some((i, c)) = iter.next() {
        let ends = is_terminator(c) || (c == '.' && full_stop_ends(prev, iter.peek().map(|&(_, n)| n)));
        prev = Some(c);
        if !ends {
            continue;
        }
        let mut end = i + c.len_utf8();
        // Keep repeated terminators ("？！") and closing quotes with this sentence.
        while let Some(&(j, n)) = iter.peek() {
            if (is_terminator(n) && !matches!(n, '\n' | '\r')) || is_closer(n) {
                end = j + n.len_utf8();
                iter.next();
            } else {
                break;
            }
        }
        push_trimmed(&text[start..end], &mut out);
        start = end;
    }
    push_trimmed(&text[start..], &mut out);
    out
}

fn push_trimmed<'a>(piece: &'a str, out: &mut Vec<&'a str>) {
    let t = piece.trim();
    if !t.is_empty() {
        out.push(t);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn cjk_bigrams_and_stopwords() {
        let t = tokenize("社保卡丢了怎么补办");
        assert!(t.contains(&"社保".to_owned()) && t.contains(&"补办".to_owned()));
        assert!(!t.contains(&"怎么".to_owned()) && !t.contains(&"丢补".to_owned()));
    }

    fn has(tokens: &[String], t: &str) -> bool {
        tokens.iter().any(|x| x == t)
    }

    #[test]
    fn cjk_unigrams_and_bigrams() {
        let t = tokenize("社保卡");
        assert_eq!(t, vec!["社", "社保", "保", "保卡", "卡"]);
    }

    #[test]
    fn stopwords_cut_runs() {
        let t = tokenize("社保卡丢了怎么补办");
        assert!(has(&t, "社保") && has(&t, "保卡") && has(&t, "卡丢") && has(&t, "补办"));
        assert!(!has(&t, "了") && !has(&t, "怎么") && !has(&t, "怎") && !has(&t, "丢了") && !has(&t, "么补"));
        let t = tokenize("请问居住证要带什么材料呢？");
        assert!(has(&t, "居住") && has(&t, "材料") && has(&t, "要带"));
        assert!(!has(&t, "请问") && !has(&t, "什么") && !has(&t, "带什") && !has(&t, "呢"));
    }

    #[test]
    fn mixed_scripts() {
        let t = tokenize("拨打12345热线或登录App，Hotline: press 9");
        assert!(has(&t, "12345") && has(&t, "热线") && has(&t, "app") && has(&t, "hotline") && has(&t, "press"));
        assert!(has(&t, "9"));
        assert!(!has(&t, "打1") && !has(&t, "5热"));
        let t = tokenize("数电发票2025年");
        assert!(has(&t, "2025") && has(&t, "发票") && has(&t, "年"));
    }

    #[test]
    fn full_width_is_normalised() {
        assert_eq!(tokenize("ＡＢＣ１２３"), vec!["abc", "123"]);
        assert_eq!(tokenize("１２３４５热线"), tokenize("12345热线"));
        assert_eq!(tokenize("ＡＰＰ"), vec!["app"]);
    }

    #[test]
    fn english_words_stopwords_plurals() {
        let t = tokenize("How do I apply for the Residence Permits and pay fees?");
        assert_eq!(t, vec!["apply", "residence", "permit", "pay", "fee"]);
        assert_eq!(tokenize("policies businesses taxes bus"), vec!["policy", "business", "tax", "bus"]);
    }

    #[test]
    fn empty_and_punctuation_only() {
        assert!(tokenize("").is_empty());
        assert!(tokenize("，。！？ ... ").is_empty());
        assert!(tokenize("的了吗").is_empty());
        assert!(tokenize("为什么有没有多少").is_empty());
    }

    #[test]
    fn sentences_chinese() {
        let s = split_sentences("第一句。第二句！第三句？第四句；第五句");
        assert_eq!(s, vec!["第一句。", "第二句！", "第三句？", "第四句；", "第五句"]);
        let s = split_sentences("他说：“可以办理。”然后离开了。");
        assert_eq!(s, vec!["他说：“可以办理。”", "然后离开了。"]);
    }

    #[test]
    fn sentences_english() {
        let s = split_sentences("Fee is 5.5% of 9:00 pay. Really?! Yes; done.\nNext line");
        assert_eq!(s, vec!["Fee is 5.5% of 9:00 pay.", "Really?!", "Yes;", "done.", "Next line"]);
    }

    #[test]
    fn sentences_are_verbatim_slices() {
        let text = "  居住证每年签注一次。 Bring your passport.\n\n补领需缴纳工本费20元  ";
        for s in split_sentences(text) {
            assert!(text.contains(s));
            assert_eq!(s, s.trim());
        }
        assert!(split_sentences("   \n ").is_empty());
    }
}
