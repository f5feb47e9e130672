//! `DeploymentRecord::from_json` reads what the crate writes, and what other tools write.
#![cfg(feature = "store")]

mod common;

use common::{deployment_record as record, record_time as at};
use proptest::prelude::*;
use release_workflow::metrics::DeploymentRecord;

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn written_records_read_back_the_same(record in record()) {
        let compact = serde_json::to_string(&record).unwrap();
        prop_assert_eq!(&DeploymentRecord::from_json(&compact).unwrap(), &record);
        prop_assert_eq!(&DeploymentRecord::from_json_bytes(compact.as_bytes()).unwrap(), &record);
        let pretty = serde_json::to_string_pretty(&record).unwrap();
        prop_assert_eq!(&DeploymentRecord::from_json(&pretty).unwrap(), &record);
    }

    #[test]
    fn bytes_that_are_not_utf8_are_refused(record in record(), at in any::<usize>(), byte in 0x80u8..=0xff) {
        let mut bytes = serde_json::to_vec(&record).unwrap();
        let at = at % bytes.len();
        bytes[at] = byte;
        let error = DeploymentRecord::from_json_bytes(&bytes).unwrap_err();
        prop_assert!(error.to_string().starts_with("malformed JSON"), "{}", error);
    }
}

#[test]
fn records_written_by_other_tools_are_read() {
    let text = r#" { "service": "web", "release": "web@1.0.0", "version": "1.0.0",
        "started_at": "2026-11-30T15:00:00+01:00", "production_at": null,
        "rollback": {"decided_at": "2026-11-30T14:30:00Z", "restored_at": null},
        "incidents": [], "remediation": false } "#;
    let record = DeploymentRecord::from_json(text).unwrap();
    assert_eq!(record.started_at(), at(14 * 60 + 60 * 24 * 28));
    assert!(record.commits().is_empty());
    assert!(DeploymentRecord::from_json("").unwrap_err().to_string().starts_with("malformed JSON"));
}
