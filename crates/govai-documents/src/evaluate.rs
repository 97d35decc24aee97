//! Checking recognised pages against a checklist: pages to materials, fields, personal data
//! and masking. No gate and no audit here (see [`crate::check`]).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use govai_core::mask::{Vault, pseudonymize, replace_spans};
use govai_core::{Classification, DataLevel, Finding, MAX_FINDINGS, Result};
use sha2::{Digest, Sha256};

use crate::checklist::{Checklist, MaterialSpec};
use crate::fields::{DocLine, Extracted, FieldStatus, extract};
use crate::ocr::fold;
use crate::report::{
    FieldResult, MaskedLine, MaterialResult, MaterialStatus, PageResult, PersonalData, PersonalFinding,
};
use crate::submission::Submission;

/// A classifier of text: the deployment's (`Deployment::classify`) in production.
pub type Classify<'a> = dyn Fn(&str) -> Result<Classification> + 'a;

/// Everything a check finds, before the gate.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// Per material, in checklist order.
    pub materials: Vec<MaterialResult>,
    /// Every required material (or an alternative) is present, and the ID numbers and names
    /// read on different materials agree.
    pub complete: bool,
    /// What the clerk should look at.
    pub issues: Vec<String>,
    /// Personal data found, with the submission's level.
    pub personal_data: PersonalData,
    /// The pages, masked.
    pub pages: Vec<PageResult>,
}

