//! The command line: `socsim run | validate | list | sweep | merge | compare`.
//!
//! [`main_with`] is the whole program: the `socsim` binary calls it with the built-in
//! algorithms only, and a program of your own with the algorithms it registered, which every
//! command then accepts by name. It parses the command line, calls the library and maps
//! errors to exit codes (2: bad input, 1: a failure while running). A panic, which is a bug,
//! reaches the user as one line and exit code 1, not as a backtrace (set RUST_BACKTRACE=1 for
//! one). Nothing else in the library parses arguments or exits.

mod keys;
use crate::error::{Error, Result};
use crate::experiment::{Shard, Sweep, run_sweep};
use crate::output::{self, Manifest, Timings};
use crate::policy::recommend::Registry;
use crate::scenario::{self, Override, Scenario};
use crate::world::footprint;
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// How a scenario's size is named in a memory error.
fn scenario_size(source: &str, s: &Scenario) -> String {
    format!(
        "{source} ({} consumers, about {:.3e} graph edges, {} accounts, {} merchants)",
        s.population.consumers,
        footprint::expected_edges(s),
        s.population.creators + s.population.hosts,
        s.population.merchants
    )
}

#[derive(Parser)]
#[command(
    name = "socsim",
    version,
    about = "Agent-based simulator of social-commerce ecosystems",
    after_help = "Every scenario key: `socsim keys [PREFIX]` or docs/SCENARIO.md. Every output \
                  file and column: docs/OUTPUTS.md. Sweeps and comparisons: docs/EXPERIMENTS.md."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run one scenario and write its folder: daily.csv, creators.csv, summary.json,
    /// report.html, manifest.json and more (docs/OUTPUTS.md).
    #[command(after_help = "Examples:
  socsim run                                   the built-in baseline
  socsim run campus_takeaway --seed 7          a built-in scenario (socsim list), another seed
  socsim run my.toml --days 90 --set recommendation.algorithm=popularity --out runs/pop
Keys: socsim keys [PREFIX], docs/SCENARIO.md.")]
    Run(RunArgs),
    /// Check a scenario file and print it fully resolved (every key, defaults included).
    #[command(after_help = "Examples:
  socsim validate my.toml
  socsim validate baseline --set returns.window_days=3 > resolved.toml")]
    Validate(ValidateArgs),
    /// List the built-in scenarios and the recommendation algorithms (built in and registered).
    #[command(after_help = "Example:
  socsim list")]
    List,
    /// Run a parameter sweep (grid, Latin hypercube, Sobol, Saltelli, Morris or a CSV of points,
    /// with replicates), or one shard of it.
    #[command(after_help = "Examples:
  socsim sweep scenarios/sweeps/returns_grid.toml --dry-run      the plan, every point checked
  socsim sweep scenarios/sweeps/returns_grid.toml --days 30 --jobs 2
  socsim sweep SWEEP.toml --out OUT --shard 2/8                  shard 2 of 8, then socsim merge OUT
The sweep file: docs/EXPERIMENTS.md.")]
    Sweep(SweepArgs),
    /// Join the shard folders of one sweep into one runs.csv, in manifest order.
    #[command(after_help = "Examples:
  socsim merge outputs/sweeps/returns_grid            its shard-* folders into .../merged
  socsim merge shard-0-of-2 shard-1-of-2 --out merged")]
    Merge(MergeArgs),
    /// Compare policy variants with a base scenario on common random numbers (paired replicates).
    #[command(after_help = "Examples:
  socsim compare baseline --variant free:returns.free_returns=true --replicates 10 --days 90
  socsim compare my.toml --variant pop:recommendation.algorithm=popularity --variant other:other.toml")]
    Compare(CompareArgs),
    /// Write report.html, a self-contained page of charts and tables, for a run, sweep, merged
    /// sweep or compare folder (run, sweep, merge and compare write it themselves).
    #[command(after_help = "Example:
  socsim report outputs/baseline/s42-54835123")]
    Report(ReportArgs),
    /// Sobol indices (a saltelli sweep) or Morris elementary effects (a morris sweep) of every
    /// output of a finished sweep folder: DIR/sensitivity.csv, and a chart in its report.
    #[command(after_help = "Examples:
  socsim sweep scenarios/sweeps/sensitivity_saltelli.toml && socsim sensitivity outputs/sweeps/sensitivity_saltelli
  socsim sensitivity merged --bootstrap 2000
The estimators and how replicates are handled: docs/EXPERIMENTS.md.")]
    Sensitivity {
        /// A finished saltelli or morris sweep folder, or a merged one.
        dir: PathBuf,
        /// Bootstrap resamples of the Sobol indices' 95 % intervals.
        #[arg(long, value_name = "B", default_value_t = crate::experiment::sensitivity::BOOTSTRAP)]
        bootstrap: usize,
    },
    /// Find the values of free scenario keys that reproduce target moments (simulated method
    /// of moments, CMA-ES, common random numbers): best values, their standard errors, the fit
    /// of each moment and a ready scenario file.
    #[command(after_help = "Examples:
  socsim calibrate scenarios/calibration/livestream_returns.toml
  socsim calibrate CAL.toml --out OUT --shard 0/4     shard 0 of 4 of every generation
Run it again to resume. The calibration file and the outputs: docs/EXPERIMENTS.md.")]
    Calibrate(CalibrateArgs),
    /// Write a Parquet copy of every CSV table of a folder socsim wrote (NAME.parquet beside
    /// NAME.csv); run, sweep, merge and compare do it themselves with --parquet.
    #[command(after_help = "Example:
  socsim parquet outputs/baseline/s42-54835123
