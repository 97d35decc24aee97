//! The console's page frame: language, navigation by permission, escaping, notices and
//! errors, and the security headers of every console response. Text is escaped with
//! [`esc`] (the reports' one escaping function) and nowhere else.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use govai::server_config::Permission;

use super::session::Visitor;
use crate::error::Error;

pub(crate) use govai_report::svg::escape as esc;

/// The page language: zh-CN first, English on request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    Zh,
    En,
}

impl Lang {
    /// The text in this language.
    pub(crate) fn t(self, zh: &'static str, en: &'static str) -> &'static str {
        match self {
            Self::Zh => zh,
            Self::En => en,
        }
    }

    fn code(self) -> &'static str {
        self.t("zh-CN", "en")
    }
}

/// The console's sections, each behind a permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nav {
    Reviews,
    Dashboard,
    Audit,
    Kb,
    Models,
}

impl Nav {
    const ALL: [Self; 5] = [Self::Reviews, Self::Dashboard, Self::Audit, Self::Kb, Self::Models];

    pub(crate) fn href(self) -> &'static str {
        match self {
            Self::Reviews => "/console/reviews",
            Self::Dashboard => "/console/dashboard",
            Self::Audit => "/console/audit",
            Self::Kb => "/console/kb",
            Self::Models => "/console/models",
        }
    }

    pub(crate) fn label(self, l: Lang) -> &'static str {
        match self {
            Self::Reviews => l.t("审核队列", "Review queue"),
            Self::Dashboard => l.t("运行看板", "Dashboard"),
            Self::Audit => l.t("审计", "Audit"),
            Self::Kb => l.t("知识库", "Knowledge base"),
            Self::Models => l.t("模型", "Models"),
        }
    }

    /// Whether a role with these permissions sees the section.
    pub(crate) fn allowed(self, v: &Visitor) -> bool {
        let r = &v.caller.role;
        match self {
            Self::Reviews => r.allows(Permission::ReviewQueue),
            Self::Dashboard => {
                r.allows(Permission::Audit) || r.allows(Permission::ReviewQueue) || r.allows(Permission::Models)
            }
            Self::Audit => r.allows(Permission::Audit),
            Self::Kb => r.allows(Permission::KnowledgeBase),
            Self::Models => r.allows(Permission::Models),
        }
    }

    /// The first section the visitor may open.
    pub(crate) fn home(v: &Visitor) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.allowed(v))
    }
}

