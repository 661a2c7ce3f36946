//! Signed links: the QR code printed on a business licence or a permit carries
//! `{public_base_url}/public/licences/{kind}/{id}?k={key id}&s={signature}`, and the public
//! page answers only when the signature checks. The signature is HMAC-SHA256 over a domain
//! tag, the kind and the identifier, truncated to 128 bits and written as unpadded
//! base64url (22 characters); the key id says which link key made it.
//!
//! # Link keys
//!
//! A link key is derived from the key file's index key and the link key's id
//! ([`LinkKey::derive`]: HMAC-SHA256 keyed with the index key over a tag of its own), so it
//! needs no entry in the key file, is there as soon as the key file is, and never leaves
//! the process: the database only lists which ids exist and which are retired. Rotation
//! adds the next id (`l2`, `l3`, …) and signs new links with it; links signed with an older
//! id keep verifying until that id is retired, because printed licences live for years.
//! Data-key rotation and retirement do not touch link keys. Replacing the index key
//! (`keys rotate --index-key`, only after a compromise, which exposes the link keys as
//! well) changes every link key: printed codes must then be re-issued.
//!
//! Verification compares in constant time ([`hmac::Mac::verify_truncated_left`]).

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac as _};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::{BlindIndex, KeyId, SecretKey, KEY_LEN};

/// Bytes of the truncated signature: 128 bits.
pub const SIGNATURE_BYTES: usize = 16;

/// The blind-index kind under which link keys are derived (a domain separator: no blind
/// index of personal data uses it).
const DERIVE_KIND: &str = "shijian-link-key-v1";

/// Domain tag of the signature.
const SIGN_DOMAIN: &[u8] = b"shijian-signed-link-v1\0";

/// A link-signing key with its id. `Debug` shows the id only.
#[derive(Clone)]
pub struct LinkKey {
    id: KeyId,
    key: SecretKey,
}

impl LinkKey {
    /// The link key `id` of the deployment whose index key `index` holds.
    #[must_use]
    pub fn derive(index: &BlindIndex, id: &KeyId) -> Self {
        let hex_key = Zeroizing::new(index.hash(DERIVE_KIND, id.as_str()));
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        hex::decode_to_slice(hex_key.as_bytes(), &mut bytes[..])
            .expect("a blind index is 64 hex characters");
        Self {
            id: id.clone(),
            key: SecretKey::from_bytes(*bytes),
        }
    }

    /// A key from raw bytes (tests and tools).
    #[must_use]
    pub fn from_key(id: KeyId, key: SecretKey) -> Self {
        Self { id, key }
    }

    #[must_use]
    pub fn id(&self) -> &KeyId {
        &self.id
    }

    fn mac(&self, kind: &str, object_id: &str) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256>>::new_from_slice(self.key.bytes())
            .expect("HMAC accepts keys of any length");
        mac.update(SIGN_DOMAIN);
        mac.update(&(kind.len() as u64).to_be_bytes());
        mac.update(kind.as_bytes());
        mac.update(object_id.as_bytes());
        mac
    }

    /// The signature of (`kind`, `object_id`): 128 bits as unpadded base64url.
    #[must_use]
    pub fn sign(&self, kind: &str, object_id: &str) -> String {
        let tag = self.mac(kind, object_id).finalize().into_bytes();
        URL_SAFE_NO_PAD.encode(&tag[..SIGNATURE_BYTES])
    }

    /// Whether `signature` is this key's signature of (`kind`, `object_id`), compared in
    /// constant time. Anything malformed is simply not valid.
    #[must_use]
    pub fn verify(&self, kind: &str, object_id: &str, signature: &str) -> bool {
        if signature.len() != 22 {
            return false;
        }
        let mut buf = [0u8; 18];
        match URL_SAFE_NO_PAD.decode_slice(signature, &mut buf) {
            Ok(SIGNATURE_BYTES) => self
                .mac(kind, object_id)
                .verify_truncated_left(&buf[..SIGNATURE_BYTES])
                .is_ok(),
            _ => false,
        }
    }
}

impl fmt::Debug for LinkKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LinkKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// The next link key id after `existing` (`l1`, `l2`, …; ids of another shape are skipped).
///
/// # Panics
/// Never: `l<number>` is always a valid key id.
#[must_use]
pub fn next_link_key_id<'a>(existing: impl IntoIterator<Item = &'a str>) -> KeyId {
    let next = existing
        .into_iter()
        .filter_map(|id| id.strip_prefix('l')?.parse::<u64>().ok())
        .max()
        .unwrap_or(0)
        + 1;
    KeyId::new(&format!("l{next}")).expect("l<number> is a valid key id")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(byte: u8) -> BlindIndex {
        BlindIndex::new(SecretKey::from_bytes([byte; KEY_LEN]))
    }

    fn id(s: &str) -> KeyId {
        KeyId::new(s).unwrap()
    }

    #[test]
    fn signs_and_verifies() {
        let k = LinkKey::derive(&index(1), &id("l1"));
        let s = k.sign("licence", "91420800MA0000001X");
        assert_eq!(s.len(), 22);
        assert!(k.verify("licence", "91420800MA0000001X", &s));
        assert!(!k.verify("permit", "91420800MA0000001X", &s));
        assert!(!k.verify("licence", "91420800MA0000002X", &s));
        // The kind is length-prefixed: moving a character between kind and id fails.
        assert!(!k.verify("licenc", "e91420800MA0000001X", &s));
    }

    #[test]
    fn a_tampered_or_malformed_signature_fails() {
        let k = LinkKey::derive(&index(1), &id("l1"));
        let s = k.sign("permit", "abc");
        let mut bytes = s.clone().into_bytes();
        bytes[3] = if bytes[3] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        assert!(!k.verify("permit", "abc", &tampered));
        for bad in [
            "",
            "abc",
            &s[..21],
            &format!("{s}A"),
            "!!!!!!!!!!!!!!!!!!!!!!",
        ] {
            assert!(!k.verify("permit", "abc", bad), "{bad}");
        }
    }

    #[test]
    fn keys_differ_by_id_and_by_index_key_and_are_stable() {
        let a = LinkKey::derive(&index(1), &id("l1"));
        let b = LinkKey::derive(&index(1), &id("l2"));
        let c = LinkKey::derive(&index(2), &id("l1"));
        let s = a.sign("licence", "x");
        assert!(!b.verify("licence", "x", &s));
        assert!(!c.verify("licence", "x", &s));
        assert_eq!(
            LinkKey::derive(&index(1), &id("l1")).sign("licence", "x"),
            s
        );
        // The derived key is not the blind index of the id under the plain kinds.
        assert_ne!(
            index(1).hash(crate::kinds::ID_NUMBER, "l1"),
            index(1).hash(DERIVE_KIND, "l1")
        );
    }

    #[test]
    fn next_id_counts_up() {
        assert_eq!(next_link_key_id([]).as_str(), "l1");
        assert_eq!(next_link_key_id(["l1", "l3", "x9"]).as_str(), "l4");
    }

    #[test]
    fn debug_shows_the_id_only() {
        let k = LinkKey::from_key(id("l7"), SecretKey::from_bytes([0xAB; KEY_LEN]));
        let shown = format!("{k:?}");
        assert!(shown.contains("l7"));
        assert!(!shown.contains("171") && !shown.to_lowercase().contains("abab"));
    }
}
