//! DB (Differentiable Binarization) post-processing: the detector's text-probability map to
//! text boxes, as PaddleOCR's `DBPostProcess` with `score_mode = fast` and dilation.

use crate::geometry::{Point, Quad, RotatedRect, inside_convex, min_area_rect, order_clockwise};

/// Parameters of the post-processing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DbParams {
    /// Pixels with probability above this are text.
    pub(crate) thresh: f32,
    /// Boxes whose mean probability is below this are dropped.
    pub(crate) box_thresh: f32,
    /// Expansion: the box grows by `area * ratio / perimeter` on every side.
    pub(crate) unclip_ratio: f32,
    /// At most this many candidate regions are examined.
    pub(crate) max_candidates: usize,
}

/// Shortest side (map pixels) of a candidate before expansion; after expansion it must be
/// `MIN_SIZE + 2`.
const MIN_SIZE: f32 = 3.0;

/// A probability map `[height][width]` (row-major).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProbMap<'a> {
    pub(crate) data: &'a [f32],
    pub(crate) width: usize,
    pub(crate) height: usize,
}

/// Text boxes in a `dest_w` x `dest_h` image from the map: corners ordered top-left,
/// top-right, bottom-right, bottom-left, clipped to the image, with their scores. Boxes whose
/// sides are 3 px or less in the image are dropped.
pub(crate) fn boxes(map: ProbMap<'_>, p: &DbParams, dest_w: usize, dest_h: usize) -> Vec<(Quad, f32)> {
    let (w, h) = (map.width, map.height);
    if w == 0 || h == 0 || map.data.len() != w * h {
        return Vec::new();
    }
    let bitmap = dilate(&map.data.iter().map(|&v| v > p.thresh).collect::<Vec<_>>(), w, h);
    let mut out = Vec::new();
    for region in regions(&bitmap, w, h).into_iter().take(p.max_candidates) {
        let Some(rect) = min_area_rect(region) else { continue };
        if rect.short_side() < MIN_SIZE {
            continue;
        }
        let score = box_score(map, &rect.corners);
        if score < p.box_thresh {
            continue;
        }
        let grown = unclip(&rect, p.unclip_ratio);
        if grown.short_side() < MIN_SIZE + 2.0 {
            continue;
        }
        let (sx, sy) = (dest_w as f32 / w as f32, dest_h as f32 / h as f32);
        let scaled = grown.corners.map(|[x, y]| {
            // Scaled and rounded into the image, then clipped to the last pixel (truncated).
            let x = (x * sx).round().clamp(0.0, dest_w as f32);
            let y = (y * sy).round().clamp(0.0, dest_h as f32);
            [x.min(dest_w as f32 - 1.0).trunc(), y.min(dest_h as f32 - 1.0).trunc()]
        });
        let q = order_clockwise(scaled);
        let side = |a: Point, b: Point| ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt() as i32;
        if side(q[0], q[1]) <= 3 || side(q[0], q[3]) <= 3 {
            continue;
        }
        out.push((q, score));
    }
    out
}

/// Grow a rectangle by `area * ratio / perimeter` on every side. For a rectangle this is what
/// the round-joined polygon offset followed by the minimum-area rectangle gives.
pub(crate) fn unclip(rect: &RotatedRect, ratio: f32) -> RotatedRect {
    let perimeter = 2.0 * (rect.width + rect.height);
    let d = if perimeter > 0.0 { rect.width * rect.height * ratio / perimeter } else { 0.0 };
    rect.expanded(d)
}

/// 2x2 dilation anchored at the bottom-right (OpenCV's anchor for an even kernel): a pixel is
/// set when it or its left, upper or upper-left neighbour is set.
fn dilate(src: &[bool], w: usize, h: usize) -> Vec<bool> {
    let mut out = vec![false; w * h];
    for y in 0..h {
        for x in 0..w {
            let at = |dx: usize, dy: usize| x >= dx && y >= dy && src[(y - dy) * w + x - dx];
            out[y * w + x] = at(0, 0) || at(1, 0) || at(0, 1) || at(1, 1);
        }
    }
    out
}

/// The 8-connected regions of set pixels, each as its per-row leftmost and rightmost pixels
/// (enough for the convex hull), in raster order of their first pixel.
fn regions(bitmap: &[bool], w: usize, h: usize) -> Vec<Vec<Point>> {
    let mut label = vec![u32::MAX; w * h];
    let mut out = Vec::new();
    let mut stack = Vec::new();
    for start in 0..w * h {
        if !bitmap[start] || label[start] != u32::MAX {
            continue;
        }
        let id = out.len() as u32;
        // Per-row extent of this region: (row, min x, max x), collected while flooding.
        let mut extent: Vec<(usize, usize, usize)> = Vec::new();
        label[start] = id;
        stack.push(start);
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            extent.push((y, x, x));
            for dy in -1i64..=1 {
                for dx in -1i64..=1 {
                    let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                    if (dx, dy) == (0, 0) || nx < 0 || ny < 0 || nx >= w as i64 || ny >= h as i64 {
                        continue;
                    }
                    let j = ny as usize * w + nx as usize;
                    if bitmap[j] && label[j] == u32::MAX {
                        label[j] = id;
                        stack.push(j);
                    }
                }
            }
        }
        extent.sort_unstable();
        let mut pts = Vec::new();
        let mut k = 0;
        while k < extent.len() {
            let row = extent[k].0;
            let (mut lo, mut hi) = (extent[k].1, extent[k].2);
            while k < extent.len() && extent[k].0 == row {
                lo = lo.min(extent[k].1);
                hi = hi.max(extent[k].2);
                k += 1;
            }
            pts.push([lo as f32, row as f32]);
            if hi != lo {
                pts.push([hi as f32, row as f32]);
            }
        }
        out.push(pts);
    }
    out
}

