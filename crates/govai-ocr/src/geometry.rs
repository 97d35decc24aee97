//! Plane geometry for text boxes: convex hull, minimum-area rectangle, corner ordering,
//! perspective transform and reading order.

/// A point `[x, y]` in pixels.
pub(crate) type Point = [f32; 2];
/// Four corners: top-left, top-right, bottom-right, bottom-left.
pub(crate) type Quad = [Point; 4];

fn cross(o: Point, a: Point, b: Point) -> f32 {
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
}

/// Convex hull (Andrew's monotone chain), counter-clockwise in a y-up frame, no repeated point.
pub(crate) fn convex_hull(mut pts: Vec<Point>) -> Vec<Point> {
    pts.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    pts.dedup();
    if pts.len() < 3 {
        return pts;
    }
    let mut hull: Vec<Point> = Vec::with_capacity(pts.len() * 2);
    // Lower hull on the forward pass, upper hull on the backward pass (which never pops
    // into the lower hull).
    for (pass, list) in [pts.clone(), pts.iter().rev().skip(1).copied().collect::<Vec<_>>()].into_iter().enumerate() {
        let floor = if pass == 0 { 2 } else { hull.len() + 1 };
        for p in list {
            while hull.len() >= floor && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0.0 {
                hull.pop();
            }
            hull.push(p);
        }
    }
    hull.pop();
    hull
}

/// A rotated rectangle: corners in cyclic order, and its two side lengths.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RotatedRect {
    pub(crate) corners: Quad,
    pub(crate) width: f32,
    pub(crate) height: f32,
}

impl RotatedRect {
    /// The shorter side.
    pub(crate) fn short_side(&self) -> f32 {
        self.width.min(self.height)
    }

    /// The same rectangle grown by `d` on every side (same centre and angle).
    pub(crate) fn expanded(&self, d: f32) -> RotatedRect {
        let c = self.center();
        let [p0, p1, _, p3] = self.corners;
        let unit = |a: Point, b: Point| {
            let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
            let n = (dx * dx + dy * dy).sqrt();
            if n > 0.0 { [dx / n, dy / n] } else { [0.0, 0.0] }
        };
        let (u, v) = (unit(p0, p1), unit(p0, p3));
        let (hw, hh) = (self.width / 2.0 + d, self.height / 2.0 + d);
        // Degenerate sides (zero length) have no direction: grow along the perpendicular.
        let u = if u == [0.0, 0.0] { [v[1], -v[0]] } else { u };
        let v = if v == [0.0, 0.0] { [-u[1], u[0]] } else { v };
        let at = |su: f32, sv: f32| [c[0] + su * hw * u[0] + sv * hh * v[0], c[1] + su * hw * u[1] + sv * hh * v[1]];
        RotatedRect {
            corners: [at(-1.0, -1.0), at(1.0, -1.0), at(1.0, 1.0), at(-1.0, 1.0)],
            width: 2.0 * hw,
            height: 2.0 * hh,
        }
    }

    fn center(&self) -> Point {
        let s = self.corners.iter().fold([0.0, 0.0], |a, p| [a[0] + p[0], a[1] + p[1]]);
        [s[0] / 4.0, s[1] / 4.0]
    }
}

/// The minimum-area rectangle enclosing `pts` (rotating calipers over the hull's edges), like
/// OpenCV's `minAreaRect`: `width` runs along the first corner pair. `None` for no points.
pub(crate) fn min_area_rect(pts: Vec<Point>) -> Option<RotatedRect> {
    let hull = convex_hull(pts);
    match hull.len() {
        0 => return None,
        1 => return Some(RotatedRect { corners: [hull[0]; 4], width: 0.0, height: 0.0 }),
        _ => {}
    }
    let mut best: Option<(f32, RotatedRect)> = None;
    for i in 0..hull.len() {
        let (a, b) = (hull[i], hull[(i + 1) % hull.len()]);
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let n = (dx * dx + dy * dy).sqrt();
        if n == 0.0 {
            continue;
        }
        let u = [dx / n, dy / n];
        let v = [-u[1], u[0]];
        let (mut umin, mut umax, mut vmin, mut vmax) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for p in &hull {
            let pu = p[0] * u[0] + p[1] * u[1];
            let pv = p[0] * v[0] + p[1] * v[1];
            umin = umin.min(pu);
            umax = umax.max(pu);
            vmin = vmin.min(pv);
            vmax = vmax.max(pv);
        }
        let area = (umax - umin) * (vmax - vmin);
        if best.as_ref().is_none_or(|(a, _)| area < *a) {
            let at = |pu: f32, pv: f32| [pu * u[0] + pv * v[0], pu * u[1] + pv * v[1]];
            let rect = RotatedRect {
                corners: [at(umin, vmin), at(umax, vmin), at(umax, vmax), at(umin, vmax)],
                width: umax - umin,
                height: vmax - vmin,
            };
            best = Some((area, rect));
        }
    }
    best.map(|(_, r)| r)
}

