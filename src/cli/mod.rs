//! The command line: `socsim run | validate | list`.

use clap::{Args, Parser, Subcommand};
use socsim::error::{Error, Result};
use socsim::output::{self, Manifest, Timings};
use socsim::scenario::{self, Override, Scenario};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Parser)]
#[command(
    name = "socsim",
    version,
    about = "Agent-based simulator of social-commerce ecosystems"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run one scenario and write daily.csv, creators.csv, summary.json and manifest.json.
    Run(RunArgs),
    /// Check a scenario file and print it fully resolved (every key, defaults included).
    Validate(ValidateArgs),
    /// List the built-in scenarios and recommendation algorithms.
    List,
}

#[derive(Args)]
struct ScenarioArgs {
    /// Override any scenario key, e.g. --set recommendation.algorithm=popularity (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Override run.seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Override run.days.
    #[arg(long)]
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
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Args)]
struct ValidateArgs {
    /// Scenario file, or the name of a built-in scenario.
    file: String,
    #[command(flatten)]
    scenario: ScenarioArgs,
}

/// Runs the command line; returns the exit code.
pub fn main() -> Result<i32> {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return Ok(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.command {
        Command::Run(args) => run(args),
        Command::Validate(args) => {
            let (scenario, _, _) = load(Some(&args.file), &args.scenario)?;
            print!("{}", scenario.to_toml());
            Ok(0)
        }
        Command::List => {
            println!("Built-in scenarios (socsim run NAME):");
            for (name, about, _) in scenario::BUILT_IN {
                println!("  {name:<22} {about}");
            }
            println!("\nRecommendation algorithms (recommendation.algorithm):");
            for (name, about) in socsim::policy::recommend::ALGORITHMS {
                println!("  {name:<22} {about}");
            }
            println!(
                "\nGraph kinds (graph.kind): {}",
                scenario::GRAPH_KINDS.join(", ")
            );
            Ok(0)
        }
    }
}

/// Loads a scenario from a file, a built-in name, or (None) the built-in baseline.
fn load(file: Option<&str>, a: &ScenarioArgs) -> Result<(Scenario, String, Vec<Override>)> {
    let mut overrides = Vec::new();
    for s in &a.set {
        overrides.push(Override::parse(s)?);
    }
    if let Some(seed) = a.seed {
        overrides.push(Override::parse(&format!("run.seed={seed}"))?);
    }
    if let Some(days) = a.days {
        overrides.push(Override::parse(&format!("run.days={days}"))?);
    }
    let (scenario, source) = match file {
        None => (
            scenario::load(None, &overrides)?,
            "built-in baseline".to_string(),
        ),
        Some(f) if !Path::new(f).exists() && scenario::built_in(f).is_some() => (
            scenario::parse_scenario(
                &format!("built-in {f}"),
                scenario::built_in(f).unwrap(),
                &overrides,
            )?,
            format!("built-in {f}"),
        ),
        Some(f) => (
            scenario::load(Some(Path::new(f)), &overrides)?,
            f.to_string(),
        ),
    };
    Ok((scenario, source, overrides))
}

fn run(args: RunArgs) -> Result<i32> {
    let started_at = output::now_unix();
    let t0 = Instant::now();
    let (scenario, source, overrides) = load(args.file.as_deref(), &args.scenario)?;
    let threads = match args.threads {
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
    let resolved = scenario.to_toml();
    let run_id = output::run_id(&resolved, scenario.run.seed);
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("outputs").join(&scenario.run.name).join(&run_id));
    output::check_out_dir(&dir)?;

    let mut timings = Timings::default();
    let out = pool.install(|| -> Result<socsim::RunOutput> {
        let t = Instant::now();
        let mut sim = socsim::Simulation::new(&scenario)?;
        timings.build_world_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let days = scenario.run.days;
        sim.run(|row| {
            if !args.quiet && (row.day + 1) % 30 == 0 && row.day + 1 < days {
                eprintln!(
                    "  day {:>4}/{days}  net GMV {:>14.0}",
                    row.day + 1,
                    row.net_gmv
                );
            }
        });
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
    let mut manifest = Manifest {
        tool: "socsim",
        version: env!("CARGO_PKG_VERSION"),
        command: std::env::args().collect(),
        scenario_source: source,
        overrides: overrides.iter().map(|o| o.text.clone()).collect(),
        seed: scenario.run.seed,
        run_id,
        threads,
        started_at,
        finished_at: 0,
        timings,
        files: output::FILES.to_vec(),
        scenario: resolved,
    };
    output::write_run(&dir, &out, &mut manifest, t0)?;
    if !args.quiet {
        print_summary(&out.summary, &manifest.timings, &dir);
    }
    Ok(0)
}

fn print_summary(s: &socsim::metrics::Summary, t: &Timings, dir: &Path) {
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
