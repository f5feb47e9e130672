//! The built-in OctoAcme checklist and custom templates.

use release_workflow::{
    Gate, Stage, Template,
    checklist::{Item, Requirement, TemplateError},
    text::TextError,
};

const SOURCE: &str = include_str!("fixtures/release-management-checklist.md");

/// (section, title, if-applicable) for every checkbox of the source document.
fn source_items() -> Vec<(String, String, bool)> {
    let mut section = String::new();
    let mut items = Vec::new();
    for line in SOURCE.lines() {
        if let Some(title) = line.strip_prefix("### ") {
            section = title.to_owned();
        } else if let Some(text) = line.strip_prefix("- [ ] ") {
            let (title, optional) =
                match text.strip_suffix(" (if applicable)").or(text.strip_suffix(" (if needed)")) {
                    Some(title) => (title, true),
                    None => (text, false),
                };
            items.push((section.clone(), title.to_owned(), optional));
        }
    }
    items
}

#[test]
fn octoacme_holds_every_item_of_the_source_word_for_word_in_order() {
    let template = Template::octoacme();
    let expected = source_items();
    assert_eq!(expected.len(), 66);
    assert_eq!(template.items().len(), 66);
    for (item, (section, title, optional)) in template.items().iter().zip(&expected) {
        assert_eq!(item.section(), section, "{}", item.id());
        assert_eq!(item.title(), title, "{}", item.id());
        let requirement = if *optional { Requirement::IfApplicable } else { Requirement::Required };
        assert_eq!(item.requirement(), requirement, "{}", item.id());
    }
    let mut sections: Vec<&str> = expected.iter().map(|(section, ..)| section.as_str()).collect();
    sections.dedup();
    assert_eq!(template.sections(), sections.as_slice());
}

#[test]
fn octoacme_gates_follow_the_design_table() {
    let template = Template::octoacme();
    let gate_of_section = |section: &str| match section {
        "Release Planning" => Gate::Freeze,
        "Code & Build Readiness"
        | "Testing & Quality Assurance"
        | "Documentation"
        | "Environment Preparation"
        | "Pre-Deployment" => Gate::Deploy,
        "Deployment Execution" => Gate::Verify,
        "Post-Deployment Verification" => Gate::Release,
        "Communication" | "Monitoring & Support" | "Documentation & Closure" => Gate::PostRelease,
        "Rollback Checklist" => Gate::Rollback,
        other => panic!("unexpected section {other}"),
    };
    for item in template.items() {
        let expected = match item.title() {
            "All planned features completed and merged" | "Code freeze initiated" => Gate::Freeze,
            _ => gate_of_section(item.section()),
        };
        assert_eq!(item.gate(), expected, "{}", item.id());
    }
    let counts: Vec<usize> =
        [Gate::Freeze, Gate::Deploy, Gate::Verify, Gate::Release, Gate::PostRelease, Gate::Rollback]
            .into_iter()
            .map(|gate| template.gate_items(gate).count())
            .collect();
    assert_eq!(counts, [8, 25, 5, 6, 14, 8]);
}

#[test]
fn octoacme_ids_are_unique_slugs_prefixed_by_their_section() {
    let template = Template::octoacme();
    let mut ids: Vec<&str> = template.items().iter().map(|item| item.id().as_str()).collect();
    assert!(template.item("planning.version-confirmed").is_some());
    for item in template.items() {
        let prefix = item.id().as_str().split('.').next().unwrap();
        let siblings =
            template.section_items(item.section()).filter(|other| !other.id().as_str().starts_with(prefix));
        assert_eq!(siblings.count(), 0, "section {} mixes id prefixes", item.section());
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 66);
}

#[test]
fn only_the_rollback_decision_is_settled_by_the_workflow() {
    let template = Template::octoacme();
    let automatic: Vec<(&str, Option<Stage>)> = template
        .items()
        .iter()
        .filter(|item| item.settled_on().is_some())
        .map(|item| (item.title(), item.settled_on()))
        .collect();
    assert_eq!(automatic, [("Rollback decision made and communicated", Some(Stage::RolledBack))]);
}

#[test]
fn a_custom_template_is_built_section_by_section() {
    let template = Template::builder("Mobile")
        .section("Plan")
        .item("plan.scope", "Scope agreed", Gate::Freeze)
        .section("Store")
        .item_if_applicable("store.screens", "Screenshots updated", Gate::Deploy)
        .item_settled_on_entering(
            "store.rolled-back",
            "Rollback announced",
            Gate::Rollback,
            Stage::RolledBack,
        )
        .build()
        .unwrap();
    assert_eq!(template.name(), "Mobile");
    assert_eq!(template.sections(), ["Plan", "Store"]);
    assert_eq!(template.item("store.screens").unwrap().requirement(), Requirement::IfApplicable);
    assert_eq!(template.item("store.screens").unwrap().section(), "Store");
    assert_eq!(template.position("store.rolled-back"), Some(2));
}

