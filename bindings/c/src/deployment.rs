//! `govai_deployment_t`: a configured deployment, shared by any number of threads.

use std::ffi::{c_char, c_int, c_void};
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Arc;

use govai_facade::documents::{CheckDocuments, Checklists, Submission};
use govai_facade::{Deployment, Request};

use crate::error::{ffi_fallible, ffi_infallible, govai_error_code_t as Code, govai_error_t};
use crate::ffi::{json_out, out_ptr, str_in};

/// A deployment: scenarios bound to models, classifiers, reviewers, policy, labels and an
/// audit log, built from a TOML configuration.
///
/// Thread-safety: a deployment is immutable and internally synchronised. One handle may be
/// used from any number of threads at once (all functions take `const govai_deployment_t*`);
/// only `govai_deployment_free` must not race with other uses of the same handle.
#[allow(non_camel_case_types, reason = "C names")]
#[derive(Debug)]
pub struct govai_deployment_t {
    inner: Deployment,
    /// The config's `[[checklists]]`, for `govai_deployment_check_documents_json`.
    checklists: Checklists,
}

fn deployment_out(out: *mut *mut govai_deployment_t, (deployment, checklists): (Deployment, Checklists)) {
    let raw = Arc::into_raw(Arc::new(govai_deployment_t { inner: deployment, checklists })).cast_mut();
    // SAFETY: `out` was checked non-NULL by the caller of this helper and is writable per the
    // function's contract. Written only now, on success.
    unsafe { out.write(raw) };
}

/// Create a deployment from a TOML config file (see `govai.example.toml`). Relative paths in
/// the file (audit log, knowledge bases) are relative to the file's directory.
///
/// On success writes a new handle to `*out` (free it with `govai_deployment_free`) and
/// returns NULL. Errors: `GOVAI_ERROR_IO` (cannot read the file), `GOVAI_ERROR_CONFIG` (the
/// message names the file, key and reason), `GOVAI_ERROR_AUDIT`, `GOVAI_ERROR_MODEL`, and the
/// argument errors `GOVAI_ERROR_NULL_ARGUMENT` / `GOVAI_ERROR_INVALID_UTF8`.
///
/// # Safety
/// `path` points to `path_len` readable bytes (an empty path fails with
/// `GOVAI_ERROR_INVALID_INPUT`); `out` points to writable storage for one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn govai_deployment_new_from_file(
    path: *const c_char,
    path_len: usize,
    out: *mut *mut govai_deployment_t,
) -> *mut govai_error_t {
    ffi_fallible(|| {
        out_ptr(out, "out")?;
        // SAFETY: per this function's contract.
        let path = unsafe { str_in(path, path_len, "path") }?;
        if path.is_empty() {
            return Err(govai_error_t::new(Code::GOVAI_ERROR_INVALID_INPUT, "argument `path` is empty"));
        }
        deployment_out(out, govai_facade::documents::load(path)?);
        Ok(())
    })
}

/// Create a deployment from TOML text. Relative paths in it resolve against `base_dir`
/// (`base_dir_len == 0`: the current directory).
///
/// On success writes a new handle to `*out` and returns NULL. Errors as
/// `govai_deployment_new_from_file`; the message of a `GOVAI_ERROR_CONFIG` error names the
/// file as `<config>`.
///
/// # Safety
/// `toml` points to `toml_len` readable bytes and `base_dir` to `base_dir_len` (each may be
/// NULL when its length is 0); `out` points to writable storage for one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn govai_deployment_new_from_toml(
    toml: *const c_char,
    toml_len: usize,
    base_dir: *const c_char,
    base_dir_len: usize,
    out: *mut *mut govai_deployment_t,
) -> *mut govai_error_t {
    ffi_fallible(|| {
        out_ptr(out, "out")?;
        // SAFETY: per this function's contract.
        let toml = unsafe { str_in(toml, toml_len, "toml") }?;
        // SAFETY: per this function's contract.
        let base_dir = unsafe { str_in(base_dir, base_dir_len, "base_dir") }?;
        let base_dir = if base_dir.is_empty() { "." } else { base_dir };
        deployment_out(out, govai_facade::documents::from_toml_str(toml, Path::new(base_dir))?);
        Ok(())
    })
}

