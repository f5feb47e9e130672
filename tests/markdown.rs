//! Checklists as Markdown: the source checklist imports to the built-in
//! template, templates round-trip, and bad Markdown names its line.

use release_workflow::{
    Gate, Stage, Template,
    checklist::{MarkdownError, MarkdownImport, Requirement, TemplateError},
};

const SOURCE: &str = include_str!("fixtures/release-management-checklist.md");

fn import(markdown: &str) -> Result<Template, MarkdownError> {
    Template::from_markdown(markdown, &MarkdownImport::new())
}

#[test]
fn the_source_checklist_imports_to_octoacme_item_for_item() {
    let imported = Template::from_markdown(SOURCE, &MarkdownImport::octoacme()).unwrap();
    let octoacme = Template::octoacme();
    assert_eq!(imported.items().len(), 66);
    for (read, built) in imported.items().iter().zip(octoacme.items()) {
        assert_eq!(read, built);
    }
    assert_eq!(imported.sections(), octoacme.sections());
    assert_eq!(imported, octoacme);
    assert_eq!(imported.fingerprint(), octoacme.fingerprint());
}

#[test]
fn the_source_checklist_without_its_map_asks_for_gates_naming_the_line() {
    let error = import(SOURCE).unwrap_err();
    assert_eq!(error.line(), Some(9));
    assert_eq!(
        error.to_string(),
        "line 9: no gate for \"Release version and date confirmed\" in section \"Release Planning\": \
         annotate the heading or the item (`<!-- gate: deploy -->`), or map the section"
    );
}

#[test]
fn a_team_keeps_one_annotated_file() {
    let markdown = "\
# Web app

Some prose, and a plain list that is not part of the checklist:
- not an item

## Planning <!-- gate: freeze; id: plan -->

- [ ] Scope agreed
- [ ] Risky change reviewed (if needed)

## Ship

<!-- gate: deploy -->

- [ ] Tests *passing* on `main` <!-- id: ship.tests -->
- [ ] Smoke tests green <!-- gate: release; TODO: nothing -->
- [ ] Monitoring on (if applicable) <!-- requirement: required -->

## Rollback <!-- gate: rollback -->

- [ ] Decided <!-- settled-on-entering: rolled-back -->
- [ ] Previous version back <!-- restoration: yes -->
";
    // `TODO: nothing` is an unknown annotation key: refused.
    let error = import(markdown).unwrap_err();
    assert_eq!(error.line(), Some(16));
    assert!(error.to_string().contains("`TODO` is not an annotation of an item"), "{error}");

    let template = import(&markdown.replace("; TODO: nothing", "")).unwrap();
    assert_eq!(template.name(), "Web app");
    assert_eq!(template.sections(), ["Planning", "Ship", "Rollback"]);
    let ids: Vec<&str> = template.items().iter().map(|item| item.id().as_str()).collect();
    assert_eq!(
        ids,
        [
            "plan.scope-agreed",
            "plan.risky-change-reviewed",
            "ship.tests",
            "ship.smoke-tests-green",
            "ship.monitoring-on-if-applicable",
            "rollback.decided",
            "rollback.previous-version-back"
        ]
    );
    let item = |id: &str| template.item(id).unwrap();
    assert_eq!(item("plan.risky-change-reviewed").requirement(), Requirement::IfApplicable);
    assert_eq!(item("plan.risky-change-reviewed").title(), "Risky change reviewed");
    assert_eq!(item("ship.tests").title(), "Tests passing on `main`");
    assert_eq!(item("ship.tests").gate(), Gate::Deploy);
    assert_eq!(item("ship.smoke-tests-green").gate(), Gate::Release);
    let monitoring = item("ship.monitoring-on-if-applicable");
    assert_eq!(
        (monitoring.title(), monitoring.requirement()),
        ("Monitoring on (if applicable)", Requirement::Required)
    );
    assert_eq!(item("rollback.decided").settled_on(), Some(Stage::RolledBack));
    assert_eq!(template.restoration().unwrap().id().as_str(), "rollback.previous-version-back");
}

