//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use socsim::scenario::{Override, built_in, parse_scenario};
use socsim::{RunOutput, Scenario, Simulation};

/// A small world that runs in well under a second in release mode.
pub const SMALL: &str = r#"
[run]
name = "small"
seed = 11
days = 40

[population]
consumers = 3000
creators = 150
hosts = 10
merchants = 120
products_per_merchant = 3

[graph]
kind = "barabasi_albert"
m = 3
"#;

/// A fresh, empty temporary folder for one test, removed when the test passes (a failing
/// test's folder is kept, to look at).
pub fn temp_dir(name: &str) -> TempDir {
    let dir = std::env::temp_dir().join(format!("socsim-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}

/// A test's temporary folder: a `Path`, removed on drop unless the thread is panicking.
pub struct TempDir(PathBuf);

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<std::ffi::OsStr> for TempDir {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.0.as_os_str()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// Runs the `socsim` binary with `args`.
pub fn socsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_socsim"))
        .args(args)
        .output()
        .expect("socsim runs")
}

/// Writes `text` to `dir/name` and returns the path as a string.
pub fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Seeds of the paired comparisons in `policies.rs` and `wiring.rs`.
pub const SEEDS: [u64; 3] = [1, 2, 3];

/// A shipped scenario, shortened and shrunk for the test (rates barely depend on size).
pub fn shipped(name: &str, seed: u64, extra: &[&str]) -> Scenario {
    let mut sets = vec![
        "run.days=60".to_string(),
        "population.consumers=20000".into(),
        format!("run.seed={seed}"),
    ];
    sets.extend(extra.iter().map(|s| s.to_string()));
    let o: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    parse_scenario(name, built_in(name).unwrap(), &o).unwrap()
}

pub fn run(s: &Scenario) -> RunOutput {
    let mut sim = Simulation::new(s).unwrap();
    sim.run(|_| {});
    sim.finish()
}
