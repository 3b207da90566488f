//! docs/SCENARIO.md documents every scenario key with its true default, and nothing else;
//! docs/OUTPUTS.md's column tables are generated from the code's, and name every summary
//! field; no Markdown link is broken and no file points outside the repository.

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

/// The keys of an entry of each list of tables, `list[].key`, with the defaults of an entry
/// (the default scenario's lists are empty, so the walk of its leaves does not see them).
fn list_entry_keys(out: &mut BTreeMap<String, toml::Value>) {
    use socsim::scenario::{CalendarEvent, Market};
    for (list, entry) in [
        (
            "markets[]",
            toml::Table::try_from(Market::default()).unwrap(),
        ),
        (
            "calendar.events[]",
            toml::Table::try_from(CalendarEvent::default()).unwrap(),
        ),
    ] {
        leaves(list, &entry, out);
    }
}

#[test]
fn every_key_is_documented_with_its_default() {
    let defaults: toml::Table = toml::from_str(&socsim::Scenario::default().to_toml()).unwrap();
    let mut keys = BTreeMap::new();
    leaves("", &defaults, &mut keys);
    list_entry_keys(&mut keys);
    // The lists themselves are documented too, with their default (empty).
    for list in ["markets", "calendar.events"] {
        assert!(keys.contains_key(list), "{list} is not a key of the schema");
    }
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

/// The meaning cell of the reference's row for `key`.
fn meaning(key: &str) -> String {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/SCENARIO.md"))
        .expect("docs/SCENARIO.md exists");
    let row = text
        .lines()
        .find(|l| l.starts_with(&format!("| `{key}` |")))
        .unwrap_or_else(|| panic!("{key} is not in docs/SCENARIO.md"));
    row.split('|').nth(3).unwrap().to_string()
}

#[test]
fn every_choice_of_a_named_key_is_documented_in_its_row() {
    use socsim::scenario::{Algorithm, GraphKind, ScandalKind, Shipping, TargetName, Targeting};
    for (key, names) in [
        ("cross_border.shipping", Shipping::NAMES),
        ("graph.kind", GraphKind::NAMES),
        ("recommendation.algorithm", Algorithm::NAMES),
        ("coupons.targeting", Targeting::NAMES),
        ("scandals.events", ScandalKind::NAMES),
        ("scandals.events", TargetName::NAMES),
    ] {
        let cell = meaning(key);
        for name in names {
            assert!(
                cell.contains(&format!("`\"{name}\"`")) || cell.contains(&format!("`{name}`")),
                "{key}: docs/SCENARIO.md does not name the choice {name:?}"
            );
        }
    }
}

fn outputs_doc() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/OUTPUTS.md"))
        .expect("docs/OUTPUTS.md exists")
}

/// The daily.csv table of docs/OUTPUTS.md, generated from the column table in
/// `src/metrics/daily.rs` (names, totals and definitions are written once, there).
fn generated_daily_table() -> String {
    let mut table = String::from("| column | total | definition |\n|---|---|---|\n");
    for (name, definition) in socsim::output::DAILY_ID_COLUMNS {
        table += &format!("| `{name}` |  | {definition} |\n");
    }
    for c in socsim::metrics::COLUMNS {
        let total = c.total.unwrap_or("");
        table += &format!("| `{}` | {total} | {} |\n", c.name, c.definition());
    }
    table
}

/// The markets.csv table of docs/OUTPUTS.md, generated from `MARKET_COLUMNS` in
/// `src/policy/markets.rs` (names and definitions are written once, there).
fn generated_markets_table() -> String {
    let mut table = String::from("| column | definition |\n|---|---|\n");
    for (name, definition) in socsim::policy::markets::MARKET_COLUMNS {
        table += &format!("| `{name}` | {definition} |\n");
    }
    table
}

