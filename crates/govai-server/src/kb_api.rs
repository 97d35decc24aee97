//! The knowledge-base endpoints (permission `knowledge_base`): the version served, versions,
//! a version's passages, diffs, and changes that one person proposes and another approves.

use std::sync::Arc;

use axum::Extension;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use govai::server_config::Permission;
use govai_store::{KbChange, KbChangeState, KbDecision, KbPassage, NewKbChange};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::{blocking, reply};
use crate::error::{Error, Result};
use crate::gateway::{Caller, Gateway};
use crate::knowledge::Knowledge;
use crate::queue::{query, sha256, store_error};

type QueryResult<T> = std::result::Result<Query<T>, axum::extract::rejection::QueryRejection>;

impl Gateway {
    /// The managed knowledge base, for a caller that may work on it.
    fn knowledge_for(&self, caller: &Caller) -> Result<Arc<Knowledge>> {
        caller.require(Permission::KnowledgeBase, "work on the knowledge base")?;
        self.knowledge.clone().ok_or_else(|| {
            Error::NotFound("the knowledge base is not versioned here ([store] knowledge_base = true)".into())
        })
    }

    /// The audit record of a proposal or decision (`kb_change`): ids and hashes, no text.
    fn audit_kb(&self, caller: &Caller, change: &KbChange, action: &str) -> Result<()> {
        let upserts: Vec<&str> = change.upserts.iter().map(|p| p.id.as_str()).collect();
        let body = serde_json::to_string(&(&change.upserts, &change.deletes)).unwrap_or_default();
        self.deployment.audit_log().append(json!({
            "kind": "kb_change",
            "user": caller.id,
            "user_role": caller.role_name,
            "change_id": change.id,
            "action": action,
            "origin": change.origin,
            "base_version": change.base_version,
            "result_version": change.result_version,
            "upserts": upserts,
            "deletes": change.deletes,
            "change_sha256": sha256(&body),
        }))?;
        Ok(())
    }
}

/// `GET /v1/govai/kb`: the version served, its size, the passages not in force today.
pub async fn summary(State(g): State<Arc<Gateway>>, Extension(caller): Extension<Caller>) -> Response {
    let result = g.knowledge_for(&caller).map(|k| axum::Json(k.summary()));
    reply(&g, result)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitQuery {
    #[serde(default)]
    limit: usize,
}

/// `GET /v1/govai/kb/versions?limit=`: newest first.
pub async fn versions(
    State(g): State<Arc<Gateway>>,
    Extension(caller): Extension<Caller>,
    q: QueryResult<LimitQuery>,
) -> Response {
    let result = async {
        let k = g.knowledge_for(&caller)?;
        let q = query(q)?;
        let list = blocking(move || k.store().kb_versions(q.limit).map_err(store_error)).await?;
        Ok(axum::Json(json!({"versions": list})))
    };
    reply(&g, result.await)
}

/// `GET /v1/govai/kb/versions/{version}`: the version and its passages.
pub async fn version(
    State(g): State<Arc<Gateway>>,
    Extension(caller): Extension<Caller>,
    Path(version): Path<String>,
) -> Response {
    let result = async {
        let k = g.knowledge_for(&caller)?;
        let v = parse_version(&version, "version")?;
        blocking(move || {
            let meta = k.store().kb_version(v).map_err(store_error)?;
            let passages: Vec<Value> =
                k.store().kb_passages(v).map_err(store_error)?.into_iter().map(|p| p.body).collect();
            Ok(axum::Json(json!({"version": meta, "passages": passages})))
        })
        .await
    };
    reply(&g, result.await)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffQuery {
    from: String,
    to: String,
}

/// `GET /v1/govai/kb/diff?from=A&to=B`: passages added, removed and changed.
pub async fn diff(
    State(g): State<Arc<Gateway>>,
    Extension(caller): Extension<Caller>,
    q: QueryResult<DiffQuery>,
) -> Response {
    let result = async {
        let k = g.knowledge_for(&caller)?;
        let q = query(q)?;
        let (from, to) = (parse_version(&q.from, "from")?, parse_version(&q.to, "to")?);
        blocking(move || k.store().kb_diff(from, to).map_err(store_error)).await.map(axum::Json)
    };
    reply(&g, result.await)
}

/// What a caller sends to propose a change; the proposer is the caller.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeBody {
    note: String,
    #[serde(default)]
    origin: Option<String>,
    /// Passages (the knowledge-base JSON Lines format) to add or replace.
    #[serde(default)]
    upserts: Vec<Value>,
    #[serde(default)]
    deletes: Vec<String>,
}

/// `POST /v1/govai/kb/changes`: propose a change (pending until someone else approves it).
pub async fn propose(
    State(g): State<Arc<Gateway>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        let k = g.knowledge_for(&caller)?;
        let body: ChangeBody = g.read_json(&headers, body).await?;
        let upserts = body
            .upserts
            .into_iter()
            .map(|b| KbPassage::from_body(b).map_err(store_error))
            .collect::<Result<Vec<_>>>()?;
        let new = NewKbChange {
            proposer: caller.id.clone(),
            note: body.note,
            origin: body.origin,
            upserts,
            deletes: body.deletes,
        };
        let g2 = g.clone();
        blocking(move || {
            let change = k.propose(new)?;
            g2.audit_kb(&caller, &change, "propose")?;
            Ok(axum::Json(json!(change)))
        })
        .await
    };
    reply(&g, result.await)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangesQuery {
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    limit: usize,
}

/// `GET /v1/govai/kb/changes?state=&limit=`: newest first.
pub async fn changes(
    State(g): State<Arc<Gateway>>,
    Extension(caller): Extension<Caller>,
    q: QueryResult<ChangesQuery>,
) -> Response {
    let result = async {
        let k = g.knowledge_for(&caller)?;
        let q = query(q)?;
        let state = q.state.as_deref().map(KbChangeState::parse).transpose().map_err(store_error)?;
        let list = blocking(move || k.store().kb_changes(state, q.limit).map_err(store_error)).await?;
        Ok(axum::Json(json!({"changes": list})))
    };
    reply(&g, result.await)
}

/// `GET /v1/govai/kb/changes/{id}`.
pub async fn change(
    State(g): State<Arc<Gateway>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let k = g.knowledge_for(&caller)?;
        blocking(move || k.store().kb_change(&id).map_err(store_error)).await.map(axum::Json)
    };
    reply(&g, result.await)
}

/// `POST /v1/govai/kb/changes/{id}/decide` `{"action": "approve"}` or
/// `{"action": "reject", "reason"}`: by someone other than the proposer. An approval makes a
/// new version, served at once.
pub async fn decide(
    State(g): State<Arc<Gateway>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        let k = g.knowledge_for(&caller)?;
        let decision: KbDecision = g.read_json(&headers, body).await?;
        let g2 = g.clone();
        blocking(move || {
            let (change, version) = k.decide(&id, &caller.id, &decision)?;
            let action = if version.is_some() { "approve" } else { "reject" };
            g2.audit_kb(&caller, &change, action)?;
            Ok(axum::Json(json!({"change": change, "version": version})))
        })
        .await
    };
    reply(&g, result.await)
}

fn parse_version(text: &str, field: &str) -> Result<u64> {
    text.parse().map_err(|_| Error::invalid(format!("{field}: a version number, not `{text}`"), Some(field)))
}
