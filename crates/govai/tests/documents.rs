//! Assisted handling through the facade: recognised pages checked against the checklist of
//! examples/assisted-handling-checklist.toml, through the gate and the audit log.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use govai::documents::{
    CheckDocuments, CheckOutcome, Checklists, Decision, DocumentCheck, FieldStatus, Line, MaterialStatus, Page,
    Submission,
};
use govai::{Deployment, ErrorKind, GateAction};

const ID: &str = "11010519491231002X";
/// The same number with a wrong check character.
const BAD_ID: &str = "110105194912310021";
const NAME: &str = "王小明";

fn example() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/assisted-handling-checklist.toml");
    std::fs::read_to_string(path).unwrap()
}

fn deployment(dir: &Path) -> (Deployment, Checklists) {
    let audit = dir.join("audit.jsonl");
    let text = example().replace("../.govai-demo/documents-audit.jsonl", &audit.display().to_string());
    govai::documents::from_toml_str(&text, dir).unwrap()
}

fn page(file: &str, lines: &[(&str, f32)]) -> Page {
    Page::new(file, lines.iter().map(|(t, c)| Line::new(*t, *c)).collect())
}

/// Front and back of the ID card. `id` as printed; `valid` the validity period.
fn id_card(id: &str, valid: &str) -> Vec<Page> {
    vec![
        page(
            &format!("{NAME}-身份证正面.jpg"),
            &[
                (&format!("姓名 {NAME}"), 0.97),
                ("性别 男 民族 汉", 0.95),
                ("出生 1949年12月31日", 0.94),
                ("住址 北京市东城区景山前街4号", 0.93),
                (&format!("公民身份号码 {id}"), 0.96),
            ],
        ),
        page(
            "身份证背面.jpg",
            &[("中华人民共和国", 0.99), ("居民身份证", 0.99), ("签发机关 北京市公安局东城分局", 0.95), (valid, 0.96)],
        ),
    ]
}

fn household_register() -> Page {
    page(
        "户口簿本人页.jpg",
        &[
            ("常住人口登记卡", 0.98),
            (&format!("姓名 {NAME}"), 0.96),
            (&format!("公民身份号码 {ID}"), 0.95),
            ("住址 北京市东城区景山前街4号", 0.94),
        ],
    )
}

fn form(signature_confidence: f32) -> Page {
    page(
        "登记表.jpg",
        &[
            ("居住证申领登记表", 0.99),
            (&format!("申请人姓名：{NAME}"), 0.95),
            (&format!("身份证号码：{ID}"), 0.95),
            ("居住地址：示例市和平区长安路88号3单元502室", 0.93),
            (&format!("申请人（签名）：{NAME}"), signature_confidence),
            ("填表日期：2026年12月1日", 0.95),
        ],
    )
}

fn lease() -> Page {
    page(
        "租房合同.jpg",
        &[("房屋租赁合同", 0.99), ("租赁期限：2026年6月1日至2027年5月31日", 0.93), ("乙方（签字）：王小明", 0.9)],
    )
}

const VALID: &str = "有效期限 2016.03.01-2036.03.01";

fn submission(pages: Vec<Page>) -> Submission {
    let mut s = Submission::new(pages);
    s.as_of = serde_json::from_str("\"2026-12-05\"").unwrap();
    s.user = Some("window-3".into());
    s
}

fn all_pages(id: &str, valid: &str, signature_confidence: f32) -> Vec<Page> {
    let mut pages = id_card(id, valid);
    pages.extend([household_register(), form(signature_confidence), lease()]);
    pages
}

fn check(pages: Vec<Page>) -> (DocumentCheck, String) {
    let dir = tempfile::tempdir().unwrap();
    let (d, lists) = deployment(dir.path());
    let result = d.check_documents(&lists, "assisted_handling", &submission(pages)).unwrap();
    let audit = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    let report = govai::audit::verify(dir.path().join("audit.jsonl"), None).unwrap();
    assert!(report.intact, "{report:?}");
    (result, audit)
}

fn material<'a>(c: &'a DocumentCheck, id: &str) -> &'a govai::documents::MaterialResult {
    c.materials.iter().find(|m| m.id == id).unwrap()
}

fn field_status(c: &DocumentCheck, material_id: &str, field: &str) -> FieldStatus {
    material(c, material_id).fields.iter().find(|f| f.name == field).unwrap().status
}

/// Neither the result's JSON nor the audit log holds the ID number (any spacing) or the name.
fn assert_no_raw_personal_data(c: &DocumentCheck, audit: &str) {
    let json = serde_json::to_string(c).unwrap();
    for text in [&json, audit] {
        for raw in [ID, BAD_ID, &ID[..14], NAME, "景山前街"] {
            assert!(!text.contains(raw), "`{raw}` leaked: {text}");
        }
    }
}