/// Held while a test rewrites docs/OUTPUTS.md (tests run in parallel: two rewrites must not
/// read the same text and each write back its own change).
static OUTPUTS_REWRITE: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Compares the first table (`| column |` …, up to the next blank line) of the `## {file}`
/// section of docs/OUTPUTS.md with `table`; with `UPDATE_DOCS` set, writes `table` in its
/// place instead. Returns whether it checked (false: it wrote).
fn check_generated_table(file: &str, source: &str, table: &str) -> bool {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/OUTPUTS.md");
    let _rewrite = OUTPUTS_REWRITE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let doc = outputs_doc();
    let section = doc
        .find(&format!("\n## {file}\n"))
        .unwrap_or_else(|| panic!("OUTPUTS.md has a {file} section"));
    let start = section + doc[section..].find("\n| column |").expect("a table") + 1;
    let end = start
        + doc[start..]
            .find("\n\n")
            .expect("a blank line after the table")
        + 1;
    if std::env::var_os("UPDATE_DOCS").is_some() {
        // Written beside it and renamed into place, so that the tests reading it meanwhile
        // see the old text or the new one, never a part.
        let staged = format!("{path}.{}.tmp", file.replace('.', "_"));
        std::fs::write(&staged, format!("{}{table}{}", &doc[..start], &doc[end..])).unwrap();
        std::fs::rename(&staged, path).unwrap();
        return false;
    }
    assert!(
        doc[start..end] == *table,
        "the {file} table of docs/OUTPUTS.md differs from the column table in {source}; \
         rewrite it with UPDATE_DOCS=1 cargo test --release --test docs"
    );
    true
}

#[test]
fn the_daily_table_of_outputs_md_is_generated_from_the_column_table() {
    if !check_generated_table(
        "daily.csv",
        "src/metrics/daily.rs",
        &generated_daily_table(),
    ) {
        return;
    }
    // Every column of the row is in the table, in file order.
    let row = serde_json::to_value(socsim::metrics::DailyRow::default()).unwrap();
    let mut fields: Vec<&String> = row.as_object().unwrap().keys().collect();
    let mut names: Vec<&str> = socsim::metrics::COLUMNS.iter().map(|c| c.name).collect();
    fields.sort();
    names.sort();
    assert_eq!(fields, names);
}

#[test]
fn the_markets_table_of_outputs_md_is_generated_from_the_column_table() {
    // The column list names the file's columns, in file order (the CSV header of a row).
    let mut w = csv::Writer::from_writer(Vec::new());
    w.serialize(socsim::policy::markets::MarketRow::default())
        .unwrap();
    let bytes = w.into_inner().unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let names: Vec<&str> = socsim::policy::markets::MARKET_COLUMNS
        .iter()
        .map(|(name, _)| *name)
        .collect();
    assert_eq!(
        header, names,
        "MARKET_COLUMNS and the columns of markets.csv differ"
    );
    check_generated_table(
        "markets.csv",
        "src/policy/markets.rs (MARKET_COLUMNS)",
        &generated_markets_table(),
    );
}

/// The `| `prefix[].field` |` rows of docs/OUTPUTS.md: the fields it defines for the
/// objects of a summary.json array.
fn documented_entry_fields(prefix: &str) -> Vec<String> {
    let start = format!("| `{prefix}[].");
    outputs_doc()
        .lines()
        .filter_map(|l| l.strip_prefix(start.as_str()))
        .map(|rest| rest.split('`').next().unwrap().to_string())
        .collect()
}

