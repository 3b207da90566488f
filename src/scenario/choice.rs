//! Keys that take one of a few names (`graph.kind`, `recommendation.algorithm`,
//! `coupons.targeting`, …): each is an enum whose variants are listed once, with the name a
//! scenario or sweep file writes for each. The enum is read from and written as exactly that
//! name, so files and the resolved scenario are unchanged, and the code matches variants
//! instead of comparing text. An unknown name is refused while the file is read, with a
//! message that lists the accepted names.

/// The names of a message's list: `a or b`, or `one of a, b, c`.
pub(crate) fn one_of(names: &[&str]) -> String {
    match names {
        [a, b] => format!("{a} or {b}"),
        _ => format!("one of {}", names.join(", ")),
    }
}

/// [`one_of`] with each name in double quotes, as a file writes it.
pub(crate) fn one_of_quoted(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    let quoted: Vec<&str> = quoted.iter().map(String::as_str).collect();
    one_of(&quoted)
}

/// Defines an enum of named choices:
///
/// ```ignore
/// choice! {
///     /// doc
///     pub enum Design("design") {
///         Grid = "grid",
///         Lhs = "lhs",
///     }
/// }
/// ```
///
/// The text in parentheses names the key in messages (`unknown design "x"; choose one of
/// grid, lhs`). The enum gets `ALL` and `NAMES` (in the order written), `name`,
/// `from_name`, `Display` (the name) and serde's `Serialize` and `Deserialize` (the name as
/// a string).
macro_rules! choice {
    (
        $(#[$meta:meta])*
        $vis:vis enum $enum:ident($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $name:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis enum $enum {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $enum {
            /// Every choice, in the order of the reference.
            pub const ALL: &'static [$enum] = &[$($enum::$variant),+];
            /// The name of every choice, as a file writes it, in the order of `ALL`.
            pub const NAMES: &'static [&'static str] = &[$($name),+];

            /// The name, as a file writes it.
            pub const fn name(self) -> &'static str {
                match self {
                    $($enum::$variant => $name,)+
                }
            }

            /// The choice of this name, if any.
            pub fn from_name(name: &str) -> Option<$enum> {
                match name {
                    $($name => Some($enum::$variant),)+
                    _ => None,
                }
            }

            /// The message for a name that is none of the choices.
            pub fn unknown(name: &str) -> String {
                format!(
                    "unknown {} {name:?}; choose {}",
                    $what,
                    $crate::scenario::choice::one_of(Self::NAMES)
                )
            }
        }

        impl std::fmt::Display for $enum {
            fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl serde::Serialize for $enum {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }

        impl<'de> serde::Deserialize<'de> for $enum {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                struct Names;
                impl serde::de::Visitor<'_> for Names {
                    type Value = $enum;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str(&$crate::scenario::choice::one_of_quoted($enum::NAMES))
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<$enum, E> {
                        $enum::from_name(v).ok_or_else(|| E::custom($enum::unknown(v)))
                    }
                }
                d.deserialize_str(Names)
            }
        }
    };
}
pub(crate) use choice;

#[cfg(test)]
mod tests {
    use super::*;

    choice! {
        /// A test set.
        enum Shape("shape") {
            Round = "round",
            Flat = "flat",
            Long = "long_one",
        }
    }

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Holder {
        shape: Shape,
    }

    #[test]
    fn names_round_trip_and_list_in_order() {
        assert_eq!(Shape::NAMES, ["round", "flat", "long_one"]);
        for (&s, &n) in Shape::ALL.iter().zip(Shape::NAMES) {
            assert_eq!((s.name(), Shape::from_name(n)), (n, Some(s)));
            assert_eq!(s.to_string(), n);
            let text = toml::to_string(&Holder { shape: s }).unwrap();
            assert_eq!(text, format!("shape = \"{n}\"\n"));
            assert_eq!(toml::from_str::<Holder>(&text).unwrap().shape, s);
        }
        assert_eq!(Shape::from_name("Round"), None);
    }

    #[test]
    fn an_unknown_name_or_a_wrong_type_lists_the_choices() {
        let e = toml::from_str::<Holder>("shape = \"square\"").unwrap_err();
        assert!(
            e.message()
                .contains("unknown shape \"square\"; choose one of round, flat, long_one"),
            "{e}"
        );
        let e = toml::from_str::<Holder>("shape = 3").unwrap_err();
        assert!(
            e.message()
                .contains("expected one of \"round\", \"flat\", \"long_one\""),
            "{e}"
        );
        assert_eq!(one_of(&["a", "b"]), "a or b");
        assert_eq!(one_of_quoted(&["a", "b"]), "\"a\" or \"b\"");
    }
}
