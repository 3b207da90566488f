//! Reading a scenario: TOML text → overrides applied → typed [`Scenario`] → validated.
//! Every error names the source, the line where the key stands, and the key path.

use super::Scenario;
use crate::error::{Error, Result};
use toml::de::{DeTable, DeValue};

/// One `--set key.path=value` override from the command line.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    pub path: Vec<String>,
    pub value: toml::Value,
    /// `key.path=value`, for the manifest.
    pub text: String,
    /// Where the user wrote it, for messages: `--set key.path=value`, `--days 30`, or a
    /// line of a sweep file.
    pub place: String,
}

impl Override {
    /// Parses `key.path=value`. The value is read as a TOML value (`3`, `0.5`, `true`,
    /// `"x"`, `[1, 2]`); anything that is not valid TOML is taken as a bare string.
    pub fn parse(text: &str) -> Result<Override> {
        let place = format!("--set {text}");
        let (key, value) = text
            .split_once('=')
            .ok_or_else(|| Error::input(&place, "expected KEY=VALUE, e.g. --set run.days=30"))?;
        let path: Vec<String> = key
            .trim()
            .split('.')
            .map(|s| s.trim().to_string())
            .collect();
        if path.iter().any(String::is_empty) {
            return Err(Error::input(
                &place,
                "the key path has an empty part; write it like behaviour.engage_bias",
            ));
        }
        let value = value.trim();
        let value = toml::from_str::<toml::Table>(&format!("v = {value}"))
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| toml::Value::String(value.to_string()));
        Ok(Override {
            path,
            value,
            text: text.to_string(),
            place,
        })
    }

    /// `--seed N`: sets `run.seed`, any unsigned 64-bit integer (a seed above the largest
    /// TOML integer, 9223372036854775807, is carried as text, as a scenario file writes it).
    pub fn seed(seed: u64) -> Override {
        let value = match i64::try_from(seed) {
            Ok(i) => toml::Value::Integer(i),
            Err(_) => toml::Value::String(seed.to_string()),
        };
        Override {
            path: vec!["run".into(), "seed".into()],
            value,
            text: format!("run.seed={seed}"),
            place: format!("--seed {seed}"),
        }
    }

    /// `--days N`: sets `run.days`.
    pub fn days(days: u32) -> Override {
        Override {
            path: vec!["run".into(), "days".into()],
            value: toml::Value::Integer(days.into()),
            text: format!("run.days={days}"),
            place: format!("--days {days}"),
        }
    }
}

/// Where a scenario came from, for messages.
struct Source<'a> {
    name: &'a str,
    text: &'a str,
}

impl Source<'_> {
    /// `name line N` for a byte offset.
    fn at_offset(&self, offset: usize) -> String {
        let line = self.text[..offset.min(self.text.len())]
            .matches('\n')
            .count()
            + 1;
        format!("{} line {line}", self.name)
    }

    /// `name line N, key.path` when the key (or its nearest parent) stands in the file.
    fn at_key(&self, path: &[String]) -> String {
        let key = path.join(".");
        match key_offset(self.text, path) {
            Some(offset) => format!("{}, {key}", self.at_offset(offset)),
            None => format!("{}, {key}", self.name),
        }
    }
}

/// `name line N, key.path` (or `name, key.path` if the key is not in the text): the place
/// to name in an error about a key of a TOML file.
pub fn place_in(name: &str, text: &str, path: &[String]) -> String {
    Source { name, text }.at_key(path)
}

/// `name line N` for a byte offset of a TOML file.
pub fn line_at(name: &str, text: &str, offset: usize) -> String {
    Source { name, text }.at_offset(offset)
}

/// Byte offset of the deepest part of `path` present in the TOML text.
/// Walks tables by key and arrays (`[[events]]`) by index.
fn key_offset(text: &str, path: &[String]) -> Option<usize> {
    let root = DeTable::parse(text).ok()?;
    let mut value: Option<&DeValue> = None;
    let mut found = None;
    for part in path {
        let next = match value {
            None => root
                .get_ref()
                .get_key_value(part.as_str())
                .map(|(k, v)| (k.span().start, v)),
            Some(DeValue::Table(t)) => t
                .get_key_value(part.as_str())
                .map(|(k, v)| (k.span().start, v)),
            Some(DeValue::Array(a)) => part
                .parse::<usize>()
                .ok()
                .and_then(|i| a.get(i))
                .map(|v| (v.span().start, v)),
            Some(_) => None,
        };
        let Some((offset, v)) = next else { break };
        found = Some(offset);
        value = Some(v.get_ref());
    }
    found
}

