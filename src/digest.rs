//! SHA-256 digests and the key that seals a log.
//!
//! Two things in this crate are identified by a digest: a checklist
//! [`Template`](crate::Template), by its fingerprint, and a release's log, by
//! the digest of its last event (its *head*), which binds every event before
//! it. Both are SHA-256 (RustCrypto's `sha2`); a sealed log also carries an
//! HMAC-SHA-256 (`hmac`) of each link, made with a [`SealKey`] the caller
//! holds.

use std::fmt;
use std::str::FromStr;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// A SHA-256 digest, written as 64 lowercase hexadecimal digits.
///
/// ```
/// use release_workflow::digest::Digest;
///
/// let digest = Digest::of(b"abc");
/// assert_eq!(
///     digest.to_string(),
///     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// );
/// assert_eq!(digest.to_string().parse::<Digest>()?, digest);
/// assert!("ba78".parse::<Digest>().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digest([u8; 32]);

impl Serialize for Digest {
    /// Written in place, without allocating: every event of a log is
    /// encoded again, digest and all, when its link is checked.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let digits = self.hex();
        serializer.serialize_str(std::str::from_utf8(&digits).map_err(serde::ser::Error::custom)?)
    }
}

impl<'de> Deserialize<'de> for Digest {
    /// Reads the text in place, without allocating: a log has one digest
    /// per event.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Digest, D::Error> {
        struct DigestVisitor;

        impl serde::de::Visitor<'_> for DigestVisitor {
            type Value = Digest;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a SHA-256 digest: 64 hexadecimal digits")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Digest, E> {
                text.parse().map_err(E::custom)
            }
        }

        deserializer.deserialize_str(DigestVisitor)
    }
}

impl Digest {
    /// The SHA-256 digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Digest {
        Digest(Sha256::digest(bytes).into())
    }

    /// The 64 lowercase hexadecimal digits of the digest.
    #[allow(clippy::indexing_slicing, reason = "a nibble indexes a table of 16")]
    fn hex(&self) -> [u8; 64] {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut digits = [0u8; 64];
        for (pair, byte) in digits.chunks_exact_mut(2).zip(self.0) {
            if let [high, low] = pair {
                (*high, *low) = (DIGITS[usize::from(byte >> 4)], DIGITS[usize::from(byte & 0x0f)]);
            }
        }
        digits
    }

    /// The digest's 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The digest of `previous`'s bytes followed by `bytes`: one link of a
    /// chain.
    #[cfg(any(feature = "store", test))]
    pub(crate) fn link(previous: Option<&Digest>, bytes: &[u8]) -> Digest {
        Digest::link_parts(previous, &[bytes])
    }

    /// A link whose bytes are written to it (`std::io::Write`), then
    /// [`finished`](Linker::finish): an event is serialized straight into
    /// the hash, without a buffer.
    pub(crate) fn linker(previous: Option<&Digest>) -> Linker {
        let mut hasher = Sha256::new();
        if let Some(previous) = previous {
            hasher.update(previous.0);
        }
        Linker(hasher)
    }

    /// As [`link`](Digest::link), for bytes given in parts.
    #[cfg(any(feature = "store", test))]
    pub(crate) fn link_parts(previous: Option<&Digest>, parts: &[&[u8]]) -> Digest {
        let mut hasher = Sha256::new();
        if let Some(previous) = previous {
            hasher.update(previous.0);
        }
        for part in parts {
            hasher.update(part);
        }
        Digest(hasher.finalize().into())
    }
}

/// A link being written: see [`Digest::linker`].
pub(crate) struct Linker(Sha256);

impl Linker {
    /// The link of everything written.
    pub(crate) fn finish(self) -> Digest {
        Digest(self.0.finalize().into())
    }
}

impl std::io::Write for Linker {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.hex();
        f.write_str(std::str::from_utf8(&digits).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({self})")
    }
}

/// Text that is not a digest: 64 hexadecimal digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[error("\"{text}\" is not a SHA-256 digest: expected 64 hexadecimal digits")]
pub struct DigestError {
    /// The text, shortened.
    pub text: String,
}

