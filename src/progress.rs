//! Progress of long commands on stderr: a bar with an ETA (indicatif) when stderr is a
//! terminal, plain lines otherwise (a Slurm log or a pipe never gets carriage returns), and
//! nothing with `-q`.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

pub struct Progress {
    bar: Option<ProgressBar>,
    plain: bool,
}

impl Progress {
    /// Progress over `total` steps of `unit` (`days`, `runs`).
    pub fn new(total: u64, unit: &str, quiet: bool) -> Progress {
        if quiet {
            return Progress {
                bar: None,
                plain: false,
            };
        }
        if !std::io::stderr().is_terminal() {
            return Progress {
                bar: None,
                plain: true,
            };
        }
        let bar = ProgressBar::new(total);
        let template = format!(
            "  {{bar:32}} {{pos}}/{{len}} {unit}  {{elapsed}} elapsed, ETA {{eta}}  {{msg}}"
        );
        bar.set_style(ProgressStyle::with_template(&template).expect("a valid template"));
        Progress {
            bar: Some(bar),
            plain: false,
        }
    }

    /// `done` steps are done; `line` is what a plain log shows for this step (`None`: no
    /// line this time), `message` what the bar shows beside it.
    pub fn step(&self, done: u64, message: impl FnOnce() -> String, line: Option<String>) {
        if let Some(bar) = &self.bar {
            bar.set_position(done);
            bar.set_message(message());
        } else if self.plain
            && let Some(line) = line
        {
            eprintln!("{line}");
        }
    }

    /// Removes the bar (plain lines stay).
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
