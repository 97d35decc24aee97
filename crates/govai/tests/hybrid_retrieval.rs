//! Hybrid retrieval through the facade: the `embedding` key on `[[models]]` entries, its
//! errors, and the real multilingual USE (models/use-multilingual, prepared by
//! crates/govai-ort/scripts/prepare-embeddings.sh) in a deployment. Tests on the real model
//! skip with a notice when it is missing, and fail instead when GOVAI_REQUIRE_MODELS=1.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::Arc;

use govai::retrieval::{Embedder, FaqModel, KnnRouter, RoutingMethod};
use govai::{ErrorKind, Request};

fn workspace(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(rel)
}

fn require_models() -> bool {
    std::env::var("GOVAI_REQUIRE_MODELS").is_ok_and(|v| v == "1")
}

/// models/use-multilingual, or `None` with a skip notice.
fn use_dir(test: &str) -> Option<PathBuf> {
    let dir = workspace("models/use-multilingual");
    if !dir.join("model.onnx").is_file() {
        assert!(!require_models(), "GOVAI_REQUIRE_MODELS=1 but {} is missing", dir.display());
        eprintln!("SKIP {test}: {} missing (run crates/govai-ort/scripts/prepare-embeddings.sh)", dir.display());
        return None;
    }
    if let Err(e) = govai::ort::find_library(None) {
        assert!(!require_models(), "GOVAI_REQUIRE_MODELS=1 but the ONNX Runtime library is missing: {e}");
        eprintln!("SKIP {test}: {e}");
        return None;
    }
    Some(dir)
}

const MODELS: &str = r#"
[audit]
path = "audit.jsonl"

[runtime]
intra_op_threads = 1

[[models]]
id = "faq-hybrid"
backend = "faq"
clearance = "sensitive"
location = "on_premises"
embedding = "EMBEDDING"

[[models]]
id = "router-hybrid"
backend = "router"
clearance = "sensitive"
location = "on_premises"
embedding = "EMBEDDING"

[[scenarios]]
id = "information_retrieval"
model = "faq-hybrid"

[[scenarios]]
id = "intelligent_routing"
model = "router-hybrid"
"#;

#[test]
fn missing_embedding_dir_is_a_config_error_naming_the_path() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("hybrid.toml");
    std::fs::write(&path, MODELS.replace("EMBEDDING", "models/no-such-embedder")).unwrap();
    let e = govai::load(&path).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config, "{e}");
    let msg = e.to_string();
    assert!(msg.contains("hybrid.toml") && msg.contains("models[0].embedding"), "{msg}");
    // The path as resolved against the config file's directory.
    let resolved = d.path().join("models/no-such-embedder");
    assert!(msg.contains(&resolved.display().to_string()), "{msg}");
    assert!(msg.contains("prepare-embeddings.sh"), "{msg}");
}

#[test]
fn embedding_is_refused_on_a_plain_llm() {
    let d = tempfile::tempdir().unwrap();
    let toml = "[audit]\npath = \"a.jsonl\"\n[[models]]\nid = \"m\"\nbackend = \"llm\"\nclearance = \"internal\"\n\
                location = \"on_premises\"\npath = \"x\"\nembedding = \"y\"\n";
    let e = govai::from_toml_str(toml, d.path()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    let msg = e.to_string();
    assert!(msg.contains("models[0].embedding") && msg.contains("only valid for backend"), "{msg}");
}

#[test]
fn use_multilingual_hybrid_deployment() {
    let Some(dir) = use_dir("use_multilingual_hybrid_deployment") else { return };
    let d = tempfile::tempdir().unwrap();
    let dep = govai::from_toml_str(&MODELS.replace("EMBEDDING", &dir.display().to_string()), d.path()).unwrap();

    // A question with none of the passage's key words: 驾驶证 / 补领 do not occur in it.
    let q = "开车用的证件弄丢了，怎么重新拿一本？";
    let bm25 = FaqModel::builtin(FaqModel::default_info()).answer(q, &[]);
    let r = dep.handle(Request::new("information_retrieval", q)).unwrap();
    eprintln!("bm25: {:?}\nhybrid: {}", bm25.sources.iter().map(|s| &s.id).collect::<Vec<_>>(), r.output);
    assert_eq!(r.sources.first().map(|s| s.id.as_str()), Some("kb-zh-037"), "{}", r.output);
    assert!(r.output.contains("[1]"), "{}", r.output);

    // Off-topic questions still get no sources.
    let r = dep.handle(Request::new("information_retrieval", "推荐一部好看的电影")).unwrap();
    assert!(r.sources.is_empty(), "{}", r.output);

    // Routing by the fused similarity.
    let r = dep.handle(Request::new("intelligent_routing", "工地老板跑路了，干了半年活一分钱没拿到")).unwrap();
    assert!(r.output.contains("human_resources_social_security"), "{}", r.output);
}

#[test]
fn use_multilingual_router_beats_the_bm25_router_on_the_held_out_split() {
    let Some(dir) = use_dir("use_multilingual_router_beats_the_bm25_router_on_the_held_out_split") else { return };
    let rt = govai::ort::RuntimeConfig { intra_op_threads: Some(1), ..Default::default() };
    let embedder: Arc<dyn Embedder> = Arc::new(govai::embedding::OrtEmbedder::load(&dir, &rt).unwrap());
    let test: Vec<_> = govai::retrieval::builtin_tickets().into_iter().filter(|t| t.is_test()).collect();
    let bm25 = KnnRouter::builtin(5, KnnRouter::default_info());
    let hybrid = bm25.clone().with_embedder(embedder).unwrap();
    assert_eq!(hybrid.method(), KnnRouter::DEFAULT_EMBEDDING_METHOD);
    let (b, h) = (bm25.try_evaluate(&test).unwrap(), hybrid.try_evaluate(&test).unwrap());
    let e = hybrid.clone().with_method(RoutingMethod::Embedding).unwrap().try_evaluate(&test).unwrap();
    eprintln!("held-out accuracy: bm25 {:.3}, embedding {:.3}, default {:.3}", b.accuracy, e.accuracy, h.accuracy);
    assert_eq!(b.correct, 79);
    assert!(h.accuracy > b.accuracy, "{} <= {}", h.accuracy, b.accuracy);
}