#[test]
fn bad_markdown_names_its_line() {
    let cases: [(&str, Option<usize>, &str); 12] = [
        ("# T\n\n- [ ] Loose\n", Some(3), "outside any section"),
        ("- [ ] Loose\n", Some(1), "outside any section"),
        (
            "# T\n\n## S <!-- gate: deploy -->\n\n- [ ] A\n- [ ] B\n- [ ] A\n",
            Some(7),
            "already has an item \"A\" (line 5)",
        ),
        ("# T\n\n## S\n\nNo tasks here.\n", None, "no task items"),
        ("# T\n\n## S <!-- gate: deploy -->\n\n- [ ] A\n  - [ ] A.1\n", Some(6), "nested list"),
        ("# T\n\n## S <!-- gate: deploy -->\n\n- [x] Done already\n", Some(5), "\"Done already\" is ticked"),
        (
            "# T\n\n## S <!-- gate: deploy -->\n\n- [ ] A\n\n## S\n\n- [ ] B\n",
            Some(7),
            "section \"S\" already appears at line 3",
        ),
        ("# T\n\n## S <!-- gate: deploy -->\n\n- [ ] (if needed)\n", Some(5), "no title"),
        ("# T\n\n## S <!-- gate: deploy -->\n\n- [ ] A <!-- gate: later -->\n", Some(5), "later"),
        ("# T\n\n## S <!-- gate: deploy -->\n\n- [ ] A <!-- id: Bad Id -->\n", Some(5), "Bad Id"),
        (
            "# T\n\n## Empty <!-- gate: deploy -->\n\n## S <!-- gate: deploy -->\n\n- [ ] A\n",
            Some(3),
            "annotated but has no task items",
        ),
        ("## S <!-- gate: deploy -->\n\n- [ ] A\n", None, "no name"),
    ];
    for (markdown, line, says) in cases {
        let error = import(markdown).unwrap_err();
        assert_eq!(error.line(), line, "{markdown:?}: {error}");
        assert!(error.to_string().contains(says), "{markdown:?}: {error}");
        if let Some(line) = line {
            assert!(error.to_string().starts_with(&format!("line {line}: ")), "{error}");
        }
    }
}

#[test]
fn a_template_rule_broken_in_markdown_names_the_item_line() {
    let markdown =
        "# T\n\n## S <!-- gate: deploy -->\n\n- [ ] A <!-- id: s.a -->\n- [ ] B <!-- id: s.a -->\n";
    let error = import(markdown).unwrap_err();
    assert!(
        matches!(error, MarkdownError::Template { line: Some(6), source: TemplateError::InvalidItem { .. } }),
        "the repeat is at fault, not the first line: {error:?}"
    );
    assert_eq!(
        error.to_string(),
        "line 6: checklist item `s.a` appears twice (first at line 5): item ids must be unique"
    );
}

#[test]
fn settings_come_from_the_file_or_the_map_never_both() {
    let exported = Template::octoacme().to_markdown();
    let error = Template::from_markdown(&exported, &MarkdownImport::octoacme()).unwrap_err();
    assert!(error.to_string().contains("gives criteria, and so does the import map: keep one"), "{error}");
    let broken = exported.replace("\"criteria\"", "\"criterias\"");
    let error = import(&broken).unwrap_err();
    assert!(matches!(error, MarkdownError::Settings { .. }), "{error:?}");
    assert!(error.to_string().contains("unknown field `criterias`"), "{error}");
}

#[test]
fn octoacme_exports_to_markdown_that_reads_back_equal() {
    let octoacme = Template::octoacme();
    let markdown = octoacme.to_markdown();
    assert_eq!(import(&markdown).unwrap(), octoacme);
    assert_eq!(octoacme.to_string(), markdown);
    assert!(markdown.starts_with("# OctoAcme Release Management Checklist\n\n## Release Planning <!-- gate: freeze -->\n\n- [ ] Release version and date confirmed <!-- id: planning.version-confirmed -->\n"), "{markdown}");
    assert!(markdown.contains("- [ ] Previous version redeployed <!-- id: rollback.previous-version-redeployed; restoration: yes -->"), "{markdown}");
    assert!(markdown.contains("- [ ] Rollback decision made and communicated <!-- id: rollback.decision-made; settled-on-entering: rolled-back -->"), "{markdown}");
}

