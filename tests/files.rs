//! The user's files are never lost: every command that writes checks its output folder
//! before any work, recognises its own folders by their marker, locks them, and writes
//! every file atomically. Each test is a reproducer of a way results were once lost.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A tiny world: runs in a fraction of a second.
const S: [&str; 10] = [
    "--set",
    "population.consumers=2000",
    "--set",
    "population.creators=80",
    "--set",
    "population.hosts=5",
    "--set",
    "population.merchants=60",
    "--days",
    "10",
];

fn run_into(out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["run", "-q", "--out", out.to_str().unwrap()];
    args.extend_from_slice(&S);
    args.extend_from_slice(extra);
    socsim(&args)
}

/// Every file under `dir` with its bytes, sorted by path.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// Refused with exit code 2 and one line that says `needle`.
fn refused(o: &Output, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "expected exit 2, stderr: {err}");
    assert_eq!(err.trim().lines().count(), 1, "one line expected: {err}");
    assert!(err.contains(needle), "expected {needle:?} in: {err}");
}

/// Nothing but `keep` is in `parent`: no staging, lock or temporary file was left.
fn only(parent: &Path, keep: &[&str]) {
    let mut names: Vec<String> = std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut keep: Vec<String> = keep.iter().map(|s| s.to_string()).collect();
    keep.sort();
    assert_eq!(names, keep, "in {}", parent.display());
}

fn sweep_file(dir: &Path, name: &str, values: &str) -> String {
    write(
        dir,
        &format!("{name}.toml"),
        &format!(
            "name = \"{name}\"\nbase = \"baseline\"\nreplicates = 2\n[set]\nrun.days = 5\n\
             population.consumers = 1000\npopulation.creators = 40\npopulation.hosts = 4\n\
             population.merchants = 30\n[vary]\nbehaviour.follow_prob = {values}\n"
        ),
    )
}

