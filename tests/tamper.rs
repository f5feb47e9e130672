//! Editing stored logs as an attacker would: every edit is refused through
//! every load path — serde ([`UnverifiedRelease::verify`]),
//! [`Release::replay`] and [`FileStore::load`] — naming the event or item,
//! except those the threat model says need an anchor or a key, which are
//! refused once one is given.
#![cfg(feature = "store")]

mod common;

use common::{TempDir, ada, at_stage, grace, load_json, rechain, t};
use release_workflow::release::FORMAT_VERSION;
use release_workflow::{
    Event, Release, ReleaseError, Stage, Template,
    digest::SealKey,
    incident::{Incident, IncidentSeverity},
    release::{ChainProblem, Integrity, Trust, UnverifiedRelease},
    store::{FileStore, ReleaseKey, ReleaseStore, StoreError},
};
use serde_json::{Value, json};

/// A released release with an incident opened and resolved, and a waived
/// post-release item: every kind of record an attacker would want to
/// change.
fn released() -> Release {
    let mut release = at_stage(Stage::Released);
    let incident = Incident::new("INC-7", IncidentSeverity::Sev2, "checkout 500s", t(30)).unwrap();
    release.open_incident(incident, &grace(), t(31)).unwrap();
    release.resolve_incident("INC-7", t(40), &grace(), t(41)).unwrap();
    release.complete("communication.release-notes-published", &ada(), t(42)).unwrap();
    release
}

fn key() -> SealKey {
    SealKey::new(b"a key of thirty-two bytes or more, from a vault".to_vec()).unwrap()
}

/// Where each path refused, or the release it loaded.
struct Loaded {
    serde: Result<Release, String>,
    replay: Result<Release, String>,
    file: Result<Release, String>,
}

/// Loads a stored document (`{"format", "events"}`) through every path:
/// as a serde document, as events replayed, and as a store's log file.
fn load_everywhere(document: &Value, trust: &Trust, dir: &TempDir) -> Loaded {
    let serde = load_json(&document.to_string(), trust);
    let events: Result<Vec<Event>, String> = document["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|stored| {
            let mut event = stored.clone();
            event.as_object_mut().unwrap().remove("digest");
            event.as_object_mut().unwrap().remove("seal");
            serde_json::from_value(event).map_err(|error| error.to_string())
        })
        .collect();
    let replay = events.and_then(|events| Release::replay(events, trust).map_err(|error| error.to_string()));
    let key = ReleaseKey::parse("checkout@2.4.0").unwrap();
    let store = FileStore::open(dir.path()).unwrap().with_trust(trust.clone());
    let mut log = format!("{{\"format\":{},\"release\":\"{key}\"}}\n", document["format"]);
    for event in document["events"].as_array().unwrap() {
        log.push_str(&event.to_string());
        log.push('\n');
    }
    std::fs::write(store.path_of(&key), log).unwrap();
    let file = store.load(&key).map(|stored| stored.release).map_err(|error| error.to_string());
    Loaded { serde, replay, file }
}

/// A one-item checklist of a team's own.
fn mobile_app() -> Template {
    Template::builder("Mobile app")
        .section("Store")
        .item("store.review-passed", "App store review passed", release_workflow::Gate::Freeze)
        .build()
        .unwrap()
}

/// Release `version` of checkout, planned with `template`.
fn planned_with(template: &Template, version: &str) -> Release {
    Release::builder()
        .service("checkout")
        .version(version)
        .previous_version("0.9.0")
        .target_date("2026-12-01".parse().unwrap())
        .release_manager(ada())
        .on_call(grace())
        .template(template.clone())
        .plan(t(0))
        .unwrap()
}

/// An edit of a stored document.
type Edit = fn(&mut Value);
type BoxedEdit = Box<dyn Fn(&mut Value)>;

fn stored(release: &Release) -> Value {
    serde_json::to_value(release).unwrap()
}

fn events(document: &mut Value) -> &mut Vec<Value> {
    document["events"].as_array_mut().unwrap()
}

// ----- the checklist carried in the log ---------------------------------

