//! The report page: one self-contained HTML file (inline CSS and SVG, no script, no font or
//! image from anywhere else), readable offline and printable.

use std::fmt::Write;

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body { font-family: sans-serif; max-width: 1360px; margin: 24px auto; padding: 0 16px; color: #222; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; border-bottom: 1px solid #ccc; padding-bottom: 4px; margin-top: 1.6em; }
p.meta { color: #555; margin-top: 0; }
p.empty { color: #a00; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 0.92em; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th { background: #f4f4f4; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
figure { margin: 0; border: 1px solid #eee; padding: 4px; break-inside: avoid; }
figcaption { font-size: 0.85em; color: #555; max-width: 640px; padding: 2px 4px; }
@media print { body { max-width: none; } h2 { break-after: avoid; } }
";

/// A page under construction.
pub struct Page {
    body: String,
    title: String,
}

impl Page {
    pub fn new(title: &str, meta: &str) -> Page {
        let mut body = String::new();
        write!(
            body,
            "<h1>{}</h1>\n<p class=\"meta\">{}</p>\n",
            escape(title),
            escape(meta)
        )
        .expect("writing to a string");
        Page {
            body,
            title: title.to_string(),
        }
    }

    /// A section heading, with an optional sentence under it.
    pub fn section(&mut self, heading: &str, text: &str) {
        writeln!(self.body, "<h2>{}</h2>", escape(heading)).expect("writing to a string");
        if !text.is_empty() {
            writeln!(self.body, "<p>{}</p>", escape(text)).expect("writing to a string");
        }
    }

    /// A paragraph of plain text.
    pub fn text(&mut self, text: &str) {
        writeln!(self.body, "<p>{}</p>", escape(text)).expect("writing to a string");
    }

    /// A table; cells that parse as numbers are right-aligned.
    pub fn table(&mut self, headers: &[&str], rows: &[Vec<String>]) {
        self.body.push_str("<table>\n<tr>");
        for h in headers {
            write!(self.body, "<th>{}</th>", escape(h)).expect("writing to a string");
        }
        self.body.push_str("</tr>\n");
        for row in rows {
            self.body.push_str("<tr>");
            for cell in row {
                let class = if cell.trim_end_matches('%').parse::<f64>().is_ok() {
                    " class=\"num\""
                } else {
                    ""
                };
                write!(self.body, "<td{class}>{}</td>", escape(cell)).expect("writing to a string");
            }
            self.body.push_str("</tr>\n");
        }
        self.body.push_str("</table>\n");
    }

    /// A row of charts (each an `<svg>` element or a paragraph saying why there is none),
    /// each with a caption.
    pub fn charts(&mut self, charts: &[(String, &str)]) {
        self.body.push_str("<div class=\"charts\">\n");
        for (svg, caption) in charts {
            writeln!(
                self.body,
                "<figure>{svg}<figcaption>{}</figcaption></figure>",
                escape(caption)
            )
            .expect("writing to a string");
        }
        self.body.push_str("</div>\n");
    }

    /// The whole document.
    pub fn finish(self) -> String {
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{}</body>\n</html>\n",
            escape(&self.title),
            self.body
        )
    }
}
