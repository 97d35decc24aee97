//! API keys: a JSON file of hashed keys, each mapping to a caller id and a role. The key itself
//! is shown once, when it is created; the file holds its SHA-256 only. The server re-reads the
//! file when it changes, so a revoked key stops working within a second without a restart.
//!
//! A key reads `gk_<id>_<secret>`: `id` (8 hex digits) finds the entry, `secret` (256 random
//! bits) is what the hash protects. With that much entropy a plain SHA-256 is as strong as a
//! slow password hash and costs microseconds per request.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Largest key file read (bytes): about 20,000 keys.
const MAX_KEY_FILE_BYTES: usize = 8 << 20;
/// How often the server looks whether the key file changed.
const RECHECK: Duration = Duration::from_secs(1);
const PREFIX: &str = "gk_";

/// One key as stored: no secret, only its hash.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct KeyEntry {
    /// Public key id (the part after `gk_`), shown in listings and audit.
    pub id: String,
    /// The caller the key authenticates, recorded in every audit record.
    pub caller: String,
    /// The role (`[server.roles.NAME]`) deciding what the caller may do.
    pub role: String,
    /// SHA-256 of the whole key, hex.
    pub sha256: String,
    /// When it was created (RFC 3339).
    pub created: String,
    /// When it was revoked, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    keys: Vec<KeyEntry>,
}

/// Read the key file at `path` (missing: no keys).
pub fn read(path: &Path) -> Result<Vec<KeyEntry>> {
    let text = match govai::io::read_file_bounded(path, MAX_KEY_FILE_BYTES) {
        Ok(t) => t,
        Err(govai::Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let file: KeyFile = serde_json::from_str(&text).map_err(|e| Error::Config {
        file: path.display().to_string(),
        key: "keys".into(),
        reason: format!("not a govai key file: {e}"),
    })?;
    Ok(file.keys)
}

/// Write `keys` to `path` atomically (a temporary file renamed over it), readable by the
/// owner only.
fn write(path: &Path, keys: Vec<KeyEntry>) -> Result<()> {
    let text = serde_json::to_string_pretty(&KeyFile { keys }).map_err(|e| Error::Internal(e.to_string()))?;
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text + "\n").map_err(|e| Error::io(&tmp, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600)).map_err(|e| Error::io(&tmp, e))?;
    }
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

fn digest(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

fn random_hex(bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| Error::Internal(format!("no randomness for a key: {e}")))?;
    Ok(hex::encode(buf))
}

/// Create a key for `caller` with `role` in the file at `path`; returns the key (shown once)
/// and its entry.
pub fn create(path: &Path, caller: &str, role: &str) -> Result<(String, KeyEntry)> {
    if caller.trim().is_empty() || caller.len() > 128 {
        return Err(Error::invalid("caller: give a non-empty id of at most 128 bytes", Some("caller")));
    }
    let mut keys = read(path)?;
    let id = loop {
        let id = random_hex(4)?;
        if !keys.iter().any(|k| k.id == id) {
            break id;
        }
    };
    let key = format!("{PREFIX}{id}_{}", random_hex(32)?);
    let entry = KeyEntry {
        id,
        caller: caller.to_owned(),
        role: role.to_owned(),
        sha256: digest(&key),
        created: chrono::Utc::now().to_rfc3339(),
        revoked: None,
    };
    keys.push(entry.clone());
    write(path, keys)?;
    Ok((key, entry))
}

/// Revoke the key with id `id`; an error names it when it does not exist.
pub fn revoke(path: &Path, id: &str) -> Result<KeyEntry> {
    let mut keys = read(path)?;
    let Some(entry) = keys.iter_mut().find(|k| k.id == id) else {
        return Err(Error::NotFound(format!("no key with id `{id}` in {}", path.display())));
    };
    if entry.revoked.is_none() {
        entry.revoked = Some(chrono::Utc::now().to_rfc3339());
    }
    let revoked = entry.clone();
    write(path, keys)?;
    Ok(revoked)
}

/// Who a key authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyOwner {
    /// Key id.
    pub key_id: String,
    /// Caller id.
    pub caller: String,
    /// Role name.
    pub role: String,
}

