//! Loading real networks from two-column edge-list files.

use super::Csr;
use std::fmt;
use std::path::Path;

/// Longest piece of offending input quoted in an error message.
const QUOTE_LIMIT: usize = 60;

/// Errors from loading an edge list.
#[derive(Debug, Clone, PartialEq)]
pub enum EdgeListError {
    /// The file could not be read (missing, unreadable, not UTF-8).
    Io { path: String, message: String },
    /// A line is not an edge; `line` is 1-based and counts every line,
    /// including blank and comment lines. `message` says what was expected
    /// and quotes the offending text (truncated).
    Malformed {
        path: String,
        line: usize,
        message: String,
    },
    /// A consumer id is not below the number of consumers.
    OutOfRange {
        path: String,
        line: usize,
        id: u64,
        nodes: usize,
    },
}

impl fmt::Display for EdgeListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EdgeListError::Io { path, message } => write!(
                f,
                "graph.path: cannot read edge list {path}: {message}; \
                 check that the path exists and is a readable UTF-8 text file"
            ),
            EdgeListError::Malformed {
                path,
                line,
                message,
            } => write!(
                f,
                "graph.path: {path} line {line}: {message}; \
                 fix the line or comment it out with '#'"
            ),
            EdgeListError::OutOfRange {
                path,
                line,
                id,
                nodes,
            } => write!(
                f,
                "graph.path: {path} line {line}: consumer id {id} is out of range, \
                 ids must be 0-based and below the number of consumers ({nodes}); \
                 renumber the edge list or raise the consumer count"
            ),
        }
    }
}

impl std::error::Error for EdgeListError {}

/// Reads a two-column edge list of consumer ids (0-based, `< nodes`) as real
/// network datasets come: separators comma, tab or spaces; blank lines and
/// lines starting with `#` or `%` skipped; a first line that is a header
/// (two non-numeric fields, e.g. `source,target`) skipped; extra columns
/// (e.g. a weight or timestamp) after the first two ignored. Self-loops and
/// repeated edges are dropped.
pub fn load_edge_list(path: &Path, nodes: usize) -> Result<Csr, EdgeListError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| EdgeListError::Io {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    parse_edge_list(&text, &shown, nodes)
}

/// [`load_edge_list`] on text already in memory; `path_for_messages` names
/// the source in errors.
///
/// A line containing a comma is split on commas (fields trimmed, so
/// `"1, 2"` works and an empty field is an error); any other line is split
/// on runs of spaces and tabs. Fields may be wrapped in double quotes.
pub fn parse_edge_list(
    text: &str,
    path_for_messages: &str,
    nodes: usize,
) -> Result<Csr, EdgeListError> {
    let mut edges = Vec::new();
    let mut seen_data_line = false;
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('%') {
            continue;
        }
        let fields = split_fields(line);
        let first_data_line = !seen_data_line;
        seen_data_line = true;
        if first_data_line && is_header(&fields) {
            continue;
        }
        let at = Location {
            path: path_for_messages,
            line: index + 1,
            nodes,
        };
        edges.push(parse_edge(&fields, line, &at)?);
    }
    Ok(Csr::from_edges(nodes, &edges))
}

/// Where a line came from, for error messages.
struct Location<'a> {
    path: &'a str,
    line: usize,
    nodes: usize,
}

impl Location<'_> {
    fn malformed(&self, message: String) -> EdgeListError {
        EdgeListError::Malformed {
            path: self.path.to_string(),
            line: self.line,
            message,
        }
    }
}

fn split_fields(line: &str) -> Vec<&str> {
    let fields: Vec<&str> = if line.contains(',') {
        line.split(',').map(str::trim).collect()
    } else {
        line.split_whitespace().collect()
    };
    fields.into_iter().map(unquote).collect()
}

fn unquote(field: &str) -> &str {
    field
        .strip_prefix('"')
        .and_then(|f| f.strip_suffix('"'))
        .unwrap_or(field)
}

/// A header has at least two fields and neither of the first two looks
/// like a number (digits with an optional sign or decimal point).
fn is_header(fields: &[&str]) -> bool {
    fields.len() >= 2 && !looks_numeric(fields[0]) && !looks_numeric(fields[1])
}

fn looks_numeric(field: &str) -> bool {
    let body = field.trim_start_matches(['+', '-']);
    !body.is_empty() && body.chars().all(|c| c.is_ascii_digit() || c == '.')
}

fn parse_edge(fields: &[&str], line: &str, at: &Location) -> Result<(u32, u32), EdgeListError> {
    if fields.len() < 2 || fields[0].is_empty() || fields[1].is_empty() {
        return Err(at.malformed(format!(
            "expected two consumer ids separated by a comma or whitespace, found \"{}\"",
            truncate(line)
        )));
    }
    Ok((parse_id(fields[0], at)?, parse_id(fields[1], at)?))
}

fn parse_id(field: &str, at: &Location) -> Result<u32, EdgeListError> {
    let id: u64 = match field.parse() {
        Ok(id) => id,
        Err(_) if field.starts_with('-') && looks_numeric(field) => {
            return Err(at.malformed(format!(
                "expected a non-negative consumer id, found \"{}\"",
                truncate(field)
            )));
        }
        Err(_) => {
            return Err(at.malformed(format!(
                "expected a consumer id (a non-negative integer), found \"{}\"",
                truncate(field)
            )));
        }
    };
    if id >= at.nodes as u64 {
        return Err(EdgeListError::OutOfRange {
            path: at.path.to_string(),
            line: at.line,
            id,
            nodes: at.nodes,
        });
    }
    Ok(id as u32)
}

