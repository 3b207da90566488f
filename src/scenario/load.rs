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
    /// The text as the user typed it, for messages and the manifest.
    pub text: String,
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
        })
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
/// `name` is used in messages (a file path, or `built-in baseline`).
pub fn parse_scenario(name: &str, text: &str, overrides: &[Override]) -> Result<Scenario> {
    let source = Source { name, text };
    let mut table: toml::Table = toml::from_str(text).map_err(|e| {
        let place = e
            .span()
            .map(|s| source.at_offset(s.start))
            .unwrap_or_else(|| name.into());
        Error::input(place, format!("TOML syntax error: {}", e.message().trim()))
    })?;
    for o in overrides {
        set_path(&mut table, &o.path, o.value.clone())
            .map_err(|m| Error::input(format!("--set {}", o.text), m))?;
    }
    let scenario: Scenario =
        serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|e| {
            let path: Vec<String> = e.path().to_string().split('.').map(String::from).collect();
            let place = place_of(&source, overrides, &path);
            Error::input(place, clean_serde_message(&e.inner().to_string()))
        })?;
    if let Err((path, message)) = super::validate::validate(&scenario) {
        let path: Vec<String> = path.split('.').map(String::from).collect();
        return Err(Error::input(place_of(&source, overrides, &path), message));
    }
    Ok(scenario)
}

/// The place to name for a key: the `--set` that last wrote it, else the file line.
fn place_of(source: &Source, overrides: &[Override], path: &[String]) -> String {
    match overrides
        .iter()
        .rev()
        .find(|o| path.starts_with(&o.path) || o.path.starts_with(path))
    {
        Some(o) => format!("--set {}", o.text),
        None => source.at_key(path),
    }
}

fn clean_serde_message(m: &str) -> String {
    let m = m.trim();
    let m = m.strip_prefix("TOML parse error: ").unwrap_or(m);
    // toml appends a source excerpt after a newline for file-based errors; keep line one.
    m.lines().next().unwrap_or(m).to_string()
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
    }

    #[test]
    fn override_without_equals_is_an_error() {
        assert!(Override::parse("run.days").is_err());
        assert!(Override::parse("run..days=3").is_err());
    }
}
