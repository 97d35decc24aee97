//! Reference answers: answers a person approved, kept per scenario with the question they
//! answer, returned by a gateway for matching questions without calling the model. Revising
//! one makes its next version (the old one retired); retiring stops it; hits are counted.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::backend::{Columns, SqlValue, Step, from_millis};
use crate::error::{Error, Result};
use crate::model::MAX_TEXT_BYTES;
use crate::{Store, now};

/// A reference answer to keep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewReference {
    /// The scenario it answers in.
    pub scenario: String,
    /// The question it answers (personal data masked by the caller).
    pub question: String,
    /// The approved answer.
    pub answer: String,
    /// Who approved it.
    pub created_by: String,
    /// The review item it came from, if any.
    #[serde(default)]
    pub review_id: Option<String>,
    /// The reference answer it revises (retired by this one), if any.
    #[serde(default)]
    pub replaces: Option<String>,
}

/// A kept reference answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// Id (UUID); a revision keeps the id of the first version in `lineage`.
    pub id: String,
    /// The id of its first version (the same for every revision).
    pub lineage: String,
    /// 1, 2, ... within its lineage.
    pub version: u64,
    /// The scenario.
    pub scenario: String,
    /// The question.
    pub question: String,
    /// The approved answer.
    pub answer: String,
    /// The review item it came from.
    pub review_id: Option<String>,
    /// Who approved it.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When it was retired (revised or stopped); None while it serves.
    pub retired_at: Option<DateTime<Utc>>,
    /// Who retired it.
    pub retired_by: Option<String>,
    /// Questions it answered.
    pub hits: u64,
}

/// The schema (one migration).
pub(crate) const SCHEMA: &str = "CREATE TABLE reference_answers (
        id TEXT PRIMARY KEY,
        lineage TEXT NOT NULL,
        version BIGINT NOT NULL,
        scenario TEXT NOT NULL,
        question TEXT NOT NULL,
        answer TEXT NOT NULL,
        review_id TEXT,
        created_by TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        retired_at BIGINT,
        retired_by TEXT,
        hits BIGINT NOT NULL
    );
    CREATE UNIQUE INDEX reference_answers_lineage_version ON reference_answers (lineage, version);
    CREATE INDEX reference_answers_scenario ON reference_answers (scenario, retired_at)";

const COLUMNS: &str =
    "id, lineage, version, scenario, question, answer, review_id, created_by, created_at, retired_at, retired_by, hits";

impl Store {
    /// Keep a reference answer (a revision when `replaces` names a serving one, which is
    /// retired in the same transaction).
    pub fn add_reference(&self, new: NewReference) -> Result<Reference> {
        for (field, text) in [("scenario", &new.scenario), ("created_by", &new.created_by)] {
            if text.trim().is_empty() || text.len() > 256 {
                return Err(Error::InvalidInput(format!("{field}: a non-empty id of at most 256 bytes")));
            }
        }
        for (field, text) in [("question", &new.question), ("answer", &new.answer)] {
            if text.trim().is_empty() || text.len() > MAX_TEXT_BYTES {
                return Err(Error::InvalidInput(format!("{field}: non-empty, at most {MAX_TEXT_BYTES} bytes")));
            }
        }
        let id = uuid::Uuid::new_v4().to_string();
        let (lineage, version) = match &new.replaces {
            Some(old) => {
                let old = self.reference(old)?;
                if old.retired_at.is_some() {
                    return Err(Error::Conflict(format!(
                        "reference answer {} is retired; revise the serving version",
                        old.id
                    )));
                }
                (old.lineage, old.version + 1)
            }
            None => (id.clone(), 1),
        };
        let r = Reference {
            id,
            lineage,
            version,
            scenario: new.scenario,
            question: new.question,
            answer: new.answer,
            review_id: new.review_id,
            created_by: new.created_by,
            created_at: now(),
            retired_at: None,
            retired_by: None,
            hits: 0,
        };
        let mut steps = Vec::new();
        if let Some(old) = &new.replaces {
            steps.push(retire_step(old, &r.created_by, r.created_at));
        }
        steps.push(Step {
            sql: format!(
                "INSERT INTO reference_answers ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL, 0)"
            ),
            params: vec![
                SqlValue::Text(r.id.clone()),
                SqlValue::Text(r.lineage.clone()),
                SqlValue::Int(i64::try_from(r.version).unwrap_or(i64::MAX)),
                SqlValue::Text(r.scenario.clone()),
                SqlValue::Text(r.question.clone()),
                SqlValue::Text(r.answer.clone()),
                SqlValue::opt_text(r.review_id.as_deref()),
                SqlValue::Text(r.created_by.clone()),
                SqlValue::Int(r.created_at.timestamp_millis()),
            ],
            expect_one: true,
        });
        if self.backend.transaction(&steps, "the reference answer")? {
            Ok(r)
        } else {
            Err(Error::Conflict("the reference answer was revised or retired meanwhile".into()))
        }
    }

