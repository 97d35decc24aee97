//! Reference answers through the gateway (needs a store): an approved answer a person marks as
//! a reference (`"reference": true` when approving a review item, or
//! `POST /v1/govai/references`) is returned for matching questions of its scenario without
//! calling the model. A question matches when, letters only (digits, punctuation, spaces and
//! masks dropped, lower case), its character bigrams overlap the reference question's with a
//! Dice coefficient of at least [`MATCH`]. A reference answer is shown to everyone who asks,
//! so one with personal data in it is refused. Creating, revising and retiring one are audit
//! records (`reference`); each answer it gives is the request's own record, `served_by`
//! naming `reference:<id>` at its version.

use std::collections::HashSet;
use std::sync::{Arc, PoisonError, RwLock};

use axum::Extension;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use govai::server_config::{Permission, PersonalData};
use govai::{ReferenceAnswers, ReferenceHit};
use govai_store::{NewReference, Reference, Store};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::{blocking, reply};
use crate::error::{Error, Result};
use crate::gateway::{Caller, Gateway};
use crate::queue::{query, sha256, store_error};

/// Least bigram Dice coefficient for a question to match a reference question.
pub const MATCH: f64 = 0.9;

/// A serving reference answer with its scenario and its question's bigrams.
type Entry = (String, HashSet<(char, char)>, Reference);

/// The serving reference answers, kept in step with the store.
pub struct ReferenceCache {
    store: Arc<Store>,
    /// (scenario, the question's bigrams, the reference).
    serving: RwLock<Vec<Entry>>,
}

impl std::fmt::Debug for ReferenceCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReferenceCache").finish_non_exhaustive()
    }
}

impl ReferenceCache {
    /// The serving reference answers of `store`.
    pub fn load(store: Arc<Store>) -> Result<Self> {
        let cache = Self { store, serving: RwLock::default() };
        cache.refresh()?;
        Ok(cache)
    }

    /// Read the serving reference answers again.
    pub fn refresh(&self) -> Result<()> {
        let serving = self.store.references(None, false, 0).map_err(store_error)?;
        let entries = serving.into_iter().map(|r| (r.scenario.clone(), bigrams(&r.question), r)).collect();
        *self.serving.write().unwrap_or_else(PoisonError::into_inner) = entries;
        Ok(())
    }
}

impl ReferenceAnswers for ReferenceCache {
    fn find(&self, scenario: &str, question: &str) -> Option<ReferenceHit> {
        let asked = bigrams(question);
        let best = {
            let serving = self.serving.read().unwrap_or_else(PoisonError::into_inner);
            serving
                .iter()
                .filter(|(s, _, _)| s == scenario)
                .map(|(_, b, r)| (dice(&asked, b), r))
                .filter(|(score, _)| *score >= MATCH)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, r)| r.clone())
        }?;
        // A count that fails to be written does not cost the citizen the answer.
        let _ = self.store.reference_hit(&best.id);
        Some(ReferenceHit { id: best.id, version: best.version, text: best.answer })
    }
}

/// The character bigrams of `text`'s letters (CJK included), lower-cased.
fn bigrams(text: &str) -> HashSet<(char, char)> {
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).flat_map(char::to_lowercase).collect();
    letters.windows(2).map(|w| (w[0], w[1])).collect()
}

/// Dice coefficient of two bigram sets (0 when either is empty).
fn dice(a: &HashSet<(char, char)>, b: &HashSet<(char, char)>) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    2.0 * a.intersection(b).count() as f64 / (a.len() + b.len()) as f64
}

impl Gateway {
    fn references_for(&self, caller: &Caller) -> Result<(Arc<Store>, Arc<ReferenceCache>)> {
        caller.require(Permission::KnowledgeBase, "manage reference answers")?;
        match (&self.store, &self.references) {
            (Some(s), Some(r)) => Ok((s.clone(), r.clone())),
            _ => Err(Error::NotFound("no operations store is configured ([store] in the deployment file)".into())),
        }
    }

    /// Keep a reference answer: the question masked, the answer free of personal data; audited.
    pub(crate) fn add_reference(&self, caller: &Caller, mut new: NewReference) -> Result<Reference> {
        let (store, cache) = self.references_for(caller)?;
        if self.deployment.scenario(&new.scenario).is_none() {
            return Err(Error::invalid(format!("scenario: unknown scenario `{}`", new.scenario), Some("scenario")));
        }
        self.check_reference_answer(&new.answer)?;
        new.question = self.redactor.apply(&new.question, PersonalData::Masked)?;
        let action = if new.replaces.is_some() { "revise" } else { "create" };
        let r = store.add_reference(new).map_err(store_error)?;
        self.audit_reference(caller, &r, action)?;
        cache.refresh()?;
        Ok(r)
    }

