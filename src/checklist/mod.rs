//! Checklists as data: templates of items, and the status of each item in a
//! release.

mod item;
mod octoacme;
mod status;
mod template;

pub use item::{Item, ItemId, MAX_ID_CHARS, MAX_TITLE_CHARS, Requirement};
pub use octoacme::OCTOACME_NAME;
pub use status::ItemStatus;
pub use template::{Template, TemplateBuilder};
