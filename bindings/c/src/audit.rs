//! Verification of an audit log's hash chain.

use std::ffi::c_char;

use crate::error::{ffi_fallible, govai_error_code_t as Code, govai_error_t};
use crate::ffi::{json_out, out_ptr, str_in};

/// Verify the audit log at `path` against its hash chain and its anchor (`<path>.anchor`),
/// like `govai audit verify --json`.
///
/// On success writes the report `{"intact": bool, "records", "last_seq", "last_hash",
/// "first_bad": null | {"line", "seq", "reason"}, "anchor": "match" | "behind" | "missing" |
/// "mismatch", "anchor_detail", "gaps": [...], "repairs": [...], "checkpoints",
/// "signatures": null, "witness": null}` (gaps and repairs: records a writer or an operator
/// appended about the log itself; see `govai audit verify --json`) to `*out_json` (free it with
/// `govai_string_free`) and `intact` to `*out_intact`. A tampered log is a successful verification with
/// `*out_intact == false`, not an error. Errors: `GOVAI_ERROR_IO` (cannot read the log),
/// `GOVAI_ERROR_AUDIT` (unreadable anchor), and the argument errors.
///
/// # Safety
/// `path` points to `path_len` readable bytes; `out_json` and `out_intact` point to writable
/// storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn govai_audit_verify_json(
    path: *const c_char,
    path_len: usize,
    out_json: *mut *mut c_char,
    out_intact: *mut bool,
) -> *mut govai_error_t {
    ffi_fallible(|| {
        out_ptr(out_json, "out_json")?;
        out_ptr(out_intact, "out_intact")?;
        // SAFETY: per this function's contract.
        let path = unsafe { str_in(path, path_len, "path") }?;
        if path.is_empty() {
            return Err(govai_error_t::new(Code::GOVAI_ERROR_INVALID_INPUT, "argument `path` is empty"));
        }
        let report = govai_facade::audit::verify(path, None)?;
        let s = json_out(&report)?;
        // SAFETY: both checked non-NULL above; written only on success.
        unsafe {
            out_json.write(s);
            out_intact.write(report.intact);
        }
        Ok(())
    })
}
