//! The board's pages, rendered from what the library gives: pure
//! functions from data to HTML, so that the server, the benches and the
//! browser tests render the same. Everything from a log is user text, and
//! maud escapes it.

use chrono::{DateTime, Utc};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use release_workflow::{
    Release, Stage,
    audit::AuditTrail,
    checklist::ItemStatus,
    metrics::DoraReport,
    release::{NextMove, ReleaseStatus},
    store::{Cursor, ReleaseKey, Unreadable},
};

/// How times are shown.
const TIME: &str = "%Y-%m-%d %H:%M UTC";

/// The stages a board has columns for, in order.
const COLUMNS: [Stage; 6] =
    [Stage::Planned, Stage::Frozen, Stage::Deploying, Stage::Verifying, Stage::Released, Stage::RolledBack];

/// One release on the board: its key and its status now.
pub struct Card {
    /// Its key in the store.
    pub key: ReleaseKey,
    /// Its status at the time the board was drawn, among the others of
    /// its service (so a release held by another says which).
    pub status: ReleaseStatus,
}

/// The page around every view: its title, the navigation, and the script
/// that reloads it when the feed moves past `cursor`. Without JavaScript
/// the page is whole and a reload shows what changed.
pub fn layout(title: &str, cursor: Cursor, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · release board" }
                style { (PreEscaped(STYLE)) }
            }
            body data-cursor=(cursor) {
                nav {
                    a href="/" { "Board" }
                    " · "
                    a href="/dora" { "DORA" }
                    span #live title="follows the store's change feed" { "live" }
                }
                main { (body) }
                script { (PreEscaped(FOLLOW)) }
            }
        }
    }
}

/// The board: releases by stage, each card with what blocks its next move.
pub fn board(cards: &[Card], unreadable: &[Unreadable], at: DateTime<Utc>, cursor: Cursor) -> Markup {
    let body = html! {
        h1 { "Releases" }
        p.when { "as of " (at.format(TIME)) " · " (cards.len()) " releases" }
        @if !unreadable.is_empty() {
            section.unreadable {
                h2 { "Releases the board cannot read" }
                ul { @for release in unreadable { li { code { (release.key) } ": " (release.error) } } }
            }
        }
        div.columns {
            @for stage in COLUMNS {
                @let here: Vec<&Card> = cards.iter().filter(|card| card.status.stage == stage).collect();
                section.column data-stage=(stage) {
                    h2 { (stage) " " span.count { (here.len()) } }
                    @for card in here { (card_of(card)) }
                }
            }
        }
    };
    layout("Releases", cursor, body)
}

fn card_of(card: &Card) -> Markup {
    let status = &card.status;
    html! {
        article.card data-key=(card.key) {
            h3 {
                a href=(format!("/release/{}", card.key)) {
                    (status.service.as_deref().unwrap_or("(no service)")) " " (status.version)
                }
                @if status.change_type != release_workflow::policy::ChangeType::Normal {
                    " " span.badge { (status.change_type) }
                }
            }
            ul.progress {
                @for gate in &status.progress {
                    li class=(if gate.tally.is_complete() { "done" } else { "open" }) {
                        (gate.gate) " " (gate.tally.settled) "/" (gate.tally.total)
                    }
                }
            }
            @if let Some(next) = &status.next_move { (next_move(next, CARD_ITEMS)) }
            @if let Some(rollback) = &status.rollback {
                p.blocked { "rolled back from " (rollback.from) ": " (rollback.reason) }
            }
            (owed(status))
        }
    }
}

/// How many open items a card lists; its release's page lists them all.
const CARD_ITEMS: usize = 5;

