//! The `govai` command line. Output with `--json` is a public contract (see README).
//!
//! Exit codes: 0 success; 1 a check failed (audit log not intact) or, for `scan --dir`,
//! personal data was found; 2 an error (bad usage,
//! config, input or I/O, or some bad lines of a `--jsonl` batch), reported on stderr and, with
//! `--json`, as `{"error": {"kind": "...", "message": "..."}}` on stdout; 141 stdout was closed
//! by its reader (quietly, see [`EXIT_STDOUT_CLOSED`]). Limits on input and findings: the
//! README's "Limits".
//!
//! One module per command family: [`deploy`] (run, demo, scenarios), [`audit`], [`text`] (scan,
//! mask), [`review`] (review, review-eval), [`label`], [`model`] (generate, embed), [`documents`]
//! (documents check), [`kb`] (kb import); the grammar is in [`args`].

mod args;
mod audit;
mod compare;
mod compare_html;
mod deploy;
mod documents;
mod eval;
mod grounding_eval;
mod kb;
mod kb_store;
mod label;
mod model;
mod model_card;
mod ocr;
mod report;
mod review;
mod scan_dir;
mod serve;
mod table;
mod text;

use std::io::{BufRead, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;
use govai::{Error, Request};
use serde_json::json;

use args::{Cli, Command, DocumentsCommand, EvalCommand};

/// Exit status when stdout was closed by the reader (`govai … | head`): what a shell reports
/// for a tool ended by SIGPIPE (128 + 13). Nothing more is printed; `run --stream` has
/// cancelled generation and written its audit record by then.
const EXIT_STDOUT_CLOSED: u8 = 141;

/// Set once a write to stdout failed with a broken pipe.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// The error of a failed write to stdout; a broken pipe is remembered for the quiet exit.
fn stdout_error(e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
    Error::io("<stdout>", e)
}

/// Write to stdout, returning the error (no panic on a closed pipe, unlike `print!`).
fn write_stdout(args: std::fmt::Arguments<'_>) -> govai::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_fmt(args).map_err(stdout_error)
}

/// `print!` that returns a `govai::Result` (use with `?`).
macro_rules! out {
    ($($arg:tt)*) => { $crate::write_stdout(format_args!($($arg)*)) };
}

/// `println!` that returns a `govai::Result` (use with `?`).
macro_rules! outln {
    () => { $crate::write_stdout(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::write_stdout(format_args!("{}\n", format_args!($($arg)*))) };
}
pub(crate) use {out, outln};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.command.json_errors();
    let result = run(cli.command).and_then(|code| {
        std::io::stdout().flush().map_err(stdout_error)?;
        Ok(code)
    });
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return ExitCode::from(EXIT_STDOUT_CLOSED);
    }
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("govai: error: {e}");
            if json {
                let mut out = std::io::stdout().lock();
                let line = json!({"error": {"kind": e.kind().as_str(), "message": e.to_string()}});
                // Best effort: the error is on stderr already.
                let _ = writeln!(out, "{line}").and_then(|()| out.flush());
            }
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> govai::Result<ExitCode> {
    match command {
        Command::Scenarios { json } => deploy::scenarios(json),
        Command::Run { config, scenario, user, user_role, documents, json, stream, messages, text } => {
            let mut request = match (messages, text) {
                (Some(file), _) => Request::chat(scenario, deploy::parse_messages(&read_file_or_stdin(&file)?)?),
                (None, text) => Request::new(scenario, read_text(text.as_deref().unwrap_or("-"))?),
            };
            request.user = user;
            request.user_role = user_role;
            deploy::run(&config, request, &documents, json, stream)
        }
        Command::Audit { command } => audit::run(command),
        Command::Kb { command } => kb::run(command),
        Command::Serve { config, listen } => serve::serve(&config, listen.as_deref()),
        Command::Keys { command } => serve::keys(command),
        Command::Feedback { config, audit_id, rating, comment, caller, json } => {
            serve::feedback(&config, govai_store::NewFeedback { audit_id, caller, rating, comment }, json)
        }
        Command::ModelCard { config, model, out, json } => model_card::run(&config, &model, out.as_deref(), json),
        Command::Report { config, from, to, out, json } => {
            report::run(&config, from.as_deref(), to.as_deref(), out.as_deref(), json)
        }
        Command::Reviews { config, state, scenario, overdue, triage, json } => {
            serve::reviews(&config, state.as_deref(), scenario, overdue, triage, json)
        }
        Command::Demo { audit, messages, json } => deploy::demo(&audit, messages.as_deref(), json),
        Command::Scan { batch, .. } if !batch.dir.is_empty() => scan_dir::run(&batch),
        Command::Scan { json, jsonl, fail_fast, batch, text } => {
            batch.reject_without_dir()?;
            text::scan(json, jsonl.as_deref(), fail_fast, text.as_deref())
        }
        Command::Mask { operator, key, text } => text::mask(&operator, key.as_deref(), &read_text(&text)?),
        Command::Review { jsonl: Some(path), scenario, reviewers, fail_fast, config, .. } => {
            review::review_jsonl(&path, &scenario, &reviewers, fail_fast, config.as_deref())
        }
        Command::Review { json, sources, scenario, request, text, reviewers, config, .. } => {
            if !reviewers.is_empty() {
                return Err(Error::InvalidInput("--reviewers needs --jsonl".into()));
            }
            let text = text.ok_or_else(|| Error::InvalidInput("give TEXT, `-` or --jsonl FILE".into()))?;
            let answer = read_text(&text)?;
            review::review(json, sources.as_deref(), &scenario, &request, &answer, config.as_deref())
        }
        Command::ReviewEval { bank, config } => review::review_eval(&bank, config.as_deref()),
        Command::Eval {
            command:
                EvalCommand::Compare {
                    config,
                    scenario,
                    baseline,
                    candidate,
                    qa,
                    safety,
                    split,
                    out,
                    json,
                    max_drop,
                    record,
                },
        } => compare::run(&compare::CompareArgs {
            config: &config,
            scenario: &scenario,
            baseline: &baseline,
            candidate: &candidate,
            qa: &qa,
            safety: &safety,
            split: &split,
            out: &out,
            json,
            max_drop,
            record: record.as_deref(),
        }),
        Command::Eval { command: EvalCommand::Grounding { bank, config } } => {
            grounding_eval::grounding(&bank, config.as_deref())
        }
        Command::Eval {
            command: EvalCommand::Safety { config, bank, output_bank, splits, json, min_stopped, max_refused },
        } => {
            let banks = eval::Banks { input: &bank, output: &output_bank };
            eval::safety(&config, &banks, &splits, json, eval::Targets { min_stopped, max_refused })
        }
        Command::Label { command } => label::label(command),
        Command::Generate {
            model,
            stream,
            max_new_tokens,
            temperature,
            seed,
            prompt_lookup,
            repetition_penalty,
            no_repeat_ngram_size,
            ignore_eos,
            threads,
            json,
            prompt,
        } => {
            let options = model::GenerateArgs {
                stream,
                max_new_tokens,
                temperature,
                seed,
                prompt_lookup,
                repetition_penalty,
                no_repeat_ngram_size,
                ignore_eos,
                threads,
                json,
            };
            model::generate(&model, &options, read_text(&prompt)?)
        }
        Command::Embed { model, texts } => model::embed(&model, &texts),
        Command::Documents {
            command: DocumentsCommand::Check { config, scenario, checklist, as_of, user, pages, ocr_models },
        } => documents::check(documents::CheckArgs { config, scenario, checklist, as_of, user, pages, ocr_models }),
    }
}

/// The text itself, or standard input for `-` (at most [`govai::MAX_REQUEST_BYTES`], checked
/// while reading).
fn read_text(text: &str) -> govai::Result<String> {
    if text == "-" {
        govai::io::read_text_bounded(std::io::stdin().lock(), govai::MAX_REQUEST_BYTES, "<stdin>")
    } else {
        Ok(text.to_owned())
    }
}

/// A file's contents, or standard input for `-` (at most [`govai::MAX_FILE_BYTES`]).
fn read_file_or_stdin(file: &str) -> govai::Result<String> {
    if file == "-" {
        govai::io::read_text_bounded(std::io::stdin().lock(), govai::MAX_FILE_BYTES, "<stdin>")
    } else {
        govai::io::read_file_bounded(file, govai::MAX_FILE_BYTES)
    }
}

/// The lines of a file, or standard input for `-`, each at most [`govai::MAX_LINE_BYTES`]
/// (batch input, constant memory).
fn open_lines(path: &Path) -> govai::Result<govai::io::BoundedLines<Box<dyn BufRead>>> {
    let reader: Box<dyn BufRead> = if path == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(std::fs::File::open(path).map_err(|e| Error::io(path, e))?))
    };
    let name = if path == Path::new("-") { "<stdin>".to_owned() } else { path.display().to_string() };
    Ok(govai::io::BoundedLines::new(reader, govai::MAX_LINE_BYTES, name))
}

