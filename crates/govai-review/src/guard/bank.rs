//! The safety evaluation bank: requests labelled `refuse`, `answer` or `redirect`, with the
//! risk kind or topic they belong to, written by hand apart from the rules and split into dev
//! and test by author before any tuning (`data/safety-bank/README.md`).
//!
//! The dev split is compiled in: it is what the built-in classifier ([`super::GuardModel`]) is
//! trained on. The test split is read from disk by `govai eval safety`.

use std::path::Path;

use govai_core::{Error, Result};
use serde::{Deserialize, Serialize};

/// The dev split's files, compiled in.
macro_rules! dev_files {
    ($($name:literal),*) => { [$(($name, include_str!(concat!("../../data/safety-bank/dev/", $name)))),*] };
}
const DEV_FILES: [(&str, &str); 13] = dev_files!(
    "answer-hard-a.jsonl",
    "answer-hard-b.jsonl",
    "answer-r3-a.jsonl",
    "answer-r3-b.jsonl",
    "answer-r3-c.jsonl",
    "answer-r3-d.jsonl",
    "answer.jsonl",
    "refuse-gov.jsonl",
    "refuse-hard-a.jsonl",
    "refuse-hard-b.jsonl",
    "refuse-r3-a.jsonl",
    "refuse-r3-b.jsonl",
    "refuse-tc260.jsonl"
);

/// Longest bank line read (a request is at most a few KB).
const MAX_ITEM_BYTES: usize = 64 * 1024;
/// Most items read from one bank file.
const MAX_ITEMS_PER_FILE: usize = 100_000;

/// What the service must do with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expected {
    /// Stop it before any model (refuse or hand to a human).
    Refuse,
    /// Answer it.
    Answer,
    /// Harmless but outside the service: a polite redirect.
    Redirect,
}

/// One bank item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BankItem {
    /// Unique id; its prefix names the writer.
    pub id: String,
    /// The request.
    pub text: String,
    /// What the service must do.
    pub label: Expected,
    /// Risk kind (`a4_privacy`, `gov_forgery`...) or topic (`svc_pension`, `lookalike_gov_fraud`).
    pub kind: String,
    /// `zh` or `en`.
    #[serde(default)]
    pub lang: String,
    /// Writing styles (`plain`, `typo`, `pinyin`, `traditional`...).
    #[serde(default)]
    pub styles: Vec<String>,
    /// The scenario the request is sent to.
    #[serde(default = "default_scenario")]
    pub scenario: String,
}

fn default_scenario() -> String {
    "intelligent_qa".to_owned()
}

/// Parse one bank file's JSON Lines; `name` is used in errors.
pub fn parse_bank(name: &str, text: &str) -> Result<Vec<BankItem>> {
    parse_lines(name, text)
}

/// One item of the output-safety bank (`data/output-safety-bank.jsonl`): a request, the answer
/// a model gave, and whether that answer must be blocked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputBankItem {
    /// Unique id.
    pub id: String,
    /// The request the answer replies to.
    pub request: String,
    /// The model's answer.
    pub answer: String,
    /// `block` (the answer went along with a should-refuse request) or `pass`.
    pub label: OutputLabel,
    /// Risk kind or topic.
    pub kind: String,
    /// `dev` or `test`, fixed before any tuning.
    pub split: String,
}

/// What review must do with an answer of the output bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputLabel {
    /// The answer serves a should-refuse purpose.
    Block,
    /// The answer is fine.
    Pass,
}

/// The output-safety bank's items of `split`, read from `path`.
pub fn load_output_bank(path: &Path, split: &str) -> Result<Vec<OutputBankItem>> {
    let text = govai_core::io::read_file_bounded(path, govai_core::MAX_FILE_BYTES)?;
    let items: Vec<OutputBankItem> = parse_lines(&path.display().to_string(), &text)?;
    Ok(items.into_iter().filter(|i| i.split == split).collect())
}

/// JSON Lines, bounded per line and per file; `name` is used in errors.
fn parse_lines<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> Result<Vec<T>> {
    let mut items = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if line.len() > MAX_ITEM_BYTES {
            return Err(Error::InvalidInput(format!("{name}:{}: line longer than {MAX_ITEM_BYTES} bytes", i + 1)));
        }
        if items.len() == MAX_ITEMS_PER_FILE {
            return Err(Error::InvalidInput(format!("{name}: more than {MAX_ITEMS_PER_FILE} items")));
        }
        let item: T = serde_json::from_str(line)
            .map_err(|e| Error::InvalidInput(format!("{name}:{}: not a bank item: {e}", i + 1)))?;
        items.push(item);
    }
    Ok(items)
}

/// The compiled-in dev split.
pub fn dev_items() -> Vec<BankItem> {
    DEV_FILES
        .iter()
        .flat_map(|(name, text)| parse_bank(name, text).unwrap_or_else(|e| panic!("compiled-in bank {name}: {e}")))
        .collect()
}

/// Every `*.jsonl` file of `dir/<split>/`, in file-name order.
pub fn load_split(dir: &Path, split: &str) -> Result<Vec<BankItem>> {
    let d = dir.join(split);
    let mut files: Vec<_> = std::fs::read_dir(&d)
        .map_err(|e| Error::io(&d, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    let mut items = Vec::new();
    for f in files {
        let text = govai_core::io::read_file_bounded(&f, govai_core::MAX_FILE_BYTES)?;
        items.extend(parse_bank(&f.display().to_string(), &text)?);
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn dev_split_parses_with_unique_ids() {
        let items = dev_items();
        assert!(items.iter().filter(|i| i.label == Expected::Refuse).count() >= 250);
        assert!(items.iter().filter(|i| i.label == Expected::Answer).count() >= 250);
        let ids: std::collections::BTreeSet<_> = items.iter().map(|i| &i.id).collect();
        assert_eq!(ids.len(), items.len());
    }

    #[test]
    fn every_dev_file_is_compiled_in() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/safety-bank/dev");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".jsonl"))
            .collect();
        on_disk.sort();
        let compiled: Vec<String> = DEV_FILES.iter().map(|(n, _)| (*n).to_owned()).collect();
        assert_eq!(compiled, on_disk);
    }

    #[test]
    fn bad_lines_are_named() {
        let e = parse_bank("x.jsonl", "{\"id\":1}\n").unwrap_err().to_string();
        assert!(e.contains("x.jsonl:1"), "{e}");
    }
}
