//! Named entities and key terms of a text, for the grounding check: organisation, policy and
//! place names (Chinese and English) that must occur in the evidence.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use govai_text::is_han;
use govai_text::normalize::normalize_term;
use regex::Regex;

use super::similarity::EN_STOP;

/// Kinds of named entity the reviewer checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntityKind {
    Organisation,
    Policy,
    Place,
}

impl EntityKind {
    pub(crate) fn name_zh(self) -> &'static str {
        match self {
            Self::Organisation => "机构名称",
            Self::Policy => "政策名称",
            Self::Place => "地名",
        }
    }
}

/// A named entity found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entity {
    pub kind: EntityKind,
    /// The name as written.
    pub text: String,
    /// Character span.
    pub span: (usize, usize),
    /// The normalised core compared with the evidence.
    pub core: String,
}

const ORG_SUFFIXES: &[&str] =
    &["委员会", "办公室", "联合会", "服务中心", "中心", "管理局", "局", "厅", "委", "大队", "支队"];

/// Words for a kind of place (where one is registered, lives...): 户籍地县级 or 居住地区县 is not a
/// place name.
const PLACE_KIND_WORDS: &[&str] =
    &["户籍地", "所在地", "居住地", "常住地", "属地", "当地", "出生地", "参保地", "就业地"];
const POLICY_SUFFIXES: &[&str] = &[
    "实施办法",
    "管理办法",
    "办法",
    "条例",
    "规定",
    "细则",
    "措施",
    "十条",
    "十二条",
    "新政",
    "实施方案",
    "方案",
    "实施意见",
    "若干意见",
    "决定",
];
const PLACE_SUFFIXES: &[&str] = &["自治区", "省", "市", "区", "县", "镇", "乡"];

/// Function characters that end a name when scanning back from its suffix.
const STOP_CHARS: &str = "的在向到由和与及或是为经往请至找去给对把被从于按照据依携带前后当在并也可需应将已都还就让使凡每各该本此其这那要以到来去上下中内外时或及或者";

/// Two-character words before which a place suffix is not a place name (城市, 社区, 全市...).
const PLACE_NOT_BEFORE: &[(&str, &str)] = &[
    ("市", "城超都上门股楼夜全本该我各集花早菜黑鬼在入省县市"),
    ("区", "地社小园景城市辖片郊山灾误专校街营禁盲新全本该我各分展院"),
    ("县", "全本该我各郡州"),
    ("省", "全本该我各外节反自"),
    ("镇", "城乡村本该全小重坐"),
    ("乡", "城家故同异老下本该全回思"),
];

/// Generic words that are not a specific name (有关规定, 相关部门...).
const GENERIC_PREFIXES: &[&str] = &[
    "有关", "相关", "上述", "以上", "以下", "下列", "具体", "现行", "国家", "法律", "其他", "所在", "当地", "各级",
    "主管",
];

/// Chinese named entities of a text.
pub(crate) fn chinese_entities(text: &str) -> Vec<Entity> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<Entity> = Vec::new();
    let mut i = 0;
    let mut covered_until = 0;
    while i < chars.len() {
        if !is_han(chars[i]) {
            i += 1;
            continue;
        }
        // Longest suffix ending at a position >= i, tried from i.
        let mut best: Option<(EntityKind, usize)> = None; // (kind, suffix length)
        for (kind, list) in [
            (EntityKind::Policy, POLICY_SUFFIXES),
            (EntityKind::Organisation, ORG_SUFFIXES),
            (EntityKind::Place, PLACE_SUFFIXES),
        ] {
            for s in list {
                let sc: Vec<char> = s.chars().collect();
                if chars[i..].starts_with(&sc) && best.is_none_or(|(_, l)| sc.len() > l) {
                    best = Some((kind, sc.len()));
                }
            }
        }
        let Some((kind, slen)) = best else {
            i += 1;
            continue;
        };
        let end = i + slen;
        if i < covered_until {
            i += 1;
            continue;
        }
        // Scan back over Han characters to the nearest stop character, at most 12.
        let mut s = i;
        while s > 0 && i - s < 12 && is_han(chars[s - 1]) && !STOP_CHARS.contains(chars[s - 1]) {
            s -= 1;
        }
        let prefix: String = chars[s..i].iter().collect();
        if prefix.chars().count() < 2 || GENERIC_PREFIXES.iter().any(|g| prefix == *g) {
            i = end;
            continue;
        }
        if kind == EntityKind::Place {
            let suffix: String = chars[i..end].iter().collect();
            let before = chars[i - 1];
            if PLACE_NOT_BEFORE.iter().any(|(suf, bad)| *suf == suffix && bad.contains(before))
                || prefix.chars().count() > 4
                || before == '地'
                || PLACE_KIND_WORDS.iter().any(|w| prefix.contains(w))
            {
                i = end;
                continue;
            }
        }
        let core_start = i.saturating_sub(4).max(s);
        let core: String = normalize_term(&chars[core_start..end].iter().collect::<String>());
        out.push(Entity { kind, text: chars[s..end].iter().collect(), span: (s, end), core });
        covered_until = end;
        i = end;
    }
    out
}

