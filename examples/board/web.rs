//! The board's web server: read-only routes over any store. Each request
//! reads the store on a blocking thread (the library is synchronous), and
//! `/events` streams the store's change feed as server-sent events.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::{
    Router,
    extract::{Path, Query, State},
    http::{StatusCode, header},
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
    routing::get,
};
use chrono::{DateTime, Utc};
use futures_util::stream::{self, Stream};
use maud::Markup;
use release_workflow::{
    Release,
    metrics::{Period, ReportOptions},
    store::{Cursor, ReleaseKey, ReleaseStore, StoreError},
};

use crate::pages::{self, Card};

/// A store shared by the server's threads.
pub type Shared = Arc<dyn ReleaseStore + Send + Sync>;

/// How long one wait of the event stream lasts before it says it is alive.
const WAIT: Duration = Duration::from_secs(10);

/// The board's routes, all `GET`: the board, one release, DORA and its
/// trend picture, and the feed's events. Nothing writes.
pub fn router(store: Shared) -> Router {
    Router::new()
        .route("/", get(board_page))
        .route("/release/{key}", get(release_page))
        .route("/dora", get(dora_page))
        .route("/dora/trend.svg", get(trend_picture))
        .route("/events", get(events))
        .with_state(store)
}

/// Serves the board on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, store: Shared) -> std::io::Result<()> {
    axum::serve(listener, router(store)).await
}

/// The board at `at`: the feed's head first, so that a change made while
/// it is drawn reloads it rather than being missed.
pub fn render_board(store: &dyn ReleaseStore, at: DateTime<Utc>) -> Result<Markup, StoreError> {
    let cursor = store.feed_head()?;
    let keys = store.keys()?;
    let loaded = store.load_many(&keys)?;
    let releases: Vec<(ReleaseKey, Release)> =
        loaded.releases.into_iter().map(|stored| (ReleaseKey::of(&stored.release), stored.release)).collect();
    let mut by_service: BTreeMap<&str, Vec<&Release>> = BTreeMap::new();
    for (_, release) in &releases {
        if let Some(service) = release.service() {
            by_service.entry(service).or_default().push(release);
        }
    }
    let cards: Vec<Card> = releases
        .iter()
        .map(|(key, release)| {
            let others = release.service().and_then(|service| by_service.get(service)).into_iter().flatten();
            Card { key: key.clone(), status: release.status_among(at, others.copied()) }
        })
        .collect();
    Ok(pages::board(&cards, &loaded.unreadable, at, cursor))
}

/// One release's page at `at`.
pub fn render_release(
    store: &dyn ReleaseStore,
    key: &ReleaseKey,
    at: DateTime<Utc>,
) -> Result<Markup, StoreError> {
    let cursor = store.feed_head()?;
    let release = store.load(key)?.release;
    let status = store.status(key, at)?;
    Ok(pages::release(key, &release, &status, cursor))
}

/// The DORA report over every release of the store.
pub fn render_dora(store: &dyn ReleaseStore) -> Result<Markup, StoreError> {
    let cursor = store.feed_head()?;
    let deployments = store.deployments(&release_workflow::store::ReleaseFilter::all())?;
    let markup = match deployments.history.report(&ReportOptions::recorded_days()) {
        Ok(report) => pages::dora(&report, &deployments.unreadable, cfg!(feature = "svg"), cursor),
        Err(error) => pages::problem("DORA metrics", &error.to_string(), cursor),
    };
    Ok(markup)
}

/// The weekly trend as SVG.
fn trend_svg(store: &dyn ReleaseStore) -> Result<String, String> {
    let deployments = store
        .deployments(&release_workflow::store::ReleaseFilter::all())
        .map_err(|error| error.to_string())?;
    let trend = deployments
        .history
        .trend(&ReportOptions::recorded_days(), Period::Week)
        .map_err(|error| error.to_string())?;
    #[cfg(feature = "svg")]
    return trend.to_svg().map_err(|error| error.to_string());
    #[cfg(not(feature = "svg"))]
    {
        let _ = trend;
        Err("the board was built without the `svg` feature".to_owned())
    }
}

/// The time now: the board is a tool, and reads the clock the library
/// leaves to its caller.
fn now() -> DateTime<Utc> {
    DateTime::<Utc>::from(std::time::SystemTime::now())
}

/// Runs `read` on a blocking thread and answers with its page, or with a
/// page that says what went wrong.
async fn page(read: impl FnOnce() -> Result<Markup, StoreError> + Send + 'static) -> Response {
    match tokio::task::spawn_blocking(read).await {
        Ok(Ok(markup)) => markup.into_response(),
        Ok(Err(error)) => {
            let status = match &error {
                StoreError::ReleaseNotFound { .. } | StoreError::InvalidKey { .. } => StatusCode::NOT_FOUND,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            (status, pages::problem("The store refused", &error.to_string(), Cursor::START)).into_response()
        }
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
    }
}

async fn board_page(State(store): State<Shared>) -> Response {
    page(move || render_board(&*store, now())).await
}

async fn release_page(State(store): State<Shared>, Path(key): Path<String>) -> Response {
    page(move || {
        let key = ReleaseKey::parse(&key)?;
        render_release(&*store, &key, now())
    })
    .await
}

async fn dora_page(State(store): State<Shared>) -> Response {
    page(move || render_dora(&*store)).await
}

async fn trend_picture(State(store): State<Shared>) -> Response {
    match tokio::task::spawn_blocking(move || trend_svg(&*store)).await {
        Ok(Ok(svg)) => ([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response(),
        Ok(Err(problem)) => (StatusCode::NOT_FOUND, problem).into_response(),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
    }
}

/// The query of `/events`: the cursor the page was drawn at.
#[derive(serde::Deserialize)]
struct After {
    after: Option<String>,
}

/// The change feed after `after`, as server-sent events: a `change` event
/// (its id the new cursor, its data the keys that changed) for each batch
/// of changes, and a comment every [`WAIT`] while nothing changes.
async fn events(State(store): State<Shared>, Query(query): Query<After>) -> Response {
    let cursor = match query.after.as_deref().map(str::parse::<Cursor>) {
        None => Cursor::START,
        Some(Ok(cursor)) => cursor,
        Some(Err(error)) => return (StatusCode::BAD_REQUEST, error.to_string()).into_response(),
    };
    Sse::new(feed(store, cursor)).keep_alive(KeepAlive::default()).into_response()
}

fn feed(store: Shared, cursor: Cursor) -> impl Stream<Item = Result<Event, Infallible>> {
    stream::unfold((store, cursor), |(store, cursor)| async move {
        let reader = Arc::clone(&store);
        let waited = tokio::task::spawn_blocking(move || reader.wait_for_changes(cursor, WAIT)).await;
        let (event, next) = match waited {
            Ok(Ok(changes)) if !changes.is_empty() => {
                let keys: Vec<String> = changes.changes.iter().map(|change| change.key.to_string()).collect();
                let event =
                    Event::default().event("change").id(changes.cursor.to_string()).data(keys.join(" "));
                (event, changes.cursor)
            }
            Ok(Ok(_)) => (Event::default().comment("no change"), cursor),
            Ok(Err(error)) => {
                // Say so, and do not spin on a store that fails.
                tokio::time::sleep(WAIT).await;
                (Event::default().event("problem").data(error.to_string()), cursor)
            }
            Err(error) => (Event::default().event("problem").data(error.to_string()), cursor),
        };
        Some((Ok(event), (store, next)))
    })
}
