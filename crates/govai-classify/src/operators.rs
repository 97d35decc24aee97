//! De-identification operators: mask, replace with a type tag, redact, keyed hash (HMAC-SHA256)
//! and reversible pseudonymisation (〔身份证号1〕, via [`govai_core::mask`]).
//!
//! [`apply`] rewrites a text given findings with char offsets into it. Overlapping findings are
//! resolved like [`govai_core::mask::pseudonymize`]: the earliest wins, then the longest; findings
//! out of range are ignored. Offsets are characters, so no operator ever splits a character.

use std::fmt;
use std::str::FromStr;

use govai_core::mask::{Vault, pseudonymize, replace_spans};
use govai_core::{Error, Finding};
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::Sha256;

/// How a finding's text is rewritten.
///
/// Serde form is tagged by `"type"`, snake_case: `{"type": "mask", "keep_first": 3, "keep_last":
/// 4, "mask_char": "*"}`, `{"type": "replace"}`, `{"type": "redact"}`, `{"type": "hash", "key":
/// "<hex>"}`, `{"type": "pseudonymize"}`. CLI form: see [`FromStr`](#impl-FromStr-for-Operator).
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Operator {
    /// Keep the first and last characters, mask the rest: `138****8000`. If the kept parts would
    /// cover the whole value, they shrink (the last first) to at most half of it, so `张三`
    /// becomes `张*` and a one-character value is masked entirely.
    Mask {
        /// Characters kept at the start (default 3).
        #[serde(default = "default_keep_first")]
        keep_first: usize,
        /// Characters kept at the end (default 4).
        #[serde(default = "default_keep_last")]
        keep_last: usize,
        /// The masking character (default `*`).
        #[serde(default = "default_mask_char")]
        mask_char: char,
    },
    /// The type tag: `<cn_mobile>`.
    Replace,
    /// Remove the text.
    Redact,
    /// Lower-case hex HMAC-SHA256 of the canonical value (NFKC, separators removed, ASCII
    /// upper-cased), keyed: the same value and key always give the same digest, so records stay
    /// linkable without the value. An empty key is allowed but offers no secrecy.
    Hash {
        /// The HMAC key (hex in configuration and JSON).
        #[serde(serialize_with = "ser_hex", deserialize_with = "de_hex", default)]
        key: Vec<u8>,
    },
    /// Numbered placeholders such as 〔身份证号1〕, consistent within one call; reversible only
    /// through [`apply_with_vault`]. The default.
    #[default]
    Pseudonymize,
}

fn default_keep_first() -> usize {
    3
}
fn default_keep_last() -> usize {
    4
}
fn default_mask_char() -> char {
    '*'
}

fn ser_hex<S: Serializer>(key: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(key))
}

fn de_hex<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    let s = String::deserialize(d)?;
    hex::decode(s.trim()).map_err(serde::de::Error::custom)
}

impl fmt::Debug for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Mask { keep_first, keep_last, mask_char } => f
                .debug_struct("Mask")
                .field("keep_first", keep_first)
                .field("keep_last", keep_last)
                .field("mask_char", mask_char)
                .finish(),
            Self::Replace => f.write_str("Replace"),
            Self::Redact => f.write_str("Redact"),
            // Never print the key.
            Self::Hash { key } => write!(f, "Hash {{ key: <{} bytes, redacted> }}", key.len()),
            Self::Pseudonymize => f.write_str("Pseudonymize"),
        }
    }
}

impl FromStr for Operator {
    type Err = Error;

