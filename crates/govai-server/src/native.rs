//! govai's own endpoints: the scenarios a caller may use (`/v1/models` in the OpenAI form and
//! `/v1/govai/scenarios` in full), classification and masking without a model
//! (`/v1/govai/scan`, `/v1/govai/mask`), the rails alone (`/v1/govai/review`: the input layers
//! and, given an answer, the answer's reviewers; no model call, no audit record), and
//! verification of the audit chain (`/v1/govai/audit/verify`).

use std::sync::Arc;

use axum::Extension;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use govai::answer_review::{ReviewRequest, SourceInput};
use govai::server_config::Permission;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::{blocking, reply};
use crate::error::{Error, Result};
use crate::gateway::{Caller, Gateway};

/// The scenario ids `caller` may use, in the deployment's order.
fn allowed_scenarios<'a>(g: &'a Gateway, caller: &'a Caller) -> impl Iterator<Item = &'a str> {
    g.deployment.scenario_ids().filter(|id| caller.role.allows_scenario(id))
}

/// `GET /v1/models`: the scenarios, as OpenAI models.
pub async fn models(State(g): State<Arc<Gateway>>, Extension(caller): Extension<Caller>) -> Response {
    let data: Vec<Value> = allowed_scenarios(&g, &caller)
        .map(|id| {
            let model = g.deployment.model_for(id);
            json!({
                "id": id,
                "object": "model",
                "created": 0,
                "owned_by": g.deployment.name(),
                "govai_model": model.map(|m| &m.id),
            })
        })
        .collect();
    axum::Json(json!({"object": "list", "data": data})).into_response()
}

/// `GET /v1/govai/scenarios`: each scenario's spec (ceiling, reviewers, sign-off, template).
pub async fn scenarios(State(g): State<Arc<Gateway>>, Extension(caller): Extension<Caller>) -> Response {
    let data: Vec<Value> =
        allowed_scenarios(&g, &caller).filter_map(|id| g.deployment.scenario(id)).map(|s| json!(s.spec())).collect();
    axum::Json(json!({"scenarios": data})).into_response()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TextBody {
    text: String,
    /// `mask` only: the operator (`mask`, `mask:F:L`, `replace`, `redact`, `hash`).
    #[serde(default)]
    operator: Option<String>,
}

/// `POST /v1/govai/scan` `{"text"}`: level, findings, reasons.
pub async fn scan(
    State(g): State<Arc<Gateway>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        caller.require(Permission::Scan, "call /v1/govai/scan")?;
        let body: TextBody = g.read_json(&headers, body).await?;
        if body.operator.is_some() {
            return Err(Error::invalid("operator: only for /v1/govai/mask", Some("operator")));
        }
        let g2 = g.clone();
        let classification = blocking(move || Ok(g2.deployment.classify(&body.text)?)).await?;
        Ok(axum::Json(json!(classification)))
    };
    reply(&g, result.await)
}

/// `POST /v1/govai/mask` `{"text", "operator"?}`: the text with every finding rewritten.
pub async fn mask(
    State(g): State<Arc<Gateway>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        caller.require(Permission::Scan, "call /v1/govai/mask")?;
        let body: TextBody = g.read_json(&headers, body).await?;
        let spec = body.operator.as_deref().unwrap_or("mask");
        let op = govai::operator_from_spec(spec, None, Some(govai::HASH_KEY_ENV))
            .map_err(|e| Error::invalid(format!("operator: {e}"), Some("operator")))?;
        let g2 = g.clone();
        let (text, c) = blocking(move || {
            let c = g2.deployment.classify(&body.text)?;
            Ok((govai::recognize::operators::apply(&body.text, &c.findings, &op), c))
        })
        .await?;
        Ok(axum::Json(json!({"text": text, "level": c.level, "findings": c.findings.len()})))
    };
    reply(&g, result.await)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewBody {
    /// Scenario id.
    model: String,
    /// The conversation (its last turn is the question); or `text`.
    #[serde(default)]
    messages: Vec<govai::Message>,
    #[serde(default)]
    text: String,
    /// An answer to review against the question and `sources`.
    #[serde(default)]
    answer: Option<String>,
    #[serde(default)]
    sources: Vec<SourceInput>,
}

/// `POST /v1/govai/review`: what the input layers decide about the request and, given an
/// answer, what the answer's reviewers find. No model call and no audit record.
pub async fn review(
    State(g): State<Arc<Gateway>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        caller.require(Permission::Review, "call /v1/govai/review")?;
        let body: ReviewBody = g.read_json(&headers, body).await?;
        g.check_scenario(&caller, &body.model)?;
        let g2 = g.clone();
        let role = caller.role_name.clone();
        let id = caller.id.clone();
        let value = blocking(move || review_now(&g2, body, &id, &role)).await?;
        Ok(axum::Json(value))
    };
    reply(&g, result.await)
}

fn review_now(g: &Gateway, body: ReviewBody, caller: &str, role: &str) -> Result<Value> {
    let question = match body.messages.last() {
        Some(m) => m.content.clone(),
        None => body.text.clone(),
    };
    let request = govai::Request {
        text: body.text,
        messages: body.messages,
        user: Some(caller.to_owned()),
        user_role: Some(role.to_owned()),
        ..govai::Request::new(body.model.clone(), "")
    };
    let input = g.deployment.check_input(request)?;
    let output = match body.answer {
        None => Value::Null,
        Some(answer) => {
            let reviewers = g.reviewers()?;
            let r = govai::answer_review::review_with(
                ReviewRequest {
                    scenario: body.model,
                    request: question,
                    answer,
                    sources: body.sources,
                    documents: vec![],
                },
                &reviewers,
            )?;
            json!({"verdict": r.verdict, "findings": r.findings, "findings_dropped": r.findings_dropped})
        }
    };
    Ok(json!({"input": input, "output": output}))
}

/// `POST /v1/govai/audit/verify`: the chain, anchor, checkpoints and signatures checked.
pub async fn verify_audit(State(g): State<Arc<Gateway>>, Extension(caller): Extension<Caller>) -> Response {
    let result = async {
        caller.require(Permission::Audit, "call /v1/govai/audit/verify")?;
        let g2 = g.clone();
        let report =
            blocking(move || Ok(govai::audit::verify_with(g2.deployment.audit_log().path(), &g2.verify)?)).await?;
        Ok(axum::Json(json!(report)))
    };
    reply(&g, result.await)
}
