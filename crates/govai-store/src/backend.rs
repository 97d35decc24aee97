//! What a database does for the store: rows in, rows out, one compare-and-swap. The schema and
//! its migrations are the same SQL on both databases ([`MIGRATIONS`]).

use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;

use crate::error::Result;
use crate::model::{Feedback, ReviewFilter, ReviewItem};

/// Schema versions, applied in order; a store records how many it has applied. Only types and
/// statements both SQLite and PostgreSQL read the same way.
pub const MIGRATIONS: &[&str] = &[
    "CREATE TABLE reviews (
        id TEXT PRIMARY KEY,
        audit_id BIGINT NOT NULL,
        request_id TEXT NOT NULL,
        scenario TEXT NOT NULL,
        caller TEXT NOT NULL,
        question TEXT NOT NULL,
        draft TEXT NOT NULL,
        reasons TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        due_at BIGINT NOT NULL,
        reviewer TEXT,
        claimed_at BIGINT,
        decided_at BIGINT,
        final_text TEXT,
        edited INTEGER NOT NULL,
        reject_reason TEXT
    );
    CREATE INDEX reviews_state_created ON reviews (state, created_at);
    CREATE INDEX reviews_audit ON reviews (audit_id);
    CREATE TABLE feedback (
        id TEXT PRIMARY KEY,
        audit_id BIGINT NOT NULL,
        caller TEXT NOT NULL,
        rating INTEGER NOT NULL,
        comment TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        triage INTEGER NOT NULL
    );
    CREATE INDEX feedback_triage_created ON feedback (triage, created_at);
    CREATE INDEX feedback_audit ON feedback (audit_id);",
    crate::knowledge::SCHEMA,
    crate::rollout::SCHEMA,
    crate::reference::SCHEMA,
    crate::evaluation::SCHEMA,
];

/// A statement parameter or a column value: what both databases read and write the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlValue {
    /// A BIGINT.
    Int(i64),
    /// A TEXT.
    Text(String),
    /// NULL in a BIGINT column.
    NullInt,
    /// NULL in a TEXT column.
    NullText,
}

impl SqlValue {
    /// The integer, when it is one.
    pub fn int(&self) -> Option<i64> {
        match self {
            Self::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The text, when it is one.
    pub fn text(&self) -> Option<&str> {
        match self {
            Self::Text(t) => Some(t),
            _ => None,
        }
    }

    /// An optional text.
    pub fn opt_text(t: Option<&str>) -> Self {
        t.map_or(Self::NullText, |t| Self::Text(t.to_owned()))
    }

    /// An optional integer.
    pub fn opt_int(i: Option<i64>) -> Self {
        i.map_or(Self::NullInt, Self::Int)
    }
}

/// The columns of one row of a table, read by position (what every reader of a
/// [`Backend::query`] row does).
pub(crate) struct Columns<'a> {
    pub(crate) row: &'a [SqlValue],
    /// The table, named in errors.
    pub(crate) table: &'static str,
}

impl Columns<'_> {
    /// Column `i` as text; a backend error naming the table and column otherwise.
    pub(crate) fn text(&self, i: usize) -> crate::Result<String> {
        self.opt_text(i).ok_or_else(|| crate::Error::Backend {
            backend: "store",
            reason: format!("{} column {i}: expected text", self.table),
        })
    }

    /// Column `i` as text, if it is (NULL: None).
    pub(crate) fn opt_text(&self, i: usize) -> Option<String> {
        self.row.get(i).and_then(SqlValue::text).map(str::to_owned)
    }

    /// Column `i` as an integer, if it is.
    pub(crate) fn int(&self, i: usize) -> Option<i64> {
        self.row.get(i).and_then(SqlValue::int)
    }
}

/// One statement of a [`Backend::transaction`].
#[derive(Debug, Clone)]
pub struct Step {
    /// The SQL (`$1`-style parameters).
    pub sql: String,
    /// Its parameters.
    pub params: Vec<SqlValue>,
    /// It must change exactly one row, or the whole transaction is rolled back.
    pub expect_one: bool,
}

/// The queue at a glance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct QueueStats {
    /// Items waiting (pending or claimed).
    pub open: u64,
    /// Of which past their due time.
    pub overdue: u64,
    /// Age of the oldest open item, in seconds (0 when none).
    pub oldest_age_secs: u64,
}

/// A database holding the store's rows.
pub trait Backend: Send + Sync {
    /// `sqlite` or `postgres`.
    fn name(&self) -> &'static str;
    /// Insert a new item.
    fn insert_review(&self, item: &ReviewItem) -> Result<()>;
    /// The item with `id`.
    fn get_review(&self, id: &str) -> Result<Option<ReviewItem>>;
    /// Items matching `filter` (its limit set), oldest first; `now` decides what is overdue.
    fn list_reviews(&self, filter: &ReviewFilter, now: DateTime<Utc>) -> Result<Vec<ReviewItem>>;
    /// Replace the item with `after` if its state and reviewer are still those of `before`;
    /// false when someone changed it meanwhile.
    fn update_review(&self, after: &ReviewItem, before: &ReviewItem) -> Result<bool>;
    /// Insert feedback.
    fn insert_feedback(&self, f: &Feedback) -> Result<()>;
    /// Feedback, newest first.
    fn list_feedback(&self, triage_only: bool, limit: usize) -> Result<Vec<Feedback>>;
    /// Open items, overdue ones, the oldest's age.
    fn queue_stats(&self, now: DateTime<Utc>) -> Result<QueueStats>;
    /// Rows of a query (BIGINT, INTEGER and TEXT columns), each as values.
    fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Vec<SqlValue>>>;
    /// Run `steps` in one transaction. False (and nothing written) when a step marked
    /// `expect_one` changed another number of rows; a unique violation is
    /// [`Error::Conflict`](crate::Error::Conflict) naming `what`.
    fn transaction(&self, steps: &[Step], what: &str) -> Result<bool>;
}

