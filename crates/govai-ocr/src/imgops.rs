//! Pixel operations on RGB images: bilinear resizing straight into a normalised BGR tensor,
//! and the perspective crop of a text box.

use image::{Rgb, RgbImage};

use crate::geometry::{Quad, crop_size, homography};

/// Source position and weights of one output coordinate (OpenCV's half-pixel convention).
fn taps(out: usize, src: usize) -> Vec<(usize, usize, f32)> {
    let scale = src as f32 / out as f32;
    (0..out)
        .map(|i| {
            let s = ((i as f32 + 0.5) * scale - 0.5).max(0.0);
            let i0 = (s.floor() as usize).min(src - 1);
            let i1 = (i0 + 1).min(src - 1);
            (i0, i1, s - i0 as f32)
        })
        .collect()
}

/// Resize `img` to `out_w` x `out_h` (bilinear) and write it as three planes B, G, R of
/// `(v / 255 - 0.5) / 0.5` into `dst`, a `[3][out_h][stride]` tensor (columns from `out_w` to
/// `stride` are left as they are: the caller's padding).
pub(crate) fn resize_normalize_into(img: &RgbImage, out_w: usize, out_h: usize, stride: usize, dst: &mut [f32]) {
    let (sw, sh) = (img.width() as usize, img.height() as usize);
    if sw == 0 || sh == 0 || out_w == 0 || out_h == 0 {
        return;
    }
    let xt = taps(out_w, sw);
    let yt = taps(out_h, sh);
    let raw = img.as_raw();
    let plane = out_h * stride;
    for (y, &(y0, y1, fy)) in yt.iter().enumerate() {
        let (r0, r1) = (&raw[y0 * sw * 3..(y0 + 1) * sw * 3], &raw[y1 * sw * 3..(y1 + 1) * sw * 3]);
        for (x, &(x0, x1, fx)) in xt.iter().enumerate() {
            for c in 0..3 {
                let top = f32::from(r0[x0 * 3 + c]) * (1.0 - fx) + f32::from(r0[x1 * 3 + c]) * fx;
                let bot = f32::from(r1[x0 * 3 + c]) * (1.0 - fx) + f32::from(r1[x1 * 3 + c]) * fx;
                let v = top * (1.0 - fy) + bot * fy;
                // RGB -> BGR planes: the models were trained on OpenCV's BGR images.
                dst[(2 - c) * plane + y * stride + x] = v / 127.5 - 1.0;
            }
        }
    }
}

/// Sample `img` at `(x, y)` bilinearly, replicating the border.
fn sample(img: &RgbImage, x: f64, y: f64) -> Rgb<u8> {
    let (w, h) = (img.width() as i64, img.height() as i64);
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = ((x - x0) as f32, (y - y0) as f32);
    let px = |xi: i64, yi: i64| img.get_pixel(xi.clamp(0, w - 1) as u32, yi.clamp(0, h - 1) as u32).0;
    let (xi, yi) = (x0 as i64, y0 as i64);
    let (a, b, c, d) = (px(xi, yi), px(xi + 1, yi), px(xi, yi + 1), px(xi + 1, yi + 1));
    let mut out = [0u8; 3];
    for k in 0..3 {
        let top = f32::from(a[k]) * (1.0 - fx) + f32::from(b[k]) * fx;
        let bot = f32::from(c[k]) * (1.0 - fx) + f32::from(d[k]) * fx;
        out[k] = (top * (1.0 - fy) + bot * fy).round().clamp(0.0, 255.0) as u8;
    }
    Rgb(out)
}

/// The text in quad `q` (top-left, top-right, bottom-right, bottom-left) warped upright to its
/// crop size; rotated 90 degrees counter-clockwise when at least 1.5 times taller than wide
/// (vertical text). `None` for a degenerate quad.
pub(crate) fn crop(img: &RgbImage, q: &Quad) -> Option<RgbImage> {
    let (w, h) = crop_size(q);
    if w == 0 || h == 0 {
        return None;
    }
    let rect = [[0.0, 0.0], [w as f32, 0.0], [w as f32, h as f32], [0.0, h as f32]];
    // Map output pixels back into the image.
    let m = homography(&rect, q)?;
    let out = RgbImage::from_fn(w, h, |x, y| {
        let (x, y) = (f64::from(x), f64::from(y));
        let d = m[6] * x + m[7] * y + m[8];
        let (sx, sy) = ((m[0] * x + m[1] * y + m[2]) / d, (m[3] * x + m[4] * y + m[5]) / d);
        sample(img, sx, sy)
    });
    Some(if f64::from(h) / f64::from(w) >= 1.5 { image::imageops::rotate270(&out) } else { out })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resize_normalises_into_bgr_planes_with_padding_untouched() {
        let img = RgbImage::from_pixel(4, 2, Rgb([255, 0, 51]));
        let mut dst = vec![9.0f32; 3 * 2 * 6];
        resize_normalize_into(&img, 4, 2, 6, &mut dst);
        // Plane 0 is blue (51), 1 green (0), 2 red (255).
        assert!((dst[0] - (51.0 / 127.5 - 1.0)).abs() < 1e-6);
        assert_eq!(dst[12], -1.0);
        assert_eq!(dst[24], 1.0);
        assert_eq!(dst[4], 9.0, "padding columns stay");
    }

    #[test]
    fn crop_of_an_axis_aligned_box_copies_pixels() {
        let img = RgbImage::from_fn(20, 10, |x, y| Rgb([x as u8 * 10, y as u8 * 10, 0]));
        let c = crop(&img, &[[5.0, 2.0], [15.0, 2.0], [15.0, 6.0], [5.0, 6.0]]).expect("crop");
        assert_eq!((c.width(), c.height()), (10, 4));
        assert_eq!(c.get_pixel(0, 0).0, [50, 20, 0]);
        assert_eq!(c.get_pixel(9, 3).0, [140, 50, 0]);
    }

    #[test]
    fn tall_crops_are_turned_to_horizontal() {
        let img = RgbImage::from_pixel(20, 40, Rgb([1, 2, 3]));
        let c = crop(&img, &[[5.0, 2.0], [10.0, 2.0], [10.0, 32.0], [5.0, 32.0]]).expect("crop");
        assert_eq!((c.width(), c.height()), (30, 5));
    }
}
