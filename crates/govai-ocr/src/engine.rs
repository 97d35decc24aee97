//! The OCR pipeline: detection, direction classification, recognition.

use std::io::Read;
use std::path::{Path, PathBuf};

use govai_ort::ort::value::Tensor;
use govai_ort::{RuntimeConfig, SessionPool, session_pool};
use image::{DynamicImage, RgbImage};
use serde::{Deserialize, Serialize};

use crate::db::{self, DbParams, ProbMap};
use crate::error::{Error, Result};
use crate::geometry::{Quad, reading_order};
use crate::{ctc, imgops};

/// Detection model file in the model directory.
pub const DET_FILE: &str = "ch_PP-OCRv4_det_infer.onnx";
/// Direction (0/180 degree) classifier file.
pub const CLS_FILE: &str = "ch_ppocr_mobile_v2.0_cls_infer.onnx";
/// Recognition model file.
pub const REC_FILE: &str = "ch_PP-OCRv4_rec_infer.onnx";
/// Recognition dictionary: one character per line, in class order (class 0, the CTC blank,
/// and the final space class are not listed). When absent, the recognition model's metadata
/// key `character` is used.
pub const KEYS_FILE: &str = "ppocr_keys.txt";

/// Recognition input height (PP-OCRv4).
const REC_H: usize = 48;
/// Minimum recognition input width: the batch's width is at least 320 (ratio 320/48).
const REC_MIN_W: usize = 320;
/// Classifier input: 48 x 192.
const CLS_H: usize = 48;
const CLS_W: usize = 192;
/// The dictionary file is read up to this size.
const MAX_KEYS_BYTES: u64 = 4 << 20;

/// Options of [`OcrEngine`]. Defaults are PaddleOCR's / RapidOCR's for PP-OCRv4.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OcrOptions {
    /// ONNX Runtime library, providers, threads and sessions (see govai-ort).
    pub runtime: RuntimeConfig,
    /// Detection input: the shorter image side is scaled up to at least this (multiple of 32).
    pub det_limit_side_len: u32,
    /// Text-probability threshold of the detector's map.
    pub det_thresh: f32,
    /// Boxes whose mean probability is below this are dropped.
    pub det_box_thresh: f32,
    /// How much boxes are grown (distance = area * ratio / perimeter).
    pub det_unclip_ratio: f32,
    /// Images with a longer side above this are scaled down first (boxes are reported in the
    /// original image's pixels).
    pub max_side_len: u32,
    /// Run the direction classifier (turns upside-down lines before recognition).
    pub use_cls: bool,
    /// A line is turned when the classifier says 180 degrees with at least this probability.
    pub cls_thresh: f32,
    /// When most lines are upside down, the page is read as rotated by 180 degrees: lines are
    /// ordered in the turned page and their corners start at the text's top-left.
    pub page_orientation: bool,
    /// Lines with a lower recognition confidence are dropped.
    pub text_score: f32,
    /// Text lines per recogniser / classifier batch (lines are batched by aspect ratio).
    pub rec_batch: usize,
    /// Largest encoded image accepted by [`OcrEngine::recognize_file`] / `recognize_bytes`.
    pub max_image_bytes: u64,
    /// Largest image (width x height) accepted.
    pub max_image_pixels: u64,
}

impl Default for OcrOptions {
    fn default() -> Self {
        Self {
            runtime: RuntimeConfig::default(),
            det_limit_side_len: 736,
            det_thresh: 0.3,
            det_box_thresh: 0.5,
            det_unclip_ratio: 1.6,
            max_side_len: 2000,
            use_cls: true,
            cls_thresh: 0.9,
            page_orientation: true,
            text_score: 0.5,
            rec_batch: 6,
            max_image_bytes: 32 << 20,
            max_image_pixels: 40_000_000,
        }
    }
}

/// One recognised text line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextLine {
    /// The text.
    pub text: String,
    /// Mean probability of the decoded characters (0..1).
    pub confidence: f32,
    /// Corners in the input image's pixels: top-left, top-right, bottom-right, bottom-left of
    /// the text as read (for a page read as upside down, the first corner is the text's
    /// top-left, at the image's bottom-right).
    pub bbox: [[f32; 2]; 4],
}

/// PP-OCRv4 on govai's ONNX Runtime backend. `Send + Sync`; concurrent calls share the
/// session pools (`options.runtime.sessions` per model).
#[derive(Debug)]
pub struct OcrEngine {
    det: SessionPool,
    cls: Option<SessionPool>,
    rec: SessionPool,
    /// Class index -> text: "" (blank), the dictionary, " ".
    vocab: Vec<String>,
    options: OcrOptions,
}

fn run_err(model: &'static str) -> impl Fn(govai_ort::ort::Error) -> Error {
    move |e| Error::model(model, e.to_string())
}

