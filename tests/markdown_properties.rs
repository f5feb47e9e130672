//! Property tests of Markdown checklists: every template reads back from
//! its Markdown, and no text makes the reader panic.

mod common;

use proptest::prelude::*;
use release_workflow::{
    Gate, Stage, Template,
    checklist::{ItemStatus, MarkdownImport},
};

/// Titles with the characters Markdown reads as markup.
fn title() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[A-Za-z][A-Za-z0-9 ]{0,20}",
        2 => "[A-Za-z0-9 *_`\\\\\\[\\]<>&#!~|().,:;'\"+=-]{1,24}",
        1 => "[a-z]{1,8} \\(if (applicable|needed)\\)",
        1 => "[a-z]{1,5} &[a-z]{2,4}; <!-- [a-z]{1,5}: x -->",
        1 => "\\PC{1,12}",
    ]
    .prop_filter("one trimmed line", |title| {
        !title.trim().is_empty() && title.trim() == title && !title.chars().any(char::is_control)
    })
}

const GATES: [Gate; 6] =
    [Gate::Freeze, Gate::Deploy, Gate::Verify, Gate::Release, Gate::PostRelease, Gate::Rollback];

fn template() -> impl Strategy<Value = Template> {
    let item = (title(), 0..GATES.len(), any::<bool>(), any::<bool>());
    let section = (title(), prop::collection::vec(item, 1..5));
    (title(), prop::collection::vec(section, 1..4), any::<bool>(), 0..3usize).prop_filter_map(
        "a valid template",
        |(name, sections, restore, criteria)| {
            let mut builder = Template::builder(name);
            let mut seen = std::collections::HashSet::new();
            let mut rollback_items = Vec::new();
            for (s, (section, items)) in sections.into_iter().enumerate() {
                if !seen.insert(section.clone()) {
                    continue;
                }
                builder = builder.section(section);
                for (i, (title, gate, optional, settled)) in items.into_iter().enumerate() {
                    let id = format!("s{s}.i{i}");
                    let gate = GATES[gate];
                    builder = if settled && gate == Gate::Rollback {
                        builder.item_settled_on_entering(&id, &title, gate, Stage::RolledBack)
                    } else if optional {
                        builder.item_if_applicable(&id, &title, gate)
                    } else {
                        builder.item(&id, &title, gate)
                    };
                    if gate == Gate::Rollback {
                        rollback_items.push(id);
                    }
                }
            }
            let octoacme = Template::octoacme();
            let template =
                builder.criteria(octoacme.criteria().iter().take(criteria).cloned()).build().ok()?;
            match rollback_items.first() {
                Some(item) if restore => template.with_restoration(item).ok(),
                _ => Some(template),
            }
        },
    )
}

proptest! {
    #[test]
    fn every_template_reads_back_from_its_markdown(template in template()) {
        let markdown = template.to_markdown();
        let read = Template::from_markdown(&markdown, &MarkdownImport::new());
        prop_assert_eq!(read.as_ref(), Ok(&template), "{}", markdown);
    }

    /// Boxes flipped at random in a release's export: applied all or
    /// none, and when applied every box says what the release holds.
    #[test]
    fn ticks_apply_all_or_none_and_agree_with_the_release(
        stage in prop::sample::select(vec![Stage::Planned, Stage::Frozen, Stage::Deploying, Stage::Verifying]),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<bool>()), 0..6),
    ) {
        let mut release = common::at_stage(stage);
        let before = release.clone();
        let mut lines: Vec<String> = release.to_markdown().lines().map(str::to_owned).collect();
        let tasks: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].starts_with("- [")).collect();
        for (index, with_reason) in &flips {
            let line = &mut lines[tasks[index.index(tasks.len())]];
            *line = if let Some(rest) = line.strip_prefix("- [ ] ") {
                format!("- [x] {rest}")
            } else if let Some(rest) = line.strip_prefix("- [x] ") {
                let reason = if *with_reason { " reason: redo it" } else { "" };
                let (text, comment) = rest.split_once(" <!--").unwrap();
                format!("- [ ] {text}{reason} <!--{comment}")
            } else {
                continue;
            };
        }
        let edited = lines.join("\n");
        match release.apply_markdown(&edited, &common::ada(), common::t(60)) {
            Err(_) => prop_assert_eq!(&release, &before),
            Ok(_) => {
                let again = release.to_markdown();
                for line in edited.lines().filter(|line| line.starts_with("- [")) {
                    let id = line.rsplit("<!-- id: ").next().unwrap().trim_end_matches(" -->");
                    let settled = release.item_status(id).is_some_and(ItemStatus::is_settled);
                    prop_assert_eq!(line.starts_with("- [x]"), settled, "{}", line);
                }
                prop_assert_eq!(release.markdown_updates(&again, &common::ada(), common::t(61)).unwrap(), vec![]);
            }
        }
    }

    #[test]
    fn no_text_makes_the_reader_panic(text in "(\\PC|\n|#|- \\[ \\] |<!-- |-->|: |;|`)*") {
        let _ = Template::from_markdown(&text, &MarkdownImport::new());
        let _ = Template::from_markdown(&text, &MarkdownImport::octoacme());
        let _ = common::planned().markdown_updates(&text, &common::ada(), common::t(1));
    }
}
