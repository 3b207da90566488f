//! `report.html`: what a strategist reads after a run, a sweep or a comparison.
//!
//! The report is built from the files of the folder alone (daily.csv, summary.json, … and the
//! manifest's resolved scenario), so `socsim report DIR` rebuilds the very page `socsim run`
//! wrote. It leaves out what differs between two runs of the same scenario and seed (the
//! command line, timings, clock times), so it is as deterministic as the data it shows. Every
//! chart is inline SVG; the page holds no script and fetches nothing.

mod chart;
mod html;
mod runs;
mod table;

use crate::error::{Error, Result};
use crate::output::{Kind, Marker};
use html::Page;
use std::path::Path;
use table::Table;

pub use runs::{compare_report, spearman, sweep_report};

/// The report's file name, in every folder kind.
pub const FILE: &str = "report.html";

/// Writes `DIR/report.html` for the run, sweep, merged sweep or comparison folder `dir`, and
/// returns its path. The folder must be one socsim wrote; a `report.html` socsim did not
/// write there is never replaced.
pub fn write(dir: &Path) -> Result<std::path::PathBuf> {
    let place = || format!("socsim report {}", dir.display());
    if !dir.is_dir() {
        return Err(Error::input(place(), "no such folder"));
    }
    let Some(marker) = Marker::read(dir) else {
        return Err(Error::input(
            place(),
            "not a folder socsim wrote (it has no .socsim-output marker); \
             give a run, sweep or compare folder",
        ));
    };
    let path = dir.join(FILE);
    let listed = marker.files.iter().any(|f| f == FILE);
    if path.exists() && !listed {
        return Err(Error::input(
            place(),
            format!(
                "{} exists and socsim did not write it; move it away first",
                path.display()
            ),
        ));
    }
    let page = match marker.kind {
        Kind::Run => {
            let manifest = read_json(&dir.join("manifest.json"))?;
            run_report(dir, &manifest)?
        }
        Kind::Sweep | Kind::Merge => sweep_report(dir)?,
        Kind::Compare => compare_report(dir)?,
        Kind::Graph => {
            return Err(Error::input(
                place(),
                "is a graph export (socsim graph), which has no report; the run's report shows \
                 the graph's diagnostics",
            ));
        }
        Kind::Calibration => {
            return Err(Error::input(
                place(),
                "is a calibration folder (socsim calibrate): its results are parameters.csv, \
                 moments.csv and scenario.toml; each folder under generations/ is a sweep with a \
                 report of its own",
            ));
        }
    };
    crate::output::write_atomic(&path, page.as_bytes())?;
    if !listed {
        crate::output::list_in_marker(dir, FILE)?;
    }
    Ok(path)
}

/// Reads a JSON file, with an error naming it.
fn read_json(path: &Path) -> Result<serde_json::Value> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::input(path.display(), format!("cannot read: {e}")))?;
    serde_json::from_str(&text)
        .map_err(|e| Error::input(path.display(), format!("not the JSON socsim writes: {e}")))
}

/// A number of the summary at a dotted path (`rates.return_rate`), if present and numeric.
fn at(v: &serde_json::Value, path: &str) -> Option<f64> {
    path.split('.').try_fold(v, |v, k| v.get(k))?.as_f64()
}

/// A value as the headline table shows it.
fn figure(v: Option<f64>, percent: bool) -> String {
    match v {
        None => "n/a".into(),
        Some(x) if percent => format!("{:.2}%", 100.0 * x),
        Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{x:.0}"),
        Some(x) if x.abs() >= 100.0 => format!("{x:.2}"),
        Some(x) => format!("{x:.4}"),
    }
}