#[test]
fn complete_submission() {
    let (c, audit) = check(all_pages(ID, VALID, 0.92));
    assert_eq!((c.outcome, c.decision), (CheckOutcome::Checked, Decision::Clerk));
    assert!(c.complete, "{:#?}", c.issues);
    assert!(c.issues.is_empty(), "{:?}", c.issues);
    for id in ["id_card", "household_register", "application_form", "lease"] {
        assert_eq!(material(&c, id).status, MaterialStatus::Present, "{id}: {:#?}", material(&c, id));
    }
    assert_eq!(material(&c, "residence_certificate").status, MaterialStatus::NotNeeded);
    assert_eq!(material(&c, "id_card").pages, vec![1, 2]);
    // Name + ID number + address: important data, above the scenario's sensitive ceiling; the
    // result is masked down, as a text request would be.
    assert_eq!(c.data_level, govai::DataLevel::Important);
    assert_eq!(c.gate.action, GateAction::Mask, "{:?}", c.gate);
    let types = &c.personal_data.entity_types;
    assert!(types.iter().any(|t| t == "cn_resident_id") && types.iter().any(|t| t == "person"), "{types:?}");
    // One value, one placeholder on every page.
    let id_field = material(&c, "id_card").fields.iter().find(|f| f.name == "公民身份号码").unwrap();
    assert_eq!(id_field.value.as_deref(), Some("〔身份证号1〕"));
    let form_id = material(&c, "application_form").fields.iter().find(|f| f.name == "公民身份号码").unwrap();
    assert_eq!(form_id.value, id_field.value);
    assert!(c.notice.contains("不构成"));
    assert_no_raw_personal_data(&c, &audit);
    let record: serde_json::Value = serde_json::from_str(audit.lines().last().unwrap()).unwrap();
    assert_eq!(record["kind"], "document_check");
    assert_eq!(
        (record["checklist_id"].as_str(), record["checklist_version"].as_str()),
        (Some("residence_permit"), Some("2026-12"))
    );
    assert_eq!(record["decision"], "clerk");
    assert_eq!(record["files"].as_array().unwrap().len(), 5);
    assert_eq!(record["files"][0]["text_sha256"].as_str().unwrap().len(), 64);
    assert!(record["files"][0].get("name_sha256").is_none() && !audit.contains("身份证正面"));
    assert_eq!(record["seq"].as_u64(), Some(c.audit_id));
    assert_eq!(record["materials"][0]["status"], "present");
}

#[test]
fn missing_household_register() {
    let mut pages = all_pages(ID, VALID, 0.92);
    pages.retain(|p| !p.file.contains("户口簿"));
    let (c, audit) = check(pages);
    assert!(!c.complete);
    assert_eq!(material(&c, "household_register").status, MaterialStatus::Missing);
    assert_eq!(material(&c, "id_card").status, MaterialStatus::Present);
    assert_eq!(c.issues, vec!["缺少材料：户口簿（本人页）".to_owned()]);
    assert_eq!(c.decision, Decision::Clerk);
    assert_no_raw_personal_data(&c, &audit);
}

#[test]
fn unreadable_signature_line() {
    let (c, audit) = check(all_pages(ID, VALID, 0.41));
    assert!(!c.complete);
    let form = material(&c, "application_form");
    assert_eq!(form.status, MaterialStatus::Unreadable);
    let sig = form.fields.iter().find(|f| f.name == "申请人签名").unwrap();
    assert_eq!((sig.status, sig.page, sig.line), (FieldStatus::LowConfidence, Some(4), Some(5)));
    assert_eq!(sig.confidence, Some(0.41));
    assert!(c.issues.iter().any(|i| i.starts_with("居住证申领登记表：申请人签名识别置信度低")), "{:?}", c.issues);
    assert_no_raw_personal_data(&c, &audit);
    assert!(audit.contains("\"low_confidence\""));
}

#[test]
fn expired_id_card() {
    let (c, audit) = check(all_pages(ID, "有效期限 2006.03.01-2026.03.01", 0.92));
    assert!(!c.complete);
    assert_eq!(material(&c, "id_card").status, MaterialStatus::Invalid);
    assert_eq!(field_status(&c, "id_card", "有效期限"), FieldStatus::Expired);
    let validity = material(&c, "id_card").fields.iter().find(|f| f.name == "有效期限").unwrap();
    assert_eq!(validity.date.map(|d| d.to_string()).as_deref(), Some("2026-03-01"));
    assert!(c.issues.iter().any(|i| i.contains("有效期限") && i.contains("2026-03-01")), "{:?}", c.issues);
    assert_no_raw_personal_data(&c, &audit);
}