#[test]
fn the_readme_shows_the_octoacme_workflow_as_generated() {
    let diagram = Template::octoacme().mermaid();
    println!("{diagram}");
    let readme = include_str!("../README.md");
    assert!(readme.contains(&format!("```mermaid\n{diagram}```\n")), "README lacks:\n{diagram}");
}

#[test]
fn an_empty_box_is_an_item_without_a_title() {
    for markdown in [
        "# T\n\n## S <!-- gate: deploy -->\n\n- [ ] A\n- [ ]\n",
        "# T\n\n## S <!-- gate: deploy -->\n\n- [ ] A\n- [ ] \n",
    ] {
        let error = import(markdown).unwrap_err();
        assert!(matches!(error, MarkdownError::EmptyTitle { line: 6 }), "{markdown:?}: {error:?}");
    }
}

#[test]
fn only_the_first_level_one_heading_names_the_template() {
    let markdown = "# Name\n\n# First\n\n<!-- gate: deploy -->\n\n- [ ] A\n\n# Second <!-- gate: verify -->\n\n- [ ] B\n";
    let template = import(markdown).unwrap();
    assert_eq!(template.name(), "Name");
    assert_eq!(template.sections(), ["First", "Second"]);
    assert_eq!(template.item("second.b").unwrap().gate(), Gate::Verify);
}

#[test]
fn a_repeated_title_needs_an_id_on_both_lines() {
    let one = "# T\n\n## S <!-- gate: deploy -->\n\n- [ ] A <!-- id: s.first -->\n- [ ] A\n";
    let error = import(one).unwrap_err();
    assert!(matches!(error, MarkdownError::DuplicateTitle { line: 6, first_line: 5, .. }), "{error:?}");
    let other = "# T\n\n## S <!-- gate: deploy -->\n\n- [ ] A\n- [ ] A <!-- id: s.second -->\n";
    assert!(matches!(import(other).unwrap_err(), MarkdownError::DuplicateTitle { line: 6, .. }));
    let both =
        "# T\n\n## S <!-- gate: deploy -->\n\n- [ ] A <!-- id: s.first -->\n- [ ] A <!-- id: s.second -->\n";
    let template = import(both).unwrap();
    assert_eq!(template.items().len(), 2);
}

#[test]
fn a_long_section_title_gives_a_prefix_cut_at_a_word() {
    let markdown = "# T\n\n## Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu <!-- gate: deploy -->\n\n- [ ] Ship it\n";
    let template = import(markdown).unwrap();
    assert_eq!(
        template.items()[0].id().as_str(),
        "alpha-beta-gamma-delta-epsilon-zeta-eta-theta-iota.ship-it"
    );
}

#[test]
fn a_bad_section_annotation_names_its_own_line() {
    let markdown = "# T\n\n## S\n\nSome words.\n\n<!-- gate: later -->\n\n- [ ] A\n";
    let error = import(markdown).unwrap_err();
    assert_eq!(error.line(), Some(7), "{error}");
    assert!(error.to_string().contains("later"), "{error}");
}

#[test]
fn a_map_gives_a_section_its_id_prefix() {
    let markdown = "# Mobile\n\n## Store\n\n- [ ] Review passed\n";
    let map =
        MarkdownImport::new().with_section("Store", Gate::Deploy).with_section_prefix("Store", "app-store");
    let template = Template::from_markdown(markdown, &map).unwrap();
    assert_eq!(template.items()[0].id().as_str(), "app-store.review-passed");
    // An annotation wins over the map.
    let annotated = markdown.replace("## Store", "## Store <!-- id: shop -->");
    assert_eq!(
        Template::from_markdown(&annotated, &map).unwrap().items()[0].id().as_str(),
        "shop.review-passed"
    );
}

