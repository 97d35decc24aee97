//! Classification and de-identification of text with the built-in classifier (no deployment
//! needed): JSON (`govai_scan_json`) and typed (`govai_scan`, `govai_scan_result_*`,
//! `govai_mask`) forms.

use std::ffi::{CString, c_char};
use std::sync::{Arc, LazyLock};

use govai_facade::recognize::GuardClassifier;
use govai_facade::recognize::operators::Operator;
use govai_facade::{Classification, DataLevel};

use crate::error::{ffi_fallible, ffi_infallible, govai_error_code_t as Code, govai_error_t, to_cstring};
use crate::ffi::{json_out, out_ptr, str_in, string_out};

/// Built once (it compiles its recognizers), shared by all threads.
static CLASSIFIER: LazyLock<Arc<GuardClassifier>> = LazyLock::new(govai_facade::default_classifier);

/// cbindgen:prefix-with-name=false
/// Data levels (数据分级), lowest first; the numbers are part of the ABI and never change, and
/// a higher number is always a more sensitive level, so levels compare with `<`.
/// `govai_data_level_name()` gives the stable English id ("public"...), the same string as in
/// the JSON results.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(non_camel_case_types, reason = "C names")]
pub enum govai_data_level_t {
    /// 公开: may be published.
    GOVAI_DATA_LEVEL_PUBLIC = 0,
    /// 内部: for use inside government.
    GOVAI_DATA_LEVEL_INTERNAL = 1,
    /// 敏感: personal information and other sensitive general data.
    GOVAI_DATA_LEVEL_SENSITIVE = 2,
    /// 重要: important data (GB/T 43697-2024).
    GOVAI_DATA_LEVEL_IMPORTANT = 3,
    /// 核心: core data (GB/T 43697-2024).
    GOVAI_DATA_LEVEL_CORE = 4,
    /// 涉密: state secrets; no model governed by govai may receive it.
    GOVAI_DATA_LEVEL_SECRET = 5,
}

use govai_data_level_t as Level;

/// cbindgen:ignore
impl govai_data_level_t {
    /// Every level, in numeric order.
    pub const ALL: [Self; 6] = [
        Level::GOVAI_DATA_LEVEL_PUBLIC,
        Level::GOVAI_DATA_LEVEL_INTERNAL,
        Level::GOVAI_DATA_LEVEL_SENSITIVE,
        Level::GOVAI_DATA_LEVEL_IMPORTANT,
        Level::GOVAI_DATA_LEVEL_CORE,
        Level::GOVAI_DATA_LEVEL_SECRET,
    ];

    fn from_level(level: DataLevel) -> Self {
        match level {
            DataLevel::Public => Level::GOVAI_DATA_LEVEL_PUBLIC,
            DataLevel::Internal => Level::GOVAI_DATA_LEVEL_INTERNAL,
            DataLevel::Sensitive => Level::GOVAI_DATA_LEVEL_SENSITIVE,
            DataLevel::Important => Level::GOVAI_DATA_LEVEL_IMPORTANT,
            DataLevel::Core => Level::GOVAI_DATA_LEVEL_CORE,
            DataLevel::Secret => Level::GOVAI_DATA_LEVEL_SECRET,
        }
    }

    fn to_level(self) -> DataLevel {
        match self {
            Level::GOVAI_DATA_LEVEL_PUBLIC => DataLevel::Public,
            Level::GOVAI_DATA_LEVEL_INTERNAL => DataLevel::Internal,
            Level::GOVAI_DATA_LEVEL_SENSITIVE => DataLevel::Sensitive,
            Level::GOVAI_DATA_LEVEL_IMPORTANT => DataLevel::Important,
            Level::GOVAI_DATA_LEVEL_CORE => DataLevel::Core,
            Level::GOVAI_DATA_LEVEL_SECRET => DataLevel::Secret,
        }
    }

    fn from_u32(n: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|l| *l as u32 == n)
    }
}

