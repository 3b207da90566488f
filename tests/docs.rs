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