/// Check `submission` against `checklist` as of `as_of`. `classify` finds personal data;
/// findings of `unmasked_types` count for the level but are not masked (as in text requests,
/// `[policy] unmasked_types`).
pub fn evaluate(
    checklist: &Checklist,
    submission: &Submission,
    as_of: NaiveDate,
    classify: &Classify<'_>,
    unmasked_types: &[String],
) -> Result<Evaluation> {
    let doc: Vec<Vec<DocLine<'_>>> = submission
        .pages
        .iter()
        .map(|p| {
            p.lines.iter().map(|l| DocLine { text: &l.text, confidence: l.confidence, folded: fold(&l.text) }).collect()
        })
        .collect();

    // Pages to materials.
    let page_text: Vec<crate::ocr::Folded> = doc
        .iter()
        .map(|lines| {
            let mut f = crate::ocr::Folded::default();
            for l in lines {
                f.chars.extend(&l.folded.chars);
            }
            f
        })
        .collect();
    let words = |v: &[String]| v.iter().map(|w| fold(w).chars).filter(|w| !w.is_empty()).collect::<Vec<_>>();
    let material_pages: Vec<Vec<usize>> = checklist
        .materials
        .iter()
        .map(|m| {
            let (titles, exclude) = (words(&m.titles), words(&m.exclude));
            (0..doc.len())
                .filter(|&p| {
                    titles.iter().any(|t| page_text[p].contains(t)) && !exclude.iter().any(|x| page_text[p].contains(x))
                })
                .collect()
        })
        .collect();

    // Fields.
    let mut extracted: Vec<Vec<Option<Extracted>>> = Vec::new();
    for (m, mat) in checklist.materials.iter().enumerate() {
        let labels: Vec<Vec<char>> =
            mat.fields.iter().flat_map(|f| f.effective_labels()).map(|l| fold(l).chars).collect();
        extracted.push(
            mat.fields
                .iter()
                .map(|f| extract(f, &material_pages[m], &doc, &labels, checklist.min_confidence, as_of))
                .collect(),
        );
    }

    // Personal data: each line classified, plus every personal field value the classifier
    // missed (an ID number misread as `11O1...` is still someone's ID number).
    let mut level = DataLevel::Public;
    let mut line_findings: Vec<Vec<Vec<Finding>>> = Vec::with_capacity(doc.len());
    for lines in &doc {
        let mut page = Vec::with_capacity(lines.len());
        for l in lines {
            let c = classify(l.text)?;
            level = level.max(c.level);
            page.push(c.findings);
        }
        line_findings.push(page);
    }
    let all_text: String =
        submission.pages.iter().flat_map(|p| p.lines.iter().map(|l| l.text.as_str())).collect::<Vec<_>>().join("\n");
    level = level.max(classify(&all_text)?.level);
    for (m, mat) in checklist.materials.iter().enumerate() {
        for (f, field) in mat.fields.iter().enumerate() {
            let (Some(ty), Some(e)) = (field.kind.entity_type(), &extracted[m][f]) else { continue };
            if e.span.0 >= e.span.1 {
                continue;
            }
            let findings = &mut line_findings[e.page][e.line];
            if findings.iter().any(|x| x.start <= e.span.0 && x.end >= e.span.1) {
                continue;
            }
            findings.retain(|x| x.end <= e.span.0 || x.start >= e.span.1);
            let text: String = doc[e.page][e.line].text.chars().skip(e.span.0).take(e.span.1 - e.span.0).collect();
            findings.push(Finding {
                entity_type: ty.to_owned(),
                start: e.span.0,
                end: e.span.1,
                text,
                score: e.confidence.clamp(0.0, 1.0),
                checksum: (field.kind == crate::checklist::FieldKind::ResidentId)
                    .then_some(e.status != FieldStatus::Invalid),
            });
            findings.sort_by_key(|x| (x.start, x.end));
            level = level.max(classify(&format!("{}：{}", field.name, e.reading))?.level);
        }
    }

    // Masking, one masker for the whole submission: one value, one placeholder, on every page.
    let mut vault = Masker::default();
    let masked = |text: &str, findings: &[Finding], vault: &mut Masker| {
        let maskable: Vec<Finding> =
            findings.iter().filter(|f| !unmasked_types.contains(&f.entity_type)).cloned().collect();
        vault.mask(text, &maskable)
    };
    let mut pages = Vec::with_capacity(doc.len());
    let mut personal = Vec::new();
    let mut dropped = 0usize;
    let mut types = BTreeSet::new();
    for (p, page) in submission.pages.iter().enumerate() {
        let mut lines = Vec::with_capacity(page.lines.len());
        for (l, line) in page.lines.iter().enumerate() {
            let findings = &line_findings[p][l];
            lines.push(MaskedLine { text: masked(&line.text, findings, &mut vault), confidence: line.confidence });
            for f in findings {
                types.insert(f.entity_type.clone());
                if personal.len() >= MAX_FINDINGS {
                    dropped += 1;
                    continue;
                }
                let placeholder = (!unmasked_types.contains(&f.entity_type))
                    .then(|| vault.placeholder(&f.entity_type, &span_text(&line.text, (f.start, f.end))));
                personal.push(PersonalFinding {
                    entity_type: f.entity_type.clone(),
                    placeholder,
                    page: p + 1,
                    line: l + 1,
                    score: f.score,
                    checksum: f.checksum,
                });
            }
        }
        let text: Vec<&str> = page.lines.iter().map(|l| l.text.as_str()).collect();
        pages.push(PageResult {
            page: p + 1,
            file: String::new(),
            file_sha256: page.file_sha256.clone(),
            text_sha256: sha256_hex(&text.join("\n")),
            materials: checklist
                .materials
                .iter()
                .zip(&material_pages)
                .filter(|(_, ps)| ps.contains(&p))
                .map(|(m, _)| m.id.clone())
                .collect(),
            lines,
        });
    }

    // File names (`张三身份证.jpg`): what the classifier finds, and every value found on the
    // pages, under the same placeholder.
    let known: Vec<Finding> =
        line_findings.iter().flatten().flatten().filter(|f| f.text.chars().count() >= 2).cloned().collect();
    for (p, page) in submission.pages.iter().enumerate() {
        let c = classify(&page.file)?;
        level = level.max(c.level);
        let mut findings = c.findings;
        for k in &known {
            for (b, _) in page.file.match_indices(k.text.as_str()) {
                let start = page.file[..b].chars().count();
                let end = start + k.text.chars().count();
                if !findings.iter().any(|f| f.start < end && start < f.end) {
                    findings.push(Finding { start, end, ..k.clone() });
                }
            }
        }
        types.extend(findings.iter().map(|f| f.entity_type.clone()));
        pages[p].file = masked(&page.file, &findings, &mut vault);
    }

    // Results per material.
    let mut materials = Vec::with_capacity(checklist.materials.len());
    for (m, mat) in checklist.materials.iter().enumerate() {
        let mut fields = Vec::with_capacity(mat.fields.len());
        for (f, field) in mat.fields.iter().enumerate() {
            let e = extracted[m][f].as_ref();
            let status = e.map_or(FieldStatus::Missing, |e| e.status);
            let value = e.filter(|e| e.span.0 < e.span.1 && status != FieldStatus::Missing).map(|e| {
                let line = &submission.pages[e.page].lines[e.line].text;
                let inside: Vec<Finding> = line_findings[e.page][e.line]
                    .iter()
                    .filter(|x| x.start >= e.span.0 && x.end <= e.span.1)
                    .map(|x| Finding { start: x.start - e.span.0, end: x.end - e.span.0, ..x.clone() })
                    .collect();
                masked(&span_text(line, e.span), &inside, &mut vault)
            });
            fields.push(FieldResult {
                name: field.name.clone(),
                kind: field.kind,
                required: field.required,
                status,
                value,
                page: e.map(|e| e.page + 1),
                line: e.map(|e| e.line + 1),
                date: e.and_then(|e| e.date),
                confidence: e.map(|e| e.confidence),
                detail: e.and_then(|e| e.detail.clone()),
            });
        }
        let status = material_status(&material_pages[m], &fields);
        materials.push(MaterialResult {
            id: mat.id.clone(),
            name: mat.name.clone(),
            required: mat.required,
            one_of: mat.one_of.clone(),
            status,
            pages: material_pages[m].iter().map(|p| p + 1).collect(),
            fields,
        });
    }
    let (mut complete, mut issues) = settle_groups(&checklist.materials, &mut materials);
    let disagree = disagreements(checklist, &extracted);
    complete &= disagree.is_empty();
    issues.extend(disagree);
    Ok(Evaluation {
        materials,
        complete,
        issues,
        personal_data: PersonalData {
            level,
            entity_types: types.into_iter().collect(),
            findings: personal,
            findings_dropped: dropped,
        },
        pages,
    })
}

