//! The files to scan: each PATH given (a file is taken whatever its extension) and, under each
//! directory, recursively, the files whose extension is in the list. Symbolic links to
//! directories are not followed (no cycles); links to files are. Sorted, deduplicated.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// One file to scan, or a path that could not be read (scanned as an error row).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Candidate {
    /// The path as found (the root as given, joined with the names below it).
    pub name: String,
    pub path: PathBuf,
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch (0 when unknown).
    pub mtime_ns: u64,
    /// Why the path could not be listed or stat'ed.
    pub error: Option<String>,
}

impl Candidate {
    fn new(path: &Path) -> Self {
        let name = path.display().to_string();
        match std::fs::metadata(path) {
            Ok(m) => Candidate {
                name,
                path: path.to_owned(),
                size: m.len(),
                mtime_ns: m
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                    .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)),
                error: None,
            },
            Err(e) => Self::failed(path, &e),
        }
    }

    fn failed(path: &Path, e: &std::io::Error) -> Self {
        Candidate {
            name: path.display().to_string(),
            path: path.to_owned(),
            size: 0,
            mtime_ns: 0,
            error: Some(e.to_string()),
        }
    }
}

/// Every candidate under `roots`, skipping the paths in `exclude` (the run's own output files).
pub(crate) fn walk(roots: &[PathBuf], extensions: &[String], exclude: &[PathBuf]) -> Vec<Candidate> {
    let exclude: Vec<PathBuf> = exclude.iter().filter_map(|p| std::fs::canonicalize(p).ok()).collect();
    let mut found = BTreeSet::new();
    for root in roots {
        if root.is_dir() {
            walk_dir(root, extensions, &exclude, &mut found);
        } else {
            found.insert(Candidate::new(root));
        }
    }
    let mut seen = BTreeSet::new();
    found.into_iter().filter(|c| seen.insert(c.name.clone())).collect()
}

/// Add the matching files under `dir` (depth first).
fn walk_dir(dir: &Path, extensions: &[String], exclude: &[PathBuf], found: &mut BTreeSet<Candidate>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            found.insert(Candidate::failed(dir, &e));
            return;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                found.insert(Candidate::failed(dir, &e));
                continue;
            }
        };
        let path = entry.path();
        let is_link = entry.file_type().is_ok_and(|t| t.is_symlink());
        if path.is_dir() {
            if !is_link {
                walk_dir(&path, extensions, exclude, found);
            }
        } else if has_extension(&path, extensions) && !is_excluded(&path, exclude) {
            found.insert(Candidate::new(&path));
        }
    }
}

/// Whether the file's extension is one of `extensions` (case-insensitive, without the dot).
fn has_extension(path: &Path, extensions: &[String]) -> bool {
    let Some(ext) = path.extension().and_then(|e| e.to_str()) else { return false };
    extensions.iter().any(|x| x.trim_start_matches('.').eq_ignore_ascii_case(ext))
}

fn is_excluded(path: &Path, exclude: &[PathBuf]) -> bool {
    !exclude.is_empty() && std::fs::canonicalize(path).is_ok_and(|p| exclude.contains(&p))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn walks_matching_files_sorted() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("a/b")).unwrap();
        for f in ["a/b/x.TXT", "a/y.md", "a/z.bin", "top.log", "out.jsonl"] {
            std::fs::write(d.path().join(f), "hi").unwrap();
        }
        let exts: Vec<String> = ["txt", "md", "log", "jsonl"].map(String::from).to_vec();
        let got = walk(&[d.path().to_owned(), d.path().join("a/z.bin")], &exts, &[d.path().join("out.jsonl")]);
        let names: Vec<String> =
            got.iter().map(|c| c.path.strip_prefix(d.path()).unwrap().display().to_string()).collect();
        assert_eq!(names, ["a/b/x.TXT", "a/y.md", "a/z.bin", "top.log"]);
        assert!(got.iter().all(|c| c.size == 2 && c.error.is_none()));
    }
}