/// Reads, overrides, types and validates a scenario.
///
/// `name` is used in messages (a file path, or `built-in baseline`). With `graph.kind =
/// "edge_list"` the edge list is read through once, and so is a `graph.communities` file, so
/// that a missing or broken file is reported here, before any work starts.
pub fn parse_scenario(name: &str, text: &str, overrides: &[Override]) -> Result<Scenario> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let source = Source { name, text };
    let scenario = read_scenario(&source, overrides)?;
    if let Err((path, message)) = super::validate::validate(&scenario) {
        let path: Vec<String> = path.split('.').map(String::from).collect();
        return Err(Error::input(place_of(&source, overrides, &path), message));
    }
    if scenario.graph.kind == super::GraphKind::EdgeList {
        let nodes = scenario.population.consumers as usize;
        crate::graph::check_edge_list(std::path::Path::new(&scenario.graph.path), nodes).map_err(
            |e| {
                let path = ["graph".to_string(), "path".to_string()];
                Error::input(place_of(&source, overrides, &path), e.detail())
            },
        )?;
    }
    if !scenario.graph.communities.is_empty() {
        let nodes = scenario.population.consumers as usize;
        let file = std::path::Path::new(&scenario.graph.communities);
        crate::graph::load_communities(file, nodes).map_err(|e| {
            let path = ["graph".to_string(), "communities".to_string()];
            Error::input(place_of(&source, overrides, &path), e.detail())
        })?;
    }
    Ok(scenario)
}

/// Reads a scenario only as far as its types: every key known and of its type, every name
/// one of its choices, nothing validated. `name` and `text` are as for [`parse_scenario`];
/// a sweep checks each value it lists with this, alone, before any run.
pub fn type_scenario(name: &str, text: &str, overrides: &[Override]) -> Result<Scenario> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    read_scenario(&Source { name, text }, overrides)
}

/// TOML text → overrides applied → typed scenario (not validated).
fn read_scenario(source: &Source, overrides: &[Override]) -> Result<Scenario> {
    let mut table = parse_toml(source.name, source.text)?;
    for o in overrides {
        set_path(&mut table, &o.path, o.value.clone()).map_err(|m| Error::input(&o.place, m))?;
    }
    if let Err((path, message)) = check_sections(&table) {
        return Err(Error::input(place_of(source, overrides, &path), message));
    }
    serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|e| {
        let path = key_path(e.path());
        let place = place_of(source, overrides, &path);
        Error::input(place, serde_message(&e.inner().to_string()))
    })
}

/// Parses TOML text into a table; a syntax error names the line.
pub fn parse_toml(name: &str, text: &str) -> Result<toml::Table> {
    toml::from_str(text).map_err(|e| {
        let place = e
            .span()
            .map(|s| line_at(name, text, s.start))
            .unwrap_or_else(|| name.into());
        Error::input(place, syntax_message(e.message()))
    })
}

/// A TOML parser's message, with no Rust type names (an integer beyond the 64-bit range is
/// reported by the parser in those terms).
fn syntax_message(message: &str) -> String {
    const TOO_BIG: &str = "is outside the whole numbers TOML can hold, -9223372036854775808 \
        to 9223372036854775807 (only run.seed may be larger, written in double quotes)";
    let m = message.trim();
    let m = m.lines().next().unwrap_or(m).trim();
    if m == "u64 value was too large" {
        return format!("this number {TOO_BIG}");
    }
    if let Some((n, _)) = m
        .strip_prefix("invalid type: integer `")
        .and_then(|rest| rest.split_once('`'))
    {
        return format!("{n} {TOO_BIG}");
    }
    format!("TOML syntax error: {m}")
}

/// A deserializer's error path as scenario key parts: `scandals.events[1].day` becomes
/// `["scandals", "events", "1", "day"]`, the form of `--set` and of the validation errors.
pub fn key_path(path: &serde_path_to_error::Path) -> Vec<String> {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|s| match s {
            Segment::Seq { index } => Some(index.to_string()),
            Segment::Map { key } => Some(key.clone()),
            Segment::Enum { variant } => Some(variant.clone()),
            Segment::Unknown => None,
        })
        .collect()
}

