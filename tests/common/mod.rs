//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

/// A fresh, empty temporary folder for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("socsim-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
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