/// The hidden CSRF field of a form.
pub(crate) fn csrf_field(v: &Visitor) -> String {
    format!(r#"<input type="hidden" name="csrf" value="{}">"#, esc(&v.csrf))
}

/// A whole page: header, navigation, the body.
pub(crate) fn render(v: &Visitor, nav: Nav, title: &str, body: &str) -> Response {
    let l = v.lang;
    let mut links = String::new();
    for n in Nav::ALL.into_iter().filter(|n| n.allowed(v)) {
        let current = if n == nav { r#" aria-current="page""# } else { "" };
        links.push_str(&format!(r#"<li><a href="{}"{current}>{}</a></li>"#, n.href(), esc(n.label(l))));
    }
    let (other, other_label) = match l {
        Lang::Zh => ("en", "English"),
        Lang::En => ("zh", "中文"),
    };
    let header = format!(
        r##"<header class="top"><a class="skip" href="#main">{skip}</a><span class="brand">govai {console}</span>
<nav aria-label="{navl}"><ul>{links}</ul></nav>
<div class="who"><span data-testid="who">{who} · {role}</span>
<a href="/console/lang?to={other}&amp;next={next}" lang="{other}">{other_label}</a>
<form method="post" action="/console/logout">{csrf}<button type="submit">{out}</button></form></div></header>"##,
        skip = l.t("跳到正文", "Skip to content"),
        console = l.t("运营控制台", "console"),
        navl = l.t("主导航", "Main"),
        who = esc(&v.caller.id),
        role = esc(&v.caller.role_name),
        next = esc(&super::session::urlencode(v.path())),
        csrf = csrf_field(v),
        out = l.t("退出", "Sign out"),
    );
    document(l, title, &format!("{header}<main id=\"main\" tabindex=\"-1\"><h1>{}</h1>{body}</main>", esc(title)))
}

fn document(l: Lang, title: &str, inner: &str) -> Response {
    let html = format!(
        r#"<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · govai</title><link rel="stylesheet" href="/console/assets/console.css">
<script src="/console/assets/console.js" defer></script></head><body>{inner}</body></html>
"#,
        lang = l.code(),
        title = esc(title),
    );
    Html(html).into_response()
}

/// The sign-in page.
pub(crate) fn sign_in(l: Lang, nonce: &str, next: &str, keys: bool, error: Option<&str>) -> Response {
    let error = error.map_or_else(String::new, |e| format!(r#"<p class="error" role="alert">{}</p>"#, esc(e)));
    let hint = if keys {
        l.t("请输入管理员发放的 API 密钥（gk_…）。", "Enter the API key you were given (gk_…).")
    } else {
        l.t(
            "本服务未配置密钥，仅在本机回环地址上提供；留空即可以本地身份进入。",
            "No keys are configured: the server serves loopback only; leave it empty to enter as `local`.",
        )
    };
    let (other, other_label) = match l {
        Lang::Zh => ("en", "English"),
        Lang::En => ("zh", "中文"),
    };
    let body = format!(
        r#"<main id="main" class="signin"><h1>govai {title}</h1>{error}
<form method="post" action="/console/login">
<input type="hidden" name="nonce" value="{nonce}"><input type="hidden" name="next" value="{next}">
<label for="key">{label}</label><input id="key" name="key" type="password" autocomplete="off" autofocus>
<p class="hint">{hint}</p><button type="submit">{submit}</button></form>
<p><a href="/console/lang?to={other}&amp;next=/console/login" lang="{other}">{other_label}</a></p></main>"#,
        title = l.t("运营控制台", "console"),
        nonce = esc(nonce),
        next = esc(next),
        label = l.t("API 密钥", "API key"),
        submit = l.t("登录", "Sign in"),
    );
    document(l, l.t("登录", "Sign in"), &body)
}

/// An error page (a failure before any section could be shown).
pub(crate) fn failure_page(l: Lang, e: &Error) -> Response {
    let mut r = document(l, l.t("出错了", "Error"), &format!("<main id=\"main\">{}</main>", error_box(l, e)));
    *r.status_mut() = status_of(e);
    r
}

/// The HTTP status of an error.
pub(crate) fn status_of(e: &Error) -> StatusCode {
    e.kind().status()
}

/// The page of an action that failed: `nav`'s frame, the error (and `extra` below it), with
/// the error's HTTP status.
pub(crate) fn failed(v: &Visitor, nav: Nav, title: &str, e: &Error, extra: &str) -> Response {
    let mut r = render(v, nav, title, &format!("{}{extra}", error_box(v.lang, e)));
    *r.status_mut() = status_of(e);
    r
}

/// An error shown on a page.
pub(crate) fn error_box(l: Lang, e: &Error) -> String {
    format!(
        r#"<div class="error" role="alert"><strong>{}</strong> {}</div>"#,
        l.t("未能完成：", "Not done:"),
        esc(&e.to_string())
    )
}

/// The notice of a finished action (`?done=` after a redirect).
pub(crate) fn notice(l: Lang, done: Option<&str>) -> String {
    let text = match done {
        Some("approved") => {
            l.t("已批准，提问方将收到审核后的回答。", "Approved: the caller receives the reviewed answer.")
        }
        Some("rejected") => {
            l.t("已驳回，提问方将收到转人工提示。", "Rejected: the caller receives the hand-over message.")
        }
        Some("claimed") => l.t("已认领。", "Claimed."),
        Some("kb_approved") => l.t("变更已批准并发布新版本。", "Change approved; a new version is published."),
        Some("kb_rejected") => l.t("变更已驳回。", "Change rejected."),
        Some("canary") => l.t("灰度比例已设置，下一请求起生效。", "Canary share set, from the next request."),
        Some("rollback") => {
            l.t("已回滚，下一请求起全部由稳定模型处理。", "Rolled back: the stable model serves from the next request.")
        }
        _ => return String::new(),
    };
    format!(r#"<p class="notice" role="status">{}</p>"#, esc(text))
}

/// A short age: minutes, hours or days.
pub(crate) fn age(l: Lang, secs: i64) -> String {
    let secs = secs.max(0);
    match secs {
        s if s < 3600 => format!("{}{}", s / 60, l.t(" 分钟", " min")),
        s if s < 86_400 => format!("{:.1}{}", s as f64 / 3600.0, l.t(" 小时", " h")),
        s => format!("{:.1}{}", s as f64 / 86_400.0, l.t(" 天", " d")),
    }
}

/// Security headers on every console response: a strict content security policy (only this
/// server's own script and style), no framing, no referrer, no caching of pages.
pub(crate) async fn security_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
