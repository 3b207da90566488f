//! Data for other tools: the Parquet copies of the tables (`--parquet`, `socsim parquet`),
//! read back by the parquet crate's reader and by pyarrow, and the graph exports of
//! `socsim graph`, read by networkx.
//!
//! Python's pyarrow and networkx are installed by `scripts/test` where missing.

mod common;
use common::{socsim, stderr, temp_dir, write};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use std::path::Path;
use std::process::Command;

fn ok(args: &[&str]) {
    let o = socsim(args);
    assert!(o.status.success(), "socsim {args:?}: {}", stderr(&o));
}

/// Runs a Python program; fails the test with its output if it fails.
pub fn python(program: &str, args: &[&str]) -> String {
    let o = Command::new("python3")
        .arg("-c")
        .arg(program)
        .args(args)
        .output()
        .expect("python3 runs (scripts/test installs what the tests need)");
    assert!(
        o.status.success(),
        "python3 failed (scripts/test installs pyarrow and networkx where missing):\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Checks `NAME.parquet` holds exactly the cells of `NAME.csv` (numbers compared as numbers).
fn same_as_csv(dir: &Path, name: &str) {
    let mut reader = csv::Reader::from_path(dir.join(format!("{name}.csv"))).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let file = std::fs::File::open(dir.join(format!("{name}.parquet"))).unwrap();
    let parquet = SerializedFileReader::new(file).unwrap();
    let names: Vec<String> = parquet
        .metadata()
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    assert_eq!(names, header, "{name}: columns");
    let read: Vec<Vec<Field>> = parquet
        .get_row_iter(None)
        .unwrap()
        .map(|r| {
            r.unwrap()
                .get_column_iter()
                .map(|(_, f)| f.clone())
                .collect()
        })
        .collect();
    assert_eq!(read.len(), rows.len(), "{name}: rows");
    for (k, (csv_row, row)) in rows.iter().zip(&read).enumerate() {
        for ((cell, field), column) in csv_row.iter().zip(row).zip(&header) {
            let same = match field {
                Field::Null => cell.is_empty(),
                Field::Bool(b) => cell == &b.to_string(),
                Field::Long(x) => cell == &x.to_string(),
                Field::ULong(x) => cell == &x.to_string(),
                Field::Double(x) => cell.parse::<f64>().ok() == Some(*x),
                Field::Str(s) => cell == s,
                other => panic!("{name}: unexpected {other:?}"),
            };
            assert!(
                same,
                "{name} row {k} {column}: csv {cell:?}, parquet {field:?}"
            );
        }
    }
}

const TINY_SWEEP: &str = r#"
name = "tiny"
base = "baseline"
daily = true
replicates = 2
design = "grid"
[set]
run.days = 6
population.consumers = 600
population.creators = 40
population.hosts = 4
population.merchants = 30
[vary]
returns.window_days = [3, 7]
"#;

// Exact: every table of a run, a sweep (with its daily_long.csv), a merge and a comparison
// has a Parquet copy equal to it cell by cell, with a seed above 2^63 kept exact.
#[test]
fn parquet_copies_equal_their_csv_tables() {
    let dir = temp_dir("parquet");
    let run = dir.join("run");
    let run_s = run.to_str().unwrap();
    // A run with a seed above 2^63 − 1, with Parquet copies.
    let run_with_parquet = || {
        ok(&[
            "run",
            "--days",
            "8",
            "--set",
            "population.consumers=1500",
            "--seed",
            "18446744073709551615",
            "--parquet",
            "-q",
            "--out",
            run_s,
        ])
    };
    run_with_parquet();
    for t in ["daily", "creators", "positions", "markets", "survey"] {
        same_as_csv(&run, t);
    }
    // The seed column is UINT_64, exact.
    let seed = std::fs::File::open(run.join("daily.parquet")).unwrap();
    let row = SerializedFileReader::new(seed)
        .unwrap()
        .get_row_iter(None)
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    assert_eq!(
        row.get_column_iter().nth(1).unwrap().1,
        &Field::ULong(u64::MAX)
    );
    // A second run into the same folder without --parquet replaces the whole result.
    ok(&[
        "run",
        "--days",
        "3",
        "--set",
        "population.consumers=800",
        "-q",
        "--out",
        run_s,
    ]);
    assert!(!run.join("daily.parquet").exists());

    let sweep_file = write(&dir, "tiny.toml", TINY_SWEEP);
    let sweep = dir.join("sweep");
    let sweep_s = sweep.to_str().unwrap();
    ok(&[
        "sweep",
        &sweep_file,
        "--out",
        sweep_s,
        "--parquet",
        "-q",
        "--jobs",
        "2",
    ]);
    for t in ["runs", "runs_manifest", "daily_long"] {
        same_as_csv(&sweep, t);
    }
    // Resumed without --parquet: runs.csv is assembled again and its stale copy removed;
    // `socsim parquet` writes it again.
    ok(&["sweep", &sweep_file, "--out", sweep_s, "-q"]);
    assert!(!sweep.join("runs.parquet").exists());
    ok(&["parquet", sweep_s]);
    same_as_csv(&sweep, "runs");

    let shards = dir.join("sharded");
    let shards_s = shards.to_str().unwrap();
    for i in 0..2 {
        ok(&[
            "sweep",
            &sweep_file,
            "--out",
            shards_s,
            "--shard",
            &format!("{i}/2"),
            "-q",
        ]);
    }
    let merged = dir.join("merged");
    ok(&[
        "merge",
        shards_s,
        "--out",
        merged.to_str().unwrap(),
        "--parquet",
    ]);
    same_as_csv(&merged, "runs");

    let cmp = dir.join("cmp");
    ok(&[
        "compare",
        "baseline",
        "--variant",
        "short:returns.window_days=3",
        "--replicates",
        "2",
        "--days",
        "5",
        "--set",
        "population.consumers=600",
        "--parquet",
        "-q",
        "--out",
        cmp.to_str().unwrap(),
    ]);
    for t in ["compare", "compare_replicates"] {
        same_as_csv(&cmp, t);
    }

    // pyarrow, an independent reader, reads every copy with the CSV's rows and columns, the
    // exact seed, and the same net GMV total.
    let out = python(
        r#"
import csv, sys, pyarrow.parquet as pq
for d in sys.argv[1:]:
    import os
    for f in sorted(os.listdir(d)):
        if not f.endswith(".parquet"):
            continue
        t = pq.read_table(os.path.join(d, f))
        rows = list(csv.reader(open(os.path.join(d, f[:-8] + ".csv"))))
        assert t.column_names == rows[0], (f, t.column_names, rows[0])
        assert t.num_rows == len(rows) - 1, (f, t.num_rows, len(rows))
        print(f, t.num_rows)
"#,
        &[sweep_s, merged.to_str().unwrap(), cmp.to_str().unwrap()],
    );
    assert!(out.contains("runs.parquet"), "{out}");
    assert!(out.contains("compare_replicates.parquet"), "{out}");

    // The run again with --parquet, for the seed and a total read by pyarrow.
    run_with_parquet();
    let out = python(
        r#"
import csv, sys, pyarrow.parquet as pq
d = sys.argv[1]
t = pq.read_table(d + "/daily.parquet").to_pydict()
assert set(t["seed"]) == {18446744073709551615}, t["seed"][:3]
rows = list(csv.DictReader(open(d + "/daily.csv")))
assert abs(sum(t["net_gmv"]) - sum(float(r["net_gmv"]) for r in rows)) < 1e-6
print("ok")
"#,
        &[run_s],
    );
    assert_eq!(out.trim(), "ok");
}

// Bad input: `socsim parquet` on a folder socsim did not write names it and exits 2, writing
// nothing there.
#[test]
fn parquet_refuses_a_foreign_folder() {
    let dir = temp_dir("parquet-foreign");
    write(&dir, "mine.csv", "a,b\n1,2\n");
    let o = socsim(&["parquet", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains(dir.to_str().unwrap()), "{}", stderr(&o));
    assert!(!dir.join("mine.parquet").exists());
}

/// The graph export of campus_takeaway's world after `days` days, in `format`, into `out`.
fn export(out: &Path, format: &str, threads: &str) {
    ok(&[
        "graph",
        "campus_takeaway",
        "--days",
        "12",
        "--format",
        format,
        "--threads",
        threads,
        "-q",
        "--out",
        out.to_str().unwrap(),
    ]);
}

// Exact: networkx reads the GraphML and CSV exports and finds the run's own diagnostics
// (summary.json's graph: nodes, edges, components, average clustering and transitivity, to
// 1e-12), every account's in-degree in the follow graph equal to its followers in the run's
// creators.csv, and the DOT files hold one edge line an edge. The files are the same bytes on
// 1 thread and 2.
#[test]
fn graph_exports_are_read_by_networkx_and_agree_with_the_run() {
    let dir = temp_dir("graph");
    let run = dir.join("run");
    ok(&[
        "run",
        "campus_takeaway",
        "--days",
        "12",
        "-q",
        "--out",
        run.to_str().unwrap(),
    ]);
    for format in ["graphml", "dot", "csv"] {
        export(&dir.join(format), format, "2");
    }
    export(&dir.join("graphml-1"), "graphml", "1");
    for file in ["social.graphml", "follow.graphml"] {
        assert_eq!(
            std::fs::read(dir.join("graphml").join(file)).unwrap(),
            std::fs::read(dir.join("graphml-1").join(file)).unwrap(),
            "{file} differs between 1 and 2 threads"
        );
    }
    let out = python(
        r#"
import csv, json, sys
import networkx as nx
run, d = sys.argv[1], sys.argv[2]
s = json.load(open(run + "/summary.json"))["graph"]
followers = {int(r["id"]): int(r["followers"]) for r in csv.DictReader(open(run + "/creators.csv"))}

def check(G, F, what):
    assert G.number_of_nodes() == s["nodes"], (what, G.number_of_nodes(), s["nodes"])
    assert G.number_of_edges() == s["edges"], (what, G.number_of_edges(), s["edges"])
    assert nx.number_connected_components(G) == s["components"], what
    assert abs(nx.average_clustering(G) - s["average_clustering"]) < 1e-12, what
    assert abs(nx.transitivity(G) - s["transitivity"]) < 1e-12, what
    assert F == followers, (what, "in-degrees differ from creators.csv followers")
    print(what, "ok")

G = nx.read_graphml(d + "/graphml/social.graphml")
F = nx.read_graphml(d + "/graphml/follow.graphml")
assert F.is_directed() and not G.is_directed()
check(G, {a["id"]: F.in_degree(n) for n, a in F.nodes(data=True) if a["kind"] != "consumer"}, "graphml")

G = nx.Graph()
G.add_nodes_from(int(r["consumer"]) for r in csv.DictReader(open(d + "/csv/consumers.csv")))
G.add_edges_from((int(r["consumer_a"]), int(r["consumer_b"])) for r in csv.DictReader(open(d + "/csv/social_edges.csv")))
F = {int(r["account"]): 0 for r in csv.DictReader(open(d + "/csv/accounts.csv"))}
for r in csv.DictReader(open(d + "/csv/follow_edges.csv")):
    F[int(r["account"])] += 1
check(G, F, "csv")
"#,
        &[run.to_str().unwrap(), dir.to_str().unwrap()],
    );
    assert!(
        out.contains("graphml ok") && out.contains("csv ok"),
        "{out}"
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("summary.json")).unwrap()).unwrap();
    let lines = |file: &str, arrow: &str| {
        std::fs::read_to_string(dir.join("dot").join(file))
            .unwrap()
            .lines()
            .filter(|l| l.contains(arrow))
            .count() as u64
    };
    assert_eq!(
        lines("social.dot", " -- "),
        summary["graph"]["edges"].as_u64().unwrap()
    );
    let follows = std::fs::read_to_string(dir.join("csv/follow_edges.csv"))
        .unwrap()
        .lines()
        .count() as u64
        - 1;
    assert_eq!(lines("follow.dot", " -> "), follows);
}

// Bad input: a day past the run's end names --day and exits 2 before anything is written.
#[test]
fn graph_refuses_a_day_past_the_end() {
    let dir = temp_dir("graph-day");
    let out = dir.join("g");
    let o = socsim(&[
        "graph",
        "campus_takeaway",
        "--days",
        "5",
        "--day",
        "6",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--day 6"), "{}", stderr(&o));
    assert!(!out.exists());
}
