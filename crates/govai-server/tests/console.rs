//! The web console over real HTTP: sign-in with a key (and its login-CSRF nonce), sessions
//! behind an HttpOnly/SameSite=Strict/Secure cookie, CSRF and cross-site posts refused, pages
//! by role, a reviewer approving a queued answer that the caller's poll then returns, an
//! auditor who cannot approve, the audit search, export and chain check, a revoked key ending
//! its session, and every action in the audit log.

mod support;

use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use serde_json::Value;
use support::{EchoUpstream, Gateway, chat, config};

const ROLES: &str = r#"
[server.roles.portal]
scenarios = ["echo_public"]
[server.roles.reviewer]
permissions = ["review_queue"]
personal_data = "masked"
[server.roles.auditor]
permissions = ["audit"]
[server.roles.owner]
permissions = ["models", "knowledge_base"]
"#;

/// A browser without JavaScript: keeps the cookies it is given, follows no redirects.
struct Browser<'a> {
    g: &'a Gateway,
    client: reqwest::Client,
    cookies: Vec<(String, String)>,
}

struct Page {
    status: u16,
    location: Option<String>,
    headers: HeaderMap,
    body: String,
}

impl<'a> Browser<'a> {
    fn new(g: &'a Gateway) -> Self {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        Self { g, client, cookies: Vec::new() }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    fn keep(&mut self, headers: &HeaderMap) {
        for v in headers.get_all(SET_COOKIE) {
            let text = v.to_str().expect("ascii cookie");
            let attrs: Vec<&str> = text.split(';').map(str::trim).collect();
            for required in ["HttpOnly", "SameSite=Strict", "Secure"] {
                assert!(attrs.contains(&required), "cookie without {required}: {text}");
            }
            let (name, value) = attrs[0].split_once('=').expect("name=value");
            self.cookies.retain(|(k, _)| k != name);
            if !value.is_empty() {
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
    }

    fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let req = req.header("cookie", self.cookie_header());
        let page = self.g.runtime.block_on(async {
            let r = req.send().await.expect("request sent");
            let status = r.status().as_u16();
            let headers = r.headers().clone();
            let location = headers.get(LOCATION).map(|l| l.to_str().expect("ascii").to_owned());
            Page { status, location, headers, body: r.text().await.expect("body") }
        });
        self.keep(&page.headers);
        page
    }

    fn get(&mut self, path: &str) -> Page {
        let url = format!("{}{path}", self.g.base);
        let req = self.client.get(url);
        self.send(req)
    }

    fn post(&mut self, path: &str, form: &[(&str, &str)], origin: Option<&str>) -> Page {
        let url = format!("{}{path}", self.g.base);
        let mut req = self.client.post(url).form(form);
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        self.send(req)
    }

    fn sign_in(&mut self, key: &str) -> Page {
        let form = self.get("/console/login");
        assert_eq!(form.status, 200);
        let nonce = field(&form.body, "nonce");
        self.post("/console/login", &[("key", key), ("nonce", &nonce), ("next", "/console/")], None)
    }
}

/// The value of the hidden input `name` in a page.
fn field(html: &str, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    let at = html.find(&marker).unwrap_or_else(|| panic!("no field {name} in {html}")) + marker.len();
    html[at..].split('"').next().expect("value").to_owned()
}

#[test]
fn console_sessions_roles_actions_and_audit() {
    let upstream = EchoUpstream::start();
    let server = format!("keys_file = \"keys.json\"\n{ROLES}");
    let text =
        format!("{}\n[store]\nbackend = \"sqlite\"\npath = \"store.sqlite\"\n", config(&upstream.base_url, &server));
    let mut keys = Vec::new();
    let g = Gateway::start_with(&text, |dir| {
        for (caller, role) in
            [("portal", "portal"), ("reviewer-li", "reviewer"), ("audit-zhao", "auditor"), ("it-lead", "owner")]
        {
            keys.push(govai_server::keys::create(&dir.join("keys.json"), caller, role).expect("key").0);
        }
    });
    let (portal, reviewer, auditor) = (&keys[0], &keys[1], &keys[2]);

    // An escalated answer waits in the queue.
    let (status, _, r) =
        g.post("/v1/chat/completions", Some(portal), &chat("echo_public", "社保怎么转移？电话13800138000", false));
    assert_eq!((status, r["govai"]["outcome"].as_str()), (200, Some("escalated")), "{r}");
    let id = r["govai"]["review"]["id"].as_str().expect("review id").to_owned();
    let poll = r["govai"]["review"]["poll"].as_str().expect("poll").to_owned();

    // Not signed in: every page sends to the sign-in form; a wrong key is refused there.
    let mut anon = Browser::new(&g);
    let p = anon.get("/console/reviews");
    assert_eq!((p.status, p.location.as_deref()), (303, Some("/console/login?next=/console/reviews")));
    let p = anon.sign_in("gk_00000000_nope");
    assert_eq!(p.status, 401, "{}", p.body);
    assert!(p.body.contains("密钥无效或已吊销"), "{}", p.body);
    // A sign-in without the form's nonce cookie (a forged login form) is refused.
    let mut forger = Browser::new(&g);
    let p = forger.post("/console/login", &[("key", reviewer), ("nonce", "x"), ("next", "/console/")], None);
    assert_eq!(p.status, 401);

    // The reviewer signs in and lands on the queue; security headers on every page.
    let mut rev = Browser::new(&g);
    let p = rev.sign_in(reviewer);
    assert_eq!((p.status, p.location.as_deref()), (303, Some("/console/")));
    let p = rev.get("/console/");
    assert_eq!(p.location.as_deref(), Some("/console/reviews"));
    let p = rev.get("/console/reviews");
    assert_eq!(p.status, 200, "{}", p.body);
    let csp = p.headers["content-security-policy"].to_str().expect("csp");
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(p.headers["x-frame-options"], "DENY");
    assert!(p.body.contains(&format!("/console/reviews/{id}")), "the item is listed: {}", p.body);
    assert!(p.body.contains(r#"lang="zh-CN""#) && p.body.contains("审核队列"));
    assert!(!p.body.contains("/console/audit\""), "a reviewer sees no audit section");
    // The item: the draft with personal data masked for this role.
    let p = rev.get(&format!("/console/reviews/{id}"));
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(!p.body.contains("13800138000"), "masked for a reviewer whose role masks personal data");
    let csrf = field(&p.body, "csrf");

    // A post without the session's token, or from another site, changes nothing.
    let decide = format!("/console/reviews/{id}/decide");
    let p = rev.post(&decide, &[("csrf", "forged"), ("action", "approve")], None);
    assert_eq!(p.status, 403, "{}", p.body);
    let p = rev.post(&decide, &[("csrf", &csrf), ("action", "approve")], Some("https://evil.example"));
    assert_eq!(p.status, 403, "{}", p.body);
    let (_, view) = g.get(&poll, Some(portal));
    assert!(view.contains("\"pending\""), "{view}");

    // The auditor signs in: no review section, and approving is refused by the API's check.
    let mut aud = Browser::new(&g);
    aud.sign_in(auditor);
    let p = aud.get("/console/");
    assert_eq!(p.location.as_deref(), Some("/console/dashboard"));
    let p = aud.get("/console/reviews");
    assert!(p.body.contains("may not work the review queue"), "{}", p.body);
    let audit_csrf = field(&aud.get("/console/audit").body, "csrf");
    let p = aud.post(&decide, &[("csrf", &audit_csrf), ("action", "approve")], None);
    assert_eq!(p.status, 403, "{}", p.body);

    // The reviewer approves with an edit; the caller's poll returns it, labelled as reviewed.
    let p = rev.post(
        &decide,
        &[("csrf", &csrf), ("action", "approve"), ("text", "社保转移请到参保地经办机构办理。")],
        Some(&g.base),
    );
    assert_eq!((p.status, p.location.as_deref()), (303, Some("/console/reviews?done=approved")), "{}", p.body);
    let (_, view) = g.get(&poll, Some(portal));
    let view: Value = serde_json::from_str(&view).expect("json");
    assert_eq!(view["state"], "approved", "{view}");
    assert!(view["content"].as_str().expect("content").contains("社保转移请到参保地经办机构办理"), "{view}");

    // The auditor finds the decision by caller and kind, exports it, verifies the chain.
    let p = aud.get("/console/audit?user=reviewer-li&kind=human_review");
    assert_eq!(p.status, 200);
    assert!(p.body.contains("human_review") && p.body.contains("approve"), "{}", p.body);
    let p = aud.get("/console/audit/export?kind=human_review");
    assert_eq!(p.status, 200);
    assert_eq!(p.headers["content-type"], "application/x-ndjson; charset=utf-8");
    let exported: Vec<Value> = p.body.lines().map(|l| serde_json::from_str(l).expect("jsonl")).collect();
    assert_eq!(exported.len(), 1, "{}", p.body);
    assert_eq!(exported[0]["user"], "reviewer-li");
    let p = aud.post("/console/audit/verify", &[("csrf", &audit_csrf)], None);
    assert!(p.body.contains("哈希链完整"), "{}", p.body);
    // The dashboard counts the request.
    let p = aud.get("/console/dashboard");
    assert!(p.body.contains(r#"data-testid="total-requests">1<"#), "{}", p.body);
    assert!(p.body.contains("<svg"), "charts drawn on the server");

    // English on request.
    let p = aud.get("/console/lang?to=en&next=/console/dashboard");
    assert_eq!(p.location.as_deref(), Some("/console/dashboard"));
    assert!(aud.get("/console/dashboard").body.contains(r#"lang="en""#));

    // Revoking the reviewer's key ends the session at the next page.
    let kid = reviewer.split('_').nth(1).expect("key id");
    govai_server::keys::revoke(&g.dir.path().join("keys.json"), kid).expect("revoke");
    std::thread::sleep(std::time::Duration::from_millis(1200));
    let p = rev.get("/console/reviews");
    assert_eq!(p.status, 303, "{}", p.body);
    // Signing out ends the auditor's session.
    let p = aud.post("/console/logout", &[("csrf", &audit_csrf)], None);
    assert_eq!(p.location.as_deref(), Some("/console/login"));
    assert_eq!(aud.get("/console/audit").status, 303);

    // The IT lead sets a canary from the models page, rolls it back, and opens a kept evaluation.
    let ops = govai_server::ops::Ops::open(&g.dir.path().join("govai.toml")).expect("ops");
    let kept = ops
        .record_evaluation(govai_store::NewEvaluation {
            scenario: "echo".into(),
            baseline_model: "remote".into(),
            baseline_version: "1".into(),
            candidate_model: "faq".into(),
            candidate_version: "1".into(),
            verdict: "go".into(),
            report: r#"{"verdict":"go","scenario":"echo","baseline":{"model":{"id":"remote"}},"candidate":{"model":{"id":"faq"}}}"#.into(),
            created_by: "it-lead".into(),
        })
        .expect("evaluation kept");
    let mut lead = Browser::new(&g);
    lead.sign_in(&keys[3]);
    let p = lead.get("/console/models");
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains(&format!("/console/models/evaluations/{}", kept.id)), "{}", p.body);
    let lead_csrf = field(&p.body, "csrf");
    let p =
        lead.post("/console/models/echo/canary", &[("csrf", &lead_csrf), ("model", "faq"), ("percent", "25")], None);
    assert_eq!(p.location.as_deref(), Some("/console/models?done=canary"), "{}", p.body);
    assert!(lead.get("/console/models").body.contains(r#"data-testid="canary-echo">faq 25.0%"#));
    let p =
        lead.post("/console/models/echo/canary", &[("csrf", &lead_csrf), ("model", "faq"), ("percent", "lots")], None);
    assert_eq!(p.status, 400, "a share that is not a number is named: {}", p.body);
    let p = lead.post("/console/models/echo/rollback", &[("csrf", &lead_csrf)], None);
    assert_eq!(p.location.as_deref(), Some("/console/models?done=rollback"));
    let p = lead.get(&format!("/console/models/evaluations/{}", kept.id));
    assert!(p.body.contains("可以上线 GO") && p.body.contains("faq"), "{}", p.body);

    // Every console action is in the log: sign-ins, the decision (by the reviewer, via the
    // console), the export, the sign-out.
    let records = g.audit_records();
    let has = |kind: &str, user: &str, action: &str| {
        records.iter().any(|r| r["kind"] == kind && r["user"] == user && r["action"] == action)
    };
    assert!(has("console", "reviewer-li", "sign_in"));
    let refused: Vec<&Value> = records.iter().filter(|r| r["action"] == "sign_in_refused").collect();
    assert_eq!(refused.len(), 1, "the wrong key's sign-in is audited");
    assert_eq!(refused[0]["key_id"], "00000000", "by its public id only");
    assert!(!records.iter().any(|r| r.to_string().contains("_nope")), "never the key itself");
    assert!(has("human_review", "reviewer-li", "approve"));
    assert!(has("console", "audit-zhao", "sign_out"));
    assert!(records.iter().any(|r| r["kind"] == "audit_export" && r["user"] == "audit-zhao"));
    assert!(has("rollout", "it-lead", "set") && has("rollout", "it-lead", "rollback"));
    assert!(govai::audit::verify(&g.audit, None).expect("verify").intact);
}
