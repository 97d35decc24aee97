//! `govai label verify` and `govai label export`: AI-content labels (GB 45438-2025).

use std::path::Path;
use std::process::ExitCode;

use govai::Error;
use serde_json::json;

use crate::args::LabelCommand;
use crate::{out, outln, print_json, read_file_or_stdin};

fn parse_format(format: Option<&str>, file: &str) -> govai::Result<Option<govai::LabelFormat>> {
    match format {
        Some(f) => serde_json::from_value(json!(f))
            .map(Some)
            .map_err(|_| Error::InvalidInput(format!("unknown format `{f}` (text, markdown, html, json)"))),
        None if file == "-" => Ok(None),
        None => Ok(Some(govai::LabelFormat::from_path(Path::new(file)))),
    }
}

pub(crate) fn label(command: LabelCommand) -> govai::Result<ExitCode> {
    match command {
        LabelCommand::Verify { file, format, json } => {
            let content = read_file_or_stdin(&file)?;
            let v = govai::label::verify_implicit(&content, parse_format(format.as_deref(), &file)?);
            if json {
                print_json(&v)?;
            } else if v.ok() {
                let id = v.label.as_ref().map(|l| l.aigc.produce_id.as_str()).unwrap_or_default();
                outln!("{file}: AI-generated content label valid (format {}, ProduceID {id})", v.format.as_str())?;
            } else {
                outln!("{file}: label NOT valid")?;
                for p in &v.problems {
                    outln!("  {p}")?;
                }
            }
            Ok(if v.ok() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        LabelCommand::Export { file, format, content_id } => {
            let content = read_file_or_stdin(&file)?;
            let format = parse_format(format.as_deref(), &file)?.unwrap_or_else(|| govai::LabelFormat::sniff(&content));
            let id = content_id.unwrap_or_else(govai::new_content_id);
            out!("{}", govai::LabelConfig::default().export(&content, &id, format)?)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
