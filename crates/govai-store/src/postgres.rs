//! The shared store: PostgreSQL, for several gateway replicas. Same schema and statements as
//! SQLite ([`crate::backend`]); the connection is re-established when it was lost.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use postgres::{Client, NoTls, Row};

use crate::backend::{self, Backend, MIGRATIONS, QueueStats, ReviewRow, SqlValue, Step};
use crate::error::{Error, Result};
use crate::model::{Feedback, ReviewFilter, ReviewItem};

/// A PostgreSQL store.
pub struct PostgresBackend {
    url: String,
    client: Mutex<Option<Client>>,
}

impl std::fmt::Debug for PostgresBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresBackend").finish_non_exhaustive()
    }
}

impl PostgresBackend {
    /// Connect to `url` (`postgres://user@host:port/db`; no TLS: loopback or a trusted
    /// network) and bring the schema up to date.
    pub fn connect(url: &str) -> Result<Self> {
        let mut client = Client::connect(url, NoTls).map_err(Error::postgres)?;
        migrate(&mut client)?;
        Ok(Self { url: url.to_owned(), client: Mutex::new(Some(client)) })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Client) -> std::result::Result<T, postgres::Error>) -> Result<T> {
        let mut slot = self.client.lock().map_err(|_| Error::postgres("connection poisoned by an earlier panic"))?;
        if slot.as_ref().is_none_or(Client::is_closed) {
            *slot = Some(Client::connect(&self.url, NoTls).map_err(Error::postgres)?);
        }
        let client = slot.as_mut().ok_or_else(|| Error::postgres("no connection"))?;
        f(client).map_err(Error::postgres)
    }
}