#[test]
fn an_edited_checklist_is_refused_on_every_path_naming_what_differs() {
    let dir = TempDir::new("tamper-checklist");
    let original = released();
    let edits: [(&str, Edit, &str); 4] = [
        (
            "a required item deleted",
            |template| {
                let items = template["items"].as_array_mut().unwrap();
                items.retain(|item| item["id"] != "planning.version-confirmed");
            },
            "item `planning.version-confirmed` removed",
        ),
        (
            "a required item made if-applicable",
            |template| template["items"][1]["requirement"] = json!("if-applicable"),
            "item `planning.type-identified`: requirement if-applicable instead of required",
        ),
        (
            "an item moved to a later gate",
            |template| template["items"][0]["gate"] = json!("post-release"),
            "item `planning.version-confirmed`: gate post-release instead of freeze",
        ),
        (
            "an item settled by the workflow on entering a stage",
            |template| template["items"][2]["settled_on_entering"] = json!("planned"),
            "item `planning.scope-documented`: settled-on-entering planned instead of no stage",
        ),
    ];
    for (attack, edit, difference) in edits {
        let mut document = stored(&original);
        edit(&mut events(&mut document)[0]["what"]["plan"]["template"]);
        rechain(&mut document);
        let loaded = load_everywhere(&document, &Trust::default(), &dir);
        for (path, result) in [("serde", loaded.serde), ("replay", loaded.replay), ("file", loaded.file)] {
            let error = result.err().unwrap_or_else(|| panic!("{attack} loaded through {path}"));
            assert!(
                error.contains("is not a trusted one") && error.contains(difference),
                "{attack}, {path}: {error}"
            );
            assert!(error.contains("against trusted \"OctoAcme Release Management Checklist\""), "{error}");
        }
    }
}

