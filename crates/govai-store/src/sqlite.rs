//! The embedded store: one SQLite file (bundled SQLite, WAL, a busy timeout), so a single
//! department needs nothing installed.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

use crate::backend::{self, Backend, MIGRATIONS, QueueStats, ReviewRow, SqlValue, Step};
use crate::error::{Error, Result};
use crate::model::{Feedback, ReviewFilter, ReviewItem};

/// An SQLite store.
pub struct SqliteBackend {
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for SqliteBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteBackend").finish_non_exhaustive()
    }
}

impl SqliteBackend {
    /// Open (or create) the store at `path` and bring its schema up to date.
    pub fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open(path).map_err(|e| Error::sqlite(format!("{}: {e}", path.display())))?;
        conn.busy_timeout(Duration::from_secs(5)).map_err(Error::sqlite)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(Error::sqlite)?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(Error::sqlite)?;
        migrate(&conn)?;
        Ok(Self { conn: Mutex::new(conn) })
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        let conn = self.conn.lock().map_err(|_| Error::sqlite("connection poisoned by an earlier panic"))?;
        f(&conn).map_err(Error::sqlite)
    }
}

fn migrate(conn: &Connection) -> Result<()> {
    let applied: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(Error::sqlite)?;
    let applied = usize::try_from(applied).unwrap_or(0);
    if applied > MIGRATIONS.len() {
        return Err(Error::sqlite(format!(
            "schema version {applied} is newer than this govai knows ({}); use a newer govai",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        conn.execute_batch(&format!("BEGIN; {sql}; PRAGMA user_version = {}; COMMIT;", i + 1))
            .map_err(|e| Error::sqlite(format!("migration {}: {e}", i + 1)))?;
    }
    Ok(())
}

fn review_row(r: &Row<'_>) -> rusqlite::Result<ReviewRow> {
    Ok(ReviewRow {
        id: r.get(0)?,
        audit_id: r.get(1)?,
        request_id: r.get(2)?,
        scenario: r.get(3)?,
        caller: r.get(4)?,
        question: r.get(5)?,
        draft: r.get(6)?,
        reasons: r.get(7)?,
        state: r.get(8)?,
        created_at: r.get(9)?,
        due_at: r.get(10)?,
        reviewer: r.get(11)?,
        claimed_at: r.get(12)?,
        decided_at: r.get(13)?,
        final_text: r.get(14)?,
        edited: r.get(15)?,
        reject_reason: r.get(16)?,
    })
}

fn feedback_row(r: &Row<'_>) -> rusqlite::Result<Feedback> {
    Ok(Feedback {
        id: r.get(0)?,
        audit_id: r.get::<_, i64>(1)?.max(0) as u64,
        caller: r.get(2)?,
        rating: r.get::<_, i64>(3)?.clamp(0, 255) as u8,
        comment: r.get(4)?,
        created_at: backend::from_millis(r.get(5)?),
        triage: r.get::<_, i64>(6)? != 0,
    })
}

impl Backend for SqliteBackend {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    fn insert_review(&self, i: &ReviewItem) -> Result<()> {
        self.with(|c| {
            c.execute(
                backend::INSERT_REVIEW,
                params![
                    i.id,
                    i.audit_id as i64,
                    i.request_id,
                    i.scenario,
                    i.caller,
                    i.question,
                    i.draft,
                    backend::reasons_json(i),
                    i.state.as_str(),
                    i.created_at.timestamp_millis(),
                    i.due_at.timestamp_millis(),
                    i.reviewer,
                    backend::millis(i.claimed_at),
                    backend::millis(i.decided_at),
                    i.final_text,
                    i64::from(i.edited),
                    i.reject_reason,
                ],
            )
        })
        .map(drop)
    }

    fn get_review(&self, id: &str) -> Result<Option<ReviewItem>> {
        let sql = format!("SELECT {} FROM reviews WHERE id = $1", backend::COLUMNS);
        let row = self.with(|c| c.query_row(&sql, params![id], review_row).optional())?;
        row.map(ReviewRow::into_item).transpose()
    }

    fn list_reviews(&self, filter: &ReviewFilter, now: DateTime<Utc>) -> Result<Vec<ReviewItem>> {
        let (sql, texts) = backend::list_sql(filter);
        let mut values: Vec<rusqlite::types::Value> = vec![now.timestamp_millis().into()];
        values.extend(texts.into_iter().map(rusqlite::types::Value::from));
        let rows = self.with(|c| {
            let mut stmt = c.prepare(&sql)?;
            stmt.query_map(params_from_iter(values), review_row)?.collect::<rusqlite::Result<Vec<_>>>()
        })?;
        rows.into_iter().map(ReviewRow::into_item).collect()
    }

    fn update_review(&self, a: &ReviewItem, b: &ReviewItem) -> Result<bool> {
        let changed = self.with(|c| {
            c.execute(
                backend::UPDATE_REVIEW,
                params![
                    a.state.as_str(),
                    a.reviewer,
                    backend::millis(a.claimed_at),
                    backend::millis(a.decided_at),
                    a.final_text,
                    i64::from(a.edited),
                    a.reject_reason,
                    b.id,
                    b.state.as_str(),
                    b.reviewer.clone().unwrap_or_default(),
                ],
            )
        })?;
        Ok(changed == 1)
    }

    fn insert_feedback(&self, f: &Feedback) -> Result<()> {
        self.with(|c| {
            c.execute(
                backend::INSERT_FEEDBACK,
                params![
                    f.id,
                    f.audit_id as i64,
                    f.caller,
                    i64::from(f.rating),
                    f.comment,
                    f.created_at.timestamp_millis(),
                    i64::from(f.triage)
                ],
            )
        })
        .map(drop)
    }

    fn list_feedback(&self, triage_only: bool, limit: usize) -> Result<Vec<Feedback>> {
        let sql = backend::feedback_sql(limit);
        self.with(|c| {
            let mut stmt = c.prepare(&sql)?;
            stmt.query_map(params![i64::from(triage_only)], feedback_row)?.collect()
        })
    }

    fn queue_stats(&self, now: DateTime<Utc>) -> Result<QueueStats> {
        let (open, overdue, oldest): (i64, i64, i64) = self.with(|c| {
            c.query_row(backend::STATS_SQL, params![now.timestamp_millis()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        })?;
        Ok(backend::stats_from(open, overdue, oldest, now))
    }

    fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Vec<SqlValue>>> {
        self.with(|c| {
            let mut stmt = c.prepare(sql)?;
            let n = stmt.column_count();
            stmt.query_map(params_from_iter(params.iter().map(to_sqlite)), |r| {
                (0..n).map(|i| from_sqlite(r.get_ref(i)?)).collect::<rusqlite::Result<Vec<_>>>()
            })?
            .collect()
        })
    }

    fn transaction(&self, steps: &[Step], what: &str) -> Result<bool> {
        let mut conn = self.conn.lock().map_err(|_| Error::sqlite("connection poisoned by an earlier panic"))?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(Error::sqlite)?;
        for step in steps {
            let changed = tx
                .execute(&step.sql, params_from_iter(step.params.iter().map(to_sqlite)))
                .map_err(|e| unique_conflict(e, what))?;
            if step.expect_one && changed != 1 {
                return Ok(false);
            }
        }
        tx.commit().map_err(Error::sqlite)?;
        Ok(true)
    }
}

fn to_sqlite(v: &SqlValue) -> rusqlite::types::Value {
    match v {
        SqlValue::Int(i) => rusqlite::types::Value::Integer(*i),
        SqlValue::Text(t) => rusqlite::types::Value::Text(t.clone()),
        SqlValue::NullInt | SqlValue::NullText => rusqlite::types::Value::Null,
    }
}

fn from_sqlite(v: rusqlite::types::ValueRef<'_>) -> rusqlite::Result<SqlValue> {
    use rusqlite::types::ValueRef as V;
    Ok(match v {
        V::Integer(i) => SqlValue::Int(i),
        V::Text(t) => SqlValue::Text(String::from_utf8_lossy(t).into_owned()),
        V::Null => SqlValue::NullText,
        V::Real(f) => SqlValue::Int(f as i64),
        V::Blob(b) => SqlValue::Text(String::from_utf8_lossy(b).into_owned()),
    })
}

/// A unique violation as a conflict; other failures as they are.
fn unique_conflict(e: rusqlite::Error, what: &str) -> Error {
    match &e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
            Error::Conflict(format!("{what} changed meanwhile; try again"))
        }
        _ => Error::sqlite(e),
    }
}
