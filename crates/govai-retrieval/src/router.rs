//! 智能分办: route citizen tickets to departments by BM25 k-nearest-neighbours over labelled
//! example tickets.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, LazyLock};

use govai_core::{
    DataLevel, Error, Filing, InferenceInput, InferenceOutput, Location, Model, ModelInfo, ModelKind, Result, Source,
    async_trait,
};
use serde::{Deserialize, Serialize};

use crate::bm25::Bm25Index;
use crate::hybrid::{DenseIndex, Embedder, Fusion, fuse, rank};
use crate::kb::parse_jsonl_rows;
use crate::tokenize::tokenize;

/// The shipped labelled tickets (FICTIONAL, see `kb/README.md`), embedded in the binary.
pub(crate) const BUILTIN_TICKETS_JSONL: &str = include_str!("../kb/tickets.jsonl");

/// The built-in departments: id and Chinese name.
pub const DEPARTMENTS: &[(&str, &str)] = &[
    ("human_resources_social_security", "市人力资源和社会保障局"),
    ("public_security", "市公安局"),
    ("housing_construction", "市住房和城乡建设局"),
    ("market_regulation", "市市场监督管理局"),
    ("healthcare_security", "市医疗保障局"),
    ("education", "市教育局"),
    ("transport", "市交通运输局"),
    ("ecology_environment", "市生态环境局"),
    ("urban_management", "市城市管理局"),
    ("taxation", "市税务局"),
];

/// Chinese name of a built-in department id.
pub fn department_name_zh(id: &str) -> Option<&'static str> {
    DEPARTMENTS.iter().find(|(d, _)| *d == id).map(|(_, n)| *n)
}

/// Which part of a labelled set a ticket belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Split {
    /// Used as a k-NN example.
    Train,
    /// Held out for evaluation; never an example.
    Test,
}

/// A labelled ticket (one line of a tickets JSON Lines file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ticket {
    /// Stable id; when absent in the file, `ticket-<line number>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The citizen's message as submitted.
    pub text: String,
    /// Department id (snake_case).
    pub department: String,
    /// Display name for departments outside [`DEPARTMENTS`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department_name: Option<String>,
    /// `test` rows are held out; absent means train.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split: Option<Split>,
}

impl Ticket {
    /// Whether the ticket is held out (`"split": "test"`).
    pub fn is_test(&self) -> bool {
        self.split == Some(Split::Test)
    }
}

/// Parse a tickets JSON Lines text; ids default to `ticket-<line>`. Text and department must be
/// non-empty.
pub(crate) fn parse_tickets(text: &str, origin: &str) -> Result<Vec<Ticket>> {
    let rows = parse_jsonl_rows::<Ticket>(text, origin)?;
    let mut out = Vec::with_capacity(rows.len());
    for (line, mut t) in rows {
        if t.text.trim().is_empty() {
            return Err(Error::config(origin, format!("line {line}"), "empty `text`"));
        }
        if t.department.trim().is_empty() {
            return Err(Error::config(origin, format!("line {line}"), "empty `department`"));
        }
        t.id.get_or_insert_with(|| format!("ticket-{line}"));
        out.push(t);
    }
    Ok(out)
}

/// Load a tickets JSON Lines file.
pub(crate) fn load_tickets(path: impl AsRef<Path>) -> Result<Vec<Ticket>> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse_tickets(&text, &path.display().to_string())
}

static BUILTIN_TICKETS: LazyLock<Arc<Vec<Ticket>>> = LazyLock::new(|| {
    Arc::new(
        parse_tickets(BUILTIN_TICKETS_JSONL, "<builtin tickets.jsonl>")
            .expect("the embedded tickets are valid (checked by tests)"),
    )
});

/// All shipped tickets, train and test.
pub fn builtin_tickets() -> Vec<Ticket> {
    BUILTIN_TICKETS.as_ref().clone()
}

/// One neighbour that voted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Neighbour {
    /// Index into [`KnnRouter::examples`].
    pub example: usize,
    /// Department the neighbour is labelled with.
    pub department: String,
    /// Its similarity to the ticket (BM25, cosine or fused, per [`RoutingMethod`]); its vote weight.
    pub score: f32,
}

/// A routing decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Routing {
    /// The winning department id; `None` when no example shares a term with the ticket.
    pub department: Option<String>,
    /// The winner's share of the score-weighted vote, in `[0, 1]`.
    pub confidence: f32,
    /// The k nearest examples, best first.
    pub neighbours: Vec<Neighbour>,
}

/// How [`KnnRouter`] finds the nearest examples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoutingMethod {
    /// BM25 similarity (weight-free; the default without an embedder).
    Bm25,
    /// Cosine similarity of sentence embeddings.
    Embedding,
    /// BM25 and cosine fused ([`Fusion`]).
    Hybrid,
}

