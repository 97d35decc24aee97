//! Precision and recall per entity type on both labelled corpora, side by side (issue 19): the
//! first generator (`govai_testkit::corpus::generate`, sentences) and the second, independently
//! written one (`govai_testkit::corpus::forms::generate`: table rows, log lines, form dumps, chat
//! transcripts, e-mails; glued labels, Latin and Chinese labels, other card ranges).
//!
//! Matching as in `classifier_corpus.rs`: identifier types need the exact span; `person`,
//! `address` and the PIPL categories an overlap with IoU >= 0.5. The second corpus labels only
//! identifier types, so those fuzzy types are not scored on it (its texts contain unlabelled
//! names). The floors below are the figures measured when this test was written (rounded down),
//! so a regression on either corpus fails; the goal of the issue (worst type P >= 0.99 and
//! R >= 0.98 on each corpus) is printed, not asserted, because the second corpus's figures are
//! reported, not tuned to.
//!
//! `cargo test -p govai-classify --test classifier_two_corpora -- --nocapture` prints the table.
//! `GOVAI_SHOW_ERRORS=first` (or `forms`) also prints that corpus's first errors.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use govai_classify::GuardClassifier;
use govai_testkit::corpus::{LabelledText, forms, generate};

const FIRST: (u64, usize) = (20_240_601, 6000);
const SECOND: (u64, usize) = (19_190_019, 4000);

fn fuzzy(ty: &str) -> bool {
    matches!(
        ty,
        "person" | "address" | "health" | "religion" | "biometric" | "financial_account" | "whereabouts" | "minor"
    )
}

fn iou(a: (usize, usize), b: (usize, usize)) -> f64 {
    let inter = a.1.min(b.1).saturating_sub(a.0.max(b.0));
    let union = a.1.max(b.1) - a.0.min(b.0);
    if union == 0 { 0.0 } else { inter as f64 / union as f64 }
}

#[derive(Default, Debug, Clone, Copy)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Counts {
    fn p(self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }
    fn r(self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }
}

fn evaluate(corpus: &[LabelledText], score_fuzzy: bool, show: bool) -> BTreeMap<String, Counts> {
    let g = GuardClassifier::default();
    let mut counts: BTreeMap<String, Counts> = BTreeMap::new();
    let mut shown = 0;
    let mut show_err = |s: String| {
        if show && shown < 80 {
            shown += 1;
            println!("  {s}");
        }
    };
    for lt in corpus {
        let found: Vec<_> =
            g.scan(&lt.text).findings.into_iter().filter(|f| score_fuzzy || !fuzzy(&f.entity_type)).collect();
        let gold: Vec<_> = lt.entities.iter().filter(|(ty, _, _)| score_fuzzy || !fuzzy(ty)).collect();
        let mut matched = vec![false; gold.len()];
        for f in &found {
            let hit = gold.iter().enumerate().position(|(i, (ty, s, e))| {
                !matched[i]
                    && *ty == f.entity_type
                    && if fuzzy(ty) { iou((*s, *e), (f.start, f.end)) >= 0.5 } else { (*s, *e) == (f.start, f.end) }
            });
            let c = counts.entry(f.entity_type.clone()).or_default();
            match hit {
                Some(i) => {
                    matched[i] = true;
                    c.tp += 1;
                }
                None => {
                    c.fp += 1;
                    show_err(format!("FP {} {:?} in {:?}", f.entity_type, f.text, lt.text));
                }
            }
        }
        for (i, (ty, s, e)) in gold.iter().enumerate() {
            if !matched[i] {
                counts.entry(ty.clone()).or_default().fn_ += 1;
                let t: String = lt.text.chars().skip(*s).take(e - s).collect();
                show_err(format!("FN {ty} {t:?} in {:?}", lt.text));
            }
        }
    }
    counts
}

/// What one corpus must keep for one type.
#[derive(Debug, Clone, Copy)]
enum Floor {
    /// Precision and recall at least these (and at least 30 gold entities).
    Pr(f64, f64),
    /// The corpus has no gold entity of the type: at most this many findings (all false).
    MaxFp(usize),
}
use Floor::{MaxFp, Pr};

