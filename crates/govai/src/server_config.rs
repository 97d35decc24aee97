//! `[server]`: how `govai serve` listens, who may call it and with what limits. The gateway
//! itself lives in `govai-server`; the keys live here so that one parser reports every error
//! of the config file with its key and line.

use std::collections::BTreeMap;
use std::path::PathBuf;

use govai_core::DataLevel;
use serde::Deserialize;

/// The role of callers without an API key when no keys are configured (loopback only).
pub const ANONYMOUS_ROLE: &str = "local";

/// `[server]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSection {
    /// Address to listen on (`--listen` overrides it). Without API keys only a loopback
    /// address is used.
    pub listen: String,
    /// JSON file of API keys, stored hashed (`govai keys create`). Relative to the config
    /// file. Absent or empty: no keys, anonymous callers on loopback with role `local`.
    pub keys_file: Option<PathBuf>,
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Most messages in one chat request.
    pub max_messages: usize,
    /// Longest message content, in bytes.
    pub max_message_bytes: usize,
    /// Seconds a request may take before it is cancelled (504; audited as cancelled).
    pub request_timeout_secs: u64,
    /// Requests served at once (the rest wait their turn within the timeout).
    pub max_concurrency: usize,
    /// Seconds given to requests in flight on SIGTERM / Ctrl-C before the server stops.
    pub drain_secs: u64,
    /// Roles by name; `local` is the anonymous role.
    pub roles: BTreeMap<String, RoleSection>,
}

impl Default for ServerSection {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8088".into(),
            keys_file: None,
            max_body_bytes: 2 << 20,
            max_messages: 64,
            max_message_bytes: 256 << 10,
            request_timeout_secs: 300,
            max_concurrency: 8,
            drain_secs: 30,
            roles: BTreeMap::new(),
        }
    }
}

impl ServerSection {
    /// The role `name`: configured, or the built-in anonymous role.
    pub fn role(&self, name: &str) -> Option<RoleSection> {
        match self.roles.get(name) {
            Some(r) => Some(r.clone()),
            None if name == ANONYMOUS_ROLE => Some(RoleSection::anonymous()),
            None => None,
        }
    }
}

/// What the gateway returns where the answer mentions personal data found in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonalData {
    /// The values as the citizen wrote them (restored from the placeholders the model saw).
    Restored,
    /// Masked again (`110***********1234`) before the caller sees them.
    Masked,
}

/// What one caller may do through the gateway (`[server.roles.NAME]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// `/v1/chat/completions`.
    Chat,
    /// `/v1/govai/scan` and `/v1/govai/mask`.
    Scan,
    /// `/v1/govai/review`.
    Review,
    /// `/v1/govai/audit/verify`.
    Audit,
    /// The human review queue: list, claim, approve, edit, reject; the feedback triage list.
    ReviewQueue,
    /// `/v1/govai/feedback`: record a citizen's rating of an answer.
    Feedback,
    /// The versioned knowledge base: read versions and diffs, propose changes, and approve or
    /// reject changes proposed by someone else.
    KnowledgeBase,
    /// The model registry and canary rollouts: read them, set a canary's share, roll back.
    Models,
    /// Reload the configuration (`POST /v1/govai/admin/reload`).
    Admin,
}

/// `[server.roles.NAME]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RoleSection {
    /// Scenario ids the role may use; `"*"` for all.
    pub scenarios: Vec<String>,
    /// Highest data level the caller may submit; more sensitive input gets 403 (audited).
    pub max_level: DataLevel,
    /// Whether restored personal data is returned, or masked again.
    pub personal_data: PersonalData,
    /// Whether the caller's own system messages reach the model (otherwise dropped, counted).
    pub system_prompt: bool,
    /// Requests per minute (token bucket refill); 0: unlimited.
    pub rate_per_minute: u32,
    /// Requests allowed in a burst above the rate.
    pub burst: u32,
    /// Requests of one caller in flight at once; 0: unlimited.
    pub concurrency: u32,
    /// What the role may call.
    pub permissions: Vec<Permission>,
}

impl Default for RoleSection {
    fn default() -> Self {
        Self {
            scenarios: vec!["*".into()],
            max_level: DataLevel::Sensitive,
            personal_data: PersonalData::Masked,
            system_prompt: false,
            rate_per_minute: 60,
            burst: 10,
            concurrency: 4,
            permissions: vec![Permission::Chat, Permission::Scan, Permission::Review, Permission::Feedback],
        }
    }
}

impl RoleSection {
    /// The built-in role of anonymous loopback callers (no keys configured): the operator on
    /// the machine itself, who may see what they typed.
    pub fn anonymous() -> Self {
        Self {
            max_level: DataLevel::Core,
            personal_data: PersonalData::Restored,
            rate_per_minute: 0,
            concurrency: 0,
            permissions: vec![
                Permission::Chat,
                Permission::Scan,
                Permission::Review,
                Permission::Audit,
                Permission::ReviewQueue,
                Permission::Feedback,
                Permission::KnowledgeBase,
                Permission::Models,
                Permission::Admin,
            ],
            ..Self::default()
        }
    }

    /// May this role use scenario `id`?
    pub fn allows_scenario(&self, id: &str) -> bool {
        self.scenarios.iter().any(|s| s == "*" || s == id)
    }

    /// May this role call what `p` names?
    pub fn allows(&self, p: Permission) -> bool {
        self.permissions.contains(&p)
    }
}

/// Which database holds the operations store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreBackend {
    /// One SQLite file (`path`), nothing to install.
    Sqlite,
    /// A PostgreSQL database shared by several gateway replicas (URL in `url_env`).
    Postgres,
}

/// `[store]`: where escalated answers wait for a human and feedback is kept. Absent: no store;
/// escalated answers are withheld as before and feedback is refused.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreSection {
    /// `sqlite` (default) or `postgres`.
    #[serde(default = "default_store_backend")]
    pub backend: StoreBackend,
    /// The SQLite file, relative to the config file.
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// The environment variable holding the PostgreSQL URL (it may carry a password, so it
    /// is never written in the config).
    #[serde(default)]
    pub url_env: Option<String>,
    /// Minutes a queued answer may wait before it is overdue.
    #[serde(default = "default_sla_minutes")]
    pub sla_minutes: u32,
    /// Also queue every answer of scenarios whose answers need a human's sign-off.
    #[serde(default)]
    pub queue_signoff: bool,
    /// POSTed `{"event": "review.decided", ...}` when a queued answer is approved or rejected
    /// (ids and state only; the caller fetches the answer with its own key).
    #[serde(default)]
    pub webhook_url: Option<String>,
    /// The environment variable holding the webhook's HMAC-SHA256 key; the body's signature
    /// goes in `X-Govai-Signature: sha256=<hex>`.
    #[serde(default)]
    pub webhook_secret_env: Option<String>,
    /// The `faq` and `rag` models answer from the store's current knowledge-base version (an
    /// approved change reaches them at once, and other replicas within two seconds), and cite
    /// it. An empty store is seeded with the knowledge base the models were configured with.
    #[serde(default)]
    pub knowledge_base: bool,
    /// A canary (set through the API, or in the config) needs a GO evaluation of that model
    /// version for that scenario kept in the store (`govai eval compare --record`).
    #[serde(default)]
    pub canary_requires_evaluation: bool,
}

fn default_store_backend() -> StoreBackend {
    StoreBackend::Sqlite
}

fn default_sla_minutes() -> u32 {
    30
}
