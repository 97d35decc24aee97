//! 8 threads x 1000 requests through one deployment: every request is audited and the chain
//! verifies.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use govai_core::Request;

#[test]
fn eight_threads_thousand_requests_one_valid_chain() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("audit.jsonl");
    let config = format!(
        "{}\n",
        govai::DEFAULT_CONFIG.replace(
            "path = \".govai-demo/audit.jsonl\"\nfsync = \"always\"",
            "path = \"audit.jsonl\"\nfsync = \"never\""
        )
    );
    assert!(config.contains("fsync = \"never\""));
    let dep = Arc::new(govai::from_toml_str(&config, d.path()).unwrap());
    let questions = ["社保卡丢了怎么补办？", "居住证要带什么材料", "手机13800138000能查公积金吗", "路灯坏了"];
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let dep = dep.clone();
            std::thread::spawn(move || {
                for i in 0..1000 {
                    let scenario = if i % 4 == 3 { "intelligent_routing" } else { "intelligent_qa" };
                    let r = dep.handle(Request::new(scenario, questions[(t + i) % questions.len()])).unwrap();
                    assert!(r.audit_id > 0);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let report = govai_core::audit::verify(&path, None).unwrap();
    assert!(report.intact, "{report:?}");
    assert_eq!(report.records, 8000);
}