/// The headline figures: (summary path, label, shown as a percentage, definition). A
/// definition of `None` is taken from the daily column the total adds up.
const HEADLINES: &[(&str, &str, bool, Option<&str>)] = &[
    ("totals.gross_gmv", "Gross GMV", false, None),
    ("totals.net_gmv", "Net GMV", false, None),
    ("totals.orders", "Orders", false, None),
    (
        "rates.net_to_gross",
        "Net to gross",
        true,
        Some("net GMV / gross GMV"),
    ),
    (
        "rates.return_rate",
        "Return rate",
        true,
        Some("returned orders / delivered orders"),
    ),
    (
        "rates.cancel_rate",
        "Cancel rate",
        true,
        Some("cancelled orders / orders"),
    ),
    (
        "buyers.buyers",
        "Buyers",
        false,
        Some("consumers with at least one order that was not cancelled"),
    ),
    (
        "buyers.repeat_purchase_rate",
        "Repeat purchase rate",
        true,
        Some("share of buyers with two or more orders that were not cancelled"),
    ),
    (
        "retention.retention_30d",
        "30-day retention",
        true,
        Some(
            "share of the consumers active on day 0 who were active on at least one of days 30–36 (n/a for runs shorter than 37 days)",
        ),
    ),
    (
        "retention.churned",
        "Churned consumers",
        false,
        Some("consumers churned by the end"),
    ),
    ("totals.platform_revenue", "Platform revenue", false, None),
    (
        "exposure.gini",
        "Exposure Gini",
        false,
        Some(
            "Gini coefficient of cumulative exposure over every creator and host that ever existed",
        ),
    ),
    (
        "exposure.top1_share",
        "Exposure, top 1 % share",
        true,
        Some("share of all exposure that went to the top 1 % of creators and hosts"),
    ),
    (
        "exposure.tail.alpha",
        "Exposure tail exponent",
        false,
        Some(
            "alpha of the power-law fit of the upper tail of exposure (maximum likelihood, xmin by the Kolmogorov–Smirnov distance); n/a with fewer than 10 positive values",
        ),
    ),
    (
        "creators.entries",
        "Creator entries",
        false,
        Some("creators who entered during the run"),
    ),
    (
        "creators.exits",
        "Creator exits",
        false,
        Some("creators who left during the run"),
    ),
];

