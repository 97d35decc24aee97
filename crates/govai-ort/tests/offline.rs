//! Tests that need no ONNX Runtime: UTF-8-safe incremental detokenisation on the fixture's
//! byte-level tokenizer, and the runtime-not-found error.

use govai_core::ErrorKind;
use govai_ort::stream::{IncrementalDecoder, StopBuffer};
use tokenizers::Tokenizer;

fn tokenizer() -> Tokenizer {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/tiny-llama/tokenizer.json");
    Tokenizer::from_file(p).expect("fixture tokenizer loads")
}

#[test]
fn incremental_decoding_never_splits_a_character() {
    let tok = tokenizer();
    let text = "政务服务：如何续签护照？Hello 世界 🎉 café";
    let ids = tok.encode(text, false).expect("encodes").get_ids().to_vec();
    // The byte-level fixture splits CJK characters and the emoji over several tokens.
    let split = ids.iter().filter(|&&i| std::str::from_utf8(&byte_level_bytes(&tok, i)).is_err()).count();
    assert!(split > 3, "fixture should have partial-character tokens, found {split}");
    let mut dec = IncrementalDecoder::new();
    let mut pieces = Vec::new();
    for &id in &ids {
        let p = dec.push(&tok, id).expect("decodes");
        assert!(!p.contains('\u{FFFD}'), "piece {p:?} contains a replacement character");
        if !p.is_empty() {
            pieces.push(p);
        }
    }
    pieces.push(dec.finish(&tok).expect("finish"));
    assert_eq!(pieces.concat(), text);
    assert!(pieces.len() > 10);
}

/// The raw bytes of one byte-level token (GPT-2 byte-to-unicode mapping reversed).
fn byte_level_bytes(tok: &Tokenizer, id: u32) -> Vec<u8> {
    let s = tok.id_to_token(id).expect("id");
    let mut table = std::collections::HashMap::new();
    let mut n = 0u32;
    for b in 0u32..256 {
        let printable = (33..=126).contains(&b) || (161..=172).contains(&b) || (174..=255).contains(&b);
        let c = if printable {
            b
        } else {
            n += 1;
            255 + n
        };
        table.insert(char::from_u32(c).expect("char"), b as u8);
    }
    s.chars().map(|c| table.get(&c).copied().unwrap_or(b'?')).collect()
}

#[test]
fn truncated_character_is_flushed_lossily_at_the_end() {
    let tok = tokenizer();
    let ids = tok.encode("好", false).expect("enc").get_ids().to_vec();
    assert!(ids.len() > 1, "好 should span several tokens in the fixture");
    let mut dec = IncrementalDecoder::new();
    for &id in &ids[..ids.len() - 1] {
        assert_eq!(dec.push(&tok, id).expect("push"), "");
    }
    assert!(dec.finish(&tok).expect("finish").contains('\u{FFFD}'));
}

#[test]
fn stop_buffer_with_multiple_stops_picks_the_earliest() {
    let mut b = StopBuffer::new(&["END".to_string(), "。".to_string()]);
    let (out, hit) = b.push("答复。END");
    assert!(hit);
    assert_eq!(out, "答复");
}

#[test]
fn explicit_missing_library_is_a_model_error_naming_the_path() {
    let e = govai_ort::find_library(Some(std::path::Path::new("/nonexistent/libonnxruntime.so"))).expect_err("missing");
    assert_eq!(e.kind(), ErrorKind::Model);
    assert!(e.to_string().contains("/nonexistent/libonnxruntime.so"), "{e}");
    assert!(e.to_string().contains("config runtime.library_path"), "{e}");
}

#[test]
fn library_search_lists_every_place() {
    let c = govai_ort::runtime::library_candidates(None);
    assert_eq!(c[0].0, "config runtime.library_path");
    assert_eq!(c[1].0, "ORT_DYLIB_PATH");
    // Running under cargo, the workspace .venv (if any) is found from CARGO_MANIFEST_DIR.
    let venv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv");
    if venv.is_dir() {
        assert!(c.iter().any(|(p, _)| p.contains(".venv")), "{c:?}");
    }
}