Types: from the folder's datapackage.json where it has one, else from the cells (docs/OUTPUTS.md).")]
    Parquet(ReportArgs),
    /// Write the social graph and the follow graph of a scenario's world on a chosen day
    /// (GraphML, DOT or CSV), for Gephi, networkx or igraph.
    #[command(after_help = "Examples:
  socsim graph campus_takeaway                       GraphML of the run's last day
  socsim graph baseline --day 0 --format csv         the world as built, as CSV edge lists
  socsim graph my.toml --day 30 --format dot --out graphs/day30
The files and their attributes: docs/OUTPUTS.md (socsim graph).")]
    Graph(GraphArgs),
    /// Print every scenario key (or those starting with PREFIX) with its default and meaning.
    #[command(after_help = "Examples:
  socsim keys                 all of them
  socsim keys chats.slot      the keys of group chats' delivery slots")]
    Keys {
        /// Only the keys whose path starts with this, e.g. `behaviour` or `chats.slot`.
        prefix: Option<String>,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(after_help = "Examples:
  socsim completions bash > ~/.local/share/bash-completion/completions/socsim
  socsim completions zsh > ~/.zfunc/_socsim")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `socsim man > socsim.1 && man ./socsim.1`.
    Man,
}

#[derive(Args)]
struct ReportArgs {
    /// A folder socsim wrote: a run, a sweep (or shard), a merged sweep or a comparison.
    dir: PathBuf,
}

#[derive(Args)]
struct SweepArgs {
    /// Sweep file (TOML): base scenario, parameters to vary, design, replicates.
    file: PathBuf,
    /// Sweep folder [default: outputs/sweeps/<name>]; shard I of N writes into DIR/shard-I-of-N.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Run only shard I of N (0 ≤ I < N): the runs whose manifest index is I modulo N. Without
    /// it, SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT (Slurm job arrays) or
    /// JOB_COMPLETION_INDEX with --shard-count (Kubernetes Indexed Jobs) are used if set.
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// Number of shards when the index comes from JOB_COMPLETION_INDEX.
    #[arg(long, value_name = "N")]
    shard_count: Option<usize>,
    /// Fix a scenario key for every run, after the file's [set] (repeatable; it enters the
    /// sweep id). A varied key cannot be fixed.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Override run.days for every run: a whole number of days from 1 to 100000.
    #[arg(long, value_name = "N", value_parser = |v: &str| v.parse::<u32>()
        .map_err(|_| "expected a whole number of days from 1 to 100000".to_string()))]
    days: Option<u32>,
    /// Check every point and print the plan (runs, points, shards, the first runs) without
    /// running or writing anything.
    #[arg(long)]
    dry_run: bool,
    /// Also write every CSV table as Parquet: NAME.parquet beside NAME.csv, typed, an empty
    /// cell a null (docs/OUTPUTS.md).
    #[arg(long)]
    parquet: bool,
    #[command(flatten)]
    workers: Workers,
}

/// How many runs at once, on how many threads (sweep, compare).
#[derive(Args)]
struct Workers {
    /// Runs in flight at once [default: --threads].
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Worker threads shared by the runs [default: all cores].
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Print nothing but errors and the final result.
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    memory: MemoryArgs,
}

/// The memory the work may take.
#[derive(Args)]
struct MemoryArgs {
    /// Refuse work estimated to need more memory than SIZE (e.g. 8G, 512M) [default: the
    /// machine's memory, or its container's limit].
    #[arg(long, value_name = "SIZE", value_parser = parse_memory)]
    max_memory: Option<u64>,
}

fn parse_memory(text: &str) -> std::result::Result<u64, String> {
    crate::world::footprint::parse_size(text)
}

impl Workers {
    /// The thread pool and the number of runs in flight.
    fn start(&self) -> Result<(rayon::ThreadPool, usize)> {
        let (threads, pool) = thread_pool(self.threads)?;
        match self.jobs {
            Some(0) => Err(Error::input("--jobs", "must be at least 1")),
            Some(j) => Ok((pool, j)),
            None => Ok((pool, threads)),
        }
    }
}

#[derive(Args)]
struct CalibrateArgs {
    /// Calibration file (TOML): a base scenario, the free keys with their ranges and the
    /// target moments.
    file: PathBuf,
    /// Calibration folder [default: outputs/calibrations/<name>]; run again to resume it.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Run only shard I of N (0 ≤ I < N) of each generation, then wait for the other shards
    /// (on a shared file system) before the next; shard 0 writes the results.
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// Seconds between looks at the other shards' progress (with --shard).
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0)]
    poll: f64,
    #[command(flatten)]
    workers: Workers,
}

#[derive(Args)]
struct MergeArgs {
    /// Shard folders, or sweep folders holding shard-* folders.
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// Where to write the merged runs.csv [default: <first sweep folder>/merged; for one
    /// sweep that was not sharded, runs.csv is assembled again in its own folder].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Also write every CSV table as Parquet: NAME.parquet beside NAME.csv, typed, an empty
    /// cell a null (docs/OUTPUTS.md).
    #[arg(long)]
    parquet: bool,
}

#[derive(Args)]
struct CompareArgs {
    /// The base scenario: a file or a built-in name.
    base: String,
    /// A variant: NAME:key=value[,key=value...] (overrides of the base) or NAME:FILE (a whole
    /// scenario file). Repeatable.
    #[arg(long = "variant", value_name = "NAME:SPEC", required = true)]
    variants: Vec<String>,
    /// Paired replicates (seeds) per arm.
    #[arg(long, default_value_t = 10)]
    replicates: u64,
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Output folder for compare.csv and manifest.json [default: outputs/compare/<run.name>].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Also write every CSV table as Parquet: NAME.parquet beside NAME.csv, typed, an empty
    /// cell a null (docs/OUTPUTS.md).
    #[arg(long)]
    parquet: bool,
    #[command(flatten)]
    workers: Workers,
}

