//! Every graph kind builds a world and runs end to end through the library.

use socsim::scenario::{Override, parse_scenario};

fn run(kind_lines: &str) -> socsim::RunOutput {
    let text = format!(
        "[run]\ndays = 8\n[population]\nconsumers = 2000\ncreators = 80\nhosts = 5\nmerchants = 60\n[graph]\n{kind_lines}\n"
    );
    let s = parse_scenario("test", &text, &[]).unwrap();
    let mut sim = socsim::Simulation::new(&s).unwrap();
    sim.run(|_| {});
    sim.finish()
}

#[test]
fn each_generator_runs() {
    for lines in [
        "kind = \"barabasi_albert\"\nm = 2",
        "kind = \"watts_strogatz\"\nk = 4\np_rewire = 0.2",
        "kind = \"stochastic_block\"\nblocks = 20\np_in = 0.05\np_out = 0.001",
        "kind = \"configuration\"\nexponent = 2.5\nmin_degree = 2",
    ] {
        let out = run(lines);
        assert_eq!(out.daily.len(), 8, "{lines}");
        assert!(out.summary.totals.impressions > 0, "{lines}");
    }
}

#[test]
fn stochastic_block_sets_communities() {
    let s = parse_scenario(
        "test",
        "[population]\nconsumers = 1000\n[graph]\nkind = \"stochastic_block\"\nblocks = 10\np_in = 0.05\np_out = 0.001\n",
        &[Override::parse("run.days=1").unwrap()],
    )
    .unwrap();
    let sim = socsim::Simulation::new(&s).unwrap();
    let c = &sim.world().consumers.community;
    assert_eq!(c.iter().copied().max(), Some(9));
}

#[test]
fn a_scenario_built_in_code_is_validated() {
    let mut s = socsim::Scenario::default();
    s.behaviour.follow_prob = 2.0;
    let e = socsim::Simulation::new(&s)
        .err()
        .expect("invalid scenario must be refused");
    assert_eq!(e.exit_code(), 2);
    assert!(e.to_string().starts_with("behaviour.follow_prob"), "{e}");
}

#[test]
fn extreme_but_valid_settings_run() {
    // A tiny creator population (the tail fit has 10–16 values) and a steep popularity exponent.
    let s = parse_scenario(
        "test",
        "[run]\ndays = 5\n[population]\nconsumers = 500\ncreators = 12\nhosts = 0\nmerchants = 10\n[creators]\nentry_rate = 0.0\n[recommendation]\npopularity_exponent = 20.0\n",
        &[],
    )
    .unwrap();
    let mut sim = socsim::Simulation::new(&s).unwrap();
    sim.run(|_| {});
    let out = sim.finish();
    assert_eq!(out.creators.len(), 12);
}
