//! The progress bar (stderr, only when it is a terminal) and the closing summary line.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use govai::Error;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar over `bytes`, with the files done as its message; hidden with `quiet` or when stderr
/// is not a terminal.
pub(crate) fn bar(files: u64, bytes: u64, quiet: bool) -> govai::Result<ProgressBar> {
    let target = if quiet || !std::io::stderr().is_terminal() {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let style = ProgressStyle::with_template(
        "{spinner} {elapsed_precise} [{wide_bar}] {decimal_bytes}/{decimal_total_bytes} {decimal_bytes_per_sec} eta {eta} {msg}",
    )
    .map_err(|e| Error::Internal(format!("progress template: {e}")))?;
    let bar = ProgressBar::with_draw_target(Some(bytes), target).with_style(style);
    bar.set_message(format!("0/{files} files"));
    if !bar.is_hidden() {
        bar.enable_steady_tick(Duration::from_millis(200));
    }
    Ok(bar)
}

/// Figures of a run for the summary line.
#[derive(Debug)]
pub(crate) struct Stats {
    /// Files scanned by this run.
    pub files: usize,
    /// Files skipped as done by an earlier run.
    pub skipped: usize,
    pub bytes: u64,
    pub jobs: usize,
    pub started: Instant,
}

impl Stats {
    /// `scanned 1200 files (96.0 MB) in 3.10 s with 2 jobs: 387 files/s, 31.0 MB/s; 0 skipped as done`
    pub(crate) fn line(&self) -> String {
        let secs = self.started.elapsed().as_secs_f64().max(1e-9);
        let mb = self.bytes as f64 / 1e6;
        format!(
            "scanned {} files ({mb:.1} MB) in {secs:.2} s with {} jobs: {:.0} files/s, {:.1} MB/s; {} skipped as done",
            self.files,
            self.jobs,
            self.files as f64 / secs,
            mb / secs,
            self.skipped
        )
    }
}
