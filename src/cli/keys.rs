//! `socsim keys [PREFIX]`: every scenario key with its default and meaning, read from the
//! scenario reference compiled into the binary (docs/SCENARIO.md; `tests/docs.rs` keeps it
//! equal to the schema, key for key and default for default).

const REFERENCE: &str = include_str!("../../docs/SCENARIO.md");

/// (key, default, meaning) for every row of the reference's key tables, in its order.
pub fn keys() -> Vec<(&'static str, &'static str, String)> {
    REFERENCE
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("| `")?;
            let (key, rest) = rest.split_once("` | ")?;
            let (default, meaning) = rest.split_once(" | ")?;
            let default = default.trim().trim_matches('`');
            let meaning = meaning.trim_end().trim_end_matches('|').trim_end();
            Some((key, default, meaning.replace('`', "")))
        })
        .collect()
}

/// The keys whose path starts with `prefix` (`behaviour`, `chats.slot`), each as
/// `key = default` and its meaning wrapped under it.
pub fn print(prefix: Option<&str>) -> usize {
    let mut n = 0;
    for (key, default, meaning) in keys() {
        if prefix.is_some_and(|p| !key.starts_with(p)) {
            continue;
        }
        n += 1;
        println!("{key} = {default}");
        let mut line = String::from("   ");
        for word in meaning.split_whitespace() {
            if line.len() + word.len() > 95 {
                println!("{line}");
                line = String::from("   ");
            }
            line.push(' ');
            line.push_str(word);
        }
        println!("{line}");
    }
    n
}
