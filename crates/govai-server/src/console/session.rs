//! Who is at the console: sign-in with an API key, a server-side session behind an HttpOnly,
//! SameSite=Strict, Secure cookie, a CSRF token per session, and the page language.
//!
//! The session keeps the key in the server's memory only (never in the cookie) and checks it
//! again on every page, so a revoked key or a changed role takes effect on the next click.
//! Sessions end after [`IDLE`] without a page, after [`MAX_AGE`] in all, or on sign-out.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Form;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::page::{self, Lang};
use crate::error::{Error, Result};
use crate::gateway::{Caller, Gateway};

/// A session ends after this long without a page.
pub const IDLE: Duration = Duration::from_secs(30 * 60);
/// A session ends this long after sign-in, whatever happens.
pub const MAX_AGE: Duration = Duration::from_secs(8 * 3600);
/// Most sessions held at once; signing in beyond it ends the oldest.
const MAX_SESSIONS: usize = 10_000;
/// The session cookie (path `/console`).
const COOKIE: &str = "govai_console";
/// The sign-in form's double-submit cookie (login CSRF).
const LOGIN_COOKIE: &str = "govai_console_login";
/// The language cookie (`zh` or `en`).
const LANG_COOKIE: &str = "govai_lang";
/// Longest API key accepted at sign-in.
const MAX_KEY_BYTES: usize = 512;

struct Session {
    /// The API key it signed in with; None without keys configured (the anonymous role).
    key: Option<String>,
    csrf: String,
    started: Instant,
    seen: Instant,
}

/// The console's sessions, kept across configuration reloads.
#[derive(Default)]
pub struct Sessions {
    inner: Mutex<HashMap<String, Session>>,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions").finish_non_exhaustive()
    }
}

impl Sessions {
    fn lock(&self) -> Result<std::sync::MutexGuard<'_, HashMap<String, Session>>> {
        self.inner.lock().map_err(|_| Error::Internal("console sessions poisoned".into()))
    }

    /// A new session for `key`; returns the cookie token.
    fn start(&self, key: Option<String>) -> Result<String> {
        let token = random_hex()?;
        let now = Instant::now();
        let session = Session { key, csrf: random_hex()?, started: now, seen: now };
        let mut map = self.lock()?;
        map.retain(|_, s| live(s, now));
        if map.len() >= MAX_SESSIONS
            && let Some(oldest) = map.iter().min_by_key(|(_, s)| s.started).map(|(k, _)| k.clone())
        {
            map.remove(&oldest);
        }
        map.insert(digest(&token), session);
        Ok(token)
    }

    /// The key and CSRF token of a live session, marked as seen.
    fn touch(&self, token: &str) -> Result<Option<(Option<String>, String)>> {
        let now = Instant::now();
        let mut map = self.lock()?;
        let id = digest(token);
        match map.get_mut(&id) {
            Some(s) if live(s, now) => {
                s.seen = now;
                Ok(Some((s.key.clone(), s.csrf.clone())))
            }
            Some(_) => {
                map.remove(&id);
                Ok(None)
            }
            None => Ok(None),
        }
    }

    fn end(&self, token: &str) -> Result<()> {
        self.lock()?.remove(&digest(token));
        Ok(())
    }
}

fn live(s: &Session, now: Instant) -> bool {
    now.duration_since(s.seen) < IDLE && now.duration_since(s.started) < MAX_AGE
}

fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn random_hex() -> Result<String> {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf).map_err(|e| Error::Internal(format!("no randomness for a session: {e}")))?;
    Ok(hex::encode(buf))
}

/// Equal without an early exit on the first differing byte.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The value of cookie `name` in the request's headers.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn set_cookie(name: &str, value: &str, path: &str, max_age: Option<u64>) -> HeaderValue {
    let age = max_age.map_or_else(String::new, |s| format!("; Max-Age={s}"));
    HeaderValue::from_str(&format!("{name}={value}; Path={path}; HttpOnly; SameSite=Strict; Secure{age}"))
        .unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

/// The page language: the `govai_lang` cookie, zh-CN by default.
pub(crate) fn lang_of(headers: &HeaderMap) -> Lang {
    match cookie(headers, LANG_COOKIE) {
        Some("en") => Lang::En,
        _ => Lang::Zh,
    }
}

/// A signed-in visitor of a console page.
#[derive(Debug, Clone)]
pub(crate) struct Visitor {
    pub(crate) caller: Caller,
    pub(crate) lang: Lang,
    pub(crate) csrf: String,
    /// The page asked for (to come back to after signing in).
    path: String,
}

