//! The versioned knowledge base (`[store] knowledge_base = true`): the `faq` and `rag` models
//! answer from the store's current version and cite it; a change (proposed from feedback, a
//! review or an editor) reaches them when another person approves it, at once on this replica
//! and within [`POLL`] on the others. Passages carry provenance (issuing body, document number)
//! and may carry `effective` and `expires` dates: a passage not in force is listed by
//! `GET /v1/govai/kb` and never cited. Every proposal and decision is an audit record
//! (`kb_change`).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use govai::retrieval::{FaqModel, KnowledgeBase, Passage};
use govai_store::{KbChange, KbDecision, KbPassage, KbVersion, NewKbChange, Store};
use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::queue::store_error;

/// How often a replica looks for a version approved elsewhere.
pub const POLL: Duration = Duration::from_secs(2);

/// The knowledge base the models answer from, kept in step with the store.
pub struct Knowledge {
    store: Arc<Store>,
    retrievers: Vec<(String, FaqModel)>,
    /// The version the retrievers answer from (0: none loaded yet).
    loaded: AtomicU64,
}

impl std::fmt::Debug for Knowledge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Knowledge").field("loaded", &self.loaded()).finish_non_exhaustive()
    }
}

impl Knowledge {
    /// Seed an empty store with the knowledge base the models were configured with, then load
    /// the store's current version into them. All `faq` and `rag` models must have been
    /// configured with the same knowledge base (one is managed).
    pub fn start(store: Arc<Store>, retrievers: Vec<(String, FaqModel)>, file: &str) -> Result<Self> {
        let Some((first_id, first)) = retrievers.first() else {
            return Err(config_error(
                file,
                "store.knowledge_base: no `faq` or `rag` model answers from a knowledge base",
            ));
        };
        let seed = first.knowledge_base();
        for (id, r) in &retrievers[1..] {
            if r.knowledge_base().passages() != seed.passages() {
                return Err(config_error(
                    file,
                    &format!(
                        "store.knowledge_base: models `{first_id}` and `{id}` are configured with different knowledge \
                         bases; the store manages one"
                    ),
                ));
            }
        }
        if store.kb_current().map_err(store_error)?.is_none() {
            let passages = seed.passages().iter().map(to_store).collect::<Result<Vec<_>>>()?;
            // Another replica may seed at the same moment: its version serves as well.
            match store.kb_import("govai serve", "seeded from the configured knowledge base", passages) {
                Ok(_) => {}
                Err(e) if e.kind() == govai_store::ErrorKind::Conflict => {}
                Err(e) => return Err(store_error(e)),
            }
        }
        let k = Self { store, retrievers, loaded: AtomicU64::new(0) };
        k.refresh()?;
        Ok(k)
    }

    /// The version the models answer from.
    pub fn loaded(&self) -> Option<u64> {
        Some(self.loaded.load(Ordering::Acquire)).filter(|v| *v > 0)
    }

    /// Load the store's current version into the models when it is not the one loaded.
    pub fn refresh(&self) -> Result<Option<u64>> {
        let Some(current) = self.store.kb_current().map_err(store_error)? else { return Ok(None) };
        if self.loaded() == Some(current) {
            return Ok(Some(current));
        }
        let kb = Arc::new(knowledge_base(self.store.kb_passages(current).map_err(store_error)?)?);
        for (_, r) in &self.retrievers {
            r.replace_knowledge_base(kb.clone(), Some(current))?;
        }
        self.loaded.store(current, Ordering::Release);
        Ok(Some(current))
    }

    /// What `GET /v1/govai/kb` shows: the version served, its size, and the passages not cited
    /// today (expired or not yet effective).
    pub fn summary(&self) -> Value {
        let kb = self.retrievers.first().map(|(_, r)| r.knowledge_base());
        let today = govai::retrieval::today();
        let not_in_force: Vec<Value> = kb
            .as_ref()
            .map(|kb| {
                kb.not_in_force(&today)
                    .into_iter()
                    .map(|p| {
                        let src = p.source.clone().unwrap_or_default();
                        json!({"id": p.id, "title": p.title, "effective": src.effective, "expires": src.expires})
                    })
                    .collect()
            })
            .unwrap_or_default();
        json!({
            "version": self.loaded(),
            "passages": kb.map_or(0, |kb| kb.len()),
            "today": today,
            "not_in_force": not_in_force,
            "models": self.retrievers.iter().map(|(id, _)| id).collect::<Vec<_>>(),
        })
    }

    /// Check a proposal against the current version (each upsert a valid passage, the result a
    /// valid knowledge base), then store it.
    pub fn propose(&self, new: NewKbChange) -> Result<KbChange> {
        let current = match self.store.kb_current().map_err(store_error)? {
            Some(v) => self.store.kb_passages(v).map_err(store_error)?,
            None => Vec::new(),
        };
        let mut by_id: BTreeMap<String, KbPassage> = current.into_iter().map(|p| (p.id.clone(), p)).collect();
        for id in &new.deletes {
            by_id.remove(id);
        }
        for p in &new.upserts {
            by_id.insert(p.id.clone(), p.clone());
        }
        knowledge_base(by_id.into_values().collect())?;
        self.store.kb_propose(new).map_err(store_error)
    }

    /// Approve or reject a change; an approval is loaded into the models at once.
    pub fn decide(&self, id: &str, reviewer: &str, decision: &KbDecision) -> Result<(KbChange, Option<KbVersion>)> {
        let decided = self.store.kb_decide(id, reviewer, decision).map_err(store_error)?;
        if decided.1.is_some() {
            self.refresh()?;
        }
        Ok(decided)
    }

    /// The store.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }
}

/// Keep the gateway in step with what other replicas change in the store (knowledge-base
/// versions, rollouts), every [`POLL`], until the process ends.
pub(crate) fn spawn_poll(live: Arc<crate::live::Live>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(POLL);
        // Said once per distinct failure, not every tick.
        let mut last_error = String::new();
        loop {
            tick.tick().await;
            let g = live.gateway();
            if g.store.is_none() {
                continue;
            }
            match tokio::task::spawn_blocking(move || g.sync_from_store()).await {
                Ok(Err(e)) if e.to_string() != last_error => {
                    last_error = e.to_string();
                    eprintln!("govai serve: catching up with the store failed: {last_error}");
                }
                Ok(Ok(())) => last_error.clear(),
                _ => {}
            }
        }
    });
}

/// A passage as the store keeps it (its JSON).
fn to_store(p: &Passage) -> Result<KbPassage> {
    let body = serde_json::to_value(p).map_err(|e| Error::Internal(format!("passage `{}`: {e}", p.id)))?;
    KbPassage::from_body(body).map_err(store_error)
}

/// A passage body the store holds or a caller sent, checked against the passage format.
pub fn passage(p: &KbPassage) -> Result<Passage> {
    serde_json::from_value(p.body.clone()).map_err(|e| {
        Error::invalid(format!("passage `{}`: {e} (see kb/README.md for the format)", p.id), Some("upserts"))
    })
}

/// The knowledge base of a version's passages.
fn knowledge_base(passages: Vec<KbPassage>) -> Result<KnowledgeBase> {
    let parsed = passages.iter().map(passage).collect::<Result<Vec<_>>>()?;
    KnowledgeBase::new(parsed).map_err(|e| Error::invalid(e.to_string(), Some("upserts")))
}

fn config_error(file: &str, reason: &str) -> Error {
    Error::Config { file: file.to_owned(), key: "store.knowledge_base".into(), reason: reason.to_owned() }
}