fn migrate(client: &mut Client) -> Result<()> {
    client
        .batch_execute("CREATE TABLE IF NOT EXISTS govai_schema (version INTEGER NOT NULL)")
        .map_err(Error::postgres)?;
    let mut tx = client.transaction().map_err(Error::postgres)?;
    // One migrator at a time across replicas.
    tx.batch_execute("LOCK TABLE govai_schema IN EXCLUSIVE MODE").map_err(Error::postgres)?;
    let applied: i32 =
        tx.query_one("SELECT COALESCE(MAX(version), 0) FROM govai_schema", &[]).map_err(Error::postgres)?.get(0);
    let applied = usize::try_from(applied).unwrap_or(0);
    if applied > MIGRATIONS.len() {
        return Err(Error::postgres(format!(
            "schema version {applied} is newer than this govai knows ({})",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        tx.batch_execute(sql).map_err(|e| Error::postgres(format!("migration {}: {e}", i + 1)))?;
        let version = i32::try_from(i + 1).unwrap_or(i32::MAX);
        tx.execute("INSERT INTO govai_schema (version) VALUES ($1)", &[&version]).map_err(Error::postgres)?;
    }
    tx.commit().map_err(Error::postgres)
}

fn review_row(r: &Row) -> ReviewRow {
    ReviewRow {
        id: r.get(0),
        audit_id: r.get(1),
        request_id: r.get(2),
        scenario: r.get(3),
        caller: r.get(4),
        question: r.get(5),
        draft: r.get(6),
        reasons: r.get(7),
        state: r.get(8),
        created_at: r.get(9),
        due_at: r.get(10),
        reviewer: r.get(11),
        claimed_at: r.get(12),
        decided_at: r.get(13),
        final_text: r.get(14),
        edited: i64::from(r.get::<_, i32>(15)),
        reject_reason: r.get(16),
    }
}

impl Backend for PostgresBackend {
    fn name(&self) -> &'static str {
        "postgres"
    }

    fn insert_review(&self, i: &ReviewItem) -> Result<()> {
        let (audit_id, reasons, edited) = (i.audit_id as i64, backend::reasons_json(i), i32::from(i.edited));
        let (created, due) = (i.created_at.timestamp_millis(), i.due_at.timestamp_millis());
        let (claimed, decided) = (backend::millis(i.claimed_at), backend::millis(i.decided_at));
        self.with(|c| {
            c.execute(
                backend::INSERT_REVIEW,
                &[
                    &i.id,
                    &audit_id,
                    &i.request_id,
                    &i.scenario,
                    &i.caller,
                    &i.question,
                    &i.draft,
                    &reasons,
                    &i.state.as_str(),
                    &created,
                    &due,
                    &i.reviewer,
                    &claimed,
                    &decided,
                    &i.final_text,
                    &edited,
                    &i.reject_reason,
                ],
            )
        })
        .map(drop)
    }

    fn get_review(&self, id: &str) -> Result<Option<ReviewItem>> {
        let sql = format!("SELECT {} FROM reviews WHERE id = $1", backend::COLUMNS);
        let row = self.with(|c| c.query_opt(&sql, &[&id]))?;
        row.map(|r| review_row(&r).into_item()).transpose()
    }

    fn list_reviews(&self, filter: &ReviewFilter, now: DateTime<Utc>) -> Result<Vec<ReviewItem>> {
        let (sql, texts) = backend::list_sql(filter);
        let now = now.timestamp_millis();
        let mut params: Vec<&(dyn postgres::types::ToSql + Sync)> = vec![&now];
        params.extend(texts.iter().map(|t| t as &(dyn postgres::types::ToSql + Sync)));
        let rows = self.with(|c| c.query(&sql, &params))?;
        rows.iter().map(|r| review_row(r).into_item()).collect()
    }

    fn update_review(&self, a: &ReviewItem, b: &ReviewItem) -> Result<bool> {
        let (claimed, decided, edited) =
            (backend::millis(a.claimed_at), backend::millis(a.decided_at), i32::from(a.edited));
        let before_reviewer = b.reviewer.clone().unwrap_or_default();
        let changed = self.with(|c| {
            c.execute(
                backend::UPDATE_REVIEW,
                &[
                    &a.state.as_str(),
                    &a.reviewer,
                    &claimed,
                    &decided,
                    &a.final_text,
                    &edited,
                    &a.reject_reason,
                    &b.id,
                    &b.state.as_str(),
                    &before_reviewer,
                ],
            )
        })?;
        Ok(changed == 1)
    }

    fn insert_feedback(&self, f: &Feedback) -> Result<()> {
        let (audit_id, rating, created, triage) =
            (f.audit_id as i64, i32::from(f.rating), f.created_at.timestamp_millis(), i32::from(f.triage));
        self.with(|c| {
            c.execute(backend::INSERT_FEEDBACK, &[&f.id, &audit_id, &f.caller, &rating, &f.comment, &created, &triage])
        })
        .map(drop)
    }

    fn list_feedback(&self, triage_only: bool, limit: usize) -> Result<Vec<Feedback>> {
        let flag = i32::from(triage_only);
        let rows = self.with(|c| c.query(&backend::feedback_sql(limit), &[&flag]))?;
        Ok(rows
            .iter()
            .map(|r| Feedback {
                id: r.get(0),
                audit_id: r.get::<_, i64>(1).max(0) as u64,
                caller: r.get(2),
                rating: r.get::<_, i32>(3).clamp(0, 255) as u8,
                comment: r.get(4),
                created_at: backend::from_millis(r.get(5)),
                triage: r.get::<_, i32>(6) != 0,
            })
            .collect())
    }

    fn queue_stats(&self, now: DateTime<Utc>) -> Result<QueueStats> {
        let ms = now.timestamp_millis();
        let row = self.with(|c| c.query_one(backend::STATS_SQL, &[&ms]))?;
        Ok(backend::stats_from(row.get(0), row.get(1), row.get(2), now))
    }

    fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Vec<SqlValue>>> {
        let values: Vec<Box<dyn postgres::types::ToSql + Sync>> = params.iter().map(to_postgres).collect();
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = values.iter().map(AsRef::as_ref).collect();
        let rows = self.with(|c| c.query(sql, &refs))?;
        rows.iter().map(from_postgres).collect()
    }

    fn transaction(&self, steps: &[Step], what: &str) -> Result<bool> {
        let mut slot = self.client.lock().map_err(|_| Error::postgres("connection poisoned by an earlier panic"))?;
        if slot.as_ref().is_none_or(Client::is_closed) {
            *slot = Some(Client::connect(&self.url, NoTls).map_err(Error::postgres)?);
        }
        let client = slot.as_mut().ok_or_else(|| Error::postgres("no connection"))?;
        let mut tx = client.transaction().map_err(Error::postgres)?;
        for step in steps {
            let values: Vec<Box<dyn postgres::types::ToSql + Sync>> = step.params.iter().map(to_postgres).collect();
            let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = values.iter().map(AsRef::as_ref).collect();
            let changed = tx.execute(step.sql.as_str(), &refs).map_err(|e| unique_conflict(e, what))?;
            if step.expect_one && changed != 1 {
                return Ok(false);
            }
        }
        tx.commit().map_err(|e| unique_conflict(e, what))?;
        Ok(true)
    }
}

fn to_postgres(v: &SqlValue) -> Box<dyn postgres::types::ToSql + Sync> {
    match v {
        SqlValue::Int(i) => Box::new(*i),
        SqlValue::Text(t) => Box::new(t.clone()),
        SqlValue::NullInt => Box::new(None::<i64>),
        SqlValue::NullText => Box::new(None::<String>),
    }
}

fn from_postgres(row: &Row) -> Result<Vec<SqlValue>> {
    use postgres::types::Type;
    (0..row.len())
        .map(|i| {
            let ty = row.columns()[i].type_().clone();
            Ok(if ty == Type::INT8 {
                SqlValue::opt_int(row.try_get::<_, Option<i64>>(i).map_err(Error::postgres)?)
            } else if ty == Type::INT4 {
                SqlValue::opt_int(row.try_get::<_, Option<i32>>(i).map_err(Error::postgres)?.map(i64::from))
            } else if ty == Type::TEXT || ty == Type::VARCHAR {
                SqlValue::opt_text(row.try_get::<_, Option<String>>(i).map_err(Error::postgres)?.as_deref())
            } else {
                return Err(Error::postgres(format!("column {i}: unexpected type {ty}")));
            })
        })
        .collect()
}

/// A unique violation as a conflict; other failures as they are.
fn unique_conflict(e: postgres::Error, what: &str) -> Error {
    if e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION) {
        Error::Conflict(format!("{what} changed meanwhile; try again"))
    } else {
        Error::postgres(e)
    }
}
