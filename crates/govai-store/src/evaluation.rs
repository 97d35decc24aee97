//! Pre-launch evaluations kept for the gateway: `govai eval compare --record` stores each
//! report (its verdict and SHA-256 with it), and a deployment whose `[store]` says
//! `canary_requires_evaluation` routes a share of a scenario to a model version only when a
//! GO evaluation of that version, for that scenario, is kept.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::backend::{Columns, SqlValue, Step, from_millis};
use crate::error::{Error, Result};
use crate::{Store, now};

/// Largest report kept, in bytes.
pub const MAX_REPORT_BYTES: usize = 4 << 20;

/// An evaluation to keep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEvaluation {
    pub scenario: String,
    pub baseline_model: String,
    pub baseline_version: String,
    pub candidate_model: String,
    pub candidate_version: String,
    /// `go` or `no_go`.
    pub verdict: String,
    /// The report (JSON of `govai eval compare`).
    pub report: String,
    /// Who ran it.
    pub created_by: String,
}

/// A kept evaluation (without its report text; [`Store::evaluation_report`] reads it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    pub id: String,
    pub scenario: String,
    pub baseline_model: String,
    pub baseline_version: String,
    pub candidate_model: String,
    pub candidate_version: String,
    pub verdict: String,
    /// SHA-256 of the report as kept.
    pub report_sha256: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// The schema (one migration).
pub(crate) const SCHEMA: &str = "CREATE TABLE evaluations (
        id TEXT PRIMARY KEY,
        scenario TEXT NOT NULL,
        baseline_model TEXT NOT NULL,
        baseline_version TEXT NOT NULL,
        candidate_model TEXT NOT NULL,
        candidate_version TEXT NOT NULL,
        verdict TEXT NOT NULL,
        report TEXT NOT NULL,
        report_sha256 TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at BIGINT NOT NULL
    );
    CREATE INDEX evaluations_candidate ON evaluations (scenario, candidate_model, candidate_version, created_at)";

const COLUMNS: &str = "id, scenario, baseline_model, baseline_version, candidate_model, candidate_version, verdict, \
     report_sha256, created_by, created_at";

impl Store {
    /// Keep an evaluation report.
    pub fn add_evaluation(&self, new: NewEvaluation) -> Result<Evaluation> {
        for (field, v) in [
            ("scenario", &new.scenario),
            ("baseline_model", &new.baseline_model),
            ("candidate_model", &new.candidate_model),
            ("created_by", &new.created_by),
        ] {
            if v.trim().is_empty() || v.len() > 256 {
                return Err(Error::InvalidInput(format!("{field}: a non-empty id of at most 256 bytes")));
            }
        }
        if new.verdict != "go" && new.verdict != "no_go" {
            return Err(Error::InvalidInput(format!("verdict `{}`: go or no_go", new.verdict)));
        }
        if new.report.len() > MAX_REPORT_BYTES {
            return Err(Error::InvalidInput(format!("report: larger than {MAX_REPORT_BYTES} bytes")));
        }
        let e = Evaluation {
            id: uuid::Uuid::new_v4().to_string(),
            report_sha256: hex::encode(Sha256::digest(new.report.as_bytes())),
            created_at: now(),
            scenario: new.scenario,
            baseline_model: new.baseline_model,
            baseline_version: new.baseline_version,
            candidate_model: new.candidate_model,
            candidate_version: new.candidate_version,
            verdict: new.verdict,
            created_by: new.created_by,
        };
        let text = |s: &str| SqlValue::Text(s.to_owned());
        let step = Step {
            sql: "INSERT INTO evaluations (id, scenario, baseline_model, baseline_version, candidate_model, \
                  candidate_version, verdict, report, report_sha256, created_by, created_at) \
                  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
                .into(),
            params: vec![
                text(&e.id),
                text(&e.scenario),
                text(&e.baseline_model),
                text(&e.baseline_version),
                text(&e.candidate_model),
                text(&e.candidate_version),
                text(&e.verdict),
                text(&new.report),
                text(&e.report_sha256),
                text(&e.created_by),
                SqlValue::Int(e.created_at.timestamp_millis()),
            ],
            expect_one: true,
        };
        self.backend.transaction(&[step], "the evaluations")?;
        Ok(e)
    }

    /// Evaluations of a scenario, newest first, optionally of one candidate model (at most 100).
    pub fn evaluations(&self, scenario: &str, candidate: Option<&str>) -> Result<Vec<Evaluation>> {
        let mut params = vec![SqlValue::Text(scenario.to_owned())];
        let mut sql = format!("SELECT {COLUMNS} FROM evaluations WHERE scenario = $1");
        if let Some(c) = candidate {
            params.push(SqlValue::Text(c.to_owned()));
            sql.push_str(" AND candidate_model = $2");
        }
        sql.push_str(" ORDER BY created_at DESC, id LIMIT 100");
        self.backend.query(&sql, &params)?.iter().map(|r| evaluation_of(r)).collect()
    }

    /// The newest evaluation of `model` at `version` for `scenario`, if its verdict is GO.
    pub fn passing_evaluation(&self, scenario: &str, model: &str, version: &str) -> Result<Option<Evaluation>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM evaluations WHERE scenario = $1 AND candidate_model = $2 AND candidate_version = $3 \
             ORDER BY created_at DESC, id LIMIT 1"
        );
        let params = [scenario, model, version].map(|s| SqlValue::Text(s.to_owned()));
        let newest = self.backend.query(&sql, &params)?.first().map(|r| evaluation_of(r)).transpose()?;
        Ok(newest.filter(|e| e.verdict == "go"))
    }

    /// The report kept with an evaluation.
    pub fn evaluation_report(&self, id: &str) -> Result<String> {
        let rows =
            self.backend.query("SELECT report FROM evaluations WHERE id = $1", &[SqlValue::Text(id.to_owned())])?;
        rows.first()
            .and_then(|r| r.first())
            .and_then(SqlValue::text)
            .map(str::to_owned)
            .ok_or_else(|| Error::NotFound { what: "evaluation", id: id.to_owned() })
    }
}

fn evaluation_of(r: &[SqlValue]) -> Result<Evaluation> {
    let c = Columns { row: r, table: "evaluations" };
    let text = |i: usize| c.text(i);
    Ok(Evaluation {
        id: text(0)?,
        scenario: text(1)?,
        baseline_model: text(2)?,
        baseline_version: text(3)?,
        candidate_model: text(4)?,
        candidate_version: text(5)?,
        verdict: text(6)?,
        report_sha256: text(7)?,
        created_by: text(8)?,
        created_at: from_millis(c.int(9).unwrap_or(0)),
    })
}
