//! Error objects, stable error codes and the panic boundary every export goes through.

use std::any::Any;
use std::ffi::{CStr, CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;

use govai_facade::{Error, ErrorKind};

/// cbindgen:prefix-with-name=false
/// Stable numeric error codes, returned by `govai_error_code()`.
///
/// The numbers are part of the ABI: they are never changed or reused. A retired code stays
/// here as a comment. 1-99 mirror the kinds of errors govai itself reports; 100 and up are
/// errors of the C boundary.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(non_camel_case_types, reason = "C names")]
pub enum govai_error_code_t {
    /// The caller passed something malformed: bad request JSON, empty text, a value out of range.
    GOVAI_ERROR_INVALID_INPUT = 1,
    /// A configuration file or value is wrong; the message names the file, key and reason.
    GOVAI_ERROR_CONFIG = 2,
    /// A named scenario, model or reviewer does not exist.
    GOVAI_ERROR_NOT_FOUND = 3,
    /// A model failed to load or to run.
    GOVAI_ERROR_MODEL = 4,
    /// A data classifier failed.
    GOVAI_ERROR_CLASSIFICATION = 5,
    /// A reviewer failed (a reviewer *rejecting* an answer is a verdict, not an error).
    GOVAI_ERROR_REVIEW = 6,
    /// The audit log could not be written or read, or is corrupt.
    GOVAI_ERROR_AUDIT = 7,
    /// An operating-system I/O error (file not found, permission denied...).
    GOVAI_ERROR_IO = 8,
    /// The request was cancelled by the caller.
    GOVAI_ERROR_CANCELLED = 9,
    /// A bug in govai.
    GOVAI_ERROR_INTERNAL = 10,
    /// A pointer argument that must not be NULL was NULL.
    GOVAI_ERROR_NULL_ARGUMENT = 100,
    /// A string argument was not valid UTF-8.
    GOVAI_ERROR_INVALID_UTF8 = 101,
    /// govai panicked (a bug). The panic was caught at the C boundary; the process is fine,
    /// but the handle involved may refuse further work (e.g. a poisoned audit writer).
    GOVAI_ERROR_PANIC = 102,
}

use govai_error_code_t as Code;

/// cbindgen:ignore
impl govai_error_code_t {
    /// Every code, in numeric order.
    pub const ALL: [Self; 13] = [
        Code::GOVAI_ERROR_INVALID_INPUT,
        Code::GOVAI_ERROR_CONFIG,
        Code::GOVAI_ERROR_NOT_FOUND,
        Code::GOVAI_ERROR_MODEL,
        Code::GOVAI_ERROR_CLASSIFICATION,
        Code::GOVAI_ERROR_REVIEW,
        Code::GOVAI_ERROR_AUDIT,
        Code::GOVAI_ERROR_IO,
        Code::GOVAI_ERROR_CANCELLED,
        Code::GOVAI_ERROR_INTERNAL,
        Code::GOVAI_ERROR_NULL_ARGUMENT,
        Code::GOVAI_ERROR_INVALID_UTF8,
        Code::GOVAI_ERROR_PANIC,
    ];

    /// The code for an error kind of govai. Bindings map from `ErrorKind` only.
    pub fn from_kind(kind: ErrorKind) -> Self {
        match kind {
            ErrorKind::InvalidInput => Code::GOVAI_ERROR_INVALID_INPUT,
            ErrorKind::Config => Code::GOVAI_ERROR_CONFIG,
            ErrorKind::NotFound => Code::GOVAI_ERROR_NOT_FOUND,
            ErrorKind::Model => Code::GOVAI_ERROR_MODEL,
            ErrorKind::Classification => Code::GOVAI_ERROR_CLASSIFICATION,
            ErrorKind::Review => Code::GOVAI_ERROR_REVIEW,
            ErrorKind::Audit => Code::GOVAI_ERROR_AUDIT,
            ErrorKind::Io => Code::GOVAI_ERROR_IO,
            ErrorKind::Cancelled => Code::GOVAI_ERROR_CANCELLED,
            ErrorKind::Internal => Code::GOVAI_ERROR_INTERNAL,
            // A kind added to govai-core before this binding learnt about it.
            _ => Code::GOVAI_ERROR_INTERNAL,
        }
    }

    /// Stable snake_case name: the `ErrorKind` name for 1-99, otherwise the boundary error.
    pub fn name(self) -> &'static CStr {
        match self {
            Code::GOVAI_ERROR_INVALID_INPUT => c"invalid_input",
            Code::GOVAI_ERROR_CONFIG => c"config",
            Code::GOVAI_ERROR_NOT_FOUND => c"not_found",
            Code::GOVAI_ERROR_MODEL => c"model",
            Code::GOVAI_ERROR_CLASSIFICATION => c"classification",
            Code::GOVAI_ERROR_REVIEW => c"review",
            Code::GOVAI_ERROR_AUDIT => c"audit",
            Code::GOVAI_ERROR_IO => c"io",
            Code::GOVAI_ERROR_CANCELLED => c"cancelled",
            Code::GOVAI_ERROR_INTERNAL => c"internal",
            Code::GOVAI_ERROR_NULL_ARGUMENT => c"null_argument",
            Code::GOVAI_ERROR_INVALID_UTF8 => c"invalid_utf8",
            Code::GOVAI_ERROR_PANIC => c"panic",
        }
    }
}

