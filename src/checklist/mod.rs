//! Checklists as data: templates of items, and the status of each item in a
//! release.

mod error;
mod item;
mod octoacme;
mod pin;
mod status;
mod template;

pub use error::TemplateError;
pub use item::{Item, ItemId, MAX_ID_CHARS, Requirement};
pub use octoacme::OCTOACME_NAME;
pub use pin::{ItemField, TemplateDifference};
pub use status::ItemStatus;
pub use template::{Template, TemplateBuilder};