/// One finding of a scan, filled in by `govai_scan_result_finding()`.
///
/// `type` and `text` are NUL-terminated UTF-8 owned by the scan result: valid until
/// `govai_scan_result_free()`, never to be freed by the caller.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
#[allow(non_camel_case_types, reason = "C names")]
pub struct govai_finding_t {
    /// The entity type, a stable name: "cn_resident_id", "cn_mobile", "secrecy_marking"...
    pub r#type: *const c_char,
    /// The text found (a copy of the scanned text between `byte_start` and `byte_end`).
    pub text: *const c_char,
    /// Start, in characters (Unicode scalar values) from the start of the text.
    pub start: usize,
    /// End (exclusive), in characters.
    pub end: usize,
    /// Start, in bytes of the UTF-8 text passed to `govai_scan()`.
    pub byte_start: usize,
    /// End (exclusive), in bytes.
    pub byte_end: usize,
    /// Confidence in [0, 1].
    pub score: f64,
    /// Checksum of the value: 1 valid, 0 failed, -1 the type has no checksum.
    pub checksum: i8,
}

/// One finding with its C strings, kept alive by the result.
#[derive(Debug)]
struct FindingC {
    entity_type: CString,
    text: CString,
    start: usize,
    end: usize,
    byte_start: usize,
    byte_end: usize,
    score: f64,
    checksum: i8,
}

/// The result of `govai_scan()`: the data level, the findings and the reasons for the level.
/// Read with the `govai_scan_result_*` accessors; free with `govai_scan_result_free()`.
///
/// Thread-safety: a result is immutable; any number of threads may read one at once, but
/// `govai_scan_result_free` must not race with the readers.
#[allow(non_camel_case_types, reason = "C names")]
#[derive(Debug)]
pub struct govai_scan_result_t {
    level: DataLevel,
    findings: Vec<FindingC>,
    reasons: Vec<CString>,
}

impl govai_scan_result_t {
    fn new(text: &str, c: Classification) -> Self {
        // Byte offset of every char index (plus the end), to convert the char offsets.
        let byte_at: Vec<usize> = text.char_indices().map(|(b, _)| b).chain(std::iter::once(text.len())).collect();
        let byte = |i: usize| byte_at.get(i).copied().unwrap_or(text.len());
        let findings = c
            .findings
            .into_iter()
            .map(|f| FindingC {
                entity_type: to_cstring(f.entity_type),
                text: to_cstring(f.text),
                start: f.start,
                end: f.end,
                byte_start: byte(f.start),
                byte_end: byte(f.end),
                score: f64::from(f.score),
                checksum: match f.checksum {
                    None => -1,
                    Some(false) => 0,
                    Some(true) => 1,
                },
            })
            .collect();
        Self { level: c.level, findings, reasons: c.reasons.into_iter().map(to_cstring).collect() }
    }
}

/// Validate the `text` argument and classify it.
///
/// # Safety
/// As [`str_in`]: `text` is NULL or points to `text_len` readable bytes valid for `'a`.
unsafe fn classify<'a>(text: *const c_char, text_len: usize) -> Result<(&'a str, Classification), govai_error_t> {
    // SAFETY: forwarded from the caller's contract.
    let text = unsafe { str_in(text, text_len, "text") }?;
    Ok((text, CLASSIFIER.scan(text)))
}

/// Classify `text` with the built-in classifier and default rules (what `govai scan` does).
///
/// On success writes `{"level": "...", "findings": [{"type", "start", "end", "text", "score",
/// "checksum"}...], "reasons": [...]}` to `*out_json` (free it with `govai_string_free`).
/// `start`/`end` are character (Unicode scalar) offsets, end exclusive. Empty text is allowed
/// (level "public"). Errors: only the argument errors.
///
/// Thread-safe; may be called from any number of threads at once.
///
/// # Safety
/// `text` points to `text_len` readable bytes (NULL allowed when `text_len` is 0);
/// `out_json` points to writable storage for one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn govai_scan_json(
    text: *const c_char,
    text_len: usize,
    out_json: *mut *mut c_char,
) -> *mut govai_error_t {
    ffi_fallible(|| {
        out_ptr(out_json, "out_json")?;
        // SAFETY: per this function's contract.
        let (_, classification) = unsafe { classify(text, text_len) }?;
        let s = json_out(&classification)?;
        // SAFETY: checked non-NULL above; written only on success.
        unsafe { out_json.write(s) };
        Ok(())
    })
}

