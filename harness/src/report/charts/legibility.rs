//! Test-only: can every label of an SVG chart be read? Each `<text>`'s extent is estimated
//! from the SVG alone (characters x font size x [`WIDTH`], one em tall around its baseline,
//! rotations applied), independently of how the charts place text, and checked to lie
//! inside the canvas and to overlap no other label.

/// Average glyph width over the font size assumed by the check.
const WIDTH: f64 = 0.6;
/// Overlap tolerated between two boxes, pixels (rounding of anchors).
const SLACK: f64 = 0.5;

/// One label and its estimated box.
#[derive(Clone, Debug)]
pub(crate) struct Label {
    pub text: String,
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

fn number(s: &str) -> f64 {
    s.trim()
        .parse()
        .unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

/// `dy` in pixels: `em`, `ex` (half an em) or plain.
fn offset(dy: Option<&str>, size: f64) -> f64 {
    match dy {
        None => 0.0,
        Some(d) if d.ends_with("em") => number(&d[..d.len() - 2]) * size,
        Some(d) if d.ends_with("ex") => number(&d[..d.len() - 2]) * size / 2.0,
        Some(d) => number(d),
    }
}

/// Every non-empty `<text>` of `svg` with its estimated box, and the canvas size.
pub(crate) fn labels(svg: &str) -> (Vec<Label>, f64, f64) {
    let doc = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    let root = doc.root_element();
    let (w, h) = (
        number(root.attribute("width").unwrap()),
        number(root.attribute("height").unwrap()),
    );
    let mut out = Vec::new();
    for n in doc.descendants().filter(|n| n.has_tag_name("text")) {
        let text = n.text().unwrap_or("").trim().to_string();
        if text.is_empty() {
            continue;
        }
        let size = number(n.attribute("font-size").expect("a font size"));
        let (x, y) = (
            number(n.attribute("x").unwrap_or("0")),
            number(n.attribute("y").unwrap_or("0")),
        );
        let base = y + offset(n.attribute("dy"), size);
        let width = text.chars().count() as f64 * size * WIDTH;
        let x0 = match n.attribute("text-anchor").unwrap_or("start") {
            "middle" => x - width / 2.0,
            "end" => x - width,
            _ => x,
        };
        let mut corners = [
            (x0, base - 0.76 * size),
            (x0 + width, base - 0.76 * size),
            (x0, base + 0.24 * size),
            (x0 + width, base + 0.24 * size),
        ];
        if let Some(t) = n.attribute("transform") {
            let args: Vec<f64> = t
                .trim_start_matches("rotate(")
                .trim_end_matches(')')
                .split(',')
                .map(number)
                .collect();
            let (a, cx, cy) = (args[0].to_radians(), args[1], args[2]);
            for c in &mut corners {
                let (dx, dy) = (c.0 - cx, c.1 - cy);
                *c = (
                    cx + dx * a.cos() - dy * a.sin(),
                    cy + dx * a.sin() + dy * a.cos(),
                );
            }
        }
        let fold = |f: fn(f64, f64) -> f64, init: f64, pick: fn(&(f64, f64)) -> f64| {
            corners.iter().map(pick).fold(init, f)
        };
        out.push(Label {
            text,
            x0: fold(f64::min, f64::INFINITY, |c| c.0),
            y0: fold(f64::min, f64::INFINITY, |c| c.1),
            x1: fold(f64::max, f64::NEG_INFINITY, |c| c.0),
            y1: fold(f64::max, f64::NEG_INFINITY, |c| c.1),
        });
    }
    (out, w, h)
}

/// Panics, naming them, unless every label of `svg` lies inside the canvas and no two
/// labels overlap.
pub(crate) fn assert_legible(svg: &str) {
    let (labels, w, h) = labels(svg);
    assert!(!labels.is_empty(), "no text at all");
    let mut problems = Vec::new();
    for (i, a) in labels.iter().enumerate() {
        if a.x0 < -SLACK || a.y0 < -SLACK || a.x1 > w + SLACK || a.y1 > h + SLACK {
            problems.push(format!("{:?} leaves the {w}x{h} canvas: {a:?}", a.text));
        }
        for b in &labels[i + 1..] {
            let overlap_x = a.x1.min(b.x1) - a.x0.max(b.x0);
            let overlap_y = a.y1.min(b.y1) - a.y0.max(b.y0);
            if overlap_x > SLACK && overlap_y > SLACK {
                problems.push(format!("{:?} overlaps {:?}: {a:?} {b:?}", a.text, b.text));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Writes `svg` to `$CHARTS_SVG_DIR/NAME.svg` when that variable is set (to look at the
/// charts the tests draw); does nothing otherwise.
pub(crate) fn keep(name: &str, svg: &str) {
    if let Some(dir) = std::env::var_os("CHARTS_SVG_DIR") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.svg")), svg).unwrap();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svg(texts: &str) -> String {
        format!(r#"<svg width="200" height="100" xmlns="http://www.w3.org/2000/svg">{texts}</svg>"#)
    }

    #[test]
    fn the_check_finds_clipped_and_overlapping_labels() {
        let ok = r#"<text x="10" y="20" font-size="10">abc</text><text x="10" y="40" font-size="10">abc</text>"#;
        assert_legible(&svg(ok));
        let clipped = r#"<text x="190" y="20" font-size="10">abcdef</text>"#;
        assert!(std::panic::catch_unwind(|| assert_legible(&svg(clipped))).is_err());
        let covered = r#"<text x="10" y="20" font-size="10">abcdef</text><text x="30" y="22" font-size="10">x</text>"#;
        assert!(std::panic::catch_unwind(|| assert_legible(&svg(covered))).is_err());
        // Right-anchored at the edge fits; rotated by 270 degrees it runs upwards.
        let anchored = r#"<text x="200" y="50" font-size="10" text-anchor="end">abcdef</text>"#;
        assert_legible(&svg(anchored));
        let rotated = r#"<text x="10" y="50" font-size="10" text-anchor="middle" transform="rotate(270, 10, 50)">abcdef</text>"#;
        let (l, _, _) = labels(&svg(rotated));
        assert!((l[0].y1 - l[0].y0 - 36.0).abs() < 1e-9, "{l:?}");
        assert!(l[0].x1 - l[0].x0 < 11.0, "{l:?}");
    }
}
