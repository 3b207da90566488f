//! `datapackage.json`: a Frictionless Data Package describing a run folder's tables (each a
//! tabular data resource) and its summary, so that a tool can read them with their types and
//! definitions.
//!
//! Generated, never written by hand: the `daily.csv` fields and their types come from the
//! column table of `metrics::COLUMNS` (the one the code fills), those of `markets.csv` from
//! `MARKET_COLUMNS`, and those of `creators.csv`, `positions.csv` and `survey.csv` from the
//! tables of docs/OUTPUTS.md compiled into the binary (a test keeps each equal to its file's
//! header), with types read off the written file.

use serde_json::{Value, json};
use std::path::Path;

const OUTPUTS: &str = include_str!("../../docs/OUTPUTS.md");

/// The `| `name` | … | definition |` rows of the first table under `## {file}` in
/// docs/OUTPUTS.md: (name, definition), one for each column a row names.
fn documented(file: &str) -> Vec<(String, String)> {
    let Some(start) = OUTPUTS.find(&format!("\n## {file}\n")) else {
        return Vec::new();
    };
    let section = &OUTPUTS[start + 1..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |e| e + 3)];
    section
        .lines()
        .skip_while(|l| !l.starts_with("| column |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .flat_map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").collect();
            let definition = cells.last().map_or("", |d| d.trim()).to_string();
            // A row may define several columns at once: `a`, `b`, `c`.
            let names = cells.first().map_or("", |n| n.trim());
            names
                .split(", ")
                .map(|n| (n.trim_matches('`').to_string(), definition.clone()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The Table Schema type of a column from its cells as socsim writes them: integers without
/// a decimal point, other numbers always with one (or an exponent), booleans `true`/`false`;
/// an empty cell is a missing value. `any` when every cell is empty.
pub(crate) fn inferred(cells: &[&str]) -> &'static str {
    let filled: Vec<&&str> = cells.iter().filter(|c| !c.is_empty()).collect();
    if filled.is_empty() {
        "any"
    } else if filled.iter().all(|c| **c == "true" || **c == "false") {
        "boolean"
    } else if filled
        .iter()
        .all(|c| c.parse::<i64>().is_ok() || c.parse::<u64>().is_ok())
    {
        "integer"
    } else if filled.iter().all(|c| c.parse::<f64>().is_ok()) {
        "number"
    } else {
        "string"
    }
}

/// The Table Schema type of a Rust field type named by the daily column table.
fn of_rust(ty: &str) -> &'static str {
    match ty {
        "f32" | "f64" => "number",
        "bool" => "boolean",
        "String" => "string",
        _ => "integer",
    }
}

fn field(name: &str, ty: &str, description: &str) -> Value {
    json!({"name": name, "type": ty, "description": description})
}

fn resource(name: &str, path: &str, description: &str, fields: Vec<Value>) -> Value {
    json!({
        "name": name,
        "path": path,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "description": description,
        "schema": {"fields": fields, "missingValues": [""]},
    })
}

/// A table of `dir` described by `definitions`, its types read off the file.
fn described(dir: &Path, file: &str, description: &str, definitions: &[(String, String)]) -> Value {
    let mut columns: Vec<Vec<String>> = vec![Vec::new(); definitions.len()];
    if let Ok(mut reader) = csv::Reader::from_path(dir.join(file)) {
        for record in reader.records().flatten() {
            for (k, cell) in record.iter().enumerate().take(columns.len()) {
                columns[k].push(cell.to_string());
            }
        }
    }
    let fields = definitions
        .iter()
        .zip(&columns)
        .map(|((name, definition), cells)| {
            let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
            field(name, inferred(&cells), definition)
        })
        .collect();
    let name = file.trim_end_matches(".csv");
    resource(name, file, description, fields)
}

/// The data package of the run folder `dir` (its tables already written), for run `run_id`.
pub fn run_package(dir: &Path, run_id: &str) -> Value {
    let mut daily: Vec<Value> = super::DAILY_ID_COLUMNS
        .iter()
        .map(|(name, definition)| {
            field(
                name,
                if *name == "seed" { "integer" } else { "string" },
                definition,
            )
        })
        .collect();
    daily.extend(
        crate::metrics::COLUMNS
            .iter()
            .map(|c| field(c.name, of_rust(c.kind), &c.definition())),
    );
    let markets: Vec<(String, String)> = crate::policy::markets::MARKET_COLUMNS
        .iter()
        .map(|(n, d)| (n.to_string(), d.to_string()))
        .collect();
    json!({
        "profile": "data-package",
        "name": format!("socsim-run-{}", run_id.to_lowercase()),
        "title": format!("socsim run {run_id}"),
        "description": "The tables of one socsim run; every column is defined in docs/OUTPUTS.md. \
                        An empty cell is a missing value.",
        "resources": [
            resource("daily", "daily.csv", "One row a day.", daily),
            described(dir, "creators.csv", "One row a creator or host.", &documented("creators.csv")),
            described(dir, "positions.csv", "Engagement by feed position: one row a day and position.", &documented("positions.csv")),
            described(dir, "markets.csv", "One row a day and market.", &markets),
            described(dir, "survey.csv", "The campus questionnaire: one row a consumer when there are group chats.", &documented("survey.csv")),
            {
                "name": "summary",
                "path": "summary.json",
                "format": "json",
                "mediatype": "application/json",
                "description": "Totals, rates, distributions, event studies; every field is defined in docs/OUTPUTS.md.",
            },
        ],
    })
}
