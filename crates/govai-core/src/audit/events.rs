//! Records the log writes about itself (besides the request records of [`super::AuditRecord`]):
//! `checkpoint`, `gap_acknowledged` and `repair`. Each is one line of the chain like any other
//! (with `seq`, `ts`, `prev`, `hash`); `kind` tells them apart.

use serde::{Deserialize, Serialize};

/// A signed checkpoint: the chain up to `checkpoint_seq` ends in `checkpoint_hash`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The record the checkpoint covers (the one before it; 0 for an empty log).
    pub checkpoint_seq: u64,
    /// That record's `hash` (64 zeros for an empty log).
    pub checkpoint_hash: String,
    /// When it was signed (RFC 3339 UTC).
    pub time: String,
    /// Id of the signing key (first 16 hex digits of the SHA-256 of the public key).
    pub key_id: String,
    /// The writer's `checkpoint_every`, if set: at most about this many records follow a
    /// checkpoint before the next one, so verification can tell missing checkpoints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<u64>,
    /// Ed25519 signature (hex) over `govai-audit-checkpoint-v1\n` + the canonical JSON of this
    /// record's `kind` and the fields above.
    #[serde(default)]
    pub sig: String,
}

/// An operator acknowledged that the log disagrees with its anchor (records lost from the
/// tail, a rewritten tail, or a missing anchor) so that writing may resume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GapAcknowledged {
    /// The seq the anchor named (`None`: no anchor).
    pub expected_seq: Option<u64>,
    /// The hash the anchor named.
    pub expected_hash: Option<String>,
    /// The seq of the last record found in the log.
    pub found_seq: u64,
    /// Its hash.
    pub found_hash: String,
    /// What the writer saw, in English.
    pub problem: String,
    /// The operator's reason.
    pub reason: String,
}

/// A torn last line (a crash mid-write) was moved to a quarantine file beside the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repair {
    /// The quarantine file's name (in the log's directory).
    pub quarantine: String,
    /// Length of the torn fragment in bytes.
    pub torn_bytes: u64,
    /// SHA-256 (hex) of the fragment.
    pub torn_sha256: String,
}

/// The kinds above, tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LogEvent {
    /// `kind: checkpoint`.
    Checkpoint(Checkpoint),
    /// `kind: gap_acknowledged`.
    GapAcknowledged(GapAcknowledged),
    /// `kind: repair`.
    Repair(Repair),
}