/// Handle one request through the whole pipeline (classify, gate, mask, infer, restore,
/// review, label, audit), blocking the calling thread.
///
/// `request_json` is a JSON object `{"scenario": "...", "text": "...", "documents": [...],
/// "user": "...", "request_id": "..."}` (only `scenario` and `text` are required; unknown
/// fields are rejected). A conversation gives `"messages": [{"role": "system"|"user"|
/// "assistant", "content": "..."}, ...]` (oldest first, ending with the user's question)
/// instead of `text`, and optionally `"user_role"` (system turns are kept only for roles the
/// policy allows) and `"conversation_id"` (continue a conversation: only the new turns are
/// sent; the response's `conversation_id` is the id to pass). Every turn is classified and
/// screened; one value keeps one placeholder across turns. On success writes the response JSON (the same object
/// `govai run --json` prints: `outcome`, `output`, `labelled_output`, `reference_answer`,
/// `data_level`, `label`, `audit_id`, ...) to `*out_response_json`; free it with
/// `govai_string_free`.
///
/// A refusal, a block or an escalation is a normal response (see `outcome`), not an error.
/// Errors: `GOVAI_ERROR_INVALID_INPUT` (bad JSON, with the parser's message; empty text; too
/// large; a last message that is not a user turn; an unknown role), `GOVAI_ERROR_NOT_FOUND`
/// (scenario not enabled in this deployment; unknown, expired or another caller's conversation),
/// `GOVAI_ERROR_MODEL`, `GOVAI_ERROR_REVIEW`, `GOVAI_ERROR_CLASSIFICATION`,
/// `GOVAI_ERROR_AUDIT`, `GOVAI_ERROR_IO`, and the argument errors.
///
/// # Safety
/// `deployment` is NULL or a live handle; `request_json` points to `request_json_len`
/// readable bytes; `out_response_json` points to writable storage for one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn govai_deployment_handle_json(
    deployment: *const govai_deployment_t,
    request_json: *const c_char,
    request_json_len: usize,
    out_response_json: *mut *mut c_char,
) -> *mut govai_error_t {
    ffi_fallible(|| {
        out_ptr(out_response_json, "out_response_json")?;
        // SAFETY: the caller passes NULL or a live handle, used only through `&`.
        let deployment = unsafe { deployment.as_ref() }.ok_or_else(|| govai_error_t::null_argument("deployment"))?;
        // SAFETY: per this function's contract.
        let json = unsafe { str_in(request_json, request_json_len, "request_json") }?;
        let response = deployment.inner.handle(parse_request(json)?)?;
        let s = json_out(&response)?;
        // SAFETY: checked non-NULL above; written only on success.
        unsafe { out_response_json.write(s) };
        Ok(())
    })
}

/// Record a citizen's rating of an answer: `rating` 1 (bad) to 5 (good) of the answer whose
/// audit id (the response's `audit_id`) is `audit_id`, with an optional comment (UTF-8,
/// `comment_len` bytes; only its SHA-256 is written) and an optional `user` (NULL, or a
/// NUL-terminated channel or desk id). The rating is an audit record of kind `feedback`
/// (`audit_ref`, `rating`, `comment_sha256`, `triage` for ratings 1-2); its own audit id is
/// written to `*out_audit_id`.
///
/// Errors: `GOVAI_ERROR_INVALID_INPUT` (rating outside 1-5, comment over 64 KiB, audit id 0),
/// `GOVAI_ERROR_NOT_FOUND` (no record with that audit id in this log), `GOVAI_ERROR_AUDIT`,
/// and the argument errors.
///
/// # Safety
/// `deployment` is NULL or a live handle; `comment` points to `comment_len` readable bytes (or
/// is NULL with `comment_len` 0); `user` is NULL or NUL-terminated; `out_audit_id` points to
/// writable storage for one `uint64_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn govai_deployment_feedback(
    deployment: *const govai_deployment_t,
    audit_id: u64,
    rating: u32,
    comment: *const c_char,
    comment_len: usize,
    user: *const c_char,
    out_audit_id: *mut u64,
) -> *mut govai_error_t {
    ffi_fallible(|| {
        out_ptr(out_audit_id, "out_audit_id")?;
        // SAFETY: the caller passes NULL or a live handle, used only through `&`.
        let deployment = unsafe { deployment.as_ref() }.ok_or_else(|| govai_error_t::null_argument("deployment"))?;
        // SAFETY: per this function's contract.
        let comment = unsafe { str_in(comment, comment_len, "comment") }?;
        let user = if user.is_null() {
            None
        } else {
            // SAFETY: non-NULL and NUL-terminated per this function's contract.
            let c = unsafe { std::ffi::CStr::from_ptr(user) };
            Some(c.to_str().map_err(|e| {
                govai_error_t::new(Code::GOVAI_ERROR_INVALID_UTF8, format!("argument `user` is not valid UTF-8: {e}"))
            })?)
        };
        let feedback = govai_facade::Feedback {
            audit_id,
            rating: u8::try_from(rating).unwrap_or(u8::MAX),
            comment: comment.to_owned(),
            user: user.map(str::to_owned),
        };
        let receipt = deployment.inner.record_feedback(&feedback)?;
        // SAFETY: checked non-NULL above; written only on success.
        unsafe { out_audit_id.write(receipt.seq) };
        Ok(())
    })
}

