//! What the benches share: a start time and a planned release.

use chrono::{DateTime, Utc};
use release_workflow::{Actor, Release, ReleaseKind};

pub fn start() -> DateTime<Utc> {
    DateTime::from_timestamp(1_764_493_200, 0).unwrap_or_default()
}

/// Release `version` of the bench service, planned by `ada` at `start()`.
pub fn planned(ada: &Actor, version: &str) -> Release {
    Release::builder()
        .service("bench")
        .version(version)
        .kind(ReleaseKind::Minor)
        .target_date(start().date_naive())
        .release_manager(ada.clone())
        .on_call(ada.clone())
        .plan(start())
        .unwrap()
}