#[test]
fn run_refuses_a_sweep_folder_and_leaves_it_whole() {
    let dir = temp_dir("files-sweep");
    let file = sweep_file(&dir, "tiny", "[0.02, 0.05]");
    let sweep = dir.join("mysweep");
    let o = socsim(&["sweep", &file, "-q", "--out", sweep.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = snapshot(&sweep);
    refused(&run_into(&sweep, &[]), "holds a sweep");
    assert_eq!(snapshot(&sweep), before);
    only(&dir, &["tiny.toml", "mysweep"]);
}

#[test]
fn run_refuses_a_foreign_folder_with_a_manifest() {
    let dir = temp_dir("files-foreign");
    let ext = dir.join("ext");
    std::fs::create_dir_all(ext.join("src")).unwrap();
    std::fs::write(ext.join("manifest.json"), "{}").unwrap();
    std::fs::write(ext.join("src/a.js"), "x").unwrap();
    let before = snapshot(&ext);
    refused(&run_into(&ext, &[]), "not written by socsim");
    assert_eq!(snapshot(&ext), before);
    only(&dir, &["ext"]);
}

#[test]
fn a_run_replaces_its_own_result_but_never_a_users_file_in_it() {
    let dir = temp_dir("files-notebook");
    let out = dir.join("r");
    assert!(run_into(&out, &[]).status.success());
    // Replacing an earlier result that holds only its own files works.
    let o = run_into(&out, &["--seed", "7"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join(".socsim-output").is_file());
    // A notebook left in the folder blocks the replacement, and survives.
    std::fs::write(out.join("analysis.ipynb"), "{\"cells\": []}").unwrap();
    let before = snapshot(&out);
    refused(&run_into(&out, &["--seed", "8"]), "analysis.ipynb");
    assert_eq!(snapshot(&out), before);
    only(&dir, &["r"]);
}

#[test]
fn out_dot_and_out_sub_dotdot_are_refused_inside_a_run_folder() {
    let dir = temp_dir("files-dot");
    let out = dir.join("r");
    assert!(run_into(&out, &[]).status.success());
    std::fs::create_dir(out.join("sub")).ok();
    let before = snapshot(&out);
    for target in [".", "sub/..", "./"] {
        let mut args = vec!["run", "-q", "--out", target];
        args.extend_from_slice(&S);
        let o = Command::new(env!("CARGO_BIN_EXE_socsim"))
            .args(&args)
            .current_dir(&out)
            .output()
            .unwrap();
        refused(&o, "current folder");
        assert_eq!(snapshot(&out), before, "--out {target}");
    }
    only(&dir, &["r"]);
}

#[test]
fn merge_and_compare_refuse_foreign_folders() {
    let dir = temp_dir("files-merge");
    let file = sweep_file(&dir, "tiny", "[0.02, 0.05]");
    let sweep = dir.join("sw");
    for shard in ["0/2", "1/2"] {
        let o = socsim(&[
            "sweep",
            &file,
            "-q",
            "--shard",
            shard,
            "--out",
            sweep.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let foreign = dir.join("mine");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("runs.csv"), "my,own\n1,2\n").unwrap();
    std::fs::write(foreign.join("manifest.json"), "{}").unwrap();
    let before = snapshot(&foreign);
    let shard0 = sweep.join("shard-0-of-2");
    let shard_before = snapshot(&shard0);

    let o = socsim(&[
        "merge",
        sweep.to_str().unwrap(),
        "--out",
        foreign.to_str().unwrap(),
    ]);
    refused(&o, "not written by socsim");
    // Merging into a shard folder would make it unresumable.
    let o = socsim(&[
        "merge",
        sweep.to_str().unwrap(),
        "--out",
        shard0.to_str().unwrap(),
    ]);
    refused(&o, "holds a sweep");
    let mut args = vec![
        "compare",
        "baseline",
        "--variant",
        "a:returns.free_returns=true",
    ];
    args.extend_from_slice(&[
        "--replicates",
        "2",
        "-q",
        "--out",
        foreign.to_str().unwrap(),
    ]);
    args.extend_from_slice(&S);
    refused(&socsim(&args), "not written by socsim");
    assert_eq!(snapshot(&foreign), before);
    assert_eq!(snapshot(&shard0), shard_before);

    // Into a new folder both work, and can replace their own results.
    let merged = dir.join("merged");
    for _ in 0..2 {
        let o = socsim(&[
            "merge",
            sweep.to_str().unwrap(),
            "--out",
            merged.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    assert!(merged.join("runs.csv").is_file());
    only(&dir, &["tiny.toml", "sw", "mine", "merged"]);
}

#[test]
fn compare_refuses_two_variants_of_one_name() {
    let dir = temp_dir("files-dupe");
    let out = dir.join("c");
    let mut args = vec!["compare", "baseline", "--replicates", "2", "-q"];
    args.extend_from_slice(&["--variant", "a:returns.free_returns=true"]);
    args.extend_from_slice(&["--variant", "a:returns.window_days=3"]);
    args.extend_from_slice(&["--out", out.to_str().unwrap()]);
    args.extend_from_slice(&S);
    refused(&socsim(&args), "already named \"a\"");
    assert!(!out.exists());
}

/// Starts a slow run into `out` and waits until it has taken the folder (its staging
/// folder exists).
fn start_slow_run(out: &Path) -> std::process::Child {
    let mut args = vec!["run", "-q", "--out", out.to_str().unwrap()];
    args.extend_from_slice(&["--set", "population.consumers=200000", "--days", "400"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_socsim"))
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let name = out.file_name().unwrap().to_string_lossy();
    let staging = out.with_file_name(format!(".{name}.socsim-partial"));
    for _ in 0..600 {
        if staging.is_dir() {
            return child;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the slow run never took {}", out.display());
}

#[test]
fn a_second_writer_of_the_same_folder_stops_at_once() {
    let dir = temp_dir("files-lock");
    let out = dir.join("r");
    let mut first = start_slow_run(&out);
    refused(&run_into(&out, &[]), "another socsim process");
    let file = sweep_file(&dir, "tiny", "[0.02, 0.05]");
    refused(
        &socsim(&["sweep", &file, "-q", "--out", out.to_str().unwrap()]),
        "another socsim process",
    );
    first.kill().unwrap();
    first.wait().unwrap();
    // Killed, it left no folder that looks finished; the next run cleans up after it.
    assert!(!out.exists());
    assert!(run_into(&out, &[]).status.success());
    only(&dir, &["tiny.toml", "r"]);
}

#[test]
fn two_different_sweeps_never_share_a_folder() {
    let dir = temp_dir("files-sweeps");
    let a = sweep_file(&dir, "a", "[0.02, 0.05]");
    let b = sweep_file(&dir, "b", "[0.03, 0.04]");
    let out = dir.join("sw");
    let o = socsim(&["sweep", &a, "-q", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = snapshot(&out);
    refused(
        &socsim(&["sweep", &b, "-q", "--out", out.to_str().unwrap()]),
        "different sweep",
    );
    assert_eq!(snapshot(&out), before);
}

#[test]
fn unwritable_places_are_refused_before_the_simulation() {
    let dir = temp_dir("files-place");
    // A parent that cannot be created: /proc refuses new folders to everyone.
    let o = socsim(&["run", "bench_1m", "--out", "/proc/socsim-test/out"]);
    refused(&o, "/proc");
    assert!(!stderr(&o).contains("day"), "it simulated first");
    // A folder name over the limit, given or made from run.name.
    let long = dir.join("x".repeat(245));
    refused(&run_into(&long, &[]), "at most 239");
    let name = format!("run.name={}", "n".repeat(256));
    let o = Command::new(env!("CARGO_BIN_EXE_socsim"))
        .args(["run", "-q", "--set", &name])
        .args(S)
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(stderr(&o).trim().lines().count(), 1, "{}", stderr(&o));
    // A file where the folder should be.
    std::fs::write(dir.join("f"), "mine").unwrap();
    refused(&run_into(&dir.join("f"), &[]), "is a file");
    assert_eq!(std::fs::read(dir.join("f")).unwrap(), b"mine");
    only(&dir, &["f"]);
}

#[test]
fn a_write_that_fails_midway_leaves_the_earlier_result_whole() {
    let dir = temp_dir("files-full");
    let out = dir.join("c");
    let compare = |limit: Option<u32>| {
        let mut cmd = format!(
            "exec '{}' compare baseline --variant a:returns.free_returns=true --replicates 2 -q --out '{}' {}",
            env!("CARGO_BIN_EXE_socsim"),
            out.display(),
            S.join(" ")
        );
        if let Some(blocks) = limit {
            // Writes past the limit fail with "File too large", as on a full disk.
            cmd = format!("trap '' XFSZ; ulimit -f {blocks}; {cmd}");
        }
        Command::new("sh").arg("-c").arg(cmd).output().unwrap()
    };
    let o = compare(None);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = snapshot(&out);
    let csv = before
        .iter()
        .find(|(p, _)| p.ends_with("compare.csv"))
        .unwrap();
    assert!(csv.1.len() > 2048, "compare.csv must exceed the limit");
    let o = compare(Some(2));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(snapshot(&out), before);
    only(&dir, &["c"]);
}

#[test]
fn failed_sweep_runs_are_tried_again_on_resume() {
    let dir = temp_dir("files-retry");
    // A deliberate panic on day 3: the 5-day runs fail while running, the 2-day runs succeed.
    let file = write(
        &dir,
        "retry.toml",
        "name = \"retry\"\nbase = \"baseline\"\nreplicates = 2\n[set]\n\
         population.consumers = 1000\npopulation.creators = 40\npopulation.hosts = 4\n\
         population.merchants = 30\n[vary]\nrun.days = [2, 5]\n",
    );
    let out = dir.join("sw");
    let sweep_once = || {
        Command::new(env!("CARGO_BIN_EXE_socsim"))
            .args(["sweep", &file, "-q", "--out", out.to_str().unwrap()])
            .env("SOCSIM_PANIC_ON_DAY", "3")
            .output()
            .unwrap()
    };
    let o = sweep_once();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        said.contains("4 runs done (4 now, 0 from an earlier attempt), 2 failed"),
        "{said}"
    );
    let o = sweep_once();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        said.contains("4 runs done (2 now, 2 from an earlier attempt), 2 failed"),
        "{said}"
    );
}

#[test]
fn a_panic_reaches_the_user_as_one_line_and_exit_1() {
    let dir = temp_dir("files-panic");
    let out = dir.join("r");
    let mut args = vec!["run", "-q", "--out", out.to_str().unwrap()];
    args.extend_from_slice(&S);
    let o = Command::new(env!("CARGO_BIN_EXE_socsim"))
        .args(&args)
        .env("SOCSIM_PANIC_ON_DAY", "3")
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("internal error") && err.contains("day 3"),
        "{err}"
    );
    only(&dir, &[]);
}
