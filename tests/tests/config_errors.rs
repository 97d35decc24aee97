//! Bad configurations get precise errors: file, key, reason.
#![allow(clippy::unwrap_used)]

use govai_core::ErrorKind;

fn err(toml: &str) -> String {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("bad.toml");
    std::fs::write(&path, toml).unwrap();
    let e = govai::load(&path).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config, "{e}");
    let msg = e.to_string();
    assert!(msg.contains("bad.toml"), "error names the file: {msg}");
    msg
}

const OK_AUDIT: &str = "[audit]\npath = \"a.jsonl\"\n";
const FAQ: &str =
    "[[models]]\nid = \"faq\"\nbackend = \"faq\"\nclearance = \"sensitive\"\nlocation = \"on_premises\"\n";

#[test]
fn the_shipped_example_and_default_configs_load() {
    let d = tempfile::tempdir().unwrap();
    let example = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../govai.example.toml")).unwrap();
    let dep = govai::from_toml_str(&example, d.path()).unwrap();
    assert!(dep.scenario("tax_hotline_qa").is_some());
    assert!(govai::default_deployment(d.path().join("x.jsonl")).is_ok());
}

/// Every shipped config file parses (building the LLM ones needs the converted models).
#[test]
fn every_shipped_config_file_parses() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut files = vec![
        std::path::PathBuf::from(format!("{root}/govai.example.toml")),
        std::path::PathBuf::from(format!("{root}/crates/govai/data/default.toml")),
    ];
    for entry in std::fs::read_dir(format!("{root}/examples")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            files.push(path);
        }
    }
    for f in &files {
        govai::config::Config::from_file(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
    }
    assert!(files.len() >= 3, "{files:?}");
}

#[test]
fn syntax_error_names_the_line() {
    let m = err(&format!("{OK_AUDIT}[[models]\nid = 1\n"));
    assert!(m.contains("line 3"), "{m}");
}

#[test]
fn unknown_key_names_its_path() {
    let m = err(&format!("{OK_AUDIT}{FAQ}colour = \"red\"\n"));
    assert!(m.contains("models[0]") && m.contains("colour"), "{m}");
}

#[test]
fn bad_enum_value_names_its_path_and_choices() {
    let m = err(&format!("{OK_AUDIT}{}", FAQ.replace("\"sensitive\"", "\"top-secret\"")));
    assert!(m.contains("models[0].clearance") && m.contains("sensitive"), "{m}");
}

#[test]
fn scenario_with_unknown_model() {
    let m = err(&format!("{OK_AUDIT}{FAQ}[[scenarios]]\nid = \"intelligent_qa\"\nmodel = \"gpt\"\n"));
    assert!(m.contains("scenarios.intelligent_qa.model") && m.contains("gpt"), "{m}");
}

#[test]
fn scenario_requiring_an_unknown_reviewer() {
    let m = err(&format!(
        "{OK_AUDIT}{FAQ}[[scenarios]]\nid = \"intelligent_qa\"\nmodel = \"faq\"\nreviewers = [\"oracle\"]\n"
    ));
    assert!(m.contains("reviewers") && m.contains("oracle"), "{m}");
}

#[test]
fn custom_scenario_missing_a_field() {
    let m = err(&format!(
        "{OK_AUDIT}{FAQ}[[scenarios]]\nid = \"my_case\"\nmodel = \"faq\"\nname_zh = \"我的\"\nname_en = \"Mine\"\n"
    ));
    assert!(m.contains("scenarios[0].category"), "{m}");
}

#[test]
fn secret_ceiling_is_rejected() {
    let m =
        err(&format!("{OK_AUDIT}{FAQ}[[scenarios]]\nid = \"intelligent_qa\"\nmodel = \"faq\"\nceiling = \"secret\"\n"));
    assert!(m.contains("scenarios[0].ceiling"), "{m}");
}

#[test]
fn missing_audit_section() {
    let m = err(FAQ);
    assert!(m.contains("audit"), "{m}");
}

#[test]
fn duplicate_model_and_no_scenarios() {
    let m = err(&format!("{OK_AUDIT}{FAQ}{FAQ}"));
    assert!(m.contains("models[1].id") && m.contains("duplicate"), "{m}");
    let m = err(&format!("{OK_AUDIT}{FAQ}"));
    assert!(m.contains("scenarios"), "{m}");
}

#[test]
fn backend_specific_keys_are_checked() {
    let m = err(&format!("{OK_AUDIT}{FAQ}k = 3\n[[scenarios]]\nid = \"intelligent_qa\"\nmodel = \"faq\"\n"));
    assert!(m.contains("models[0].k") && m.contains("only valid for backend `router`"), "{m}");
    let m = err(&format!("{OK_AUDIT}{}", FAQ.replace("\"faq\"\nclearance", "\"llm\"\nclearance")));
    assert!(m.contains("models[0].path") && m.contains("missing field `path`"), "{m}");
}

#[test]
fn missing_file_is_an_io_error() {
    let e = govai::load("/nonexistent/govai.toml").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
    assert!(e.to_string().contains("/nonexistent/govai.toml"));
}

/// `[ner]` adds the LAC tagger as a second classifier (tiny checked-in fixture of govai-ort).
#[test]
fn ner_section_loads_the_lac_tagger_or_names_the_missing_path() {
    if govai::ort::find_library(None).is_err() {
        assert!(std::env::var_os("GOVAI_REQUIRE_ORT").is_none(), "ONNX Runtime library not found");
        eprintln!("SKIP: ONNX Runtime library not found");
        return;
    }
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/../crates/govai-ort/tests/data/tiny-lac");
    let d = tempfile::tempdir().unwrap();
    let config = format!(
        "{OK_AUDIT}[ner]\npath = \"{fixture}\"\n{FAQ}[[scenarios]]\nid = \"intelligent_routing\"\nmodel = \"faq\"\n"
    );
    let dep = govai::from_toml_str(&config, d.path()).unwrap();
    let r = dep.handle(govai::Request::new("intelligent_routing", "张三在北京市工作")).unwrap();
    assert!(r.audit_id > 0);
    let bad = format!(
        "{OK_AUDIT}[ner]\npath = \"/nonexistent/lac\"\n{FAQ}[[scenarios]]\nid = \"intelligent_routing\"\nmodel = \"faq\"\n"
    );
    let e = govai::from_toml_str(&bad, d.path()).unwrap_err();
    assert!(e.to_string().contains("/nonexistent/lac"), "{e}");
}
