//! `govai scan --dir PATH…`: bulk classification of files and directory trees.
//!
//! One step per module: [`walk`] lists the files, [`file_scan`] scans one file (bounded lines
//! from [`lines`]) into a block of rows ([`row`]), [`output`] appends each block whole and
//! records it in the state file (resume), [`parquet_out`] turns the finished JSON Lines
//! journal into Parquet. Files are scanned in parallel (rayon, `--jobs`), with a progress bar
//! on stderr (indicatif) when it is a terminal.
//!
//! Exit codes: 0 nothing found; 1 findings (personal or other classified data); 2 some file or
//! line could not be scanned (error rows), or the run itself failed. Counted over every file
//! in the output, including those done by an earlier run that this one resumed.

mod file_scan;
mod lines;
mod output;
mod parquet_out;
mod progress;
mod row;
mod walk;

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use govai::Error;
use rayon::prelude::*;

use file_scan::Scanner;
use output::{Sink, with_suffix};
use row::Encoding;

/// The extensions scanned in directories unless --ext says otherwise.
const DEFAULT_EXTENSIONS: [&str; 5] = ["txt", "jsonl", "csv", "md", "log"];

/// Output formats of `--dir`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// JSON Lines: one object per row (fields of empty columns left out).
    Jsonl,
    /// CSV with a header row; empty columns are empty cells.
    Csv,
    /// Parquet (needs --out), written when the run completes from OUT.journal.jsonl.
    Parquet,
}

/// The flags of `govai scan --dir`.
#[derive(Debug, clap::Args)]
pub(crate) struct ScanDirArgs {
    /// Scan files and directory trees in bulk (repeatable): directories are walked
    /// recursively for the extensions of --ext; a file named here is scanned whatever its
    /// extension. Files are read line by line (bounded memory) and scanned in parallel. Output:
    /// one row per finding {"record":"finding", file, line, byte_offset, type, confidence,
    /// preview (masked, never the value)}, one per file {"record":"file", file, bytes, lines,
    /// findings (by type), level, sha256, elapsed_us}, and {"record":"error", file, line?,
    /// error_kind, error} for a file that is unreadable, binary or not UTF-8 (the run goes on)
    /// or a line over --max-line-bytes (skipped). Rows of one file are written together, files
    /// in the order they finish. Exit 0: nothing found; 1: findings; 2: some error rows.
    #[arg(long = "dir", value_name = "PATH", conflicts_with_all = ["json", "jsonl", "fail_fast", "text"])]
    pub dir: Vec<PathBuf>,
    /// With --dir: file extensions to scan in directories (comma-separated, case-insensitive)
    /// [default: txt,jsonl,csv,md,log].
    #[arg(long, value_delimiter = ',', value_name = "EXT,…", requires = "dir")]
    pub ext: Option<Vec<String>>,
    /// With --dir: files scanned at once (default: the number of cores).
    #[arg(long, short = 'j', value_name = "N", requires = "dir")]
    pub jobs: Option<usize>,
    /// With --dir: output format [default: jsonl].
    #[arg(long, value_enum, requires = "dir")]
    pub format: Option<Format>,
    /// With --dir: write the rows to FILE (default: standard output; Parquet needs a file),
    /// recording each finished file in FILE.state for --resume.
    #[arg(long, value_name = "FILE", requires = "dir")]
    pub out: Option<PathBuf>,
    /// With --out: continue the run recorded in FILE.state: files done with the same size and
    /// mtime are skipped, rows of files changed since are replaced, new rows are appended
    /// (a run that was killed loses only the files it was scanning). Without it, an existing
    /// FILE or FILE.state is an error.
    #[arg(long, requires = "out")]
    pub resume: bool,
    /// With --dir: no progress bar and no summary on stderr (the bar is shown only when
    /// stderr is a terminal).
    #[arg(long, requires = "dir")]
    pub quiet: bool,
    /// With --dir: longest line scanned, in bytes; a longer line is skipped and reported as an
    /// error row [default: 4194304, 4 MiB].
    #[arg(long, value_name = "BYTES", requires = "dir")]
    pub max_line_bytes: Option<usize>,
}

impl ScanDirArgs {
    /// An error naming the first --dir flag given without --dir (clap's `requires` is not
    /// enforced inside this flattened group).
    pub(crate) fn reject_without_dir(&self) -> govai::Result<()> {
        let given = [
            ("--ext", self.ext.is_some()),
            ("--jobs", self.jobs.is_some()),
            ("--format", self.format.is_some()),
            ("--out", self.out.is_some()),
            ("--resume", self.resume),
            ("--quiet", self.quiet),
            ("--max-line-bytes", self.max_line_bytes.is_some()),
        ];
        match given.iter().find(|(_, set)| *set) {
            Some((flag, _)) if self.dir.is_empty() => Err(Error::InvalidInput(format!("{flag} needs --dir"))),
            _ => Ok(()),
        }
    }
}

