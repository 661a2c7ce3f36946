//! Key material in memory: [`KeyId`], [`SecretKey`] (256 bits, zeroized on drop, never
//! printed) and [`KeyRing`] (the data keys, one of them current).
//!
//! This module owns how keys are held and compared; reading and writing key files lives in
//! [`crate::keyfile`], using keys in [`crate::cipher`] and [`crate::blind_index`].

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rand::rngs::OsRng;
use rand::RngCore as _;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::CryptoError;

/// Length of every key of this crate, in bytes (256 bits).
pub const KEY_LEN: usize = 32;

/// The short name of a data key, written into every stored ciphertext so the right key can be
/// found after rotation: 1–16 ASCII letters, digits, `-` or `_` (so it never contains the `:`
/// separator of the stored format). Not secret.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(String);

impl KeyId {
    /// Longest allowed key id.
    pub const MAX_LEN: usize = 16;

    /// Checks and wraps a key id.
    pub fn new(id: &str) -> Result<Self, CryptoError> {
        if Self::is_valid(id) {
            Ok(Self(id.to_owned()))
        } else {
            // Keep what the error echoes short and printable.
            let shown: String = id.chars().take(Self::MAX_LEN + 4).collect();
            Err(CryptoError::InvalidKeyId(shown.escape_debug().to_string()))
        }
    }

    /// Whether `id` follows the key id rules.
    #[must_use]
    pub fn is_valid(id: &str) -> bool {
        (1..=Self::MAX_LEN).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }

    /// The id as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({})", self.0)
    }
}

/// A 256-bit secret key. Zeroized on drop; `Debug` prints `SecretKey(<redacted>)`.
///
/// Cloning is allowed (each clone is zeroized on its own drop) so that a loaded
/// [`crate::Keys`] can hand keys to several services.
#[derive(Clone)]
pub struct SecretKey([u8; KEY_LEN]);

impl SecretKey {
    /// A fresh key from the operating system's CSPRNG (`OsRng`).
    ///
    /// # Panics
    /// If the operating system's random source fails, which on Linux means `getrandom(2)`
    /// is unavailable; there is no safe way to continue generating keys then.
    #[must_use]
    pub fn generate() -> Self {
        let mut key = Self([0; KEY_LEN]);
        OsRng.fill_bytes(&mut key.0);
        key
    }