/// The next move and everything that blocks it, listing at most `items`
/// open items.
fn next_move(next: &NextMove, items: usize) -> Markup {
    html! {
        div.next {
            @if next.can_move() {
                p.ready { "ready for " (next.to) }
            } @else {
                p.blocked { "blocked before " (next.to) " (" (next.gate) " gate)" }
                ul.blockers {
                    @for item in next.open_items.iter().take(items) {
                        li.item { "open: " code { (item.id()) } " " (item.title()) }
                    }
                    @if next.open_items.len() > items {
                        li.more { "… and " (next.open_items.len() - items) " more open items" }
                    }
                    @if let Some(approvals) = &next.approvals { li.approvals { (approvals) } }
                    @if let Some(window) = &next.window { li.window { (window) } }
                    @if let Some(verdict) = &next.health { li.health { "health: " (verdict) } }
                    @if let Some(held) = &next.held_by {
                        li.held {
                            "held by " (held.service) " " (held.version) ", " (held.stage)
                        }
                    }
                }
            }
        }
    }
}

/// What an emergency change owes, and by when.
fn owed(status: &ReleaseStatus) -> Markup {
    html! {
        @if !status.owed.is_empty() {
            div.owed {
                p class=(if status.overdue { "blocked" } else { "" }) {
                    "owes"
                    @if let Some(due) = status.review_due {
                        @if status.overdue { " — OVERDUE since " } @else { ", due " }
                        (due.format(TIME))
                    }
                }
                ul { @for owed in &status.owed { li { (owed) } } }
            }
        }
    }
}

/// One release: its workflow, checklist, approvals, windows, health and
/// audit trail.
pub fn release(key: &ReleaseKey, release: &Release, status: &ReleaseStatus, cursor: Cursor) -> Markup {
    let template = release.template();
    let body = html! {
        h1 { (status.service.as_deref().unwrap_or("(no service)")) " " (status.version) }
        p.when {
            code { (key) } " · " (status.kind) " · target " (status.target_date)
            " · release manager " (status.release_manager.name()) " · on call " (status.on_call.name())
            " · checklist " (status.checklist)
        }
        (workflow(status.stage))
        @if let Some(next) = &status.next_move { (next_move(next, usize::MAX)) }
        @if let Some(rollback) = &status.rollback {
            section.rollback {
                h2 { "Rolled back" }
                p.blocked { "from " (rollback.from) " by " (rollback.by.name()) " at " (rollback.at.format(TIME)) }
                @match &rollback.reason {
                    release_workflow::event::RollbackReason::Criteria { findings } => {
                        ul.tripped { @for finding in findings { li { (finding) } } }
                    }
                    other => { p { (other) } }
                }
            }
        }
        (owed(status))
        section.checklist {
            h2 { "Checklist" }
            @for section in template.sections() {
                h3 { (section) }
                table {
                    @for (item, state) in release.items().filter(|(item, _)| item.section() == section) {
                        tr class=(state_class(state)) data-item=(item.id()) {
                            td { code { (item.id()) } }
                            td { (item.title()) }
                            td { (item.gate()) }
                            td { (state) }
                        }
                    }
                }
            }
        }
        section.approvals {
            h2 { "Approvals" }
            @if status.approvals.is_empty() { p { "none given" } }
            ul {
                @for approval in &status.approvals {
                    li { (approval.gate) " gate by " (approval.by.name()) " (" (approval.by.role()) ") at " (approval.at.format(TIME)) }
                }
            }
        }
        @if let Some(policy) = template.policy() {
            @if !policy.windows().is_empty() {
                section.windows {
                    h2 { "Change windows" }
                    ul {
                        @for window in policy.windows() {
                            li {
                                (window)
                                @if status.overridden_windows.iter().any(|name| name == window.name()) { " — overridden" }
                            }
                        }
                    }
                }
            }
        }
        @if let Some(health) = &status.health {
            section.health {
                h2 { "Health" }
                p class=(if health.verdict.should_roll_back() { "blocked" } else { "" }) { (health.verdict) }
                ul { @for finding in health.verdict.findings() { li { (finding) } } }
                p { (health.observations) " observations" }
            }
        }
        section.audit {
            h2 { "Audit trail" }
            ol {
                @for (position, event) in AuditTrail::of(release).entries() {
                    li value=(position + 1) { (event) }
                }
            }
        }
    };
    layout(&format!("{} {}", status.service.as_deref().unwrap_or("release"), status.version), cursor, body)
}