#[test]
fn every_field_of_the_summary_arrays_is_defined_in_outputs_md() {
    // Arrays are not flattened (runs.csv leaves them out), so the test of the flattened
    // fields below does not see their objects' fields: each gets a row `markets[].field`.
    let market = serde_json::to_value(socsim::policy::markets::MarketSummary::default()).unwrap();
    let festival = serde_json::to_value(socsim::policy::calendar::FestivalSummary {
        name: String::new(),
        day: 0,
        days: 1,
        gmv: 0.0,
        mau: 0,
        gmv_per_mau: 0.0,
    })
    .unwrap();
    for (prefix, object) in [("markets", market), ("calendar", festival)] {
        let fields: Vec<String> = object.as_object().unwrap().keys().cloned().collect();
        let mut documented = documented_entry_fields(prefix);
        let mut sorted = fields.clone();
        sorted.sort();
        documented.sort();
        assert_eq!(
            documented, sorted,
            "docs/OUTPUTS.md's `{prefix}[].field` rows differ from the fields of summary.json's {prefix}"
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
        // Distribution and tail fields are documented once, under `exposure`.
        let generic = name
            .replacen("followers.", "exposure.", 1)
            .replacen("income.", "exposure.", 1)
            .replacen("graph.degree_tail.", "exposure.tail.", 1);
        let last = name.rsplit('.').next().unwrap();
        assert!(
            doc.contains(&format!("`{name}`"))
                || doc.contains(&format!("`{generic}`"))
                || doc.contains(&format!("`{last}`")),
            "summary.json field {name} is not named in docs/OUTPUTS.md"
        );
    }
}

/// The repository's root (the crate's folder).
fn repository_root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file of the repository, as paths relative to its root: the tree walked without
/// following symbolic links, leaving out build outputs (`target/`), run outputs (`outputs/`)
/// and hidden entries (`.git`, editors' files, socsim's staging folders).
fn repository_files() -> Vec<std::path::PathBuf> {
    fn walk(root: &std::path::Path, dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap())
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = dir.join(&name);
            if name.starts_with('.') || (dir.as_os_str().is_empty() && name == "outputs") {
                continue;
            }
            if dir.as_os_str().is_empty() && name == "target" {
                continue;
            }
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                walk(root, &path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&repository_root(), std::path::Path::new(""), &mut files);
    files
}

/// `line` with its inline code spans blanked out (a span that does not close is left as it is).
fn without_code_spans(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let run = chars[i..].iter().take_while(|&&c| c == '`').count();
        // The closing run: the next run of exactly `run` backticks.
        let mut j = i + run;
        let mut close = None;
        while j < chars.len() {
            if chars[j] == '`' {
                let n = chars[j..].iter().take_while(|&&c| c == '`').count();
                if n == run {
                    close = Some(j + n);
                    break;
                }
                j += n;
            } else {
                j += 1;
            }
        }
        match close {
            Some(end) => {
                out.push(' ');
                i = end;
            }
            None => {
                out.extend(&chars[i..i + run]);
                i += run;
            }
        }
    }
    out
}

/// The link destinations of a Markdown text, with their line numbers: inline links and
/// images `[text](destination)` and reference definitions `[label]: destination`, outside
/// fenced code blocks and inline code.
fn markdown_links(text: &str) -> Vec<(usize, String)> {
    let mut links = Vec::new();
    let mut fence: Option<&str> = None;
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        for marker in ["```", "~~~"] {
            if trimmed.starts_with(marker) {
                fence = match fence {
                    None => Some(marker),
                    Some(open) if open == marker => None,
                    other => other,
                };
            }
        }
        if fence.is_some() || trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            continue;
        }
        let line = without_code_spans(line);
        // A reference definition: `[label]: destination`.
        let t = line.trim_start();
        if t.starts_with('[')
            && let Some(end) = t.find("]:")
            && let Some(dest) = t[end + 2..].split_whitespace().next()
        {
            links.push((n + 1, dest.trim_matches(['<', '>']).to_string()));
        }
        // Inline links and images: `](destination)`, the destination up to the parenthesis
        // that closes it (nested pairs allowed) or up to a space before a title.
        let mut rest = line.as_str();
        while let Some(at) = rest.find("](") {
            let after = rest[at + 2..].trim_start();
            let dest = if let Some(inner) = after.strip_prefix('<') {
                inner.split('>').next().unwrap_or("").to_string()
            } else {
                let mut depth = 0;
                after
                    .chars()
                    .take_while(|&c| {
                        match c {
                            '(' => depth += 1,
                            ')' if depth == 0 => return false,
                            ')' => depth -= 1,
                            _ => {}
                        }
                        !c.is_whitespace()
                    })
                    .collect()
            };
            links.push((n + 1, dest));
            rest = &rest[at + 2..];
        }
    }
    links
}

