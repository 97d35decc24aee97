//! Plain-text tables that line up with Chinese text (CJK characters are two columns wide).

use unicode_width::UnicodeWidthStr;

/// Truncate `s` to at most `width` display columns, adding `…` when cut. Newlines become spaces.
pub fn fit(s: &str, width: usize) -> String {
    let flat: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if flat.width() <= width {
        return flat;
    }
    let mut out = String::new();
    let mut w = 0;
    for c in flat.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw + 1 > width {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// Render rows under headers, each column padded to its widest cell.
pub fn render(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.width());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            s.push_str(c);
            if i + 1 < cells.len() {
                s.push_str(&" ".repeat(widths[i].saturating_sub(c.width()) + 2));
            }
        }
        s.trim_end().to_owned() + "\n"
    };
    let mut out = line(headers.to_vec());
    out.push_str(&line(widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().iter().map(String::as_str).collect()));
    for r in rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_columns_align() {
        let t = render(&["a", "b"], &[vec!["中文".into(), "x".into()], vec!["ab".into(), "y".into()]]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(
            lines[2].find('x').map(|i| lines[2][..i].width()),
            lines[3].find('y').map(|i| lines[3][..i].width())
        );
        assert_eq!(fit("一二三四五", 6), "一二…");
        assert_eq!(fit("a\nb", 10), "a b");
    }
}
