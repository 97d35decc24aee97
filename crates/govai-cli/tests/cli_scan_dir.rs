//! Issue 19: `govai scan --dir` on directory trees: the same findings as `scan --jsonl` of each
//! file, CSV and Parquet equal to JSON Lines, resume (skips done files, re-scans changed
//! ones, survives a killed run), binary / not UTF-8 / overlong lines as error rows.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::govai;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// A resident ID with a valid check digit, varied by `n`.
fn resident_id(n: u64) -> String {
    let body = format!("1101011990{:02}{:02}{:03}", 1 + n % 12, 1 + n % 28, n % 1000);
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.bytes().zip(weights).map(|(b, w)| u32::from(b - b'0') * w).sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

/// Text of `lines` lines, some with personal data (mobiles, IDs, e-mail), some prose.
fn text(seed: u64, lines: u64) -> String {
    let mut s = String::new();
    for i in 0..lines {
        let n = seed * 1000 + i;
        match i % 4 {
            0 => s += &format!("市民反映：联系电话1380013{:04}，请尽快回复。\n", n % 10_000),
            1 => s += &format!("申请人身份证号{}，住址北京市东城区。\n", resident_id(n)),
            2 => s += "本政策自发布之日起施行，由市政府办公厅负责解释。\n",
            _ => s += &format!("邮箱 user{n}@example.com，备注：第{i}条。\n"),
        }
    }
    s
}

/// A tree of `files` files in nested directories (all default extensions), plus a file whose
/// extension is not scanned.
fn tree(root: &Path, files: u64, lines: u64) -> Vec<PathBuf> {
    let exts = ["txt", "md", "csv", "jsonl", "log"];
    let mut paths = Vec::new();
    for f in 0..files {
        let dir = root.join(format!("d{}", f % 3)).join(format!("e{}", f % 2));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("f{f}.{}", exts[(f % 5) as usize]));
        std::fs::write(&path, text(f, lines)).unwrap();
        paths.push(path);
    }
    std::fs::write(root.join("ignored.bin"), text(99, 3)).unwrap();
    paths
}

fn scan(args: &[&str]) -> Output {
    govai().arg("scan").args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn jsonl_rows(bytes: &[u8]) -> Vec<Value> {
    String::from_utf8(bytes.to_vec()).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// Rows comparable across runs: without `elapsed_us`, sorted.
fn normalized(mut rows: Vec<Value>) -> Vec<Value> {
    for r in &mut rows {
        r.as_object_mut().unwrap().remove("elapsed_us");
    }
    rows.sort_by_key(|r| r.to_string());
    rows
}

fn csv_rows(path: &Path) -> Vec<Value> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            let mut obj = serde_json::Map::new();
            for (h, cell) in headers.iter().zip(rec.iter()) {
                if cell.is_empty() {
                    continue;
                }
                let v = match h {
                    "line" | "byte_offset" | "bytes" | "lines" | "elapsed_us" => json!(cell.parse::<u64>().unwrap()),
                    "confidence" => json!(cell.parse::<f64>().unwrap()),
                    "findings" => serde_json::from_str(cell).unwrap(),
                    _ => json!(cell),
                };
                obj.insert(h.to_owned(), v);
            }
            Value::Object(obj)
        })
        .collect()
}

fn parquet_rows(path: &Path) -> Vec<Value> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;
    let reader = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    reader
        .get_row_iter(None)
        .unwrap()
        .map(|row| {
            let row = row.unwrap();
            let mut obj = serde_json::Map::new();
            for (name, field) in row.get_column_iter() {
                let v = match field {
                    Field::Null => continue,
                    Field::Long(n) => json!(n),
                    Field::Double(d) => json!(d),
                    Field::Str(s) if name == "findings" => serde_json::from_str(s).unwrap(),
                    Field::Str(s) => json!(s),
                    other => panic!("unexpected {name}: {other:?}"),
                };
                obj.insert(name.clone(), v);
            }
            Value::Object(obj)
        })
        .collect()
}

fn of(rows: &[Value], record: &str) -> Vec<Value> {
    rows.iter().filter(|r| r["record"] == record).cloned().collect()
}

