//! govai-report: the operations figures of a deployment and their charts.
//!
//! [`figures::build`] reads a deployment's audit log (checked first: the record of truth) and,
//! with a store, its review queue, into per-scenario, per-day figures; [`html::render`] makes
//! the self-contained HTML report of `govai report`; [`svg`] draws the charts (inline SVG, no
//! script) that the report, `govai eval compare` and the console's dashboard share.

pub mod figures;
pub mod html;
pub mod svg;

pub use figures::{Report, Sources, build};