/// Milliseconds since the epoch to a time (out of range: the epoch).
pub fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// Open items, overdue ones, the oldest's creation (millis); `$1` is now in millis.
pub(crate) const STATS_SQL: &str = "SELECT COUNT(*), COALESCE(SUM(CASE WHEN due_at < $1 THEN 1 ELSE 0 END), 0), \
     COALESCE(MIN(created_at), $1) FROM reviews WHERE state IN ('pending', 'claimed')";

/// The stats from the row of [`STATS_SQL`].
pub(crate) fn stats_from(open: i64, overdue: i64, oldest: i64, now: DateTime<Utc>) -> QueueStats {
    QueueStats {
        open: open.max(0) as u64,
        overdue: overdue.max(0) as u64,
        oldest_age_secs: ((now.timestamp_millis() - oldest).max(0) / 1000) as u64,
    }
}

/// The `WHERE` clause of a listing and its text parameters after `$1` (now): state, scenario.
pub(crate) fn list_sql(filter: &ReviewFilter) -> (String, Vec<String>) {
    // `$1` first: SQLite numbers named parameters in order of first appearance.
    let mut clauses = vec![if filter.overdue {
        "state IN ('pending', 'claimed') AND due_at < $1".to_owned()
    } else {
        "CAST($1 AS BIGINT) = CAST($1 AS BIGINT)".to_owned()
    }];
    let mut params = Vec::new();
    if let Some(state) = filter.state {
        params.push(state.as_str().to_owned());
        clauses.push(format!("state = ${}", params.len() + 1));
    }
    if let Some(scenario) = &filter.scenario {
        params.push(scenario.clone());
        clauses.push(format!("scenario = ${}", params.len() + 1));
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM reviews WHERE {} ORDER BY created_at, audit_id, id LIMIT {}",
        clauses.join(" AND "),
        filter.limit
    );
    (sql, params)
}

/// The columns of a review row, in the order [`ReviewRow`] reads them.
pub(crate) const COLUMNS: &str = "id, audit_id, request_id, scenario, caller, question, draft, reasons, state, \
     created_at, due_at, reviewer, claimed_at, decided_at, final_text, edited, reject_reason";

/// A review row as both databases return it.
pub(crate) struct ReviewRow {
    pub id: String,
    pub audit_id: i64,
    pub request_id: String,
    pub scenario: String,
    pub caller: String,
    pub question: String,
    pub draft: String,
    pub reasons: String,
    pub state: String,
    pub created_at: i64,
    pub due_at: i64,
    pub reviewer: Option<String>,
    pub claimed_at: Option<i64>,
    pub decided_at: Option<i64>,
    pub final_text: Option<String>,
    pub edited: i64,
    pub reject_reason: Option<String>,
}

impl ReviewRow {
    pub(crate) fn into_item(self) -> crate::Result<ReviewItem> {
        Ok(ReviewItem {
            reasons: serde_json::from_str(&self.reasons).map_err(|e| crate::Error::Backend {
                backend: "store",
                reason: format!("reasons of {}: {e}", self.id),
            })?,
            state: crate::ReviewState::parse(&self.state)?,
            id: self.id,
            audit_id: self.audit_id.max(0) as u64,
            request_id: self.request_id,
            scenario: self.scenario,
            caller: self.caller,
            question: self.question,
            draft: self.draft,
            created_at: from_millis(self.created_at),
            due_at: from_millis(self.due_at),
            reviewer: self.reviewer,
            claimed_at: self.claimed_at.map(from_millis),
            decided_at: self.decided_at.map(from_millis),
            final_text: self.final_text,
            edited: self.edited != 0,
            reject_reason: self.reject_reason,
        })
    }
}

/// Milliseconds of an optional time.
pub(crate) fn millis(t: Option<DateTime<Utc>>) -> Option<i64> {
    t.map(|t| t.timestamp_millis())
}

/// The reasons as stored (JSON array).
pub(crate) fn reasons_json(item: &ReviewItem) -> String {
    serde_json::to_string(&item.reasons).unwrap_or_else(|_| "[]".into())
}

/// The insert statement of a review.
pub(crate) const INSERT_REVIEW: &str = "INSERT INTO reviews (id, audit_id, request_id, scenario, caller, question, \
     draft, reasons, state, created_at, due_at, reviewer, claimed_at, decided_at, final_text, edited, reject_reason) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)";

/// The compare-and-swap of a review: new state and decision fields where the state and
/// reviewer are unchanged.
pub(crate) const UPDATE_REVIEW: &str = "UPDATE reviews SET state = $1, reviewer = $2, claimed_at = $3, \
     decided_at = $4, final_text = $5, edited = $6, reject_reason = $7 \
     WHERE id = $8 AND state = $9 AND COALESCE(reviewer, '') = $10";

/// The insert statement of feedback.
pub(crate) const INSERT_FEEDBACK: &str = "INSERT INTO feedback (id, audit_id, caller, rating, comment, created_at, triage) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// Feedback listing; `$1` triage-only flag (0/1), newest first.
pub(crate) fn feedback_sql(limit: usize) -> String {
    format!(
        "SELECT id, audit_id, caller, rating, comment, created_at, triage FROM feedback \
         WHERE ($1 = 0 OR triage = 1) ORDER BY created_at DESC, id LIMIT {limit}"
    )
}
