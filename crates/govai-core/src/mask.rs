//! Reversible pseudonymisation: findings become numbered placeholders such as 〔身份证号1〕,
//! consistent within one request, and are restored in the model's output.
//!
//! The vault lives only in memory for the duration of a request; it is never serialised, logged
//! or written to the audit trail (its `Debug` output is redacted).

use std::collections::HashMap;

use crate::classify::Finding;

/// Chinese label for the placeholder of an entity type; unknown types use their own name.
pub(crate) fn placeholder_label(entity_type: &str) -> &str {
    match entity_type {
        "cn_resident_id" => "身份证号",
        "cn_uscc" => "信用代码",
        "cn_org_code" => "组织机构代码",
        "bank_card" => "银行卡号",
        "cn_mobile" => "手机号",
        "cn_landline" => "电话",
        "cn_passport" => "护照号",
        "hk_macau_permit" => "通行证号",
        "hkid" => "香港身份证号",
        "cn_plate" => "车牌号",
        "email" => "邮箱",
        "ipv4" | "ipv6" => "IP地址",
        "address" => "地址",
        "person" => "姓名",
        "organization" => "机构",
        "secrecy_marking" => "密级标志",
        other => other,
    }
}

/// Placeholder -> original value, for one request.
#[derive(Default, Clone)]
pub struct Vault {
    entries: Vec<(String, String)>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Vault({} entries, redacted)", self.entries.len())
    }
}

impl Vault {
    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.len()
    }

    /// Put the originals back. Longer placeholders first, so 〔手机号12〕 is not hit by 〔手机号1〕.
    pub fn restore(&self, text: &str) -> String {
        let mut entries: Vec<&(String, String)> = self.entries.iter().collect();
        entries.sort_by_key(|(p, _)| std::cmp::Reverse(p.chars().count()));
        let mut out = text.to_owned();
        for (placeholder, original) in entries {
            if out.contains(placeholder.as_str()) {
                out = out.replace(placeholder.as_str(), original);
            }
        }
        out
    }
}

/// Rewrite the span of each finding (char offsets) with `rewrite(finding, original, out)`,
/// copying the text between spans. Overlapping findings are resolved by keeping the earliest,
/// then the longest; spans past the end are ignored. Slicing never splits a character.
pub fn replace_spans(text: &str, findings: &[Finding], mut rewrite: impl FnMut(&Finding, &str, &mut String)) -> String {
    let mut spans: Vec<&Finding> = findings.iter().filter(|f| f.start < f.end).collect();
    spans.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    // Character offset -> byte offset table.
    let byte_at: Vec<usize> = text.char_indices().map(|(b, _)| b).chain(std::iter::once(text.len())).collect();
    let n_chars = byte_at.len() - 1;
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0usize;
    for f in spans {
        if f.start < cursor || f.end > n_chars {
            continue;
        }
        out.push_str(&text[byte_at[cursor]..byte_at[f.start]]);
        rewrite(f, &text[byte_at[f.start]..byte_at[f.end]], &mut out);
        cursor = f.end;
    }
    out.push_str(&text[byte_at[cursor]..]);
    out
}

/// Replace each finding's span with a placeholder (overlaps as in [`replace_spans`]). The same
/// value of the same type gets the same placeholder.
pub fn pseudonymize(text: &str, findings: &[Finding], vault: &mut Vault) -> String {
    let mut counters: HashMap<String, usize> = HashMap::new();
    let mut known: HashMap<(String, String), String> =
        vault.entries.iter().map(|(p, o)| ((label_of(p).to_owned(), o.clone()), p.clone())).collect();
    for (p, _) in &vault.entries {
        let c = counters.entry(label_of(p).to_owned()).or_default();
        *c += 1;
    }
    replace_spans(text, findings, |f, original, out| {
        let label = placeholder_label(&f.entity_type).to_owned();
        let placeholder = known.entry((label.clone(), original.to_owned())).or_insert_with(|| {
            let c = counters.entry(label.clone()).or_default();
            *c += 1;
            let p = format!("〔{label}{c}〕");
            vault.entries.push((p.clone(), original.to_owned()));
            p
        });
        out.push_str(placeholder);
    })
}

fn label_of(placeholder: &str) -> &str {
    placeholder.trim_start_matches('〔').trim_end_matches('〕').trim_end_matches(|c: char| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(t: &str, start: usize, end: usize) -> Finding {
        Finding { entity_type: t.into(), start, end, text: String::new(), score: 1.0, checksum: None }
    }

    #[test]
    fn placeholders_are_consistent_and_restored() {
        let text = "我叫张三，手机13800138000，备用13800138000，另一个13912345678。";
        let phone = |s: usize| f("cn_mobile", s, s + 11);
        let a = text.chars().position(|c| c == '1').unwrap();
        let findings = vec![f("person", 2, 4), phone(a), phone(a + 14), phone(a + 29)];
        let mut v = Vault::default();
        let masked = pseudonymize(text, &findings, &mut v);
        assert_eq!(masked, "我叫〔姓名1〕，手机〔手机号1〕，备用〔手机号1〕，另一个〔手机号2〕。");
        assert_eq!(v.len(), 3);
        assert_eq!(v.restore(&masked), text);
        assert!(!format!("{v:?}").contains("138"));
    }

    #[test]
    fn overlaps_keep_earliest_longest_and_out_of_range_is_ignored() {
        let text = "ABCDEFGH";
        let mut v = Vault::default();
        let out = pseudonymize(text, &[f("x", 1, 3), f("y", 1, 5), f("z", 4, 6), f("w", 7, 99)], &mut v);
        assert_eq!(out, "A〔y1〕FGH");
    }

    #[test]
    fn ten_plus_placeholders_restore_correctly() {
        let text: String = (0..12).map(|i| format!("v{i:02};")).collect();
        let findings: Vec<Finding> = (0..12).map(|i| f("t", i * 4, i * 4 + 3)).collect();
        let mut v = Vault::default();
        let masked = pseudonymize(&text, &findings, &mut v);
        assert!(masked.contains("〔t12〕"));
        assert_eq!(v.restore(&masked), text);
    }
}
