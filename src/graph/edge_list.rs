//! Loading real networks from two-column files: edge lists (consumer, consumer) and community
//! files (consumer, community).
//!
//! Files are read as a stream, one line at a time, and no line may be longer than
//! [`MAX_LINE_BYTES`]: a device such as `/dev/zero` or a binary file is refused at its first
//! line instead of filling memory.

use super::Csr;
use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Longest piece of offending input quoted in an error message.
const QUOTE_LIMIT: usize = 60;

/// The longest line an edge list may hold, in bytes (the line break not counted).
pub const MAX_LINE_BYTES: usize = 4096;

/// Errors from loading an edge list.
#[derive(Debug, Clone, PartialEq)]
pub enum EdgeListError {
    /// The file could not be read (missing, unreadable, a folder).
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
    /// A community file leaves consumers out: `first` is the smallest id without a line,
    /// `count` how many have none.
    Unassigned {
        path: String,
        first: u32,
        count: usize,
        nodes: usize,
    },
}

impl EdgeListError {
    /// The message without the leading `graph.path: `, for callers that name the key
    /// themselves (with the scenario line it stands on).
    pub fn detail(&self) -> String {
        match self {
            EdgeListError::Io { path, message } => format!(
                "cannot read {path}: {message}; \
                 check that the path exists and is a readable text file"
            ),
            EdgeListError::Malformed {
                path,
                line,
                message,
            } => format!("{path} line {line}: {message}; fix the line or comment it out with '#'"),
            EdgeListError::OutOfRange {
                path,
                line,
                id,
                nodes,
            } => format!(
                "{path} line {line}: consumer id {id} is out of range, \
                 ids must be 0-based and below the number of consumers ({nodes}); \
                 renumber the file or raise the consumer count"
            ),
            EdgeListError::Unassigned {
                path,
                first,
                count,
                nodes,
            } => format!(
                "{path}: consumer {first} has no community ({count} of the {nodes} consumers \
                 have none); give every consumer from 0 to {} one line \"consumer,community\"",
                nodes - 1
            ),
        }
    }
}

impl fmt::Display for EdgeListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "graph.path: {}", self.detail())
    }
}

impl std::error::Error for EdgeListError {}

/// Reads a two-column edge list of consumer ids (0-based, `< nodes`) as real
/// network datasets come: separators comma, tab or spaces; blank lines and
/// lines starting with `#` or `%` skipped; a first line that is a header
/// (two non-numeric fields, e.g. `source,target`) skipped; extra columns
/// (e.g. a weight or timestamp) after the first two ignored; a UTF-8 byte-order
/// mark at the start ignored. Self-loops and repeated edges are dropped.
pub fn load_edge_list(path: &Path, nodes: usize) -> Result<Csr, EdgeListError> {
    let mut edges = Vec::new();
    read_file(path, nodes, Columns::Edges, edge_sink(&mut edges))?;
    Ok(Csr::from_edges(nodes, &edges))
}

/// Reads a community file: lines `consumer,community`, in the formats an edge list may take
/// (see [`load_edge_list`]). A community is any non-negative integer label; the labels are
/// renumbered 0, 1, … in ascending order. Every consumer below `nodes` needs exactly one
/// community: a consumer given two different communities, or none, is an error. A line may
/// repeat an earlier one.
pub fn load_communities(path: &Path, nodes: usize) -> Result<Vec<u32>, EdgeListError> {
    let mut given: Vec<Option<u32>> = vec![None; nodes];
    read_file(
        path,
        nodes,
        Columns::Communities,
        |consumer, community, at| match given[consumer as usize] {
            Some(earlier) if earlier != community => Err(at.malformed(format!(
                "consumer {consumer} is given community {community} here and {earlier} on an \
                 earlier line; give each consumer one community"
            ))),
            _ => {
                given[consumer as usize] = Some(community);
                Ok(())
            }
        },
    )?;
    let count = given.iter().filter(|c| c.is_none()).count();
    if let Some(first) = given.iter().position(Option::is_none) {
        return Err(EdgeListError::Unassigned {
            path: path.display().to_string(),
            first: first as u32,
            count,
            nodes,
        });
    }
    let mut labels: Vec<u32> = given.iter().flatten().copied().collect();
    labels.sort_unstable();
    labels.dedup();
    Ok(given
        .into_iter()
        .flatten()
        .map(|c| labels.binary_search(&c).expect("every label is listed") as u32)
        .collect())
}

/// What the two columns of a file hold.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Columns {
    /// Two consumer ids.
    Edges,
    /// A consumer id and a community label.
    Communities,
}