impl RoutingMethod {
    /// The snake_case name, as serialised (`bm25`, `embedding`, `hybrid`).
    pub fn as_str(self) -> &'static str {
        match self {
            RoutingMethod::Bm25 => "bm25",
            RoutingMethod::Embedding => "embedding",
            RoutingMethod::Hybrid => "hybrid",
        }
    }
}

/// Accuracy on one department's test tickets.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DepartmentScore {
    /// Test tickets of the department.
    pub n: usize,
    /// Of those, routed to the department.
    pub correct: usize,
    /// `correct / n` (0 when `n` is 0).
    pub accuracy: f32,
}

/// Held-out evaluation of a router.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoutingReport {
    /// How the evaluated router found neighbours.
    pub method: RoutingMethod,
    /// `correct / n_test` over all test tickets (0 when there are none).
    pub accuracy: f32,
    /// Number of test tickets.
    pub n_test: usize,
    /// Test tickets routed to their true department.
    pub correct: usize,
    /// Number of examples the router votes with.
    pub n_train: usize,
    /// Neighbours consulted per ticket.
    pub k: usize,
    /// Keyed by the true department id.
    pub per_department: BTreeMap<String, DepartmentScore>,
}

/// Ticket router (kind [`ModelKind::Classify`]): k-NN with a score-weighted vote over
/// labelled example tickets. `infer` returns `建议转办：<部门>（<id>）`, the department id as
/// `label`, the vote share as `confidence` and the neighbours as `sources`.
///
/// Similarity is BM25; with an [`Embedder`] ([`with_embedder`](Self::with_embedder)) the
/// examples are embedded once at build time and the neighbours are found by cosine similarity
/// or by BM25 and cosine fused ([`RoutingMethod`]).
///
/// Immutable after construction; `Send + Sync`.
#[derive(Clone)]
pub struct KnnRouter {
    info: ModelInfo,
    k: usize,
    examples: Vec<Ticket>,
    index: Bm25Index,
    names: HashMap<String, String>,
    dense: Option<(Arc<dyn Embedder>, DenseIndex)>,
    method: RoutingMethod,
    fusion: Fusion,
}

impl std::fmt::Debug for KnnRouter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KnnRouter")
            .field("info", &self.info)
            .field("k", &self.k)
            .field("examples", &self.examples.len())
            .field("method", &self.method)
            .field("embedder", &self.dense.as_ref().map(|d| &d.0))
            .finish()
    }
}

impl KnnRouter {
    /// The `k` used by [`evaluate_builtin`]; the same value is the deployment config default.
    pub const DEFAULT_K: usize = 5;

    /// Over the train split of the shipped tickets. `k` of 0 is treated as 1.
    pub fn builtin(k: usize, info: ModelInfo) -> Self {
        let train: Vec<Ticket> = BUILTIN_TICKETS.iter().filter(|t| !t.is_test()).cloned().collect();
        Self::build(train, k, info)
    }

    /// Over a tickets JSON Lines file; rows with `"split": "test"` are left out.
    pub fn from_jsonl(path: impl AsRef<Path>, k: usize, info: ModelInfo) -> Result<Self> {
        let path = path.as_ref();
        let train: Vec<Ticket> = load_tickets(path)?.into_iter().filter(|t| !t.is_test()).collect();
        if train.is_empty() {
            return Err(Error::config(
                path.display().to_string(),
                "tickets",
                "no training tickets (all rows are `test` or the file is empty)",
            ));
        }
        Ok(Self::build(train, k, info))
    }

    /// Over exactly these examples (whatever their split). Errors when there are none.
    pub fn from_examples(examples: Vec<Ticket>, k: usize, info: ModelInfo) -> Result<Self> {
        if examples.is_empty() {
            return Err(Error::InvalidInput("a k-NN router needs at least one example ticket".to_owned()));
        }
        Ok(Self::build(examples, k, info))
    }

    fn build(examples: Vec<Ticket>, k: usize, info: ModelInfo) -> Self {
        let index = Bm25Index::new(examples.iter().map(|t| t.text.clone()).collect());
        let mut names = HashMap::new();
        for t in &examples {
            if let Some(n) = &t.department_name {
                names.entry(t.department.clone()).or_insert_with(|| n.clone());
            }
        }
        Self {
            info,
            k: k.max(1),
            examples,
            index,
            names,
            dense: None,
            method: RoutingMethod::Bm25,
            fusion: Fusion::default(),
        }
    }