#[test]
fn invalid_id_checksum() {
    let (c, audit) = check(all_pages(BAD_ID, VALID, 0.92));
    assert!(!c.complete);
    assert_eq!(material(&c, "id_card").status, MaterialStatus::Invalid);
    assert_eq!(field_status(&c, "id_card", "公民身份号码"), FieldStatus::Invalid);
    assert_eq!(field_status(&c, "household_register", "公民身份号码"), FieldStatus::Found);
    // The bad number is personal data all the same: masked, never in the log.
    let f = material(&c, "id_card").fields.iter().find(|f| f.name == "公民身份号码").unwrap();
    assert!(f.value.as_deref().is_some_and(|v| v.starts_with("〔身份证号")), "{f:?}");
    assert_no_raw_personal_data(&c, &audit);
}

#[test]
fn ocr_noise_in_the_id_number_is_read_through() {
    let noisy = "1１O1 O5l9 4912 31OO 2x";
    let (c, audit) = check(all_pages(noisy, VALID, 0.92));
    assert_eq!(field_status(&c, "id_card", "公民身份号码"), FieldStatus::Found);
    assert!(!audit.contains("O5l9") && !serde_json::to_string(&c).unwrap().contains("O5l9"));
}

#[test]
fn errors_and_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let (d, lists) = deployment(dir.path());
    let s = submission(all_pages(ID, VALID, 0.92));
    assert_eq!(d.check_documents(&lists, "intelligent_qa", &s).unwrap_err().kind(), ErrorKind::NotFound);
    let mut named = s.clone();
    named.checklist = Some("business_licence".into());
    assert_eq!(d.check_documents(&lists, "assisted_handling", &named).unwrap_err().kind(), ErrorKind::NotFound);
    assert_eq!(
        d.check_documents(&lists, "assisted_handling", &submission(Vec::new())).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    // Secret content is never processed: refused, audited, nothing shown.
    let mut secret = s.clone();
    secret.pages[0].lines.insert(0, Line::new("机密★5年", 0.99));
    let c = d.check_documents(&lists, "assisted_handling", &secret).unwrap();
    assert_eq!((c.outcome, c.gate.action), (CheckOutcome::Refused, GateAction::Refuse));
    assert!(c.materials.is_empty() && c.pages.is_empty() && c.personal_data.findings.is_empty());
    assert_eq!(c.decision, Decision::Clerk);
    let audit = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    assert!(audit.contains("\"refused\"") && !audit.contains(ID));
}

#[test]
fn file_hashes_reach_the_audit_record_and_several_checklists_need_a_name() {
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let text = example().replace("../.govai-demo/documents-audit.jsonl", &audit.display().to_string());
    // A second checklist for the same scenario: the submission must name one.
    let second = "\n[[checklists]]\nid = \"business_licence\"\nscenario = \"assisted_handling\"\nname = \"营业执照\"\n\
                  [[checklists.materials]]\nid = \"licence\"\nname = \"营业执照\"\ntitles = [\"营业执照\"]\n";
    let (d, lists) = govai::documents::from_toml_str(&format!("{text}{second}"), dir.path()).unwrap();
    let mut s = submission(all_pages(ID, VALID, 0.92));
    let e = d.check_documents(&lists, "assisted_handling", &s).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().contains("business_licence, residence_permit"), "{e}");
    s.checklist = Some("residence_permit".into());
    let hash = "ab".repeat(32);
    s.pages[0].file_sha256 = Some(hash.clone());
    let c = d.check_documents(&lists, "assisted_handling", &s).unwrap();
    assert_eq!(c.checklist.id, "residence_permit");
    let log = std::fs::read_to_string(&audit).unwrap();
    let record: serde_json::Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    assert_eq!(record["files"][0]["file_sha256"].as_str(), Some(hash.as_str()));
    assert!(record["files"][1]["file_sha256"].is_null());
}

#[test]
fn a_bad_checklist_fails_loading() {
    let dir = tempfile::tempdir().unwrap();
    let text = example().replace("../.govai-demo/documents-audit.jsonl", "a.jsonl");
    let bad = text.replace(
        "scenario = \"assisted_handling\"\nname = \"居住证申领\"",
        "scenario = \"tax_hotline_qa\"\nname = \"居住证申领\"",
    );
    let e = govai::from_toml_str(&bad, dir.path()).unwrap_err();
    assert!(e.to_string().contains("checklists[0].scenario"), "{e}");
    let bad = text.replace("kind = \"resident_id\" }", "kind = \"iris\" }");
    let e = govai::from_toml_str(&bad, dir.path()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config, "{e}");
    assert!(e.to_string().contains("iris"), "{e}");
}
