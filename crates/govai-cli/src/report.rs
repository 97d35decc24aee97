//! `govai report --config FILE [--from DAY] [--to DAY] [--out FILE.html] [--json]`: what the
//! deployment did, per scenario and day, from its audit log and, with a `[store]`, its review
//! queue (the figures of [`govai_report::figures`]); an HTML report with charts (inline SVG)
//! and a JSON report with the same figures.

use std::path::Path;
use std::process::ExitCode;

use govai::config::Config;
use govai::{Error, Result};
use govai_report::Report;

use crate::{out, outln, print_json};

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
        std::fs::write(path, govai_report::html::render(&report)).map_err(|e| Error::io(path, e))?;
    }
    if json {
        print_json(&report)?;
    } else {
        print_table(&report, out)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The figures of the deployment in `config_path` for the days `from..=to` (`YYYY-MM-DD`).
fn build(config_path: &Path, from: Option<&str>, to: Option<&str>) -> Result<Report> {
    for (flag, day) in [("--from", from), ("--to", to)] {
        if let Some(d) = day.filter(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err()) {
            return Err(Error::InvalidInput(format!("{flag} `{d}`: expected YYYY-MM-DD")));
        }
    }
    let config = Config::from_file(config_path)?;
    let base = config_path.parent().unwrap_or_else(|| Path::new("."));
    let audit_path = govai::config::resolve(base, &config.audit.path);
    let verify = govai::audit_verify_options(&config, base);
    let ops = match config.store {
        Some(_) => Some(govai_server::ops::Ops::open(config_path).map_err(|e| Error::InvalidInput(e.to_string()))?),
        None => None,
    };
    let sources = govai_report::Sources {
        deployment: &config.deployment.name,
        audit_path: &audit_path,
        verify: &verify,
        store: ops.as_ref().map(govai_server::ops::Ops::store),
    };
    govai_report::build(&sources, from, to)
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