/// The page of one run folder. `manifest` is the run's manifest (its resolved scenario, run
/// id and version are read).
pub fn run_report(dir: &Path, manifest: &serde_json::Value) -> Result<String> {
    let summary = read_json(&dir.join("summary.json"))?;
    let daily = Table::read(&dir.join("daily.csv"))?;
    let creators = Table::read(&dir.join("creators.csv"))?;
    let scenario_text = manifest["scenario"].as_str().unwrap_or_default();
    let scenario = crate::scenario::type_scenario("manifest.json scenario", scenario_text, &[])
        .map_err(|e| Error::input(dir.join("manifest.json").display(), e))?;
    let name = summary["scenario"].as_str().unwrap_or("?");
    // Only what the resolved scenario fixes is shown (not how it was given: file, --set or
    // --seed), so the page is the same for the same resolved scenario.
    let mut page = Page::new(
        &format!("socsim run: {name}"),
        &format!(
            "Seed {}, {} days, {} consumers. Run {} (socsim {}); manifest.json holds the resolved scenario.",
            summary["seed"],
            summary["days"],
            summary["consumers"],
            manifest["run_id"].as_str().unwrap_or("?"),
            manifest["version"].as_str().unwrap_or("?"),
        ),
    );

    page.section(
        "Headline figures",
        "Totals are over the whole run; definitions are those of docs/OUTPUTS.md.",
    );
    let rows: Vec<Vec<String>> = HEADLINES
        .iter()
        .map(|&(path, label, percent, definition)| {
            let definition = definition.map(String::from).unwrap_or_else(|| {
                let column = path.rsplit('.').next().unwrap_or(path);
                crate::metrics::COLUMNS
                    .iter()
                    .find(|c| c.name == column)
                    .map(|c| format!("sum over the days of: {}", c.definition()))
                    .unwrap_or_default()
            });
            vec![
                label.to_string(),
                figure(at(&summary, path), percent),
                definition,
            ]
        })
        .collect();
    page.table(&["figure", "value", "definition"], &rows);

    let days = daily.column("day");
    let line = |title: &str, y_label: &str, names: &[&str]| -> String {
        let series: Vec<chart::Series> = names
            .iter()
            .filter_map(|n| daily.column(n).map(|y| chart::Series { name: n, y }))
            .collect();
        chart::lines(
            title,
            "day",
            y_label,
            days.as_deref().unwrap_or(&[]),
            &series,
        )
    };

    page.section("Money", "");
    page.charts(&[
        (
            line("GMV per day", "GMV", &["gross_gmv", "net_gmv"]),
            "gross_gmv: orders booked that day; net_gmv: orders delivered that day and not returned.",
        ),
        (
            line(
                "Platform revenue by part",
                "revenue",
                &["revenue_commission", "revenue_insurance", "revenue_ads", "revenue_premium"],
            ),
            "The platform's revenue per day, by source.",
        ),
    ]);
    page.section("Orders", "");
    page.charts(&[
        (
            line(
                "Orders, returns and cancellations",
                "orders",
                &["orders", "returned_orders", "cancelled_orders"],
            ),
            "Orders placed, returned and cancelled each day.",
        ),
        (
            line(
                "Repeat purchase",
                "share of buyers",
                &["repeat_purchase_rate"],
            ),
            "Share of the buyers so far with two or more orders that were not cancelled.",
        ),
    ]);
    page.section("Consumers", "");
    page.charts(&[
        (
            line("Active consumers", "consumers", &["active_consumers"]),
            "Consumers who opened the platform that day.",
        ),
        (
            line("Churn", "consumers", &["churned_total", "churned"]),
            "churned_total: consumers churned so far; churned: those who churned that day.",
        ),
    ]);

    page.section(
        "Creators and exposure",
        "Exposure is the impressions a creator or host received over the run.",
    );
    let lorenz: Vec<[f64; 2]> = summary["exposure"]["lorenz"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| Some([p.get(0)?.as_f64()?, p.get(1)?.as_f64()?]))
                .collect()
        })
        .unwrap_or_default();
    let tail = |t: &serde_json::Value, values: &[f64]| {
        let positive = values.iter().filter(|v| **v > 0.0).count().max(1) as f64;
        Some(chart::TailLine {
            alpha: t["alpha"].as_f64()?,
            xmin: t["xmin"].as_f64()?,
            share: t["n_tail"].as_f64()? / positive,
        })
    };
    let exposure = creators.column("exposure").unwrap_or_default();
    let followers = creators.column("followers").unwrap_or_default();
    page.charts(&[
        (
            chart::lorenz("Exposure Lorenz curve", &lorenz),
            "Share of all exposure held by the poorest share of creators and hosts.",
        ),
        (
            chart::ccdf("Exposure distribution", "exposure", "creators", &exposure, tail(&summary["exposure"]["tail"], &exposure)),
            "P(X ≥ x) over creators and hosts with any exposure, log-log, with the fitted power-law tail.",
        ),
        (
            chart::ccdf("Follower distribution", "followers", "creators", &followers, tail(&summary["followers"]["tail"], &followers)),
            "P(X ≥ x) over creators and hosts with any follower at the end, log-log, with the fitted tail.",
        ),
        (
            line(
                "Creator entries and exits",
                "creators",
                &["creator_entries", "creator_exits"],
            ),
            "Creators who entered and who left each day.",
        ),
        (
            line("Active creators", "creators", &["active_creators"]),
            "Creators and hosts active at the end of each day.",
        ),
    ]);

    graph_panel(&mut page, &summary, &tail);
    policy_panels(&mut page, dir, &scenario, &summary, &line)?;
    Ok(page.finish())
}