/// At most [`QUOTE_LIMIT`] characters of `text`, with "..." when cut.
fn truncate(text: &str) -> String {
    match text.char_indices().nth(QUOTE_LIMIT) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edges(g: &Csr) -> Vec<(u32, u32)> {
        g.edges().collect()
    }

    // Exact: each accepted format yields the same three edges.
    #[test]
    fn parses_common_formats() {
        let expected = vec![(0, 1), (1, 2), (2, 3)];
        let texts = [
            "0,1\n1,2\n2,3\n",
            "0\t1\n1\t2\n2\t3",
            "0 1\n  1   2  \n2 3\n",
            "source,target\n0,1\n1, 2\n2 ,3\n",
            "# comment\n% matrix-market style comment\n\nfrom to\n0 1\n\n1 2\n# more\n2 3\n",
            "0,1,0.5\n1,2,0.25,2021-01-01\n2,3,1\n",
            "0\t1\t1600000000\r\n1\t2\t1600000001\r\n2\t3\t1600000002\r\n",
            "\"src\",\"dst\"\n\"0\",\"1\"\n1,2\n2,3\n",
            "1,0\n2,1\n3,2\n0,1\n2,2\n",
        ];
        for text in texts {
            let g = parse_edge_list(text, "t.csv", 4).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(edges(&g), expected, "text {text:?}");
            assert_eq!(g.node_count(), 4);
        }
    }

    // Exact: the line number counts comment and blank lines; the message
    // quotes the offending line.
    #[test]
    fn malformed_line_reports_line_number() {
        let text = "# header comment\n0,1\n\n% other\n3;4\n1,2\n";
        let err = parse_edge_list(text, "edges.csv", 10).unwrap_err();
        assert_eq!(
            err,
            EdgeListError::Malformed {
                path: "edges.csv".into(),
                line: 5,
                message: "expected two consumer ids separated by a comma or whitespace, \
                          found \"3;4\""
                    .into(),
            }
        );
        let shown = err.to_string();
        assert!(
            shown.starts_with("graph.path: edges.csv line 5: expected two"),
            "{shown}"
        );
        for bad in ["0,1\n7\n", "0,1\n1,\n", "0,1\n1 x\n", "0,1\n1.5 2\n"] {
            match parse_edge_list(bad, "e", 10) {
                Err(EdgeListError::Malformed { line: 2, .. }) => {}
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
    }

    // A header is only skipped on the first data line; later it is an error.
    #[test]
    fn header_only_on_first_line() {
        let err = parse_edge_list("0 1\nsource target\n", "e", 5).unwrap_err();
        assert!(matches!(err, EdgeListError::Malformed { line: 2, .. }));
        // A half-numeric first line is not a header.
        let err = parse_edge_list("node 1\n0 1\n", "e", 5).unwrap_err();
        assert!(matches!(err, EdgeListError::Malformed { line: 1, .. }));
    }

    // Exact: out-of-range id reports id, node count and line.
    #[test]
    fn out_of_range_id() {
        let err = parse_edge_list("0 1\n# c\n2 5\n", "e.txt", 5).unwrap_err();
        assert_eq!(
            err,
            EdgeListError::OutOfRange {
                path: "e.txt".into(),
                line: 3,
                id: 5,
                nodes: 5
            }
        );
        assert!(err.to_string().contains("consumer id 5 is out of range"));
        let huge = parse_edge_list("0 99999999999999999999\n", "e", 5).unwrap_err();
        assert!(matches!(huge, EdgeListError::Malformed { line: 1, .. }));
    }

    #[test]
    fn negative_id() {
        let err = parse_edge_list("0,1\n-1,2\n", "e.csv", 5).unwrap_err();
        match &err {
            EdgeListError::Malformed {
                line: 2, message, ..
            } => {
                assert!(message.contains("non-negative") && message.contains("\"-1\""))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn long_offending_text_is_truncated() {
        let long = "x".repeat(500);
        let err = parse_edge_list(&format!("0 1\n{long}\n"), "e", 5).unwrap_err();
        let shown = err.to_string();
        assert!(shown.len() < 250 && shown.contains("..."), "{shown}");
    }

    #[test]
    fn missing_file_is_io_error() {
        let path = Path::new("/nonexistent/dir/edges.csv");
        match load_edge_list(path, 10) {
            Err(EdgeListError::Io { path, message }) => {
                assert_eq!(path, "/nonexistent/dir/edges.csv");
                assert!(!message.is_empty());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn loads_file_from_disk() {
        let path = std::env::temp_dir().join(format!("socsim_edges_{}.tsv", std::process::id()));
        std::fs::write(&path, "# test\nsrc\tdst\n0\t1\n1\t2\n").unwrap();
        let result = load_edge_list(&path, 3);
        std::fs::remove_file(&path).unwrap();
        let g = result.unwrap();
        assert_eq!(edges(&g), vec![(0, 1), (1, 2)]);
    }
}
