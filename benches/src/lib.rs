//! govai-benches: helpers shared by the benchmark binaries (`scripts/bench-scan.sh` runs them).
//!
//! - `gen_corpus`: writes the labelled corpus ([`govai_testkit::corpus::generate`]) as JSON Lines
//!   (`{"text": ..., "entities": [[type, start, end], ...]}`, char offsets) for both sides of the
//!   Presidio comparison, or plain text lines of a given total size for the streaming run.
//!   With `--sparse`, the texts are policy-style prose documents ([`sparse_generate`]) with the
//!   labelled texts of the same generator embedded at about one finding per 2 KB.
//! - `scan_bench`: times the guard classifier on a corpus file and writes its findings for the
//!   common scoring in `benches/presidio_scan.py`; also times the floor, the plain `regex` crate
//!   running only a digit-run pattern over the same texts.

use std::io::BufRead;

use govai_testkit::corpus::{LabelledText, generate};
use serde_json::{Value, json};

/// One corpus line as written by `gen_corpus`.
pub fn to_json(t: &LabelledText) -> Value {
    json!({"text": t.text, "entities": t.entities})
}

/// Read the texts of a corpus JSON Lines file (labels are scored in Python).
pub fn read_texts(path: &str) -> Result<Vec<String>, String> {
    let f = std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line.map_err(|e| format!("{path}: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(&line).map_err(|e| format!("{path}:{}: {e}", i + 1))?;
        let text = v.get("text").and_then(Value::as_str).ok_or_else(|| format!("{path}:{}: no text", i + 1))?;
        out.push(text.to_owned());
    }
    Ok(out)
}

/// Peak resident set size of this process in KiB (`VmHWM`), if the platform reports it.
pub fn peak_rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// `--name value` from an argument list.
pub fn arg<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map(String::as_str)
}

/// Parse `--name N`, or the default.
pub fn arg_num<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> Result<T, String> {
    match arg(args, name) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| format!("{name}: not a number: {v}")),
    }
}

/// Policy-prose building blocks (no context word, label, name or place of any recognizer, so the
/// prose itself holds no finding; a few short numbers like real policy text).
const SUBJECTS: &[&str] = &[
    "各级人民政府",
    "有关部门",
    "各地区各部门",
    "县级以上地方人民政府",
    "行业主管部门",
    "相关单位",
    "各级财政部门",
    "监管机构",
    "牵头部门",
    "基层组织",
];
const VERBS: &[&str] = &[
    "应当加强",
    "要进一步完善",
    "负责统筹推进",
    "依法做好",
    "切实履行",
    "积极推动",
    "组织实施",
    "持续优化",
    "认真落实",
    "统筹协调",
];
const OBJECTS: &[&str] = &[
    "政务数据共享工作",
    "基层治理体系建设",
    "公共服务供给能力",
    "营商环境改革",
    "安全生产监督管理",
    "生态环境保护",
    "数字政府建设",
    "政策落实情况的监督检查",
    "应急管理体系",
    "财政资金绩效评价",
    "标准化工作",
    "跨部门协同机制",
];
const TAILS: &[&str] = &[
    "，确保各项任务落到实处",
    "，建立健全长效机制",
    "，形成工作合力",
    "，不断提升服务质量",
    "，按照职责分工抓好落实",
    "，并将结果向社会公开",
    "",
    "",
];
const OPENERS: &[&str] = &[
    "",
    "",
    "",
    "为贯彻落实有关决策部署，",
    "根据本办法，",
    "在试点基础上，",
    "到2027年，",
    "自本通知印发之日起，",
    "按照第3条规定，",
    "对照12项重点任务，",
    "围绕AI应用场景，",
];

/// Generate `n` sparse prose documents from `seed`: 1-8 paragraphs of 4-10 policy sentences,
/// with a labelled text of [`generate`] (one that has entities) embedded as a sentence whenever
/// the gold entities so far fall below one per 2,048 bytes. Labels are char offsets as in
/// [`LabelledText`].
pub fn sparse_generate(seed: u64, n: usize) -> Vec<LabelledText> {
    let mut rng = Xs(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut pool = generate(seed ^ 0x5a5a, 4096).into_iter().filter(|t| !t.entities.is_empty()).cycle();
    let (mut bytes, mut gold) = (0usize, 0usize);
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let mut text = String::new();
        let mut chars = 0usize;
        let mut entities = Vec::new();
        let paragraphs = 1 + rng.below(8);
        for p in 0..paragraphs {
            if p > 0 {
                text.push('\n');
                chars += 1;
            }
            for _ in 0..4 + rng.below(7) {
                if gold * 2048 < bytes
                    && let Some(lt) = pool.next()
                {
                    for (ty, s, e) in &lt.entities {
                        entities.push((ty.clone(), chars + s, chars + e));
                    }
                    gold += lt.entities.len();
                    bytes += lt.text.len();
                    chars += lt.text.chars().count();
                    text.push_str(&lt.text);
                    continue;
                }
                let s = format!(
                    "{}{}{}{}{}。",
                    rng.pick(OPENERS),
                    rng.pick(SUBJECTS),
                    rng.pick(VERBS),
                    rng.pick(OBJECTS),
                    rng.pick(TAILS)
                );
                bytes += s.len();
                chars += s.chars().count();
                text.push_str(&s);
            }
        }
        out.push(LabelledText { text, entities });
    }
    out
}

/// xorshift64 for the prose templates.
struct Xs(u64);

impl Xs {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}
