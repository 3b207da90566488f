//! Error messages point at the right place, in the reference's words: file sizes, edge-list
//! lines, arrays of tables, flags as typed, no Rust type names, built-in names.
//! Every failure: exit code 2, one line on stderr, and no output folder.

mod common;
use common::*;
use std::path::Path;
use std::process::{Command, Output};

/// Words of Rust and serde that must never reach a user.
const RUST_WORDS: &[&str] = &[
    "u32",
    "u64",
    "i64",
    "i128",
    "f64",
    "struct",
    "enum ",
    "untagged",
    "variant",
    "floating point",
    "sequence",
    "invalid type",
    "ScandalTarget",
];

/// Runs socsim in `cwd` (the test folder when `None`).
fn socsim_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_socsim"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("socsim runs")
}

/// Runs `socsim ARGS --out DIR/out` in `dir` (for `run`, `sweep`) or `socsim ARGS` (for
/// `validate`), checks exit code 2, one line on stderr, no Rust words and no output folder;
/// returns the line.
fn fails_in(dir: &Path, args: &[&str]) -> String {
    let out = dir.join("out");
    let mut all: Vec<&str> = args.to_vec();
    if matches!(args[0], "run" | "sweep") {
        all.extend(["--out", out.to_str().unwrap()]);
    }
    let o = socsim_in(dir, &all);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: stderr {err}");
    assert!(!out.exists(), "{args:?}: an output folder was created");
    assert!(
        !dir.join("outputs").exists(),
        "{args:?}: an outputs folder was created"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    for w in RUST_WORDS {
        assert!(!err.contains(w), "{args:?}: {w:?} in {err}");
    }
    err.trim_end().to_string()
}

/// `fails_in` for `run` and `validate` of a scenario file with `text`.
fn scenario_fails(name: &str, text: &str, extra: &[&str]) -> String {
    let dir = temp_dir(name);
    let file = write(&dir, "s.toml", text);
    let mut e = String::new();
    for command in ["run", "validate"] {
        let mut args = vec![command, file.as_str()];
        args.extend_from_slice(extra);
        let m = fails_in(&dir, &args);
        if command == "validate" {
            assert_eq!(m, e, "run and validate differ");
        }
        e = m;
    }
    e
}

fn tiny(graph: &str) -> String {
    format!(
        "[run]\ndays = 2\n[population]\nconsumers = 50\ncreators = 10\nhosts = 2\nmerchants = 10\n{graph}"
    )
}

fn edge_list(path: &str) -> String {
    tiny(&format!("[graph]\nkind = \"edge_list\"\npath = {path:?}\n"))
}

// Item 11: sizes.

#[test]
fn a_device_or_a_huge_scenario_file_is_refused_by_size() {
    let dir = temp_dir("msg-size");
    let e = fails_in(&dir, &["run", "/dev/zero"]);
    assert_eq!(
        e,
        "error: /dev/zero: the scenario file is larger than 1 MiB, the most a scenario file may hold"
    );
    let big = write(&dir, "big.toml", &"# padding\n".repeat(110_000));
    let e = fails_in(&dir, &["validate", &big]);
    assert!(
        e.contains("big.toml") && e.contains("larger than 1 MiB"),
        "{e}"
    );
    let e = fails_in(&dir, &["sweep", "/dev/zero"]);
    assert!(
        e.contains("/dev/zero") && e.contains("the sweep file is larger than 1 MiB"),
        "{e}"
    );
}

#[test]
fn a_device_or_an_overlong_line_as_edge_list_names_file_and_line() {
    let e = scenario_fails("msg-edges-zero", &edge_list("/dev/zero"), &[]);
    assert!(
        e.contains("s.toml line 10, graph.path: /dev/zero line 1:")
            && e.contains("longer than 4096 bytes"),
        "{e}"
    );
    let dir = temp_dir("msg-edges-long");
    let edges = write(
        &dir,
        "edges.csv",
        &format!("0,1\n# {}\n1,2\n", "x".repeat(5000)),
    );
    let e = scenario_fails("msg-edges-long-s", &edge_list(&edges), &[]);
    assert!(
        e.contains("edges.csv line 2") && e.contains("longer than 4096 bytes"),
        "{e}"
    );
}

// Item 12: places.

#[test]
fn errors_in_the_nth_scandal_event_name_its_line() {
    let event = "[[scandals.events]]\nday = 1\nkind = \"host\"\ntarget = \"top\"\nseverity = 0.5\n";
    let second = |key: &str, value: &str| {
        let mut text = tiny(event);
        text.push_str(&event.replace(
            &format!("{key} = {}", value_of(event, key)),
            &format!("{key} = {value}"),
        ));
        text
    };
    // Lines 1–7 the world, 8–12 the first event, 13–17 the second.
    let e = scenario_fails("msg-ev-type", &second("severity", "\"high\""), &[]);
    assert!(
        e.contains("s.toml line 17, scandals.events.1.severity: expected a number"),
        "{e}"
    );
    let e = scenario_fails("msg-ev-target", &second("target", "1.5"), &[]);
    assert!(
        e.contains("s.toml line 16, scandals.events.1.target: "),
        "{e}"
    );
    let e = scenario_fails("msg-ev-range", &second("severity", "2.0"), &[]);
    assert!(
        e.contains("s.toml line 17, scandals.events.1.severity: ") && e.contains("[0, 1]"),
        "{e}"
    );
    let mut text = tiny(event);
    text.push_str(event);
    text.push_str("weight = 1.0\n");
    let e = scenario_fails("msg-ev-unknown", &text, &[]);
    assert!(
        e.contains("s.toml line 18, scandals.events.1.weight: unknown field"),
        "{e}"
    );
}

fn value_of<'a>(text: &'a str, key: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key} = ")))
        .unwrap()
}

