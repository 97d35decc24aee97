//! 智能分办: held-out accuracy of the k-NN ticket router with BM25, embedding and fused
//! similarity, for each prepared embedding model.
//!
//!     cargo run -p govai --example routing_eval_embed [-- MODEL_DIR...]
//!
//! Default model directories: models/use-multilingual and models/minilm-l6-v2-int8 (prepared by
//! crates/govai-ort/scripts/prepare-embeddings.sh); a missing one is skipped with a notice.
//!
//! Protocol: the shipped tickets (crates/govai-retrieval/kb/tickets.jsonl) have a fixed split,
//! 310 train / 100 test. Each configuration is first scored by leave-one-out accuracy on the
//! train split only (every train ticket routed by the other 309); that column is what the
//! defaults were chosen on. The held-out column routes the 100 test tickets with a router built
//! exactly as a deployment builds it (train tickets embedded once, each test ticket embedded
//! alone), k = 5.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use govai::embedding::OrtEmbedder;
use govai::retrieval::{Embedder, Fusion, KnnRouter, RoutingMethod, Ticket, builtin_tickets};

/// Vectors of the train tickets computed once (in one call, as `with_embedder` does), so the
/// 310 leave-one-out routers need no model calls.
#[derive(Debug)]
struct Cached {
    inner: Arc<dyn Embedder>,
    cache: Mutex<HashMap<String, Vec<f32>>>,
}

impl Cached {
    fn new(inner: Arc<dyn Embedder>, texts: &[&str]) -> govai::Result<Self> {
        let vectors = inner.embed(texts)?;
        let cache = texts.iter().map(|t| (*t).to_owned()).zip(vectors).collect();
        Ok(Self { inner, cache: Mutex::new(cache) })
    }
}

impl Embedder for Cached {
    fn embed(&self, texts: &[&str]) -> govai::Result<Vec<Vec<f32>>> {
        let mut out = Vec::with_capacity(texts.len());
        for t in texts {
            let hit = self.cache.lock().map_err(|_| govai::Error::Internal("cache poisoned".into()))?.get(*t).cloned();
            match hit {
                Some(v) => out.push(v),
                None => {
                    let v = self.inner.embed(&[t])?.remove(0);
                    self.cache
                        .lock()
                        .map_err(|_| govai::Error::Internal("cache poisoned".into()))?
                        .insert((*t).to_owned(), v.clone());
                    out.push(v);
                }
            }
        }
        Ok(out)
    }
}

fn router(
    train: Vec<Ticket>,
    embedder: &Arc<dyn Embedder>,
    method: RoutingMethod,
    fusion: Fusion,
) -> govai::Result<KnnRouter> {
    let r = KnnRouter::from_examples(train, KnnRouter::DEFAULT_K, KnnRouter::default_info())?;
    if method == RoutingMethod::Bm25 {
        return Ok(r);
    }
    r.with_embedder(embedder.clone())?.with_method(method)?.with_fusion(fusion)
}

fn leave_one_out(
    train: &[Ticket],
    embedder: &Arc<dyn Embedder>,
    method: RoutingMethod,
    fusion: Fusion,
) -> govai::Result<f32> {
    let mut correct = 0;
    for i in 0..train.len() {
        let rest: Vec<Ticket> = train.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, t)| t.clone()).collect();
        let r = router(rest, embedder, method, fusion)?;
        if r.try_route(&train[i].text)?.department.as_deref() == Some(train[i].department.as_str()) {
            correct += 1;
        }
    }
    Ok(correct as f32 / train.len() as f32)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut dirs: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if dirs.is_empty() {
        dirs = vec![root.join("models/use-multilingual"), root.join("models/minilm-l6-v2-int8")];
    }
    let all = builtin_tickets();
    let train: Vec<Ticket> = all.iter().filter(|t| !t.is_test()).cloned().collect();
    let test: Vec<Ticket> = all.iter().filter(|t| t.is_test()).cloned().collect();
    let train_texts: Vec<&str> = train.iter().map(|t| t.text.as_str()).collect();
    println!("tickets: {} train, {} test, k = {}", train.len(), test.len(), KnnRouter::DEFAULT_K);

    let configs: Vec<(RoutingMethod, Fusion, String)> = vec![
        (RoutingMethod::Bm25, Fusion::default(), "bm25-knn".into()),
        (RoutingMethod::Embedding, Fusion::default(), "embedding-knn".into()),
        (RoutingMethod::Hybrid, Fusion::Rrf { k: 60.0 }, "fused rrf k=60".into()),
        (RoutingMethod::Hybrid, Fusion::Weighted { lexical_weight: 0.3 }, "fused weighted w=0.3".into()),
        (RoutingMethod::Hybrid, Fusion::Weighted { lexical_weight: 0.5 }, "fused weighted w=0.5".into()),
        (RoutingMethod::Hybrid, Fusion::Weighted { lexical_weight: 0.7 }, "fused weighted w=0.7".into()),
    ];
    let rt = govai::ort::RuntimeConfig::default();
    for dir in dirs {
        if !dir.join("model.onnx").is_file() {
            println!("\nSKIP {}: not prepared (crates/govai-ort/scripts/prepare-embeddings.sh)", dir.display());
            continue;
        }
        let t = Instant::now();
        let model: Arc<dyn Embedder> = Arc::new(OrtEmbedder::load(&dir, &rt)?);
        let cached: Arc<dyn Embedder> = Arc::new(Cached::new(model.clone(), &train_texts)?);
        println!("\n{} (train embedded in {:.1} s)", dir.display(), t.elapsed().as_secs_f32());
        println!("  {:<22} {:>14} {:>10}", "method", "LOO train", "held-out");
        for (method, fusion, name) in &configs {
            let loo = leave_one_out(&train, &cached, *method, *fusion)?;
            // The deployment path: the real model, train tickets embedded at build time, each
            // test ticket embedded alone.
            let r = router(train.clone(), &model, *method, *fusion)?;
            let report = r.try_evaluate(&test)?;
            println!("  {name:<22} {loo:>14.3} {:>6.3} ({}/{})", report.accuracy, report.correct, report.n_test);
        }
        let r = KnnRouter::builtin(KnnRouter::DEFAULT_K, KnnRouter::default_info()).with_embedder(model.clone())?;
        let report = r.try_evaluate(&test)?;
        println!(
            "  default with an embedder ({}, {:?}): held-out {:.3}",
            r.method().as_str(),
            r.fusion(),
            report.accuracy
        );
        for (d, s) in &report.per_department {
            println!("    {d:<34} {:>2}/{:<2} {:.2}", s.correct, s.n, s.accuracy);
        }
    }
    Ok(())
}
