//! A release's checklist as GitHub Markdown, and boxes ticked in it
//! brought back as events.

mod common;

use common::{ada, at_stage, planned, sam, t};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use release_workflow::{
    Gate, Release, ReleaseError, Stage,
    checklist::{ItemStatus, MarkdownError},
    event::EventKind,
    release::AccessError,
};

/// Every task item GitHub would render: its id comment and whether it is
/// ticked, read with `pulldown-cmark` the way GitHub reads task lists.
fn rendered_tasks(markdown: &str) -> Vec<(String, bool)> {
    let mut tasks = Vec::new();
    let mut current: Option<(Option<bool>, String)> = None;
    for event in Parser::new_ext(markdown, Options::ENABLE_TASKLISTS | Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Start(Tag::Item) => current = Some((None, String::new())),
            Event::TaskListMarker(checked) => {
                if let Some((state, _)) = current.as_mut() {
                    *state = Some(checked);
                }
            }
            Event::InlineHtml(html) => {
                if let Some((_, id)) = current.as_mut()
                    && let Some(found) =
                        html.strip_prefix("<!-- id: ").and_then(|rest| rest.strip_suffix(" -->"))
                {
                    *id = found.to_owned();
                }
            }
            Event::End(TagEnd::Item) => {
                if let Some((Some(checked), id)) = current.take() {
                    tasks.push((id, checked));
                }
            }
            _ => {}
        }
    }
    tasks
}

fn settled(release: &Release, id: &str) -> bool {
    release.item_status(id).is_some_and(ItemStatus::is_settled)
}

#[test]
fn every_shown_item_renders_as_a_task_in_its_state() {
    let mut release = at_stage(Stage::Frozen);
    release.mark_not_applicable("testing.performance-tested", "no hot path touched", &ada(), t(20)).unwrap();
    release.complete("testing.unit-tests-passing", &ada(), t(21)).unwrap();
    let markdown = release.to_markdown();
    let tasks = rendered_tasks(&markdown);
    // Every item but the rollback checklist, which waits for a rollback.
    let shown: Vec<_> =
        release.template().items().iter().filter(|item| item.gate() != Gate::Rollback).collect();
    assert_eq!(tasks.len(), shown.len(), "{markdown}");
    for ((id, checked), item) in tasks.iter().zip(shown) {
        assert_eq!(id, item.id().as_str());
        assert_eq!(*checked, settled(&release, id), "{id}");
    }
    assert!(
        markdown.starts_with(
            "# checkout 2.4.0 (minor) — OctoAcme Release Management Checklist\n\n**Stage:** frozen since"
        ),
        "{markdown}"
    );
    assert!(markdown.contains("**Next step:** deploying — blocked by:\n\n- 23 open items of the deploy gate: `build.pipelines-passing`,"), "{markdown}");
    assert!(markdown.contains("- 1 more approval from change-approver (has 0 of 1)"), "{markdown}");
    assert!(markdown.contains("- [x] ~~Performance testing completed~~ — not applicable: no hot path touched (Ada Lovelace (release-manager), 2026-11-30 09:20 UTC) <!-- id: testing.performance-tested -->"), "{markdown}");
    assert!(markdown.contains("- [x] Unit tests passing — done by Ada Lovelace (release-manager), 2026-11-30 09:21 UTC <!-- id: testing.unit-tests-passing -->"), "{markdown}");
    assert!(
        markdown.contains("- [ ] Integration tests passing <!-- id: testing.integration-tests-passing -->"),
        "{markdown}"
    );
    assert!(!markdown.contains("Rollback Checklist"), "{markdown}");
}

#[test]
fn a_rolled_back_release_shows_its_rollback_items_and_health() {
    let mut release = at_stage(Stage::Verifying);
    release.roll_back("checkout errors", &ada(), t(30)).unwrap();
    let markdown = release.to_markdown();
    assert!(markdown.contains("## Rollback Checklist"), "{markdown}");
    assert!(!markdown.contains("## Communication"), "{markdown}");
    assert!(markdown.contains("**Closing:** 7 open items"), "{markdown}");
    assert!(markdown.contains("- [x] Rollback decision made and communicated — done by"), "{markdown}");
    let mut verifying = at_stage(Stage::Verifying);
    let markdown = verifying.to_markdown();
    assert!(markdown.contains("- health: inconclusive — a person must decide"), "{markdown}");
    assert!(markdown.contains("**Health:** inconclusive — a person must decide\n\n- error-rate \"Error rate above 5%\" (critical, decide): no sample of error\\_rate recorded\n"), "{markdown}");
    common::record_healthy_signals(&mut verifying, t(31));
    let markdown = verifying.to_markdown();
    assert!(markdown.contains("**Health:** healthy\n\n## Release Planning"), "{markdown}");
}

