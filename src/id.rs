//! Stable ids made of lowercase slugs, such as `planning.version-confirmed`.

/// Defines a validated id newtype over `String`: dot-separated lowercase
/// kebab-case slugs of at most `$max` characters, with `parse`, `FromStr`,
/// serde that checks, `Display`, `AsRef<str>` and `Borrow<str>`.
macro_rules! slug_id {
    ($(#[$doc:meta])* $name:ident, what = $what:literal, example = $example:literal, max = $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            #[doc = concat!("Parses and checks ", $what, ".")]
            ///
            /// # Errors
            ///
            /// [`Error::InvalidId`](crate::Error::InvalidId) when the text is
            /// empty, too long, or not dot-separated lowercase slugs; the
            /// error says which rule it breaks.
            pub fn parse(text: &str) -> Result<$name, crate::Error> {
                match crate::text::slug_problem(text, $max) {
                    None => Ok($name(text.to_owned())),
                    Some(problem) => Err(crate::Error::InvalidId {
                        what: $what,
                        id: crate::text::shorten(text),
                        problem,
                        example: $example,
                    }),
                }
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::Error;

            fn from_str(text: &str) -> Result<Self, crate::Error> {
                $name::parse(text)
            }
        }

        impl TryFrom<String> for $name {
            type Error = crate::Error;

            fn try_from(text: String) -> Result<Self, crate::Error> {
                match crate::text::slug_problem(&text, $max) {
                    None => Ok($name(text)),
                    Some(_) => $name::parse(&text),
                }
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

pub(crate) use slug_id;
