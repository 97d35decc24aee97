//! `govai report --config FILE [--from DAY] [--to DAY] [--out FILE.html] [--json]`: what the
//! deployment did, per scenario and day, from its audit log (the record of truth, checked
//! first) and, with a `[store]`, its review queue: volume; answered, refused, escalated and
//! redirected; latency p50/p99; human decisions and the override rate (drafts a person edited
//! or rejected); citizen feedback; queue wait; and which model version (canary, fallback,
//! reference answer) served how many requests. An HTML report with charts (inline SVG) and a
//! JSON report with the same figures.

use std::collections::{BTreeMap, HashMap};
use std::io::BufReader;
use std::path::Path;
use std::process::ExitCode;

use govai::config::Config;
use govai::io::BoundedLines;
use govai::{Error, Result};
use serde::Serialize;
use serde_json::Value;

use crate::{out, outln, print_json};

/// One scenario on one day (UTC dates of the records' `ts`).
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct Row {
    pub(crate) day: String,
    pub(crate) scenario: String,
    pub(crate) requests: u64,
    pub(crate) answered: u64,
    /// Refused by the gate or blocked by review.
    pub(crate) refused: u64,
    pub(crate) escalated: u64,
    pub(crate) redirected: u64,
    /// Cancelled, needs revision, or failed.
    pub(crate) other: u64,
    pub(crate) latency_ms_p50: Option<f64>,
    pub(crate) latency_ms_p99: Option<f64>,
    /// Human approvals and rejections of queued answers.
    pub(crate) decisions: u64,
    /// Share of decisions that edited or rejected the draft.
    pub(crate) override_rate: Option<f64>,
    pub(crate) feedback: u64,
    pub(crate) feedback_mean: Option<f64>,
    /// Minutes from queueing to decision (store only).
    pub(crate) queue_wait_min_p50: Option<f64>,
    pub(crate) queue_wait_min_max: Option<f64>,
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
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ModelRow {
    pub(crate) scenario: String,
    pub(crate) model: String,
    pub(crate) version: String,
    /// What answered instead of the model (a fallback, `reference:<id>`), if anything.
    pub(crate) served_by: Option<String>,
    pub(crate) requests: u64,
}

/// The audit log's check.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct AuditCheck {
    pub(crate) file: String,
    pub(crate) intact: bool,
    pub(crate) records: u64,
    pub(crate) last_seq: u64,
    pub(crate) detail: Option<String>,
}

/// The report.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Report {
    pub(crate) deployment: String,
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) generated_at: String,
    pub(crate) audit: AuditCheck,
    /// Per day and scenario, by day then scenario.
    pub(crate) rows: Vec<Row>,
    pub(crate) models: Vec<ModelRow>,
    /// Records that could not be read (a bad line), with their line numbers.
    pub(crate) unreadable: Vec<String>,
    /// The queue now (store only).
    pub(crate) queue: Option<govai_store::backend::QueueStats>,
}

/// The command.
pub(crate) fn run(
    config: &Path,
    from: Option<&str>,
    to: Option<&str>,
    out: Option<&Path>,
    json: bool,
) -> Result<ExitCode> {
    let report = build(config, from, to)?;
    if let Some(path) = out {
        std::fs::write(path, crate::report_html::render(&report)).map_err(|e| Error::io(path, e))?;
    }
    if json {
        print_json(&report)?;
    } else {
        print_table(&report, out)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Read the audit log (and the store) of `config` for the days `from..=to` (`YYYY-MM-DD`).
pub(crate) fn build(config_path: &Path, from: Option<&str>, to: Option<&str>) -> Result<Report> {
    for (flag, day) in [("--from", from), ("--to", to)] {
        if let Some(d) = day.filter(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err()) {
            return Err(Error::InvalidInput(format!("{flag} `{d}`: expected YYYY-MM-DD")));
        }
    }
    let config = Config::from_file(config_path)?;
    let base = config_path.parent().unwrap_or_else(|| Path::new("."));
    let audit_path = govai::config::resolve(base, &config.audit.path);
    let check = check_audit(&config, base, &audit_path)?;
    let range = (from.unwrap_or("0000-01-01").to_owned(), to.unwrap_or("9999-12-31").to_owned());
    let mut tally = Tally::default();
    tally.read(&audit_path, &range)?;
    let queue = match govai_server::ops::Ops::open(config_path) {
        Ok(ops) if config.store.is_some() => {
            tally.add_waits(&ops, &range)?;
            Some(ops.queue_stats().map_err(server_error)?)
        }
        _ => None,
    };
    Ok(Report {
        deployment: config.deployment.name.clone(),
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

fn server_error(e: govai_server::Error) -> Error {
    Error::InvalidInput(e.to_string())
}

fn check_audit(config: &Config, base: &Path, path: &Path) -> Result<AuditCheck> {
    let v = govai::audit::verify_with(path, &govai::audit_verify_options(config, base))?;
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
    fn add_waits(&mut self, ops: &govai_server::ops::Ops, range: &(String, String)) -> Result<()> {
        let items =
            ops.reviews(&govai_store::ReviewFilter { limit: 1000, ..Default::default() }).map_err(server_error)?;
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
pub(crate) fn percentile(values: &mut [f64], q: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let rank = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len());
    Some(values[rank - 1])
}

fn print_table(report: &Report, html: Option<&Path>) -> Result<()> {
    outln!(
        "{} {} .. {}; audit log {} ({} records)",
        report.deployment,
        report.from,
        report.to,
        if report.audit.intact { "intact" } else { "NOT INTACT" },
        report.audit.records
    )?;
    let show = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.1}"));
    let rows: Vec<Vec<String>> = report
        .rows
        .iter()
        .map(|r| {
            vec![
                r.day.clone(),
                r.scenario.clone(),
                r.requests.to_string(),
                r.answered.to_string(),
                r.refused.to_string(),
                r.escalated.to_string(),
                r.redirected.to_string(),
                show(r.latency_ms_p50),
                show(r.latency_ms_p99),
                r.override_rate.map_or_else(|| "-".into(), |v| format!("{:.0}%", 100.0 * v)),
                show(r.feedback_mean),
            ]
        })
        .collect();
    out!(
        "{}",
        crate::table::render(
            &[
                "day",
                "scenario",
                "requests",
                "answered",
                "refused",
                "escalated",
                "redirected",
                "p50 ms",
                "p99 ms",
                "override",
                "rating"
            ],
            &rows
        )
    )?;
    if let Some(path) = html {
        outln!("HTML report: {}", path.display())?;
    }
    Ok(())
}
