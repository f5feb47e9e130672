//! Reading an [`EventKind`](super::EventKind) tag first.
//!
//! Serde reads an internally tagged enum (`{"type": "item-completed",
//! "item": …}`) by first copying the whole object into a buffer of its own,
//! whatever the order of its fields, because the tag may come last. Every
//! event of every loaded log is read this way, and that copy was a sixth of
//! the time a file-store load took (the `many_releases` bench in
//! `benches/integrity.rs` measures it). The logs this crate writes put the
//! tag first, so [`event_kinds!`] declares the kinds once and makes a twin
//! of them tagged from outside (`{"item-completed": {"item": …}}`, serde's
//! default), and reading an event hands the fields after its `type`
//! straight to the twin. An object with its tag later is copied and read
//! the same way: one meaning, whatever the order.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, VariantAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::text::Text;

/// Declares `EventKind` as written, and beside it `ByTag`: the same kinds,
/// with the same fields and attributes, tagged from outside, with a
/// conversion into `EventKind`.
macro_rules! event_kinds {
    (
        $(#[$meta:meta])*
        pub enum EventKind {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident {
                    $(
                        $(#[$field_meta:meta])*
                        $field:ident : $type:ty
                    ),* $(,)?
                }
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        pub enum EventKind {
            $(
                $(#[$variant_meta])*
                $variant { $( $(#[$field_meta])* $field: $type ),* }
            ),*
        }

        /// [`EventKind`] tagged from outside: what the fields after an
        /// event's `type` are read into.
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "kebab-case", deny_unknown_fields)]
        enum ByTag {
            $(
                $(#[$variant_meta])*
                $variant { $( $(#[$field_meta])* $field: $type ),* }
            ),*
        }

        impl From<ByTag> for EventKind {
            fn from(kind: ByTag) -> EventKind {
                match kind {
                    $( ByTag::$variant { $($field),* } => EventKind::$variant { $($field),* } ),*
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for EventKind {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<EventKind, D::Error> {
                tag::read::<ByTag, D>(deserializer).map(EventKind::from)
            }
        }
    };
}

pub(super) use event_kinds;

/// Reads an internally tagged object as `T`, a twin tagged from outside.
pub(super) fn read<'de, T: Deserialize<'de>, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_map(TagFirst(std::marker::PhantomData))
}

struct TagFirst<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for TagFirst<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an event's fields, with its `type`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let Some(Text(first)) = map.next_key::<Text<'de>>()? else {
            return Err(de::Error::missing_field("type"));
        };
        if first == "type" {
            let Text(tag) = map.next_value::<Text<'de>>()?;
            return T::deserialize(Tagged { tag: &tag, fields: AfterTag(map) });
        }
        // The tag comes later: copy the fields, then read them the same way.
        let mut fields = serde_json::Map::new();
        fields.insert(first.into_owned(), map.next_value()?);
        while let Some((key, value)) = map.next_entry::<String, serde_json::Value>()? {
            if fields.contains_key(&key) {
                return Err(de::Error::custom(format_args!("duplicate field `{key}`")));
            }
            fields.insert(key, value);
        }
        let tag = match fields.remove("type") {
            Some(serde_json::Value::String(tag)) => tag,
            Some(other) => {
                return Err(de::Error::custom(format_args!("the `type` must be text, not {other}")));
            }
            None => return Err(de::Error::missing_field("type")),
        };
        let fields = de::value::MapDeserializer::<_, serde_json::Error>::new(fields.into_iter());
        T::deserialize(Tagged { tag: &tag, fields: AfterTag(fields) }).map_err(de::Error::custom)
    }
}

/// The fields after an object's tag, where a second tag is refused as
/// serde refuses it.
struct AfterTag<A>(A);

impl<'de, A: MapAccess<'de>> MapAccess<'de> for AfterTag<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        match self.0.next_key::<Text<'de>>()? {
            None => Ok(None),
            Some(Text(key)) if key == "type" => Err(de::Error::duplicate_field("type")),
            Some(Text(Cow::Borrowed(key))) => {
                seed.deserialize(de::value::BorrowedStrDeserializer::new(key)).map(Some)
            }
            Some(Text(Cow::Owned(key))) => {
                seed.deserialize(de::value::StringDeserializer::new(key)).map(Some)
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.0.next_value_seed(seed)
    }
}

/// An object's tag and the fields after it, read as a kind tagged from
/// outside.
struct Tagged<'t, A> {
    tag: &'t str,
    fields: A,
}

impl<'de, A: MapAccess<'de>> Deserializer<'de> for Tagged<'_, A> {
    type Error = A::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        visitor.visit_enum(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de, A: MapAccess<'de>> EnumAccess<'de> for Tagged<'_, A> {
    type Error = A::Error;
    type Variant = Fields<A>;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Fields<A>), A::Error> {
        let variant = seed.deserialize(self.tag.into_deserializer())?;
        Ok((variant, Fields(self.fields)))
    }
}

/// The fields after the tag: every kind is a struct of them.
struct Fields<A>(A);

impl<'de, A: MapAccess<'de>> VariantAccess<'de> for Fields<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        Err(de::Error::invalid_type(de::Unexpected::Map, &"a kind without fields"))
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        seed.deserialize(de::value::MapAccessDeserializer::new(self.0))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, _visitor: V) -> Result<V::Value, A::Error> {
        Err(de::Error::invalid_type(de::Unexpected::Map, &"a kind with fields"))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        visitor.visit_map(self.0)
    }
}

#[cfg(test)]
mod tests {
    use crate::event::EventKind;

    /// `what` with its `type` moved to the end (the copy path).
    fn tag_last(what: &str) -> String {
        let mut object: serde_json::Map<String, serde_json::Value> = serde_json::from_str(what).unwrap();
        let tag = object.remove("type").unwrap();
        let mut text = serde_json::to_string(&object).unwrap();
        text.truncate(text.len() - 1);
        let comma = if object.is_empty() { "" } else { "," };
        format!("{text}{comma}\"type\":{tag}}}")
    }

    #[test]
    fn a_kind_reads_the_same_whatever_the_place_of_its_tag() {
        let mut release = crate::release::sample();
        let ada = release.plan().release_manager().clone();
        let at = release.last_event_at();
        release.complete("planning.scope-documented", &ada, at).unwrap();
        release.waive("planning.type-identified", "a patch", &ada, at).unwrap();
        let mut kinds: Vec<String> =
            release.events().iter().map(|event| serde_json::to_string(&event.what).unwrap()).collect();
        kinds.push(r#"{"type":"advanced","from":"planned","to":"frozen"}"#.to_owned());
        kinds.push(r#"{"type":"observed","signal":"error-rate","value":0.5,"source":"grafana"}"#.to_owned());
        for written in &kinds {
            assert!(written.starts_with(r#"{"type":"#), "{written}");
            let first: EventKind = serde_json::from_str(written).unwrap();
            assert_eq!(serde_json::to_string(&first).unwrap(), *written, "read back as written");
            let last = tag_last(written);
            assert_ne!(last, *written);
            assert_eq!(serde_json::from_str::<EventKind>(&last).unwrap(), first, "{last}");
            // Through a value too, where nothing is borrowed.
            let value: serde_json::Value = serde_json::from_str(written).unwrap();
            assert_eq!(serde_json::from_value::<EventKind>(value).unwrap(), first);
        }
        // The snake-case tags of format 1, in either place.
        let old = r#"{"type":"item_completed","item":"planning.scope-documented"}"#;
        assert_eq!(
            serde_json::from_str::<EventKind>(old).unwrap(),
            serde_json::from_str::<EventKind>(&tag_last(old)).unwrap()
        );
    }

    #[test]
    fn a_kind_without_a_single_text_tag_or_with_stray_fields_is_refused() {
        let error = |text: &str| serde_json::from_str::<EventKind>(text).unwrap_err().to_string();
        for (text, expected) in [
            (r#"{}"#, "missing field `type`"),
            (r#"{"item":"a.b"}"#, "missing field `type`"),
            (r#"{"type":"item-completed","item":"a.b","type":"advanced"}"#, "duplicate field `type`"),
            (r#"{"item":"a.b","type":"item-completed","type":"advanced"}"#, "duplicate field `type`"),
            (r#"{"item":"a.b","type":7}"#, "the `type` must be text, not 7"),
            (r#"{"type":7,"item":"a.b"}"#, "invalid type: integer `7`, expected text"),
            (r#"{"type":"item-finished","item":"a.b"}"#, "unknown variant `item-finished`"),
            (r#"{"item":"a.b","type":"item-finished"}"#, "unknown variant `item-finished`"),
            (r#"{"type":"item-completed","item":"a.b","note":"x"}"#, "unknown field `note`"),
            (r#"{"note":"x","type":"item-completed","item":"a.b"}"#, "unknown field `note`"),
            (r#"{"type":"item-completed"}"#, "missing field `item`"),
            (r#"[1]"#, "invalid type: sequence, expected an event's fields, with its `type`"),
        ] {
            let message = error(text);
            assert!(message.contains(expected), "{text}: {message}");
        }
    }
}
