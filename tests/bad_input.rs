//! Bad input: one clear error naming the place, exit code 2, and no output folder.

mod common;
use common::*;

/// Runs `socsim run FILE --out DIR` and checks the failure; returns stderr.
fn fails(name: &str, scenario: &str, extra: &[&str]) -> String {
    let dir = temp_dir(name);
    let file = write(&dir, "s.toml", scenario);
    let out = dir.join("out");
    let mut args = vec!["run", &file, "-q", "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = socsim(&args);
    let err = stderr(&o);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{name}: expected exit code 2, stderr: {err}"
    );
    assert!(!out.exists(), "{name}: an output folder was left behind");
    assert_eq!(
        err.trim().lines().count(),
        1,
        "{name}: expected one line, got {err}"
    );
    err
}

#[test]
fn toml_syntax_error_names_the_line() {
    let e = fails("syntax", "[run]\nseed = 1\ndays = = 3\n", &[]);
    assert!(e.contains("s.toml line 3") && e.contains("syntax"), "{e}");
}

#[test]
fn unknown_key_names_key_and_line() {
    let e = fails(
        "unknown",
        "[run]\nseed = 1\n[returns]\nfree_return = true\n",
        &[],
    );
    assert!(
        e.contains("line 4") && e.contains("returns.free_return"),
        "{e}"
    );
    assert!(e.contains("unknown field"), "{e}");
}

#[test]
fn wrong_type_names_key_and_line() {
    let e = fails("type", "[run]\ndays = \"forty\"\n", &[]);
    assert!(e.contains("line 2") && e.contains("run.days"), "{e}");
}

#[test]
fn probability_outside_unit_interval() {
    let e = fails("prob", "[behaviour]\n\nfollow_prob = 1.5\n", &[]);
    assert!(
        e.contains("line 3") && e.contains("behaviour.follow_prob") && e.contains("[0, 1]"),
        "{e}"
    );
}

#[test]
fn negative_count() {
    let e = fails("negative", "[population]\ncreators = -5\n", &[]);
    assert!(
        e.contains("line 2") && e.contains("population.creators"),
        "{e}"
    );
}

#[test]
fn impossible_graph_parameter() {
    let e = fails(
        "ba-m",
        "[population]\nconsumers = 10\n[graph]\nm = 10\n",
        &[],
    );
    assert!(e.contains("line 4") && e.contains("graph.m"), "{e}");
}

#[test]
fn bad_override_names_the_override() {
    let e = fails("override", "", &["--set", "behaviour.review_prob=2"]);
    assert!(e.contains("--set behaviour.review_prob=2"), "{e}");
    let e = fails("override-key", "", &["--set", "behaviour.nonsense=2"]);
    assert!(
        e.contains("behaviour.nonsense") && e.contains("unknown field"),
        "{e}"
    );
}

#[test]
fn unknown_algorithm_lists_the_choices() {
    let e = fails("algo", "[recommendation]\nalgorithm = \"magic\"\n", &[]);
    assert!(
        e.contains("recommendation.algorithm") && e.contains("popularity"),
        "{e}"
    );
}

fn edge_list_scenario(path: &str) -> String {
    format!("[population]\nconsumers = 50\n[graph]\nkind = \"edge_list\"\npath = {path:?}\n")
}

#[test]
fn edge_list_with_a_malformed_line() {
    let dir = temp_dir("edges-malformed");
    let edges = write(&dir, "edges.csv", "# a comment\n0,1\n1;2\n");
    let e = fails("edges-malformed-run", &edge_list_scenario(&edges), &[]);
    assert!(e.contains("graph.path") && e.contains("line 3"), "{e}");
}

#[test]
fn edge_list_with_an_id_out_of_range() {
    let dir = temp_dir("edges-range");
    let edges = write(&dir, "edges.txt", "0 1\n2 50\n");
    let e = fails("edges-range-run", &edge_list_scenario(&edges), &[]);
    assert!(
        e.contains("graph.path") && e.contains("line 2") && e.contains("50"),
        "{e}"
    );
}