type Sink<'a> = dyn FnMut(u32, u32, &Location) -> Result<(), EdgeListError> + 'a;

fn edge_sink(
    edges: &mut Vec<(u32, u32)>,
) -> impl FnMut(u32, u32, &Location) -> Result<(), EdgeListError> + '_ {
    |u, v, _| {
        edges.push((u, v));
        Ok(())
    }
}

/// Reads the whole edge list as [`load_edge_list`] does and reports its first error,
/// without keeping the edges: the check that `socsim validate` and `socsim run` make
/// before any work starts.
pub fn check_edge_list(path: &Path, nodes: usize) -> Result<(), EdgeListError> {
    read_file(path, nodes, Columns::Edges, |_, _, _| Ok(()))
}

fn read_file(
    path: &Path,
    nodes: usize,
    columns: Columns,
    mut pair: impl FnMut(u32, u32, &Location) -> Result<(), EdgeListError>,
) -> Result<(), EdgeListError> {
    let shown = path.display().to_string();
    let io = |e: std::io::Error| EdgeListError::Io {
        path: shown.clone(),
        message: e.to_string(),
    };
    if path.is_dir() {
        return Err(EdgeListError::Io {
            path: shown.clone(),
            message: "it is a folder, not a file".into(),
        });
    }
    let file = std::fs::File::open(path).map_err(io)?;
    read_pairs(BufReader::new(file), &shown, nodes, columns, &mut pair)
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
    read_pairs(
        text.as_bytes(),
        path_for_messages,
        nodes,
        Columns::Edges,
        &mut edge_sink(&mut edges),
    )?;
    Ok(Csr::from_edges(nodes, &edges))
}

/// Streams the lines of a two-column file, passing each pair to `pair`; stops at the first
/// error. Never holds more than one line ([`MAX_LINE_BYTES`]) in memory.
fn read_pairs(
    mut reader: impl BufRead,
    path_for_messages: &str,
    nodes: usize,
    columns: Columns,
    pair: &mut Sink,
) -> Result<(), EdgeListError> {
    let mut seen_data_line = false;
    let mut bytes = Vec::with_capacity(128);
    let mut number = 0;
    loop {
        bytes.clear();
        let read = (&mut reader)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut bytes)
            .map_err(|e| EdgeListError::Io {
                path: path_for_messages.to_string(),
                message: e.to_string(),
            })?;
        if read == 0 {
            return Ok(());
        }
        number += 1;
        let at = Location {
            path: path_for_messages,
            line: number,
            nodes,
        };
        if bytes.last() == Some(&b'\n') {
            bytes.pop();
        } else if bytes.len() > MAX_LINE_BYTES {
            return Err(at.malformed(format!(
                "the line is longer than {MAX_LINE_BYTES} bytes, the most an edge-list line may \
                 hold (is this a text file of id pairs?)"
            )));
        }
        let Ok(raw) = std::str::from_utf8(&bytes) else {
            return Err(at.malformed(
                "the line is not UTF-8 text (is this a text file of id pairs?)".into(),
            ));
        };
        let raw = if number == 1 {
            raw.strip_prefix('\u{feff}').unwrap_or(raw)
        } else {
            raw
        };
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
        let (u, v) = parse_pair(&fields, line, columns, &at)?;
        pair(u, v, &at)?;
    }
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

fn parse_pair(
    fields: &[&str],
    line: &str,
    columns: Columns,
    at: &Location,
) -> Result<(u32, u32), EdgeListError> {
    let expected = match columns {
        Columns::Edges => "two consumer ids",
        Columns::Communities => "a consumer id and a community",
    };
    if fields.len() < 2 || fields[0].is_empty() || fields[1].is_empty() {
        return Err(at.malformed(format!(
            "expected {expected} separated by a comma or whitespace, found \"{}\"",
            truncate(line)
        )));
    }
    let first = parse_id(fields[0], at)?;
    let second = match columns {
        Columns::Edges => parse_id(fields[1], at)?,
        Columns::Communities => parse_label(fields[1], at)?,
    };
    Ok((first, second))
}

