//! `govai generate --json` on the importer's tiny GroupQueryAttention fixture: the JSON contract
//! and `--prompt-lookup`.

use std::process::Command;

fn govai() -> Option<Command> {
    if let Err(e) = govai::ort::find_library(None) {
        if std::env::var("GOVAI_REQUIRE_ORT").is_ok_and(|v| v == "1") {
            panic!("GOVAI_REQUIRE_ORT=1 but the ONNX Runtime library is missing: {e}");
        }
        eprintln!("SKIP cli_generate: {e}");
        return None;
    }
    Some(Command::new(env!("CARGO_BIN_EXE_govai")))
}

fn generate(extra: &[&str]) -> serde_json::Value {
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tools/fixtures/tiny-llama-onnx");
    let out = govai()
        .expect("checked by the caller")
        .args(["generate", "--model", fixture, "--max-new-tokens", "24", "--json"])
        .args(extra)
        .arg("the cat sat on the mat. the cat sat on the")
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

#[test]
fn generate_json_contract_and_prompt_lookup() {
    if govai().is_none() {
        return;
    }
    let plain = generate(&[]);
    for key in [
        "text",
        "prompt_tokens",
        "generated_tokens",
        "finish_reason",
        "time_to_first_token_ms",
        "elapsed_ms",
        "draft_tokens",
        "accepted_draft_tokens",
    ] {
        assert!(plain.get(key).is_some(), "missing `{key}` in {plain}");
    }
    assert_eq!(plain["draft_tokens"], 0);
    let lookup = generate(&["--prompt-lookup"]);
    assert_eq!(lookup["text"], plain["text"]);
    assert_eq!(lookup["generated_tokens"], plain["generated_tokens"]);
    assert!(lookup["draft_tokens"].as_u64().unwrap_or(0) > 0, "{lookup}");
}
