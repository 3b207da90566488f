//! Scenarios: the TOML schema, its defaults, `--set` overrides and validation.

pub(crate) mod check;
pub(crate) mod choice;
mod load;
mod schema;
mod validate;
pub(crate) use choice::choice;
pub use validate::{GRAPH_KINDS, is_name, name_problem};

pub use load::{
    Override, key_path, line_at, parse_scenario, parse_toml, place_in, serde_message, type_scenario,
};
pub use schema::*;

use crate::error::{Error, Result};
use std::path::Path;

/// The built-in scenarios, embedded in the binary: `(name, one-line description, text)`.
pub const BUILT_IN: &[(&str, &str, &str)] = &[
    (
        "baseline",
        "100k consumers, 2k creators, 100 hosts, 2k merchants, 180 days; hybrid feed, little live commerce",
        include_str!("../../scenarios/baseline.toml"),
    ),
    (
        "bench_1m",
        "1M consumers, 20k creators, 1k hosts, 50k merchants, 90 days: the performance benchmark",
        include_str!("../../scenarios/bench_1m.toml"),
    ),
    (
        "bench_10m",
        "10M consumers, 190k creators, 10k hosts, 500k merchants, 30 days: the scale benchmark",
        include_str!("../../scenarios/bench_10m.toml"),
    ),
    (
        "livestream_returns",
        "most selling in hyped live sessions: how high do returns run, which levers cut them?",
        include_str!("../../scenarios/livestream_returns.toml"),
    ),
    (
        "brushing",
        "one merchant in twenty and a fifth of hosts fake orders: how much GMV is fake, what does detection do?",
        include_str!("../../scenarios/brushing.toml"),
    ),
    (
        "coupon_blitz",
        "a two-week 'spend 60, get 15 off' blitz: the spike, its cost, and whether its buyers return",
        include_str!("../../scenarios/coupon_blitz.toml"),
    ),
    (
        "long_tail_support",
        "a feed ranked by likes plus a reward per impression for the bottom half: do creators stay?",
        include_str!("../../scenarios/long_tail_support.toml"),
    ),
    (
        "host_scandal",
        "the top host offends consumers on day 45: followers lost, spillover to his brands, recovery",
        include_str!("../../scenarios/host_scandal.toml"),
    ),
    (
        "product_scandal",
        "the top merchant's products fail safety standards on day 45: delisting, apology, recovery",
        include_str!("../../scenarios/product_scandal.toml"),
    ),
    (
        "group_buying",
        "a third of products sold Pinduoduo style: groups of 3 within 2 days or refunded",
        include_str!("../../scenarios/group_buying.toml"),
    ),
    (
        "rec_popularity",
        "the baseline ranked purely by likes: how concentrated does exposure get, who exits?",
        include_str!("../../scenarios/rec_popularity.toml"),
    ),
    (
        "rec_fair_exposure",
        "the baseline with a fair-exposure feed: a flatter exposure curve at what GMV cost?",
        include_str!("../../scenarios/rec_fair_exposure.toml"),
    ),
    (
        "rec_bandit",
        "the baseline with a Thompson-sampling feed: does it learn which creators are good?",
        include_str!("../../scenarios/rec_bandit.toml"),
    ),
    (
        "cross_border",
        "a home market and two foreign ones, near and far: the conversion gap abroad, and what narrows it",
        include_str!("../../scenarios/cross_border.toml"),
    ),
    (
        "double_11_content",
        "Double 11 on a content-led platform (live, feed; little search): GMV per active consumer",
        include_str!("../../scenarios/double_11_content.toml"),
    ),
    (
        "double_11_search",
        "Double 11 on a search-led platform with the same consumers: GMV per active consumer",
        include_str!("../../scenarios/double_11_search.toml"),
    ),
    (
        "campus_takeaway",
        "dormitories with merchants' takeaway group chats: use, satisfaction and reasons, as the campus survey asks",
        include_str!("../../scenarios/campus_takeaway.toml"),
    ),
    (
        "forum_commerce",
        "topic forums with purchase buttons, moderation and affiliate rewards: activity, promotion, GMV",
        include_str!("../../scenarios/forum_commerce.toml"),
    ),
];

/// The text of a built-in scenario, by name.
pub fn built_in(name: &str) -> Option<&'static str> {
    BUILT_IN
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, _, t)| *t)
}