#[derive(Args)]
struct ScenarioArgs {
    /// Override any scenario key, e.g. --set recommendation.algorithm=popularity (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Override run.seed: any whole number from 0 to 18446744073709551615.
    #[arg(long, value_name = "N", value_parser = |v: &str| v.parse::<u64>()
        .map_err(|_| format!("expected a whole number from 0 to {}", u64::MAX)))]
    seed: Option<u64>,
    /// Override run.days: a whole number of days from 1 to 100000.
    #[arg(long, value_name = "N", value_parser = |v: &str| v.parse::<u32>()
        .map_err(|_| "expected a whole number of days from 1 to 100000".to_string()))]
    days: Option<u32>,
}

#[derive(Args)]
struct RunArgs {
    /// Scenario file, or the name of a built-in scenario (see `socsim list`); the built-in
    /// baseline when omitted.
    file: Option<String>,
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Output folder for this run [default: outputs/<run.name>/<run-id>].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Also write every CSV table as Parquet: NAME.parquet beside NAME.csv, typed, an empty
    /// cell a null (docs/OUTPUTS.md).
    #[arg(long)]
    parquet: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    memory: MemoryArgs,
}

#[derive(Args)]
struct GraphArgs {
    /// Scenario file, or the name of a built-in scenario; the built-in baseline when omitted.
    file: Option<String>,
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// The day of the follow graph: the world after N simulated days (0: as built) [default:
    /// run.days, the end of the run]. The social graph is the same on every day.
    #[arg(long, value_name = "N")]
    day: Option<u32>,
    /// The file format.
    #[arg(long, value_enum, default_value_t = output::graphs::Format::Graphml)]
    format: output::graphs::Format,
    /// Output folder [default: outputs/<run.name>/<run-id>-graph-day<N>].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Print nothing but errors and the folder written.
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    memory: MemoryArgs,
}

#[derive(Args)]
struct ValidateArgs {
    /// Scenario file, or the name of a built-in scenario.
    file: String,
    #[command(flatten)]
    scenario: ScenarioArgs,
}

/// The first panic's message and place, kept by the panic hook for [`main_with`] to print.
static PANIC: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// Runs socsim's command line (the process's arguments) with the algorithms of `registry`
/// besides the built-in ones, and exits the process with the exit code.
///
/// ```no_run
/// socsim::cli::main_with(socsim::policy::recommend::Registry::default()) // the `socsim` binary
/// ```
pub fn main_with(registry: Registry) -> ! {
    if let Err(e) = registry.install() {
        eprintln!("error: {e}");
        std::process::exit(e.exit_code());
    }
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
    let code = match std::panic::catch_unwind(command_line) {
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

/// Runs the command line; returns the exit code.
fn command_line() -> Result<i32> {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return Ok(0);
        }
        Err(e) => {
            // One line: clap's message without its usage block.
            let text = e.render().to_string();
            let message: Vec<&str> = text
                .lines()
                .map(str::trim)
                .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
                .filter(|l| !l.is_empty())
                .collect();
            eprintln!(
                "{} (socsim --help lists the commands and flags)",
                message.join(" ")
            );
            return Ok(2);
        }
    };
    match cli.command {
        Command::Run(args) => run(args),
        Command::Graph(args) => graph(args),
        Command::Validate(args) => {
            let (scenario, _, _) = load(Some(&args.file), &args.scenario)?;
            print!("{}", scenario.to_toml());
            Ok(0)
        }
        Command::Sweep(args) => sweep(args),
        Command::Merge(args) => merge(args),
        Command::Calibrate(args) => calibrate(args),
        Command::Compare(args) => compare(args),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(shell, &mut Cli::command(), "socsim", &mut std::io::stdout());
            Ok(0)
        }
        Command::Man => {
            use clap::CommandFactory;
            clap_mangen::Man::new(Cli::command())
                .render(&mut std::io::stdout())
                .map_err(|e| Error::Run(format!("writing the manual page: {e}")))?;
            Ok(0)
        }
        Command::Keys { prefix } => {
            if keys::print(prefix.as_deref()) == 0 {
                return Err(Error::input(
                    format!("socsim keys {}", prefix.unwrap_or_default()),
                    "no scenario key starts with this (socsim keys lists them all)",
                ));
            }
            Ok(0)
        }
        Command::Sensitivity { dir, bootstrap } => {
            if bootstrap == 0 {
                return Err(Error::input("--bootstrap 0", "needs at least 1 resample"));
            }
            let a = crate::experiment::sensitivity::analyze(&dir, bootstrap)?;
            if crate::output::Marker::read(&dir).is_some() {
                crate::report::write(&dir)?;
            }
            println!(
                "{} design: {} metrics × {} keys ({}), {} of {} {} complete: {}",
                a.design,
                a.metrics,
                a.parameters.len(),
                a.parameters.join(", "),
                a.complete,
                a.planned,
                if a.design == "saltelli" {
                    "samples"
                } else {
                    "trajectories"
                },
                a.path.display()
            );
            Ok(0)
        }
        Command::Parquet(args) => {
            for path in output::parquet::add_to_folder(&args.dir)? {
                println!("{}", path.display());
            }
            Ok(0)
        }
        Command::Report(args) => {
            let path = crate::report::write(&args.dir)?;
            println!("{}", path.display());
            Ok(0)
        }
        Command::List => {
            println!("Built-in scenarios (socsim run NAME):");
            for (name, about, _) in scenario::BUILT_IN {
                println!("  {name:<22} {about}");
            }
            println!("\nRecommendation algorithms (recommendation.algorithm):");
            for (name, about) in crate::policy::recommend::ALGORITHMS {
                println!("  {name:<22} {about}");
            }
            let registered = crate::policy::recommend::registry::installed();
            if registered.names().next().is_some() {
                println!("\nRegistered by this program (recommendation.algorithm):");
                for (name, about) in registered.algorithms() {
                    println!("  {name:<22} {about}");
                }
            }
            println!(
                "\nGraph kinds (graph.kind): {}",
                scenario::GRAPH_KINDS.join(", ")
            );
            Ok(0)
        }
    }
}