/// Measured floors per type: `(type, first corpus, second corpus)`.
const FLOORS: &[(&str, Floor, Floor)] = &[
    ("address", Pr(1.0, 1.0), MaxFp(0)),
    ("bank_card", Pr(1.0, 1.0), Pr(1.0, 0.888)),
    ("biometric", Pr(1.0, 1.0), MaxFp(0)),
    ("cn_landline", Pr(1.0, 1.0), Pr(1.0, 0.99)),
    ("cn_mobile", Pr(1.0, 1.0), Pr(1.0, 1.0)),
    ("cn_org_code", Pr(1.0, 1.0), MaxFp(0)),
    ("cn_passport", Pr(1.0, 1.0), Pr(1.0, 0.983)),
    ("cn_plate", Pr(1.0, 1.0), Pr(1.0, 1.0)),
    ("cn_resident_id", Pr(1.0, 1.0), Pr(1.0, 0.997)),
    ("cn_uscc", Pr(1.0, 1.0), Pr(1.0, 0.992)),
    ("email", Pr(1.0, 1.0), Pr(0.99, 0.99)),
    ("financial_account", Pr(1.0, 1.0), MaxFp(0)),
    ("health", Pr(1.0, 1.0), MaxFp(0)),
    ("hk_macau_permit", Pr(1.0, 1.0), Pr(1.0, 0.71)),
    ("hkid", Pr(1.0, 1.0), MaxFp(16)),
    ("ipv4", Pr(1.0, 1.0), Pr(1.0, 0.994)),
    ("ipv6", Pr(1.0, 1.0), Pr(1.0, 0.996)),
    ("minor", Pr(1.0, 1.0), MaxFp(0)),
    ("person", Pr(1.0, 1.0), MaxFp(0)),
    ("religion", Pr(1.0, 1.0), MaxFp(0)),
    ("secrecy_marking", Pr(1.0, 1.0), MaxFp(0)),
    ("whereabouts", Pr(1.0, 1.0), MaxFp(0)),
];

#[test]
fn precision_recall_both_corpora() {
    let which = std::env::var("GOVAI_SHOW_ERRORS").unwrap_or_default();
    if which == "first" {
        println!("first corpus errors:");
    }
    let first = evaluate(&generate(FIRST.0, FIRST.1), true, which == "first");
    if which == "forms" {
        println!("second corpus errors:");
    }
    let second = evaluate(&forms::generate(SECOND.0, SECOND.1), false, which == "forms");

    println!(
        "\nfirst: corpus::generate seed {} x {} texts; second: corpus::forms::generate seed {} x {} texts",
        FIRST.0, FIRST.1, SECOND.0, SECOND.1
    );
    println!(
        "{:<18} | {:>5} {:>4} {:>4} {:>7} {:>7} | {:>5} {:>4} {:>4} {:>7} {:>7}",
        "type", "tp", "fp", "fn", "P", "R", "tp", "fp", "fn", "P", "R"
    );
    let mut types: Vec<&String> = first.keys().chain(second.keys()).collect();
    types.sort();
    types.dedup();
    let cell = |c: Option<&Counts>| match c {
        Some(c) => format!("{:>5} {:>4} {:>4} {:>7.4} {:>7.4}", c.tp, c.fp, c.fn_, c.p(), c.r()),
        None => format!("{:>5} {:>4} {:>4} {:>7} {:>7}", "-", "-", "-", "-", "-"),
    };
    for ty in &types {
        println!("{ty:<18} | {} | {}", cell(first.get(*ty)), cell(second.get(*ty)));
    }
    let worst = |m: &BTreeMap<String, Counts>, fz: bool| {
        let it = || m.iter().filter(|(t, c)| (fz || !fuzzy(t)) && c.tp + c.fn_ >= 30);
        let p = it().map(|(t, c)| (c.p(), t.clone())).min_by(|a, b| a.0.total_cmp(&b.0));
        let r = it().map(|(t, c)| (c.r(), t.clone())).min_by(|a, b| a.0.total_cmp(&b.0));
        (p.unwrap(), r.unwrap())
    };
    for (name, m) in [("first", &first), ("second", &second)] {
        let ((p, pt), (r, rt)) = worst(m, false);
        let goal = if p >= 0.99 && r >= 0.98 { "goal met" } else { "goal NOT met" };
        println!(
            "{name}: identifier types, worst P {p:.4} ({pt}), worst R {r:.4} ({rt}): {goal} (P >= 0.99, R >= 0.98)"
        );
    }

    let mut failures = Vec::new();
    for (ty, f1, f2) in FLOORS {
        for (name, m, floor) in [("first", &first, f1), ("second", &second, f2)] {
            let c = m.get(*ty).copied().unwrap_or_default();
            match *floor {
                Pr(pmin, rmin) => {
                    if c.p() < pmin || c.r() < rmin {
                        failures.push(format!(
                            "{name} {ty}: P {:.4} (floor {pmin}), R {:.4} (floor {rmin})",
                            c.p(),
                            c.r()
                        ));
                    }
                    if c.tp + c.fn_ < 30 {
                        failures.push(format!("{name} {ty}: only {} gold entities", c.tp + c.fn_));
                    }
                }
                MaxFp(n) => {
                    if c.tp + c.fn_ > 0 || c.fp > n {
                        failures.push(format!("{name} {ty}: expected no gold and at most {n} findings, got {c:?}"));
                    }
                }
            }
        }
    }
    // Every type seen must have a floor.
    for ty in &types {
        if !FLOORS.iter().any(|f| f.0 == ty.as_str()) {
            failures.push(format!("{ty}: no floor"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
