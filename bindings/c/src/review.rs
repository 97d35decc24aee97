//! Review of an answer with the built-in rule-based reviewers (what `govai review --json`
//! does), without a deployment.

use std::ffi::c_char;

use govai_facade::Review;
use govai_facade::answer_review::ReviewRequest;

use crate::error::{ffi_fallible, govai_error_code_t as Code, govai_error_t};
use crate::ffi::{json_out, out_ptr, str_in};

/// Review `answer` for scenario `scenario` with the reviewers its catalog entry requires.
pub(crate) fn review(json: &str) -> Result<Review, govai_error_t> {
    let r: ReviewRequest = serde_json::from_str(json).map_err(|e| {
        govai_error_t::new(Code::GOVAI_ERROR_INVALID_INPUT, format!("invalid input: review request JSON: {e}"))
    })?;
    Ok(govai_facade::answer_review::review(r)?)
}

/// Review an answer with the built-in rule-based reviewers that the scenario's catalog entry
/// requires (as `govai review --json`; a deployment's `handle` runs them itself).
///
/// `request_json` is `{"scenario": "...", "answer": "...", "request": "...", "sources":
/// [{"title", "text", "id", "url"}...], "documents": ["..."]}` (`scenario` and `answer`
/// required; sources are cited in the answer as [1], [2]... in order; unknown fields are
/// rejected). On success writes `{"verdict": "pass" | "revise" | "block" | "escalate",
/// "findings": [{"reviewer", "code", "message", "verdict", "span"}...]}` to `*out_json` (free
/// it with `govai_string_free`). A verdict other than pass is a successful review, not an
/// error. Errors: `GOVAI_ERROR_INVALID_INPUT` (bad JSON), `GOVAI_ERROR_NOT_FOUND` (unknown
/// scenario), `GOVAI_ERROR_REVIEW`, and the argument errors.
///
/// Thread-safe; may be called from any number of threads at once.
///
/// # Safety
/// `request_json` points to `request_json_len` readable bytes; `out_json` points to writable
/// storage for one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn govai_review_json(
    request_json: *const c_char,
    request_json_len: usize,
    out_json: *mut *mut c_char,
) -> *mut govai_error_t {
    ffi_fallible(|| {
        out_ptr(out_json, "out_json")?;
        // SAFETY: per this function's contract.
        let json = unsafe { str_in(request_json, request_json_len, "request_json") }?;
        let result = review(json)?;
        let s = json_out(&serde_json::json!({"verdict": result.verdict, "findings": result.findings}))?;
        // SAFETY: checked non-NULL above; written only on success.
        unsafe { out_json.write(s) };
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reviews_and_errors() {
        let ok = review(
            r#"{"scenario":"intelligent_qa","request":"社保卡怎么补办？","answer":"请携带身份证到社保卡合作银行网点办理[1]。","sources":[{"title":"社保卡","text":"补办社保卡请携带身份证到合作银行网点。"}]}"#,
        );
        assert!(ok.is_ok(), "{ok:?}");
        let bad = review(r#"{"scenario":"no_such","answer":"x"}"#).err().map(|e| e.code());
        assert_eq!(bad, Some(Code::GOVAI_ERROR_NOT_FOUND));
        let bad = review(r#"{"scenario":"intelligent_qa"}"#).err().map(|e| e.code());
        assert_eq!(bad, Some(Code::GOVAI_ERROR_INVALID_INPUT));
    }
}