static EN_ENTITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:[A-Z][A-Za-z'’\-]+\s+){1,7}(?:Bureau|Office|Centre|Center|Commission|Committee|Department|Federation|Administration|Measures|Regulations|Rules|Provisions|Policy|Plan|Notice|Programme|Program)\b",
    )
    .expect("entity pattern compiles (tested)")
});

const EN_LEADING: &[&str] = &[
    "The", "A", "An", "Under", "From", "To", "In", "At", "By", "Contact", "Call", "Visit", "Take", "See", "Per", "Our",
];

/// English named entities (capitalised names ending in Bureau, Office, Measures...).
pub(crate) fn english_entities(text: &str) -> Vec<Entity> {
    let mut out = Vec::new();
    for m in EN_ENTITY.find_iter(text) {
        let mut s = m.start();
        let mut name = m.as_str();
        loop {
            let first = name.split_whitespace().next().unwrap_or("");
            if EN_LEADING.contains(&first) && name.split_whitespace().count() > 2 {
                let skip = name.find(first).unwrap_or(0) + first.len();
                let rest = &name[skip..];
                let trimmed = rest.trim_start();
                s += skip + (rest.len() - trimmed.len());
                name = trimmed;
            } else {
                break;
            }
        }
        let cs = text[..s].chars().count();
        let ce = cs + name.chars().count();
        let kind = if name.ends_with("Measures")
            || name.ends_with("Regulations")
            || name.ends_with("Rules")
            || name.ends_with("Provisions")
            || name.ends_with("Policy")
            || name.ends_with("Plan")
            || name.ends_with("Notice")
        {
            EntityKind::Policy
        } else {
            EntityKind::Organisation
        };
        out.push(Entity { kind, text: name.to_owned(), span: (cs, ce), core: normalize_term(name) });
    }
    out
}

static EN_LOWER_OFFICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:[a-z][a-z'’\-]+\s+){2,4}(?:bureau|office|centre|center|commission|administration)\b")
        .expect("office pattern compiles (tested)")
});

/// Office names written in lower case ("the example city transportation bureau"), as small
/// models write them: at least two modifiers that name something (not "the local office").
pub(crate) fn lowercase_offices(text: &str) -> Vec<Entity> {
    let mut out = Vec::new();
    for m in EN_LOWER_OFFICE.find_iter(text) {
        let words: Vec<&str> = m.as_str().split_whitespace().collect();
        let Some((head, mods)) = words.split_last() else { continue };
        // Keep the modifiers after the last stop or generic word.
        let keep = mods.iter().rposition(|w| EN_STOP.contains(w) || EN_LEADING_LOWER.contains(w)).map_or(0, |i| i + 1);
        let mods = &mods[keep..];
        if mods.len() < 2 || mods.iter().filter(|w| !EN_GENERIC_MODIFIERS.contains(w)).count() < 2 {
            continue;
        }
        let name = format!("{} {head}", mods.join(" "));
        let Some(pos) = m.as_str().find(mods[0]) else { continue };
        let cs = text[..m.start() + pos].chars().count();
        let ce = text[..m.end()].chars().count();
        out.push(Entity {
            kind: EntityKind::Organisation,
            text: name.clone(),
            span: (cs, ce),
            core: normalize_term(&name),
        });
    }
    out
}

const EN_LEADING_LOWER: &[&str] =
    &["visit", "contact", "call", "see", "ask", "go", "apply", "submit", "via", "through"];

