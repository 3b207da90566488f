//! How much memory a scenario needs, estimated from its sizes alone, so that a scenario too
//! large for the machine is refused before anything is allocated.
//!
//! The estimate is the peak resident memory of a run: the world's columns, the social graph
//! (and the edge list it is built from), the per-day buffers, and a fixed base. The
//! coefficients were measured (peak resident memory, `VmHWM`, over runs of 10⁴ to 10⁶
//! consumers) and rounded up; `tests/memory.rs` checks that the estimate stays above the
//! measured peak and within a small factor of it.

use crate::error::{Error, Result};
use crate::scenario::{GraphKind, Scenario};

/// Bytes every run needs whatever its size: the binary, thread stacks, allocator arenas.
const BASE: f64 = 12.0 * MIB;
/// Bytes a consumer, besides its interest vector, follow slots and graph edges (80 before
/// the visit state: the logit of its propensity, habit, habit day, parcels, experienced
/// quality of 4 merchants, the day its needs were updated, and a day's visitor entry);
/// per topic it holds 24 bytes: interest and its copy while built, reference discount, need
/// met, and the platform's two counts (impressions and engagements).
const PER_CONSUMER: f64 = 120.0;
/// Bytes an undirected edge of the social graph at its peak (while the graph is built).
const PER_EDGE: f64 = 20.0;
/// Bytes an account (creator or host), besides its profile vector.
const PER_ACCOUNT: f64 = 320.0;
/// Bytes a merchant (its columns and its places in the indexes of active merchants), and a
/// product.
const PER_MERCHANT: f64 = 96.0;
const PER_PRODUCT: f64 = 24.0;
/// Bytes a consumer-day per unit of `group_buying.product_share`: every group opened is
/// kept for the whole run.
const PER_GROUP_CONSUMER_DAY: f64 = 4.0;
/// Bytes of an edge-list file, at the fewest, per edge ("1 2\n").
const EDGE_LIST_BYTES_PER_EDGE: f64 = 4.0;

const MIB: f64 = 1024.0 * 1024.0;

/// The expected number of undirected edges of the scenario's social graph.
pub fn expected_edges(s: &Scenario) -> f64 {
    let g = &s.graph;
    let n = s.population.consumers as f64;
    match g.kind {
        GraphKind::BarabasiAlbert => n * g.m as f64,
        GraphKind::WattsStrogatz => n * g.k as f64 / 2.0,
        GraphKind::StochasticBlock => {
            let size = n / g.blocks.max(1) as f64;
            0.5 * n * (size * g.p_in + (n - size) * g.p_out)
        }
        GraphKind::Configuration => {
            // Mean of P(k) ∝ k^-a on min_degree..=max(min_degree, √n), bounded by the top.
            let (a, lo) = (g.exponent, g.min_degree.max(1) as f64);
            let hi = lo.max(n.sqrt());
            let mean = if (a - 2.0).abs() < 1e-9 || a <= 2.0 {
                hi
            } else {
                (lo * (a - 1.0) / (a - 2.0)).min(hi)
            };
            0.5 * n * mean
        }
        // The file's size bounds the number of edges it can hold.
        GraphKind::EdgeList => std::fs::metadata(&g.path)
            .map(|m| m.len() as f64 / EDGE_LIST_BYTES_PER_EDGE)
            .unwrap_or(0.0),
    }
}

/// The estimated peak memory of one run of `s`, in bytes.
pub fn estimate_bytes(s: &Scenario) -> u64 {
    let p = &s.population;
    let topics = p.topics as f64;
    let consumer = PER_CONSUMER + 24.0 * topics + 4.0 * s.behaviour.max_follows as f64
        // A market (with several), an open intent (with intents), the festival bits (with
        // festivals).
        + (s.markets.len() > 1) as u8 as f64
        + 4.0 * (s.search.intent_rate > 0.0) as u8 as f64
        + (!s.calendar.events.is_empty()) as u8 as f64
        // Group chats: memberships, meal time, the survey's record and row, today's reader;
        // at most one community per consumer, each with its chats' levels.
        + (s.chats.per_community > 0) as u8 as f64
            * (160.0 + 20.0 * s.chats.per_community as f64);
    let account = PER_ACCOUNT + 8.0 * topics;
    // The initial merchants and the expected entrants (`merchants.entry_rate` a day).
    let merchants = p.merchants as f64 + s.merchants.entry_rate * s.run.days as f64;
    let bytes = BASE
        + p.consumers as f64 * consumer
        + expected_edges(s) * PER_EDGE
        // The initial accounts and the expected entrants (`creators.entry_rate` a day).
        + ((p.creators + p.hosts) as f64 + s.creators.entry_rate * s.run.days as f64) * account
        + merchants * PER_MERCHANT
        // Warehouse stock, and this morning's, per merchant and market.
        + merchants * 8.0 * s.markets.len() as f64 * (s.cross_border.warehouse_share > 0.0) as u8 as f64
        + merchants * p.products_per_merchant as f64 * PER_PRODUCT
        // The forums' front pages.
        + (s.forums.read > 0.0) as u8 as f64 * topics * s.forums.visible as f64 * 24.0
        + p.consumers as f64
            * s.run.days as f64
            * s.group_buying.product_share
            * PER_GROUP_CONSUMER_DAY;
    bytes.min(u64::MAX as f64) as u64
}

