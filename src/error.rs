//! The library's one error type. Every error says *where*: a scenario key path and line,
//! an edge-list line, a file. `main` maps [`Error::exit_code`] to the process exit code.

use std::fmt;

/// What went wrong, and whose fault it was.
#[derive(Debug)]
pub enum Error {
    /// The user's input is wrong (scenario, override, edge list, missing file): exit code 2.
    Input(String),
    /// Something failed while running or writing results: exit code 1.
    Run(String),
}

impl Error {
    /// Bad input at a place (`scenario.toml line 4, behaviour.engage_bias`, ...).
    pub fn input(place: impl fmt::Display, message: impl fmt::Display) -> Error {
        Error::Input(format!("{place}: {message}"))
    }

    /// An I/O failure while writing results.
    pub fn io(path: &std::path::Path, err: std::io::Error) -> Error {
        Error::Run(format!("{}: {err}", path.display()))
    }

    /// The process exit code for this error: 2 for bad input, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) => 2,
            Error::Run(_) => 1,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input(m) | Error::Run(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

/// The library's result type.
pub type Result<T> = std::result::Result<T, Error>;
