//! The `govai` command line. Output with `--json` is a public contract (see README).
//!
//! Exit codes: 0 success; 1 a check failed (audit log not intact); 2 an error (bad usage,
//! config, input or I/O), reported on stderr and, with `--json`, as
//! `{"error": {"kind": "...", "message": "..."}}` on stdout.

use std::io::{BufRead, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use govai::answer_review::{ReviewRequest, SourceInput};
use govai::table::{fit, render};
use govai::{Deployment, Error, Request, Response};
use serde_json::json;

#[derive(Parser)]
#[command(name = "govai", version, about = "Safe, audited use of large AI models in government IT systems")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the scenarios of the guideline catalog.
    Scenarios {
        #[arg(long)]
        json: bool,
    },
    /// Handle one request through the full pipeline.
    Run {
        #[arg(long)]
        config: PathBuf,
        #[arg(long)]
        scenario: String,
        /// Who is asking (recorded in the audit log).
        #[arg(long)]
        user: Option<String>,
        /// Attach a document file as an authorised source (repeatable).
        #[arg(long = "document")]
        documents: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
        /// Print the answer as it is generated, each piece after it has passed review. With
        /// --json: one `{"event":"text","text":...}` line per piece, then
        /// `{"event":"response","response":{...}}`.
        #[arg(long)]
        stream: bool,
        /// The request text, or `-` to read standard input.
        text: String,
    },
    /// Audit log commands.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Classify text: data level and findings.
    Scan {
        #[arg(long, conflicts_with = "jsonl")]
        json: bool,
        /// Scan a file line by line, printing one JSON object per line (bounded memory).
        #[arg(long, value_name = "FILE")]
        jsonl: Option<PathBuf>,
        /// The text, or `-` to read standard input (not with --jsonl).
        text: Option<String>,
    },
    /// Print the text with findings de-identified.
    Mask {
        /// mask | mask:FIRST:LAST | replace | redact | hash | pseudonymize
        #[arg(long, default_value = "mask")]
        operator: String,
        /// Key for the `hash` operator (HMAC-SHA256); default from GOVAI_HASH_KEY.
        #[arg(long)]
        key: Option<String>,
        text: String,
    },
    /// Review an answer with the rule-based reviewers: {"verdict": ..., "findings": [...]}.
    /// Exit 0 on pass, 1 otherwise. With --jsonl: exit 0 once every line is reviewed.
    Review {
        #[arg(long, conflicts_with = "jsonl")]
        json: bool,
        /// Review a batch: each line of FILE (`-` for standard input) is a JSON object
        /// {"answer", "request"?, "sources"?, "documents"?, "scenario"?, "id"?}; prints one
        /// {"id"?, "verdict", "findings", "elapsed_us"} per line (elapsed_us: the reviewers only).
        #[arg(long, value_name = "FILE", conflicts_with_all = ["text", "sources"])]
        jsonl: Option<PathBuf>,
        /// With --jsonl: run only these of the scenario's reviewers (comma-separated ids).
        #[arg(long, value_delimiter = ',')]
        reviewers: Vec<String>,
        /// Sources the answer may rely on: a JSON array or JSON Lines of {"title", "text",
        /// "id"?, "url"?}, or plain text with one source per blank-line-separated paragraph.
        /// Cited in the answer as [1], [2], ... in file order.
        #[arg(long)]
        sources: Option<PathBuf>,
        /// Scenario whose reviewers apply (default intelligent_qa).
        #[arg(long, default_value = "intelligent_qa")]
        scenario: String,
        /// The citizen's request the answer replies to (for PII-leak and input checks).
        #[arg(long, default_value = "")]
        request: String,
        /// The answer text, or `-` to read standard input (not with --jsonl).
        #[arg(required_unless_present = "jsonl")]
        text: Option<String>,
    },
    /// Evaluate the reviewers on the review test bank (refusal and fault-detection rates).
    /// Exit 0 when every target is met.
    ReviewEval {
        /// Bank directory (should_refuse.jsonl, should_answer.jsonl, grounded.jsonl).
        #[arg(long, default_value = "data/review-bank")]
        bank: PathBuf,
        /// Take `[reviewers.input_screen]` and `[reviewers.grounding]` (models included) from a
        /// deployment file instead of the defaults.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// AI-content labels (《人工智能生成合成内容标识办法》, GB 45438-2025).
    Label {
        #[command(subcommand)]
        command: LabelCommand,
    },
    /// Generate with a local LLM (a directory converted by tools/gguf2onnx). The prompt is sent
    /// as one user message through the model's chat template. No classification, gate or
    /// review: for trying a model; deployments go through `govai run`.
    Generate {
        #[arg(long)]
        model: PathBuf,
        /// Print text as it is generated.
        #[arg(long)]
        stream: bool,
        #[arg(long, default_value_t = 128)]
        max_new_tokens: usize,
        /// 0 = greedy.
        #[arg(long, default_value_t = 0.0)]
        temperature: f32,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Guess tokens from earlier text and check them in one pass (greedy only; faster when
        /// the answer repeats the prompt).
        #[arg(long)]
        prompt_lookup: bool,
        #[arg(long)]
        json: bool,
        prompt: String,
    },
    /// Sentence embeddings with a local embedding model directory; one JSON array per text.
    Embed {
        #[arg(long)]
        model: PathBuf,
        #[arg(required = true)]
        texts: Vec<String>,
    },
    /// Run the shipped batch of citizen messages through the embedded default deployment.
    Demo {
        /// Audit log to write (appended to if it exists).
        #[arg(long, default_value = ".govai-demo/audit.jsonl")]
        audit: PathBuf,
        /// Messages (JSON Lines of requests) instead of the shipped batch.
        #[arg(long)]
        messages: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum LabelCommand {
    /// Read a file's implicit label back and check it against the content. Exit 0 when valid.
    Verify {
        /// The file, or `-` for standard input.
        file: String,
        /// text | markdown | html | json (default: from the extension, else sniffed).
        #[arg(long)]
        format: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Write content with the explicit notice and the implicit label embedded.
    Export {
        /// The file, or `-` for standard input.
        file: String,
        #[arg(long)]
        format: Option<String>,
        /// Content id (ProduceID); default a new UUID.
        #[arg(long)]
        content_id: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Verify the hash chain and the anchor. Exit 0 only when intact.
    Verify {
        file: PathBuf,
        /// Anchor file; default `<file>.anchor`.
        #[arg(long)]
        anchor: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = match &cli.command {
        Command::Scenarios { json }
        | Command::Run { json, .. }
        | Command::Scan { json, .. }
        | Command::Demo { json, .. } => *json,
        Command::Audit { command: AuditCommand::Verify { json, .. } } => *json,
        Command::Review { json, .. }
        | Command::Generate { json, .. }
        | Command::Label { command: LabelCommand::Verify { json, .. } } => *json,
        Command::Embed { .. } => true,
        Command::Mask { .. } | Command::ReviewEval { .. } | Command::Label { .. } => false,
    };
    match run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("govai: error: {e}");
            if json {
                println!("{}", json!({"error": {"kind": e.kind().as_str(), "message": e.to_string()}}));
            }
            ExitCode::from(2)
        }
    }
}

fn read_text(text: &str) -> govai::Result<String> {
    if text == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(|e| Error::io("<stdin>", e))?;
        Ok(s)
    } else {
        Ok(text.to_owned())
    }
}

/// `govai run --stream`: reviewed text as it comes; a closed stdout cancels generation.
fn run_stream(deployment: &govai::Deployment, request: Request, json: bool) -> govai::Result<ExitCode> {
    use std::io::Write as _;
    use std::ops::ControlFlow;
    let mut on_text = |piece: &str| {
        let mut out = std::io::stdout().lock();
        let written =
            if json { writeln!(out, "{}", json!({"event": "text", "text": piece})) } else { write!(out, "{piece}") };
        match written.and_then(|()| out.flush()) {
            Ok(()) => ControlFlow::Continue(()),
            Err(_) => ControlFlow::Break(()),
        }
    };
    let response = deployment.handle_stream(request, &mut on_text)?;
    if json {
        print_json(&json!({"event": "response", "response": response}))?;
    } else {
        println!();
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

fn print_json(v: &impl serde::Serialize) -> govai::Result<()> {
    let s = serde_json::to_string(v).map_err(|e| Error::Internal(e.to_string()))?;
    println!("{s}");
    Ok(())
}

fn run(command: Command) -> govai::Result<ExitCode> {
    match command {
        Command::Scenarios { json } => scenarios(json),
        Command::Run { config, scenario, user, documents, json, stream, text } => {
            let deployment = govai::load(&config)?;
            let mut request = Request::new(scenario, read_text(&text)?);
            request.user = user;
            for d in documents {
                request.documents.push(std::fs::read_to_string(&d).map_err(|e| Error::io(&d, e))?);
            }
            if stream {
                return run_stream(&deployment, request, json);
            }
            let response = deployment.handle(request)?;
            if json {
                print_json(&response)?;
            } else {
                print_response(&response);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit { command: AuditCommand::Verify { file, anchor, json } } => {
            let report = govai::audit::verify(&file, anchor.as_deref())?;
            if json {
                print_json(&report)?;
            } else {
                print_verify(&file, &report);
            }
            Ok(if report.intact { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Scan { json, jsonl, text } => scan(json, jsonl.as_deref(), text.as_deref()),
        Command::Mask { operator, key, text } => {
            let mut op: govai::recognize::operators::Operator = operator.parse()?;
            if let govai::recognize::operators::Operator::Hash { key: k } = &mut op {
                let given = key.or_else(|| std::env::var("GOVAI_HASH_KEY").ok()).ok_or_else(|| {
                    Error::InvalidInput("the hash operator needs a key: --key or GOVAI_HASH_KEY".into())
                })?;
                *k = given.into_bytes();
            }
            let text = read_text(&text)?;
            let classification = govai::default_classifier().scan(&text);
            println!("{}", govai::recognize::operators::apply(&text, &classification.findings, &op));
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { audit, messages, json } => demo(&audit, messages.as_deref(), json),
        Command::Review { jsonl: Some(path), scenario, reviewers, .. } => review_jsonl(&path, &scenario, &reviewers),
        Command::Review { json, sources, scenario, request, text, reviewers, .. } => {
            if !reviewers.is_empty() {
                return Err(Error::InvalidInput("--reviewers needs --jsonl".into()));
            }
            let text = text.ok_or_else(|| Error::InvalidInput("give TEXT, `-` or --jsonl FILE".into()))?;
            review(json, sources.as_deref(), &scenario, &request, &read_text(&text)?)
        }
        Command::ReviewEval { bank, config } => {
            let report = match config {
                None => govai_testkit::testbank::evaluate_bank(&bank)?,
                Some(path) => {
                    let c = govai::config::Config::from_file(&path)?;
                    let base = path.parent().unwrap_or_else(|| std::path::Path::new("."));
                    let (screen, grounding) = govai::model_reviewers::eval_reviewers(
                        &c.reviewers,
                        &c.runtime,
                        base,
                        &path.display().to_string(),
                    )?;
                    govai_testkit::testbank::evaluate_bank_with(&bank, &screen, &grounding)?
                }
            };
            print!("{report}");
            Ok(if report.meets_targets() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Label { command } => label(command),
        Command::Generate { model, stream, max_new_tokens, temperature, seed, prompt_lookup, json, prompt } => {
            let llm = govai::ort::LlmModel::load(&model, &govai::ort::RuntimeConfig::default())?;
            let mut options = llm.defaults().clone();
            options.max_new_tokens = max_new_tokens;
            options.sampling.temperature = temperature;
            options.sampling.seed = seed;
            if prompt_lookup {
                options.prompt_lookup = Some(govai::ort::PromptLookup::default());
            }
            let messages = [govai::ort::ChatMessage::user(read_text(&prompt)?)];
            let mut out = std::io::stdout();
            let g = if stream && !json {
                llm.chat_stream(&messages, &options, &mut |piece| {
                    // A closed stdout is not worth aborting generation for.
                    let _ = out.write_all(piece.as_bytes()).and_then(|()| out.flush());
                })?
            } else {
                llm.chat(&messages, &options)?
            };
            if json {
                print_json(&json!({
                    "text": g.text,
                    "prompt_tokens": g.prompt_tokens,
                    "generated_tokens": g.token_ids.len(),
                    "finish_reason": format!("{:?}", g.finish_reason).to_lowercase(),
                    "time_to_first_token_ms": g.time_to_first_token.as_secs_f64() * 1e3,
                    "elapsed_ms": g.elapsed.as_secs_f64() * 1e3,
                    "draft_tokens": g.draft_tokens,
                    "accepted_draft_tokens": g.accepted_draft_tokens,
                }))?;
            } else {
                if !stream {
                    print!("{}", g.text);
                }
                println!();
                let secs = g.elapsed.as_secs_f64();
                eprintln!(
                    "[{} prompt tokens, {} generated, {:.1} tokens/s, first token {:.0} ms]",
                    g.prompt_tokens,
                    g.token_ids.len(),
                    if secs > 0.0 { g.token_ids.len() as f64 / secs } else { 0.0 },
                    g.time_to_first_token.as_secs_f64() * 1e3
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Embed { model, texts } => {
            let m = govai::ort::EmbeddingModel::load(&model, &govai::ort::RuntimeConfig::default())?;
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            for v in m.embed(&refs)? {
                print_json(&v)?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn parse_format(format: Option<&str>, file: &str) -> govai::Result<Option<govai::LabelFormat>> {
    match format {
        Some(f) => serde_json::from_value(json!(f))
            .map(Some)
            .map_err(|_| Error::InvalidInput(format!("unknown format `{f}` (text, markdown, html, json)"))),
        None if file == "-" => Ok(None),
        None => Ok(Some(govai::LabelFormat::from_path(Path::new(file)))),
    }
}

fn read_file_or_stdin(file: &str) -> govai::Result<String> {
    if file == "-" { read_text("-") } else { std::fs::read_to_string(file).map_err(|e| Error::io(file, e)) }
}

fn label(command: LabelCommand) -> govai::Result<ExitCode> {
    match command {
        LabelCommand::Verify { file, format, json } => {
            let content = read_file_or_stdin(&file)?;
            let v = govai::label::verify_implicit(&content, parse_format(format.as_deref(), &file)?);
            if json {
                print_json(&v)?;
            } else if v.ok() {
                let id = v.label.as_ref().map(|l| l.aigc.produce_id.as_str()).unwrap_or_default();
                println!("{file}: AI-generated content label valid (format {}, ProduceID {id})", v.format.as_str());
            } else {
                println!("{file}: label NOT valid");
                for p in &v.problems {
                    println!("  {p}");
                }
            }
            Ok(if v.ok() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        LabelCommand::Export { file, format, content_id } => {
            let content = read_file_or_stdin(&file)?;
            let format = parse_format(format.as_deref(), &file)?.unwrap_or_else(|| govai::LabelFormat::sniff(&content));
            let id = content_id.unwrap_or_else(govai::new_content_id);
            print!("{}", govai::LabelConfig::default().export(&content, &id, format)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Sources from a file: JSON array, JSON Lines, or blank-line-separated paragraphs.
fn load_sources(path: &Path) -> govai::Result<Vec<SourceInput>> {
    let raw = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let trimmed = raw.trim_start();
    let bad = |line: Option<usize>, e: serde_json::Error| {
        let at = line.map(|l| format!("line {l}: ")).unwrap_or_default();
        Error::InvalidInput(format!("{}: {at}{e}", path.display()))
    };
    if trimmed.starts_with('[') {
        serde_json::from_str(trimmed).map_err(|e| bad(None, e))
    } else if trimmed.starts_with('{') {
        raw.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| serde_json::from_str(l).map_err(|e| bad(Some(i + 1), e)))
            .collect()
    } else {
        Ok(raw
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| SourceInput { text: p.to_owned(), ..SourceInput::default() })
            .collect())
    }
}

fn review(json: bool, sources: Option<&Path>, scenario: &str, request: &str, answer: &str) -> govai::Result<ExitCode> {
    let result = govai::answer_review::review(ReviewRequest {
        scenario: scenario.to_owned(),
        request: request.to_owned(),
        answer: answer.to_owned(),
        sources: sources.map(load_sources).transpose()?.unwrap_or_default(),
        documents: Vec::new(),
    })?;
    if json {
        print_json(&json!({"verdict": result.verdict, "findings": result.findings}))?;
    } else {
        println!("verdict: {}", result.verdict);
        for f in &result.findings {
            let span = f.span.map(|(a, b)| format!(" at {a}..{b}")).unwrap_or_default();
            println!("  [{}] {} {}{span}: {}", f.verdict, f.reviewer, f.code, f.message);
        }
    }
    Ok(if result.verdict == govai::Verdict::Pass { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// `govai review --jsonl`: one review per input line, the reviewers built once.
fn review_jsonl(path: &Path, default_scenario: &str, only: &[String]) -> govai::Result<ExitCode> {
    let all = govai::reviewers::builtin_reviewers(govai::default_classifier());
    if let Some(bad) = only.iter().find(|id| !all.iter().any(|r| r.id() == id.as_str())) {
        let known: Vec<&str> = all.iter().map(|r| r.id()).collect();
        return Err(Error::InvalidInput(format!("unknown reviewer `{bad}` (known: {})", known.join(", "))));
    }
    let reader: Box<dyn BufRead> = if path == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(std::fs::File::open(path).map_err(|e| Error::io(path, e))?))
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| Error::io(path, e))?;
        if line.trim().is_empty() {
            continue;
        }
        let bad = |msg: String| Error::InvalidInput(format!("{}: line {}: {msg}", path.display(), i + 1));
        let mut v: serde_json::Value = serde_json::from_str(&line).map_err(|e| bad(e.to_string()))?;
        let obj = v.as_object_mut().ok_or_else(|| bad("expected a JSON object".into()))?;
        let id = obj.remove("id");
        obj.entry("scenario").or_insert_with(|| json!(default_scenario));
        let req: ReviewRequest = serde_json::from_value(v).map_err(|e| bad(e.to_string()))?;
        let spec = govai::scenario::builtin(&req.scenario)
            .ok_or_else(|| Error::NotFound { what: "scenario", id: req.scenario.clone() })?;
        if let Some(r) = only.iter().find(|r| !spec.reviewers.contains(r)) {
            return Err(bad(format!("reviewer `{r}` is not one of scenario {}'s reviewers", spec.id)));
        }
        let sources = govai::answer_review::number_sources(req.sources);
        let ctx = govai::ReviewContext {
            scenario: &spec,
            request: &req.request,
            output: &req.answer,
            sources: &sources,
            documents: &req.documents,
        };
        let start = std::time::Instant::now();
        let mut result = govai::Review::pass();
        for reviewer in all.iter().filter(|r| {
            spec.reviewers.iter().any(|id| id == r.id()) && (only.is_empty() || only.iter().any(|id| id == r.id()))
        }) {
            result = result.combine(reviewer.review(&ctx)?);
        }
        let elapsed_us = start.elapsed().as_secs_f64() * 1e6;
        let mut o = json!({"verdict": result.verdict, "findings": result.findings, "elapsed_us": elapsed_us});
        if let Some(id) = id {
            o["id"] = id;
        }
        serde_json::to_writer(&mut out, &o).map_err(|e| Error::Internal(e.to_string()))?;
        out.write_all(b"\n").map_err(|e| Error::io("<stdout>", e))?;
    }
    out.flush().map_err(|e| Error::io("<stdout>", e))?;
    Ok(ExitCode::SUCCESS)
}

fn scenarios(json: bool) -> govai::Result<ExitCode> {
    let catalog = govai::scenario::builtin_catalog();
    if json {
        print_json(&catalog)?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = catalog
        .iter()
        .map(|s| {
            vec![
                s.id.clone(),
                s.name_zh.clone(),
                s.category.name_zh().to_owned(),
                if s.public_facing { "yes" } else { "no" }.to_owned(),
                s.task.as_str().to_owned(),
                s.ceiling.as_str().to_owned(),
                if s.human_signoff { "yes" } else { "no" }.to_owned(),
                s.reviewers.join(","),
            ]
        })
        .collect();
    print!("{}", render(&["id", "场景", "类别", "public", "task", "ceiling", "sign-off", "reviewers"], &rows));
    Ok(ExitCode::SUCCESS)
}

fn print_response(r: &Response) {
    println!("{}", r.labelled_output);
    println!();
    for s in &r.sources {
        println!("[{}] {} ({})", s.index, s.title, s.id);
    }
    println!(
        "outcome: {}  verdict: {}  data level: {}  gate: {:?} ({})",
        r.outcome.as_str(),
        r.verdict,
        r.data_level,
        r.gate.action,
        r.gate.reason
    );
    for f in &r.findings {
        println!("finding: [{}] {} {}: {}", f.verdict, f.reviewer, f.code, f.message);
    }
    println!(
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
    );
}

fn print_verify(file: &Path, r: &govai::VerifyReport) {
    if r.intact {
        println!("{}: intact, {} records, last seq {}, anchor {:?}", file.display(), r.records, r.last_seq, r.anchor);
    } else {
        println!("{}: NOT INTACT ({} valid records before the problem)", file.display(), r.records);
        if let Some(b) = &r.first_bad {
            println!(
                "  first bad record: line {}{}: {}",
                b.line,
                b.seq.map(|s| format!(" (seq {s})")).unwrap_or_default(),
                b.reason
            );
        }
    }
    if let Some(d) = &r.anchor_detail {
        println!("  anchor: {:?}: {d}", r.anchor);
    }
}

fn scan_json(c: &govai::Classification) -> serde_json::Value {
    json!({"level": c.level, "findings": c.findings, "reasons": c.reasons})
}

fn scan(json: bool, jsonl: Option<&Path>, text: Option<&str>) -> govai::Result<ExitCode> {
    let classifier = govai::default_classifier();
    if let Some(path) = jsonl {
        if text.is_some() {
            return Err(Error::InvalidInput("give either --jsonl FILE or TEXT, not both".into()));
        }
        let reader: Box<dyn BufRead> = if path == Path::new("-") {
            Box::new(std::io::stdin().lock())
        } else {
            Box::new(std::io::BufReader::new(std::fs::File::open(path).map_err(|e| Error::io(path, e))?))
        };
        let mut out = BufWriter::new(std::io::stdout().lock());
        for (i, line) in reader.split(b'\n').enumerate() {
            let line = line.map_err(|e| Error::io(path, e))?;
            let line = String::from_utf8(line)
                .map_err(|_| Error::InvalidInput(format!("{}: line {} is not UTF-8", path.display(), i + 1)))?;
            let line = line.strip_suffix('\r').unwrap_or(&line);
            let v = scan_json(&classifier.scan(line));
            serde_json::to_writer(&mut out, &v).map_err(|e| Error::Internal(e.to_string()))?;
            out.write_all(b"\n").map_err(|e| Error::io("<stdout>", e))?;
        }
        out.flush().map_err(|e| Error::io("<stdout>", e))?;
        return Ok(ExitCode::SUCCESS);
    }
    let text = read_text(text.ok_or_else(|| Error::InvalidInput("give TEXT, `-` or --jsonl FILE".into()))?)?;
    let c = classifier.scan(&text);
    if json {
        print_json(&scan_json(&c))?;
    } else {
        println!("level: {} ({})", c.level, c.level.name_zh());
        let rows: Vec<Vec<String>> = c
            .findings
            .iter()
            .map(|f| {
                vec![
                    f.entity_type.clone(),
                    format!("{}..{}", f.start, f.end),
                    fit(&f.text, 40),
                    format!("{:.2}", f.score),
                    f.checksum.map_or("-".to_owned(), |ok| if ok { "ok" } else { "FAIL" }.to_owned()),
                ]
            })
            .collect();
        if !rows.is_empty() {
            print!("{}", render(&["type", "chars", "text", "score", "checksum"], &rows));
        }
        for r in &c.reasons {
            println!("reason: {r}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn demo(audit: &Path, messages: Option<&Path>, json: bool) -> govai::Result<ExitCode> {
    let deployment: Deployment = govai::default_deployment(audit)?;
    let text = match messages {
        Some(p) => std::fs::read_to_string(p).map_err(|e| Error::io(p, e))?,
        None => govai::DEMO_MESSAGES.to_owned(),
    };
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let request: Request =
            serde_json::from_str(line).map_err(|e| Error::InvalidInput(format!("messages line {}: {e}", i + 1)))?;
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
        print!(
            "{}",
            render(&["audit", "scenario", "level", "gate", "verdict", "outcome", "answer (reference only)"], &rows)
        );
        println!();
        print_verify(audit, &report);
    }
    Ok(if report.intact { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