/// Loads a scenario from a file, a built-in name, or (None) the built-in baseline. A file
/// wins over a built-in scenario of the same name; a folder is not a file. Everything a
/// run needs from its input is checked here, the edge list included, so `validate` and
/// `run` refuse the same scenarios.
fn load(file: Option<&str>, a: &ScenarioArgs) -> Result<(Scenario, String, Vec<Override>)> {
    load_with(file, a, Vec::new())
}

/// [`load`], with `extra` overrides applied after those of `a`.
fn load_with(
    file: Option<&str>,
    a: &ScenarioArgs,
    extra: Vec<Override>,
) -> Result<(Scenario, String, Vec<Override>)> {
    let mut overrides = Vec::new();
    for s in &a.set {
        overrides.push(Override::parse(s)?);
    }
    if let Some(seed) = a.seed {
        overrides.push(Override::seed(seed));
    }
    if let Some(days) = a.days {
        overrides.push(Override::days(days));
    }
    overrides.extend(extra);
    let (scenario, source) = match file {
        None => (
            scenario::load(None, &overrides)?,
            "built-in baseline".to_string(),
        ),
        Some(f) => scenario::load_named(f, &overrides)?,
    };
    Ok((scenario, source, overrides))
}

fn run(args: RunArgs) -> Result<i32> {
    let started_at = output::now_unix();
    let t0 = Instant::now();
    let (scenario, source, overrides) = load(args.file.as_deref(), &args.scenario)?;
    let (threads, pool) = thread_pool(args.threads)?;
    let resolved = scenario.to_toml();
    let run_id = output::run_id(&resolved, scenario.run.seed);
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("outputs").join(&scenario.run.name).join(&run_id));
    let memory = footprint::estimate_bytes(&scenario);
    footprint::check_fits(
        memory,
        args.memory.max_memory,
        &scenario_size(&source, &scenario),
    )?;
    let claim = output::Claim::new(&dir, output::Kind::Run, &output::FILES)?;
    if !args.quiet {
        eprintln!(
            "  {} consumers, {} days, about {} of memory: {}",
            scenario.population.consumers,
            scenario.run.days,
            footprint::human(memory),
            dir.display()
        );
    }

    let mut timings = Timings::default();
    let out = pool.install(|| -> Result<crate::RunOutput> {
        let t = Instant::now();
        let mut sim = crate::Simulation::new(&scenario)?;
        timings.build_world_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let days = scenario.run.days;
        // A deliberate panic, for testing how one reaches the user.
        let panic_day: Option<u32> = std::env::var("SOCSIM_PANIC_ON_DAY")
            .ok()
            .and_then(|d| d.parse().ok());
        let progress = crate::progress::Progress::new(days as u64, "days", args.quiet);
        sim.run(|row| {
            if panic_day == Some(row.day) {
                panic!("SOCSIM_PANIC_ON_DAY: a deliberate panic on day {}", row.day);
            }
            let line = ((row.day + 1) % 30 == 0 && row.day + 1 < days).then(|| {
                format!(
                    "  day {:>4}/{days}  net GMV {:>14.0}",
                    row.day + 1,
                    row.net_gmv
                )
            });
            progress.step(
                row.day as u64 + 1,
                || format!("net GMV {:.0}", row.net_gmv),
                line,
            );
        });
        progress.finish();
        timings.phases = sim.phase_times().clone();
        timings.parallel_passes_s = timings.phases.parallel_passes_s;
        let out = sim.finish();
        timings.simulate_s = t.elapsed().as_secs_f64();
        Ok(out)
    })?;

    let consumer_days = scenario.population.consumers * scenario.run.days as u64;
    let active: u64 = out.daily.iter().map(|r| r.active_consumers).sum();
    timings.consumer_days = consumer_days;
    timings.consumer_days_per_s = consumer_days as f64 / timings.simulate_s;
    timings.active_consumer_days_per_s = active as f64 / timings.simulate_s;
    timings.impressions_per_s = out.summary.totals.impressions as f64 / timings.simulate_s;
    timings.memory_estimate_bytes = memory;
    timings.peak_memory_bytes = footprint::peak_bytes();
    let mut manifest = Manifest {
        tool: "socsim",
        version: env!("CARGO_PKG_VERSION"),
        git_commit: output::GIT_COMMIT,
        command: std::env::args().collect(),
        scenario_source: source,
        overrides: overrides.iter().map(|o| o.text.clone()).collect(),
        seed: scenario.run.seed,
        run_id,
        threads,
        started_at,
        finished_at: 0,
        started_at_iso: output::iso_utc(started_at),
        finished_at_iso: String::new(),
        timings,
        files: output::FILES.to_vec(),
        scenario: resolved,
    };
    output::write_run(claim, &out, &mut manifest, t0)?;
    if args.parquet {
        output::parquet::add_to_folder(&dir)?;
    }
    if !args.quiet {
        print_summary(&out.summary, &manifest.timings, &dir);
    }
    Ok(0)
}

