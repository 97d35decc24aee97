//! Human review before release: escalated answers wait in the store's queue instead of being
//! dropped; reviewers (permission `review_queue`) list, claim, approve (as drafted or edited)
//! or reject them; the caller that asked polls `/v1/govai/reviews/{id}` and receives the
//! approved text, labelled as reviewed. Citizen feedback is recorded against an answer's audit
//! id; ratings 1-2 land on the triage list. Every action is an audit record with the actor's
//! id (`human_review`, `feedback`) holding hashes of the texts, not the texts.

use std::sync::Arc;

use axum::Extension;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use govai::Response as GovaiResponse;
use govai::server_config::Permission;
use govai_store::{Decision, NewFeedback, NewReview, ReviewFilter, ReviewItem, ReviewState, Store};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::api::{blocking, reply};
use crate::error::{Error, Result};
use crate::gateway::{Caller, Gateway};

/// What marks an approved answer as reviewed by a person.
pub const REVIEWED_NOTICE: &str = "【本回答已经工作人员审核】";

/// Lower-case hex SHA-256 of a text (what audit records keep instead of the text).
pub(crate) fn sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

pub(crate) fn store_error(e: govai_store::Error) -> Error {
    use govai_store::ErrorKind as K;
    match e.kind() {
        K::InvalidInput => Error::invalid(e.to_string(), None),
        K::NotFound => Error::NotFound(e.to_string()),
        K::Conflict => Error::Conflict(e.to_string()),
        _ => Error::Internal(e.to_string()),
    }
}

impl Gateway {
    fn store(&self) -> Result<&Arc<Store>> {
        self.store
            .as_ref()
            .ok_or_else(|| Error::NotFound("no operations store is configured ([store] in the deployment file)".into()))
    }

    /// Queue `response` for a human when review escalated it (or, with `queue_signoff`, when
    /// its scenario needs a sign-off). `question` is the last user turn as written.
    pub(crate) fn queue_if_needed(
        &self,
        caller: &Caller,
        question: &str,
        response: &GovaiResponse,
    ) -> Result<Option<ReviewItem>> {
        let (Some(store), Some(settings)) = (&self.store, &self.store_settings) else { return Ok(None) };
        // Escalated with a draft, or before any model (no draft: the reviewer writes the answer).
        let escalated = response.outcome == govai::Outcome::Escalated;
        let signoff = settings.queue_signoff
            && response.human_signoff_required
            && matches!(response.outcome, govai::Outcome::Answered | govai::Outcome::NeedsRevision);
        if !escalated && !signoff {
            return Ok(None);
        }
        let (draft, reasons) = if escalated {
            (
                response.draft.clone().unwrap_or_default(),
                response.escalation.clone().map(|e| e.reasons).unwrap_or_default(),
            )
        } else {
            (response.output.clone(), vec!["sign_off: the scenario's answers are signed off by a person".into()])
        };
        let item = store
            .enqueue(NewReview {
                audit_id: response.audit_id,
                request_id: response.request_id.clone(),
                scenario: response.scenario.clone(),
                caller: caller.id.clone(),
                question: question.to_owned(),
                draft,
                reasons,
                sla_minutes: settings.sla_minutes,
            })
            .map_err(store_error)?;
        Ok(Some(item))
    }

    /// Record a reviewer's action in the audit log.
    fn audit_action(&self, caller: &Caller, item: &ReviewItem, action: &str) -> Result<()> {
        self.deployment.audit_log().append(json!({
            "kind": "human_review",
            "user": caller.id,
            "user_role": caller.role_name,
            "scenario": item.scenario,
            "review_id": item.id,
            "audit_ref": item.audit_id,
            "action": action,
            "edited": item.edited,
            "final_sha256": item.final_text.as_deref().map(sha256),
            "reason_sha256": item.reject_reason.as_deref().map(sha256),
        }))?;
        Ok(())
    }
}

/// The `review` member of a response's `govai` object.
pub fn review_ref(item: &ReviewItem) -> Value {
    json!({"id": item.id, "state": item.state, "poll": format!("/v1/govai/reviews/{}", item.id)})
}