fn item_error_names(result: Result<Template, TemplateError>, id: &str) {
    match result {
        Err(TemplateError::InvalidItem { item, .. }) => assert_eq!(item, id),
        Err(TemplateError::Text(TextError::InvalidId { id: given, .. })) => assert_eq!(given, id),
        other => panic!("expected an error naming {id}, got {other:?}"),
    }
}

#[test]
fn builder_refuses_bad_items_naming_them() {
    let duplicate = Template::builder("T")
        .section("S")
        .item("s.a", "A", Gate::Freeze)
        .item("s.a", "Again", Gate::Freeze)
        .build();
    item_error_names(duplicate, "s.a");
    item_error_names(Template::builder("T").section("S").item("", "A", Gate::Freeze).build(), "");
    item_error_names(Template::builder("T").section("S").item("S.A", "A", Gate::Freeze).build(), "S.A");
    item_error_names(Template::builder("T").section("S").item("s..a", "A", Gate::Freeze).build(), "s..a");
    item_error_names(Template::builder("T").section("S").item("s.-a", "A", Gate::Freeze).build(), "s.-a");
    item_error_names(Template::builder("T").section("S").item("s.a b", "A", Gate::Freeze).build(), "s.a b");
    item_error_names(Template::builder("T").section("S").item("s.a", "", Gate::Freeze).build(), "s.a");
    item_error_names(
        Template::builder("T").section("S").item("s.a", "  padded ", Gate::Freeze).build(),
        "s.a",
    );
    item_error_names(
        Template::builder("T").section("S").item("s.a", "two\nlines", Gate::Freeze).build(),
        "s.a",
    );
    item_error_names(
        Template::builder("T").section("S").item("s.a", &"x".repeat(201), Gate::Freeze).build(),
        "s.a",
    );
    item_error_names(Template::builder("T").item("s.a", "A", Gate::Freeze).build(), "s.a");
    // A Freeze item cannot be settled by entering Frozen: it would block its own transition.
    item_error_names(
        Template::builder("T")
            .section("S")
            .item_settled_on_entering("s.a", "A", Gate::Freeze, Stage::Frozen)
            .build(),
        "s.a",
    );
}

#[test]
fn builder_reports_the_first_problem() {
    let result = Template::builder("T")
        .section("S")
        .item("s.first", "", Gate::Freeze)
        .item("s.second", "", Gate::Freeze)
        .build();
    item_error_names(result, "s.first");
}

#[test]
fn template_level_problems_are_refused() {
    let items = || vec![Item::new("s.a", "A", "S", Gate::Freeze).unwrap()];
    assert!(matches!(
        Template::new("", vec!["S".into()], items()),
        Err(TemplateError::InvalidTemplate { .. })
    ));
    assert!(matches!(
        Template::new("T", vec!["S".into()], vec![]),
        Err(TemplateError::InvalidTemplate { .. })
    ));
    assert!(matches!(
        Template::new("T", vec!["S".into(), "S".into()], items()),
        Err(TemplateError::InvalidTemplate { .. })
    ));
    let empty_section = Template::new("T", vec!["S".into(), "Empty".into()], items()).unwrap_err();
    assert!(empty_section.to_string().contains("\"Empty\""), "{empty_section}");
    let unknown = Template::new("T", vec!["Other".into()], items()).unwrap_err();
    assert!(matches!(&unknown, TemplateError::InvalidItem { item, .. } if item == "s.a"), "{unknown}");
    assert!(unknown.to_string().contains("\"S\""), "{unknown}");
}

#[test]
fn items_out_of_section_order_are_refused() {
    let items = vec![
        Item::new("b.one", "One", "B", Gate::Freeze).unwrap(),
        Item::new("a.one", "One", "A", Gate::Freeze).unwrap(),
    ];
    let error = Template::new("T", vec!["A".into(), "B".into()], items).unwrap_err();
    assert!(matches!(&error, TemplateError::InvalidItem { item, .. } if item == "a.one"), "{error}");
}

#[test]
fn templates_round_trip_through_json_and_toml() {
    let template = Template::octoacme();
    let json = serde_json::to_string(&template).unwrap();
    assert_eq!(serde_json::from_str::<Template>(&json).unwrap(), template);
    let toml_text = toml::to_string(&template).unwrap();
    assert_eq!(toml::from_str::<Template>(&toml_text).unwrap(), template);
}

#[test]
fn a_toml_template_written_by_hand_loads() {
    let text = r#"
        name = "Library release"
        sections = ["Prepare", "Publish"]

        [[items]]
        id = "prepare.changelog"
        title = "Changelog written"
        section = "Prepare"
        gate = "freeze"

        [[items]]
        id = "publish.docs"
        title = "Docs published"
        section = "Publish"
        gate = "post-release"
        requirement = "if-applicable"
    "#;
    let template: Template = toml::from_str(text).unwrap();
    assert_eq!(template.items().len(), 2);
    assert_eq!(template.item("publish.docs").unwrap().gate(), Gate::PostRelease);
    assert_eq!(template.item("prepare.changelog").unwrap().requirement(), Requirement::Required);
}

