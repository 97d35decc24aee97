//! What a deployment did, per scenario and day (UTC), from its audit log (the record of truth,
//! checked first) and, with a store, its review queue: volume; answered, refused, escalated and
//! redirected; latency p50/p99; human decisions and the override rate (drafts a person edited or
//! rejected); citizen feedback; queue wait; and which model version (canary, fallback, reference
//! answer) served how many requests.

use std::collections::{BTreeMap, HashMap};
use std::io::BufReader;
use std::path::Path;

use govai::io::BoundedLines;
use govai::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One scenario on one day (UTC dates of the records' `ts`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Row {
    pub day: String,
    pub scenario: String,
    pub requests: u64,
    pub answered: u64,
    /// Refused by the gate or blocked by review.
    pub refused: u64,
    pub escalated: u64,
    pub redirected: u64,
    /// Cancelled, needs revision, or failed.
    pub other: u64,
    pub latency_ms_p50: Option<f64>,
    pub latency_ms_p99: Option<f64>,
    /// Human approvals and rejections of queued answers.
    pub decisions: u64,
    /// Share of decisions that edited or rejected the draft.
    pub override_rate: Option<f64>,
    pub feedback: u64,
    pub feedback_mean: Option<f64>,
    /// Minutes from queueing to decision (store only).
    pub queue_wait_min_p50: Option<f64>,
    pub queue_wait_min_max: Option<f64>,
    #[serde(skip)]
    latencies_ms: Vec<f64>,
    #[serde(skip)]
    overridden: u64,
    #[serde(skip)]
    rating_sum: u64,
    #[serde(skip)]
    waits: Vec<f64>,
}

/// Requests a model version (or a reference answer, or a fallback) served.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelRow {
    pub scenario: String,
    pub model: String,
    pub version: String,
    /// What answered instead of the model (a fallback, `reference:<id>`), if anything.
    pub served_by: Option<String>,
    pub requests: u64,
}

/// The audit log's check.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuditCheck {
    pub file: String,
    pub intact: bool,
    pub records: u64,
    pub last_seq: u64,
    pub detail: Option<String>,
}

/// The report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub deployment: String,
    pub from: String,
    pub to: String,
    pub generated_at: String,
    pub audit: AuditCheck,
    /// Per day and scenario, by day then scenario.
    pub rows: Vec<Row>,
    pub models: Vec<ModelRow>,
    /// Records that could not be read (a bad line), with their line numbers.
    pub unreadable: Vec<String>,
    /// The queue now (store only).
    pub queue: Option<govai_store::backend::QueueStats>,
}

/// Where the figures come from.
#[derive(Debug, Clone)]
pub struct Sources<'a> {
    /// The deployment's name (`[deployment] name`).
    pub deployment: &'a str,
    /// Its audit log.
    pub audit_path: &'a Path,
    /// How the log is checked (anchor, public key, witness).
    pub verify: &'a govai::audit::VerifyOptions,
    /// Its operations store, for queue waits and the queue now.
    pub store: Option<&'a govai_store::Store>,
}

/// Read the audit log (and the store) for the days `from..=to` (`YYYY-MM-DD`, UTC).
pub fn build(sources: &Sources<'_>, from: Option<&str>, to: Option<&str>) -> Result<Report> {
    for (flag, day) in [("from", from), ("to", to)] {
        if let Some(d) = day.filter(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err()) {
            return Err(Error::InvalidInput(format!("{flag} `{d}`: expected YYYY-MM-DD")));
        }
    }
    let check = check_audit(sources.audit_path, sources.verify)?;
    let range = (from.unwrap_or("0000-01-01").to_owned(), to.unwrap_or("9999-12-31").to_owned());
    let mut tally = Tally::default();
    tally.read(sources.audit_path, &range)?;
    let queue = match sources.store {
        Some(store) => {
            tally.add_waits(store, &range)?;
            Some(store.queue_stats().map_err(store_error)?)
        }
        None => None,
    };
    Ok(Report {
        deployment: sources.deployment.to_owned(),
        from: from.map_or_else(|| tally.first_day().unwrap_or_default(), str::to_owned),
        to: to.map_or_else(|| tally.last_day().unwrap_or_default(), str::to_owned),
        generated_at: chrono::Utc::now().to_rfc3339(),
        audit: check,
        rows: tally.rows(),
        models: tally.models(),
        unreadable: tally.unreadable,
        queue,
    })
}

fn store_error(e: govai_store::Error) -> Error {
    Error::InvalidInput(format!("operations store: {e}"))
}

fn check_audit(path: &Path, verify: &govai::audit::VerifyOptions) -> Result<AuditCheck> {
    let v = govai::audit::verify_with(path, verify)?;
    Ok(AuditCheck {
        file: path.display().to_string(),
        intact: v.intact,
        records: v.records,
        last_seq: v.last_seq,
        detail: v.first_bad.as_ref().map(|b| format!("{b:?}")).or(v.anchor_detail.clone()),
    })
}

/// The figures being gathered.
#[derive(Default)]
struct Tally {
    cells: BTreeMap<(String, String), Row>,
    models: BTreeMap<(String, String, String, Option<String>), u64>,
    /// Request record seq -> scenario (feedback names the record it rates).
    scenario_of: HashMap<u64, String>,
    unreadable: Vec<String>,
}

impl Tally {
    fn cell(&mut self, day: &str, scenario: &str) -> &mut Row {
        self.cells.entry((day.to_owned(), scenario.to_owned())).or_insert_with(|| Row {
            day: day.to_owned(),
            scenario: scenario.to_owned(),
            ..Row::default()
        })
    }