#[test]
fn an_unedited_export_changes_nothing() {
    let release = at_stage(Stage::Frozen);
    assert_eq!(release.markdown_updates(&release.to_markdown(), &ada(), t(30)).unwrap(), []);
}

#[test]
fn ticked_boxes_complete_and_unticked_ones_reopen_with_their_reason() {
    let mut release = at_stage(Stage::Frozen);
    release.complete("testing.unit-tests-passing", &ada(), t(20)).unwrap();
    let edited = release
        .to_markdown()
        .replace("- [ ] Integration tests passing", "- [x] Integration tests passing")
        .replace("- [ ] Regression testing completed", "- [X] Regression testing completed")
        .replace(
            "- [x] Unit tests passing — done by Ada Lovelace (release-manager), 2026-11-30 09:20 UTC",
            "- [ ] Unit tests passing — done by Ada Lovelace (release-manager), 2026-11-30 09:20 UTC reason: flaky on arm64",
        );
    let events = release.apply_markdown(&edited, &ada(), t(25)).unwrap();
    let kinds: Vec<String> = events.iter().map(|event| format!("{:?}", event.what)).collect();
    assert_eq!(events.len(), 3, "{kinds:?}");
    assert!(settled(&release, "testing.integration-tests-passing"));
    assert!(settled(&release, "testing.regression-tested"));
    assert!(!settled(&release, "testing.unit-tests-passing"));
    assert!(events.iter().all(|event| event.by == ada() && event.at == t(25)));
    assert_eq!(
        events[0].what,
        EventKind::ItemReopened {
            item: "testing.unit-tests-passing".parse().unwrap(),
            reason: "flaky on arm64".to_owned()
        },
        "{kinds:?}"
    );
}

#[test]
fn items_are_known_by_title_when_their_id_comment_is_gone() {
    let mut release = planned();
    let markdown = "## Release Planning\n\n- [x] Release version and date confirmed\n- [x] Code freeze initiated (if applicable)\n";
    let events = release.apply_markdown(markdown, &ada(), t(5)).unwrap();
    assert_eq!(events.len(), 2);
    assert!(settled(&release, "build.code-freeze"));
}

