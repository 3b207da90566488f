//! The `socsim` command: parses the command line, calls the library, maps errors to exit
//! codes (2: bad input, 1: a failure while running).

fn main() {
    let code = match socsim_cli::main() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    };
    std::process::exit(code);
}

#[path = "cli/mod.rs"]
mod socsim_cli;