/// Classify `text` like `govai_scan_json`, as a typed result.
///
/// On success writes a new result to `*out` (read it with `govai_scan_result_level`,
/// `govai_scan_result_count`, `govai_scan_result_finding`, `govai_scan_result_reason_count`,
/// `govai_scan_result_reason`; free it with `govai_scan_result_free`). Empty text is allowed
/// (level `GOVAI_DATA_LEVEL_PUBLIC`, no findings). Errors: only the argument errors.
///
/// Thread-safe; may be called from any number of threads at once.
///
/// # Safety
/// `text` points to `text_len` readable bytes (NULL allowed when `text_len` is 0); `out`
/// points to writable storage for one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn govai_scan(
    text: *const c_char,
    text_len: usize,
    out: *mut *mut govai_scan_result_t,
) -> *mut govai_error_t {
    ffi_fallible(|| {
        out_ptr(out, "out")?;
        // SAFETY: per this function's contract.
        let (text, classification) = unsafe { classify(text, text_len) }?;
        let result = Box::into_raw(Box::new(govai_scan_result_t::new(text, classification)));
        // SAFETY: checked non-NULL above; written only on success.
        unsafe { out.write(result) };
        Ok(())
    })
}

/// The data level of a scan result. Fails closed: `GOVAI_DATA_LEVEL_SECRET` when `result` is
/// NULL.
///
/// # Safety
/// `result` is NULL or a live result returned by `govai_scan`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn govai_scan_result_level(result: *const govai_scan_result_t) -> govai_data_level_t {
    ffi_infallible(Level::GOVAI_DATA_LEVEL_SECRET, || {
        // SAFETY: the caller passes NULL or a live result.
        unsafe { result.as_ref() }.map_or(Level::GOVAI_DATA_LEVEL_SECRET, |r| Level::from_level(r.level))
    })
}

/// The number of findings in a scan result (0 when `result` is NULL). Findings are ordered by
/// position.
///
/// # Safety
/// `result` is NULL or a live result returned by `govai_scan`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn govai_scan_result_count(result: *const govai_scan_result_t) -> usize {
    ffi_infallible(0, || {
        // SAFETY: the caller passes NULL or a live result.
        unsafe { result.as_ref() }.map_or(0, |r| r.findings.len())
    })
}

/// Copy finding number `index` (0-based, below `govai_scan_result_count`) into `*out`. The
/// strings it points to belong to `result`. Errors: `GOVAI_ERROR_INVALID_INPUT` (index out of
/// range), `GOVAI_ERROR_NULL_ARGUMENT`; `*out` is written only on success.
///
/// # Safety
/// `result` is NULL or a live result returned by `govai_scan`; `out` is NULL or points to
/// writable storage for one `govai_finding_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn govai_scan_result_finding(
    result: *const govai_scan_result_t,
    index: usize,
    out: *mut govai_finding_t,
) -> *mut govai_error_t {
    ffi_fallible(|| {
        out_ptr(out, "out")?;
        // SAFETY: the caller passes NULL or a live result.
        let result = unsafe { result.as_ref() }.ok_or_else(|| govai_error_t::null_argument("result"))?;
        let f = result.findings.get(index).ok_or_else(|| {
            govai_error_t::new(
                Code::GOVAI_ERROR_INVALID_INPUT,
                format!("finding index {index} out of range (the result has {})", result.findings.len()),
            )
        })?;
        let finding = govai_finding_t {
            r#type: f.entity_type.as_ptr(),
            text: f.text.as_ptr(),
            start: f.start,
            end: f.end,
            byte_start: f.byte_start,
            byte_end: f.byte_end,
            score: f.score,
            checksum: f.checksum,
        };
        // SAFETY: checked non-NULL above; written only on success.
        unsafe { out.write(finding) };
        Ok(())
    })
}

/// The number of reasons given for the level (0 when `result` is NULL).
///
/// # Safety
/// `result` is NULL or a live result returned by `govai_scan`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn govai_scan_result_reason_count(result: *const govai_scan_result_t) -> usize {
    ffi_infallible(0, || {
        // SAFETY: the caller passes NULL or a live result.
        unsafe { result.as_ref() }.map_or(0, |r| r.reasons.len())
    })
}

/// Reason number `index` for the level, e.g. "cn_resident_id => sensitive": NUL-terminated
/// UTF-8 owned by `result`. NULL when `result` is NULL or `index` is out of range.
///
/// # Safety
/// `result` is NULL or a live result returned by `govai_scan`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn govai_scan_result_reason(result: *const govai_scan_result_t, index: usize) -> *const c_char {
    ffi_infallible(std::ptr::null(), || {
        // SAFETY: the caller passes NULL or a live result.
        unsafe { result.as_ref() }.and_then(|r| r.reasons.get(index)).map_or(std::ptr::null(), |s| s.as_ptr())
    })
}