    /// `mask` (3 first, 4 last, `*`), `mask:F:L`, `mask:F:L:C`, `replace`, `redact`, `hash`
    /// (empty key: the caller should supply one), `hash:HEXKEY`, `pseudonymize`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |why: &str| {
            Error::InvalidInput(format!(
                "operator `{s}`: {why} (expected mask, mask:F:L, mask:F:L:C, replace, redact, hash, hash:HEXKEY or pseudonymize)"
            ))
        };
        let mut parts = s.trim().splitn(2, ':');
        let name = parts.next().unwrap_or("").to_ascii_lowercase();
        let args = parts.next();
        match (name.as_str(), args) {
            ("mask", None) => Ok(Self::Mask { keep_first: 3, keep_last: 4, mask_char: '*' }),
            ("mask", Some(a)) => {
                let v: Vec<&str> = a.splitn(3, ':').collect();
                if v.len() < 2 {
                    return Err(bad("mask needs keep_first:keep_last"));
                }
                let keep_first = v[0].trim().parse().map_err(|_| bad("keep_first is not a number"))?;
                let keep_last = v[1].trim().parse().map_err(|_| bad("keep_last is not a number"))?;
                let mask_char = match v.get(2) {
                    None => '*',
                    Some(c) => {
                        let mut it = c.chars();
                        match (it.next(), it.next()) {
                            (Some(ch), None) => ch,
                            _ => return Err(bad("mask char must be one character")),
                        }
                    }
                };
                Ok(Self::Mask { keep_first, keep_last, mask_char })
            }
            ("replace", None) => Ok(Self::Replace),
            ("redact", None) => Ok(Self::Redact),
            ("hash", None) => Ok(Self::Hash { key: Vec::new() }),
            ("hash", Some(k)) => Ok(Self::Hash { key: hex::decode(k.trim()).map_err(|_| bad("key is not hex"))? }),
            ("pseudonymize" | "pseudonymise", None) => Ok(Self::Pseudonymize),
            _ => Err(bad("unknown operator")),
        }
    }
}

/// Apply `op` to every finding of `text` (char offsets). Pseudonymisation uses a fresh vault that
/// is dropped; use [`apply_with_vault`] to restore later.
pub fn apply(text: &str, findings: &[Finding], op: &Operator) -> String {
    let mut vault = Vault::default();
    apply_with_vault(text, findings, op, &mut vault)
}

/// [`apply`] with a caller-owned vault for [`Operator::Pseudonymize`] (other operators ignore it).
pub fn apply_with_vault(text: &str, findings: &[Finding], op: &Operator, vault: &mut Vault) -> String {
    if let Operator::Pseudonymize = op {
        return pseudonymize(text, findings, vault);
    }
    replace_spans(text, findings, |f, original, out| rewrite(out, original, &f.entity_type, op))
}

fn rewrite(out: &mut String, original: &str, entity_type: &str, op: &Operator) {
    match op {
        Operator::Mask { keep_first, keep_last, mask_char } => {
            let chars: Vec<char> = original.chars().collect();
            let n = chars.len();
            let (mut first, mut last) = (*keep_first, *keep_last);
            if first + last >= n {
                // Nothing would be masked: keep at most half (rounded down), the end shrinking first.
                let allowed = n / 2;
                last = last.min(allowed.saturating_sub(first.min(allowed)));
                first = first.min(allowed - last);
            }
            out.extend(chars[..first].iter());
            out.extend(std::iter::repeat_n(*mask_char, n - first - last));
            out.extend(chars[n - last..].iter());
        }
        Operator::Replace => {
            out.push('<');
            out.push_str(entity_type);
            out.push('>');
        }
        Operator::Redact => {}
        Operator::Hash { key } => out.push_str(&keyed_hash(key, original)),
        Operator::Pseudonymize => out.push_str(original),
    }
}

/// Canonical form for hashing: NFKC, whitespace and `-` removed, ASCII upper-cased.
fn canonical(value: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    value.nfkc().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect()
}

