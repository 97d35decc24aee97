//! Ed25519 keys for signed checkpoints.
//!
//! Key files are text: the private key file holds the 32-byte Ed25519 seed as 64 lowercase hex
//! digits (and a newline), the public key file (`<key>.pub`) the 32-byte public key the same way.
//! A key's id is the first 16 hex digits of the SHA-256 of its public key.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::audit_err;
use crate::error::{Error, Result};

/// What the signature of a checkpoint covers: this prefix, then the checkpoint's canonical JSON
/// without `sig`.
const DOMAIN: &[u8] = b"govai-audit-checkpoint-v1\n";

/// A key pair written by [`keygen`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyInfo {
    /// The private key file (mode 0600).
    pub private_key: PathBuf,
    /// The public key file (`<private key>.pub`).
    pub public_key_file: PathBuf,
    /// The public key, 64 hex digits.
    pub public_key: String,
    /// The key id recorded in checkpoints.
    pub key_id: String,
}

/// The id of a public key: first 16 hex digits of its SHA-256.
pub(crate) fn key_id(key: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(key.as_bytes())[..8])
}

/// `<path>.pub`.
pub fn public_key_path(private: &Path) -> PathBuf {
    let mut s = private.as_os_str().to_owned();
    s.push(".pub");
    PathBuf::from(s)
}

/// Generate a key pair: the private key to `out` (created new, mode 0600 on Unix) and the public
/// key to `<out>.pub`. Refuses to overwrite either file.
pub fn keygen(out: &Path) -> Result<KeyInfo> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| audit_err(out, format!("no randomness for a key: {e}")))?;
    let key = SigningKey::from_bytes(&seed);
    let public = key.verifying_key();
    let pub_path = public_key_path(out);
    if pub_path.exists() {
        return Err(audit_err(&pub_path, "exists; refusing to overwrite a key"));
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(out).map_err(|e| Error::io(out, e))?;
    f.write_all(format!("{}\n", hex::encode(seed)).as_bytes()).map_err(|e| Error::io(out, e))?;
    f.sync_all().map_err(|e| Error::io(out, e))?;
    let public_hex = hex::encode(public.as_bytes());
    fs::write(&pub_path, format!("{public_hex}\n")).map_err(|e| Error::io(&pub_path, e))?;
    Ok(KeyInfo {
        private_key: out.to_owned(),
        public_key_file: pub_path,
        public_key: public_hex,
        key_id: key_id(&public),
    })
}

fn read_hex32(path: &Path, what: &str) -> Result<[u8; 32]> {
    let text = fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let bytes = hex::decode(text.trim())
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| audit_err(path, format!("not a {what}: expected 64 hex digits")))?;
    Ok(bytes)
}

/// Load a private key file (64 hex digits, the Ed25519 seed).
pub(crate) fn load_signing_key(path: &Path) -> Result<SigningKey> {
    Ok(SigningKey::from_bytes(&read_hex32(path, "govai signing key")?))
}

/// Load a public key file (64 hex digits).
pub(crate) fn load_verifying_key(path: &Path) -> Result<VerifyingKey> {
    VerifyingKey::from_bytes(&read_hex32(path, "govai public key")?)
        .map_err(|e| audit_err(path, format!("not an Ed25519 public key: {e}")))
}

/// Sign a checkpoint's canonical JSON (without `sig`); hex signature.
pub(crate) fn sign(key: &SigningKey, canonical: &str) -> String {
    let mut msg = DOMAIN.to_vec();
    msg.extend_from_slice(canonical.as_bytes());
    hex::encode(key.sign(&msg).to_bytes())
}

/// Check a hex signature over a checkpoint's canonical JSON (without `sig`).
pub(crate) fn verify_sig(key: &VerifyingKey, canonical: &str, sig_hex: &str) -> bool {
    let Some(sig) = hex::decode(sig_hex).ok().and_then(|b| <[u8; 64]>::try_from(b).ok()) else {
        return false;
    };
    let mut msg = DOMAIN.to_vec();
    msg.extend_from_slice(canonical.as_bytes());
    key.verify_strict(&msg, &Signature::from_bytes(&sig)).is_ok()
}