/// A community label: a non-negative integer that fits 32 bits.
fn parse_label(field: &str, at: &Location) -> Result<u32, EdgeListError> {
    field.parse().map_err(|_| {
        at.malformed(format!(
            "expected a community (an integer from 0 to {}), found \"{}\"",
            u32::MAX,
            truncate(field)
        ))
    })
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
    fn byte_order_mark_is_ignored() {
        let g = parse_edge_list("\u{feff}source,target\n0,1\n", "e", 2).unwrap();
        assert_eq!(edges(&g), vec![(0, 1)]);
        let g = parse_edge_list("\u{feff}0 1\r\n1 2\r\n", "e", 3).unwrap();
        assert_eq!(edges(&g), vec![(0, 1), (1, 2)]);
    }

    // Exact: the longest line allowed passes, one byte more is an error at its line.
    #[test]
    fn line_length_is_capped() {
        let pad = |n: usize| format!("0 1 {}", "x".repeat(n - 4));
        let ok = format!("{}\n{}", pad(MAX_LINE_BYTES), pad(MAX_LINE_BYTES));
        assert!(parse_edge_list(&ok, "e", 2).is_ok());
        let long = format!("0 1\n{}\n1 0\n", pad(MAX_LINE_BYTES + 1));
        match parse_edge_list(&long, "e", 2) {
            Err(EdgeListError::Malformed {
                line: 2, message, ..
            }) => {
                assert!(message.contains("longer than 4096 bytes"), "{message}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn binary_input_is_refused_at_its_first_line() {
        match parse_edge_list("0 1\n\u{0}", "e", 2) {
            Err(EdgeListError::Malformed { line: 2, .. }) => {}
            other => panic!("{other:?}"),
        }
        let mut bytes = b"0 1\n".to_vec();
        bytes.extend_from_slice(&[0xff, 0xfe, b'\n']);
        match read_pairs(&bytes[..], "e", 2, Columns::Edges, &mut |_, _, _| Ok(())) {
            Err(EdgeListError::Malformed {
                line: 2, message, ..
            }) => {
                assert!(message.contains("not UTF-8"), "{message}")
            }
            other => panic!("{other:?}"),
        }
        // An endless stream without line breaks stops at the cap.
        let zeros = std::io::BufReader::new(std::io::repeat(0));
        match read_pairs(zeros, "zeros", 2, Columns::Edges, &mut |_, _, _| Ok(())) {
            Err(EdgeListError::Malformed {
                line: 1, message, ..
            }) => {
                assert!(message.contains("longer than"), "{message}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_folder_is_not_an_edge_list() {
        match check_edge_list(&std::env::temp_dir(), 2) {
            Err(EdgeListError::Io { message, .. }) => assert!(message.contains("folder")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn loads_file_from_disk() {
        let path = std::env::temp_dir().join(format!("socsim_edges_{}.tsv", std::process::id()));
        std::fs::write(&path, "# test\nsrc\tdst\n0\t1\n1\t2\n").unwrap();
        let result = load_edge_list(&path, 3);
        assert_eq!(check_edge_list(&path, 3), Ok(()));
        assert!(check_edge_list(&path, 2).is_err());
        std::fs::remove_file(&path).unwrap();
        let g = result.unwrap();
        assert_eq!(edges(&g), vec![(0, 1), (1, 2)]);
    }

    // Exact: labels renumbered in ascending order; header, comments, repeats accepted.
    #[test]
    fn community_file_is_read_and_renumbered() {
        let path = std::env::temp_dir().join(format!("socsim_comm_{}.csv", std::process::id()));
        std::fs::write(
            &path,
            "consumer,community\n0,70\n1,5\n# c\n2,70\n3 9\n1,5\n",
        )
        .unwrap();
        let got = load_communities(&path, 4);
        std::fs::remove_file(&path).unwrap();
        assert_eq!(got, Ok(vec![2, 0, 2, 1]));
    }

    #[test]
    fn community_file_errors_name_the_line_or_the_consumer() {
        let path = std::env::temp_dir().join(format!("socsim_comm_e_{}.csv", std::process::id()));
        let cases: [(&str, &str); 5] = [
            (
                "0,1\n1,1\n0,2\n",
                "line 3: consumer 0 is given community 2 here and 1",
            ),
            (
                "0,1\n2,1\n",
                "consumer 1 has no community (1 of the 3 consumers have none)",
            ),
            (
                "0,1\n1,x\n2,1\n",
                "line 2: expected a community (an integer from 0 to",
            ),
            ("0,1\n1,-4\n2,1\n", "line 2: expected a community"),
            ("0,1\n3,1\n", "line 2: consumer id 3 is out of range"),
        ];
        for (text, expected) in cases {
            std::fs::write(&path, text).unwrap();
            let message = load_communities(&path, 3).unwrap_err().detail();
            assert!(message.contains(expected), "{text:?}: {message}");
        }
        std::fs::remove_file(&path).unwrap();
    }
}
