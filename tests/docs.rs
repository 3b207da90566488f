//! docs/SCENARIO.md documents every scenario key with its true default, and nothing else.

use std::collections::BTreeMap;

/// Leaf key paths of a TOML table with their values.
fn leaves(prefix: &str, table: &toml::Table, out: &mut BTreeMap<String, toml::Value>) {
    for (k, v) in table {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => leaves(&path, t, out),
            other => {
                out.insert(path, other.clone());
            }
        }
    }
}

/// `| `key.path` | `default` | meaning |` rows of the reference.
fn documented() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/SCENARIO.md"))
        .expect("docs/SCENARIO.md exists");
    let mut rows = BTreeMap::new();
    for line in text.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let key = cells[1].trim_matches('`').to_string();
        let default = cells[2].trim_matches('`').to_string();
        assert!(
            rows.insert(key.clone(), default).is_none(),
            "{key} is documented twice"
        );
    }
    rows
}

#[test]
fn every_key_is_documented_with_its_default() {
    let defaults: toml::Table = toml::from_str(&socsim::Scenario::default().to_toml()).unwrap();
    let mut keys = BTreeMap::new();
    leaves("", &defaults, &mut keys);
    let docs = documented();
    for (key, value) in &keys {
        let cell = docs
            .get(key)
            .unwrap_or_else(|| panic!("{key} is not in docs/SCENARIO.md"));
        let parsed: toml::Table = toml::from_str(&format!("v = {cell}"))
            .unwrap_or_else(|e| panic!("{key}: default cell {cell:?} is not a TOML value: {e}"));
        assert_eq!(
            &parsed["v"], value,
            "{key}: docs say {cell}, the schema says {value}"
        );
    }
    for key in docs.keys() {
        assert!(
            keys.contains_key(key),
            "docs/SCENARIO.md documents {key}, which does not exist"
        );
    }
}

fn outputs_doc() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/OUTPUTS.md"))
        .expect("docs/OUTPUTS.md exists")
}

#[test]
fn every_daily_column_is_defined_in_outputs_md() {
    let doc = outputs_doc();
    let row = serde_json::to_value(socsim::metrics::DailyRow::default()).unwrap();
    for column in row.as_object().unwrap().keys() {
        assert!(
            doc.contains(&format!("| `{column}` |")),
            "daily.csv column {column} has no row in docs/OUTPUTS.md"
        );
    }
}

#[test]
fn every_summary_field_is_named_in_outputs_md() {
    let doc = outputs_doc();
    let s = socsim::scenario::parse_scenario(
        "t",
        "[run]\ndays = 2\n[population]\nconsumers = 50\ncreators = 5\nhosts = 1\nmerchants = 5\n",
        &[],
    )
    .unwrap();
    let mut sim = socsim::Simulation::new(&s).unwrap();
    sim.run(|_| {});
    for (name, _) in socsim::experiment::metrics::flatten(&sim.finish().summary) {
        // Distribution fields are documented once for the three distributions.
        let generic =
            name.replacen("followers.", "exposure.", 1)
                .replacen("income.", "exposure.", 1);
        let last = name.rsplit('.').next().unwrap();
        assert!(
            doc.contains(&format!("`{name}`"))
                || doc.contains(&format!("`{generic}`"))
                || doc.contains(&format!("`{last}`")),
            "summary.json field {name} is not named in docs/OUTPUTS.md"
        );
    }
}
