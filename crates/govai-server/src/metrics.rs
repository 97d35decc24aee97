//! Prometheus metrics (`GET /metrics`, text format): requests by scenario, outcome and
//! verdict; latency histograms per pipeline stage and end to end; tokens; errors and
//! rejections by kind (rate limits, auth, limits, upstream failures); requests in flight.
//! One registry per server, so several servers in one process (tests) do not mix.

use std::collections::HashMap;
use std::sync::atomic::AtomicI64;
use std::sync::{Arc, Mutex};

use govai::openai::{CircuitState, OpenAiModel, UpstreamStats};
use govai::{Response, StageTimings};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    scenario: String,
    outcome: String,
    verdict: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VersionLabels {
    scenario: String,
    model: String,
    version: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VersionLatencyLabels {
    scenario: String,
    model: String,
    version: String,
}

/// One model version's requests in one scenario, since the server started: what the model
/// registry shows side by side (`GET /v1/govai/registry`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct VersionTally {
    pub scenario: String,
    pub model: String,
    pub version: String,
    pub requests: u64,
    pub answered: u64,
    pub escalated: u64,
    /// Blocked or refused (redirects and cancels count only in `requests`).
    pub refused: u64,
    /// Mean end-to-end latency in milliseconds.
    pub mean_ms: f64,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ScenarioLabels {
    scenario: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StageLabels {
    stage: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct UpstreamLabels {
    model: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CircuitLabels {
    model: String,
    state: &'static str,
}

/// The remote models' own totals, copied into counters when metrics are scraped.
#[derive(Debug, Default)]
struct Upstreams {
    models: std::sync::RwLock<Vec<Arc<OpenAiModel>>>,
    /// The totals at the last scrape, per model id: counters grow by the difference.
    last: Mutex<HashMap<String, UpstreamStats>>,
    attempts: Family<UpstreamLabels, Counter>,
    retries: Family<UpstreamLabels, Counter>,
    failures: Family<UpstreamLabels, Counter>,
    circuit_rejections: Family<UpstreamLabels, Counter>,
    fallback_answers: Family<UpstreamLabels, Counter>,
    circuit: Family<CircuitLabels, Gauge>,
}

impl Upstreams {
    fn register(&self, registry: &mut Registry) {
        registry.register(
            "govai_upstream_attempts",
            "Requests sent to remote models (each attempt)",
            self.attempts.clone(),
        );
        registry.register("govai_upstream_retries", "Retries of requests to remote models", self.retries.clone());
        registry.register("govai_upstream_errors", "Failed attempts at remote models", self.failures.clone());
        registry.register(
            "govai_upstream_circuit_rejections",
            "Calls refused at once because the circuit was open",
            self.circuit_rejections.clone(),
        );
        registry.register(
            "govai_upstream_fallback_answers",
            "Calls a fallback model answered",
            self.fallback_answers.clone(),
        );
        registry.register(
            "govai_upstream_circuit_state",
            "1 for the circuit breaker's current state",
            self.circuit.clone(),
        );
    }

    /// Bring the counters and gauges up to the models' totals.
    fn refresh(&self) {
        let Ok(mut last) = self.last.lock() else { return };
        let models = self.models.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        for m in models.iter() {
            let id = govai::Model::info(m.as_ref()).id.clone();
            let now = m.stats();
            let before = last.insert(id.clone(), now).unwrap_or_default();
            let labels = UpstreamLabels { model: id.clone() };
            let grow = |c: &Family<UpstreamLabels, Counter>, now: u64, before: u64| {
                c.get_or_create(&labels).inc_by(now.saturating_sub(before));
            };
            grow(&self.attempts, now.attempts, before.attempts);
            grow(&self.retries, now.retries, before.retries);
            grow(&self.failures, now.failed_attempts, before.failed_attempts);
            grow(&self.circuit_rejections, now.circuit_rejections, before.circuit_rejections);
            grow(&self.fallback_answers, now.fallback_answers, before.fallback_answers);
            let current = m.circuit_state();
            for (state, name) in
                [(CircuitState::Closed, "closed"), (CircuitState::Open, "open"), (CircuitState::HalfOpen, "half_open")]
            {
                let value = i64::from(state == current);
                self.circuit.get_or_create(&CircuitLabels { model: id.clone(), state: name }).set(value);
            }
        }
    }
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

/// 50 µs to about 27 minutes, doubling.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.000_05, 2.0, 25))
}

/// The server's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Histograms<ScenarioLabels>,
    stages: Histograms<StageLabels>,
    tokens: Family<KindLabels, Counter>,
    errors: Family<KindLabels, Counter>,
    in_flight: Gauge<i64, AtomicI64>,
    upstreams: Upstreams,
    queue_open: Gauge,
    queue_overdue: Gauge,
    queue_oldest: Gauge,
    webhook_failures: Counter,
    by_version: Family<VersionLabels, Counter>,
    version_latency: Histograms<VersionLatencyLabels>,
    tallies: std::sync::Mutex<std::collections::BTreeMap<(String, String, String), VersionTally>>,
}

impl Metrics {
    /// The metrics of a server whose deployment uses the remote models `remotes`.
    pub fn new(remotes: Vec<Arc<OpenAiModel>>) -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: Histograms<ScenarioLabels> = Family::new_with_constructor(latency_histogram);
        let stages: Histograms<StageLabels> = Family::new_with_constructor(latency_histogram);
        let tokens = Family::<KindLabels, Counter>::default();
        let errors = Family::<KindLabels, Counter>::default();
        let in_flight = Gauge::<i64, AtomicI64>::default();
        registry.register(
            "govai_requests",
            "Requests through the pipeline by scenario, outcome and verdict",
            requests.clone(),
        );
        registry.register(
            "govai_request_duration_seconds",
            "End-to-end latency as the gateway sees it",
            latency.clone(),
        );
        registry.register("govai_stage_duration_seconds", "Latency per pipeline stage", stages.clone());
        registry.register("govai_tokens", "Tokens reported by models (prompt, completion)", tokens.clone());
        registry.register(
            "govai_errors",
            "Requests answered with an error, by kind (unauthorized, rate_limited, too_large, model_error, timeout...)",
            errors.clone(),
        );
        registry.register("govai_in_flight_requests", "Requests being served", in_flight.clone());
        let upstreams = Upstreams { models: std::sync::RwLock::new(remotes), ..Upstreams::default() };
        upstreams.register(&mut registry);
        let (queue_open, queue_overdue, queue_oldest) = (Gauge::default(), Gauge::default(), Gauge::default());
        registry.register(
            "govai_review_queue_open",
            "Answers waiting for a person (pending or claimed)",
            queue_open.clone(),
        );
        registry.register("govai_review_queue_overdue", "Waiting answers past their SLA", queue_overdue.clone());
        registry.register(
            "govai_review_queue_oldest_age_seconds",
            "Age of the oldest waiting answer",
            queue_oldest.clone(),
        );
        let webhook_failures = Counter::default();
        registry.register(
            "govai_webhook_failures",
            "Review decisions the webhook could not deliver after all attempts",
            webhook_failures.clone(),
        );
        let by_version = Family::<VersionLabels, Counter>::default();
        registry.register(
            "govai_model_requests",
            "Requests by scenario, model version that answered (a canary's share included) and outcome",
            by_version.clone(),
        );
        let version_latency: Histograms<VersionLatencyLabels> = Family::new_with_constructor(latency_histogram);
        registry.register(
            "govai_model_request_duration_seconds",
            "End-to-end latency by scenario and model version",
            version_latency.clone(),
        );
        Self {
            by_version,
            version_latency,
            tallies: std::sync::Mutex::default(),
            webhook_failures,
            registry,
            requests,
            latency,
            stages,
            tokens,
            errors,
            in_flight,
            upstreams,
            queue_open,
            queue_overdue,
            queue_oldest,
        }
    }

    /// Report the remote models of a reloaded deployment from now on (their counters go on
    /// from where the previous models' left off).
    pub fn replace_remotes(&self, remotes: Vec<Arc<OpenAiModel>>) {
        self.upstreams.refresh();
        *self.upstreams.models.write().unwrap_or_else(std::sync::PoisonError::into_inner) = remotes;
        if let Ok(mut last) = self.upstreams.last.lock() {
            last.clear();
        }
    }

    /// Count a finished request.
    pub fn observe(&self, response: &Response, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                scenario: response.scenario.clone(),
                outcome: response.outcome.as_str().to_owned(),
                verdict: response.verdict.to_string(),
            })
            .inc();
        self.latency.get_or_create(&ScenarioLabels { scenario: response.scenario.clone() }).observe(seconds);
        self.observe_version(response, seconds);
        for (stage, micros) in stages(&response.timings_us) {
            if micros > 0 {
                self.stages.get_or_create(&StageLabels { stage }).observe(micros as f64 / 1e6);
            }
        }
        if let Some(u) = response.usage {
            self.tokens.get_or_create(&KindLabels { kind: "prompt" }).inc_by(u.prompt_tokens);
            self.tokens.get_or_create(&KindLabels { kind: "completion" }).inc_by(u.completion_tokens);
        }
    }

    /// Count the request against the model version that served it.
    fn observe_version(&self, response: &Response, seconds: f64) {
        let (scenario, model, version) =
            (response.scenario.clone(), response.model.id.clone(), response.model.version.clone());
        let outcome = response.outcome.as_str().to_owned();
        self.by_version
            .get_or_create(&VersionLabels {
                scenario: scenario.clone(),
                model: model.clone(),
                version: version.clone(),
                outcome,
            })
            .inc();
        self.version_latency
            .get_or_create(&VersionLatencyLabels {
                scenario: scenario.clone(),
                model: model.clone(),
                version: version.clone(),
            })
            .observe(seconds);
        let mut tallies = self.tallies.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let t = tallies.entry((scenario.clone(), model.clone(), version.clone())).or_insert_with(|| VersionTally {
            scenario,
            model,
            version,
            ..VersionTally::default()
        });
        t.mean_ms = (t.mean_ms * t.requests as f64 + seconds * 1e3) / (t.requests + 1) as f64;
        t.requests += 1;
        match response.outcome {
            govai::Outcome::Answered | govai::Outcome::NeedsRevision => t.answered += 1,
            govai::Outcome::Escalated => t.escalated += 1,
            govai::Outcome::Refused | govai::Outcome::Blocked => t.refused += 1,
            _ => {}
        }
    }

    /// Requests per scenario and model version since the server started.
    pub fn by_version(&self) -> Vec<VersionTally> {
        self.tallies.lock().unwrap_or_else(std::sync::PoisonError::into_inner).values().cloned().collect()
    }

    /// The review queue at scrape time.
    pub fn set_queue(&self, s: govai_store::backend::QueueStats) {
        let clamp = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        self.queue_open.set(clamp(s.open));
        self.queue_overdue.set(clamp(s.overdue));
        self.queue_oldest.set(clamp(s.oldest_age_secs));
    }

    /// A webhook event given up on.
    pub fn webhook_failed(&self) {
        self.webhook_failures.inc();
    }

    /// Count an error answer.
    pub fn error(&self, kind: crate::ErrorKind) {
        self.errors.get_or_create(&KindLabels { kind: kind.as_str() }).inc();
    }

    /// A request started; the guard counts it as finished when dropped.
    pub fn start(&self) -> InFlight<'_> {
        self.in_flight.inc();
        InFlight(&self.in_flight)
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        self.upstreams.refresh();
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// One request in flight.
#[derive(Debug)]
pub struct InFlight<'a>(&'a Gauge<i64, AtomicI64>);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}

fn stages(t: &StageTimings) -> [(&'static str, u64); 8] {
    [
        ("classify", t.classify),
        ("gate", t.gate),
        ("mask", t.mask),
        ("infer", t.infer),
        ("restore", t.restore),
        ("review", t.review),
        ("label", t.label),
        ("audit", t.audit),
    ]
}