/// Placeholders in govai-core's style (`〔身份证号1〕`, labels from `govai_core::mask`), one per
/// value across the submission. A value is the same when its folded form is (for ID numbers,
/// also with OCR's letter-for-digit confusions undone): `1101 0519 4912 31OO 2X` on the card
/// and `11010519491231002X` on the form get one placeholder, so the clerk sees they agree.
#[derive(Default)]
struct Masker {
    labels: BTreeMap<String, String>,
    assigned: BTreeMap<(String, String), String>,
    counters: BTreeMap<String, usize>,
}

impl Masker {
    /// govai-core's placeholder label of an entity type (e.g. `身份证号`).
    fn label(&mut self, entity_type: &str) -> String {
        self.labels
            .entry(entity_type.to_owned())
            .or_insert_with(|| {
                let probe = Finding {
                    entity_type: entity_type.to_owned(),
                    start: 0,
                    end: 1,
                    text: String::new(),
                    score: 1.0,
                    checksum: None,
                };
                let p = pseudonymize("x", &[probe], &mut Vault::default());
                p.trim_start_matches('〔')
                    .trim_end_matches('〕')
                    .trim_end_matches(|c: char| c.is_ascii_digit())
                    .to_owned()
            })
            .clone()
    }

    fn placeholder(&mut self, entity_type: &str, original: &str) -> String {
        let label = self.label(entity_type);
        let folded = crate::ocr::fold_str(original);
        let canonical = if entity_type == "cn_resident_id" { crate::ocr::fix_digits(&folded) } else { folded };
        if let Some(p) = self.assigned.get(&(label.clone(), canonical.clone())) {
            return p.clone();
        }
        let n = self.counters.entry(label.clone()).or_default();
        *n += 1;
        let p = format!("〔{label}{n}〕");
        self.assigned.insert((label, canonical), p.clone());
        p
    }

