//! The versioned knowledge base: passages (opaque JSON objects with an `id`; the retrieval
//! crate owns their format) in numbered versions, and changes that one person proposes and
//! another approves. A passage is stored once per content, with the range of versions it
//! belongs to (`added_in <= v < removed_in`), so every version can be read back and two
//! versions compared without a copy per version. Making a version is one transaction; two
//! writers racing for the same number collide on its primary key and the loser gets a
//! conflict.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::backend::{Columns, SqlValue, Step, from_millis};
use crate::error::{Error, Result};
use crate::model::MAX_TEXT_BYTES;
use crate::{Store, now};

/// Most passages in one import.
pub const MAX_KB_PASSAGES: usize = 100_000;
/// Most upserts and deletes in one change.
pub const MAX_CHANGE_ITEMS: usize = 1_000;

/// One passage: its id and its JSON body (a JSON object whose `"id"` is `id`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KbPassage {
    /// The passage id.
    pub id: String,
    /// The passage as JSON.
    pub body: Value,
}

impl KbPassage {
    /// A passage from its JSON body, its id taken from `body["id"]`.
    pub fn from_body(body: Value) -> Result<Self> {
        let Value::Object(map) = &body else {
            return Err(Error::InvalidInput("passage: a JSON object with an `id`".into()));
        };
        let id = match map.get("id") {
            Some(Value::String(id)) if !id.trim().is_empty() && id.len() <= 256 => id.clone(),
            _ => return Err(Error::InvalidInput("passage `id`: a non-empty string of at most 256 bytes".into())),
        };
        let passage = Self { id, body };
        if passage.canonical().len() > MAX_TEXT_BYTES {
            return Err(Error::InvalidInput(format!(
                "passage `{}`: larger than {MAX_TEXT_BYTES} bytes as JSON",
                passage.id
            )));
        }
        Ok(passage)
    }

    /// The body as stored: JSON with object keys sorted, so equal content compares equal.
    fn canonical(&self) -> String {
        canonical(&self.body).to_string()
    }

    fn sha256(&self) -> String {
        hex::encode(Sha256::digest(self.canonical().as_bytes()))
    }
}

/// `v` with every object's keys in order.
fn canonical(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let sorted: BTreeMap<&String, Value> = map.iter().map(|(k, v)| (k, canonical(v))).collect();
            Value::Object(sorted.into_iter().map(|(k, v)| (k.clone(), v)).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// A version of the knowledge base.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KbVersion {
    /// 1, 2, ...
    pub version: u64,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// Who made it: the importer, or the person who approved the change.
    pub author: String,
    /// Why.
    pub note: String,
    /// The approved change that made it (None for an import).
    pub change_id: Option<String>,
    /// Passages in this version.
    pub passages: u64,
    /// Against the previous version: passages added.
    pub added: u64,
    /// Removed.
    pub removed: u64,
    /// Changed.
    pub changed: u64,
}

/// A passage whose body differs between two versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KbChangedPassage {
    /// The passage id.
    pub id: String,
    /// In the `from` version.
    pub before: Value,
    /// In the `to` version.
    pub after: Value,
}

/// What changed from one version to another; each list sorted by id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KbDiff {
    /// The version compared from.
    pub from: u64,
    /// The version compared to.
    pub to: u64,
    /// In `to`, not in `from`.
    pub added: Vec<KbPassage>,
    /// In `from`, not in `to`.
    pub removed: Vec<KbPassage>,
    /// In both, different.
    pub changed: Vec<KbChangedPassage>,
}

/// Where a proposed change is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KbChangeState {
    /// Waiting for someone other than the proposer.
    Pending,
    /// Approved: it made a version.
    Approved,
    /// Rejected with a reason.
    Rejected,
}