#[test]
fn edge_list_file_missing() {
    let e = fails(
        "edges-missing",
        &edge_list_scenario("/nonexistent/edges.csv"),
        &[],
    );
    assert!(
        e.contains("graph.path") && e.contains("/nonexistent/edges.csv"),
        "{e}"
    );
}

#[test]
fn scenario_file_missing() {
    let dir = temp_dir("missing");
    let out = dir.join("out");
    let o = socsim(&[
        "run",
        "/nonexistent/scenario.toml",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/nonexistent/scenario.toml"));
    assert!(!out.exists());
}

#[test]
fn zero_threads_is_bad_input() {
    let e = fails("threads", "", &["--threads", "0"]);
    assert!(e.contains("--threads"), "{e}");
}

#[test]
fn a_good_edge_list_runs() {
    let dir = temp_dir("edges-good");
    let mut text = String::from("source,target\n");
    for i in 0..50 {
        text.push_str(&format!("{i},{}\n", (i + 1) % 50));
    }
    let edges = write(&dir, "edges.csv", &text);
    let scenario = write(
        &dir,
        "s.toml",
        &format!(
            "[run]\ndays = 5\n{}",
            edge_list_scenario(&edges).replace(
                "[population]\nconsumers = 50",
                "[population]\nconsumers = 50\ncreators = 10\nhosts = 2\nmerchants = 10"
            )
        ),
    );
    let out = dir.join("out");
    let o = socsim(&["run", &scenario, "-q", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn out_dir_that_is_not_a_run_folder_is_refused_and_kept() {
    let dir = temp_dir("out-guard");
    let scenario = write(
        &dir,
        "s.toml",
        "[run]\ndays = 2\n[population]\nconsumers = 300\ncreators = 20\nhosts = 2\nmerchants = 20\n",
    );
    let precious = dir.join("data");
    std::fs::create_dir_all(&precious).unwrap();
    std::fs::write(precious.join("thesis.txt"), "years of work").unwrap();
    let o = socsim(&["run", &scenario, "-q", "--out", precious.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not written by socsim"));
    assert!(precious.join("thesis.txt").is_file());
    // An earlier run folder is replaced.
    let out = dir.join("run");
    for _ in 0..2 {
        let o = socsim(&["run", &scenario, "-q", "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
}

#[test]
fn inconsistent_settings_name_the_key() {
    let e = fails(
        "lineup",
        "[hosts]\nlineup = 5\n[creators]\naffiliates = 2\n",
        &[],
    );
    assert!(
        e.contains("hosts.lineup") && e.contains("creators.affiliates"),
        "{e}"
    );
    let e = fails("trust", "[consumers]\ninitial_trust = 0.2\n", &[]);
    assert!(
        e.contains("consumers.initial_trust") && e.contains("churn_threshold"),
        "{e}"
    );
}

#[test]
fn algorithm_parameter_out_of_range() {
    let e = fails(
        "mmr",
        "[recommendation]\nalgorithm = \"diversity\"\nmmr_lambda = 1.5\n",
        &[],
    );
    assert!(
        e.contains("line 3") && e.contains("recommendation.mmr_lambda") && e.contains("[0, 1]"),
        "{e}"
    );
    let e = fails(
        "prior",
        "",
        &["--set", "recommendation.bandit_prior_beta=0"],
    );
    assert!(
        e.contains("recommendation.bandit_prior_beta") && e.contains("positive"),
        "{e}"
    );
}

#[test]
fn group_size_zero_is_an_error() {
    let e = fails(
        "group-size",
        "[group_buying]\nproduct_share = 0.3\nsize = 0\n",
        &[],
    );
    assert!(
        e.contains("line 3") && e.contains("group_buying.size"),
        "{e}"
    );
}

#[test]
fn inconsistent_policy_settings_name_the_key() {
    let e = fails("coupon", "[coupons]\nvalue = 20.0\nthreshold = 10.0\n", &[]);
    assert!(
        e.contains("line 3") && e.contains("coupons.threshold") && e.contains("coupons.value"),
        "{e}"
    );
    let past = "[run]\ndays = 30\n[[scandals.events]]\nday = 40\nkind = \"host\"\ntarget = \"top\"\nseverity = 0.5\n";
    let e = fails("scandal-day", past, &[]);
    assert!(
        e.contains("line 4") && e.contains("scandals.events.0.day") && e.contains("horizon"),
        "{e}"
    );
    let missing = "[population]\nmerchants = 50\n[[scandals.events]]\nday = 1\nkind = \"product\"\ntarget = 77\nseverity = 0.5\n";
    let e = fails("scandal-target", missing, &[]);
    assert!(
        e.contains("line 6")
            && e.contains("scandals.events.0.target")
            && e.contains("does not exist"),
        "{e}"
    );
    let e = fails("ads", "[platform]\nad_slots = 20\n", &[]);
    assert!(e.contains("platform.ad_slots"), "{e}");
}

/// Markets, festivals and search: each impossible setting is refused with its key.
#[test]
fn impossible_markets_festivals_and_search_name_the_key() {
    let two = |a: &str, b: &str| {
        format!("[[markets]]\nname = \"home\"\n{a}\n[[markets]]\nname = \"abroad\"\n{b}\n")
    };
    for (name, text, extra, key, words) in [
        (
            "shares",
            two("consumer_share = 0.7", "consumer_share = 0.6"),
            vec![],
            "markets.1.consumer_share",
            "add up to 1.3",
        ),
        (
            "duplicate",
            "[[markets]]\nname = \"a\"\nconsumer_share = 0.5\n[[markets]]\nname = \"a\"\nconsumer_share = 0.5\n".to_string(),
            vec![],
            "markets.1.name",
            "names two markets",
        ),
        (
            "merchant-shares",
            two(
                "consumer_share = 0.5\nmerchant_share = 0.5",
                "consumer_share = 0.5\nmerchant_share = 0.2",
            ),
            vec![],
            "markets.1.merchant_share",
            "add up to 0.7",
        ),
        (
            "failure",
            two("consumer_share = 0.5", "consumer_share = 0.5\npayment_failure = 1.5"),
            vec![],
            "markets.1.payment_failure",
            "",
        ),
        (
            "festival-past-horizon",
            "[run]\ndays = 30\n[[calendar.events]]\nname = \"d11\"\nday = 29\ndays = 3\n".to_string(),
            vec![],
            "calendar.events.0.day",
            "horizon",
        ),
        (
            "reduction",
            "[[calendar.events]]\nname = \"d11\"\nday = 5\nreduction_threshold = 10.0\nreduction_value = 20.0\n".to_string(),
            vec![],
            "calendar.events.0.reduction_value",
            "below reduction_threshold",
        ),
        (
            "search-share",
            String::new(),
            vec!["--set", "search.share=2"],
            "search.share",
            "",
        ),
        (
            "chats-per-community",
            "[chats]\nper_community = 9\n".to_string(),
            vec![],
            "chats.per_community",
            "at most 8",
        ),
        (
            "chats-slots",
            String::new(),
            vec!["--set", "chats.slots=0"],
            "chats.slots",
            "",
        ),
        (
            "forums-reward",
            String::new(),
            vec!["--set", "forums.affiliate_reward=1"],
            "forums.affiliate_reward",
            "[0, 1)",
        ),
        (
            "shipping",
            "[cross_border]\nshipping = \"teleport\"\n".to_string(),
            vec![],
            "cross_border.shipping",
            "consumer_choice",
        ),
    ] {
        let e = fails(name, &text, &extra);
        assert!(e.contains(key) && e.contains(words), "{name}: {e}");
    }
    let nine: String = (0..9)
        .map(|k| format!("[[markets]]\nname = \"m{k}\"\nconsumer_share = 0.1\n"))
        .collect();
    let e = fails("nine-markets", &nine, &[]);
    assert!(e.contains("markets"), "{e}");
    let e = fails("markets-not-a-list", "markets = 3\n", &[]);
    assert!(e.contains("[[markets]]"), "{e}");
}