    /// Every record of the log, in constant memory per line.
    fn read(&mut self, path: &Path, range: &(String, String)) -> Result<()> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let lines = BoundedLines::new(BufReader::new(file), govai::MAX_LINE_BYTES, path.display().to_string());
        for line in lines {
            let line = match line {
                Ok(l) => l,
                Err(e @ Error::Io { .. }) => return Err(e),
                Err(e) => {
                    self.unreadable.push(e.to_string());
                    continue;
                }
            };
            if line.text.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Value>(&line.text) {
                Ok(record) => self.add(&record, range),
                Err(e) => self.unreadable.push(format!("line {}: {e}", line.number)),
            }
        }
        Ok(())
    }

    fn add(&mut self, r: &Value, range: &(String, String)) {
        let day = r["ts"].as_str().and_then(|t| t.get(..10)).unwrap_or_default().to_owned();
        let scenario = r["scenario"].as_str().unwrap_or_default().to_owned();
        if r["kind"] == "request"
            && let Some(seq) = r["seq"].as_u64()
        {
            self.scenario_of.insert(seq, scenario.clone());
        }
        if day < range.0 || day > range.1 {
            return;
        }
        match r["kind"].as_str() {
            Some("request") => self.add_request(r, &day, &scenario),
            Some("error") => self.cell(&day, &scenario).other += 1,
            Some("human_review") if r["action"] != "claim" => {
                let overridden = r["action"] == "reject" || r["edited"] == true;
                let cell = self.cell(&day, &scenario);
                cell.decisions += 1;
                cell.overridden += u64::from(overridden);
            }
            Some("feedback") => {
                let rated = r["audit_ref"].as_u64().and_then(|s| self.scenario_of.get(&s).cloned()).unwrap_or_default();
                let cell = self.cell(&day, &rated);
                cell.feedback += 1;
                cell.rating_sum += r["rating"].as_u64().unwrap_or(0);
            }
            _ => {}
        }
    }

    fn add_request(&mut self, r: &Value, day: &str, scenario: &str) {
        let t = &r["timings_us"];
        // `total` is the request up to its record; records written before it was kept: the stages.
        let micros = t["total"].as_u64().filter(|&v| v > 0).unwrap_or_else(|| {
            ["classify", "gate", "screen", "mask", "infer", "restore", "review", "label"]
                .iter()
                .filter_map(|k| t[k].as_u64())
                .sum()
        });
        let cell = self.cell(day, scenario);
        cell.requests += 1;
        match r["outcome"].as_str() {
            Some("answered") => cell.answered += 1,
            Some("refused" | "blocked") => cell.refused += 1,
            Some("escalated") => cell.escalated += 1,
            Some("redirected") => cell.redirected += 1,
            _ => cell.other += 1,
        }
        cell.latencies_ms.push(micros as f64 / 1000.0);
        let model = &r["model"];
        let key = (
            scenario.to_owned(),
            model["id"].as_str().unwrap_or_default().to_owned(),
            model["version"].as_str().unwrap_or_default().to_owned(),
            r["served_by"]["id"].as_str().map(str::to_owned),
        );
        *self.models.entry(key).or_default() += 1;
    }

    /// Queue waits of the items decided in the range (the newest 1000 items of the store).
    fn add_waits(&mut self, store: &govai_store::Store, range: &(String, String)) -> Result<()> {
        let items =
            store.reviews(&govai_store::ReviewFilter { limit: 1000, ..Default::default() }).map_err(store_error)?;
        for item in items {
            let Some(decided) = item.decided_at else { continue };
            let day = decided.format("%Y-%m-%d").to_string();
            if day < range.0 || day > range.1 {
                continue;
            }
            let minutes = (decided - item.created_at).num_milliseconds() as f64 / 60_000.0;
            self.cell(&day, &item.scenario).waits.push(minutes);
        }
        Ok(())
    }

    fn first_day(&self) -> Option<String> {
        self.cells.keys().next().map(|k| k.0.clone())
    }

    fn last_day(&self) -> Option<String> {
        self.cells.keys().next_back().map(|k| k.0.clone())
    }

    fn rows(&self) -> Vec<Row> {
        self.cells.values().cloned().map(finish).collect()
    }

    fn models(&self) -> Vec<ModelRow> {
        self.models
            .iter()
            .map(|((scenario, model, version, served_by), n)| ModelRow {
                scenario: scenario.clone(),
                model: model.clone(),
                version: version.clone(),
                served_by: served_by.clone(),
                requests: *n,
            })
            .collect()
    }
}

/// Percentiles and rates from the raw samples.
fn finish(mut row: Row) -> Row {
    row.latency_ms_p50 = percentile(&mut row.latencies_ms, 0.50);
    row.latency_ms_p99 = percentile(&mut row.latencies_ms, 0.99);
    row.override_rate = (row.decisions > 0).then(|| row.overridden as f64 / row.decisions as f64);
    row.feedback_mean = (row.feedback > 0).then(|| row.rating_sum as f64 / row.feedback as f64);
    row.queue_wait_min_p50 = percentile(&mut row.waits, 0.50);
    row.queue_wait_min_max = row.waits.iter().copied().reduce(f64::max);
    row
}

/// The nearest-rank percentile `q` of `values` (None when empty).
pub fn percentile(values: &mut [f64], q: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let rank = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len());
    Some(values[rank - 1])
}