    fn mask(&mut self, text: &str, findings: &[Finding]) -> String {
        replace_spans(text, findings, |f, original, out| out.push_str(&self.placeholder(&f.entity_type, original)))
    }
}

/// Readings of the ID number and the name that differ between materials: one issue each,
/// naming the pages only.
fn disagreements(checklist: &Checklist, extracted: &[Vec<Option<Extracted>>]) -> Vec<String> {
    use crate::checklist::FieldKind;
    let mut issues = Vec::new();
    for (kind, what) in [(FieldKind::ResidentId, "公民身份号码"), (FieldKind::Person, "姓名")] {
        let mut seen: Vec<(String, usize)> = Vec::new();
        for (m, mat) in checklist.materials.iter().enumerate() {
            for (f, field) in mat.fields.iter().enumerate() {
                if let Some(e) = &extracted[m][f]
                    && field.kind == kind
                    && e.status == FieldStatus::Found
                {
                    let reading = if kind == FieldKind::ResidentId { e.reading.clone() } else { fold_reading(e) };
                    seen.push((reading, e.page + 1));
                }
            }
        }
        let distinct: BTreeSet<&str> = seen.iter().map(|(r, _)| r.as_str()).collect();
        if distinct.len() > 1 {
            let pages: BTreeSet<usize> = seen.iter().map(|(_, p)| *p).collect();
            let pages: Vec<String> = pages.iter().map(|p| format!("第{p}页")).collect();
            issues.push(format!("各材料上的{what}不一致（{}），请核对原件", pages.join("、")));
        }
    }
    issues
}

fn fold_reading(e: &Extracted) -> String {
    crate::ocr::fold_str(&e.reading)
}

/// The characters `span` of `text`.
fn span_text(text: &str, span: (usize, usize)) -> String {
    text.chars().skip(span.0).take(span.1.saturating_sub(span.0)).collect()
}

/// Lower-case hex SHA-256 of a text.
pub(crate) fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// A material's status from its pages and fields: missing without pages; otherwise the worst
/// of its fields, unreadable before invalid before incomplete.
fn material_status(pages: &[usize], fields: &[FieldResult]) -> MaterialStatus {
    if pages.is_empty() {
        return MaterialStatus::Missing;
    }
    let any = |pred: &dyn Fn(&FieldResult) -> bool| fields.iter().any(pred);
    if any(&|f| f.required && matches!(f.status, FieldStatus::LowConfidence | FieldStatus::Unparseable)) {
        MaterialStatus::Unreadable
    } else if any(&|f| matches!(f.status, FieldStatus::Invalid | FieldStatus::Expired)) {
        MaterialStatus::Invalid
    } else if any(&|f| f.required && f.status == FieldStatus::Missing) {
        MaterialStatus::Incomplete
    } else {
        MaterialStatus::Present
    }
}

