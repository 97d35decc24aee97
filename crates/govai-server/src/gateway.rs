//! The gateway's shared state: the deployment, the server settings, the keys, the limits and
//! the metrics; built once from the config file.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use govai::config::{Config, ModelEntry};
use govai::server_config::{ANONYMOUS_ROLE, RoleSection, ServerSection};
use govai::{Deployment, Reviewer};
use tokio::sync::Semaphore;

use crate::envelope::Redactor;
use crate::error::{Error, Result};
use crate::keys::{KeyOwner, KeyRing};
use crate::limits::Limiter;
use crate::metrics::Metrics;

/// The reviewers of the rails-only endpoint, shared.
pub(crate) type Reviewers = Arc<Vec<Arc<dyn Reviewer>>>;

/// Who is calling, once authenticated.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Caller id (from the key, or `local` without keys); in every audit record.
    pub id: String,
    /// The role's name.
    pub role_name: String,
    /// What the role allows.
    pub role: Arc<RoleSection>,
}

impl Caller {
    /// The caller's role allows what `p` names; otherwise 403 saying the role may not `what`.
    pub(crate) fn require(&self, p: govai::server_config::Permission, what: &str) -> Result<()> {
        if self.role.allows(p) {
            Ok(())
        } else {
            Err(Error::Forbidden(format!("role `{}` may not {what}", self.role_name)))
        }
    }
}

/// Everything a request handler needs.
pub struct Gateway {
    pub(crate) deployment: Arc<Deployment>,
    pub(crate) settings: ServerSection,
    pub(crate) keys: KeyRing,
    pub(crate) limiter: Arc<Limiter>,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) redactor: Redactor,
    /// Requests served at once.
    pub(crate) work: Arc<Semaphore>,
    /// Set on SIGTERM: new requests get 503 while those in flight finish.
    pub(crate) draining: AtomicBool,
    /// Base URLs of the remote models, probed by `/readyz`.
    pub(crate) upstreams: Vec<String>,
    pub(crate) http: reqwest::Client,
    /// How `/v1/govai/audit/verify` checks the log: the config's anchor, public key, witness.
    pub(crate) verify: govai::audit::VerifyOptions,
    /// The operations store (review queue, feedback), when `[store]` configures one.
    pub(crate) store: Option<Arc<govai_store::Store>>,
    /// Told when a queued answer is decided (`[store] webhook_url`).
    pub(crate) webhook: Option<crate::webhook::Webhook>,
    /// The versioned knowledge base (`[store] knowledge_base = true`).
    pub(crate) knowledge: Option<Arc<crate::knowledge::Knowledge>>,
    /// The serving reference answers (with a store).
    pub(crate) references: Option<Arc<crate::references::ReferenceCache>>,
    /// The newest rollout change from the store applied here.
    pub(crate) rollouts_seen: std::sync::atomic::AtomicU64,
    /// Its settings.
    pub(crate) store_settings: Option<govai::server_config::StoreSection>,
    /// What serves this gateway and swaps it for a reloaded one (set by [`crate::serve`]).
    pub(crate) live: std::sync::OnceLock<std::sync::Weak<crate::live::Live>>,
    /// The console's sessions (kept across reloads).
    pub(crate) sessions: Arc<crate::console::Sessions>,
    /// The reviewers of `/v1/govai/review`, built on first use.
    reviewers: Mutex<Option<Reviewers>>,
    config: Config,
    base_dir: PathBuf,
    file: String,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway").field("file", &self.file).finish_non_exhaustive()
    }
}

impl Gateway {
    /// Catch up with what other replicas changed in the store: the knowledge-base version, the
    /// reference answers and the rollouts.
    pub(crate) fn sync_from_store(&self) -> Result<()> {
        if let Some(k) = &self.knowledge {
            k.refresh()?;
        }
        if let Some(r) = &self.references {
            r.refresh()?;
        }
        self.apply_stored_rollouts()
    }

    /// Load the deployment and server settings of the config file at `path`.
    pub fn load(path: &Path) -> Result<Self> {
        let config = Config::from_file(path)?;
        let base = path.parent().unwrap_or_else(|| Path::new(".")).to_owned();
        Self::from_config(config, &base, &path.display().to_string())
    }

    /// Build from a parsed config; relative paths resolve against `base_dir`.
    pub fn from_config(config: Config, base_dir: &Path, file: &str) -> Result<Self> {
        Self::build(config, base_dir, file, None)
    }

