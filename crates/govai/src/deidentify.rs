//! The de-identification operator from its string form, with the hash-key rule shared by the
//! CLI (`govai mask`), the C API (`govai_mask`) and the Python binding (`govai.mask`).
//!
//! The rule, in one place:
//!
//! - `hash` needs a key, and the key is never empty: an unkeyed (or empty-keyed) HMAC of a
//!   phone or ID number is reversed by hashing every possible value.
//! - A key is always hex digits (surrounding whitespace ignored), whether it comes in the
//!   operator (`hash:HEXKEY`), from a separate argument (CLI `--key`) or from an environment
//!   variable; anything else is refused. Error messages name where the key came from and never
//!   repeat the key.
//! - Where the key comes from, first match wins: the operator's own `hash:HEXKEY`; else the
//!   separate key; else the environment variable `key_env`, when the caller names one (the CLI
//!   passes [`HASH_KEY_ENV`]; the bindings pass none: a library does not pick a secret up from
//!   its host process's environment). A key both in the operator and given separately is
//!   refused rather than one silently winning; so is a separate key for another operator.

use govai_classify::GuardClassifier;
use govai_classify::operators::{self, Operator};

use crate::{Error, Result};

/// The environment variable `govai mask` takes the hash key from when none is given.
pub const HASH_KEY_ENV: &str = "GOVAI_HASH_KEY";

/// A hash key given apart from the operator string, and the name to report it by (e.g.
/// `--key`).
#[derive(Debug, Clone, Copy)]
pub struct HashKey<'a> {
    /// How the user gave the key, for error messages: `--key`, `key=`, ...
    pub name: &'a str,
    /// The key as hex digits.
    pub hex: &'a str,
}

