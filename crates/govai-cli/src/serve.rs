//! `govai serve` and `govai keys`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use govai::Error;
use govai::config::Config;
use serde_json::json;

use crate::args::KeysCommand;
use crate::table::render;
use crate::{out, outln, print_json};

/// A gateway error as the CLI reports it.
pub(crate) fn cli_error(e: govai_server::Error) -> Error {
    match e {
        govai_server::Error::Govai(e) => e,
        govai_server::Error::Config { file, key, reason } => Error::config(file, key, reason),
        govai_server::Error::Io { path, source } => Error::io(path, source),
        govai_server::Error::NotFound(what) => Error::InvalidInput(what),
        other => Error::InvalidInput(other.to_string()),
    }
}

/// `govai serve`: until Ctrl-C or SIGTERM, then drain and flush the audit log.
pub(crate) fn serve(config: &Path, listen: Option<&str>) -> govai::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the server runtime: {e}")))?;
    let gateway = Arc::new(govai_server::Gateway::load(config).map_err(cli_error)?);
    crate::audit::print_open_notices(gateway.deployment());
    runtime.block_on(async {
        let (listener, notice) = govai_server::bind(&gateway, listen).await.map_err(cli_error)?;
        if let Some(n) = notice {
            eprintln!("govai serve: {n}");
        }
        let addr = listener.local_addr().map_err(|e| Error::io("listener", e))?;
        let auth = if gateway.has_keys() { "API keys required" } else { "no keys: anonymous, role `local`" };
        eprintln!("govai serve: listening on http://{addr}/v1 ({auth}); Ctrl-C or SIGTERM stops");
        govai_server::serve(gateway.clone(), listener, govai_server::shutdown_signal()).await.map_err(cli_error)
    })?;
    runtime.shutdown_timeout(std::time::Duration::from_secs(5));
    eprintln!("govai serve: stopped; audit log flushed");
    Ok(ExitCode::SUCCESS)
}

/// The keys file of a config, and the config (for its roles).
fn keys_file(config: &Path) -> govai::Result<(PathBuf, Config)> {
    let parsed = Config::from_file(config)?;
    let Some(file) = &parsed.server.keys_file else {
        return Err(Error::config(
            config.display().to_string(),
            "server.keys_file",
            "missing: set where the hashed API keys are kept, e.g. keys_file = \"govai-keys.json\"",
        ));
    };
    let base = config.parent().unwrap_or_else(|| Path::new("."));
    Ok((govai::config::resolve(base, file), parsed))
}

/// `govai keys create|revoke|list`.
pub(crate) fn keys(command: KeysCommand) -> govai::Result<ExitCode> {
    match command {
        KeysCommand::Create { config, caller, role, json } => {
            let (path, parsed) = keys_file(&config)?;
            if parsed.server.role(&role).is_none() {
                let known: Vec<&str> = parsed.server.roles.keys().map(String::as_str).collect();
                return Err(Error::InvalidInput(format!(
                    "--role {role}: not a role of [server.roles] (configured: {})",
                    if known.is_empty() { "none".to_owned() } else { known.join(", ") }
                )));
            }
            let (key, entry) = govai_server::keys::create(&path, &caller, &role).map_err(cli_error)?;
            if json {
                print_json(&json!({"key": key, "entry": entry}))?;
            } else {
                outln!("{key}")?;
                eprintln!(
                    "key {} for caller `{}` with role `{}` stored hashed in {}; shown only now",
                    entry.id,
                    entry.caller,
                    entry.role,
                    path.display()
                );
            }
        }
        KeysCommand::Revoke { config, id, json } => {
            let (path, _) = keys_file(&config)?;
            let entry = govai_server::keys::revoke(&path, &id).map_err(cli_error)?;
            if json {
                print_json(&entry)?;
            } else {
                outln!("revoked {} (caller `{}`)", entry.id, entry.caller)?;
            }
        }
        KeysCommand::List { config, json } => {
            let (path, _) = keys_file(&config)?;
            let entries = govai_server::keys::read(&path).map_err(cli_error)?;
            if json {
                print_json(&entries)?;
            } else {
                let rows: Vec<Vec<String>> = entries
                    .iter()
                    .map(|k| {
                        vec![
                            k.id.clone(),
                            k.caller.clone(),
                            k.role.clone(),
                            k.created.clone(),
                            k.revoked.clone().unwrap_or_default(),
                        ]
                    })
                    .collect();
                out!("{}", render(&["id", "caller", "role", "created", "revoked"], &rows))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `govai feedback`.
pub(crate) fn feedback(config: &Path, new: govai_store::NewFeedback, json: bool) -> govai::Result<ExitCode> {
    let ops = govai_server::ops::Ops::open(config).map_err(cli_error)?;
    let f = ops.feedback(new).map_err(cli_error)?;
    if json {
        print_json(&f)?;
    } else {
        outln!(
            "feedback {} on audit #{}: rating {}{}",
            f.id,
            f.audit_id,
            f.rating,
            if f.triage { " (triage)" } else { "" }
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `govai reviews`.
pub(crate) fn reviews(
    config: &Path,
    state: Option<&str>,
    scenario: Option<String>,
    overdue: bool,
    triage: bool,
    json: bool,
) -> govai::Result<ExitCode> {
    let ops = govai_server::ops::Ops::open(config).map_err(cli_error)?;
    if triage {
        let list = ops.feedback_list(true, 0).map_err(cli_error)?;
        if json {
            print_json(&list)?;
        } else {
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|f| {
                    vec![
                        f.created_at.to_rfc3339(),
                        f.audit_id.to_string(),
                        f.rating.to_string(),
                        crate::table::fit(&f.comment, 40),
                    ]
                })
                .collect();
            out!("{}", render(&["time", "audit", "rating", "comment"], &rows))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let state = state
        .map(govai_store::ReviewState::parse)
        .transpose()
        .map_err(|e| Error::InvalidInput(format!("--state: {e}")))?;
    let items = ops.reviews(&govai_store::ReviewFilter { state, scenario, overdue, limit: 0 }).map_err(cli_error)?;
    if json {
        print_json(&items)?;
    } else {
        let rows: Vec<Vec<String>> = items
            .iter()
            .map(|i| {
                vec![
                    i.id[..8.min(i.id.len())].to_owned(),
                    i.audit_id.to_string(),
                    i.scenario.clone(),
                    i.state.as_str().to_owned(),
                    i.due_at.to_rfc3339(),
                    i.reviewer.clone().unwrap_or_default(),
                    crate::table::fit(&i.question, 30),
                ]
            })
            .collect();
        out!("{}", render(&["id", "audit", "scenario", "state", "due", "reviewer", "question"], &rows))?;
    }
    Ok(ExitCode::SUCCESS)
}