impl KbChangeState {
    /// Stable name (also the database value).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    /// Parse a stored or requested name.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "pending" => Ok(Self::Pending),
            "approved" => Ok(Self::Approved),
            "rejected" => Ok(Self::Rejected),
            other => Err(Error::InvalidInput(format!("state `{other}`: one of pending, approved, rejected"))),
        }
    }
}

/// A change to propose (from feedback, a review, or an editor).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewKbChange {
    /// Who proposes it (a caller id); may not approve it.
    pub proposer: String,
    /// Why.
    pub note: String,
    /// What prompted it, e.g. `feedback:<id>` or `review:<id>` (at most 256 bytes).
    #[serde(default)]
    pub origin: Option<String>,
    /// Passages to add or replace (by id).
    #[serde(default)]
    pub upserts: Vec<KbPassage>,
    /// Ids of passages to remove.
    #[serde(default)]
    pub deletes: Vec<String>,
}

/// A proposed change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KbChange {
    /// Change id (UUID).
    pub id: String,
    /// When it was proposed.
    pub created_at: DateTime<Utc>,
    /// Who proposed it.
    pub proposer: String,
    /// Why.
    pub note: String,
    /// What prompted it.
    pub origin: Option<String>,
    /// The current version when proposed.
    pub base_version: Option<u64>,
    /// Passages to add or replace.
    pub upserts: Vec<KbPassage>,
    /// Ids to remove.
    pub deletes: Vec<String>,
    /// Where it is.
    pub state: KbChangeState,
    /// Who decided.
    pub reviewer: Option<String>,
    /// When.
    pub decided_at: Option<DateTime<Utc>>,
    /// The version approval made.
    pub result_version: Option<u64>,
    /// Why it was rejected.
    pub reject_reason: Option<String>,
}

/// A decision on a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum KbDecision {
    /// Apply it to the current version, making the next.
    Approve,
    /// Refuse it, with a reason.
    Reject {
        /// Why (required).
        reason: String,
    },
}

/// The schema (one migration).
pub(crate) const SCHEMA: &str = "CREATE TABLE kb_versions (
        version BIGINT PRIMARY KEY,
        created_at BIGINT NOT NULL,
        author TEXT NOT NULL,
        note TEXT NOT NULL,
        change_id TEXT,
        passages BIGINT NOT NULL,
        added BIGINT NOT NULL,
        removed BIGINT NOT NULL,
        changed BIGINT NOT NULL
    );
    CREATE TABLE kb_passages (
        id TEXT NOT NULL,
        body TEXT NOT NULL,
        body_sha256 TEXT NOT NULL,
        added_in BIGINT NOT NULL,
        removed_in BIGINT
    );
    CREATE INDEX kb_passages_live ON kb_passages (id, removed_in);
    CREATE INDEX kb_passages_range ON kb_passages (added_in);
    CREATE TABLE kb_changes (
        id TEXT PRIMARY KEY,
        created_at BIGINT NOT NULL,
        proposer TEXT NOT NULL,
        note TEXT NOT NULL,
        origin TEXT,
        base_version BIGINT,
        upserts TEXT NOT NULL,
        deletes TEXT NOT NULL,
        state TEXT NOT NULL,
        reviewer TEXT,
        decided_at BIGINT,
        result_version BIGINT,
        reject_reason TEXT
    );
    CREATE INDEX kb_changes_state_created ON kb_changes (state, created_at)";

const VERSION_COLUMNS: &str = "version, created_at, author, note, change_id, passages, added, removed, changed";
const CHANGE_COLUMNS: &str = "id, created_at, proposer, note, origin, base_version, upserts, deletes, state, \
     reviewer, decided_at, result_version, reject_reason";

/// What a new version does to the current one.
struct Plan {
    added: Vec<KbPassage>,
    removed: Vec<String>,
    changed: Vec<KbPassage>,
    total: u64,
}

impl Store {
    /// The newest version, None before the first import.
    pub fn kb_current(&self) -> Result<Option<u64>> {
        let rows = self.backend.query("SELECT MAX(version) FROM kb_versions", &[])?;
        Ok(rows.first().and_then(|r| r.first()).and_then(SqlValue::int).map(|v| v.max(0) as u64))
    }