    /// The method [`with_embedder`](Self::with_embedder) selects: BM25 and cosine fused with
    /// [`Fusion::default`], the best leave-one-out accuracy on the train split of the shipped
    /// tickets (see there).
    pub const DEFAULT_EMBEDDING_METHOD: RoutingMethod = RoutingMethod::Hybrid;

    /// Find neighbours with `embedder` too: embeds every example now (one call) and switches to
    /// [`DEFAULT_EMBEDDING_METHOD`](Self::DEFAULT_EMBEDDING_METHOD). Errors when the embedder
    /// fails or returns vectors of differing dimensions.
    pub fn with_embedder(mut self, embedder: Arc<dyn Embedder>) -> Result<Self> {
        let texts: Vec<&str> = self.examples.iter().map(|t| t.text.as_str()).collect();
        let index = DenseIndex::build(embedder.as_ref(), &texts)?;
        self.dense = Some((embedder, index));
        self.method = Self::DEFAULT_EMBEDDING_METHOD;
        Ok(self)
    }

    /// Choose the similarity. `Embedding` and `Hybrid` need an embedder.
    pub fn with_method(mut self, method: RoutingMethod) -> Result<Self> {
        if method != RoutingMethod::Bm25 && self.dense.is_none() {
            return Err(Error::InvalidInput(format!(
                "routing method `{}` needs an embedder (KnnRouter::with_embedder)",
                method.as_str()
            )));
        }
        self.method = method;
        Ok(self)
    }

    /// How BM25 and cosine scores are fused for [`RoutingMethod::Hybrid`].
    pub fn with_fusion(mut self, fusion: Fusion) -> Result<Self> {
        fusion.validate()?;
        self.fusion = fusion;
        Ok(self)
    }

    /// How neighbours are found: [`RoutingMethod::Bm25`] without an embedder.
    pub fn method(&self) -> RoutingMethod {
        self.method
    }

    /// How BM25 and cosine scores are fused for [`RoutingMethod::Hybrid`].
    pub fn fusion(&self) -> Fusion {
        self.fusion
    }

    /// Neighbours consulted per ticket (at least 1).
    pub fn k(&self) -> usize {
        self.k
    }

    /// A suitable [`ModelInfo`] for the built-in router: id `govai-knn-router`, this crate's
    /// version, on premises, no filing needed. The clearance (`Sensitive`) is a default; a
    /// deployment sets its own.
    pub fn default_info() -> ModelInfo {
        ModelInfo {
            id: "govai-knn-router".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            kind: ModelKind::Classify,
            clearance: DataLevel::Sensitive,
            location: Location::OnPremises,
            filing: Filing::default(),
        }
    }

    /// The labelled examples neighbours are drawn from (no test rows).
    pub fn examples(&self) -> &[Ticket] {
        &self.examples
    }

    /// Display name of a department: from the examples' `department_name`, else the built-in
    /// Chinese name, else the id itself.
    pub fn department_name(&self, id: &str) -> String {
        self.names
            .get(id)
            .cloned()
            .or_else(|| department_name_zh(id).map(str::to_owned))
            .unwrap_or_else(|| id.to_owned())
    }

    /// Route one ticket. Each of the k nearest examples votes for its department with its
    /// similarity (BM25, cosine or fused score; only positive scores vote); ties go to the
    /// department with the single best neighbour, then the smaller id. A ticket without a single
    /// word or character token (`？？？`) is left to a human whatever the method. Infallible: with
    /// an embedder, an embedding failure falls back to BM25; [`try_route`](Self::try_route) (what
    /// `infer` uses) reports it instead.
    pub fn route(&self, text: &str) -> Routing {
        self.try_route(text).unwrap_or_else(|_| self.vote(self.index.search(text, self.k)))
    }

    /// [`route`](Self::route), reporting embedding failures.
    pub fn try_route(&self, text: &str) -> Result<Routing> {
        let hits = match (&self.dense, self.method) {
            (Some((embedder, dense)), m @ (RoutingMethod::Embedding | RoutingMethod::Hybrid)) => {
                if tokenize(text).is_empty() {
                    Vec::new()
                } else {
                    let qv = dense.embed_query(embedder.as_ref(), text)?;
                    let sims = dense.similarities(&qv)?;
                    let scores = if m == RoutingMethod::Embedding {
                        sims
                    } else {
                        let mut lexical = vec![0.0_f32; self.examples.len()];
                        for (i, s) in self.index.search(text, self.examples.len()) {
                            lexical[i] = s;
                        }
                        fuse(&lexical, &sims, self.fusion)?
                    };
                    rank(&scores, self.k).into_iter().filter(|&(_, s)| s > 0.0).collect()
                }
            }
            _ => self.index.search(text, self.k),
        };
        Ok(self.vote(hits))
    }

