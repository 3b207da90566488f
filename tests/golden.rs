//! Golden outputs: the bytes of every file of a run folder but the manifest (`daily.csv`,
//! `creators.csv`, `positions.csv`, `markets.csv`, `survey.csv`, `summary.json` and
//! `report.html`, as `output::FILES` lists them) of every built-in scenario, shrunk to a small
//! world, are pinned by their hashes in
//! `tests/golden/hashes.txt`. A change that moves any of them fails here; if the move is
//! intended, regenerate with `UPDATE_GOLDEN=1 cargo test --release --test golden` and say in
//! the commit which outputs moved and why.

mod common;
use common::*;
use std::fmt::Write as _;

/// Every built-in scenario, shrunk: small populations, 60 days (scandals on day 45 and the
/// coupon blitz on days 30–43 still fall inside).
const SHRINK: [&str; 5] = [
    "population.consumers=4000",
    "population.creators=120",
    "population.hosts=12",
    "population.merchants=100",
    "run.days=60",
];

/// FNV-1a, 64 bits: stable across platforms and versions of Rust.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// `scenario file hash` lines for every built-in scenario, in `socsim list` order.
fn current() -> String {
    let dir = temp_dir("golden");
    let mut text = String::new();
    for (name, _, _) in socsim::scenario::BUILT_IN {
        let out = dir.join(name);
        let mut args = vec!["run", name, "-q", "--out", out.to_str().unwrap()];
        for s in SHRINK {
            args.extend_from_slice(&["--set", s]);
        }
        let o = socsim(&args);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        // Every file of a run folder but the manifest (its times differ run to run).
        for f in socsim::output::FILES
            .iter()
            .filter(|&&f| f != "manifest.json")
        {
            let bytes = std::fs::read(out.join(f)).unwrap();
            writeln!(text, "{name} {f} {:016x}", fnv1a(&bytes)).unwrap();
        }
    }
    text
}

#[test]
fn built_in_scenarios_give_the_pinned_bytes() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/hashes.txt");
    let now = current();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &now).unwrap();
        return;
    }
    let pinned = std::fs::read_to_string(&path)
        .expect("tests/golden/hashes.txt is missing: run UPDATE_GOLDEN=1 cargo test --release --test golden");
    let moved: Vec<String> = now
        .lines()
        .zip(pinned.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a.rsplit_once(' ').map_or(a, |x| x.0).to_string())
        .collect();
    assert_eq!(
        now.lines().count(),
        pinned.lines().count(),
        "the list of built-in scenarios changed: regenerate with UPDATE_GOLDEN=1"
    );
    assert!(
        moved.is_empty(),
        "these outputs moved: {moved:?}. If intended, regenerate with UPDATE_GOLDEN=1 cargo test --release --test golden and say in the commit which outputs moved and why"
    );
}