/// Where a file-backed run writes.
#[derive(Debug)]
struct Paths {
    /// What the user named (`--out`).
    out: PathBuf,
    /// Where rows are appended: `out` itself, or the journal for Parquet.
    rows: PathBuf,
    state: PathBuf,
}

impl Paths {
    fn new(out: &Path, format: Format) -> Self {
        let rows = if format == Format::Parquet { with_suffix(out, ".journal.jsonl") } else { out.to_owned() };
        Paths { out: out.to_owned(), rows, state: with_suffix(out, ".state") }
    }
}

/// `govai scan --dir …`.
pub(crate) fn run(args: &ScanDirArgs) -> govai::Result<ExitCode> {
    let started = Instant::now();
    let jobs = args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let max_line_bytes = args.max_line_bytes.unwrap_or(govai::MAX_LINE_BYTES);
    if jobs == 0 || max_line_bytes == 0 {
        return Err(Error::InvalidInput("--jobs and --max-line-bytes must be at least 1".into()));
    }
    let format = args.format.unwrap_or(Format::Jsonl);
    let encoding = if format == Format::Csv { Encoding::Csv } else { Encoding::Jsonl };
    let paths = args.out.as_deref().map(|out| Paths::new(out, format));
    let mut sink = open_sink(paths.as_ref(), args, format, encoding)?;
    let exclude: Vec<PathBuf> = paths.iter().flat_map(|p| [p.out.clone(), p.rows.clone(), p.state.clone()]).collect();
    let extensions = args.ext.clone().unwrap_or_else(|| DEFAULT_EXTENSIONS.map(String::from).to_vec());
    let candidates = walk::walk(&args.dir, &extensions, &exclude);
    let found = candidates.len();
    let pending = sink.pending(candidates)?;
    let bytes: u64 = pending.iter().map(|c| c.size).sum();
    let bar = progress::bar(pending.len() as u64, bytes, args.quiet)?;
    let scanner = Scanner { classifier: &govai::default_classifier(), encoding, max_line_bytes };
    let sink = Mutex::new(sink);
    scan_all(&pending, &scanner, &sink, &bar, jobs)?;
    bar.finish_and_clear();
    let mut sink = sink.into_inner().map_err(|_| Error::Internal("a scan thread panicked".into()))?;
    sink.finish()?;
    if let Some(p) = paths.as_ref().filter(|_| format == Format::Parquet) {
        parquet_out::write(&p.rows, &p.out)?;
    }
    let stats = progress::Stats { files: pending.len(), skipped: found - pending.len(), bytes, jobs, started };
    Ok(exit_code(&sink, &stats, args.quiet))
}

/// The sink: standard output, or the --out files (new or resumed).
fn open_sink(paths: Option<&Paths>, args: &ScanDirArgs, format: Format, encoding: Encoding) -> govai::Result<Sink> {
    let Some(paths) = paths else {
        if format == Format::Parquet {
            return Err(Error::InvalidInput("--format parquet needs --out FILE".into()));
        }
        return Sink::stdout(encoding);
    };
    if format == Format::Parquet && !args.resume && paths.out.exists() {
        return Err(Error::InvalidInput(format!(
            "{} exists: pass --resume to continue the run it records, or remove it first",
            paths.out.display()
        )));
    }
    Sink::file(&paths.rows, &paths.state, encoding, args.resume)
}

/// Scan `pending` on `jobs` threads, committing each file as it finishes.
fn scan_all(
    pending: &[walk::Candidate],
    scanner: &Scanner<'_>,
    sink: &Mutex<Sink>,
    bar: &indicatif::ProgressBar,
    jobs: usize,
) -> govai::Result<()> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| Error::Internal(format!("starting {jobs} scan threads: {e}")))?;
    let done = AtomicU64::new(0);
    pool.install(|| {
        pending.par_iter().try_for_each(|c| {
            let sent = Cell::new(0u64);
            let scanned = scanner.scan(c, &|n| {
                sent.set(sent.get() + n);
                bar.inc(n);
            })?;
            sink.lock().map_err(|_| Error::Internal("a scan thread panicked".into()))?.commit(c, scanned)?;
            bar.inc(c.size.saturating_sub(sent.get()));
            let files = done.fetch_add(1, Ordering::Relaxed) + 1;
            bar.set_message(format!("{files}/{} files", pending.len()));
            Ok(())
        })
    })
}

/// 2 when any file had errors, 1 when any had findings, else 0; the summary on stderr.
fn exit_code(sink: &Sink, stats: &progress::Stats, quiet: bool) -> ExitCode {
    let findings: u64 = sink.done.iter().map(|d| d.findings).sum();
    let failed = sink.done.iter().filter(|d| d.errors > 0).count();
    if !quiet {
        eprintln!("govai: {}; {findings} findings in {} files", stats.line(), sink.done.len());
    }
    if failed > 0 {
        eprintln!("govai: error: {failed} of {} files had errors (see the error rows)", sink.done.len());
        return ExitCode::from(2);
    }
    ExitCode::from(u8::from(findings > 0))
}