/// Parse a de-identification operator (`mask`, `mask:F:L`, `mask:F:L:C`, `replace`, `redact`,
/// `hash`, `hash:HEXKEY`, `pseudonymize`) and settle the `hash` key by the rule of this module:
/// from the operator, else `key`, else the environment variable named by `key_env`.
///
/// Errors ([`Error::InvalidInput`]): an unknown or malformed operator; `hash` without a key
/// or with an empty or non-hex one; a key both in the operator and in `key`; `key` given for an
/// operator other than `hash`.
pub fn operator_from_spec(spec: &str, key: Option<HashKey<'_>>, key_env: Option<&str>) -> Result<Operator> {
    let trimmed = spec.trim();
    let (name, inline) = match trimmed.split_once(':') {
        Some((name, arg)) => (name, Some(arg)),
        None => (trimmed, None),
    };
    if !name.eq_ignore_ascii_case("hash") {
        if let Some(k) = key {
            return Err(Error::InvalidInput(format!(
                "{}: a key is only for the `hash` operator, not `{trimmed}`",
                k.name
            )));
        }
        return trimmed.parse();
    }
    let env_value = |var: &str| match std::env::var(var) {
        Ok(v) => Ok(Some(v)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(Error::InvalidInput(format!("{var} is not valid UTF-8"))),
    };
    let (source, hex) = match (inline, key) {
        (Some(_), Some(k)) => {
            return Err(Error::InvalidInput(format!(
                "operator `hash`: give the key once, in `hash:HEXKEY` or with {}, not both",
                k.name
            )));
        }
        (Some(hex), None) => ("the key of `hash:HEXKEY`".to_owned(), hex.to_owned()),
        (None, Some(k)) => (format!("the key {}", k.name), k.hex.to_owned()),
        (None, None) => match key_env.map(env_value).transpose()?.flatten() {
            Some(v) => (format!("the key {}", key_env.unwrap_or_default()), v),
            None => {
                let env = key_env.map(|v| format!(" or {v}")).unwrap_or_default();
                return Err(Error::InvalidInput(format!(
                    "operator `hash` needs a key: hash:HEXKEY{env} (an unkeyed hash of a phone or ID number \
                     is easily reversed)"
                )));
            }
        },
    };
    Ok(Operator::Hash { key: parse_hex_key(&source, &hex)? })
}

/// A non-empty hex key; `source` names it in errors (the key itself is never repeated).
fn parse_hex_key(source: &str, hex: &str) -> Result<Vec<u8>> {
    let hex = hex.trim();
    if hex.is_empty() {
        return Err(Error::InvalidInput(format!(
            "operator `hash`: {source} is empty (an empty key offers no secrecy: give hex digits)"
        )));
    }
    hex::decode(hex).map_err(|_| {
        Error::InvalidInput(format!(
            "operator `hash`: {source} is not hex (an even number of digits 0-9, a-f, e.g. 6b6579)"
        ))
    })
}

/// `text` with every finding of `classifier` rewritten by `op` (what `govai mask`, `govai_mask`
/// and `govai.mask` return).
pub fn mask_text(classifier: &GuardClassifier, text: &str, op: &Operator) -> String {
    operators::apply(text, &classifier.scan(text).findings, op)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(hex: &str) -> Option<HashKey<'_>> {
        Some(HashKey { name: "--key", hex })
    }

    fn err(spec: &str, k: Option<HashKey<'_>>, env: Option<&str>) -> String {
        match operator_from_spec(spec, k, env) {
            Ok(op) => panic!("{spec} gave {op:?}"),
            Err(e) => {
                assert_eq!(e.kind(), crate::ErrorKind::InvalidInput, "{e}");
                e.to_string()
            }
        }
    }

    #[test]
    fn hash_key_from_the_operator_or_the_separate_key() {
        let want = Operator::Hash { key: b"key".to_vec() };
        assert_eq!(operator_from_spec("hash:6b6579", None, None).unwrap(), want);
        assert_eq!(operator_from_spec(" HASH: 6B6579 ", None, None).unwrap(), want);
        assert_eq!(operator_from_spec("hash", key("6b6579"), None).unwrap(), want);
        assert_eq!(operator_from_spec("mask:1:2", None, None).unwrap(), "mask:1:2".parse::<Operator>().unwrap());
    }

    #[test]
    fn empty_missing_or_non_hex_keys_are_refused_naming_the_key() {
        let m = err("hash", key(""), None);
        assert!(m.contains("--key") && m.contains("empty"), "{m}");
        let m = err("hash", key("  "), None);
        assert!(m.contains("--key") && m.contains("empty"), "{m}");
        let m = err("hash:", None, None);
        assert!(m.contains("hash:HEXKEY") && m.contains("empty"), "{m}");
        let m = err("hash", None, None);
        assert!(m.contains("needs a key") && !m.contains("GOVAI_HASH_KEY"), "{m}");
        let m = err("hash", key("secret-words"), None);
        assert!(m.contains("--key") && m.contains("not hex") && !m.contains("secret-words"), "{m}");
        let m = err("hash:abc", None, None);
        assert!(m.contains("not hex") && !m.contains("abc"), "{m}");
    }

    #[test]
    fn conflicting_or_misplaced_keys_are_refused() {
        let m = err("hash:6b6579", key("6b6579"), None);
        assert!(m.contains("not both") && m.contains("--key"), "{m}");
        let m = err("mask", key("6b6579"), None);
        assert!(m.contains("--key") && m.contains("only for the `hash` operator"), "{m}");
    }

    #[test]
    fn the_environment_is_read_only_when_named_and_no_key_is_given() {
        // A variable no test sets: unset means "no key".
        let m = err("hash", None, Some("GOVAI_TEST_UNSET_HASH_KEY_VAR"));
        assert!(m.contains("GOVAI_TEST_UNSET_HASH_KEY_VAR"), "{m}");
        // PATH is set and not hex: named in the error, its value not repeated.
        let m = err("hash", None, Some("PATH"));
        assert!(m.contains("the key PATH is not hex"), "{m}");
        // A key given otherwise wins over the environment.
        assert!(operator_from_spec("hash:00", None, Some("PATH")).is_ok());
        assert!(operator_from_spec("hash", key("00"), Some("PATH")).is_ok());
    }

    #[test]
    fn masking_uses_the_classifier_findings() {
        let c = GuardClassifier::default();
        let out = mask_text(&c, "手机13800138000", &operator_from_spec("replace", None, None).unwrap());
        assert_eq!(out, "手机<cn_mobile>");
    }
}
