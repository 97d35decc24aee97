//! Embedding throughput on prepared model directories.
//!
//!     cargo run --release -p govai-ort --example bench_embed -- models/minilm-l6-v2-int8 models/use-multilingual
//!
//! Embeds 256 short sentences (English and Chinese) in the model's configured batch size and
//! one at a time; prints sentences/s.

use std::time::Instant;

use govai_ort::{EmbeddingModel, RuntimeConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    let base = [
        "How do I renew my passport?",
        "如何续签护照？",
        "The weather is sunny today.",
        "社保卡丢了怎么补办",
        "Where can I pay my water bill?",
        "居住证办理需要哪些材料",
        "My neighbour's dog barks all night.",
        "营业执照年报什么时候截止",
    ];
    let texts: Vec<String> = (0..256).map(|i| format!("{} ({i})", base[i % base.len()])).collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    for dir in dirs {
        let m = EmbeddingModel::load(&dir, &RuntimeConfig::default())?;
        m.embed(&refs[..8])?;
        let t = Instant::now();
        m.embed(&refs)?;
        let batched = refs.len() as f64 / t.elapsed().as_secs_f64();
        let t = Instant::now();
        for s in &refs[..64] {
            m.embed_one(s)?;
        }
        let single = 64.0 / t.elapsed().as_secs_f64();
        println!(
            "{dir}: batched (batch {}) {batched:.0} sentences/s, one at a time {single:.0} sentences/s",
            m.config().batch_size
        );
    }
    Ok(())
}