fn graph(args: GraphArgs) -> Result<i32> {
    let (scenario, source, overrides) = load(args.file.as_deref(), &args.scenario)?;
    let day = args.day.unwrap_or(scenario.run.days);
    if day > scenario.run.days {
        return Err(Error::input(
            format!("--day {day}"),
            format!(
                "the run has {} days (run.days); give a day from 0 to {0}, or more days with --days",
                scenario.run.days
            ),
        ));
    }
    let (threads, pool) = thread_pool(args.threads)?;
    let resolved = scenario.to_toml();
    let run_id = output::run_id(&resolved, scenario.run.seed);
    let dir = args.out.clone().unwrap_or_else(|| {
        Path::new("outputs")
            .join(&scenario.run.name)
            .join(format!("{run_id}-graph-day{day}"))
    });
    footprint::check_fits(
        footprint::estimate_bytes(&scenario),
        args.memory.max_memory,
        &scenario_size(&source, &scenario),
    )?;
    let mut files: Vec<&str> = args.format.files().to_vec();
    files.push("manifest.json");
    let claim = output::Claim::new(&dir, output::Kind::Graph, &files)?;
    pool.install(|| -> Result<()> {
        let mut sim = crate::Simulation::new(&scenario)?;
        let progress = crate::progress::Progress::new(day as u64, "days", args.quiet);
        for d in 0..day {
            sim.step();
            let line =
                ((d + 1) % 30 == 0 && d + 1 < day).then(|| format!("  day {:>4}/{day}", d + 1));
            progress.step(d as u64 + 1, String::new, line);
        }
        progress.finish();
        output::graphs::write(sim.world(), args.format, claim.staging())
    })?;
    let manifest = serde_json::json!({
        "tool": "socsim",
        "version": env!("CARGO_PKG_VERSION"),
        "git_commit": output::GIT_COMMIT,
        "kind": "graph",
        "command": std::env::args().collect::<Vec<_>>(),
        "scenario_source": source,
        "overrides": overrides.iter().map(|o| o.text.clone()).collect::<Vec<_>>(),
        "seed": scenario.run.seed,
        "run_id": run_id,
        "day": day,
        "format": format!("{:?}", args.format).to_lowercase(),
        "threads": threads,
        "files": args.format.files(),
        "finished_at_iso": output::iso_utc(output::now_unix()),
        "scenario": resolved,
    });
    output::write_json(&claim.staging().join("manifest.json"), &manifest)?;
    claim.commit()?;
    println!("{}", dir.display());
    Ok(0)
}

fn print_summary(s: &crate::metrics::Summary, t: &Timings, dir: &Path) {
    let t_ = &s.totals;
    let pct = |x: f64| format!("{:.1} %", 100.0 * x);
    let rows: Vec<(&str, String)> = vec![
        (
            "scenario",
            format!(
                "{} (seed {}, {} days, {} consumers)",
                s.scenario, s.seed, s.days, s.consumers
            ),
        ),
        ("gross GMV", format!("{:.0}", t_.gross_gmv)),
        (
            "net GMV",
            format!(
                "{:.0}  ({} of gross)",
                t_.net_gmv,
                pct(s.rates.net_to_gross)
            ),
        ),
        (
            "orders",
            format!(
                "{}  (cancelled {}, returned {})",
                t_.orders, t_.cancelled_orders, t_.returned_orders
            ),
        ),
        ("return rate", pct(s.rates.return_rate)),
        (
            "buyers",
            format!(
                "{}  (repeat {}, same merchant {})",
                s.buyers.buyers,
                pct(s.buyers.repeat_purchase_rate),
                pct(s.buyers.same_merchant_repeat_rate)
            ),
        ),
        (
            "30-day retention",
            s.retention
                .retention_30d
                .map_or("n/a (run < 37 days)".into(), pct),
        ),
        ("churned consumers", s.retention.churned.to_string()),
        ("platform revenue", format!("{:.0}", t_.platform_revenue)),
        (
            "exposure Gini",
            format!(
                "{:.3}  (top 1 % {}, top 10 % {})",
                s.exposure.gini,
                pct(s.exposure.top1_share),
                pct(s.exposure.top10_share)
            ),
        ),
        (
            "creators",
            format!(
                "{} at start, +{} entered, −{} exited, {} active",
                s.creators.initial, s.creators.entries, s.creators.exits, s.creators.active_at_end
            ),
        ),
        (
            "time",
            format!(
                "{:.1} s ({:.2e} consumer-days/s, {:.2e} impressions/s)",
                t.total_s, t.consumer_days_per_s, t.impressions_per_s
            ),
        ),
        ("results", dir.display().to_string()),
    ];
    for (k, v) in rows {
        println!("{k:>18}  {v}");
    }
}

/// The worker pool of `--threads` (default: all cores).
fn thread_pool(threads: Option<usize>) -> Result<(usize, rayon::ThreadPool)> {
    let threads = match threads {
        Some(0) => return Err(Error::input("--threads", "must be at least 1")),
        Some(n) => n,
        None => std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Run(format!("cannot start {threads} threads: {e}")))?;
    Ok((threads, pool))
}

