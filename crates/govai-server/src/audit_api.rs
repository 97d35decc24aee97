//! Reading the audit log (permission `audit`): records found by sequence number, caller,
//! scenario, kind and day, and an export of the matching records as JSON Lines (each export
//! is itself an audit record, `audit_export`, naming who exported what). The log is read line
//! by line, each line bounded, so a large log costs time, not memory.

use std::io::BufReader;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use govai::io::BoundedLines;
use govai::server_config::Permission;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::api::{blocking, reply};
use crate::error::{Error, Result};
use crate::gateway::{Caller, Gateway};
use crate::queue::query;

/// Most records one search returns.
pub const MAX_SEARCH: usize = 1000;
/// Most records one export holds.
pub const MAX_EXPORT: usize = 100_000;

/// Which records: every given field must match.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RecordFilter {
    /// The record's sequence number (its audit id).
    #[serde(default)]
    pub seq: Option<u64>,
    /// The caller (`user`).
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub scenario: Option<String>,
    /// The record kind (`request`, `human_review`, `kb_change`, `rollout`, `console`...).
    #[serde(default)]
    pub kind: Option<String>,
    /// First day (`YYYY-MM-DD`, UTC), inclusive.
    #[serde(default)]
    pub from: Option<String>,
    /// Last day, inclusive.
    #[serde(default)]
    pub to: Option<String>,
    /// Most records (newest first); 0: 100.
    #[serde(default)]
    pub limit: usize,
}

impl RecordFilter {
    fn check(&self) -> Result<()> {
        for (field, day) in [("from", &self.from), ("to", &self.to)] {
            if let Some(d) = day.as_deref().filter(|d| !d.is_empty())
                && chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err()
            {
                return Err(Error::invalid(format!("{field} `{d}`: expected YYYY-MM-DD"), Some(field)));
            }
        }
        Ok(())
    }

    fn matches(&self, r: &Value) -> bool {
        let text = |field: &str, want: &Option<String>| {
            want.as_deref().is_none_or(|w| w.is_empty() || r[field].as_str() == Some(w))
        };
        let day = r["ts"].as_str().and_then(|t| t.get(..10)).unwrap_or_default();
        self.seq.is_none_or(|s| r["seq"].as_u64() == Some(s))
            && text("user", &self.user)
            && text("scenario", &self.scenario)
            && text("kind", &self.kind)
            && self.from.as_deref().is_none_or(|f| f.is_empty() || day >= f)
            && self.to.as_deref().is_none_or(|t| t.is_empty() || day <= t)
    }
}

/// What a search found.
#[derive(Debug, Serialize)]
pub struct Found {
    /// Matching records, newest first, at most the limit.
    pub records: Vec<Value>,
    /// How many matched in all.
    pub matched: u64,
    /// Records read.
    pub scanned: u64,
}

/// The newest `limit` records of the log at `path` matching `filter`.
pub fn search(path: &std::path::Path, filter: &RecordFilter, limit: usize) -> Result<Found> {
    filter.check()?;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let lines = BoundedLines::new(BufReader::new(file), govai::MAX_LINE_BYTES, path.display().to_string());
    let mut newest = std::collections::VecDeque::with_capacity(limit.min(1024));
    let (mut matched, mut scanned) = (0u64, 0u64);
    for line in lines {
        let line = line?;
        let Ok(record) = serde_json::from_str::<Value>(&line.text) else { continue };
        scanned += 1;
        if filter.matches(&record) {
            matched += 1;
            if newest.len() == limit {
                newest.pop_front();
            }
            newest.push_back(record);
        }
    }
    Ok(Found { records: newest.into_iter().rev().collect(), matched, scanned })
}

/// The record with sequence number `seq`, if the log has it.
pub(crate) fn record(g: &Gateway, seq: u64) -> Result<Option<Value>> {
    let filter = RecordFilter { seq: Some(seq), ..RecordFilter::default() };
    Ok(search(g.deployment.audit_log().path(), &filter, 1)?.records.pop())
}

type QueryResult<T> = std::result::Result<Query<T>, axum::extract::rejection::QueryRejection>;