/// HMAC-SHA256 of the canonical value, lower-case hex.
pub(crate) fn keyed_hash(key: &[u8], value: &str) -> String {
    let canon = canonical(value);
    // HMAC accepts keys of any length, so this cannot fail.
    match <Hmac<Sha256> as KeyInit>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(canon.as_bytes());
            hex::encode(mac.finalize().into_bytes())
        }
        Err(_) => String::from("<hash-error>"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn f(t: &str, start: usize, end: usize) -> Finding {
        Finding { entity_type: t.into(), start, end, text: String::new(), score: 1.0, checksum: None }
    }

    #[test]
    fn mask_keeps_ends_and_never_leaks_short_values() {
        let text = "张三的手机13800138000。";
        let fs = [f("person", 0, 2), f("cn_mobile", 5, 16)];
        let op = Operator::Mask { keep_first: 3, keep_last: 4, mask_char: '*' };
        assert_eq!(apply(text, &fs, &op), "张*的手机138****8000。");
        let op = "mask:0:0:#".parse::<Operator>().unwrap();
        assert_eq!(apply(text, &fs, &op), "##的手机###########。");
        let op = "mask:6:4".parse::<Operator>().unwrap();
        let id = "11010519491231002X";
        assert_eq!(apply(id, &[f("cn_resident_id", 0, 18)], &op), "110105********002X");
        assert_eq!(apply("王小明", &[f("person", 0, 3)], &"mask:1:1".parse().unwrap()), "王*明");
        assert_eq!(apply("王", &[f("person", 0, 1)], &op), "*");
    }

    #[test]
    fn replace_redact_hash() {
        let text = "电话13800138000,邮箱a@b.cn";
        let fs = [f("cn_mobile", 2, 13), f("email", 16, 22)];
        assert_eq!(apply(text, &fs, &Operator::Replace), "电话<cn_mobile>,邮箱<email>");
        assert_eq!(apply(text, &fs, &Operator::Redact), "电话,邮箱");
        let op = Operator::Hash { key: b"k".to_vec() };
        let out = apply(text, &fs, &op);
        assert_eq!(out, apply(text, &fs, &op), "deterministic");
        assert_ne!(out, apply(text, &fs, &Operator::Hash { key: b"k2".to_vec() }), "keyed");
        assert_eq!(keyed_hash(b"k", "138 0013 8000"), keyed_hash(b"k", "13800138000"));
        assert_eq!(keyed_hash(b"k", "１３８００１３８０００"), keyed_hash(b"k", "13800138000"));
        assert_eq!(keyed_hash(b"k", "x").len(), 64);
        // RFC 4231 test case 2.
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn pseudonymize_roundtrip() {
        let text = "身份证11010519491231002X,再次11010519491231002X";
        let fs = [f("cn_resident_id", 3, 21), f("cn_resident_id", 24, 42)];
        let mut v = Vault::default();
        let out = apply_with_vault(text, &fs, &Operator::Pseudonymize, &mut v);
        assert_eq!(out, "身份证〔身份证号1〕,再次〔身份证号1〕");
        assert_eq!(v.restore(&out), text);
    }

    #[test]
    fn overlaps_and_out_of_range() {
        let out = apply("ABCDEFGH", &[f("x", 1, 3), f("y", 1, 5), f("z", 4, 6), f("w", 7, 99)], &Operator::Replace);
        assert_eq!(out, "A<y>FGH");
    }

    #[test]
    fn parse_and_serde() {
        assert_eq!("mask".parse::<Operator>().unwrap(), Operator::Mask { keep_first: 3, keep_last: 4, mask_char: '*' });
        assert_eq!("hash:6b6579".parse::<Operator>().unwrap(), Operator::Hash { key: b"key".to_vec() });
        assert_eq!("PSEUDONYMIZE".parse::<Operator>().unwrap(), Operator::Pseudonymize);
        for bad in ["mask:1", "mask:a:b", "hash:zz", "encrypt", "replace:1", "mask:1:2:ab"] {
            assert!(bad.parse::<Operator>().is_err(), "{bad}");
        }
        let j = serde_json::to_string(&Operator::Hash { key: b"key".to_vec() }).unwrap();
        assert_eq!(j, r#"{"type":"hash","key":"6b6579"}"#);
        assert_eq!(serde_json::from_str::<Operator>(&j).unwrap(), Operator::Hash { key: b"key".to_vec() });
        let m: Operator = serde_json::from_str(r#"{"type":"mask","keep_first":1}"#).unwrap();
        assert_eq!(m, Operator::Mask { keep_first: 1, keep_last: 4, mask_char: '*' });
        assert_eq!(serde_json::from_str::<Operator>(r#"{"type":"replace"}"#).unwrap(), Operator::Replace);
        assert!(!format!("{:?}", Operator::Hash { key: b"secret".to_vec() }).contains("secret"));
    }
}