/// The memory this process may use: the machine's (`MemTotal`), or its container's limit
/// (cgroup v2 `memory.max`, v1 `memory.limit_in_bytes`) if lower. `None` where unknown.
pub fn machine_bytes() -> Option<u64> {
    let total = std::fs::read_to_string("/proc/meminfo").ok().and_then(|t| {
        t.lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map(|kib| kib * 1024)
    });
    let limit = [
        "/sys/fs/cgroup/memory.max",
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
    ]
    .iter()
    .filter_map(|p| std::fs::read_to_string(p).ok())
    .filter_map(|t| t.trim().parse::<u64>().ok())
    .min();
    match (total, limit) {
        (Some(t), Some(l)) => Some(t.min(l)),
        (t, l) => t.or(l),
    }
}

/// The peak resident memory of this process so far (`VmHWM`), where the platform says.
pub fn peak_bytes() -> Option<u64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .map(|kib| kib * 1024)
        })
}

/// Parses a memory size: bytes, or a number with K, M, G or T (powers of 1024; `KiB`, `MB`,
/// `GiB` … read the same).
pub fn parse_size(text: &str) -> std::result::Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let scale: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => MIB,
        "g" | "gb" | "gib" => 1024.0 * MIB,
        "t" | "tb" | "tib" => 1024.0 * 1024.0 * MIB,
        _ => {
            return Err(format!(
                "{text:?} is not a size; write e.g. 8G, 512M or 1073741824"
            ));
        }
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a size; write e.g. 8G, 512M or 1073741824"))?;
    let bytes = value * scale;
    if !(bytes >= 1.0 && bytes < u64::MAX as f64) {
        return Err(format!("{text:?} is not a usable memory size"));
    }
    Ok(bytes as u64)
}

/// A size in bytes for people: `1.4 GiB`, `310 MiB`.
pub fn human(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1024.0 * MIB {
        format!("{:.1} GiB", b / (1024.0 * MIB))
    } else {
        format!("{:.0} MiB", (b / MIB).ceil())
    }
}

/// Refuses work that needs more memory than `limit` (`--max-memory`) or, without one, than
/// the machine has: exit code 2, with the estimate. `what` says what needs it.
pub fn check_fits(needed: u64, limit: Option<u64>, what: &str) -> Result<()> {
    let (cap, source) = match limit {
        Some(l) => (l, "--max-memory"),
        None => match machine_bytes() {
            Some(m) => (m, "this machine's memory"),
            None => return Ok(()),
        },
    };
    if needed > cap {
        return Err(Error::input(
            what,
            format!(
                "needs about {} of memory, more than the {} of {source}; make it smaller{}",
                human(needed),
                human(cap),
                if limit.is_none() {
                    " (or pass --max-memory SIZE if this estimate is wrong for this machine)"
                } else {
                    ""
                }
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("1024"), Ok(1024));
        assert_eq!(parse_size("8G"), Ok(8 << 30));
        assert_eq!(parse_size("512 MiB"), Ok(512 << 20));
        assert_eq!(parse_size("1.5k"), Ok(1536));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("-3G").is_err());
    }

    #[test]
    fn estimate_grows_with_every_size() {
        let base = crate::scenario::load(None, &[]).unwrap();
        let e = estimate_bytes(&base);
        for key in [
            "population.consumers=200000",
            "population.creators=20000",
            "population.merchants=20000",
            "merchants.entry_rate=100",
            "graph.m=10",
        ] {
            let o = crate::scenario::Override::parse(key).unwrap();
            let s = crate::scenario::load(None, &[o]).unwrap();
            assert!(estimate_bytes(&s) > e, "{key}");
        }
    }
}
