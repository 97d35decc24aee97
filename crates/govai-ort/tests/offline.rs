//! Tests that need no ONNX Runtime: the runtime-not-found error. (Incremental detokenisation
//! and the library search order are unit-tested in `src/stream.rs` and `src/runtime.rs`.)

use govai_core::ErrorKind;

#[test]
fn explicit_missing_library_is_a_model_error_naming_the_path() {
    let e = govai_ort::find_library(Some(std::path::Path::new("/nonexistent/libonnxruntime.so"))).expect_err("missing");
    assert_eq!(e.kind(), ErrorKind::Model);
    assert!(e.to_string().contains("/nonexistent/libonnxruntime.so"), "{e}");
    assert!(e.to_string().contains("config runtime.library_path"), "{e}");
}
