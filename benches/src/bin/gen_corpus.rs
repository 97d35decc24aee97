//! Write the benchmark inputs from the seeded corpus generator.
//!
//! `gen_corpus jsonl --seed S --lines N --out FILE`: N labelled texts, one JSON object a line
//! (the dense corpus: about 1.8 findings per 77-byte text).
//! `gen_corpus sparse --seed S --lines N --out FILE`: N labelled policy-prose documents
//! ([`govai_benches::sparse_generate`]: about one finding per 2 KB), same format.
//! `gen_corpus forms --seed S --lines N --out FILE`: the second generator's texts
//! ([`govai_testkit::corpus::forms`]), same format.
//! `gen_corpus lines --seed S --mb M --out FILE|- [--sparse]`: plain text lines (newlines inside
//! a text become spaces) until M MiB are written; the generator is reseeded every 10 000 texts
//! (1 000 documents with `--sparse`) so the input does not repeat.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use govai_benches::{arg, arg_num, sparse_generate, to_json};
use govai_testkit::corpus::{forms, generate};

fn run(args: &[String]) -> Result<(), String> {
    let mode = args.first().map(String::as_str).unwrap_or("");
    let seed: u64 = arg_num(args, "--seed", 20_260_601)?;
    let out_path = arg(args, "--out").ok_or("--out FILE is required")?;
    let sink: Box<dyn Write> = if out_path == "-" {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(std::fs::File::create(out_path).map_err(|e| format!("{out_path}: {e}"))?)
    };
    let mut w = BufWriter::with_capacity(1 << 20, sink);
    let io = |e: std::io::Error| e.to_string();
    match mode {
        "jsonl" | "sparse" | "forms" => {
            let n: usize = arg_num(args, "--lines", 20_000)?;
            let texts = match mode {
                "sparse" => sparse_generate(seed, n),
                "forms" => forms::generate(seed, n),
                _ => generate(seed, n),
            };
            for t in texts {
                serde_json::to_writer(&mut w, &to_json(&t)).map_err(|e| e.to_string())?;
                w.write_all(b"\n").map_err(io)?;
            }
        }
        "lines" => {
            let mb: f64 = arg_num(args, "--mb", 100.0)?;
            let target = (mb * 1024.0 * 1024.0) as u64;
            let mut written = 0u64;
            let mut round = 0u64;
            let sparse = args.iter().any(|a| a == "--sparse");
            'outer: loop {
                let s = seed.wrapping_add(round);
                let texts = if sparse { sparse_generate(s, 1_000) } else { generate(s, 10_000) };
                for t in texts {
                    let line = t.text.replace(['\n', '\r'], " ");
                    w.write_all(line.as_bytes()).map_err(io)?;
                    w.write_all(b"\n").map_err(io)?;
                    written += line.len() as u64 + 1;
                    if written >= target {
                        break 'outer;
                    }
                }
                round += 1;
            }
        }
        _ => {
            return Err(
                "usage: gen_corpus jsonl|sparse|forms|lines --out FILE [--seed S] [--lines N] [--mb M] [--sparse]"
                    .into(),
            );
        }
    }
    w.flush().map_err(io)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_corpus: {e}");
            ExitCode::from(2)
        }
    }
}