/// Order four corners as top-left, top-right, bottom-right, bottom-left: the two left-most
/// points (by x) are the left side, each side ordered by y (PaddleOCR's `order_points_clockwise`).
pub(crate) fn order_clockwise(pts: Quad) -> Quad {
    let mut by_x = pts;
    by_x.sort_by(|a, b| a[0].total_cmp(&b[0]));
    let (mut left, mut right) = ([by_x[0], by_x[1]], [by_x[2], by_x[3]]);
    left.sort_by(|a, b| a[1].total_cmp(&b[1]));
    right.sort_by(|a, b| a[1].total_cmp(&b[1]));
    [left[0], right[0], right[1], left[1]]
}

/// Whether pixel `(x, y)` lies inside or on the convex quadrilateral `q` (either winding).
pub(crate) fn inside_convex(q: &Quad, x: f32, y: f32) -> bool {
    let (mut pos, mut neg) = (false, false);
    for i in 0..4 {
        let c = cross(q[i], q[(i + 1) % 4], [x, y]);
        pos |= c > 1e-3;
        neg |= c < -1e-3;
    }
    !(pos && neg)
}

fn dist(a: Point, b: Point) -> f32 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

/// Crop size for a quad: the longer of each pair of opposite sides, truncated (as PaddleOCR).
pub(crate) fn crop_size(q: &Quad) -> (u32, u32) {
    let w = dist(q[0], q[1]).max(dist(q[2], q[3]));
    let h = dist(q[0], q[3]).max(dist(q[1], q[2]));
    (w as u32, h as u32)
}