/// What the caller that asked sees of its item: the state and, once decided, the answer.
fn result_view(g: &Gateway, caller: &Caller, item: &ReviewItem) -> Result<Value> {
    let content = match item.state {
        ReviewState::Approved => {
            let text = g.redactor.apply(item.final_text.as_deref().unwrap_or_default(), caller.role.personal_data)?;
            Some(format!("{REVIEWED_NOTICE}\n{text}"))
        }
        ReviewState::Rejected => Some(g.deployment.policy().escalation_message.clone()),
        _ => None,
    };
    Ok(json!({
        "id": item.id,
        "audit_id": item.audit_id,
        "request_id": item.request_id,
        "state": item.state,
        "reviewed": item.state.is_final(),
        "content": content,
        "decided_at": item.decided_at,
    }))
}

/// What a reviewer sees: the whole item, personal data as the reviewer's role allows.
fn full_view(g: &Gateway, caller: &Caller, item: &ReviewItem) -> Result<Value> {
    let mode = caller.role.personal_data;
    let mut v = json!(item);
    v["question"] = json!(g.redactor.apply(&item.question, mode)?);
    v["draft"] = json!(g.redactor.apply(&item.draft, mode)?);
    if let Some(t) = &item.final_text {
        v["final_text"] = json!(g.redactor.apply(t, mode)?);
    }
    v["overdue"] = json!(!item.state.is_final() && item.due_at < chrono::Utc::now());
    Ok(v)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    scenario: Option<String>,
    #[serde(default)]
    overdue: bool,
    #[serde(default)]
    limit: usize,
}

pub(crate) fn query<T>(q: std::result::Result<Query<T>, axum::extract::rejection::QueryRejection>) -> Result<T> {
    q.map(|Query(t)| t).map_err(|e| Error::invalid(format!("query string: {}", e.body_text()), None))
}

/// `GET /v1/govai/reviews?state=&scenario=&overdue=&limit=`: the queue, oldest first.
pub async fn list(
    State(g): State<Arc<Gateway>>,
    Extension(caller): Extension<Caller>,
    q: std::result::Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let result = async {
        caller.require(Permission::ReviewQueue, "work the review queue")?;
        let q = query(q)?;
        let state = q.state.as_deref().map(ReviewState::parse).transpose().map_err(store_error)?;
        let store = g.store()?.clone();
        let filter = ReviewFilter { state, scenario: q.scenario, overdue: q.overdue, limit: q.limit };
        let g2 = g.clone();
        let items = blocking(move || {
            let items = store.reviews(&filter).map_err(store_error)?;
            items
                .iter()
                .filter(|i| caller.role.allows_scenario(&i.scenario))
                .map(|i| full_view(&g2, &caller, i))
                .collect::<Result<Vec<_>>>()
        })
        .await?;
        Ok(axum::Json(json!({"reviews": items})))
    };
    reply(&g, result.await)
}

/// `GET /v1/govai/reviews/{id}`: a reviewer gets the item; the caller that asked gets its
/// state and, once decided, the answer.
pub async fn get(
    State(g): State<Arc<Gateway>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let store = g.store()?.clone();
        let g2 = g.clone();
        blocking(move || {
            let item = store.review(&id).map_err(store_error)?;
            if caller.role.allows(Permission::ReviewQueue) && caller.role.allows_scenario(&item.scenario) {
                full_view(&g2, &caller, &item)
            } else if item.caller == caller.id {
                result_view(&g2, &caller, &item)
            } else {
                // Not yours: as if it did not exist.
                Err(Error::NotFound(format!("no review with id `{}`", item.id)))
            }
        })
        .await
        .map(axum::Json)
    };
    reply(&g, result.await)
}

/// `POST /v1/govai/reviews/{id}/claim`.
pub async fn claim(
    State(g): State<Arc<Gateway>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Response {
    let result = act(g.clone(), caller, id, None).await;
    reply(&g, result)
}

/// `POST /v1/govai/reviews/{id}/decide` `{"action": "approve", "text"?, "reference"?}` or
/// `{"action": "reject", "reason"}`. With `"reference": true` (permission `knowledge_base`
/// too) the approved answer also becomes a reference answer for its question.
pub async fn decide(
    State(g): State<Arc<Gateway>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        let mut raw: Value = g.read_json(&headers, body).await?;
        let reference = crate::references::take_reference_flag(&mut raw)?;
        let decision: Decision =
            serde_json::from_value(raw).map_err(|e| Error::invalid(format!("decision: {e}"), None))?;
        if reference && !matches!(decision, Decision::Approve { .. }) {
            return Err(Error::invalid(
                "reference: only an approved answer can become a reference answer",
                Some("reference"),
            ));
        }
        act(g.clone(), caller, id, Some((decision, reference))).await
    };
    reply(&g, result.await)
}