    /// Versions, newest first (`limit` 0: 100; at most 1000).
    pub fn kb_versions(&self, limit: usize) -> Result<Vec<KbVersion>> {
        let limit = if limit == 0 { 100 } else { limit.min(1000) };
        let sql = format!("SELECT {VERSION_COLUMNS} FROM kb_versions ORDER BY version DESC LIMIT {limit}");
        self.backend.query(&sql, &[])?.iter().map(|r| version_of(r)).collect()
    }

    /// One version.
    pub fn kb_version(&self, version: u64) -> Result<KbVersion> {
        let sql = format!("SELECT {VERSION_COLUMNS} FROM kb_versions WHERE version = $1");
        let rows = self.backend.query(&sql, &[SqlValue::Int(to_i64(version))])?;
        match rows.first() {
            Some(r) => version_of(r),
            None => Err(Error::NotFound { what: "kb version", id: version.to_string() }),
        }
    }

    /// The passages of a version, sorted by id.
    pub fn kb_passages(&self, version: u64) -> Result<Vec<KbPassage>> {
        self.kb_version(version)?;
        self.passages_at(version)
    }

    /// Import a whole knowledge base: the next version holds exactly `passages`. None (nothing
    /// written) when it equals the current version.
    pub fn kb_import(&self, author: &str, note: &str, passages: Vec<KbPassage>) -> Result<Option<KbVersion>> {
        check_actor("author", author)?;
        check_text("note", note)?;
        if passages.len() > MAX_KB_PASSAGES {
            return Err(Error::InvalidInput(format!(
                "passages: {} is more than the limit of {MAX_KB_PASSAGES} per import",
                passages.len()
            )));
        }
        let wanted = unique_by_id(passages)?;
        let current = self.kb_current()?;
        let live = self.live_map(current)?;
        let plan = plan_import(&live, &wanted);
        if plan.added.is_empty() && plan.removed.is_empty() && plan.changed.is_empty() && current.is_some() {
            return Ok(None);
        }
        let version = self.publish(current, &plan, author, note, None)?;
        Ok(Some(version))
    }

    /// What changed from version `from` to version `to`.
    pub fn kb_diff(&self, from: u64, to: u64) -> Result<KbDiff> {
        let a = self.kb_passages(from)?;
        let b: BTreeMap<String, KbPassage> = self.kb_passages(to)?.into_iter().map(|p| (p.id.clone(), p)).collect();
        let a: BTreeMap<String, KbPassage> = a.into_iter().map(|p| (p.id.clone(), p)).collect();
        let mut diff = KbDiff { from, to, added: Vec::new(), removed: Vec::new(), changed: Vec::new() };
        for (id, p) in &b {
            match a.get(id) {
                None => diff.added.push(p.clone()),
                Some(old) if old.canonical() != p.canonical() => {
                    diff.changed.push(KbChangedPassage {
                        id: id.clone(),
                        before: old.body.clone(),
                        after: p.body.clone(),
                    });
                }
                Some(_) => {}
            }
        }
        diff.removed = a.into_iter().filter(|(id, _)| !b.contains_key(id)).map(|(_, p)| p).collect();
        Ok(diff)
    }