/// `%XX` escapes decoded.
fn percent_decoded(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Why the link `dest` of the Markdown file `file` (relative to `root`) is broken, or `None`
/// when it is external (http, https, mailto), an anchor in the same file, or resolves to a
/// file or folder inside `root`.
fn broken_link(root: &std::path::Path, file: &std::path::Path, dest: &str) -> Option<String> {
    use std::path::Component;
    if ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| dest.to_ascii_lowercase().starts_with(scheme))
    {
        return None;
    }
    let path = dest.split(['#', '?']).next().unwrap();
    if path.is_empty() {
        return (!dest.starts_with('#')).then(|| "an empty link".to_string());
    }
    let path = percent_decoded(path);
    if path.starts_with('/') || path.contains(':') {
        return Some("not a relative link".into());
    }
    // Resolve lexically from the file's folder; a `..` above the root leaves the repository.
    let mut parts: Vec<std::ffi::OsString> = file
        .parent()
        .unwrap()
        .components()
        .map(|c| c.as_os_str().to_owned())
        .collect();
    for c in std::path::Path::new(&path).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if parts.pop().is_none() {
                    return Some("leaves the repository".into());
                }
            }
            Component::Normal(p) => parts.push(p.to_owned()),
            _ => return Some("not a relative link".into()),
        }
    }
    let target: std::path::PathBuf = parts.iter().collect();
    let full = root.join(&target);
    let Ok(real) = full.canonicalize() else {
        return Some(format!("{} does not exist", target.display()));
    };
    if !real.starts_with(root.canonicalize().unwrap()) {
        return Some(format!("{} leads outside the repository", target.display()));
    }
    None
}

#[test]
fn the_link_checker_tells_good_links_from_bad() {
    let root = repository_root();
    // A link out of the repository, built from pieces (the scan below looks for it).
    let outside = concat!("../", "shared", "/MODEL.md");
    let text = format!(
        "See [the model](MODEL.md#the-day-phase-by-phase), [home](../README.md), \
        [web](https://example.org/x), [mail](mailto:a@b.c) and [here](#sources).\n\
        [outside]({outside}), ![gone](missing.png), [abs](/etc/passwd).\n\
        `[code](../../nowhere)` is code, as is\n```\n[fenced](../../nowhere)\n```\n\
        [ref]: ../../away.md\n"
    );
    let links = markdown_links(&text);
    let dests: Vec<&str> = links.iter().map(|(_, d)| d.as_str()).collect();
    assert_eq!(
        dests,
        [
            "MODEL.md#the-day-phase-by-phase",
            "../README.md",
            "https://example.org/x",
            "mailto:a@b.c",
            "#sources",
            outside,
            "missing.png",
            "/etc/passwd",
            "../../away.md",
        ]
    );
    let file = std::path::Path::new("docs/SCENARIO.md");
    let verdicts: Vec<bool> = dests
        .iter()
        .map(|d| broken_link(&root, file, d).is_none())
        .collect();
    assert_eq!(
        verdicts,
        [true, true, true, true, true, false, false, false, false]
    );
    assert_eq!(
        broken_link(&root, std::path::Path::new("README.md"), outside).as_deref(),
        Some("leaves the repository")
    );
}