/// The shard to run: --shard, else Slurm's or Kubernetes' index variables, else all; with
/// Slurm's, also the array's first task id (recorded in the shard's manifest).
///
/// A Slurm task of an array smaller than the shard count that this sweep's shard folders in
/// `out` already have is part of that array resubmitted (`sbatch --array=2 …` sets
/// SLURM_ARRAY_TASK_COUNT to 1): it takes the folders' shard count and first task id.
fn shard_from(args: &SweepArgs, out: &Path, sweep_id: &str) -> Result<(Shard, Option<usize>)> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let number = |k: &str, v: String| -> Result<usize> {
        v.trim()
            .parse()
            .map_err(|_| Error::input(k, format!("{v:?} is not a whole number")))
    };
    if let Some(s) = &args.shard {
        return Ok((Shard::parse(s)?, None));
    }
    if let Some(id) = var("SLURM_ARRAY_TASK_ID") {
        let id = number("SLURM_ARRAY_TASK_ID", id)?;
        let count = var("SLURM_ARRAY_TASK_COUNT").ok_or_else(|| {
            Error::input(
                "SLURM_ARRAY_TASK_COUNT",
                "is not set; pass --shard I/N instead",
            )
        })?;
        let count = number("SLURM_ARRAY_TASK_COUNT", count)?;
        let min = match var("SLURM_ARRAY_TASK_MIN") {
            Some(m) => number("SLURM_ARRAY_TASK_MIN", m)?,
            None => 0,
        };
        let (count, min) = match crate::experiment::existing_shards(out, sweep_id) {
            Some((shards, first)) if count < shards => (shards, first),
            _ => (count, min),
        };
        let index = id.checked_sub(min).ok_or_else(|| {
            Error::input(
                "SLURM_ARRAY_TASK_ID",
                format!("{id} is below the array's first task id {min}"),
            )
        })?;
        return Shard::new(index, count)
            .map(|s| (s, Some(min)))
            .map_err(|e| Error::input("SLURM_ARRAY_TASK_ID", e));
    }
    if let Some(index) = var("JOB_COMPLETION_INDEX") {
        let index = number("JOB_COMPLETION_INDEX", index)?;
        let count = args.shard_count.ok_or_else(|| {
            Error::input(
                "JOB_COMPLETION_INDEX",
                "is set but --shard-count is not: pass the Indexed Job's completions",
            )
        })?;
        return Shard::new(index, count)
            .map(|s| (s, None))
            .map_err(|e| Error::input("JOB_COMPLETION_INDEX", e));
    }
    Ok((Shard::ALL, None))
}

fn calibrate(args: CalibrateArgs) -> Result<i32> {
    use crate::experiment::calibrate::{Calibration, Runner, calibrate};
    let cal = Calibration::load(&args.file)?;
    let shard = match &args.shard {
        Some(s) => Shard::parse(s)?,
        None => Shard::ALL,
    };
    if !(args.poll.is_finite() && args.poll > 0.0 && args.poll <= 3600.0) {
        return Err(Error::input(
            format!("--poll {}", args.poll),
            "expected seconds above 0 and at most 3600",
        ));
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("outputs").join("calibrations").join(&cal.name));
    let (pool, jobs) = args.workers.start()?;
    let start: Vec<f64> = cal.params.iter().map(|p| p.max).collect();
    let per_run = cal
        .scenario_at(&start)
        .map(|s| footprint::estimate_bytes(&s))
        .unwrap_or(0);
    let memory = per_run.saturating_mul(jobs.min(cal.population * cal.replicates as usize) as u64);
    footprint::check_fits(
        memory,
        args.workers.memory.max_memory,
        &format!("calibration {} ({jobs} runs at once)", args.file.display()),
    )?;
    if !args.workers.quiet {
        eprintln!(
            "calibrate {}: {} keys, {} moments, {} candidates a generation × {} replicates, at most {} generations, {jobs} runs at a time",
            cal.name,
            cal.params.len(),
            cal.moments.len(),
            cal.population,
            cal.replicates,
            cal.generations
        );
    }
    let runner = Runner {
        shard,
        jobs,
        quiet: args.workers.quiet,
        poll: std::time::Duration::from_secs_f64(args.poll),
    };
    let o = pool.install(|| calibrate(&cal, &out, &runner))?;
    if !o.wrote {
        println!(
            "shard {}/{} done; shard 0 writes the results into {}",
            shard.index,
            shard.count,
            o.dir.display()
        );
        return Ok(0);
    }
    println!(
        "{} generations, {} candidates (stopped: {}); best distance {:.4} (generation {}, candidate {})",
        o.generations,
        o.evaluations,
        o.stopped,
        o.best.distance,
        o.best.generation,
        o.best.candidate
    );
    for (i, p) in cal.params.iter().enumerate() {
        match &o.se {
            Some(se) => println!("  {} = {} ± {:.3} (se)", p.path, o.best.values[i], se[i]),
            None => println!(
                "  {} = {} (not identified by the moments)",
                p.path, o.best.values[i]
            ),
        }
    }
    println!("{}", o.dir.display());
    Ok(0)
}

