//! 智能问答: does the FAQ answerer cite the right passage first, with BM25 alone and with
//! hybrid retrieval (BM25 fused with sentence embeddings)?
//!
//!     cargo run -p govai --example kb_retrieval_eval [-- [--misses] MODEL_DIR...]
//!
//! Default model directories: models/use-multilingual and models/minilm-l6-v2-int8 (a missing
//! one is skipped with a notice). Question sets, each line `{"query", "expected"}` (a passage
//! id of crates/govai-retrieval/kb/policies.jsonl):
//!
//! - `kb/direct_questions.jsonl` (26): questions in the passages' own words, the BM25 ranking
//!   test of govai-retrieval, written with the knowledge base;
//! - `kb/paraphrases.jsonl` (64: 48 zh, 16 en): citizen-style questions written for this
//!   evaluation from the passage *titles* before any embedding model was run on them, avoiding
//!   the title's words where a citizen would (开车的本子 for 驾驶证, 房本 for 不动产权证书).
//!   Written once and not edited after seeing results; the defaults (fusion, min_similarity)
//!   were not chosen on them;
//! - off-topic questions (below, the "not found" test of govai-retrieval) that must get the
//!   not-found answer.
//!
//! Reported: top-1 (the first cited source is the expected passage), cited (the expected
//! passage is among the cited sources), not found (no source at all).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use govai::embedding::OrtEmbedder;
use govai::retrieval::{DenseIndex, Embedder, FaqModel, Fusion};

const OFF_TOPIC: &[&str] = &[
    "今天天气怎么样",
    "推荐一部好看的电影",
    "量子计算机的原理是什么",
    "世界杯冠军是谁",
    "how to cook pasta",
    "who won the world cup",
    "tell me a joke",
];

fn load(path: &Path) -> Result<Vec<(String, String)>, Box<dyn std::error::Error>> {
    let mut out = Vec::new();
    for line in std::fs::read_to_string(path)?.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let field = |k: &str| v[k].as_str().map(str::to_owned).ok_or_else(|| format!("{}: no `{k}`", path.display()));
        out.push((field("query")?, field("expected")?));
    }
    Ok(out)
}

struct Score {
    top1: usize,
    cited: usize,
    not_found: usize,
    n: usize,
}

fn score(faq: &FaqModel, set: &[(String, String)]) -> govai::Result<Score> {
    let mut s = Score { top1: 0, cited: 0, not_found: 0, n: set.len() };
    let misses = std::env::args().any(|a| a == "--misses");
    for (q, id) in set {
        let out = faq.try_answer(q, &[])?;
        let top1 = out.sources.first().is_some_and(|x| &x.id == id);
        if misses && !top1 {
            let got: Vec<&str> = out.sources.iter().map(|x| x.id.as_str()).collect();
            println!("    miss: {q} -> {got:?}, expected {id}");
        }
        s.top1 += usize::from(top1);
        s.cited += usize::from(out.sources.iter().any(|x| &x.id == id));
        s.not_found += usize::from(out.sources.is_empty());
    }
    Ok(s)
}

fn report(name: &str, faq: &FaqModel, sets: &[(&str, Vec<(String, String)>)]) -> govai::Result<()> {
    let mut cells = Vec::new();
    for (_, set) in sets {
        let s = score(faq, set)?;
        cells.push(format!(
            "{:.3} {:.3} {:>2}/{:<2}",
            s.top1 as f32 / s.n as f32,
            s.cited as f32 / s.n as f32,
            s.not_found,
            s.n
        ));
    }
    let mut off = 0;
    for q in OFF_TOPIC {
        off += usize::from(faq.try_answer(q, &[])?.sources.is_empty());
    }
    println!("  {name:<24} {}   {off}/{}", cells.join("   "), OFF_TOPIC.len());
    Ok(())
}

/// What `min_similarity` is set from: the cosine of each direct question with its passage
/// against the best cosine of each off-topic question with any passage (paraphrases unused).
fn calibration(embedder: &dyn Embedder, faq: &FaqModel, direct: &[(String, String)]) -> govai::Result<()> {
    let kb = faq.knowledge_base();
    let texts: Vec<String> = kb.passages().iter().map(|p| format!("{}\n{}", p.title, p.text)).collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let index = DenseIndex::build(embedder, &refs)?;
    let mut right = Vec::new();
    for (q, id) in direct {
        let sims = index.similarities(&index.embed_query(embedder, q)?)?;
        if let Some(i) = kb.passages().iter().position(|p| &p.id == id) {
            right.push(sims[i]);
        }
    }
    let mut off = Vec::new();
    for q in OFF_TOPIC {
        let sims = index.similarities(&index.embed_query(embedder, q)?)?;
        off.push(sims.into_iter().fold(f32::MIN, f32::max));
    }
    right.sort_by(f32::total_cmp);
    off.sort_by(f32::total_cmp);
    let fmt = |v: &[f32]| v.iter().map(|x| format!("{x:.2}")).collect::<Vec<_>>().join(" ");
    println!("  calibration: cos(direct question, its passage) sorted: {}", fmt(&right));
    println!("  calibration: max cos(off-topic question, any passage) sorted: {}", fmt(&off));
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let kb = root.join("crates/govai-retrieval/kb");
    let sets = vec![
        ("direct", load(&kb.join("direct_questions.jsonl"))?),
        (
            "paraphrase zh",
            load(&kb.join("paraphrases.jsonl"))?.into_iter().filter(|(_, e)| e.starts_with("kb-zh")).collect(),
        ),
        (
            "paraphrase en",
            load(&kb.join("paraphrases.jsonl"))?.into_iter().filter(|(_, e)| e.starts_with("kb-en")).collect(),
        ),
    ];
    let mut dirs: Vec<PathBuf> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).map(PathBuf::from).collect();
    if dirs.is_empty() {
        dirs = vec![root.join("models/use-multilingual"), root.join("models/minilm-l6-v2-int8")];
    }
    let header: Vec<String> = sets.iter().map(|(n, s)| format!("{:<18}", format!("{n} ({})", s.len()))).collect();
    println!("columns per set: top-1, cited, not found; last column: off-topic questions answered 'not found'");
    println!("  {:<24} {}   off-topic", "", header.join("   "));
    report("bm25", &FaqModel::builtin(FaqModel::default_info()), &sets)?;
    let rt = govai::ort::RuntimeConfig::default();
    for dir in dirs {
        if !dir.join("model.onnx").is_file() {
            println!("SKIP {}: not prepared (crates/govai-ort/scripts/prepare-embeddings.sh)", dir.display());
            continue;
        }
        let embedder = Arc::new(OrtEmbedder::load(&dir, &rt)?);
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let faq = FaqModel::builtin(FaqModel::default_info()).with_embedder(embedder.clone())?;
        calibration(embedder.as_ref(), &faq, &sets[0].1)?;
        report(&format!("hybrid {name}"), &faq, &sets)?;
        let mut cfg = *faq.config();
        cfg.fusion = Fusion::Rrf { k: 60.0 };
        report("  (rrf k=60)", &faq.clone().with_config(cfg), &sets)?;
        cfg.fusion = Fusion::Weighted { lexical_weight: 0.0 };
        report("  (embedding only)", &faq.clone().with_config(cfg), &sets)?;
    }
    Ok(())
}