/// Claim (no decision) or decide, audited.
async fn act(g: Arc<Gateway>, caller: Caller, id: String, decision: Option<(Decision, bool)>) -> Result<Response> {
    caller.require(Permission::ReviewQueue, "work the review queue")?;
    let store = g.store()?.clone();
    let g2 = g.clone();
    let (view, decided) = blocking(move || {
        let item = store.review(&id).map_err(store_error)?;
        if !caller.role.allows_scenario(&item.scenario) {
            return Err(Error::Forbidden(format!(
                "role `{}` may not review scenario `{}`",
                caller.role_name, item.scenario
            )));
        }
        let (item, action) = match &decision {
            None => (store.claim(&id, &caller.id).map_err(store_error)?, "claim"),
            Some((d, reference)) => {
                if *reference {
                    caller.require(Permission::KnowledgeBase, "make a reference answer")?;
                    // Checked before deciding, so that a refused reference leaves the item open.
                    let answer = match d {
                        Decision::Approve { text: Some(t) } => t.as_str(),
                        _ => item.draft.as_str(),
                    };
                    g2.check_reference_answer(answer)?;
                }
                let item = store.decide(&id, &caller.id, d).map_err(store_error)?;
                let action = if item.state == ReviewState::Rejected { "reject" } else { "approve" };
                (item, action)
            }
        };
        g2.audit_action(&caller, &item, action)?;
        let mut view = full_view(&g2, &caller, &item)?;
        if matches!(&decision, Some((_, true))) {
            let new = govai_store::NewReference {
                scenario: item.scenario.clone(),
                question: item.question.clone(),
                answer: item.final_text.clone().unwrap_or_default(),
                created_by: caller.id.clone(),
                review_id: Some(item.id.clone()),
                replaces: None,
            };
            view["reference"] = json!(g2.add_reference(&caller, new)?);
        }
        Ok((view, item.state.is_final().then_some(item)))
    })
    .await?;
    if let (Some(item), Some(hook)) = (decided, g.webhook.clone()) {
        let g = g.clone();
        tokio::spawn(async move {
            if !hook.deliver(&item).await {
                g.metrics.webhook_failed();
            }
        });
    }
    Ok(axum::Json(view).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FeedbackBody {
    audit_id: u64,
    rating: u8,
    #[serde(default)]
    comment: String,
}

/// `POST /v1/govai/feedback` `{"audit_id", "rating": 1-5, "comment"?}`.
pub async fn feedback(
    State(g): State<Arc<Gateway>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        caller.require(Permission::Feedback, "send feedback")?;
        let body: FeedbackBody = g.read_json(&headers, body).await?;
        let store = g.store()?.clone();
        let g2 = g.clone();
        let f = blocking(move || {
            let new = NewFeedback {
                audit_id: body.audit_id,
                caller: caller.id.clone(),
                rating: body.rating,
                comment: body.comment,
            };
            record_feedback(&store, g2.deployment.audit_log(), &caller.role_name, new)
        })
        .await?;
        Ok(axum::Json(json!(f)))
    };
    reply(&g, result.await)
}

/// Store feedback and write its audit record (`feedback`: the rating and the comment's hash).
pub(crate) fn record_feedback(
    store: &Store,
    audit: &govai::AuditLog,
    role: &str,
    new: NewFeedback,
) -> Result<govai_store::Feedback> {
    let f = store.add_feedback(new).map_err(store_error)?;
    audit.append(json!({
        "kind": "feedback",
        "user": f.caller,
        "user_role": role,
        "feedback_id": f.id,
        "audit_ref": f.audit_id,
        "rating": f.rating,
        "comment_sha256": sha256(&f.comment),
        "triage": f.triage,
    }))?;
    Ok(f)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackQuery {
    #[serde(default)]
    triage: bool,
    #[serde(default)]
    limit: usize,
}

/// `GET /v1/govai/feedback?triage=true`: feedback, newest first (reviewers).
pub async fn list_feedback(
    State(g): State<Arc<Gateway>>,
    Extension(caller): Extension<Caller>,
    q: std::result::Result<Query<FeedbackQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let result = async {
        caller.require(Permission::ReviewQueue, "read the feedback list")?;
        let q = query(q)?;
        let store = g.store()?.clone();
        let list = blocking(move || store.feedback(q.triage, q.limit).map_err(store_error)).await?;
        Ok(axum::Json(json!({"feedback": list})))
    };
    reply(&g, result.await)
}