#[test]
fn an_item_written_over_several_lines_is_one_title() {
    let markdown = "# T\n\n## S <!-- gate: deploy -->\n\n- [ ] Database backup\n  completed\n\n- [ ] Loose items\n\n  keep their second paragraph\n- [ ] Plain\n";
    let template = import(markdown).unwrap();
    let titles: Vec<&str> = template.items().iter().map(|item| item.title()).collect();
    assert_eq!(titles, ["Database backup completed", "Loose items keep their second paragraph", "Plain"]);
}

#[test]
fn only_the_settings_block_is_read_as_settings() {
    let markdown = "# T\n\n## S <!-- gate: deploy -->\n\n```sh\ncargo test\n```\n\n```json\n{\"criteria\": 5}\n```\n\n- [ ] A\n";
    let template = import(markdown).unwrap();
    assert!(template.criteria().is_empty());
}

#[test]
fn comments_in_one_html_block_each_count_on_their_own_line() {
    // Two annotations on one line of their own: both apply to the section.
    let markdown = "# T\n\n## S\n\n<!-- gate: verify --> <!-- id: shop -->\n\n- [ ] A\n";
    let template = import(markdown).unwrap();
    assert_eq!(template.items()[0].id().as_str(), "shop.a");
    assert_eq!(template.items()[0].gate(), Gate::Verify);
    // A comment spanning lines, then an annotation on its last line.
    let markdown = "# T\n\n## S\n\n<!--\nprose\n--> <!-- gate: later -->\n\n- [ ] A\n";
    let error = import(markdown).unwrap_err();
    assert_eq!(error.line(), Some(7), "{error}");
}

#[test]
fn an_annotation_on_its_own_line_inside_an_item_belongs_to_the_item() {
    let markdown = "# T\n\n## S <!-- gate: deploy -->\n\n- [ ] A\n\n  <!-- id: s.custom -->\n- [ ] B\n";
    let template = import(markdown).unwrap();
    let ids: Vec<&str> = template.items().iter().map(|item| item.id().as_str()).collect();
    assert_eq!(ids, ["s.custom", "s.b"]);
}

#[test]
fn code_in_an_item_is_not_part_of_its_title() {
    let markdown = "# T\n\n## S <!-- gate: deploy -->\n\n- [ ] Run the migration\n\n  ```sh\n  make migrate\n  ```\n- [ ] B\n";
    let template = import(markdown).unwrap();
    let titles: Vec<&str> = template.items().iter().map(|item| item.title()).collect();
    assert_eq!(titles, ["Run the migration", "B"]);
}

#[test]
fn the_diagram_counts_only_criteria_that_can_roll_back() {
    use release_workflow::health::{CriterionKind, RollbackCriterion, Severity};
    let flag =
        |id: &str, severity| RollbackCriterion::flag(id, "A flag", CriterionKind::ALL[0], severity).unwrap();
    let small = |criteria: Vec<RollbackCriterion>| {
        Template::builder("Small")
            .section("S")
            .item("s.done", "Done", Gate::Release)
            .criteria(criteria)
            .build()
            .unwrap()
            .mermaid()
    };
    let live = || flag("live", Severity::Critical);
    let dry = || flag("dry", Severity::Critical).with_dry_run(true);
    let warning = || flag("warning", Severity::Warning);
    let diagram = small(vec![live(), dry(), warning()]);
    assert!(
        diagram.contains("Deploying --> RolledBack : roll back on 1 critical criterion or a decision\n"),
        "{diagram}"
    );
    assert!(
        diagram.contains("Verifying --> Released : release gate, 1 item, healthy verdict\n"),
        "{diagram}"
    );
    let diagram = small(vec![live(), flag("second", Severity::Critical), dry()]);
    assert!(diagram.contains("roll back on any of 2 critical criteria or a decision\n"), "{diagram}");
    // Nothing that can trip: a decision only, and no verdict to wait for.
    let diagram = small(vec![dry()]);
    assert!(diagram.contains("Deploying --> RolledBack : roll back on a decision\n"), "{diagram}");
    assert!(diagram.contains("Verifying --> Released : release gate, 1 item\n"), "{diagram}");
}