/// Marks a byte that is not a hexadecimal digit in [`HEX_VALUE`].
const NOT_HEX: u8 = 0x80;

/// The value of each hexadecimal digit, [`NOT_HEX`] for any other byte: a
/// table, because every event of every loaded log has a digest to read
/// (the `read a stored log` bench in `benches/integrity.rs` measures it).
#[allow(clippy::indexing_slicing, reason = "evaluated when building: an index out of bounds fails the build")]
static HEX_VALUE: [u8; 256] = {
    let mut table = [NOT_HEX; 256];
    let mut digit = 0;
    while digit < 10 {
        table[b'0' as usize + digit] = digit as u8;
        digit += 1;
    }
    let mut letter = 0;
    while letter < 6 {
        table[b'a' as usize + letter] = 10 + letter as u8;
        table[b'A' as usize + letter] = 10 + letter as u8;
        letter += 1;
    }
    table
};

impl FromStr for Digest {
    type Err = DigestError;

    fn from_str(text: &str) -> Result<Digest, DigestError> {
        let invalid = || DigestError { text: crate::text::shorten(text) };
        let digits = text.as_bytes();
        if digits.len() != 64 {
            return Err(invalid());
        }
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
            let (&[high, low], _) = pair.split_at(2) else { return Err(invalid()) };
            #[allow(clippy::indexing_slicing, reason = "a byte indexes a table of 256")]
            let (high, low) = (HEX_VALUE[usize::from(high)], HEX_VALUE[usize::from(low)]);
            if (high | low) & NOT_HEX != 0 {
                return Err(invalid());
            }
            *byte = high << 4 | low;
        }
        Ok(Digest(bytes))
    }
}

impl From<Digest> for String {
    fn from(digest: Digest) -> String {
        digest.to_string()
    }
}

/// The secret that seals a release log: each link of its chain carries an
/// HMAC-SHA-256 made with this key, so someone who can write the log but
/// does not hold the key cannot forge an event.
///
/// The key is the caller's: it is never written to a log, never printed
/// (its `Debug` shows nothing of it), and not serializable.
///
/// ```
/// use release_workflow::digest::SealKey;
///
/// let key = SealKey::new(b"a secret of at least 32 bytes, from a vault".to_vec())?;
/// assert_eq!(format!("{key:?}"), "SealKey(..)");
/// assert!(SealKey::new(b"short".to_vec()).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct SealKey {
    /// HMAC keyed once: sealing a link clones this state.
    keyed: Hmac<Sha256>,
}

/// The fewest bytes a [`SealKey`] may have: SHA-256's output size, as
/// RFC 2104 recommends for HMAC keys.
pub const MIN_SEAL_KEY_BYTES: usize = 32;

/// A key too short to seal a log.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[error(
    "a seal key needs at least {MIN_SEAL_KEY_BYTES} bytes, this one has {bytes}: \
     take 32 random bytes from a secret store"
)]
pub struct SealKeyError {
    /// How many bytes the key had.
    pub bytes: usize,
}

impl SealKey {
    /// A key from its bytes, at least [`MIN_SEAL_KEY_BYTES`] of them.
    ///
    /// # Errors
    ///
    /// [`SealKeyError`] for a shorter key.
    pub fn new(bytes: Vec<u8>) -> Result<SealKey, SealKeyError> {
        let too_short = SealKeyError { bytes: bytes.len() };
        if bytes.len() < MIN_SEAL_KEY_BYTES {
            return Err(too_short);
        }
        // HMAC takes keys of every length; the error is kept only because
        // the API returns one.
        let keyed = Hmac::<Sha256>::new_from_slice(&bytes).map_err(|_| too_short)?;
        Ok(SealKey { keyed })
    }

    /// The HMAC-SHA-256 of `link` under this key.
    pub(crate) fn seal(&self, link: &Digest) -> Digest {
        Digest(self.mac(&link.0).finalize().into_bytes().into())
    }

