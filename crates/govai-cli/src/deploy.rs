//! Commands on a deployment: `run`, `demo`, `scenarios`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use govai::{Deployment, Error, Message, Request, Response};
use serde_json::json;

use crate::audit::{intact_exit, print_open_notices, print_verify};
use crate::table::{fit, render};
use crate::{out, outln, print_json};

/// `govai run`: one request through the deployment of `config`.
pub(crate) fn run(
    config: &Path,
    mut request: Request,
    documents: &[PathBuf],
    json: bool,
    stream: bool,
) -> govai::Result<ExitCode> {
    let deployment = govai::load(config)?;
    print_open_notices(&deployment);
    for d in documents {
        request.documents.push(govai::io::read_file_bounded(d, govai::MAX_REQUEST_BYTES)?);
    }
    if stream {
        return run_stream(&deployment, request, json);
    }
    let response = deployment.handle(request)?;
    if json {
        print_json(&response)?;
    } else {
        print_response(&response)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The turns of `govai run --messages`: a JSON array of `{"role", "content"}` objects.
pub(crate) fn parse_messages(json: &str) -> govai::Result<Vec<Message>> {
    serde_json::from_str(json).map_err(|e| Error::InvalidInput(format!("--messages: {e}")))
}

/// `govai run --stream`: reviewed text as it comes; a closed stdout cancels generation.
fn run_stream(deployment: &Deployment, request: Request, json: bool) -> govai::Result<ExitCode> {
    use std::io::Write as _;
    use std::ops::ControlFlow;
    let mut on_text = |piece: &str| {
        let mut out = std::io::stdout().lock();
        let written =
            if json { writeln!(out, "{}", json!({"event": "text", "text": piece})) } else { write!(out, "{piece}") };
        match written.and_then(|()| out.flush()) {
            Ok(()) => ControlFlow::Continue(()),
            // Stdout closed (or failing): cancel generation; the audit record says `cancelled`
            // and `main` exits quietly.
            Err(e) => {
                crate::stdout_error(e);
                ControlFlow::Break(())
            }
        }
    };
    let response = deployment.handle_stream(request, &mut on_text)?;
    if json {
        print_json(&json!({"event": "response", "response": response}))?;
    } else {
        outln!()?;
        eprintln!(
            "[{} · verdict {} · audit #{}{}]",
            response.outcome.as_str(),
            response.verdict,
            response.audit_id,
            response.stream.map_or(String::new(), |s| format!(" · review {} µs", s.review_us)),
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn print_response(r: &Response) -> govai::Result<()> {
    outln!("{}", r.labelled_output)?;
    outln!()?;
    for s in &r.sources {
        outln!("[{}] {} ({})", s.index, s.title, s.id)?;
    }
    outln!(
        "outcome: {}  verdict: {}  data level: {}  gate: {:?} ({})",
        r.outcome.as_str(),
        r.verdict,
        r.data_level,
        r.gate.action,
        r.gate.reason
    )?;
    for f in &r.findings {
        outln!("finding: [{}] {} {}: {}", f.verdict, f.reviewer, f.code, f.message)?;
    }
    outln!(
        "model: {} v{}{}  human sign-off required: {}  audit: #{} {}",
        r.model.id,
        r.model.version,
        if r.model.filing_number.is_empty() {
            String::new()
        } else {
            format!(" (备案号 {})", r.model.filing_number)
        },
        r.human_signoff_required,
        r.audit_id,
        &r.audit_hash[..16.min(r.audit_hash.len())]
    )?;
    Ok(())
}

/// `govai scenarios`: the built-in catalog as a table or JSON.
pub(crate) fn scenarios(json: bool) -> govai::Result<ExitCode> {
    let catalog = govai::scenario::builtin_catalog();
    if json {
        print_json(&catalog)?;
        return Ok(ExitCode::SUCCESS);
    }
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
    let rows: Vec<Vec<String>> = catalog
        .iter()
        .map(|s| {
            vec![
                s.id.clone(),
                s.name_zh.clone(),
                s.category.name_zh().to_owned(),
                yes_no(s.public_facing),
                s.task.as_str().to_owned(),
                s.ceiling.as_str().to_owned(),
                yes_no(s.human_signoff),
                s.reviewers.join(","),
            ]
        })
        .collect();
    out!("{}", render(&["id", "场景", "类别", "public", "task", "ceiling", "sign-off", "reviewers"], &rows))?;
    Ok(ExitCode::SUCCESS)
}

/// `govai demo`: the shipped batch (or `messages`) through the embedded default deployment,
/// then the audit log verified.
pub(crate) fn demo(audit: &Path, messages: Option<&Path>, json: bool) -> govai::Result<ExitCode> {
    let deployment: Deployment = govai::default_deployment(audit)?;
    print_open_notices(&deployment);
    let text = match messages {
        Some(p) => govai::io::read_file_bounded(p, govai::MAX_FILE_BYTES)?,
        None => govai::DEMO_MESSAGES.to_owned(),
    };
    let mut requests = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        requests.push(
            serde_json::from_str(line).map_err(|e| Error::InvalidInput(format!("messages line {}: {e}", i + 1)))?,
        );
    }
    if messages.is_none() {
        // The shipped batch ends with a conversation: every turn classified, screened and masked.
        let turns = parse_messages(govai::DEMO_CONVERSATION)?;
        requests.push(Request { user: Some("wechat".into()), ..Request::chat("intelligent_qa", turns) });
    }
    let mut rows = Vec::new();
    for request in requests {
        let r = deployment.handle(request)?;
        if json {
            print_json(&r)?;
        }
        rows.push(vec![
            r.audit_id.to_string(),
            r.scenario.clone(),
            format!("{} {}", r.data_level, r.data_level.name_zh()),
            format!("{:?}", r.gate.action).to_lowercase(),
            r.verdict.to_string(),
            r.outcome.as_str().to_owned(),
            fit(&r.output, 56),
        ]);
    }
    let report = govai::audit::verify(audit, None)?;
    if !json {
        out!(
            "{}",
            render(&["audit", "scenario", "level", "gate", "verdict", "outcome", "answer (reference only)"], &rows)
        )?;
        outln!()?;
        print_verify(audit, &report)?;
    }
    Ok(intact_exit(&report))
}
