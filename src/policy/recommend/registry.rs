//! Algorithms of your own, by name.
//!
//! A team's program registers its [`Recommender`]s under names and runs socsim's whole
//! command line with them (`socsim::cli::main_with(registry)`): every scenario it reads may
//! then name one in `recommendation.algorithm`, in a file, a `--set`, a sweep file or a
//! compare variant, and `socsim list` lists them. The registry is installed once per process
//! ([`Registry::install`]); reading a scenario and [`crate::Simulation::new`] consult the
//! installed one. Without one installed only the built-in algorithms exist.
//!
//! ```no_run
//! use socsim::policy::recommend::{Hybrid, Registry};
//! let mut registry = Registry::default();
//! registry
//!     .register("my_hybrid", "the hybrid, registered under another name", |r| {
//!         Box::new(Hybrid::new(r))
//!     })
//!     .unwrap();
//! socsim::cli::main_with(registry)
//! ```

use super::Recommender;
use crate::error::{Error, Result};
use crate::scenario::{Algorithm, Recommendation};
use std::sync::{Arc, OnceLock};

/// Builds an algorithm's recommender for a run, from the scenario's `[recommendation]`
/// (called once per run).
pub type Factory = Arc<dyn Fn(&Recommendation) -> Box<dyn Recommender> + Send + Sync>;

/// Algorithms registered by name, in the order they were registered. The default holds
/// none: only the built-in algorithms.
#[derive(Clone, Default)]
pub struct Registry {
    entries: Vec<Entry>,
}

#[derive(Clone)]
struct Entry {
    name: String,
    about: String,
    factory: Factory,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

/// The registry of the process until one is installed: none registered.
static EMPTY: Registry = Registry {
    entries: Vec::new(),
};
static INSTALLED: OnceLock<Registry> = OnceLock::new();

/// The registry installed in this process ([`Registry::install`]), or an empty one.
pub fn installed() -> &'static Registry {
    INSTALLED.get().unwrap_or(&EMPTY)
}

/// Why `name` cannot name an algorithm of your own, if it cannot: the rules of every name
/// in a scenario (letters, digits, '-', '_' or '.', not starting with '.'), and not a
/// built-in algorithm's name.
pub fn name_problem(name: &str) -> Option<String> {
    let ok = crate::scenario::is_name(name);
    if !ok {
        return Some(format!(
            "{name:?} cannot name an algorithm: a name is letters, digits, '-', '_' or '.', not starting with '.'"
        ));
    }
    Algorithm::from_name(name).map(|_| {
        format!("{name:?} is a built-in algorithm; give yours a name of its own (socsim list)")
    })
}

impl Registry {
    /// An empty registry: the built-in algorithms only.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Registers an algorithm under `name`, with a one-line description for `socsim list`;
    /// `factory` builds its recommender for each run. A name breaking the rules of names,
    /// a built-in algorithm's name or one already registered is an error.
    pub fn register<F>(&mut self, name: &str, about: &str, factory: F) -> Result<&mut Registry>
    where
        F: Fn(&Recommendation) -> Box<dyn Recommender> + Send + Sync + 'static,
    {
        let place = format!("registering the algorithm {name:?}");
        if let Some(problem) = name_problem(name) {
            return Err(Error::input(place, problem));
        }
        if self.contains(name) {
            return Err(Error::input(
                place,
                "an algorithm of that name is already registered",
            ));
        }
        self.entries.push(Entry {
            name: name.to_string(),
            about: about.to_string(),
            factory: Arc::new(factory),
        });
        Ok(self)
    }

    /// Whether an algorithm of this name is registered.
    pub fn contains(&self, name: &str) -> bool {
        self.entries.iter().any(|e| e.name == name)
    }

