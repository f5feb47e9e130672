//! A release's checklist as GitHub-flavored Markdown, and the boxes people
//! tick in it brought back as events.

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use crate::actor::Actor;
use crate::checklist::markdown::{Block, blocks, escaped};
use crate::checklist::{Item, ItemStatus, MarkdownError, Requirement};
use crate::event::{Event, EventKind};
use crate::health::Verdict;
use crate::policy::ChangeType;
use crate::release::status::{NextMove, ReleaseStatus, TIME};
use crate::release::{Release, ReleaseError};
use crate::stage::{Gate, Stage};
use crate::text::counted;

/// What a person writes on an unticked line to say why.
const REASON_LABEL: &str = "reason:";

impl Release {
    /// The release's checklist as GitHub-flavored Markdown, ready to paste
    /// into an issue or a pull request.
    ///
    /// On top: the stage, what blocks the next step (open items, missing
    /// approvals, health) and the health verdict. Then section by section:
    /// `- [x]` for settled items — done with who and when, not applicable
    /// (struck through) and waived with the reason and who — and `- [ ]`
    /// for open ones and for those an emergency change deferred (marked
    /// "deferred, owed", with the reason and who). Rollback items are left out until a rollback, and
    /// post-release items after one. Each item line ends with its id in a
    /// comment GitHub does not show, so that
    /// [`markdown_updates`](Release::markdown_updates) reads the boxes
    /// people tick back.
    ///
    /// ```
    /// use release_workflow::{Actor, Release, ReleaseKind, Role, Template};
    ///
    /// let ada = Actor::new("ada", "Ada Lovelace", Role::RELEASE_MANAGER)?;
    /// let grace = Actor::new("grace", "Grace Hopper", Role::ON_CALL_ENGINEER)?;
    /// let at: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
    /// let mut release = Release::builder()
    ///     .service("checkout")
    ///     .version("2.4.0")
    ///     .kind(ReleaseKind::Minor)
    ///     .target_date("2026-12-01".parse()?)
    ///     .release_manager(ada.clone())
    ///     .on_call(grace)
    ///     .plan(at)?;
    /// release.complete("planning.version-confirmed", &ada, at)?;
    /// let markdown = release.to_markdown();
    /// assert!(markdown.contains(
    ///     "- [x] Release version and date confirmed — done by Ada Lovelace (release-manager), \
    ///      2026-11-30 09:00 UTC <!-- id: planning.version-confirmed -->"
    /// ));
    /// assert!(markdown.contains("- [ ] Code freeze initiated (if applicable) <!-- id: build.code-freeze -->"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let status = self.status();
        let service = status.service.as_deref().map(|service| format!("{service} ")).unwrap_or_default();
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "# {} — {}\n",
            escaped(&format!("{service}{} ({})", status.version, status.kind)),
            escaped(&status.checklist)
        );
        let since = status.since.map(|since| format!(" since {}", since.format(TIME))).unwrap_or_default();
        let _ =
            writeln!(out, "**Stage:** {}{since} · **Target date:** {}\n", status.stage, status.target_date);
        match &status.next_move {
            Some(next) => next_step(&mut out, next),
            None => {
                let open = status.closing.as_ref().map_or(0, |closing| closing.open_items.len());
                let _ = writeln!(
                    out,
                    "**Closing:** {}\n",
                    if open == 0 { "closed".to_owned() } else { counted(open, "open item", "open items") }
                );
            }
        }
        change_type(&mut out, &status);
        if let Some(health) = &status.health {
            let _ = writeln!(out, "**Health:** {}", verdict_word(&health.verdict));
            findings(&mut out, &health.verdict);
            out.push('\n');
        }
        let hidden = if self.stage() == Stage::RolledBack { Gate::PostRelease } else { Gate::Rollback };
        let template = self.template();
        for section in template.sections() {
            let shown: Vec<(&Item, &ItemStatus)> = self
                .items()
                .filter(|(item, _)| item.section() == section.as_str() && item.gate() != hidden)
                .collect();
            if shown.is_empty() {
                continue;
            }
            let _ = writeln!(out, "## {}\n", escaped(section));
            for (item, status) in shown {
                out.push_str(&task_line(item, status));
                out.push('\n');
            }
            out.push('\n');
        }
        out
    }

    /// The events that bring the release up to date with `markdown`, its
    /// [export](Release::to_markdown) as people edited it: a box ticked on
    /// an open item completes it; a box unticked on a settled item reopens
    /// it, with the reason written on its line after `reason:`. Each event
    /// is by `by` at `at` and checked by the rules, in the order of the
    /// lines; the release itself is not changed (apply the events, or use
    /// [`apply_markdown`](Release::apply_markdown)).
    ///
    /// Items are known by the id comment of their line, or else by their
    /// title; items the Markdown leaves out are left as they are.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::Markdown`] for a line naming no item of the
    /// checklist, an item listed twice, or a box unticked without a reason;
    /// [`ReleaseError::FromMarkdown`] naming the line a rule refuses
    /// (ticking an item whose gate has passed or is not open yet, an item
    /// the workflow settles, an action the policy does not give `by`...).
    pub fn markdown_updates(
        &self,
        markdown: &str,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Vec<Event>, ReleaseError> {
        let mut scratch = self.clone();
        scratch.follow_markdown(markdown, by, at)
    }

    /// Applies what [`markdown_updates`](Release::markdown_updates) finds,
    /// all of it or, on the first refusal, none; returns the events
    /// recorded.
    ///
    /// ```
    /// use release_workflow::{Actor, Release, ReleaseKind, Role};
    ///
    /// let ada = Actor::new("ada", "Ada Lovelace", Role::RELEASE_MANAGER)?;
    /// let at: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
    /// let mut release = Release::builder()
    ///     .version("2.4.0")
    ///     .kind(ReleaseKind::Minor)
    ///     .target_date("2026-12-01".parse()?)
    ///     .release_manager(ada.clone())
    ///     .on_call(ada.clone())
    ///     .plan(at)?;
    /// // Someone ticks a box in the issue the checklist was pasted into.
    /// let edited = release.to_markdown().replace(
    ///     "- [ ] Release scope and features documented",
    ///     "- [x] Release scope and features documented",
    /// );
    /// let recorded = release.apply_markdown(&edited, &ada, at)?;
    /// assert_eq!(recorded.len(), 1);
    /// assert!(release.item_status("planning.scope-documented").is_some_and(|status| status.is_settled()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`markdown_updates`](Release::markdown_updates); the release is
    /// then unchanged.
    pub fn apply_markdown(
        &mut self,
        markdown: &str,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Vec<Event>, ReleaseError> {
        let mut scratch = self.clone();
        let events = scratch.follow_markdown(markdown, by, at)?;
        *self = scratch;
        Ok(events)
    }

    /// Applies the boxes of `markdown` to this release, returning the
    /// events; on an error the release is part-way, so callers work on a
    /// copy.
    fn follow_markdown(
        &mut self,
        markdown: &str,
        by: &Actor,
        at: DateTime<Utc>,
    ) -> Result<Vec<Event>, ReleaseError> {
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut events = Vec::new();
        for block in blocks(markdown)? {
            let Block::Task { line, checked, text, notes } = block else { continue };
            let named = notes.iter().find_map(|note| note.get("id"));
            let item = match named {
                Some(id) => self
                    .template()
                    .item(id)
                    .ok_or_else(|| unknown(line, id, self.template().similar_ids(id)))?,
                None => self.item_titled(&text).ok_or_else(|| unknown(line, &text, Vec::new()))?,
            };
            let id = item.id().clone();
            if let Some(first_line) = seen.insert(id.to_string(), line) {
                return Err(MarkdownError::DuplicateItem { line, first_line, item: id.to_string() }.into());
            }
            // A deferred item is owed: its box is unticked until it is done.
            let status =
                self.item_status(id.as_str()).filter(|status| status.is_settled() && !status.is_deferred());
            let what = match (checked, status) {
                (true, None) => EventKind::ItemCompleted { item: id },
                (false, Some(status)) => {
                    // The reason is the person's: what they wrote on the
                    // line, not the export's own words for the status
                    // (a waiver's reason may say "reason:" itself).
                    let own = own_words(&text, &task_line(item, status));
                    let reason = reason_in(&own)
                        .ok_or_else(|| MarkdownError::UntickedWithoutReason { line, item: id.to_string() })?;
                    EventKind::ItemReopened { item: id, reason: reason.to_owned() }
                }
                _ => continue,
            };
            let event = self
                .apply(Event { at, by: by.clone(), what })
                .map_err(|source| ReleaseError::FromMarkdown { line, source: Box::new(source) })?;
            events.push(event.clone());
        }
        Ok(events)
    }

    /// The item a task line names by its title: the title alone, with its
    /// "(if applicable)" marker, or followed by what the export wrote after
    /// it (` — done by ...`).
    fn item_titled(&self, text: &str) -> Option<&Item> {
        self.template().items().iter().find(|item| {
            let title = item.title();
            text.strip_prefix(title).is_some_and(|rest| {
                rest.is_empty()
                    || rest.starts_with(" — ")
                    || rest.eq_ignore_ascii_case(" (if applicable)")
                    || rest.eq_ignore_ascii_case(" (if needed)")
            })
        })
    }
}

fn unknown(line: usize, title: &str, suggestions: Vec<crate::checklist::ItemId>) -> MarkdownError {
    let suggestions: Vec<String> = suggestions.iter().map(|id| format!("`{id}`")).collect();
    MarkdownError::UnknownItem {
        line,
        title: crate::text::shorten(title),
        hint: crate::text::did_you_mean(
            &suggestions,
            "items are known by the id comment the export writes (`<!-- id: ... -->`) or by their exact title",
        ),
    }
}

/// What a person wrote on a task line beyond what the export wrote there:
/// the line's text without the text of `exported` (the export's line for
/// the item's status, read back the same way).
fn own_words(text: &str, exported: &str) -> String {
    let exported_text = blocks(exported).ok().and_then(|blocks| {
        blocks.into_iter().find_map(|block| match block {
            Block::Task { text, .. } => Some(text),
            _ => None,
        })
    });
    match exported_text {
        Some(exported) if !exported.is_empty() => text.replacen(exported.as_str(), " ", 1),
        _ => text.to_owned(),
    }
}

/// The reason written after `reason:` on a line, if any.
fn reason_in(text: &str) -> Option<&str> {
    let at = text.to_ascii_lowercase().find(REASON_LABEL)?;
    let reason = text.get(at + REASON_LABEL.len()..)?.trim();
    (!reason.is_empty()).then_some(reason)
}

/// One item as a task line, its status after its title.
fn task_line(item: &Item, status: &ItemStatus) -> String {
    let title = escaped(item.title());
    let id = item.id();
    let who = |by: &Actor, at: &DateTime<Utc>| format!("{}, {}", escaped(&by.to_string()), at.format(TIME));
    let reason = |reason: &str| escaped(&reason.split_whitespace().collect::<Vec<_>>().join(" "));
    match status {
        ItemStatus::Open => {
            let marker =
                if item.requirement() == Requirement::IfApplicable { " (if applicable)" } else { "" };
            format!("- [ ] {title}{marker} <!-- id: {id} -->")
        }
        ItemStatus::Done { by, at } => format!("- [x] {title} — done by {} <!-- id: {id} -->", who(by, at)),
        ItemStatus::NotApplicable { reason: why, by, at } => {
            format!("- [x] ~~{title}~~ — not applicable: {} ({}) <!-- id: {id} -->", reason(why), who(by, at))
        }
        ItemStatus::Waived { reason: why, by, at } => {
            format!("- [x] {title} — **waived**: {} ({}) <!-- id: {id} -->", reason(why), who(by, at))
        }
        // Not done: owed. Unticked, for the person who does it to tick.
        ItemStatus::Deferred { reason: why, by, at } => {
            format!("- [ ] {title} — **deferred, owed**: {} ({}) <!-- id: {id} -->", reason(why), who(by, at))
        }
    }
}

/// The next step and what blocks it.
fn next_step(out: &mut String, next: &NextMove) {
    if next.can_move() {
        let _ = writeln!(out, "**Next step:** {} — nothing blocks it\n", next.to);
        return;
    }
    let _ = writeln!(out, "**Next step:** {} — blocked by:\n", next.to);
    if !next.open_items.is_empty() {
        let ids: Vec<String> = next.open_items.iter().map(|item| format!("`{}`", item.id())).collect();
        let _ = writeln!(
            out,
            "- {} of the {} gate: {}",
            counted(next.open_items.len(), "open item", "open items"),
            next.gate,
            ids.join(", ")
        );
    }
    if let Some(approvals) = &next.approvals {
        let _ = writeln!(out, "- {}", escaped(&approvals.to_string()));
    }
    if let Some(health) = &next.health {
        let _ = writeln!(out, "- health: {}", verdict_word(health));
    }
    out.push('\n');
}

/// A standard or emergency change says so; an emergency change lists the
/// approvals it deferred and what it owes, and by when.
fn change_type(out: &mut String, status: &ReleaseStatus) {
    if status.change_type == ChangeType::Normal {
        return;
    }
    let _ = writeln!(out, "**Change type:** {}\n", status.change_type);
    for deferred in &status.deferred_approvals {
        let _ = writeln!(
            out,
            "- approvals of the {} gate **deferred** by {}, {}: {}",
            deferred.gate,
            escaped(&deferred.by.to_string()),
            deferred.at.format(TIME),
            escaped(&deferred.reason)
        );
    }
    if !status.owed.is_empty() {
        let due = status.review_due.map(|due| format!(", due {}", due.format(TIME))).unwrap_or_default();
        // One line: the reader of an edited export takes no nested lists.
        let owed: Vec<String> = status.owed.iter().map(|owed| escaped(&owed.to_string())).collect();
        let _ = writeln!(out, "- **owes**{due}: {}", owed.join("; "));
    }
    if !status.deferred_approvals.is_empty() || !status.owed.is_empty() {
        out.push('\n');
    }
}

fn verdict_word(verdict: &Verdict) -> &'static str {
    match verdict {
        Verdict::Healthy => "healthy",
        Verdict::Inconclusive { .. } => "inconclusive — a person must decide",
        Verdict::RollBack { .. } => "roll back",
    }
}

fn findings(out: &mut String, verdict: &Verdict) {
    let listed = match verdict {
        Verdict::Healthy => return,
        Verdict::Inconclusive { findings } | Verdict::RollBack { findings } => findings,
    };
    out.push('\n');
    for finding in listed {
        let _ = writeln!(out, "- {}", escaped(&finding.to_string().replace('\n', " ")));
    }
}