#[test]
fn a_section_given_a_wrong_type_gets_a_line() {
    let e = scenario_fails("msg-run-list", "# a comment\nrun = [1, 2]\n", &[]);
    assert_eq!(
        e,
        format!(
            "error: {} line 2, run: expected a section ([run] with its keys on the lines below), found a list",
            temp_dir_path("msg-run-list").join("s.toml").display()
        )
    );
}

fn temp_dir_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("socsim-test-{}-{name}", std::process::id()))
}

#[test]
fn flags_are_named_as_typed() {
    let e = scenario_fails("msg-days", &tiny(""), &["--days", "0"]);
    assert!(e.starts_with("error: --days 0: "), "{e}");
    assert!(!e.contains("--set"), "{e}");
    let e = scenario_fails("msg-days-big", &tiny(""), &["--days", "100001"]);
    assert!(e.starts_with("error: --days 100001: "), "{e}");
    // The value of --set is named as typed too; --seed comes after every --set.
    let e = scenario_fails("msg-seed-set", &tiny(""), &["--set", "run.seed=x"]);
    assert!(
        e.starts_with("error: --set run.seed=x: expected a whole number"),
        "{e}"
    );
    let dir = temp_dir("msg-seed-last");
    let file = write(&dir, "s.toml", &tiny(""));
    let o = socsim(&["validate", &file, "--set", "run.seed=x", "--seed", "5"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

// Item 13: no Rust type names; every u64 seed.

#[test]
fn wrong_values_are_explained_without_rust_type_names() {
    for (name, text, expected) in [
        (
            "msg-1e5",
            "[population]\nconsumers = 1e5\n",
            "line 2, population.consumers: expected a whole number ≥ 0, found the decimal number 100000.0",
        ),
        (
            "msg-neg",
            "[population]\nconsumers = -1\n",
            "line 2, population.consumers: expected a whole number ≥ 0, found -1",
        ),
        (
            "msg-seed-x",
            "[run]\nseed = \"x\"\n",
            "line 2, run.seed: expected a whole number from 0 to 18446744073709551615",
        ),
        (
            "msg-bool",
            "[returns]\nfree_returns = \"yes\"\n",
            "line 2, returns.free_returns: expected true or false, found the text \"yes\"",
        ),
        (
            "msg-target",
            "[[scandals.events]]\nday = 3\nkind = \"host\"\ntarget = \"top\"\nseverity = 0.5\n\n[[scandals.events]]\nday = 3\nkind = \"host\"\ntarget = { id = 1 }\nseverity = 0.5\n",
            "line 10, scandals.events.1.target: expected \"top\", \"random\", or an id",
        ),
        (
            "msg-huge",
            "[population]\nconsumers = 99999999999999999999\n",
            "line 2: 99999999999999999999 is outside the whole numbers TOML can hold",
        ),
    ] {
        let e = scenario_fails(name, text, &[]);
        assert!(e.contains(expected), "{name}: {e}");
    }
}

#[test]
fn every_u64_seed_is_accepted_and_round_trips() {
    let dir = temp_dir("msg-seed-max");
    let file = write(&dir, "s.toml", &tiny(""));
    let o = socsim(&["validate", &file, "--seed", "18446744073709551615"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let resolved = String::from_utf8(o.stdout).unwrap();
    assert!(
        resolved.contains("seed = \"18446744073709551615\"\n"),
        "{resolved}"
    );
    let again = write(&dir, "resolved.toml", &resolved);
    let o = socsim(&["validate", &again]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(String::from_utf8(o.stdout).unwrap(), resolved);
    // A run with it records the seed and the resolved scenario in its manifest.
    let out = dir.join("out");
    let o = socsim(&[
        "run",
        &file,
        "-q",
        "--seed",
        "18446744073709551615",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["seed"].as_u64(), Some(u64::MAX));
    assert_eq!(manifest["scenario"].as_str(), Some(resolved.as_str()));
    // A --seed beyond the range is refused by the argument parser, in the same words.
    let o = socsim(&["validate", &file, "--seed", "18446744073709551616"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("expected a whole number from 0 to 18446744073709551615"),
        "{}",
        stderr(&o)
    );
    // The largest TOML integer is still written as an integer.
    let o = socsim(&["validate", &file, "--seed", "9223372036854775807"]);
    assert!(
        String::from_utf8(o.stdout)
            .unwrap()
            .contains("seed = 9223372036854775807\n")
    );
}

// Item 14: validate checks what run checks.

#[test]
fn validate_reads_the_edge_list() {
    let e = scenario_fails("msg-val-missing", &edge_list("/nonexistent/edges.csv"), &[]);
    assert!(
        e.contains("s.toml line 10, graph.path: cannot read /nonexistent/edges.csv"),
        "{e}"
    );
    let dir = temp_dir("msg-val-broken");
    let edges = write(&dir, "edges.csv", "0,1\n1;2\n");
    let e = scenario_fails("msg-val-broken-s", &edge_list(&edges), &[]);
    assert!(
        e.contains("edges.csv line 2: expected two consumer ids"),
        "{e}"
    );
    let e = scenario_fails("msg-val-folder", &edge_list(dir.to_str().unwrap()), &[]);
    assert!(e.contains("it is a folder"), "{e}");
    let edges = write(&dir, "range.csv", "0,1\n1,50\n");
    let e = scenario_fails("msg-val-range", &edge_list(&edges), &[]);
    assert!(
        e.contains("range.csv line 2: consumer id 50 is out of range"),
        "{e}"
    );
}

#[test]
fn a_communities_file_is_checked_before_work_starts() {
    let dir = temp_dir("msg-communities");
    let given = |text: &str| {
        let file = write(&dir, "communities.csv", text);
        tiny(&format!("[graph]\ncommunities = {file:?}\n"))
    };
    let e = scenario_fails(
        "msg-comm-missing",
        &tiny("[graph]\ncommunities = \"/nonexistent/c.csv\"\n"),
        &[],
    );
    assert!(
        e.contains("graph.communities: cannot read /nonexistent/c.csv"),
        "{e}"
    );
    let e = scenario_fails("msg-comm-two", &given("0,1\n0,2\n"), &[]);
    assert!(
        e.contains("graph.communities: ")
            && e.contains("communities.csv line 2: consumer 0 is given community 2"),
        "{e}"
    );
    let e = scenario_fails("msg-comm-none", &given("0,1\n"), &[]);
    assert!(e.contains("consumer 1 has no community"), "{e}");
}

#[test]
fn byte_order_marks_are_accepted() {
    let dir = temp_dir("msg-bom");
    let edges = write(&dir, "edges.csv", "\u{feff}source,target\n0,1\n1,2\n2,3\n");
    let file = write(&dir, "s.toml", &format!("\u{feff}{}", edge_list(&edges)));
    let o = socsim(&["validate", &file]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.join("out");
    let o = socsim(&["run", &file, "-q", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn a_sweep_name_is_checked_like_run_name() {
    let dir = temp_dir("msg-sweep-name");
    for name in ["../escape", "", ".hidden", "a/b"] {
        let file = write(
            &dir,
            "sweep.toml",
            &format!("# a sweep\nname = {name:?}\nbase = \"baseline\"\n[vary]\nrun.days = [1]\n"),
        );
        let e = fails_in(&dir, &["sweep", &file]);
        assert!(
            e.contains("sweep.toml line 2, name: ") && e.contains("names the output folder"),
            "{e}"
        );
    }
}

#[test]
fn sweep_errors_name_the_sweep_line_not_a_set_flag() {
    let dir = temp_dir("msg-sweep-set");
    let file = write(
        &dir,
        "sweep.toml",
        "base = \"baseline\"\n[set]\nrun.days = 0\n[vary]\nhosts.discount = [0.1]\n",
    );
    let e = fails_in(&dir, &["sweep", &file]);
    assert!(
        e.contains("sweep.toml line 3, set.run.days: 0 is too small"),
        "{e}"
    );
    assert!(!e.contains("--set"), "{e}");
    // An error of the base scenario names the base's line, after the sweep line.
    let base = write(&dir, "base.toml", "[behaviour]\nfollow_prob = 2.0\n");
    let file = write(
        &dir,
        "sweep.toml",
        &format!("base = {base:?}\n[vary]\nhosts.discount = [0.1]\n"),
    );
    let e = fails_in(&dir, &["sweep", &file]);
    assert!(
        e.contains("sweep.toml line 1, base: ")
            && e.contains("base.toml line 2, behaviour.follow_prob"),
        "{e}"
    );
}

// Item 15: built-in names.

#[test]
fn a_misspelt_built_in_name_gets_a_suggestion() {
    let dir = temp_dir("msg-misspelt");
    let e = fails_in(&dir, &["run", "basline"]);
    assert_eq!(
        e,
        "error: basline: not a file, and not a built-in scenario; did you mean `baseline`? (socsim list)"
    );
    let e = fails_in(&dir, &["validate", "rec_bandits"]);
    assert!(e.contains("did you mean `rec_bandit`?"), "{e}");
    let e = fails_in(&dir, &["validate", "nothing_like_any"]);
    assert_eq!(
        e,
        "error: nothing_like_any: not a file, and not a built-in scenario (socsim list names them)"
    );
    let sweep = write(
        &dir,
        "sweep.toml",
        "base = \"bench1m\"\n[vary]\nrun.days = [1]\n",
    );
    let e = fails_in(&dir, &["sweep", &sweep]);
    assert!(
        e.contains("sweep.toml line 1, base: ") && e.contains("did you mean `bench_1m`?"),
        "{e}"
    );
}

#[test]
fn a_folder_does_not_hide_a_built_in_scenario_but_a_file_does() {
    let dir = temp_dir("msg-folder");
    std::fs::create_dir_all(dir.join("baseline")).unwrap();
    let o = socsim_in(&dir, &["validate", "baseline"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        String::from_utf8(o.stdout)
            .unwrap()
            .contains("name = \"baseline\"")
    );
    std::fs::create_dir_all(dir.join("mine")).unwrap();
    let e = fails_in(&dir, &["run", "mine"]);
    assert!(e.contains("mine: a folder, not a scenario file"), "{e}");
    // A regular file of a built-in's name wins.
    let file = temp_dir("msg-file-wins");
    write(&file, "baseline", "[run]\nname = \"mine\"\n");
    let o = socsim_in(&file, &["validate", "baseline"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        String::from_utf8(o.stdout)
            .unwrap()
            .contains("name = \"mine\"")
    );
}

/// Exit code 2 and one line (these messages name `--variant`, so `fails_in`'s list of
/// Rust words does not apply).
fn one_line(args: &[&str]) -> String {
    let o = socsim(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    err
}

#[test]
fn a_variants_error_names_the_variant_not_a_set() {
    let e = one_line(&[
        "compare",
        "baseline",
        "--variant",
        "a:returns.window_days=-1",
        "--replicates",
        "2",
    ]);
    assert!(
        e.starts_with("error: --variant a:returns.window_days=-1: "),
        "{e}"
    );
    assert!(!e.contains("--set"), "{e}");
}

#[test]
fn command_line_mistakes_get_one_line() {
    for args in [
        &["run", "--seed", "x"][..],
        &["run", "--bogus"],
        &["compare", "baseline"],
        &["frobnicate"],
    ] {
        let e = one_line(args);
        assert!(e.contains("--help"), "{args:?}: {e}");
    }
}