/// `GET /v1/govai/audit/records?seq=&user=&scenario=&kind=&from=&to=&limit=`.
pub async fn records(
    State(g): State<Arc<Gateway>>,
    Extension(caller): Extension<Caller>,
    q: QueryResult<RecordFilter>,
) -> Response {
    let result = async {
        caller.require(Permission::Audit, "read the audit log")?;
        let filter = query(q)?;
        let limit = match filter.limit {
            0 => 100,
            n => n.min(MAX_SEARCH),
        };
        let path = g.deployment.audit_log().path().to_owned();
        let found = blocking(move || search(&path, &filter, limit)).await?;
        Ok(axum::Json(json!(found)))
    };
    reply(&g, result.await)
}

/// `GET /v1/govai/audit/export?...`: the matching records (up to [`MAX_EXPORT`], oldest first)
/// as JSON Lines, exactly as logged (their hashes included, so the export can be checked
/// against the chain); audited as `audit_export`.
pub async fn export(
    State(g): State<Arc<Gateway>>,
    Extension(caller): Extension<Caller>,
    q: QueryResult<RecordFilter>,
) -> Response {
    let result = async {
        caller.require(Permission::Audit, "export the audit log")?;
        let filter = query(q)?;
        let g2 = g.clone();
        let body = blocking(move || {
            let log = g2.deployment.audit_log();
            let found = search(log.path(), &filter, MAX_EXPORT)?;
            let mut body = String::new();
            for r in found.records.iter().rev() {
                body.push_str(&r.to_string());
                body.push('\n');
            }
            log.append(json!({
                "kind": "audit_export",
                "user": caller.id,
                "user_role": caller.role_name,
                "filter": filter,
                "records": found.records.len(),
                "matched": found.matched,
            }))?;
            Ok(body)
        })
        .await?;
        let mut response = body.into_response();
        let h = response.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-ndjson; charset=utf-8"));
        h.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment; filename=\"govai-audit-export.jsonl\""),
        );
        Ok(response)
    };
    reply(&g, result.await)
}

/// Permission to see the operations figures: auditors, reviewers and model owners.
fn may_see_stats(caller: &Caller) -> Result<()> {
    let r = &caller.role;
    if r.allows(Permission::Audit) || r.allows(Permission::ReviewQueue) || r.allows(Permission::Models) {
        Ok(())
    } else {
        Err(Error::Forbidden(format!("role `{}` may not read the operations figures", caller.role_name)))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

/// `GET /v1/govai/stats?from=&to=`: the figures of `govai report` (per scenario and day:
/// volume, outcomes, latency p50/p99, human decisions, feedback, queue wait, model versions),
/// read from this gateway's audit log and store now.
pub async fn stats(
    State(g): State<Arc<Gateway>>,
    Extension(caller): Extension<Caller>,
    q: QueryResult<StatsQuery>,
) -> Response {
    let result = async {
        may_see_stats(&caller)?;
        let q = query(q)?;
        let g2 = g.clone();
        let report = blocking(move || {
            g2.figures(q.from.as_deref().filter(|s| !s.is_empty()), q.to.as_deref().filter(|s| !s.is_empty()))
        })
        .await?;
        Ok(axum::Json(json!(report)))
    };
    reply(&g, result.await)
}

impl Gateway {
    /// The operations figures of this deployment for the days `from..=to`.
    pub(crate) fn figures(&self, from: Option<&str>, to: Option<&str>) -> Result<govai_report::Report> {
        let sources = govai_report::Sources {
            deployment: self.deployment.name(),
            audit_path: self.deployment.audit_log().path(),
            verify: &self.verify,
            store: self.store.as_deref(),
        };
        govai_report::build(&sources, from, to).map_err(|e| match e {
            govai::Error::InvalidInput(m) => Error::invalid(m, None),
            e => e.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_match_every_given_field() {
        let r = json!({"seq": 7, "ts": "2026-12-06T01:02:03Z", "kind": "request", "user": "portal", "scenario": "intelligent_qa"});
        assert!(RecordFilter::default().matches(&r));
        let f = |j: Value| serde_json::from_value::<RecordFilter>(j).unwrap();
        assert!(f(json!({"seq": 7, "user": "portal", "from": "2026-12-06", "to": "2026-12-06"})).matches(&r));
        assert!(f(json!({"user": "", "scenario": ""})).matches(&r), "empty fields are not filters");
        assert!(!f(json!({"seq": 8})).matches(&r));
        assert!(!f(json!({"kind": "human_review"})).matches(&r));
        assert!(!f(json!({"from": "2026-12-07"})).matches(&r));
        assert!(!f(json!({"to": "2026-12-05"})).matches(&r));
        assert!(f(json!({"from": "06.12.2026"})).check().is_err());
    }
}
