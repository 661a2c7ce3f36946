//! Exact-value lookup over encrypted fields: [`BlindIndex`], a keyed hash (HMAC-SHA256) stored
//! in an indexed column next to each encrypted value.
//!
//! This module owns the hash construction only. Normalising the value (e.g. upper-casing the
//! ID number's check character, stripping spaces and `+86` from phones) is the caller's job,
//! done with the same function when writing and when searching; a value normalised
//! differently simply is not found.
//!
//! # The index key does not rotate casually
//!
//! Unlike the data keys, the index key has no key id and no ring: a lookup hashes the search
//! value with *the* key and compares. Changing the index key therefore means recomputing every
//! stored index (decrypt each value, normalise, hash with the new key) in one maintenance
//! window, during which lookups are incomplete. Replace it only if it is known to be
//! compromised: [`crate::Keys::rotate_index_key`]; `shijian keys rotate --index-key
//! --offline` does it and recomputes every index from the decrypted values (`keys reindex`
//! resumes). [`BlindIndex::key_check`] lets storage detect a wrong index key at start-up
//! instead of silently finding nothing.
//!
//! # What it reveals
//!
//! Equal values of the same kind have equal indexes (that is the point), so someone holding
//! the database sees which rows share an ID number or phone, but not the number. An unkeyed
//! hash would not do: the candidate phone numbers (about 10¹¹) and ID numbers (region ×
//! birth date × sequence, about 10¹¹) can be hashed exhaustively in hours. Without the index
//! key, which never enters the database, they cannot.

use std::fmt;

use hmac::{Hmac, Mac as _};
use sha2::Sha256;

use crate::SecretKey;

/// Common `kind` values of [`BlindIndex::hash`].
pub mod kinds {
    /// A resident ID number (居民身份证号码), normalised to 18 characters, upper-case `X`.
    pub const ID_NUMBER: &str = "id_number";
    /// A mobile or landline phone number, normalised to digits only.
    pub const PHONE: &str = "phone";
}

/// Domain tag of the index construction.
const DOMAIN: &[u8] = b"shijian-blind-index-v1\0";

/// Domain tag of the key check value.
const KEY_CHECK_DOMAIN: &[u8] = b"shijian-blind-index-key-check-v1\0";

/// HMAC-SHA256 with the index key over `domain || len(kind) || kind || value`, as lower-case
/// hex (64 characters).
#[derive(Clone)]
pub struct BlindIndex {
    key: SecretKey,
}

impl BlindIndex {
    /// A blind index under `key`, which must not be any data key (see [`crate::Keys`]).
    #[must_use]
    pub fn new(key: SecretKey) -> Self {
        Self { key }
    }

    /// The index of a normalised `value` of kind `kind` (e.g. [`kinds::ID_NUMBER`]).
    ///
    /// The kind is a domain separator: the same digits as a phone number and as an ID number
    /// give unrelated indexes. The kind is length-prefixed, so no choice of kind and value
    /// collides with another.
    #[must_use]
    pub fn hash(&self, kind: &str, value: &str) -> String {
        let mut mac = self.mac();
        mac.update(DOMAIN);
        mac.update(&(kind.len() as u64).to_be_bytes());
        mac.update(kind.as_bytes());
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// A 16-hex-character value derived from the key that reveals nothing about it. Storage
    /// can record it when the first index is written and refuse to start with a key whose
    /// check differs (a wrong or regenerated key file would otherwise make every lookup
    /// silently find nothing).
    #[must_use]
    pub fn key_check(&self) -> String {
        let mut mac = self.mac();
        mac.update(KEY_CHECK_DOMAIN);
        let tag = mac.finalize().into_bytes();
        hex::encode(&tag[..8])
    }

    fn mac(&self) -> Hmac<Sha256> {
        <Hmac<Sha256>>::new_from_slice(self.key.bytes()).expect("HMAC accepts keys of any length")
    }
}

impl fmt::Debug for BlindIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlindIndex")
            .field("key_check", &self.key_check())
            .finish_non_exhaustive()
    }
}