/// Free a scan result (and the strings of its findings). `govai_scan_result_free(NULL)` does
/// nothing.
///
/// # Safety
/// `result` is NULL or a live result returned by `govai_scan`; it must not be used after.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn govai_scan_result_free(result: *mut govai_scan_result_t) {
    ffi_infallible((), || {
        if !result.is_null() {
            // SAFETY: created by `Box::into_raw` in `govai_scan`; the caller gives up ownership.
            drop(unsafe { Box::from_raw(result) });
        }
    });
}

/// Parse an operator in its string form by the rule shared with the CLI and Python
/// (`govai_facade::operator_from_spec`: `hash` needs a non-empty hex key in `hash:HEXKEY`; no
/// environment fallback). An empty (or blank) operator means `mask`.
pub(crate) fn parse_operator(s: &str) -> Result<Operator, govai_facade::Error> {
    let s = if s.trim().is_empty() { "mask" } else { s };
    govai_facade::operator_from_spec(s, None, None)
}

/// De-identify `text`: scan it with the built-in classifier and rewrite every finding with
/// the operator `op`, given in its string form (as `govai mask --operator`):
///
/// - `mask` (keep the first 3 and last 4 characters, `*` for the rest), `mask:F:L` (keep F
///   first and L last), `mask:F:L:C` (mask character C); short values are masked at least
///   half (`张三` becomes `张*`);
/// - `replace`: the type tag, `<cn_mobile>`;
/// - `redact`: remove the text;
/// - `hash:HEXKEY`: lower-case hex HMAC-SHA256 of the value under the key (hex digits); a
///   `hash` without a key, or with an empty or non-hex one, is refused;
/// - `pseudonymize`: numbered placeholders such as 〔身份证号1〕.
///
/// An empty operator (`op_len == 0`) means `mask`. On success writes the rewritten text
/// to `*out_text` (free it with `govai_string_free`). Errors: `GOVAI_ERROR_INVALID_INPUT`
/// (unknown or malformed operator, `hash` without a key or with an empty one) and the argument errors.
///
/// Thread-safe; may be called from any number of threads at once.
///
/// # Safety
/// `text` points to `text_len` readable bytes and `op` to `op_len` (each may be
/// NULL when its length is 0); `out_text` points to writable storage for one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn govai_mask(
    text: *const c_char,
    text_len: usize,
    op: *const c_char,
    op_len: usize,
    out_text: *mut *mut c_char,
) -> *mut govai_error_t {
    ffi_fallible(|| {
        out_ptr(out_text, "out_text")?;
        // SAFETY: per this function's contract.
        let text = unsafe { str_in(text, text_len, "text") }?;
        // SAFETY: per this function's contract.
        let op = unsafe { str_in(op, op_len, "op") }?;
        let op = parse_operator(op)?;
        let s = string_out(govai_facade::mask_text(&CLASSIFIER, text, &op));
        // SAFETY: checked non-NULL above; written only on success.
        unsafe { out_text.write(s) };
        Ok(())
    })
}

/// The stable English id of a data level ("public", "internal", "sensitive", "important",
/// "core", "secret"): a static string, never NULL; "" for a number that is not a level.
/// Takes the number (a `govai_data_level_t` converts implicitly) so that any value is safe.
#[unsafe(no_mangle)]
pub extern "C" fn govai_data_level_name(level: u32) -> *const c_char {
    ffi_infallible(c"".as_ptr(), || match Level::from_u32(level).map(Level::to_level) {
        Some(DataLevel::Public) => c"public".as_ptr(),
        Some(DataLevel::Internal) => c"internal".as_ptr(),
        Some(DataLevel::Sensitive) => c"sensitive".as_ptr(),
        Some(DataLevel::Important) => c"important".as_ptr(),
        Some(DataLevel::Core) => c"core".as_ptr(),
        Some(DataLevel::Secret) => c"secret".as_ptr(),
        None => c"".as_ptr(),
    })
}