impl Visitor {
    /// A form post is this session's own: its CSRF token matches and, when the browser sends
    /// an `Origin`, it is this server.
    pub(crate) fn check_post(&self, token: &str, headers: &HeaderMap) -> Result<()> {
        if !same(token, &self.csrf) {
            return Err(Error::Forbidden(
                "the form is stale or not from this console (CSRF token); reload the page".into(),
            ));
        }
        same_origin(headers)
    }
}

/// A cross-site post (its `Origin` names another host than `Host`) is refused. No `Origin`, or
/// `null` (what a browser sends under some referrer policies), leaves the decision to the
/// CSRF token alone.
fn same_origin(headers: &HeaderMap) -> Result<()> {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()).filter(|o| *o != "null") else {
        return Ok(());
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let origin_host = origin.split_once("://").map_or(origin, |(_, h)| h);
    if origin_host == host {
        Ok(())
    } else {
        Err(Error::Forbidden(format!("cross-site form post from `{origin}` refused")))
    }
}

impl FromRequestParts<Arc<Gateway>> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, g: &Arc<Gateway>) -> std::result::Result<Self, Response> {
        let lang = lang_of(&parts.headers);
        let path = parts.uri.path_and_query().map_or("/console", |p| p.as_str()).to_owned();
        let to_sign_in = || Redirect::to(&format!("/console/login?next={}", urlencode(&path))).into_response();
        let Some(token) = cookie(&parts.headers, COOKIE) else { return Err(to_sign_in()) };
        let (key, csrf) = match g.sessions.touch(token) {
            Ok(Some(s)) => s,
            Ok(None) => return Err(to_sign_in()),
            Err(e) => return Err(page::failure_page(lang, &e)),
        };
        match g.authenticate(key.as_deref()) {
            Ok(caller) => Ok(Self { caller, lang, csrf, path }),
            // Revoked key or removed role: the session is over.
            Err(_) => {
                let _ = g.sessions.end(token);
                Err(to_sign_in())
            }
        }
    }
}

/// Percent-encode a path for a query value.
pub(crate) fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Only a console path is a place to go back to (no open redirect).
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with("/console") && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/console/",
    }
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

/// `GET /console/login`: the sign-in form.
pub async fn login_form(State(g): State<Arc<Gateway>>, headers: HeaderMap, Query(q): Query<NextQuery>) -> Response {
    let lang = lang_of(&headers);
    match random_hex() {
        Ok(nonce) => sign_in_page(&g, lang, &nonce, safe_next(q.next.as_deref()), None, StatusCode::OK),
        Err(e) => page::failure_page(lang, &e),
    }
}

fn sign_in_page(g: &Gateway, lang: Lang, nonce: &str, next: &str, error: Option<&str>, status: StatusCode) -> Response {
    let mut response = page::sign_in(lang, nonce, next, g.has_keys(), error).into_response();
    *response.status_mut() = status;
    response.headers_mut().append(header::SET_COOKIE, set_cookie(LOGIN_COOKIE, nonce, "/console/login", Some(600)));
    response
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    key: String,
    nonce: String,
    #[serde(default)]
    next: Option<String>,
}

/// `POST /console/login`: check the key, start a session, audit it (`console`, `sign_in`).
pub async fn login(State(g): State<Arc<Gateway>>, headers: HeaderMap, Form(form): Form<LoginForm>) -> Response {
    let lang = lang_of(&headers);
    let next = safe_next(form.next.as_deref()).to_owned();
    let retry = |message: &str| match random_hex() {
        Ok(nonce) => sign_in_page(&g, lang, &nonce, &next, Some(message), StatusCode::UNAUTHORIZED),
        Err(e) => page::failure_page(lang, &e),
    };
    let nonce_ok = cookie(&headers, LOGIN_COOKIE).is_some_and(|c| same(c, &form.nonce));
    if !nonce_ok || same_origin(&headers).is_err() {
        return retry(lang.t("登录表单已过期，请重新登录。", "The sign-in form expired; sign in again."));
    }
    let key = form.key.trim();
    if key.len() > MAX_KEY_BYTES {
        return retry(lang.t("密钥过长。", "The key is too long."));
    }
    let key = (!key.is_empty()).then(|| key.to_owned());
    let caller = match g.authenticate(key.as_deref()) {
        Ok(c) => c,
        Err(_) => {
            g.metrics.error(crate::error::ErrorKind::Unauthorized);
            if let Err(e) = audit_failed_sign_in(&g, key.as_deref()) {
                return page::failure_page(lang, &e);
            }
            return retry(lang.t("密钥无效或已吊销。", "Invalid or revoked key."));
        }
    };
    let started = g.sessions.start(key).and_then(|token| {
        audit_session(&g, &caller, "sign_in")?;
        Ok(token)
    });
    match started {
        Ok(token) => {
            let mut response = Redirect::to(&next).into_response();
            let h = response.headers_mut();
            h.append(header::SET_COOKIE, set_cookie(COOKIE, &token, "/console", None));
            h.append(header::SET_COOKIE, set_cookie(LOGIN_COOKIE, "", "/console/login", Some(0)));
            response
        }
        Err(e) => page::failure_page(lang, &e),
    }
}