/// Apply `one_of` groups (a present alternative makes the missing ones `not_needed`), then
/// decide completeness and list the issues.
fn settle_groups(specs: &[MaterialSpec], materials: &mut [MaterialResult]) -> (bool, Vec<String>) {
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, s) in specs.iter().enumerate() {
        if let Some(g) = &s.one_of {
            groups.entry(g).or_default().push(i);
        }
    }
    let mut complete = true;
    let mut issues = Vec::new();
    let mut reported_groups = BTreeSet::new();
    for (i, spec) in specs.iter().enumerate() {
        let group = spec.one_of.as_deref().and_then(|g| groups.get(g).map(|m| (g, m)));
        let satisfied_by_other = group.is_some_and(|(_, members)| {
            members.iter().any(|&j| j != i && materials[j].status == MaterialStatus::Present)
        });
        let required = spec.required || group.is_some_and(|(_, m)| m.iter().any(|&j| specs[j].required));
        let m = &mut materials[i];
        if m.status == MaterialStatus::Missing && satisfied_by_other {
            m.status = MaterialStatus::NotNeeded;
            continue;
        }
        if required && m.status != MaterialStatus::Present && !satisfied_by_other {
            complete = false;
        }
        match m.status {
            MaterialStatus::Missing => {
                let Some((g, members)) = group else {
                    if spec.required {
                        issues.push(format!("缺少材料：{}", m.name));
                    }
                    continue;
                };
                if required && reported_groups.insert(g) {
                    let names: Vec<&str> = members.iter().map(|&j| specs[j].name.as_str()).collect();
                    issues.push(format!("缺少材料：{}", names.join(" 或 ")));
                }
            }
            _ => {
                for f in &m.fields {
                    let what = match f.status {
                        FieldStatus::Found => continue,
                        FieldStatus::Missing if !f.required => continue,
                        FieldStatus::Missing => "未找到".to_owned(),
                        FieldStatus::LowConfidence => "识别置信度低，请核对原件".to_owned(),
                        FieldStatus::Unparseable => "无法识别，请核对原件".to_owned(),
                        FieldStatus::Invalid => "未通过校验，请核对原件".to_owned(),
                        FieldStatus::Expired => "已过期".to_owned(),
                    };
                    let detail = f.detail.as_deref().map(|d| format!("（{d}）")).unwrap_or_default();
                    issues.push(format!("{}：{}{what}{detail}", m.name, f.name));
                }
            }
        }
    }
    (complete, issues)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::submission::{Line, Page};
    use govai_classify::GuardClassifier;

    const CHECKLIST: &str = r#"
id = "residence_permit"
scenario = "assisted_handling"
name = "居住证申领"

[[materials]]
id = "id_card"
name = "居民身份证"
titles = ["居民身份证", "公民身份号码"]
exclude = ["登记表", "常住人口登记卡"]
fields = [
  { name = "姓名", kind = "person" },
  { name = "公民身份号码", kind = "resident_id" },
  { name = "有效期限", kind = "validity" },
]

[[materials]]
id = "application_form"
name = "居住证申领登记表"
titles = ["居住证申领登记表"]
fields = [
  { name = "申请人签名", kind = "signature", labels = ["申请人签名", "申请人(签名)"] },
  { name = "日期", kind = "date", labels = ["填表日期", "日期"] },
]

[[materials]]
id = "lease"
name = "房屋租赁合同"
titles = ["租赁合同"]
one_of = "residence_proof"