/// Called with each piece of a streamed answer: `text_len` bytes of UTF-8 at `text`, followed
/// by a NUL terminator; valid only during the call. Return 0 to continue, anything else to
/// cancel generation.
#[allow(non_camel_case_types, reason = "C names")]
pub type govai_text_callback_t =
    Option<unsafe extern "C" fn(text: *const c_char, text_len: usize, user_data: *mut c_void) -> c_int>;

/// The callback and its user data, moved into the pipeline's callback closure.
struct CCallback {
    f: unsafe extern "C" fn(*const c_char, usize, *mut c_void) -> c_int,
    user_data: *mut c_void,
}

// SAFETY: `govai_deployment_handle_stream` drives the pipeline to completion on the calling
// thread (the future is polled by `pollster` right there), so the callback and `user_data` are
// only ever used on the thread that passed them; `Send` is required by the pipeline's generic
// signature, not used to move them.
unsafe impl Send for CCallback {}

impl CCallback {
    fn call(&self, piece: &str) -> ControlFlow<()> {
        let mut buf = Vec::with_capacity(piece.len() + 1);
        buf.extend_from_slice(piece.as_bytes());
        buf.push(0);
        // SAFETY: the caller promised a valid function pointer; `buf` outlives the call.
        let rc = unsafe { (self.f)(buf.as_ptr().cast(), piece.len(), self.user_data) };
        if rc == 0 { ControlFlow::Continue(()) } else { ControlFlow::Break(()) }
    }
}

/// Handle one request like `govai_deployment_handle_json`, streaming the answer to `on_text`
/// as the model generates it. Text reaches `on_text` only after it has passed review (a
/// sentence at a time when the scenario checks citations and numbers; otherwise with a short
/// hold-back). The pieces, concatenated, are exactly what the user should see: for an answered
/// request the response's `labelled_output`; when review stops the answer, the part shown so
/// far, a line break and the refusal or hand-over message (`output`). A request refused before
/// inference yields its message as the one piece.
///
/// `on_text` is called on the calling thread before this function returns; returning non-zero
/// cancels generation (the response's `outcome` is then `"cancelled"`). To cancel from another
/// thread, set a flag there and return non-zero from the next call. The response JSON (as
/// `govai_deployment_handle_json`, plus `"stream": {"released_chars", "received_chars",
/// "stopped_by_review", "cancelled", "review_us"}`) is written to `*out_response_json` on success.
///
/// Errors: as `govai_deployment_handle_json`; `GOVAI_ERROR_NULL_ARGUMENT` when `on_text` is
/// NULL. A panic inside govai while streaming yields `GOVAI_ERROR_PANIC`; pieces already
/// delivered stay delivered.
///
/// # Safety
/// As `govai_deployment_handle_json`; `on_text` is a valid function that does not unwind
/// (`longjmp`) across govai frames; `user_data` is passed to it unchanged.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn govai_deployment_handle_stream(
    deployment: *const govai_deployment_t,
    request_json: *const c_char,
    request_json_len: usize,
    on_text: govai_text_callback_t,
    user_data: *mut c_void,
    out_response_json: *mut *mut c_char,
) -> *mut govai_error_t {
    ffi_fallible(|| {
        out_ptr(out_response_json, "out_response_json")?;
        // SAFETY: the caller passes NULL or a live handle, used only through `&`.
        let deployment = unsafe { deployment.as_ref() }.ok_or_else(|| govai_error_t::null_argument("deployment"))?;
        let f = on_text.ok_or_else(|| govai_error_t::null_argument("on_text"))?;
        // SAFETY: per this function's contract.
        let json = unsafe { str_in(request_json, request_json_len, "request_json") }?;
        let request = parse_request(json)?;
        let callback = CCallback { f, user_data };
        let mut on_piece = move |piece: &str| callback.call(piece);
        let response = deployment.inner.handle_stream(request, &mut on_piece)?;
        let s = json_out(&response)?;
        // SAFETY: checked non-NULL above; written only on success.
        unsafe { out_response_json.write(s) };
        Ok(())
    })
}

