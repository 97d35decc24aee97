//! Property: no input whose level exceeds what a model may receive ever reaches that model,
//! whatever the text, the model's clearance and location, and the over-clearance action.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use govai_classify::GuardClassifier;
use govai_core::policy::{LocationCaps, limit_for};
use govai_core::{
    AuditLog, AuditOptions, DataClassifier, DataLevel, Deployment, Filing, FsyncPolicy, GateAction, Location, Model,
    ModelInfo, ModelKind, OverClearance, Policy, Request, SpecScenario,
};
use govai_integration_tests::RecordingModel;
use proptest::prelude::*;

const FRAGMENTS: &[&str] = &[
    "请问社保卡怎么补办？",
    "我叫王建国，",
    "身份证号11010519491231002X，",
    "身份证 440524188001010014 ",
    "手机13800138000，",
    "电话 +86 139-1234-5678",
    "银行卡号6222600260001072444。",
    "邮箱 zhang.san@example.gov.cn ",
    "住在广州市天河区体育西路123号",
    "机密★1年\n",
    "绝密★\n",
    "李娜 34052419800101001X 18612345678；",
    "张伟 513101198201130014 13800138001；",
    "刘洋 11010519491231002X 15012345678；",
    "患有糖尿病，",
    "车牌粤B12345，",
    "The weather is nice. ",
    "１３８００１３８０００",
];

fn level_strategy() -> impl Strategy<Value = DataLevel> {
    prop::sample::select(vec![
        DataLevel::Public,
        DataLevel::Internal,
        DataLevel::Sensitive,
        DataLevel::Important,
        DataLevel::Core,
    ])
}

fn location_strategy() -> impl Strategy<Value = Location> {
    prop::sample::select(vec![Location::OnPremises, Location::GovernmentCloud, Location::PublicInternet])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    #[test]
    fn nothing_over_the_limit_reaches_the_model(
        parts in prop::collection::vec(prop::sample::select(FRAGMENTS.to_vec()), 1..8),
        extra in "[a-z0-9一-龥 ]{0,20}",
        clearance in level_strategy(),
        location in location_strategy(),
        refuse in any::<bool>(),
        scenario_id in prop::sample::select(vec!["intelligent_qa", "policy_evaluation", "document_drafting"]),
    ) {
        let text = format!("{}{extra}", parts.concat());
        let dir = tempfile::tempdir().unwrap();
        let (audit, _) = AuditLog::open(dir.path().join("a.jsonl"), AuditOptions { fsync: FsyncPolicy::Never, ..AuditOptions::default() }).unwrap();
        let model = RecordingModel::new(ModelInfo {
            id: "rec".into(), version: "1".into(), kind: ModelKind::Classify, clearance, location, filing: Filing::default(),
        });
        let classifier = Arc::new(GuardClassifier::default());
        let policy = Policy {
            over_clearance: if refuse { OverClearance::Refuse } else { OverClearance::Mask },
            ..Policy::default()
        };
        let mut spec = govai_core::scenario::builtin(scenario_id).unwrap();
        spec.reviewers.clear();
        let deployment = Deployment::builder()
            .classifier(classifier.clone())
            .model(model.clone())
            .scenario(Arc::new(SpecScenario(spec.clone())), "rec")
            .policy(policy.clone())
            .audit(Arc::new(audit))
            .build()
            .unwrap();
        let response = deployment.handle(Request::new(scenario_id, text.clone())).unwrap();
        let (limit, _) = limit_for(&policy, &spec, model.info());
        prop_assert!(limit <= clearance);
        prop_assert!(limit <= LocationCaps::default().cap(location));
        let input_level = classifier.classify(&text).unwrap().level;
        for seen in model.seen() {
            let sent = classifier.classify(&seen.query).unwrap().level;
            prop_assert!(sent <= limit, "model with limit {limit} received {sent}: {:?}", seen.query);
            prop_assert!(sent < DataLevel::Secret);
            let prompt_level = classifier.classify(&seen.prompt).unwrap().level;
            prop_assert!(prompt_level <= limit, "prompt over limit: {:?}", seen.prompt);
        }
        if input_level == DataLevel::Secret || (refuse && input_level > limit) {
            prop_assert!(model.seen().is_empty(), "refused input reached the model");
            prop_assert_eq!(response.gate.action, GateAction::Refuse);
        }
        prop_assert_eq!(response.data_level, input_level);
    }
}
