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
use crate::kb::parse_jsonl_rows;

/// The shipped labelled tickets (FICTIONAL, see `kb/README.md`), embedded in the binary.
pub const BUILTIN_TICKETS_JSONL: &str = include_str!("../kb/tickets.jsonl");

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
    Train,
    Test,
}

/// A labelled ticket (one line of a tickets JSON Lines file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ticket {
    /// Stable id; when absent in the file, `ticket-<line number>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
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
    pub fn is_test(&self) -> bool {
        self.split == Some(Split::Test)
    }
}

/// Parse a tickets JSON Lines text; ids default to `ticket-<line>`. Text and department must be
/// non-empty.
pub fn parse_tickets(text: &str, origin: &str) -> Result<Vec<Ticket>> {
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
pub fn load_tickets(path: impl AsRef<Path>) -> Result<Vec<Ticket>> {
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
    pub department: String,
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

/// Accuracy on one department's test tickets.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DepartmentScore {
    pub n: usize,
    pub correct: usize,
    pub accuracy: f32,
}

/// Held-out evaluation of a router.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoutingReport {
    pub accuracy: f32,
    pub n_test: usize,
    pub correct: usize,
    pub n_train: usize,
    pub k: usize,
    /// Keyed by the true department id.
    pub per_department: BTreeMap<String, DepartmentScore>,
}

/// Ticket router (kind [`ModelKind::Classify`]): BM25 k-NN with a score-weighted vote over
/// labelled example tickets. `infer` returns `建议转办：<部门>（<id>）`, the department id as
/// `label`, the vote share as `confidence` and the neighbours as `sources`.
///
/// Immutable after construction; `Send + Sync`.
#[derive(Clone)]
pub struct KnnRouter {
    info: ModelInfo,
    k: usize,
    examples: Vec<Ticket>,
    index: Bm25Index,
    names: HashMap<String, String>,
}

impl std::fmt::Debug for KnnRouter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KnnRouter")
            .field("info", &self.info)
            .field("k", &self.k)
            .field("examples", &self.examples.len())
            .finish()
    }
}

impl KnnRouter {
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
        Self { info, k: k.max(1), examples, index, names }
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

    pub fn k(&self) -> usize {
        self.k
    }

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

    /// Route one ticket. Each of the k nearest examples votes for its department with its BM25
    /// score; ties go to the department with the single best neighbour, then the smaller id.
    pub fn route(&self, text: &str) -> Routing {
        let hits = self.index.search(text, self.k);
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

    /// Accuracy on `tests` (their `department` is the truth).
    pub fn evaluate(&self, tests: &[Ticket]) -> RoutingReport {
        let mut per_department: BTreeMap<String, DepartmentScore> = BTreeMap::new();
        let mut correct = 0;
        for t in tests {
            let ok = self.route(&t.text).department.as_deref() == Some(t.department.as_str());
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
        RoutingReport {
            accuracy: ratio(correct, tests.len()),
            n_test: tests.len(),
            correct,
            n_train: self.examples.len(),
            k: self.k,
            per_department,
        }
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
        let routing = self.route(text);
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
            },
            None => InferenceOutput {
                text: "未能匹配到承办部门，建议人工分办。".to_owned(),
                sources: Vec::new(),
                label: None,
                confidence: None,
            },
        })
    }
}