/// The most a scenario file (or a sweep file) may hold: 1 MiB. Files are read through a
/// limit, so a device or a huge file is refused without filling memory.
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// Reads a scenario or sweep file (`what`: "scenario file", "sweep file") as UTF-8 text of at
/// most [`MAX_FILE_BYTES`]; a byte-order mark at the start is dropped.
pub fn read_file(path: &Path, what: &str) -> Result<String> {
    use std::io::Read;
    let cannot = |m: String| Error::input(path.display(), format!("cannot read the {what}: {m}"));
    if path.is_dir() {
        return Err(cannot("it is a folder, not a file".into()));
    }
    let file = std::fs::File::open(path).map_err(|e| cannot(e.to_string()))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| cannot(e.to_string()))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Error::input(
            path.display(),
            format!("the {what} is larger than 1 MiB, the most a {what} may hold"),
        ));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        Error::input(
            format!("{} line {line}", path.display()),
            format!("the {what} is not UTF-8 text"),
        )
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// Loads a scenario file (or, with `None`, the built-in baseline) and applies overrides.
pub fn load(path: Option<&Path>, overrides: &[Override]) -> Result<Scenario> {
    match path {
        None => parse_scenario(
            "built-in baseline",
            built_in("baseline").unwrap(),
            overrides,
        ),
        Some(p) => {
            let text = read_file(p, "scenario file")?;
            parse_scenario(&p.display().to_string(), &text, overrides)
        }
    }
}

/// Loads `name`: a scenario file, or else the built-in scenario of that name. Returns the
/// scenario and where it came from (`name`, or `built-in NAME`).
///
/// A file (anything but a folder) of that name wins over a built-in scenario; a folder is
/// not a scenario file, so a folder named `baseline` does not hide the built-in one. A name
/// that is neither is an error that suggests the closest built-in name.
pub fn load_named(name: &str, overrides: &[Override]) -> Result<(Scenario, String)> {
    let path = Path::new(name);
    if path.exists() && !path.is_dir() {
        return Ok((load(Some(path), overrides)?, name.to_string()));
    }
    if let Some(text) = built_in(name) {
        let source = format!("built-in {name}");
        return Ok((parse_scenario(&source, text, overrides)?, source));
    }
    Err(Error::input(name, not_found(name, path.is_dir())))
}

/// The message for a name that is neither a scenario file nor a built-in scenario.
pub fn not_found(name: &str, is_folder: bool) -> String {
    let what = if is_folder {
        "a folder, not a scenario file"
    } else {
        "not a file"
    };
    match closest_built_in(name) {
        Some(close) => {
            format!("{what}, and not a built-in scenario; did you mean `{close}`? (socsim list)")
        }
        None => format!("{what}, and not a built-in scenario (socsim list names them)"),
    }
}

/// The built-in scenario name closest to `name` (compared without a folder and a `.toml`
/// ending, ignoring case), if it is close: at most 2 edits, or a quarter of the name.
pub fn closest_built_in(name: &str) -> Option<&'static str> {
    let stem = Path::new(name)
        .file_name()
        .and_then(|f| f.to_str())
        .unwrap_or(name);
    let stem = stem.strip_suffix(".toml").unwrap_or(stem).to_lowercase();
    BUILT_IN
        .iter()
        .map(|(n, _, _)| (edit_distance(&stem, n), *n))
        .min()
        .filter(|&(d, n)| d <= 2 || d * 4 <= n.len())
        .map(|(_, n)| n)
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

impl Scenario {
    /// Checks every key's range and the keys' consistency (what loading a file checks), for
    /// scenarios built in code. The error names the key path.
    pub fn validate(&self) -> Result<()> {
        validate::validate(self).map_err(|(path, message)| Error::input(path, message))
    }

    /// The scenario as fully resolved TOML (every key, defaults included).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a scenario always serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names_are_suggested() {
        assert_eq!(edit_distance("basline", "baseline"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        for (typed, meant) in [
            ("basline", Some("baseline")),
            ("Baseline", Some("baseline")),
            ("baseline.toml", Some("baseline")),
            ("scenarios/rec_bandits.toml", Some("rec_bandit")),
            ("bench1m", Some("bench_1m")),
            ("livestream_return", Some("livestream_returns")),
            ("my_world.toml", None),
            ("x", None),
        ] {
            assert_eq!(closest_built_in(typed), meant, "{typed}");
        }
    }

    #[test]
    fn oversized_and_binary_files_are_refused() {
        let dir = std::env::temp_dir().join(format!("socsim-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let big = dir.join("big.toml");
        std::fs::write(&big, "#".repeat(MAX_FILE_BYTES as usize + 1)).unwrap();
        let m = read_file(&big, "scenario file").unwrap_err().to_string();
        assert!(m.contains("larger than 1 MiB"), "{m}");
        std::fs::write(&big, "#".repeat(MAX_FILE_BYTES as usize)).unwrap();
        assert!(read_file(&big, "scenario file").is_ok());
        std::fs::write(&big, b"[run]\nname = \"\xff\"\n").unwrap();
        let m = read_file(&big, "scenario file").unwrap_err().to_string();
        assert!(
            m.ends_with("big.toml line 2: the scenario file is not UTF-8 text"),
            "{m}"
        );
        std::fs::write(&big, "\u{feff}[run]\n").unwrap();
        assert_eq!(read_file(&big, "scenario file").unwrap(), "[run]\n");
        let m = read_file(&dir, "scenario file").unwrap_err().to_string();
        assert!(m.contains("a folder"), "{m}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
