//! Rollout changes: each canary set or rolled back through a gateway, kept so that every
//! replica and a restarted gateway apply the latest change of each scenario. Numbered in one
//! sequence (`seq`) across scenarios: a replica applies what is newer than it has seen.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::backend::{Columns, SqlValue, Step};
use crate::error::{Error, Result};

/// A canary change to keep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewRollout {
    /// The scenario.
    pub scenario: String,
    /// The candidate model; None for a rollback.
    pub model: Option<String>,
    /// Its share in percent (0 for a rollback).
    pub percent: f64,
    /// Who changed it (a caller id).
    pub actor: String,
}

/// A kept canary change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rollout {
    /// Position in the sequence of all changes (1, 2, ...).
    pub seq: u64,
    /// The scenario.
    pub scenario: String,
    /// The candidate model; None after a rollback.
    pub model: Option<String>,
    /// Its share in percent (to 0.0001).
    pub percent: f64,
    /// Who changed it.
    pub actor: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl NewRollout {
    /// Check the fields; the share as parts per million (what the databases keep).
    pub(crate) fn checked_share(&self) -> Result<i64> {
        if self.scenario.trim().is_empty() || self.scenario.len() > 256 {
            return Err(Error::InvalidInput("scenario: a non-empty id of at most 256 bytes".into()));
        }
        if self.actor.trim().is_empty() || self.actor.len() > 256 {
            return Err(Error::InvalidInput("actor: a non-empty id of at most 256 bytes".into()));
        }
        if self.model.as_ref().is_some_and(|m| m.trim().is_empty() || m.len() > 256) {
            return Err(Error::InvalidInput("model: a non-empty id of at most 256 bytes".into()));
        }
        if !(0.0..=100.0).contains(&self.percent) || self.percent.is_nan() {
            return Err(Error::InvalidInput(format!("percent {}: between 0 and 100", self.percent)));
        }
        Ok((self.percent * 10_000.0).round() as i64)
    }
}

/// Percent from parts per million.
pub(crate) fn percent(per_million: i64) -> f64 {
    per_million as f64 / 10_000.0
}

impl crate::Store {
    /// Keep a canary change; the next number in the sequence. Two replicas writing at once:
    /// the loser retries with the next number.
    pub fn record_rollout(&self, new: NewRollout) -> Result<Rollout> {
        let share = new.checked_share()?;
        let mut last = None;
        for _ in 0..5 {
            let rows = self.backend.query("SELECT COALESCE(MAX(seq), 0) FROM rollouts", &[])?;
            let seq = rows.first().and_then(|r| r.first()).and_then(SqlValue::int).unwrap_or(0) + 1;
            let created_at = crate::now();
            let step = Step {
                sql: "INSERT INTO rollouts (seq, scenario, model, per_million, actor, created_at) \
                      VALUES ($1, $2, $3, $4, $5, $6)"
                    .into(),
                params: vec![
                    SqlValue::Int(seq),
                    SqlValue::Text(new.scenario.clone()),
                    SqlValue::opt_text(new.model.as_deref()),
                    SqlValue::Int(share),
                    SqlValue::Text(new.actor.clone()),
                    SqlValue::Int(created_at.timestamp_millis()),
                ],
                expect_one: true,
            };
            match self.backend.transaction(&[step], "the rollouts") {
                Ok(_) => {
                    return Ok(Rollout {
                        seq: seq.max(0) as u64,
                        scenario: new.scenario,
                        model: new.model,
                        percent: percent(share),
                        actor: new.actor,
                        created_at,
                    });
                }
                Err(e) if e.kind() == crate::ErrorKind::Conflict => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| Error::Conflict("the rollouts changed meanwhile; try again".into())))
    }

    /// The latest change of each scenario.
    pub fn latest_rollouts(&self) -> Result<Vec<Rollout>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM rollouts r WHERE seq = (SELECT MAX(seq) FROM rollouts WHERE scenario = r.scenario) \
             ORDER BY scenario"
        );
        self.backend.query(&sql, &[])?.iter().map(|r| rollout_of(r)).collect()
    }

    /// A scenario's changes, newest first (at most `limit`, 1-1000).
    pub fn rollout_history(&self, scenario: &str, limit: usize) -> Result<Vec<Rollout>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM rollouts WHERE scenario = $1 ORDER BY seq DESC LIMIT {}",
            limit.clamp(1, 1000)
        );
        self.backend.query(&sql, &[SqlValue::Text(scenario.to_owned())])?.iter().map(|r| rollout_of(r)).collect()
    }
}

/// The columns of a rollout row, in the order [`rollout_of`] reads them.
const COLUMNS: &str = "seq, scenario, model, per_million, actor, created_at";

fn rollout_of(r: &[SqlValue]) -> Result<Rollout> {
    let c = Columns { row: r, table: "rollouts" };
    let text = |i: usize| c.text(i);
    let int = |i: usize| c.int(i).unwrap_or(0);
    Ok(Rollout {
        seq: int(0).max(0) as u64,
        scenario: text(1)?,
        model: c.opt_text(2),
        percent: percent(int(3)),
        actor: text(4)?,
        created_at: crate::backend::from_millis(int(5)),
    })
}

/// The schema (one migration).
pub(crate) const SCHEMA: &str = "CREATE TABLE rollouts (
        seq BIGINT PRIMARY KEY,
        scenario TEXT NOT NULL,
        model TEXT,
        per_million BIGINT NOT NULL,
        actor TEXT NOT NULL,
        created_at BIGINT NOT NULL
    );
    CREATE INDEX rollouts_scenario_seq ON rollouts (scenario, seq)";