/// Check an applicant's recognised pages (OCR output) against a checklist of the deployment
/// (`[[checklists]]` in its config; assisted handling, 辅助办理), blocking the calling thread:
/// classify, gate against the scenario's ceiling, check every material and field, mask the
/// personal data, write a `document_check` audit record.
///
/// `request_json` is a JSON object `{"scenario": "...", "pages": [{"file": "...",
/// "file_sha256": "...", "lines": [{"text": "...", "confidence": 0.97, "bbox": [[x, y], ...]}]}],
/// "checklist": "...", "as_of": "YYYY-MM-DD", "user": "...", "request_id": "..."}` (`scenario`
/// and `pages` with `file` and `lines` required; unknown fields are rejected). On success writes
/// the result JSON (the object `govai documents check` prints: `decision` (always `"clerk"`),
/// `complete`, `issues`, `materials` with per-field `status`, `page`, `line` and masked
/// `value`, `personal_data`, masked `pages`, `gate`, `audit_id`, ...) to `*out_result_json`;
/// free it with `govai_string_free`. The result prepares a clerk's review and decides nothing.
///
/// A refusal by the gate is a result (`"outcome": "refused"`), not an error. Errors:
/// `GOVAI_ERROR_INVALID_INPUT` (bad JSON, with the parser's message; no pages; a confidence
/// outside [0, 1]; too large; a checklist of another scenario; several checklists and none
/// named), `GOVAI_ERROR_NOT_FOUND` (scenario not enabled; no such checklist),
/// `GOVAI_ERROR_CLASSIFICATION`, `GOVAI_ERROR_AUDIT`, `GOVAI_ERROR_IO`, and the argument errors.
///
/// # Safety
/// `deployment` is NULL or a live handle; `request_json` points to `request_json_len`
/// readable bytes; `out_result_json` points to writable storage for one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn govai_deployment_check_documents_json(
    deployment: *const govai_deployment_t,
    request_json: *const c_char,
    request_json_len: usize,
    out_result_json: *mut *mut c_char,
) -> *mut govai_error_t {
    ffi_fallible(|| {
        out_ptr(out_result_json, "out_result_json")?;
        // SAFETY: the caller passes NULL or a live handle, used only through `&`.
        let deployment = unsafe { deployment.as_ref() }.ok_or_else(|| govai_error_t::null_argument("deployment"))?;
        // SAFETY: per this function's contract.
        let json = unsafe { str_in(request_json, request_json_len, "request_json") }?;
        let (scenario, submission) = parse_check_request(json)?;
        let result = deployment.inner.check_documents(&deployment.checklists, &scenario, &submission)?;
        let s = json_out(&result)?;
        // SAFETY: checked non-NULL above; written only on success.
        unsafe { out_result_json.write(s) };
        Ok(())
    })
}

/// `{"scenario": ..., <the submission's fields>}`: the scenario, and the rest as a submission.
fn parse_check_request(json: &str) -> Result<(String, Submission), govai_error_t> {
    let invalid = |m: String| {
        govai_error_t::new(Code::GOVAI_ERROR_INVALID_INPUT, format!("invalid input: check request JSON: {m}"))
    };
    let mut value: serde_json::Value = serde_json::from_str(json).map_err(|e| invalid(e.to_string()))?;
    let object = value.as_object_mut().ok_or_else(|| invalid("not a JSON object".into()))?;
    let scenario = match object.remove("scenario") {
        Some(serde_json::Value::String(s)) => s,
        Some(_) => return Err(invalid("`scenario` must be a string".into())),
        None => return Err(invalid("missing field `scenario`".into())),
    };
    let submission = serde_json::from_value(value).map_err(|e| invalid(e.to_string()))?;
    Ok((scenario, submission))
}

fn parse_request(json: &str) -> Result<Request, govai_error_t> {
    serde_json::from_str(json)
        .map_err(|e| govai_error_t::new(Code::GOVAI_ERROR_INVALID_INPUT, format!("invalid input: request JSON: {e}")))
}

/// Free a deployment. `govai_deployment_free(NULL)` does nothing. Requests running on other
/// threads must have returned first.
///
/// # Safety
/// `deployment` is NULL or a live handle; it must not be used after.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn govai_deployment_free(deployment: *mut govai_deployment_t) {
    ffi_infallible((), || {
        if !deployment.is_null() {
            // SAFETY: created by `Arc::into_raw` in `deployment_out`; the caller gives up its reference.
            drop(unsafe { Arc::from_raw(deployment.cast_const()) });
        }
    });
}
