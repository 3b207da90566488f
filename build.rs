//! Records the git commit the binary was built from (`SOCSIM_GIT_COMMIT`, "unknown" outside a
//! git checkout unless the environment names it), for the manifests.

use std::process::Command;

fn main() {
    // A build without .git (an image build) may name its commit in SOCSIM_GIT_COMMIT.
    println!("cargo:rerun-if-env-changed=SOCSIM_GIT_COMMIT");
    if let Ok(commit) = std::env::var("SOCSIM_GIT_COMMIT")
        && !commit.is_empty()
    {
        println!("cargo:rustc-env=SOCSIM_GIT_COMMIT={commit}");
        return;
    }
    let commit = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=SOCSIM_GIT_COMMIT={commit}");
    // A new commit or a checkout moves HEAD or the branch it names.
    println!("cargo:rerun-if-changed=.git/HEAD");
    if let Ok(head) = std::fs::read_to_string(".git/HEAD")
        && let Some(branch) = head.trim().strip_prefix("ref: ")
    {
        println!("cargo:rerun-if-changed=.git/{branch}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