    /// Propose a change against the current version (pending until someone else decides).
    pub fn kb_propose(&self, new: NewKbChange) -> Result<KbChange> {
        check_actor("proposer", &new.proposer)?;
        check_text("note", &new.note)?;
        if new.origin.as_ref().is_some_and(|o| o.len() > 256) {
            return Err(Error::InvalidInput("origin: at most 256 bytes".into()));
        }
        let items = new.upserts.len() + new.deletes.len();
        if items == 0 {
            return Err(Error::InvalidInput("upserts, deletes: the change changes nothing".into()));
        }
        if items > MAX_CHANGE_ITEMS {
            return Err(Error::InvalidInput(format!(
                "upserts, deletes: {items} is more than the limit of {MAX_CHANGE_ITEMS} per change"
            )));
        }
        let current = self.kb_current()?;
        let live = self.live_map(current)?;
        let upserts = unique_by_id(new.upserts)?;
        let mut deletes = std::collections::BTreeSet::new();
        for id in &new.deletes {
            if !deletes.insert(id.clone()) {
                return Err(Error::InvalidInput(format!("deletes: `{id}` is listed twice")));
            }
            if upserts.contains_key(id) {
                return Err(Error::InvalidInput(format!("deletes: `{id}` is also in upserts")));
            }
            if !live.contains_key(id) {
                return Err(Error::InvalidInput(format!("deletes: no passage `{id}` in the current version")));
            }
        }
        for (id, p) in &upserts {
            if live.get(id).is_some_and(|(_, sha)| *sha == p.sha256()) {
                return Err(Error::InvalidInput(format!("upserts: passage `{id}` is unchanged")));
            }
        }
        let change = KbChange {
            id: uuid::Uuid::new_v4().to_string(),
            created_at: now(),
            proposer: new.proposer,
            note: new.note,
            origin: new.origin,
            base_version: current,
            upserts: upserts.into_values().collect(),
            deletes: deletes.into_iter().collect(),
            state: KbChangeState::Pending,
            reviewer: None,
            decided_at: None,
            result_version: None,
            reject_reason: None,
        };
        let step = Step {
            sql: format!(
                "INSERT INTO kb_changes ({CHANGE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
            ),
            params: change_params(&change)?,
            expect_one: true,
        };
        self.backend.transaction(&[step], "the change")?;
        Ok(change)
    }

    /// One change.
    pub fn kb_change(&self, id: &str) -> Result<KbChange> {
        let sql = format!("SELECT {CHANGE_COLUMNS} FROM kb_changes WHERE id = $1");
        match self.backend.query(&sql, &[SqlValue::Text(id.to_owned())])?.first() {
            Some(r) => change_of(r),
            None => Err(Error::NotFound { what: "kb change", id: id.to_owned() }),
        }
    }

    /// Changes, newest first, optionally in one state (`limit` 0: 100; at most 1000).
    pub fn kb_changes(&self, state: Option<KbChangeState>, limit: usize) -> Result<Vec<KbChange>> {
        let limit = if limit == 0 { 100 } else { limit.min(1000) };
        let (filter, params) = match state {
            Some(s) => ("WHERE state = $1", vec![SqlValue::Text(s.as_str().to_owned())]),
            None => ("", Vec::new()),
        };
        let sql =
            format!("SELECT {CHANGE_COLUMNS} FROM kb_changes {filter} ORDER BY created_at DESC, id LIMIT {limit}");
        self.backend.query(&sql, &params)?.iter().map(|r| change_of(r)).collect()
    }