/// The Chinese name of a data level ("公开", "内部", "敏感", "重要", "核心", "涉密"), UTF-8: a
/// static string, never NULL; "" for a number that is not a level.
#[unsafe(no_mangle)]
pub extern "C" fn govai_data_level_name_zh(level: u32) -> *const c_char {
    ffi_infallible(c"".as_ptr(), || match Level::from_u32(level).map(Level::to_level) {
        Some(DataLevel::Public) => c"公开".as_ptr(),
        Some(DataLevel::Internal) => c"内部".as_ptr(),
        Some(DataLevel::Sensitive) => c"敏感".as_ptr(),
        Some(DataLevel::Important) => c"重要".as_ptr(),
        Some(DataLevel::Core) => c"核心".as_ptr(),
        Some(DataLevel::Secret) => c"涉密".as_ptr(),
        None => c"".as_ptr(),
    })
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;
    use std::ptr;

    use super::*;
    use crate::error::{govai_error_code, govai_error_free};
    use crate::ffi::govai_string_free;

    #[test]
    fn levels_match_the_core_names_and_order() {
        for (i, level) in Level::ALL.into_iter().enumerate() {
            assert_eq!(level as u32 as usize, i);
            let core = level.to_level();
            assert_eq!(Level::from_level(core), level);
            assert_eq!(DataLevel::ALL[i], core);
            // SAFETY: static strings.
            unsafe {
                assert_eq!(CStr::from_ptr(govai_data_level_name(i as u32)).to_str().ok(), Some(core.as_str()));
                assert_eq!(CStr::from_ptr(govai_data_level_name_zh(i as u32)).to_str().ok(), Some(core.name_zh()));
            }
        }
        // SAFETY: static strings.
        unsafe {
            assert_eq!(CStr::from_ptr(govai_data_level_name(6)), c"");
            assert_eq!(CStr::from_ptr(govai_data_level_name(u32::MAX)), c"");
        }
    }

    #[test]
    fn typed_scan_has_char_and_byte_offsets() {
        let text = "我的身份证号码是11010519491231002X。";
        let mut out = ptr::null_mut();
        // SAFETY: live buffers; the result is freed below.
        unsafe {
            assert!(govai_scan(text.as_ptr().cast(), text.len(), &mut out).is_null());
            assert!(govai_scan_result_level(out) > Level::GOVAI_DATA_LEVEL_PUBLIC);
            let n = govai_scan_result_count(out);
            let mut found = false;
            for i in 0..n {
                let mut f = std::mem::MaybeUninit::<govai_finding_t>::uninit();
                assert!(govai_scan_result_finding(out, i, f.as_mut_ptr()).is_null());
                let f = f.assume_init();
                if CStr::from_ptr(f.r#type) == c"cn_resident_id" {
                    found = true;
                    assert_eq!((f.start, f.end), (8, 26));
                    assert_eq!(&text[f.byte_start..f.byte_end], "11010519491231002X");
                    assert_eq!(CStr::from_ptr(f.text).to_str().ok(), Some("11010519491231002X"));
                    assert_eq!(f.checksum, 1);
                }
            }
            assert!(found);
            let e = govai_scan_result_finding(out, n, &mut std::mem::zeroed());
            assert_eq!(govai_error_code(e), Code::GOVAI_ERROR_INVALID_INPUT as u32);
            govai_error_free(e);
            assert!(govai_scan_result_reason_count(out) >= 1);
            assert!(!govai_scan_result_reason(out, 0).is_null());
            assert!(govai_scan_result_reason(out, 1000).is_null());
            govai_scan_result_free(out);
            assert_eq!(govai_scan_result_level(ptr::null()), Level::GOVAI_DATA_LEVEL_SECRET);
            assert_eq!(govai_scan_result_count(ptr::null()), 0);
        }
    }

    #[test]
    fn mask_with_operators() {
        let text = "手机13800138000";
        let run = |op: &str| -> Result<String, u32> {
            let mut out = ptr::null_mut();
            // SAFETY: live buffers; the string or error is freed here.
            unsafe {
                let e = govai_mask(text.as_ptr().cast(), text.len(), op.as_ptr().cast(), op.len(), &mut out);
                if e.is_null() {
                    let s = CStr::from_ptr(out).to_string_lossy().into_owned();
                    govai_string_free(out);
                    Ok(s)
                } else {
                    let code = govai_error_code(e);
                    govai_error_free(e);
                    Err(code)
                }
            }
        };
        assert_eq!(run("mask").as_deref(), Ok("手机138****8000"));
        assert_eq!(run("").as_deref(), Ok("手机138****8000"));
        assert_eq!(run("replace").as_deref(), Ok("手机<cn_mobile>"));
        assert_eq!(run("redact").as_deref(), Ok("手机"));
        assert_eq!(run("hash:6b6579").map(|s| s.len()), Ok(2 * 3 + 64));
        assert_eq!(run("hash"), Err(1));
        assert_eq!(run("hash:"), Err(1), "an empty key is refused");
        assert_eq!(run("bogus"), Err(1));
        assert_eq!(run("mask:x:1"), Err(1));
    }
}
