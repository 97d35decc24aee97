//! Argument checks shared by the exports: strings in, pointers out, strings out.

use std::ffi::{CString, c_char};

use crate::error::{govai_error_code_t as Code, govai_error_t, to_cstring};

/// Borrow a `(ptr, len)` UTF-8 string argument. `len == 0` allows `ptr == NULL`.
///
/// # Safety
/// `ptr` is NULL or points to `len` readable bytes that stay valid and unmodified for `'a`.
pub(crate) unsafe fn str_in<'a>(ptr: *const c_char, len: usize, name: &str) -> Result<&'a str, govai_error_t> {
    if len == 0 {
        return Ok("");
    }
    if ptr.is_null() {
        return Err(govai_error_t::null_argument(name));
    }
    if isize::try_from(len).is_err() {
        return Err(govai_error_t::new(
            Code::GOVAI_ERROR_INVALID_INPUT,
            format!("argument `{name}`: length {len} is too large"),
        ));
    }
    // SAFETY: non-NULL, `len` readable bytes per the caller's contract, and len <= isize::MAX.
    let bytes = unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) };
    std::str::from_utf8(bytes).map_err(|e| {
        govai_error_t::new(
            Code::GOVAI_ERROR_INVALID_UTF8,
            format!("argument `{name}` is not valid UTF-8: {e} (of {len} bytes)"),
        )
    })
}

/// Check an out-parameter before doing any work, so a NULL one fails fast and cheaply.
pub(crate) fn out_ptr<T>(out: *mut T, name: &str) -> Result<(), govai_error_t> {
    if out.is_null() { Err(govai_error_t::null_argument(name)) } else { Ok(()) }
}

/// Hand a string to C; C frees it with `govai_string_free`.
pub(crate) fn string_out(s: String) -> *mut c_char {
    to_cstring(s).into_raw()
}

/// Serialise a result for C as compact JSON.
pub(crate) fn json_out(value: &impl serde::Serialize) -> Result<*mut c_char, govai_error_t> {
    serde_json::to_string(value)
        .map(string_out)
        .map_err(|e| govai_error_t::new(Code::GOVAI_ERROR_INTERNAL, format!("cannot serialise the result: {e}")))
}

/// Free a string returned by govai (through a `char **out_...` parameter).
/// `govai_string_free(NULL)` does nothing. Never pass such a string to `free()`.
///
/// # Safety
/// `s` is NULL or a string returned by govai and not yet freed; it must not be used after.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn govai_string_free(s: *mut c_char) {
    crate::error::ffi_infallible((), || {
        if !s.is_null() {
            // SAFETY: the caller passes a string created by `CString::into_raw` and gives up ownership.
            drop(unsafe { CString::from_raw(s) });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_in() {
        // SAFETY: the pointers and lengths describe live buffers (or NULL with length 0).
        unsafe {
            assert_eq!(str_in(std::ptr::null(), 0, "x").ok(), Some(""));
            assert_eq!(str_in(c"abc".as_ptr(), 2, "x").ok(), Some("ab"));
            let e = str_in(std::ptr::null(), 3, "text").err();
            assert_eq!(e.map(|e| e.code()), Some(Code::GOVAI_ERROR_NULL_ARGUMENT));
            let bad = [0x61u8, 0xff, 0x62];
            let e = str_in(bad.as_ptr().cast(), bad.len(), "text").err();
            assert_eq!(e.as_ref().map(govai_error_t::code), Some(Code::GOVAI_ERROR_INVALID_UTF8));
            let message = e.map(|e| e.message().to_string_lossy().into_owned()).unwrap_or_default();
            assert!(message.contains("`text`") && message.contains("index 1"), "{message}");
        }
    }
}