/// The place to name for a key: the override that last wrote it (`--set …`, `--days …`),
/// else the file line.
fn place_of(source: &Source, overrides: &[Override], path: &[String]) -> String {
    match overrides
        .iter()
        .rev()
        .find(|o| path.starts_with(&o.path) || o.path.starts_with(path))
    {
        Some(o) if path.len() > o.path.len() => format!("{}, {}", o.place, path.join(".")),
        Some(o) => o.place.clone(),
        None => source.at_key(path),
    }
}

/// Checks that every section is a table and every `[[scandals.events]]` entry a table,
/// before typing: serde would otherwise read a list as a section, field by field.
fn check_sections(table: &toml::Table) -> std::result::Result<(), (Vec<String>, String)> {
    let defaults = toml::Value::try_from(Scenario::default()).expect("a scenario serializes");
    let sections = defaults.as_table().expect("a scenario is a table");
    for (key, value) in table {
        if sections.get(key).is_some_and(toml::Value::is_table) && !value.is_table() {
            return Err((
                vec![key.clone()],
                format!(
                    "expected a section ([{key}] with its keys on the lines below), found {}",
                    describe(value)
                ),
            ));
        }
    }
    for (list, fields) in [
        (["scandals", "events"], "day, kind, target, severity"),
        (["calendar", "events"], "name, day, days, ..."),
    ] {
        let value = table
            .get(list[0])
            .and_then(toml::Value::as_table)
            .and_then(|t| t.get(list[1]));
        check_list(&list, value, fields)?;
    }
    check_list(
        &["markets"],
        table.get("markets"),
        "name, consumer_share, ...",
    )
}

/// Checks that a list of tables (`[[scandals.events]]`), if present, is a list of tables.
fn check_list(
    list: &[&str],
    value: Option<&toml::Value>,
    fields: &str,
) -> std::result::Result<(), (Vec<String>, String)> {
    let Some(value) = value else {
        return Ok(());
    };
    let name = list.join(".");
    let path = |more: Option<usize>| {
        let mut p: Vec<String> = list.iter().map(|s| s.to_string()).collect();
        p.extend(more.map(|i| i.to_string()));
        p
    };
    let Some(entries) = value.as_array() else {
        return Err((
            path(None),
            format!(
                "expected a list of [[{name}]] tables, found {}",
                describe(value)
            ),
        ));
    };
    for (i, entry) in entries.iter().enumerate() {
        if !entry.is_table() {
            return Err((
                path(Some(i)),
                format!(
                    "expected a [[{name}]] table ({fields}), found {}",
                    describe(entry)
                ),
            ));
        }
    }
    Ok(())
}

/// A TOML value in words, for "found …".
fn describe(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("the text {s:?}"),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => format!("the decimal number {f}"),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(d) => format!("the date {d}"),
        toml::Value::Array(_) => "a list".into(),
        toml::Value::Table(_) => "a table".into(),
    }
}

/// Says a deserializer's message in the words of the scenario reference, with no Rust type
/// names: `invalid type: floating point `100000.0`, expected u64` becomes `expected a whole
/// number ≥ 0, found the decimal number 100000.0 (…; write 100000)`. Used for scenario and
/// sweep files; a message it does not know is passed on (first line only).
pub fn serde_message(message: &str) -> String {
    let m = message.trim();
    let m = m.strip_prefix("TOML parse error: ").unwrap_or(m);
    // toml appends a source excerpt after a newline for file-based errors; keep line one.
    let m = m.lines().next().unwrap_or(m).trim();
    let mismatch = m
        .strip_prefix("invalid type: ")
        .or_else(|| m.strip_prefix("invalid value: "))
        .and_then(|rest| rest.rsplit_once(", expected "));
    if let Some((found, expected)) = mismatch {
        return format!(
            "expected {}, found {}",
            expected_in_words(expected),
            found_in_words(found, expected)
        );
    }
    let length = m
        .strip_prefix("invalid length ")
        .and_then(|rest| rest.split_once(", expected "));
    if let Some((n, expected)) = length {
        return format!(
            "expected {}, found a list of {n} values",
            expected_in_words(expected)
        );
    }
    if let Some(rest) = m.strip_prefix("missing field ") {
        return format!("the key {rest} is missing");
    }
    if let Some(rest) = m.strip_prefix("duplicate field ") {
        return format!("the key {rest} is given twice");
    }
    if let Some(rest) = m.strip_prefix("unknown field ") {
        return unknown_field(rest);
    }
    if let Some(rest) = m.strip_prefix("unknown variant ") {
        return format!("unknown choice {rest}");
    }
    if m.starts_with("data did not match any variant") {
        return "the value has none of the accepted forms (see docs/SCENARIO.md)".into();
    }
    m.to_string()
}

