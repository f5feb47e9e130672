//! `DeploymentRecord::from_json` agrees with serde on every input.
#![cfg(feature = "store")]

mod common;

use common::{deployment_record as record, record_time as at};
use proptest::prelude::*;
use release_workflow::DeploymentRecord;

fn agree(text: &str) -> Result<(), TestCaseError> {
    let fast = DeploymentRecord::from_json(text);
    let serde = serde_json::from_str::<DeploymentRecord>(text);
    prop_assert_eq!(&DeploymentRecord::from_json_bytes(text.as_bytes()), &fast);
    prop_assert_eq!(fast.is_ok(), serde.is_ok(), "{}: {:?} vs {:?}", text, fast, serde);
    if let (Ok(fast), Ok(serde)) = (fast, serde) {
        prop_assert_eq!(fast, serde);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn written_records_read_back_the_same(record in record()) {
        let compact = serde_json::to_string(&record).unwrap();
        prop_assert_eq!(&DeploymentRecord::from_json(&compact).unwrap(), &record);
        agree(&compact)?;
        agree(&serde_json::to_string_pretty(&record).unwrap())?;
    }

    #[test]
    fn edited_records_are_read_as_serde_reads_them(
        record in record(),
        edit in 0usize..12,
        position in any::<usize>(),
        text in "[a-z\"\\\\:,{}\\[\\] 0-9TZ+.-]{0,12}",
    ) {
        let compact = serde_json::to_string(&record).unwrap();
        let edited = match edit {
            0 => compact.replacen("\"service\":\"", "\"service\":\"\\u0041", 1),
            1 => compact.replacen("Z\"", "+00:00\"", 1),
            2 => compact.replacen("Z\"", "+05:30\"", 1),
            3 => compact.replacen('{', "{\"extra\":1,", 1),
            4 => compact.replacen("\"commits\":", "\"commits\" : ", 1),
            5 => compact.replacen("}", ",\"remediation\":null}", 1),
            6 => compact.replacen(",\"commits\"", ",\"production_at\":null,\"commits\"", 1),
            7 => compact.replacen("\"release\"", "\"version\":\"9\",\"release\"", 1),
            8 => format!("  {compact}\r\n"),
            9 => compact.replacen('T', " ", 1),
            _ => {
                let cut = position % (compact.len() + 1);
                let cut = (0..=cut).rev().find(|i| compact.is_char_boundary(*i)).unwrap_or(0);
                format!("{}{}{}", &compact[..cut], text, &compact[cut..])
            }
        };
        agree(&edited)?;
    }

    #[test]
    fn arbitrary_text_is_read_as_serde_reads_it(text in any::<String>()) {
        agree(&text)?;
    }

    #[test]
    fn bytes_that_are_not_utf8_are_refused(record in record(), at in any::<usize>(), byte in 0x80u8..=0xff) {
        let mut bytes = serde_json::to_vec(&record).unwrap();
        let at = at % bytes.len();
        bytes[at] = byte;
        let fast = DeploymentRecord::from_json_bytes(&bytes);
        let serde = serde_json::from_slice::<DeploymentRecord>(&bytes);
        prop_assert_eq!(fast.is_ok(), serde.is_ok());
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
