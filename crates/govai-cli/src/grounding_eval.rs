//! `govai eval grounding`: the grounding and relevance reviewers on the grounding bank
//! ([`govai::grounding_eval`]); exit 1 when the test split misses a target.

use std::path::Path;
use std::process::ExitCode;

use govai::grounding_eval::{evaluate, load_bank};
use govai::reviewers::{GroundingReviewer, RelevanceReviewer};

use crate::out;

/// `govai eval grounding [--bank FILE] [--config FILE]`.
pub(crate) fn grounding(bank: &Path, config: Option<&Path>) -> govai::Result<ExitCode> {
    let items = load_bank(bank)?;
    let (grounding, relevance, label) = match config {
        None => (GroundingReviewer::default(), RelevanceReviewer::default(), "defaults (lexical)".to_owned()),
        Some(path) => {
            let c = govai::config::Config::from_file(path)?;
            let base = path.parent().unwrap_or_else(|| Path::new("."));
            let (g, r) = govai::model_reviewers::grounding_eval_reviewers(
                &c.reviewers,
                &c.runtime,
                base,
                &path.display().to_string(),
            )?;
            (g, r, format!("[reviewers] of {}", path.display()))
        }
    };
    let report = evaluate(&label, &items, &grounding, &relevance, Some(&relevance))?;
    out!("{report}")?;
    Ok(if report.unmet_targets().is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