    fn vote(&self, hits: Vec<(usize, f32)>) -> Routing {
        let neighbours: Vec<Neighbour> = hits
            .iter()
            .map(|&(i, score)| Neighbour { example: i, department: self.examples[i].department.clone(), score })
            .collect();
        // department -> (total vote, best single score)
        let mut votes: BTreeMap<&str, (f32, f32)> = BTreeMap::new();
        for n in &neighbours {
            let v = votes.entry(n.department.as_str()).or_default();
            v.0 += n.score;
            v.1 = v.1.max(n.score);
        }
        let total: f32 = votes.values().map(|v| v.0).sum();
        // BTreeMap iterates ids ascending; `max_by` keeps the last maximum, so compare ids reversed.
        let winner = votes
            .iter()
            .max_by(|a, b| a.1.0.total_cmp(&b.1.0).then(a.1.1.total_cmp(&b.1.1)).then(b.0.cmp(a.0)))
            .map(|(d, v)| ((*d).to_owned(), v.0));
        match winner {
            Some((d, v)) if total > 0.0 => {
                Routing { department: Some(d), confidence: (v / total).clamp(0.0, 1.0), neighbours }
            }
            _ => Routing { department: None, confidence: 0.0, neighbours },
        }
    }

    /// Accuracy on `tests` (their `department` is the truth), with [`route`](Self::route).
    pub fn evaluate(&self, tests: &[Ticket]) -> RoutingReport {
        match self.evaluate_with(tests, |t| Ok::<_, std::convert::Infallible>(self.route(t))) {
            Ok(r) => r,
            Err(never) => match never {},
        }
    }

    /// [`evaluate`](Self::evaluate) with [`try_route`](Self::try_route): the first embedding
    /// failure is an error rather than a BM25 fallback.
    pub fn try_evaluate(&self, tests: &[Ticket]) -> Result<RoutingReport> {
        self.evaluate_with(tests, |t| self.try_route(t))
    }

    fn evaluate_with<E>(
        &self,
        tests: &[Ticket],
        route: impl Fn(&str) -> std::result::Result<Routing, E>,
    ) -> std::result::Result<RoutingReport, E> {
        let mut per_department: BTreeMap<String, DepartmentScore> = BTreeMap::new();
        let mut correct = 0;
        for t in tests {
            let ok = route(&t.text)?.department.as_deref() == Some(t.department.as_str());
            let e = per_department.entry(t.department.clone()).or_insert(DepartmentScore {
                n: 0,
                correct: 0,
                accuracy: 0.0,
            });
            e.n += 1;
            if ok {
                e.correct += 1;
                correct += 1;
            }
        }
        for s in per_department.values_mut() {
            s.accuracy = ratio(s.correct, s.n);
        }
        Ok(RoutingReport {
            method: self.method,
            accuracy: ratio(correct, tests.len()),
            n_test: tests.len(),
            correct,
            n_train: self.examples.len(),
            k: self.k,
            per_department,
        })
    }
}

fn ratio(a: usize, b: usize) -> f32 {
    if b == 0 { 0.0 } else { a as f32 / b as f32 }
}

/// Train on the shipped train split, test on the shipped test split, with
/// [`KnnRouter::DEFAULT_K`].
pub fn evaluate_builtin() -> RoutingReport {
    let router = KnnRouter::builtin(KnnRouter::DEFAULT_K, KnnRouter::default_info());
    let tests: Vec<Ticket> = BUILTIN_TICKETS.iter().filter(|t| t.is_test()).cloned().collect();
    router.evaluate(&tests)
}

#[async_trait]
impl Model for KnnRouter {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    async fn infer(&self, input: &InferenceInput) -> Result<InferenceOutput> {
        let text = if input.query.trim().is_empty() { &input.prompt } else { &input.query };
        let routing = self.try_route(text)?;
        let sources = routing
            .neighbours
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let ex = &self.examples[n.example];
                Source {
                    index: i + 1,
                    id: ex.id.clone().unwrap_or_else(|| format!("example-{}", n.example + 1)),
                    title: self.department_name(&n.department),
                    text: ex.text.clone(),
                    url: None,
                    score: n.score,
                }
            })
            .collect();
        Ok(match routing.department {
            Some(d) => InferenceOutput {
                text: format!("建议转办：{}（{d}）", self.department_name(&d)),
                sources,
                label: Some(d),
                confidence: Some(routing.confidence),
                ..InferenceOutput::default()
            },
            None => InferenceOutput {
                text: "未能匹配到承办部门，建议人工分办。".to_owned(),
                sources: Vec::new(),
                ..InferenceOutput::default()
            },
        })
    }
}