/// Each finding of `scan --jsonl FILE` as (line, byte offset, type, confidence, text).
fn single_file_findings(path: &Path) -> Vec<(u64, u64, String, f64, String)> {
    let o = scan(&["--jsonl", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let content = std::fs::read_to_string(path).unwrap();
    let mut line_start = 0u64;
    let mut out = Vec::new();
    for ((i, line), result) in content.lines().enumerate().zip(jsonl_rows(&o.stdout)) {
        for f in result["findings"].as_array().unwrap() {
            let start = f["start"].as_u64().unwrap() as usize;
            let byte: usize = line.chars().take(start).map(char::len_utf8).sum();
            let score = (f["score"].as_f64().unwrap() * 10_000.0).round() / 10_000.0;
            let t = f["type"].as_str().unwrap().to_owned();
            out.push((i as u64 + 1, line_start + byte as u64, t, score, f["text"].as_str().unwrap().to_owned()));
        }
        line_start += line.len() as u64 + 1;
    }
    out
}

#[test]
fn findings_match_the_single_file_scan() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("tree");
    let files = tree(&root, 7, 12);
    let o = scan(&["--dir", root.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(1), "findings exit 1: {}", stderr(&o));
    let rows = jsonl_rows(&o.stdout);
    assert!(rows.iter().all(|r| !r["file"].as_str().unwrap().ends_with(".bin")));
    let summaries = of(&rows, "file");
    assert_eq!(summaries.len(), files.len());
    for path in &files {
        let name = path.display().to_string();
        let expected = single_file_findings(path);
        assert!(!expected.is_empty());
        let mut got: Vec<(u64, u64, String, f64)> = of(&rows, "finding")
            .iter()
            .filter(|r| r["file"] == name.as_str())
            .map(|r| {
                let preview = r["preview"].as_str().unwrap();
                assert!(expected.iter().all(|e| e.4 != preview), "preview is the raw value: {preview}");
                assert!(preview.contains('*'), "{preview}");
                (
                    r["line"].as_u64().unwrap(),
                    r["byte_offset"].as_u64().unwrap(),
                    r["type"].as_str().unwrap().to_owned(),
                    r["confidence"].as_f64().unwrap(),
                )
            })
            .collect();
        got.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let mut want: Vec<_> = expected.iter().map(|e| (e.0, e.1, e.2.clone(), e.3)).collect();
        want.sort_by(|a, b| a.partial_cmp(b).unwrap());
        assert_eq!(got, want, "{name}");
        // The byte offset points at the value in the file.
        let bytes = std::fs::read(path).unwrap();
        for e in &expected {
            assert!(bytes[e.1 as usize..].starts_with(e.4.as_bytes()), "{name}: {e:?}");
        }
        let summary = summaries.iter().find(|s| s["file"] == name.as_str()).unwrap();
        assert_eq!(summary["bytes"], json!(bytes.len()));
        assert_eq!(summary["lines"], json!(12));
        assert_eq!(summary["sha256"], json!(hex::encode(Sha256::digest(&bytes))));
        assert_eq!(summary["level"], json!("sensitive"));
        let by_type: u64 = summary["findings"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
        assert_eq!(by_type, expected.len() as u64);
    }
    // A file named on the command line is scanned whatever its extension; nothing found: 0.
    let plain = d.path().join("plain.bin");
    std::fs::write(&plain, "本政策自发布之日起施行。\n").unwrap();
    let o = scan(&["--dir", plain.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(of(&jsonl_rows(&o.stdout), "file").len(), 1);
}

#[test]
fn csv_and_parquet_read_back_equal_to_jsonl() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("tree");
    tree(&root, 6, 10);
    std::fs::write(root.join("bin.txt"), b"\x00\x01binary").unwrap();
    let run = |format: &str, out: &str| {
        let out = d.path().join(out);
        let o = scan(&["--dir", root.to_str().unwrap(), "--format", format, "--out", out.to_str().unwrap(), "-j", "2"]);
        assert_eq!(o.status.code(), Some(2), "{format}: error row for bin.txt: {}", stderr(&o));
        assert!(stderr(&o).contains("scanned 7 files"), "{}", stderr(&o));
        out
    };
    let jsonl = normalized(jsonl_rows(&std::fs::read(run("jsonl", "o.jsonl")).unwrap()));
    let csv = normalized(csv_rows(&run("csv", "o.csv")));
    let parquet_out = run("parquet", "o.parquet");
    let parquet = normalized(parquet_rows(&parquet_out));
    assert_eq!(of(&jsonl, "error").len(), 1);
    assert!(of(&jsonl, "finding").len() > 30);
    assert_eq!(csv, jsonl);
    assert_eq!(parquet, jsonl);
    assert!(!d.path().join("o.parquet.tmp").exists());
    // Parquet needs a file.
    let o = scan(&["--dir", root.to_str().unwrap(), "--format", "parquet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--format parquet needs --out"), "{}", stderr(&o));
}

#[test]
fn resume_skips_done_files_and_rescans_changed_ones() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("tree");
    let files = tree(&root, 5, 8);
    let out = d.path().join("o.csv");
    let args = ["--dir", root.to_str().unwrap(), "--format", "csv", "--out", out.to_str().unwrap()];
    let o = scan(&args);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let first = std::fs::read(&out).unwrap();
    // Without --resume an existing output is refused, and left alone.
    let o = scan(&args);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("pass --resume"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&out).unwrap(), first);
    // Everything done: nothing scanned, nothing appended, same exit code.
    let resume: Vec<&str> = args.iter().copied().chain(["--resume"]).collect();
    let o = scan(&resume);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("scanned 0 files") && stderr(&o).contains("5 skipped as done"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&out).unwrap(), first);
    // A changed file and a new one are scanned; the changed one's old rows are replaced.
    std::fs::write(&files[2], text(500, 4)).unwrap();
    std::fs::write(root.join("new.txt"), text(600, 4)).unwrap();
    let o = scan(&resume);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("scanned 2 files") && stderr(&o).contains("4 skipped as done"), "{}", stderr(&o));
    let resumed = normalized(csv_rows(&out));
    let fresh_out = d.path().join("fresh.csv");
    let o = scan(&["--dir", root.to_str().unwrap(), "--format", "csv", "--out", fresh_out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(resumed, normalized(csv_rows(&fresh_out)));
    let state = std::fs::read_to_string(d.path().join("o.csv.state")).unwrap();
    assert_eq!(state.lines().count(), 6, "{state}");
    // Resuming with another format is refused.
    let o = scan(&["--dir", root.to_str().unwrap(), "--out", out.to_str().unwrap(), "--resume"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is not a --format jsonl output"), "{}", stderr(&o));
}

#[test]
fn a_killed_run_resumed_gives_the_same_rows_as_an_uninterrupted_one() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("tree");
    let files = tree(&root, 120, 200);
    let out = d.path().join("o.jsonl");
    let state = d.path().join("o.jsonl.state");
    let args = ["--dir", root.to_str().unwrap(), "--out", out.to_str().unwrap(), "--jobs", "1", "--resume"];
    let mut child = govai().arg("scan").args(args).spawn().unwrap();
    let started = std::time::Instant::now();
    let done_lines = || std::fs::read_to_string(&state).map_or(0, |s| s.lines().count());
    while done_lines() < 10 && started.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let at_kill = done_lines();
    assert!(at_kill >= 10 && at_kill < files.len(), "killed mid-run: {at_kill} of {} done", files.len());
    // A torn last record, as a kill during a write would leave.
    let mut tail = std::fs::OpenOptions::new().append(true).open(&out).unwrap();
    std::io::Write::write_all(&mut tail, b"{\"record\":\"finding\",\"fi").unwrap();
    let o = govai().arg("scan").args(args).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("{at_kill} skipped as done")), "{}", stderr(&o));
    let resumed = normalized(jsonl_rows(&std::fs::read(&out).unwrap()));
    let full = d.path().join("full.jsonl");
    let o = scan(&["--dir", root.to_str().unwrap(), "--out", full.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let uninterrupted = normalized(jsonl_rows(&std::fs::read(&full).unwrap()));
    assert_eq!(of(&resumed, "file").len(), files.len());
    assert_eq!(resumed.len(), uninterrupted.len());
    assert_eq!(resumed, uninterrupted);
}

#[test]
fn binary_not_utf8_and_overlong_lines_are_error_rows() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("tree");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("a_binary.txt"), [b"PK\x03\x04\x00\x00".as_slice(), &[0u8; 100]].concat()).unwrap();
    let (gbk, _, _) = encoding_rs::GBK.encode("手机13800138000");
    std::fs::write(root.join("b_gbk.txt"), [b"ok line\n".as_slice(), &gbk].concat()).unwrap();
    let long = format!("{}\n联系电话13800138000。\n", "x".repeat(5000));
    std::fs::write(root.join("c_long.log"), &long).unwrap();
    let o = scan(&["--dir", root.to_str().unwrap(), "--max-line-bytes", "1000", "--quiet"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("3 of 3 files had errors"), "{}", stderr(&o));
    let rows = jsonl_rows(&o.stdout);
    let file = |name: &str| -> Vec<Value> {
        rows.iter().filter(|r| r["file"].as_str().unwrap().ends_with(name)).cloned().collect()
    };
    let binary = file("a_binary.txt");
    assert_eq!(binary.len(), 1);
    assert_eq!(binary[0]["record"], "error");
    assert!(binary[0]["error"].as_str().unwrap().contains("binary file"), "{binary:?}");
    let gbk = file("b_gbk.txt");
    assert_eq!(gbk.len(), 1, "{gbk:?}");
    assert!(gbk[0]["error"].as_str().unwrap().contains("not UTF-8 (line 2"), "{gbk:?}");
    assert_eq!(gbk[0]["error_kind"], "invalid_input");
    let long_rows = file("c_long.log");
    let records: Vec<&str> = long_rows.iter().map(|r| r["record"].as_str().unwrap()).collect();
    assert_eq!(records, ["error", "finding", "file"], "{long_rows:?}");
    assert_eq!(long_rows[0]["line"], 1);
    assert_eq!(long_rows[0]["byte_offset"], 0);
    assert!(long_rows[0]["error"].as_str().unwrap().contains("longer than the limit of 1000 bytes"));
    assert_eq!(long_rows[1]["line"], 2);
    assert_eq!(long_rows[1]["byte_offset"], json!(5001 + "联系电话".len()));
    assert_eq!(long_rows[2]["lines"], 2);
}

#[test]
fn flags_of_dir_need_dir_and_text_scan_is_unchanged() {
    for flag in
        [["--format", "csv"], ["--ext", "txt"], ["--max-line-bytes", "9"], ["--out", "x.jsonl"], ["--jobs", "2"]]
    {
        let o = scan(&[flag[0], flag[1], "hello"]);
        assert_eq!(o.status.code(), Some(2), "{flag:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("--dir"), "{}", stderr(&o));
    }
    let o = scan(&["--dir", ".", "--json"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = scan(&["--json", "手机13800138000"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["findings"][0]["type"], "cn_mobile");
}

#[test]
fn table_rows_take_their_column_header_as_label() {
    // C + 8 digits is an exit-entry permit only with context: in a table the header gives it.
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("permits.csv");
    let content =
        "序号,姓名,往来港澳通行证号\n1,张伟,C12345678\n2,王芳,C87654321\n说明：以上为样例\n3,李娜,C11223344\n";
    std::fs::write(&path, content).unwrap();
    let o = scan(&["--dir", path.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let found: Vec<(u64, u64, String)> = of(&jsonl_rows(&o.stdout), "finding")
        .iter()
        .filter(|r| r["type"] == "hk_macau_permit")
        .map(|r| {
            (r["line"].as_u64().unwrap(), r["byte_offset"].as_u64().unwrap(), r["preview"].as_str().unwrap().to_owned())
        })
        .collect();
    let at = |v: &str| content.find(v).unwrap() as u64;
    // The rows under the header are found at their byte offsets; the row after the note line
    // (a different shape ends the table) has no label and is not.
    assert_eq!(found.iter().map(|f| (f.0, f.1)).collect::<Vec<_>>(), [(2, at("C1234")), (3, at("C8765"))], "{found:?}");
    assert!(found.iter().all(|f| f.2.contains('*')));
}