#[test]
fn deserializing_validates_and_names_the_item() {
    let cases = [
        (
            r#"{"name":"T","sections":["S"],"items":[{"id":"s.a","title":"A","section":"Nope","gate":"freeze"}]}"#,
            "s.a",
        ),
        (
            r#"{"name":"T","sections":["S"],"items":[{"id":"s.a","title":"A","section":"S","gate":"freeze"},
                {"id":"s.a","title":"B","section":"S","gate":"freeze"}]}"#,
            "s.a",
        ),
        (
            r#"{"name":"T","sections":["S"],"items":[{"id":"s.b","title":"","section":"S","gate":"freeze"}]}"#,
            "s.b",
        ),
        (
            r#"{"name":"T","sections":["S"],"items":[{"id":"S B","title":"B","section":"S","gate":"freeze"}]}"#,
            "S B",
        ),
    ];
    for (json, id) in cases {
        let error = serde_json::from_str::<Template>(json).unwrap_err().to_string();
        assert!(error.contains(id), "error for {id} does not name it: {error}");
    }
    let unknown_gate =
        r#"{"name":"T","sections":["S"],"items":[{"id":"s.a","title":"A","section":"S","gate":"ship"}]}"#;
    assert!(serde_json::from_str::<Template>(unknown_gate).is_err());
    let unknown_field = r#"{"name":"T","sections":["S"],"items":[{"id":"s.a","title":"A","section":"S","gate":"freeze","x":1}]}"#;
    assert!(serde_json::from_str::<Template>(unknown_field).is_err());
}

#[test]
fn a_template_displays_as_a_markdown_checklist() {
    let text = Template::octoacme().to_string();
    assert!(text.starts_with("# OctoAcme Release Management Checklist\n"));
    assert!(text.contains("\n## Rollback Checklist <!-- gate: rollback -->\n"));
    assert!(text.contains("- [ ] Database rollback executed (if applicable)"));
    assert_eq!(text.matches("- [ ] ").count(), 66);
}

#[test]
fn a_restoration_item_must_be_a_rollback_item_of_the_template() {
    let base = || {
        Template::builder("Small")
            .section("Ship")
            .item("ship.deployed", "Deployed", Gate::Verify)
            .section("Rollback")
            .item("rollback.redeployed", "Previous version redeployed", Gate::Rollback)
            .build()
            .unwrap()
    };
    let declared = base().with_restoration("rollback.redeployed").unwrap();
    assert_eq!(declared.restoration().unwrap().title(), "Previous version redeployed");
    assert_eq!(base().restoration(), None);
    assert_ne!(declared.fingerprint(), base().fingerprint());

    let error = base().with_restoration("rollback.redeploy").unwrap_err();
    assert_eq!(
        error.to_string(),
        "checklist item `rollback.redeploy` is named as the restoration item, but the template has no \
         such item: did you mean rollback.redeployed?"
    );
    let error = base().with_restoration("ship.deployed").unwrap_err();
    assert_eq!(
        error.to_string(),
        "checklist item `ship.deployed` is named as the restoration item but guards the verify gate: \
         only a rollback item marks service restored"
    );

    // Stored and read back; a stored template naming a missing item is refused.
    let json = serde_json::to_string(&declared).unwrap();
    assert!(json.ends_with(r#","restoration":"rollback.redeployed"}"#), "{json}");
    assert_eq!(serde_json::from_str::<Template>(&json).unwrap(), declared);
    let edited = json.replace(r#""restoration":"rollback.redeployed""#, r#""restoration":"ship.deployed""#);
    let error = serde_json::from_str::<Template>(&edited).unwrap_err();
    assert!(error.to_string().contains("only a rollback item marks service restored"), "{error}");

    // Pinned: another restoration item is another checklist.
    let differences = base().differences_from(&declared);
    assert_eq!(differences.len(), 1);
    assert_eq!(differences[0].to_string(), "restoration item none instead of `rollback.redeployed`");
    let other = Template::builder("Small")
        .section("Ship")
        .item("ship.deployed", "Deployed", Gate::Verify)
        .section("Rollback")
        .item("rollback.redeployed", "Previous version redeployed", Gate::Rollback)
        .restoration_item("rollback.failed-over", "Failed over")
        .build()
        .unwrap();
    assert!(
        other.differences_from(&declared).iter().any(|difference| difference.to_string()
            == "restoration item `rollback.failed-over` instead of `rollback.redeployed`"),
        "{:?}",
        other.differences_from(&declared)
    );
}

#[test]
fn octoacme_declares_its_restoration_item() {
    let octoacme = Template::octoacme();
    assert_eq!(octoacme.restoration().unwrap().id().as_str(), "rollback.previous-version-redeployed");
}