    /// Whether `seal` is the HMAC of `link` under this key, compared in
    /// constant time.
    pub(crate) fn verifies(&self, link: &Digest, seal: &Digest) -> bool {
        self.mac(&link.0).verify_slice(&seal.0).is_ok()
    }

    fn mac(&self, message: &[u8]) -> Hmac<Sha256> {
        let mut mac = self.keyed.clone();
        mac.update(message);
        mac
    }
}

impl fmt::Debug for SealKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealKey(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_binds_its_predecessor() {
        let first = Digest::link(None, b"one");
        assert_eq!(first, Digest::of(b"one"));
        let second = Digest::link(Some(&first), b"two");
        let mut joined = first.as_bytes().to_vec();
        joined.extend_from_slice(b"two");
        assert_eq!(second, Digest::of(&joined));
        assert_ne!(Digest::link(Some(&Digest::of(b"other")), b"two"), second);
    }

    #[test]
    fn seals_depend_on_the_key_and_the_link() {
        let key = SealKey::new(vec![7; 32]).unwrap();
        let other = SealKey::new(vec![8; 32]).unwrap();
        let link = Digest::of(b"event");
        let seal = key.seal(&link);
        assert!(key.verifies(&link, &seal));
        assert!(!other.verifies(&link, &seal));
        assert!(!key.verifies(&Digest::of(b"another event"), &seal));
        assert_ne!(seal, link);
    }

    #[test]
    fn hmac_agrees_with_rfc_4231_test_case_6() {
        let key = SealKey::new(vec![0xaa; 131]).unwrap();
        let mac = key.mac(b"Test Using Larger Than Block-Size Key - Hash Key First");
        let expected: Digest =
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54".parse().unwrap();
        assert_eq!(mac.finalize().into_bytes().as_slice(), expected.as_bytes());
    }

    #[test]
    fn digests_read_from_text_and_refuse_anything_else() {
        let digest = Digest::of(b"x");
        let json = serde_json::to_string(&digest).unwrap();
        assert_eq!(json, format!("\"{digest}\""));
        assert_eq!(serde_json::from_str::<Digest>(&json).unwrap(), digest);
        let error = serde_json::from_str::<Digest>("42").unwrap_err().to_string();
        assert!(error.contains("a SHA-256 digest: 64 hexadecimal digits"), "{error}");
        let error = serde_json::from_str::<Digest>("\"abc\"").unwrap_err().to_string();
        assert!(error.contains("is not a SHA-256 digest"), "{error}");
        assert_eq!(format!("{digest:?}"), format!("Digest({digest})"));
    }

    #[test]
    fn digests_parse_only_64_hex_digits() {
        assert!("g".repeat(64).parse::<Digest>().is_err());
        assert!("é".repeat(32).parse::<Digest>().is_err());
        let digest = Digest::of(b"x");
        assert_eq!(digest.to_string().to_uppercase().parse::<Digest>().unwrap(), digest);
        // Every ASCII character in the last place: only a hex digit reads,
        // as its value.
        for byte in 0..=127u8 {
            let text = format!("{}{}", "0".repeat(63), char::from(byte));
            let value = char::from(byte).to_digit(16).and_then(|value| u8::try_from(value).ok());
            let expected = value.map(|value| {
                let mut bytes = [0; 32];
                bytes[31] = value;
                Digest(bytes)
            });
            assert_eq!(text.parse::<Digest>().ok(), expected, "{text:?}");
        }
    }

    #[test]
    fn every_byte_is_written_as_two_lowercase_digits() {
        let low = Digest(std::array::from_fn(|index| index as u8));
        let high = Digest(std::array::from_fn(|index| 0xe0 + index as u8));
        assert_eq!(low.to_string(), "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        assert_eq!(high.to_string(), "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
        for digest in [low, high] {
            assert_eq!(serde_json::to_string(&digest).unwrap(), format!("\"{digest}\""));
            assert_eq!(digest.to_string().parse::<Digest>().unwrap(), digest);
        }
    }
}