#[test]
fn an_untrusted_checklist_is_a_structured_error_and_trusting_it_is_the_callers_choice() {
    let custom = mobile_app();
    let release = planned_with(&custom, "2.4.0");
    let log: UnverifiedRelease = serde_json::from_value(stored(&release)).unwrap();
    match log.clone().verify(&Trust::default()) {
        Err(ReleaseError::UntrustedTemplate { template, fingerprint, closest, differences }) => {
            assert_eq!(template, "Mobile app");
            assert_eq!(fingerprint, custom.fingerprint());
            assert_eq!(closest.as_deref(), Some(release_workflow::checklist::OCTOACME_NAME));
            assert!(differences.len() > 60, "every OctoAcme item is missing: {differences:?}");
        }
        other => panic!("unexpected {other:?}"),
    }
    match log.clone().verify(&Trust::nothing()) {
        Err(error @ ReleaseError::UntrustedTemplate { closest: None, .. }) => {
            assert!(error.to_string().contains("no template is trusted"), "{error}");
            assert_eq!(error.next_actions(), [release_workflow::NextAction::TrustTemplate]);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(log.verify(&Trust::nothing().trusting(custom)).unwrap(), release);
}

#[test]
fn releases_of_one_trusted_template_share_it() {
    let load =
        |release: Release| load_json(&serde_json::to_string(&release).unwrap(), &Trust::default()).unwrap();
    let (a, b) = (load(at_stage(Stage::Frozen)), load(at_stage(Stage::Deploying)));
    assert!(std::ptr::eq(a.template(), b.template()), "each loaded release holds its own checklist");
    // A trust of its own shares its own copy among the releases it loads.
    let custom = mobile_app();
    let trust = Trust::nothing().trusting(custom.clone());
    let load = |release: Release| load_json(&serde_json::to_string(&release).unwrap(), &trust).unwrap();
    let (a, b) = (load(planned_with(&custom, "1.0.0")), load(planned_with(&custom, "1.1.0")));
    assert!(std::ptr::eq(a.template(), b.template()));
}

// ----- events edited in place --------------------------------------------

#[test]
fn an_event_edited_in_place_breaks_the_chain_at_that_event() {
    let dir = TempDir::new("tamper-events");
    let original = released();
    let completion = original
        .events()
        .iter()
        .position(|event| matches!(event.what, release_workflow::event::EventKind::ItemCompleted { .. }))
        .unwrap();
    let incident = original
        .events()
        .iter()
        .position(|event| matches!(event.what, release_workflow::event::EventKind::IncidentOpened { .. }))
        .unwrap();
    let edits: Vec<(&str, BoxedEdit, usize)> = vec![
        (
            "every event re-attributed",
            Box::new(|document| {
                for event in events(document) {
                    event["by"] = json!({"name": "Mallory", "role": "release-manager"});
                }
            }),
            0,
        ),
        (
            "every timestamp shifted",
            Box::new(|document| {
                for event in events(document) {
                    let at: chrono::DateTime<chrono::Utc> =
                        serde_json::from_value(event["at"].clone()).unwrap();
                    event["at"] = json!(at - chrono::TimeDelta::days(3));
                }
            }),
            0,
        ),
        (
            "a completion rewritten as a waiver",
            Box::new(move |document| {
                let what = &mut events(document)[completion]["what"];
                what["type"] = json!("item-waived");
                what["reason"] = json!("not needed");
            }),
            completion,
        ),
        (
            "an incident erased",
            Box::new(move |document| {
                events(document).remove(incident);
            }),
            incident,
        ),
    ];
    for (attack, edit, position) in edits {
        let mut document = stored(&original);
        edit(&mut document);
        let loaded = load_everywhere(&document, &Trust::default(), &dir);
        let expected = format!("event {} of the log was changed after it was written", position + 1);
        let serde = loaded.serde.err().unwrap_or_else(|| panic!("{attack} loaded through serde"));
        assert!(serde.contains(&expected), "{attack}: {serde}");
        let file = loaded.file.err().unwrap_or_else(|| panic!("{attack} loaded from the store"));
        assert!(file.contains(&format!("line {}: {expected}", position + 2)), "{attack}: {file}");
        // Replay has no chain (it is given events, not a stored log): the
        // rules decide, and the head no longer matches the original's.
        if let Ok(replayed) = loaded.replay {
            assert!(replayed.verify_anchor(&original.head()).is_err(), "{attack}");
        }
    }
}

#[test]
fn a_chain_recomputed_without_the_key_is_refused_by_the_key_or_the_anchor() {
    let dir = TempDir::new("tamper-rewrite");
    let original = released();
    let anchored = original.head();
    // Ada renamed Mallory everywhere, in the roster too: consistent with
    // every rule.
    let renamed = serde_json::to_string(&original.sealed(&key())).unwrap().replace("Ada Lovelace", "Mallory");
    let mut document: Value = serde_json::from_str(&renamed).unwrap();
    rechain(&mut document);
    // Without a key and without an anchor, a consistent rewrite loads: the
    // threat model says so.
    let unkeyed = load_everywhere(&document, &Trust::default(), &dir);
    let rewritten = unkeyed.serde.unwrap();
    assert_eq!(rewritten.events()[0].by.name(), "Mallory");
    // The anchored head finds it...
    match rewritten.verify_anchor(&anchored) {
        Err(ReleaseError::AnchorNotFound { anchored: named, head, events }) => {
            assert_eq!((named, head, events), (anchored, rewritten.head(), original.events().len()));
        }
        other => panic!("unexpected {other:?}"),
    }
    // ...and so does the key, at the first event, on every path that reads
    // a stored log.
    let keyed = load_everywhere(&document, &Trust::default().with_key(key()), &dir);
    for error in [keyed.serde.unwrap_err(), keyed.file.unwrap_err()] {
        assert!(error.contains("event 1 of the log is not sealed"), "{error}");
    }
    let mut forged_seals = serde_json::to_value(original.sealed(&key())).unwrap();
    for event in events(&mut forged_seals) {
        event["by"] = json!({"name": "Mallory", "role": "release-manager"});
    }
    let seals: Vec<Value> = events(&mut forged_seals).iter().map(|event| event["seal"].clone()).collect();
    rechain(&mut forged_seals);
    for (event, seal) in events(&mut forged_seals).iter_mut().zip(seals) {
        event["seal"] = seal;
    }
    let keyed = load_everywhere(&forged_seals, &Trust::default().with_key(key()), &dir);
    for error in [keyed.serde.unwrap_err(), keyed.file.unwrap_err()] {
        assert!(error.contains("event 1 of the log has a seal the key did not make"), "{error}");
    }
    // The original, sealed, loads with the key and is reported sealed.
    let sealed: UnverifiedRelease =
        serde_json::from_value(serde_json::to_value(original.sealed(&key())).unwrap()).unwrap();
    let trust = Trust::default().with_key(key());
    assert_eq!(sealed.integrity(&trust), Integrity::Sealed);
    assert_eq!(sealed.verify(&trust).unwrap(), original);
}

#[test]
fn a_truncated_log_loads_but_its_anchor_is_not_found() {
    let original = released();
    let mut document = stored(&original);
    events(&mut document).truncate(5);
    let truncated = load_json(&document.to_string(), &Trust::default()).unwrap();
    assert_eq!(truncated.events().len(), 5);
    assert!(matches!(truncated.verify_anchor(&original.head()), Err(ReleaseError::AnchorNotFound { .. })));
    // An anchor taken earlier is found in the longer log: it was continued.
    assert_eq!(original.verify_anchor(&truncated.head()).unwrap(), 4);
}

#[test]
fn a_sealed_log_never_holds_its_key() {
    let secret = b"a key of thirty-two bytes or more, from a vault";
    let text = serde_json::to_string(&released().sealed(&key())).unwrap();
    assert!(!text.contains(std::str::from_utf8(secret).unwrap()));
    assert!(!format!("{:?}", key()).contains("thirty-two"));
    let hex: String = secret.iter().map(|byte| format!("{byte:02x}")).collect();
    assert!(!text.contains(&hex));
}

#[test]
fn chain_problems_name_themselves() {
    let error = ReleaseError::BrokenChain { position: 3, problem: ChainProblem::MissingDigest };
    assert_eq!(
        error.to_string(),
        "event 4 of the log has no digest, which a chained log (format 3) gives every event: restore the log from a \
         copy you trust, or recover its longest valid prefix and redo what was lost"
    );
    assert_eq!(error.next_actions(), [release_workflow::NextAction::RestoreLog]);
}

// ----- a strict stored format --------------------------------------------

#[test]
fn repeated_and_unknown_fields_are_refused_at_every_level() {
    let dir = TempDir::new("tamper-fields");
    let release = released();
    let text = serde_json::to_string(&release).unwrap();
    let second_events = format!(r#"{},"events":[]}}"#, &text[..text.len() - 1]);
    // (attack, edited document, expected error, whether the edit is inside
    // an event, so that a store's log file carries it on a line)
    let cases: Vec<(&str, String, &str, bool)> = vec![
        ("two events arrays", second_events, "duplicate field `events`", false),
        (
            "two formats",
            text.replacen(r#""format":5"#, r#""format":5,"format":2"#, 1),
            "duplicate field `format`",
            false,
        ),
        (
            "an event with two times",
            text.replacen(r#"{"at":"#, r#"{"at":"2020-01-01T00:00:00Z","at":"#, 1),
            "duplicate field `at`",
            true,
        ),
        (
            "an event of two types",
            text.replacen(r#""type":"item-completed""#, r#""type":"item-completed","type":"item-waived""#, 1),
            "duplicate field `type`",
            true,
        ),
        (
            "an unknown top-level field",
            text.replacen(r#""format":5"#, r#""format":5,"stage":"released""#, 1),
            "unknown field `stage`",
            false,
        ),
        (
            "an unknown event field",
            text.replacen(r#"{"at":"#, r#"{"note":"x","at":"#, 1),
            "unknown field `note`",
            true,
        ),
        (
            "an unknown field in what",
            text.replacen(r#""type":"item-completed""#, r#""type":"item-completed","note":"x""#, 1),
            "unknown field `note`",
            true,
        ),
        (
            "an unknown field in by",
            text.replacen(r#""role":"release-manager""#, r#""role":"release-manager","admin":true"#, 1),
            "unknown field `admin`",
            true,
        ),
        (
            "an unknown field in a template item",
            text.replacen(r#""requirement":"required""#, r#""requirement":"required","hidden":true"#, 1),
            "unknown field `hidden`",
            true,
        ),
        (
            "an unknown field in an incident",
            text.replacen(r#""severity":"sev2""#, r#""severity":"sev2","muted":true"#, 1),
            "unknown field `muted`",
            true,
        ),
    ];
    let key = ReleaseKey::parse("checkout@2.4.0").unwrap();
    let store = FileStore::open(dir.path()).unwrap();
    for (attack, edited, expected, in_an_event) in cases {
        assert_ne!(edited, text, "{attack}: the edit did not apply");
        let error = serde_json::from_str::<UnverifiedRelease>(&edited).map(|_| ()).unwrap_err().to_string();
        assert!(error.contains(expected), "{attack}: {error}");
        if in_an_event {
            // The same edit in a store's log, where each event is a line.
            let start = edited.find(r#""events":["#).unwrap() + r#""events":["#.len();
            let mut log = format!("{{\"format\":3,\"release\":\"{key}\"}}\n");
            for line in split_top_level(&edited[start..edited.len() - 2]) {
                log.push_str(&line);
                log.push('\n');
            }
            std::fs::write(store.path_of(&key), log).unwrap();
            let error = store.load(&key).map(|_| ()).unwrap_err();
            assert!(matches!(error, StoreError::CorruptLog { .. }), "{attack}: {error}");
            assert!(error.to_string().contains(expected), "{attack}: {error}");
        }
    }
    let header_twice = "{\"format\":3,\"format\":3,\"release\":\"checkout@2.4.0\"}\n";
    std::fs::write(store.path_of(&key), header_twice).unwrap();
    let error = store.load(&key).map(|_| ()).unwrap_err().to_string();
    assert!(error.contains("duplicate field `format`"), "{error}");
}

/// The top-level objects of a JSON array's body, each as its text.
fn split_top_level(body: &str) -> Vec<String> {
    let mut objects = Vec::new();
    let (mut depth, mut start, mut in_string, mut escaped) = (0, 0, false, false);
    for (index, c) in body.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '{' | '[' if !in_string => {
                if depth == 0 {
                    start = index;
                }
                depth += 1;
            }
            '}' | ']' if !in_string => {
                depth -= 1;
                if depth == 0 {
                    objects.push(body[start..=index].to_owned());
                }
            }
            _ => {}
        }
    }
    objects
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Any one event edited in place — its time moved, its actor renamed or
    /// its role changed — is refused, naming that event, whatever the rules
    /// would say of the edit.
    #[test]
    fn any_event_edited_in_place_is_named(
        position in 0usize..58,
        edit in 0usize..3,
        seconds in 1i64..100_000,
    ) {
        let original = released();
        let mut document = stored(&original);
        let position = position % original.events().len();
        let event = &mut events(&mut document)[position];
        match edit {
            0 => {
                let at: chrono::DateTime<chrono::Utc> = serde_json::from_value(event["at"].clone()).unwrap();
                event["at"] = json!(at + chrono::TimeDelta::seconds(seconds));
            }
            1 => event["by"]["name"] = json!(format!("Mallory {seconds}")),
            _ => {
                let role = if event["by"]["role"] == "developer" { "release-manager" } else { "developer" };
                event["by"]["role"] = json!(role);
            }
        }
        let log: UnverifiedRelease = serde_json::from_value(document).unwrap();
        let refused = log.verify(&Trust::default()).map(|_| ()).unwrap_err();
        proptest::prop_assert_eq!(
            refused,
            ReleaseError::BrokenChain { position, problem: ChainProblem::DigestMismatch }
        );
    }
}

#[test]
fn a_digest_in_a_format_without_one_is_refused() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots/release-format-2.json");
    let old: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let digest = json!(release_workflow::digest::Digest::of(b"forged").to_string());
    for field in ["digest", "seal"] {
        let mut edited = old.clone();
        events(&mut edited)[2][field] = digest.clone();
        let error = serde_json::from_value::<UnverifiedRelease>(edited).map(|_| ()).unwrap_err().to_string();
        assert!(
            error.contains("event 3 of the log has a digest, which logs of formats 1 and 2 do not have"),
            "{field}: {error}"
        );
    }
}

#[test]
fn an_unverified_release_shows_what_was_read() {
    let release = released();
    let log: UnverifiedRelease = serde_json::from_value(stored(&release)).unwrap();
    assert_eq!(log.format(), release_workflow::release::FORMAT_VERSION);
    assert_eq!(log.events(), release.events());
    assert_eq!(log.integrity(&Trust::default()), Integrity::Chained);
}

#[test]
fn a_trust_lists_what_it_trusts_once() {
    let custom = mobile_app();
    let trust =
        Trust::default().trusting(custom.clone()).trusting(custom.clone()).trusting(Template::octoacme());
    let names: Vec<&str> = trust.templates().map(Template::name).collect();
    assert_eq!(names, [release_workflow::checklist::OCTOACME_NAME, "Mobile app"]);
    assert!(trust.trusts(&custom) && trust.trusts(&Template::octoacme()));
    assert!(!Trust::default().trusts(&custom) && !Trust::nothing().trusts(&Template::octoacme()));
    assert!(!trust.has_key() && trust.clone().with_key(key()).has_key());
}

#[test]
fn the_closest_trusted_checklist_is_the_one_of_the_same_name() {
    let ours = mobile_app();
    let trust = Trust::default().trusting(ours.clone());
    let grown = Template::builder("Mobile app")
        .section("Store")
        .item("store.review-passed", "App store review passed", release_workflow::Gate::Freeze)
        .item("store.screenshots", "Screenshots updated", release_workflow::Gate::Freeze)
        .build()
        .unwrap();
    let log: UnverifiedRelease = serde_json::from_value(stored(&planned_with(&grown, "1.0.0"))).unwrap();
    match log.verify(&trust) {
        Err(ReleaseError::UntrustedTemplate { closest, differences, .. }) => {
            assert_eq!(closest.as_deref(), Some("Mobile app"));
            assert_eq!(
                differences,
                [release_workflow::checklist::TemplateDifference::ItemAdded {
                    item: "store.screenshots".into()
                }]
            );
        }
        other => panic!("unexpected {:?}", other.map(|_| ())),
    }
}

#[test]
fn a_line_in_another_field_order_gets_one_verdict_from_the_store_and_as_a_document() {
    use sha2::{Digest as _, Sha256};
    let dir = TempDir::new("tamper-field-order");
    let release = released();
    let store = FileStore::open(dir.path()).unwrap();
    let key = store.create(&release).unwrap();
    let path = store.path_of(&key);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let digest_of = |line: &str| line.rsplit_once(",\"digest\":\"").unwrap().1.get(..64).unwrap().to_owned();
    let unhex = |hex: &str| {
        (0..32).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap()).collect::<Vec<u8>>()
    };
    // Event 3 (line 4) rewritten with `by` before `at`, and every link from
    // there on computed over the lines as they now read, as a tool that
    // hashes lines would.
    let (at, rest) = lines[3].strip_prefix("{\"at\":").unwrap().split_once(",\"by\":").unwrap();
    let (by, what) = rest.split_once(",\"what\":").unwrap();
    lines[3] = format!("{{\"by\":{by},\"at\":{at},\"what\":{what}");
    for index in 3..lines.len() {
        let previous = unhex(&digest_of(&lines[index - 1]));
        let body = lines[index].rsplit_once(",\"digest\":\"").unwrap().0.to_owned();
        let digest: String = Sha256::new()
            .chain_update(&previous)
            .chain_update(body.as_bytes())
            .chain_update(b"}")
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        lines[index] = format!("{body},\"digest\":\"{digest}\"}}");
    }
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let from_store = store.load(&key).map(|_| ()).unwrap_err().to_string();
    let document = format!("{{\"format\":{FORMAT_VERSION},\"events\":[{}]}}", lines[1..].join(","));
    let as_document = load_json(&document, &Trust::default()).map(|_| ()).unwrap_err();
    for error in [&from_store, &as_document] {
        assert!(error.contains("event 3 of the log was changed after it was written"), "{error}");
    }
}