/// A form whose only field is the session's CSRF token (sign-out, claim, rollback, verify).
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    pub(crate) csrf: String,
}

/// `POST /console/logout`: end the session (audited).
pub async fn logout(
    State(g): State<Arc<Gateway>>,
    visitor: Visitor,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    let result = visitor.check_post(&form.csrf, &headers).and_then(|()| {
        if let Some(token) = cookie(&headers, COOKIE) {
            g.sessions.end(token)?;
        }
        audit_session(&g, &visitor.caller, "sign_out")
    });
    match result {
        Ok(()) => {
            let mut response = Redirect::to("/console/login").into_response();
            response.headers_mut().append(header::SET_COOKIE, set_cookie(COOKIE, "", "/console", Some(0)));
            response
        }
        Err(e) => page::failure_page(visitor.lang, &e),
    }
}

/// `GET /console/lang?to=en|zh&next=PATH`: switch the language (a preference, no state).
pub async fn set_lang(Query(q): Query<NextQuery>) -> Response {
    let to = if q.to.as_deref() == Some("en") { "en" } else { "zh" };
    let mut response = Redirect::to(safe_next(q.next.as_deref())).into_response();
    response.headers_mut().append(header::SET_COOKIE, set_cookie(LANG_COOKIE, to, "/console", Some(365 * 86400)));
    response
}

/// The audit record of a refused sign-in: the key's public id when it has the key format
/// (`gk_<id>_…`), never the key.
fn audit_failed_sign_in(g: &Gateway, key: Option<&str>) -> Result<()> {
    let key_id = key
        .and_then(|k| k.strip_prefix("gk_"))
        .and_then(|rest| rest.split_once('_'))
        .map(|(id, _)| id)
        .filter(|id| id.len() == 8 && id.bytes().all(|b| b.is_ascii_hexdigit()));
    g.deployment.audit_log().append(json!({
        "kind": "console",
        "action": "sign_in_refused",
        "key_id": key_id,
    }))?;
    Ok(())
}

/// The audit record of a sign-in or sign-out (`kind: console`).
pub(crate) fn audit_session(g: &Gateway, caller: &Caller, action: &str) -> Result<()> {
    g.deployment.audit_log().append(json!({
        "kind": "console",
        "user": caller.id,
        "user_role": caller.role_name,
        "action": action,
    }))?;
    Ok(())
}

impl Visitor {
    /// The page this visitor asked for.
    pub(crate) fn path(&self) -> &str {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_by_name() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; govai_console=abc; govai_lang=en"));
        assert_eq!(cookie(&h, "govai_console"), Some("abc"));
        assert_eq!(lang_of(&h), Lang::En);
        assert_eq!(cookie(&h, "missing"), None);
    }

    #[test]
    fn sessions_end_on_sign_out_and_tokens_are_not_stored() {
        let s = Sessions::default();
        let token = s.start(Some("gk_x".into())).unwrap();
        assert!(s.lock().unwrap().keys().all(|k| k != &token), "only the token's hash is kept");
        assert_eq!(s.touch(&token).unwrap().map(|(k, _)| k), Some(Some("gk_x".into())));
        s.end(&token).unwrap();
        assert!(s.touch(&token).unwrap().is_none());
        assert!(s.touch("forged").unwrap().is_none());
    }

    #[test]
    fn only_console_paths_are_followed_and_posts_must_be_same_origin() {
        assert_eq!(safe_next(Some("/console/reviews?x=1")), "/console/reviews?x=1");
        for bad in ["https://evil.example", "//evil.example", "/v1/models", "/console\\@evil"] {
            assert_eq!(safe_next(Some(bad)), "/console/", "{bad}");
        }
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8088"));
        assert!(same_origin(&h).is_ok());
        h.insert(header::ORIGIN, HeaderValue::from_static("http://127.0.0.1:8088"));
        assert!(same_origin(&h).is_ok());
        h.insert(header::ORIGIN, HeaderValue::from_static("https://evil.example"));
        assert!(same_origin(&h).is_err());
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }
}
