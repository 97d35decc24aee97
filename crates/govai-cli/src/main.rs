//! The `govai` command line. Output with `--json` is a public contract (see README).
//!
//! Exit codes: 0 success; 1 a check failed (audit log not intact); 2 an error (bad usage,
//! config, input or I/O), reported on stderr and, with `--json`, as
//! `{"error": {"kind": "...", "message": "..."}}` on stdout.
//!
//! One module per command family: [`deploy`] (run, demo, scenarios), [`audit`], [`text`] (scan,
//! mask), [`review`] (review, review-eval), [`label`], [`model`] (generate, embed); the grammar
//! is in [`args`].

mod args;
mod audit;
mod deploy;
mod label;
mod model;
mod review;
mod table;
mod text;

use std::io::{BufRead, BufWriter, Read, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use govai::{Error, Request};
use serde_json::json;

use args::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.command.json_errors();
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
        Command::Demo { audit, messages, json } => deploy::demo(&audit, messages.as_deref(), json),
        Command::Scan { json, jsonl, text } => text::scan(json, jsonl.as_deref(), text.as_deref()),
        Command::Mask { operator, key, text } => text::mask(&operator, key.as_deref(), &read_text(&text)?),
        Command::Review { jsonl: Some(path), scenario, reviewers, .. } => {
            review::review_jsonl(&path, &scenario, &reviewers)
        }
        Command::Review { json, sources, scenario, request, text, reviewers, .. } => {
            if !reviewers.is_empty() {
                return Err(Error::InvalidInput("--reviewers needs --jsonl".into()));
            }
            let text = text.ok_or_else(|| Error::InvalidInput("give TEXT, `-` or --jsonl FILE".into()))?;
            review::review(json, sources.as_deref(), &scenario, &request, &read_text(&text)?)
        }
        Command::ReviewEval { bank, config } => review::review_eval(&bank, config.as_deref()),
        Command::Label { command } => label::label(command),
        Command::Generate { model, stream, max_new_tokens, temperature, seed, prompt_lookup, json, prompt } => {
            let options = model::GenerateArgs { stream, max_new_tokens, temperature, seed, prompt_lookup, json };
            model::generate(&model, &options, read_text(&prompt)?)
        }
        Command::Embed { model, texts } => model::embed(&model, &texts),
    }
}

/// The text itself, or standard input for `-`.
fn read_text(text: &str) -> govai::Result<String> {
    if text == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(|e| Error::io("<stdin>", e))?;
        Ok(s)
    } else {
        Ok(text.to_owned())
    }
}

/// A file's contents, or standard input for `-`.
fn read_file_or_stdin(file: &str) -> govai::Result<String> {
    if file == "-" { read_text("-") } else { std::fs::read_to_string(file).map_err(|e| Error::io(file, e)) }
}

/// A buffered reader over a file, or standard input for `-` (for line-by-line batch input).
fn open_lines(path: &Path) -> govai::Result<Box<dyn BufRead>> {
    Ok(if path == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(std::fs::File::open(path).map_err(|e| Error::io(path, e))?))
    })
}

/// One JSON value on a line of its own on stdout.
fn print_json(v: &impl serde::Serialize) -> govai::Result<()> {
    let s = serde_json::to_string(v).map_err(|e| Error::Internal(e.to_string()))?;
    println!("{s}");
    Ok(())
}

/// Buffered JSON Lines output on stdout (batch commands).
struct JsonLines<'a>(BufWriter<std::io::StdoutLock<'a>>);

impl JsonLines<'_> {
    fn new() -> Self {
        JsonLines(BufWriter::new(std::io::stdout().lock()))
    }

    fn write(&mut self, v: &serde_json::Value) -> govai::Result<()> {
        serde_json::to_writer(&mut self.0, v).map_err(|e| Error::Internal(e.to_string()))?;
        self.0.write_all(b"\n").map_err(|e| Error::io("<stdout>", e))
    }

    fn finish(mut self) -> govai::Result<ExitCode> {
        self.0.flush().map_err(|e| Error::io("<stdout>", e))?;
        Ok(ExitCode::SUCCESS)
    }
}
