#![allow(dead_code)]

use std::path::PathBuf;

use govai_ort::RuntimeConfig;

/// The runtime config for tests, or `None` (with a skip notice) when libonnxruntime is not
/// found. With `GOVAI_REQUIRE_ORT=1` a missing runtime fails the test instead.
pub fn runtime(test: &str) -> Option<RuntimeConfig> {
    match govai_ort::find_library(None) {
        Ok(_) => Some(RuntimeConfig { intra_op_threads: Some(1), ..Default::default() }),
        Err(e) => {
            if std::env::var("GOVAI_REQUIRE_ORT").is_ok_and(|v| v == "1") {
                panic!("GOVAI_REQUIRE_ORT=1 but the ONNX Runtime library is missing: {e}");
            }
            eprintln!("SKIP {test}: {e}");
            None
        }
    }
}

pub fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(rel)
}

pub fn workspace(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(rel)
}

/// A prepared model directory is missing: skip with a notice, or fail under
/// GOVAI_REQUIRE_MODELS=1 (set by `make test`, which prepares the models).
pub fn missing_model(test: &str, dir: &std::path::Path) {
    if std::env::var("GOVAI_REQUIRE_MODELS").is_ok_and(|v| v == "1") {
        panic!("GOVAI_REQUIRE_MODELS=1 but {} is missing (make models)", dir.display());
    }
    eprintln!("SKIP {test}: {} missing (run crates/govai-ort/scripts/prepare-embeddings.sh)", dir.display());
}

/// Largest element-wise difference between two sets of logit rows.
pub fn max_abs_diff(a: &[Vec<f32>], b: &[Vec<f32>]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).flat_map(|(x, y)| x.iter().zip(y).map(|(p, q)| (p - q).abs())).fold(0.0, f32::max)
}