    /// Approve (the change applied to the current version makes the next; a delete of a
    /// passage already gone is skipped) or reject with a reason. Only pending changes, and not
    /// by their proposer.
    pub fn kb_decide(&self, id: &str, reviewer: &str, decision: &KbDecision) -> Result<(KbChange, Option<KbVersion>)> {
        check_actor("reviewer", reviewer)?;
        let change = self.kb_change(id)?;
        if change.state != KbChangeState::Pending {
            return Err(Error::Conflict(format!("change {id} is already {}", change.state.as_str())));
        }
        if change.proposer == reviewer {
            return Err(Error::Conflict(format!(
                "change {id} was proposed by `{reviewer}`: someone else must decide it (four eyes)"
            )));
        }
        match decision {
            KbDecision::Reject { reason } => {
                if reason.trim().is_empty() {
                    return Err(Error::InvalidInput("reason: say why the change is rejected".into()));
                }
                check_text("reason", reason)?;
                let decided_at = now();
                let step = Step {
                    sql:
                        "UPDATE kb_changes SET state = 'rejected', reviewer = $1, decided_at = $2, reject_reason = $3 \
                          WHERE id = $4 AND state = 'pending'"
                            .into(),
                    params: vec![
                        SqlValue::Text(reviewer.to_owned()),
                        SqlValue::Int(decided_at.timestamp_millis()),
                        SqlValue::Text(reason.clone()),
                        SqlValue::Text(id.to_owned()),
                    ],
                    expect_one: true,
                };
                if !self.backend.transaction(&[step], "the change")? {
                    return Err(Error::Conflict(format!("change {id} was decided meanwhile")));
                }
                Ok((self.kb_change(id)?, None))
            }
            KbDecision::Approve => {
                let current = self.kb_current()?;
                let live = self.live_map(current)?;
                let plan = plan_change(&live, &change);
                if plan.total > MAX_KB_PASSAGES as u64 {
                    return Err(Error::InvalidInput(format!(
                        "upserts: approving would make {} passages, over the limit of {MAX_KB_PASSAGES}",
                        plan.total
                    )));
                }
                let version = self.publish(current, &plan, reviewer, &change.note, Some(&change.id))?;
                Ok((self.kb_change(id)?, Some(version)))
            }
        }
    }

    /// The passages of `version`, sorted by id.
    fn passages_at(&self, version: u64) -> Result<Vec<KbPassage>> {
        let v = SqlValue::Int(to_i64(version));
        // Bounded: a version holds at most MAX_KB_PASSAGES (imports and approvals check it).
        let sql = format!(
            "SELECT id, body FROM kb_passages WHERE added_in <= $1 AND (removed_in IS NULL OR removed_in > $1) \
             ORDER BY id LIMIT {}",
            MAX_KB_PASSAGES + 1
        );
        let rows = self.backend.query(&sql, &[v])?;
        if rows.len() > MAX_KB_PASSAGES {
            return Err(Error::Backend {
                backend: self.backend.name(),
                reason: format!("kb version {version} holds more than {MAX_KB_PASSAGES} passages"),
            });
        }
        rows.iter()
            .map(|r| {
                let id = text_at(r, 0)?;
                let body = serde_json::from_str(&text_at(r, 1)?).map_err(|e| Error::Backend {
                    backend: self.backend.name(),
                    reason: format!("passage {id}: {e}"),
                })?;
                Ok(KbPassage { id, body })
            })
            .collect()
    }

    /// The current passages by id, with their content hash.
    fn live_map(&self, current: Option<u64>) -> Result<BTreeMap<String, (KbPassage, String)>> {
        let Some(v) = current else { return Ok(BTreeMap::new()) };
        Ok(self.passages_at(v)?.into_iter().map(|p| (p.id.clone(), (p.clone(), p.sha256()))).collect())
    }