fn sweep(args: SweepArgs) -> Result<i32> {
    let mut extra = Vec::new();
    for s in &args.set {
        extra.push(Override::parse(s)?);
    }
    if let Some(days) = args.days {
        extra.push(Override::days(days));
    }
    let sweep = Sweep::load_with(&args.file, extra)?;
    sweep.check_points()?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("outputs").join("sweeps").join(&sweep.name));
    let (shard, slurm_array_min) = shard_from(&args, &out, &sweep.id)?;
    let (pool, jobs) = args.workers.start()?;
    // The largest run among (up to 512 evenly spread) points, times the runs in flight, and
    // the manifest.
    let firsts: Vec<_> = sweep.runs.iter().filter(|r| r.replicate == 0).collect();
    let per_run = firsts
        .iter()
        .step_by(firsts.len().div_ceil(512).max(1))
        .filter_map(|r| sweep.scenario(r).ok())
        .map(|s| footprint::estimate_bytes(&s))
        .max()
        .unwrap_or(0);
    let memory = per_run
        .saturating_mul(jobs.min(sweep.runs.len()) as u64)
        .saturating_add(256 * sweep.runs.len() as u64);
    footprint::check_fits(
        memory,
        args.workers.memory.max_memory,
        &format!("sweep {} ({jobs} runs at once)", args.file.display()),
    )?;
    if !args.workers.quiet {
        eprintln!(
            "sweep {}: {} runs ({} points × {} replicates), shard {}/{}, {jobs} at a time, about {} of memory",
            sweep.name,
            sweep.runs.len(),
            sweep.runs.len() as u64 / sweep.replicates,
            sweep.replicates,
            shard.index,
            shard.count,
            footprint::human(memory)
        );
    }
    if args.dry_run {
        let mine = sweep
            .runs
            .iter()
            .filter(|r| r.index % shard.count == shard.index)
            .count();
        println!(
            "sweep {} (id {}): base {}, {:?} design, {} points × {} replicates = {} runs; every point checked",
            sweep.name,
            sweep.id,
            sweep.base_source,
            sweep.design,
            sweep.runs.len() as u64 / sweep.replicates,
            sweep.replicates,
            sweep.runs.len()
        );
        println!(
            "shard {}/{}: {mine} runs into {}, {jobs} at a time, about {} of memory",
            shard.index,
            shard.count,
            shard.folder(&out).display(),
            footprint::human(memory)
        );
        for line in sweep.set_lines() {
            println!("  set {line}");
        }
        for r in sweep.runs.iter().take(5) {
            let values: Vec<String> = sweep
                .params
                .iter()
                .zip(&r.values)
                .map(|(p, v)| format!("{}={}", p.path(), crate::experiment::cell(v)))
                .collect();
            println!("  {} seed {}: {}", r.run_id, r.seed, values.join(" "));
        }
        if sweep.runs.len() > 5 {
            println!(
                "  … {} more (runs_manifest.csv lists them all)",
                sweep.runs.len() - 5
            );
        }
        return Ok(0);
    }
    let report = pool.install(|| {
        run_sweep(
            &sweep,
            &out,
            shard,
            slurm_array_min,
            jobs,
            args.workers.quiet,
        )
    })?;
    let dir = shard.folder(&out);
    if args.parquet {
        output::parquet::add_to_folder(&dir)?;
    }
    println!(
        "{} runs done ({} now, {} from an earlier attempt), {} failed: {}",
        report.ran + report.skipped_as_done,
        report.ran,
        report.skipped_as_done,
        report.failed,
        dir.join("runs.csv").display()
    );
    Ok(if report.failed > 0 { 1 } else { 0 })
}