/// One JSON value on a line of its own on stdout.
fn print_json(v: &impl serde::Serialize) -> govai::Result<()> {
    let s = serde_json::to_string(v).map_err(|e| Error::Internal(e.to_string()))?;
    outln!("{s}")
}

/// Buffered JSON Lines output on stdout (batch commands), with the count of bad input lines:
/// each is reported on stderr (`govai: <input>: line N: reason`) and as
/// `{"line": N, "error": {"kind", "message"}}` in its place on stdout, and the batch goes on
/// (unless `fail_fast`). [`JsonLines::finish`] exits 2 when any line was bad.
struct JsonLines<'a> {
    out: BufWriter<std::io::StdoutLock<'a>>,
    fail_fast: bool,
    lines: usize,
    bad: usize,
}

impl JsonLines<'_> {
    fn new(fail_fast: bool) -> Self {
        JsonLines { out: BufWriter::new(std::io::stdout().lock()), fail_fast, lines: 0, bad: 0 }
    }

    fn write(&mut self, v: &serde_json::Value) -> govai::Result<()> {
        self.lines += 1;
        serde_json::to_writer(&mut self.out, v).map_err(|e| match e.io_error_kind() {
            Some(kind) => stdout_error(std::io::Error::new(kind, e)),
            None => Error::Internal(e.to_string()),
        })?;
        self.out.write_all(b"\n").map_err(stdout_error)
    }

    /// A line that could not be handled: an I/O error ends the batch, as does any error with
    /// `--fail-fast`; otherwise it is reported and counted.
    fn bad_line(&mut self, line: usize, e: Error) -> govai::Result<()> {
        if self.fail_fast || e.kind() == govai::ErrorKind::Io {
            return Err(e);
        }
        self.bad += 1;
        eprintln!("govai: {e}");
        let message = e.to_string();
        self.write(&json!({"line": line, "error": {"kind": e.kind().as_str(), "message": message}}))
    }

    fn finish(mut self) -> govai::Result<ExitCode> {
        self.out.flush().map_err(stdout_error)?;
        if self.bad > 0 {
            eprintln!("govai: error: {} of {} input lines failed", self.bad, self.lines);
            return Ok(ExitCode::from(2));
        }
        Ok(ExitCode::SUCCESS)
    }
}
