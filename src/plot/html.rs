//! `report.html`: one self-contained page (charts inlined as PNG `data:`
//! URIs, no scripts, no external files) to paste into a design review.

use cdnsim_sign::encode_standard_base64 as encode_standard;

/// What the page shows.
pub struct Page<'a> {
    pub title: String,
    /// One line under the title (what ran, seed, where the files are).
    pub subtitle: String,
    pub table_header: Vec<String>,
    pub table_rows: Vec<Vec<String>>,
    /// Chart title and PNG bytes, in order.
    pub charts: Vec<(&'a str, &'a [u8])>,
    /// Parts on what the run used besides the basics (cache keys, edge
    /// functions, compression, ...) and on its result types, after the
    /// charts; none for a sweep.
    pub sections: Vec<Section>,
    /// The scenario file's text, when the folder holds it.
    pub scenario: Option<String>,
}

/// One part of the page: a heading, what it measures, its numbers, and its
/// figures with what each shows.
pub struct Section {
    pub heading: String,
    pub text: String,
    pub table_header: Vec<String>,
    pub table_rows: Vec<Vec<String>>,
    pub figures: Vec<Figure>,
}

pub struct Figure {
    pub title: String,
    /// What the chart shows and how to read it.
    pub caption: String,
    pub png: Vec<u8>,
}

/// Escapes text for HTML element content and double-quoted attributes.
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

const STYLE: &str = "body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;margin:2em auto;max-width:1140px;\
color:#222;padding:0 1em}h1{font-size:1.6em;margin-bottom:.2em}.sub{color:#555;margin-top:0}\
table{border-collapse:collapse;font-size:.9em;margin:1em 0}th,td{border:1px solid #ccc;padding:.25em .6em;\
text-align:left}th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}\
figure{margin:1.5em 0}figure img{max-width:100%;height:auto;border:1px solid #ddd}\
figcaption{color:#555;font-size:.9em}pre{background:#f7f7f7;border:1px solid #ddd;padding:1em;overflow-x:auto;\
font-size:.85em}";

fn looks_numeric(cell: &str) -> bool {
    !cell.is_empty() && cell.trim_start_matches(['-', '+']).chars().next().is_some_and(|c| c.is_ascii_digit())
}

fn push_table(html: &mut String, header: &[String], rows: &[Vec<String>]) {
    html.push_str("<table>\n<tr>");
    for h in header {
        html.push_str(&format!("<th>{}</th>", escape(h)));
    }
    html.push_str("</tr>\n");
    for row in rows {
        html.push_str("<tr>");
        for cell in row {
            let class = if looks_numeric(cell) { " class=\"n\"" } else { "" };
            html.push_str(&format!("<td{class}>{}</td>", escape(cell)));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table>\n");
}

/// A chart inlined as a PNG `data:` URI; `caption_html` is escaped already.
fn push_figure(html: &mut String, title: &str, png: &[u8], caption_html: &str) {
    html.push_str(&format!(
        "<figure><img class=\"chart\" alt=\"{}\" width=\"{}\" height=\"{}\" src=\"data:image/png;base64,{}\">\
         <figcaption>{caption_html}</figcaption></figure>\n",
        escape(title),
        super::draw::WIDTH,
        super::draw::HEIGHT,
        encode_standard(png),
    ));
}

pub fn render(page: &Page) -> String {
    let mut html = String::new();
    html.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    html.push_str(&format!("<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n", escape(&page.title)));
    html.push_str(&format!("<h1>{}</h1>\n<p class=\"sub\">{}</p>\n", escape(&page.title), escape(&page.subtitle)));
    html.push_str("<h2>Summary</h2>\n");
    push_table(&mut html, &page.table_header, &page.table_rows);
    html.push_str("<h2>Charts</h2>\n");
    for (title, png) in &page.charts {
        push_figure(&mut html, title, png, &escape(title));
    }
    for section in &page.sections {
        html.push_str(&format!("<h2>{}</h2>\n<p>{}</p>\n", escape(&section.heading), escape(&section.text)));
        push_table(&mut html, &section.table_header, &section.table_rows);
        for f in &section.figures {
            let caption = format!("<b>{}.</b> {}", escape(&f.title), escape(&f.caption));
            push_figure(&mut html, &f.title, &f.png, &caption);
        }
    }
    if let Some(scenario) = &page.scenario {
        html.push_str(&format!("<h2>Scenario</h2>\n<pre>{}</pre>\n", escape(scenario)));
    }
    html.push_str("</body>\n</html>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_everywhere_it_appears() {
        let page = Page {
            title: "a <b> & \"c\"".into(),
            subtitle: "seed 1".into(),
            table_header: vec!["<metric>".into(), "value".into()],
            table_rows: vec![vec!["x&y".into(), "0.5".into()]],
            charts: vec![("hits </figure>", &[1, 2, 3])],
            sections: vec![Section {
                heading: "Keys & <more>".into(),
                text: "per object <1>".into(),
                table_header: vec!["scope".into()],
                table_rows: vec![vec!["/img/*".into()]],
                figures: vec![Figure { title: "keys <x>".into(), caption: "a & b".into(), png: vec![4, 5, 6] }],
            }],
            scenario: Some("path = \"/img/*\" # <script>alert(1)</script>".into()),
        };
        let html = render(&page);
        assert!(html.contains("<h1>a &lt;b&gt; &amp; &quot;c&quot;</h1>"));
        assert!(html.contains("<th>&lt;metric&gt;</th>") && html.contains("<td>x&amp;y</td><td class=\"n\">0.5</td>"));
        assert!(html.contains("src=\"data:image/png;base64,AQID\""));
        assert!(html.contains("alt=\"hits &lt;/figure&gt;\""));
        assert!(!html.contains("<script>") && html.contains("&lt;script&gt;alert(1)"));
        // A section comes after the charts, before the scenario, its caption under its chart.
        let section = html.find("<h2>Keys &amp; &lt;more&gt;</h2>\n<p>per object &lt;1&gt;</p>\n<table>").unwrap();
        assert!(html.find("<h2>Charts</h2>").unwrap() < section && section < html.find("<h2>Scenario</h2>").unwrap());
        assert!(html.contains("<td>/img/*</td>"));
        assert!(html.contains(
            "alt=\"keys &lt;x&gt;\" width=\"1100\" height=\"620\" src=\"data:image/png;base64,BAUG\">\
             <figcaption><b>keys &lt;x&gt;.</b> a &amp; b</figcaption>"
        ));
    }
}