    /// Wraps raw key bytes. The caller's array is a copy; zeroize it if it lives on.
    #[must_use]
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self(bytes)
    }

    /// Decodes standard base64 (with padding) that must hold exactly 32 bytes. The error is
    /// a Chinese reason without any of the input.
    pub(crate) fn from_base64(text: &str) -> Result<Self, &'static str> {
        // Decode into a zeroized stack buffer: no heap copy of the key is left behind.
        let mut buf = Zeroizing::new([0u8; 64]);
        if text.len() > 88 {
            return Err("密钥须为 32 字节（256 位）的 base64 编码，长度不符");
        }
        let n = STANDARD
            .decode_slice(text, &mut buf[..])
            .map_err(|_| "密钥不是有效的 base64 编码（标准字母表，带“=”填充）")?;
        if n != KEY_LEN {
            return Err("密钥须为 32 字节（256 位）的 base64 编码，长度不符");
        }
        let mut key = Self([0; KEY_LEN]);
        key.0.copy_from_slice(&buf[..KEY_LEN]);
        Ok(key)
    }

    /// The key as standard base64, in a buffer that is zeroized on drop.
    pub(crate) fn to_base64(&self) -> Zeroizing<String> {
        let mut out = Zeroizing::new(String::with_capacity(48));
        // A slice, not the array by value: no stack copy of the key.
        STANDARD.encode_string(self.0.as_slice(), &mut out);
        out
    }

    /// The raw bytes, for the cipher implementations of this crate.
    pub(crate) fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// Whether two keys are equal. Used only at load time, so not constant-time.
    pub(crate) fn same_as(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Drop for SecretKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl ZeroizeOnDrop for SecretKey {}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

/// The data keys: several keys, each with a [`KeyId`], one of them current.
///
/// New values are encrypted under the current key; stored values name their key id, so after
/// a rotation (a new key pushed as current) values written under older keys still decrypt
/// as long as their keys stay in the ring. Remove an old key only after the background
/// re-encryption job reports that no stored value uses it any more.
#[derive(Clone)]
pub struct KeyRing {
    keys: Vec<(KeyId, SecretKey)>,
    current: usize,
}

impl KeyRing {
    /// A ring with one key, which is current.
    #[must_use]
    pub fn single(id: KeyId, key: SecretKey) -> Self {
        Self {
            keys: vec![(id, key)],
            current: 0,
        }
    }

    /// A ring from `keys`; `current` names the current key, or `None` for the last one.
    ///
    /// Errors: [`CryptoError::KeyFileIncomplete`] if `keys` is empty,
    /// [`CryptoError::DuplicateKeyId`], or [`CryptoError::UnknownKeyId`] if `current` is not
    /// among `keys`.
    pub fn new(
        keys: impl IntoIterator<Item = (KeyId, SecretKey)>,
        current: Option<&KeyId>,
    ) -> Result<Self, CryptoError> {
        let mut ring: Vec<(KeyId, SecretKey)> = Vec::new();
        for (id, key) in keys {
            if ring.iter().any(|(other, _)| *other == id) {
                return Err(CryptoError::DuplicateKeyId(id.0));
            }
            ring.push((id, key));
        }
        if ring.is_empty() {
            return Err(CryptoError::KeyFileIncomplete {
                what: "数据密钥（data.<标识> = ...）",
            });
        }
        let current = match current {
            None => ring.len() - 1,
            Some(want) => ring.iter().position(|(id, _)| id == want).ok_or_else(|| {
                CryptoError::UnknownKeyId {
                    key_id: want.0.clone(),
                }
            })?,
        };
        Ok(Self {
            keys: ring,
            current,
        })
    }

    /// Rotation: adds `key` under a new `id` and makes it current. Older keys stay for
    /// decryption.
    pub fn push_current(&mut self, id: KeyId, key: SecretKey) -> Result<(), CryptoError> {
        if self.get(id.as_str()).is_some() {
            return Err(CryptoError::DuplicateKeyId(id.0));
        }
        self.keys.push((id, key));
        self.current = self.keys.len() - 1;
        Ok(())
    }

    /// Retirement: removes the key `id`, once no stored value uses it any more (the caller
    /// checks that). The current key cannot be removed ([`CryptoError::CurrentKeyRetired`]);
    /// an id the ring does not hold is [`CryptoError::UnknownKeyId`]. The removed key is
    /// zeroized.
    pub fn remove(&mut self, id: &str) -> Result<(), CryptoError> {
        let position = self
            .keys
            .iter()
            .position(|(key_id, _)| key_id.as_str() == id)
            .ok_or_else(|| CryptoError::UnknownKeyId {
                key_id: id.to_owned(),
            })?;
        if position == self.current {
            return Err(CryptoError::CurrentKeyRetired {
                key_id: id.to_owned(),
            });
        }
        self.keys.remove(position);
        if position < self.current {
            self.current -= 1;
        }
        Ok(())
    }

    /// The id of the key new values are encrypted under.
    #[must_use]
    pub fn current_id(&self) -> &KeyId {
        &self.keys[self.current].0
    }

    /// The current key.
    #[must_use]
    pub fn current_key(&self) -> &SecretKey {
        &self.keys[self.current].1
    }

    /// The key with id `id`, if the ring holds it.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&SecretKey> {
        self.keys
            .iter()
            .find(|(key_id, _)| key_id.as_str() == id)
            .map(|(_, key)| key)
    }

    /// The key ids in ring order (oldest first as written in the key file).
    pub fn ids(&self) -> impl Iterator<Item = &KeyId> {
        self.keys.iter().map(|(id, _)| id)
    }

    /// Keys with their ids, in ring order.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (&KeyId, &SecretKey)> {
        self.keys.iter().map(|(id, key)| (id, key))
    }
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("ids", &self.ids().map(KeyId::as_str).collect::<Vec<_>>())
            .field("current", &self.current_id().as_str())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> KeyId {
        KeyId::new(s).unwrap()
    }

    #[test]
    fn key_ids_are_checked() {
        for ok in ["k1", "2026-a", "A_b-9", "abcdefghijklmnop"] {
            assert!(KeyId::new(ok).is_ok(), "{ok}");
        }
        for bad in ["", "k:1", "k 1", "密钥", "abcdefghijklmnopq", "k\n1"] {
            let err = KeyId::new(bad).unwrap_err();
            assert_eq!(err.code(), "invalid_key_id", "{bad:?}");
        }
    }

    #[test]
    fn base64_keys_must_be_32_bytes() {
        let key = SecretKey::generate();
        let text = key.to_base64();
        assert_eq!(text.len(), 44);
        assert!(SecretKey::from_base64(&text).unwrap().same_as(&key));
        assert!(SecretKey::from_base64(&STANDARD.encode([7u8; 31])).is_err());
        assert!(SecretKey::from_base64(&STANDARD.encode([7u8; 33])).is_err());
        assert!(SecretKey::from_base64("not base64!").is_err());
        assert!(SecretKey::from_base64(&"A".repeat(200)).is_err());
    }

    #[test]
    fn generated_keys_differ() {
        assert!(!SecretKey::generate().same_as(&SecretKey::generate()));
    }

    #[test]
    fn ring_current_defaults_to_last_and_can_be_named() {
        let keys = || {
            vec![
                (id("k1"), SecretKey::generate()),
                (id("k2"), SecretKey::generate()),
            ]
        };
        assert_eq!(
            KeyRing::new(keys(), None).unwrap().current_id().as_str(),
            "k2"
        );
        let ring = KeyRing::new(keys(), Some(&id("k1"))).unwrap();
        assert_eq!(ring.current_id().as_str(), "k1");
        assert_eq!(
            KeyRing::new(keys(), Some(&id("k9"))).unwrap_err().code(),
            "unknown_key_id"
        );
        assert_eq!(
            KeyRing::new(Vec::new(), None).unwrap_err().code(),
            "key_file_incomplete"
        );
        let dup = vec![
            (id("k1"), SecretKey::generate()),
            (id("k1"), SecretKey::generate()),
        ];
        assert_eq!(
            KeyRing::new(dup, None).unwrap_err().code(),
            "duplicate_key_id"
        );
    }

    #[test]
    fn push_current_rotates() {
        let mut ring = KeyRing::single(id("k1"), SecretKey::generate());
        ring.push_current(id("k2"), SecretKey::generate()).unwrap();
        assert_eq!(ring.current_id().as_str(), "k2");
        assert!(ring.get("k1").is_some());
        assert_eq!(
            ring.push_current(id("k1"), SecretKey::generate())
                .unwrap_err()
                .code(),
            "duplicate_key_id"
        );
    }

    #[test]
    fn remove_retires_an_old_key_but_never_the_current_one() {
        let k1 = SecretKey::generate();
        let k3 = SecretKey::generate();
        let mut ring = KeyRing::new(
            vec![
                (id("k1"), k1.clone()),
                (id("k2"), SecretKey::generate()),
                (id("k3"), k3.clone()),
            ],
            Some(&id("k2")),
        )
        .unwrap();
        assert_eq!(ring.remove("k2").unwrap_err().code(), "current_key_retired");
        assert_eq!(ring.remove("k9").unwrap_err().code(), "unknown_key_id");
        ring.remove("k1").unwrap();
        assert_eq!(ring.current_id().as_str(), "k2");
        assert!(ring.get("k1").is_none());
        assert!(ring.get("k3").unwrap().same_as(&k3));
        ring.remove("k3").unwrap();
        assert_eq!(ring.ids().map(KeyId::as_str).collect::<Vec<_>>(), ["k2"]);
        assert!(!k1.same_as(ring.current_key()));
    }

    #[test]
    fn debug_never_prints_key_bytes() {
        let key = SecretKey::from_bytes([0xAB; KEY_LEN]);
        let ring = KeyRing::single(id("k1"), key.clone());
        for shown in [
            format!("{key:?}"),
            format!("{ring:?}"),
            format!("{ring:#?}"),
        ] {
            assert!(!shown.contains("ab"), "{shown}");
            assert!(!shown.contains("AB"), "{shown}");
            assert!(!shown.contains("171"), "{shown}");
            assert!(!shown.contains(key.to_base64().as_str()), "{shown}");
        }
        assert_eq!(format!("{key:?}"), "SecretKey(<redacted>)");
    }
}