#[test]
fn every_relative_link_in_the_markdown_files_resolves_inside_the_repository() {
    let root = repository_root();
    let files: Vec<_> = repository_files()
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "md"))
        .collect();
    for expected in [
        "README.md",
        "ARCHITECTURE.md",
        "docs/MODEL.md",
        "docs/SOURCES.md",
    ] {
        assert!(
            files.iter().any(|f| f == std::path::Path::new(expected)),
            "{expected} is not among the Markdown files checked"
        );
    }
    let mut broken = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        for (line, dest) in markdown_links(&text) {
            if let Some(why) = broken_link(&root, file, &dest) {
                broken.push(format!("{} line {line}: ({dest}) {why}", file.display()));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn no_file_points_to_material_outside_the_repository() {
    // Built from pieces, so that this file does not contain what it looks for.
    let needles = [
        ["..", "/shared"].concat(),
        ["MODEL.md", " §"].concat(),
        ["seed", " 00"].concat(),
    ];
    let root = repository_root();
    let files = repository_files();
    for expected in [
        "README.md",
        "src/lib.rs",
        "scenarios/baseline.toml",
        "tests/docs.rs",
    ] {
        assert!(
            files.iter().any(|f| f == std::path::Path::new(expected)),
            "{expected} is not among the files checked"
        );
    }
    let mut found = Vec::new();
    for file in &files {
        let text = String::from_utf8_lossy(&std::fs::read(root.join(file)).unwrap()).into_owned();
        for (n, line) in text.lines().enumerate() {
            for needle in &needles {
                if line.contains(needle.as_str()) {
                    found.push(format!("{} line {}: {needle:?}", file.display(), n + 1));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "references to files that are not in the repository (cite docs/MODEL.md or \
         docs/SOURCES.md instead):\n{}",
        found.join("\n")
    );
}

/// `socsim keys` prints every key of the schema with its default, from the reference the
/// binary carries; a prefix narrows it, and a prefix nothing starts with is an error.
#[test]
fn socsim_keys_lists_every_key_with_its_default() {
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_socsim"))
            .args(args)
            .output()
            .unwrap()
    };
    let o = run(&["keys"]);
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    let printed: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with(' '))
        .filter_map(|l| l.split(" = ").next())
        .collect();
    let defaults: toml::Table = toml::from_str(&socsim::Scenario::default().to_toml()).unwrap();
    let mut keys = BTreeMap::new();
    leaves("", &defaults, &mut keys);
    for key in keys.keys() {
        assert!(printed.contains(&key.as_str()), "socsim keys misses {key}");
    }
    let o = run(&["keys", "behaviour.purchase_quality"]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.starts_with("behaviour.purchase_quality = 1.0\n    Coefficient"),
        "{text}"
    );
    assert_eq!(run(&["keys", "nope"]).status.code(), Some(2));
}

/// A run's datapackage.json describes each table with exactly its columns, in order, each
/// with a Table Schema type and a definition; the documented tables it reads its definitions
/// from name exactly the columns of their files.
#[test]
fn the_data_package_matches_the_tables() {
    let dir = std::env::temp_dir().join(format!("socsim-test-{}-datapackage", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_socsim"))
        .args(["run", "campus_takeaway", "-q", "--days", "5", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let package: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("datapackage.json")).unwrap())
            .unwrap();
    assert_eq!(package["profile"], "data-package");
    let types = ["string", "integer", "number", "boolean", "any"];
    let resources = package["resources"].as_array().unwrap();
    for r in resources.iter().filter(|r| r["format"] == "csv") {
        let path = r["path"].as_str().unwrap();
        let text = std::fs::read_to_string(dir.join(path)).unwrap();
        let header: Vec<&str> = text.lines().next().unwrap_or("").split(',').collect();
        let fields = r["schema"]["fields"].as_array().unwrap();
        let names: Vec<&str> = fields.iter().map(|f| f["name"].as_str().unwrap()).collect();
        assert_eq!(names, header, "{path}");
        for f in fields {
            assert!(types.contains(&f["type"].as_str().unwrap()), "{path}: {f}");
            assert!(
                !f["description"].as_str().unwrap().is_empty(),
                "{path}: {f}"
            );
        }
    }
    // A few types that must come out exactly.
    let field = |res: &str, name: &str| -> String {
        let r = resources.iter().find(|r| r["name"] == res).unwrap();
        let f = r["schema"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap();
        f["type"].as_str().unwrap().to_string()
    };
    assert_eq!(field("daily", "run_id"), "string");
    assert_eq!(field("daily", "orders"), "integer");
    assert_eq!(field("daily", "net_gmv"), "number");
    assert_eq!(field("creators", "exposure"), "integer");
    assert_eq!(field("survey", "chosen_price"), "boolean");
    assert_eq!(field("survey", "frequency"), "string");
    assert!(resources.iter().any(|r| r["path"] == "summary.json"));
    // The header survey.csv has without chats is the one it has with them.
    let header = std::fs::read_to_string(dir.join("survey.csv")).unwrap();
    assert_eq!(
        header.lines().next().unwrap(),
        socsim::policy::chats::SurveyRow::HEADER.join(",")
    );
    let _ = std::fs::remove_dir_all(&dir);
}
