//! Stable ids made of lowercase slugs, such as `planning.version-confirmed`.

/// Defines a validated id newtype over shared text: dot-separated
/// lowercase kebab-case slugs of at most `$max` characters, with `parse`,
/// serde that checks, and the impls of [`text_newtype`].
///
/// The text is an `Arc<str>` because ids are repeated: every event that
/// settles an item names it, and a loaded release's events share the text
/// of their checklist's ids instead of holding a copy each (the
/// `many_releases` bench in `benches/integrity.rs` prints the heap).
macro_rules! slug_id {
    ($(#[$doc:meta])* $name:ident, what = $what:literal, example = $example:literal, max = $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
        #[serde(try_from = "String")]
        pub struct $name(std::sync::Arc<str>);

        #[cfg(test)]
        #[allow(dead_code, reason = "not every id's tests ask")]
        impl $name {
            /// Whether both hold one text, not two copies of it.
            pub(crate) fn shares_text_with(&self, other: &$name) -> bool {
                std::sync::Arc::ptr_eq(&self.0, &other.0)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl $name {
            #[doc = concat!("Parses and checks ", $what, ".")]
            ///
            /// # Errors
            ///
            /// [`TextError::InvalidId`](crate::text::TextError::InvalidId) when the text is
            /// empty, too long, or not dot-separated lowercase slugs; the
            /// error says which rule it breaks.
            pub fn parse(text: &str) -> Result<$name, crate::text::TextError> {
                match crate::text::slug_problem(text, $max) {
                    None => Ok($name(std::sync::Arc::from(text))),
                    Some(problem) => Err(crate::text::TextError::InvalidId {
                        what: $what,
                        id: crate::text::shorten(text),
                        problem,
                        rule: concat!("write dot-separated lowercase slugs such as `", $example, "`"),
                    }),
                }
            }
        }

        crate::id::text_newtype!($name, crate::text::TextError);
    };
}

/// The impls every checked text newtype shares: `as_str`, `FromStr`,
/// `TryFrom<String>` (for serde's `try_from`), `From<$name> for String`,
/// `Display`, `AsRef<str>` and `Borrow<str>`. The type is a tuple struct
/// over `String` with an inherent `parse(&str) -> Result<Self, $error>`.
macro_rules! text_newtype {
    ($name:ident, $error:ty) => {
        impl $name {
            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = $error;

            fn from_str(text: &str) -> Result<Self, $error> {
                $name::parse(text)
            }
        }

        impl TryFrom<String> for $name {
            type Error = $error;

            fn try_from(text: String) -> Result<Self, $error> {
                $name::parse(&text)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                crate::id::OwnedText::into_string(value.0)
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

/// The text a newtype holds, given back as a `String`: without a copy
/// when it is one.
pub(crate) trait OwnedText {
    /// The text as a `String`.
    fn into_string(self) -> String;
}

impl OwnedText for String {
    fn into_string(self) -> String {
        self
    }
}

impl OwnedText for std::sync::Arc<str> {
    fn into_string(self) -> String {
        String::from(&*self)
    }
}

pub(crate) use slug_id;
pub(crate) use text_newtype;