impl OcrEngine {
    /// Load the three models (files [`DET_FILE`], [`CLS_FILE`], [`REC_FILE`]) and the
    /// dictionary ([`KEYS_FILE`], else the recognition model's `character` metadata) from
    /// `dir` (prepared by `make ocr-models` into `models/ppocr-v4`).
    pub fn load(dir: &Path, options: OcrOptions) -> Result<OcrEngine> {
        if !dir.is_dir() {
            return Err(Error::model(
                dir.display().to_string(),
                "model directory not found (prepare it with `make ocr-models`)",
            ));
        }
        let rt = &options.runtime;
        let det = session_pool("ocr-det", &dir.join(DET_FILE), rt)?;
        let cls = if options.use_cls { Some(session_pool("ocr-cls", &dir.join(CLS_FILE), rt)?) } else { None };
        let rec = session_pool("ocr-rec", &dir.join(REC_FILE), rt)?;
        let keys_path = dir.join(KEYS_FILE);
        let keys = if keys_path.is_file() {
            read_bounded(&keys_path, MAX_KEYS_BYTES)?
        } else {
            let session = rec.get();
            let meta = session.metadata().map_err(run_err("ocr-rec"))?;
            meta.custom("character").ok_or_else(|| {
                Error::model("ocr-rec", format!("no {} and no `character` metadata in {REC_FILE}", keys_path.display()))
            })?
        };
        let mut vocab = vec![String::new()];
        vocab.extend(keys.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l).to_string()));
        // A trailing newline ends the last line; it is not an extra (empty) character.
        if vocab.last().is_some_and(String::is_empty) && vocab.len() > 1 {
            vocab.pop();
        }
        if vocab.len() < 2 {
            return Err(Error::model("ocr-rec", "empty recognition dictionary"));
        }
        vocab.push(" ".into());
        Ok(OcrEngine { det, cls, rec, vocab, options })
    }

    /// The options the engine was loaded with.
    pub fn options(&self) -> &OcrOptions {
        &self.options
    }

    /// Read, decode (PNG or JPEG) and recognise an image file; at most
    /// [`OcrOptions::max_image_bytes`] are read.
    pub fn recognize_file(&self, path: impl AsRef<Path>) -> Result<Vec<TextLine>> {
        let path = path.as_ref();
        let bytes = read_limited(path, self.options.max_image_bytes)?;
        self.recognize_bytes(&bytes)
    }

    /// Decode (PNG or JPEG) and recognise an encoded image, checking both limits before
    /// decoding the pixels.
    pub fn recognize_bytes(&self, bytes: &[u8]) -> Result<Vec<TextLine>> {
        let max = self.options.max_image_bytes;
        if bytes.len() as u64 > max {
            return Err(Error::TooLarge { limit: "max_image_bytes", unit: "bytes", actual: bytes.len() as u64, max });
        }
        let reader = || {
            image::ImageReader::new(std::io::Cursor::new(bytes))
                .with_guessed_format()
                .map_err(|e| Error::InvalidImage(e.to_string()))
        };
        let (w, h) = reader()?.into_dimensions().map_err(|e| Error::InvalidImage(e.to_string()))?;
        self.check_pixels(w, h)?;
        let mut r = reader()?;
        r.no_limits();
        let img = r.decode().map_err(|e| Error::InvalidImage(e.to_string()))?;
        self.recognize(&img)
    }

    fn check_pixels(&self, w: u32, h: u32) -> Result<()> {
        let (n, max) = (u64::from(w) * u64::from(h), self.options.max_image_pixels);
        if n > max {
            return Err(Error::TooLarge { limit: "max_image_pixels", unit: "pixels", actual: n, max });
        }
        if n == 0 {
            return Err(Error::InvalidImage(format!("empty image ({w}x{h})")));
        }
        Ok(())
    }

    /// Recognise the text lines of an image, in reading order.
    pub fn recognize(&self, image: &DynamicImage) -> Result<Vec<TextLine>> {
        self.check_pixels(image.width(), image.height())?;
        let mut img = image.to_rgb8();
        let (ow, oh) = (img.width(), img.height());
        let long = ow.max(oh);
        if long > self.options.max_side_len.max(32) {
            let r = f64::from(self.options.max_side_len.max(32)) / f64::from(long);
            let (w, h) = (((f64::from(ow) * r) as u32).max(1), ((f64::from(oh) * r) as u32).max(1));
            img = image::imageops::resize(&img, w, h, image::imageops::FilterType::Triangle);
        }
        let (sx, sy) = (ow as f32 / img.width() as f32, oh as f32 / img.height() as f32);

        let mut boxes = self.detect(&img)?;
        let order = reading_order(&boxes.iter().map(|q| q[0]).collect::<Vec<_>>());
        boxes = order.into_iter().map(|i| boxes[i]).collect();
        let mut crops = Vec::with_capacity(boxes.len());
        let mut kept = Vec::with_capacity(boxes.len());
        for q in boxes {
            if let Some(c) = imgops::crop(&img, &q) {
                crops.push(c);
                kept.push(q);
            }
        }
        let mut boxes = kept;
        let flipped = self.classify(&mut crops)?;
        if self.options.page_orientation
            && !flipped.is_empty()
            && flipped.iter().filter(|&&f| f).count() * 2 > flipped.len()
        {
            // Read the page turned by 180 degrees: order in the turned frame, first corner at
            // the turned text's top-left.
            let (w, h) = (img.width() as f32, img.height() as f32);
            let turned: Vec<Quad> =
                boxes.iter().map(|q| [0, 1, 2, 3].map(|i| [w - q[(i + 2) % 4][0], h - q[(i + 2) % 4][1]])).collect();
            let order = reading_order(&turned.iter().map(|q| q[0]).collect::<Vec<_>>());
            boxes = order.iter().map(|&i| [0, 1, 2, 3].map(|k| boxes[i][(k + 2) % 4])).collect();
            let mut taken: Vec<Option<RgbImage>> = crops.into_iter().map(Some).collect();
            crops = order.iter().filter_map(|&i| taken[i].take()).collect();
        }
        let texts = self.recognize_lines(&crops)?;
        Ok(boxes
            .into_iter()
            .zip(texts)
            .filter(|(_, (text, conf))| !text.is_empty() && *conf >= self.options.text_score)
            .map(|(q, (text, confidence))| TextLine { text, confidence, bbox: q.map(|[x, y]| [x * sx, y * sy]) })
            .collect())
    }

    /// Text boxes in `img`'s pixels.
    fn detect(&self, img: &RgbImage) -> Result<Vec<Quad>> {
        let (w, h) = (img.width() as f64, img.height() as f64);
        let limit = f64::from(self.options.det_limit_side_len);
        let ratio = if w.min(h) < limit { limit / w.min(h) } else { 1.0 };
        let round32 = |v: f64| (((v * ratio).trunc() / 32.0).round() * 32.0).max(32.0) as usize;
        let (rw, rh) = (round32(w), round32(h));
        let mut input = vec![0f32; 3 * rw * rh];
        imgops::resize_normalize_into(img, rw, rh, rw, &mut input);
        let err = run_err("ocr-det");
        let mut session = self.det.get();
        let outputs = session
            .run(govai_ort::ort::inputs!["x" => Tensor::from_array(([1usize, 3, rh, rw], input)).map_err(&err)?])
            .map_err(&err)?;
        let (shape, data) = outputs[0].try_extract_tensor::<f32>().map_err(&err)?;
        let dims: Vec<i64> = shape.iter().copied().collect();
        let (mh, mw) = match dims[..] {
            [1, 1, mh, mw] if (mh * mw) as usize == data.len() => (mh as usize, mw as usize),
            _ => return Err(Error::model("ocr-det", format!("unexpected output shape {dims:?}"))),
        };
        let params = DbParams {
            thresh: self.options.det_thresh,
            box_thresh: self.options.det_box_thresh,
            unclip_ratio: self.options.det_unclip_ratio,
            max_candidates: 1000,
        };
        let map = ProbMap { data, width: mw, height: mh };
        Ok(db::boxes(map, &params, img.width() as usize, img.height() as usize).into_iter().map(|(q, _)| q).collect())
    }

    /// Turn upside-down crops; returns which were turned.
    fn classify(&self, crops: &mut [RgbImage]) -> Result<Vec<bool>> {
        let mut flipped = vec![false; crops.len()];
        let Some(pool) = &self.cls else { return Ok(flipped) };
        let err = run_err("ocr-cls");
        for batch in batches(crops, self.options.rec_batch) {
            let n = batch.len();
            let mut input = vec![0f32; n * 3 * CLS_H * CLS_W];
            for (k, &i) in batch.iter().enumerate() {
                let c = &crops[i];
                let rw =
                    ((CLS_H as f64 * f64::from(c.width()) / f64::from(c.height())).ceil() as usize).clamp(1, CLS_W);
                imgops::resize_normalize_into(c, rw, CLS_H, CLS_W, &mut input[k * 3 * CLS_H * CLS_W..]);
            }
            let probs: Vec<f32> = {
                let mut session = pool.get();
                let outputs = session
                    .run(govai_ort::ort::inputs!["x" => Tensor::from_array(([n, 3, CLS_H, CLS_W], input)).map_err(&err)?])
                    .map_err(&err)?;
                let (_, data) = outputs[0].try_extract_tensor::<f32>().map_err(&err)?;
                if data.len() != n * 2 {
                    return Err(Error::model("ocr-cls", format!("expected {n}x2 outputs, got {}", data.len())));
                }
                data.to_vec()
            };
            for (k, &i) in batch.iter().enumerate() {
                let (p0, p180) = (probs[2 * k], probs[2 * k + 1]);
                if p180 > p0 && p180 > self.options.cls_thresh {
                    crops[i] = image::imageops::rotate180(&crops[i]);
                    flipped[i] = true;
                }
            }
        }
        Ok(flipped)
    }

    /// Text and confidence of each crop.
    fn recognize_lines(&self, crops: &[RgbImage]) -> Result<Vec<(String, f32)>> {
        let mut out = vec![(String::new(), 0f32); crops.len()];
        let err = run_err("ocr-rec");
        for batch in batches(crops, self.options.rec_batch) {
            let n = batch.len();
            let ratio = |c: &RgbImage| f64::from(c.width()) / f64::from(c.height());
            let max_ratio = batch.iter().map(|&i| ratio(&crops[i])).fold(REC_MIN_W as f64 / REC_H as f64, f64::max);
            let width = (REC_H as f64 * max_ratio) as usize;
            let per = 3 * REC_H * width;
            let mut input = vec![0f32; n * per];
            for (k, &i) in batch.iter().enumerate() {
                let rw = ((REC_H as f64 * ratio(&crops[i])).ceil() as usize).clamp(1, width);
                imgops::resize_normalize_into(&crops[i], rw, REC_H, width, &mut input[k * per..]);
            }
            let mut session = self.rec.get();
            let outputs = session
                .run(govai_ort::ort::inputs!["x" => Tensor::from_array(([n, 3, REC_H, width], input)).map_err(&err)?])
                .map_err(&err)?;
            let (shape, data) = outputs[0].try_extract_tensor::<f32>().map_err(&err)?;
            let dims: Vec<i64> = shape.iter().copied().collect();
            let (steps, classes) = match dims[..] {
                [b, t, c] if b as usize == n && (b * t * c) as usize == data.len() => (t as usize, c as usize),
                _ => return Err(Error::model("ocr-rec", format!("unexpected output shape {dims:?}"))),
            };
            if classes != self.vocab.len() {
                return Err(Error::model(
                    "ocr-rec",
                    format!(
                        "the model has {classes} classes but the dictionary gives {} (blank + {} characters + space)",
                        self.vocab.len(),
                        self.vocab.len() - 2
                    ),
                ));
            }
            for (k, &i) in batch.iter().enumerate() {
                out[i] = ctc::greedy(&data[k * steps * classes..(k + 1) * steps * classes], classes, &self.vocab);
            }
        }
        Ok(out)
    }
}