    /// One reference answer.
    pub fn reference(&self, id: &str) -> Result<Reference> {
        let sql = format!("SELECT {COLUMNS} FROM reference_answers WHERE id = $1");
        match self.backend.query(&sql, &[SqlValue::Text(id.to_owned())])?.first() {
            Some(r) => reference_of(r),
            None => Err(Error::NotFound { what: "reference answer", id: id.to_owned() }),
        }
    }

    /// Reference answers, newest first: serving ones only, or all versions; optionally of one
    /// scenario (`limit` 0: 1000; at most 10000).
    pub fn references(&self, scenario: Option<&str>, include_retired: bool, limit: usize) -> Result<Vec<Reference>> {
        let limit = if limit == 0 { 1000 } else { limit.min(10_000) };
        let mut clauses = Vec::new();
        let mut params = Vec::new();
        if let Some(s) = scenario {
            params.push(SqlValue::Text(s.to_owned()));
            clauses.push("scenario = $1".to_owned());
        }
        if !include_retired {
            clauses.push("retired_at IS NULL".to_owned());
        }
        let filter = if clauses.is_empty() { String::new() } else { format!("WHERE {}", clauses.join(" AND ")) };
        let sql =
            format!("SELECT {COLUMNS} FROM reference_answers {filter} ORDER BY created_at DESC, id LIMIT {limit}");
        self.backend.query(&sql, &params)?.iter().map(|r| reference_of(r)).collect()
    }

    /// Stop a serving reference answer.
    pub fn retire_reference(&self, id: &str, actor: &str) -> Result<Reference> {
        if actor.trim().is_empty() || actor.len() > 256 {
            return Err(Error::InvalidInput("actor: a non-empty id of at most 256 bytes".into()));
        }
        self.reference(id)?;
        if !self.backend.transaction(&[retire_step(id, actor, now())], "the reference answer")? {
            return Err(Error::Conflict(format!("reference answer {id} is already retired")));
        }
        self.reference(id)
    }

    /// Count a question a reference answer answered.
    pub fn reference_hit(&self, id: &str) -> Result<()> {
        let step = Step {
            sql: "UPDATE reference_answers SET hits = hits + 1 WHERE id = $1".into(),
            params: vec![SqlValue::Text(id.to_owned())],
            expect_one: false,
        };
        self.backend.transaction(&[step], "the reference answer").map(drop)
    }
}

fn retire_step(id: &str, actor: &str, at: DateTime<Utc>) -> Step {
    Step {
        sql: "UPDATE reference_answers SET retired_at = $1, retired_by = $2 WHERE id = $3 AND retired_at IS NULL"
            .into(),
        params: vec![
            SqlValue::Int(at.timestamp_millis()),
            SqlValue::Text(actor.to_owned()),
            SqlValue::Text(id.to_owned()),
        ],
        expect_one: true,
    }
}

fn reference_of(r: &[SqlValue]) -> Result<Reference> {
    let c = Columns { row: r, table: "reference_answers" };
    let (text, opt_text, int) = (|i| c.text(i), |i| c.opt_text(i), |i| c.int(i));
    Ok(Reference {
        id: text(0)?,
        lineage: text(1)?,
        version: int(2).unwrap_or(1).max(0) as u64,
        scenario: text(3)?,
        question: text(4)?,
        answer: text(5)?,
        review_id: opt_text(6),
        created_by: text(7)?,
        created_at: from_millis(int(8).unwrap_or(0)),
        retired_at: int(9).map(from_millis),
        retired_by: opt_text(10),
        hits: int(11).unwrap_or(0).max(0) as u64,
    })
}