/// The homography (row-major 3x3, h[8] = 1) mapping `from[i]` to `to[i]`; `None` when the
/// points are degenerate (three of them collinear).
#[allow(clippy::needless_range_loop)] // row operations on an augmented matrix
pub(crate) fn homography(from: &Quad, to: &Quad) -> Option<[f64; 9]> {
    // Unknowns h0..h7: x' = (h0 x + h1 y + h2) / (h6 x + h7 y + 1), y' likewise with h3..h5.
    let mut a = [[0f64; 9]; 8];
    for i in 0..4 {
        let (x, y) = (f64::from(from[i][0]), f64::from(from[i][1]));
        let (u, v) = (f64::from(to[i][0]), f64::from(to[i][1]));
        a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    // Gaussian elimination with partial pivoting on the augmented 8x9 matrix.
    for col in 0..8 {
        let pivot = (col..8).max_by(|&r, &s| a[r][col].abs().total_cmp(&a[s][col].abs()))?;
        if a[pivot][col].abs() < 1e-9 {
            return None;
        }
        a.swap(col, pivot);
        for r in 0..8 {
            if r != col {
                let f = a[r][col] / a[col][col];
                if f != 0.0 {
                    for c in col..9 {
                        a[r][c] -= f * a[col][c];
                    }
                }
            }
        }
    }
    let mut h = [0f64; 9];
    for i in 0..8 {
        h[i] = a[i][8] / a[i][i];
    }
    h[8] = 1.0;
    Some(h)
}

/// Reading order of boxes (each given by its top-left corner): top to bottom, and left to
/// right among boxes whose tops are less than 10 px apart (PaddleOCR's `sorted_boxes`).
/// Returns indices into `tops`.
pub(crate) fn reading_order(tops: &[Point]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..tops.len()).collect();
    idx.sort_by(|&a, &b| tops[a][1].total_cmp(&tops[b][1]).then(tops[a][0].total_cmp(&tops[b][0])));
    for i in 0..idx.len().saturating_sub(1) {
        for j in (0..=i).rev() {
            let (next, cur) = (tops[idx[j + 1]], tops[idx[j]]);
            if (next[1] - cur[1]).abs() < 10.0 && next[0] < cur[0] {
                idx.swap(j, j + 1);
            } else {
                break;
            }
        }
    }
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_area_rect_of_an_axis_aligned_block() {
        let pts = vec![[2.0, 3.0], [12.0, 3.0], [12.0, 7.0], [2.0, 7.0], [5.0, 5.0]];
        let r = min_area_rect(pts).expect("rect");
        let (w, h) = (r.width.max(r.height), r.width.min(r.height));
        assert!((w - 10.0).abs() < 1e-4 && (h - 4.0).abs() < 1e-4, "{r:?}");
    }

    #[test]
    fn min_area_rect_follows_a_rotated_line() {
        // A thin line at 30 degrees: the rectangle is long and thin, not its axis-aligned box.
        let (c, s) = (30f32.to_radians().cos(), 30f32.to_radians().sin());
        let pts: Vec<Point> =
            (0..=100).flat_map(|i| [0.0f32, 2.0].map(move |t| [i as f32 * c - t * s, i as f32 * s + t * c])).collect();
        let r = min_area_rect(pts).expect("rect");
        assert!((r.width.max(r.height) - 100.0).abs() < 0.1, "{r:?}");
        assert!((r.short_side() - 2.0).abs() < 0.1, "{r:?}");
    }

    #[test]
    fn expanded_grows_each_side() {
        let r = min_area_rect(vec![[0.0, 0.0], [10.0, 0.0], [10.0, 4.0], [0.0, 4.0]]).expect("rect");
        let e = r.expanded(2.0);
        let o = order_clockwise(e.corners);
        for (got, want) in o.iter().zip([[-2.0, -2.0], [12.0, -2.0], [12.0, 6.0], [-2.0, 6.0]]) {
            assert!((got[0] - want[0]).abs() < 1e-4 && (got[1] - want[1]).abs() < 1e-4, "{o:?}");
        }
    }

    #[test]
    fn corners_are_ordered_clockwise_from_top_left() {
        let q = order_clockwise([[10.0, 5.0], [0.0, 0.0], [0.0, 5.0], [10.0, 0.0]]);
        assert_eq!(q, [[0.0, 0.0], [10.0, 0.0], [10.0, 5.0], [0.0, 5.0]]);
    }

    #[test]
    fn homography_maps_corners() {
        let from = [[1.0, 2.0], [50.0, 8.0], [48.0, 30.0], [3.0, 25.0]];
        let to = [[0.0, 0.0], [49.0, 0.0], [49.0, 22.0], [0.0, 22.0]];
        let h = homography(&from, &to).expect("h");
        for (f, t) in from.iter().zip(to) {
            let (x, y) = (f64::from(f[0]), f64::from(f[1]));
            let d = h[6] * x + h[7] * y + 1.0;
            let (u, v) = ((h[0] * x + h[1] * y + h[2]) / d, (h[3] * x + h[4] * y + h[5]) / d);
            assert!((u - f64::from(t[0])).abs() < 1e-6 && (v - f64::from(t[1])).abs() < 1e-6);
        }
        assert!(homography(&[[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]], &to).is_none());
    }

    #[test]
    fn reading_order_is_rows_then_columns() {
        // Two rows; within a row the tops differ by a few pixels and are given out of order.
        let tops = [[300.0, 52.0], [50.0, 50.0], [50.0, 120.0], [150.0, 48.0], [400.0, 118.0]];
        assert_eq!(reading_order(&tops), vec![1, 3, 0, 2, 4]);
    }

    #[test]
    fn inside_convex_includes_the_border() {
        let q = [[0.0, 0.0], [4.0, 0.0], [4.0, 2.0], [0.0, 2.0]];
        assert!(inside_convex(&q, 0.0, 0.0) && inside_convex(&q, 2.0, 1.0) && inside_convex(&q, 4.0, 2.0));
        assert!(!inside_convex(&q, 5.0, 1.0) && !inside_convex(&q, 2.0, -0.5));
    }
}
