//! `govai audit ...`: verify, acknowledge-gap, keygen; and the notices of opening a log.

use std::path::Path;
use std::process::ExitCode;

use govai::Deployment;
use govai::audit::{AuditOptions, VerifyOptions, VerifyReport};

use crate::args::AuditCommand;
use crate::{outln, print_json};

impl AuditCommand {
    /// Whether errors are also reported as JSON on stdout.
    pub(crate) fn json_errors(&self) -> bool {
        match self {
            AuditCommand::Verify { json, .. } | AuditCommand::AcknowledgeGap { json, .. } => *json,
            AuditCommand::Keygen { .. } => false,
        }
    }
}

/// Run an audit subcommand.
pub(crate) fn run(command: AuditCommand) -> govai::Result<ExitCode> {
    match command {
        AuditCommand::Verify { file, anchor, pubkey, witness, json } => {
            verify(&file, &VerifyOptions { anchor, pubkey, witness }, json)
        }
        AuditCommand::AcknowledgeGap { file, reason, anchor, json } => {
            let options = AuditOptions { anchor, ..AuditOptions::default() };
            let receipt = govai::audit::acknowledge_gap(&file, &options, &reason)?;
            if json {
                print_json(&receipt)?;
            } else {
                outln!(
                    "{}: gap acknowledged in record seq {} ({}); writing can resume",
                    file.display(),
                    receipt.seq,
                    &receipt.hash[..16]
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Keygen { out } => {
            let info = govai::audit::keygen(&out)?;
            outln!("private key: {} (mode 0600; keep it outside the log's directory)", info.private_key.display())?;
            outln!("public key:  {}", info.public_key_file.display())?;
            outln!("key id:      {}", info.key_id)?;
            outln!("{}", info.public_key)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `govai audit verify`: exit 0 only when the log is intact.
fn verify(file: &Path, options: &VerifyOptions, json: bool) -> govai::Result<ExitCode> {
    let report = govai::audit::verify_with(file, options)?;
    if json {
        print_json(&report)?;
    } else {
        print_verify(file, &report)?;
    }
    Ok(intact_exit(&report))
}

/// Exit 0 for an intact log, 1 otherwise.
pub(crate) fn intact_exit(report: &VerifyReport) -> ExitCode {
    if report.intact { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

/// Tell the operator on stderr what opening the deployment's audit log did (a created directory,
/// a kept or quarantined last line).
pub(crate) fn print_open_notices(deployment: &Deployment) {
    let log = deployment.audit_log();
    for notice in log.open_report().notices(log.path()) {
        eprintln!("govai: {notice}");
    }
}

/// The human-readable verification report.
pub(crate) fn print_verify(file: &Path, r: &VerifyReport) -> govai::Result<()> {
    if r.intact {
        let gaps = match r.gaps.len() {
            0 => String::new(),
            n => format!(", {n} ACKNOWLEDGED GAP{}", if n == 1 { "" } else { "S" }),
        };
        outln!(
            "{}: intact{gaps}, {} records, last seq {}, anchor {:?}",
            file.display(),
            r.records,
            r.last_seq,
            r.anchor
        )?;
    } else {
        outln!("{}: NOT INTACT ({} valid records before the problem)", file.display(), r.records)?;
        if let Some(b) = &r.first_bad {
            outln!(
                "  first bad record: line {}{}: {}",
                b.line,
                b.seq.map(|s| format!(" (seq {s})")).unwrap_or_default(),
                b.reason
            )?;
        }
    }
    if let Some(d) = &r.anchor_detail {
        outln!("  anchor: {:?}: {d}", r.anchor)?;
    }
    for g in &r.gaps {
        let expected = match (g.gap.expected_seq, &g.gap.expected_hash) {
            (Some(s), Some(h)) => format!("seq {s} ({}…)", &h[..16.min(h.len())]),
            _ => "no anchor".to_owned(),
        };
        outln!(
            "  acknowledged gap at seq {}: anchor expected {expected}, found seq {} — {} — reason: {}",
            g.seq,
            g.gap.found_seq,
            g.gap.problem,
            g.gap.reason
        )?;
    }
    for rep in &r.repairs {
        outln!(
            "  repair at seq {}: torn line of {} bytes (sha256 {}) kept in {}",
            rep.seq,
            rep.repair.torn_bytes,
            rep.repair.torn_sha256,
            rep.repair.quarantine
        )?;
    }
    if let Some(s) = &r.signatures {
        outln!(
            "  signatures (key {}): {} valid checkpoints, signed up to seq {}, {} records unsigned yet{}",
            s.key_id,
            s.valid_checkpoints,
            s.last_signed_seq,
            s.unsigned_records,
            s.problem.as_ref().map(|p| format!(" — PROBLEM: {p}")).unwrap_or_default()
        )?;
    } else if r.checkpoints > 0 {
        outln!("  {} signed checkpoints not checked (give --pubkey)", r.checkpoints)?;
    }
    if let Some(w) = &r.witness {
        outln!(
            "  witness: {} checkpoints match{}",
            w.matched,
            w.problem.as_ref().map(|p| format!(" — PROBLEM: {p}")).unwrap_or_default()
        )?;
    }
    Ok(())
}
