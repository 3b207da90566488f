//! The `socsim` command: socsim's command line with the built-in algorithms only
//! ([`socsim::cli::main_with`]; a program of your own passes its registered algorithms).

fn main() {
    socsim::cli::main_with(socsim::policy::recommend::Registry::default())
}