/// The values of `[value, count]` pairs, each repeated `count` times.
fn expanded(pairs: &serde_json::Value) -> Vec<f64> {
    pairs
        .as_array()
        .map(|a| {
            a.iter()
                .flat_map(|p| {
                    let value = p[0].as_f64().unwrap_or(0.0);
                    std::iter::repeat_n(value, p[1].as_u64().unwrap_or(0) as usize)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The social graph's diagnostics (`summary.json`'s `graph`): a table, the degree
/// distribution with its tail fit, and the community sizes.
fn graph_panel(
    page: &mut Page,
    summary: &serde_json::Value,
    tail: &dyn Fn(&serde_json::Value, &[f64]) -> Option<chart::TailLine>,
) {
    let g = &summary["graph"];
    page.section(
        "Social graph",
        "The friendships among consumers (fixed for the run) and the communities group chats and forums use.",
    );
    let number = |path: &str, percent: bool| figure(at(g, path), percent);
    let rows: Vec<Vec<String>> = [
        ("consumers", number("nodes", false), "nodes of the graph"),
        (
            "friendships",
            number("edges", false),
            "undirected edges, each counted once",
        ),
        (
            "mean degree",
            number("mean_degree", false),
            "2 · friendships / consumers",
        ),
        (
            "largest degree",
            number("max_degree", false),
            "the most friends any consumer has",
        ),
        (
            "isolated consumers",
            number("isolated", false),
            "consumers without a friend",
        ),
        (
            "components",
            number("components", false),
            "connected components, an isolated consumer being one",
        ),
        (
            "largest component",
            number("largest_component_share", true),
            "its share of the consumers",
        ),
        (
            "average clustering",
            number("average_clustering", false),
            "mean local clustering coefficient (0 below degree 2)",
        ),
        (
            "transitivity",
            number("transitivity", false),
            "3 · triangles / connected triples",
        ),
        (
            "degree tail exponent",
            number("degree_tail.alpha", false),
            "power-law fit of the degree distribution's upper tail",
        ),
        (
            "communities",
            number("communities", false),
            "blocks, the graph.communities file, or label propagation's",
        ),
        (
            "largest community",
            number("largest_community_share", true),
            "its share of the consumers",
        ),
        (
            "median community size",
            number("median_community_size", false),
            "consumers",
        ),
    ]
    .into_iter()
    .map(|(label, value, definition)| vec![label.to_string(), value, definition.to_string()])
    .collect();
    page.table(&["figure", "value", "definition"], &rows);
    let degrees = expanded(&g["degree_counts"]);
    let sizes = expanded(&g["community_size_counts"]);
    page.charts(&[
        (
            chart::ccdf(
                "Degree distribution",
                "friends",
                "consumers",
                &degrees,
                tail(&g["degree_tail"], &degrees),
            ),
            "P(X ≥ x) over consumers with a friend, log-log, with the fitted power-law tail.",
        ),
        (
            chart::ccdf("Community sizes", "consumers", "communities", &sizes, None),
            "P(X ≥ x) over the communities, log-log.",
        ),
    ]);
}

/// One panel for each policy that the scenario turns on.
fn policy_panels(
    page: &mut Page,
    dir: &Path,
    s: &crate::scenario::Scenario,
    summary: &serde_json::Value,
    line: &dyn Fn(&str, &str, &[&str]) -> String,
) -> Result<()> {
    if s.coupons.value > 0.0 {
        page.section("Coupons", "On: coupons.value > 0.");
        page.charts(&[
            (
                line("Coupon orders", "orders", &["coupon_orders"]),
                "Orders that used a coupon, per day.",
            ),
            (
                line("Coupon spend", "spend", &["coupon_spend"]),
                "Coupon value redeemed, per day.",
            ),
        ]);
    }
    if s.group_buying.product_share > 0.0 {
        page.section("Group buying", "On: group_buying.product_share > 0.");
        page.charts(&[
            (
                line(
                    "Groups",
                    "groups",
                    &["groups_opened", "groups_formed", "groups_failed"],
                ),
                "Groups opened, formed (filled in time) and failed, per day.",
            ),
            (
                line("Joins", "consumers", &["group_joins", "stranger_joins"]),
                "Consumers joining a group, and those who joined a stranger's.",
            ),
        ]);
    }
    if s.scandals.rate > 0.0 || !s.scandals.events.is_empty() {
        page.section(
            "Scandals",
            "On: scandals.rate > 0 or scheduled events. Each event study compares the mean daily GMV of the 14 days before the event with the (up to) 14 days from it.",
        );
        page.charts(&[(
            line("GMV and scandals", "GMV", &["gross_gmv"]),
            "Gross GMV per day; the event studies below give each scandal's day.",
        )]);
        let rows: Vec<Vec<String>> = summary["scandals"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| {
                        let n = |k: &str| figure(e[k].as_f64(), false);
                        vec![
                            n("day"),
                            e["kind"].as_str().unwrap_or("?").to_string(),
                            n("target"),
                            n("severity"),
                            n("target_gmv_before"),
                            n("target_gmv_after"),
                            n("spillover_gmv_before"),
                            n("spillover_gmv_after"),
                            figure(e["followers_lost_share"].as_f64(), true),
                            n("days_to_recover"),
                        ]
                    })
                    .collect()
            })
            .unwrap_or_default();
        if rows.is_empty() {
            page.text("No scandal happened in this run.");
        } else {
            page.table(
                &[
                    "day",
                    "kind",
                    "target",
                    "severity",
                    "target GMV/day before",
                    "after",
                    "spillover GMV/day before",
                    "after",
                    "followers lost",
                    "days to recover",
                ],
                &rows,
            );
        }
    }
    if s.brushing.merchant_share > 0.0 || s.brushing.host_share > 0.0 {
        page.section("Brushing", "On: brushing.merchant_share or host_share > 0.");
        page.charts(&[
            (
                line(
                    "Brushed orders",
                    "orders",
                    &["brushed_orders", "brushing_detected"],
                ),
                "Fake orders placed, and those the platform detected, per day.",
            ),
            (
                line("Brushed GMV", "GMV", &["brushed_gmv"]),
                "Value of the fake orders, per day.",
            ),
        ]);
    }
    if !s.markets.is_empty() {
        page.section("Markets", "On: [[markets]] given. One line per market.");
        let markets = Table::read(&dir.join("markets.csv"))?;
        let names = markets.strings("market").unwrap_or_default();
        let mut order: Vec<String> = Vec::new();
        for n in &names {
            if !order.contains(n) {
                order.push(n.clone());
            }
        }
        let per_market = |column: &str| -> (Vec<f64>, Vec<(String, Vec<f64>)>) {
            let day = markets.column("day").unwrap_or_default();
            let values = markets.column(column).unwrap_or_default();
            let mut days: Vec<f64> = day.clone();
            days.dedup();
            let series = order
                .iter()
                .map(|m| {
                    let y = names
                        .iter()
                        .zip(&values)
                        .filter(|(n, _)| *n == m)
                        .map(|(_, v)| *v)
                        .collect();
                    (m.clone(), y)
                })
                .collect();
            (days, series)
        };
        let draw = |title: &str, y_label: &str, column: &str| {
            let (days, series) = per_market(column);
            let series: Vec<chart::Series> = series
                .iter()
                .map(|(n, y)| chart::Series {
                    name: n,
                    y: y.clone(),
                })
                .collect();
            chart::lines(title, "day", y_label, &days, &series)
        };
        page.charts(&[
            (
                draw("Net GMV by market", "net GMV", "net_gmv"),
                "Net GMV per day in each market.",
            ),
            (
                draw(
                    "Cross-border share by market",
                    "share",
                    "cross_border_share",
                ),
                "Share of each market's accepted orders that crossed a border.",
            ),
        ]);
    }
    if s.chats.per_community > 0 {
        page.section("Group chats", "On: chats.per_community > 0.");
        page.charts(&[
            (
                line(
                    "Chat activity",
                    "consumers / orders",
                    &["chat_readers", "chat_orders", "chat_feedback"],
                ),
                "Members who read their chats, chat orders and feedback posts, per day.",
            ),
            (
                line("Chat members", "consumers", &["chat_members"]),
                "Consumers in at least one chat.",
            ),
        ]);
        let survey = Table::read(&dir.join("survey.csv"))?;
        let count = |column: &str, categories: &[&str]| -> Vec<String> {
            let values = survey.strings(column).unwrap_or_default();
            let n = values.len().max(1) as f64;
            categories
                .iter()
                .map(|c| {
                    let k = values.iter().filter(|v| v == c).count();
                    format!("{:.1}%", 100.0 * k as f64 / n)
                })
                .collect()
        };
        let frequency = ["always", "often", "generally", "occasionally", "never"];
        let satisfaction = [
            "particularly_satisfied",
            "satisfied",
            "fair",
            "less_satisfied",
            "particularly_unsatisfied",
        ];
        page.text("survey.csv: the share of consumers in each answer.");
        let mut f = vec!["frequency".to_string()];
        f.extend(count("frequency", &frequency));
        page.table(
            &[
                "question",
                "always",
                "often",
                "generally",
                "occasionally",
                "never",
            ],
            &[f],
        );
        let mut s = vec!["satisfaction".to_string()];
        s.extend(count("satisfaction", &satisfaction));
        page.table(
            &[
                "question",
                "particularly satisfied",
                "satisfied",
                "fair",
                "less satisfied",
                "particularly unsatisfied",
            ],
            &[s],
        );
    }
    if s.forums.read > 0.0 {
        page.section("Forums", "On: forums.read > 0.");
        page.charts(&[
            (
                line(
                    "Forum activity",
                    "count",
                    &["forum_posts", "forum_promotional_posts", "forum_removed_posts", "forum_orders"],
                ),
                "Posts published, promotional posts, posts removed by moderators, and in-thread orders, per day.",
            ),
            (
                line("Promotional share", "share", &["forum_promotional_share"]),
                "Share of the posts on the forums' front pages that are promotional.",
            ),
        ]);
    }
    Ok(())
}