/// An error. Returned by every fallible function (NULL means success); owned by the caller,
/// who must release it with `govai_error_free()`. Not synchronised: use one error from one
/// thread at a time (moving it to another thread is fine).
#[allow(non_camel_case_types, reason = "C names")]
#[derive(Debug)]
pub struct govai_error_t {
    code: govai_error_code_t,
    message: CString,
}

impl govai_error_t {
    pub(crate) fn new(code: govai_error_code_t, message: impl Into<String>) -> Self {
        Self { code, message: to_cstring(message.into()) }
    }

    pub(crate) fn null_argument(name: &str) -> Self {
        Self::new(Code::GOVAI_ERROR_NULL_ARGUMENT, format!("argument `{name}` is NULL"))
    }

    pub(crate) fn code(&self) -> govai_error_code_t {
        self.code
    }

    pub(crate) fn message(&self) -> &CStr {
        &self.message
    }

    fn from_panic(payload: &(dyn Any + Send)) -> Self {
        let what = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("(no message)");
        Self::new(Code::GOVAI_ERROR_PANIC, format!("govai panicked (a bug, please report it): {what}"))
    }

    pub(crate) fn into_raw(self) -> *mut govai_error_t {
        Box::into_raw(Box::new(self))
    }
}

impl From<Error> for govai_error_t {
    fn from(e: Error) -> Self {
        Self::new(govai_error_code_t::from_kind(e.kind()), govai_facade::error::message_with_sources(&e))
    }
}

/// A C string from Rust text; an interior NUL (which C cannot represent) becomes `\0`.
pub(crate) fn to_cstring(s: String) -> CString {
    CString::new(s).unwrap_or_else(|e| {
        let text = String::from_utf8_lossy(&e.into_vec()).replace('\0', "\\0");
        CString::new(text).unwrap_or_default()
    })
}

/// Run the body of a fallible export: `Ok` becomes NULL, `Err` an error object, a panic a
/// `GOVAI_ERROR_PANIC` error. Never lets a panic unwind into C.
pub(crate) fn ffi_fallible(body: impl FnOnce() -> Result<(), govai_error_t>) -> *mut govai_error_t {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => ptr::null_mut(),
        Ok(Err(e)) => e.into_raw(),
        Err(payload) => govai_error_t::from_panic(payload.as_ref()).into_raw(),
    }
}

/// Run the body of an export that cannot report errors: a panic yields `default`.
pub(crate) fn ffi_infallible<T>(default: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(default)
}

/// The error's code (a `GOVAI_ERROR_*` value); 0 when `error` is NULL.
///
/// # Safety
/// `error` is NULL or an error returned by govai and not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn govai_error_code(error: *const govai_error_t) -> u32 {
    ffi_infallible(0, || {
        // SAFETY: the caller passes NULL or a live error.
        unsafe { error.as_ref() }.map_or(0, |e| e.code() as u32)
    })
}