/// The server's view of the key file, re-read when it changes.
#[derive(Debug)]
pub struct KeyRing {
    path: Option<PathBuf>,
    state: Mutex<RingState>,
}

#[derive(Debug)]
struct RingState {
    keys: Vec<KeyEntry>,
    modified: Option<Stamp>,
    checked: Instant,
}

impl KeyRing {
    /// Load the keys of `path` (None: no key file).
    pub fn load(path: Option<PathBuf>) -> Result<Self> {
        let (keys, modified) = match &path {
            Some(p) => (read(p)?, modified(p)),
            None => (Vec::new(), None),
        };
        Ok(Self { path, state: Mutex::new(RingState { keys, modified, checked: Instant::now() }) })
    }

    /// Are any keys configured (revoked or not)? Without, the server is anonymous and loopback only.
    /// Looks at the file again (at most once a second), so that the first key created while
    /// the server runs turns authentication on.
    pub fn is_empty(&self) -> bool {
        if self.path.is_none() {
            return true;
        }
        let Ok(mut state) = self.state.lock() else { return false };
        // A file that became unreadable keeps the last keys: fail closed, not open.
        let _ = self.refresh(&mut state);
        state.keys.is_empty()
    }

    /// The owner of `key`, if it is known and not revoked.
    pub fn lookup(&self, key: &str) -> Result<Option<KeyOwner>> {
        let Some(id) = key.strip_prefix(PREFIX).and_then(|rest| rest.split_once('_')).map(|(id, _)| id) else {
            return Ok(None);
        };
        let hash = digest(key);
        let mut state = self.state.lock().map_err(|_| Error::Internal("key ring poisoned".into()))?;
        self.refresh(&mut state)?;
        Ok(state
            .keys
            .iter()
            .find(|k| k.id == id && k.revoked.is_none() && constant_time_eq(k.sha256.as_bytes(), hash.as_bytes()))
            .map(|k| KeyOwner { key_id: k.id.clone(), caller: k.caller.clone(), role: k.role.clone() }))
    }

    /// Re-read the file when it changed (checked at most once per [`RECHECK`]). A file that
    /// became unreadable keeps the last good keys and fails the lookup loudly instead.
    fn refresh(&self, state: &mut RingState) -> Result<()> {
        let Some(path) = &self.path else { return Ok(()) };
        if state.checked.elapsed() < RECHECK {
            return Ok(());
        }
        state.checked = Instant::now();
        let now = modified(path);
        if now != state.modified {
            state.keys = read(path)?;
            state.modified = now;
        }
        Ok(())
    }
}

/// What tells a changed key file: its modification time (coarse: two writes within a few
/// milliseconds share it), its length, and its inode (every write is a rename, a new inode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

fn modified(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&m);
    #[cfg(not(unix))]
    let inode = 0;
    Some(Stamp { modified: m.modified().ok(), len: m.len(), inode })
}

/// Compare without an early exit (the inputs are hashes; this only avoids a timing signal).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_key_authenticates_until_revoked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("keys.json");
        let (key, entry) = create(&path, "portal", "citizen").expect("create");
        assert!(key.starts_with("gk_") && key.len() > 70, "{key}");
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(!text.contains(&key[12..]), "the secret is not stored");
        let ring = KeyRing::load(Some(path.clone())).expect("load");
        let owner = ring.lookup(&key).expect("lookup").expect("known");
        assert_eq!((owner.caller.as_str(), owner.role.as_str()), ("portal", "citizen"));
        assert_eq!(ring.lookup(&format!("{key}x")).expect("lookup"), None);
        assert_eq!(ring.lookup("gk_00000000_abc").expect("lookup"), None);
        assert_eq!(ring.lookup("Bearer nonsense").expect("lookup"), None);

        revoke(&path, &entry.id).expect("revoke");
        // The ring sees the change on its next check.
        std::thread::sleep(RECHECK + Duration::from_millis(50));
        assert_eq!(ring.lookup(&key).expect("lookup"), None);
        assert!(revoke(&path, "nope").is_err());
    }

    #[test]
    fn bad_file_is_a_config_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("keys.json");
        std::fs::write(&path, "{not json").expect("write");
        let e = KeyRing::load(Some(path)).expect_err("bad file");
        assert_eq!(e.kind(), crate::ErrorKind::Config, "{e}");
    }
}
