//! The example template files: the commented TOML and its JSON twin load to
//! the same template, and a release runs on it.

mod common;

use release_workflow::{Gate, Stage, Template, checklist::Requirement, release::Trust};

const TOML: &str = include_str!("../examples/templates/team.toml");
const JSON: &str = include_str!("../examples/templates/team.json");

fn team() -> Template {
    serde_json::from_str(JSON).unwrap()
}

#[test]
fn the_toml_file_and_its_json_twin_are_one_template() {
    let from_toml: Template = toml::from_str(TOML).unwrap();
    assert_eq!(from_toml, team());
    assert_eq!(from_toml.fingerprint(), team().fingerprint());
}

#[test]
fn the_team_file_says_everything_a_template_can() {
    let team = team();
    assert_eq!(team.name(), "Payments API");
    assert_eq!(team.sections(), ["Plan", "Ship", "After", "Rollback"]);
    assert_eq!(team.items().len(), 9);
    assert_eq!(team.item("ship.migration-rehearsed").unwrap().requirement(), Requirement::IfApplicable);
    assert_eq!(team.item("rollback.decided").unwrap().settled_on(), Some(Stage::RolledBack));
    assert_eq!(team.restoration().unwrap().id().as_str(), "rollback.traffic-restored");
    assert_eq!(team.criteria().len(), 3);
    let policy = team.policy().unwrap();
    assert_eq!(policy.approvals_for(Gate::Deploy).unwrap().count(), 1);
    assert_eq!(policy.windows().len(), 1);
    assert!(policy.standard_changes().is_some_and(|rule| rule.max_changes() == Some(3)));
    let emergency = policy.emergency_changes().unwrap();
    assert!(emergency.skips_windows() && emergency.defers_approvals_of(Gate::Deploy));
    // It imports from its own Markdown too.
    let markdown = team.to_markdown();
    assert_eq!(
        Template::from_markdown(&markdown, &release_workflow::checklist::MarkdownImport::new()).unwrap(),
        team
    );
}

#[test]
fn a_release_runs_on_the_team_template() {
    let mut release =
        common::team_builder().template(team()).member(common::linus()).plan(common::t(0)).unwrap();
    release.complete("plan.scope-agreed", &common::ada(), common::t(1)).unwrap();
    release.advance_to(Stage::Frozen, &common::ada(), common::t(2)).unwrap();
    let error = release.check_advance(Stage::Deploying).unwrap_err();
    assert!(error.to_string().contains("ship.tests-passing"), "{error}");
    assert!(error.to_string().contains("1 more approval from change-approver"), "{error}");
    let json = serde_json::to_string(&release).unwrap();
    assert_eq!(common::load_json(&json, &Trust::default().trusting(team())).unwrap(), release);
}

#[test]
fn a_misspelt_field_is_refused_naming_it() {
    let misspelt = TOML.replace("settled_on_entering =", "settled_on_enter =");
    let error = toml::from_str::<Template>(&misspelt).unwrap_err();
    assert!(error.to_string().contains("settled_on_enter"), "{error}");
}

#[cfg(feature = "toml")]
#[test]
fn the_toml_feature_reads_and_writes_template_files() {
    let read = Template::from_toml(TOML).unwrap();
    assert_eq!(read, team());
    let written = read.to_toml().unwrap();
    assert_eq!(Template::from_toml(&written).unwrap(), read);
    assert_eq!(Template::from_toml(&Template::octoacme().to_toml().unwrap()).unwrap(), Template::octoacme());
    let error = Template::from_toml(&TOML.replace("gate = \"deploy\"\n", "gate = \"deply\"\n")).unwrap_err();
    assert!(
        matches!(error, release_workflow::checklist::TemplateError::Unreadable { format: "TOML", .. }),
        "{error:?}"
    );
    assert!(error.to_string().starts_with("the TOML template cannot be read: "), "{error}");
    assert!(error.to_string().contains("deply"), "{error}");
}