/// The error's message: NUL-terminated UTF-8, owned by the error and valid until
/// `govai_error_free(error)`. Never NULL: "" when `error` is NULL.
///
/// # Safety
/// `error` is NULL or an error returned by govai and not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn govai_error_message(error: *const govai_error_t) -> *const c_char {
    ffi_infallible(c"".as_ptr(), || {
        // SAFETY: the caller passes NULL or a live error.
        unsafe { error.as_ref() }.map_or(c"".as_ptr(), |e| e.message().as_ptr())
    })
}

/// The stable snake_case name of the error's code ("config", "not_found", "null_argument",
/// "panic"...), the same names the `govai` CLI prints in its JSON errors. A static string,
/// never NULL: "" when `error` is NULL.
///
/// # Safety
/// `error` is NULL or an error returned by govai and not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn govai_error_kind(error: *const govai_error_t) -> *const c_char {
    ffi_infallible(c"".as_ptr(), || {
        // SAFETY: the caller passes NULL or a live error.
        unsafe { error.as_ref() }.map_or(c"".as_ptr(), |e| e.code().name().as_ptr())
    })
}

/// Free an error. `govai_error_free(NULL)` does nothing.
///
/// # Safety
/// `error` is NULL or an error returned by govai and not yet freed; it must not be used after.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn govai_error_free(error: *mut govai_error_t) {
    ffi_infallible((), || {
        if !error.is_null() {
            // SAFETY: the caller passes an error created by `into_raw` and gives up ownership.
            drop(unsafe { Box::from_raw(error) });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        let numbers: Vec<u32> = Code::ALL.iter().map(|c| *c as u32).collect();
        assert_eq!(numbers, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100, 101, 102]);
    }

    #[test]
    fn every_kind_maps_to_the_code_of_the_same_name() {
        let kinds = [
            ErrorKind::InvalidInput,
            ErrorKind::Config,
            ErrorKind::NotFound,
            ErrorKind::Model,
            ErrorKind::Classification,
            ErrorKind::Review,
            ErrorKind::Audit,
            ErrorKind::Io,
            ErrorKind::Cancelled,
            ErrorKind::Internal,
        ];
        for kind in kinds {
            let code = govai_error_code_t::from_kind(kind);
            assert_eq!(code.name().to_str().ok(), Some(kind.as_str()), "{kind:?}");
            assert!((code as u32) < 100, "{kind:?}");
        }
    }

    #[test]
    fn panics_become_errors() {
        let e = ffi_fallible(|| panic!("boom {}", 42));
        assert!(!e.is_null());
        // SAFETY: `e` is a live error from `ffi_fallible`.
        unsafe {
            assert_eq!(govai_error_code(e), 102);
            let message = CStr::from_ptr(govai_error_message(e)).to_str().ok();
            assert!(message.is_some_and(|m| m.contains("boom 42")), "{message:?}");
            govai_error_free(e);
        }
        assert_eq!(ffi_infallible(7, || panic!("static message")), 7);
    }

    #[test]
    fn null_error_accessors_are_safe() {
        // SAFETY: NULL is allowed.
        unsafe {
            assert_eq!(govai_error_code(ptr::null()), 0);
            assert_eq!(CStr::from_ptr(govai_error_message(ptr::null())), c"");
            assert_eq!(CStr::from_ptr(govai_error_kind(ptr::null())), c"");
            govai_error_free(ptr::null_mut());
        }
    }

    #[test]
    fn interior_nul_is_escaped() {
        assert_eq!(to_cstring("a\0b".into()).as_c_str(), c"a\\0b");
    }

    #[test]
    fn sources_are_appended_once() {
        let io = Error::io("/x", std::io::Error::other("disk on fire"));
        let m = govai_facade::error::message_with_sources(&io);
        assert_eq!(m.matches("disk on fire").count(), 1, "{m}");
    }
}