    /// The registered names, in the order of registration.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.name.as_str())
    }

    /// `(name, one-line description)` of each registered algorithm, in the order of
    /// registration.
    pub fn algorithms(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries
            .iter()
            .map(|e| (e.name.as_str(), e.about.as_str()))
    }

    /// The recommender of the algorithm `name` for a run with these settings, if one of that
    /// name is registered.
    pub fn build(&self, name: &str, r: &Recommendation) -> Option<Box<dyn Recommender>> {
        self.entries
            .iter()
            .find(|e| e.name == name)
            .map(|e| (e.factory)(r))
    }

    /// Makes this the registry of the process, which reading a scenario and
    /// [`crate::Simulation::new`] consult. Once per process: a second is an error.
    pub fn install(self) -> Result<()> {
        INSTALLED.set(self).map_err(|_| {
            Error::Run("a registry of algorithms is already installed in this process".into())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::recommend::{Hybrid, Popularity};
    use crate::scenario::AlgorithmName;

    fn two() -> Registry {
        let mut r = Registry::default();
        r.register("mine", "my own", |r| Box::new(Hybrid::new(r)))
            .unwrap()
            .register("team-b.v2", "theirs", |r| Box::new(Popularity::new(r)))
            .unwrap();
        r
    }

    #[test]
    fn names_follow_the_rules_and_never_shadow_a_built_in() {
        let mut r = two();
        assert_eq!(r.names().collect::<Vec<_>>(), ["mine", "team-b.v2"]);
        assert_eq!(
            r.algorithms().collect::<Vec<_>>(),
            [("mine", "my own"), ("team-b.v2", "theirs")]
        );
        for (bad, says) in [
            ("", "cannot name an algorithm"),
            ("my algo", "cannot name an algorithm"),
            (".hidden", "cannot name an algorithm"),
            ("é", "cannot name an algorithm"),
            ("hybrid", "is a built-in algorithm"),
            ("revenue_aware", "is a built-in algorithm"),
            ("mine", "already registered"),
        ] {
            let e = r
                .register(bad, "", |r| Box::new(Popularity::new(r)))
                .map(|_| ())
                .unwrap_err();
            assert_eq!(e.exit_code(), 2);
            let m = e.to_string();
            assert!(
                m.starts_with(&format!("registering the algorithm {bad:?}: ")) && m.contains(says),
                "{m}"
            );
        }
        assert_eq!(r.names().count(), 2, "a refused name is not registered");
        let s = crate::Scenario::default();
        assert!(r.build("mine", &s.recommendation).is_some());
        assert!(r.build("hybrid", &s.recommendation).is_none());
        assert!(format!("{r:?}").contains("team-b.v2"));
    }

    #[test]
    fn a_registered_name_is_an_algorithm_and_an_unknown_one_lists_them_all() {
        let r = two();
        assert_eq!(
            AlgorithmName::parse("mine", &r),
            Ok(AlgorithmName::Registered("mine".into()))
        );
        assert_eq!(
            AlgorithmName::parse("bandit", &r),
            Ok(crate::scenario::Algorithm::Bandit.into())
        );
        let m = AlgorithmName::parse("mien", &r).unwrap_err();
        assert!(
            m.starts_with("unknown algorithm \"mien\"; choose one of popularity, ")
                && m.ends_with(", revenue_aware, mine, team-b.v2"),
            "{m}"
        );
        let m = AlgorithmName::parse("mine", &Registry::default()).unwrap_err();
        assert!(m.ends_with("bandit, revenue_aware"), "{m}");
        assert!(AlgorithmName::Registered("mine".into()).check(&r).is_ok());
        let m = AlgorithmName::Registered("hybrid".into())
            .check(&r)
            .unwrap_err();
        assert!(m.contains("is a built-in algorithm"), "{m}");
    }

    // With no registry installed (as in these tests), a scenario naming an algorithm of
    // one's own is refused with the key named, and no recommender is made for it.
    #[test]
    fn an_unregistered_name_is_an_error_not_a_panic() {
        let mut s = crate::Scenario::default();
        s.recommendation.algorithm = AlgorithmName::Registered("nowhere".into());
        let m = s.validate().unwrap_err().to_string();
        assert!(
            m.starts_with("recommendation.algorithm: unknown algorithm \"nowhere\""),
            "{m}"
        );
        let m = crate::policy::recommend::recommender(&s.recommendation)
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(m.starts_with("recommendation.algorithm: unknown"), "{m}");
        assert!(crate::Simulation::new(&s).is_err());
        let m = toml::from_str::<crate::Scenario>("[recommendation]\nalgorithm = \"nowhere\"\n")
            .unwrap_err()
            .to_string();
        assert!(m.contains("unknown algorithm \"nowhere\""), "{m}");
    }
}
