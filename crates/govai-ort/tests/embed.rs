//! Embeddings on a checked-in tiny encoder (pooling, masks, batching, normalisation) and on the
//! real models prepared by scripts/prepare-embeddings.sh when present.

mod common;

use govai_ort::{EmbeddingModel, cosine};

/// tests/data/tiny-embed: last_hidden_state = E[input_ids] + T[token_type_ids] (mask unused by
/// the graph); mean pooling and L2 are govai's. Expected vectors computed by numpy in
/// make_tiny_embed.py.
#[test]
fn tiny_encoder_mean_pooling_matches_numpy_in_batches_and_alone() {
    let Some(rt) = common::runtime("tiny_encoder_mean_pooling_matches_numpy_in_batches_and_alone") else { return };
    let m = EmbeddingModel::load(common::data("tiny-embed"), &rt).expect("loads");
    let expected: Vec<(String, Vec<f32>)> =
        serde_json::from_str(&std::fs::read_to_string(common::data("tiny-embed/expected.json")).expect("read"))
            .expect("json");
    let texts: Vec<&str> = expected.iter().map(|(t, _)| t.as_str()).collect();
    let batch = m.embed(&texts).expect("batch");
    for ((t, want), got) in expected.iter().zip(&batch) {
        let d = want.iter().zip(got).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        assert!(d < 1e-5, "{t:?}: {d}");
        let n: f32 = got.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((n - 1.0).abs() < 1e-5);
        let alone = m.embed_one(t).expect("one");
        assert!(cosine(&alone, got) > 0.99999);
    }
    assert!(m.embed(&[]).expect("empty").is_empty());
    // The Model trait: kind Embed, the vector of the query as JSON.
    use govai_core::Model;
    assert_eq!(m.info().kind, govai_core::ModelKind::Embed);
    let input = govai_core::InferenceInput {
        scenario_id: "s".into(),
        prompt: "ignored".into(),
        query: expected[0].0.clone(),
        documents: vec![],
        history: vec![],
    };
    let out = pollster::block_on(m.infer(&input)).expect("infers");
    let v: Vec<f32> = serde_json::from_str(&out.text).expect("json vector");
    assert!(cosine(&v, &expected[0].1) > 0.99999);
}

fn real(name: &str, test: &str) -> Option<EmbeddingModel> {
    let dir = common::workspace(&format!("models/{name}"));
    if !dir.join("model.onnx").is_file() {
        common::missing_model(test, &dir);
        return None;
    }
    let rt = common::runtime(test)?;
    Some(EmbeddingModel::load(&dir, &rt).expect("loads"))
}

#[test]
fn minilm_ranks_paraphrases_above_unrelated() {
    let Some(m) = real("minilm-l6-v2-int8", "minilm_ranks_paraphrases_above_unrelated") else { return };
    let v = m
        .embed(&["How do I renew my passport?", "What is the process for passport renewal?", "The cat sat on the mat."])
        .expect("embeds");
    assert_eq!(v[0].len(), 384);
    let (para, unrel) = (cosine(&v[0], &v[1]), cosine(&v[0], &v[2]));
    eprintln!("minilm: paraphrase {para:.3}, unrelated {unrel:.3}");
    assert!(para > 0.7 && unrel < 0.3, "{para} {unrel}");
}

#[test]
fn use_multilingual_aligns_chinese_and_english() {
    let Some(m) = real("use-multilingual", "use_multilingual_aligns_chinese_and_english") else { return };
    let t = ["How do I renew my passport?", "如何续签护照？", "护照到期后怎么办理换发", "今天天气晴朗。"];
    let v: Vec<Vec<f32>> = t.iter().map(|s| m.embed_one(s).expect("embeds")).collect();
    assert_eq!(v[0].len(), 512);
    let en_zh = cosine(&v[0], &v[1]);
    let zh_zh = cosine(&v[1], &v[2]);
    let unrel = cosine(&v[1], &v[3]);
    eprintln!("use: en/zh {en_zh:.3}, zh/zh {zh_zh:.3}, unrelated {unrel:.3}");
    // models.md §3: 0.72 and 0.77.
    assert!((en_zh - 0.72).abs() < 0.03 && (zh_zh - 0.77).abs() < 0.03, "{en_zh} {zh_zh}");
    assert!(unrel < 0.3);
    let batch = m.embed(&t).expect("batch");
    for (a, b) in batch.iter().zip(&v) {
        assert!(cosine(a, b) > 0.99);
    }
}