    /// A reference answer is shown to everyone who asks: it may hold no personal data.
    pub(crate) fn check_reference_answer(&self, answer: &str) -> Result<()> {
        let found: Vec<String> =
            self.deployment.classify(answer)?.findings.iter().map(|f| f.entity_type.clone()).collect();
        if found.is_empty() {
            return Ok(());
        }
        Err(Error::invalid(
            format!(
                "answer: a reference answer is shown to everyone who asks; it must not contain personal data \
                 (found: {})",
                found.join(", ")
            ),
            Some("answer"),
        ))
    }

    fn audit_reference(&self, caller: &Caller, r: &Reference, action: &str) -> Result<()> {
        self.deployment.audit_log().append(json!({
            "kind": "reference",
            "user": caller.id,
            "user_role": caller.role_name,
            "scenario": r.scenario,
            "action": action,
            "reference_id": r.id,
            "lineage": r.lineage,
            "version": r.version,
            "review_id": r.review_id,
            "question_sha256": sha256(&r.question),
            "answer_sha256": sha256(&r.answer),
        }))?;
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    #[serde(default)]
    scenario: Option<String>,
    /// Also retired versions.
    #[serde(default)]
    all: bool,
    #[serde(default)]
    limit: usize,
}

/// `GET /v1/govai/references?scenario=&all=&limit=`: newest first.
pub async fn list(
    State(g): State<Arc<Gateway>>,
    Extension(caller): Extension<Caller>,
    q: std::result::Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let result = async {
        let (store, _) = g.references_for(&caller)?;
        let q = query(q)?;
        let list =
            blocking(move || store.references(q.scenario.as_deref(), q.all, q.limit).map_err(store_error)).await?;
        Ok(axum::Json(json!({"references": list})))
    };
    reply(&g, result.await)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AddBody {
    scenario: String,
    question: String,
    answer: String,
    #[serde(default)]
    replaces: Option<String>,
}

/// `POST /v1/govai/references` `{"scenario", "question", "answer", "replaces"?}`.
pub async fn add(
    State(g): State<Arc<Gateway>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        let body: AddBody = g.read_json(&headers, body).await?;
        let g2 = g.clone();
        blocking(move || {
            let new = NewReference {
                scenario: body.scenario,
                question: body.question,
                answer: body.answer,
                created_by: caller.id.clone(),
                review_id: None,
                replaces: body.replaces,
            };
            g2.add_reference(&caller, new).map(|r| axum::Json(json!(r)))
        })
        .await
    };
    reply(&g, result.await)
}

/// `POST /v1/govai/references/{id}/retire`: it stops answering from the next request on.
pub async fn retire(
    State(g): State<Arc<Gateway>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let (store, cache) = g.references_for(&caller)?;
        let g2 = g.clone();
        blocking(move || {
            let r = store.retire_reference(&id, &caller.id).map_err(store_error)?;
            g2.audit_reference(&caller, &r, "retire")?;
            cache.refresh()?;
            Ok(axum::Json(json!(r)))
        })
        .await
    };
    reply(&g, result.await)
}

/// Take `"reference": true` out of a review decision's JSON (the rest is the decision).
pub(crate) fn take_reference_flag(body: &mut Value) -> Result<bool> {
    match body.as_object_mut().and_then(|o| o.remove("reference")) {
        None => Ok(false),
        Some(Value::Bool(b)) => Ok(b),
        Some(_) => Err(Error::invalid("reference: true or false", Some("reference"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(a: &str, b: &str) -> f64 {
        dice(&bigrams(a), &bigrams(b))
    }

    #[test]
    fn the_same_question_matches_and_a_longer_one_does_not() {
        assert!((score("社保卡丢了怎么补办？", "社保卡 丢了，怎么补办?") - 1.0).abs() < 1e-9);
        assert!(score("How do I renew my ID card?", "how do i renew my id card") >= MATCH);
        assert!(score("社保卡丢了怎么补办？", "社保卡丢了怎么补办？顺便问下公积金怎么提取") < MATCH);
        assert!(score("社保卡丢了怎么补办？", "医保卡丢了怎么补办？") < MATCH);
        assert_eq!(score("", "社保卡"), 0.0);
        assert_eq!(score("123", "123"), 0.0, "digits alone never match");
    }
}
