//! Classification of text with the built-in classifier (no deployment needed).

use std::ffi::c_char;
use std::sync::{Arc, LazyLock};

use govai_facade::guard::GuardClassifier;

use crate::error::{ffi_fallible, govai_error_t};
use crate::ffi::{json_out, out_ptr, str_in};

/// Built once (it compiles its recognizers), shared by all threads.
static CLASSIFIER: LazyLock<Arc<GuardClassifier>> = LazyLock::new(govai_facade::default_classifier);

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
        let text = unsafe { str_in(text, text_len, "text") }?;
        let classification = CLASSIFIER.scan(text);
        let s = json_out(&classification)?;
        // SAFETY: checked non-NULL above; written only on success.
        unsafe { out_json.write(s) };
        Ok(())
    })
}
