//! Checklists in Markdown: import a team's task list, export a release's
//! checklist for a GitHub issue and read the boxes ticked in it back, and
//! draw the workflow.
//!
//! ```sh
//! cargo run --example checklist -- import FILE.md            # annotations say the gates
//! cargo run --example checklist -- import FILE.md --octoacme # the OctoAcme source document
//! cargo run --example checklist -- import FILE.md --map MAP.json
//! cargo run --example checklist -- export                    # a sample release as Markdown
//! cargo run --example checklist -- mermaid [FILE.md]         # the workflow as a diagram
//! ```

use std::process::ExitCode;

use chrono::{DateTime, TimeDelta, Utc};
use release_workflow::{
    Actor, Gate, Release, Role, Stage, Template,
    checklist::{MarkdownImport, Requirement},
};

const USAGE: &str =
    "usage: checklist import FILE.md [--octoacme | --map MAP.json] | export | mermaid [FILE.md]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["import", file, rest @ ..] => map_from(rest).and_then(|map| import(file, &map)),
        ["export"] => export(),
        ["mermaid"] => {
            print!("{}", Template::octoacme().mermaid());
            Ok(())
        }
        ["mermaid", file, rest @ ..] => {
            map_from(rest).and_then(|map| read(file, &map)).map(|template| print!("{}", template.mermaid()))
        }
        _ => Err(USAGE.into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn map_from(options: &[&str]) -> Result<MarkdownImport, Box<dyn std::error::Error>> {
    match options {
        [] => Ok(MarkdownImport::new()),
        ["--octoacme"] => Ok(MarkdownImport::octoacme()),
        ["--map", file] => Ok(serde_json::from_str(&std::fs::read_to_string(file)?)?),
        _ => Err(USAGE.into()),
    }
}

fn read(file: &str, map: &MarkdownImport) -> Result<Template, Box<dyn std::error::Error>> {
    let markdown = std::fs::read_to_string(file).map_err(|error| format!("{file}: {error}"))?;
    Template::from_markdown(&markdown, map).map_err(|error| format!("{file}: {error}").into())
}

/// The template's sections and items, gate by gate.
fn import(file: &str, map: &MarkdownImport) -> Result<(), Box<dyn std::error::Error>> {
    let template = read(file, map)?;
    let if_applicable =
        template.items().iter().filter(|item| item.requirement() == Requirement::IfApplicable);
    println!(
        "{}: {} items in {} sections, {} if applicable; {} rollback criteria; {}",
        template.name(),
        template.items().len(),
        template.sections().len(),
        if_applicable.count(),
        template.criteria().len(),
        if template.policy().is_some() { "governed by a policy" } else { "no policy" },
    );
    println!("fingerprint {}", template.fingerprint());
    if template == Template::octoacme() {
        println!("equal to Template::octoacme(), item for item");
    }
    for gate in [Gate::Freeze, Gate::Deploy, Gate::Verify, Gate::Release, Gate::PostRelease, Gate::Rollback] {
        let items: Vec<_> = template.gate_items(gate).collect();
        if items.is_empty() {
            continue;
        }
        println!("\n{gate} gate ({} items)", items.len());
        let mut section = "";
        for item in items {
            if item.section() != section {
                section = item.section();
                println!("  {section}");
            }
            let marker =
                if item.requirement() == Requirement::IfApplicable { " (if applicable)" } else { "" };
            println!("    {:<45} {}{marker}", item.id().as_str(), item.title());
        }
    }
    Ok(())
}

/// A sample release part-way, as Markdown for an issue; then the boxes a
/// person ticks in it, read back as events.
fn export() -> Result<(), Box<dyn std::error::Error>> {
    let ada = Actor::new("ada", "Ada Lovelace", Role::RELEASE_MANAGER)?;
    let grace = Actor::new("grace", "Grace Hopper", Role::ON_CALL_ENGINEER)?;
    let ken = Actor::new("ken", "Ken Thompson", Role::CHANGE_APPROVER)?;
    let monday: DateTime<Utc> = "2026-11-30T09:00:00Z".parse()?;
    let at = |minutes: i64| monday + TimeDelta::minutes(minutes);
    let mut release = Release::builder()
        .service("checkout")
        .version("2.4.0")
        .previous_version("2.3.7")
        .target_date("2026-12-01".parse()?)
        .release_manager(ada.clone())
        .on_call(grace)
        .member(ken)
        .change("PR-1423 faster checkout", "2026-11-27T14:05:00Z".parse()?)
        .plan(at(0))?;
    for item in release.open_items(Gate::Freeze).map(|item| item.id().to_string()).collect::<Vec<_>>() {
        if item == "build.code-freeze" {
            release.mark_not_applicable(&item, "trunk-based: no freeze branch", &ada, at(10))?;
        } else {
            release.complete(&item, &ada, at(10))?;
        }
    }
    release.advance_to(Stage::Frozen, &ada, at(15))?;
    release.complete("build.pipelines-passing", &ada, at(20))?;
    release.waive("docs.known-issues-documented", "no known issues in this release", &ada, at(25))?;
    let markdown = release.to_markdown();
    print!("{markdown}");

    // Someone ticks two boxes in the issue; the tool reads them back.
    let edited = markdown
        .replace("- [ ] Unit tests passing", "- [x] Unit tests passing")
        .replace("- [ ] Integration tests passing", "- [x] Integration tests passing");
    let events = release.apply_markdown(&edited, &ada, at(40))?;
    eprintln!("\nread back from the edited issue: {} events", events.len());
    for event in &events {
        eprintln!("  {event}");
    }
    Ok(())
}