/// Indices of `crops` sorted by aspect ratio (width / height), in chunks of `size`: lines of
/// similar shape share a batch, so little of the batch is padding.
fn batches(crops: &[RgbImage], size: usize) -> Vec<Vec<usize>> {
    let mut idx: Vec<usize> = (0..crops.len()).collect();
    let ratio = |i: usize| f64::from(crops[i].width()) / f64::from(crops[i].height().max(1));
    idx.sort_by(|&a, &b| ratio(a).total_cmp(&ratio(b)));
    idx.chunks(size.max(1)).map(<[usize]>::to_vec).collect()
}

/// Read at most `max` bytes of `path`; more is a [`Error::TooLarge`].
fn read_limited(path: &Path, max: u64) -> Result<Vec<u8>> {
    let io = |e| Error::Io { path: PathBuf::from(path), source: e };
    let mut buf = Vec::new();
    std::fs::File::open(path).map_err(io)?.take(max.saturating_add(1)).read_to_end(&mut buf).map_err(io)?;
    if buf.len() as u64 > max {
        return Err(Error::TooLarge { limit: "max_image_bytes", unit: "bytes", actual: buf.len() as u64, max });
    }
    Ok(buf)
}

fn read_bounded(path: &Path, max: u64) -> Result<String> {
    let bytes = read_limited(path, max).map_err(|e| match e {
        Error::TooLarge { .. } => Error::model("ocr-rec", format!("{} is larger than {max} bytes", path.display())),
        other => other,
    })?;
    String::from_utf8(bytes).map_err(|_| Error::model("ocr-rec", format!("{} is not UTF-8", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_group_by_aspect_ratio() {
        let crops: Vec<RgbImage> =
            [(100, 10), (20, 10), (300, 10), (40, 10), (10, 10)].iter().map(|&(w, h)| RgbImage::new(w, h)).collect();
        assert_eq!(batches(&crops, 2), vec![vec![4, 1], vec![3, 0], vec![2]]);
        assert_eq!(batches(&crops, 0).len(), 5);
    }
}