fn merge(args: MergeArgs) -> Result<i32> {
    // One sweep that was not sharded: its runs.csv is assembled again in its own folder.
    let unsharded = |d: &Path| {
        std::fs::read_to_string(d.join("manifest.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .is_some_and(|m| m["kind"] == "sweep" && m["shard"] == "0/1")
    };
    if let [dir] = args.dirs.as_slice()
        && args.out.is_none()
        && dir.join("runs_manifest.csv").is_file()
        && unsharded(dir)
    {
        let (runs, failed, missing) = crate::experiment::reassemble(dir)?;
        if args.parquet {
            output::parquet::add_to_folder(dir)?;
        }
        for id in &missing {
            eprintln!("missing: {id}");
        }
        println!(
            "{} of {runs} runs assembled ({failed} failed, {} missing): {}",
            runs - missing.len(),
            missing.len(),
            dir.join("runs.csv").display()
        );
        return Ok(if missing.is_empty() && failed == 0 {
            0
        } else {
            1
        });
    }
    let out = args.out.clone().unwrap_or_else(|| {
        let first = &args.dirs[0];
        if first.join("runs_manifest.csv").is_file() {
            first.parent().unwrap_or(Path::new(".")).join("merged")
        } else {
            first.join("merged")
        }
    });
    let report = crate::experiment::merge(&args.dirs, &out)?;
    if args.parquet {
        output::parquet::add_to_folder(&out)?;
    }
    for id in &report.missing {
        eprintln!("missing: {id}");
    }
    println!(
        "{} of {} runs merged ({} failed, {} missing): {}",
        report.runs - report.missing.len(),
        report.runs,
        report.failed,
        report.missing.len(),
        out.join("runs.csv").display()
    );
    Ok(if report.missing.is_empty() && report.failed == 0 {
        0
    } else {
        1
    })
}

/// A variant: `NAME:key=value[,key=value...]` or `NAME:FILE`.
fn variant(spec: &str, base: &str, a: &ScenarioArgs) -> Result<(String, Scenario)> {
    let place = format!("--variant {spec}");
    let (name, rest) = spec
        .split_once(':')
        .filter(|(n, r)| !n.is_empty() && !r.is_empty())
        .ok_or_else(|| {
            Error::input(
                &place,
                "expected NAME:key=value[,key=value...] or NAME:FILE",
            )
        })?;
    if rest.contains('=') {
        // Errors name the variant as typed, not a --set the user did not write.
        let extra = rest
            .split(',')
            .map(|kv| {
                let mut o = Override::parse(kv.trim())
                    .map_err(|_| Error::input(&place, format!("{kv:?} is not key=value")))?;
                o.place = place.clone();
                Ok(o)
            })
            .collect::<Result<Vec<_>>>()?;
        let (s, _, _) = load_with(Some(base), a, extra)?;
        Ok((name.to_string(), s))
    } else {
        let (s, _, _) = load(Some(rest), a).map_err(|e| Error::input(&place, e))?;
        Ok((name.to_string(), s))
    }
}

fn compare(args: CompareArgs) -> Result<i32> {
    let (base, source, _) = load(Some(&args.base), &args.scenario)?;
    let variants: Vec<(String, Scenario)> = args
        .variants
        .iter()
        .map(|v| variant(v, &args.base, &args.scenario))
        .collect::<Result<_>>()?;
    for (i, (name, _)) in variants.iter().enumerate() {
        if variants[..i].iter().any(|(n, _)| n == name) {
            return Err(Error::input(
                format!("--variant {}", args.variants[i]),
                format!(
                    "another variant is already named {name:?}; give each variant its own name"
                ),
            ));
        }
    }
    let (pool, jobs) = args.workers.start()?;
    let per_run = std::iter::once(&base)
        .chain(variants.iter().map(|(_, s)| s))
        .map(footprint::estimate_bytes)
        .max()
        .unwrap_or(0);
    // Each run keeps its summary's metrics (about 1 KiB) until the comparison is made.
    let kept = args
        .replicates
        .saturating_mul(variants.len() as u64 + 1)
        .saturating_mul(1024);
    footprint::check_fits(
        per_run
            .saturating_mul(jobs.min(args.replicates as usize) as u64)
            .saturating_add(kept),
        args.workers.memory.max_memory,
        &format!(
            "the comparison ({jobs} runs at once, {} runs in all)",
            args.replicates.saturating_mul(variants.len() as u64 + 1)
        ),
    )?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("outputs").join("compare").join(&base.run.name));
    let claim = output::Claim::new(
        &out,
        output::Kind::Compare,
        &[
            "compare.csv",
            "compare_replicates.csv",
            crate::report::FILE,
            "manifest.json",
        ],
    )?;
    let total_runs = args.replicates.saturating_mul(variants.len() as u64 + 1);
    let progress = crate::progress::Progress::new(total_runs, "runs", args.workers.quiet);
    let (rows, long) = pool.install(|| {
        crate::experiment::compare::compare(
            &base,
            &variants,
            args.replicates,
            base.run.seed,
            jobs,
            |done, total| {
                // Plain logs get a line at every tenth of the runs.
                let line = (done * 10 / total != (done - 1) * 10 / total || done == total)
                    .then(|| format!("  {done}/{total} runs"));
                progress.step(done as u64, String::new, line);
            },
        )
    })?;
    progress.finish();
    crate::output::write_csv(&claim.staging().join("compare.csv"), &rows)?;
    crate::output::write_csv(&claim.staging().join("compare_replicates.csv"), &long)?;
    let manifest = serde_json::json!({
        "tool": "socsim",
        "version": env!("CARGO_PKG_VERSION"),
        "git_commit": output::GIT_COMMIT,
        "kind": "compare",
        "command": std::env::args().collect::<Vec<_>>(),
        "base": source,
        "variants": args.variants,
        "replicates": args.replicates,
        "seed": base.run.seed,
        "seeds": (0..args.replicates).map(|r| crate::rng::replicate_seed(base.run.seed, r)).collect::<Vec<_>>(),
        "finished_at": output::now_unix(),
        "finished_at_iso": output::iso_utc(output::now_unix()),
        "base_scenario": base.to_toml(),
    });
    crate::output::write_json(&claim.staging().join("manifest.json"), &manifest)?;
    let page = crate::report::compare_report(claim.staging())?;
    output::write_atomic(&claim.staging().join(crate::report::FILE), page.as_bytes())?;
    claim.commit()?;
    if args.parquet {
        output::parquet::add_to_folder(&out)?;
    }
    const SHOWN: [&str; 8] = [
        "totals.net_gmv",
        "totals.gross_gmv",
        "rates.return_rate",
        "buyers.repeat_purchase_rate",
        "retention.churned",
        "exposure.gini",
        "creators.exits",
        "feeds.final_homogenization",
    ];
    let p_text = |p: f64| {
        if p < 1e-4 {
            "<1e-4".to_string()
        } else {
            format!("{p:.4}")
        }
    };
    println!(
        "{:<14} {:<28} {:>14} {:>14} {:>14} {:>27} {:>9} {:>8} {:>8} {:>7}",
        "variant",
        "metric",
        "base",
        "variant",
        "diff",
        "95 % CI (paired)",
        "relative",
        "p",
        "p_holm",
        "width"
    );
    for r in rows.iter().filter(|r| SHOWN.contains(&r.metric.as_str())) {
        println!(
            "{:<14} {:<28} {:>14.4} {:>14.4} {:>14.4} [{:>12.4}, {:>12.4}] {:>9} {:>8} {:>8} {:>7}",
            r.variant,
            r.metric,
            r.base_mean,
            r.variant_mean,
            r.diff,
            r.ci_low,
            r.ci_high,
            r.rel_diff
                .map_or("n/a".to_string(), |x| format!("{:+.2}%", 100.0 * x)),
            p_text(r.p_value),
            p_text(r.p_holm),
            r.width_ratio
                .map_or("n/a".to_string(), |w| format!("{w:.2}"))
        );
    }
    println!(
        "(p_holm: Holm-adjusted over the variant's metrics; width: paired interval width / independent-seeds width; every metric: {})",
        out.join("compare.csv").display()
    );
    Ok(0)
}