#[test]
fn nothing_is_applied_unless_all_of_it_is_accepted() {
    let mut release = at_stage(Stage::Frozen);
    let before = release.clone();
    // The first tick is fine; the second is an item of a gate not open yet.
    let edited = release
        .to_markdown()
        .replace("- [ ] Integration tests passing", "- [x] Integration tests passing")
        .replace("- [ ] Release notes published", "- [x] Release notes published");
    let line = edited.lines().position(|line| line.starts_with("- [x] Release notes published")).unwrap() + 1;
    let error = release.apply_markdown(&edited, &ada(), t(25)).unwrap_err();
    match &error {
        ReleaseError::FromMarkdown { line: at, source } => {
            assert_eq!(*at, line);
            assert!(matches!(**source, ReleaseError::ItemNotWorkable { .. }), "{source:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(error.to_string().starts_with(&format!("line {line} of the Markdown is refused: ")), "{error}");
    assert_eq!(release, before);
    assert!(release.markdown_updates(&edited, &ada(), t(25)).is_err());
}

#[test]
fn refusals_name_the_line() {
    let release = at_stage(Stage::Frozen);
    let export = release.to_markdown();
    let line_of =
        |markdown: &str, start: &str| markdown.lines().position(|line| line.starts_with(start)).unwrap() + 1;

    // Unticking a settled item of a gate already passed.
    let edited = export.replacen(
        "- [x] Release version and date confirmed",
        "- [ ] Release version and date confirmed",
        1,
    );
    let error = release.markdown_updates(&edited, &ada(), t(25)).unwrap_err();
    assert!(
        matches!(error, ReleaseError::Markdown(MarkdownError::UntickedWithoutReason { .. })),
        "{error:?}"
    );
    assert!(
        error.to_string().starts_with(&format!(
            "line {}: `planning.version-confirmed` was unticked without a reason",
            line_of(&edited, "- [ ] Release version")
        )),
        "{error}"
    );
    let with_reason = edited.replacen(
        "UTC <!-- id: planning.version-confirmed",
        "UTC reason: date moved <!-- id: planning.version-confirmed",
        1,
    );
    let error = release.markdown_updates(&with_reason, &ada(), t(25)).unwrap_err();
    assert!(
        matches!(&error, ReleaseError::FromMarkdown { source, .. } if matches!(**source, ReleaseError::ItemNotWorkable { .. })),
        "{error:?}"
    );

    // An item the checklist does not have, by id or by title.
    let edited =
        export.replace("<!-- id: testing.unit-tests-passing -->", "<!-- id: testing.unit-test-passing -->");
    let error = release.markdown_updates(&edited, &ada(), t(25)).unwrap_err();
    assert!(matches!(error, ReleaseError::Markdown(MarkdownError::UnknownItem { .. })), "{error:?}");
    assert!(
        error.to_string().contains(
            "did you mean one of `testing.unit-tests-passing`, `testing.integration-tests-passing`?"
        ),
        "{error}"
    );
    let error = release.markdown_updates("## Extra\n\n- [x] Bake a cake\n", &ada(), t(25)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "line 3: \"Bake a cake\" is not an item of the release's checklist: items are known by the id comment the export writes (`<!-- id: ... -->`) or by their exact title"
    );

    // One item twice.
    let error = release
        .markdown_updates("- [x] Unit tests passing\n- [ ] Unit tests passing\n", &ada(), t(25))
        .unwrap_err();
    assert!(
        matches!(error, ReleaseError::Markdown(MarkdownError::DuplicateItem { line: 2, first_line: 1, .. })),
        "{error:?}"
    );
}

#[test]
fn ticks_follow_the_policy() {
    let release = at_stage(Stage::Frozen);
    // Only a security engineer completes the security scans.
    let edited = release.to_markdown().replace(
        "- [ ] Security scans completed with no critical issues",
        "- [x] Security scans completed with no critical issues",
    );
    let error = release.markdown_updates(&edited, &ada(), t(25)).unwrap_err();
    assert!(
        matches!(&error, ReleaseError::FromMarkdown { source, .. } if matches!(&**source, ReleaseError::Access(access) if matches!(**access, AccessError::NotPermitted { .. }))),
        "{error:?}"
    );
    assert_eq!(release.markdown_updates(&edited, &sam(), t(25)).unwrap().len(), 1);
}

#[test]
fn an_unticked_waiver_needs_the_persons_reason_not_the_waivers_words() {
    let mut release = planned();
    // A waiver whose own reason says "reason:", as people write.
    release.waive("planning.scope-documented", "reason: scope lives in the epic", &ada(), t(1)).unwrap();
    let export = release.to_markdown();
    let waived_line = export.lines().find(|line| line.contains("planning.scope-documented")).unwrap();
    assert!(waived_line.contains("reason: scope lives in the epic"), "{waived_line}");

    // Unticked, nothing added: refused, the waiver's words are not a reason.
    let unticked = export.replacen(waived_line, &waived_line.replacen("- [x]", "- [ ]", 1), 1);
    let error = release.markdown_updates(&unticked, &ada(), t(2)).unwrap_err();
    assert!(
        matches!(error, ReleaseError::Markdown(MarkdownError::UntickedWithoutReason { .. })),
        "{error:?}"
    );

    // Unticked with the person's reason on the line: reopened with theirs.
    let with_reason = unticked.replacen(
        " <!-- id: planning.scope-documented",
        " reason: the epic was closed <!-- id: planning.scope-documented",
        1,
    );
    let events = release.markdown_updates(&with_reason, &ada(), t(2)).unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(
        matches!(&events[0].what, EventKind::ItemReopened { reason, .. } if reason == "the epic was closed"),
        "{:?}",
        events[0].what
    );
}
