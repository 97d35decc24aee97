//! Assisted handling (辅助办理): check an applicant's recognised pages against a checklist of
//! the deployment (`[[checklists]]`, see `examples/assisted-handling-checklist.toml`), through
//! the gate and the audit log. The check itself is [`govai_documents`]; this module binds it
//! to the configuration.
//!
//! ```no_run
//! use govai::documents::{CheckDocuments, Line, Page, Submission};
//!
//! let (deployment, checklists) = govai::documents::load("govai.toml")?;
//! let pages = vec![Page::new("scan-1.jpg", vec![Line::new("居民身份证", 0.98)])];
//! let check = deployment.check_documents(&checklists, "assisted_handling", &Submission::new(pages))?;
//! println!("{}", serde_json::to_string_pretty(&check).unwrap_or_default());
//! # Ok::<(), govai::Error>(())
//! ```
//!
//! The checklists travel beside the [`Deployment`] rather than inside it: the deployment type
//! belongs to govai-core, which knows nothing of checklists.

use std::collections::BTreeMap;
use std::path::Path;

pub use govai_documents::{
    AUDIT_KIND, CheckOutcome, Checklist, ChecklistRef, Decision, DocumentCheck, FieldKind, FieldResult, FieldSpec,
    FieldStatus, Line, MaskedLine, MaterialResult, MaterialSpec, MaterialStatus, NOTICE, Page, PageResult,
    PersonalData, PersonalFinding, Submission,
};

use crate::config::Config;
use crate::{Deployment, Error, Result};

/// The checklists of a deployment, by id.
#[derive(Debug, Clone, Default)]
pub struct Checklists {
    by_id: BTreeMap<String, Checklist>,
}

impl Checklists {
    /// The checklists of a parsed config, validated: ids unique, each well-formed, each for a
    /// scenario the config enables. Errors name `file` and the key.
    pub fn from_config(config: &Config, file: &str) -> Result<Self> {
        let mut by_id = BTreeMap::new();
        for (i, c) in config.checklists.iter().enumerate() {
            let prefix = format!("checklists[{i}]");
            c.validate(&prefix).map_err(|e| crate::with_file(e, file))?;
            if !config.scenarios.iter().any(|s| s.id == c.scenario) {
                return Err(Error::config(
                    file,
                    format!("{prefix}.scenario"),
                    format!("scenario `{}` is not enabled in [[scenarios]]", c.scenario),
                ));
            }
            if by_id.insert(c.id.clone(), c.clone()).is_some() {
                return Err(Error::config(file, format!("{prefix}.id"), format!("duplicate checklist id `{}`", c.id)));
            }
        }
        Ok(Self { by_id })
    }

    /// A checklist by id.
    pub fn get(&self, id: &str) -> Option<&Checklist> {
        self.by_id.get(id)
    }

    /// Every checklist, by id.
    pub fn iter(&self) -> impl Iterator<Item = &Checklist> {
        self.by_id.values()
    }

    /// The checklist a submission is checked against: the one it names, which must belong to
    /// `scenario`, or the scenario's only one.
    pub fn select(&self, scenario: &str, requested: Option<&str>) -> Result<&Checklist> {
        if let Some(id) = requested {
            let c = self.get(id).ok_or_else(|| Error::NotFound { what: "checklist", id: id.to_owned() })?;
            if c.scenario != scenario {
                return Err(Error::InvalidInput(format!(
                    "checklist `{id}` belongs to scenario `{}`, not `{scenario}`",
                    c.scenario
                )));
            }
            return Ok(c);
        }
        let mut of_scenario = self.iter().filter(|c| c.scenario == scenario);
        match (of_scenario.next(), of_scenario.next()) {
            (Some(c), None) => Ok(c),
            (None, _) => Err(Error::NotFound { what: "checklist for scenario", id: scenario.to_owned() }),
            (Some(_), Some(_)) => Err(Error::InvalidInput(format!(
                "scenario `{scenario}` has several checklists ({}); name one in `checklist`",
                self.iter().filter(|c| c.scenario == scenario).map(|c| c.id.as_str()).collect::<Vec<_>>().join(", ")
            ))),
        }
    }
}

/// Load a deployment and its checklists from one config file (as [`crate::load`]).
pub fn load(path: impl AsRef<Path>) -> Result<(Deployment, Checklists)> {
    let path = path.as_ref();
    let config = Config::from_file(path)?;
    let file = path.display().to_string();
    let base = path.parent().unwrap_or_else(|| Path::new("."));
    Ok((crate::build(&config, base, &file)?, Checklists::from_config(&config, &file)?))
}

/// [`load`] from TOML text (as [`crate::from_toml_str`]).
pub fn from_toml_str(text: &str, base_dir: impl AsRef<Path>) -> Result<(Deployment, Checklists)> {
    let config = Config::parse(text, "<config>")?;
    Ok((crate::build(&config, base_dir.as_ref(), "<config>")?, Checklists::from_config(&config, "<config>")?))
}

/// Checking submissions on a [`Deployment`].
pub trait CheckDocuments {
    /// Check `submission` (already recognised pages) in `scenario` against its checklist from
    /// `checklists` (the one the submission names, or the scenario's only one): classify,
    /// gate against the scenario's ceiling, check, mask, audit. The result prepares a clerk's
    /// review (`decision: "clerk"`) and decides nothing.
    ///
    /// Errors: `NotFound` (scenario not enabled, no such checklist), `InvalidInput` (a
    /// checklist of another scenario, several checklists and none named, a malformed
    /// submission), classification and audit errors. A refusal by the gate is a result.
    fn check_documents(
        &self,
        checklists: &Checklists,
        scenario: &str,
        submission: &Submission,
    ) -> Result<DocumentCheck>;
}

impl CheckDocuments for Deployment {
    fn check_documents(
        &self,
        checklists: &Checklists,
        scenario: &str,
        submission: &Submission,
    ) -> Result<DocumentCheck> {
        if self.scenario(scenario).is_none() {
            return Err(Error::NotFound { what: "scenario", id: scenario.to_owned() });
        }
        let checklist = checklists.select(scenario, submission.checklist.as_deref())?;
        govai_documents::check(self, scenario, checklist, submission)
    }
}
