//! The `socsim` command: parses the command line, calls the library, maps errors to exit
//! codes (2: bad input, 1: a failure while running). A panic, which is a bug, reaches the
//! user as one line and exit code 1, not as a backtrace (set RUST_BACKTRACE=1 for one).

use std::sync::Mutex;

/// The first panic's message and place, kept by the panic hook for `main` to print.
static PANIC: Mutex<Option<String>> = Mutex::new(None);

fn main() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("no message");
        let place = info
            .location()
            .map(|l| format!(" ({}:{})", l.file(), l.line()))
            .unwrap_or_default();
        if let Ok(mut first) = PANIC.lock() {
            first.get_or_insert_with(|| format!("{message}{place}"));
        }
        if std::env::var_os("RUST_BACKTRACE").is_some() {
            default_hook(info);
        }
    }));
    let code = match std::panic::catch_unwind(socsim_cli::main) {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
        Err(_) => {
            let what = PANIC
                .lock()
                .ok()
                .and_then(|m| m.clone())
                .unwrap_or_else(|| "no message".into());
            eprintln!("error: socsim stopped on an internal error, which is a bug: {what}");
            1
        }
    };
    std::process::exit(code);
}

#[path = "cli/mod.rs"]
mod socsim_cli;