    /// The gateway of the config file this one was loaded from, read again: the same audit
    /// log (one chain), metrics and rate limits go on; everything else is rebuilt. The
    /// `[audit]` table and the listen address are those of the running server.
    pub fn reloaded(&self) -> Result<Self> {
        let path = Path::new(&self.file);
        let config = Config::from_file(path)?;
        Self::build(config, &self.base_dir, &self.file, Some(self))
    }

    /// The file the gateway was loaded from.
    pub fn config_file(&self) -> &str {
        &self.file
    }

    fn build(mut config: Config, base_dir: &Path, file: &str, before: Option<&Self>) -> Result<Self> {
        let settings = config.server.clone();
        check_settings(&settings, file)?;
        // A role that may send system prompts is one the policy lets through: one place
        // (the role) says it, the core enforces it.
        for (name, role) in &settings.roles {
            if role.system_prompt && !config.policy.system_message_roles.contains(name) {
                config.policy.system_message_roles.push(name.clone());
            }
        }
        let audit = before.map(|b| b.deployment.audit_handle());
        let govai::Parts { deployment, remotes, retrievers } =
            govai::build_parts_with_audit(&config, base_dir, file, audit)?;
        let deployment = Arc::new(deployment);
        let keys_path = settings.keys_file.as_ref().map(|p| govai::config::resolve(base_dir, p));
        let keys = KeyRing::load(keys_path)?;
        let upstreams = config
            .models
            .iter()
            .filter_map(|m| match m {
                ModelEntry::OpenAi(e) => Some(e.base_url.clone()),
                _ => None,
            })
            .collect();
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(2))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Internal(format!("HTTP client for readiness probes: {e}")))?;
        let verify = govai::audit_verify_options(&config, base_dir);
        let store = open_store(config.store.as_ref(), base_dir, file)?.map(Arc::new);
        let webhook = match config.store.as_ref().and_then(|s| s.webhook_url.as_deref().map(|u| (u, s))) {
            Some((url, s)) => {
                Some(crate::webhook::Webhook::new(url, s.webhook_secret_env.as_deref()).map_err(|reason| {
                    Error::Config { file: file.to_owned(), key: "store.webhook_url".into(), reason }
                })?)
            }
            None => None,
        };
        let knowledge = match (&store, config.store.as_ref().is_some_and(|s| s.knowledge_base)) {
            (Some(store), true) => Some(Arc::new(crate::knowledge::Knowledge::start(store.clone(), retrievers, file)?)),
            _ => None,
        };
        let references = match &store {
            Some(store) => {
                let cache = Arc::new(crate::references::ReferenceCache::load(store.clone())?);
                deployment.set_reference_answers(Some(cache.clone()));
                Some(cache)
            }
            None => None,
        };
        let gateway = Self {
            references,
            rollouts_seen: std::sync::atomic::AtomicU64::new(0),
            store,
            knowledge,
            webhook,
            store_settings: config.store.clone(),
            verify,
            redactor: Redactor::new(deployment.clone())?,
            work: Arc::new(Semaphore::new(settings.max_concurrency.max(1))),
            deployment,
            keys,
            limiter: before.map_or_else(|| Arc::new(Limiter::default()), |b| b.limiter.clone()),
            sessions: before.map_or_else(Arc::default, |b| b.sessions.clone()),
            metrics: match before {
                Some(b) => {
                    b.metrics.replace_remotes(remotes);
                    b.metrics.clone()
                }
                None => Arc::new(Metrics::new(remotes)),
            },
            live: std::sync::OnceLock::new(),
            draining: AtomicBool::new(false),
            upstreams,
            http,
            reviewers: Mutex::new(None),
            settings,
            config,
            base_dir: base_dir.to_owned(),
            file: file.to_owned(),
        };
        gateway.check_configured_canaries(file)?;
        gateway.apply_stored_rollouts()?;
        Ok(gateway)
    }

    /// Canaries of the config file need a passing evaluation too (when the store requires one).
    fn check_configured_canaries(&self, file: &str) -> Result<()> {
        for (i, s) in self.config.scenarios.iter().enumerate() {
            if let Some(c) = s.canary.as_ref().filter(|c| c.percent > 0.0) {
                self.check_evaluation(&s.id, &c.model).map_err(|e| Error::Config {
                    file: file.to_owned(),
                    key: format!("scenarios[{i}].canary"),
                    reason: e.to_string(),
                })?;
            }
        }
        Ok(())
    }

    /// The deployment behind the gateway.
    pub fn deployment(&self) -> &Deployment {
        &self.deployment
    }

    /// The server settings (`[server]`).
    pub fn settings(&self) -> &ServerSection {
        &self.settings
    }

    /// Are API keys configured? Without, callers are anonymous and only loopback is served.
    pub fn has_keys(&self) -> bool {
        !self.keys.is_empty()
    }

    /// The caller a bearer token (or its absence) authenticates.
    pub(crate) fn authenticate(&self, bearer: Option<&str>) -> Result<Caller> {
        if !self.has_keys() {
            return self.caller(ANONYMOUS_ROLE, ANONYMOUS_ROLE);
        }
        let Some(token) = bearer else {
            return Err(Error::Unauthorized(
                "missing API key: send `Authorization: Bearer <key>` (keys are created with `govai keys create`)"
                    .into(),
            ));
        };
        match self.keys.lookup(token)? {
            Some(KeyOwner { caller, role, .. }) => self.caller(&caller, &role),
            None => Err(Error::Unauthorized("invalid or revoked API key".into())),
        }
    }

    fn caller(&self, id: &str, role: &str) -> Result<Caller> {
        let section = self.settings.role(role).ok_or_else(|| {
            Error::Forbidden(format!("the key's role `{role}` is not configured ([server.roles.{role}])"))
        })?;
        Ok(Caller { id: id.to_owned(), role_name: role.to_owned(), role: Arc::new(section) })
    }

    /// The reviewers of the rails-only review endpoint (the config's `[reviewers.*]`).
    pub(crate) fn reviewers(&self) -> Result<Reviewers> {
        let mut slot = self.reviewers.lock().map_err(|_| Error::Internal("reviewers poisoned".into()))?;
        if let Some(r) = slot.as_ref() {
            return Ok(r.clone());
        }
        let built = Arc::new(govai::build_reviewers(
            &self.config,
            Arc::new(govai::recognize::GuardClassifier::new(self.config.classifier.clone())?),
            &self.base_dir,
            &self.file,
        )?);
        *slot = Some(built.clone());
        Ok(built)
    }

    /// Stop taking new requests (those in flight finish).
    pub(crate) fn start_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    pub(crate) fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }
}