    /// Make version `current + 1` from `plan` in one transaction (with the change's
    /// compare-and-swap from pending when it is an approval).
    fn publish(
        &self,
        current: Option<u64>,
        plan: &Plan,
        author: &str,
        note: &str,
        change_id: Option<&str>,
    ) -> Result<KbVersion> {
        let version = KbVersion {
            version: current.unwrap_or(0) + 1,
            created_at: now(),
            author: author.to_owned(),
            note: note.to_owned(),
            change_id: change_id.map(str::to_owned),
            passages: plan.total,
            added: plan.added.len() as u64,
            removed: plan.removed.len() as u64,
            changed: plan.changed.len() as u64,
        };
        let v = to_i64(version.version);
        let mut steps = vec![Step {
            sql: format!("INSERT INTO kb_versions ({VERSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"),
            params: vec![
                SqlValue::Int(v),
                SqlValue::Int(version.created_at.timestamp_millis()),
                SqlValue::Text(version.author.clone()),
                SqlValue::Text(version.note.clone()),
                SqlValue::opt_text(version.change_id.as_deref()),
                SqlValue::Int(to_i64(version.passages)),
                SqlValue::Int(to_i64(version.added)),
                SqlValue::Int(to_i64(version.removed)),
                SqlValue::Int(to_i64(version.changed)),
            ],
            expect_one: true,
        }];
        for id in plan.removed.iter().chain(plan.changed.iter().map(|p| &p.id)) {
            steps.push(Step {
                sql: "UPDATE kb_passages SET removed_in = $1 WHERE id = $2 AND removed_in IS NULL".into(),
                params: vec![SqlValue::Int(v), SqlValue::Text(id.clone())],
                expect_one: true,
            });
        }
        for p in plan.added.iter().chain(&plan.changed) {
            steps.push(Step {
                sql: "INSERT INTO kb_passages (id, body, body_sha256, added_in, removed_in) VALUES ($1, $2, $3, $4, NULL)"
                    .into(),
                params: vec![SqlValue::Text(p.id.clone()), SqlValue::Text(p.canonical()), SqlValue::Text(p.sha256()), SqlValue::Int(v)],
                expect_one: true,
            });
        }
        if let Some(id) = change_id {
            steps.push(Step {
                sql: "UPDATE kb_changes SET state = 'approved', reviewer = $1, decided_at = $2, result_version = $3 \
                      WHERE id = $4 AND state = 'pending'"
                    .into(),
                params: vec![
                    SqlValue::Text(author.to_owned()),
                    SqlValue::Int(version.created_at.timestamp_millis()),
                    SqlValue::Int(v),
                    SqlValue::Text(id.to_owned()),
                ],
                expect_one: true,
            });
        }
        if self.backend.transaction(&steps, "the knowledge base")? {
            Ok(version)
        } else {
            Err(Error::Conflict("the knowledge base or the change changed meanwhile; try again".into()))
        }
    }
}

/// The next version holds exactly `wanted`.
fn plan_import(live: &BTreeMap<String, (KbPassage, String)>, wanted: &BTreeMap<String, KbPassage>) -> Plan {
    let mut plan = Plan { added: Vec::new(), removed: Vec::new(), changed: Vec::new(), total: wanted.len() as u64 };
    for (id, p) in wanted {
        match live.get(id) {
            None => plan.added.push(p.clone()),
            Some((_, sha)) if *sha != p.sha256() => plan.changed.push(p.clone()),
            Some(_) => {}
        }
    }
    plan.removed = live.keys().filter(|id| !wanted.contains_key(*id)).cloned().collect();
    plan
}

/// The change applied to the current passages.
fn plan_change(live: &BTreeMap<String, (KbPassage, String)>, change: &KbChange) -> Plan {
    let mut plan = Plan { added: Vec::new(), removed: Vec::new(), changed: Vec::new(), total: 0 };
    plan.removed = change.deletes.iter().filter(|id| live.contains_key(*id)).cloned().collect();
    for p in &change.upserts {
        match live.get(&p.id) {
            None => plan.added.push(p.clone()),
            Some((_, sha)) if *sha != p.sha256() => plan.changed.push(p.clone()),
            Some(_) => {}
        }
    }
    plan.total = (live.len() + plan.added.len() - plan.removed.len()) as u64;
    plan
}

/// Passages by id; a repeated id is an error naming it.
fn unique_by_id(passages: Vec<KbPassage>) -> Result<BTreeMap<String, KbPassage>> {
    let mut by_id = BTreeMap::new();
    for p in passages {
        let body_id = p.body.get("id").and_then(Value::as_str);
        if body_id != Some(p.id.as_str()) {
            return Err(Error::InvalidInput(format!("passage `{}`: its body's `id` differs", p.id)));
        }
        if let Some(dup) = by_id.insert(p.id.clone(), p) {
            return Err(Error::InvalidInput(format!("passage `{}` appears twice", dup.id)));
        }
    }
    Ok(by_id)
}

