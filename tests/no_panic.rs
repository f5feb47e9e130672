//! No input panics a deserializer: arbitrary and mutated JSON (and TOML)
//! into every data type a tool loads, and mutated log files into the file
//! store. Each answer is `Ok` or an error with a message.

mod common;

use common::{at_stage, record_healthy_signals, t};
use proptest::prelude::*;
use release_workflow::{
    Actor, Event, Release, Stage, Template,
    health::{Observation, RollbackCriterion},
    incident::Incident,
    metrics::DeploymentRecord,
    plan::ReleasePlan,
    release::{Trust, UnverifiedRelease},
};
use serde::de::DeserializeOwned;

/// Valid documents of every type, to mutate.
fn samples() -> Vec<(&'static str, String)> {
    let mut release = at_stage(Stage::Verifying);
    record_healthy_signals(&mut release, t(30));
    release.observe("error_rate", 0.5, "p", &common::ada(), t(31)).unwrap();
    release.observe("error_rate", 0.6, "p", &common::ada(), t(32)).unwrap();
    release.roll_back_on_criteria(&common::ada(), t(33)).unwrap();
    let incident =
        Incident::new("INC-1", release_workflow::incident::IncidentSeverity::Sev2, "down", t(34)).unwrap();
    release.open_incident(incident, &common::ada(), t(35)).unwrap();
    let record = DeploymentRecord::from_release(&release).unwrap();
    vec![
        ("template", serde_json::to_string(&Template::octoacme()).unwrap()),
        ("criterion", serde_json::to_string(&Template::octoacme().criteria()[2]).unwrap()),
        ("release", serde_json::to_string(&release).unwrap()),
        ("event", serde_json::to_string(release.events().last().unwrap()).unwrap()),
        ("events", serde_json::to_string(&release.events()[..5]).unwrap()),
        ("plan", serde_json::to_string(release.plan()).unwrap()),
        ("record", serde_json::to_string(&record).unwrap()),
        ("observation", serde_json::to_string(&release.observations()[0]).unwrap()),
        ("incident", serde_json::to_string(&release.incidents()[0]).unwrap()),
        ("actor", serde_json::to_string(&common::ada()).unwrap()),
    ]
}

fn load<T: DeserializeOwned>(text: &str) {
    if let Err(error) = serde_json::from_str::<T>(text) {
        assert!(!error.to_string().is_empty());
    }
}

/// Feeds `text` to every deserialization path.
fn load_everything(text: &str) {
    load::<Template>(text);
    load::<RollbackCriterion>(text);
    if let Ok(log) = serde_json::from_str::<UnverifiedRelease>(text) {
        let _ = log.verify(&Trust::default());
    }
    load::<Event>(text);
    load::<Vec<Event>>(text);
    load::<ReleasePlan>(text);
    load::<DeploymentRecord>(text);
    load::<Observation>(text);
    load::<Incident>(text);
    load::<Actor>(text);
    let _ = toml::from_str::<Template>(text);
    if let Ok(events) = serde_json::from_str::<Vec<Event>>(text) {
        let _ = Release::replay(events, &Trust::default());
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Truncate(usize),
    Delete(usize, usize),
    Insert(usize, String),
    Duplicate(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let token = prop_oneof![
        Just("\"".to_owned()),
        Just("{".to_owned()),
        Just("]".to_owned()),
        Just(",".to_owned()),
        Just("null".to_owned()),
        Just("-1".to_owned()),
        Just("1e999".to_owned()),
        Just("\"\\u0000\"".to_owned()),
        Just("\"2026-02-30T00:00:00Z\"".to_owned()),
        Just("99999999999999999999".to_owned()),
        any::<String>(),
    ];
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Flip(at, byte)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Mutation::Delete(at, len)),
        (any::<usize>(), token).prop_map(|(at, text)| Mutation::Insert(at, text)),
        (any::<usize>(), 1usize..60).prop_map(|(at, len)| Mutation::Duplicate(at, len)),
    ]
}

fn mutate(text: &str, mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for mutation in mutations {
        let len = bytes.len().max(1);
        match mutation {
            Mutation::Flip(at, byte) => {
                if let Some(slot) = bytes.get_mut(at % len) {
                    *slot ^= byte | 1;
                }
            }
            Mutation::Truncate(at) => bytes.truncate(at % len),
            Mutation::Delete(at, count) => {
                let start = at % len;
                let end = (start + count).min(bytes.len());
                if start < end {
                    bytes.drain(start..end);
                }
            }
            Mutation::Insert(at, text) => {
                let at = (at % len).min(bytes.len());
                bytes.splice(at..at, text.bytes());
            }
            Mutation::Duplicate(at, count) => {
                let start = (at % len).min(bytes.len());
                let end = (start + count).min(bytes.len());
                let copy = bytes[start..end].to_vec();
                bytes.splice(end..end, copy);
            }
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        load_everything(&text);
    }

    #[test]
    fn arbitrary_json_values_never_panic(text in r#"[\[\]{}":,0-9a-z_ .\-+]{0,200}"#) {
        load_everything(&text);
    }

    #[test]
    fn mutated_documents_never_panic(
        sample in 0usize..10,
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let samples = samples();
        let (_, text) = &samples[sample % samples.len()];
        let mutated = mutate(text, &mutations);
        load_everything(&String::from_utf8_lossy(&mutated));
    }
}

#[cfg(feature = "store")]
mod store {
    use super::*;
    use release_workflow::store::{FileStore, ReleaseStore};

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        #[test]
        fn mutated_log_files_never_panic_the_file_store(mutations in prop::collection::vec(mutation(), 1..4)) {
            let dir = std::env::temp_dir().join(format!("release-workflow-fuzz-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let store = FileStore::open(&dir).unwrap();
            let release = at_stage(Stage::Frozen);
            let key = release_workflow::store::ReleaseKey::of(&release);
            let path = store.path_of(&key);
            let _ = std::fs::remove_file(&path);
            store.create(&release).unwrap();
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, mutate(&text, &mutations)).unwrap();
            match store.load(&key) {
                Ok(loaded) => prop_assert!(loaded.release.events().len() <= release.events().len() + 1),
                Err(error) => prop_assert!(!error.to_string().is_empty()),
            }
            let _ = store.save(&release, release.events().len());
            let _ = std::fs::remove_file(&path);
        }
    }
}