/// Open the store `[store]` describes, if any.
pub(crate) fn open_store(
    section: Option<&govai::server_config::StoreSection>,
    base_dir: &Path,
    file: &str,
) -> Result<Option<govai_store::Store>> {
    use govai::server_config::StoreBackend;
    let Some(s) = section else { return Ok(None) };
    let bad = |key: &str, reason: String| Error::Config { file: file.to_owned(), key: key.to_owned(), reason };
    let store = match s.backend {
        StoreBackend::Sqlite => {
            let path = s.path.as_ref().ok_or_else(|| bad("store.path", "missing: the SQLite file".into()))?;
            govai_store::Store::sqlite(&govai::config::resolve(base_dir, path))
        }
        StoreBackend::Postgres => {
            let var = s.url_env.as_deref().ok_or_else(|| {
                bad("store.url_env", "missing: the environment variable holding the PostgreSQL URL".into())
            })?;
            let url = std::env::var(var)
                .map_err(|_| bad("store.url_env", format!("environment variable {var} is not set")))?;
            govai_store::Store::postgres(&url)
        }
    };
    store.map(Some).map_err(|e| bad("store", e.to_string()))
}

fn check_settings(s: &ServerSection, file: &str) -> Result<()> {
    let bad =
        |key: &str, reason: &str| Error::Config { file: file.to_owned(), key: key.to_owned(), reason: reason.into() };
    if s.max_body_bytes == 0 {
        return Err(bad("server.max_body_bytes", "must be at least 1"));
    }
    if s.max_messages == 0 {
        return Err(bad("server.max_messages", "must be at least 1"));
    }
    if s.request_timeout_secs == 0 {
        return Err(bad("server.request_timeout_secs", "must be at least 1"));
    }
    for (name, role) in &s.roles {
        if role.scenarios.is_empty() {
            return Err(bad(&format!("server.roles.{name}.scenarios"), "empty: give scenario ids or \"*\""));
        }
    }
    Ok(())
}