fn check_actor(field: &str, who: &str) -> Result<()> {
    if who.trim().is_empty() || who.len() > 256 {
        return Err(Error::InvalidInput(format!("{field}: a non-empty id of at most 256 bytes")));
    }
    Ok(())
}

fn check_text(field: &str, text: &str) -> Result<()> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(Error::InvalidInput(format!("{field}: more than {MAX_TEXT_BYTES} bytes")));
    }
    Ok(())
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn int_at(row: &[SqlValue], i: usize) -> Option<i64> {
    Columns { row, table: "kb" }.int(i)
}

fn text_at(row: &[SqlValue], i: usize) -> Result<String> {
    Columns { row, table: "kb" }.text(i)
}

fn opt_text_at(row: &[SqlValue], i: usize) -> Option<String> {
    Columns { row, table: "kb" }.opt_text(i)
}

fn count_at(row: &[SqlValue], i: usize) -> u64 {
    int_at(row, i).unwrap_or(0).max(0) as u64
}

fn version_of(r: &[SqlValue]) -> Result<KbVersion> {
    Ok(KbVersion {
        version: count_at(r, 0),
        created_at: from_millis(int_at(r, 1).unwrap_or(0)),
        author: text_at(r, 2)?,
        note: text_at(r, 3)?,
        change_id: opt_text_at(r, 4),
        passages: count_at(r, 5),
        added: count_at(r, 6),
        removed: count_at(r, 7),
        changed: count_at(r, 8),
    })
}

fn change_params(c: &KbChange) -> Result<Vec<SqlValue>> {
    Ok(vec![
        SqlValue::Text(c.id.clone()),
        SqlValue::Int(c.created_at.timestamp_millis()),
        SqlValue::Text(c.proposer.clone()),
        SqlValue::Text(c.note.clone()),
        SqlValue::opt_text(c.origin.as_deref()),
        SqlValue::opt_int(c.base_version.map(to_i64)),
        SqlValue::Text(to_json(&c.upserts)?),
        SqlValue::Text(to_json(&c.deletes)?),
        SqlValue::Text(c.state.as_str().to_owned()),
        SqlValue::opt_text(c.reviewer.as_deref()),
        SqlValue::opt_int(c.decided_at.map(|t| t.timestamp_millis())),
        SqlValue::opt_int(c.result_version.map(to_i64)),
        SqlValue::opt_text(c.reject_reason.as_deref()),
    ])
}

fn change_of(r: &[SqlValue]) -> Result<KbChange> {
    let parse = |i: usize| -> Result<Value> {
        serde_json::from_str(&text_at(r, i)?)
            .map_err(|e| Error::Backend { backend: "store", reason: format!("kb change column {i}: {e}") })
    };
    let upserts: Vec<KbPassage> = serde_json::from_value(parse(6)?)
        .map_err(|e| Error::Backend { backend: "store", reason: format!("kb change upserts: {e}") })?;
    let deletes: Vec<String> = serde_json::from_value(parse(7)?)
        .map_err(|e| Error::Backend { backend: "store", reason: format!("kb change deletes: {e}") })?;
    Ok(KbChange {
        id: text_at(r, 0)?,
        created_at: from_millis(int_at(r, 1).unwrap_or(0)),
        proposer: text_at(r, 2)?,
        note: text_at(r, 3)?,
        origin: opt_text_at(r, 4),
        base_version: int_at(r, 5).map(|v| v.max(0) as u64),
        upserts,
        deletes,
        state: KbChangeState::parse(&text_at(r, 8)?)?,
        reviewer: opt_text_at(r, 9),
        decided_at: int_at(r, 10).map(from_millis),
        result_version: int_at(r, 11).map(|v| v.max(0) as u64),
        reject_reason: opt_text_at(r, 12),
    })
}

/// A change's list as stored.
fn to_json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::InvalidInput(format!("change: {e}")))
}