/// All named entities of a text (Chinese and English).
pub(crate) fn entities(text: &str) -> Vec<Entity> {
    let mut v = chinese_entities(text);
    let en = english_entities(text);
    let lower: Vec<Entity> = lowercase_offices(text)
        .into_iter()
        .filter(|l| !en.iter().any(|e| e.span.0 < l.span.1 && l.span.0 < e.span.1))
        .collect();
    v.extend(en);
    v.extend(lower);
    v.sort_by_key(|e| e.span);
    v
}

// ----------------------------------------------------------------------------------------------
// Conflated sources
// ----------------------------------------------------------------------------------------------

/// English head nouns of key terms: document types and offices.
const EN_HEADS: &[&str] = &[
    "permit",
    "permits",
    "licence",
    "licences",
    "license",
    "licenses",
    "card",
    "cards",
    "certificate",
    "certificates",
    "visa",
    "visas",
    "bureau",
    "office",
    "centre",
    "center",
    "division",
    "station",
];

/// Modifiers that do not name a matter ("a valid permit", "the local office").
const EN_GENERIC_MODIFIERS: &[&str] = &[
    "valid",
    "new",
    "original",
    "local",
    "relevant",
    "same",
    "official",
    "nearest",
    "competent",
    "government",
    "city",
    "district",
    "such",
    "their",
    "his",
    "her",
    "my",
    "each",
    "every",
    "one",
    "own",
    "other",
    "required",
    "necessary",
];

/// Second characters of words ending in 证 that are not document types (保证, 认证, 验证...).
const ZH_NOT_DOC_BEFORE_ZHENG: &str = "保认验论查见作举求考印佐凭";

/// Key terms of a text: document types and offices. Chinese: the document type with its two
/// preceding characters (居住证, 保障卡, 营业执照) and offices (派出所, 服务中心, 服务网点); English:
/// the 4-letter stems of a head noun (permit, licence, card, certificate, bureau, office...) and
/// the word before it ("resi perm", "driv lice", "tran bure").
pub fn key_terms(text: &str) -> HashSet<String> {
    key_term_map(text).into_keys().collect()
}

/// [`key_terms`] with the words as written (for messages): key -> surface form.
pub(crate) fn key_term_map(text: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    // Chinese document types on the normalised text.
    let norm: Vec<char> = normalize_term(text).chars().collect();
    for i in 2..norm.len() {
        let (a, b, c) = (norm[i - 2], norm[i - 1], norm[i]);
        if !(is_han(a) && is_han(b)) {
            continue;
        }
        match c {
            '证' if !ZH_NOT_DOC_BEFORE_ZHENG.contains(b) => {
                let t: String = [a, b, c].iter().collect();
                out.insert(t.clone(), t);
            }
            '卡' => {
                let t: String = [a, b, c].iter().collect();
                out.insert(t.clone(), t);
            }
            '照' if b == '执' && i >= 3 && is_han(norm[i - 3]) => {
                let t: String = [norm[i - 3], a, b, c].iter().collect();
                out.insert(t.clone(), t);
            }
            // Offices: 派出所, 保障局, 服务中心, 服务网点.
            '局' | '所' => {
                let t: String = [a, b, c].iter().collect();
                out.insert(t.clone(), t);
            }
            '心' | '点' if ((b == '中' && c == '心') || (b == '网' && c == '点')) && i >= 3 && is_han(norm[i - 3]) =>
            {
                let t: String = [norm[i - 3], a, b, c].iter().collect();
                out.insert(t.clone(), t);
            }
            _ => {}
        }
    }
    // English head nouns with their modifier.
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().count() > 1).collect();
    let stem = |w: &str| w.chars().take(4).collect::<String>();
    for i in 1..words.len() {
        if !EN_HEADS.contains(&words[i]) {
            continue;
        }
        let prev = words[i - 1];
        if EN_STOP.contains(&prev)
            || EN_GENERIC_MODIFIERS.contains(&prev)
            || EN_HEADS.contains(&prev)
            || prev.chars().all(|c| c.is_ascii_digit())
        {
            continue;
        }
        out.entry(format!("{} {}", stem(prev), stem(words[i]))).or_insert_with(|| format!("{prev} {}", words[i]));
    }
    out
}