[[materials]]
id = "residence_certificate"
name = "住所证明"
titles = ["住所证明"]
one_of = "residence_proof"
"#;

    fn checklist() -> Checklist {
        toml::from_str(CHECKLIST).unwrap()
    }

    fn page(file: &str, lines: &[(&str, f32)]) -> Page {
        Page::new(file, lines.iter().map(|(t, c)| Line::new(*t, *c)).collect())
    }

    fn id_card() -> Page {
        page(
            "张三身份证.jpg",
            &[
                ("姓名 张三", 0.98),
                ("住址 北京市东城区景山前街4号", 0.95),
                ("公民身份号码 1101 0519 4912 3100 2X", 0.96),
                ("中华人民共和国 居民身份证", 0.99),
                ("有效期限 2016.03.01-2036.03.01", 0.97),
            ],
        )
    }

    fn form(signature_confidence: f32) -> Page {
        page(
            "登记表.jpg",
            &[
                ("居住证申领登记表", 0.99),
                ("申请人（签名）：张三", signature_confidence),
                ("填表日期：2026年12月1日", 0.95),
            ],
        )
    }

    fn run(pages: Vec<Page>) -> Evaluation {
        let guard = GuardClassifier::default();
        let classify = |t: &str| Ok(guard.scan(t));
        let as_of = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        evaluate(&checklist(), &Submission::new(pages), as_of, &classify, &[]).unwrap()
    }

    fn status(e: &Evaluation, id: &str) -> MaterialStatus {
        e.materials.iter().find(|m| m.id == id).unwrap().status
    }

    #[test]
    fn complete_submission_with_one_alternative() {
        let e = run(vec![id_card(), form(0.9), page("c.jpg", &[("房屋租赁合同", 0.9)])]);
        assert!(e.complete, "{:?}", e.issues);
        assert!(e.issues.is_empty(), "{:?}", e.issues);
        assert_eq!(status(&e, "id_card"), MaterialStatus::Present);
        assert_eq!(status(&e, "residence_certificate"), MaterialStatus::NotNeeded);
        // Name, ID number and address together: the identity bundle, important data.
        assert_eq!(e.personal_data.level, DataLevel::Important);
        assert!(e.personal_data.entity_types.contains(&"cn_resident_id".to_owned()));
        let id = &e.materials[0].fields[1];
        assert_eq!((id.status, id.page, id.line), (FieldStatus::Found, Some(1), Some(3)));
        assert_eq!(id.value.as_deref(), Some("〔身份证号1〕"));
        let json = serde_json::to_string(&e.pages).unwrap();
        assert!(!json.contains("0519") && !json.contains("张三"), "{json}");
        assert_eq!(e.pages[0].lines[2].text, "公民身份号码 〔身份证号1〕");
        // The same name on the form gets the same placeholder as on the ID card.
        let name = e.materials[0].fields[0].value.clone().unwrap();
        assert!(e.pages[1].lines[1].text.contains(&name), "{name} {:?}", e.pages[1].lines);
    }

    #[test]
    fn missing_group_low_confidence_and_noisy_id() {
        let mut card = id_card();
        // OCR noise: O for 0, l for 1, a full-width digit, a lower-case x.
        card.lines[2].text = "公民身份号码：11O1O５l9491231OO2x".into();
        let e = run(vec![card, form(0.42)]);
        assert!(!e.complete);
        assert_eq!(status(&e, "application_form"), MaterialStatus::Unreadable);
        assert_eq!(status(&e, "lease"), MaterialStatus::Missing);
        assert!(e.issues.iter().any(|i| i == "缺少材料：房屋租赁合同 或 住所证明"), "{:?}", e.issues);
        assert_eq!(e.issues.iter().filter(|i| i.starts_with("缺少材料")).count(), 1, "{:?}", e.issues);
        assert!(e.issues.iter().any(|i| i.contains("申请人签名识别置信度低")), "{:?}", e.issues);
        // The ID number read through OCR noise is still found, masked and counted.
        assert_eq!(e.materials[0].fields[1].status, FieldStatus::Found);
        let json = serde_json::to_string(&e.pages).unwrap();
        assert!(!json.contains("l9491231OO2x"), "{json}");
        assert!(e.personal_data.findings.iter().any(|f| f.entity_type == "cn_resident_id"));
    }

    #[test]
    fn one_number_one_placeholder_and_disagreements_are_issues() {
        let form_with = |id: &str| {
            page(
                "登记表.jpg",
                &[("居住证申领登记表", 0.99), ("申请人（签名）：张三", 0.9), ("填表日期：2026年12月1日", 0.95)],
            )
            .with_line(&format!("身份证号码：{id}"))
        };
        let mut card = id_card();
        card.lines[2].text = "公民身份号码 11O1 O519 4912 31OO 2x".into();
        let e = run(vec![card.clone(), form_with("11010519491231002X"), page("c.jpg", &[("住所证明", 0.9)])]);
        assert!(e.complete, "{:?}", e.issues);
        assert_eq!(e.pages[0].lines[2].text, "公民身份号码 〔身份证号1〕");
        assert_eq!(e.pages[1].lines[3].text, "身份证号码：〔身份证号1〕");
        let mut checklist = checklist();
        checklist.materials[1].fields.push(crate::checklist::FieldSpec {
            name: "公民身份号码".into(),
            kind: crate::checklist::FieldKind::ResidentId,
            labels: vec!["身份证号码".into()],
            required: true,
        });
        let guard = GuardClassifier::default();
        let classify = |t: &str| Ok(guard.scan(t));
        let as_of = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        let other = "110101199003077774";
        assert!(
            govai_classify::validate::check_resident_id(other.as_bytes(), (2026, 12, 5)).is_some_and(|c| c.checksum)
        );
        let pages = vec![card, form_with(other), page("c.jpg", &[("住所证明", 0.9)])];
        let e = evaluate(&checklist, &Submission::new(pages), as_of, &classify, &[]).unwrap();
        assert!(!e.complete);
        assert_eq!(e.issues, vec!["各材料上的公民身份号码不一致（第1页、第2页），请核对原件".to_owned()]);
    }

    /// Lines built from labels, titles, digits, OCR confusions, separators and other text.
    fn noisy_line() -> impl proptest::strategy::Strategy<Value = (String, f32)> {
        use proptest::prelude::*;
        let piece = prop::sample::select(vec![
            "居民身份证",
            "公民身份号码",
            "姓名",
            "住址",
            "有效期限",
            "申请人(签名)",
            "填表日期",
            "常住人口登记卡",
            "居住证申领登记表",
            "住所证明",
            "租赁合同",
            "11010519491231002X",
            "1101 0519",
            "O",
            "l",
            "x",
            "２０２６",
            "年",
            "月",
            "日",
            "-",
            "长期",
            "：",
            " ",
            "　",
            "张三",
            "〔姓名1〕",
            "\u{200b}",
            "é",
            "𠀀",
            "2006.03.01",
        ]);
        (prop::collection::vec(piece, 0..12), 0.0f32..=1.0).prop_map(|(p, c)| (p.join("，"), c))
    }

    proptest::proptest! {
        #[test]
        fn any_pages_are_checked_without_panic_and_no_valid_id_survives_masking(
            pages in proptest::collection::vec(proptest::collection::vec(noisy_line(), 0..8), 1..5)
        ) {
            let pages: Vec<Page> = pages
                .iter()
                .enumerate()
                .map(|(i, lines)| Page::new(format!("p{i}.jpg"), lines.iter().map(|(t, c)| Line::new(t.clone(), *c)).collect()))
                .collect();
            let e = run(pages);
            proptest::prop_assert_eq!(e.materials.len(), 4);
            for p in &e.pages {
                for l in &p.lines {
                    proptest::prop_assert!(!l.text.contains("11010519491231002X"), "{}", l.text);
                }
            }
        }
    }

    proptest::proptest! {
        /// Pieces glued without separators: no panic (an ID glued to other digits may escape the
        /// classifier's digit-run recognizer, so masking is not asserted here).
        #[test]
        fn glued_pieces_never_panic(lines in proptest::collection::vec(noisy_line(), 1..10)) {
            let glued: Vec<Line> = lines.iter().map(|(t, c)| Line::new(t.replace('，', ""), *c)).collect();
            let e = run(vec![Page::new("p.jpg", glued)]);
            proptest::prop_assert_eq!(e.pages.len(), 1);
        }
    }

    trait WithLine {
        fn with_line(self, text: &str) -> Self;
    }
    impl WithLine for Page {
        fn with_line(mut self, text: &str) -> Self {
            self.lines.push(Line::new(text, 0.95));
            self
        }
    }
}
