//! Checklists as data: templates of items, and the status of each item in a
//! release.

mod diagram;
mod error;
#[cfg(feature = "toml")]
mod file;
mod item;
pub(crate) mod markdown;
mod octoacme;
mod pin;
mod status;
mod template;

pub use error::TemplateError;
pub use item::{Item, ItemId, MAX_ID_CHARS, Requirement};
pub use markdown::{MarkdownError, MarkdownImport};
pub use octoacme::OCTOACME_NAME;
pub use pin::{ItemField, TemplateDifference};
pub use status::ItemStatus;
pub use template::{Template, TemplateBuilder};