/// Mean probability inside the quad (corners truncated to integers, border included) within
/// its bounding box: PaddleOCR's `box_score_fast`.
fn box_score(map: ProbMap<'_>, corners: &Quad) -> f32 {
    let (w, h) = (map.width as i64, map.height as i64);
    let q: Quad = corners.map(|[x, y]| [x.trunc(), y.trunc()]);
    let xs = corners.iter().map(|p| p[0]);
    let ys = corners.iter().map(|p| p[1]);
    let clampi = |v: f32, hi: i64| (v as i64).clamp(0, hi - 1);
    let xmin = clampi(xs.clone().fold(f32::MAX, f32::min).floor(), w);
    let xmax = clampi(xs.fold(f32::MIN, f32::max).ceil(), w);
    let ymin = clampi(ys.clone().fold(f32::MAX, f32::min).floor(), h);
    let ymax = clampi(ys.fold(f32::MIN, f32::max).ceil(), h);
    let (mut sum, mut n) = (0f64, 0u64);
    for y in ymin..=ymax {
        for x in xmin..=xmax {
            if inside_convex(&q, x as f32, y as f32) {
                sum += f64::from(map.data[(y * w + x) as usize]);
                n += 1;
            }
        }
    }
    if n == 0 { 0.0 } else { (sum / n as f64) as f32 }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: DbParams = DbParams { thresh: 0.3, box_thresh: 0.5, unclip_ratio: 1.6, max_candidates: 1000 };

    fn map_with(w: usize, h: usize, blocks: &[(usize, usize, usize, usize, f32)]) -> Vec<f32> {
        let mut m = vec![0.05f32; w * h];
        for &(x0, y0, x1, y1, v) in blocks {
            for y in y0..y1 {
                for x in x0..x1 {
                    m[y * w + x] = v;
                }
            }
        }
        m
    }

    #[test]
    fn one_text_block_gives_one_expanded_box() {
        // A 40x8 block at (20,10); map and image the same size.
        let m = map_with(100, 40, &[(20, 10, 60, 18, 0.9)]);
        let b = boxes(ProbMap { data: &m, width: 100, height: 40 }, &P, 100, 40);
        assert_eq!(b.len(), 1, "{b:?}");
        let (q, score) = b[0];
        assert!(score > 0.7, "{score}"); // the dilated border row and column are background
        // The region spans x 20..=60 and y 10..=18 after dilation (40 x 8 between pixel
        // centres); unclip distance = 40*8*1.6/96 = 5.33.
        assert_eq!(q, [[15.0, 5.0], [65.0, 5.0], [65.0, 23.0], [15.0, 23.0]]);
    }

    #[test]
    fn weak_and_tiny_regions_are_dropped() {
        // Above thresh but mean below box_thresh; and a 2-pixel-high sliver.
        let m = map_with(100, 40, &[(10, 5, 50, 15, 0.4), (60, 30, 90, 31, 0.95)]);
        assert!(boxes(ProbMap { data: &m, width: 100, height: 40 }, &P, 100, 40).is_empty());
    }

    #[test]
    fn boxes_are_scaled_to_the_image_and_clipped() {
        // Map at half the image size; a block touching the map's left edge.
        let m = map_with(50, 20, &[(0, 5, 20, 12, 0.9)]);
        let b = boxes(ProbMap { data: &m, width: 50, height: 20 }, &P, 100, 40);
        assert_eq!(b.len(), 1);
        let q = b[0].0;
        assert_eq!(q[0][0], 0.0, "clipped at the left edge: {q:?}");
        assert!(q[1][0] > 40.0 && q[2][1] > 24.0 && q[2][1] <= 39.0, "{q:?}");
    }

    #[test]
    fn separate_regions_stay_separate() {
        let m = map_with(120, 60, &[(10, 10, 50, 20, 0.9), (60, 10, 110, 20, 0.9), (10, 40, 80, 50, 0.9)]);
        assert_eq!(boxes(ProbMap { data: &m, width: 120, height: 60 }, &P, 120, 60).len(), 3);
    }

    #[test]
    fn malformed_maps_give_nothing() {
        assert!(boxes(ProbMap { data: &[0.9; 10], width: 4, height: 4 }, &P, 4, 4).is_empty());
        assert!(boxes(ProbMap { data: &[], width: 0, height: 0 }, &P, 4, 4).is_empty());
    }
}