/// `unknown field `x`, expected one of `a`, `b``: suggests the closest key when it is close.
fn unknown_field(rest: &str) -> String {
    let quoted: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    let Some((key, known)) = quoted.split_first() else {
        return format!("unknown field {rest}");
    };
    let close = known
        .iter()
        .map(|k| (super::edit_distance(key, k), *k))
        .min()
        .filter(|&(d, k)| d <= 2 || d * 4 <= k.len());
    match close {
        Some((_, k)) => format!("unknown field `{key}`; did you mean `{k}`?"),
        None if known.is_empty() => format!("unknown field `{key}`: this table has no keys"),
        None => format!(
            "unknown field `{key}`; expected one of {}",
            known
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Whether a deserializer's "expected" names a whole-number type.
fn wants_integer(expected: &str) -> bool {
    matches!(
        expected,
        "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" | "isize"
    ) || expected.starts_with("a whole number")
}

fn expected_in_words(expected: &str) -> String {
    match expected {
        "u64" | "usize" => "a whole number ≥ 0".into(),
        "u32" => format!("a whole number from 0 to {}", u32::MAX),
        "u16" => format!("a whole number from 0 to {}", u16::MAX),
        "u8" => format!("a whole number from 0 to {}", u8::MAX),
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number".into(),
        "f64" | "f32" => "a number".into(),
        "a boolean" => "true or false".into(),
        "a string" | "a borrowed string" => "text in double quotes".into(),
        "a character" => "a single character in double quotes".into(),
        "a sequence" => "a list".into(),
        "a map" => "a table".into(),
        "struct ScandalEvent" => "a [[scandals.events]] table (day, kind, target, severity)".into(),
        "struct CalendarEvent" => "a [[calendar.events]] table (name, day, days, ...)".into(),
        "struct Market" => "a [[markets]] table (name, consumer_share, ...)".into(),
        e if e.starts_with("struct ") || e.starts_with("tuple") => "a table of keys".into(),
        e if e.starts_with("enum ") || e.contains("variant") => {
            "one of the accepted values (see docs/SCENARIO.md)".into()
        }
        e => e.to_string(),
    }
}

fn found_in_words(found: &str, expected: &str) -> String {
    let inner = |prefix: &str| {
        found
            .strip_prefix(prefix)
            .and_then(|f| f.strip_prefix('`'))
            .and_then(|f| f.strip_suffix('`'))
    };
    if let Some(n) = inner("integer ") {
        return n.to_string();
    }
    if let Some(b) = inner("boolean ") {
        return b.to_string();
    }
    if let Some(c) = inner("character ") {
        return format!("the character {c:?}");
    }
    if let Some(x) = inner("floating point ") {
        let whole = x
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && v.fract() == 0.0 && v.abs() < 1e19);
        return match whole {
            Some(v) if wants_integer(expected) => format!(
                "the decimal number {x} (TOML reads 1e5 and 3.0 as decimals; write {})",
                v as i128
            ),
            _ => format!("the decimal number {x}"),
        };
    }
    if let Some(text) = found.strip_prefix("string ") {
        let bare = text.trim_matches('"');
        let quoted_ok = expected == "a string" || expected.contains("double quotes");
        let hint = if bare.parse::<f64>().is_ok() && !quoted_ok {
            " (write numbers without quotes)"
        } else if (bare == "true" || bare == "false") && expected == "a boolean" {
            " (write true or false without quotes)"
        } else {
            ""
        };
        return format!("the text {text}{hint}");
    }
    match found {
        "map" => "a table".into(),
        "sequence" => "a list".into(),
        "unit value" => "nothing".into(),
        "Option value" => "an optional value".into(),
        f => f.to_string(),
    }
}

/// Sets `path` in a TOML table, creating tables on the way; a numeric part indexes an array
/// of tables (`scandals.events.0.severity`).
fn set_path(
    table: &mut toml::Table,
    path: &[String],
    value: toml::Value,
) -> std::result::Result<(), String> {
    let (first, rest) = path.split_first().expect("override paths are never empty");
    if rest.is_empty() {
        table.insert(first.clone(), value);
        return Ok(());
    }
    if !table.contains_key(first)
        && let Ok(index) = rest[0].parse::<usize>()
    {
        return Err(format!(
            "`{first}` has no entries; index {index} does not exist"
        ));
    }
    let entry = table
        .entry(first.clone())
        .or_insert_with(|| toml::Value::Table(Default::default()));
    set_in(entry, first, rest, value)
}

fn set_in(
    node: &mut toml::Value,
    name: &str,
    rest: &[String],
    value: toml::Value,
) -> std::result::Result<(), String> {
    match node {
        toml::Value::Table(t) => set_path(t, rest, value),
        toml::Value::Array(items) => {
            let index: usize = rest[0].parse().map_err(|_| {
                format!("`{name}` is a list: index it with a number, e.g. {name}.0")
            })?;
            let len = items.len();
            let item = items.get_mut(index).ok_or_else(|| {
                format!("`{name}` has {len} entries; index {index} does not exist")
            })?;
            if rest.len() == 1 {
                *item = value;
                Ok(())
            } else {
                set_in(item, &rest[0], &rest[1..], value)
            }
        }
        _ => Err(format!("`{name}` is a value, not a section")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str, sets: &[&str]) -> String {
        let o: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
        match parse_scenario("s.toml", text, &o) {
            Err(Error::Input(m)) => m,
            other => panic!("expected an input error, got {other:?}"),
        }
    }

    #[test]
    fn empty_file_is_the_default() {
        assert_eq!(
            parse_scenario("s.toml", "", &[]).unwrap(),
            Scenario::default()
        );
    }

    #[test]
    fn syntax_error_names_the_line() {
        let m = err("[run]\nseed = 3\ndays = = 4\n", &[]);
        assert!(m.starts_with("s.toml line 3"), "{m}");
    }

    #[test]
    fn unknown_key_names_path_and_line() {
        let m = err("[run]\nseed = 3\n\n[behaviour]\nengage_bais = 2.0\n", &[]);
        assert!(
            m.contains("line 5") && m.contains("behaviour.engage_bais"),
            "{m}"
        );
        assert!(m.contains("unknown field"), "{m}");
    }

    #[test]
    fn wrong_type_names_path_and_line() {
        let m = err("[population]\nconsumers = \"many\"\n", &[]);
        assert!(
            m.contains("line 2") && m.contains("population.consumers"),
            "{m}"
        );
    }

    #[test]
    fn negative_count_is_an_error() {
        let m = err("[population]\nhosts = -3\n", &[]);
        assert!(m.contains("population.hosts"), "{m}");
    }

    #[test]
    fn overrides_apply_and_are_named_in_errors() {
        let o = [
            Override::parse("run.days=30").unwrap(),
            Override::parse("run.name=x").unwrap(),
        ];
        let s = parse_scenario("s.toml", "", &o).unwrap();
        assert_eq!((s.run.days, s.run.name.as_str()), (30, "x"));
        let m = err("", &["returns.free_returns=maybe"]);
        assert!(m.starts_with("--set returns.free_returns=maybe"), "{m}");
        let m = err("", &["behaviour.review_prob=1.5"]);
        assert!(m.starts_with("--set behaviour.review_prob=1.5"), "{m}");
        let m = err("", &["behaviour.nope=1"]);
        assert!(m.contains("unknown field"), "{m}");
    }

    #[test]
    fn overrides_reach_into_arrays_of_tables() {
        let text =
            "[[scandals.events]]\nday = 3\nkind = \"host\"\ntarget = \"top\"\nseverity = 0.5\n";
        let s = parse_scenario(
            "s.toml",
            text,
            &[Override::parse("scandals.events.0.severity=0.9").unwrap()],
        )
        .unwrap();
        assert_eq!(s.scandals.events[0].severity, 0.9);
        let m = err(text, &["scandals.events.2.severity=0.9"]);
        assert!(m.contains("index 2 does not exist"), "{m}");
        let m = err("", &["scandals.events.0.severity=0.9"]);
        assert_eq!(
            m,
            "--set scandals.events.0.severity=0.9: `events` has no entries; index 0 does not exist"
        );
    }

    /// Words of Rust and serde that must never reach a user.
    const RUST_WORDS: &[&str] = &[
        "u8",
        "u16",
        "u32",
        "u64",
        "usize",
        "i32",
        "i64",
        "i128",
        "f32",
        "f64",
        "struct",
        "enum",
        "untagged",
        "variant",
        "floating point",
        "sequence",
        "map",
        "Option",
        "invalid type",
        "invalid value",
        "Scandal",
        "Run",
        "TOML parse error",
    ];

    fn assert_plain(m: &str) {
        for w in RUST_WORDS {
            let hit = m
                .match_indices(w)
                .any(|(i, _)| !m[..i].ends_with(|c: char| c.is_ascii_alphanumeric()));
            assert!(!hit, "{w:?} in {m}");
        }
    }

    // Each wrong value gets a message in the reference's words, at its key and line.
    #[test]
    fn wrong_values_are_explained_in_plain_words() {
        let event =
            "[[scandals.events]]\nday = 3\nkind = \"host\"\ntarget = \"top\"\nseverity = 0.5\n";
        let cases: &[(&str, &str, &str)] = &[
            (
                "[population]\nconsumers = 1e5\n",
                "line 2, population.consumers",
                "expected a whole number ≥ 0, found the decimal number 100000.0 (TOML reads 1e5 and 3.0 as decimals; write 100000)",
            ),
            (
                "[population]\nconsumers = -1\n",
                "line 2, population.consumers",
                "expected a whole number ≥ 0, found -1",
            ),
            (
                "[population]\nconsumers = \"100\"\n",
                "population.consumers",
                "found the text \"100\" (write numbers without quotes)",
            ),
            (
                "[population]\nconsumers = 2.5\n",
                "population.consumers",
                "expected a whole number ≥ 0, found the decimal number 2.5",
            ),
            (
                "[run]\nseed = \"x\"\n",
                "line 2, run.seed",
                "expected a whole number from 0 to 18446744073709551615",
            ),
            ("[run]\nseed = -1\n", "run.seed", "found -1"),
            (
                "[run]\nseed = 1.5\n",
                "run.seed",
                "found the decimal number 1.5",
            ),
            (
                "[run]\ndays = 5000000000\n",
                "run.days",
                "expected a whole number from 0 to 4294967295, found 5000000000",
            ),
            ("[run]\ndays = true\n", "run.days", "found true"),
            ("[run]\ndays = [1]\n", "run.days", "found a list"),
            ("[run]\ndays = { a = 1 }\n", "run.days", "found a table"),
            (
                "[run]\nname = 3\n",
                "run.name",
                "expected text in double quotes, found 3",
            ),
            (
                "[returns]\nfree_returns = \"yes\"\n",
                "returns.free_returns",
                "expected true or false, found the text \"yes\"",
            ),
            (
                "[returns]\nfree_returns = \"true\"\n",
                "returns.free_returns",
                "(write true or false without quotes)",
            ),
            (
                "[returns]\nfree_returns = 1\n",
                "returns.free_returns",
                "expected true or false, found 1",
            ),
            (
                "[behaviour]\nfollow_prob = \"x\"\n",
                "behaviour.follow_prob",
                "expected a number, found the text \"x\"",
            ),
            (
                "[behaviour]\nengage_bais = 2.0\n",
                "behaviour.engage_bais",
                "unknown field `engage_bais`; did you mean `engage_bias`?",
            ),
            (
                "[behavior]\nengage_bias = 2.0\n",
                "line 1, behavior",
                "unknown field `behavior`; did you mean `behaviour`?",
            ),
            (
                "[nothing_like_it]\n",
                "nothing_like_it",
                "expected one of `markets`, `run`, `population`",
            ),
            (
                "run = [1, 2]\n",
                "line 1, run",
                "expected a section ([run] with its keys on the lines below), found a list",
            ),
            ("\nrun = 3\n", "line 2, run", "found 3"),
            (
                "[scandals]\nevents = 3\n",
                "line 2, scandals.events",
                "expected a list of [[scandals.events]] tables, found 3",
            ),
            (
                "[scandals]\nevents = [[3, \"host\", \"top\", 0.5]]\n",
                "scandals.events.0",
                "expected a [[scandals.events]] table (day, kind, target, severity), found a list",
            ),
            (
                "[[scandals.events]]\nday = 3\nkind = \"host\"\ntarget = 1.5\nseverity = 0.5\n",
                "line 4, scandals.events.0.target",
                "expected \"top\", \"random\", or an id (a host's account id or a merchant id, a whole number ≥ 0), found the decimal number 1.5",
            ),
            (
                "[[scandals.events]]\nday = 3\nkind = \"host\"\ntarget = -2\nseverity = 0.5\n",
                "scandals.events.0.target",
                "found -2",
            ),
            (
                "[[scandals.events]]\nday = 3\nkind = \"host\"\ntarget = [1]\nseverity = 0.5\n",
                "scandals.events.0.target",
                "found a list",
            ),
            (
                "[[scandals.events]]\nday = 3\nkind = \"host\"\n",
                "line 1, scandals.events.0",
                "the key `target` is missing",
            ),
            (
                &format!("{event}{}", event.replace("0.5", "\"high\"")),
                "line 10, scandals.events.1.severity",
                "expected a number, found the text \"high\"",
            ),
            (
                &format!("{event}{event}severty = 1.0\n"),
                "line 11, scandals.events.1.severty",
                "did you mean `severity`?",
            ),
            (
                "[graph]\nkind = \"lattice\"\n",
                "line 2, graph.kind",
                "unknown graph kind \"lattice\"; choose one of barabasi_albert, watts_strogatz, stochastic_block, configuration, edge_list",
            ),
            (
                "[graph]\nkind = 3\n",
                "line 2, graph.kind",
                "expected one of \"barabasi_albert\", \"watts_strogatz\", \"stochastic_block\", \"configuration\", \"edge_list\", found 3",
            ),
            (
                "[recommendation]\nalgorithm = \"magic\"\n",
                "line 2, recommendation.algorithm",
                "unknown algorithm \"magic\"; choose one of popularity, interest, social, random, hybrid, diversity, fair_exposure, timeliness, bandit",
            ),
            (
                "[coupons]\ntargeting = \"all\"\n",
                "line 2, coupons.targeting",
                "unknown targeting \"all\"; choose one of everyone, new, lapsed, past_buyers",
            ),
            (
                &event.replace("\"host\"", "\"both\""),
                "line 3, scandals.events.0.kind",
                "unknown scandal kind \"both\"; choose host or product",
            ),
            (
                &event.replace("\"host\"", "7"),
                "line 3, scandals.events.0.kind",
                "expected \"host\" or \"product\", found 7",
            ),
            (
                &event.replace("\"top\"", "\"best\""),
                "line 4, scandals.events.0.target",
                "\"best\" is not a target; use \"top\", \"random\" or an id",
            ),
            (
                "[run]\nseed = 99999999999999999999\n",
                "line 2",
                "99999999999999999999 is outside the whole numbers TOML can hold",
            ),
            (
                "[run]\nseed = 18446744073709551615\n",
                "line 2",
                "is outside the whole numbers TOML can hold",
            ),
        ];
        for (text, place, message) in cases {
            let m = err(text, &[]);
            let (at, _) = m.split_once(": ").unwrap();
            assert!(
                at.starts_with("s.toml") && at.ends_with(place),
                "{text:?}: {m}"
            );
            assert!(m.contains(message), "{text:?}: {m}");
            assert!(!m.contains('\n'), "{m}");
            assert_plain(&m);
        }
    }

    // The translation itself, on the messages serde and toml produce.
    #[test]
    fn serde_messages_are_translated() {
        for (raw, plain) in [
            (
                "invalid type: floating point `1e300`, expected u32",
                "expected a whole number from 0 to 4294967295, found the decimal number 1e300",
            ),
            (
                "invalid type: floating point `inf`, expected f64",
                "expected a number, found the decimal number inf",
            ),
            (
                "invalid type: map, expected a sequence",
                "expected a list, found a table",
            ),
            (
                "invalid type: sequence, expected a map",
                "expected a table, found a list",
            ),
            (
                "invalid type: unit value, expected a string",
                "expected text in double quotes, found nothing",
            ),
            (
                "invalid type: character `x`, expected u8",
                "expected a whole number from 0 to 255, found the character \"x\"",
            ),
            (
                "invalid value: integer `-3`, expected usize",
                "expected a whole number ≥ 0, found -3",
            ),
            (
                "invalid type: integer `3`, expected struct Run",
                "expected a table of keys, found 3",
            ),
            (
                "invalid length 2, expected struct Run with 3 elements",
                "expected a table of keys, found a list of 2 values",
            ),
            ("missing field `base`", "the key `base` is missing"),
            ("duplicate field `base`", "the key `base` is given twice"),
            (
                "unknown field `x`, there are no fields",
                "unknown field `x`: this table has no keys",
            ),
            (
                "unknown variant `b`, expected `a`",
                "unknown choice `b`, expected `a`",
            ),
            (
                "data did not match any variant of untagged enum ScandalTarget",
                "the value has none of the accepted forms (see docs/SCENARIO.md)",
            ),
            (
                "TOML parse error: invalid type: integer `1`, expected a boolean\n  |\n1 | x",
                "expected true or false, found 1",
            ),
        ] {
            let m = serde_message(raw);
            assert_eq!(m, plain, "{raw}");
            assert_plain(&m);
        }
    }

    // --days and --seed are named as typed; a seed above the largest TOML integer is
    // carried as text and written back the same way.
    #[test]
    fn flags_are_named_as_typed_and_every_seed_round_trips() {
        let m = match parse_scenario("s.toml", "", &[Override::days(0)]) {
            Err(Error::Input(m)) => m,
            other => panic!("{other:?}"),
        };
        assert!(m.starts_with("--days 0: "), "{m}");
        for seed in [0, 42, i64::MAX as u64, i64::MAX as u64 + 1, u64::MAX] {
            for o in [
                Override::seed(seed),
                Override::parse(&format!("run.seed={seed}")).unwrap(),
            ] {
                let s = parse_scenario("s.toml", "", &[o]).unwrap();
                assert_eq!(s.run.seed, seed);
                let again = parse_scenario("resolved", &s.to_toml(), &[]).unwrap();
                assert_eq!(again, s);
                assert_eq!(again.to_toml(), s.to_toml());
            }
        }
        let s = parse_scenario("s.toml", "[run]\nseed = \"18446744073709551615\"\n", &[]).unwrap();
        assert_eq!(s.run.seed, u64::MAX);
        assert!(s.to_toml().contains("seed = \"18446744073709551615\"\n"));
        assert!(Scenario::default().to_toml().contains("seed = 42\n"));
        for bad in ["\"\"", "\"+1\"", "\"18446744073709551616\"", "\" 1\""] {
            let m = err(&format!("[run]\nseed = {bad}\n"), &[]);
            assert!(m.contains("expected a whole number from 0 to"), "{m}");
        }
        let m = err("", &["run.seed=18446744073709551616"]);
        assert!(
            m.starts_with("--set run.seed=18446744073709551616: expected"),
            "{m}"
        );
    }

    // A key that takes one of a few names reads and writes each name as it is written.
    #[test]
    fn every_named_choice_is_read_and_written_as_written() {
        use crate::scenario::{Algorithm, GraphKind, ScandalKind, TargetName, Targeting};
        let mut texts = Vec::new();
        for k in GraphKind::NAMES {
            texts.push((
                format!("[graph]\nkind = \"{k}\"\n"),
                format!("kind = \"{k}\"\n"),
            ));
        }
        for a in Algorithm::NAMES {
            texts.push((
                format!("[recommendation]\nalgorithm = \"{a}\"\n"),
                format!("algorithm = \"{a}\"\n"),
            ));
        }
        for t in Targeting::NAMES {
            texts.push((
                format!("[coupons]\ntargeting = \"{t}\"\n"),
                format!("targeting = \"{t}\"\n"),
            ));
        }
        for k in ScandalKind::NAMES {
            for t in TargetName::NAMES {
                texts.push((
                    format!(
                        "[[scandals.events]]\nday = 1\nkind = \"{k}\"\ntarget = \"{t}\"\nseverity = 0.5\n"
                    ),
                    format!("kind = \"{k}\"\ntarget = \"{t}\"\n"),
                ));
            }
        }
        for (text, written) in texts {
            let s: Scenario = toml::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert!(s.to_toml().contains(&written), "{text}");
            assert_eq!(toml::from_str::<Scenario>(&s.to_toml()).unwrap(), s);
        }
    }

    #[test]
    fn byte_order_mark_is_accepted() {
        let s = parse_scenario("s.toml", "\u{feff}[run]\ndays = 3\n", &[]).unwrap();
        assert_eq!(s.run.days, 3);
    }

    #[test]
    fn override_without_equals_is_an_error() {
        assert!(Override::parse("run.days").is_err());
        assert!(Override::parse("run..days=3").is_err());
    }
}