fn state_class(state: &ItemStatus) -> &'static str {
    match state {
        ItemStatus::Open => "open",
        ItemStatus::Deferred { .. } => "deferred",
        _ => "done",
    }
}

/// The workflow as a row of stages, the current one marked.
fn workflow(current: Stage) -> Markup {
    html! {
        ol.workflow aria-label="workflow" {
            @for stage in COLUMNS {
                li class=(if stage == current { "current" } else { "" }) aria-current=[(stage == current).then_some("step")] {
                    (stage)
                }
            }
        }
    }
}

/// The DORA report with its tiers, and the weekly trend picture when the
/// board was built with the `svg` feature.
pub fn dora(report: &DoraReport, unreadable: &[Unreadable], has_trend: bool, cursor: Cursor) -> Markup {
    let body = html! {
        h1 { "DORA metrics" }
        pre.report { (report) }
        @if !unreadable.is_empty() {
            section.unreadable {
                h2 { "Releases left out: they cannot be read" }
                ul { @for release in unreadable { li { code { (release.key) } ": " (release.error) } } }
            }
        }
        @if has_trend {
            h2 { "Weekly trend" }
            img src="/dora/trend.svg" alt="the DORA metrics week by week";
        } @else {
            p { "Build the board with `--features svg` for the weekly trend picture." }
        }
    };
    layout("DORA", cursor, body)
}

/// A page that says what went wrong, in the library's words.
pub fn problem(title: &str, message: &str, cursor: Cursor) -> Markup {
    layout(title, cursor, html! { h1 { (title) } p.blocked { (message) } })
}

/// Follows the feed: when the store changes after the cursor the page was
/// drawn at, draw it again.
const FOLLOW: &str = r#"
if (window.EventSource) {
  const live = document.getElementById('live');
  const source = new EventSource('/events?after=' + document.body.dataset.cursor);
  source.addEventListener('change', () => { source.close(); location.reload(); });
  source.onopen = () => live.classList.add('on');
  source.onerror = () => live.classList.remove('on');
}
"#;

const STYLE: &str = r#"
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d1d1f; background: #f5f5f7; }
nav { background: #1d1d1f; color: #fff; padding: .5em 1em; }
nav a { color: #fff; }
#live { float: right; opacity: .5; } #live.on { opacity: 1; color: #7dd87d; }
main { padding: 1em; }
.when { color: #555; }
.columns { display: grid; grid-template-columns: repeat(6, minmax(12em, 1fr)); gap: .75em; }
.column h2 { font-size: 1em; text-transform: uppercase; }
.count { color: #777; }
.card { background: #fff; border-radius: 6px; padding: .5em .75em; margin-bottom: .5em; box-shadow: 0 1px 2px #0002; }
.card h3 { font-size: 1em; margin: 0 0 .25em; }
.badge { background: #fde7c2; border-radius: 3px; padding: 0 .3em; font-size: .8em; }
.progress { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: .3em; font-size: .8em; }
.progress .done { color: #2a7a2a; } .progress .open { color: #a15c00; }
.ready { color: #2a7a2a; } .blocked { color: #b3261e; font-weight: 600; }
.blockers { margin: 0; padding-left: 1.2em; font-size: .9em; }
.workflow { display: flex; list-style: none; padding: 0; gap: .25em; }
.workflow li { padding: .3em .8em; background: #e5e5ea; border-radius: 3px; }
.workflow li.current { background: #0a5dc2; color: #fff; font-weight: 600; }
table { border-collapse: collapse; background: #fff; width: 100%; }
td { border-bottom: 1px solid #eee; padding: .2em .5em; }
tr.open td:last-child { color: #a15c00; } tr.deferred td:last-child { color: #b3261e; }
.unreadable { background: #fdecea; padding: .5em 1em; border-radius: 6px; }
pre.report { background: #fff; padding: 1em; overflow-x: auto; }
"#;
